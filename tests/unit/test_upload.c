/*
 * test_upload.c — the queue's timing rules: backoff with jitter and cap, the upload window
 * (also across midnight), the stagger of a first attempt; retention: a local file goes only
 * after its delivery was confirmed retention_days ago; and only what was recorded is
 * delivered: a spool file cut short, emptied, changed or gone since finalisation fails its
 * job (through the folder target) with nothing under its name on the share, and servers'
 * checksum headers are read right.
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
#include <ftw.h>
#include <json-c/json.h>

#include "testutil.h"

#include "lectern/config.h"
#include "lectern/log.h"
#include "lectern/osutil.h"
#include "lectern/store.h"
#include "lectern/upload.h"

struct ctx {
	char dir[64];
	struct config cfg;
	struct store *st;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c || !tu_temp_dir(c->dir, sizeof c->dir, "upload"))
		return -1;
	log_set_level(LOG_LVL_ERROR);
	config_defaults(&c->cfg);
	snprintf(c->cfg.upload_target, sizeof c->cfg.upload_target, "folder");
	snprintf(c->cfg.spool_dir, sizeof c->cfg.spool_dir, "%s", c->dir); /* the recordings' */
	snprintf(c->cfg.upload_folder, sizeof c->cfg.upload_folder, "%s/share", c->dir);
	/* the share is there, as a mounted one is: lectern makes only the folders inside it */
	if (mkdir(c->cfg.upload_folder, 0750) != 0 || !tu_store_open(c->dir, NULL, 0, &c->st))
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	store_close(c->st);
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

/* A finished, queued recording of `room` with a small file. */
static int64_t queued_in(struct ctx *c, const char *name, const char *room)
{
	struct recording r = {0};
	snprintf(r.path, sizeof r.path, "%s/%s.opus", c->dir, name);
	snprintf(r.room, sizeof r.room, "%s", room);
	FILE *fp = fopen(r.path, "w");
	assert_non_null(fp);
	fputs("not really opus, but bytes to deliver", fp);
	fclose(fp);
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_RECORDING, REC_FINALIZING, NULL),
			 LT_OK);
	/* What finalisation stores: the file's size and SHA-256. */
	char sha[65];
	assert_int_equal(os_sha256_file(r.path, sha), LT_OK);
	assert_int_equal(store_recording_set_result(c->st, r.id, 48000, 37, os_now_ms(), sha),
			 LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_FINALIZING, REC_QUEUED, NULL),
			 LT_OK);
	return r.id;
}

static int64_t queued(struct ctx *c, const char *name) { return queued_in(c, name, "Room"); }

static void backoff_doubles_with_jitter_and_cap(void **state)
{
	struct ctx *c = *state;
	c->cfg.backoff_min_s = 60;
	c->cfg.backoff_max_s = 3600;
	for (unsigned rnd = 0; rnd < 2000; rnd += 7) {
		int64_t w1 = upload_backoff_ms(&c->cfg, 1, rnd);
		int64_t w3 = upload_backoff_ms(&c->cfg, 3, rnd);
		int64_t w20 = upload_backoff_ms(&c->cfg, 20, rnd);
		assert_true(w1 >= 30000 && w1 <= 60000);
		assert_true(w3 >= 120000 && w3 <= 240000);
		assert_true(w20 >= 1800000 && w20 <= 3600000); /* capped */
	}
	assert_true(upload_backoff_ms(&c->cfg, 2, 0) != upload_backoff_ms(&c->cfg, 2, 12345));
}

static int64_t at_local(int hour, int minute)
{
	struct tm tm = {.tm_year = 126, .tm_mon = 10, .tm_mday = 23, .tm_hour = hour,
			.tm_min = minute, .tm_isdst = -1};
	return (int64_t)mktime(&tm) * 1000;
}

/* A room named "." or ".." (from the configuration or an .opus's tags) is a folder name like any
 * other on the share: never a way out of it. */
static void room_of_dots_stays_on_the_share(void **state)
{
	struct ctx *c = *state;
	snprintf(c->cfg.upload_folder, sizeof c->cfg.upload_folder, "%s/share/inner", c->dir);
	assert_int_equal(mkdir(c->cfg.upload_folder, 0750), 0);
	int64_t up = queued_in(c, "up", ".."), here = queued_in(c, "here", ".");
	int attempted, failed;
	upload_run_once(&c->cfg, c->st, at_local(12, 0), true, &attempted, &failed);
	assert_int_equal(failed, 0);
	int64_t ids[] = {up, here};
	for (int i = 0; i < 2; i++) {
		struct recording r;
		assert_int_equal(store_recording_get(c->st, ids[i], &r), LT_OK);
		assert_int_equal(r.state, REC_UPLOADED);
		char real[PATH_MAX];
		assert_non_null(realpath(r.remote, real));
		assert_memory_equal(real, c->cfg.upload_folder, strlen(c->cfg.upload_folder));
		assert_int_equal(real[strlen(c->cfg.upload_folder)], '/');
		assert_non_null(strstr(real, i ? "/-/" : "/--/")); /* each room a folder of its own */
	}
}

static void window_limits_uploads(void **state)
{
	struct ctx *c = *state;
	assert_true(upload_window_open(&c->cfg, at_local(12, 0))); /* no window: always */
	snprintf(c->cfg.upload_window, sizeof c->cfg.upload_window, "19:00-07:00");
	assert_true(upload_window_open(&c->cfg, at_local(23, 30)));
	assert_true(upload_window_open(&c->cfg, at_local(6, 59)));
	assert_false(upload_window_open(&c->cfg, at_local(7, 0)));
	assert_false(upload_window_open(&c->cfg, at_local(12, 0)));
	snprintf(c->cfg.upload_window, sizeof c->cfg.upload_window, "12:00-13:00");
	assert_true(upload_window_open(&c->cfg, at_local(12, 30)));
	assert_false(upload_window_open(&c->cfg, at_local(13, 0)));
	/* Outside the window nothing is sent; a person's upload --once goes anyway. */
	int64_t id = queued(c, "w");
	int attempted, failed;
	assert_int_equal(upload_run_once(&c->cfg, c->st, at_local(15, 0), false, &attempted,
					 &failed), LT_OK);
	assert_int_equal(attempted, 0);
	assert_int_equal(upload_run_once(&c->cfg, c->st, at_local(15, 0), true, &attempted,
					 &failed), LT_OK);
	assert_int_equal(attempted, 1);
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	assert_int_equal(r.state, REC_UPLOADED);
	struct config bad = c->cfg;
	snprintf(bad.upload_window, sizeof bad.upload_window, "25:00-07:00");
	assert_int_equal(config_time_range(bad.upload_window, NULL, NULL), -1);
}

static void first_attempt_staggered(void **state)
{
	struct ctx *c = *state;
	c->cfg.upload_stagger_s = 30;
	int64_t id = queued(c, "s");
	int64_t now = at_local(12, 0);
	int attempted, failed;
	upload_run_once(&c->cfg, c->st, now, false, &attempted, &failed);
	assert_int_equal(attempted, 0);
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	assert_int_equal(r.state, REC_QUEUED);
	assert_true(r.next_attempt_ms > now && r.next_attempt_ms <= now + 30000);
	upload_run_once(&c->cfg, c->st, r.next_attempt_ms, false, &attempted, &failed);
	assert_int_equal(attempted, 1);
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	assert_int_equal(r.state, REC_UPLOADED);
}

static void retention_deletes_only_confirmed_and_old(void **state)
{
	struct ctx *c = *state;
	c->cfg.retention_days = 7;
	int64_t old_id = queued(c, "old"), new_id = queued(c, "new"), stuck_id = queued(c, "stuck");
	int attempted, failed;
	/* Deliver two; the third stays queued (its file is never confirmed). */
	struct recording stuck;
	assert_int_equal(store_recording_get(c->st, stuck_id, &stuck), LT_OK);
	assert_int_equal(store_recording_transition(c->st, stuck_id, REC_QUEUED, REC_FAILED,
						    "kept for the test"), LT_OK);
	upload_run_once(&c->cfg, c->st, at_local(12, 0), true, &attempted, &failed);
	assert_int_equal(attempted, 2);
	struct recording o, n;
	assert_int_equal(store_recording_get(c->st, old_id, &o), LT_OK);
	int64_t later = o.uploaded_ms + 8 * 86400000LL;
	/* The new one was confirmed "now": move the clock so only the old one is past 7 days. */
	assert_int_equal(store_upload_note(c->st, new_id, 1, 0, "", "x", "y", later - 86400000LL),
			 LT_OK);
	assert_int_equal(upload_prune(&c->cfg, c->st, later), 1);
	assert_int_equal(access(o.path, F_OK), -1);
	assert_int_equal(store_recording_get(c->st, old_id, &o), LT_OK);
	assert_true(o.deleted_ms > 0);
	assert_int_equal(store_recording_get(c->st, new_id, &n), LT_OK);
	assert_int_equal(access(n.path, F_OK), 0);
	assert_int_equal(access(stuck.path, F_OK), 0); /* never confirmed: never deleted */
	assert_int_equal(upload_prune(&c->cfg, c->st, later + 365 * 86400000LL), 1);
	assert_int_equal(access(stuck.path, F_OK), 0);
}

static void space_pressure_deletes_delivered_early(void **state)
{
	struct ctx *c = *state;
	c->cfg.retention_days = 7;
	int64_t done_id = queued(c, "done"), waiting_id = queued(c, "waiting");
	struct recording waiting;
	assert_int_equal(store_recording_get(c->st, waiting_id, &waiting), LT_OK);
	assert_int_equal(store_recording_transition(c->st, waiting_id, REC_QUEUED, REC_FAILED,
						    "kept for the test"), LT_OK);
	int attempted, failed;
	upload_run_once(&c->cfg, c->st, at_local(12, 0), true, &attempted, &failed);
	struct recording d;
	assert_int_equal(store_recording_get(c->st, done_id, &d), LT_OK);
	assert_int_equal(d.state, REC_UPLOADED);
	/* Within the retention and plenty of space: kept. */
	assert_int_equal(upload_prune(&c->cfg, c->st, d.uploaded_ms + 1000), 0);
	assert_int_equal(access(d.path, F_OK), 0);
	/* A floor no disk can meet: the delivered copy goes now, the undelivered one stays. */
	c->cfg.min_free_mb = 100000000;
	assert_int_equal(upload_prune(&c->cfg, c->st, d.uploaded_ms + 1000), 1);
	assert_int_equal(access(d.path, F_OK), -1);
	assert_int_equal(access(waiting.path, F_OK), 0);
}

/* Regular files anywhere under the share (the recording, its sidecar, a temp copy). */
static int share_files;

static int count_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)path;
	(void)sb;
	(void)ftw;
	share_files += type == FTW_F;
	return 0;
}

static int files_on_share(struct ctx *c)
{
	share_files = 0;
	nftw(c->cfg.upload_folder, count_file, 16, FTW_PHYS);
	return share_files;
}

enum damage { CUT_SHORT, EMPTIED, FLIPPED, REMOVED };

static void spoil(const char *path, enum damage how)
{
	if (how == REMOVED) {
		assert_int_equal(unlink(path), 0);
		return;
	}
	if (how != FLIPPED) {
		assert_int_equal(truncate(path, how == CUT_SHORT ? 20 : 0), 0);
		return;
	}
	FILE *fp = fopen(path, "r+");
	assert_non_null(fp);
	fseek(fp, 36, SEEK_SET); /* the last byte: the same size, other content */
	fputc('!', fp);
	fclose(fp);
}

/* Each kind of damage: failed at once (no retries), the reason in last_error, nothing on the
 * share, the local file untouched and never pruned; put right and retried, it is delivered. */
static void damaged_file_is_never_delivered(void **state)
{
	struct ctx *c = *state;
	static const char *const reason[] = {"was 37 when it was finalised", "was 37 when",
					     "SHA-256 differs", "missing from the spool"};
	c->cfg.retention_days = 0;
	for (enum damage how = CUT_SHORT; how <= REMOVED; how++) {
		char name[16];
		snprintf(name, sizeof name, "d%d", (int)how);
		int64_t id = queued(c, name);
		struct recording r;
		assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
		spoil(r.path, how);
		struct stat before;
		bool present = stat(r.path, &before) == 0;
		int attempted, failed;
		assert_int_equal(upload_run_once(&c->cfg, c->st, at_local(12, 0), true, &attempted,
						 &failed), LT_OK);
		assert_int_equal(failed, 1);
		assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
		assert_int_equal(r.state, REC_FAILED);
		assert_int_equal(r.attempts, 1);
		assert_int_equal(r.uploaded_ms, 0);
		assert_non_null(strstr(r.last_error, reason[how]));
		assert_int_equal(files_on_share(c), 0);
		upload_prune(&c->cfg, c->st, at_local(12, 0) + 400 * 86400000LL);
		struct stat after;
		assert_int_equal(stat(r.path, &after) == 0, present);
		if (present)
			assert_int_equal(after.st_size, before.st_size);
		/* The right bytes back, and a person's retry: delivered. */
		FILE *fp = fopen(r.path, "w");
		fputs("not really opus, but bytes to deliver", fp);
		fclose(fp);
		assert_int_equal(store_upload_retry(c->st, id), LT_OK);
		upload_run_once(&c->cfg, c->st, at_local(12, 0), true, &attempted, &failed);
		assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
		assert_int_equal(r.state, REC_UPLOADED);
		assert_int_equal(files_on_share(c), 2); /* the recording and its sidecar */
		tu_rmrf(c->cfg.upload_folder);
		assert_int_equal(mkdir(c->cfg.upload_folder, 0750), 0);
	}
}

/* A person's pass goes on past a damaged file: it says nothing of the share. */
static void damaged_file_does_not_stop_the_queue(void **state)
{
	struct ctx *c = *state;
	int64_t bad = queued(c, "bad"), good = queued(c, "good");
	struct recording r;
	assert_int_equal(store_recording_get(c->st, bad, &r), LT_OK);
	spoil(r.path, CUT_SHORT);
	int attempted, failed;
	upload_run_once(&c->cfg, c->st, at_local(12, 0), true, &attempted, &failed);
	assert_int_equal(attempted, 2);
	assert_int_equal(failed, 1);
	assert_int_equal(store_recording_get(c->st, good, &r), LT_OK);
	assert_int_equal(r.state, REC_UPLOADED);
}

/* An attempt that fails for the share keeps the SHA-256 the file is held to. */
static void failed_attempt_keeps_the_stored_hash(void **state)
{
	struct ctx *c = *state;
	char share[sizeof c->cfg.upload_folder];
	snprintf(share, sizeof share, "%s", c->cfg.upload_folder);
	snprintf(c->cfg.upload_folder, sizeof c->cfg.upload_folder, "/proc/no-share");
	int64_t id = queued(c, "k");
	struct recording r, was;
	assert_int_equal(store_recording_get(c->st, id, &was), LT_OK);
	int attempted, failed;
	upload_run_once(&c->cfg, c->st, at_local(12, 0), true, &attempted, &failed);
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	assert_int_equal(r.state, REC_QUEUED);
	assert_string_equal(r.sha256, was.sha256);
	assert_int_equal(r.bytes, 37);
	/* So the damage done meanwhile is still seen at the next attempt. */
	snprintf(c->cfg.upload_folder, sizeof c->cfg.upload_folder, "%s", share);
	spoil(r.path, FLIPPED);
	upload_run_once(&c->cfg, c->st, at_local(12, 0), true, &attempted, &failed);
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	assert_int_equal(r.state, REC_FAILED);
	assert_int_equal(files_on_share(c), 0);
}

/* A row from before hashes were stored is hashed at its attempt and delivered. */
static void row_without_stored_hash_is_delivered(void **state)
{
	struct ctx *c = *state;
	int64_t id = queued(c, "legacy");
	assert_int_equal(store_upload_note(c->st, id, 0, 0, "", "", "", 0), LT_OK);
	assert_int_equal(store_recording_set_result(c->st, id, 48000, 0, os_now_ms(), NULL), LT_OK);
	int attempted, failed;
	upload_run_once(&c->cfg, c->st, at_local(12, 0), true, &attempted, &failed);
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	assert_int_equal(r.state, REC_UPLOADED);
	assert_int_equal(strlen(r.sha256), 64);
}

static void server_checksum_headers(void **state)
{
	(void)state;
	/* SHA-256 of "abc" */
	const char *sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	const char *b64 = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";
	char line[256];
	snprintf(line, sizeof line, "OC-Checksum: SHA1:a9993e364706816aba3e25717850c26c9cd0d89d "
				    "SHA256:%s", sha);
	assert_int_equal(upload_server_checksum(line, sha), 1);
	snprintf(line, sizeof line, "oc-checksum: SHA256:%.63s0", sha);
	assert_int_equal(upload_server_checksum(line, sha), 0);
	assert_int_equal(upload_server_checksum("OC-Checksum: SHA1:a9993e36", sha), -1);
	snprintf(line, sizeof line, "Digest: md5=kAFQmDzST7DWlj99KOF/cg==, SHA-256=%s", b64);
	assert_int_equal(upload_server_checksum(line, sha), 1);
	snprintf(line, sizeof line, "Repr-Digest: sha-256=:%s:", b64);
	assert_int_equal(upload_server_checksum(line, sha), 1);
	assert_int_equal(upload_server_checksum(
				 "Repr-Digest: sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:",
				 sha), 0);
	assert_int_equal(upload_server_checksum("Digest: sha-256=short", sha), 0);
	assert_int_equal(upload_server_checksum("Content-Length: 3", sha), -1);
	assert_int_equal(upload_server_checksum("Digest: md5=kAFQmDzST7DWlj99KOF/cg==", sha), -1);
}

/* The sidecar goes to servers: valid JSON and valid UTF-8 whatever bytes its fields hold.
 * Each ill-formed sequence (a stray byte, an overlong form, a surrogate, beyond U+10FFFF, a
 * character cut short) becomes U+FFFD; control characters and quotes are escaped. */
static void sidecar_is_valid_utf8_json(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	struct recording r = {.started_ms = 1000, .ended_ms = 2000, .samples = 48000};
	snprintf(r.uid, sizeof r.uid, "u1");
	snprintf(r.path, sizeof r.path, "/spool/u1.opus");
	snprintf(r.title, sizeof r.title, "a\xFF" "b\xC0\xAF" "c\xED\xA0\x80" "d\xF4\x90\x80\x80"
		 "e\x01\"Zoë\" \xE2\x82");
	snprintf(r.tags, sizeof r.tags, "ok,\xFE");
	char *text = upload_sidecar_json(&cfg, &r, "00");
	assert_non_null(text);
	json_object *o = json_tokener_parse(text);
	assert_non_null(o);
	json_object *v;
	assert_true(json_object_object_get_ex(o, "title", &v));
	assert_string_equal(json_object_get_string(v),
			    "a\uFFFD" "b\uFFFD\uFFFD" "c\uFFFD\uFFFD\uFFFD" "d\uFFFD\uFFFD\uFFFD\uFFFD"
			    "e\x01\"Zoë\" \uFFFD\uFFFD");
	assert_true(json_object_object_get_ex(o, "tags", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 1)), "\uFFFD");
	assert_non_null(strstr(text, "\\u0001")); /* escaped, not raw */
	json_object_put(o);
	free(text);
}

/* A failed attempt's stored reason names the part that failed: a share that cannot be
 * written is the storage's, a damaged recording too; the screen's advice follows it. */
static void failure_names_its_part(void **state)
{
	struct ctx *c = *state;
	snprintf(c->cfg.upload_folder, sizeof c->cfg.upload_folder, "/proc/no-share");
	int64_t id = queued(c, "a");
	int attempted = 0, failed = 0;
	upload_run_once(&c->cfg, c->st, os_now_ms(), true, &attempted, &failed);
	assert_int_equal(failed, 1);
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	const char *why = "Storage: the upload folder /proc/no-share does not exist";
	assert_int_equal(strncmp(r.last_error, why, strlen(why)), 0);
	assert_int_equal(lt_error_domain_of(r.last_error), LT_DOMAIN_STORAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(backoff_doubles_with_jitter_and_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(room_of_dots_stays_on_the_share, setup, teardown),
		cmocka_unit_test_setup_teardown(window_limits_uploads, setup, teardown),
		cmocka_unit_test_setup_teardown(first_attempt_staggered, setup, teardown),
		cmocka_unit_test_setup_teardown(retention_deletes_only_confirmed_and_old, setup,
						teardown),
		cmocka_unit_test_setup_teardown(space_pressure_deletes_delivered_early, setup,
						teardown),
		cmocka_unit_test_setup_teardown(damaged_file_is_never_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_file_does_not_stop_the_queue, setup,
						teardown),
		cmocka_unit_test_setup_teardown(failed_attempt_keeps_the_stored_hash, setup,
						teardown),
		cmocka_unit_test_setup_teardown(row_without_stored_hash_is_delivered, setup,
						teardown),
		cmocka_unit_test(server_checksum_headers),
		cmocka_unit_test(sidecar_is_valid_utf8_json),
		cmocka_unit_test_setup_teardown(failure_names_its_part, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
