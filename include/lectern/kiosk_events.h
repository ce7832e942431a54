/*
 * kiosk_events.h — what the screen's events do: taps become the controller's and the store's
 * actions and change the kiosk's state (kiosk_view.h's struct kiosk_state), which the view
 * builder shows.
 *
 *  - Start records now, titled after the session on (if any); a failed start is kept with its
 *    part (microphone, storage, configuration) for the view's message. The time from the tap
 *    to the first captured sample is logged ("tap-to-record: N ms") and kept in latency_ms;
 *  - Stop (after the screen's 1.5 s hold), pause, resume; tags toggle and a free tag typed on
 *    the keyboard is added on close; the tags are saved with the recording at every change,
 *    and a new recording starts with none chosen;
 *  - check-in (attendance.h): the session's invitees and the room's roster; a tap on a name,
 *    a walk-in's typed name (one that is on the list is that person), Guest (a count without
 *    a name), a QR badge (kiosk_events_check_in_qr) each store a check-in as [privacy]
 *    attendance allows and show the confirmation or why not ("Already checked in at
 *    13:58"); Undo takes the last one back within 10 s. The list's marks are the store's,
 *    so a restart keeps them. In names mode a walk-in joins the list (in memory); in count
 *    mode the screen keeps no typed name past its confirmation. A check-in clears the search
 *    for the next person;
 *  - the Sessions screen's search: typed there, kept apart (kiosk_sessions.h);
 *  - retry of an upload; the settings screen's microphone, brightness and connection test
 *    (kiosk_settings.h);
 *  - the PIN: settings open only through it. Digits are collected (up to 8) and checked only
 *    on OK (EV_PIN_OK), so the keypad never shows the PIN's length by reacting at it. The PIN
 *    is [ui] pin_file's hash (pinhash.h, read at every OK) when set, else the plain [ui] pin.
 *    The sample PIN 1234 (plain, or hashed by hand) never opens settings: the box says to
 *    provision it. KIOSK_PIN_TRIES wrong PINs lock the keypad, for
 *    1 min, then 5 min, 30 min and 2 h for each further round until the right PIN is typed;
 *    the count and the lock are kept in the store (store_kv_*), so a restart resets neither,
 *    and a clock set back cannot lock it for longer than 2 h. An empty [ui] pin keeps settings
 *    locked (said on the PIN screen and in the log). The PIN is compared in constant time.
 */
#ifndef LECTERN_KIOSK_EVENTS_H
#define LECTERN_KIOSK_EVENTS_H

#include <stdint.h>

#include "lectern/attendance.h"
#include "lectern/calendar.h"
#include "lectern/config.h"
#include "lectern/controller.h"
#include "lectern/kiosk_settings.h"
#include "lectern/kiosk_view.h"
#include "lectern/store.h"
#include "lectern/view.h"

struct kiosk_events {
	const struct config *cfg;
	struct store *st;              /* NULL: the PIN's lock-out is not kept */
	struct controller *ctl;
	struct kiosk_settings *settings;
	struct attendance *att;        /* NULL: check-in is off */
	const struct roster *room;     /* [checkin] roster as loaded (NULL: none) */
};

/* A fresh state at `now`: the home screen, [ui] tags offered, the PIN's lock-out as stored. */
void kiosk_events_init(const struct kiosk_events *e, struct kiosk_state *s, int64_t now);

/* Act on `ev` at `now`. `shown` is the view the screen showed (what an index in the event
 * refers to). EV_ACTIVITY and EV_THANKS_DISMISS are the kiosk's (kiosk.h): ignored here. */
void kiosk_events_apply(const struct kiosk_events *e, struct kiosk_state *s,
			const struct view *shown, const struct view_event *ev, int64_t now);

/* The recording changed by itself or not: leave the recording screen when it ended, start a
 * new tag choice for a new one, measure the tap-to-record latency. */
void kiosk_events_follow_recording(struct kiosk_state *s, const struct controller_status *cs);

/*
 * Check-in follows the calendar session `o` (kiosk_view_checkin_session; NULL: none open,
 * then check-in next opens at `opens_at`) or, without one, the recording `cs` shows when it
 * was started by hand (an ad-hoc session, "adhoc:<uid>"). A new session lists its invitees
 * and the room's roster, marked as the store has them; the count is read again every time.
 */
void kiosk_events_follow_session(const struct kiosk_events *e, struct kiosk_state *s,
				 const struct occurrence *o, int64_t opens_at,
				 const struct controller_status *cs);

/* A QR badge was read on the check-in screen: check in the person `id` names (see
 * attendance_check_in_qr; `cards`: a MECARD/vCard not on the roster is taken as a walk-in)
 * and show the outcome as for a tap. */
void kiosk_events_check_in_qr(const struct kiosk_events *e, struct kiosk_state *s,
			      const struct checkin_who *id, bool cards, int64_t now);

/* Free what the state holds (the check-in list). */
void kiosk_events_free(struct kiosk_state *s);

#endif
