/*
 * attendance.h — check-in that counts: who came to which session, stored as the privacy mode
 * allows, local first (the store), whatever the network does.
 *
 * Sessions. People check in to a session occurrence, kept in the store with a snapshot of what
 * reports need (title, presenter, start, end): its key is the calendar occurrence's
 * "UID@START" (START in unix seconds, as the controller keys recordings), or
 * "adhoc:<recording uid>" for a recording started by hand without a calendar event.
 * attendance_pick() says which occurrence check-in is for at a time: one is open from
 * [checkin] open_before_min before its start until open_after_min after it, or its end if
 * later; of several open, the one starting last (people at the door are coming to the next
 * session, not to the one ending).
 *
 * Privacy ([privacy] attendance) decides what is STORED:
 *  - none: nothing at all; attendance_check_in() answers CHECKIN_OFF;
 *  - count: a row per check-in with its method, time and consent version, and `person`;
 *    no name, e-mail or badge id anywhere (store, log, the result's message);
 *  - names: also the name, e-mail and badge id given.
 * `person` is a keyed hash, HMAC-SHA256 under a random device secret (32 bytes, made once and
 * kept in the store's device_state as "checkin.secret"), of the person's identity normalised:
 * "e:" and the e-mail in lower case, else "b:" and the badge id, else "n:" and the name
 * folded (roster_fold). It lets a second check-in of the same person be refused in every mode
 * without the name being kept; without the secret it cannot be turned back into a name by
 * trying likely ones. A guest (counted without a name) has none and is never a duplicate.
 * Retention (retention.h) blanks names after [privacy] keep_names_days (and the person key),
 * and with forget_names_when_delivered once the session's attendance was delivered.
 * Logs name sessions by key and check-ins by id and method, never a person.
 *
 * Consent: [checkin] consent is the line shown on the check-in screen; each check-in stores
 * its version, the first 8 hex digits of the SHA-256 of its text ("" when there is none), so
 * what people were told can be proved after the text changed.
 *
 * Undo: a check-in can be taken back within ATTENDANCE_UNDO_MS of its time (by the clock
 * passed in; a clock set back by less than that counts as within, by more does not).
 *
 * Delivery: attendance_delivered() records when a session's attendance went out and with what
 * count; check-ins after that are "late" (attendance_late()) and are sent as an update or
 * reported by `lectern attendance`.
 *
 * A `struct attendance` is used by one thread at a time, with its store.
 */
#ifndef LECTERN_ATTENDANCE_H
#define LECTERN_ATTENDANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lectern/calendar.h"
#include "lectern/config.h"
#include "lectern/err.h"
#include "lectern/roster.h"
#include "lectern/store.h"

#define ATTENDANCE_UNDO_MS 10000
#define ATTENDANCE_KV_SECRET "checkin.secret"

enum attendance_mode { ATTENDANCE_NONE, ATTENDANCE_COUNT, ATTENDANCE_NAMES };

/* [privacy] attendance's word; anything unknown is `count` (names only when asked for). */
enum attendance_mode attendance_mode_parse(const char *word);

enum checkin_method { CHECKIN_TAP, CHECKIN_WALKIN, CHECKIN_QR, CHECKIN_GUEST };

/* "tap", "walkin", "qr", "guest" (as stored). */
const char *checkin_method_name(enum checkin_method m);
/* 0 and *out, or -1 for an unknown word. */
int checkin_method_parse(const char *word, enum checkin_method *out);

/* Fields are the module's; read them, set them only through the functions. */
struct attendance {
	struct store *st;
	enum attendance_mode mode;
	char consent_version[9];
	unsigned char secret[32];
	bool have_secret;
};

/*
 * Ready `a` for `st` with the configuration's [privacy] attendance and [checkin] consent.
 * Makes the device secret on first use (LT_ERR_STORE when it cannot be kept: then check-ins
 * are refused with CHECKIN_ERROR rather than kept without duplicate detection).
 */
lt_err attendance_init(struct attendance *a, struct store *st, const struct config *cfg);
/* The same with the mode and consent text given (tests, `lectern` commands). */
lt_err attendance_init_with(struct attendance *a, struct store *st, enum attendance_mode mode,
			    const char *consent);

/* The version stored for consent line `text` ("" for none or an empty one). */
void attendance_consent_version(const char *text, char out[9]);

/* A session key: "UID@START" for an occurrence, "adhoc:<uid>" for a hand-started recording. */
void attendance_key_occurrence(const char *uid, int64_t start, char *buf, size_t n);
void attendance_key_adhoc(const char *recording_uid, char *buf, size_t n);
/* Whether `key` is an ad-hoc session's. */
bool attendance_key_is_adhoc(const char *key);

/*
 * Open (or complete) the session `s` describes: key, title, presenter, start and end (unix s),
 * recording uid if one is known. Safe to call again and again (a snapshot only completes what
 * is missing or changed). Nothing is stored in mode none (LT_OK).
 */
lt_err attendance_open_session(struct attendance *a, const struct store_checkin_session *s);
/* The same for an occurrence, and for a recording started by hand (key adhoc:UID). */
lt_err attendance_open_occurrence(struct attendance *a, const struct occurrence *o,
				  const char *recording_uid);
lt_err attendance_open_adhoc(struct attendance *a, const char *recording_uid, const char *title,
			     const char *presenter, int64_t start, int64_t end);

/* Who checks in (NULL or "" where unknown). For a guest, nothing is needed. */
struct checkin_who {
	const char *name;
	const char *email;
	const char *badge;
};

enum checkin_outcome {
	CHECKIN_OK,
	CHECKIN_DUPLICATE,       /* already checked in: at_ms says when */
	CHECKIN_OFF,             /* [privacy] attendance = none, or no session */
	CHECKIN_UNKNOWN,         /* a QR payload that names no one on the roster */
	CHECKIN_INVALID,         /* nothing to tell the person by (e.g. an empty walk-in) */
	CHECKIN_ERROR            /* the store failed (logged) */
};

struct checkin_result {
	enum checkin_outcome outcome;
	int64_t id;              /* CHECKIN_OK: the new check-in (for undo) */
	int64_t at_ms;           /* OK: its time; DUPLICATE: the first check-in's time */
	int count;               /* the session's check-ins after this one (-1 unknown) */
	/* What the screen shows, sized for it: "Welcome, Ada" (names mode: the first name),
	 * "Checked in" (count mode), "Already checked in at 13:58", "Not on the list …". */
	char message[128];
};

/*
 * Check `who` in to session `key` (opened before) by `method` at `now_ms`. A guest needs no
 * one; tap, walk-in and QR need a name, e-mail or badge id (CHECKIN_INVALID otherwise).
 * A second check-in of the same person in the session is refused (CHECKIN_DUPLICATE, at_ms
 * the first one's). `r` is always filled.
 */
enum checkin_outcome attendance_check_in(struct attendance *a, const char *key,
					 enum checkin_method method,
					 const struct checkin_who *who, int64_t now_ms,
					 struct checkin_result *r);

/*
 * The QR badge's entry point: `id` is what the payload said (an e-mail, a badge id, or a
 * card's name and e-mail). The person is looked up in `roster` by e-mail, else badge id, and
 * checked in with method qr as the roster has them. Not on the roster: refused
 * (CHECKIN_UNKNOWN, the message says why) — unless `cards` and the payload is a card with a
 * name and an e-mail (MECARD, vCard): then that person is checked in as the card says, like a
 * walk-in who typed their name. A matched roster person gets `checked_in_ms` set on success.
 */
enum checkin_outcome attendance_check_in_qr(struct attendance *a, struct roster *roster,
					    const char *key, const struct checkin_who *id,
					    bool cards, int64_t now_ms, struct checkin_result *r);

/*
 * Take back check-in `id` made less than ATTENDANCE_UNDO_MS before (or, the clock set back,
 * after) `now_ms`. LT_ERR_STATE when it is older, LT_ERR_NOT_FOUND when there is none.
 */
lt_err attendance_undo(struct attendance *a, int64_t id, int64_t now_ms);

/* The session's check-ins (guests included), -1 on error; 0 in mode none. */
int attendance_count(struct attendance *a, const char *key);

/* When `who` checked in to session `key` (unix ms), 0 when not (or mode none). */
int64_t attendance_checked_in_at(struct attendance *a, const char *key,
				 const struct checkin_who *who);

/* The person key stored for `who` ("" when it has nothing to tell them by), 65 bytes. */
void attendance_person_key(const struct attendance *a, const struct checkin_who *who,
			   char out[65]);

/* Call `fn` for each check-in of the session, oldest first (store_checkins_each). */
lt_err attendance_list(struct attendance *a, const char *key, store_checkin_fn fn, void *user);

/*
 * The check-in session of recording `id` (uid `uid`): its occurrence's ("UID@START") when it
 * was recorded for one, else the ad-hoc one ("adhoc:<uid>"). The key is written to `key` (n
 * bytes) in any case; LT_ERR_NOT_FOUND when no one checked in to it (no session was stored).
 */
lt_err attendance_recording_session(struct store *st, int64_t id, const char *uid, char *key,
				    size_t n, struct store_checkin_session *out);

/* Record that the session's attendance was delivered at `when_ms` with `count` check-ins. */
lt_err attendance_delivered(struct attendance *a, const char *key, int64_t when_ms, int count);
/* Check-ins that came after the delivery (0 when not delivered yet: nothing is late), -1. */
int attendance_late(struct attendance *a, const char *key);

/*
 * Which occurrence of `l` check-in is for at `now` (see above); before_s/after_s the window
 * ([checkin] open_before_min/open_after_min in seconds). NULL when none is open; then
 * *opens_at (may be NULL) receives when the next one opens (0 when none is coming).
 * All-day events never take check-in.
 */
const struct occurrence *attendance_pick(const struct occurrence_list *l, int64_t now,
					 int64_t before_s, int64_t after_s, int64_t *opens_at);

#endif
