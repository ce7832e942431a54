/*
 * test_controller.c — the recording decisions on a calendar, with time passed in: manual
 * versus scheduled (both conflict policies), stop at the end, no restart after a completed
 * recording, a new part after a crash, late joins bounded to the session's end.
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
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/config.h"
#include "lectern/controller.h"
#include "lectern/log.h"
#include "lectern/schedule.h"
#include "lectern/store.h"

struct ctx {
	char dir[64];
	struct config cfg;
	struct store *st;
	struct schedule *sched;
	struct controller *ctl;
	int64_t t0;               /* the scheduled session runs [t0 + 100, t0 + 200) */
	int opens;
	bool fail_open;
};

static lt_err open_twin(void *user, struct audio_source **out)
{
	struct ctx *c = user;
	c->opens++;
	if (c->fail_open)
		return LT_ERR_NO_DEVICE;
	/* Real-time pace: a recording holds only the wall-clock time the test spends. */
	struct audio_source_params p = {.device = "/dev/zero", .rate = 48000, .channels = 1,
					.period_ms = 20, .realtime = true};
	char msg[128];
	return audio_source_open(&audio_file_ops, &p, out, msg, sizeof msg);
}

static void write_calendar(struct ctx *c)
{
	char path[PATH_MAX], s[32], e[32];
	snprintf(path, sizeof path, "%s/cal.ics", c->dir);
	time_t ts = (time_t)(c->t0 + 100), te = (time_t)(c->t0 + 200);
	strftime(s, sizeof s, "%Y%m%dT%H%M%SZ", gmtime(&ts));
	strftime(e, sizeof e, "%Y%m%dT%H%M%SZ", gmtime(&te));
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nBEGIN:VEVENT\r\nUID:talk@t\r\n"
		    "DTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Scheduled talk\r\nEND:VEVENT\r\n"
		    "END:VCALENDAR\r\n", s, e);
	fclose(fp);
	snprintf(c->cfg.schedule_ics, sizeof c->cfg.schedule_ics, "%s", path);
}

static int setup_policy(void **state, const char *conflict)
{
	struct ctx *c = calloc(1, sizeof *c);
	snprintf(c->dir, sizeof c->dir, "/tmp/lectern-ctl-XXXXXX");
	if (!c || !mkdtemp(c->dir))
		return -1;
	log_set_level(LOG_LVL_ERROR);
	config_defaults(&c->cfg);
	snprintf(c->cfg.data_dir, sizeof c->cfg.data_dir, "%s", c->dir);
	snprintf(c->cfg.spool_dir, sizeof c->cfg.spool_dir, "%s", c->dir);
	snprintf(c->cfg.schedule_source, sizeof c->cfg.schedule_source, "ics");
	snprintf(c->cfg.conflict, sizeof c->cfg.conflict, "%s", conflict);
	c->cfg.min_free_mb = 0;
	c->t0 = (int64_t)time(NULL);
	write_calendar(c);
	char db[PATH_MAX];
	snprintf(db, sizeof db, "%s/lectern.db", c->dir);
	if (store_open(db, &c->st) != LT_OK || schedule_open(&c->cfg, c->st, &c->sched) != LT_OK)
		return -1;
	char why[256];
	if (schedule_refresh(c->sched, c->t0, true, why, sizeof why) != LT_OK)
		return -1;
	if (controller_create(&c->cfg, c->st, c->sched, open_twin, c, &c->ctl) != LT_OK)
		return -1;
	*state = c;
	return 0;
}

static int setup_scheduled_wins(void **state) { return setup_policy(state, "scheduled_wins"); }
static int setup_manual_wins(void **state) { return setup_policy(state, "manual_wins"); }

static int teardown(void **state)
{
	struct ctx *c = *state;
	controller_destroy(c->ctl);
	schedule_close(c->sched);
	store_close(c->st);
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

static int64_t current(struct ctx *c)
{
	int64_t id = 0;
	return controller_recording(c->ctl, &id) ? id : 0;
}

static void expect_row(struct ctx *c, int64_t id, enum rec_state state, const char *title)
{
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	assert_int_equal(r.state, state);
	assert_string_equal(r.title, title);
}

static void scheduled_wins_over_manual(void **state)
{
	struct ctx *c = *state;
	controller_tick(c->ctl, c->t0);
	assert_int_equal(current(c), 0); /* nothing due yet */
	assert_int_equal(controller_start_manual(c->ctl, c->t0 + 50, "Hallway chat"), LT_OK);
	int64_t manual = current(c);
	assert_true(manual > 0);
	usleep(100000);
	controller_tick(c->ctl, c->t0 + 99);
	assert_int_equal(current(c), manual);
	controller_tick(c->ctl, c->t0 + 100);
	int64_t scheduled = current(c);
	assert_true(scheduled > manual);
	expect_row(c, manual, REC_QUEUED, "Hallway chat"); /* finalized, nothing lost */
	expect_row(c, scheduled, REC_RECORDING, "Scheduled talk");
	usleep(100000);
	controller_tick(c->ctl, c->t0 + 150);
	assert_int_equal(current(c), scheduled);
	controller_tick(c->ctl, c->t0 + 200);
	assert_int_equal(current(c), 0);
	expect_row(c, scheduled, REC_QUEUED, "Scheduled talk");
	controller_tick(c->ctl, c->t0 + 150); /* clock jumps back: done is done */
	assert_int_equal(current(c), 0);
}

static void manual_wins_keeps_manual(void **state)
{
	struct ctx *c = *state;
	assert_int_equal(controller_start_manual(c->ctl, c->t0 + 50, "Manual"), LT_OK);
	int64_t manual = current(c);
	usleep(100000);
	controller_tick(c->ctl, c->t0 + 120);
	assert_int_equal(current(c), manual);
	assert_int_equal(controller_stop(c->ctl, "the presenter stopped"), LT_OK);
	controller_tick(c->ctl, c->t0 + 130);
	int64_t scheduled = current(c);
	assert_true(scheduled > manual); /* the rest of the session is still recorded */
	expect_row(c, scheduled, REC_RECORDING, "Scheduled talk");
}

static void stopped_by_person_not_restarted(void **state)
{
	struct ctx *c = *state;
	controller_tick(c->ctl, c->t0 + 100);
	int64_t id = current(c);
	assert_true(id > 0);
	usleep(100000);
	assert_int_equal(controller_stop(c->ctl, "the presenter stopped"), LT_OK);
	controller_tick(c->ctl, c->t0 + 110);
	assert_int_equal(current(c), 0);
}

static void crash_gives_new_part(void **state)
{
	struct ctx *c = *state;
	char key[128];
	snprintf(key, sizeof key, "talk@t@%lld", (long long)(c->t0 + 100));
	/* A part that a crash interrupted and recovery queued. */
	struct recording r = {0};
	snprintf(r.path, sizeof r.path, "%s/old.opus", c->dir);
	snprintf(r.title, sizeof r.title, "Scheduled talk");
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	struct store_event ev = {.key = key};
	assert_int_equal(store_recording_set_event(c->st, r.id, &ev), LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_RECORDING, REC_FINALIZING,
						    "interrupted; recovering"), LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_FINALIZING, REC_QUEUED,
						    "recovered after an interruption"), LT_OK);
	controller_tick(c->ctl, c->t0 + 160);
	assert_true(current(c) > r.id);
	assert_int_equal(store_event_recordings(c->st, key, false), 2);
}

static void failed_start_retried_later(void **state)
{
	struct ctx *c = *state;
	c->fail_open = true;
	controller_tick(c->ctl, c->t0 + 100);
	controller_tick(c->ctl, c->t0 + 101);
	controller_tick(c->ctl, c->t0 + 110);
	assert_int_equal(c->opens, 1); /* not hammered every second */
	c->fail_open = false;
	controller_tick(c->ctl, c->t0 + 131);
	assert_int_equal(c->opens, 2);
	assert_true(current(c) > 0);
}

/* A calendar that cannot be fetched any more: stale since the last good one, which stays in
 * use, so the session is still recorded. */
static void stale_calendar_still_records(void **state)
{
	struct ctx *c = *state;
	int64_t since = -1;
	assert_false(schedule_stale(c->sched, &since));
	snprintf(c->cfg.schedule_ics, sizeof c->cfg.schedule_ics, "%s/gone.ics", c->dir);
	char why[256];
	assert_int_not_equal(schedule_refresh(c->sched, c->t0 + 60, true, why, sizeof why), LT_OK);
	assert_non_null(strstr(why, "gone.ics"));
	assert_true(schedule_stale(c->sched, &since));
	assert_int_equal(since, c->t0);
	controller_tick(c->ctl, c->t0 + 100);
	assert_true(current(c) > 0);
	expect_row(c, current(c), REC_RECORDING, "Scheduled talk");
}

/* A scheduled Opencast event keeps its series, workflow and episode catalog for the upload. */
static void opencast_metadata_kept(void **state)
{
	struct ctx *c = *state;
	const char *root = getenv("LECTERN_TEST_ROOT");
	snprintf(c->cfg.schedule_ics, sizeof c->cfg.schedule_ics, "%s/fixtures/ics/opencast.ics",
		 root ? root : "tests");
	char why[256];
	schedule_close(c->sched);
	controller_destroy(c->ctl);
	assert_int_equal(schedule_open(&c->cfg, c->st, &c->sched), LT_OK);
	assert_int_equal(schedule_refresh(c->sched, c->t0, true, why, sizeof why), LT_OK);
	assert_int_equal(controller_create(&c->cfg, c->st, c->sched, open_twin, c, &c->ctl), LT_OK);
	int64_t start = 1773140400; /* 2026-03-10T11:00:00Z, the first event of the fixture */
	controller_tick(c->ctl, start + 60);
	int64_t id = current(c);
	assert_true(id > 0);
	char *series, *workflow, *config, *dc;
	assert_int_equal(store_recording_get_event(c->st, id, &series, &workflow, &config, &dc),
			 LT_OK);
	assert_true(series[0] != '\0');
	assert_string_equal(workflow, "fast");
	assert_non_null(strstr(config, "straightToPublishing=true"));
	assert_non_null(strstr(dc, "dcterms:title"));
	free(series);
	free(workflow);
	free(config);
	free(dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(scheduled_wins_over_manual, setup_scheduled_wins,
						teardown),
		cmocka_unit_test_setup_teardown(manual_wins_keeps_manual, setup_manual_wins,
						teardown),
		cmocka_unit_test_setup_teardown(stopped_by_person_not_restarted,
						setup_scheduled_wins, teardown),
		cmocka_unit_test_setup_teardown(crash_gives_new_part, setup_scheduled_wins,
						teardown),
		cmocka_unit_test_setup_teardown(failed_start_retried_later, setup_scheduled_wins,
						teardown),
		cmocka_unit_test_setup_teardown(opencast_metadata_kept, setup_scheduled_wins,
						teardown),
		cmocka_unit_test_setup_teardown(stale_calendar_still_records, setup_scheduled_wins,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
