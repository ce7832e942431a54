/*
 * schedule.h — the room's calendar, kept current and kept across outages.
 *
 * The configured source ([schedule] source: an ICS file or URL, or the Opencast capture-agent
 * calendar) is fetched every refresh_s with conditional requests. Every calendar that parses
 * is cached in the store (the text and its validators) and its occurrences for the coming
 * look-ahead are stored too, so a reboot without network still knows the week. A failed fetch,
 * or text that does not parse, keeps the cache, is logged, and makes the schedule "stale
 * since T" for the screen.
 */
#ifndef LECTERN_SCHEDULE_H
#define LECTERN_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/calendar.h"
#include "lectern/config.h"
#include "lectern/store.h"

struct schedule;

/* `cfg` and `st` must outlive the schedule. Loads the cached calendar if there is one. */
lt_err schedule_open(const struct config *cfg, struct store *st, struct schedule **out);
void schedule_close(struct schedule *s);

/*
 * Fetch and parse now if `force` or refresh_s has passed since the last attempt. Returns the
 * fetch's error (the cache is kept) or LT_OK; `why` explains a failure.
 */
lt_err schedule_refresh(struct schedule *s, int64_t now, bool force, char *why, size_t n);

/* Occurrences overlapping [from, to) from the current (or cached) calendar. */
lt_err schedule_window(struct schedule *s, int64_t from, int64_t to, struct occurrence_list *out);

/* Whether the calendar in use is older than the last failed attempt; *since = its time. */
bool schedule_stale(const struct schedule *s, int64_t *since);

/* Changes whenever a different calendar is in use, so that callers can keep what they
 * expanded from the previous one until then. */
unsigned schedule_generation(const struct schedule *s);

/*
 * The fetcher thread of `lectern run` (a worker, worker.h, woken each second of the monotonic
 * clock): its own store connection and schedule, refreshing every refresh_s, so that a slow or stalled calendar server never holds up the main loop (a
 * scheduled recording starts on time from the cached calendar). It also parses and expands
 * (for yesterday .. the look-ahead, again when the calendar changes or a day passes) and hands
 * the occurrences over, so that however big a calendar is, the main loop never parses it.
 * Stop cancels a fetch in flight (within about a second).
 */
struct schedule_fetcher;

/*
 * Once a tick in the main loop: pick up the stale mark (from the store) and what fetcher `f`
 * (NULL: none) handed over. From the first hand-over on, schedule_window only reads those
 * occurrences (a range outside yesterday .. the look-ahead is not answered in full). Cheap.
 */
lt_err schedule_sync(struct schedule *s, struct schedule_fetcher *f);

lt_err schedule_fetcher_start(const struct config *cfg, const char *db_path,
			      struct schedule_fetcher **out);
void schedule_fetcher_stop(struct schedule_fetcher *f);

/*
 * For `lectern schedule`: occurrences of `ics` (a file or URL; NULL: the configured source,
 * refreshed, else its cache) overlapping [from, to). The calendar's credentials (net.h) go
 * only to the configured calendar's URL.
 */
lt_err schedule_list(const struct config *cfg, const char *ics, int64_t from, int64_t to,
		     struct occurrence_list *out, char *why, size_t n);

#endif
