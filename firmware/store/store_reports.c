/*
 * store_reports.c — attendance read for delivery and reports (reports.h): sessions as the
 * reports see them, returning attendees, sessions changed since their delivery.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/osutil.h"
#include "lectern/reports.h"
#include "store_impl.h"

/* A recording's session key, in SQL (store.h's rule), for every query below. */
#define REC_KEY ST_SESSION_KEY("")

/*
 * `sess`: every session the store knows of, with what the reports say of it. Check-in's own
 * row wins for title, presenter and date (the calendar's, kept when check-in opened); a
 * recording fills what it lacks. SQLite takes the bare columns of a min() aggregate from the
 * row holding the minimum: the first recording's title and presenter.
 */
#define SESSIONS_CTE                                                                         \
	"WITH rec AS ("                                                                      \
	"  SELECT " REC_KEY " AS key, min(started_ms) AS first_ms, title, presenter,"        \
	"         count(*) AS n FROM recordings GROUP BY 1),"                                \
	" cnt AS ("                                                                          \
	"  SELECT session_key AS key, count(*) AS n, sum(name != '') AS named,"              \
	"         max(at_ms) AS last_ms FROM checkins GROUP BY session_key),"                \
	" sess AS ("                                                                         \
	"  SELECT k.key AS key,"                                                             \
	"    coalesce(nullif(c.title, ''), r.title, '') AS title,"                           \
	"    coalesce(nullif(c.presenter, ''), r.presenter, '') AS presenter,"               \
	"    coalesce(nullif(c.start_s, 0), r.first_ms / 1000, 0) AS start_s,"               \
	"    coalesce(r.n, 0) AS recordings, c.key IS NOT NULL AS checkin,"                  \
	"    coalesce(n.n, 0) AS count, coalesce(n.named, 0) AS named,"                      \
	"    coalesce(c.delivered_ms, 0) AS delivered_ms,"                                   \
	"    coalesce(c.delivered_count, -1) AS delivered_count,"                            \
	"    coalesce(n.last_ms, 0) AS last_ms"                                              \
	"  FROM (SELECT key FROM checkin_sessions UNION SELECT key FROM rec) AS k"           \
	"  LEFT JOIN checkin_sessions AS c ON c.key = k.key"                                 \
	"  LEFT JOIN rec AS r ON r.key = k.key"                                              \
	"  LEFT JOIN cnt AS n ON n.key = k.key) "

#define SESSION_COLUMNS                                                                      \
	"SELECT key, title, presenter, start_s, recordings, checkin, count, named,"          \
	" delivered_ms, delivered_count FROM sess "

lt_err store_recording_session_key(struct store *st, int64_t id, char *key, size_t n)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading a recording's session",
			    "SELECT " REC_KEY " FROM recordings WHERE id = ?", "i", id);
	if (err != LT_OK)
		return err;
	st_copy_text(key, n, s, 0);
	sqlite3_finalize(s);
	return LT_OK;
}

static void read_session(sqlite3_stmt *s, struct report_session *out)
{
	memset(out, 0, sizeof *out);
	st_copy_text(out->key, sizeof out->key, s, 0);
	st_copy_text(out->title, sizeof out->title, s, 1);
	st_copy_text(out->presenter, sizeof out->presenter, s, 2);
	out->start_s = sqlite3_column_int64(s, 3);
	out->recordings = sqlite3_column_int(s, 4);
	out->checkin = sqlite3_column_int(s, 5) != 0;
	out->count = sqlite3_column_int(s, 6);
	out->named = sqlite3_column_int(s, 7);
	out->delivered_ms = sqlite3_column_int64(s, 8);
	out->delivered_count = sqlite3_column_int(s, 9);
}

/* st_each's row reader: the row as a report_session, to the caller's function. */
struct session_visit {
	report_session_fn fn;
	void *user;
};

static int visit_session(sqlite3_stmt *s, void *ctx)
{
	struct session_visit *v = ctx;
	struct report_session row;
	read_session(s, &row);
	return v->fn(&row, v->user);
}

lt_err store_report_sessions(struct store *st, int64_t from_s, int64_t to_s,
			     report_session_fn fn, void *user)
{
	sqlite3_stmt *s = NULL;
	lt_err err = st_row(st, &s, "reading sessions",
			    SESSIONS_CTE SESSION_COLUMNS
			    "WHERE start_s >= ? AND start_s < ? ORDER BY start_s, key",
			    "ii", from_s, to_s);
	struct session_visit v = {fn, user};
	return st_each(st, s, err, "reading sessions", visit_session, &v);
}

/*
 * One session by key, without the whole-store grouping of SESSIONS_CTE (which SQLite does not
 * narrow to one key): the uploader asks for every upload and every pass, so this one uses the
 * check-ins' index and a scan of the recordings only. Same columns, same rules.
 */
lt_err store_report_session(struct store *st, const char *key, struct report_session *out)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading a session",
			    "SELECT ?1,"
			    "  coalesce(nullif(c.title, ''), r.title, ''),"
			    "  coalesce(nullif(c.presenter, ''), r.presenter, ''),"
			    "  coalesce(nullif(c.start_s, 0), r.first_ms / 1000, 0),"
			    "  r.n, c.key IS NOT NULL,"
			    "  (SELECT count(*) FROM checkins WHERE session_key = ?1),"
			    "  (SELECT count(*) FROM checkins WHERE session_key = ?1 AND name != ''),"
			    "  coalesce(c.delivered_ms, 0), coalesce(c.delivered_count, -1)"
			    " FROM (SELECT min(started_ms) AS first_ms, title, presenter, count(*) AS n"
			    "       FROM recordings WHERE " REC_KEY " = ?1) AS r"
			    " LEFT JOIN checkin_sessions AS c ON c.key = ?1"
			    " WHERE c.key IS NOT NULL OR r.n > 0",
			    "t", key);
	if (err != LT_OK)
		return err;
	read_session(s, out);
	sqlite3_finalize(s);
	return LT_OK;
}

/* Collected first, then read one by one: the readers' statements are not nested. */
struct keys {
	char (*items)[320];
	size_t n, cap;
};

lt_err store_report_changed_since_delivery(struct store *st, report_session_fn fn, void *user)
{
	sqlite3_stmt *s;
	/* Every uploader pass asks: only check-in's own rows and the check-ins' index. */
	lt_err err = st_row(st, &s, "reading sessions changed since delivery",
			    "SELECT key FROM checkin_sessions AS c WHERE delivered_count >= 0 AND ("
			    "  delivered_count != (SELECT count(*) FROM checkins WHERE session_key = c.key)"
			    "  OR EXISTS (SELECT 1 FROM checkins"
			    "             WHERE session_key = c.key AND at_ms > c.delivered_ms))"
			    " ORDER BY start_s, key",
			    "");
	if (err == LT_ERR_NOT_FOUND)
		return LT_OK;
	if (err != LT_OK)
		return err;
	struct keys k = {0};
	int rc = SQLITE_ROW;
	for (; rc == SQLITE_ROW; rc = sqlite3_step(s)) {
		char(*more)[320] = os_grow(k.items, k.n, &k.cap, sizeof *more, 8);
		if (!more)
			break;
		k.items = more;
		st_copy_text(k.items[k.n++], sizeof k.items[0], s, 0);
	}
	sqlite3_finalize(s);
	err = rc == SQLITE_ROW || rc == SQLITE_DONE ? LT_OK
						    : st_fail(st, "reading sessions changed since delivery");
	for (size_t i = 0; err == LT_OK && i < k.n; i++) {
		struct report_session one;
		err = store_report_session(st, k.items[i], &one);
		if (err == LT_OK && fn(&one, user) != 0)
			break;
	}
	free(k.items);
	return err;
}

lt_err store_report_returning(struct store *st, int64_t from_s, int64_t to_s, int *people,
			      int *returning)
{
	sqlite3_stmt *s;
	*people = *returning = 0;
	lt_err err = st_row(st, &s, "counting returning attendees",
			    SESSIONS_CTE
			    "SELECT count(*), coalesce(sum(n >= 2), 0) FROM ("
			    "  SELECT lower(coalesce(nullif(person, ''), nullif(email, ''), name))"
			    "         AS who, count(DISTINCT session_key) AS n"
			    "  FROM checkins WHERE name != '' AND session_key IN"
			    "    (SELECT key FROM sess WHERE start_s >= ? AND start_s < ?)"
			    "  GROUP BY who)",
			    "ii", from_s, to_s);
	if (err != LT_OK)
		return err;
	*people = sqlite3_column_int(s, 0);
	*returning = sqlite3_column_int(s, 1);
	sqlite3_finalize(s);
	return LT_OK;
}
