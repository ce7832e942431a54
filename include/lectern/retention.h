/*
 * retention.h — how long personal data stays on the device, and the pass that purges it.
 *
 * What is kept, and for how long ([privacy] keys; `lectern help config`):
 *  - a delivered recording's local audio: [upload] retention_days after the target confirmed
 *    it (upload_prune, upload.h);
 *  - its row (title, presenter, tags, event metadata) and history: keep_records_days after
 *    delivery, and never before its local audio is gone;
 *  - a failed recording without audio (no samples counted and never queued: it failed to
 *    start, or recovery found no audio): its file and row, keep_failed_days after it failed
 *    (by its history);
 *  - a failed recording with audio (delivery gave up after give_up_days): kept, audio and row,
 *    until a person retries it (`lectern retry`) or removes it. It may be the only copy of a
 *    session, so no timer deletes it;
 *  - with [upload] target = none the device is the recordings' destination: they are kept for
 *    ever unless keep_local_days is set, and then removed (audio and row) that many days after
 *    they ended, whatever their state (queued or failed) — but only while some recording is
 *    younger than the limit: a clock far ahead would make them all look old at once;
 *  - the cached calendar (its text holds attendees' names and e-mail addresses) and its
 *    occurrences: replaced by every fetch, dropped at once when the configured source changes
 *    (or is none), and after keep_calendar_days without a good fetch;
 *  - check-ins' names, e-mail addresses and badge ids (stored with [privacy] attendance =
 *    names only, attendance.h) and the keyed hash that tells a second check-in of the same
 *    person (every mode): blanked keep_names_days after the check-in; the names also, with
 *    forget_names_when_delivered, as soon as their session's attendance was delivered, and
 *    with attendance = count or none, any left from an earlier names mode at the next pass.
 *    The count of check-ins is kept.
 * Audio is deleted only in those cases: never while a recording records, pauses or finalises,
 * nor while it waits for or is in an upload to a target.
 * Audio outside the spool (a file a person named with `lectern record --out`) is theirs: it is
 * never deleted, made private or written beside. Where the rules above would delete it, the
 * log says "kept: outside the spool" and the recording is treated as if its local copy were
 * gone (its row is marked deleted, or forgotten when the rule forgets it).
 * Each pass also makes the spool's audio files the service user's alone (0600), correcting
 * files an older lectern made group-readable.
 *
 * The pass runs with the uploader's pruning (upload_prune: the uploader thread and
 * `lectern upload --once`) and, with target = none, from `lectern run` about hourly.
 */
#ifndef LECTERN_RETENTION_H
#define LECTERN_RETENTION_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/config.h"
#include "lectern/store.h"

/* What one pass removed. */
struct retention_result {
	int records;   /* delivered recordings' rows forgotten */
	int failed;    /* failed recordings without audio removed */
	int local;     /* target = none: recordings removed after keep_local_days */
	int calendar;  /* 1 when the cached calendar was dropped */
	int checkin_names; /* check-ins whose name, e-mail and badge id were blanked */
};

/*
 * Whether `path` lies directly in the spool directory (both resolved, symlinks followed), so
 * that lectern may delete or change it. False for a relative path: it cannot be told where
 * it lies.
 */
bool retention_in_spool(const struct config *cfg, const char *path);

/*
 * One purge pass at unix time `now_ms` (milliseconds); logs each removal. Cheap when nothing is
 * due, so it may run every few seconds. `out` may be NULL.
 */
void retention_run(const struct config *cfg, struct store *st, int64_t now_ms,
		   struct retention_result *out);

#endif
