/*
 * test_retention.c — personal data past its retention is purged, and nothing else: delivered
 * rows and their history, failed recordings without audio, target = none recordings with
 * keep_local_days, the cached calendar; audio not confirmed delivered is never deleted; the
 * spool's files are made private; upload_prune runs the pass.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include <sqlite3.h>

#include "lectern/config.h"
#include "lectern/log.h"
#include "lectern/retention.h"
#include "lectern/spoolmeta.h"
#include "lectern/store.h"
#include "lectern/upload.h"

#define DAY_MS (86400 * (int64_t)1000)
#define NOW_MS ((int64_t)1800000000 * 1000)

struct ctx {
	char dir[64];
	char db[PATH_MAX];
	struct store *st;
	sqlite3 *peek;             /* a second connection that sets up rows as a past would */
	struct config cfg;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	if (!tu_temp_dir(c->dir, sizeof c->dir, "retention") ||
	    !tu_store_open(c->dir, c->db, sizeof c->db, &c->st) ||
	    sqlite3_open_v2(c->db, &c->peek, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return -1;
	config_defaults(&c->cfg);
	snprintf(c->cfg.spool_dir, sizeof c->cfg.spool_dir, "%s", c->dir); /* the recordings' */
	snprintf(c->cfg.upload_target, sizeof c->cfg.upload_target, "folder");
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	sqlite3_close(c->peek);
	store_close(c->st);
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

/*
 * A recording in `state` whose audio file exists (when `file`), ended `age_days` before NOW,
 * with `samples` of audio; delivered ones were confirmed at the end, their local copy removed
 * when `copy_gone`.
 */
static int64_t add(struct ctx *c, const char *name, const char *state, int age_days,
		   int64_t samples, bool file, bool copy_gone)
{
	struct recording r;
	memset(&r, 0, sizeof r);
	snprintf(r.path, sizeof r.path, "%s/%s.opus", c->dir, name);
	snprintf(r.title, sizeof r.title, "Talk %s", name);
	snprintf(r.presenter, sizeof r.presenter, "Presenter of %s", name);
	int64_t ended = NOW_MS - age_days * DAY_MS;
	r.started_ms = ended - 3600 * 1000;
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	if (file) {
		FILE *f = fopen(r.path, "w");
		assert_non_null(f);
		fputs("OggS", f);
		fclose(f);
		assert_int_equal(chmod(r.path, 0600), 0);
	}
	char sql[512];
	snprintf(sql, sizeof sql,
		 "UPDATE recordings SET state = '%s', ended_ms = %lld, samples = %lld,"
		 " uploaded_ms = %lld, deleted_ms = %lld WHERE id = %lld;"
		 "INSERT INTO recording_history(recording_id, from_state, to_state, at_ms)"
		 " VALUES (%lld, 'recording', '%s', %lld)",
		 state, (long long)ended, (long long)samples,
		 (long long)(strcmp(state, "uploaded") == 0 ? ended : 0),
		 (long long)(copy_gone ? ended : 0), (long long)r.id, (long long)r.id, state,
		 (long long)ended);
	assert_int_equal(sqlite3_exec(c->peek, sql, NULL, NULL, NULL), SQLITE_OK);
	return r.id;
}

static bool known(struct ctx *c, int64_t id)
{
	struct recording r;
	lt_err err = store_recording_get(c->st, id, &r);
	assert_true(err == LT_OK || err == LT_ERR_NOT_FOUND);
	if (err == LT_ERR_NOT_FOUND)
		assert_int_equal(store_recording_history_count(c->st, id), 0);
	return err == LT_OK;
}

static bool on_disk(struct ctx *c, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s.opus", c->dir, name);
	return access(path, F_OK) == 0;
}

static struct retention_result run(struct ctx *c)
{
	struct retention_result res;
	retention_run(&c->cfg, c->st, NOW_MS, &res);
	return res;
}

/* Delivered: the row and its history go keep_records_days after delivery, once the local copy
 * is gone; never while the audio is still here. */
static void test_delivered_rows(void **state)
{
	struct ctx *c = *state;
	int64_t old = add(c, "old", "uploaded", 91, 48000, false, true);
	int64_t young = add(c, "young", "uploaded", 89, 48000, false, true);
	int64_t kept_copy = add(c, "kept", "uploaded", 400, 48000, true, false);
	struct retention_result res = run(c);
	assert_int_equal(res.records, 1);
	assert_false(known(c, old));
	assert_true(known(c, young));
	assert_true(known(c, kept_copy));
	assert_true(on_disk(c, "kept"));
	/* Run again: nothing more is due. */
	assert_int_equal(run(c).records, 0);
}

static bool sidecar(struct ctx *c, int64_t id)
{
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s.json", c->dir, r.uid);
	return access(path, F_OK) == 0;
}

/* A forgotten recording's spool sidecar goes with it: a store rebuilt from the spool must not
 * bring back the title and presenter retention removed. */
static void test_forgotten_sidecar_goes(void **state)
{
	struct ctx *c = *state;
	spoolmeta_enable(c->dir);
	int64_t old = add(c, "old", "uploaded", 91, 48000, false, true);
	int64_t young = add(c, "young", "uploaded", 89, 48000, false, true);
	assert_int_equal(spoolmeta_save(c->st, old), LT_OK);
	assert_int_equal(spoolmeta_save(c->st, young), LT_OK);
	assert_true(sidecar(c, old));
	struct recording gone;
	assert_int_equal(store_recording_get(c->st, old, &gone), LT_OK);
	assert_int_equal(run(c).records, 1);
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s.json", c->dir, gone.uid);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_true(sidecar(c, young));
	spoolmeta_enable("");
}

/* Failed without audio: file and row go after keep_failed_days. Failed with audio (delivery
 * gave up): kept, however old; it may be the only copy of a session. */
static void test_failed(void **state)
{
	struct ctx *c = *state;
	int64_t empty_old = add(c, "empty_old", "failed", 31, 0, true, false);
	int64_t empty_new = add(c, "empty_new", "failed", 29, 0, true, false);
	int64_t audio = add(c, "audio", "failed", 4000, 48000 * 60, true, false);
	/* Once queued, it was finalised with audio, whatever the row counts now. */
	int64_t was_queued = add(c, "was_queued", "failed", 4000, 0, true, false);
	char sql[160];
	snprintf(sql, sizeof sql, "INSERT INTO recording_history(recording_id, from_state, to_state,"
		 " at_ms) VALUES (%lld, 'finalizing', 'queued', 1)", (long long)was_queued);
	assert_int_equal(sqlite3_exec(c->peek, sql, NULL, NULL, NULL), SQLITE_OK);
	struct retention_result res = run(c);
	assert_int_equal(res.failed, 1);
	assert_false(known(c, empty_old));
	assert_false(on_disk(c, "empty_old"));
	assert_true(known(c, empty_new));
	assert_true(on_disk(c, "empty_new"));
	assert_true(known(c, audio));
	assert_true(on_disk(c, "audio"));
	assert_true(known(c, was_queued));
	assert_true(on_disk(c, "was_queued"));
}

/* The age of a failed recording counts from when it failed, not from when it began: a row
 * recovery just failed (started long ago, or with a broken clock) is not purged at once. */
static void test_failed_age_counts_from_the_failure(void **state)
{
	struct ctx *c = *state;
	int64_t id = add(c, "just_failed", "failed", 4000, 0, true, false);
	char sql[200];
	snprintf(sql, sizeof sql, "INSERT INTO recording_history(recording_id, from_state, to_state,"
		 " at_ms) VALUES (%lld, 'recording', 'failed', %lld)", (long long)id,
		 (long long)(NOW_MS - DAY_MS));
	assert_int_equal(sqlite3_exec(c->peek, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(run(c).failed, 0);
	assert_true(known(c, id) && on_disk(c, "just_failed"));
}

/* Waiting for a target, or not yet finished: never deleted, whatever the age. */
static void test_undelivered_audio_is_kept(void **state)
{
	struct ctx *c = *state;
	static const char *const states[] = {"recording", "paused", "finalizing", "queued",
					     "uploading"};
	int64_t ids[5];
	for (int i = 0; i < 5; i++)
		ids[i] = add(c, states[i], states[i], 4000, 0, true, false);
	c->cfg.keep_local_days = 1; /* only for target = none */
	struct retention_result res = run(c);
	assert_int_equal(res.records + res.failed + res.local, 0);
	for (int i = 0; i < 5; i++) {
		assert_true(known(c, ids[i]));
		assert_true(on_disk(c, states[i]));
	}
}

/* target = none: the device is the destination. Kept for ever by default; with
 * keep_local_days, finished recordings (queued or failed) go that many days after they ended. */
static void test_target_none(void **state)
{
	struct ctx *c = *state;
	snprintf(c->cfg.upload_target, sizeof c->cfg.upload_target, "none");
	int64_t old = add(c, "old", "queued", 400, 48000, true, false);
	int64_t failed = add(c, "failed", "failed", 400, 48000, true, false);
	int64_t live = add(c, "live", "recording", 400, 0, true, false);
	int64_t young = add(c, "young", "queued", 6, 48000, true, false);
	assert_int_equal(run(c).local, 0);
	assert_true(known(c, old) && on_disk(c, "old") && known(c, failed));
	c->cfg.keep_local_days = 7;
	assert_int_equal(run(c).local, 2);
	assert_false(known(c, old));
	assert_false(on_disk(c, "old"));
	assert_false(known(c, failed));
	assert_false(on_disk(c, "failed"));
	assert_true(known(c, live) && on_disk(c, "live"));
	assert_true(known(c, young) && on_disk(c, "young"));
}

/* A clock far ahead makes every recording look old at once: keep_local_days deletes nothing
 * until a recording younger than the limit shows the clock is right. */
static void test_target_none_clock_ahead(void **state)
{
	struct ctx *c = *state;
	snprintf(c->cfg.upload_target, sizeof c->cfg.upload_target, "none");
	c->cfg.keep_local_days = 30;
	int64_t a = add(c, "a", "queued", 400, 48000, true, false);
	int64_t b = add(c, "b", "queued", 399, 48000, true, false);
	assert_int_equal(run(c).local, 0);
	assert_true(known(c, a) && on_disk(c, "a") && known(c, b) && on_disk(c, "b"));
	add(c, "new", "queued", 1, 48000, true, false);
	assert_int_equal(run(c).local, 2);
	assert_false(on_disk(c, "a") || on_disk(c, "b"));
}

static void save_calendar(struct ctx *c, const char *source, int64_t ok_ms)
{
	struct store_calendar_cache cache = {.ok_ms = ok_ms, .attempt_ms = ok_ms};
	snprintf(cache.source, sizeof cache.source, "%s", source);
	char body[] = "BEGIN:VCALENDAR\r\nATTENDEE;CN=Zoë:mailto:z@example.org\r\nEND:VCALENDAR\r\n";
	cache.body = body;
	cache.len = strlen(body);
	assert_int_equal(store_calendar_save(c->st, &cache), LT_OK);
}

static bool calendar_cached(struct ctx *c)
{
	struct store_calendar_cache cache;
	lt_err err = store_calendar_load(c->st, &cache);
	if (err == LT_OK)
		store_calendar_cache_free(&cache);
	return err == LT_OK;
}

/* The cached calendar holds attendees: dropped when its source is no longer the configured
 * one, or after keep_calendar_days without a good fetch. */
static void test_calendar(void **state)
{
	struct ctx *c = *state;
	snprintf(c->cfg.schedule_source, sizeof c->cfg.schedule_source, "ics");
	snprintf(c->cfg.schedule_ics, sizeof c->cfg.schedule_ics, "https://cal.example.org/a.ics");
	save_calendar(c, c->cfg.schedule_ics, NOW_MS - 29 * DAY_MS);
	assert_int_equal(run(c).calendar, 0);
	assert_true(calendar_cached(c));
	save_calendar(c, c->cfg.schedule_ics, NOW_MS - 30 * DAY_MS);
	assert_int_equal(run(c).calendar, 1);
	assert_false(calendar_cached(c));
	save_calendar(c, "https://old.example.org/b.ics", NOW_MS);
	assert_int_equal(run(c).calendar, 1);
	assert_false(calendar_cached(c));
	/* No schedule configured any more: nothing cached may stay. */
	save_calendar(c, c->cfg.schedule_ics, NOW_MS);
	snprintf(c->cfg.schedule_source, sizeof c->cfg.schedule_source, "none");
	assert_int_equal(run(c).calendar, 1);
	assert_false(calendar_cached(c));
}

/* Audio an older lectern left group-readable is made the service user's alone. */
static void test_spool_files_made_private(void **state)
{
	struct ctx *c = *state;
	add(c, "shared", "queued", 1, 48000, true, false);
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/shared.opus", c->dir);
	assert_int_equal(chmod(path, 0644), 0);
	run(c);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
}

/* The uploader's pruning (thread and `upload --once`) runs the pass. */
static void test_upload_prune_runs_it(void **state)
{
	struct ctx *c = *state;
	int64_t id = add(c, "empty", "failed", 31, 0, true, false);
	upload_prune(&c->cfg, c->st, NOW_MS);
	assert_false(known(c, id));
}

/* A file a person named with `record --out` lies outside the spool: it is theirs. Where a rule
 * would delete it, its row goes (or is marked as no longer held) and the file stays as it is. */
static void test_outside_the_spool_is_kept(void **state)
{
	struct ctx *c = *state;
	snprintf(c->cfg.spool_dir, sizeof c->cfg.spool_dir, "%s/spool", c->dir);
	assert_int_equal(mkdir(c->cfg.spool_dir, 0700), 0);
	snprintf(c->cfg.upload_target, sizeof c->cfg.upload_target, "none");
	c->cfg.keep_local_days = 7;
	int64_t old = add(c, "old", "queued", 400, 48000, true, false);
	int64_t empty = add(c, "empty", "failed", 400, 0, true, false);
	add(c, "recent", "queued", 1, 48000, false, false); /* the clock looks right */
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/old.opus", c->dir);
	assert_int_equal(chmod(path, 0644), 0);
	struct retention_result res = run(c);
	assert_int_equal(res.local, 2);
	assert_false(known(c, old));
	assert_false(known(c, empty));
	assert_true(on_disk(c, "old"));
	assert_true(on_disk(c, "empty"));
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644); /* its owner's modes, untouched */

	/* delivered: short of space, deleting it would free nothing of the spool's; past
	 * retention_days, upload_prune marks it, and leaves the file */
	snprintf(c->cfg.upload_target, sizeof c->cfg.upload_target, "folder");
	int64_t sent = add(c, "sent", "uploaded", 1, 48000, true, false);
	c->cfg.min_free_mb = 1000000;
	c->cfg.retention_days = 30;
	upload_prune(&c->cfg, c->st, NOW_MS);
	struct recording r;
	assert_int_equal(store_recording_get(c->st, sent, &r), LT_OK);
	assert_int_equal(r.deleted_ms, 0);
	c->cfg.retention_days = 0;
	upload_prune(&c->cfg, c->st, NOW_MS);
	assert_int_equal(store_recording_get(c->st, sent, &r), LT_OK);
	assert_true(r.deleted_ms > 0);
	assert_true(on_disk(c, "sent"));
}

int main(void)
{
	log_set_level(LOG_LVL_ERROR);
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_delivered_rows),
		T(test_failed),
		T(test_failed_age_counts_from_the_failure),
		T(test_undelivered_audio_is_kept),
		T(test_target_none),
		T(test_calendar),
		T(test_forgotten_sidecar_goes),
		T(test_target_none_clock_ahead),
		T(test_spool_files_made_private),
		T(test_upload_prune_runs_it),
		T(test_outside_the_spool_is_kept),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
