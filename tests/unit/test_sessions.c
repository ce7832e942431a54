/*
 * test_sessions.c — the room's past sessions in the view model (kiosk_sessions.h), built by the
 * real view builder from a real store at injected times: search by title, presenter and tag
 * with accents and case (check-in's roster_fold), no match; recognition on and off (no
 * presenter's name anywhere in the view when off); the thank-you card with and without
 * check-ins; this term's peer teachers; a delivery without a link has no code to scan.
 * Links are written into the store directly, as the delivery stores them.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "testutil.h"

#include "lectern/config.h"
#include "lectern/kiosk_events.h"
#include "lectern/kiosk_view.h"
#include "lectern/schedule.h"
#include "lectern/store.h"

#define NOW 1779278400          /* Wed 2026-05-20 12:00 UTC; the term began 2026-04-01 */
#define DAY 86400
#define TERM_START 1775001600   /* 2026-04-01 00:00 UTC */

static double fake_now = 1000;
static double fake_clock(void)
{
	return fake_now;
}

static bool no_network(char *addr, size_t n)
{
	snprintf(addr, n, "%s", "");
	return false;
}

static lt_err plenty(const char *path, uint64_t *out)
{
	(void)path;
	*out = (uint64_t)50000 << 20;
	return LT_OK;
}

struct ctx {
	char dir[64];
	char db[PATH_MAX];
	struct config cfg;
	struct store *st;
	sqlite3 *raw;           /* the same database, for what other modules write */
	struct schedule *sched;
	struct kiosk_view_builder b;
	struct kiosk_state s;
	struct controller_status cs;
	struct view v;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c || !tu_temp_config(c->dir, sizeof c->dir, "sessions", &c->cfg))
		return -1;
	snprintf(c->db, sizeof c->db, "%s/lectern.db", c->dir);
	if (store_open(c->db, &c->st) != LT_OK || schedule_open(&c->cfg, c->st, &c->sched) != LT_OK ||
	    sqlite3_open(c->db, &c->raw) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(c->raw, 2000);
	struct kiosk_view_sources src = {
		.cfg = &c->cfg, .st = c->st, .sched = c->sched, .mic_name = "test",
		.mic_present = true, .clock = fake_clock,
		.probes = {.network = no_network, .free_bytes = plenty},
	};
	kiosk_view_init(&c->b, &src);
	c->s.screen = VIEW_HOME;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	kiosk_view_free(&c->b);
	sqlite3_close(c->raw);
	schedule_close(c->sched);
	store_close(c->st);
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

static void build(struct ctx *c, int64_t now)
{
	kiosk_view_build(&c->b, &c->s, &c->cs, now, &c->v);
}

static void sql(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *q = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	char *err = NULL;
	if (sqlite3_exec(c->raw, q, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", q, err);
	sqlite3_free(q);
}

/* A recording started at `start` (unix s), moved on to `to`; its link as a delivery stores
 * it ("" for none). */
static int64_t recording(struct ctx *c, int64_t start, const char *title, const char *presenter,
			 const char *tags, const char *link, enum rec_state to)
{
	struct recording r = {.started_ms = start * 1000};
	snprintf(r.path, sizeof r.path, "%s/%lld.opus", c->dir, (long long)start);
	snprintf(r.title, sizeof r.title, "%s", title);
	snprintf(r.presenter, sizeof r.presenter, "%s", presenter);
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	static const enum rec_state path[] = {REC_RECORDING, REC_FINALIZING, REC_QUEUED,
					      REC_UPLOADING, REC_UPLOADED};
	for (size_t i = 1; i < sizeof path / sizeof path[0] && path[i - 1] != to; i++)
		assert_int_equal(store_recording_transition(c->st, r.id, path[i - 1], path[i], "t"),
				 LT_OK);
	assert_int_equal(store_recording_set_result(c->st, r.id, 48000, 4000, start * 1000 + 3600000,
						    NULL), LT_OK);
	assert_int_equal(store_recording_set_tags(c->st, r.id, tags), LT_OK);
	sql(c, "UPDATE recordings SET link = %Q WHERE id = %lld", link, (long long)r.id);
	return r.id;
}

/* `n` check-ins of recording `id`'s session (a manual one: "adhoc:<uid>"). */
static void checkins(struct ctx *c, int64_t id, int n)
{
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	sql(c, "INSERT INTO checkin_sessions(key, start_s) VALUES ('adhoc:%q', %lld)", r.uid,
	    (long long)(r.started_ms / 1000));
	for (int i = 0; i < n; i++)
		sql(c, "INSERT INTO checkins(session_key, method, at_ms) VALUES ('adhoc:%q', 'guest', %lld)",
		    r.uid, (long long)r.started_ms + i);
}

/* Four delivered sessions (one without a link) and one still waiting. */
static void room_history(struct ctx *c)
{
	int64_t a = recording(c, NOW - 21 * DAY, "Rust for C programmers", "Ada Lovelace",
			      "rust,talk", "https://oc.example.org/play/aaa", REC_UPLOADED);
	checkins(c, a, 12);
	recording(c, NOW - 14 * DAY, "Café culture and remote teams", "José Núñez",
		  "Données,workshop", "https://oc.example.org/play/bbb", REC_UPLOADED);
	recording(c, NOW - 7 * DAY, "Property-based testing", "ada lovelace", "testing",
		  "", REC_UPLOADED);
	recording(c, NOW - 100 * DAY, "Old term: Kubernetes", "Grace Hopper", "k8s",
		  "https://oc.example.org/play/ddd", REC_UPLOADED);
	recording(c, NOW - 1 * DAY, "Waiting to upload", "Grace Hopper", "", "", REC_QUEUED);
	int64_t failed = recording(c, NOW - 2 * DAY, "Failed delivery", "Grace Hopper", "", "",
				   REC_UPLOADING);
	assert_int_equal(store_recording_transition(c->st, failed, REC_UPLOADING, REC_FAILED,
						    "refused"), LT_OK);
}

static void search(struct ctx *c, const char *text)
{
	c->s.screen = VIEW_SESSIONS;
	snprintf(c->s.session_search, sizeof c->s.session_search, "%s", text);
	build(c, NOW);
}

/* The search folds as check-in folds names (roster_fold): scripts, ß, decomposed accents,
 * white space. */
static void test_search_folds(void **state)
{
	struct ctx *c = *state;
	recording(c, NOW - 3 * DAY, "Введение в Kubernetes", "Анастасия Ёлкина", "", "", REC_UPLOADED);
	recording(c, NOW - 4 * DAY, "Straße der Daten", "Γιώργος Παπαδόπουλος", "", "", REC_UPLOADED);
	recording(c, NOW - 5 * DAY, "Zoë's talk", "José Núñez", "", "", REC_UPLOADED);
	static const struct { const char *query, *title; } cases[] = {
		{"елкина", "Введение в Kubernetes"},
		{"ВВЕДЕНИЕ", "Введение в Kubernetes"},
		{"ΓΙΩΡΓΟΣ", "Straße der Daten"},
		{"strasse", "Straße der Daten"},
		{"  straße   der ", "Straße der Daten"},
		{"Jose\xcc\x81", "Zoë's talk"},          /* decomposed é */
		{"ZOE", "Zoë's talk"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		search(c, cases[i].query);
		if (c->v.n_found != 1 || strcmp(c->v.found[0].title, cases[i].title) != 0)
			fail_msg("\"%s\": %d found, first \"%s\"", cases[i].query, c->v.n_found,
				 c->v.n_found ? c->v.found[0].title : "");
	}
	search(c, "zoey");
	assert_int_equal(c->v.n_found, 0);
}

static void test_search(void **state)
{
	struct ctx *c = *state;
	room_history(c);
	search(c, "");
	assert_int_equal(c->v.n_found, 4);                 /* delivered ones only */
	assert_int_equal(c->v.sessions_total, 4);
	assert_string_equal(c->v.found[0].title, "Property-based testing");  /* latest first */
	assert_string_equal(c->v.found[3].title, "Old term: Kubernetes");
	search(c, "CAFE");                                 /* case and accent in the title */
	assert_int_equal(c->v.n_found, 1);
	assert_string_equal(c->v.found[0].title, "Café culture and remote teams");
	assert_string_equal(c->v.found[0].link, "https://oc.example.org/play/bbb");
	assert_string_equal(c->v.found[0].tags, "Données \xc2\xb7 workshop");
	assert_int_equal(c->v.found[0].checkins, -1);      /* check-in was not held */
	search(c, "jose nun");                             /* the presenter */
	assert_int_equal(c->v.n_found, 1);
	assert_string_equal(c->v.found[0].presenter, "José Núñez");
	search(c, "donnees");                              /* a tag */
	assert_int_equal(c->v.n_found, 1);
	search(c, "RUST");                                 /* title and tag: listed once */
	assert_int_equal(c->v.n_found, 1);
	assert_int_equal(c->v.found[0].checkins, 12);
	assert_int_equal(c->v.found[0].start, NOW - 21 * DAY);
	search(c, "lovelace");
	assert_int_equal(c->v.n_found, 2);
	assert_int_equal(c->v.found_total, 2);
	search(c, "waiting");                              /* not delivered yet */
	assert_int_equal(c->v.n_found, 0);
	search(c, "failed");                               /* a failed delivery: none */
	assert_int_equal(c->v.n_found, 0);
	char longlink[600] = "https://oc.example.org/play/";
	while (strlen(longlink) < 500)
		strcat(longlink, "x");
	recording(c, NOW - 30 * DAY, "Long link", "", "", longlink, REC_UPLOADED);
	search(c, "long link");                            /* too long to scan: no code */
	assert_int_equal(c->v.n_found, 1);
	assert_string_equal(c->v.found[0].link, "");
	search(c, "quantum");
	assert_int_equal(c->v.n_found, 0);
	assert_int_equal(c->v.found_total, 0);
	assert_int_equal(c->v.sessions_total, 5);
	assert_string_equal(c->v.session_search, "quantum");
}

/* Many builds, no change: one read; a change in the store or the search: one more. */
static void test_reads_only_on_change(void **state)
{
	struct ctx *c = *state;
	room_history(c);
	search(c, "rust");
	unsigned long scans = c->b.sessions.scans;
	for (int i = 0; i < 20; i++)
		build(c, NOW + i);
	assert_int_equal(c->b.sessions.scans, scans);
	search(c, "rus");                      /* a keystroke searches what was read */
	assert_int_equal(c->b.sessions.scans, scans);
	assert_int_equal(c->v.n_found, 1);
	recording(c, NOW - 2 * DAY, "Rust again", "Ada Lovelace", "", "https://x.example/1",
		  REC_UPLOADED);
	build(c, NOW);
	assert_int_equal(c->b.sessions.scans, scans + 1);
	assert_int_equal(c->v.n_found, 2);
}

/* Typing on the Sessions screen goes into its search, not check-in's or the tag's. */
static void test_typing(void **state)
{
	struct ctx *c = *state;
	struct kiosk_state s = {.screen = VIEW_HOME};
	snprintf(s.session_search, sizeof s.session_search, "old");
	struct view_event show = {.type = EV_SHOW, .arg = VIEW_SESSIONS};
	assert_false(kiosk_sessions_apply(&s, &show));     /* kiosk_events shows the screen */
	assert_string_equal(s.session_search, "");
	s.screen = VIEW_SESSIONS;
	struct view_event key = {.type = EV_KEY, .text = "é"}, bs = {.type = EV_BACKSPACE};
	assert_true(kiosk_sessions_apply(&s, &key));
	assert_true(kiosk_sessions_apply(&s, &key));
	assert_true(kiosk_sessions_apply(&s, &bs));
	assert_string_equal(s.session_search, "é");
	assert_string_equal(s.search, "");
	assert_string_equal(s.free_tag, "");
	for (int i = 0; i < 100; i++)
		kiosk_sessions_apply(&s, &key);
	assert_true(strlen(s.session_search) < sizeof s.session_search);
	s.screen = VIEW_CHECKIN;
	assert_false(kiosk_sessions_apply(&s, &key));
	(void)c;
}

static void test_home_recent_and_teachers(void **state)
{
	struct ctx *c = *state;
	room_history(c);
	/* One that could not start (failed without audio) gave no session. */
	struct recording r = {.started_ms = (int64_t)(NOW - 3 * DAY) * 1000};
	snprintf(r.path, sizeof r.path, "%s/never.opus", c->dir);
	snprintf(r.presenter, sizeof r.presenter, "Never Started");
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_RECORDING, REC_FAILED, "mic"),
			 LT_OK);
	build(c, NOW);
	assert_int_equal(c->v.room_state, ROOM_FREE);
	assert_int_equal(c->v.n_recent, 3);
	assert_string_equal(c->v.recent[0].title, "Property-based testing");
	assert_string_equal(c->v.recent[0].presenter, "ada lovelace");
	assert_string_equal(c->v.recent[0].link, "");       /* delivered without a link: no code */
	assert_string_equal(c->v.recent[1].link, "https://oc.example.org/play/bbb");
	assert_string_equal(c->v.recent[2].tags, "rust \xc2\xb7 talk");
	/* This term (from 04-01): Grace's waiting one and her failed delivery (it has audio: the
	 * session was given), Ada twice (names without case), José; Grace's older session is
	 * last term's. The one who presented last first. */
	assert_int_equal(c->v.n_teachers, 3);
	assert_string_equal(c->v.teachers[0].name, "Grace Hopper");
	assert_int_equal(c->v.teachers[0].sessions, 2);
	assert_string_equal(c->v.teachers[1].name, "ada lovelace");  /* as spelt last */
	assert_int_equal(c->v.teachers[1].sessions, 2);
	assert_string_equal(c->v.teachers[2].name, "José Núñez");
	assert_string_equal(c->v.teachers_summary, "5 sessions by 3 colleagues this term");
	/* Not on other screens, nor while the room is in use. */
	c->s.screen = VIEW_UPLOADS;
	build(c, NOW);
	assert_int_equal(c->v.n_recent, 0);
	c->s.screen = VIEW_HOME;
	c->cs.recording = true;
	c->cs.recording_id = 999;
	build(c, NOW);
	assert_int_equal(c->v.n_recent, 0);
	assert_int_equal(c->v.n_teachers, 0);
}

static void test_term_config(void **state)
{
	(void)state;
	int64_t start = 0;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(config_term_start("01-01,04-01,07-01,10-01", NOW, &start), 0);
	assert_int_equal(start, TERM_START);
	assert_int_equal(config_term_start("09-01", NOW, &start), 0);  /* last year's */
	assert_int_equal(start, 1756684800);                          /* 2025-09-01 */
	assert_int_equal(config_term_start("05-20", NOW, &start), 0);  /* today counts */
	assert_int_equal(start, NOW - 12 * 3600);
	assert_int_equal(config_term_start("13-01", NOW, NULL), -1);
	assert_int_equal(config_term_start("", NOW, NULL), -1);
	assert_int_equal(config_term_start("09-01;02-01", NOW, NULL), -1);
}

/* With recognition off, no presenter's name is anywhere in the view. */
static void test_recognition_off(void **state)
{
	struct ctx *c = *state;
	c->cfg.recognition = 0;
	room_history(c);
	const char *names[] = {"Lovelace", "lovelace", "Núñez", "Hopper", "Ada", "Grace"};
	build(c, NOW);
	assert_int_equal(c->v.n_recent, 3);
	assert_int_equal(c->v.n_teachers, 0);
	assert_string_equal(c->v.teachers_summary, "5 sessions by 3 colleagues this term");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (memmem(&c->v, sizeof c->v, names[i], strlen(names[i])))
			fail_msg("home: \"%s\" is in the view", names[i]);
	search(c, "");
	assert_int_equal(c->v.n_found, 4);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (memmem(&c->v, sizeof c->v, names[i], strlen(names[i])))
			fail_msg("sessions: \"%s\" is in the view", names[i]);
	search(c, "lovelace");                 /* a name typed finds nothing */
	assert_int_equal(c->v.n_found, 0);
	search(c, "rust");                     /* titles and tags still do */
	assert_int_equal(c->v.n_found, 1);
	/* The thank-you card: counts only. */
	c->s.screen = VIEW_RECORDING;
	int64_t id = recording(c, NOW - 3600, "Today's talk", "Ada Lovelace", "", "",
			       REC_RECORDING);
	c->cs = (struct controller_status){.recording = true, .recording_id = id};
	build(c, NOW - 60);
	c->cs.recording = false;
	c->s.screen = VIEW_HOME;
	build(c, NOW);
	assert_true(c->v.has_thanks);
	assert_string_equal(c->v.thanks_title, "Thank you");
	assert_string_equal(c->v.thanks_text, "Your 3rd session this term.");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (memmem(&c->v, sizeof c->v, names[i], strlen(names[i])))
			fail_msg("thank-you: \"%s\" is in the view", names[i]);
}

/* Stop a recording of `presenter` started an hour before NOW; the view right after. */
static void stop_one(struct ctx *c, const char *presenter, int checked_in)
{
	int64_t id = recording(c, NOW - 3600, "Today's talk", presenter, "", "", REC_RECORDING);
	if (checked_in)
		checkins(c, id, checked_in);
	c->cs = (struct controller_status){.recording = true, .recording_id = id};
	c->s.screen = VIEW_RECORDING;
	build(c, NOW - 10);
	assert_false(c->v.has_thanks);
	assert_int_equal(store_recording_transition(c->st, id, REC_RECORDING, REC_FINALIZING,
						    "stopped on the screen"), LT_OK);
	c->cs.recording = false;
	c->s.screen = VIEW_HOME;
	build(c, NOW);
}

static void test_thanks_with_checkins(void **state)
{
	struct ctx *c = *state;
	room_history(c);
	stop_one(c, "Ada Lovelace", 23);
	assert_true(c->v.has_thanks);
	assert_string_equal(c->v.thanks_title, "Thank you, Ada Lovelace");
	assert_string_equal(c->v.thanks_text, "23 checked in. Your 3rd session this term.");
	build(c, NOW + KIOSK_THANKS_S - 1);
	assert_true(c->v.has_thanks);
	c->s.screen = VIEW_PIN;                               /* not over another screen */
	build(c, NOW + 1);
	assert_false(c->v.has_thanks);
	c->s.screen = VIEW_HOME;
	build(c, NOW + KIOSK_THANKS_S);                       /* a few seconds, then gone */
	assert_false(c->v.has_thanks);
}

static void test_thanks_without_checkins(void **state)
{
	struct ctx *c = *state;
	stop_one(c, "Grace Hopper", 0);
	assert_string_equal(c->v.thanks_title, "Thank you, Grace Hopper");
	assert_string_equal(c->v.thanks_text, "Your 1st session this term.");
	assert_null(strstr(c->v.thanks_text, "checked in"));
	/* Nobody named (a recording started by hand): no name, no session count. */
	stop_one(c, "", 0);
	assert_string_equal(c->v.thanks_title, "Thank you");
	assert_string_equal(c->v.thanks_text, "The recording is saved.");
	/* A new recording ends the card at once. */
	c->cs.recording = true;
	c->cs.recording_id = 4242;
	build(c, NOW + 1);
	assert_false(c->v.has_thanks);
}

/* Back-to-back sessions: the next recording starts as the last stops; the last is thanked. */
static void test_thanks_back_to_back(void **state)
{
	struct ctx *c = *state;
	int64_t first = recording(c, NOW - 3600, "First", "Ada Lovelace", "", "", REC_RECORDING);
	int64_t next = recording(c, NOW, "Next", "Grace Hopper", "", "", REC_RECORDING);
	c->cs = (struct controller_status){.recording = true, .recording_id = first};
	build(c, NOW - 1);
	c->cs.recording_id = next;
	build(c, NOW);
	assert_true(c->v.has_thanks);
	assert_string_equal(c->v.thanks_title, "Thank you, Ada Lovelace");
}

/* Through kiosk_events: Sessions opens from home, the keyboard types into its search only. */
static void test_events_hook(void **state)
{
	struct ctx *c = *state;
	room_history(c);
	struct kiosk_events e = {.cfg = &c->cfg, .st = c->st};
	kiosk_events_init(&e, &c->s, NOW);
	snprintf(c->s.session_search, sizeof c->s.session_search, "stale");
	build(c, NOW);
	const struct view_event evs[] = {
		{.type = EV_SHOW, .arg = VIEW_SESSIONS}, {.type = EV_KEYBOARD, .arg = 1},
		{.type = EV_KEY, .text = "C"}, {.type = EV_KEY, .text = "a"},
		{.type = EV_KEY, .text = "x"}, {.type = EV_BACKSPACE}, {.type = EV_KEY, .text = "f"},
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
		kiosk_events_apply(&e, &c->s, &c->v, &evs[i], NOW);
		build(c, NOW);
	}
	assert_int_equal(c->v.screen, VIEW_SESSIONS);
	assert_true(c->v.keyboard);
	assert_string_equal(c->v.session_search, "Caf");
	assert_string_equal(c->s.free_tag, "");
	assert_string_equal(c->s.search, "");
	assert_int_equal(c->v.n_found, 1);
	assert_string_equal(c->v.found[0].title, "Café culture and remote teams");
}

static void test_ordinals(void **state)
{
	struct ctx *c = *state;
	for (int i = 0; i < 12; i++)
		recording(c, NOW - (40 - i) * DAY, "Weekly", "Ada Lovelace", "", "", REC_UPLOADED);
	stop_one(c, "Ada Lovelace", 1);
	assert_string_equal(c->v.thanks_text, "1 checked in. Your 13th session this term.");
}

static double tu_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Whether `s` is well-formed UTF-8 (what the screen's font renderer is given). */
static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
			: (*p & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0)
			return false;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/* [privacy] recognition turned off by a SIGHUP (cmd_run.c overwrites the configuration in
 * place) while the cards are on the screen: no name in the very next view, though the store
 * did not change. */
static void test_recognition_toggled(void **state)
{
	struct ctx *c = *state;
	room_history(c);
	build(c, NOW);
	assert_string_equal(c->v.recent[0].presenter, "ada lovelace");
	assert_true(c->v.n_teachers > 0);
	c->cfg.recognition = 0;
	build(c, NOW + 1);
	if (memmem(&c->v, sizeof c->v, "ovelace", 7))
		fail_msg("home: a presenter's name is still shown after recognition went off");
	assert_int_equal(c->v.n_teachers, 0);
	c->cfg.recognition = 1;
	search(c, "lovelace");
	assert_int_equal(c->v.n_found, 2);
	c->cfg.recognition = 0;
	build(c, NOW + 2);
	if (memmem(c->v.found, sizeof c->v.found, "ovelace", 7)) /* what was typed stays */
		fail_msg("sessions: a presenter's name is still shown after recognition went off");
	assert_int_equal(c->v.n_found, 0);      /* and a name typed finds nothing now */
	/* The thank-you card on the screen as it goes off. */
	c->cfg.recognition = 1;
	c->s.session_search[0] = '\0';
	stop_one(c, "Ada Lovelace", 0);
	assert_string_equal(c->v.thanks_title, "Thank you, Ada Lovelace");
	c->cfg.recognition = 0;
	build(c, NOW + 1);
	assert_true(c->v.has_thanks);
	assert_string_equal(c->v.thanks_title, "Thank you");
}

/* Tags of any length and script: the tag line stays well-formed UTF-8 (a character cut in
 * half garbles the screen). */
static void test_long_tags_utf8(void **state)
{
	struct ctx *c = *state;
	char tags[400], x58[59];
	memset(x58, 'x', 58);
	x58[58] = '\0';
	/* The second tag: 58 bytes then a two-byte character, so that its 60 bytes and the
	 * separator fill the 64 kept for one tag exactly. */
	snprintf(tags, sizeof tags, "a,%s\xc3\xa9tail,\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", x58);
	recording(c, NOW - DAY, "Tags", "Ada", tags, "https://x.example/1", REC_UPLOADED);
	for (int lead = 0; lead < 4; lead++) {
		/* And with the character at every offset around the cut. */
		char t2[400];
		snprintf(t2, sizeof t2, "b,%.*s\xf0\x9f\x98\x80\xe2\x80\x8f\xcc\x81%s", 56 + lead,
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", x58);
		recording(c, NOW - DAY - lead - 1, "Tags", "Ada", t2, "https://x.example/1",
			  REC_UPLOADED);
	}
	build(c, NOW);
	assert_int_equal(c->v.n_recent, 3);
	for (int i = 0; i < c->v.n_recent; i++)
		if (!valid_utf8(c->v.recent[i].tags))
			fail_msg("recent %d: the tag line '%s' is not UTF-8", i, c->v.recent[i].tags);
	search(c, "");
	for (int i = 0; i < c->v.n_found; i++)
		if (!valid_utf8(c->v.found[i].tags) || !valid_utf8(c->v.found[i].title))
			fail_msg("found %d: '%s' is not UTF-8", i, c->v.found[i].tags);
}

/* A link too long for a code at a readable size: no code, and the view says so (the screen
 * shows a note, not a blank or a dot soup). One that fits keeps its code. */
static void test_link_too_long(void **state)
{
	struct ctx *c = *state;
	char link[1000];
	int n = snprintf(link, sizeof link, "https://oc.example.org/play/");
	memset(link + n, 'a', sizeof link - 1 - (size_t)n);
	link[sizeof link - 1] = '\0';
	recording(c, NOW - 2 * DAY, "Long", "Ada", "", link, REC_UPLOADED);
	recording(c, NOW - 3 * DAY, "None", "Ada", "", "", REC_UPLOADED);
	recording(c, NOW - DAY, "Short", "Ada", "", "https://oc.example.org/play/1", REC_UPLOADED);
	build(c, NOW);
	assert_int_equal(c->v.n_recent, 3);
	assert_string_equal(c->v.recent[0].link, "https://oc.example.org/play/1");
	assert_false(c->v.recent[0].link_too_long);
	assert_string_equal(c->v.recent[1].link, "");
	assert_true(c->v.recent[1].link_too_long);
	assert_string_equal(c->v.recent[2].link, "");
	assert_false(c->v.recent[2].link_too_long);
}

/* 5000 delivered recordings with long titles: the search as one types stays within a few
 * milliseconds a keystroke (the kiosk's thread builds the view). */
static void test_many_sessions(void **state)
{
	struct ctx *c = *state;
	char title[1001];
	for (int i = 0; i < 1000; i++)
		title[i] = "abcdefghij "[i % 11];
	title[1000] = '\0';
	sql(c, "BEGIN");
	for (int i = 0; i < 5000; i++)
		sql(c, "INSERT INTO recordings(uid, path, state, title, presenter, tags, link, "
		       "started_ms, updated_ms) VALUES ('u%d', '/x/%d.opus', 'uploaded', "
		       "'%d %q', 'Presenter %d', 'tag%d,Topic', 'https://x.example/%d', %lld, 0)",
		    i, i, i, title, i % 40, i % 7, i, (long long)(NOW - 5000 + i) * 1000);
	sql(c, "COMMIT");
	double t0 = tu_mono_ms();
	build(c, NOW);
	double first = tu_mono_ms() - t0;
	/* An upload's progress changes the store every few seconds: the home reads again. */
	sql(c, "UPDATE recordings SET reason = 'progress' WHERE id = 17");
	t0 = tu_mono_ms();
	build(c, NOW);
	double home = tu_mono_ms() - t0;
	assert_int_equal(c->v.n_recent, 3);
	c->s.screen = VIEW_SESSIONS;
	c->s.session_search[0] = '\0';
	t0 = tu_mono_ms();
	build(c, NOW);
	double open = tu_mono_ms() - t0;
	/* An upload's progress while the screen shows: the index is not folded again. */
	sql(c, "UPDATE recordings SET reason = 'progress 2' WHERE id = 17");
	t0 = tu_mono_ms();
	build(c, NOW);
	double progress = tu_mono_ms() - t0;
	const char *typed = "presenter 3x";
	double worst = 0;
	for (size_t i = 1; i <= strlen(typed); i++) {
		snprintf(c->s.session_search, sizeof c->s.session_search, "%.*s", (int)i, typed);
		t0 = tu_mono_ms();
		build(c, NOW);
		double ms = tu_mono_ms() - t0;
		worst = ms > worst ? ms : worst;
	}
	print_message("5000 sessions: first build %.1f ms, home after a change %.1f ms, "
		      "Sessions opened %.1f ms, a change while open %.1f ms, worst keystroke "
		      "%.1f ms\n", first, home, open, progress, worst);
	assert_int_equal(c->v.found_total, 0);
	snprintf(c->s.session_search, sizeof c->s.session_search, "4999 ");
	build(c, NOW);
	assert_int_equal(c->v.found_total, 1);
	assert_int_equal(c->v.sessions_total, 5000);
	/* Generous for a loaded test machine; a keystroke on the kiosk itself should take a few
	 * ms. */
	assert_true(worst < 25.0);
}

/* One colleague whose name the calendar and the screen spell with and without capitals and
 * accents (and a decomposed ë): one peer teacher, their sessions counted together, as
 * check-in matches names (roster_fold). */
static void test_presenter_spellings(void **state)
{
	struct ctx *c = *state;
	recording(c, NOW - 9 * DAY, "One", "Zoë Ngata", "", "", REC_UPLOADED);
	recording(c, NOW - 8 * DAY, "Two", "ZOË NGATA", "", "", REC_UPLOADED);
	recording(c, NOW - 7 * DAY, "Three", "Zoe\xcc\x88  Ngata", "", "", REC_UPLOADED);
	recording(c, NOW - 6 * DAY, "Four", "Ines Moreau", "", "", REC_UPLOADED);
	build(c, NOW);
	assert_int_equal(c->v.n_teachers, 2);
	assert_string_equal(c->v.teachers[0].name, "Ines Moreau");
	assert_string_equal(c->v.teachers[1].name, "Zoe\xcc\x88  Ngata");   /* as spelt last */
	assert_int_equal(c->v.teachers[1].sessions, 3);
	assert_string_equal(c->v.teachers_summary, "4 sessions by 2 colleagues this term");
	stop_one(c, "zoë ngata", 0);
	assert_string_equal(c->v.thanks_text, "Your 4th session this term.");
}

/* A term that starts on the night the clocks change: in Berlin (02:00 → 03:00, 2026-03-29) and
 * in Santiago, whose midnight does not exist that night (00:00 → 01:00, 2026-09-06). A session
 * a minute before the day counts for the last term, one in the first hour for the new; the
 * card as the clock passes the term's start reads again. */
static void test_term_at_midnight_and_dst(void **state)
{
	struct ctx *c = *state;
	static const struct {
		const char *tz, *day;
		int64_t before, first, now; /* unix s: 23:59 the eve, the day's first session, later */
	} cases[] = {
		/* 2026-03-28 23:59 CET, 2026-03-29 00:30 CET, 2026-03-29 12:00 CEST */
		{"Europe/Berlin", "03-29", 1774738740, 1774740600, 1774778400},
		/* 2026-09-05 23:59 -04, 2026-09-06 01:10 -03 (00:00 to 01:00 skipped), 12:00 -03 */
		{"America/Santiago", "09-06", 1788667140, 1788667800, 1788706800},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		setenv("TZ", cases[k].tz, 1);
		tzset();
		snprintf(c->cfg.ui_term_start, sizeof c->cfg.ui_term_start, "%s", cases[k].day);
		char a[32], b[32];
		snprintf(a, sizeof a, "Eve %zu", k);
		snprintf(b, sizeof b, "First %zu", k);
		recording(c, cases[k].before, a, a, "", "", REC_UPLOADED);
		c->s.screen = VIEW_HOME;
		build(c, cases[k].before + 30);      /* the eve: still last term */
		assert_string_equal(c->v.teachers[0].name, a);
		build(c, cases[k].first - 60);       /* the new term began, nobody taught yet */
		assert_int_equal(c->v.n_teachers, 0);
		recording(c, cases[k].first, b, b, "", "", REC_UPLOADED);
		build(c, cases[k].now);              /* the new term: only its first session */
		if (c->v.n_teachers != 1 || strcmp(c->v.teachers[0].name, b) != 0)
			fail_msg("%s: %d teachers, the first '%s'", cases[k].tz, c->v.n_teachers,
				 c->v.teachers[0].name);
		assert_string_equal(c->v.teachers_summary, "1 session by 1 colleague this term");
	}
	setenv("TZ", "UTC", 1);
	tzset();
}

/* Retention removes a delivered recording's row (another connection: the uploader's pass)
 * while the Sessions screen lists it: the next view has it gone, the counts agree. */
static void test_deleted_while_listed(void **state)
{
	struct ctx *c = *state;
	room_history(c);
	search(c, "");
	assert_int_equal(c->v.n_found, 4);
	int64_t id = 0;
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(c->raw, "SELECT id FROM recordings WHERE title = "
					    "'Rust for C programmers'", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sql(c, "DELETE FROM recording_history WHERE recording_id = %lld", (long long)id);
	sql(c, "DELETE FROM recordings WHERE id = %lld", (long long)id);
	build(c, NOW + 1);
	assert_int_equal(c->v.n_found, 3);
	assert_int_equal(c->v.found_total, 3);
	assert_int_equal(c->v.sessions_total, 3);
	for (int i = 0; i < c->v.n_found; i++)
		assert_string_not_equal(c->v.found[i].title, "Rust for C programmers");
	search(c, "rust");
	assert_int_equal(c->v.n_found, 0);
}

/* An upload's progress (a write every second) does not fold every session again; what the
 * list shows still follows the store: a check-in counted, a tag changed, a delivery. */
static void test_index_follows_deliveries_only(void **state)
{
	struct ctx *c = *state;
	room_history(c);
	search(c, "");
	unsigned long scans = c->b.sessions.scans;
	int64_t waiting = recording(c, NOW - 60, "Uploading now", "Ada", "", "", REC_UPLOADING);
	build(c, NOW);
	scans = c->b.sessions.scans;     /* (a recording that is not delivered: no read) */
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(store_upload_progress(c->st, waiting, i * 1000, 1000), LT_OK);
		build(c, NOW + i);
	}
	assert_int_equal(c->b.sessions.scans, scans);
	assert_string_equal(c->v.found[0].title, "Property-based testing");
	assert_int_equal(c->v.found[0].checkins, -1);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(c->raw, "SELECT id FROM recordings WHERE title = "
					    "'Property-based testing'", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	int64_t pbt = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	checkins(c, pbt, 7);
	build(c, NOW + 10);
	assert_int_equal(c->v.found[0].checkins, 7);           /* the list read again */
	assert_int_equal(c->b.sessions.scans, scans);          /* without folding all */
	assert_int_equal(store_recording_set_tags(c->st, pbt, "quickcheck"), LT_OK);
	search(c, "quickcheck");
	assert_int_equal(c->v.n_found, 1);
	assert_int_equal(c->b.sessions.scans, scans + 1);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_search_folds, setup, teardown),
		cmocka_unit_test(test_term_config),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_only_on_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_home_recent_and_teachers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recognition_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thanks_with_checkins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thanks_without_checkins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thanks_back_to_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ordinals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recognition_toggled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_tags_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_presenter_spellings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_term_at_midnight_and_dst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_while_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_follows_deliveries_only, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
