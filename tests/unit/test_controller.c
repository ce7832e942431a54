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
#include <opus/opusenc.h>

#include "testutil.h"

#include "lectern/config.h"
#include "lectern/controller.h"
#include "lectern/log.h"
#include "lectern/recovery.h"
#include "lectern/schedule.h"
#include "lectern/spoolmeta.h"
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
	bool short_source;        /* the microphone gives 0.2 s, then ends */
};

static lt_err open_twin(void *user, struct audio_source **out)
{
	struct ctx *c = user;
	c->opens++;
	if (c->fail_open)
		return LT_ERR_NO_DEVICE;
	/* Real-time pace: a recording holds only the wall-clock time the test spends. */
	char short_raw[PATH_MAX];
	snprintf(short_raw, sizeof short_raw, "%s/short.raw", c->dir);
	if (c->short_source) {
		FILE *fp = fopen(short_raw, "w");
		assert_non_null(fp);
		static const int16_t silence[9600];
		assert_int_equal(fwrite(silence, sizeof silence, 1, fp), 1);
		fclose(fp);
	}
	struct audio_source_params p = {.device = c->short_source ? short_raw : "/dev/zero",
					.rate = 48000, .channels = 1, .period_ms = 20,
					.realtime = true};
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
	assert_int_equal(store_event_recordings(c->st, key, NULL), 2);
}

/* A part of the session that a crash left open, as a killed process leaves it. */
static int64_t interrupted_part(struct ctx *c, const char *key, const char *file)
{
	struct recording r = {0};
	snprintf(r.path, sizeof r.path, "%s/%s", c->dir, file);
	snprintf(r.title, sizeof r.title, "Scheduled talk");
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	struct store_event ev = {.key = key};
	assert_int_equal(store_recording_set_event(c->st, r.id, &ev), LT_OK);
	return r.id;
}

/* Killed in its first half second: recovery finds no audio in the part and marks it failed;
 * the rest of the session must still be recorded, as a new part. */
static void crash_before_audio(struct ctx *c, bool with_headers)
{
	char key[128];
	snprintf(key, sizeof key, "talk@t@%lld", (long long)(c->t0 + 100));
	int64_t id = interrupted_part(c, key, "early.opus");
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	if (with_headers) {
		/* What the recorder has synced before it starts: OpusHead and OpusTags only. */
		OggOpusComments *tags = ope_comments_create();
		int err;
		OggOpusEnc *enc = ope_encoder_create_file(r.path, tags, 48000, 1, 0, &err);
		assert_non_null(enc);
		assert_int_equal(ope_encoder_flush_header(enc), OPE_OK);
		ope_encoder_destroy(enc);
		ope_comments_destroy(tags);
	} else {
		FILE *fp = fopen(r.path, "w"); /* created, nothing written yet */
		assert_non_null(fp);
		fclose(fp);
	}
	struct recovery_report rep;
	assert_int_equal(recovery_run(c->st, &rep), LT_OK);
	assert_int_equal(rep.failed, 1);
	expect_row(c, id, REC_FAILED, "Scheduled talk");
	controller_tick(c->ctl, c->t0 + 101);
	assert_true(current(c) > id);
	expect_row(c, current(c), REC_RECORDING, "Scheduled talk");
}

static void crash_before_audio_gives_new_part(void **state) { crash_before_audio(*state, true); }
static void crash_on_empty_file_gives_new_part(void **state) { crash_before_audio(*state, false); }

/* The appliance stopped (SIGTERM, a restart) in the middle of a session: started again, it
 * records the rest as a new part. */
static void restart_mid_session_gives_new_part(void **state)
{
	struct ctx *c = *state;
	controller_tick(c->ctl, c->t0 + 100);
	int64_t first = current(c);
	assert_true(first > 0);
	usleep(100000);
	controller_destroy(c->ctl);
	expect_row(c, first, REC_QUEUED, "Scheduled talk");
	assert_int_equal(controller_create(&c->cfg, c->st, c->sched, open_twin, c, &c->ctl), LT_OK);
	controller_tick(c->ctl, c->t0 + 110);
	assert_true(current(c) > first);
}

/* Stopped by a person, then a cut while the file was being finished: recovery completes that
 * part, and the person's stop still holds. */
static void stop_finished_by_recovery_still_ends(void **state)
{
	struct ctx *c = *state;
	char key[128];
	snprintf(key, sizeof key, "talk@t@%lld", (long long)(c->t0 + 100));
	int64_t id = interrupted_part(c, key, "stopped.opus");
	assert_int_equal(store_recording_transition(c->st, id, REC_RECORDING, REC_FINALIZING,
						    "stopped by a person"), LT_OK);
	struct recovery_report rep;
	assert_int_equal(recovery_run(c->st, &rep), LT_OK);
	controller_tick(c->ctl, c->t0 + 120);
	assert_int_equal(current(c), 0);
	assert_int_equal(c->opens, 0);
}

/* The microphone gave out: the part is queued with what it holds, and the session gets a new
 * part, no sooner than a failed start would be tried again (no part a second). */
static void cut_short_part_retried_later(void **state)
{
	struct ctx *c = *state;
	c->short_source = true;
	controller_tick(c->ctl, c->t0 + 100);
	int64_t first = current(c);
	assert_true(first > 0);
	usleep(400000); /* the 0.2 s source ends */
	controller_tick(c->ctl, c->t0 + 101);
	assert_int_equal(current(c), 0);
	expect_row(c, first, REC_QUEUED, "Scheduled talk");
	controller_tick(c->ctl, c->t0 + 110);
	assert_int_equal(current(c), 0);
	assert_int_equal(c->opens, 1);
	c->short_source = false;
	controller_tick(c->ctl, c->t0 + 131);
	assert_true(current(c) > first);
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

/* A scheduled part's spool sidecar names its occurrence from the start, so a store lost during
 * the part still knows which session it belongs to. */
static void sidecar_names_occurrence_at_start(void **state)
{
	struct ctx *c = *state;
	spoolmeta_enable(c->dir);
	controller_tick(c->ctl, c->t0 + 120);
	int64_t id = current(c);
	assert_true(id > 0);
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	char path[PATH_MAX], key[64], *text = NULL;
	snprintf(path, sizeof path, "%s/%s.json", c->dir, r.uid);
	snprintf(key, sizeof key, "\"talk@t@%lld\"", (long long)(c->t0 + 100));
	size_t len = 0;
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	assert_true(getdelim(&text, &len, '\0', fp) > 0);
	fclose(fp);
	assert_non_null(strstr(text, key));
	free(text);
	spoolmeta_enable("");
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
		cmocka_unit_test_setup_teardown(crash_before_audio_gives_new_part,
						setup_scheduled_wins, teardown),
		cmocka_unit_test_setup_teardown(crash_on_empty_file_gives_new_part,
						setup_scheduled_wins, teardown),
		cmocka_unit_test_setup_teardown(restart_mid_session_gives_new_part,
						setup_scheduled_wins, teardown),
		cmocka_unit_test_setup_teardown(stop_finished_by_recovery_still_ends,
						setup_scheduled_wins, teardown),
		cmocka_unit_test_setup_teardown(cut_short_part_retried_later, setup_scheduled_wins,
						teardown),
		cmocka_unit_test_setup_teardown(failed_start_retried_later, setup_scheduled_wins,
						teardown),
		cmocka_unit_test_setup_teardown(opencast_metadata_kept, setup_scheduled_wins,
						teardown),
		cmocka_unit_test_setup_teardown(stale_calendar_still_records, setup_scheduled_wins,
						teardown),
		cmocka_unit_test_setup_teardown(sidecar_names_occurrence_at_start,
						setup_scheduled_wins, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
