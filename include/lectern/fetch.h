/*
 * fetch.h — HTTP(S) GET (on net.h's client), for calendars and server discovery, and the
 * pure reading of an answer that every request shares.
 *
 * Conditional requests (If-None-Match / If-Modified-Since from the previous answer's ETag and
 * Last-Modified), TLS always verified (a custom CA file allowed), connect and total time-outs,
 * Basic or Digest auth. Opencast's Digest needs the header `X-Requested-Auth: Digest`; without
 * it Opencast redirects to a login page, which we must never take for success: a redirect to
 * a URL containing "login", or an HTML answer after a redirect, is LT_ERR_AUTH.
 * Bodies larger than `max_bytes` are refused (LT_ERR_HTTP) rather than held in memory.
 * Passwords never appear in logs or error messages.
 */
#ifndef LECTERN_FETCH_H
#define LECTERN_FETCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "lectern/err.h"

enum fetch_auth_kind { FETCH_AUTH_NONE, FETCH_AUTH_BASIC, FETCH_AUTH_DIGEST };

struct fetch_request {
	const char *url;
	const char *etag;           /* from the last 200, or NULL */
	const char *last_modified;  /* from the last 200, or NULL */
	const char *ca_file;        /* NULL or "": the system's CA store */
	long timeout_s;             /* whole transfer; 0: 30 */
	size_t max_bytes;           /* after decompression; 0: 16 MiB */
	enum fetch_auth_kind auth;
	const char *user;
	const char *password;
	bool opencast_digest;       /* send X-Requested-Auth: Digest */
	const atomic_bool *cancel;  /* when it turns true the transfer stops within about a
				     * second (LT_ERR_NETWORK, "cancelled"); NULL: never */
};

struct fetch_result {
	long status;                /* final HTTP status; 0 if none */
	bool not_modified;          /* 304: keep what you have */
	char *body;                 /* malloc'd, NUL-terminated; NULL on 304/error */
	size_t body_len;
	char etag[256];             /* validators of this answer ("" if none) */
	char last_modified[64];
	char content_type[128];
	char error[320];            /* a sentence for logs/screen on failure ("" on success) */
};

/*
 * GET `req->url`. Returns LT_OK for 200 (body set) and 304 (not_modified set);
 * LT_ERR_NETWORK (DNS, refused, reset, time-out, TLS), LT_ERR_AUTH (401, 403, login page),
 * LT_ERR_HTTP (other statuses, too large), LT_ERR_INVALID (bad URL), LT_ERR_NOMEM.
 * `res->error` always explains a failure. Free with fetch_result_free().
 */
lt_err fetch_get(const struct fetch_request *req, struct fetch_result *res);
void fetch_result_free(struct fetch_result *res);

/* "host:port" of a URL for messages (never user info, path or query). */
void fetch_url_host(const char *url, char *buf, size_t n);

/*
 * Map a libcurl result code (CURLcode) to the project's error and a sentence naming `host`:
 * the one mapping every libcurl user in lectern shares.
 */
lt_err fetch_curl_error(int code, const char *host, const char *detail, char *error, size_t n);

/* --- reading an answer: the decisions fetch_get() takes, pure (tested and fuzzed alone) --- */

/*
 * One header line as libcurl hands it to a header callback (`len` bytes, not NUL-terminated,
 * CRLF included). A status line ("HTTP/1.1 404 Not Found") starts a new answer: the
 * validators and type of an earlier one (a redirect, a 401 challenge, a 100) are dropped and
 * its reason phrase goes to `reason` (printable, cut to fit; "" when there is none). An ETag,
 * Last-Modified or Content-Type line sets that field of `res`, trimmed and cut to fit; other
 * lines are ignored.
 */
void fetch_header_line(const char *line, size_t len, struct fetch_result *res, char *reason,
		       size_t reason_len);

/* Whether a URL is a login page's: it holds "login" in any case. */
bool fetch_is_login_url(const char *url);

/*
 * What a complete answer (res->status, res->content_type) means: LT_OK for 200, and for 304
 * with res->not_modified set; LT_ERR_AUTH for 401 and 403, and for a page reached through
 * `redirects` that is a login form (its URL says login, or it is HTML); LT_ERR_HTTP for any
 * other status. A failure's sentence, naming `host` and the `reason` phrase, goes to `msg`.
 */
lt_err fetch_answer_verdict(struct fetch_result *res, const char *reason, long redirects,
			    const char *effective_url, bool with_credentials, const char *host,
			    char *msg, size_t n);

/* Initialise libcurl once per process (call before threads start); safe to call twice. */
void fetch_global_init(void);

#endif
