/*
 * kiosk.h — the firmware side of the touchscreen, as `lectern run` uses it: a presenter that
 * keeps the view model (view.h) for the screen (screen.h) and acts on the events it posts.
 * Its parts, each with its own manual:
 *  - kiosk_view.h: the view builder (room state, card, agenda, messages and their advice,
 *    the queue), without a screen; what changes slowly is cached, not asked at every tap;
 *  - kiosk_events.h: what taps do (recordings, tags, check-in, retry, the settings PIN and
 *    its lock-out);
 *  - kiosk_settings.h: the settings screen's live meter, camera preview, microphone choice,
 *    brightness and connection test;
 *  - kiosk_scan.h: QR badges, scanned on a thread of their own while check-in is open (the
 *    kiosk looks for reads every 100 ms then, and checks them in on its own thread).
 * Decided here:
 *  - dimming: after [ui] dim_after_min idle minutes and during [ui] night (never while
 *    recording); the first touch on a dimmed screen only wakes it;
 *  - the picture moves by a few pixels every [ui] shift_min minutes against burn-in;
 *  - idle return: after [ui] idle_return_s without a touch (any event the screen posts), the
 *    Sessions and Uploads screens, and check-in while no session takes it (or it is off),
 *    go back home (checked at every kiosk_tick); never the recording screen, nor a check-in
 *    that takes people;
 *  - a tap on the thank-you card dismisses it (EV_THANKS_DISMISS, kiosk_sessions.h);
 *  - redraws only when the view changed or the screen's own feedback needs it; the meter and
 *    the camera preview are refreshed ~20 Hz only while they are live.
 *
 * For automation and support, after every frame: LECTERN_UI_WIDGETS=FILE receives a line
 * {"screen","recording","paused","queue_waiting","checked_in","frames"} and then the screen's widgets
 * (screen_dump_widgets); LECTERN_UI_SHOTS=DIR receives the frame as DIR/<screen>.png.
 */
#ifndef LECTERN_KIOSK_H
#define LECTERN_KIOSK_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/attendance.h"
#include "lectern/config.h"
#include "lectern/controller.h"
#include "lectern/schedule.h"
#include "lectern/store.h"
#include "lectern/screen.h"
#include "lectern/view.h"

struct kiosk_deps {
	const struct config *cfg;
	struct store *st;
	struct schedule *sched;
	struct controller *ctl;
	struct screen *screen;   /* owned by the caller; the null screen in tests */
	const char *mic_name;    /* what recordings use, e.g. "hw:1 (USB Audio)" */
	bool mic_present;        /* false: no usable microphone at start */
	const struct lt_error *mic_error; /* then why (NULL: not said): not there, bad format … */
	bool mic_twin;           /* the demo file stands in for a missing microphone */
	/* Opens the microphone for the settings screen's live meter (the controller's opener). */
	controller_open_audio_fn open_audio;
	void *audio_user;
	double (*clock)(void);   /* monotonic s: idle, dimming, cache ages; NULL: os_mono_s */
	/* Where a damaged database was set aside at start (app_store_set_aside), NULL if not. */
	const char *store_set_aside;
};

struct kiosk;

lt_err kiosk_create(const struct kiosk_deps *d, struct kiosk **out);
void kiosk_destroy(struct kiosk *k);

/* Rebuild the view at unix time `now` (call about once a second) and redraw if it changed. */
void kiosk_tick(struct kiosk *k, int64_t now);

/* Wait up to `timeout_ms` for taps and act on them, redrawing as needed; returns early when
 * the window was closed (see kiosk_quit). */
void kiosk_wait(struct kiosk *k, int timeout_ms);

/* Act on one event at `now` (what kiosk_wait does with each tap; tests call it directly). */
void kiosk_handle(struct kiosk *k, const struct view_event *ev, int64_t now);

/* A QR badge was read while the check-in screen is shown: check in who `id` names
 * (kiosk_events_check_in_qr) at `now` and redraw. */
void kiosk_check_in_qr(struct kiosk *k, const struct checkin_who *id, bool cards, int64_t now);

/* The current view model, as last built. */
const struct view *kiosk_view(const struct kiosk *k);

/* The window was closed. */
bool kiosk_quit(const struct kiosk *k);

/* Close the settings screen's meter so that a recording can take the microphone. Call it
 * before opening the microphone for a recording (the controller's opener does). NULL: none. */
void kiosk_release_mic(struct kiosk *k);

/* The ALSA device chosen on the settings screen for recordings (until the next start), or NULL
 * for the configured microphone. */
const char *kiosk_audio_device(const struct kiosk *k);

/* The backlight's brightness now, percent (dimmed or not). */
int kiosk_backlight(const struct kiosk *k);

/* Last measured tap-to-confirmation time of a check-in in ms (the tap to the frame that shows
 * its outcome, logged as "tap-to-confirmation: N ms"), -1 before one. */
double kiosk_checkin_confirm_ms(const struct kiosk *k);

/* Last measured tap-to-first-sample latency in ms, -1 before one (kiosk_events.h). */
double kiosk_tap_latency_ms(const struct kiosk *k);

#endif
