/*
 * servercheck.c — the Opencast check provision and doctor share (see servercheck.h).
 */
#include "lectern/servercheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lectern/fetch.h"
#include "lectern/opencast.h"

static struct servercheck_finding *finding(struct servercheck *out, const char *name, bool ok,
					   const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct servercheck_finding *finding(struct servercheck *out, const char *name, bool ok,
					   const char *hint, const char *fmt, ...)
{
	struct servercheck_finding *f = &out->findings[out->count < 2 ? out->count++ : 1];
	f->name = name;
	f->ok = ok;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof f->detail, fmt, ap);
	va_end(ap);
	snprintf(f->hint, sizeof f->hint, "%s", ok || !hint ? "" : hint);
	if (!ok)
		out->ok = false;
	return f;
}

/* The hint for a failed discovery of `what` ("ingest", "capture-admin" …). */
static void failed(struct servercheck *out, const char *name, const struct net_server *srv,
		   const char *what, lt_err err, const char *why)
{
	if (out->err == LT_OK)
		out->err = err;
	char hint[256];
	if (err == LT_ERR_AUTH) {
		snprintf(hint, sizeof hint, "check [%s] user and its password_file (lectern "
			 "provision --user U --password-file F writes both)", srv->section);
		finding(out, name, false, hint, "Opencast refused the credentials of [%s] user %s: %s",
			srv->section, srv->user[0] ? srv->user : "(none)", why);
	} else if (err == LT_ERR_NOT_FOUND) {
		snprintf(hint, sizeof hint, "ask the Opencast administrators: a capture agent needs "
			 "the %s service registered and online", what);
		finding(out, name, false, hint, "%s", why);
	} else {
		finding(out, name, false, "check the network, [opencast] url and the server",
			"%s", why[0] ? why : lt_strerror(err));
	}
}

void servercheck_opencast(const struct config *cfg, enum net_role role, long timeout_s,
			  struct servercheck *out)
{
	memset(out, 0, sizeof *out);
	out->ok = true;
	bool opencast = false;
	net_role_url(cfg, role, &opencast);
	struct net_server srv = {0};
	char why[512] = "";
	if (!opencast) {
		out->err = LT_ERR_CONFIG;
		finding(out, "target", false, "check [upload] target and [schedule] source",
			"this server is not Opencast's");
		return;
	}
	lt_err err = net_resolve(cfg, role, &srv, why, sizeof why);
	if (err != LT_OK) {
		out->err = err;
		finding(out, "target", false, "fix the section it names", "%s", why);
		return;
	}
	const char *type = OPENCAST_INGEST_SERVICE, *what = "ingest";
	if (role == NET_ROLE_CALENDAR) {
		type = OPENCAST_SCHEDULER_SERVICE;
		what = "scheduler";
	}
	struct opencast_conn conn = opencast_conn_of(&srv, timeout_s, NULL);
	char url[1024];
	err = opencast_discover(&conn, type, url, sizeof url, why, sizeof why);
	if (err != LT_OK) {
		failed(out, "target", &srv, what, err, why);
	} else {
		finding(out, "target", true, NULL, "Opencast accepts %s%s; %s at %s",
			srv.user[0] ? "user " : "no credentials", srv.user, what, url);
		err = opencast_discover(&conn, OPENCAST_CAPTURE_ADMIN_SERVICE, url, sizeof url, why,
					sizeof why);
		if (err == LT_OK)
			finding(out, "discovery", true, NULL, "capture-admin at %s", url);
		else
			failed(out, "discovery", &srv, "capture-admin", err, why);
	}
	net_server_clear(&srv);
}
