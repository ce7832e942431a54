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
 *
 * The HTTP client (the only libcurl user besides fetch.c's pure helpers): a struct net_conn is
 * one conversation with one server, one libcurl handle reused for all of its requests, so that
 * they share one connection (the WebDAV upload's MKCOLs, PUTs and HEAD) and the Digest state
 * (after the first challenge the nonce is reused: an Opencast ingest meets one 401, not one per
 * call). The handle is never reset between requests (curl_easy_reset drops the Digest state):
 * every per-request option is set explicitly by net_perform() instead. TLS is always verified
 * (against the server's ca_file when given); only http and https are spoken.
 */
#ifndef LECTERN_NET_H
#define LECTERN_NET_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* The server `role` reaches under `cfg` by the rule above ("" for none), without reading any
 * password file (the screen's status strip names it); *opencast (may be NULL): it is Opencast. */
const char *net_role_url(const struct config *cfg, enum net_role role, bool *opencast);

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

/* --- the HTTP client ------------------------------------------------------------------ */

struct net_conn;

#define NET_MAX_REDIRECTS 5L        /* followed, when a request asks for it */

/*
 * Start a conversation with `srv` (copied): its credentials, auth scheme and CA, each request
 * given `timeout_s` (0: 30) and abandoned within about a second once `cancel` (may be NULL)
 * turns true. Nothing is sent yet. LT_ERR_NOMEM.
 */
lt_err net_conn_open(const struct net_server *srv, long timeout_s, const atomic_bool *cancel,
		     struct net_conn **out);
/* End the conversation (closes its connection) and forget the password. NULL is fine. */
void net_conn_close(struct net_conn *c);
/* The server's "host:port" for messages. */
const char *net_conn_host(const struct net_conn *c);

/* A request body read as it is sent: `read` returns the bytes put in `buf` (0 at the end), or
 * -1 to abandon the request short of its length (the server then stores nothing); `rewind`
 * (may be NULL) starts it again when libcurl must resend it. */
struct net_body {
	ssize_t (*read)(void *user, char *buf, size_t n);
	bool (*rewind)(void *user);
	void *user;
	uint64_t size;
};

/* One field of a multipart/form-data POST: text (`value`), or a file streamed from `file` as
 * `filename` of `type`. A `value` with a `filename` is sent as a file part too (a small file
 * made in memory, e.g. the attendance CSV). */
struct net_field {
	const char *name;
	const char *value;
	const char *file;
	const char *filename;
	const char *type;
};

struct net_request {
	const char *method;         /* GET, HEAD, PUT, POST, MKCOL, DELETE */
	const char *url;
	const char *const *headers; /* extra header lines, NULL-terminated; NULL: none */
	const struct net_body *body;        /* PUT */
	const struct net_field *fields;     /* POST: the form, fields in this order */
	size_t field_count;
	bool follow_redirects;      /* up to NET_MAX_REDIRECTS, http(s) only; credentials never
				     * leave the host */
	size_t max_answer;          /* answer bodies larger are refused (LT_ERR_HTTP); 0: the body
				     * is not kept */
	int64_t max_send_bytes_per_s; /* 0: no cap */
	/* Every answer header line as libcurl gives it (CRLF included, not NUL-terminated),
	 * status lines of interim answers (401, redirects) included. May be NULL. */
	void (*on_header)(void *user, const char *line, size_t len);
	/* Bytes sent of `progress_total` (0: of the whole request body). May be NULL. */
	void (*progress)(void *user, uint64_t sent, uint64_t total);
	uint64_t progress_total;
	void *user;                 /* for on_header and progress */
};

struct net_answer {
	long status;                /* the final answer's; 0 when none came */
	char *body;                 /* malloc'd, NUL-terminated when max_answer > 0; else NULL */
	size_t body_len;
	int64_t length;             /* the answer's Content-Length, -1 when it gave none */
	long redirects;             /* followed */
	char effective_url[1024];   /* where the answer came from (after redirects) */
	char location[1024];        /* a redirect not followed: its target ("" if none) */
	char local_ip[64];          /* our address on the connection ("" if unknown) */
};

/*
 * Send one request on the conversation. LT_OK when an answer came, whatever its status (the
 * caller judges it: fetch_answer_verdict, opencast_answer_verdict …); else the one mapping of
 * libcurl's failures, fetch_curl_error() (LT_ERR_NETWORK, also when cancelled or when a body's
 * read abandoned the request; LT_ERR_INVALID for a bad URL), LT_ERR_HTTP for an answer larger
 * than max_answer, LT_ERR_IO when a form's file cannot be read, LT_ERR_NOMEM. `err` receives
 * a sentence naming the server, never the password. Free the answer with net_answer_free()
 * (also after a failure).
 */
lt_err net_perform(struct net_conn *c, const struct net_request *req, struct net_answer *ans,
		   char *err, size_t n);
void net_answer_free(struct net_answer *ans);

/* `len` bytes of `s` (all of it for 0) percent-encoded for a URL path segment or query value,
 * malloc'd; NULL when out of memory. */
char *net_escape(const char *s, size_t len);

#endif
