/*
 * kiosk_settings.h — the settings screen's live pieces, each owning a device or a thread:
 *  - the microphone to record with: the configured one first, then ALSA's other capture
 *    devices (until the next start);
 *  - the live meter: the microphone metered (monitor.h) while the settings screen shows and
 *    nothing records; it is given back the moment a recording needs it
 *    (kiosk_settings_release_mic). The peak is held for 1.5 s, on every screen's meter;
 *  - the camera preview: open while the settings screen shows, a picture at most ~10 times a
 *    second; with [camera] source = auto and none plugged in, the twin's test pattern,
 *    labelled so; a failed open is tried again after 5 s;
 *  - the backlight's brightness (the kiosk dims it on its own, see kiosk.h);
 *  - the connection test: a thread, so the screen never freezes, on its own copy of the
 *    configuration (a SIGHUP reload rewrites the kiosk's in place meanwhile).
 */
#ifndef LECTERN_KIOSK_SETTINGS_H
#define LECTERN_KIOSK_SETTINGS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "lectern/audio_source.h"
#include "lectern/backlight.h"
#include "lectern/camera.h"
#include "lectern/config.h"
#include "lectern/controller.h"
#include "lectern/monitor.h"
#include "lectern/view.h"

struct kiosk_settings_params {
	const struct config *cfg;
	const char *mic_name;          /* see kiosk_deps */
	bool mic_present;
	bool mic_twin;
	controller_open_audio_fn open_audio;
	void *audio_user;
	double (*clock)(void);         /* monotonic seconds; NULL: os_mono_s */
};

struct kiosk_settings {
	struct kiosk_settings_params p;

	/* microphones to choose from: 0 is the configured one */
	int n_inputs;
	char input_dev[VIEW_MAX_INPUTS][64];
	char input_name[VIEW_MAX_INPUTS][64];
	int input_sel;

	/* the live meter */
	struct audio_source *mon_src;
	struct monitor *mon;
	float peak_hold;
	double peak_hold_at;

	/* the camera preview */
	struct camera *cam;
	double cam_tried, cam_grabbed; /* clock() of the last open attempt / picture */
	char cam_name[96];
	unsigned cam_frame;
	uint8_t cam_rgb[VIEW_CAMERA_W * VIEW_CAMERA_H * 3];

	struct backlight bl;
	int brightness;                /* percent, as chosen (the kiosk may dim below it) */

	/* the connection test */
	pthread_t test_thread;
	bool test_started;
	atomic_bool test_running;
	pthread_mutex_t test_lock;
	char test_result[160];
	struct config test_cfg;        /* its own copy, taken as it starts */
};

/* Lists the microphones, opens the backlight ([ui] backlight; logged) at [ui] brightness. */
void kiosk_settings_init(struct kiosk_settings *s, const struct kiosk_settings_params *p);
/* Releases the meter and the camera, waits for a running connection test. */
void kiosk_settings_free(struct kiosk_settings *s);

/* Open or close the meter and the camera for what is shown: `screen`, a recording on or not. */
void kiosk_settings_follow(struct kiosk_settings *s, enum view_screen screen, bool recording);

/* Fill the settings' part of `v`: the meter's levels while nothing records (and the held
 * peak always), the preview, the microphones, the brightness, the test's result. */
void kiosk_settings_show(struct kiosk_settings *s, struct view *v);

/* The meter's levels and held peak only, into `v` (between builds). */
void kiosk_settings_show_meter(struct kiosk_settings *s, struct view *v);

/* Whether the meter or the preview is live (the kiosk then refreshes ~20 times a second). */
bool kiosk_settings_live(const struct kiosk_settings *s);

/* Grab a new preview picture if one is due and show it in `v`; true when there was one. */
bool kiosk_settings_picture(struct kiosk_settings *s, struct view *v);

/* Give the microphone back (the meter stops). */
void kiosk_settings_release_mic(struct kiosk_settings *s);

/* Record with microphone `i` of the list from now on (out of range: ignored). */
void kiosk_settings_select_input(struct kiosk_settings *s, int i);

/* The ALSA device chosen, or NULL for the configured microphone. */
const char *kiosk_settings_audio_device(const struct kiosk_settings *s);

/* Set the brightness (clamped to 10..100 percent) and the backlight to it. */
void kiosk_settings_brightness(struct kiosk_settings *s, int64_t percent);

/* Start a connection test unless one runs: the folder target is checked for writing, else the
 * server is asked over HTTP with the address, credentials and CA its user (the uploader, else
 * the calendar) has (net.h). Its result is shown by kiosk_settings_show. */
void kiosk_settings_test_connection(struct kiosk_settings *s);

#endif
