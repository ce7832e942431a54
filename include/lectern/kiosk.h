/*
 * kiosk.h — the firmware side of the touchscreen: owns the view model (view.h), fills it from
 * the schedule, the controller, the upload queue and the device's health, and acts on the
 * events the screen (screen.h) posts: start/stop/pause recordings, tags, check-in list, retry an
 * upload, the settings PIN, brightness, a server connection test.
 *
 * Decisions made here, not in ui/:
 *  - room state: Recording > In session (a timed session is on) > Starts in N min (next one
 *    within 15 minutes) > Free;
 *  - the card is the current session, else the next one within the look-ahead; the agenda is
 *    today's sessions; the cadence line is the next session of a recurring series (a UID seen
 *    more than once in the look-ahead);
 *  - messages with advice for: no microphone (or one there but unusable, said as such), disk
 *    low, uploads waiting after a failure (the advice of the part its reason names: network,
 *    server, storage), calendar stale, a recording that failed to start (which part failed:
 *    microphone, storage, configuration; err.h's lt_error), a damaged database replaced at
 *    start (until the next start);
 *  - PIN: three wrong PINs lock the keypad, for 1 min, then 5 min, 30 min and 2 h for each
 *    further round until the right PIN is typed; the count and the lock are kept in the store
 *    (store_kv_*), so a restart resets neither. An empty [ui] pin keeps settings locked (said
 *    on the PIN screen and in the log). The PIN is compared in constant time;
 *  - dimming: after [ui] dim_after_min idle minutes and during [ui] night (never while
 *    recording); the first touch on a dimmed screen only wakes it;
 *  - the picture moves by a few pixels every [ui] shift_min minutes against burn-in;
 *  - redraws only when the view changed or the screen's own feedback needs it: the model
 *    keeps minute resolution on screens without seconds, and the meter is refreshed ~20 Hz
 *    only while it is visible.
 * The settings screen previews the camera (camera.h; with [camera] source = auto and none
 * plugged in, the twin's test pattern, labelled so) and meters the microphone live while nothing records (monitor.h); the
 * microphone is given back the moment a recording needs it (kiosk_release_mic).
 * Check-in keeps names in memory only (attendance records come with the check-in issue).
 *
 * For automation and support, after every frame: LECTERN_UI_WIDGETS=FILE receives a line
 * {"screen","recording","paused","queue_waiting","frames"} and then the screen's widgets (screen_dump_widgets);
 * LECTERN_UI_SHOTS=DIR receives the frame as DIR/<screen>.png.
 *
 * Tap to record: the time from a Start tap to the first captured sample is logged
 * ("tap-to-record: N ms") and kept in kiosk_tap_latency_ms().
 */
#ifndef LECTERN_KIOSK_H
#define LECTERN_KIOSK_H

#include <stdbool.h>
#include <stdint.h>

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
	double (*clock)(void);   /* monotonic seconds for idle and dimming; NULL: os_mono_s */
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

/* The current view model, as last built. */
const struct view *kiosk_view(const struct kiosk *k);

/* The window was closed. */
bool kiosk_quit(const struct kiosk *k);

/* Close the settings screen's meter so that a recording can take the microphone. Call it
 * before opening the microphone for a recording (the controller's opener does). */
void kiosk_release_mic(struct kiosk *k);

/* The ALSA device chosen on the settings screen for recordings (until the next start), or NULL
 * for the configured microphone. */
const char *kiosk_audio_device(const struct kiosk *k);

/* The backlight's brightness now, percent (dimmed or not). */
int kiosk_backlight(const struct kiosk *k);

/* Last measured tap-to-first-sample latency in ms, -1 before one. */
double kiosk_tap_latency_ms(const struct kiosk *k);

#endif
