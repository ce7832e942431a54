/*
 * test_spoolmeta.c — a damaged database and the way back: what store_open/store_verify call
 * damage, setting it aside with its WAL, the spool sidecars written for each recording, and
 * the rebuild of a fresh store from them (states, delivery, occurrence, order).
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
#include <json-c/json.h>
#include <sqlite3.h>

#include "testutil.h"

#include "lectern/checkinlog.h"
#include "lectern/log.h"
#include "lectern/spoolmeta.h"
#include "lectern/store.h"

struct ctx {
	char dir[64];
	char spool[96];
	char db[96];
	struct store *st;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	snprintf(c->dir, sizeof c->dir, "/tmp/lectern-spoolmeta-XXXXXX");
	if (!mkdtemp(c->dir))
		return -1;
	log_set_level(LOG_LVL_ERROR);
	snprintf(c->spool, sizeof c->spool, "%s/spool", c->dir);
	snprintf(c->db, sizeof c->db, "%s/lectern.db", c->dir);
	if (mkdir(c->spool, 0750) != 0 || store_open(c->db, &c->st) != LT_OK)
		return -1;
	spoolmeta_enable(c->spool);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	store_close(c->st);
	spoolmeta_enable(""); /* back to a process that does not own a data directory */
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

static void write_file(const char *path, const void *data, size_t n)
{
	assert_true(tu_write_file(path, data, n));
}

/* A recording in the spool (its "audio" a few bytes), created with its sidecar. */
static int64_t record(struct ctx *c, const char *title, int64_t started_ms)
{
	struct recording r = {0};
	snprintf(r.title, sizeof r.title, "%s", title);
	snprintf(r.presenter, sizeof r.presenter, "Presenter of %s", title);
	snprintf(r.room, sizeof r.room, "Room 1");
	r.started_ms = started_ms;
	store_make_uid(started_ms, r.uid, sizeof r.uid);
	snprintf(r.path, sizeof r.path, "%s/%s.opus", c->spool, r.uid);
	write_file(r.path, "audio", 5);
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_int_equal(spoolmeta_save(c->st, r.id), LT_OK);
	return r.id;
}

/* Move a recording along the state machine and write its sidecar, as the hooks do. */
static void walk(struct ctx *c, int64_t id, const enum rec_state *path, int n)
{
	for (int i = 0; i + 1 < n; i++)
		assert_int_equal(store_recording_transition(c->st, id, path[i], path[i + 1], NULL),
				 LT_OK);
	assert_int_equal(spoolmeta_save(c->st, id), LT_OK);
}

static void sidecar_path(struct ctx *c, int64_t id, char *buf, size_t n)
{
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	snprintf(buf, n, "%s/%s.json", c->spool, r.uid);
}

/* The store is lost: a fresh one in its place. */
static void lose_database(struct ctx *c)
{
	store_close(c->st);
	char aside[PATH_MAX + 64];
	assert_int_equal(store_set_aside(c->db, 1796016553000, aside, sizeof aside), LT_OK);
	assert_int_equal(store_open(c->db, &c->st), LT_OK);
}

struct by_title {
	const char *title;
	struct recording rec;
	bool seen;
};

static int find_title(const struct recording *r, void *user)
{
	struct by_title *b = user;
	if (strcmp(r->title, b->title) == 0) {
		b->rec = *r;
		b->seen = true;
	}
	return 0;
}

static struct recording get_by_title(struct ctx *c, const char *title)
{
	struct by_title b = {.title = title};
	assert_int_equal(store_recordings_each(c->st, 0, find_title, &b), LT_OK);
	assert_true(b.seen);
	return b.rec;
}

static void test_sidecar_written_whole_in_the_spool(void **state)
{
	struct ctx *c = *state;
	int64_t id = record(c, "Brown bag", 1796016550000);
	char path[PATH_MAX + 16];
	sidecar_path(c, id, path, sizeof path);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	json_object *o = json_object_from_file(path);
	assert_non_null(o);
	json_object *v;
	assert_true(json_object_object_get_ex(o, "title", &v));
	assert_string_equal(json_object_get_string(v), "Brown bag");
	assert_true(json_object_object_get_ex(o, "state", &v));
	assert_string_equal(json_object_get_string(v), "recording");
	json_object_put(o);

	/* finalised: the same file, now saying queued with the result */
	const enum rec_state fin[] = {REC_RECORDING, REC_FINALIZING, REC_QUEUED};
	assert_int_equal(store_recording_set_result(c->st, id, 96000, 5, 1796016552000, "ab"),
			 LT_OK);
	walk(c, id, fin, 3);
	o = json_object_from_file(path);
	assert_true(json_object_object_get_ex(o, "state", &v));
	assert_string_equal(json_object_get_string(v), "queued");
	assert_true(json_object_object_get_ex(o, "samples", &v));
	assert_int_equal(json_object_get_int64(v), 96000);
	json_object_put(o);
}

static void test_recording_elsewhere_keeps_its_sidecar_in_the_spool(void **state)
{
	struct ctx *c = *state;
	char elsewhere[96];
	snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", c->dir);
	assert_int_equal(mkdir(elsewhere, 0750), 0);
	struct recording r = {0};
	snprintf(r.path, sizeof r.path, "%s/talk.opus", elsewhere);
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_int_equal(spoolmeta_save(c->st, r.id), LT_OK);
	char in_spool[PATH_MAX + 64], beside[PATH_MAX + 64];
	snprintf(in_spool, sizeof in_spool, "%s/%s.json", c->spool, r.uid);
	snprintf(beside, sizeof beside, "%s/%s.json", elsewhere, r.uid);
	assert_int_equal(access(in_spool, F_OK), 0);
	assert_int_not_equal(access(beside, F_OK), 0);
}

/* A sidecar's temp file that a kill left mid-write goes when the spool's owner starts. */
static void test_leftover_temp_files_removed(void **state)
{
	struct ctx *c = *state;
	char tmp[PATH_MAX + 64], keep[PATH_MAX + 64];
	snprintf(tmp, sizeof tmp, "%s/20261130T060000Z-abcd.json.tmp-Xy12Zq", c->spool);
	snprintf(keep, sizeof keep, "%s/talk.opus", c->spool);
	assert_true(tu_write_file(tmp, "{", 1));
	assert_true(tu_write_file(keep, "OggS", 4));
	spoolmeta_enable(c->spool);
	assert_int_not_equal(access(tmp, F_OK), 0);
	assert_int_equal(access(keep, F_OK), 0);
}

static void test_nothing_written_without_the_data_directory(void **state)
{
	struct ctx *c = *state;
	spoolmeta_enable(""); /* a read-only command */
	struct recording r = {0};
	snprintf(r.path, sizeof r.path, "%s/x.opus", c->spool);
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_int_equal(spoolmeta_save(c->st, r.id), LT_OK);
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s.json", c->spool, r.uid);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void test_rebuild_restores_every_state(void **state)
{
	struct ctx *c = *state;
	int64_t t = 1796016000000;
	int64_t live = record(c, "live", t + 6000);
	int64_t paused = record(c, "paused", t + 5000);
	int64_t fin = record(c, "finalizing", t + 4000);
	int64_t queued = record(c, "queued", t + 3000);
	int64_t sending = record(c, "uploading", t + 2000);
	int64_t done = record(c, "uploaded", t + 1000);
	int64_t failed = record(c, "failed", t);
	(void)live;
	const enum rec_state to_paused[] = {REC_RECORDING, REC_PAUSED};
	const enum rec_state to_fin[] = {REC_RECORDING, REC_FINALIZING};
	const enum rec_state to_queued[] = {REC_RECORDING, REC_FINALIZING, REC_QUEUED};
	const enum rec_state to_sending[] = {REC_RECORDING, REC_FINALIZING, REC_QUEUED,
					     REC_UPLOADING};
	const enum rec_state to_done[] = {REC_RECORDING, REC_FINALIZING, REC_QUEUED,
					  REC_UPLOADING, REC_UPLOADED};
	const enum rec_state to_failed[] = {REC_RECORDING, REC_FINALIZING, REC_FAILED};
	walk(c, paused, to_paused, 2);
	walk(c, fin, to_fin, 2);
	struct store_event ev = {.key = "talk@lectern.test@1796016003", .series = "series-1",
				 .workflow = "fast"};
	assert_int_equal(store_recording_set_event(c->st, queued, &ev), LT_OK);
	assert_int_equal(store_recording_set_tags(c->st, queued, "sqlite,wal"), LT_OK);
	walk(c, queued, to_queued, 3);
	walk(c, sending, to_sending, 4);
	assert_int_equal(store_upload_note(c->st, done, 1, 0, "", "share/uploaded.opus", "cafe",
					   t + 9000),
			 LT_OK);
	walk(c, done, to_done, 5);
	walk(c, failed, to_failed, 3);

	lose_database(c);
	assert_int_equal(spoolmeta_rebuild(c->st, c->spool), 7);

	/* never ended: left for recovery; cut short in upload: queued again */
	assert_int_equal(get_by_title(c, "live").state, REC_RECORDING);
	assert_int_equal(get_by_title(c, "paused").state, REC_RECORDING);
	assert_int_equal(get_by_title(c, "finalizing").state, REC_RECORDING);
	assert_int_equal(get_by_title(c, "uploading").state, REC_QUEUED);
	assert_int_equal(get_by_title(c, "failed").state, REC_FAILED);
	struct recording q = get_by_title(c, "queued");
	assert_int_equal(q.state, REC_QUEUED);
	assert_string_equal(q.tags, "sqlite,wal");
	assert_string_equal(q.presenter, "Presenter of queued");
	char key[128];
	assert_int_equal(store_recording_event_key(c->st, q.id, key, sizeof key), LT_OK);
	assert_string_equal(key, "talk@lectern.test@1796016003");
	char *series, *workflow, *wf_config, *dc;
	assert_int_equal(store_recording_get_event(c->st, q.id, &series, &workflow, &wf_config, &dc),
			 LT_OK);
	assert_string_equal(series, "series-1");
	assert_string_equal(workflow, "fast");
	free(series);
	free(workflow);
	free(wf_config);
	free(dc);
	/* delivered: stays delivered, with where and when, never sent again */
	struct recording d = get_by_title(c, "uploaded");
	assert_int_equal(d.state, REC_UPLOADED);
	assert_string_equal(d.remote, "share/uploaded.opus");
	assert_int_equal(d.uploaded_ms, t + 9000);
	struct recording next;
	assert_int_equal(store_upload_next(c->st, t + 100000000, true, &next), LT_OK);
	assert_string_equal(next.title, "uploading"); /* oldest first: rows follow their start */
	/* the history says where the row came from */
	assert_int_equal(store_recording_history_count(c->st, d.id), 1);

	/* a second pass finds everything there already */
	assert_int_equal(spoolmeta_rebuild(c->st, c->spool), 0);
}

static void test_rebuild_skips_what_is_not_ours(void **state)
{
	struct ctx *c = *state;
	record(c, "kept", 1796016000000);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/notes.json", c->spool);
	write_file(path, "{\"hello\": 1}", 12);
	snprintf(path, sizeof path, "%s/broken.json", c->spool);
	write_file(path, "{\"lectern_side", 14);
	snprintf(path, sizeof path, "%s/noise.opus", c->spool);
	write_file(path, "not an ogg file", 15);
	lose_database(c);
	assert_int_equal(spoolmeta_rebuild(c->st, c->spool), 1);
	assert_int_equal(get_by_title(c, "kept").state, REC_RECORDING);
}

/* What a damaged database looks like to store_open and store_verify. */
static void test_damage_is_told_apart(void **state)
{
	struct ctx *c = *state;
	record(c, "something", 1796016000000);
	store_close(c->st);
	c->st = NULL;
	struct store *st = NULL;
	char path[PATH_MAX + 128];

	snprintf(path, sizeof path, "%s/empty.db", c->dir);
	write_file(path, "", 0);
	assert_int_equal(store_open(path, &st), LT_ERR_CORRUPT);

	snprintf(path, sizeof path, "%s/dir.db", c->dir);
	assert_int_equal(mkdir(path, 0750), 0);
	assert_int_equal(store_open(path, &st), LT_ERR_CORRUPT);

	snprintf(path, sizeof path, "%s/random.db", c->dir);
	char noise[8192];
	for (size_t i = 0; i < sizeof noise; i++)
		noise[i] = (char)(i * 7919 % 251);
	write_file(path, noise, sizeof noise);
	assert_int_equal(store_open(path, &st), LT_ERR_CORRUPT);

	/* a newer lectern's schema */
	assert_int_equal(store_open(c->db, &st), LT_OK);
	assert_int_equal(store_verify(st), LT_OK);
	store_close(st);
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(c->db, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 999", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(store_open(c->db, &st), LT_ERR_CORRUPT);

	/* set aside with its WAL; a second one in the same second does not overwrite it */
	snprintf(path, sizeof path, "%s-wal", c->db);
	write_file(path, "wal", 3);
	char aside[PATH_MAX + 64], aside2[PATH_MAX + 64];
	assert_int_equal(store_set_aside(c->db, 1796016553000, aside, sizeof aside), LT_OK);
	assert_true(strstr(aside, "lectern.db.damaged-20261130T052913Z") != NULL);
	assert_int_not_equal(access(c->db, F_OK), 0);
	snprintf(path, sizeof path, "%s-wal", aside);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(store_open(c->db, &c->st), LT_OK);
	store_close(c->st);
	c->st = NULL;
	assert_int_equal(store_set_aside(c->db, 1796016553000, aside2, sizeof aside2), LT_OK);
	assert_string_not_equal(aside, aside2);
	assert_int_equal(access(aside, F_OK), 0);
	assert_int_equal(store_open(c->db, &c->st), LT_OK);
}

/* The check-in journal (checkinlog.h): every change of the store's check-in rows is a line; a
 * line a kill cut short is skipped and the next starts on its own; the rebuild gives back
 * what was not taken back, its delivery and the secret, and adds nothing when run again. */
static int count_rows(struct store *st)
{
	return store_checkin_count(st, "UID@100", -1);
}

static void test_checkin_journal_rebuild(void **state)
{
	struct ctx *c = *state;
	struct store_checkin_session s = {.key = "UID@100", .title = "Talk", .start_s = 100};
	assert_int_equal(store_checkin_session_put(c->st, &s), LT_OK);
	assert_int_equal(store_checkin_session_put(c->st, &s), LT_OK); /* unchanged: no line */
	struct store_checkin a = {.session_key = "UID@100", .method = "tap", .person = "p1",
				  .name = "Ada", .at_ms = 1000};
	struct store_checkin g1 = {.session_key = "UID@100", .method = "guest", .at_ms = 2000};
	struct store_checkin g2 = g1, u = {.session_key = "UID@100", .method = "walkin",
					   .person = "p2", .name = "Undone", .at_ms = 3000};
	assert_int_equal(store_checkin_add(c->st, &a), LT_OK);
	assert_int_equal(store_checkin_add(c->st, &g1), LT_OK);
	assert_int_equal(store_checkin_add(c->st, &g2), LT_OK); /* two guests, one millisecond */
	assert_int_equal(store_checkin_add(c->st, &u), LT_OK);
	assert_int_equal(store_checkin_remove(c->st, u.id), LT_OK);
	assert_int_equal(store_checkin_session_delivered(c->st, "UID@100", 5000, 3), LT_OK);
	assert_int_equal(checkinlog_keep_secret("ab"), LT_OK);

	/* The journal: one file of 7 lines, private; then a line cut short by a kill. */
	char dir[160], cmd[1024];
	snprintf(dir, sizeof dir, "%s/checkins", c->spool);
	struct stat sb;
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(cmd, sizeof cmd, "test $(cat %s/*.jsonl | wc -l) = 7 && "
		 "test $(stat -c %%a %s/*.jsonl) = 600 && for f in %s/*.jsonl; do "
		 "printf '{\"op\":\"in\",\"ke' >> $f; done && printf 'junk\\n\\377' > %s/junk.jsonl",
		 dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	struct store_checkin b = {.session_key = "UID@100", .method = "qr", .person = "p3",
				  .at_ms = 6000};
	assert_int_equal(store_checkin_add(c->st, &b), LT_OK);

	/* A fresh store, rebuilt: 4 check-ins, the delivery, the secret; again: nothing more. */
	struct store *fresh;
	char db2[128];
	snprintf(db2, sizeof db2, "%s/fresh.db", c->dir);
	assert_int_equal(store_open(db2, &fresh), LT_OK);
	assert_int_equal(checkinlog_rebuild(fresh, c->spool), 4);
	assert_int_equal(count_rows(fresh), 4);
	assert_int_equal(checkinlog_rebuild(fresh, c->spool), 0);
	assert_int_equal(count_rows(fresh), 4);
	struct store_checkin_session got;
	assert_int_equal(store_checkin_session_get(fresh, "UID@100", &got), LT_OK);
	assert_string_equal(got.title, "Talk");
	assert_int_equal(got.delivered_ms, 5000);
	assert_int_equal(got.delivered_count, 3);
	struct store_checkin found;
	assert_int_equal(store_checkin_find(fresh, "UID@100", "p1", &found), LT_OK);
	assert_string_equal(found.name, "Ada");
	assert_int_equal(store_checkin_find(fresh, "UID@100", "p2", &found), LT_ERR_NOT_FOUND);
	assert_int_equal(store_checkin_find(fresh, "UID@100", "p3", &found), LT_OK);
	char secret[8];
	assert_int_equal(store_kv_get(fresh, "checkin.secret", secret, sizeof secret),
			 LT_ERR_NOT_FOUND); /* "ab" is not a secret (64 hex digits) */

	/* Retention blanks the names in the journal too. */
	assert_true(store_checkin_forget_names(c->st, 2000, false) >= 1);
	snprintf(cmd, sizeof cmd, "! grep -q Ada %s/*.jsonl && grep -q Undone %s/*.jsonl", dir, dir);
	assert_int_equal(system(cmd), 0);
	store_close(fresh);

	/* Made anonymous with the person key (keep_names_days): a check-in taken back stays
	 * taken back in the next rebuild. */
	assert_true(store_checkin_forget_names(c->st, 10000, true) >= 1);
	snprintf(db2, sizeof db2, "%s/fresh2.db", c->dir);
	assert_int_equal(store_open(db2, &fresh), LT_OK);
	assert_int_equal(checkinlog_rebuild(fresh, c->spool), 4);
	assert_int_equal(store_checkin_count(fresh, "UID@100", 2500), 1); /* b only: no undone */
	store_close(fresh);
}

/* A damaged journal: a line far too long, bytes that are no JSON, then a good line: the good
 * one is restored, the rest skipped, in bounded memory. */
static void test_checkin_journal_damaged(void **state)
{
	struct ctx *c = *state;
	char path[256];
	snprintf(path, sizeof path, "%s/checkins", c->spool);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/checkins/damaged.jsonl", c->spool);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"op\":\"in\",\"key\":\"K@1\",\"name\":\"", f);
	for (int i = 0; i < 100000; i++)
		fputc('x', f);
	fputs("\"}\n\xff\xfe\x01\n\n{\"op\":\"in\",\"key\":\"K@1\",\"method\":\"guest\",\"at_ms\":7}", f);
	fclose(f);
	assert_int_equal(checkinlog_rebuild(c->st, c->spool), 1);
	struct store_checkin_session got;
	assert_int_equal(store_checkin_session_get(c->st, "K@1", &got), LT_OK);
	assert_int_equal(store_checkin_count(c->st, "K@1", -1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sidecar_written_whole_in_the_spool, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_recording_elsewhere_keeps_its_sidecar_in_the_spool,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftover_temp_files_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_written_without_the_data_directory, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_restores_every_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_skips_what_is_not_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_is_told_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkin_journal_rebuild, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkin_journal_damaged, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
