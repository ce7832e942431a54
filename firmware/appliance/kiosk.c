/*
 * kiosk.c — the presenter: builds the view (kiosk_view.h), posts it to the screen when it
 * changed, hands the screen's events to the handler (kiosk_events.h), and keeps the screen's
 * power (see kiosk.h).
 */
#include "lectern/kiosk.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lectern/kiosk_events.h"
#include "lectern/kiosk_scan.h"
#include "lectern/kiosk_settings.h"
#include "lectern/kiosk_view.h"
#include "lectern/log.h"
#include "lectern/osutil.h"
#include "lectern/signals.h"

#define WAKE_GRACE_S 0.8   /* after waking a dimmed screen, taps are not acted on */
#define METER_MS 50
#define SCAN_MS 100        /* how often QR reads are looked for while check-in scans */

struct kiosk {
	struct kiosk_deps d;
	const struct config *cfg;
	double (*clock)(void);   /* monotonic seconds: idle time, dimming */
	struct kiosk_view_builder vb;
	struct kiosk_state s;
	struct kiosk_settings set;
	struct kiosk_events ev;
	struct attendance att;
	struct roster room;     /* [checkin] roster, read again when the file changes */
	struct timespec room_mtime;
	off_t room_size;
	double room_checked;    /* clock() when the file was last looked at */
	struct kiosk_scan *scan; /* QR badges while check-in is open (NULL: no thread) */
	struct view v;          /* as last built */
	struct view drawn;      /* as last drawn */
	bool have_drawn;
	unsigned long frames;   /* drawn so far */
	int64_t now;

	/* screen power */
	bool dimmed;
	double last_activity;
	double wake_grace_until;
	double touched;         /* clock() of the last event the screen posted: idle return */
	int shift;
	int64_t shift_at;
};

/* The room's roster, (re)read when its file changed (looked at once a minute at most). */
static void follow_roster(struct kiosk *k, bool first)
{
	const char *path = k->cfg->checkin_roster;
	if (!path[0] || (!first && k->clock() - k->room_checked < 60))
		return;
	k->room_checked = k->clock();
	struct stat st;
	bool there = stat(path, &st) == 0;
	if (!first && there && st.st_size == k->room_size &&
	    st.st_mtim.tv_sec == k->room_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == k->room_mtime.tv_nsec)
		return;
	if (!first && !there)
		return;                 /* gone for a moment (being replaced): keep what we have */
	if (there) {
		k->room_mtime = st.st_mtim;
		k->room_size = st.st_size;
	}
	roster_clear(&k->room);
	int bad = 0;
	if (roster_load_csv(&k->room, path, NULL, &bad) == LT_OK)
		log_info("check-in: roster %s: %zu people%s", path, k->room.count,
			 bad ? " (bad rows skipped: see above)" : "");
	k->s.checkin.key[0] = '\0';  /* the list is made again with it */
}

/* A QR badge read: checked in like a tap (a card not on the roster as the card says). */
static void qr_check_in(void *user, const struct checkin_who *who)
{
	struct kiosk *k = user;
	kiosk_events_check_in_qr(&k->ev, &k->s, who, true, k->now);
}

/* QR badges read are checked in here, on the kiosk's thread. True when there was one. */
static bool qr_reads(struct kiosk *k)
{
	return kiosk_scan_apply(k->scan, k->clock(), qr_check_in, k);
}

static void build(struct kiosk *k)
{
	qr_reads(k);
	struct controller_status cs;
	controller_status(k->d.ctl, &cs);
	kiosk_events_follow_recording(&k->s, &cs);
	follow_roster(k, false);
	int64_t opens_at = 0;
	const struct occurrence *o = kiosk_view_checkin_session(&k->vb, k->now, &opens_at);
	kiosk_events_follow_session(&k->ev, &k->s, o, opens_at, &cs);
	kiosk_settings_follow(&k->set, k->s.screen, cs.recording);
	kiosk_view_build(&k->vb, &k->s, &cs, k->now, &k->v);
	kiosk_settings_show(&k->set, &k->v);
	/* Scanned while the check-in screen takes people; followed after the settings' preview
	 * has let go of the camera. */
	kiosk_scan_follow(k->scan, k->s.screen == VIEW_CHECKIN && k->v.checkin_open &&
					   !k->v.checkin_off);
	kiosk_scan_show(k->scan, k->clock(), &k->v);
}

/* Between builds: the meter, the tap-to-record clock and the camera's picture. */
static void refresh_live(struct kiosk *k)
{
	struct controller_status cs;
	controller_status(k->d.ctl, &cs);
	kiosk_events_follow_recording(&k->s, &cs);
	struct view *v = &k->v;
	struct view fresh = *v;
	kiosk_view_recording(&cs, &fresh);
	kiosk_settings_show_meter(&k->set, &fresh);
	v->rms_db = fresh.rms_db;
	v->peak_db = fresh.peak_db;
	v->peak_hold_db = fresh.peak_hold_db;
	v->low_audio = fresh.low_audio;
	v->paused = fresh.paused;
	kiosk_settings_picture(&k->set, v);
}

/* --- drawing ------------------------------------------------------------------------------ */

static const char *const screen_names[VIEW_SCREEN_COUNT] = {
	"home", "recording", "checkin", "uploads", "pin", "settings", "sessions",
};

/* For automation and support: the widgets of the last frame, and the frame itself. */
static void export_frame(struct kiosk *k)
{
	const char *widgets = getenv("LECTERN_UI_WIDGETS"), *shots = getenv("LECTERN_UI_SHOTS");
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	if (widgets && widgets[0]) {
		snprintf(tmp, sizeof tmp, "%s.tmp", widgets);
		FILE *f = fopen(tmp, "w");
		if (f) {
			fprintf(f,
				"{\"screen\":\"%s\",\"recording\":%s,\"paused\":%s,"
				"\"queue_waiting\":%d,\"checked_in\":%d,\"frames\":%lu}\n",
				screen_names[k->v.screen], k->v.recording ? "true" : "false",
				k->v.paused ? "true" : "false", k->v.queue_waiting, k->v.checked_in,
				k->frames);
			screen_dump_widgets(k->d.screen, f);
			if (fclose(f) == 0)
				rename(tmp, widgets);
		}
	}
	if (shots && shots[0]) {
		snprintf(path, sizeof path, "%s/%s.png", shots, screen_names[k->v.screen]);
		screen_save_png(k->d.screen, path);
	}
}

/* A check-in's outcome is on the screen: how long it took from the tap (measured as
 * tap-to-record is, from the handler's first look at the tap). */
static void confirmation_shown(struct kiosk *k)
{
	struct kiosk_checkin *ci = &k->s.checkin;
	if (ci->tap_at <= 0 || k->drawn.checkin_note == CHECKIN_NOTE_NONE)
		return;
	ci->confirm_ms = (os_mono_s() - ci->tap_at) * 1000.0;
	ci->tap_at = 0;
	log_info("tap-to-confirmation: %.1f ms from the tap to the frame that shows it",
		 ci->confirm_ms);
}

static void draw_if_changed(struct kiosk *k)
{
	if (k->have_drawn && !screen_dirty(k->d.screen) &&
	    memcmp(&k->v, &k->drawn, sizeof k->v) == 0) {
		confirmation_shown(k);  /* the same outcome again: already on the screen */
		return;
	}
	screen_post(k->d.screen, &k->v);
	k->drawn = k->v;
	confirmation_shown(k);
	k->have_drawn = true;
	k->frames++;
	export_frame(k);
}

/* --- screen power ------------------------------------------------------------------------- */

static void power(struct kiosk *k)
{
	const struct config *cfg = k->cfg;
	double idle = k->clock() - k->last_activity;
	bool night = config_in_time_range(cfg->ui_night, k->now) == 1 && idle > 60;
	bool dim = !k->v.recording &&
		   ((cfg->ui_dim_after_min && idle >= cfg->ui_dim_after_min * 60.0) || night);
	if (dim != k->dimmed) {
		k->dimmed = dim;
		backlight_set(&k->set.bl, dim ? cfg->ui_dim_percent : k->set.brightness);
		log_debug("screen %s", dim ? "dimmed" : "woken");
	}
	if (cfg->ui_shift_min && k->now - k->shift_at >= cfg->ui_shift_min * 60LL) {
		static const int dx[] = {0, 3, 3, 0}, dy[] = {0, 0, 3, 3};
		k->shift = (k->shift + 1) % 4;
		k->shift_at = k->now;
		screen_set_shift(k->d.screen, dx[k->shift], dy[k->shift]);
		k->have_drawn = false;
	}
}

/* --- idle return ------------------------------------------------------------------------- */

/* Back home after [ui] idle_return_s without a touch from the screens one looks at and walks
 * away from: Sessions, Uploads, and check-in while no session takes it; and from the PIN and
 * the unlocked settings, so that settings left open lock again (back in takes the PIN). Never
 * from the recording screen, nor from a check-in that takes people (they keep coming to it). */
static void idle_return(struct kiosk *k)
{
	int after = k->cfg->ui_idle_return_s;
	enum view_screen s = k->s.screen;
	bool leave = s == VIEW_SESSIONS || s == VIEW_UPLOADS || s == VIEW_PIN ||
		     s == VIEW_SETTINGS || (s == VIEW_CHECKIN && !k->v.checkin_open);
	if (after <= 0 || !leave || k->clock() - k->touched < after)
		return;
	struct view_event home = {.type = EV_SHOW, .arg = VIEW_HOME};
	kiosk_events_apply(&k->ev, &k->s, &k->v, &home, k->now);
	log_debug("screen: back home after %d s without a touch", after);
	build(k);
}

/* --- events ------------------------------------------------------------------------------- */

void kiosk_handle(struct kiosk *k, const struct view_event *ev, int64_t now)
{
	k->now = now;
	if (ev->type != EV_NONE && ev->type != EV_QUIT)
		k->touched = k->clock();
	if (ev->type == EV_ACTIVITY) {
		k->last_activity = k->clock();
		if (k->dimmed) {
			k->wake_grace_until = k->last_activity + WAKE_GRACE_S;
			power(k);
		}
		return;
	}
	if (k->clock() < k->wake_grace_until)
		return; /* the touch that woke the screen does nothing else */
	if (ev->type == EV_THANKS_DISMISS)
		kiosk_sessions_dismiss_thanks(&k->vb.sessions);
	else
		kiosk_events_apply(&k->ev, &k->s, &k->v, ev, now);
	build(k);
}

void kiosk_check_in_qr(struct kiosk *k, const struct checkin_who *id, bool cards, int64_t now)
{
	k->now = now;
	kiosk_events_check_in_qr(&k->ev, &k->s, id, cards, now);
	build(k);
	draw_if_changed(k);
}

/* --- life cycle --------------------------------------------------------------------------- */

lt_err kiosk_create(const struct kiosk_deps *d, struct kiosk **out)
{
	struct kiosk *k = calloc(1, sizeof *k);
	if (!k)
		return LT_ERR_NOMEM;
	k->d = *d;
	k->cfg = d->cfg;
	k->clock = d->clock ? d->clock : os_mono_s;
	k->last_activity = k->touched = k->clock();
	struct kiosk_view_sources src = {
		.cfg = d->cfg, .st = d->st, .sched = d->sched, .mic_name = d->mic_name,
		.mic_present = d->mic_present, .mic_error = d->mic_error, .mic_twin = d->mic_twin,
		.store_set_aside = d->store_set_aside, .clock = k->clock,
	};
	kiosk_view_init(&k->vb, &src);
	struct kiosk_settings_params sp = {
		.cfg = d->cfg, .mic_name = d->mic_name, .mic_present = d->mic_present,
		.mic_twin = d->mic_twin, .open_audio = d->open_audio, .audio_user = d->audio_user,
		.clock = k->clock,
	};
	kiosk_settings_init(&k->set, &sp);
	/* Check-in works without its secret or roster (said in the log): the screen says why a
	 * check-in is refused. */
	if (attendance_init(&k->att, d->st, d->cfg) != LT_OK)
		log_warn("check-in: the device secret could not be kept; check-ins are refused");
	roster_init(&k->room);
	k->ev = (struct kiosk_events){.cfg = d->cfg, .st = d->st, .ctl = d->ctl,
				      .settings = &k->set, .att = &k->att, .room = &k->room};
	k->now = (int64_t)time(NULL);
	k->shift_at = k->now;
	kiosk_events_init(&k->ev, &k->s, k->now);
	follow_roster(k, true);
	if (kiosk_scan_start(d->cfg, &k->scan) != LT_OK)
		log_warn("check-in: no thread for QR badges; they are off");
	build(k);
	*out = k;
	return LT_OK;
}

void kiosk_destroy(struct kiosk *k)
{
	if (!k)
		return;
	kiosk_scan_stop(k->scan);
	kiosk_settings_free(&k->set);
	kiosk_view_free(&k->vb);
	kiosk_events_free(&k->s);
	roster_free(&k->room);
	free(k);
}

void kiosk_tick(struct kiosk *k, int64_t now)
{
	k->now = now;
	build(k);
	idle_return(k);
	power(k);
	draw_if_changed(k);
}

void kiosk_wait(struct kiosk *k, int timeout_ms)
{
	double until = os_mono_s() + timeout_ms / 1000.0;
	for (;;) {
		double left = until - os_mono_s();
		if (left <= 0 || k->s.quit)
			return;
		bool meter = (k->v.recording &&
			      (k->s.screen == VIEW_RECORDING || k->s.screen == VIEW_SETTINGS)) ||
			     kiosk_settings_live(&k->set);
		bool scan = kiosk_scan_active(k->scan);
		int wait = (int)(left * 1000) + 1;
		if (meter && wait > METER_MS)
			wait = METER_MS;
		if (scan && wait > SCAN_MS)
			wait = SCAN_MS;
		struct view_event ev;
		if (screen_next_event(k->d.screen, wait, &ev) == 1) {
			kiosk_handle(k, &ev, (int64_t)time(NULL));
		} else {
			if (meter || k->s.tap_at > 0)
				refresh_live(k);
			if (scan) {
				k->now = (int64_t)time(NULL);
				if (qr_reads(k))
					build(k);
				else
					kiosk_scan_show(k->scan, k->clock(), &k->v);
			}
		}
		draw_if_changed(k);
		if (signal_stop)
			return;
	}
}

const struct view *kiosk_view(const struct kiosk *k)
{
	return &k->v;
}

bool kiosk_quit(const struct kiosk *k)
{
	return k->s.quit;
}

void kiosk_release_mic(struct kiosk *k)
{
	if (k)
		kiosk_settings_release_mic(&k->set);
}

const char *kiosk_audio_device(const struct kiosk *k)
{
	return k ? kiosk_settings_audio_device(&k->set) : NULL;
}

int kiosk_backlight(const struct kiosk *k)
{
	return k->set.bl.percent;
}

double kiosk_tap_latency_ms(const struct kiosk *k)
{
	return k->s.latency_ms;
}

double kiosk_checkin_confirm_ms(const struct kiosk *k)
{
	return k->s.checkin.confirm_ms;
}
