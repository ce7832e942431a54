/*
 * test_kiosk.c — the screen's view model and what its events do, against a real store,
 * schedule and controller (file twin microphone) and the null screen: room state, card,
 * agenda and cadence from a calendar; start/stop/pause and tags from taps; the PIN lock-out;
 * check-in search and walk-ins; retry of a failed upload; messages with advice; no redraw
 * while nothing changes.
 */
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/app.h"
#include "lectern/app_audio.h"
#include "lectern/backlight.h"
#include "lectern/config.h"
#include "lectern/controller.h"
#include "lectern/kiosk.h"
#include "lectern/kiosk_view.h"
#include "lectern/log.h"
#include "lectern/pinhash.h"
#include "lectern/schedule.h"
#include "lectern/screen.h"
#include "lectern/store.h"
#include "lectern/utf8.h"

struct ctx {
	char dir[64];
	struct config cfg;
	struct store *st;
	struct schedule *sched;
	struct controller *ctl;
	struct screen *screen;
	struct kiosk *k;
	int64_t t0;
	char tone[PATH_MAX];
	bool mic;
};

/* The microphone: silence, or (for the settings meter) a tone at -6 dBFS from `user`. */
static double fake_now = 1000;
static double fake_clock(void)
{
	return fake_now;
}

static lt_err open_twin(void *user, struct audio_source **out)
{
	const char *tone = user;
	struct audio_source_params p = {.device = tone ? tone : "/dev/zero", .rate = 48000,
					.channels = 1, .period_ms = 20, .realtime = true,
					.loop = true};
	char msg[128];
	return audio_source_open(&audio_file_ops, &p, out, msg, sizeof msg);
}

static void stamp(int64_t t, char *buf, size_t n)
{
	time_t ts = (time_t)t;
	strftime(buf, n, "%Y%m%dT%H%M%SZ", gmtime(&ts));
}

/* A session on now (with invitees), one starting in 10 min, a weekly series in two days. */
static void write_calendar(struct ctx *c, bool on_now)
{
	char path[PATH_MAX], a[32], b[32], s[32], e[32], w1[32], w2[32];
	snprintf(path, sizeof path, "%s/cal.ics", c->dir);
	stamp(c->t0 - 600, a, sizeof a);
	stamp(c->t0 + 300, b, sizeof b);
	stamp(c->t0 + 600, s, sizeof s);
	stamp(c->t0 + 1200, e, sizeof e);
	stamp(c->t0 + 2 * 86400, w1, sizeof w1);
	stamp(c->t0 + 2 * 86400 + 3600, w2, sizeof w2);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n");
	if (on_now)
		fprintf(fp, "BEGIN:VEVENT\r\nUID:now@t\r\nDTSTART:%s\r\nDTEND:%s\r\n"
			    "SUMMARY:Лекция о записи\r\n"
			    "ORGANIZER;CN=Анастасия Кузнецова:mailto:a@example.org\r\n"
			    "ATTENDEE;CN=Zoë Ångström:mailto:z@example.org\r\n"
			    "ATTENDEE;CN=Γιώργος Παπαδόπουλος:mailto:g@example.org\r\n"
			    "ATTENDEE:mailto:nobody@example.org\r\nEND:VEVENT\r\n",
			a, b);
	fprintf(fp, "BEGIN:VEVENT\r\nUID:soon@t\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Next talk\r\n"
		    "END:VEVENT\r\n", s, e);
	fprintf(fp, "BEGIN:VEVENT\r\nUID:weekly@t\r\nDTSTART:%s\r\nDTEND:%s\r\n"
		    "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Brown bag\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		w1, w2);
	fclose(fp);
	snprintf(c->cfg.schedule_ics, sizeof c->cfg.schedule_ics, "%s", path);
}

static lt_err make_kiosk(struct ctx *c)
{
	struct kiosk_deps d = {.cfg = &c->cfg, .st = c->st, .sched = c->sched, .ctl = c->ctl,
			       .screen = c->screen, .mic_name = "test twin", .mic_present = c->mic,
			       .open_audio = open_twin, .audio_user = c->tone, .clock = fake_clock};
	lt_err err = kiosk_create(&d, &c->k);
	if (err == LT_OK)
		kiosk_tick(c->k, c->t0);
	return err;
}

/* The appliance restarts: a new kiosk on the same store. */
static void restart_kiosk(struct ctx *c)
{
	kiosk_destroy(c->k);
	c->k = NULL;
	assert_int_equal(make_kiosk(c), LT_OK);
}

static int setup_with(void **state, bool on_now, bool mic)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	if (!tu_temp_config(c->dir, sizeof c->dir, "kiosk", &c->cfg))
		return -1;
	snprintf(c->cfg.ui_backlight, sizeof c->cfg.ui_backlight, "none");
	c->cfg.auto_record = 0;
	c->cfg.min_free_mb = 0;
	c->cfg.ui_shift_min = 0;
	/* a provisioned box's PIN: the sample 1234 opens nothing (test_sample_pin_refused) */
	snprintf(c->cfg.ui_pin, sizeof c->cfg.ui_pin, "2580");
	c->t0 = (int64_t)time(NULL);
	write_calendar(c, on_now);
	char db[PATH_MAX], why[256];
	snprintf(db, sizeof db, "%s/lectern.db", c->dir);
	if (store_open(db, &c->st) != LT_OK || schedule_open(&c->cfg, c->st, &c->sched) != LT_OK ||
	    schedule_refresh(c->sched, c->t0, true, why, sizeof why) != LT_OK ||
	    controller_create(&c->cfg, c->st, c->sched, open_twin, NULL, &c->ctl) != LT_OK ||
	    screen_open(&screen_null_ops, NULL, &c->screen, why, sizeof why) != LT_OK)
		return -1;
	/* 1 s of 1 kHz at half scale, raw S16LE mono */
	snprintf(c->tone, sizeof c->tone, "%s/tone.raw", c->dir);
	FILE *fp = fopen(c->tone, "wb");
	for (int i = 0; fp && i < 48000; i++) {
		int16_t x = (int16_t)(16384 * sin(2 * M_PI * 1000 * i / 48000.0));
		fwrite(&x, sizeof x, 1, fp);
	}
	if (!fp || fclose(fp) != 0)
		return -1;
	c->mic = mic;
	if (make_kiosk(c) != LT_OK)
		return -1;
	*state = c;
	return 0;
}

static int setup(void **state) { return setup_with(state, true, true); }
static int setup_free(void **state) { return setup_with(state, false, false); }
static int setup_free_mic(void **state) { return setup_with(state, false, true); }

static int teardown(void **state)
{
	struct ctx *c = *state;
	kiosk_destroy(c->k);
	controller_destroy(c->ctl);
	screen_close(c->screen);
	schedule_close(c->sched);
	store_close(c->st);
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

static void post_event(struct ctx *c, enum view_event_type type, int64_t arg)
{
	struct view_event ev = {.type = type, .arg = arg};
	kiosk_handle(c->k, &ev, c->t0);
}

static void type(struct ctx *c, const char *text)
{
	struct view_event ev = {.type = EV_KEY};
	snprintf(ev.text, sizeof ev.text, "%s", text);
	kiosk_handle(c->k, &ev, c->t0);
}

static void test_home_from_calendar(void **state)
{
	struct ctx *c = *state;
	const struct view *v = kiosk_view(c->k);
	assert_int_equal(v->screen, VIEW_HOME);
	assert_int_equal(v->room_state, ROOM_IN_SESSION);
	assert_true(v->has_card);
	assert_string_equal(v->card.title, "Лекция о записи");
	assert_string_equal(v->card.presenter, "Анастасия Кузнецова");
	assert_true(v->n_agenda >= 1);
	assert_true(v->has_cadence);
	assert_string_equal(v->cadence.title, "Brown bag");
	assert_string_equal(v->cadence_label, "Next brown bag");
	assert_true(v->mic_present);
	assert_int_equal(v->queue_waiting, 0);
}

static void test_calendar_change_shows(void **state)
{
	struct ctx *c = *state;
	assert_string_equal(kiosk_view(c->k)->card.title, "Лекция о записи");
	/* the session on now is cancelled: the next calendar has only the later ones */
	write_calendar(c, false);
	char why[256];
	assert_int_equal(schedule_refresh(c->sched, c->t0 + 1, true, why, sizeof why), LT_OK);
	kiosk_tick(c->k, c->t0 + 1);
	assert_string_equal(kiosk_view(c->k)->card.title, "Next talk");
	assert_int_equal(kiosk_view(c->k)->room_state, ROOM_STARTS_SOON);
}

static void test_free_and_soon(void **state)
{
	struct ctx *c = *state;
	const struct view *v = kiosk_view(c->k);
	assert_int_equal(v->room_state, ROOM_STARTS_SOON);
	assert_int_equal(v->starts_in_min, 10);
	assert_string_equal(v->card.title, "Next talk");
	kiosk_tick(c->k, c->t0 - 3600);
	assert_int_equal(kiosk_view(c->k)->room_state, ROOM_FREE);
	/* no microphone: said in plain words, with what to do */
	assert_true(v->n_messages >= 1);
	assert_string_equal(v->messages[0].text, "No microphone");
	assert_non_null(strstr(v->messages[0].advice, "Plug"));
}

static void test_record_tags_stop(void **state)
{
	struct ctx *c = *state;
	post_event(c, EV_START_RECORDING, 0);
	const struct view *v = kiosk_view(c->k);
	assert_int_equal(v->screen, VIEW_RECORDING);
	assert_true(v->recording);
	assert_int_equal(v->room_state, ROOM_RECORDING);
	assert_string_equal(v->rec_title, "Лекция о записи"); /* the session on now */
	int64_t id;
	assert_true(controller_recording(c->ctl, &id));
	usleep(300 * 1000);
	kiosk_tick(c->k, c->t0 + 1);
	assert_true(kiosk_tap_latency_ms(c->k) >= 0);
	assert_true(kiosk_tap_latency_ms(c->k) < 1000);

	post_event(c, EV_TAG_TOGGLE, 1);           /* "demo" */
	post_event(c, EV_KEYBOARD, 1);
	type(c, "ü");
	type(c, "x");
	type(c, "y");
	post_event(c, EV_BACKSPACE, 0);
	assert_string_equal(kiosk_view(c->k)->free_tag, "üx");
	post_event(c, EV_KEYBOARD, 0);             /* adds the free tag, on */
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	assert_string_equal(r.tags, "demo,üx");

	post_event(c, EV_PAUSE, 0);
	kiosk_tick(c->k, c->t0 + 2);
	assert_true(kiosk_view(c->k)->paused);
	post_event(c, EV_RESUME, 0);

	post_event(c, EV_STOP_RECORDING, 0);
	v = kiosk_view(c->k);
	assert_int_equal(v->screen, VIEW_HOME);
	assert_false(v->recording);
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	assert_int_equal(r.state, REC_QUEUED);
	assert_int_equal(v->queue_waiting, 1);
	assert_int_equal(v->n_uploads, 1);
	assert_string_equal(v->uploads[0].state, "queued");
}

/* One PIN typed and submitted with OK. */
static void type_pin(struct ctx *c, const char *digits)
{
	for (const char *d = digits; *d; d++)
		post_event(c, EV_PIN_DIGIT, *d - '0');
	post_event(c, EV_PIN_OK, 0);
}

/* Three wrong PINs (the configured one is 2580). */
static void wrong_round(struct ctx *c)
{
	for (int round = 0; round < 3; round++)
		type_pin(c, "9999");
}

static void right_pin(struct ctx *c)
{
	type_pin(c, "2580");
}

static void test_pin(void **state)
{
	struct ctx *c = *state;
	post_event(c, EV_SHOW, VIEW_PIN);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	wrong_round(c);
	const struct view *v = kiosk_view(c->k);
	assert_int_equal(v->screen, VIEW_PIN);
	assert_true(v->pin_locked_until >= c->t0 + 59);
	/* locked: even the right PIN does nothing */
	right_pin(c);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	/* a minute later the right PIN opens settings, on OK only */
	c->t0 += 61;
	post_event(c, EV_PIN_DIGIT, 2);
	post_event(c, EV_PIN_DIGIT, 5);
	assert_int_equal(kiosk_view(c->k)->pin_len, 2);
	post_event(c, EV_PIN_DIGIT, 8);
	post_event(c, EV_PIN_DIGIT, 0);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	assert_int_equal(kiosk_view(c->k)->pin_len, 4);
	post_event(c, EV_PIN_OK, 0);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_SETTINGS);
	/* the live meter hears the microphone while nothing records, and lets go of it after */
	usleep(400 * 1000);
	kiosk_tick(c->k, c->t0 + 1);
	assert_true(kiosk_view(c->k)->rms_db > -12);
	assert_true(kiosk_view(c->k)->peak_db > -8);
	assert_true(kiosk_mic_held(c->k)); /* lectern run's health figures ask no probe now */
	/* no camera here: [camera] source = auto previews the twin's test pattern, and says so */
	snprintf(c->cfg.camera_device, sizeof c->cfg.camera_device, "%s/no-video0", c->dir);
	for (int i = 0; i < 10 && !kiosk_view(c->k)->camera_frame; i++) {
		fake_now += 0.2;
		kiosk_wait(c->k, 150);
	}
	const struct view *cv = kiosk_view(c->k);
	assert_true(cv->camera_present);
	assert_true(cv->camera_frame > 0);
	assert_int_equal(cv->camera_w, VIEW_CAMERA_W);
	assert_non_null(strstr(cv->camera_name, "no camera"));
	post_event(c, EV_SHOW, VIEW_HOME);
	assert_true(kiosk_view(c->k)->rms_db <= -90);
	assert_false(kiosk_view(c->k)->camera_present);
	assert_false(kiosk_mic_held(c->k));
	post_event(c, EV_BRIGHTNESS, 150);
	assert_int_equal(kiosk_view(c->k)->brightness, 100);
	post_event(c, EV_BRIGHTNESS, 40);
	assert_int_equal(kiosk_view(c->k)->brightness, 40);
}

/* Each round of wrong PINs locks longer (1 min, 5 min, 30 min, 2 h, 2 h ...) until the right
 * PIN; then it starts again at a minute. */
static void test_pin_lockout_grows(void **state)
{
	struct ctx *c = *state;
	static const int64_t locks[] = {60, 300, 1800, 7200, 7200};
	post_event(c, EV_SHOW, VIEW_PIN);
	for (size_t i = 0; i < sizeof locks / sizeof locks[0]; i++) {
		wrong_round(c);
		kiosk_tick(c->k, c->t0);
		assert_int_equal(kiosk_view(c->k)->pin_locked_until, c->t0 + locks[i]);
		/* a second before it ends, even the right PIN does nothing */
		c->t0 += locks[i] - 1;
		right_pin(c);
		assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
		c->t0 += 1;
	}
	right_pin(c);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_SETTINGS);
	post_event(c, EV_SHOW, VIEW_PIN);
	wrong_round(c);
	kiosk_tick(c->k, c->t0);
	assert_int_equal(kiosk_view(c->k)->pin_locked_until, c->t0 + 60);
}

/* Pulling the plug resets neither the count of wrong PINs nor the lock. */
static void test_pin_lockout_survives_restart(void **state)
{
	struct ctx *c = *state;
	post_event(c, EV_SHOW, VIEW_PIN);
	for (int round = 0; round < 2; round++)
		type_pin(c, "9999");
	restart_kiosk(c);
	assert_int_equal(kiosk_view(c->k)->pin_tries_left, 1);
	post_event(c, EV_SHOW, VIEW_PIN);
	type_pin(c, "9999");
	restart_kiosk(c);
	assert_int_equal(kiosk_view(c->k)->pin_locked_until, c->t0 + 60);
	post_event(c, EV_SHOW, VIEW_PIN);
	right_pin(c);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	/* The next round after the restart is the second one: 5 minutes. */
	c->t0 += 61;
	wrong_round(c);
	restart_kiosk(c);
	assert_int_equal(kiosk_view(c->k)->pin_locked_until, c->t0 + 300);
	/* A clock set back (no RTC before NTP) never locks longer than the longest lock-out. */
	char far[48];
	snprintf(far, sizeof far, "6 %lld", (long long)c->t0 + 30 * 86400);
	assert_int_equal(store_kv_set(c->st, "pin.lockout", far), LT_OK);
	restart_kiosk(c);
	assert_true(kiosk_view(c->k)->pin_locked_until <= (int64_t)time(NULL) + 7200);
	assert_true(kiosk_view(c->k)->pin_locked_until > c->t0);
}

/* An empty [ui] pin keeps settings locked, and says so; nothing opens settings but the PIN. */
static void test_empty_pin_keeps_settings_locked(void **state)
{
	struct ctx *c = *state;
	post_event(c, EV_SHOW, VIEW_SETTINGS);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	c->cfg.ui_pin[0] = '\0';
	restart_kiosk(c);
	post_event(c, EV_SHOW, VIEW_PIN);
	const struct view *v = kiosk_view(c->k);
	assert_int_equal(v->screen, VIEW_PIN);
	assert_true(v->pin_unset);
	for (int d = 0; d < 10; d++)
		post_event(c, EV_PIN_DIGIT, d);
	post_event(c, EV_SHOW, VIEW_SETTINGS);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	assert_int_equal(kiosk_view(c->k)->pin_len, 0);
}

/* The keypad does not react at the PIN's length: digits collect (up to 8) until OK, and a
 * PIN that is a prefix or an extension of the right one is wrong. */
static void test_pin_ok_key(void **state)
{
	struct ctx *c = *state;
	post_event(c, EV_SHOW, VIEW_PIN);
	for (int i = 0; i < 12; i++)
		post_event(c, EV_PIN_DIGIT, 2);
	assert_int_equal(kiosk_view(c->k)->pin_len, 8);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	post_event(c, EV_PIN_CLEAR, 0);
	/* OK with nothing typed is not a try */
	post_event(c, EV_PIN_OK, 0);
	assert_int_equal(kiosk_view(c->k)->pin_tries_left, KIOSK_PIN_TRIES);
	type_pin(c, "258");
	assert_int_equal(kiosk_view(c->k)->pin_tries_left, KIOSK_PIN_TRIES - 1);
	assert_int_equal(kiosk_view(c->k)->pin_len, 0);
	type_pin(c, "25800");
	assert_int_equal(kiosk_view(c->k)->pin_tries_left, KIOSK_PIN_TRIES - 2);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	right_pin(c);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_SETTINGS);
}

/* The sample PIN 1234 never opens settings: the keypad is refused and says so, and the home
 * screen tells IT what to run. */
static void test_sample_pin_refused(void **state)
{
	struct ctx *c = *state;
	snprintf(c->cfg.ui_pin, sizeof c->cfg.ui_pin, "1234");
	snprintf(c->cfg.room, sizeof c->cfg.room, "Room 4.01");
	restart_kiosk(c);
	post_event(c, EV_SHOW, VIEW_PIN);
	const struct view *v = kiosk_view(c->k);
	assert_true(v->pin_default);
	assert_false(v->pin_unset);
	type_pin(c, "1234");
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	assert_int_equal(kiosk_view(c->k)->pin_len, 0);
	/* refused, not counted as a wrong PIN */
	assert_int_equal(kiosk_view(c->k)->pin_tries_left, KIOSK_PIN_TRIES);
	post_event(c, EV_SHOW, VIEW_HOME);
	v = kiosk_view(c->k);
	bool said = false;
	for (int i = 0; i < v->n_messages; i++)
		said = said || (strstr(v->messages[i].text, "sample PIN") &&
				strstr(v->messages[i].text, "Room 4.01") &&
				strstr(v->messages[i].advice, "sudo lectern provision --pin"));
	assert_true(said);
	/* a box with the default room is "not provisioned", with the command to run */
	snprintf(c->cfg.room, sizeof c->cfg.room, "Room");
	restart_kiosk(c);
	v = kiosk_view(c->k);
	said = false;
	for (int i = 0; i < v->n_messages; i++)
		said = said || (strstr(v->messages[i].text, "Not provisioned") &&
				strstr(v->messages[i].advice, "sudo lectern provision --room"));
	assert_true(said);
	/* provisioned with another PIN: the message is gone */
	snprintf(c->cfg.room, sizeof c->cfg.room, "Room 4.01");
	snprintf(c->cfg.ui_pin, sizeof c->cfg.ui_pin, "2580");
	restart_kiosk(c);
	v = kiosk_view(c->k);
	for (int i = 0; i < v->n_messages; i++) {
		assert_null(strstr(v->messages[i].text, "provisioned"));
		assert_null(strstr(v->messages[i].text, "sample PIN"));
	}
}

/* [ui] pin_file: the hash rules (the plain pin is ignored), read at every OK so a new PIN
 * counts without a restart; a hashed 1234 is refused too; an unusable file opens nothing. */
static void test_hashed_pin(void **state)
{
	struct ctx *c = *state;
	char path[PATH_MAX], hash[PINHASH_MAX_LEN + 1];
	snprintf(path, sizeof path, "%s/pin.hash", c->dir);
	assert_int_equal(pinhash_make("97531", PINHASH_MIN_ITER, hash, PINHASH_MAX_LEN), LT_OK);
	strcat(hash, "\n");
	assert_true(tu_write_file(path, hash, strlen(hash)));
	chmod(path, 0600);
	snprintf(c->cfg.ui_pin_file, sizeof c->cfg.ui_pin_file, "%s", path);
	snprintf(c->cfg.ui_pin, sizeof c->cfg.ui_pin, "1234"); /* ignored now */
	restart_kiosk(c);
	post_event(c, EV_SHOW, VIEW_PIN);
	assert_false(kiosk_view(c->k)->pin_default);
	unsigned long compares = pinhash_compare_count();
	type_pin(c, "2580");
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	assert_int_equal(kiosk_view(c->k)->pin_tries_left, KIOSK_PIN_TRIES - 1);
	assert_true(pinhash_compare_count() > compares);
	type_pin(c, "97531");
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_SETTINGS);
	/* a new hash is used at the next OK */
	assert_int_equal(pinhash_make("1234", PINHASH_MIN_ITER, hash, PINHASH_MAX_LEN), LT_OK);
	strcat(hash, "\n");
	assert_true(tu_write_file(path, hash, strlen(hash)));
	post_event(c, EV_SHOW, VIEW_PIN);
	type_pin(c, "1234");
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	/* an unreadable or malformed file: nothing opens, and no try is counted */
	int left = kiosk_view(c->k)->pin_tries_left;
	assert_true(tu_write_file(path, "garbage\n", 8));
	type_pin(c, "97531");
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_PIN);
	assert_int_equal(kiosk_view(c->k)->pin_tries_left, left);
}

static void post_at(struct ctx *c, enum view_event_type type, int64_t arg, int64_t now)
{
	struct view_event ev = {.type = type, .arg = arg};
	kiosk_handle(c->k, &ev, now);
}

/* The index of `name` in the check-in list shown, -1 when it is not there. */
static int listed(const struct view *v, const char *name)
{
	for (int i = 0; i < v->n_invitees; i++)
		if (strcmp(v->invitees[i].name, name) == 0)
			return i;
	return -1;
}

static int store_count(struct ctx *c, const char *key)
{
	return store_checkin_count(c->st, key, 0);
}

/*
 * Check-in through the screen, in names mode: the session on (check-in for the next one opens
 * only 5 min before it here), a tap, a duplicate refused with its time, undo within 10 s and
 * not after, a walk-in, a guest; the count on screen is the store's, and survives a restart
 * with the marks.
 */
static void test_checkin(void **state)
{
	struct ctx *c = *state;
	c->cfg.checkin_open_before_min = 5;
	snprintf(c->cfg.attendance, sizeof c->cfg.attendance, "names");
	snprintf(c->cfg.checkin_consent, sizeof c->cfg.checkin_consent,
		 "Your name is kept for 30 days.");
	restart_kiosk(c);
	char key[320];
	snprintf(key, sizeof key, "now@t@%lld", (long long)(c->t0 - 600));
	post_event(c, EV_SHOW, VIEW_CHECKIN);
	const struct view *v = kiosk_view(c->k);
	assert_int_equal(v->screen, VIEW_CHECKIN);
	assert_true(v->checkin_open);
	assert_false(v->checkin_off);
	assert_string_equal(v->checkin_title, "Лекция о записи");
	assert_string_equal(v->checkin_consent, "Your name is kept for 30 days.");
	assert_int_equal(v->n_invitees, 3);
	assert_string_equal(v->invitees[0].name, "Zoë Ångström");
	assert_string_equal(v->invitees[1].name, "Γιώργος Παπαδόπουλος");
	assert_string_equal(v->invitees[2].name, "nobody@example.org");
	/* Accents and case do not matter when searching. */
	type(c, "a");
	type(c, "n");
	type(c, "g");
	assert_int_equal(v->n_invitees, 1);
	assert_string_equal(v->invitees[0].name, "Zoë Ångström");
	post_event(c, EV_BACKSPACE, 0);
	post_event(c, EV_BACKSPACE, 0);
	post_event(c, EV_BACKSPACE, 0);
	type(c, "Γι");
	assert_int_equal(v->n_invitees, 1);
	assert_true(kiosk_checkin_confirm_ms(c->k) < 0);
	post_event(c, EV_CHECKIN_TOGGLE, 0);
	assert_int_equal(v->checkin_note, CHECKIN_NOTE_OK);
	assert_string_equal(v->checkin_note_text, "Welcome, Γιώργος");
	kiosk_tick(c->k, c->t0);                             /* drawn: the time it took */
	assert_true(kiosk_checkin_confirm_ms(c->k) >= 0);
	assert_true(v->checkin_undo);
	assert_int_equal(v->checked_in, 1);
	assert_int_equal(store_count(c, key), 1);
	assert_string_equal(v->search, "");                 /* ready for the next person */
	assert_int_equal(v->n_invitees, 3);
	assert_true(v->invitees[1].checked_in);
	/* Undo within 10 s: gone from the store and the list. */
	post_at(c, EV_CHECKIN_UNDO, 0, c->t0 + 9);
	assert_int_equal(store_count(c, key), 0);
	assert_int_equal(v->checked_in, 0);
	assert_false(v->invitees[1].checked_in);
	assert_false(v->checkin_undo);
	assert_string_equal(v->checkin_note_text, "Check-in undone");
	/* Again; a second tap: refused, with the time of the first, and no Undo offered (it
	 * would take back the check-in before). */
	post_at(c, EV_CHECKIN_TOGGLE, 1, c->t0 + 20);
	assert_int_equal(store_count(c, key), 1);
	assert_true(v->checkin_undo);
	post_at(c, EV_CHECKIN_TOGGLE, 1, c->t0 + 22);
	char want[64], at[16];
	time_t t = (time_t)(c->t0 + 20);
	strftime(at, sizeof at, "%H:%M", localtime(&t));
	snprintf(want, sizeof want, "Already checked in at %s", at);
	assert_int_equal(v->checkin_note, CHECKIN_NOTE_REFUSED);
	assert_string_equal(v->checkin_note_text, want);
	assert_false(v->checkin_undo);
	post_at(c, EV_CHECKIN_UNDO, 0, c->t0 + 23);
	assert_int_equal(store_count(c, key), 1);
	/* Undo too late: the confirmation goes after a few seconds, Undo after 10. */
	type(c, "Z");
	post_at(c, EV_CHECKIN_TOGGLE, 0, c->t0 + 30);
	assert_int_equal(store_count(c, key), 2);
	kiosk_tick(c->k, c->t0 + 30 + KIOSK_CHECKIN_NOTE_S);
	assert_int_equal(v->checkin_note, CHECKIN_NOTE_NONE);
	assert_true(v->checkin_undo);
	kiosk_tick(c->k, c->t0 + 40);
	assert_false(v->checkin_undo);
	post_at(c, EV_CHECKIN_UNDO, 0, c->t0 + 40);
	assert_int_equal(store_count(c, key), 2);
	/* A walk-in, typed; a guest. */
	type(c, "K");
	type(c, "i");
	type(c, "m");
	post_at(c, EV_WALK_IN, 0, c->t0 + 45);
	assert_string_equal(v->checkin_note_text, "Welcome, Kim");
	assert_int_equal(v->checked_in, 3);
	assert_int_equal(v->n_invitees, 4);
	assert_string_equal(v->invitees[3].name, "Kim");
	assert_true(v->invitees[3].checked_in);
	post_at(c, EV_CHECKIN_GUEST, 0, c->t0 + 50);
	assert_string_equal(v->checkin_note_text, "Welcome, guest");
	assert_int_equal(v->checked_in, 4);
	assert_int_equal(store_count(c, key), 4);
	/* The clock stepped back 25 s: no Undo offered, none taken (the next person would
	 * otherwise take this one back for as long as the step). */
	kiosk_tick(c->k, c->t0 + 25);
	assert_false(v->checkin_undo);
	post_at(c, EV_CHECKIN_UNDO, 0, c->t0 + 25);
	assert_int_equal(store_count(c, key), 4);
	/* An invitee's name typed is that invitee: a duplicate, not a new walk-in. */
	for (const char *p = "γιώργος παπαδόπουλος"; *p;) {
		char ch[8];
		size_t len = (size_t)(utf8_next(p) - p);
		snprintf(ch, sizeof ch, "%.*s", (int)len, p);
		type(c, ch);
		p += len;
	}
	post_at(c, EV_WALK_IN, 0, c->t0 + 60);
	assert_int_equal(v->checkin_note, CHECKIN_NOTE_REFUSED);
	assert_int_equal(store_count(c, key), 4);
	/* The session is stored with its snapshot. */
	struct store_checkin_session ss;
	assert_int_equal(store_checkin_session_get(c->st, key, &ss), LT_OK);
	assert_string_equal(ss.title, "Лекция о записи");
	assert_string_equal(ss.presenter, "Анастасия Кузнецова");
	/* A restart: the count and the marks come back from the store. */
	restart_kiosk(c);
	post_event(c, EV_SHOW, VIEW_CHECKIN);
	v = kiosk_view(c->k);
	assert_int_equal(v->checked_in, 4);
	assert_true(v->invitees[listed(v, "Γιώργος Παπαδόπουλος")].checked_in);
	assert_true(v->invitees[listed(v, "Zoë Ångström")].checked_in);
	assert_false(v->invitees[listed(v, "nobody@example.org")].checked_in);
}

/* Which session: with the default window (15 min before) the next talk, starting in 10 min,
 * takes check-in from the one ending in 5; with none open the screen says when it opens. */
static void test_checkin_window(void **state)
{
	struct ctx *c = *state;
	post_event(c, EV_SHOW, VIEW_CHECKIN);
	const struct view *v = kiosk_view(c->k);
	assert_true(v->checkin_open);
	assert_string_equal(v->checkin_title, "Next talk");
	assert_int_equal(v->n_invitees, 0);
	c->cfg.checkin_open_before_min = 2;
	c->cfg.checkin_open_after_min = 0;
	kiosk_tick(c->k, c->t0 + 300);                  /* the first ended, the next not open */
	assert_false(v->checkin_open);
	assert_true(v->checkin_opens_at == c->t0 + 600 - 120);
	post_at(c, EV_CHECKIN_GUEST, 0, c->t0 + 300);
	assert_int_equal(v->checkin_note, CHECKIN_NOTE_REFUSED);
	assert_non_null(strstr(v->checkin_note_text, "Check-in opens at"));
	assert_int_equal(v->checked_in, 0);
	kiosk_tick(c->k, c->t0 + 600 - 120);            /* opens 2 min before its start */
	assert_true(v->checkin_open);
	assert_string_equal(v->checkin_title, "Next talk");
}

/* Count mode: the screen works, says "Checked in", and stores no name. */
static void test_checkin_count_mode(void **state)
{
	struct ctx *c = *state;
	c->cfg.checkin_open_before_min = 5;
	char key[320];
	snprintf(key, sizeof key, "now@t@%lld", (long long)(c->t0 - 600));
	post_event(c, EV_SHOW, VIEW_CHECKIN);
	const struct view *v = kiosk_view(c->k);
	post_event(c, EV_CHECKIN_TOGGLE, 0);
	assert_string_equal(v->checkin_note_text, "Checked in");
	type(c, "K");
	type(c, "i");
	type(c, "m");
	post_event(c, EV_WALK_IN, 0);
	assert_int_equal(v->checked_in, 2);
	assert_string_equal(v->checkin_note_text, "Checked in");
	assert_int_equal(listed(v, "Kim"), -1);              /* no typed name stays on screen */
	struct store_checkin sc;
	assert_int_equal(store_checkin_get(c->st, 1, &sc), LT_OK);
	assert_string_equal(sc.name, "");
	assert_string_equal(sc.email, "");
	assert_int_equal(strlen(sc.person), 64);
	assert_int_equal(store_checkin_get(c->st, 2, &sc), LT_OK);
	assert_string_equal(sc.name, "");
	assert_string_equal(sc.method, "walkin");
	/* Still a duplicate. */
	post_event(c, EV_CHECKIN_TOGGLE, 0);
	assert_int_equal(v->checkin_note, CHECKIN_NOTE_REFUSED);
	assert_int_equal(store_count(c, key), 2);
}

/* Mode none: the screen says check-in is off, and nothing is stored. */
static void test_checkin_off(void **state)
{
	struct ctx *c = *state;
	snprintf(c->cfg.attendance, sizeof c->cfg.attendance, "none");
	restart_kiosk(c);
	post_event(c, EV_SHOW, VIEW_CHECKIN);
	const struct view *v = kiosk_view(c->k);
	assert_true(v->checkin_off);
	assert_false(v->checkin_open);
	assert_int_equal(v->n_invitees, 0);
	post_event(c, EV_CHECKIN_GUEST, 0);
	assert_string_equal(v->checkin_note_text, "Check-in is off on this device");
	assert_int_equal(v->checked_in, 0);
	struct store_checkin sc;
	assert_int_equal(store_checkin_get(c->st, 1, &sc), LT_ERR_NOT_FOUND);
}

/* A calendar of 5000 ATTENDEEs (more than the list holds): the room's roster still has its
 * place, so that a badge on it is checked in, not "not on the list". */
static void test_checkin_huge_calendar(void **state)
{
	struct ctx *c = *state;
	c->cfg.checkin_open_before_min = 5;
	snprintf(c->cfg.checkin_roster, sizeof c->cfg.checkin_roster, "%s/roster.csv", c->dir);
	static const char csv[] = "name,email,badge\nÉmilie Dubois,emilie@example.org,B-7\n";
	assert_true(tu_write_file(c->cfg.checkin_roster, csv, sizeof csv - 1));
	char path[PATH_MAX], a[32], b[32], why[256];
	snprintf(path, sizeof path, "%s/cal.ics", c->dir);
	stamp(c->t0 - 600, a, sizeof a);
	stamp(c->t0 + 300, b, sizeof b);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nBEGIN:VEVENT\r\nUID:now@t\r\n"
		    "DTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Big\r\n", a, b);
	for (int i = 0; i < 5000; i++)
		fprintf(fp, "ATTENDEE;CN=Person %d:mailto:p%d@example.org\r\n", i, i);
	fprintf(fp, "END:VEVENT\r\nEND:VCALENDAR\r\n");
	fclose(fp);
	assert_int_equal(schedule_refresh(c->sched, c->t0, true, why, sizeof why), LT_OK);
	restart_kiosk(c);
	post_event(c, EV_SHOW, VIEW_CHECKIN);
	const struct view *v = kiosk_view(c->k);
	assert_true(v->checkin_open);
	struct checkin_who badge = {.badge = "B-7"};
	kiosk_check_in_qr(c->k, &badge, false, c->t0 + 1);
	assert_int_equal(v->checkin_note, CHECKIN_NOTE_OK);
	assert_int_equal(v->checked_in, 1);
	struct checkin_who first = {.email = "p0@example.org"};
	kiosk_check_in_qr(c->k, &first, false, c->t0 + 2);
	assert_int_equal(v->checkin_note, CHECKIN_NOTE_OK);
	assert_int_equal(v->checked_in, 2);
}

/* The room's roster file joins the invitees: found by typing, checked in like them. */
static void test_checkin_roster_file(void **state)
{
	struct ctx *c = *state;
	c->cfg.checkin_open_before_min = 5;
	snprintf(c->cfg.checkin_roster, sizeof c->cfg.checkin_roster, "%s/roster.csv", c->dir);
	static const char csv[] = "name,email,badge\nÉmilie Dubois,emilie@example.org,B-7\n"
				  "broken row without an address,nope,\n"
				  "Zoë Ångström,z@example.org,B-8\n";
	assert_true(tu_write_file(c->cfg.checkin_roster, csv, sizeof csv - 1));
	restart_kiosk(c);
	post_event(c, EV_SHOW, VIEW_CHECKIN);
	const struct view *v = kiosk_view(c->k);
	assert_int_equal(v->n_invitees, 3);              /* the session's own, until one types */
	type(c, "e");
	type(c, "m");
	type(c, "i");
	assert_int_equal(v->n_invitees, 1);
	assert_string_equal(v->invitees[0].name, "Émilie Dubois");
	post_event(c, EV_CHECKIN_TOGGLE, 0);
	assert_int_equal(v->checked_in, 1);
	/* A QR badge of the roster (h12-qr's entry point), then of no one. */
	struct checkin_who badge = {.badge = "B-8"};
	kiosk_check_in_qr(c->k, &badge, false, c->t0 + 1);
	assert_int_equal(v->checkin_note, CHECKIN_NOTE_OK);
	assert_int_equal(v->checked_in, 2);
	assert_true(v->invitees[listed(v, "Zoë Ångström")].checked_in);  /* the invitee, merged */
	struct checkin_who stranger = {.email = "eve@example.org"};
	kiosk_check_in_qr(c->k, &stranger, false, c->t0 + 2);
	assert_int_equal(v->checkin_note, CHECKIN_NOTE_REFUSED);
	assert_string_equal(v->checkin_note_text,
			    "This e-mail address is not on the list: type your name");
	assert_int_equal(v->checked_in, 2);
	/* The file changes: read again within a minute, the marks kept (they are the store's). */
	static const char csv2[] = "name,email,badge\nÉmilie Dubois,emilie@example.org,B-7\n"
				   "Farid Haddad,farid@example.org,B-9\n";
	assert_true(tu_write_file(c->cfg.checkin_roster, csv2, sizeof csv2 - 1));
	fake_now += 61;
	kiosk_tick(c->k, c->t0 + 3);
	type(c, "f");
	type(c, "a");
	type(c, "r");
	assert_int_equal(v->n_invitees, 1);
	assert_string_equal(v->invitees[0].name, "Farid Haddad");
	post_event(c, EV_BACKSPACE, 0);
	post_event(c, EV_BACKSPACE, 0);
	post_event(c, EV_BACKSPACE, 0);
	type(c, "d");
	type(c, "u");
	type(c, "b");
	assert_int_equal(v->n_invitees, 1);
	assert_true(v->invitees[0].checked_in);
}

/* A recording started by hand with no session open gets check-in too (adhoc:<uid>). */
static void test_checkin_adhoc(void **state)
{
	struct ctx *c = *state;
	c->cfg.checkin_open_before_min = 5;
	kiosk_tick(c->k, c->t0);
	const struct view *v = kiosk_view(c->k);
	assert_false(v->checkin_open);
	post_event(c, EV_START_RECORDING, 0);
	assert_true(v->recording);
	post_event(c, EV_SHOW, VIEW_CHECKIN);
	assert_true(v->checkin_open);
	assert_string_equal(v->checkin_title, "Untitled recording");
	post_event(c, EV_CHECKIN_GUEST, 0);
	assert_int_equal(v->checked_in, 1);
	struct store_checkin sc;
	assert_int_equal(store_checkin_get(c->st, 1, &sc), LT_OK);
	assert_int_equal(strncmp(sc.session_key, "adhoc:", 6), 0);
	struct store_checkin_session ss;
	assert_int_equal(store_checkin_session_get(c->st, sc.session_key, &ss), LT_OK);
	assert_string_equal(ss.key + 6, ss.recording_uid);
	assert_true(ss.start_s >= c->t0 - 1 && ss.start_s <= c->t0 + 1);
	post_event(c, EV_STOP_RECORDING, 0);
}

/* Idle return: Sessions, Uploads and a check-in that takes nobody go home after [ui]
 * idle_return_s without a touch, and a touch starts the wait again; the recording screen and
 * a check-in that takes people (the ad-hoc session of a recording) stay; 0 never returns. */
static void test_idle_return(void **state)
{
	struct ctx *c = *state;
	c->cfg.ui_dim_after_min = 0;   /* no wake-up touch in the way */
	c->cfg.ui_idle_return_s = 120;
	c->cfg.checkin_open_before_min = 5;   /* the next session's check-in is not open yet */
	const struct view *v = kiosk_view(c->k);
	static const enum view_screen leave[] = {VIEW_SESSIONS, VIEW_UPLOADS, VIEW_CHECKIN,
						 VIEW_PIN, VIEW_SETTINGS};
	for (size_t i = 0; i < sizeof leave / sizeof leave[0]; i++) {
		post_event(c, EV_SHOW, leave[i]);
		if (leave[i] == VIEW_SETTINGS)
			right_pin(c);
		assert_int_equal(v->screen, leave[i]);
		assert_false(v->checkin_open);
		fake_now += 100;
		kiosk_tick(c->k, c->t0);
		assert_int_equal(v->screen, leave[i]);
		post_event(c, EV_ACTIVITY, 0);          /* a touch: the wait starts again */
		fake_now += 119;
		kiosk_tick(c->k, c->t0);
		assert_int_equal(v->screen, leave[i]);
		fake_now += 1;
		kiosk_tick(c->k, c->t0);
		assert_int_equal(v->screen, VIEW_HOME);
	}
	/* settings left open locked again: back in asks for the PIN */
	post_event(c, EV_SHOW, VIEW_SETTINGS);
	assert_int_equal(v->screen, VIEW_PIN);
	post_event(c, EV_SHOW, VIEW_HOME);
	/* the home screen itself stays home, and so does the keyboard's search (gone) */
	assert_false(v->keyboard);
	/* recording: its screen stays, and so does the ad-hoc session's check-in */
	post_event(c, EV_START_RECORDING, 0);
	assert_int_equal(v->screen, VIEW_RECORDING);
	fake_now += 1000;
	kiosk_tick(c->k, c->t0 + 1);
	assert_int_equal(v->screen, VIEW_RECORDING);
	assert_true(v->recording);
	post_event(c, EV_SHOW, VIEW_CHECKIN);
	assert_true(v->checkin_open);
	fake_now += 1000;
	kiosk_tick(c->k, c->t0 + 2);
	assert_int_equal(v->screen, VIEW_CHECKIN);
	/* ... but Sessions opened during a recording goes home like any other time */
	post_event(c, EV_SHOW, VIEW_SESSIONS);
	fake_now += 120;
	kiosk_tick(c->k, c->t0 + 3);
	assert_int_equal(v->screen, VIEW_HOME);
	post_event(c, EV_STOP_RECORDING, 0);
	/* 0: never */
	c->cfg.ui_idle_return_s = 0;
	post_event(c, EV_SHOW, VIEW_UPLOADS);
	fake_now += 100000;
	kiosk_tick(c->k, c->t0 + 4);
	assert_int_equal(v->screen, VIEW_UPLOADS);
}

/* The thank-you card after a stop goes at a tap on it, before its time. */
static void test_thanks_dismissed_by_tap(void **state)
{
	struct ctx *c = *state;
	const struct view *v = kiosk_view(c->k);
	post_event(c, EV_START_RECORDING, 0);
	assert_true(v->recording);
	post_event(c, EV_STOP_RECORDING, 0);
	kiosk_tick(c->k, c->t0 + 1);
	assert_int_equal(v->screen, VIEW_HOME);
	assert_true(v->has_thanks);
	post_event(c, EV_THANKS_DISMISS, 0);
	assert_false(v->has_thanks);
	kiosk_tick(c->k, c->t0 + 2);
	assert_false(v->has_thanks);                    /* and does not come back */
	assert_int_equal(v->screen, VIEW_HOME);
	assert_false(v->recording);                     /* the tap did nothing else */
}

static void test_retry_from_screen(void **state)
{
	struct ctx *c = *state;
	struct recording r = {.started_ms = c->t0 * 1000};
	snprintf(r.path, sizeof r.path, "%s/x.opus", c->dir);
	snprintf(r.title, sizeof r.title, "Old talk");
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_RECORDING, REC_FINALIZING, "t"),
			 LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_FINALIZING, REC_QUEUED, "t"),
			 LT_OK);
	assert_int_equal(store_upload_note(c->st, r.id, 3, (c->t0 + 3600) * 1000,
					   "server.example: connection refused", "", "", 0),
			 LT_OK);
	kiosk_tick(c->k, c->t0);
	const struct view *v = kiosk_view(c->k);
	assert_false(v->server_ok);
	assert_int_equal(v->n_uploads, 1);
	assert_int_equal(v->uploads[0].attempts, 3);
	assert_int_equal(v->uploads[0].next_attempt, c->t0 + 3600);
	assert_string_equal(v->messages[0].text, "Recordings are waiting to upload");
	post_event(c, EV_RETRY, r.id);
	assert_int_equal(kiosk_view(c->k)->uploads[0].next_attempt, 0);
}

static void test_no_redraw_when_idle(void **state)
{
	struct ctx *c = *state;
	int64_t minute = c->t0 - c->t0 % 60 + 60;
	kiosk_tick(c->k, minute);
	/* the widget list is only rewritten with a frame: count frames through it */
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/widgets", c->dir);
	setenv("LECTERN_UI_WIDGETS", path, 1);
	unsigned long posts = screen_null_posts(c->screen);
	for (int s = 1; s < 59; s++)
		kiosk_tick(c->k, minute + s);
	assert_int_equal(access(path, F_OK), -1); /* nothing drawn within the same minute */
	assert_int_equal(screen_null_posts(c->screen), posts);
	kiosk_tick(c->k, minute + 60);
	assert_int_equal(access(path, F_OK), 0);   /* the clock moved: one frame */
	assert_int_equal(screen_null_posts(c->screen), posts + 1);
	unsetenv("LECTERN_UI_WIDGETS");
}

static void test_dims_wakes_and_shifts(void **state)
{
	struct ctx *c = *state;
	c->cfg.ui_dim_after_min = 1;
	c->cfg.ui_dim_percent = 20;
	c->cfg.ui_shift_min = 1;
	kiosk_tick(c->k, c->t0);
	assert_int_equal(kiosk_backlight(c->k), 100);
	int x0, y0, x1, y1;
	screen_null_shift(c->screen, &x0, &y0);
	unsigned long posts = screen_null_posts(c->screen);
	fake_now += 61;
	kiosk_tick(c->k, c->t0 + 61);
	assert_int_equal(kiosk_backlight(c->k), 20);          /* a minute idle: dimmed */
	screen_null_shift(c->screen, &x1, &y1);
	assert_true(x1 != x0 || y1 != y0);                     /* and moved against burn-in */
	assert_true(screen_null_posts(c->screen) > posts);     /* and drawn so */
	post_event(c, EV_ACTIVITY, 0);
	assert_int_equal(kiosk_backlight(c->k), 100);         /* a touch wakes it */
	post_event(c, EV_SHOW, VIEW_CHECKIN);                        /* that touch does nothing else */
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_HOME);
	fake_now += 1;
	post_event(c, EV_SHOW, VIEW_CHECKIN);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_CHECKIN);
	/* never dimmed while recording */
	post_event(c, EV_START_RECORDING, 0);
	fake_now += 120;
	kiosk_tick(c->k, c->t0 + 200);
	assert_int_equal(kiosk_backlight(c->k), 100);
	post_event(c, EV_STOP_RECORDING, 0);
	/* night: dimmed after a minute without touches, whatever dim_after_min says */
	c->cfg.ui_dim_after_min = 0;
	snprintf(c->cfg.ui_night, sizeof c->cfg.ui_night, "00:00-23:59");
	post_event(c, EV_ACTIVITY, 0);
	fake_now += 30;
	kiosk_tick(c->k, c->t0 + 230);
	assert_int_equal(kiosk_backlight(c->k), 100);
	fake_now += 31;
	kiosk_tick(c->k, c->t0 + 261);
	assert_int_equal(kiosk_backlight(c->k), 20);
}

static long read_long(const char *path)
{
	FILE *fp = fopen(path, "r");
	long v = -1;
	if (fp) {
		if (fscanf(fp, "%ld", &v) != 1)
			v = -1;
		fclose(fp);
	}
	return v;
}

/* The sysfs backlight, on a directory that looks like one; the twin when it is incomplete. */
static void test_backlight_sysfs(void **state)
{
	struct ctx *c = *state;
	char dir[PATH_MAX], path[PATH_MAX + 32], why[PATH_MAX + 64];
	snprintf(dir, sizeof dir, "%s/rpi_backlight", c->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof path, "%s/max_brightness", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("255\n", fp);
	fclose(fp);
	struct backlight b;
	backlight_open(dir, &b, why, sizeof why);
	assert_string_equal(b.name, "sysfs");
	snprintf(path, sizeof path, "%s/brightness", dir);
	assert_int_equal(backlight_set(&b, 50), LT_OK);
	assert_int_equal(read_long(path), 127);
	assert_int_equal(backlight_set(&b, 1), LT_OK);
	assert_int_equal(read_long(path), 2);       /* 1 % of 255, never 0 unless asked */
	assert_int_equal(backlight_set(&b, 150), LT_OK);
	assert_int_equal(read_long(path), 255);
	assert_int_equal(b.percent, 100);
	snprintf(path, sizeof path, "%s/max_brightness", dir);
	unlink(path);
	backlight_open(dir, &b, why, sizeof why);
	assert_string_equal(b.name, "none");
	assert_non_null(strstr(why, "max_brightness"));
	assert_int_equal(backlight_set(&b, 30), LT_OK);
	backlight_open("none", &b, why, sizeof why);
	assert_string_equal(b.name, "none");
}

static void test_input_choice(void **state)
{
	struct ctx *c = *state;
	const struct view *v = kiosk_view(c->k);
	/* the configured microphone first, then ALSA's other capture devices (main's config) */
	assert_true(v->n_inputs >= 2);
	assert_non_null(strstr(v->inputs[0], "(configured)"));
	int desk = -1;
	for (int i = 1; i < v->n_inputs; i++)
		if (strstr(v->inputs[i], "Desk microphone"))
			desk = i;
	assert_true(desk > 0);
	assert_null(kiosk_audio_device(c->k));
	post_event(c, EV_INPUT_SELECT, desk);
	assert_int_equal(kiosk_view(c->k)->input_selected, desk);
	assert_string_equal(kiosk_audio_device(c->k), "desk");
	post_event(c, EV_INPUT_SELECT, 0);
	assert_null(kiosk_audio_device(c->k));
}

static bool has_message(const struct view *v, const char *text)
{
	for (int i = 0; i < v->n_messages; i++)
		if (strcmp(v->messages[i].text, text) == 0)
			return true;
	return false;
}

/* A database replaced at start is said on the screen, with what it means; not otherwise. */
static void test_store_replaced_message(void **state)
{
	struct ctx *c = *state;
	assert_false(has_message(kiosk_view(c->k), "Database was damaged and replaced"));
	struct kiosk_deps d = {.cfg = &c->cfg, .st = c->st, .sched = c->sched, .ctl = c->ctl,
			       .screen = c->screen, .mic_name = "test twin", .mic_present = true,
			       .open_audio = open_twin, .audio_user = c->tone, .clock = fake_clock,
			       .store_set_aside = "/var/lib/lectern/lectern.db.damaged-20261130T052913Z"};
	struct kiosk *k;
	assert_int_equal(kiosk_create(&d, &k), LT_OK);
	kiosk_tick(k, c->t0);
	assert_true(has_message(kiosk_view(k), "Database was damaged and replaced"));
	kiosk_destroy(k);
}

/*
 * A reload (SIGHUP) rewrites the configuration in place while the connection test may be
 * running: the test works on the configuration as it was when it started. The test's thread
 * is held inside its read of the password file (a FIFO) while the address changes.
 */
static void test_connection_test_keeps_its_config(void **state)
{
	struct ctx *c = *state;
	/* A server of the test's own on loopback, answered by hand. The configuration is reloaded
	 * (SIGHUP rewrites it in place) as soon as the test is asked for: the test must still
	 * reach the server it was asked about, and name it. */
	int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(srv >= 0);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof addr;
	assert_int_equal(bind(srv, (struct sockaddr *)&addr, sizeof addr), 0);
	assert_int_equal(listen(srv, 1), 0);
	assert_int_equal(getsockname(srv, (struct sockaddr *)&addr, &len), 0);
	snprintf(c->cfg.upload_target, sizeof c->cfg.upload_target, "webdav");
	snprintf(c->cfg.upload_url, sizeof c->cfg.upload_url, "http://127.0.0.1:%d/dav/",
		 ntohs(addr.sin_port));
	post_event(c, EV_TEST_CONNECTION, 0);
	/* the reload, at once: the test's thread has barely started, if at all */
	snprintf(c->cfg.upload_url, sizeof c->cfg.upload_url, "http://127.0.0.2:1/dav/");
	struct pollfd pfd = {.fd = srv, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 30000), 1); /* <= 30 s on a loaded machine */
	int conn = accept(srv, NULL, NULL);
	assert_true(conn >= 0);
	const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	char request[4096];
	assert_true(read(conn, request, sizeof request) > 0);
	assert_int_equal(write(conn, answer, sizeof answer - 1), (ssize_t)(sizeof answer - 1));
	const char *result = "";
	for (int i = 0; i < 300; i++) { /* answered at once; <= 30 s when loaded */
		kiosk_tick(c->k, c->t0);
		result = kiosk_view(c->k)->connection_test;
		if (result[0] && !strstr(result, "Testing"))
			break;
		usleep(100000);
	}
	close(conn);
	close(srv);
	assert_non_null(strstr(result, "127.0.0.1"));
	assert_null(strstr(result, "127.0.0.2"));
}

/* The settings screen's connection test, asked and waited for (<= 30 s when loaded). */
static const char *connection_result(struct ctx *c)
{
	post_event(c, EV_TEST_CONNECTION, 0);
	const char *result = "";
	for (int i = 0; i < 300; i++) {
		kiosk_tick(c->k, c->t0);
		result = kiosk_view(c->k)->connection_test;
		if (result[0] && !strstr(result, "Testing"))
			break;
		usleep(100000);
	}
	return result;
}

/* A folder target's line asks what the uploader asks (sharedir.h) and creates nothing: a
 * missing folder and a bare fstab mount point are said in the uploader's words. */
static void test_connection_test_of_a_folder_creates_nothing(void **state)
{
	struct ctx *c = *state;
	char share[PATH_MAX], fstab[PATH_MAX], mounts[PATH_MAX], line[PATH_MAX + 64];
	snprintf(share, sizeof share, "%s/nas", c->dir);
	snprintf(c->cfg.upload_target, sizeof c->cfg.upload_target, "folder");
	snprintf(c->cfg.upload_folder, sizeof c->cfg.upload_folder, "%s", share);
	const char *result = connection_result(c);
	assert_non_null(strstr(result, "does not exist: is the share mounted?"));
	assert_int_equal(access(share, F_OK), -1);
	/* the empty mount point, listed in fstab, nothing mounted on it */
	assert_int_equal(mkdir(share, 0750), 0);
	snprintf(fstab, sizeof fstab, "%s/fstab", c->dir);
	snprintf(mounts, sizeof mounts, "%s/mounts", c->dir);
	int len = snprintf(line, sizeof line, "//nas/rec %s cifs defaults 0 0\n", share);
	assert_true(tu_write_file(fstab, line, (size_t)len));
	assert_true(tu_write_file(mounts, "/dev/vda / ext4 rw 0 0\n", 23));
	setenv("LECTERN_TEST_FSTAB", fstab, 1);
	setenv("LECTERN_TEST_MOUNTS", mounts, 1);
	result = connection_result(c);
	char want[PATH_MAX * 2 + 64];
	snprintf(want, sizeof want, "the share %s (in %s) is not mounted", share, fstab);
	assert_string_equal(result, want);
	/* mounted */
	assert_true(tu_write_file(mounts, line, (size_t)len));
	result = connection_result(c);
	unsetenv("LECTERN_TEST_FSTAB");
	unsetenv("LECTERN_TEST_MOUNTS");
	assert_non_null(strstr(result, "reachable and writable"));
}

/* --- a failed start says which part failed ------------------------------------------------ */

/* The appliance's opener: the configured microphone, as `lectern run` opens it. */
static lt_err open_configured(void *user, struct audio_source **out)
{
	return app_open_audio(user, NULL, true, true, out, NULL);
}

/*
 * Tap Start with the configuration `cfg` (the appliance's microphone opener, a controller of
 * its own) and return the message the screen then shows about it.
 */
static struct view_message failed_start(struct ctx *c, struct config *cfg)
{
	struct controller *ctl;
	assert_int_equal(controller_create(cfg, c->st, c->sched, open_configured, cfg, &ctl), LT_OK);
	struct kiosk_deps d = {.cfg = cfg, .st = c->st, .sched = c->sched, .ctl = ctl,
			       .screen = c->screen, .mic_name = "configured", .mic_present = true,
			       .open_audio = open_configured, .audio_user = cfg, .clock = fake_clock};
	struct kiosk *k;
	assert_int_equal(kiosk_create(&d, &k), LT_OK);
	struct view_event ev = {.type = EV_START_RECORDING};
	kiosk_handle(k, &ev, c->t0);
	kiosk_tick(k, c->t0);
	const struct view *v = kiosk_view(k);
	assert_false(v->recording);
	struct view_message found = {0};
	for (int i = 0; i < v->n_messages; i++)
		if (strstr(v->messages[i].text, "Could not start recording"))
			found = v->messages[i];
	kiosk_destroy(k);
	controller_destroy(ctl);
	assert_int_equal(found.severity, SEV_ERROR);
	return found;
}

static void test_start_fails_disk_full(void **state)
{
	struct ctx *c = *state;
	struct config cfg = c->cfg;
	snprintf(cfg.audio_source, sizeof cfg.audio_source, "file");
	snprintf(cfg.audio_file, sizeof cfg.audio_file, "%s", c->tone);
	cfg.min_free_mb = 1 << 30; /* more than any disk has free */
	struct view_message m = failed_start(c, &cfg);
	assert_non_null(strstr(m.text, "Storage is almost full"));
	assert_non_null(strstr(m.advice, "Free space"));
	assert_null(strstr(m.text, "icrophone"));
}

static void test_start_fails_bad_format(void **state)
{
	struct ctx *c = *state;
	struct config cfg = c->cfg;
	snprintf(cfg.audio_source, sizeof cfg.audio_source, "file");
	snprintf(cfg.audio_file, sizeof cfg.audio_file, "%s/bad.wav", c->dir);
	FILE *fp = fopen(cfg.audio_file, "w");
	assert_non_null(fp);
	fputs("RIFF, but no WAVE header: a device lectern cannot read", fp);
	fclose(fp);
	struct view_message m = failed_start(c, &cfg);
	assert_non_null(strstr(m.text, "Microphone: The device offers no format"));
	assert_non_null(strstr(m.advice, "microphone"));
	assert_null(strstr(m.text, "not there"));
}

static void test_start_fails_no_microphone(void **state)
{
	struct ctx *c = *state;
	struct config cfg = c->cfg;
	snprintf(cfg.audio_source, sizeof cfg.audio_source, "alsa");
	snprintf(cfg.audio_device, sizeof cfg.audio_device, "unplugged");
	struct view_message m = failed_start(c, &cfg);
	assert_non_null(strstr(m.text, "Microphone: The device is not there"));
	assert_non_null(strstr(m.advice, "USB cable"));
}

/* A camera that cannot be opened is said to be the camera on the settings screen. */
static void test_camera_failure_names_the_camera(void **state)
{
	struct ctx *c = *state;
	snprintf(c->cfg.camera_source, sizeof c->cfg.camera_source, "v4l2");
	snprintf(c->cfg.camera_device, sizeof c->cfg.camera_device, "%s/no-video0", c->dir);
	post_event(c, EV_SHOW, VIEW_PIN);
	right_pin(c);
	assert_int_equal(kiosk_view(c->k)->screen, VIEW_SETTINGS);
	for (int i = 0; i < 10 && !kiosk_view(c->k)->camera_name[0]; i++) {
		fake_now += 0.2;
		kiosk_wait(c->k, 50);
	}
	const struct view *v = kiosk_view(c->k);
	assert_false(v->camera_present);
	assert_non_null(strstr(v->camera_name, "Camera: "));
	assert_null(strstr(v->camera_name, "icrophone"));
}

/* Recordings waiting after a failed upload: the advice is that of the part the stored reason
 * names (the network's or the server's). */
static void test_upload_trouble_advice_by_part(void **state)
{
	struct ctx *c = *state;
	struct recording r = {.started_ms = c->t0 * 1000};
	snprintf(r.path, sizeof r.path, "%s/y.opus", c->dir);
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_RECORDING, REC_FINALIZING, "t"),
			 LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_FINALIZING, REC_QUEUED, "t"),
			 LT_OK);
	const char *reason[] = {"Network: cannot connect to dav.example: connection refused",
				"Server: dav.example refused the credentials (HTTP 401)"};
	const char *advice[] = {"network cable", "ask IT to check the server"};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(store_upload_note(c->st, r.id, 1, (c->t0 + 60) * 1000, reason[i],
						   "", "", 0),
				 LT_OK);
		kiosk_tick(c->k, c->t0 + i);
		const struct view *v = kiosk_view(c->k);
		bool found = false;
		for (int m = 0; m < v->n_messages; m++)
			if (strcmp(v->messages[m].text, "Recordings are waiting to upload") == 0)
				found = strstr(v->messages[m].advice, advice[i]) != NULL;
		assert_true(found);
	}
}

/* A microphone that is there but unusable at start is not called missing. */
static void test_unusable_microphone_at_start(void **state)
{
	struct ctx *c = *state;
	struct lt_error why;
	lt_error_set(&why, LT_ERR_FORMAT, LT_DOMAIN_MICROPHONE, NULL);
	struct kiosk_deps d = {.cfg = &c->cfg, .st = c->st, .sched = c->sched, .ctl = c->ctl,
			       .screen = c->screen, .mic_present = false, .mic_error = &why,
			       .open_audio = open_twin, .clock = fake_clock};
	struct kiosk *k;
	assert_int_equal(kiosk_create(&d, &k), LT_OK);
	kiosk_tick(k, c->t0);
	assert_true(has_message(kiosk_view(k), "Microphone: The device offers no format lectern "
					       "can use"));
	assert_false(has_message(kiosk_view(k), "No microphone"));
	kiosk_destroy(k);
	lt_error_set(&why, LT_ERR_NO_DEVICE, LT_DOMAIN_MICROPHONE, NULL);
	assert_int_equal(kiosk_create(&d, &k), LT_OK);
	kiosk_tick(k, c->t0);
	assert_true(has_message(kiosk_view(k), "No microphone"));
	kiosk_destroy(k);
}

int main(void)
{
	/* alsa-lib reads its configuration once per process: a desk microphone for all tests */
	static char conf[] = "/tmp/lectern-kiosk-alsa-XXXXXX";
	int fd = mkstemp(conf);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!fp)
		return 1;
	fprintf(fp, "pcm.null { type null }\n"
		    "pcm.desk { type file slave.pcm \"null\" file \"/dev/null\" infile \"/dev/zero\" "
		    "format \"raw\" hint { description \"Desk microphone\" } }\n");
	fclose(fp);
	setenv("ALSA_CONFIG_PATH", conf, 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_home_from_calendar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_and_soon, setup_free, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_change_shows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_tags_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_lockout_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_ok_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_pin_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hashed_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_lockout_survives_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_pin_keeps_settings_locked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_checkin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkin_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkin_count_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkin_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkin_roster_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkin_huge_calendar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkin_adhoc, setup_free_mic, teardown),
		cmocka_unit_test_setup_teardown(test_retry_from_screen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_redraw_when_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dims_wakes_and_shifts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_return, setup_free_mic, teardown),
		cmocka_unit_test_setup_teardown(test_thanks_dismissed_by_tap, setup_free_mic,
						teardown),
		cmocka_unit_test_setup_teardown(test_input_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlight_sysfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_replaced_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_test_keeps_its_config, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_connection_test_of_a_folder_creates_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_fails_disk_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_fails_bad_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_fails_no_microphone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_camera_failure_names_the_camera, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upload_trouble_advice_by_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unusable_microphone_at_start, setup, teardown),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(conf);
	return failed;
}
