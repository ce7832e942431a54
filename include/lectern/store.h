/*
 * store.h — the appliance's durable state in SQLite (WAL).
 *
 * Holds recordings and their state machine. Every state change is a compare-and-set committed
 * with synchronous=FULL *before* the caller acts on it, so after a power cut the store says
 * exactly what was in progress. The schema is versioned (PRAGMA user_version) and migrated
 * forward at open.
 *
 * A `struct store` is used by one thread at a time.
 */
#ifndef LECTERN_STORE_H
#define LECTERN_STORE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lectern/err.h"

enum rec_state {
	REC_RECORDING = 0,
	REC_PAUSED,
	REC_FINALIZING,
	REC_QUEUED,
	REC_UPLOADING,
	REC_UPLOADED,
	REC_FAILED,
	REC__COUNT
};

#define REC_MASK(s) (1u << (s))

const char *rec_state_name(enum rec_state s);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int rec_state_parse(const char *name, enum rec_state *out);
/* Whether the state machine allows from -> to. */
bool rec_state_can(enum rec_state from, enum rec_state to);

struct recording {
	int64_t id;
	char uid[48];
	char path[PATH_MAX];
	char title[256];
	char presenter[128];
	char room[128];
	enum rec_state state;
	int64_t started_ms;    /* unix time, ms */
	int64_t ended_ms;      /* 0 while open */
	int64_t samples;       /* audio in the file, at 48 kHz */
	int64_t bytes;
	char reason[256];      /* why it stopped or failed; "" if nothing to say */
	/* upload */
	int attempts;
	int64_t next_attempt_ms;
	char last_error[320];
	char remote[1024];     /* where the target put it */
	char sha256[65];
	int64_t uploaded_ms;   /* when the target's confirmation was stored */
	int64_t deleted_ms;    /* when the local file was removed after retention */
	int64_t sent_bytes;    /* of the current or last attempt */
	int64_t rate_bps;      /* bytes per second of that attempt */
	char tags[256];        /* topic tags, comma-separated */
	char link[1024];       /* where people watch it once delivered; "" for none */
	char language[36];     /* spoken language sent with it ([device] language at its start) */
};

struct store;

/*
 * Open (creating and migrating) the store at `path`. LT_ERR_CORRUPT when what is there is
 * damaged beyond use: not a database, empty, not a regular file (a directory), or written by
 * a newer lectern (schema version above ours); LT_ERR_STORE for anything else (permissions,
 * busy, disk), where nothing is wrong with the file itself. The database and its WAL/SHM files
 * are made the service user's alone (0600, whatever the umask, corrected on every open): they
 * hold the calendar's text with attendees' names and e-mail addresses.
 */
lt_err store_open(const char *path, struct store **out);
void store_close(struct store *st);
int store_schema_version(struct store *st);

/* A number that changes whenever a commit changed the database, through `st` or through
 * another connection (the uploader's thread, another process): a cache of what the store
 * holds is fresh while it stays the same. Cheap (no table is read). */
uint64_t store_change_count(struct store *st);

/* PRAGMA quick_check: LT_ERR_CORRUPT (the first problem logged) when the file's structure is
 * damaged, e.g. bit flips or a truncation. Reads the whole database: call it once at start. */
lt_err store_verify(struct store *st);

/*
 * Move the database at `path` and its -wal, -shm and -journal aside to
 * PATH.damaged-YYYYMMDDTHHMMSSZ[-N] (UTC of `when_ms`; never overwriting an earlier copy), kept
 * for inspection; `aside` receives the new name. The store must be closed, and no other
 * process may have it open: only the holder of the data directory's lock calls this.
 */
lt_err store_set_aside(const char *path, int64_t when_ms, char *aside, size_t n);

/* Make a recording uid ("20261122T184400Z-3fa9") for `when_ms`. */
void store_make_uid(int64_t when_ms, char *buf, size_t n);

/*
 * Insert `rec` in state `recording` (uid made if empty; started_ms set if 0; its other fields
 * stored as given: zero them). Sets rec->id. Committed durably before returning.
 * LT_ERR_STATE when the uid is taken.
 */
lt_err store_recording_create(struct store *st, struct recording *rec);

/*
 * Move recording `id` from `from` to `to`, recording `reason` (may be NULL) in its history.
 * LT_ERR_STATE if it is not in `from` or the machine forbids the move; LT_ERR_NOT_FOUND.
 */
lt_err store_recording_transition(struct store *st, int64_t id, enum rec_state from,
				  enum rec_state to, const char *reason);

struct store_event;

/*
 * Insert a recording as it was before its database was lost (see spoolmeta.h): every field
 * of `rec` kept, in `rec->state`, with `ev` (may be NULL) as its occurrence, and `why` as its
 * first history entry. Sets rec->id. LT_ERR_STATE when the store already has its uid.
 */
lt_err store_recording_restore(struct store *st, struct recording *rec,
			       const struct store_event *ev, const char *why);

/* Record what the finished file holds: samples (48 kHz), bytes, end time, SHA-256 (or NULL). */
lt_err store_recording_set_result(struct store *st, int64_t id, int64_t samples, int64_t bytes,
				  int64_t ended_ms, const char *sha256);

lt_err store_recording_get(struct store *st, int64_t id, struct recording *out);

/* Call `fn` for each recording whose state is in `state_mask` (0: all), oldest first.
 * Stops early and returns LT_OK if `fn` returns non-zero. */
typedef int (*store_recording_fn)(const struct recording *rec, void *user);
lt_err store_recordings_each(struct store *st, unsigned state_mask, store_recording_fn fn,
			     void *user);
/* The same for the newest `max` of them (0: all), newest first: what a list of the latest
 * needs, without reading the rest. */
lt_err store_recordings_latest(struct store *st, unsigned state_mask, int max,
			       store_recording_fn fn, void *user);

/*
 * Repair the relative paths an older `lectern record --out` stored (it resolves them now): a
 * relative path cannot be told from which directory it was given. A file of that name in
 * `spool_dir` is taken as the recording's (its path becomes that one); otherwise a queued or
 * uploading recording fails with a reason that names the path and what to do (move the file
 * into the spool, then `lectern retry`, which finds it on the next open). Others keep their
 * path: nothing waits on them, and retention never deletes a file outside the spool. Said in
 * the log; returns how many recordings changed.
 */
int store_repair_paths(struct store *st, const char *spool_dir);

/* Number of recordings in the store, whatever their state; -1 on error. */
int store_recording_count(struct store *st);

/* Number of history rows for a recording (each a committed transition). */
int store_recording_history_count(struct store *st, int64_t id);

/* --- the upload queue (see upload.h) --- */

/* The oldest `queued` recording due at `now_ms` (any, with ignore_backoff). NOT_FOUND: none. */
lt_err store_upload_next(struct store *st, int64_t now_ms, bool ignore_backoff,
			 struct recording *out);
/* Record an attempt's bookkeeping (the state itself moves by transition). */
lt_err store_upload_note(struct store *st, int64_t id, int attempts, int64_t next_attempt_ms,
			 const char *last_error, const char *remote, const char *sha256,
			 int64_t uploaded_ms);
/* Delivered and confirmed: the confirmation (attempts, where the target put it, the SHA-256 it
 * was checked against, the link to watch it — "" for none —, when) and the move uploading ->
 * uploaded with `reason`, in one durable commit. LT_ERR_STATE when the recording is no longer
 * uploading. */
lt_err store_upload_confirm(struct store *st, int64_t id, int attempts, const char *remote,
			    const char *sha256, const char *link, int64_t uploaded_ms,
			    const char *reason);
lt_err store_recording_mark_deleted(struct store *st, int64_t id, int64_t when_ms);
/* How far the running attempt is (written about once a second by the uploader). Not synced:
 * it may be lost with a power cut, never anything else. */
lt_err store_upload_progress(struct store *st, int64_t id, int64_t sent_bytes, int64_t rate_bps);

/* --- the schedule's cache (see schedule.h) --- */

struct store_calendar_cache {
	char source[1024];          /* what it was fetched from */
	char *body;                 /* last good calendar text (malloc'd; NULL if none) */
	size_t len;
	char etag[256];
	char last_modified[64];
	int64_t ok_ms;              /* when the body was last fetched (or confirmed by 304) */
	int64_t attempt_ms;         /* last attempt, good or bad */
	int64_t full_ms;            /* last unconditional fetch (Opencast) */
	char error[320];            /* why the last attempt failed; "" if it did not */
};

/* LT_ERR_NOT_FOUND when nothing was ever cached. Free with store_calendar_cache_free(). */
lt_err store_calendar_load(struct store *st, struct store_calendar_cache *out);
lt_err store_calendar_save(struct store *st, const struct store_calendar_cache *c);
void store_calendar_cache_free(struct store_calendar_cache *c);
/* Just when the cached calendar was last good and why the last attempt failed (cheap). */
lt_err store_calendar_stamp(struct store *st, int64_t *ok_ms, char *error, size_t n);

/* One expanded occurrence as the store keeps it (the schedule's struct occurrence, in the
 * store's own terms: the store sits below the calendar). */
struct store_occurrence {
	const char *uid;
	int64_t start, end;          /* unix seconds */
	bool all_day;
	int64_t recurrence_id;
	const char *title, *presenter, *location, *series;
	int attendees;
};

/* Replace the stored occurrences with `rows` in one transaction. */
lt_err store_occurrences_replace(struct store *st, const struct store_occurrence *rows, size_t n);

/* What a scheduled recording keeps of its occurrence (strings may be NULL). */
struct store_event {
	const char *key;             /* "UID@START" */
	const char *series;          /* Opencast series (dcterms:isPartOf) */
	const char *workflow;        /* org.opencastproject.workflow.definition */
	const char *workflow_config; /* "key=value" lines, prefix stripped */
	const char *episode_dc;      /* the episode Dublin Core the calendar delivered */
};

/* Tie a recording to a scheduled occurrence and keep what the upload will need of it. */
lt_err store_recording_set_event(struct store *st, int64_t id, const struct store_event *ev);
/* Read back a recording's event metadata (malloc'd strings; free with free()). */
lt_err store_recording_get_event(struct store *st, int64_t id, char **series, char **workflow,
				 char **workflow_config, char **episode_dc);
/* A person asked: a failed or waiting upload is due now (attempts kept). LT_ERR_STATE when the
 * recording is not waiting for upload, LT_ERR_NOT_FOUND when there is none. */
lt_err store_upload_retry(struct store *st, int64_t id);
/* The occurrence a recording was made for: its key "UID@START" ("" for a manual one). */
lt_err store_recording_event_key(struct store *st, int64_t id, char *key, size_t n);
/* Topic tags of a recording, comma-separated ("" for none). */
lt_err store_recording_set_tags(struct store *st, int64_t id, const char *tags);
/* Where people watch a delivered recording (upload.h: set with its delivery, "" when none or
 * when the delivery failed). */
lt_err store_recording_set_link(struct store *st, int64_t id, const char *link);
/*
 * Recordings of an occurrence. With `ending_reasons` (NULL-terminated, 1 to 16), only those
 * whose history holds a move to `finalizing` for exactly one of these reasons: the caller's
 * list of what "done, do not start again" means (controller.h); NULL counts them all.
 * A recording a crash interrupted (recovery's move has its own reason), one that could not
 * start (never finalizing) or one that failed on its own is therefore not counted unless its
 * reason is listed. -1 on error.
 */
int store_event_recordings(struct store *st, const char *event_key,
			   const char *const *ending_reasons);

/*
 * Small facts about the device that must survive a restart (e.g. the settings PIN's lock-out),
 * as text under a key. store_kv_get: LT_ERR_NOT_FOUND when the key was never set (value "").
 */
lt_err store_kv_get(struct store *st, const char *key, char *value, size_t n);
lt_err store_kv_set(struct store *st, const char *key, const char *value);

/*
 * Retention (retention.h) only: remove a recording's row and its history in one transaction.
 * The caller has removed its file first, or there is none worth keeping.
 */
lt_err store_recording_forget(struct store *st, int64_t id);
/* Retention only: drop the cached calendar text and the stored occurrences. */
lt_err store_calendar_forget(struct store *st);
/* When (unix ms) the recording last entered `state` by its history; 0 if it never did, -1 on
 * error. */
int64_t store_recording_entered(struct store *st, int64_t id, enum rec_state state);
/* Where the cached calendar came from and when it was last good (cheap: no body). */
lt_err store_calendar_origin(struct store *st, char *source, size_t n, int64_t *ok_ms);

/* --- check-in (attendance.h decides what is stored; these only keep it) --- */

/*
 * A recording's check-in session is its occurrence's key ("UID@START", the recordings'
 * event_key) when it was recorded for one, else this prefix and the recording's uid. The one
 * rule: the store's queries use it as SQL (store_impl.h), store_recording_session_key()
 * (reports.h) answers it for C, attendance_key_adhoc() builds the ad-hoc key.
 */
#define STORE_ADHOC_PREFIX "adhoc:"

/* A session people check in to, as kept for reports: the calendar's occurrences come and go. */
struct store_checkin_session {
	char key[320];               /* "UID@START" (start in unix seconds) or "adhoc:<rec uid>" */
	char title[256];
	char presenter[128];
	int64_t start_s, end_s;      /* unix seconds; end 0 while unknown */
	char recording_uid[48];      /* the recording made of it, "" for none yet */
	int64_t delivered_ms;        /* when its attendance was delivered; 0 not yet */
	int delivered_count;         /* the count delivered then; -1 not yet */
};

/* One check-in. `person` is attendance.h's keyed hash ("" for a guest); name, email and badge
 * are "" unless the privacy mode stores them (or after their retention). */
struct store_checkin {
	int64_t id;
	char session_key[320];
	char method[16];             /* tap | walkin | qr | guest */
	char person[72];
	char name[128];
	char email[256];
	char badge[128];
	int64_t at_ms;               /* unix ms */
	char consent[24];            /* version of the consent line shown */
};

/* Insert the session, or update an existing one's title, presenter, end and recording uid
 * (each only when given: non-empty, non-zero). Its delivery stays as it was. */
lt_err store_checkin_session_put(struct store *st, const struct store_checkin_session *s);
/* LT_ERR_NOT_FOUND when there is no session `key`. */
lt_err store_checkin_session_get(struct store *st, const char *key,
				 struct store_checkin_session *out);
/* Sessions starting in [from_s, to_s) (to_s 0: no end), oldest first; `fn` returning non-zero
 * stops early (LT_OK). */
typedef int (*store_checkin_session_fn)(const struct store_checkin_session *s, void *user);
lt_err store_checkin_sessions_each(struct store *st, int64_t from_s, int64_t to_s,
				   store_checkin_session_fn fn, void *user);
/* Record that the session's attendance was delivered at `when_ms` (or at its latest check-in's
 * time, when a clock that was ahead stamped that one later) with `count` check-ins. */
lt_err store_checkin_session_delivered(struct store *st, const char *key, int64_t when_ms,
				       int count);

/* Insert `c` (its id set); the session must exist. */
lt_err store_checkin_add(struct store *st, struct store_checkin *c);
/* The first check-in of `person` (non-empty) in the session; LT_ERR_NOT_FOUND when none. */
lt_err store_checkin_find(struct store *st, const char *session_key, const char *person,
			  struct store_checkin *out);
lt_err store_checkin_get(struct store *st, int64_t id, struct store_checkin *out);
/* Remove check-in `id` (an undo); LT_ERR_NOT_FOUND when there is none. */
lt_err store_checkin_remove(struct store *st, int64_t id);
/* Check-ins of a session (all when at_after_ms is 0, else those after it: late ones), -1 on
 * error. */
int store_checkin_count(struct store *st, const char *session_key, int64_t at_after_ms);
/* A session's check-ins, oldest first; `fn` returning non-zero stops early. */
typedef int (*store_checkin_fn)(const struct store_checkin *c, void *user);
lt_err store_checkins_each(struct store *st, const char *session_key, store_checkin_fn fn,
			   void *user);
/*
 * Retention only (retention.h), each returning the check-ins changed, -1 on error:
 *  - forget_names: blank name, email and badge of check-ins made before `before_ms`, and
 *    with `person` their person key too (past the retention nothing tells who came);
 *  - forget_delivered_names: blank name, email and badge of check-ins made before their
 *    session's delivery (the person key stays: a late second check-in is still refused).
 */
int store_checkin_forget_names(struct store *st, int64_t before_ms, bool person);
int store_checkin_forget_delivered_names(struct store *st);

/* --- past sessions: what the room's screen shows of its recordings (store_sessions.c) --- */

/*
 * A recording as one session of the room. Its check-in session is the recording's occurrence
 * key ("UID@START"), or "adhoc:<uid>" for one recorded by hand (the checkins table's
 * session_key). Several recordings of one occurrence (stopped and started again) are one
 * session given, each still listed as a recording.
 */
struct store_session {
	int64_t id;
	char uid[48];
	char title[256];
	char presenter[128];
	char tags[256];              /* comma-separated */
	char link[1024];             /* where people watch it once delivered; "" for none */
	int64_t started_ms;
	int checkins;                /* check-ins of its session; -1: check-in was not held */
};

/* Call `fn` for each delivered recording (state uploaded), most recent first; stops early when
 * `fn` returns non-zero. `fn` must not write through `st` (the rows are read as it goes). */
typedef int (*store_session_fn)(const struct store_session *s, void *user);
lt_err store_sessions_each(struct store *st, store_session_fn fn, void *user);

/* A number that changes when the delivered recordings do (one more or less, a title,
 * presenter or tags of another length, a new delivery), not with the rest of the store (an
 * upload's progress): whether a copy of them is stale. An edit that keeps every length goes
 * unseen. 0 on error. */
uint64_t store_sessions_signature(struct store *st);

/* The same for the latest `max` of them only (the home screen's), read without a pass over
 * all. */
lt_err store_sessions_latest(struct store *st, int max, store_session_fn fn, void *user);

/* Recording `id` as a session, whatever its state (the thank-you after a stop). */
lt_err store_session_get(struct store *st, int64_t id, struct store_session *out);

struct store_presenter {
	char name[128];
	int sessions;                /* sessions given (occurrences, not recordings) */
	int64_t last_ms;             /* start of the latest */
};

/* How two presenters' names are told apart: `in` folded into `out` (n bytes, terminated);
 * names that fold alike are one person. The check-in layer's roster_fold (case, accents, white
 * space), given by the caller: the store does not know names. */
typedef void (*store_fold_fn)(const char *in, char *out, size_t n);

/*
 * Presenters of the sessions recorded from `since_ms` to `until_ms` (unix ms, inclusive), the
 * one who presented last first, at most `max` into `out`: the count of each, names compared
 * as `fold` makes them (NULL: without ASCII case) and given as the latest recording spells
 * them. A recording that failed without audio counts for nothing. Returns how many
 * were written, -1 on error; *total (may be NULL) receives all presenters' sessions and
 * *presenters all presenters, also beyond `max`.
 */
int store_presenters(struct store *st, store_fold_fn fold, int64_t since_ms, int64_t until_ms,
		     struct store_presenter *out, int max, int *total, int *presenters);

/* Sessions `presenter` gave from `since_ms` to `until_ms` by the same rule; -1 on error. */
int store_presenter_sessions(struct store *st, store_fold_fn fold, const char *presenter,
			     int64_t since_ms, int64_t until_ms);

#endif
