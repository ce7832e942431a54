/*
 * store_sessions.c — the room's past sessions and their presenters, as the screen shows them
 * (store.h, "past sessions"). Read only: the recordings table is store.c's, check-ins are
 * counted from the checkins table by their session key.
 */
#include <sqlite3.h>
#include <string.h>

#include "lectern/store.h"
#include "store_impl.h"

/* The check-in session a recording belongs to (store.h's rule). */
#define SESSION_KEY ST_SESSION_KEY("r.")

#define SESSION_COLUMNS                                                                        \
	"r.id, r.uid, r.title, r.presenter, r.tags, r.link, r.started_ms, "                    \
	"(SELECT COUNT(*) FROM checkins c WHERE c.session_key = " SESSION_KEY "), "            \
	"EXISTS (SELECT 1 FROM checkin_sessions k WHERE k.key = " SESSION_KEY ")"

/* A recording "gave" a session unless it failed without audio (it never started). */
#define GIVEN "(r.state != 'failed' OR r.bytes > 0)"

static void row_to_session(sqlite3_stmt *s, struct store_session *out)
{
	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(s, 0);
	st_copy_text(out->uid, sizeof out->uid, s, 1);
	st_copy_text(out->title, sizeof out->title, s, 2);
	st_copy_text(out->presenter, sizeof out->presenter, s, 3);
	st_copy_text(out->tags, sizeof out->tags, s, 4);
	st_copy_text(out->link, sizeof out->link, s, 5);
	out->started_ms = sqlite3_column_int64(s, 6);
	int count = sqlite3_column_int(s, 7);
	out->checkins = count > 0 || sqlite3_column_int(s, 8) ? count : -1;
}

/* st_each's row reader: the row as a store_session, to the caller's function. */
struct session_visit {
	store_session_fn fn;
	void *user;
};

static int visit_session(sqlite3_stmt *s, void *ctx)
{
	struct session_visit *v = ctx;
	struct store_session one;
	row_to_session(s, &one);
	return v->fn(&one, v->user);
}

lt_err store_sessions_each(struct store *st, store_session_fn fn, void *user)
{
	sqlite3_stmt *s = NULL;
	lt_err err = st_row(st, &s, "listing past sessions",
			    "SELECT " SESSION_COLUMNS " FROM recordings r WHERE r.state = 'uploaded' "
			    "ORDER BY r.started_ms DESC, r.id DESC", "");
	struct session_visit v = {fn, user};
	return st_each(st, s, err, "listing past sessions", visit_session, &v);
}

uint64_t store_sessions_signature(struct store *st)
{
	sqlite3_stmt *s;
	/* Over the state's index and the rows' text lengths: a few ms where folding them all
	 * again took tens. */
	if (st_row(st, &s, "summing up past sessions",
		   "SELECT count(*), total(id), total(length(title)), total(length(presenter)), "
		   "total(length(tags)), max(uploaded_ms) FROM recordings WHERE state = 'uploaded'",
		   "") != LT_OK)
		return 0;
	uint64_t h = 1469598103934665603ull; /* FNV-1a over the six numbers */
	for (int i = 0; i < 6; i++) {
		uint64_t v = (uint64_t)sqlite3_column_int64(s, i);
		for (int b = 0; b < 8; b++) {
			h ^= (v >> (8 * b)) & 0xff;
			h *= 1099511628211ull;
		}
	}
	sqlite3_finalize(s);
	return h ? h : 1;
}

lt_err store_sessions_latest(struct store *st, int max, store_session_fn fn, void *user)
{
	sqlite3_stmt *s = NULL;
	/* The ids first (the state's index, two columns sorted), then the few rows whole: a
	 * sort of every delivered row with its text and check-in counts took tens of ms at
	 * thousands of recordings, on each change of the store while the home screen shows. */
	lt_err err = st_row(st, &s, "listing the latest sessions",
			    "SELECT " SESSION_COLUMNS " FROM recordings r WHERE r.id IN "
			    "(SELECT id FROM recordings WHERE state = 'uploaded' "
			    "ORDER BY started_ms DESC, id DESC LIMIT ?) "
			    "ORDER BY r.started_ms DESC, r.id DESC", "i", (int64_t)max);
	struct session_visit v = {fn, user};
	return st_each(st, s, err, "listing the latest sessions", visit_session, &v);
}

lt_err store_session_get(struct store *st, int64_t id, struct store_session *out)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading a session",
			    "SELECT " SESSION_COLUMNS " FROM recordings r WHERE r.id = ?", "i", id);
	if (err != LT_OK)
		return err;
	row_to_session(s, out);
	sqlite3_finalize(s);
	return LT_OK;
}

/* SQL's name_key(text): the caller's fold of a name, or lower() of its ASCII letters. */
struct name_fold {
	store_fold_fn fold;
};

static void name_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const struct name_fold *nf = sqlite3_user_data(ctx);
	const char *in = (const char *)sqlite3_value_text(argv[0]);
	size_t len = in ? strlen(in) : 0;
	size_t n = 3 * len + 1; /* folding may grow a name (ß → ss) */
	char *out = sqlite3_malloc64(n);
	if (!out) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (nf->fold) {
		nf->fold(in ? in : "", out, n);
	} else {
		for (size_t i = 0; i <= len; i++)
			out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i]);
	}
	sqlite3_result_text(ctx, out, -1, sqlite3_free);
}

/* name_key() on this connection, folding with `fold`. */
static lt_err use_fold(struct store *st, store_fold_fn fold)
{
	struct name_fold *nf = sqlite3_malloc(sizeof *nf);
	if (!nf)
		return LT_ERR_NOMEM;
	nf->fold = fold;
	if (sqlite3_create_function_v2(st->db, "name_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				       nf, name_key, NULL, NULL, sqlite3_free) != SQLITE_OK)
		return st_fail(st, "registering name_key");
	return LT_OK;
}

int store_presenters(struct store *st, store_fold_fn fold, int64_t since_ms, int64_t until_ms,
		     struct store_presenter *out, int max, int *total, int *presenters)
{
	sqlite3_stmt *s;
	int n = 0, all = 0, people = 0;
	if (use_fold(st, fold) != LT_OK)
		return -1;
	lt_err err = st_row(st, &s, "counting presenters",
			    /* The name as its latest recording spells it: SQLite takes a bare
			     * column from the row of the one max(). */
			    "SELECT r.presenter, COUNT(DISTINCT " SESSION_KEY "), "
			    "MAX(r.started_ms) AS last FROM recordings r "
			    "WHERE r.presenter != '' AND r.started_ms BETWEEN ? AND ? AND " GIVEN " "
			    "GROUP BY name_key(r.presenter) ORDER BY last DESC",
			    "ii", since_ms, until_ms);
	if (err == LT_OK) {
		int rc = SQLITE_ROW;
		for (; rc == SQLITE_ROW; rc = sqlite3_step(s)) {
			int sessions = sqlite3_column_int(s, 1);
			all += sessions;
			people++;
			if (n >= max)
				continue;
			st_copy_text(out[n].name, sizeof out[n].name, s, 0);
			out[n].sessions = sessions;
			out[n].last_ms = sqlite3_column_int64(s, 2);
			n++;
		}
		if (rc != SQLITE_DONE)
			err = st_fail(st, "counting presenters");
		sqlite3_finalize(s);
	}
	if (err != LT_OK && err != LT_ERR_NOT_FOUND)
		return -1;
	if (total)
		*total = all;
	if (presenters)
		*presenters = people;
	return n;
}

int store_presenter_sessions(struct store *st, store_fold_fn fold, const char *presenter,
			     int64_t since_ms, int64_t until_ms)
{
	sqlite3_stmt *s;
	if (use_fold(st, fold) != LT_OK)
		return -1;
	if (st_row(st, &s, "counting a presenter's sessions",
		   "SELECT COUNT(DISTINCT " SESSION_KEY ") FROM recordings r "
		   "WHERE name_key(r.presenter) = name_key(?) AND r.started_ms BETWEEN ? AND ? AND "
		   GIVEN, "tii", presenter, since_ms, until_ms) != LT_OK)
		return -1;
	int n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}
