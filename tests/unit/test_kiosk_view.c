/*
 * test_kiosk_view.c — the kiosk's view builder called directly, with a real store and
 * schedule, an injected clock and counted probes (no screen, no controller): what changes
 * slowly is asked for once per few seconds or once per store change, not at every tap; the
 * agenda's day is the calendar's local day, also across a DST change; the UTF-8 helpers it
 * cuts text with.
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

#include "testutil.h"

#include "lectern/config.h"
#include "lectern/kiosk_view.h"
#include "lectern/log.h"
#include "lectern/schedule.h"
#include "lectern/store.h"
#include "lectern/utf8.h"

static double fake_now;
static double fake_clock(void)
{
	return fake_now;
}

static unsigned network_calls, free_calls;
static bool count_network(char *addr, size_t n)
{
	network_calls++;
	snprintf(addr, n, "192.0.2.7");
	return true;
}

static lt_err count_free(const char *path, uint64_t *out)
{
	(void)path;
	free_calls++;
	*out = (uint64_t)5000 << 20;
	return LT_OK;
}

struct ctx {
	char dir[64];
	char db[PATH_MAX];
	struct config cfg;
	struct store *st;
	struct schedule *sched;
	struct kiosk_view_builder b;
	struct kiosk_state s;
	struct controller_status cs;
	struct view v;
};

/* A calendar of `body` (VEVENTs), loaded into a fresh store and schedule at `now`. */
static int open_with(void **state, const char *body, int64_t now)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	if (!tu_temp_config(c->dir, sizeof c->dir, "kview", &c->cfg))
		return -1;
	snprintf(c->cfg.schedule_ics, sizeof c->cfg.schedule_ics, "%s/cal.ics", c->dir);
	char ics[4096];
	snprintf(ics, sizeof ics,
		 "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n%sEND:VCALENDAR\r\n", body);
	if (!tu_write_file(c->cfg.schedule_ics, ics, strlen(ics)))
		return -1;
	snprintf(c->db, sizeof c->db, "%s/lectern.db", c->dir);
	char why[256];
	if (store_open(c->db, &c->st) != LT_OK ||
	    schedule_open(&c->cfg, c->st, &c->sched) != LT_OK ||
	    schedule_refresh(c->sched, now, true, why, sizeof why) != LT_OK)
		return -1;
	fake_now = 1000;
	network_calls = free_calls = 0;
	struct kiosk_view_sources src = {
		.cfg = &c->cfg, .st = c->st, .sched = c->sched, .mic_name = "test",
		.mic_present = true, .clock = fake_clock,
		.probes = {.network = count_network, .free_bytes = count_free},
	};
	kiosk_view_init(&c->b, &src);
	c->s.screen = VIEW_HOME;
	*state = c;
	return 0;
}

static int setup(void **state)
{
	return open_with(state, "", (int64_t)time(NULL));
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	kiosk_view_free(&c->b);
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

static int64_t queued_recording(struct store *st, const char *dir, const char *title)
{
	struct recording r = {.started_ms = (int64_t)time(NULL) * 1000};
	snprintf(r.path, sizeof r.path, "%s/%s.opus", dir, title);
	snprintf(r.title, sizeof r.title, "%s", title);
	assert_int_equal(store_recording_create(st, &r), LT_OK);
	assert_int_equal(store_recording_transition(st, r.id, REC_RECORDING, REC_FINALIZING, "t"),
			 LT_OK);
	assert_int_equal(store_recording_transition(st, r.id, REC_FINALIZING, REC_QUEUED, "t"),
			 LT_OK);
	return r.id;
}

/* Many taps within a second: one look at the network, the disk and the store. */
static void test_taps_reuse_slow_facts(void **state)
{
	struct ctx *c = *state;
	int64_t now = (int64_t)time(NULL);
	for (int i = 0; i < 50; i++) {
		build(c, now);
		fake_now += 0.01;
	}
	assert_int_equal(network_calls, 1);
	assert_int_equal(free_calls, 1);
	assert_int_equal(c->b.queue_scans, 1);
	assert_true(c->v.network_ok);
	assert_int_equal(c->v.disk_free_mb, 5000);
	assert_non_null(strstr(c->v.about, "address 192.0.2.7"));
	/* A few seconds on, the network and the disk are asked again; the store did not change. */
	fake_now += KIOSK_VIEW_FACTS_S;
	build(c, now + 5);
	build(c, now + 5);
	assert_int_equal(network_calls, 2);
	assert_int_equal(free_calls, 2);
	assert_int_equal(c->b.queue_scans, 1);
}

/* The queue follows the store: this connection's changes and another's (the uploader's). */
static void test_queue_follows_store_changes(void **state)
{
	struct ctx *c = *state;
	int64_t now = (int64_t)time(NULL);
	build(c, now);
	assert_int_equal(c->v.queue_waiting, 0);
	unsigned long scans = c->b.queue_scans;

	queued_recording(c->st, c->dir, "mine");
	build(c, now);
	assert_int_equal(c->v.queue_waiting, 1);
	assert_int_equal(c->b.queue_scans, scans + 1);
	build(c, now);
	assert_int_equal(c->b.queue_scans, scans + 1);

	struct store *other;
	assert_int_equal(store_open(c->db, &other), LT_OK);
	int64_t id = queued_recording(other, c->dir, "theirs");
	build(c, now);
	assert_int_equal(c->v.queue_waiting, 2);
	assert_string_equal(c->v.uploads[0].title, "theirs");
	assert_int_equal(c->b.queue_scans, scans + 2);
	/* The uploader's progress, from its own connection, shows at the next build. */
	assert_int_equal(store_recording_transition(other, id, REC_QUEUED, REC_UPLOADING, "t"),
			 LT_OK);
	assert_int_equal(store_recording_set_result(other, id, 0, 1000, 0, NULL), LT_OK);
	assert_int_equal(store_upload_progress(other, id, 250, 100), LT_OK);
	build(c, now);
	assert_int_equal(c->v.queue_percent, 25);
	store_close(other);
}

/* A store with a long history: the upload list is the ones not delivered (an old one still
 * waiting too), then the newest delivered; the count is of the waiting ones only; recordings
 * being made are in neither. */
static void test_queue_of_a_long_history(void **state)
{
	struct ctx *c = *state;
	int64_t now = (int64_t)time(NULL);
	char title[32];
	int64_t waiting_id = 0;
	for (int i = 0; i < 300; i++) {
		snprintf(title, sizeof title, "talk %03d", i);
		int64_t id = queued_recording(c->st, c->dir, title);
		if (i == 150) { /* an old one still waiting, after a failed attempt */
			assert_int_equal(store_upload_note(c->st, id, 1, 0, "server said 503", "", "",
							   0),
					 LT_OK);
			waiting_id = id;
			continue;
		}
		assert_int_equal(store_recording_transition(c->st, id, REC_QUEUED, REC_UPLOADING,
							    NULL),
				 LT_OK);
		assert_int_equal(store_upload_confirm(c->st, id, 1, "r", "", "", 1, "ok"), LT_OK);
	}
	struct recording live = {.started_ms = now * 1000};
	snprintf(live.path, sizeof live.path, "%s/live.opus", c->dir);
	assert_int_equal(store_recording_create(c->st, &live), LT_OK);
	build(c, now);
	assert_int_equal(c->v.queue_waiting, 1);
	assert_int_equal(c->v.n_uploads, VIEW_MAX_UPLOADS);
	assert_int_equal(c->v.uploads[0].id, waiting_id);
	assert_string_equal(c->v.uploads[0].state, "queued");
	assert_string_equal(c->v.uploads[0].last_error, "server said 503");
	/* then the newest delivered ones, newest first (299, 298, ...: 150 is the waiting one) */
	for (int i = 1; i < VIEW_MAX_UPLOADS; i++) {
		snprintf(title, sizeof title, "talk %03d", 300 - i);
		assert_string_equal(c->v.uploads[i].title, title);
		assert_string_equal(c->v.uploads[i].state, "uploaded");
	}
	for (int i = 0; i < c->v.n_messages; i++)
		if (strstr(c->v.messages[i].text, "upload"))
			return; /* the failed attempt is said */
	fail_msg("no message about the waiting upload");
}

/* A retry's due time is shown while it is ahead, and as "now" once passed: no new scan. */
static void test_next_attempt_against_now(void **state)
{
	struct ctx *c = *state;
	int64_t now = (int64_t)time(NULL);
	int64_t id = queued_recording(c->st, c->dir, "later");
	assert_int_equal(store_upload_note(c->st, id, 1, (now + 60) * 1000, "refused", "", "", 0),
			 LT_OK);
	build(c, now);
	assert_int_equal(c->v.uploads[0].next_attempt, now + 60);
	unsigned long scans = c->b.queue_scans;
	build(c, now + 61);
	assert_int_equal(c->v.uploads[0].next_attempt, 0);
	assert_int_equal(c->b.queue_scans, scans);
}

/* The agenda is the local day: on the 23-hour day of a DST change, a session just after the
 * next midnight is tomorrow's. */
static void test_agenda_day_across_dst(void **state)
{
	(void)state;
	const char *tz = getenv("TZ");
	char saved[64];
	snprintf(saved, sizeof saved, "%s", tz ? tz : "");
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	void *st = NULL;
	/* 2026-03-29 is 23 hours long in Berlin; now is 10:00 CEST, the sessions are 11:00 today
	 * and 00:30 the next day (local). */
	int64_t now = 1774771200;   /* 2026-03-29T08:00:00Z */
	assert_int_equal(open_with(&st, "BEGIN:VEVENT\r\nUID:today@t\r\n"
				       "DTSTART:20260329T090000Z\r\nDTEND:20260329T100000Z\r\n"
				       "SUMMARY:Today\r\nEND:VEVENT\r\n"
				       "BEGIN:VEVENT\r\nUID:tomorrow@t\r\n"
				       "DTSTART:20260329T223000Z\r\nDTEND:20260329T230000Z\r\n"
				       "SUMMARY:Tomorrow\r\nEND:VEVENT\r\n", now),
			 0);
	struct ctx *c = st;
	build(c, now);
	assert_int_equal(c->v.n_agenda, 1);
	assert_string_equal(c->v.agenda[0].title, "Today");
	teardown(&st);
	if (saved[0])
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
}

static void test_utf8_helpers(void **state)
{
	(void)state;
	char buf[8];
	utf8_copy(buf, sizeof buf, "Zoë Ångström"); /* 7 bytes fit: "Zoë " is 5, "Å" is 2 */
	assert_string_equal(buf, "Zoë Å");
	utf8_copy(buf, 6, "Zoë Ångström");          /* 5 fit: "Å" would be cut in half */
	assert_string_equal(buf, "Zoë ");
	utf8_copy(buf, sizeof buf, NULL);
	assert_string_equal(buf, "");
	const char *s = "aü€😀";
	assert_int_equal(utf8_prev(s, strlen(s)), 6);  /* the emoji starts at 6 */
	assert_int_equal(utf8_prev(s, 6), 3);
	assert_int_equal(utf8_prev(s, 1), 0);
	assert_int_equal(utf8_prev(s, 0), 0);
	assert_ptr_equal(utf8_next(s + 1), s + 3);
	assert_ptr_equal(utf8_next(s + 10), s + 10);
	assert_int_equal(utf8_char_len("\xF0\x9F\x98\x80"), 4);
	assert_int_equal(utf8_char_len("\xC1\xBC"), 0);     /* overlong */
	assert_int_equal(utf8_char_len("\xED\xA0\x80"), 0); /* a surrogate */
	assert_int_equal(utf8_char_len("\x80"), 0);
	assert_int_equal(utf8_char_len("\xC3"), 0);         /* cut off by the end */
	uint32_t cp = 0;
	assert_int_equal(utf8_decode("€", &cp), 3);
	assert_int_equal(cp, 0x20AC);
	assert_int_equal(utf8_fit("aΩ", 2), 1);
	assert_int_equal(utf8_fit("aΩ", 3), 3);
	assert_int_equal(utf8_fit("a", 10), 1);
}

static bool valid_utf8(const char *s)
{
	for (size_t len; *s; s += len)
		if (!(len = utf8_char_len(s)))
			return false;
	return true;
}

/* A room name whose 50th byte is inside a character: the settings' "about" line is cut before
 * it, not through it. */
static void test_about_cut_at_characters(void **state)
{
	struct ctx *c = *state;
	snprintf(c->cfg.room, sizeof c->cfg.room, "%.49s%s",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ΩΩ");
	build(c, (int64_t)time(NULL));
	assert_true(valid_utf8(c->v.about));
	assert_non_null(strstr(c->v.about, "aaa · agent aaa"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_taps_reuse_slow_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_follows_store_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_of_a_long_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_attempt_against_now, setup, teardown),
		cmocka_unit_test(test_agenda_day_across_dst),
		cmocka_unit_test(test_utf8_helpers),
		cmocka_unit_test_setup_teardown(test_about_cut_at_characters, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
