/*
 * upload.h — the durable upload queue and its targets.
 *
 * Every recording that reaches `queued` is an upload job. The uploader takes due jobs oldest
 * first; each step is committed before it is acted on: `queued -> uploading` before the first
 * byte is sent, `uploading -> uploaded` only after the bytes sent were checked against the
 * recording as finalised, the target confirmed what it holds, and that confirmation is in the
 * store. A failure goes back to `queued` with the attempt count, the error and the next
 * attempt time (exponential backoff with jitter, capped), or to `failed` once the job is older
 * than the configured limit. A job found `uploading` at start was interrupted and is queued
 * again.
 *
 * Only what was recorded is delivered. Finalisation stores the file's size and SHA-256 (struct
 * recording bytes, sha256); every attempt, whatever the target, holds the file to them in the
 * queue's one path (upload_one in upload.c):
 * - Before the first byte: the file must be there, readable, and of the stored size. This
 *   catches what damage usually does (a file cut short, emptied, deleted) at no cost.
 * - While it is sent: the bytes are hashed as the target reads them (the folder's copy loop,
 *   WebDAV's libcurl read callback), and the verdict comes with the last byte, before the
 *   target commits anything: the folder's temp file is not renamed, WebDAV's PUT is abandoned
 *   short of its Content-Length (so the server never stores it; the name is DELETEd all the
 *   same). Hashing while sending instead of before keeps a normal upload to one read of the
 *   file. SHA-256 runs at about 2 GB/s on one core: behind a real link (even 100 MB/s) it
 *   hides in the waits on the socket and the throughput is unchanged; only on loopback,
 *   where nothing waits, does it show (about 0.1 s per 200 MB).
 * - Opencast's addTrack streams the file by itself (libcurl's mime file part), so its file is
 *   read and checked whole before the conversation starts (one more read; nothing is sent to
 *   Opencast for a damaged file, not even createMediaPackage). A file changed in the moment
 *   between that check and addTrack is not caught.
 * A file that fails these checks is not retried: damage does not heal by waiting. The job
 * goes to `failed` at once, its reason in last_error (shown by `lectern queue` and the
 * uploads screen), the local file kept untouched; `lectern retry ID` queues it again once a
 * person has put the right file back. A row without a stored SHA-256 (from before hashes were
 * stored) is hashed at its attempt and held to that.
 *
 * After the transfer the target must confirm what it holds: the folder reads its temp copy
 * back (size and SHA-256) before the rename; WebDAV asks HEAD for the size and, where the
 * server gives one, its checksum of the file (OC-Checksum, Digest or Repr-Digest SHA-256),
 * and DELETEs a copy that does not match; Opencast's ingest must answer 200 with the media
 * package.
 *
 * WebDAV's answers (tests/integration/test_upload_servers.sh holds them to nginx, Apache
 * mod_dav_fs and lighttpd mod_webdav): MKCOL 201, or 405 for a collection that exists (MKCOL
 * always names the collection with its trailing slash, so no server redirects it); 409 is the
 * share's own folder missing; PUT 200, 201 or 204 (a name replaced); HEAD 200 with the
 * Content-Length. 401 is the credentials (LT_ERR_AUTH); 403 is the share refusing writes
 * (read-only, or the account may not write there: LT_ERR_HTTP, not the password).
 *
 * Local files are never deleted before the confirmation is stored; after it, they are kept
 * for retention_days, oldest removed first. A job that is not `uploaded` is never pruned.
 *
 * Targets are an ops table ([upload] target): folder (a mounted share or USB disk, never
 * created and refused while its fstab mount point is bare, sharedir.h; ROOM/YYYY/MM made in
 * it; temp name, fsync, verify, rename, fsync the directory), webdav (MKCOL + PUT to
 * URL/ROOM/YYYY/MM/, HEAD to verify, then the metadata sidecar JSON, whose "attendance"
 * upload_attendance.h describes) and opencast (upload_opencast.c: ingest
 * re-discovered before every upload, the last good one kept when discovery fails;
 * createMediaPackage, addDCCatalog with the calendar's episode catalog or one made from the
 * recording (either with dcterms:language = the recording's language, the calendar's own
 * kept when it names one), addTrack with flavor and mediaPackage before the file,
 * ingest/{workflow} with the workflow configuration (the calendar's, and [opencast]
 * workflow_config's pairs for keys the calendar does not set: all of them for a manual
 * recording) and workflowInstanceId = the event's UID; confirmed by
 * ingest's 200, `remote` = the media package id; a scheduled recording's states uploading /
 * upload_finished / upload_error go to capture-admin; attendance as an attachment before the
 * ingest, upload_attendance.h). The server, credentials and CA of
 * WebDAV and Opencast are net_resolve(NET_ROLE_UPLOAD)'s (net.h). Files are streamed, never
 * held in memory whole.
 */
#ifndef LECTERN_UPLOAD_H
#define LECTERN_UPLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "lectern/config.h"
#include "lectern/store.h"

/* Told how far a transfer is (bytes of the recording sent so far, of `total`). */
struct upload_progress {
	void (*fn)(void *user, uint64_t sent, uint64_t total);
	void *user;
	const atomic_bool *cancel;  /* when true, the transfer is abandoned (and retried later) */
};

/* The recording's bytes as the queue hands them to a target, held to what finalisation
 * stored (upload.c). */
struct upload_source;

struct upload_target_ops {
	const char *name;
	/* Whether put() reads the recording through `src` (checked as it is read); if not, the
	 * queue reads and checks the whole file before put() is called. */
	bool reads_source;
	/*
	 * Deliver `rec`'s file (and its metadata sidecar `sidecar_json`) and confirm it,
	 * reporting progress to `prog` (may be NULL). `remote` receives where it went.
	 * `err` explains a failure.
	 */
	lt_err (*put)(const struct config *cfg, const struct recording *rec,
		      struct upload_source *src, const char *sidecar_json,
		      const struct upload_progress *prog, char *remote, size_t remote_len,
		      char *err, size_t err_len);
	/*
	 * Attendance (upload_attendance.h): send `sidecar_json` again beside `rec`, already
	 * delivered (rec->remote says where), replacing its sidecar. LT_ERR_NOT_FOUND when `rec`
	 * went to another kind of target (the target was changed since). NULL: the target takes
	 * no update (Opencast).
	 */
	lt_err (*put_sidecar)(const struct config *cfg, const struct recording *rec,
			      const char *sidecar_json, char *err, size_t err_len);
};

extern const struct upload_target_ops upload_folder_ops;
extern const struct upload_target_ops upload_webdav_ops;
/* upload_opencast.c: its XML is libxml2's, which brings ICU and libstdc++ (cli.h). */
extern const struct upload_target_ops upload_opencast_ops;

/*
 * Make a target other than the folder and WebDAV available to upload_target(): an executable
 * that links upload_opencast.c says so, once, before its threads start (lectern-net does;
 * lectern-upload leaves Opencast out and hands such a configuration to lectern-net).
 */
void upload_add_target(const struct upload_target_ops *ops);

/*
 * The configured target, or NULL for [upload] target = none and for a target this executable
 * has not added (upload_add_target).
 */
const struct upload_target_ops *upload_target(const struct config *cfg);

/*
 * Where people watch `rec` once delivered, into `link` ("" for none): with target = opencast
 * [opencast] player_url, {url} its server and {id} `remote` (the media package id); with
 * folder and webdav [upload] link_template, {room} (the room's folder name on the share),
 * {year} and {month} (of its start, local time, as the folders are), {uid} and {file} (the
 * audio file's name). Each value URL-encoded (urltpl.h). The queue stores it with the
 * confirmation, before the state says uploaded; a failed attempt stores "" (a link only ever
 * names what was delivered). LT_ERR_CONFIG / LT_ERR_INVALID with a sentence in `why` when the
 * template gives no URL for this recording: the delivery stands, without a link.
 */
lt_err upload_link(const struct config *cfg, const struct recording *rec, const char *remote,
		   char *link, size_t n, char *why, size_t why_len);

/* Metadata sidecar for a recording (malloc'd JSON text), "attendance": null. */
char *upload_sidecar_json(const struct config *cfg, const struct recording *rec,
			  const char *sha256);
/* The same with `attendance` (upload_attendance_json(), taken over; NULL: null). */
char *upload_sidecar_json_attendance(const struct config *cfg, const struct recording *rec,
				     const char *sha256, json_object *attendance);

/*
 * What a server's checksum header (one line, "Name: value") says of `sha256` (lower-case
 * hex): 1 it gives that SHA-256, 0 it gives another, -1 it is no such header or gives no
 * SHA-256. Read: OC-Checksum "SHA256:HEX" among others (ownCloud, Nextcloud), Digest
 * "SHA-256=BASE64" (RFC 3230) and Repr-Digest "sha-256=:BASE64:" (RFC 9530).
 */
int upload_server_checksum(const char *header, const char *sha256);

/* Requeue jobs a crash left `uploading`. Returns how many. */
int upload_recover(struct store *st);

/*
 * Work the queue once at time `now_ms`: every due job, oldest first. A job's first attempt is
 * put off by a random stagger, and nothing is sent outside the upload window; with
 * `ignore_backoff` (a person asked) all queued jobs go now, until one fails for the target's
 * sake (a damaged file does not stop the others). *attempted / *failed count.
 */
lt_err upload_run_once(const struct config *cfg, struct store *st, int64_t now_ms,
		       bool ignore_backoff, int *attempted, int *failed);

/* Whether `now_ms` falls in [upload] window (always true without one). */
bool upload_window_open(const struct config *cfg, int64_t now_ms);

/* Backoff before attempt number `attempts` + 1: min*2^(attempts-1), capped, with jitter. */
int64_t upload_backoff_ms(const struct config *cfg, int attempts, unsigned random);

/* Delete local files of uploaded recordings older than the retention, and earlier ones
 * (oldest first) while the spool has less than twice [recording] min_free_mb free; then the
 * [privacy] retention pass (retention.h). A file outside the spool is never deleted: past the
 * retention it is marked as no longer held ("kept: outside the spool"). Returns how many local
 * files it deleted. */
int upload_prune(const struct config *cfg, struct store *st, int64_t now_ms);

/*
 * The uploader thread of `lectern run` (a worker, worker.h): its own store connection on
 * `db_path`, a pass over the queue every `period_s` of the monotonic clock (and prune), until
 * uploader_stop(). A transfer in progress is cancelled by uploader_stop() and retried at the
 * next start, like a kill mid-transfer.
 */
struct uploader;
lt_err uploader_start(const struct config *cfg, const char *db_path, int period_s,
		      struct uploader **out);
void uploader_stop(struct uploader *u);

#endif
