/*
 * checkinlog.h — a second, durable copy of the check-ins in the spool, so that no attendance
 * record is lost with a damaged database (what spoolmeta.h is for recordings).
 *
 * SPOOL/checkins/<first 32 hex digits of SHA-256(session key)>.jsonl is an append-only journal
 * of one check-in session, one JSON object a line, each written whole and fdatasync'd before
 * the store's change is committed. Every line carries "op" and the session "key":
 *   session    the session's snapshot as the store now holds it (title, presenter, start_s,
 *              end_s, recording_uid), written when it changed;
 *   in         a check-in exactly as the store holds its row (method, person, name, email,
 *              badge, at_ms, consent): in count mode no name, e-mail or badge, since the store
 *              holds none;
 *   undo       a check-in taken back (method, person, at_ms name it);
 *   delivered  delivered_ms and delivered_count, as marked.
 * SPOOL/checkins/secret holds the device secret the person keys are made with (attendance.h),
 * so that after a rebuild a person already checked in is still refused a second time.
 * Files and the directory are private (0600, 0700).
 *
 * Retention scrubs the journal as it does the store: checkinlog_scrub() rewrites each journal
 * (write-temp, fsync, rename) with the names of check-ins before a time blanked, and
 * checkinlog_scrub_delivered() those of check-ins delivered.
 *
 * A kill after a line was written and before the store committed leaves a check-in the store
 * does not have (the person was never told "Welcome"): it comes back only with a rebuild, as
 * one check-in too many rather than one lost. A line cut short by a kill is skipped (and said
 * so) when the journal is read; the next line starts on a line of its own.
 *
 * Only the process holding the data directory's lock writes journals: spoolmeta_enable()
 * names the spool for both; before that, every function here that writes does nothing.
 * The functions are safe from several threads of that process.
 */
#ifndef LECTERN_CHECKINLOG_H
#define LECTERN_CHECKINLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/store.h"

/* Journals go to `spool_dir`/checkins from now on ("" turns them off). Called by
 * spoolmeta_enable(); temp files a kill left mid-rewrite are removed. */
void checkinlog_enable(const char *spool_dir);

/* Append one line (the store calls these; failures are logged and returned). */
lt_err checkinlog_session(const struct store_checkin_session *s);
lt_err checkinlog_in(const struct store_checkin *c);
lt_err checkinlog_undo(const struct store_checkin *c);
lt_err checkinlog_delivered(const char *key, int64_t when_ms, int count);

/* Blank name, e-mail and badge (and the person key when `person`) of every journalled
 * check-in before `before_ms`; of every one delivered. The journals are read when
 * `store_changed` (the store blanked rows just now) and the first time in a process, not
 * otherwise. How many lines changed, -1 on error. */
int checkinlog_scrub(int64_t before_ms, bool person, bool store_changed);
int checkinlog_scrub_delivered(bool store_changed);

/* Keep the device secret's text (hex) beside the journals, when it is not kept already. */
lt_err checkinlog_keep_secret(const char *hex);

/*
 * Give store `st` its check-ins back from `spool_dir`/checkins: the device secret (when the
 * store has none), every session, its delivery, and every check-in not taken back that the
 * store does not hold already (a check-in is its session, time, method and person: running
 * it again adds nothing). Returns how many check-ins were restored, -1 when the journals
 * cannot be read or the store failed.
 */
int checkinlog_rebuild(struct store *st, const char *spool_dir);

#endif
