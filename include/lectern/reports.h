/*
 * reports.h — attendance as the store holds it, read for delivery and for the programme's
 * reports (store_reports.c; the tables are schema 8's checkin_sessions and checkins, written by
 * check-in: attendance.h).
 *
 * A session, for the reports, is one occurrence people met for: a check-in session (its key
 * "UID@START", or "adhoc:<recording uid>" for one recorded by hand), or a recording of one,
 * whichever exists; a recording without a calendar event and without check-in is a session
 * of its own ("adhoc:<its uid>"). A session's title and presenter are the calendar's (as
 * check-in kept them) and else those typed on the recording screen. Its date is the
 * occurrence's start, else its first recording's.
 *
 * What the reports show of people is what the store holds: in [privacy] attendance = count
 * check-in stores no names, so none can be shown; the callers also hide names unless the
 * mode is `names` now (a store written in `names` mode and read after a switch to `count`
 * shows counts only).
 *
 * The check-ins themselves are read with store_checkins_each() (store.h).
 *
 * Delivery (upload_attendance.h): the count a recording went out with is kept on its session
 * (store_checkin_session_delivered: delivered_ms, delivered_count), so that later check-ins
 * are told apart: sent as an update
 * where the target can take one, reported by `lectern attendance` where it cannot.
 */
#ifndef LECTERN_REPORTS_H
#define LECTERN_REPORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/store.h"

/* The session a recording belongs to: its occurrence's key "UID@START", or "adhoc:<uid>". */
lt_err store_recording_session_key(struct store *st, int64_t id, char *key, size_t n);

struct report_session {
	char key[320];
	char title[256];
	char presenter[128];
	int64_t start_s;            /* unix seconds */
	int recordings;             /* recordings made of it (any state) */
	bool checkin;               /* check-in was held for it (it has a checkin_sessions row) */
	int count;                  /* check-ins (a guest counts, an undone one does not) */
	int named;                  /* of them, with a name stored */
	int64_t delivered_ms;       /* when a recording of it last went out with its attendance */
	int delivered_count;        /* the count it went out with; -1: never delivered */
};

/*
 * Each session whose date falls in [from_s, to_s) (unix seconds; 0 and INT64_MAX for no
 * bound), oldest first. `fn` returning non-zero stops early (LT_OK).
 */
typedef int (*report_session_fn)(const struct report_session *s, void *user);
lt_err store_report_sessions(struct store *st, int64_t from_s, int64_t to_s,
			     report_session_fn fn, void *user);

/* One session by key: LT_ERR_NOT_FOUND when neither check-in nor a recording knows it. */
lt_err store_report_session(struct store *st, const char *key, struct report_session *out);

/*
 * Returning attendees of the sessions dated in [from_s, to_s): of the people whose name is
 * stored (told apart by `person`, else by their e-mail, else their name, case folded),
 * *people were there at all and *returning at two sessions or more.
 */
lt_err store_report_returning(struct store *st, int64_t from_s, int64_t to_s, int *people,
			      int *returning);

/*
 * Each delivered session (delivered_count >= 0) whose check-ins changed since: its count is
 * not the one delivered, or a check-in is newer than the delivery. For the follow-up
 * update of a target that takes one.
 */
lt_err store_report_changed_since_delivery(struct store *st, report_session_fn fn, void *user);

#endif
