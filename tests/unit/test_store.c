/*
 * test_store.c — the SQLite store on a fresh file per test: schema migrations, recordings and
 * their compare-and-set state machine, listing, persistence, WAL and UTF-8.
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include <sqlite3.h>

#include "lectern/log.h"
#include "lectern/store.h"

struct ctx {
	char dir[64];
	char db[PATH_MAX];
	struct store *st;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	if (!tu_temp_dir(c->dir, sizeof c->dir, "store") ||
	    !tu_store_open(c->dir, c->db, sizeof c->db, &c->st)) {
		free(c);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	store_close(c->st);
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

static void reopen(struct ctx *c)
{
	store_close(c->st);
	c->st = NULL;
	assert_int_equal(store_open(c->db, &c->st), LT_OK);
}

static int64_t create(struct ctx *c, const char *title, int64_t started_ms)
{
	struct recording r;
	memset(&r, 0, sizeof r);
	snprintf(r.path, sizeof r.path, "%s/%s.opus", c->dir, title);
	snprintf(r.title, sizeof r.title, "%s", title);
	snprintf(r.presenter, sizeof r.presenter, "Presenter of %s", title);
	snprintf(r.room, sizeof r.room, "Room 1");
	r.started_ms = started_ms;
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_true(r.id > 0);
	return r.id;
}

static enum rec_state state_of(struct ctx *c, int64_t id)
{
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	return r.state;
}

/* A second, independent connection (as another process would see the file). */
static sqlite3 *peek_open(struct ctx *c)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(c->db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	return db;
}

static void peek_text(sqlite3 *db, const char *sql, int64_t arg, char *out, size_t n)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	const unsigned char *t = sqlite3_column_text(s, 0);
	snprintf(out, n, "%s", t ? (const char *)t : "(null)");
	sqlite3_finalize(s);
}

/* Schema ------------------------------------------------------------------------------------ */

/*
 * Open `path` with stderr captured and count the store's "schema migrated to version N" log
 * lines; they must be numbered 1, 2, ... (from `first`). That count is the number of
 * migrations the open ran, which the schema version must then equal.
 */
static int open_counting_migrations(const char *dir, const char *path, int first,
				    struct store **st)
{
	char logpath[PATH_MAX];
	snprintf(logpath, sizeof logpath, "%s/stderr.log", dir);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	enum log_level lvl = log_get_level();
	log_set_level(LOG_LVL_INFO);
	lt_err err = store_open(path, st);
	log_set_level(lvl);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(err, LT_OK);

	FILE *f = fopen(logpath, "r");
	assert_non_null(f);
	char line[512];
	int count = 0;
	while (fgets(line, sizeof line, f)) {
		const char *m = strstr(line, "schema migrated to version ");
		if (!m)
			continue;
		int v = atoi(m + strlen("schema migrated to version "));
		assert_int_equal(v, first + count);
		count++;
	}
	fclose(f);
	unlink(logpath);
	return count;
}

static void test_schema_version_after_open_and_reopen(void **state)
{
	struct ctx *c = *state;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/fresh.db", c->dir);
	struct store *st = NULL;
	int migrations = open_counting_migrations(c->dir, path, 1, &st);
	assert_true(migrations >= 1);
	assert_int_equal(store_schema_version(st), migrations);
	/* The same as the store every other test uses. */
	assert_int_equal(store_schema_version(c->st), migrations);
	store_close(st);
	/* Reopen: nothing to migrate, same version, and the tables work. */
	assert_int_equal(open_counting_migrations(c->dir, path, migrations + 1, &st), 0);
	assert_int_equal(store_schema_version(st), migrations);
	struct recording r;
	memset(&r, 0, sizeof r);
	assert_int_equal(store_recording_create(st, &r), LT_OK);
	store_close(st);
	assert_int_equal(open_counting_migrations(c->dir, path, migrations + 1, &st), 0);
	assert_int_equal(store_schema_version(st), migrations);
	struct recording g;
	assert_int_equal(store_recording_get(st, r.id, &g), LT_OK);
	assert_int_equal(g.state, REC_RECORDING);
	store_close(st);
}

static void test_newer_schema_is_refused(void **state)
{
	struct ctx *c = *state;
	int version = store_schema_version(c->st);
	assert_true(version >= 1);
	store_close(c->st);
	c->st = NULL;
	sqlite3 *db = peek_open(c);
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct store *st = NULL;
	/* Damage as far as this lectern can tell: the data directory's owner sets it aside. */
	assert_int_equal(store_open(c->db, &st), LT_ERR_CORRUPT);
	assert_null(st);
	/* Put it back so that teardown has a store to close. */
	db = peek_open(c);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	reopen(c);
}

static void test_journal_mode_is_wal(void **state)
{
	struct ctx *c = *state;
	create(c, "wal", 0);
	sqlite3 *db = peek_open(c);
	char mode[32];
	peek_text(db, "PRAGMA journal_mode", 0, mode, sizeof mode);
	sqlite3_close(db);
	assert_string_equal(mode, "wal");
}

static unsigned mode_of(const char *path)
{
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	return (unsigned)sb.st_mode & 07777;
}

/*
 * The database holds attendees' names and e-mail addresses: it, its WAL and its SHM are the
 * service user's alone (0600) whatever the umask, and an older lectern's 0644 files are
 * corrected at the next open.
 */
static void test_files_are_private(void **state)
{
	struct ctx *c = *state;
	char path[PATH_MAX], wal[PATH_MAX + 8], shm[PATH_MAX + 8];
	snprintf(path, sizeof path, "%s/private.db", c->dir);
	snprintf(wal, sizeof wal, "%s-wal", path);
	snprintf(shm, sizeof shm, "%s-shm", path);
	mode_t old = umask(022);
	struct store *st = NULL;
	assert_int_equal(store_open(path, &st), LT_OK);
	struct recording r;
	memset(&r, 0, sizeof r);
	assert_int_equal(store_recording_create(st, &r), LT_OK);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(shm), 0600);
	/* As an older lectern left them (kept open, so that the WAL and SHM stay). */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chmod(wal, 0644), 0);
	assert_int_equal(chmod(shm, 0644), 0);
	struct store *again = NULL;
	assert_int_equal(store_open(path, &again), LT_OK);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(shm), 0600);
	store_close(again);
	store_close(st);
	umask(old);
}

/* Device state survives a restart; a key never set is "not found", not an error. */
static void test_kv(void **state)
{
	struct ctx *c = *state;
	char v[32] = "x";
	assert_int_equal(store_kv_get(c->st, "pin.failures", v, sizeof v), LT_ERR_NOT_FOUND);
	assert_string_equal(v, "x");
	assert_int_equal(store_kv_set(c->st, "pin.failures", "2"), LT_OK);
	assert_int_equal(store_kv_set(c->st, "pin.failures", "3"), LT_OK);
	reopen(c);
	assert_int_equal(store_kv_get(c->st, "pin.failures", v, sizeof v), LT_OK);
	assert_string_equal(v, "3");
}

/* Recordings -------------------------------------------------------------------------------- */

static void test_create(void **state)
{
	struct ctx *c = *state;
	struct recording r;
	memset(&r, 0, sizeof r);
	snprintf(r.path, sizeof r.path, "/spool/a.opus");
	snprintf(r.title, sizeof r.title, "Weekly");
	snprintf(r.presenter, sizeof r.presenter, "Ada");
	snprintf(r.room, sizeof r.room, "Room 7");
	r.state = REC_UPLOADED; /* ignored: a new recording is always `recording` */
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_true(r.id > 0);
	assert_int_equal(r.state, REC_RECORDING);
	assert_true(r.started_ms > 1600000000000LL); /* set to now */
	/* uid made: "YYYYMMDDTHHMMSSZ-xxxx" */
	assert_int_equal(strlen(r.uid), 21);
	assert_int_equal(r.uid[8], 'T');
	assert_int_equal(r.uid[15], 'Z');
	assert_int_equal(r.uid[16], '-');

	struct recording g;
	assert_int_equal(store_recording_get(c->st, r.id, &g), LT_OK);
	assert_int_equal(g.id, r.id);
	assert_string_equal(g.uid, r.uid);
	assert_string_equal(g.path, "/spool/a.opus");
	assert_string_equal(g.title, "Weekly");
	assert_string_equal(g.presenter, "Ada");
	assert_string_equal(g.room, "Room 7");
	assert_int_equal(g.state, REC_RECORDING);
	assert_int_equal(g.started_ms, r.started_ms);
	assert_int_equal(g.ended_ms, 0);
	assert_int_equal(g.samples, 0);
	assert_int_equal(g.bytes, 0);
	assert_string_equal(g.reason, "");
	assert_int_equal(store_recording_history_count(c->st, r.id), 1);

	/* A given uid and start time are kept; ids grow. */
	struct recording r2;
	memset(&r2, 0, sizeof r2);
	snprintf(r2.uid, sizeof r2.uid, "20261122T184400Z-3fa9");
	r2.started_ms = 1795373040000LL;
	assert_int_equal(store_recording_create(c->st, &r2), LT_OK);
	assert_true(r2.id > r.id);
	assert_int_equal(store_recording_get(c->st, r2.id, &g), LT_OK);
	assert_string_equal(g.uid, "20261122T184400Z-3fa9");
	assert_int_equal(g.started_ms, 1795373040000LL);
}

/* Made uids are the second and 16 random bits: many in one second still all get one. */
static void test_made_uids_never_collide(void **state)
{
	struct ctx *c = *state;
	for (int i = 0; i < 1500; i++) {
		struct recording r = {.started_ms = 1795373040000LL};
		snprintf(r.path, sizeof r.path, "/tmp/x%d.opus", i);
		assert_int_equal(store_recording_create(c->st, &r), LT_OK);
		assert_true(r.uid[0]);
	}
	assert_int_equal(store_recording_count(c->st), 1500);
	/* A uid given by the caller is its own: taken is an error, not a new draw. */
	struct recording dup = {.started_ms = 1795373040000LL};
	struct recording first;
	assert_int_equal(store_recording_get(c->st, 1, &first), LT_OK);
	snprintf(dup.uid, sizeof dup.uid, "%s", first.uid);
	assert_int_equal(store_recording_create(c->st, &dup), LT_ERR_STATE);
}

static void test_make_uid(void **state)
{
	(void)state;
	char a[48], b[48];
	store_make_uid(1795373040123LL, a, sizeof a); /* 2026-11-22 18:44:00.123 UTC */
	assert_int_equal(strlen(a), 21);
	assert_memory_equal(a, "20261122T184400Z-", 17);
	/* Random tails: 20 uids for the same second are not all the same. */
	int same = 0;
	for (int i = 0; i < 20; i++) {
		store_make_uid(1795373040123LL, b, sizeof b);
		same += strcmp(a, b) == 0;
	}
	assert_true(same < 20);
}

static void test_valid_transition_commits(void **state)
{
	struct ctx *c = *state;
	int64_t id = create(c, "t", 0);
	assert_int_equal(store_recording_transition(c->st, id, REC_RECORDING, REC_PAUSED, NULL),
			 LT_OK);
	assert_int_equal(state_of(c, id), REC_PAUSED);
	assert_int_equal(store_recording_history_count(c->st, id), 2);
	assert_int_equal(store_recording_transition(c->st, id, REC_PAUSED, REC_FINALIZING,
						    "maximum duration reached"),
			 LT_OK);
	struct recording g;
	assert_int_equal(store_recording_get(c->st, id, &g), LT_OK);
	assert_int_equal(g.state, REC_FINALIZING);
	assert_string_equal(g.reason, "maximum duration reached");
	assert_int_equal(store_recording_history_count(c->st, id), 3);
	/* An empty or NULL reason keeps the last one on the recording... */
	assert_int_equal(store_recording_transition(c->st, id, REC_FINALIZING, REC_QUEUED, ""),
			 LT_OK);
	assert_int_equal(store_recording_get(c->st, id, &g), LT_OK);
	assert_int_equal(g.state, REC_QUEUED);
	assert_string_equal(g.reason, "maximum duration reached");
	assert_int_equal(store_recording_history_count(c->st, id), 4);

	/* ...and every reason is in the history, committed (seen from another connection). */
	sqlite3 *db = peek_open(c);
	char text[256];
	peek_text(db,
		  "SELECT group_concat(coalesce(from_state, '-') || '>' || to_state || ':' || "
		  "reason, '|') FROM (SELECT * FROM recording_history WHERE recording_id = ? "
		  "ORDER BY id)",
		  id, text, sizeof text);
	sqlite3_close(db);
	assert_string_equal(text, "->recording:|recording>paused:|"
				  "paused>finalizing:maximum duration reached|finalizing>queued:");
}

static void test_wrong_from_changes_nothing(void **state)
{
	struct ctx *c = *state;
	int64_t id = create(c, "w", 0);
	assert_int_equal(
		store_recording_transition(c->st, id, REC_RECORDING, REC_FINALIZING, "stopped"),
		LT_OK);
	struct recording before, after;
	assert_int_equal(store_recording_get(c->st, id, &before), LT_OK);
	/* Allowed move, but the recording is not in `from`. */
	assert_int_equal(store_recording_transition(c->st, id, REC_RECORDING, REC_PAUSED, "x"),
			 LT_ERR_STATE);
	assert_int_equal(store_recording_transition(c->st, id, REC_QUEUED, REC_UPLOADING, "y"),
			 LT_ERR_STATE);
	assert_int_equal(store_recording_get(c->st, id, &after), LT_OK);
	assert_memory_equal(&before, &after, sizeof before);
	assert_int_equal(store_recording_history_count(c->st, id), 2);
	/* No transaction was left open: the next good move commits. */
	assert_int_equal(store_recording_transition(c->st, id, REC_FINALIZING, REC_QUEUED, NULL),
			 LT_OK);
	assert_int_equal(state_of(c, id), REC_QUEUED);
	assert_int_equal(store_recording_history_count(c->st, id), 3);
}

static void test_forbidden_transition(void **state)
{
	struct ctx *c = *state;
	int64_t id = create(c, "f", 0);
	struct recording before, after;
	assert_int_equal(store_recording_get(c->st, id, &before), LT_OK);
	/* In `from`, but the machine forbids the move. */
	assert_int_equal(store_recording_transition(c->st, id, REC_RECORDING, REC_UPLOADED, "no"),
			 LT_ERR_STATE);
	assert_int_equal(store_recording_transition(c->st, id, REC_RECORDING, REC_QUEUED, "no"),
			 LT_ERR_STATE);
	assert_int_equal(
		store_recording_transition(c->st, id, REC_RECORDING, REC_RECORDING, "no"),
		LT_ERR_STATE);
	assert_int_equal(store_recording_get(c->st, id, &after), LT_OK);
	assert_memory_equal(&before, &after, sizeof before);
	assert_int_equal(store_recording_history_count(c->st, id), 1);
}

static void test_unknown_id(void **state)
{
	struct ctx *c = *state;
	int64_t id = create(c, "u", 0);
	struct recording g;
	assert_int_equal(store_recording_transition(c->st, id + 100, REC_RECORDING, REC_PAUSED,
						    NULL),
			 LT_ERR_NOT_FOUND);
	assert_int_equal(store_recording_get(c->st, id + 100, &g), LT_ERR_NOT_FOUND);
	assert_int_equal(store_recording_set_result(c->st, id + 100, 1, 2, 3, NULL), LT_ERR_NOT_FOUND);
	assert_int_equal(store_recording_history_count(c->st, id + 100), 0);
	/* Nothing was written for the missing id, and the real one is untouched. */
	assert_int_equal(state_of(c, id), REC_RECORDING);
	assert_int_equal(store_recording_history_count(c->st, id), 1);
}

static void test_upload_confirm(void **state)
{
	struct ctx *c = *state;
	int64_t id = create(c, "c", 0);
	const enum rec_state path[] = {REC_RECORDING, REC_FINALIZING, REC_QUEUED, REC_UPLOADING};
	for (int i = 1; i < 4; i++)
		assert_int_equal(store_recording_transition(c->st, id, path[i - 1], path[i], NULL),
				 LT_OK);
	assert_int_equal(store_upload_note(c->st, id, 1, 99, "timed out", "", "", 0), LT_OK);
	/* Progress is written (not synced) and read back like any other column. */
	assert_int_equal(store_upload_progress(c->st, id, 4096, 512), LT_OK);
	assert_int_equal(store_upload_confirm(c->st, id, 2, "https://dav/x.opus", "ab12",
					      "https://watch/x", 1234, "delivered and confirmed"),
			 LT_OK);
	struct recording g;
	assert_int_equal(store_recording_get(c->st, id, &g), LT_OK);
	assert_int_equal(g.state, REC_UPLOADED);
	assert_int_equal(g.attempts, 2);
	assert_int_equal(g.next_attempt_ms, 0);
	assert_string_equal(g.last_error, "");
	assert_string_equal(g.remote, "https://dav/x.opus");
	assert_string_equal(g.sha256, "ab12");
	assert_string_equal(g.link, "https://watch/x");
	assert_int_equal(g.uploaded_ms, 1234);
	assert_int_equal(g.sent_bytes, 4096);
	assert_string_equal(g.reason, "delivered and confirmed");
	assert_int_equal(store_recording_history_count(c->st, id), 5);
	/* Once more: no longer uploading, so neither the note nor the move is written. */
	assert_int_equal(store_upload_confirm(c->st, id, 7, "elsewhere", "ffff", "", 99, "again"),
			 LT_ERR_STATE);
	struct recording after;
	assert_int_equal(store_recording_get(c->st, id, &after), LT_OK);
	assert_memory_equal(&g, &after, sizeof g);
	assert_int_equal(store_recording_history_count(c->st, id), 5);
	/* The rollback left no transaction open. */
	assert_int_equal(store_kv_set(c->st, "k", "v"), LT_OK);
}

static void test_set_result(void **state)
{
	struct ctx *c = *state;
	int64_t id = create(c, "r", 0);
	int64_t big = 48000LL * 3600 * 30; /* more than 2^32 samples */
	const char *sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	assert_int_equal(store_recording_set_result(c->st, id, big, 123456789012LL,
						    1795376640000LL, sha),
			 LT_OK);
	struct recording g;
	assert_int_equal(store_recording_get(c->st, id, &g), LT_OK);
	assert_int_equal(g.samples, big);
	assert_string_equal(g.sha256, sha);
	assert_int_equal(g.bytes, 123456789012LL);
	assert_int_equal(g.ended_ms, 1795376640000LL);
	assert_int_equal(g.state, REC_RECORDING); /* not a transition */
	assert_int_equal(store_recording_history_count(c->st, id), 1);
}

/* Listing ----------------------------------------------------------------------------------- */

struct listing {
	int64_t ids[16];
	enum rec_state states[16];
	int n;
	int stop_after; /* return non-zero after this many; 0: never */
};

static int collect(const struct recording *rec, void *user)
{
	struct listing *l = user;
	if (l->n < 16) {
		l->ids[l->n] = rec->id;
		l->states[l->n] = rec->state;
	}
	l->n++;
	return l->stop_after && l->n >= l->stop_after;
}

static void test_each_filters_and_orders(void **state)
{
	struct ctx *c = *state;
	int64_t base = 1795373040000LL;
	int64_t a = create(c, "a", base + 1000); /* recording */
	int64_t b = create(c, "b", base + 2000); /* -> queued */
	int64_t d = create(c, "d", base + 3000); /* -> failed */
	int64_t e = create(c, "e", base + 4000); /* -> queued */
	int64_t f = create(c, "f", base + 5000); /* -> paused */
	assert_int_equal(store_recording_transition(c->st, e, REC_RECORDING, REC_FINALIZING, NULL),
			 LT_OK);
	assert_int_equal(store_recording_transition(c->st, e, REC_FINALIZING, REC_QUEUED, NULL),
			 LT_OK);
	assert_int_equal(store_recording_transition(c->st, b, REC_RECORDING, REC_FINALIZING, NULL),
			 LT_OK);
	assert_int_equal(store_recording_transition(c->st, b, REC_FINALIZING, REC_QUEUED, NULL),
			 LT_OK);
	assert_int_equal(store_recording_transition(c->st, d, REC_RECORDING, REC_FAILED, "x"),
			 LT_OK);
	assert_int_equal(store_recording_transition(c->st, f, REC_RECORDING, REC_PAUSED, NULL),
			 LT_OK);

	/* All (mask 0), oldest first, whatever order they changed state in. */
	struct listing l = {0};
	assert_int_equal(store_recordings_each(c->st, 0, collect, &l), LT_OK);
	assert_int_equal(l.n, 5);
	int64_t all[] = {a, b, d, e, f};
	assert_memory_equal(l.ids, all, sizeof all);

	/* Queued only: b before e, even though e was queued first. */
	memset(&l, 0, sizeof l);
	assert_int_equal(store_recordings_each(c->st, REC_MASK(REC_QUEUED), collect, &l), LT_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ids[0], b);
	assert_int_equal(l.ids[1], e);
	assert_int_equal(l.states[0], REC_QUEUED);
	assert_int_equal(l.states[1], REC_QUEUED);

	/* The "interrupted" set recovery looks for. */
	memset(&l, 0, sizeof l);
	assert_int_equal(store_recordings_each(c->st,
					       REC_MASK(REC_RECORDING) | REC_MASK(REC_PAUSED) |
						       REC_MASK(REC_FINALIZING),
					       collect, &l),
			 LT_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ids[0], a);
	assert_int_equal(l.ids[1], f);

	/* A mask with no matching state calls nothing. */
	memset(&l, 0, sizeof l);
	assert_int_equal(store_recordings_each(c->st, REC_MASK(REC_UPLOADED), collect, &l),
			 LT_OK);
	assert_int_equal(l.n, 0);

	/* The newest first, as many as asked: e before b; all of a mask; a limit of one. */
	memset(&l, 0, sizeof l);
	assert_int_equal(store_recordings_latest(c->st, REC_MASK(REC_QUEUED) | REC_MASK(REC_FAILED),
						 2, collect, &l),
			 LT_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ids[0], e);
	assert_int_equal(l.ids[1], d);
	memset(&l, 0, sizeof l);
	assert_int_equal(store_recordings_latest(c->st, 0, 0, collect, &l), LT_OK);
	int64_t newest[] = {f, e, d, b, a};
	assert_int_equal(l.n, 5);
	assert_memory_equal(l.ids, newest, sizeof newest);
	memset(&l, 0, sizeof l);
	assert_int_equal(store_recordings_latest(c->st, REC_MASK(REC_PAUSED), 1, collect, &l),
			 LT_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ids[0], f);
}

static void test_each_stops_when_asked(void **state)
{
	struct ctx *c = *state;
	int64_t ids[6];
	for (int i = 0; i < 6; i++)
		ids[i] = create(c, "s", 0);
	struct listing l = {0};
	l.stop_after = 2;
	assert_int_equal(store_recordings_each(c->st, 0, collect, &l), LT_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ids[0], ids[0]);
	assert_int_equal(l.ids[1], ids[1]);
	memset(&l, 0, sizeof l);
	l.stop_after = 1;
	assert_int_equal(store_recordings_each(c->st, 0, collect, &l), LT_OK);
	assert_int_equal(l.n, 1);
}

struct mover {
	struct store *st;
	int moved;
};

/* The callback may write to the store while the listing runs. */
static int queue_it(const struct recording *rec, void *user)
{
	struct mover *m = user;
	if (store_recording_transition(m->st, rec->id, REC_RECORDING, REC_FINALIZING, NULL) ==
	    LT_OK)
		m->moved++;
	return 0;
}

static void test_each_callback_may_write(void **state)
{
	struct ctx *c = *state;
	for (int i = 0; i < 4; i++)
		create(c, "m", 0);
	struct mover m = {c->st, 0};
	assert_int_equal(store_recordings_each(c->st, REC_MASK(REC_RECORDING), queue_it, &m),
			 LT_OK);
	assert_int_equal(m.moved, 4);
	struct listing l = {0};
	assert_int_equal(store_recordings_each(c->st, REC_MASK(REC_FINALIZING), collect, &l),
			 LT_OK);
	assert_int_equal(l.n, 4);
}

/* Durability and text ----------------------------------------------------------------------- */

static void test_survives_close_and_reopen(void **state)
{
	struct ctx *c = *state;
	int64_t id = create(c, "keep", 1795373040000LL);
	assert_int_equal(store_recording_transition(c->st, id, REC_RECORDING, REC_FINALIZING,
						    "the audio source ended"),
			 LT_OK);
	assert_int_equal(store_recording_set_result(c->st, id, 96000, 4321, 1795373042000LL, NULL),
			 LT_OK);
	struct recording before, after;
	assert_int_equal(store_recording_get(c->st, id, &before), LT_OK);
	reopen(c);
	assert_int_equal(store_recording_get(c->st, id, &after), LT_OK);
	assert_memory_equal(&before, &after, sizeof before);
	assert_int_equal(after.state, REC_FINALIZING);
	assert_int_equal(after.samples, 96000);
	assert_string_equal(after.reason, "the audio source ended");
	assert_int_equal(store_recording_history_count(c->st, id), 2);
	/* And the state machine carries on from where it was. */
	assert_int_equal(store_recording_transition(c->st, id, REC_FINALIZING, REC_QUEUED, NULL),
			 LT_OK);
}

static void test_utf8_round_trip(void **state)
{
	struct ctx *c = *state;
	static const char title[] = "Вебинар 週次 — ünïcødé 🎤";
	static const char presenter[] = "Zoë Ørsted-Łukasiewicz";
	static const char room[] = "会議室 B";
	static const char reason[] = "микрофон отключён";
	struct recording r;
	memset(&r, 0, sizeof r);
	snprintf(r.title, sizeof r.title, "%s", title);
	snprintf(r.presenter, sizeof r.presenter, "%s", presenter);
	snprintf(r.room, sizeof r.room, "%s", room);
	snprintf(r.path, sizeof r.path, "/spool/Вебинар.opus");
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_RECORDING, REC_FAILED, reason),
			 LT_OK);
	reopen(c);
	struct recording g;
	assert_int_equal(store_recording_get(c->st, r.id, &g), LT_OK);
	assert_string_equal(g.title, title);
	assert_string_equal(g.presenter, presenter);
	assert_string_equal(g.room, room);
	assert_string_equal(g.path, "/spool/Вебинар.opus");
	assert_string_equal(g.reason, reason);
	/* Stored as UTF-8 text, not bytes of another encoding. */
	sqlite3 *db = peek_open(c);
	char text[256];
	peek_text(db, "SELECT typeof(title) || ':' || length(title) FROM recordings WHERE id = ?",
		  r.id, text, sizeof text);
	sqlite3_close(db);
	assert_string_equal(text, "text:22"); /* characters, not bytes */
}

int main(void)
{
	/* The store logs each transition at info; keep the test output to the results. */
	log_set_level(LOG_LVL_WARN);
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_schema_version_after_open_and_reopen),
		T(test_newer_schema_is_refused),
		T(test_journal_mode_is_wal),
		T(test_files_are_private),
		T(test_kv),
		T(test_create),
		T(test_make_uid),
		T(test_made_uids_never_collide),
		T(test_valid_transition_commits),
		T(test_wrong_from_changes_nothing),
		T(test_forbidden_transition),
		T(test_unknown_id),
		T(test_upload_confirm),
		T(test_set_result),
		T(test_each_filters_and_orders),
		T(test_each_stops_when_asked),
		T(test_each_callback_may_write),
		T(test_survives_close_and_reopen),
		T(test_utf8_round_trip),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
