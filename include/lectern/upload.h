/*
 * upload.h — the durable upload queue and its targets.
 *
 * Every recording that reaches `queued` is an upload job. The uploader takes due jobs oldest
 * first; each step is committed before it is acted on: `queued -> uploading` before the first
 * byte is sent, `uploading -> uploaded` only after the target confirmed the file (size and
 * SHA-256 for a folder; size by HEAD for WebDAV) and that confirmation is in the store. A
 * failure goes back to `queued` with the attempt count, the error and the next attempt time
 * (exponential backoff with jitter, capped), or to `failed` once the job is older than the
 * configured limit. A job found `uploading` at start was interrupted and is queued again.
 *
 * Local files are never deleted before the confirmation is stored; after it, they are kept
 * for retention_days, oldest removed first.
 *
 * Targets are an ops table ([upload] target): folder (a mounted share or USB disk: temp name,
 * fsync, rename, fsync the directory, verify), webdav (MKCOL + PUT to URL/ROOM/YYYY/MM/,
 * metadata sidecar JSON, HEAD to verify) and opencast (upload_opencast.c: ingest re-discovered
 * before every upload, the last good one kept when discovery fails; createMediaPackage,
 * addDCCatalog with the calendar's episode catalog or one made from the recording, addTrack
 * with flavor and mediaPackage before the file, ingest/{workflow} with the calendar's workflow
 * configuration and workflowInstanceId = the event's UID; confirmed by ingest's 200, `remote`
 * = the media package id; a scheduled recording's states uploading / upload_finished /
 * upload_error go to capture-admin). Opencast uses [upload] user, password_file and auth, or,
 * when [upload] user is empty, [schedule]'s: the calendar and ingest are the same server in
 * practice. Files are streamed, never read whole.
 */
#ifndef LECTERN_UPLOAD_H
#define LECTERN_UPLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "lectern/config.h"
#include "lectern/store.h"

/* Told how far a transfer is (bytes of the recording sent so far, of `total`). */
struct upload_progress {
	void (*fn)(void *user, uint64_t sent, uint64_t total);
	void *user;
	const atomic_bool *cancel;  /* when true, the transfer is abandoned (and retried later) */
};

struct upload_target_ops {
	const char *name;
	/*
	 * Deliver `rec`'s file (and its metadata sidecar `sidecar_json`) and confirm it,
	 * reporting progress to `prog` (may be NULL). `remote` receives where it went.
	 * `err` explains a failure.
	 */
	lt_err (*put)(const struct config *cfg, const struct recording *rec, const char *sha256,
		      const char *sidecar_json, const struct upload_progress *prog, char *remote,
		      size_t remote_len, char *err, size_t err_len);
};

extern const struct upload_target_ops upload_folder_ops;
extern const struct upload_target_ops upload_webdav_ops;
extern const struct upload_target_ops upload_opencast_ops;

/* The configured target, or NULL for [upload] target = none. */
const struct upload_target_ops *upload_target(const struct config *cfg);

/* Metadata sidecar for a recording (malloc'd JSON text). */
char *upload_sidecar_json(const struct config *cfg, const struct recording *rec,
			  const char *sha256);

/* Requeue jobs a crash left `uploading`. Returns how many. */
int upload_recover(struct store *st);

/*
 * Work the queue once at time `now_ms`: every due job, oldest first. A job's first attempt is
 * put off by a random stagger, and nothing is sent outside the upload window; with
 * `ignore_backoff` (a person asked) all queued jobs go now. *attempted / *failed count.
 */
lt_err upload_run_once(const struct config *cfg, struct store *st, int64_t now_ms,
		       bool ignore_backoff, int *attempted, int *failed);

/* Whether `now_ms` falls in [upload] window (always true without one). */
bool upload_window_open(const struct config *cfg, int64_t now_ms);

/* Backoff before attempt number `attempts` + 1: min*2^(attempts-1), capped, with jitter. */
int64_t upload_backoff_ms(const struct config *cfg, int attempts, unsigned random);

/* Delete local files of uploaded recordings older than the retention, and earlier ones
 * (oldest first) while the spool has less than twice [recording] min_free_mb free; then the
 * [privacy] retention pass (retention.h). Returns how many local files it deleted. */
int upload_prune(const struct config *cfg, struct store *st, int64_t now_ms);

/*
 * The uploader thread of `lectern run`: its own store connection on `db_path`, a pass over the
 * queue every `period_s` (and prune), until uploader_stop(). A transfer in progress is left
 * is cancelled by uploader_stop() and retried at the next start, like a kill mid-transfer.
 */
struct uploader;
lt_err uploader_start(const struct config *cfg, const char *db_path, int period_s,
		      struct uploader **out);
void uploader_stop(struct uploader *u);

#endif
