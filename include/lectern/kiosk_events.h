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
 *  - check-in: the invitees of the session on (or starting within 15 minutes), "Name <mail>"
 *    shown by name; search, toggles, walk-ins. Names are kept in memory only;
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
};

/* A fresh state at `now`: the home screen, [ui] tags offered, the PIN's lock-out as stored. */
void kiosk_events_init(const struct kiosk_events *e, struct kiosk_state *s, int64_t now);

/* Act on `ev` at `now`. `shown` is the view the screen showed (what an index in the event
 * refers to). EV_ACTIVITY is the kiosk's (kiosk.h): ignored here. */
void kiosk_events_apply(const struct kiosk_events *e, struct kiosk_state *s,
			const struct view *shown, const struct view_event *ev, int64_t now);

/* The recording changed by itself or not: leave the recording screen when it ended, start a
 * new tag choice for a new one, measure the tap-to-record latency. */
void kiosk_events_follow_recording(struct kiosk_state *s, const struct controller_status *cs);

/* The check-in list follows `session` (kiosk_view_checkin_session; NULL: none): a new session
 * lists its invitees, none checked in. */
void kiosk_events_follow_session(struct kiosk_state *s, const struct occurrence *session);

#endif
