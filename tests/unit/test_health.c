/*
 * test_health.c — the health snapshot from a real store, its JSON, and the Prometheus text
 * format (HELP and TYPE for every metric, units in names, label escaping, atomic writes).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lectern/health.h"
#include "lectern/osutil.h"
#include "testutil.h"

static struct health_snapshot sample(void)
{
	struct health_snapshot h = {0};
	h.now_ms = 1800000000000;
	h.state = HEALTH_PAUSED;
	h.recording_id = 7;
	h.recording_started_ms = h.now_ms - 600000;
	h.queue_waiting = 2;
	h.queue_failed = 1;
	h.queue_oldest_ms = h.now_ms - 90061000;
	h.calendar_configured = true;
	h.calendar_ok_ms = 1799999940000;
	h.calendar_stale = true;
	h.last_upload_ms = 1799990000000;
	h.disk_known = true;
	h.disk_free_bytes = 123456789012ULL;
	h.microphone_present = true;
	h.service_pid = 42;
	h.service_is_run = true;
	h.service_started_ms = 1799000000000;
	h.versions[0] = (struct health_version){"lectern", "0.1.0"};
	h.versions[1] = (struct health_version){"json-c", "0.16 \"odd\"\\"};
	h.n_versions = 2;
	return h;
}

/* The value of the sample line of `name` (no labels) in `text`; fails if there is none. */
static long long metric(const char *text, const char *name)
{
	char want[128];
	snprintf(want, sizeof want, "\n%s ", name);
	const char *p = strstr(text, want);
	if (!p)
		fail_msg("no sample line for %s", name);
	return atoll(p + strlen(want));
}

static void prometheus_format(void **state)
{
	(void)state;
	struct health_snapshot h = sample();
	char buf[8192];
	int len = health_prometheus(&h, buf, sizeof buf);
	assert_true(len > 0);
	assert_int_equal((size_t)len, strlen(buf));
	assert_int_equal(buf[len - 1], '\n');
	/* Every sample line's metric has a HELP and a TYPE line before it, and starts lectern_. */
	char *copy = strdup(buf), *save = NULL;
	char helped[64][96];
	int n_helped = 0, samples = 0;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[96];
		if (sscanf(line, "# HELP %95s", name) == 1) {
			assert_true(n_helped < 64);
			snprintf(helped[n_helped++], sizeof helped[0], "%s", name);
			continue;
		}
		if (line[0] == '#') {
			assert_non_null(strstr(line, " gauge"));
			continue;
		}
		size_t k = strcspn(line, "{ ");
		assert_memory_equal(line, "lectern_", 8);
		bool found = false;
		for (int i = 0; i < n_helped; i++)
			found |= strlen(helped[i]) == k && memcmp(helped[i], line, k) == 0;
		if (!found)
			fail_msg("no HELP line before: %s", line);
		samples++;
	}
	free(copy);
	assert_true(samples >= 12);
	assert_int_equal(metric(buf, "lectern_recording"), 1);
	assert_int_equal(metric(buf, "lectern_recording_paused"), 1);
	assert_int_equal(metric(buf, "lectern_queue_waiting_recordings"), 2);
	assert_int_equal(metric(buf, "lectern_queue_failed_recordings"), 1);
	assert_int_equal(metric(buf, "lectern_queue_oldest_age_seconds"), 90061);
	assert_int_equal(metric(buf, "lectern_calendar_last_sync_timestamp_seconds"), 1799999940);
	assert_int_equal(metric(buf, "lectern_calendar_stale"), 1);
	assert_int_equal(metric(buf, "lectern_last_upload_timestamp_seconds"), 1799990000);
	assert_int_equal(metric(buf, "lectern_disk_free_bytes"), 123456789012LL);
	assert_int_equal(metric(buf, "lectern_microphone_present"), 1);
	assert_int_equal(metric(buf, "lectern_service_start_time_seconds"), 1799000000);
	assert_int_equal(metric(buf, "lectern_health_timestamp_seconds"), 1800000000);
	/* Labels: lectern's version as version=, a quote and a backslash escaped, json-c renamed. */
	assert_non_null(strstr(buf, "\nlectern_build_info{version=\"0.1.0\",json_c=\"0.16 \\\"odd\\\"\\\\\"} 1\n"));
	/* Too small a buffer is said, not cut short. */
	assert_int_equal(health_prometheus(&h, buf, 100), -1);
	/* An unknown disk leaves its metric out rather than claiming 0 bytes. */
	h.disk_known = false;
	assert_true(health_prometheus(&h, buf, sizeof buf) > 0);
	assert_null(strstr(buf, "lectern_disk_free_bytes "));
}

static void json_matches_snapshot(void **state)
{
	(void)state;
	struct health_snapshot h = sample();
	json_object *o = health_json(&h);
	json_object *v;
	assert_true(json_object_object_get_ex(o, "state", &v));
	assert_string_equal(json_object_get_string(v), "paused");
	json_object *q;
	assert_true(json_object_object_get_ex(o, "queue", &q));
	assert_true(json_object_object_get_ex(q, "oldest_age_s", &v));
	assert_int_equal(json_object_get_int64(v), 90061);
	json_object *c;
	assert_true(json_object_object_get_ex(o, "calendar", &c));
	assert_true(json_object_object_get_ex(c, "stale", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "disk_free_bytes", &v));
	assert_int_equal(json_object_get_int64(v), 123456789012LL);
	json_object *s;
	assert_true(json_object_object_get_ex(o, "service", &s));
	assert_true(json_object_object_get_ex(s, "uptime_s", &v));
	assert_int_equal(json_object_get_int64(v), 1000000);
	json_object_put(o);
}

static int64_t add_recording(struct store *st, enum rec_state to, int64_t started_ms,
			     int64_t ended_ms, int64_t uploaded_ms)
{
	struct recording r = {0};
	r.started_ms = started_ms;
	snprintf(r.title, sizeof r.title, "Talk %lld", (long long)started_ms);
	assert_int_equal(store_recording_create(st, &r), LT_OK);
	if (to == REC_RECORDING)
		return r.id;
	if (to == REC_PAUSED) {
		assert_int_equal(store_recording_transition(st, r.id, REC_RECORDING, REC_PAUSED, NULL),
				 LT_OK);
		return r.id;
	}
	assert_int_equal(store_recording_set_result(st, r.id, 48000, 1000, ended_ms, NULL), LT_OK);
	assert_int_equal(store_recording_transition(st, r.id, REC_RECORDING, REC_FINALIZING, NULL), LT_OK);
	assert_int_equal(store_recording_transition(st, r.id, REC_FINALIZING, REC_QUEUED, NULL), LT_OK);
	if (to == REC_QUEUED)
		return r.id;
	assert_int_equal(store_recording_transition(st, r.id, REC_QUEUED, REC_UPLOADING, NULL), LT_OK);
	if (to == REC_UPLOADED) {
		assert_int_equal(store_upload_note(st, r.id, 1, 0, "", "remote", NULL, uploaded_ms), LT_OK);
		assert_int_equal(store_recording_transition(st, r.id, REC_UPLOADING, REC_UPLOADED, NULL),
				 LT_OK);
	} else if (to == REC_FAILED) {
		assert_int_equal(store_recording_transition(st, r.id, REC_UPLOADING, REC_FAILED, NULL),
				 LT_OK);
	}
	return r.id;
}

static void collect_from_store(void **state)
{
	(void)state;
	char dir[96];
	struct config cfg;
	assert_true(tu_temp_config(dir, sizeof dir, "health", &cfg));
	snprintf(cfg.audio_source, sizeof cfg.audio_source, "file");
	snprintf(cfg.audio_file, sizeof cfg.audio_file, "%s/none.wav", dir); /* not there */
	char db[160];
	snprintf(db, sizeof db, "%s/lectern.db", dir);
	struct store *st;
	assert_int_equal(store_open(db, &st), LT_OK);
	int64_t now = 1800000000000;
	struct health_snapshot h = {0};
	assert_int_equal(health_collect(&cfg, st, now, false, true, &h), LT_OK);
	assert_int_equal(h.state, HEALTH_IDLE);
	assert_int_equal(h.queue_waiting, 0);
	assert_int_equal(health_queue_oldest_age_s(&h), 0);
	assert_false(h.microphone_present);
	assert_int_equal(h.service_pid, 0); /* nobody holds DATA_DIR/lectern.lock */

	add_recording(st, REC_UPLOADED, now - 9000000, now - 8000000, now - 7000000);
	add_recording(st, REC_UPLOADED, now - 6000000, now - 5000000, now - 4000000);
	add_recording(st, REC_FAILED, now - 5500000, now - 5400000, 0);
	add_recording(st, REC_QUEUED, now - 3600000, now - 3000000, 0);      /* oldest waiting */
	add_recording(st, REC_UPLOADING, now - 2000000, now - 1000000, 0);
	assert_int_equal(health_collect(&cfg, st, now, false, true, &h), LT_OK);
	assert_int_equal(h.state, HEALTH_UPLOADING);
	assert_int_equal(h.queue_waiting, 2);
	assert_int_equal(h.queue_failed, 1);
	assert_int_equal(health_queue_oldest_age_s(&h), 3000);
	assert_int_equal(h.last_upload_ms, now - 4000000);
	assert_int_equal(h.recording_id, 0);

	int64_t rec = add_recording(st, REC_PAUSED, now - 60000, 0, 0);
	assert_int_equal(health_collect(&cfg, st, now, false, true, &h), LT_OK);
	assert_int_equal(h.state, HEALTH_PAUSED);
	assert_int_equal(h.recording_id, rec);
	assert_true(h.microphone_present); /* a recording holds it */

	/* The calendar's stamp; stale: never fetched good, or not for 3 refresh intervals. */
	cfg.schedule_refresh_s = 60;
	assert_true(h.calendar_configured);
	assert_true(h.calendar_stale); /* never fetched */
	struct store_calendar_cache c = {0};
	snprintf(c.source, sizeof c.source, "x.ics");
	c.body = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
	c.len = strlen(c.body);
	c.ok_ms = now - 120000;
	c.attempt_ms = now - 1000;
	snprintf(c.error, sizeof c.error, "server down");
	assert_int_equal(store_calendar_save(st, &c), LT_OK);
	assert_int_equal(health_collect(&cfg, st, now, false, false, &h), LT_OK);
	assert_int_equal(h.calendar_ok_ms, now - 120000);
	assert_string_equal(h.calendar_error, "server down");
	assert_true(h.calendar_configured);
	assert_false(h.calendar_stale); /* 120 s: under 3 x 60 s */
	assert_int_equal(health_collect(&cfg, st, now + 61000, false, false, &h), LT_OK);
	assert_true(h.calendar_stale);  /* 181 s */
	snprintf(cfg.schedule_source, sizeof cfg.schedule_source, "none");
	assert_int_equal(health_collect(&cfg, st, now + 61000, false, false, &h), LT_OK);
	assert_false(h.calendar_stale); /* no calendar: nothing to be stale */
	snprintf(cfg.schedule_source, sizeof cfg.schedule_source, "ics");
	assert_true(h.n_versions >= 5);
	assert_string_equal(h.versions[0].name, "lectern");
	store_close(st);

	/* The service: whoever holds the data directory's lock, with its start time. */
	char lock[160];
	snprintf(lock, sizeof lock, "%s/lectern.lock", dir);
	int fd = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0640);
	assert_true(fd >= 0);
	assert_int_equal(health_lock_holder(lock), 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(health_lock_holder(lock), (long)getpid());
	assert_int_equal(health_collect(&cfg, NULL, os_now_ms(), false, false, &h), LT_OK);
	assert_false(h.service_is_run); /* the holder is this test, not a lectern run */
	assert_int_equal(h.service_pid, (long)getpid());
	assert_true(h.service_started_ms > 0 && h.service_started_ms <= os_now_ms() + 1000);
	assert_true(health_uptime_s(&h) < 600);
	close(fd);
	assert_int_equal(health_lock_holder(lock), 0);
	tu_rmrf(dir);
}

static void write_is_atomic_and_readable(void **state)
{
	(void)state;
	char dir[] = "/tmp/lectern-prom-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[96];
	snprintf(path, sizeof path, "%s/lectern.prom", dir);
	struct health_snapshot h = sample();
	assert_int_equal(health_write_prometheus(path, &h), LT_OK);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644); /* node_exporter reads it as another user */
	h.queue_waiting = 5;
	assert_int_equal(health_write_prometheus(path, &h), LT_OK);
	char buf[8192] = "";
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_int_equal(metric(buf, "lectern_queue_waiting_recordings"), 5);
	/* Nothing else is left beside it (the temporary file was renamed). */
	char cmd[160];
	snprintf(cmd, sizeof cmd, "test \"$(ls %s | wc -l)\" -eq 1", dir);
	assert_int_equal(system(cmd), 0);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prometheus_format),
		cmocka_unit_test(json_matches_snapshot),
		cmocka_unit_test(collect_from_store),
		cmocka_unit_test(write_is_atomic_and_readable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
