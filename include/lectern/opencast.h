/*
 * opencast.h — the capture-agent side of Opencast's REST API: service discovery, the agent's
 * calendar, and the calls and XML that ingest (upload_opencast.c) and the agent's state
 * reports (ocagent.c) are made of.
 *
 * Discovery: GET {server}/services/available.json?serviceType=TYPE. The answer's
 * `services.service` may be one object or an array of them, and `services` may be the empty
 * string when none is registered; we take the first service whose `online` and `active` are
 * true (and not in maintenance) and return its `host` + `path`.
 *
 * Calendar: GET {scheduler}/calendars?agentid=NAME&cutoff=EPOCH_MS (agent name URL-encoded,
 * cutoff absolute epoch milliseconds = now + look-ahead), with the previous ETag; every
 * `full_fetch_s` the ETag is dropped to force a full fetch (an event entering the window can
 * hide behind a 304 otherwise).
 *
 * Calls (the ingest of upload_opencast.c, the capture-admin reports of ocagent.c): a session
 * is one net.h conversation, so that its calls reuse one connection and the Digest nonce: only
 * the first call meets a 401 challenge (a file part is then sent once, not once for the
 * challenge and once more). A call is a GET
 * or a multipart/form-data POST whose fields go in the order given (Opencast's addTrack needs
 * `flavor` and `mediaPackage` before the file); a file part is streamed from disk by libcurl.
 * Redirects are not followed: one to a login page, like 401 and 403, is LT_ERR_AUTH.
 *
 * Dublin Core and media packages are XML handled with libxml2; the media package text each
 * ingest call returns is what the next call sends.
 */
#ifndef LECTERN_OPENCAST_H
#define LECTERN_OPENCAST_H

#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "lectern/err.h"
#include "lectern/fetch.h"
#include "lectern/net.h"

#define OPENCAST_SCHEDULER_SERVICE "org.opencastproject.scheduler"
#define OPENCAST_INGEST_SERVICE "org.opencastproject.ingest"
#define OPENCAST_CAPTURE_ADMIN_SERVICE "org.opencastproject.capture.admin"

struct opencast_conn {
	const char *server;         /* e.g. https://opencast.example.org (no trailing slash needed) */
	const char *user;
	const char *password;
	bool digest;                /* Digest with X-Requested-Auth; else Basic */
	const char *ca_file;
	long timeout_s;
	const atomic_bool *cancel;  /* passed to every request (see fetch.h) */
};

/* A connection on a resolved server (net_resolve): `srv` must outlive it. */
struct opencast_conn opencast_conn_of(const struct net_server *srv, long timeout_s,
				      const atomic_bool *cancel);

/*
 * Find a service's base URL (host + path, no trailing slash) into `url`.
 * LT_ERR_NOT_FOUND when the registry lists none online; fetch errors as fetch_get();
 * LT_ERR_PARSE for JSON we cannot read; LT_ERR_INVALID when the address is too long.
 * `err` (may be NULL) receives a sentence.
 */
lt_err opencast_discover(const struct opencast_conn *c, const char *service_type, char *url,
			 size_t url_len, char *err, size_t err_len);

/*
 * The registry's answer (`len` bytes of JSON, as opencast_discover() fetched it) → the first
 * usable `service_type` URL, with the same results and sentences as opencast_discover().
 * Pure, so that it is tested and fuzzed without a server.
 */
lt_err opencast_registry_url(const char *json, size_t len, const char *service_type, char *url,
			     size_t url_len, char *err, size_t err_len);

/*
 * Build the calendar URL: {scheduler}/calendars?agentid=ENC(agent)&cutoff=CUTOFF_MS.
 * Returns LT_ERR_INVALID if it does not fit.
 */
lt_err opencast_calendar_url(const char *scheduler, const char *agent, int64_t cutoff_ms,
			     char *url, size_t url_len);

/* Fill a fetch_request's auth/TLS fields from the connection (url and validators untouched);
 * credentials are cleared when the connection has no user. */
void opencast_prepare_request(const struct opencast_conn *c, struct fetch_request *req);

/* --- calls ---------------------------------------------------------------------------------- */

struct opencast_session;

/* A session on `c` (copied: the strings must outlive the session). LT_ERR_NOMEM. */
lt_err opencast_session_open(const struct opencast_conn *c, struct opencast_session **out);
void opencast_session_close(struct opencast_session *s);

/* Optional for a call that sends a file: progress of the file's bytes, and a speed cap. */
struct opencast_xfer {
	void (*progress)(void *user, uint64_t sent, uint64_t total);
	void *user;
	uint64_t total;             /* the file's size: progress never reports more */
	int64_t max_bytes_per_s;    /* 0: no cap */
};


/*
 * GET `url` (count == 0) or POST the `count` fields as multipart/form-data, in order.
 * LT_OK for 2xx, the answer in `ans` (status, body of at most 8 MiB, local_ip; free it with
 * net_answer_free()); LT_ERR_AUTH for 401, 403 or a redirect to a login page; LT_ERR_HTTP
 * for any other status (ans->status says which; the body is already freed); network failures
 * as fetch_curl_error() (LT_ERR_NETWORK, also when cancelled).
 * `err` receives a sentence naming the server, never the password.
 */
lt_err opencast_call(struct opencast_session *s, const char *url,
		     const struct net_field *fields, size_t count,
		     const struct opencast_xfer *xfer, struct net_answer *ans, char *err,
		     size_t err_len);

/* opencast_discover() as a call of the session: on its connection and Digest state. */
lt_err opencast_session_discover(struct opencast_session *s, const char *service_type,
				 char *url, size_t url_len, char *err, size_t err_len);

/* What a call's answer means, as opencast_call() returns it: LT_OK for 2xx; LT_ERR_AUTH for
 * 401, 403 and a redirect whose `location` (may be NULL) is a login page; else LT_ERR_HTTP. */
lt_err opencast_answer_verdict(long status, const char *location);

/* --- XML ------------------------------------------------------------------------------------ */

/* What the episode Dublin Core says of a recording (strings may be NULL or ""). */
struct opencast_episode {
	const char *title;
	const char *creator;        /* the presenter */
	const char *tags;           /* comma-separated: one dcterms:subject each */
	const char *spatial;        /* the room */
	const char *series;         /* dcterms:isPartOf, when known */
	const char *language;       /* dcterms:language, a BCP 47 tag ("en"), when known */
	int64_t start_ms, end_ms;   /* dcterms:temporal (W3C-DTF period) and dcterms:created */
};

/* The episode catalog (<dublincore> with dcterms:* elements) as malloc'd UTF-8 XML, NULL when
 * out of memory. Text is escaped by libxml2; what XML 1.0 cannot hold (invalid UTF-8, control
 * characters) becomes '?', never passed on: Opencast would refuse the whole document. */
char *opencast_episode_dc(const struct opencast_episode *ep);

/*
 * The calendar's episode catalog `xml` (`len` bytes) with dcterms:language `language` added as
 * the root's last child when it has no dcterms:language of its own (the scheduler's word wins),
 * malloc'd. Returned as it came (a copy) when it names a language already or `language` is
 * empty; NULL when it is not XML or out of memory (the caller then sends it as it came).
 */
char *opencast_dc_add_language(const char *xml, size_t len, const char *language);

/*
 * The episode catalog `dc` (`len` bytes) with `line` added to its dcterms:description: after
 * the first one's text (a blank line between) when there is one, else as a new element. For
 * what DC has no term of its own, like attendance (upload_attendance.h says why description).
 * NULL when `dc` is not a <dublincore> document or out of memory: the caller sends it as it
 * was. `line` is cleaned like the episode's text.
 */
char *opencast_dc_add_description(const char *dc, size_t len, const char *line);

/* The `id` attribute of the first <mediapackage> element of a document (the root, or inside
 * the <workflow> ingest answers). LT_ERR_PARSE when there is none or it has no id;
 * LT_ERR_INVALID when the id does not fit. */
lt_err opencast_mediapackage_id(const char *xml, size_t len, char *id, size_t id_len);

/* Java properties XML (<properties><entry key="…">…</entry></properties>) of `count` pairs,
 * malloc'd; what capture-admin's agent configuration takes. Keys and values are cleaned like
 * the episode's text. */
char *opencast_properties_xml(const char *const *keys, const char *const *values, size_t count);

#endif
