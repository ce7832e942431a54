/*
 * spoolmeta.h — a small JSON sidecar per recording in the spool, so that no recording is
 * forgotten when its database is lost.
 *
 * SPOOL/<uid>.json holds what the store knows of a recording: uid, path, title, presenter,
 * room, state, start and end, samples, bytes, SHA-256, reason, tags, spoken language, its
 * occurrence (event key) with the calendar's upload metadata, and where and when it was
 * delivered (and its watch link). It is written when
 * the row is created, when the recording is finalised (by the session or by recovery) and when
 * its upload is confirmed; each time whole (write-temp, fsync, rename, mode 0600: it names
 * the presenter). It goes when retention forgets the recording (spoolmeta_remove). Sidecars
 * live only in the spool directory: a recording written elsewhere (`record --out`) has its
 * sidecar in the spool under its uid all the same, never beside the file.
 *
 * Only the process holding the data directory's lock writes sidecars (it names the spool with
 * spoolmeta_enable() before starting any thread); before that, spoolmeta_save() does nothing.
 */
#ifndef LECTERN_SPOOLMETA_H
#define LECTERN_SPOOLMETA_H

#include <stdint.h>

#include "lectern/store.h"

/* Sidecars go to `spool_dir` from now on (copied), and the check-in journals to its
 * checkins/ (checkinlog_enable, checkinlog.h); temp files a kill left mid-write there are
 * removed. Call once, before threads start. */
void spoolmeta_enable(const char *spool_dir);

/*
 * Write recording `id`'s sidecar from the store as it is now. Failures are logged and
 * returned; the callers go on (the store stays the truth while it lives).
 */
lt_err spoolmeta_save(struct store *st, int64_t id);

/* Remove recording `uid`'s sidecar (retention forgets it); nothing to remove is LT_OK. */
lt_err spoolmeta_remove(const char *uid);

/*
 * Give a fresh store its recordings back from `spool_dir`, oldest first:
 *  - every sidecar becomes its row again, with its history starting there: `uploaded` stays
 *    uploaded (never delivered again; its file marked deleted if retention removed it),
 *    `queued` and `uploading` are queued (an upload cut short is made again), `failed` stays
 *    failed (retry by hand), and one that never ended (`recording`, `paused`, `finalizing`)
 *    is left in `recording`, for the recovery pass to close;
 *  - every .opus no sidecar names is rebuilt from its Opus tags (TITLE, ARTIST = presenter,
 *    LOCATION = room, DATE = start) in `recording`, so that recovery closes, measures and
 *    queues it.
 * A sidecar is believed only when it is named after its uid (SPOOL/<uid>.json) and the file it
 * names is gone, a plain file in the spool, or an Ogg Opus file: a damaged or hostile one could
 * otherwise write outside the spool or have any readable file delivered.
 * Uids the store already holds are left alone. Returns how many rows were restored, -1 when the
 * spool cannot be read.
 */
int spoolmeta_rebuild(struct store *st, const char *spool_dir);

#endif
