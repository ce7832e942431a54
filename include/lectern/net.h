/*
 * net.h — one way to reach a server: which URL, credentials and CA each server role uses.
 *
 * Every caller that talks to a server (the schedule's fetch, the WebDAV upload, the Opencast
 * ingest, the capture agent and the settings screen's connection test) asks net_resolve() for
 * its role and uses what it answers, so that they cannot disagree: the connection test
 * succeeds exactly where the uploader would.
 *
 * The rule (also in `lectern help config`, through the option table's help texts):
 * - Which server a role reaches:
 *   NET_ROLE_CALENDAR  [schedule] ics when source = ics and it is an http(s) URL;
 *                      [opencast] url when source = opencast.
 *   NET_ROLE_UPLOAD    [upload] url when target = webdav; [opencast] url when target = opencast.
 *   NET_ROLE_OPENCAST  [opencast] url (the capture agent), when source or target is opencast.
 * - Which section's user, password_file, auth, allow_insecure_auth and ca_file go with it:
 *   the role's own section ([schedule] for the calendar, [upload] for the upload target);
 *   except that Opencast is one server with one account: every role that reaches [opencast]
 *   url uses [upload]'s when target = opencast and [upload] user is set, else [schedule]'s.
 *   (So a WebDAV share's account is never sent to Opencast, nor the other way round.)
 * - ca_file: that section's, else [schedule] ca_file, else the system's CAs.
 * - auth = basic over plain http:// is refused (LT_ERR_CONFIG) unless that section says
 *   allow_insecure_auth = yes; config_check() says the same at start.
 * The password is read from password_file at each call, under the rules of
 * config_secret_too_open() (a file others may read or change is refused), so that a changed
 * file or mode is seen without a restart.
 */
#ifndef LECTERN_NET_H
#define LECTERN_NET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "lectern/config.h"
#include "lectern/err.h"
#include "lectern/fetch.h"

enum net_role { NET_ROLE_CALENDAR, NET_ROLE_UPLOAD, NET_ROLE_OPENCAST };

/* A resolved server: copies, so that it outlives a configuration reload. */
struct net_server {
	char url[PATH_MAX];         /* as long as [schedule] ics may be */
	char user[128];             /* "" : no authentication */
	char password[256];
	enum fetch_auth_kind auth;  /* FETCH_AUTH_NONE when there is no user */
	char ca_file[PATH_MAX];     /* "" : the system's CAs */
	bool allow_insecure_auth;
	bool opencast;              /* the URL is Opencast's: Digest needs X-Requested-Auth */
	const char *section;        /* where the credentials came from: "schedule" or "upload" */
};

/*
 * Resolve `role` under `cfg` into `out` by the rule above. LT_OK; LT_ERR_NOT_FOUND when the
 * configuration gives the role no server (a calendar file, target = none or folder);
 * LT_ERR_CONFIG when the password file cannot be read or is too open, or basic auth would go
 * over plain http:// unallowed. `why` receives a sentence naming the section and key.
 * Clear out->password with net_server_clear() when done.
 */
lt_err net_resolve(const struct config *cfg, enum net_role role, struct net_server *out,
		   char *why, size_t n);

/* The role the settings screen's connection test checks: the upload target when it is a
 * server, else the calendar. LT_ERR_NOT_FOUND when neither is a server. */
lt_err net_test_role(const struct config *cfg, enum net_role *role);

/* Fill a fetch_request's auth and TLS fields (url and validators untouched) from `s`. */
void net_prepare_request(const struct net_server *s, struct fetch_request *req);

/* Forget the password (explicit_bzero). */
void net_server_clear(struct net_server *s);

/* Read the first line of a secret file into `buf`; "" for an empty `path`. LT_ERR_CONFIG
 * (why says it) when it cannot be read or others may read or change it
 * (config_secret_too_open). */
lt_err net_read_secret(const char *path, char *buf, size_t n, char *why, size_t why_len);

#endif
