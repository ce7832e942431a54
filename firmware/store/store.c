/*
 * store.c — SQLite store: schema migrations, recordings and their state machine.
 *
 * What must stay true: a transition is a single UPDATE ... WHERE state = from inside a
 * transaction that also appends the history row, committed with synchronous=FULL before the
 * function returns. Callers act only after LT_OK.
 */
#include "lectern/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lectern/log.h"
#include "lectern/osutil.h"
#include "store_impl.h"

static const char *const state_names[REC__COUNT] = {
	"recording", "paused", "finalizing", "queued", "uploading", "uploaded", "failed",
};

const char *rec_state_name(enum rec_state s)
{
	return (unsigned)s < REC__COUNT ? state_names[s] : "unknown";
}

int rec_state_parse(const char *name, enum rec_state *out)
{
	for (int i = 0; i < REC__COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum rec_state)i;
			return 0;
		}
	}
	return -1;
}

bool rec_state_can(enum rec_state from, enum rec_state to)
{
	/* idle -> recording <-> paused -> finalizing -> queued -> uploading -> uploaded;
	 * failed from anywhere active, and back to queued for a retry. */
	static const unsigned allowed[REC__COUNT] = {
		[REC_RECORDING] = REC_MASK(REC_PAUSED) | REC_MASK(REC_FINALIZING) |
				  REC_MASK(REC_FAILED),
		[REC_PAUSED] = REC_MASK(REC_RECORDING) | REC_MASK(REC_FINALIZING) |
			       REC_MASK(REC_FAILED),
		[REC_FINALIZING] = REC_MASK(REC_QUEUED) | REC_MASK(REC_FAILED),
		[REC_QUEUED] = REC_MASK(REC_UPLOADING) | REC_MASK(REC_FAILED),
		[REC_UPLOADING] = REC_MASK(REC_UPLOADED) | REC_MASK(REC_QUEUED) |
				  REC_MASK(REC_FAILED),
		[REC_UPLOADED] = 0,
		[REC_FAILED] = REC_MASK(REC_QUEUED),
	};
	if ((unsigned)from >= REC__COUNT || (unsigned)to >= REC__COUNT)
		return false;
	return (allowed[from] & REC_MASK(to)) != 0;
}

/* Each entry moves the schema from version i to i+1. Never edit a shipped entry. */
static const char *const migrations[] = {
	"CREATE TABLE recordings ("
	"  id INTEGER PRIMARY KEY,"
	"  uid TEXT NOT NULL UNIQUE,"
	"  path TEXT NOT NULL,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  presenter TEXT NOT NULL DEFAULT '',"
	"  room TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL,"
	"  started_ms INTEGER NOT NULL,"
	"  ended_ms INTEGER NOT NULL DEFAULT 0,"
	"  samples INTEGER NOT NULL DEFAULT 0,"
	"  bytes INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  updated_ms INTEGER NOT NULL);"
	"CREATE INDEX recordings_state ON recordings(state);"
	"CREATE TABLE recording_history ("
	"  id INTEGER PRIMARY KEY,"
	"  recording_id INTEGER NOT NULL REFERENCES recordings(id),"
	"  from_state TEXT,"
	"  to_state TEXT NOT NULL,"
	"  at_ms INTEGER NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT '');",
	/* 2: the schedule — the last good calendar and its stored occurrences; recordings
	 * remember the occurrence they belong to. */
	"CREATE TABLE calendar_cache ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  source TEXT NOT NULL,"
	"  body BLOB,"
	"  etag TEXT NOT NULL DEFAULT '',"
	"  last_modified TEXT NOT NULL DEFAULT '',"
	"  ok_ms INTEGER NOT NULL DEFAULT 0,"
	"  attempt_ms INTEGER NOT NULL DEFAULT 0,"
	"  full_ms INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE occurrences ("
	"  uid TEXT NOT NULL,"
	"  start_s INTEGER NOT NULL,"
	"  end_s INTEGER NOT NULL,"
	"  all_day INTEGER NOT NULL,"
	"  recurrence_id INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  presenter TEXT NOT NULL,"
	"  location TEXT NOT NULL,"
	"  attendees INTEGER NOT NULL,"
	"  series TEXT NOT NULL);"
	"CREATE INDEX occurrences_start ON occurrences(start_s);"
	"ALTER TABLE recordings ADD COLUMN event_key TEXT NOT NULL DEFAULT '';",
	/* 3: the upload queue lives on the recordings themselves. */
	"ALTER TABLE recordings ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE recordings ADD COLUMN next_attempt_ms INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE recordings ADD COLUMN last_error TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE recordings ADD COLUMN remote TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE recordings ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE recordings ADD COLUMN uploaded_ms INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE recordings ADD COLUMN deleted_ms INTEGER NOT NULL DEFAULT 0;",
	/* 4: what the calendar said about a scheduled recording, for the upload (Opencast). */
	"ALTER TABLE recordings ADD COLUMN series TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE recordings ADD COLUMN workflow TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE recordings ADD COLUMN workflow_config TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE recordings ADD COLUMN episode_dc TEXT NOT NULL DEFAULT '';",
	/* 5: upload progress, for lectern queue and the screen. */
	"ALTER TABLE recordings ADD COLUMN sent_bytes INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE recordings ADD COLUMN rate_bps INTEGER NOT NULL DEFAULT 0;",
	/* 6: topic tags picked on the recording screen, comma-separated. */
	"ALTER TABLE recordings ADD COLUMN tags TEXT NOT NULL DEFAULT '';",
	/* 7: small facts about the device that must survive a restart (the PIN lock-out). */
	"CREATE TABLE device_state ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* 8: check-in and what a delivered recording is known by. A session that people check in
	 * to is kept with what reports need of it (the calendar's occurrences come and go); its key
	 * is the occurrence's "UID@START", or "adhoc:<recording uid>" for a session recorded by
	 * hand. `person` tells a second check-in of the same person apart without naming them
	 * (attendance.h says how, per privacy mode); name and email stay empty unless the privacy
	 * mode is `names`. A recording's `link` is where people watch it once delivered ("" for
	 * none) and `language` the spoken language sent with it. */
	"CREATE TABLE checkin_sessions ("
	"  key TEXT PRIMARY KEY,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  presenter TEXT NOT NULL DEFAULT '',"
	"  start_s INTEGER NOT NULL,"
	"  end_s INTEGER NOT NULL DEFAULT 0,"
	"  recording_uid TEXT NOT NULL DEFAULT '',"
	"  delivered_ms INTEGER NOT NULL DEFAULT 0,"
	"  delivered_count INTEGER NOT NULL DEFAULT -1);"
	"CREATE TABLE checkins ("
	"  id INTEGER PRIMARY KEY,"
	"  session_key TEXT NOT NULL REFERENCES checkin_sessions(key),"
	"  method TEXT NOT NULL,"
	"  person TEXT NOT NULL DEFAULT '',"
	"  name TEXT NOT NULL DEFAULT '',"
	"  email TEXT NOT NULL DEFAULT '',"
	"  badge TEXT NOT NULL DEFAULT '',"
	"  at_ms INTEGER NOT NULL,"
	"  consent TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX checkins_session ON checkins(session_key);"
	"CREATE INDEX checkin_sessions_start ON checkin_sessions(start_s);"
	"ALTER TABLE recordings ADD COLUMN link TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE recordings ADD COLUMN language TEXT NOT NULL DEFAULT '';",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* The integer a PRAGMA answers, -1 when it fails. */
static int64_t pragma_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int store_schema_version(struct store *st)
{
	return (int)pragma_int(st, "PRAGMA user_version");
}

uint64_t store_change_count(struct store *st)
{
	/* data_version moves with the commits of other connections (the uploader's, the
	 * schedule's), total_changes with the rows this one changed. */
	uint64_t others = (uint64_t)pragma_int(st, "PRAGMA data_version");
	return (others << 32) + (uint64_t)sqlite3_total_changes64(st->db);
}

static lt_err migrate(struct store *st)
{
	int v = store_schema_version(st);
	if (v < 0)
		return st_fail(st, "reading schema version");
	if (v > N_MIGRATIONS) {
		/* Written by a newer lectern: this one cannot know what the rows mean. */
		log_error("store: database schema %d is newer than this lectern (%d)", v,
			  N_MIGRATIONS);
		return LT_ERR_CORRUPT;
	}
	for (; v < N_MIGRATIONS; v++) {
		char pragma[48];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", v + 1);
		if (st_exec(st, "BEGIN IMMEDIATE") != LT_OK)
			return LT_ERR_STORE;
		if (st_exec(st, migrations[v]) != LT_OK || st_exec(st, pragma) != LT_OK) {
			st_exec(st, "ROLLBACK");
			return LT_ERR_STORE;
		}
		if (st_exec(st, "COMMIT") != LT_OK)
			return LT_ERR_STORE;
		log_info("store: schema migrated to version %d", v + 1);
	}
	return LT_OK;
}

/*
 * A file in the database's place that SQLite would take for a new, empty database or cannot
 * open at all: empty (truncated to nothing) or not a regular file (e.g. a directory).
 */
static bool unusable_file(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return false; /* missing: created fresh */
	if (!S_ISREG(sb.st_mode)) {
		log_error("store: %s is not a regular file", path);
		return true;
	}
	if (sb.st_size == 0) {
		log_error("store: %s is empty", path);
		return true;
	}
	return false;
}

/* What SQLite's last error on `st` means: damage (LT_ERR_CORRUPT) or anything else. */
static lt_err classify(struct store *st, lt_err err)
{
	int code = sqlite3_errcode(st->db);
	return err == LT_ERR_STORE && (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
		       ? LT_ERR_CORRUPT
		       : err;
}

/*
 * The database holds the calendar's text (attendees' names and e-mail addresses) and who
 * presented what: only the service's user may read it (0600). SQLite creates a database 0644
 * minus the umask and gives its WAL and SHM files the database's own mode, so a new database is
 * created here 0600 before SQLite opens it, and an existing one (and WAL/SHM files an older
 * lectern left readable) is corrected by path. An existing database file is never opened here:
 * closing any descriptor of it would drop the POSIX locks another connection of this process
 * holds. Best effort: what cannot be done is left for SQLite to report.
 */
static void restrict_modes(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd >= 0) {
		if (fchmod(fd, 0600) != 0) /* the umask may have taken the owner's bits */
			log_warn("store: cannot make %s private: %s", path, strerror(errno));
		close(fd);
	}
	static const char *const files[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char file[PATH_MAX];
		struct stat sb;
		if (snprintf(file, sizeof file, "%s%s", path, files[i]) >= (int)sizeof file)
			continue;
		if (stat(file, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 07777) != 0600 &&
		    chmod(file, 0600) != 0)
			log_warn("store: cannot make %s private (chmod 0600): %s", file,
				 strerror(errno));
	}
}

lt_err store_open(const char *path, struct store **out)
{
	if (unusable_file(path))
		return LT_ERR_CORRUPT;
	struct store *st = calloc(1, sizeof *st);
	if (!st)
		return LT_ERR_NOMEM;
	restrict_modes(path);
	int rc = sqlite3_open_v2(path, &st->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		log_error("store: cannot open %s: %s", path,
			  st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		sqlite3_close(st->db);
		free(st);
		return LT_ERR_STORE;
	}
	sqlite3_busy_timeout(st->db, 5000);
	lt_err err = st_exec(st, "PRAGMA journal_mode=WAL;"
			      "PRAGMA synchronous=FULL;"
			      "PRAGMA foreign_keys=ON;");
	if (err == LT_OK)
		err = migrate(st);
	if (err != LT_OK) {
		err = classify(st, err);
		log_error("store: %s is not usable%s", path, err == LT_ERR_CORRUPT ? " (damaged)" : "");
		store_close(st);
		return err;
	}
	*out = st;
	return LT_OK;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st);
}

lt_err store_verify(struct store *st)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s, NULL) != SQLITE_OK)
		return classify(st, st_fail(st, "preparing the check"));
	int rc = sqlite3_step(s);
	lt_err err = LT_OK;
	if (rc == SQLITE_ROW) {
		const unsigned char *verdict = sqlite3_column_text(s, 0);
		if (!verdict || strcmp((const char *)verdict, "ok") != 0) {
			log_error("store: the database fails its check: %s",
				  verdict ? (const char *)verdict : "no answer");
			err = LT_ERR_CORRUPT;
		}
	} else {
		err = classify(st, st_fail(st, "checking the database"));
	}
	sqlite3_finalize(s);
	return err;
}

lt_err store_set_aside(const char *path, int64_t when_ms, char *aside, size_t n)
{
	time_t t = (time_t)(when_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	/* A second damage within the same second must not overwrite the first copy. */
	for (int i = 1;; i++) {
		int len = i == 1 ? snprintf(aside, n, "%s.damaged-%s", path, stamp)
				 : snprintf(aside, n, "%s.damaged-%s-%d", path, stamp, i);
		if (len < 0 || (size_t)len + sizeof "-shm" > n) {
			errno = ENAMETOOLONG;
			return LT_ERR_IO;
		}
		if (access(aside, F_OK) != 0)
			break;
	}
	if (rename(path, aside) != 0 && errno != ENOENT)
		return LT_ERR_IO;
	/* The WAL and its index go along: a stale WAL beside a fresh database could be replayed
	 * into it, and beside the copy it is what SQLite needs to read it. */
	static const char *const companions[] = {"-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++) {
		char from[PATH_MAX], to[PATH_MAX];
		snprintf(from, sizeof from, "%s%s", path, companions[i]);
		snprintf(to, sizeof to, "%s%s", aside, companions[i]);
		if (rename(from, to) != 0 && errno != ENOENT)
			return LT_ERR_IO;
	}
	return os_fsync_parent(path);
}

void store_make_uid(int64_t when_ms, char *buf, size_t n)
{
	time_t t = (time_t)(when_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	uint16_t rnd = 0;
	if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		rnd = (uint16_t)(when_ms ^ (int64_t)clock());
	snprintf(buf, n, "%s-%04x", stamp, rnd);
}

static lt_err add_history(struct store *st, int64_t id, const char *from, const char *to,
			  int64_t at, const char *reason)
{
	return st_run(st, "writing history",
		   "INSERT INTO recording_history(recording_id, from_state, to_state, at_ms, reason) "
		   "VALUES (?,?,?,?,?)",
		   "innit", id, from, to, at, reason);
}

/* One row with every field of `rec` in `rec->state`, `ev` (may be NULL) as its occurrence and
 * its first history entry, in one transaction. LT_ERR_STATE when the uid is taken. */
static lt_err insert_recording(struct store *st, struct recording *rec,
			       const struct store_event *ev, const char *why)
{
	int64_t now = os_now_ms();
	if (st_exec(st, "BEGIN IMMEDIATE") != LT_OK)
		return LT_ERR_STORE;
	lt_err err = LT_ERR_STORE;
	if (st_run(st, "inserting recording",
		"INSERT OR IGNORE INTO recordings(uid, path, title, presenter, room, state, "
		"started_ms, ended_ms, samples, bytes, reason, sha256, remote, uploaded_ms, "
		"deleted_ms, tags, event_key, series, workflow, workflow_config, episode_dc, "
		"updated_ms, link, language) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		"tttttt" "iiii" "ttt" "ii" "t" "ttttt" "i" "tt",
		rec->uid, rec->path, rec->title, rec->presenter, rec->room, state_names[rec->state],
		rec->started_ms, rec->ended_ms, rec->samples, rec->bytes,
		rec->reason, rec->sha256, rec->remote, rec->uploaded_ms, rec->deleted_ms, rec->tags,
		ev ? ev->key : NULL, ev ? ev->series : NULL, ev ? ev->workflow : NULL,
		ev ? ev->workflow_config : NULL, ev ? ev->episode_dc : NULL, now, rec->link,
		rec->language) != LT_OK)
		goto rollback;
	if (sqlite3_changes(st->db) != 1) {
		err = LT_ERR_STATE;
		goto rollback;
	}
	rec->id = sqlite3_last_insert_rowid(st->db);
	if (add_history(st, rec->id, NULL, state_names[rec->state], now, why) != LT_OK)
		goto rollback;
	if (st_exec(st, "COMMIT") != LT_OK)
		goto rollback;
	return LT_OK;
rollback:
	st_exec(st, "ROLLBACK");
	return err;
}

lt_err store_recording_create(struct store *st, struct recording *rec)
{
	if (!rec->started_ms)
		rec->started_ms = os_now_ms();
	rec->state = REC_RECORDING;
	if (rec->uid[0])
		return insert_recording(st, rec, NULL, "");
	/* A made uid is the second and 16 random bits: two in one second may meet (a restored
	 * spool, a test); another draw settles it. */
	lt_err err = LT_ERR_STATE;
	for (int i = 0; i < 8 && err == LT_ERR_STATE; i++) {
		store_make_uid(rec->started_ms, rec->uid, sizeof rec->uid);
		err = insert_recording(st, rec, NULL, "");
	}
	if (err != LT_OK)
		rec->uid[0] = '\0';
	return err;
}

lt_err store_recording_restore(struct store *st, struct recording *rec,
			       const struct store_event *ev, const char *why)
{
	return insert_recording(st, rec, ev, why);
}

/* The compare-and-set and its history row, inside the caller's transaction: LT_ERR_STATE when
 * the recording is not in `from`, LT_ERR_NOT_FOUND, LT_ERR_STORE. */
static lt_err transition_in_tx(struct store *st, int64_t id, enum rec_state from,
			       enum rec_state to, const char *why, int64_t now)
{
	/* The row moves only if it is still in `from`. */
	if (st_run(st, "updating state",
		   "UPDATE recordings SET state = ?, updated_ms = ?, "
		   "reason = CASE WHEN ? = '' THEN reason ELSE ? END WHERE id = ? AND state = ?",
		   "tittit", state_names[to], now, why, why, id, state_names[from]) != LT_OK)
		return LT_ERR_STORE;
	if (sqlite3_changes(st->db) != 1) {
		struct recording cur;
		return store_recording_get(st, id, &cur) == LT_OK ? LT_ERR_STATE : LT_ERR_NOT_FOUND;
	}
	return add_history(st, id, state_names[from], state_names[to], now, why);
}

/* BEGIN IMMEDIATE, the upload's confirmation (`note_sql` bound by `types` to attempts, remote,
 * sha256, link, uploaded_ms, now and id; NULL: none), the transition, COMMIT: one durable
 * commit for both. */
static lt_err transition_with(struct store *st, int64_t id, enum rec_state from,
			      enum rec_state to, const char *reason, const char *note_sql,
			      const char *types, int attempts, const char *remote,
			      const char *sha256, const char *link, int64_t uploaded_ms)
{
	if (!rec_state_can(from, to)) {
		log_error("store: recording %lld: %s -> %s is not allowed", (long long)id,
			  rec_state_name(from), rec_state_name(to));
		return LT_ERR_STATE;
	}
	int64_t now = os_now_ms();
	if (st_exec(st, "BEGIN IMMEDIATE") != LT_OK)
		return LT_ERR_STORE;
	const char *why = reason ? reason : "";
	lt_err err = LT_OK;
	if (note_sql)
		err = st_run(st, "writing upload note", note_sql, types, attempts, remote, sha256,
			     link, uploaded_ms, now, id);
	if (err == LT_OK)
		err = transition_in_tx(st, id, from, to, why, now);
	if (err == LT_OK && st_exec(st, "COMMIT") != LT_OK)
		err = LT_ERR_STORE;
	if (err != LT_OK) {
		st_exec(st, "ROLLBACK");
		return err;
	}
	log_info("recording %lld: %s -> %s%s%s", (long long)id, state_names[from], state_names[to],
		 *why ? ": " : "", why);
	return LT_OK;
}

lt_err store_recording_transition(struct store *st, int64_t id, enum rec_state from,
				  enum rec_state to, const char *reason)
{
	return transition_with(st, id, from, to, reason, NULL, NULL, 0, NULL, NULL, NULL, 0);
}

lt_err store_upload_confirm(struct store *st, int64_t id, int attempts, const char *remote,
			    const char *sha256, const char *link, int64_t uploaded_ms,
			    const char *reason)
{
	return transition_with(st, id, REC_UPLOADING, REC_UPLOADED, reason,
			       "UPDATE recordings SET attempts = ?, next_attempt_ms = 0, "
			       "last_error = '', remote = ?, sha256 = ?, link = ?, uploaded_ms = ?, "
			       "updated_ms = ? WHERE id = ?",
			       "dtttiii", attempts, remote, sha256, link, uploaded_ms);
}

lt_err store_recording_set_result(struct store *st, int64_t id, int64_t samples, int64_t bytes,
				  int64_t ended_ms, const char *sha256)
{
	lt_err err = st_run(st, "writing result",
			 "UPDATE recordings SET samples = ?, bytes = ?, ended_ms = ?, updated_ms = ?, "
			 "sha256 = ? WHERE id = ?",
			 "iiiiti", samples, bytes, ended_ms, os_now_ms(), sha256, id);
	if (err != LT_OK)
		return err;
	return sqlite3_changes(st->db) == 1 ? LT_OK : LT_ERR_NOT_FOUND;
}

#define REC_COLUMNS                                                                         \
	"id, uid, path, title, presenter, room, state, started_ms, ended_ms, samples, bytes, "   \
	"reason, attempts, next_attempt_ms, last_error, remote, sha256, uploaded_ms, deleted_ms, "  \
	"sent_bytes, rate_bps, tags, link, language"

static void row_to_recording(sqlite3_stmt *s, struct recording *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	st_copy_text(r->uid, sizeof r->uid, s, 1);
	st_copy_text(r->path, sizeof r->path, s, 2);
	st_copy_text(r->title, sizeof r->title, s, 3);
	st_copy_text(r->presenter, sizeof r->presenter, s, 4);
	st_copy_text(r->room, sizeof r->room, s, 5);
	const unsigned char *state = sqlite3_column_text(s, 6);
	if (!state || rec_state_parse((const char *)state, &r->state) != 0)
		r->state = REC_FAILED;
	r->started_ms = sqlite3_column_int64(s, 7);
	r->ended_ms = sqlite3_column_int64(s, 8);
	r->samples = sqlite3_column_int64(s, 9);
	r->bytes = sqlite3_column_int64(s, 10);
	st_copy_text(r->reason, sizeof r->reason, s, 11);
	r->attempts = sqlite3_column_int(s, 12);
	r->next_attempt_ms = sqlite3_column_int64(s, 13);
	st_copy_text(r->last_error, sizeof r->last_error, s, 14);
	st_copy_text(r->remote, sizeof r->remote, s, 15);
	st_copy_text(r->sha256, sizeof r->sha256, s, 16);
	r->uploaded_ms = sqlite3_column_int64(s, 17);
	r->deleted_ms = sqlite3_column_int64(s, 18);
	r->sent_bytes = sqlite3_column_int64(s, 19);
	r->rate_bps = sqlite3_column_int64(s, 20);
	st_copy_text(r->tags, sizeof r->tags, s, 21);
	st_copy_text(r->link, sizeof r->link, s, 22);
	st_copy_text(r->language, sizeof r->language, s, 23);
}

lt_err store_recording_get(struct store *st, int64_t id, struct recording *out)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading recording",
			 "SELECT " REC_COLUMNS " FROM recordings WHERE id = ?", "i", id);
	if (err != LT_OK)
		return err;
	row_to_recording(s, out);
	sqlite3_finalize(s);
	return LT_OK;
}

/* The recordings in `state_mask` (0: all) in id order, newest first with `newest`, at most
 * `max` of them (0: all), handed to `fn` after the statement is done with (`fn` may write). */
static lt_err each_recording(struct store *st, unsigned state_mask, bool newest, int max,
			     store_recording_fn fn, void *user)
{
	/* The filter is SQL text made of our own state names only: no input reaches it. */
	char sql[512 + sizeof REC_COLUMNS], where[256] = "";
	size_t w = 0;
	for (int i = 0; state_mask && i < REC__COUNT; i++)
		if (state_mask & REC_MASK(i))
			w += (size_t)snprintf(where + w, sizeof where - w, "%s'%s'",
					      w ? ", " : " WHERE state IN (", state_names[i]);
	if (w)
		snprintf(where + w, sizeof where - w, ")");
	snprintf(sql, sizeof sql, "SELECT " REC_COLUMNS " FROM recordings%s ORDER BY id%s LIMIT %d",
		 where, newest ? " DESC" : "", max > 0 ? max : -1);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return st_fail(st, "preparing list");
	/* Collected first so that `fn` may write to the store while we iterate. */
	struct recording *list = NULL;
	size_t n = 0, cap = 0;
	lt_err err = LT_OK;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct recording *nl = os_grow(list, n, &cap, sizeof *nl, 8);
		if (!nl) {
			err = LT_ERR_NOMEM;
			break;
		}
		list = nl;
		row_to_recording(s, &list[n++]);
	}
	if (err == LT_OK && rc != SQLITE_DONE)
		err = st_fail(st, "listing recordings");
	sqlite3_finalize(s);
	for (size_t i = 0; err == LT_OK && i < n; i++)
		if (fn(&list[i], user))
			break;
	free(list);
	return err;
}

lt_err store_recordings_each(struct store *st, unsigned state_mask, store_recording_fn fn,
			     void *user)
{
	return each_recording(st, state_mask, false, 0, fn, user);
}

lt_err store_recordings_latest(struct store *st, unsigned state_mask, int max,
			       store_recording_fn fn, void *user)
{
	return each_recording(st, state_mask, true, max, fn, user);
}

int store_recording_count(struct store *st)
{
	sqlite3_stmt *s;
	if (st_row(st, &s, "counting recordings", "SELECT count(*) FROM recordings", "") != LT_OK)
		return -1;
	int count = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return count;
}

int store_recording_history_count(struct store *st, int64_t id)
{
	sqlite3_stmt *s;
	if (st_row(st, &s, "counting history",
		"SELECT count(*) FROM recording_history WHERE recording_id = ?", "i", id) != LT_OK)
		return -1;
	int count = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return count;
}

/* --- calendar cache ----------------------------------------------------------------------- */

void store_calendar_cache_free(struct store_calendar_cache *c)
{
	free(c->body);
	c->body = NULL;
	c->len = 0;
}

lt_err store_calendar_load(struct store *st, struct store_calendar_cache *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "loading the calendar",
			 "SELECT source, body, etag, last_modified, ok_ms, attempt_ms, full_ms,"
			 " error FROM calendar_cache WHERE id = 1", "");
	if (err != LT_OK)
		return err;
	st_copy_text(out->source, sizeof out->source, s, 0);
	int len = sqlite3_column_bytes(s, 1);
	const void *body = sqlite3_column_blob(s, 1);
	if (body && len > 0) {
		out->body = malloc((size_t)len + 1);
		if (!out->body) {
			err = LT_ERR_NOMEM;
		} else {
			memcpy(out->body, body, (size_t)len);
			out->body[len] = '\0';
			out->len = (size_t)len;
		}
	}
	st_copy_text(out->etag, sizeof out->etag, s, 2);
	st_copy_text(out->last_modified, sizeof out->last_modified, s, 3);
	out->ok_ms = sqlite3_column_int64(s, 4);
	out->attempt_ms = sqlite3_column_int64(s, 5);
	out->full_ms = sqlite3_column_int64(s, 6);
	st_copy_text(out->error, sizeof out->error, s, 7);
	sqlite3_finalize(s);
	return err;
}

lt_err store_calendar_save(struct store *st, const struct store_calendar_cache *c)
{
	return st_run(st, "saving the calendar",
		   "INSERT OR REPLACE INTO calendar_cache(id, source, body, etag, last_modified, "
		   "ok_ms, attempt_ms, full_ms, error) VALUES (1,?,?,?,?,?,?,?,?)",
		   "tbttiiit", c->source, (const void *)c->body, c->len, c->etag, c->last_modified,
		   c->ok_ms, c->attempt_ms, c->full_ms, c->error);
}

lt_err store_occurrences_replace(struct store *st, const struct store_occurrence *rows, size_t n)
{
	if (st_exec(st, "BEGIN IMMEDIATE; DELETE FROM occurrences;") != LT_OK) {
		st_exec(st, "ROLLBACK");
		return LT_ERR_STORE;
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO occurrences(uid, start_s, end_s, all_day, recurrence_id,"
			       " title, presenter, location, attendees, series) "
			       "VALUES (?,?,?,?,?,?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK) {
		st_exec(st, "ROLLBACK");
		return st_fail(st, "preparing occurrences");
	}
	for (size_t i = 0; i < n; i++) {
		const struct store_occurrence *o = &rows[i];
		sqlite3_bind_text(s, 1, o->uid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, o->start);
		sqlite3_bind_int64(s, 3, o->end);
		sqlite3_bind_int(s, 4, o->all_day);
		sqlite3_bind_int64(s, 5, o->recurrence_id);
		sqlite3_bind_text(s, 6, o->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, o->presenter, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, o->location, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 9, o->attendees);
		sqlite3_bind_text(s, 10, o->series, -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(s);
			st_exec(st, "ROLLBACK");
			return st_fail(st, "storing occurrences");
		}
	}
	sqlite3_finalize(s);
	return st_exec(st, "COMMIT");
}

lt_err store_recording_set_event(struct store *st, int64_t id, const struct store_event *ev)
{
	return st_run(st, "writing event key",
		   "UPDATE recordings SET event_key = ?, series = ?, workflow = ?, "
		   "workflow_config = ?, episode_dc = ? WHERE id = ?",
		   "ttttti", ev->key, ev->series, ev->workflow,
		   ev->workflow_config, ev->episode_dc, id);
}

lt_err store_upload_retry(struct store *st, int64_t id)
{
	struct recording r;
	lt_err err = store_recording_get(st, id, &r);
	if (err == LT_OK && r.state == REC_FAILED)
		err = store_recording_transition(st, id, REC_FAILED, REC_QUEUED, "retry asked for");
	else if (err == LT_OK && r.state != REC_QUEUED)
		err = LT_ERR_STATE;
	if (err == LT_OK)
		err = store_upload_note(st, id, r.attempts, 0, r.last_error, r.remote, r.sha256,
					r.uploaded_ms);
	return err;
}

lt_err store_recording_set_tags(struct store *st, int64_t id, const char *tags)
{
	return st_run(st, "writing tags", "UPDATE recordings SET tags = ? WHERE id = ?", "ni", tags,
		   id);
}

lt_err store_recording_set_link(struct store *st, int64_t id, const char *link)
{
	lt_err err = st_run(st, "writing link", "UPDATE recordings SET link = ? WHERE id = ?", "ti",
			    link, id);
	if (err != LT_OK)
		return err;
	return sqlite3_changes(st->db) == 1 ? LT_OK : LT_ERR_NOT_FOUND;
}

int store_event_recordings(struct store *st, const char *event_key,
			   const char *const *ending_reasons)
{
	/* The reasons are matched exactly, as bound parameters: a reason nobody listed (a new
	 * failure, a crash) never counts, so the doubt falls on the side of recording again. */
	enum { MAX_REASONS = 16 };
	size_t n_reasons = 0;
	while (ending_reasons && ending_reasons[n_reasons])
		n_reasons++;
	if (ending_reasons && (n_reasons == 0 || n_reasons > MAX_REASONS))
		return -1;
	/* Driven by one pass over the history, each recording found by its id. */
	char sql[320 + 2 * MAX_REASONS] = "SELECT count(DISTINCT r.id) FROM recordings r";
	if (n_reasons) {
		strcat(sql, " JOIN recording_history h ON h.recording_id = r.id AND "
			    "h.to_state = 'finalizing' AND h.reason IN (?");
		for (size_t i = 1; i < n_reasons; i++)
			strcat(sql, ",?");
		strcat(sql, ")");
	}
	strcat(sql, " WHERE r.event_key = ?");
	sqlite3_stmt *s;
	int n = -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < n_reasons; i++)
		sqlite3_bind_text(s, (int)i + 1, ending_reasons[i], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, (int)n_reasons + 1, event_key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* --- upload queue --------------------------------------------------------------------------- */

lt_err store_upload_next(struct store *st, int64_t now_ms, bool ignore_backoff,
			 struct recording *out)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading the queue",
			 "SELECT " REC_COLUMNS " FROM recordings WHERE state = 'queued' AND "
			 "(? OR next_attempt_ms <= ?) ORDER BY id LIMIT 1",
			 "di", (int)ignore_backoff, now_ms);
	if (err != LT_OK)
		return err;
	row_to_recording(s, out);
	sqlite3_finalize(s);
	return LT_OK;
}

lt_err store_upload_note(struct store *st, int64_t id, int attempts, int64_t next_attempt_ms,
			 const char *last_error, const char *remote, const char *sha256,
			 int64_t uploaded_ms)
{
	return st_run(st, "writing upload note",
		   "UPDATE recordings SET attempts = ?, next_attempt_ms = ?, last_error = ?, "
		   "remote = ?, sha256 = ?, uploaded_ms = ?, updated_ms = ? WHERE id = ?",
		   "ditttiii", attempts, next_attempt_ms, last_error, remote, sha256, uploaded_ms,
		   os_now_ms(), id);
}

lt_err store_recording_mark_deleted(struct store *st, int64_t id, int64_t when_ms)
{
	return st_run(st, "marking deletion", "UPDATE recordings SET deleted_ms = ? WHERE id = ?",
		   "ii", when_ms, id);
}

lt_err store_recording_get_event(struct store *st, int64_t id, char **series, char **workflow,
				 char **workflow_config, char **episode_dc)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading event metadata",
			 "SELECT series, workflow, workflow_config, episode_dc FROM recordings "
			 "WHERE id = ?",
			 "i", id);
	if (err != LT_OK)
		return err;
	char **out[] = {series, workflow, workflow_config, episode_dc};
	for (int i = 0; i < 4; i++) {
		const unsigned char *t = sqlite3_column_text(s, i);
		*out[i] = strdup(t ? (const char *)t : "");
		if (!*out[i])
			err = LT_ERR_NOMEM;
	}
	sqlite3_finalize(s);
	return err;
}

lt_err store_recording_event_key(struct store *st, int64_t id, char *key, size_t n)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading event key", "SELECT event_key FROM recordings WHERE id = ?",
			 "i", id);
	if (err != LT_OK)
		return err;
	st_copy_text(key, n, s, 0);
	sqlite3_finalize(s);
	return LT_OK;
}

lt_err store_upload_progress(struct store *st, int64_t id, int64_t sent_bytes, int64_t rate_bps)
{
	/* Progress is for people watching, not for recovery: its commit is not synced (the next
	 * durable commit syncs the WAL with it; a power cut loses at most a progress figure), so
	 * that a second's note costs the upload no disk flush. */
	if (st_exec(st, "PRAGMA synchronous=OFF") != LT_OK)
		return LT_ERR_STORE;
	lt_err err = st_run(st, "writing progress",
			    "UPDATE recordings SET sent_bytes = ?, rate_bps = ? WHERE id = ?",
			    "iii", sent_bytes, rate_bps, id);
	if (st_exec(st, "PRAGMA synchronous=FULL") != LT_OK)
		return LT_ERR_STORE;
	return err;
}

/* The cached calendar's last good fetch, and its source or its error (NULL: not wanted). */
static lt_err calendar_row(struct store *st, int64_t *ok_ms, char *source, size_t source_n,
			   char *error, size_t error_n)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading the calendar's stamp",
			 "SELECT ok_ms, source, error FROM calendar_cache WHERE id = 1", "");
	if (err != LT_OK)
		return err;
	*ok_ms = sqlite3_column_int64(s, 0);
	if (source)
		st_copy_text(source, source_n, s, 1);
	if (error)
		st_copy_text(error, error_n, s, 2);
	sqlite3_finalize(s);
	return LT_OK;
}

lt_err store_calendar_stamp(struct store *st, int64_t *ok_ms, char *error, size_t n)
{
	return calendar_row(st, ok_ms, NULL, 0, error, n);
}

lt_err store_kv_get(struct store *st, const char *key, char *value, size_t n)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading device state",
			 "SELECT value FROM device_state WHERE key = ?", "n", key);
	if (err != LT_OK)
		return err;
	st_copy_text(value, n, s, 0);
	sqlite3_finalize(s);
	return LT_OK;
}

lt_err store_kv_set(struct store *st, const char *key, const char *value)
{
	return st_run(st, "writing device state",
		   "INSERT OR REPLACE INTO device_state(key, value) VALUES (?, ?)", "nn", key, value);
}

lt_err store_recording_forget(struct store *st, int64_t id)
{
	if (st_exec(st, "BEGIN IMMEDIATE") != LT_OK)
		return LT_ERR_STORE;
	static const char *const sql[] = {"DELETE FROM recording_history WHERE recording_id = ?",
					  "DELETE FROM recordings WHERE id = ?"};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		if (st_run(st, "forgetting a recording", sql[i], "i", id) != LT_OK) {
			st_exec(st, "ROLLBACK");
			return LT_ERR_STORE;
		}
	}
	return st_exec(st, "COMMIT");
}

lt_err store_calendar_forget(struct store *st)
{
	if (st_exec(st, "BEGIN IMMEDIATE; DELETE FROM occurrences; DELETE FROM calendar_cache;") !=
	    LT_OK) {
		st_exec(st, "ROLLBACK");
		return LT_ERR_STORE;
	}
	return st_exec(st, "COMMIT");
}

lt_err store_calendar_origin(struct store *st, char *source, size_t n, int64_t *ok_ms)
{
	return calendar_row(st, ok_ms, source, n, NULL, 0);
}

int64_t store_recording_entered(struct store *st, int64_t id, enum rec_state state)
{
	sqlite3_stmt *s;
	if (st_row(st, &s, "reading history",
		"SELECT coalesce(max(at_ms), 0) FROM recording_history"
		" WHERE recording_id = ? AND to_state = ?",
		"it", id, rec_state_name(state)) != LT_OK)
		return -1;
	int64_t at = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return at;
}

/* --- relative paths an older `record --out` stored ---------------------------------------- */

struct repair {
	struct store *st;
	const char *spool_dir;
	int count;
};

static int repair_one(const struct recording *rec, void *user)
{
	struct repair *r = user;
	if (rec->path[0] == '/')
		return 0;
	const char *slash = strrchr(rec->path, '/');
	char in_spool[PATH_MAX];
	struct stat sb;
	if (snprintf(in_spool, sizeof in_spool, "%s/%s", r->spool_dir,
		     slash ? slash + 1 : rec->path) < (int)sizeof in_spool &&
	    stat(in_spool, &sb) == 0 && S_ISREG(sb.st_mode)) {
		if (st_run(r->st, "repairing a path", "UPDATE recordings SET path = ? WHERE id = ?",
			"ni", in_spool, rec->id) == LT_OK) {
			log_info("store: recording %lld: relative path %s found in the spool as %s",
				 (long long)rec->id, rec->path, in_spool);
			r->count++;
		}
		return 0;
	}
	if (rec->state != REC_QUEUED && rec->state != REC_UPLOADING)
		return 0; /* nothing waits on it */
	char why[2 * PATH_MAX + 160];
	snprintf(why, sizeof why, "its file was stored by the relative path %s, which cannot be "
		 "found from here: move it into the spool %s, then `lectern retry %lld`", rec->path,
		 r->spool_dir, (long long)rec->id);
	if (store_recording_transition(r->st, rec->id, rec->state, REC_FAILED, why) == LT_OK) {
		log_error("store: recording %lld: %s", (long long)rec->id, why);
		r->count++;
	}
	return 0;
}

int store_repair_paths(struct store *st, const char *spool_dir)
{
	char real[PATH_MAX]; /* so that a repaired path is absolute whatever the configuration */
	struct repair r = {st, realpath(spool_dir, real) ? real : spool_dir, 0};
	store_recordings_each(st, 0, repair_one, &r);
	return r.count;
}
