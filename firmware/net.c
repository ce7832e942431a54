/*
 * net.c — server roles resolved from the configuration (contract and rule in net.h).
 *
 * What must stay true: this is the only place that decides which section's credentials and CA
 * go to which server; callers never read [schedule] or [upload] user, password_file, auth or
 * ca_file themselves.
 */
#include "lectern/net.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

lt_err net_read_secret(const char *path, char *buf, size_t n, char *why, size_t why_len)
{
	buf[0] = '\0';
	if (!path || !*path)
		return LT_OK;
	FILE *fp = fopen(path, "r");
	if (!fp) {
		snprintf(why, why_len, "cannot read the password file %s: %s", path, strerror(errno));
		return LT_ERR_CONFIG;
	}
	/* The same rule as at start (config_check): its mode may have changed since. */
	struct stat sb;
	bool refused = fstat(fileno(fp), &sb) != 0;
	if (refused)
		snprintf(why, why_len, "cannot read the password file %s: %s", path, strerror(errno));
	else
		refused = config_secret_too_open(path, (unsigned)sb.st_mode, why, why_len);
	if (refused) {
		fclose(fp);
		return LT_ERR_CONFIG;
	}
	if (!fgets(buf, (int)n, fp))
		buf[0] = '\0';
	fclose(fp);
	buf[strcspn(buf, "\r\n")] = '\0';
	return LT_OK;
}

/* One section's credentials, as the configuration holds them. */
struct section {
	const char *name;
	const char *user, *password_file, *auth, *ca_file;
	int allow_insecure_auth;
};

static struct section schedule_section(const struct config *cfg)
{
	return (struct section){"schedule", cfg->server_user, cfg->server_password_file,
				cfg->server_auth, cfg->ca_file, cfg->server_allow_insecure_auth};
}

static struct section upload_section(const struct config *cfg)
{
	return (struct section){"upload", cfg->upload_user, cfg->upload_password_file,
				cfg->upload_auth, cfg->upload_ca_file,
				cfg->upload_allow_insecure_auth};
}

static bool is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

/* Opencast is one server with one account, whichever role reaches it. */
static struct section opencast_section(const struct config *cfg)
{
	return strcmp(cfg->upload_target, "opencast") == 0 && cfg->upload_user[0]
		       ? upload_section(cfg)
		       : schedule_section(cfg);
}

lt_err net_resolve(const struct config *cfg, enum net_role role, struct net_server *out,
		   char *why, size_t n)
{
	memset(out, 0, sizeof *out);
	bool opencast_used = strcmp(cfg->schedule_source, "opencast") == 0 ||
			     strcmp(cfg->upload_target, "opencast") == 0;
	const char *url = "";
	struct section sec = schedule_section(cfg);
	switch (role) {
	case NET_ROLE_CALENDAR:
		if (strcmp(cfg->schedule_source, "opencast") == 0) {
			url = cfg->opencast_url;
			out->opencast = true;
		} else if (strcmp(cfg->schedule_source, "ics") == 0 && is_url(cfg->schedule_ics)) {
			url = cfg->schedule_ics;
		}
		break;
	case NET_ROLE_UPLOAD:
		if (strcmp(cfg->upload_target, "opencast") == 0) {
			url = cfg->opencast_url;
			out->opencast = true;
		} else if (strcmp(cfg->upload_target, "webdav") == 0) {
			url = cfg->upload_url;
			sec = upload_section(cfg);
		}
		break;
	case NET_ROLE_OPENCAST:
		if (opencast_used) {
			url = cfg->opencast_url;
			out->opencast = true;
		}
		break;
	}
	if (out->opencast)
		sec = opencast_section(cfg);
	if (!url[0]) {
		static const char *const names[] = {"calendar", "upload target", "Opencast server"};
		snprintf(why, n, "no %s server is configured", names[role]);
		return LT_ERR_NOT_FOUND;
	}
	snprintf(out->url, sizeof out->url, "%s", url);
	out->section = sec.name;
	snprintf(out->ca_file, sizeof out->ca_file, "%s", sec.ca_file[0] ? sec.ca_file
									: cfg->ca_file);
	out->allow_insecure_auth = sec.allow_insecure_auth != 0;
	if (!sec.user[0])
		return LT_OK;
	snprintf(out->user, sizeof out->user, "%s", sec.user);
	out->auth = strcmp(sec.auth, "digest") == 0 ? FETCH_AUTH_DIGEST : FETCH_AUTH_BASIC;
	if (out->auth == FETCH_AUTH_BASIC && strncasecmp(url, "http://", 7) == 0 &&
	    !out->allow_insecure_auth) {
		snprintf(why, n, "[%s] auth = basic over plain http:// sends the password readable "
				 "on the network: use https://, auth = digest, or "
				 "allow_insecure_auth = yes in [%s]", sec.name, sec.name);
		return LT_ERR_CONFIG;
	}
	char reason[256];
	if (net_read_secret(sec.password_file, out->password, sizeof out->password, reason,
			    sizeof reason) != LT_OK) {
		snprintf(why, n, "[%s] password_file: %s", sec.name, reason);
		return LT_ERR_CONFIG;
	}
	return LT_OK;
}

lt_err net_test_role(const struct config *cfg, enum net_role *role)
{
	struct net_server s;
	char why[128];
	*role = NET_ROLE_UPLOAD;
	if (strcmp(cfg->upload_target, "webdav") == 0 || strcmp(cfg->upload_target, "opencast") == 0)
		return LT_OK;
	*role = NET_ROLE_CALENDAR;
	/* Only whether the calendar is a server matters here, not its password file. */
	lt_err err = net_resolve(cfg, NET_ROLE_CALENDAR, &s, why, sizeof why);
	net_server_clear(&s);
	return err == LT_ERR_NOT_FOUND ? LT_ERR_NOT_FOUND : LT_OK;
}

void net_prepare_request(const struct net_server *s, struct fetch_request *req)
{
	req->ca_file = s->ca_file;
	req->auth = s->auth;
	req->user = s->user[0] ? s->user : NULL;
	req->password = s->user[0] ? s->password : NULL;
	req->opencast_digest = s->opencast && s->auth == FETCH_AUTH_DIGEST;
}

void net_server_clear(struct net_server *s)
{
	explicit_bzero(s->password, sizeof s->password);
}
