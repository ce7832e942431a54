/*
 * opencast.h — the capture-agent side of Opencast's REST API that the schedule needs:
 * service discovery and the agent's calendar. (Ingest and state reporting come with the
 * uploader.)
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
 */
#ifndef LECTERN_OPENCAST_H
#define LECTERN_OPENCAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lectern/err.h"
#include "lectern/fetch.h"

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

/*
 * Find a service's base URL (host + path, no trailing slash) into `url`.
 * LT_ERR_NOT_FOUND when the registry lists none online; fetch errors as fetch_get();
 * LT_ERR_PARSE for JSON we cannot read; LT_ERR_INVALID when the address is too long.
 * `err` (may be NULL) receives a sentence.
 */
lt_err opencast_discover(const struct opencast_conn *c, const char *service_type, char *url,
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

#endif
