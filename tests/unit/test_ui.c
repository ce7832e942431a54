/*
 * test_ui.c — the screen, drawn offscreen by SDL's software renderer: every screen at 800x480,
 * 1280x800 and rotated to portrait, with long titles and non-Latin names. Checks that text
 * always fits its box, that touch targets are big enough and inside the window, that taps and
 * the hold-to-stop gesture give the right events (also through the rotation), that the QR codes
 * of past sessions, built from a real store, decode (zbarimg) to exactly the links stored, and
 * writes the screenshots to $BUILD/shots/ for the docs and for eyes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <png.h>
#define SDL_MAIN_HANDLED
#include <SDL.h>

#include <sqlite3.h>

#include "lectern/kiosk_view.h"
#include "lectern/schedule.h"
#include "lectern/screen.h"
#include "lectern/store.h"
#include "lectern/upload.h"
#include "testutil.h"
#include "ui.h"
#include "ui_internal.h"

#define NOW 1717077600  /* a fixed moment; shown in the local zone */

static const char *LONG_TITLE =
	"Building resilient distributed systems with eventual consistency, CRDTs and a healthy "
	"dose of humility: lessons from five years of running a global multi-region database for "
	"a company that never sleeps, plus a live demo that will certainly work this time";

static char shots[512];

static void fill_common(struct view *v)
{
	memset(v, 0, sizeof *v);
	v->now = NOW;
	snprintf(v->room, sizeof v->room, "Room 4.12 \xe2\x80\x94 Ada Lovelace (east wing, fourth floor, next to the kitchen)");
	snprintf(v->version, sizeof v->version, "0.1.0");
	v->network_ok = true;
	v->server_ok = false;
	snprintf(v->server, sizeof v->server, "opencast.example.org");
	v->calendar_stale = true;
	v->stale_since = NOW - 3600;
	v->queue_waiting = 3;
	v->queue_percent = 42;
	v->disk_free_mb = 12800;
	v->mic_present = true;
	snprintf(v->mic_name, sizeof v->mic_name, "USB microphone (Blue Yeti)");
}

static void fixture(struct view *v, enum view_screen s)
{
	fill_common(v);
	v->screen = s;
	/* home */
	v->room_state = ROOM_STARTS_SOON;
	v->starts_in_min = 7;
	v->has_card = true;
	snprintf(v->card.title, sizeof v->card.title, "%s", LONG_TITLE);
	snprintf(v->card.presenter, sizeof v->card.presenter, "\xce\x93\xce\xb9\xcf\x8e\xcf\x81\xce\xb3\xce\xbf\xcf\x82 \xce\xa0\xce\xb1\xcf\x80\xce\xb1\xce\xb4\xcf\x8c\xcf\x80\xce\xbf\xcf\x85\xce\xbb\xce\xbf\xcf\x82");
	v->card.start = NOW + 7 * 60;
	v->card.end = NOW + 67 * 60;
	const char *titles[] = { "Morning stand-up", "Rust for C programmers", LONG_TITLE,
				 "\xd0\x92\xd0\xb2\xd0\xb5\xd0\xb4\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xb5 \xd0\xb2 Kubernetes", "Friday demo" };
	v->n_agenda = 5;
	for (int i = 0; i < 5; i++) {
		snprintf(v->agenda[i].title, sizeof v->agenda[i].title, "%s", titles[i]);
		v->agenda[i].start = NOW - 3 * 3600 + i * 5400;
		v->agenda[i].end = v->agenda[i].start + 3600;
	}
	v->has_cadence = true;
	snprintf(v->cadence_label, sizeof v->cadence_label, "Next brown bag");
	v->cadence = v->card;
	v->cadence.start = NOW + 7 * 86400;
	v->n_messages = 2;
	v->messages[0] = (struct view_message){ SEV_ERROR, "Capture server unreachable",
		"Recordings are kept here and uploaded when it is back. Check the network cable." };
	v->messages[1] = (struct view_message){ SEV_WARN, "Calendar not updated for an hour",
		"The agenda may be out of date." };
	/* recording */
	v->recording = s == VIEW_RECORDING;
	snprintf(v->rec_title, sizeof v->rec_title, "%s", LONG_TITLE);
	v->elapsed_s = 3723;
	v->rms_db = -14;
	v->peak_db = -5;
	v->peak_hold_db = -3;
	v->low_audio = true;
	v->scheduled_end = NOW + 25 * 60;
	const char *tg[] = { "databases", "distributed systems", "CRDT", "\xd0\xb1\xd0\xb0\xd0\xb7\xd1\x8b \xd0\xb4\xd0\xb0\xd0\xbd\xd0\xbd\xd1\x8b\xd1\x85", "demo", "Q&A" };
	v->n_tags = 6;
	for (int i = 0; i < 6; i++)
		snprintf(v->tags[i], sizeof v->tags[i], "%s", tg[i]);
	v->tag_on[1] = v->tag_on[4] = true;
	/* check-in */
	snprintf(v->search, sizeof v->search, "an");
	const char *names[] = {
		"\xd0\x90\xd0\xbd\xd0\xb0\xd1\x81\xd1\x82\xd0\xb0\xd1\x81\xd0\xb8\xd1\x8f \xd0\x9a\xd1\x83\xd0\xb7\xd0\xbd\xd0\xb5\xd1\x86\xd0\xbe\xd0\xb2\xd0\xb0",
		"\xce\x93\xce\xb9\xcf\x8e\xcf\x81\xce\xb3\xce\xbf\xcf\x82 \xce\xa0\xce\xb1\xcf\x80\xce\xb1\xce\xb4\xcf\x8c\xcf\x80\xce\xbf\xcf\x85\xce\xbb\xce\xbf\xcf\x82",
		"Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m-N\xc3\xba\xc3\xb1\x65z",
		"Maximilian Alexander von Hohenzollern-Sigmaringen-Wittelsbach the Third of Bavaria",
		"Ann Lee", "Daniel Okonkwo", "Hannah Schmidt", "Juan Carlos Fern\xc3\xa1ndez" };
	v->n_invitees = 8;
	for (int i = 0; i < 8; i++) {
		snprintf(v->invitees[i].name, sizeof v->invitees[i].name, "%s", names[i]);
		v->invitees[i].checked_in = i % 3 == 0;
	}
	v->checked_in = 5;
	v->checkin_open = true;
	snprintf(v->checkin_title, sizeof v->checkin_title, "Distributed systems reading group");
	snprintf(v->checkin_consent, sizeof v->checkin_consent,
		 "Names are kept for 30 days to count participation.");
	v->keyboard = s == VIEW_CHECKIN;
	/* uploads */
	v->n_uploads = 4;
	v->uploads[0] = (struct view_upload){ .id = 17, .state = "uploading", .bytes = 48000000,
		.sent = 20160000, .rate_bps = 1250000, .eta_s = 22, .attempts = 1 };
	snprintf(v->uploads[0].title, sizeof v->uploads[0].title, "%.120s", LONG_TITLE);
	v->uploads[1] = (struct view_upload){ .id = 18, .title = "Rust for C programmers",
		.state = "queued", .bytes = 30000000, .attempts = 3,
		.next_attempt = NOW + 300 };
	snprintf(v->uploads[1].last_error, sizeof v->uploads[1].last_error,
		 "Server unreachable: could not connect to opencast.example.org port 443 after 30 "
		 "seconds (network down or firewall?) \xe2\x80\x94 will retry automatically");
	v->uploads[2] = (struct view_upload){ .id = 19,
		.title = "\xd0\x92\xd0\xb2\xd0\xb5\xd0\xb4\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xb5 \xd0\xb2 Kubernetes",
		.state = "failed", .bytes = 1200000, .attempts = 8,
		.last_error = "Server refused our credentials (401): check the agent password" };
	v->uploads[3] = (struct view_upload){ .id = 20, .title = "Morning stand-up",
		.state = "queued", .bytes = 800000, .eta_s = -1 };
	/* past sessions (the home shows them only while the room is free: see free_home) */
	const struct { const char *title, *presenter, *tags, *link; int checkins; } past[] = {
		{ "Rust for C programmers: ownership without tears", "Ada Lovelace",
		  "rust \xc2\xb7 talk", "https://opencast.example.org/play/6f1c2a7e-93b4-4d1e-8a55-0c2d9b7e4f10", 23 },
		{ LONG_TITLE, "\xce\x93\xce\xb9\xcf\x8e\xcf\x81\xce\xb3\xce\xbf\xcf\x82 \xce\xa0\xce\xb1\xcf\x80\xce\xb1\xce\xb4\xcf\x8c\xcf\x80\xce\xbf\xcf\x85\xce\xbb\xce\xbf\xcf\x82",
		  "databases \xc2\xb7 distributed systems \xc2\xb7 CRDT \xc2\xb7 demo \xc2\xb7 Q&A",
		  "https://opencast.example.org/play/0b8e4c1d-2f6a-4e3b-9c7d-5a1e8f2b6c30", 41 },
		{ "Caf\xc3\xa9 culture in remote teams", "Jos\xc3\xa9 N\xc3\xba\xc3\xb1\x65z", "workshop",
		  "", -1 },
		{ "\xd0\x92\xd0\xb2\xd0\xb5\xd0\xb4\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xb5 \xd0\xb2 Kubernetes", "Grace Hopper", "k8s",
		  "https://dav.example.org/recordings/Room-4.12/2024/05/20240521T120000Z-3fa9.opus", 7 },
	};
	for (int i = 0; i < VIEW_MAX_FOUND; i++) {
		struct view_past *p = &v->found[i];
		int k = i % 4;
		snprintf(p->title, sizeof p->title, "%s", past[k].title);
		snprintf(p->presenter, sizeof p->presenter, "%s", past[k].presenter);
		snprintf(p->tags, sizeof p->tags, "%s", past[k].tags);
		snprintf(p->link, sizeof p->link, "%s", past[k].link);
		p->checkins = past[k].checkins;
		p->start = NOW - (i + 1) * 7 * 86400;
		if (i < VIEW_MAX_RECENT)
			v->recent[i] = *p;
	}
	v->n_found = VIEW_MAX_FOUND;
	v->found_total = 31;
	v->sessions_total = 31;
	v->keyboard = v->keyboard || s == VIEW_SESSIONS;
	snprintf(v->session_search, sizeof v->session_search, "t");
	/* pin */
	v->pin_len = 2;
	v->pin_tries_left = 3;
	/* settings */
	v->n_inputs = 3;
	snprintf(v->inputs[0], sizeof v->inputs[0], "USB microphone (Blue Yeti) \xe2\x80\x94 hw:1,0");
	snprintf(v->inputs[1], sizeof v->inputs[1], "ReSpeaker 4-Mic Array HAT");
	snprintf(v->inputs[2], sizeof v->inputs[2], "demo file (no microphone found)");
	v->input_selected = 0;
	/* a camera picture: a diagonal gradient with a white frame, 4:3 */
	v->camera_present = true;
	v->camera_w = VIEW_CAMERA_W;
	v->camera_h = VIEW_CAMERA_H;
	v->camera_frame = 1;
	snprintf(v->camera_name, sizeof v->camera_name, "USB camera /dev/video0 640x480");
	for (int y = 0; y < VIEW_CAMERA_H; y++)
		for (int x = 0; x < VIEW_CAMERA_W; x++) {
			uint8_t *px = &v->camera_rgb[(y * VIEW_CAMERA_W + x) * 3];
			bool edge = x < 2 || y < 2 || x >= VIEW_CAMERA_W - 2 || y >= VIEW_CAMERA_H - 2;
			px[0] = edge ? 255 : (uint8_t)(x * 255 / VIEW_CAMERA_W);
			px[1] = edge ? 255 : (uint8_t)(y * 255 / VIEW_CAMERA_H);
			px[2] = edge ? 255 : 128;
		}
	v->brightness = 70;
	snprintf(v->connection_test, sizeof v->connection_test,
		 "Connected to opencast.example.org in 84 ms; credentials accepted; ingest endpoint ready.");
	snprintf(v->about, sizeof v->about,
		 "Agent lectern-room-4-12 \xc2\xb7 10.0.4.12, fe80::dea6:32ff:fe01:2345 \xc2\xb7 "
		 "config /etc/lectern/lectern.conf \xc2\xb7 spool /var/lib/lectern");
}

/* The home while the room is free: its latest sessions and peer teachers. */
static void free_home(struct view *v)
{
	fixture(v, VIEW_HOME);
	v->room_state = ROOM_FREE;
	v->card.start = NOW + 26 * 3600;
	v->card.end = v->card.start + 3600;
	v->n_messages = 1;
	v->n_recent = VIEW_MAX_RECENT;
	const char *who[] = { "Ada Lovelace", "Grace Hopper", "Jos\xc3\xa9 N\xc3\xba\xc3\xb1\x65z",
			      "\xce\x93\xce\xb9\xcf\x8e\xcf\x81\xce\xb3\xce\xbf\xcf\x82 \xce\xa0\xce\xb1\xcf\x80\xce\xb1\xce\xb4\xcf\x8c\xcf\x80\xce\xbf\xcf\x85\xce\xbb\xce\xbf\xcf\x82" };
	v->n_teachers = 4;
	for (int i = 0; i < 4; i++) {
		snprintf(v->teachers[i].name, sizeof v->teachers[i].name, "%s", who[i]);
		v->teachers[i].sessions = 4 - i;
	}
	snprintf(v->teachers_summary, sizeof v->teachers_summary,
		 "10 sessions by 4 colleagues this term");
}

static const char *screen_name[VIEW_SCREEN_COUNT] = { "home", "recording", "checkin",
						      "uploads", "pin", "settings", "sessions" };

static struct ui *open_ui(int w, int h, int rot)
{
	struct ui *u = NULL;
	char why[256] = "";
	lt_err err = ui_open_offscreen(w, h, rot, getenv("LECTERN_FONT_DIR"), &u, why, sizeof why);
	if (err != LT_OK)
		fail_msg("ui_open_offscreen %dx%d r%d: %s", w, h, rot, why);
	return u;
}

static void save(struct ui *u, const char *screen, int w, int h, int rot)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s-%dx%d%s.png", shots, screen, w, h, rot ? "-r90" : "");
	assert_int_equal(ui_save_png(u, path), 0);
}

/* The checks every frame must pass. */
static void check_frame(struct ui *u, const char *what)
{
	if (ui_text_overflows(u) != 0)
		fail_msg("%s: %d text draws overflow their box", what, ui_text_overflows(u));
	int ww, wh;
	ui_size(u, &ww, &wh, NULL, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	ui_dump_widgets(u, f);
	fclose(f);
	int n = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char name[64];
		int x, y, w, h;
		char tap[8];
		assert_int_equal(sscanf(line, "{\"name\":\"%63[^\"]\",\"x\":%d,\"y\":%d,\"w\":%d,\"h\":%d,\"tap\":%5[a-z]",
					name, &x, &y, &w, &h, tap), 6);
		if (x < 0 || y < 0 || x + w > ww || y + h > wh)
			fail_msg("%s: widget %s (%d,%d %dx%d) outside the %dx%d window", what, name,
				 x, y, w, h, ww, wh);
		if (strcmp(tap, "true") == 0 && (w < 48 || h < 48))
			fail_msg("%s: touch target %s is %dx%d, under 48x48", what, name, w, h);
		n++;
	}
	free(buf);
	assert_true(n > 0);
}

static void render_all_at(int w, int h, int rot)
{
	struct ui *u = open_ui(w, h, rot);
	struct view *v = malloc(sizeof *v);
	for (int s = 0; s < VIEW_SCREEN_COUNT; s++) {
		fixture(v, s);
		ui_render(u, v);
		char what[64];
		snprintf(what, sizeof what, "%s %dx%d r%d", screen_name[s], w, h, rot);
		check_frame(u, what);
		save(u, screen_name[s], w, h, rot);
	}
	/* variants: empty uploads, locked PIN, recording paused with the keyboard, home free */
	fixture(v, VIEW_UPLOADS);
	v->n_uploads = 0;
	ui_render(u, v);
	check_frame(u, "uploads empty");
	save(u, "uploads-empty", w, h, rot);
	fixture(v, VIEW_PIN);
	v->pin_locked_until = NOW + 125;
	ui_render(u, v);
	check_frame(u, "pin locked");
	save(u, "pin-locked", w, h, rot);
	int cx;
	assert_true(ui_find(u, "pin:5", &cx, NULL, NULL, NULL));
	fixture(v, VIEW_RECORDING);
	v->paused = true;
	v->keyboard = true;
	snprintf(v->free_tag, sizeof v->free_tag, "\xc3\xa9tude");
	ui_render(u, v);
	check_frame(u, "recording keyboard");
	save(u, "recording-keyboard", w, h, rot);
	fixture(v, VIEW_HOME);
	v->room_state = ROOM_RECORDING;
	v->recording = true;
	v->n_messages = 0;
	ui_render(u, v);
	check_frame(u, "home recording");
	save(u, "home-recording", w, h, rot);
	/* past sessions: the free home, the Sessions screen without the keyboard, no match,
	 * and the thank-you card over the home */
	free_home(v);
	ui_render(u, v);
	check_frame(u, "home free");
	save(u, "home-free", w, h, rot);
	fixture(v, VIEW_SESSIONS);
	v->keyboard = false;
	v->session_search[0] = '\0';
	ui_render(u, v);
	check_frame(u, "sessions");
	save(u, "sessions-codes", w, h, rot);
	fixture(v, VIEW_SESSIONS);
	v->n_found = v->found_total = 0;
	snprintf(v->session_search, sizeof v->session_search, "quantum");
	ui_render(u, v);
	check_frame(u, "sessions none");
	save(u, "sessions-none", w, h, rot);
	free_home(v);
	v->has_thanks = true;
	snprintf(v->thanks_title, sizeof v->thanks_title, "Thank you, Ada Lovelace");
	snprintf(v->thanks_text, sizeof v->thanks_text, "23 checked in. Your 5th session this term.");
	ui_render(u, v);
	check_frame(u, "thanks");
	save(u, "thanks", w, h, rot);
	free(v);
	ui_close(u);
}

static void test_screens_800x480(void **state)
{
	(void)state;
	render_all_at(800, 480, 0);
}

static void test_screens_1280x800(void **state)
{
	(void)state;
	render_all_at(1280, 800, 0);
}

static void test_screens_portrait(void **state)
{
	(void)state;
	render_all_at(800, 480, 90);
}

/* Ten minutes of a recording's clock, a new text every second: the text cache keeps to its
 * byte budget (half the screen's pixels' bytes) instead of filling all its places. */
static void test_text_cache_budget(void **state)
{
	(void)state;
	struct ui *u = open_ui(1280, 800, 0);
	struct view *v = malloc(sizeof *v);
	fixture(v, VIEW_RECORDING);
	size_t most = 0;
	for (int s = 0; s < 600; s++) {
		v->elapsed_s = s;
		ui_render(u, v);
		most = u->text_bytes > most ? u->text_bytes : most;
	}
	assert_true(most <= (size_t)1280 * 800 * UI_TEXT_CACHE_SHARE);
	size_t sum = 0; /* what it counts is what it holds */
	for (int i = 0; i < UI_TEXT_CACHE; i++)
		if (u->text[i].s)
			sum += (size_t)u->text[i].w * (size_t)u->text[i].h * 4;
	assert_int_equal(sum, u->text_bytes);
	check_frame(u, "recording after ten minutes");
	free(v);
	ui_close(u);
}

static void test_home_1920x1080(void **state)
{
	(void)state;
	struct ui *u = open_ui(1920, 1080, 0);
	struct view v;
	fixture(&v, VIEW_HOME);
	ui_render(u, &v);
	check_frame(u, "home 1920x1080");
	save(u, "home", 1920, 1080, 0);
	fixture(&v, VIEW_RECORDING);
	ui_render(u, &v);
	check_frame(u, "recording 1920x1080");
	save(u, "recording", 1920, 1080, 0);
	ui_close(u);
}

static void test_docs_shots(void **state)
{
	(void)state;
	struct ui *u = open_ui(1280, 800, 0);
	struct view v;
	char path[700];
	fixture(&v, VIEW_HOME);
	v.n_messages = 1;
	v.server_ok = true;
	v.calendar_stale = false;
	v.messages[0] = (struct view_message){ SEV_INFO, "Recordings upload automatically",
		"Nothing to do: every session in this room is captured and delivered." };
	snprintf(v.card.title, sizeof v.card.title, "Rust for C programmers: ownership without tears");
	v.cadence.start = NOW + 7 * 86400;
	snprintf(v.cadence.title, sizeof v.cadence.title, "Property-based testing in practice");
	ui_render(u, &v);
	check_frame(u, "docs home");
	snprintf(path, sizeof path, "%s/docs-home-1280x800.png", shots);
	assert_int_equal(ui_save_png(u, path), 0);
	fixture(&v, VIEW_RECORDING);
	v.low_audio = false;
	snprintf(v.rec_title, sizeof v.rec_title, "Rust for C programmers: ownership without tears");
	ui_render(u, &v);
	check_frame(u, "docs recording");
	snprintf(path, sizeof path, "%s/docs-recording-1280x800.png", shots);
	assert_int_equal(ui_save_png(u, path), 0);
	fixture(&v, VIEW_CHECKIN);
	v.keyboard = false;
	v.search[0] = '\0';
	v.checkin_note = CHECKIN_NOTE_OK;
	snprintf(v.checkin_note_text, sizeof v.checkin_note_text, "Welcome, Ann");
	v.invitees[4].checked_in = true;                    /* Ann Lee, just now */
	v.checkin_undo = true;
	ui_render(u, &v);
	check_frame(u, "docs check-in");
	snprintf(path, sizeof path, "%s/docs-checkin-1280x800.png", shots);
	assert_int_equal(ui_save_png(u, path), 0);
	ui_close(u);
}

/* README's pictures of the past sessions: the free home, the Sessions screen and the thank-you
 * card at 800x480, 1280x800 and upright portrait (480x800), without the fixture's troubles. */
static void docs_past_view(struct view *v, enum view_screen s)
{
	if (s == VIEW_HOME)
		free_home(v);
	else
		fixture(v, s);
	v->n_messages = 0;
	v->server_ok = true;
	v->calendar_stale = false;
	v->queue_waiting = 0;
	snprintf(v->room, sizeof v->room, "Room 4.12 \xe2\x80\x94 Ada Lovelace");
	snprintf(v->card.title, sizeof v->card.title, "Property-based testing in practice");
	snprintf(v->card.presenter, sizeof v->card.presenter, "Grace Hopper");
	v->cadence = v->card;
	v->cadence.start = v->card.start + 7 * 86400 - 26 * 3600;
	snprintf(v->found[1].title, sizeof v->found[1].title, "Eventual consistency without tears: CRDTs in practice");
	v->recent[1] = v->found[1];
	v->keyboard = false;
	v->session_search[0] = '\0';
	v->found_total = v->sessions_total = 31;
}

static void test_docs_past_sessions(void **state)
{
	(void)state;
	static const int sizes[][2] = { { 800, 480 }, { 1280, 800 }, { 480, 800 } };
	static const enum view_screen screens[] = { VIEW_HOME, VIEW_SESSIONS, VIEW_HOME };
	static const char *const names[] = { "home-free", "sessions", "thanks" };
	struct view *v = malloc(sizeof *v);
	for (int k = 0; k < 3; k++) {
		struct ui *u = open_ui(sizes[k][0], sizes[k][1], 0);
		for (int i = 0; i < 3; i++) {
			docs_past_view(v, screens[i]);
			if (i == 2) {
				v->has_thanks = true;
				snprintf(v->thanks_title, sizeof v->thanks_title, "Thank you, Ada Lovelace");
				snprintf(v->thanks_text, sizeof v->thanks_text,
					 "23 checked in. Your 5th session this term.");
			}
			ui_render(u, v);
			char path[700];
			snprintf(path, sizeof path, "%s/docs-%s-%dx%d.png", shots, names[i],
				 sizes[k][0], sizes[k][1]);
			check_frame(u, path);
			assert_int_equal(ui_save_png(u, path), 0);
		}
		ui_close(u);
	}
	free(v);
}

/* Fraction of pixels in a window rectangle that are clearly red. */
static double red_fraction(struct ui *u, int cx, int cy, int w, int h)
{
	char path[700];
	snprintf(path, sizeof path, "%s/.probe.png", shots);
	assert_int_equal(ui_save_png(u, path), 0);
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_file(&img, path));
	img.format = PNG_FORMAT_RGB;
	uint8_t *px = malloc(PNG_IMAGE_SIZE(img));
	assert_true(png_image_finish_read(&img, NULL, px, 0, NULL));
	long red = 0, all = 0;
	for (int y = cy - h / 2; y < cy + h / 2; y++)
		for (int x = cx - w / 2; x < cx + w / 2; x++) {
			const uint8_t *p = px + ((size_t)y * img.width + (size_t)x) * 3;
			all++;
			if (p[0] > 170 && p[1] < 90 && p[2] < 90)
				red++;
		}
	free(px);
	remove(path);
	return all ? (double)red / (double)all : 0;
}

static void test_rec_indicator_is_red(void **state)
{
	(void)state;
	struct ui *u = open_ui(800, 480, 0);
	struct view v;
	fixture(&v, VIEW_RECORDING);
	ui_render(u, &v);
	int cx, cy, w, h;
	assert_true(ui_find(u, "rec", &cx, &cy, &w, &h));
	double f = red_fraction(u, cx, cy, w, h);
	if (f < 0.5)
		fail_msg("REC indicator only %.0f%% red", f * 100);
	/* not tappable */
	struct view_event ev;
	ui_press(u, &v, cx, cy, 1000, &ev);
	assert_int_equal(ev.type, EV_ACTIVITY);
	assert_int_equal(ui_release(u, &v, cx, cy, 1100, &ev), 0);
	fixture(&v, VIEW_HOME);
	v.room_state = ROOM_FREE;
	ui_render(u, &v);
	assert_false(ui_find(u, "rec", NULL, NULL, NULL, NULL));
	f = red_fraction(u, cx, cy, w, h);
	if (f > 0.02)
		fail_msg("home shows red (%.0f%%) where the REC indicator would be", f * 100);
	ui_close(u);
}

static int tap(struct ui *u, const struct view *v, const char *name, uint32_t t,
	       struct view_event *ev)
{
	int cx, cy;
	if (!ui_find(u, name, &cx, &cy, NULL, NULL))
		fail_msg("no widget %s", name);
	ui_press(u, v, cx, cy, t, ev);
	assert_int_equal(ev->type, EV_ACTIVITY);
	memset(ev, 0, sizeof *ev);
	return ui_release(u, v, cx, cy, t + 80, ev);
}

static void test_tap_start(void **state)
{
	(void)state;
	static const int rots[] = { 0, 90, 180, 270 };
	for (size_t i = 0; i < sizeof rots / sizeof rots[0]; i++) {
		struct ui *u = open_ui(800, 480, rots[i]);
		struct view v;
		fixture(&v, VIEW_HOME);
		ui_render(u, &v);
		struct view_event ev;
		assert_int_equal(tap(u, &v, "start", 1000, &ev), 1);
		assert_int_equal(ev.type, EV_START_RECORDING);
		assert_int_equal(tap(u, &v, "checkin", 2000, &ev), 1);
		assert_int_equal(ev.type, EV_SHOW);
		assert_int_equal(ev.arg, VIEW_CHECKIN);
		assert_int_equal(tap(u, &v, "settings", 3000, &ev), 1);
		assert_int_equal(ev.arg, VIEW_PIN);
		/* press on start, slide off, release elsewhere: nothing */
		int cx, cy, w, h;
		assert_true(ui_find(u, "start", &cx, &cy, &w, &h));
		ui_press(u, &v, cx, cy, 4000, &ev);
		assert_true(ui_dirty(u));
		assert_int_equal(ui_release(u, &v, 1, 1, 4100, &ev), 0);
		/* while recording the big button opens the recording screen */
		v.recording = true;
		ui_render(u, &v);
		assert_int_equal(tap(u, &v, "start", 5000, &ev), 1);
		assert_int_equal(ev.type, EV_SHOW);
		assert_int_equal(ev.arg, VIEW_RECORDING);
		ui_close(u);
	}
}

/* [privacy] attendance = none: the home screen offers no "Check in", and Start takes its
 * place (a wider button, still a tap to record). */
static void test_home_without_checkin(void **state)
{
	(void)state;
	static const struct { int w, h, rot; } sizes[] = { {800, 480, 0}, {1280, 800, 0},
							   {800, 480, 90} };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct ui *u = open_ui(sizes[i].w, sizes[i].h, sizes[i].rot);
		struct view v;
		struct view_event ev;
		int w_on, h_on, w_off, h_off;
		fixture(&v, VIEW_HOME);
		ui_render(u, &v);
		assert_true(ui_find(u, "checkin", NULL, NULL, NULL, NULL));
		assert_true(ui_find(u, "start", NULL, NULL, &w_on, &h_on));
		v.checkin_off = true;
		ui_render(u, &v);
		assert_false(ui_find(u, "checkin", NULL, NULL, NULL, NULL));
		assert_true(ui_find(u, "start", NULL, NULL, &w_off, &h_off));
		assert_true(w_off * h_off > w_on * h_on);   /* rotated: taller */
		assert_int_equal(tap(u, &v, "start", 1000, &ev), 1);
		assert_int_equal(ev.type, EV_START_RECORDING);
		char path[600];
		snprintf(path, sizeof path, "%s/home-checkin-off-%dx%d%s.png", shots, sizes[i].w,
			 sizes[i].h, sizes[i].rot ? "-r90" : "");
		assert_int_equal(ui_save_png(u, path), 0);
		ui_close(u);
	}
}

static void test_hold_to_stop(void **state)
{
	(void)state;
	struct ui *u = open_ui(800, 480, 0);
	struct view v;
	fixture(&v, VIEW_RECORDING);
	ui_render(u, &v);
	int cx, cy;
	struct view_event ev;
	assert_true(ui_find(u, "stop", &cx, &cy, NULL, NULL));
	/* released at 1.0 s: cancelled, no event, the button says so */
	ui_press(u, &v, cx, cy, 10000, &ev);
	assert_int_equal(ui_hold_tick(u, &v, 10500, &ev), 0);
	assert_true(ui_dirty(u));
	ui_render(u, &v);
	check_frame(u, "holding");
	save(u, "recording-holding", 800, 480, 0);
	assert_int_equal(ui_release(u, &v, cx, cy, 11000, &ev), 0);
	ui_render(u, &v);
	save(u, "recording-hold-hint", 800, 480, 0);
	/* while Stop is held, a wait comes back within ~33 ms so that the progress is drawn */
	uint32_t t0 = SDL_GetTicks();
	ui_press(u, &v, cx, cy, t0, &ev);
	assert_int_equal(ui_wait(u, &v, 2000, &ev), 0);
	assert_true(SDL_GetTicks() - t0 < 1000);
	assert_int_equal(ui_release(u, &v, cx, cy, t0 + 100, &ev), 0);
	/* held to 1.6 s: stop, once */
	ui_press(u, &v, cx, cy, 20000, &ev);
	assert_int_equal(ui_hold_tick(u, &v, 21000, &ev), 0);
	memset(&ev, 0, sizeof ev);
	assert_int_equal(ui_hold_tick(u, &v, 21600, &ev), 1);
	assert_int_equal(ev.type, EV_STOP_RECORDING);
	assert_int_equal(ui_hold_tick(u, &v, 21700, &ev), 0);
	assert_int_equal(ui_release(u, &v, cx, cy, 21800, &ev), 0);
	/* a plain tap on stop does nothing */
	assert_int_equal(tap(u, &v, "stop", 30000, &ev), 0);
	/* pause, tags, keyboard */
	assert_int_equal(tap(u, &v, "pause", 31000, &ev), 1);
	assert_int_equal(ev.type, EV_PAUSE);
	assert_int_equal(tap(u, &v, "tag:2", 32000, &ev), 1);
	assert_int_equal(ev.type, EV_TAG_TOGGLE);
	assert_int_equal(ev.arg, 2);
	assert_int_equal(tap(u, &v, "addtag", 33000, &ev), 1);
	assert_int_equal(ev.type, EV_KEYBOARD);
	assert_int_equal(ev.arg, 1);
	v.paused = true;
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "pause", 34000, &ev), 1);
	assert_int_equal(ev.type, EV_RESUME);
	ui_close(u);
}

static void test_pin_and_checkin(void **state)
{
	(void)state;
	struct ui *u = open_ui(800, 480, 90);
	struct view v;
	struct view_event ev;
	fixture(&v, VIEW_PIN);
	ui_render(u, &v);
	for (int d = 0; d <= 9; d++) {
		char name[16];
		snprintf(name, sizeof name, "pin:%d", d);
		assert_int_equal(tap(u, &v, name, 1000 + (uint32_t)d * 200, &ev), 1);
		assert_int_equal(ev.type, EV_PIN_DIGIT);
		assert_int_equal(ev.arg, d);
	}
	assert_int_equal(tap(u, &v, "pin:clear", 4000, &ev), 1);
	assert_int_equal(ev.type, EV_PIN_CLEAR);
	/* OK submits (the fixture has digits typed); with none typed it does nothing */
	assert_int_equal(tap(u, &v, "pin:ok", 4100, &ev), 1);
	assert_int_equal(ev.type, EV_PIN_OK);
	v.pin_len = 0;
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "pin:ok", 4150, &ev), 0);
	/* the sample PIN: the keypad is refused, Cancel still leads home */
	v.pin_len = 2;
	v.pin_default = true;
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "pin:ok", 4170, &ev), 0);
	assert_int_equal(tap(u, &v, "pin:3", 4180, &ev), 0);
	v.pin_default = false;
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "pin:cancel", 4200, &ev), 1);
	assert_int_equal(ev.type, EV_SHOW);
	assert_int_equal(ev.arg, VIEW_HOME);
	v.pin_locked_until = v.now + 60;
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "pin:7", 5000, &ev), 0);

	fixture(&v, VIEW_CHECKIN);
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "invitee:2", 6000, &ev), 1);
	assert_int_equal(ev.type, EV_CHECKIN_TOGGLE);
	assert_int_equal(ev.arg, 2);
	assert_int_equal(tap(u, &v, "key:a", 6200, &ev), 1);
	assert_int_equal(ev.type, EV_KEY);
	assert_string_equal(ev.text, "a");
	assert_int_equal(tap(u, &v, "key:\xc3\xb6", 6400, &ev), 1);
	assert_string_equal(ev.text, "\xc3\xb6");
	assert_int_equal(tap(u, &v, "key:space", 6600, &ev), 1);
	assert_string_equal(ev.text, " ");
	assert_int_equal(tap(u, &v, "key:backspace", 6800, &ev), 1);
	assert_int_equal(ev.type, EV_BACKSPACE);
	assert_int_equal(tap(u, &v, "walkin", 7000, &ev), 1);
	assert_int_equal(ev.type, EV_WALK_IN);
	assert_int_equal(tap(u, &v, "key:done", 7200, &ev), 1);
	assert_int_equal(ev.type, EV_KEYBOARD);
	assert_int_equal(ev.arg, 0);
	v.search[0] = 0;
	ui_render(u, &v);
	assert_false(ui_find(u, "walkin", NULL, NULL, NULL, NULL));
	assert_int_equal(tap(u, &v, "guest", 7400, &ev), 1);
	assert_int_equal(ev.type, EV_CHECKIN_GUEST);
	/* The confirmation and its Undo. */
	assert_false(ui_find(u, "undo", NULL, NULL, NULL, NULL));
	v.keyboard = false;
	v.checkin_note = CHECKIN_NOTE_OK;
	snprintf(v.checkin_note_text, sizeof v.checkin_note_text, "Welcome, Ada");
	v.checkin_undo = true;
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "undo", 7600, &ev), 1);
	assert_int_equal(ev.type, EV_CHECKIN_UNDO);
	v.checkin_note = CHECKIN_NOTE_NONE;                 /* Undo outlives the confirmation */
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "undo", 7800, &ev), 1);
	/* No session open, and check-in off: nothing to tap but Home. */
	v.checkin_open = false;
	v.checkin_opens_at = v.now + 3600;
	ui_render(u, &v);
	assert_false(ui_find(u, "guest", NULL, NULL, NULL, NULL));
	assert_false(ui_find(u, "invitee:0", NULL, NULL, NULL, NULL));
	assert_true(ui_find(u, "home", NULL, NULL, NULL, NULL));
	v.checkin_off = true;
	ui_render(u, &v);
	assert_false(ui_find(u, "search", NULL, NULL, NULL, NULL));
	ui_close(u);
}

static void test_uploads_and_settings(void **state)
{
	(void)state;
	struct ui *u = open_ui(1280, 800, 0);
	struct view v;
	struct view_event ev;
	fixture(&v, VIEW_UPLOADS);
	ui_render(u, &v);
	assert_false(ui_find(u, "retry:17", NULL, NULL, NULL, NULL));
	assert_false(ui_find(u, "retry:20", NULL, NULL, NULL, NULL));
	assert_int_equal(tap(u, &v, "retry:19", 1000, &ev), 1);
	assert_int_equal(ev.type, EV_RETRY);
	assert_int_equal(ev.arg, 19);
	assert_int_equal(tap(u, &v, "retry:18", 1200, &ev), 1);
	assert_int_equal(ev.arg, 18);
	fixture(&v, VIEW_SETTINGS);
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "input:2", 2000, &ev), 1);
	assert_int_equal(ev.type, EV_INPUT_SELECT);
	assert_int_equal(ev.arg, 2);
	assert_int_equal(tap(u, &v, "bright:+", 2200, &ev), 1);
	assert_int_equal(ev.type, EV_BRIGHTNESS);
	assert_int_equal(ev.arg, 80);
	assert_int_equal(tap(u, &v, "bright:-", 2400, &ev), 1);
	assert_int_equal(ev.arg, 60);
	assert_int_equal(tap(u, &v, "test", 2600, &ev), 1);
	assert_int_equal(ev.type, EV_TEST_CONNECTION);
	assert_int_equal(tap(u, &v, "home", 2800, &ev), 1);
	assert_int_equal(ev.type, EV_SHOW);
	assert_int_equal(ev.arg, VIEW_HOME);
	v.brightness = 100;
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "bright:+", 3000, &ev), 0);
	ui_close(u);
}

static void test_quit_and_shift(void **state)
{
	(void)state;
	struct ui *u = open_ui(800, 480, 0);
	struct view v;
	struct view_event ev;
	fixture(&v, VIEW_HOME);
	ui_render(u, &v);
	assert_false(ui_dirty(u));
	assert_int_equal(ui_wait(u, &v, 10, &ev), 0);
	SDL_Event q = { .type = SDL_QUIT };
	SDL_PushEvent(&q);
	assert_int_equal(ui_wait(u, &v, 100, &ev), 1);
	assert_int_equal(ev.type, EV_QUIT);
	/* the burn-in shift moves widgets, and taps follow */
	int x0, y0, x1, y1;
	assert_true(ui_find(u, "start", &x0, &y0, NULL, NULL));
	ui_set_shift(u, 3, -2);
	assert_true(ui_dirty(u));
	ui_render(u, &v);
	assert_true(ui_find(u, "start", &x1, &y1, NULL, NULL));
	assert_int_equal(x1 - x0, 3);
	assert_int_equal(y1 - y0, -2);
	assert_int_equal(tap(u, &v, "start", 1000, &ev), 1);
	assert_int_equal(ev.type, EV_START_RECORDING);
	assert_int_equal(ui_text_overflows(u), 0);
	ui_close(u);
}

static void test_missing_font(void **state)
{
	(void)state;
	struct ui *u = NULL;
	char why[256] = "";
	assert_int_equal(ui_open_offscreen(800, 480, 0, "/nonexistent/fonts", &u, why, sizeof why),
			 LT_ERR_NOT_FOUND);
	assert_null(u);
	assert_non_null(strstr(why, "/nonexistent/fonts/DejaVuSans.ttf"));
	assert_int_equal(ui_open_offscreen(800, 480, 45, NULL, &u, why, sizeof why), LT_ERR_INVALID);
}

/* The real-window path, on SDL's dummy video driver (no display needed). */
static void test_window_dummy(void **state)
{
	(void)state;
	struct ui_options o = { .width = 800, .height = 480, .fullscreen = "auto", .rotation = 270 };
	struct ui *u = NULL;
	char why[256] = "";
	if (ui_open(&o, &u, why, sizeof why) != LT_OK) {
		print_message("no dummy video driver here (%s): skipped\n", why);
		skip();
	}
	int ww, wh, lw, lh;
	ui_size(u, &ww, &wh, &lw, &lh);
	assert_int_equal(ww, 800);
	assert_int_equal(lw, 480);
	struct view v;
	fixture(&v, VIEW_HOME);
	ui_render(u, &v);
	check_frame(u, "window r270");
	struct view_event ev;
	assert_int_equal(tap(u, &v, "start", 1000, &ev), 1);
	assert_int_equal(ev.type, EV_START_RECORDING);

	/* A finger, as the touchscreen sends it: normalized window coordinates, through SDL's
	 * event queue and ui_wait (touch first wakes the screen, the lift is the tap). */
	int cx, cy;
	assert_true(ui_find(u, "checkin", &cx, &cy, NULL, NULL));
	SDL_Event down = { .tfinger = { .type = SDL_FINGERDOWN, .touchId = 1, .fingerId = 7,
					.x = (float)cx / (float)ww, .y = (float)cy / (float)wh } };
	SDL_Event up = down;
	up.tfinger.type = SDL_FINGERUP;
	assert_int_equal(SDL_PushEvent(&down), 1);
	assert_int_equal(SDL_PushEvent(&up), 1);
	enum view_event_type got[4] = {EV_NONE};
	int n = 0;
	while (n < 4 && ui_wait(u, &v, 50, &ev) == 1)
		got[n++] = ev.type;
	assert_int_equal(n, 2);
	assert_int_equal(got[0], EV_ACTIVITY);
	assert_int_equal(got[1], EV_SHOW);
	assert_int_equal(ev.arg, VIEW_CHECKIN);
	/* typed text (a desktop keyboard) arrives as one character per event */
	SDL_Event text = { .text = { .type = SDL_TEXTINPUT, .text = "\xc3\xa9" } };
	assert_int_equal(SDL_PushEvent(&text), 1);
	assert_int_equal(ui_wait(u, &v, 50, &ev), 1);
	assert_int_equal(ev.type, EV_KEY);
	assert_string_equal(ev.text, "\xc3\xa9");

	char path[700];
	snprintf(path, sizeof path, "%s/home-window-800x480-r270.png", shots);
	assert_int_equal(ui_save_png(u, path), 0);
	ui_close(u);
}

/* The plugin's ops table (screen_sdl.c), as `lectern run` uses it, on the dummy driver: a tap
 * is translated against the view last posted, widgets and PNG come from that frame. */
static void test_screen_ops(void **state)
{
	(void)state;
	const struct screen_ops *ops = lectern_screen_sdl();
	assert_int_equal(ops->abi, SCREEN_ABI);
	assert_int_equal(ops->view_size, sizeof(struct view));
	struct screen_params p = { .width = 800, .height = 480, .fullscreen = "no",
				   .font_dir = getenv("LECTERN_FONT_DIR") };
	struct screen *s = NULL;
	char why[256] = "";
	if (screen_open(ops, &p, &s, why, sizeof why) != LT_OK) {
		print_message("no dummy video driver here (%s): skipped\n", why);
		skip();
	}
	struct view_event ev;
	assert_int_equal(screen_next_event(s, 10, &ev), 0);  /* before a post: nothing */
	struct view v;
	fixture(&v, VIEW_HOME);
	screen_post(s, &v);
	assert_false(screen_dirty(s));
	char path[700];
	snprintf(path, sizeof path, "%s/ops-widgets.jsonl", shots);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	screen_dump_widgets(s, f);
	assert_int_equal(fclose(f), 0);
	f = fopen(path, "r");
	char line[256];
	int x = -1, y = -1, w = 0, h = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "{\"name\":\"checkin\",\"x\":%d,\"y\":%d,\"w\":%d,\"h\":%d", &x, &y,
			   &w, &h) == 4)
			break;
	fclose(f);
	assert_true(w > 0 && h > 0);
	SDL_Event down = { .button = { .type = SDL_MOUSEBUTTONDOWN, .button = SDL_BUTTON_LEFT,
				       .x = x + w / 2, .y = y + h / 2 } };
	SDL_Event up = down;
	up.button.type = SDL_MOUSEBUTTONUP;
	assert_int_equal(SDL_PushEvent(&down), 1);
	assert_int_equal(SDL_PushEvent(&up), 1);
	assert_int_equal(screen_next_event(s, 100, &ev), 1);
	assert_int_equal(ev.type, EV_ACTIVITY);
	assert_int_equal(screen_next_event(s, 100, &ev), 1);
	assert_int_equal(ev.type, EV_SHOW);
	assert_int_equal(ev.arg, VIEW_CHECKIN);
	screen_set_shift(s, 3, 3);
	assert_true(screen_dirty(s));
	snprintf(path, sizeof path, "%s/ops-home-800x480.png", shots);
	assert_int_equal(screen_save_png(s, path), 0);
	screen_close(s);
}

/* Home's Sessions button opens the screen; its search field opens the keyboard; the keys type;
 * a tap on the thank-you card dismisses it, not the button under it. */
static void test_sessions_taps(void **state)
{
	(void)state;
	struct ui *u = open_ui(800, 480, 90);
	struct view v;
	struct view_event ev;
	free_home(&v);
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "sessions", 1000, &ev), 1);
	assert_int_equal(ev.type, EV_SHOW);
	assert_int_equal(ev.arg, VIEW_SESSIONS);
	assert_true(ui_find(u, "qr:recent:0", NULL, NULL, NULL, NULL));
	assert_false(ui_find(u, "qr:found:0", NULL, NULL, NULL, NULL));
	fixture(&v, VIEW_SESSIONS);
	v.keyboard = false;
	ui_render(u, &v);
	assert_true(ui_find(u, "qr:found:0", NULL, NULL, NULL, NULL));
	assert_false(ui_find(u, "qr:found:2", NULL, NULL, NULL, NULL)); /* its link is "" */
	assert_int_equal(tap(u, &v, "search", 2000, &ev), 1);
	assert_int_equal(ev.type, EV_KEYBOARD);
	assert_int_equal(ev.arg, 1);
	v.keyboard = true;
	ui_render(u, &v);
	assert_false(ui_find(u, "qr:found:0", NULL, NULL, NULL, NULL)); /* a line each */
	assert_int_equal(tap(u, &v, "key:\xc3\xa9", 3000, &ev), 1);
	assert_int_equal(ev.type, EV_KEY);
	assert_string_equal(ev.text, "\xc3\xa9");
	free_home(&v);
	v.has_thanks = true;
	snprintf(v.thanks_title, sizeof v.thanks_title, "Thank you");
	snprintf(v.thanks_text, sizeof v.thanks_text, "The recording is saved.");
	ui_render(u, &v);
	assert_int_equal(tap(u, &v, "thanks", 4000, &ev), 1);
	assert_int_equal(ev.type, EV_THANKS_DISMISS);
	ui_close(u);
}

/* ---- past sessions: from the store to a code a phone reads ---- */

/* What zbarimg reads in the PNG at `path`, one symbol a line, sorted: "" for none. */
static void zbar(const char *path, char *out, size_t n)
{
	char cmd[800];
	snprintf(cmd, sizeof cmd, "zbarimg --quiet --raw '%s' 2>/dev/null | LC_ALL=C sort", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t len = fread(out, 1, n - 1, p);
	out[len] = '\0';
	pclose(p);   /* zbarimg exits 4 when it found nothing: the text says so */
}

/* A room for the screen's tests: its configuration (no calendar), a store and the schedule
 * on it, and a second connection to the same database to set rows up as other processes
 * would. */
struct room {
	char dir[64];
	struct config cfg;
	struct store *st;
	struct schedule *sched;
	sqlite3 *raw;
};

static void room_open(struct room *r, const char *tag)
{
	assert_true(tu_temp_config(r->dir, sizeof r->dir, tag, &r->cfg));
	snprintf(r->cfg.schedule_source, sizeof r->cfg.schedule_source, "none");
	char db[128];
	snprintf(db, sizeof db, "%s/lectern.db", r->dir);
	assert_int_equal(store_open(db, &r->st), LT_OK);
	assert_int_equal(schedule_open(&r->cfg, r->st, &r->sched), LT_OK);
	assert_int_equal(sqlite3_open(db, &r->raw), SQLITE_OK);
	sqlite3_busy_timeout(r->raw, 2000);
}

static void room_close(struct room *r)
{
	sqlite3_close(r->raw);
	schedule_close(r->sched);
	store_close(r->st);
	tu_rmrf(r->dir);
}

/* The links of the codes the last frame drew (widgets qr:KIND:N of view entries `past`),
 * sorted, one a line, as zbar() gives them. */
static int drawn_links(struct ui *u, const char *kind, const struct view_past *past, int n,
		       char *out, size_t size)
{
	const char *lines[VIEW_MAX_FOUND];
	int k = 0;
	for (int i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "qr:%s:%d", kind, i);
		if (ui_find(u, name, NULL, NULL, NULL, NULL)) {
			assert_true(past[i].link[0]);       /* no link, no code */
			lines[k++] = past[i].link;
		}
	}
	for (int i = 1; i < k; i++)             /* insertion sort, as `LC_ALL=C sort` */
		for (int j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
			const char *t = lines[j];
			lines[j] = lines[j - 1];
			lines[j - 1] = t;
		}
	out[0] = '\0';
	for (int i = 0; i < k; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s\n", lines[i]);
	return k;
}

static void put_delivered(struct store *st, sqlite3 *db, int64_t start, const char *title,
			  const char *presenter, const char *tags, const char *link)
{
	struct recording r = { .started_ms = start * 1000 };
	snprintf(r.path, sizeof r.path, "/nonexistent/%lld.opus", (long long)start);
	snprintf(r.title, sizeof r.title, "%s", title);
	snprintf(r.presenter, sizeof r.presenter, "%s", presenter);
	assert_int_equal(store_recording_create(st, &r), LT_OK);
	static const enum rec_state path[] = { REC_RECORDING, REC_FINALIZING, REC_QUEUED,
					       REC_UPLOADING, REC_UPLOADED };
	for (int i = 1; i < 5; i++)
		assert_int_equal(store_recording_transition(st, r.id, path[i - 1], path[i], "t"),
				 LT_OK);
	assert_int_equal(store_recording_set_tags(st, r.id, tags), LT_OK);
	/* The link as the delivery stores it (recordings.link). */
	char *q = sqlite3_mprintf("UPDATE recordings SET link = %Q WHERE id = %lld", link,
				  (long long)r.id);
	assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(q);
}

static void test_codes_decode_to_stored_links(void **state)
{
	(void)state;
	struct room r;
	room_open(&r, "uiqr");
	snprintf(r.cfg.room, sizeof r.cfg.room, "Room 4.12");
	struct store *st = r.st;
	struct schedule *sched = r.sched;
	sqlite3 *raw = r.raw;
	/* Opencast's player, a WebDAV file (escaped), one without a link, an older one. */
	put_delivered(st, raw, NOW - 7 * 86400, "Rust for C programmers: ownership without tears",
		      "Ada Lovelace", "rust,talk",
		      "https://opencast.example.org/play/6f1c2a7e-93b4-4d1e-8a55-0c2d9b7e4f10");
	put_delivered(st, raw, NOW - 14 * 86400, "Caf\xc3\xa9 culture in remote teams",
		      "Jos\xc3\xa9 N\xc3\xba\xc3\xb1\x65z", "workshop",
		      "https://dav.example.org/lectern/Room%204.12/2024/05/20240516T120000Z-3fa9.opus");
	put_delivered(st, raw, NOW - 21 * 86400, "Property-based testing", "Grace Hopper", "testing",
		      "");
	put_delivered(st, raw, NOW - 28 * 86400, "Kubernetes for the rest of us", "Ada Lovelace",
		      "k8s", "https://opencast.example.org/play/0b8e4c1d-2f6a-4e3b-9c7d-5a1e8f2b6c30");
	struct kiosk_view_sources src = { .cfg = &r.cfg, .st = st, .sched = sched,
					  .mic_name = "USB microphone", .mic_present = true };
	struct kiosk_view_builder b;
	kiosk_view_init(&b, &src);
	struct kiosk_state ks = { .screen = VIEW_HOME };
	struct controller_status cs = { 0 };
	struct view *v = malloc(sizeof *v);
	static const int sizes[][3] = { { 800, 480, 0 }, { 1280, 800, 0 }, { 800, 480, 90 },
					{ 480, 800, 0 } };
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct ui *u = open_ui(sizes[k][0], sizes[k][1], sizes[k][2]);
		for (int screen = 0; screen < 2; screen++) {
			ks.screen = screen ? VIEW_SESSIONS : VIEW_HOME;
			kiosk_view_build(&b, &ks, &cs, NOW, v);
			assert_int_equal(v->room_state, ROOM_FREE);
			ui_render(u, v);
			char what[64], path[700], want[2048], got[2048];
			snprintf(what, sizeof what, "%s from the store %dx%d r%d",
				 screen ? "sessions" : "home", sizes[k][0], sizes[k][1], sizes[k][2]);
			check_frame(u, what);
			snprintf(path, sizeof path, "%s/store-%s-%dx%d%s.png", shots,
				 screen ? "sessions" : "home", sizes[k][0], sizes[k][1],
				 sizes[k][2] ? "-r90" : "");
			assert_int_equal(ui_save_png(u, path), 0);
			int codes = screen ? drawn_links(u, "found", v->found, v->n_found, want,
							 sizeof want)
					   : drawn_links(u, "recent", v->recent, v->n_recent, want,
							 sizeof want);
			/* The home shows at least the latest; the Sessions screen all four, three
			 * of them with a code. */
			assert_true(codes >= 1);
			if (screen) {
				assert_int_equal(v->n_found, 4);
				assert_int_equal(codes, 3);
				assert_false(ui_find(u, "qr:found:2", NULL, NULL, NULL, NULL));
			}
			zbar(path, got, sizeof got);
			if (strcmp(got, want) != 0)
				fail_msg("%s: zbarimg read\n%swhere the store holds\n%s", what, got,
					 want);
		}
		ui_close(u);
	}
	free(v);
	kiosk_view_free(&b);
	room_close(&r);
}

/* Links from a hostile server or template: as long as a code at a readable size cannot hold,
 * and past what the view keeps (VIEW_LINK_MAX). Each session with a link shows either a code
 * that reads back exactly its link, or a note saying there is none: never a blank, never a
 * code too dense to read. */
static void test_long_links_degrade(void **state)
{
	(void)state;
	struct room r;
	room_open(&r, "uilong");
	struct store *st = r.st;
	struct schedule *sched = r.sched;
	sqlite3 *raw = r.raw;
	static const int lens[] = { 1000, 383, 200, 48 };   /* the latest first */
	for (int i = 0; i < 4; i++) {
		char link[1001];
		int n = snprintf(link, sizeof link, "https://oc.example.org/play/");
		for (; n < lens[i]; n++)
			link[n] = "0123456789abcdef-"[n % 17];
		link[n] = '\0';
		char title[64];
		snprintf(title, sizeof title, "A link of %d characters", lens[i]);
		put_delivered(st, raw, NOW - (i + 1) * 86400, title, "Ada", "links", link);
	}
	struct kiosk_view_sources src = { .cfg = &r.cfg, .st = st, .sched = sched,
					  .mic_name = "USB microphone", .mic_present = true };
	struct kiosk_view_builder b;
	kiosk_view_init(&b, &src);
	struct kiosk_state ks = { .screen = VIEW_HOME };
	struct controller_status cs = { 0 };
	struct view *v = malloc(sizeof *v);
	static const int sizes[][3] = { { 800, 480, 0 },  { 1280, 800, 0 }, { 480, 800, 0 },
					{ 1024, 600, 0 }, { 600, 1024, 0 }, { 1920, 1080, 0 },
					{ 720, 720, 0 } };
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct ui *u = open_ui(sizes[k][0], sizes[k][1], sizes[k][2]);
		for (int screen = 0; screen < 2; screen++) {
			ks.screen = screen ? VIEW_SESSIONS : VIEW_HOME;
			kiosk_view_build(&b, &ks, &cs, NOW, v);
			ui_render(u, v);
			char what[64], path[700], want[4096], got[4096];
			snprintf(what, sizeof what, "long links, %s %dx%d",
				 screen ? "sessions" : "home", sizes[k][0], sizes[k][1]);
			check_frame(u, what);
			snprintf(path, sizeof path, "%s/longlinks-%s-%dx%d.png", shots,
				 screen ? "sessions" : "home", sizes[k][0], sizes[k][1]);
			assert_int_equal(ui_save_png(u, path), 0);
			const char *kind = screen ? "found" : "recent";
			const struct view_past *past = screen ? v->found : v->recent;
			int n = screen ? v->n_found : v->n_recent;
			drawn_links(u, kind, past, n, want, sizeof want);
			zbar(path, got, sizeof got);
			if (strcmp(got, want) != 0)
				fail_msg("%s: zbarimg read\n%swhere the codes drawn stand for\n%s", what,
					 got, want);
			/* The latest is always shown; those that fit after it, each with a code or
			 * a note (a tile left out leaves out the ones after it too). */
			bool cut = false;
			for (int i = 0; i < (screen ? 4 : 3); i++) {
				char qr[32], note[32];
				snprintf(qr, sizeof qr, "qr:%s:%d", kind, i);
				snprintf(note, sizeof note, "nocode:%s:%d", kind, i);
				bool has_qr = ui_find(u, qr, NULL, NULL, NULL, NULL);
				bool has_note = ui_find(u, note, NULL, NULL, NULL, NULL);
				if (has_qr && has_note)
					fail_msg("%s: session %d (a link of %d): a code and a note", what,
						 i, lens[i]);
				if ((has_qr || has_note) && cut)
					fail_msg("%s: session %d (a link of %d) shown, one before it "
						 "with neither a code nor a note", what, i, lens[i]);
				if (!has_qr && !has_note && i == 0)
					fail_msg("%s: the latest session has neither a code nor a note",
						 what);
				cut = cut || (!has_qr && !has_note);
			}
			assert_true(v->n_found == 4 || !screen);
			assert_false(ui_find(u, screen ? "qr:found:0" : "qr:recent:0", NULL, NULL,
					     NULL, NULL)); /* 1000 characters: never a code */
		}
		ui_close(u);
	}
	free(v);
	kiosk_view_free(&b);
	room_close(&r);
}

/* What a real room's calendar gives: a 1000-character title, right-to-left titles and names,
 * combining marks and emoji, a presenter named at length; the Sessions screen with none and
 * with one, the thank-you card with the longest name. Every frame passes check_frame (no text
 * out of its box, widgets on the panel); the PNGs are for eyes. */
static void test_hostile_titles(void **state)
{
	(void)state;
	struct room r;
	room_open(&r, "uititles");
	struct store *st = r.st;
	struct schedule *sched = r.sched;
	sqlite3 *raw = r.raw;
	struct kiosk_view_sources src = { .cfg = &r.cfg, .st = st, .sched = sched,
					  .mic_name = "USB microphone", .mic_present = true };
	struct kiosk_view_builder b;
	kiosk_view_init(&b, &src);
	struct kiosk_state ks = { .screen = VIEW_SESSIONS };
	struct controller_status cs = { 0 };
	struct view *v = malloc(sizeof *v);
	char title[1001], name[300];
	for (int i = 0; i < 1000; i++)
		title[i] = "Long title "[i % 11];
	title[1000] = '\0';
	name[0] = '\0';
	for (int i = 0; i < 40; i++)
		strcat(name, "Zo\xc3\xab ");      /* 40 × "Zoë ": past what any line holds */
	static const char *const rtl = "\xd7\xa9\xd7\x99\xd7\xa2\xd7\x95\xd7\xa8 "
				       "\xd7\x91\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa: Rust "
				       "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7";
	static const char *const marks = "Cafe\xcc\x81 Zo\xcc\x88\xcc\x88\xcc\x88\xcc\x88 "
					 "\xf0\x9f\x98\x80\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb "
					 "\xe2\x80\x8f\xe2\x80\xae reversed";
	for (int step = 0; step < 3; step++) {
		if (step == 1)
			put_delivered(st, raw, NOW - 86400, title, name, "rtl,\xd7\xa2\xd7\x91", "https://x.example/1");
		if (step == 2) {
			put_delivered(st, raw, NOW - 2 * 86400, rtl, rtl, "a", "https://x.example/2");
			put_delivered(st, raw, NOW - 3 * 86400, marks, marks, marks, "https://x.example/3");
		}
		static const int sizes[][2] = { { 800, 480 }, { 1280, 800 }, { 480, 800 } };
		for (size_t k = 0; k < 3; k++) {
			struct ui *u = open_ui(sizes[k][0], sizes[k][1], 0);
			for (int screen = 0; screen < 2; screen++) {
				ks.screen = screen ? VIEW_SESSIONS : VIEW_HOME;
				kiosk_view_build(&b, &ks, &cs, NOW, v);
				assert_int_equal(v->n_found, screen ? step + (step == 2) : 0);
				if (!screen && step == 2) {      /* the card over the home */
					v->has_thanks = true;
					snprintf(v->thanks_title, sizeof v->thanks_title,
						 "Thank you, %.120s", name);
					snprintf(v->thanks_text, sizeof v->thanks_text,
						 "23 checked in. Your 5th session this term.");
				}
				ui_render(u, v);
				char what[96];
				snprintf(what, sizeof what, "titles step %d %s %dx%d", step,
					 screen ? "sessions" : "home", sizes[k][0], sizes[k][1]);
				check_frame(u, what);
				char shot[32];
				snprintf(shot, sizeof shot, "titles%d-%s", step,
					 screen ? "sessions" : "home");
				save(u, shot, sizes[k][0], sizes[k][1], 0);
			}
			ui_close(u);
		}
	}
	free(v);
	kiosk_view_free(&b);
	room_close(&r);
}

/* Right-to-left titles and names are drawn in their visual order (ui_visual, FriBidi): SDL_ttf
 * alone drew "שלום" mirrored and Arabic unjoined. Latin text is left as it is. */
static void test_rtl_visual(void **state)
{
	(void)state;
	char out[512];
	const char *latin = "Caf\xc3\xa9 culture";
	assert_ptr_equal(ui_visual(latin, out, sizeof out), latin);
	/* שלום → ם ו ל ש */
	assert_string_equal(ui_visual("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", out, sizeof out),
			    "\xd7\x9d\xd7\x95\xd7\x9c\xd7\xa9");
	/* A Hebrew title with a Latin word: read from the right, the word left as it is. */
	const char *v = ui_visual("\xd7\xa9\xd7\x99\xd7\xa2\xd7\x95\xd7\xa8: Rust", out, sizeof out);
	assert_string_equal(v, "Rust :\xd7\xa8\xd7\x95\xd7\xa2\xd7\x99\xd7\xa9");
	/* An English title with a Hebrew word: left to right, only the word turned. */
	v = ui_visual("Talk \xd7\x90\xd7\x91 now", out, sizeof out);
	assert_string_equal(v, "Talk \xd7\x91\xd7\x90 now");
	/* Arabic: joined forms (presentation forms, U+FExx: EF BB.. / EF BA..), not the bare
	 * letters. */
	v = ui_visual("\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", out, sizeof out);
	assert_non_null(strstr(v, "\xef"));
	/* Too small an output: the text as it is, never a cut character. */
	const char *two = "\xd7\xa9\xd7\x9c";
	assert_ptr_equal(ui_visual(two, out, 4), two);
}

/* The whole way: a recording delivered to a folder target stores its link from [upload]
 * link_template; the free home and the Sessions screen show it as a code that reads back
 * exactly that link. A delivery that fails (its file gone) stores none and shows nothing. */
static void test_delivered_link_to_code(void **state)
{
	(void)state;
	char dir[64], share[128], db[128], spool[128];
	struct config cfg;
	assert_true(tu_temp_config(dir, sizeof dir, "uilink", &cfg));
	snprintf(cfg.schedule_source, sizeof cfg.schedule_source, "none");
	snprintf(cfg.room, sizeof cfg.room, "Room 4.12");
	snprintf(share, sizeof share, "%s/share", dir);
	snprintf(spool, sizeof spool, "%s/spool", dir);
	assert_int_equal(mkdir(share, 0700), 0);
	assert_int_equal(mkdir(spool, 0700), 0);
	snprintf(cfg.spool_dir, sizeof cfg.spool_dir, "%s", spool);
	snprintf(cfg.upload_target, sizeof cfg.upload_target, "folder");
	snprintf(cfg.upload_folder, sizeof cfg.upload_folder, "%s", share);
	snprintf(cfg.upload_link_template, sizeof cfg.upload_link_template,
		 "https://media.example.org/{room}/{year}/{month}/{file}");
	snprintf(db, sizeof db, "%s/lectern.db", dir);
	struct store *st;
	struct schedule *sched;
	assert_int_equal(store_open(db, &st), LT_OK);
	assert_int_equal(schedule_open(&cfg, st, &sched), LT_OK);
	int64_t ids[2];
	for (int i = 0; i < 2; i++) {
		struct recording r = { .started_ms = (int64_t)(NOW - (i + 1) * 86400) * 1000 };
		store_make_uid(r.started_ms, r.uid, sizeof r.uid);
		snprintf(r.path, sizeof r.path, "%s/%s.opus", spool, r.uid);
		snprintf(r.title, sizeof r.title, i ? "Lost before delivery" : "Delivered for real");
		snprintf(r.presenter, sizeof r.presenter, "Ada Lovelace");
		snprintf(r.room, sizeof r.room, "%s", cfg.room);
		char audio[4000];
		memset(audio, 0x55, sizeof audio);
		assert_true(tu_write_file(r.path, audio, sizeof audio));
		assert_int_equal(store_recording_create(st, &r), LT_OK);
		assert_int_equal(store_recording_set_result(st, r.id, 48000, sizeof audio,
							    r.started_ms + 3600000, NULL), LT_OK);
		assert_int_equal(store_recording_transition(st, r.id, REC_RECORDING, REC_FINALIZING,
							    "t"), LT_OK);
		assert_int_equal(store_recording_transition(st, r.id, REC_FINALIZING, REC_QUEUED,
							    "t"), LT_OK);
		ids[i] = r.id;
		if (i == 1)
			assert_int_equal(unlink(r.path), 0);
	}
	int attempted = 0, failed = 0;
	upload_run_once(&cfg, st, (int64_t)NOW * 1000, true, &attempted, &failed);
	assert_int_equal(attempted, 2);
	assert_int_equal(failed, 1);
	struct recording done, lost;
	assert_int_equal(store_recording_get(st, ids[0], &done), LT_OK);
	assert_int_equal(store_recording_get(st, ids[1], &lost), LT_OK);
	assert_int_equal(done.state, REC_UPLOADED);
	assert_non_null(strstr(done.link, "https://media.example.org/Room%204.12/"));
	assert_int_not_equal(lost.state, REC_UPLOADED);
	assert_string_equal(lost.link, "");

	struct kiosk_view_sources src = { .cfg = &cfg, .st = st, .sched = sched,
					  .mic_name = "USB microphone", .mic_present = true };
	struct kiosk_view_builder b;
	kiosk_view_init(&b, &src);
	struct kiosk_state ks = { .screen = VIEW_HOME };
	struct controller_status cs = { 0 };
	struct view *v = malloc(sizeof *v);
	struct ui *u = open_ui(800, 480, 0);
	for (int screen = 0; screen < 2; screen++) {
		ks.screen = screen ? VIEW_SESSIONS : VIEW_HOME;
		kiosk_view_build(&b, &ks, &cs, NOW, v);
		/* Only the delivered one is listed. */
		assert_int_equal(screen ? v->n_found : v->n_recent, 1);
		ui_render(u, v);
		check_frame(u, screen ? "delivered sessions" : "delivered home");
		char path[700], got[2048], want[1100];
		snprintf(path, sizeof path, "%s/delivered-%s-800x480.png", shots,
			 screen ? "sessions" : "home");
		assert_int_equal(ui_save_png(u, path), 0);
		zbar(path, got, sizeof got);
		snprintf(want, sizeof want, "%s\n", done.link);
		if (strcmp(got, want) != 0)
			fail_msg("%s: zbarimg read \"%s\", the delivery stored \"%s\"", path, got,
				 done.link);
	}
	ui_close(u);
	free(v);
	kiosk_view_free(&b);
	schedule_close(sched);
	store_close(st);
	tu_rmrf(dir);
}

int main(void)
{
	const char *b = getenv("BUILD");
	snprintf(shots, sizeof shots, "%s/shots", b && *b ? b : "build");
	mkdir(b && *b ? b : "build", 0755);
	if (mkdir(shots, 0755) != 0 && errno != EEXIST) {
		perror(shots);
		return 1;
	}
	setenv("SDL_VIDEODRIVER", "dummy", 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_screens_800x480),
		cmocka_unit_test(test_screens_1280x800),
		cmocka_unit_test(test_screens_portrait),
		cmocka_unit_test(test_home_1920x1080),
		cmocka_unit_test(test_text_cache_budget),
		cmocka_unit_test(test_docs_shots),
		cmocka_unit_test(test_docs_past_sessions),
		cmocka_unit_test(test_rec_indicator_is_red),
		cmocka_unit_test(test_tap_start),
		cmocka_unit_test(test_home_without_checkin),
		cmocka_unit_test(test_hold_to_stop),
		cmocka_unit_test(test_pin_and_checkin),
		cmocka_unit_test(test_uploads_and_settings),
		cmocka_unit_test(test_quit_and_shift),
		cmocka_unit_test(test_missing_font),
		cmocka_unit_test(test_window_dummy),
		cmocka_unit_test(test_screen_ops),
		cmocka_unit_test(test_sessions_taps),
		cmocka_unit_test(test_codes_decode_to_stored_links),
		cmocka_unit_test(test_delivered_link_to_code),
		cmocka_unit_test(test_long_links_degrade),
		cmocka_unit_test(test_hostile_titles),
		cmocka_unit_test(test_rtl_visual),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
