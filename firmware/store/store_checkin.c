/*
 * store_checkin.c — the check-in tables (schema 8): sessions people check in to and their
 * check-ins. What goes into them (which columns may hold a name) is attendance.h's decision;
 * this file only keeps rows — and, through checkinlog.h, their second copy in the spool: every
 * change of a row is journalled here, so that no caller can forget it.
 */
#include <sqlite3.h>
#include <string.h>

#include "lectern/checkinlog.h"
#include "lectern/store.h"
#include "store_impl.h"

#define SESSION_COLS "key, title, presenter, start_s, end_s, recording_uid, delivered_ms, " \
		     "delivered_count"
#define CHECKIN_COLS "id, session_key, method, person, name, email, badge, at_ms, consent"

static void session_from_row(sqlite3_stmt *s, struct store_checkin_session *out)
{
	st_copy_text(out->key, sizeof out->key, s, 0);
	st_copy_text(out->title, sizeof out->title, s, 1);
	st_copy_text(out->presenter, sizeof out->presenter, s, 2);
	out->start_s = sqlite3_column_int64(s, 3);
	out->end_s = sqlite3_column_int64(s, 4);
	st_copy_text(out->recording_uid, sizeof out->recording_uid, s, 5);
	out->delivered_ms = sqlite3_column_int64(s, 6);
	out->delivered_count = sqlite3_column_int(s, 7);
}

static void checkin_from_row(sqlite3_stmt *s, struct store_checkin *out)
{
	out->id = sqlite3_column_int64(s, 0);
	st_copy_text(out->session_key, sizeof out->session_key, s, 1);
	st_copy_text(out->method, sizeof out->method, s, 2);
	st_copy_text(out->person, sizeof out->person, s, 3);
	st_copy_text(out->name, sizeof out->name, s, 4);
	st_copy_text(out->email, sizeof out->email, s, 5);
	st_copy_text(out->badge, sizeof out->badge, s, 6);
	out->at_ms = sqlite3_column_int64(s, 7);
	st_copy_text(out->consent, sizeof out->consent, s, 8);
}

/* st_each's row readers: the row as its struct, to the caller's function. */
struct session_visit {
	store_checkin_session_fn fn;
	void *user;
};

static int visit_session(sqlite3_stmt *s, void *ctx)
{
	struct session_visit *v = ctx;
	struct store_checkin_session row;
	session_from_row(s, &row);
	return v->fn(&row, v->user);
}

struct checkin_visit {
	store_checkin_fn fn;
	void *user;
};

static int visit_checkin(sqlite3_stmt *s, void *ctx)
{
	struct checkin_visit *v = ctx;
	struct store_checkin row;
	checkin_from_row(s, &row);
	return v->fn(&row, v->user);
}

static bool same_session(const struct store_checkin_session *a,
			 const struct store_checkin_session *b)
{
	return strcmp(a->title, b->title) == 0 && strcmp(a->presenter, b->presenter) == 0 &&
	       a->start_s == b->start_s && a->end_s == b->end_s &&
	       strcmp(a->recording_uid, b->recording_uid) == 0;
}

lt_err store_checkin_session_put(struct store *st, const struct store_checkin_session *c)
{
	/* One statement: a snapshot taken later (the recording's uid, a corrected end) completes
	 * the row without undoing its delivery. */
	struct store_checkin_session before, after;
	bool had = store_checkin_session_get(st, c->key, &before) == LT_OK;
	lt_err err = st_run(st, "storing a check-in session",
		      "INSERT INTO checkin_sessions(key, title, presenter, start_s, end_s, "
		      "recording_uid) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
		      "ON CONFLICT(key) DO UPDATE SET "
		      "title = CASE WHEN ?2 <> '' THEN ?2 ELSE title END, "
		      "presenter = CASE WHEN ?3 <> '' THEN ?3 ELSE presenter END, "
		      "end_s = CASE WHEN ?5 <> 0 THEN ?5 ELSE end_s END, "
		      "recording_uid = CASE WHEN ?6 <> '' THEN ?6 ELSE recording_uid END",
		      "tttiit", c->key, c->title, c->presenter, c->start_s, c->end_s,
		      c->recording_uid);
	/* Called again and again by the screen: journalled only when the row changed. */
	if (err == LT_OK && store_checkin_session_get(st, c->key, &after) == LT_OK &&
	    (!had || !same_session(&before, &after)))
		checkinlog_session(&after);
	return err;
}

lt_err store_checkin_session_get(struct store *st, const char *key,
				 struct store_checkin_session *out)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading a check-in session",
			    "SELECT " SESSION_COLS " FROM checkin_sessions WHERE key = ?", "t", key);
	if (err != LT_OK)
		return err;
	session_from_row(s, out);
	sqlite3_finalize(s);
	return LT_OK;
}

lt_err store_checkin_sessions_each(struct store *st, int64_t from_s, int64_t to_s,
				   store_checkin_session_fn fn, void *user)
{
	sqlite3_stmt *s = NULL;
	lt_err err = st_row(st, &s, "listing check-in sessions",
			    "SELECT " SESSION_COLS " FROM checkin_sessions WHERE start_s >= ? AND "
			    "(? = 0 OR start_s < ?) ORDER BY start_s, key", "iii", from_s, to_s, to_s);
	struct session_visit v = {fn, user};
	return st_each(st, s, err, "listing check-in sessions", visit_session, &v);
}

lt_err store_checkin_session_delivered(struct store *st, const char *key, int64_t when_ms,
				       int count)
{
	/* Journalled before the commit, as a check-in is: a rebuild after a kill between finds
	 * the delivery (sent again at worst), never a delivered session that says it was not. */
	lt_err err = st_exec(st, "SAVEPOINT checkin_delivered");
	if (err != LT_OK)
		return err;
	/* Not before the latest check-in it counted: one stamped by a clock that was ahead
	 * would otherwise look "after delivery" at every pass until the clock caught up, and
	 * be sent again each time. (One that came after the snapshot changes the count.) */
	err = st_run(st, "marking attendance delivered",
		     "UPDATE checkin_sessions SET delivered_ms = max(?1, coalesce((SELECT "
		     "max(at_ms) FROM checkins WHERE session_key = ?3), 0)), delivered_count = ?2 "
		     "WHERE key = ?3", "idt", when_ms, count, key);
	if (err == LT_OK && sqlite3_changes(st->db) == 0)
		err = LT_ERR_NOT_FOUND;
	struct store_checkin_session now;
	if (err == LT_OK)
		err = store_checkin_session_get(st, key, &now);
	if (err == LT_OK) {
		checkinlog_delivered(key, now.delivered_ms, count);
		err = st_exec(st, "RELEASE checkin_delivered");
	}
	if (err != LT_OK) {
		st_exec(st, "ROLLBACK TO checkin_delivered");
		st_exec(st, "RELEASE checkin_delivered");
	}
	return err;
}

lt_err store_checkin_add(struct store *st, struct store_checkin *c)
{
	/* The journal's line is on disk before the row is committed: a kill between leaves one
	 * check-in too many in the journal (checkinlog.h), never one the journal lacks. */
	lt_err err = st_exec(st, "SAVEPOINT checkin_add");
	if (err != LT_OK)
		return err;
	err = st_run(st, "storing a check-in",
		     "INSERT INTO checkins(session_key, method, person, name, email, badge, "
		     "at_ms, consent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "ttttttit",
		     c->session_key, c->method, c->person, c->name, c->email, c->badge,
		     c->at_ms, c->consent);
	if (err == LT_OK) {
		c->id = sqlite3_last_insert_rowid(st->db);
		checkinlog_in(c);
		err = st_exec(st, "RELEASE checkin_add");
	}
	if (err != LT_OK) {
		st_exec(st, "ROLLBACK TO checkin_add");
		st_exec(st, "RELEASE checkin_add");
	}
	return err;
}

lt_err store_checkin_find(struct store *st, const char *session_key, const char *person,
			  struct store_checkin *out)
{
	if (!person || !person[0])
		return LT_ERR_NOT_FOUND;
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "looking up a check-in",
			    "SELECT " CHECKIN_COLS " FROM checkins WHERE session_key = ? AND "
			    "person = ? ORDER BY at_ms, id LIMIT 1", "tt", session_key, person);
	if (err != LT_OK)
		return err;
	checkin_from_row(s, out);
	sqlite3_finalize(s);
	return LT_OK;
}

lt_err store_checkin_get(struct store *st, int64_t id, struct store_checkin *out)
{
	sqlite3_stmt *s;
	lt_err err = st_row(st, &s, "reading a check-in",
			    "SELECT " CHECKIN_COLS " FROM checkins WHERE id = ?", "i", id);
	if (err != LT_OK)
		return err;
	checkin_from_row(s, out);
	sqlite3_finalize(s);
	return LT_OK;
}

lt_err store_checkin_remove(struct store *st, int64_t id)
{
	struct store_checkin c;
	lt_err err = store_checkin_get(st, id, &c);
	if (err != LT_OK)
		return err;
	err = st_exec(st, "SAVEPOINT checkin_remove");
	if (err != LT_OK)
		return err;
	err = st_run(st, "removing a check-in", "DELETE FROM checkins WHERE id = ?", "i", id);
	if (err == LT_OK && sqlite3_changes(st->db) == 0)
		err = LT_ERR_NOT_FOUND;
	if (err == LT_OK) {
		checkinlog_undo(&c);
		err = st_exec(st, "RELEASE checkin_remove");
	}
	if (err != LT_OK) {
		st_exec(st, "ROLLBACK TO checkin_remove");
		st_exec(st, "RELEASE checkin_remove");
	}
	return err;
}

int store_checkin_count(struct store *st, const char *session_key, int64_t at_after_ms)
{
	sqlite3_stmt *s;
	if (st_row(st, &s, "counting check-ins",
		   "SELECT count(*) FROM checkins WHERE session_key = ? AND at_ms > ?", "ti",
		   session_key, at_after_ms) != LT_OK)
		return -1;
	int n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

lt_err store_checkins_each(struct store *st, const char *session_key, store_checkin_fn fn,
			   void *user)
{
	sqlite3_stmt *s = NULL;
	lt_err err = st_row(st, &s, "listing check-ins",
			    "SELECT " CHECKIN_COLS " FROM checkins WHERE session_key = ? "
			    "ORDER BY at_ms, id", "t", session_key);
	struct checkin_visit v = {fn, user};
	return st_each(st, s, err, "listing check-ins", visit_checkin, &v);
}

int store_checkin_forget_names(struct store *st, int64_t before_ms, bool person)
{
	if (st_run(st, "forgetting check-in names",
		   "UPDATE checkins SET name = '', email = '', badge = '', "
		   "person = CASE WHEN ?2 THEN '' ELSE person END WHERE at_ms < ?1 AND "
		   "(name <> '' OR email <> '' OR badge <> '' OR (?2 AND person <> ''))",
		   "id", before_ms, (int)person) != LT_OK)
		return -1;
	int n = sqlite3_changes(st->db);
	/* The journal too (checkinlog.h says when it is read). */
	checkinlog_scrub(before_ms, person, n > 0);
	return n;
}

int store_checkin_forget_delivered_names(struct store *st)
{
	if (st_run(st, "forgetting delivered check-in names",
		   "UPDATE checkins SET name = '', email = '', badge = '' "
		   "WHERE (name <> '' OR email <> '' OR badge <> '') AND at_ms <= "
		   "(SELECT delivered_ms FROM checkin_sessions WHERE key = session_key)",
		   "") != LT_OK)
		return -1;
	int n = sqlite3_changes(st->db);
	checkinlog_scrub_delivered(n > 0);
	return n;
}
