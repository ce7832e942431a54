/*
 * test_delivery.c — attendance delivered and reported (upload_attendance.h, reports.h,
 * csvout.h, opencast_dc_add_description): check-ins made through the check-in API go out in
 * the folder target's sidecar as the privacy mode allows, and in `count` mode no name is in
 * the database file, its WAL, the spool, the share or the log after a delivery; a check-in
 * after the delivery rewrites the sidecar, but never onto the bare mount point of a share
 * unmounted since; the Opencast CSV is made from the sidecar; the
 * count lands in the catalog's description; CSV fields are quoted and defused; the report
 * SQL joins check-in sessions and recordings and counts returning attendees.
 */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "testutil.h"

#include "lectern/attendance.h"
#include "lectern/csvout.h"
#include "lectern/opencast.h"
#include "lectern/osutil.h"
#include "lectern/reports.h"
#include "lectern/store.h"
#include "lectern/upload.h"
#include "lectern/upload_attendance.h"

/* Distinctive, so that finding one anywhere is certain to be a leak. */
static const char *const people[][2] = {
	{"Quentin Quokka-Attendee", "quentin.quokka@example.org"},
	{"Wilma Walk-In-Visitor", ""},
	{"Rhea QR-Badge-Holder", "rhea.badge@example.org"},
};

struct ctx {
	char dir[64];
	char db[PATH_MAX];
	struct config cfg;
	struct store *st;
	struct attendance a;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c || !tu_temp_config(c->dir, sizeof c->dir, "delivery", &c->cfg))
		return -1;
	snprintf(c->cfg.spool_dir, sizeof c->cfg.spool_dir, "%s/spool", c->dir);
	snprintf(c->cfg.upload_target, sizeof c->cfg.upload_target, "folder");
	snprintf(c->cfg.upload_folder, sizeof c->cfg.upload_folder, "%s/share", c->dir);
	os_mkdir_p(c->cfg.spool_dir);
	os_mkdir_p(c->cfg.upload_folder); /* the share, mounted */
	if (!tu_store_open(c->dir, c->db, sizeof c->db, &c->st))
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

/* A finished, queued recording in the spool, its ad-hoc session opened in `mode`. */
static int64_t recorded(struct ctx *c, enum attendance_mode mode, char *key, size_t n)
{
	static const char *const words[] = {"none", "count", "names"};
	snprintf(c->cfg.attendance, sizeof c->cfg.attendance, "%s", words[mode]);
	struct recording r = {0};
	/* The spool is c->dir/spool: short. */
	snprintf(r.path, sizeof r.path, "%.200s/talk.opus", c->cfg.spool_dir);
	snprintf(r.title, sizeof r.title, "Talk");
	assert_true(tu_write_file(r.path, "bytes of a talk", 15));
	assert_int_equal(store_recording_create(c->st, &r), LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_RECORDING, REC_FINALIZING, NULL),
			 LT_OK);
	char sha[65];
	assert_int_equal(os_sha256_file(r.path, sha), LT_OK);
	assert_int_equal(store_recording_set_result(c->st, r.id, 48000, 15, os_now_ms(), sha), LT_OK);
	assert_int_equal(store_recording_transition(c->st, r.id, REC_FINALIZING, REC_QUEUED, NULL),
			 LT_OK);
	assert_int_equal(attendance_init_with(&c->a, c->st, mode, "Consent"), LT_OK);
	assert_int_equal(attendance_open_adhoc(&c->a, r.uid, "Talk", "Presenter", r.started_ms / 1000,
					       0), LT_OK);
	attendance_key_adhoc(r.uid, key, n);
	return r.id;
}

/* The three people (tap, walk-in, QR) and a guest, through the check-in API. */
/* Four check-ins in the few milliseconds before `now_ms`, as a door sees them. */
static void check_in_all(struct ctx *c, const char *key, int64_t now_ms)
{
	now_ms -= 10;
	static const enum checkin_method how[] = {CHECKIN_TAP, CHECKIN_WALKIN, CHECKIN_QR};
	struct checkin_result r;
	for (int i = 0; i < 3; i++) {
		struct checkin_who who = {.name = people[i][0], .email = people[i][1]};
		assert_int_equal(attendance_check_in(&c->a, key, how[i], &who, now_ms + i, &r),
				 CHECKIN_OK);
	}
	struct checkin_who guest = {0};
	assert_int_equal(attendance_check_in(&c->a, key, CHECKIN_GUEST, &guest, now_ms + 3, &r),
			 CHECKIN_OK);
}

static bool file_holds(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return false;
	size_t len = strlen(needle), cap = 1 << 20, got;
	char *buf = malloc(cap);
	got = buf ? fread(buf, 1, cap - 1, fp) : 0;
	fclose(fp);
	bool found = false;
	for (size_t i = 0; buf && i + len <= got && !found; i++)
		found = memcmp(buf + i, needle, len) == 0;
	free(buf);
	return found;
}

static const char *grep_needle;
static int grep_hits;

static int grep_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_F && file_holds(path, grep_needle))
		grep_hits++;
	return 0;
}

/* Files under `dir` holding `needle`. */
static int grep_tree(const char *dir, const char *needle)
{
	grep_needle = needle;
	grep_hits = 0;
	nftw(dir, grep_one, 16, FTW_PHYS);
	return grep_hits;
}

/* The one sidecar on the share, parsed. */
static json_object *shared_sidecar(struct ctx *c)
{
	struct recording r;
	assert_int_equal(store_recording_get(c->st, 1, &r), LT_OK);
	assert_int_equal(r.state, REC_UPLOADED);
	char path[PATH_MAX + 8];
	snprintf(path, sizeof path, "%s.json", r.remote);
	json_object *o = json_object_from_file(path);
	assert_non_null(o);
	return o;
}

static json_object *member(json_object *o, const char *name)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, name, &v);
	return v;
}

/* Count mode, end to end with the log at its most talkative: the sidecar has the count and
 * how each came; no name or e-mail is anywhere on the box or the share. */
static void count_mode_delivers_no_name(void **state)
{
	struct ctx *c = *state;
	char key[320], logpath[PATH_MAX], wal[PATH_MAX + 8];
	recorded(c, ATTENDANCE_COUNT, key, sizeof key);
	snprintf(logpath, sizeof logpath, "%s/log.txt", c->dir);
	fflush(stderr);
	int saved = dup(2), fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	log_set_level(LOG_LVL_DEBUG);
	check_in_all(c, key, os_now_ms());
	int attempted, failed;
	assert_int_equal(upload_run_once(&c->cfg, c->st, os_now_ms(), true, &attempted, &failed),
			 LT_OK);
	log_set_level(LOG_LVL_ERROR);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(failed, 0);

	json_object *side = shared_sidecar(c);
	json_object *att = member(side, "attendance");
	assert_int_equal(json_object_get_int(member(att, "count")), 4);
	json_object *list = member(att, "checkins");
	assert_int_equal(json_object_array_length(list), 4);
	for (size_t i = 0; i < 4; i++) {
		json_object *one = json_object_array_get_idx(list, i);
		assert_null(member(one, "name"));
		assert_null(member(one, "email"));
		assert_non_null(member(one, "method"));
	}
	json_object_put(side);
	struct store_checkin_session s;
	assert_int_equal(store_checkin_session_get(c->st, key, &s), LT_OK);
	assert_int_equal(s.delivered_count, 4);
	assert_true(s.delivered_ms > 0);

	snprintf(wal, sizeof wal, "%s-wal", c->db);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++) {
			if (!*people[i][j])
				continue;
			assert_false(file_holds(c->db, people[i][j]));
			assert_false(file_holds(wal, people[i][j]));
			assert_false(file_holds(logpath, people[i][j]));
			assert_int_equal(grep_tree(c->cfg.spool_dir, people[i][j]), 0);
			assert_int_equal(grep_tree(c->cfg.upload_folder, people[i][j]), 0);
		}
	/* The search would have found them: the log did say what happened. */
	assert_true(file_holds(logpath, "uploaded (folder"));
}

/* Names mode: who came goes with the recording; a check-in after the delivery rewrites the
 * sidecar (once), and the session keeps the new count. */
static void names_mode_late_checkin_rewrites_the_sidecar(void **state)
{
	struct ctx *c = *state;
	char key[320];
	recorded(c, ATTENDANCE_NAMES, key, sizeof key);
	int64_t now = os_now_ms();
	check_in_all(c, key, now);
	int attempted, failed;
	assert_int_equal(upload_run_once(&c->cfg, c->st, now, true, &attempted, &failed), LT_OK);
	json_object *side = shared_sidecar(c);
	json_object *list = member(member(side, "attendance"), "checkins");
	assert_string_equal(json_object_get_string(member(json_object_array_get_idx(list, 0), "name")),
			    people[0][0]);
	assert_string_equal(json_object_get_string(member(json_object_array_get_idx(list, 0), "email")),
			    people[0][1]);
	assert_null(member(json_object_array_get_idx(list, 3), "name")); /* the guest */
	json_object_put(side);
	/* Nothing changed: nothing is sent. */
	assert_int_equal(upload_attendance_updates(&c->cfg, c->st, now + 1000, true), 0);

	struct checkin_who late = {.name = "Lena Late"};
	struct checkin_result r;
	assert_int_equal(attendance_check_in(&c->a, key, CHECKIN_WALKIN, &late, now + 60000, &r),
			 CHECKIN_OK);
	assert_int_equal(attendance_late(&c->a, key), 1);
	assert_int_equal(upload_attendance_updates(&c->cfg, c->st, now + 61000, true), 1);
	side = shared_sidecar(c);
	json_object *att = member(side, "attendance");
	assert_int_equal(json_object_get_int(member(att, "count")), 5);
	list = member(att, "checkins");
	assert_string_equal(json_object_get_string(member(json_object_array_get_idx(list, 4), "name")),
			    "Lena Late");
	json_object_put(side);
	struct store_checkin_session s;
	assert_int_equal(store_checkin_session_get(c->st, key, &s), LT_OK);
	assert_int_equal(s.delivered_count, 5);
	assert_int_equal(upload_attendance_updates(&c->cfg, c->st, now + 62000, true), 0);

	/* forget_names_when_delivered: the names delivered are gone here, an update would erase
	 * them at the target: none is sent. */
	c->cfg.forget_names_when_delivered = true;
	assert_int_equal(attendance_check_in(&c->a, key, CHECKIN_GUEST, &(struct checkin_who){0},
					     now + 70000, &r),
			 CHECKIN_OK);
	assert_int_equal(upload_attendance_updates(&c->cfg, c->st, now + 71000, true), 0);
}

/* The share unmounted since the delivery (its fstab mount point bare): a late check-in's
 * sidecar is not written onto the card beneath it, and goes once the share is back. The
 * tables are the test's (sharedir.h). */
static void late_sidecar_waits_for_the_share(void **state)
{
	struct ctx *c = *state;
	char key[320], fstab[PATH_MAX], mounts[PATH_MAX], line[PATH_MAX + 64];
	recorded(c, ATTENDANCE_COUNT, key, sizeof key);
	int64_t now = os_now_ms();
	check_in_all(c, key, now);
	int attempted, failed;
	assert_int_equal(upload_run_once(&c->cfg, c->st, now, true, &attempted, &failed), LT_OK);
	assert_int_equal(failed, 0);
	snprintf(fstab, sizeof fstab, "%s/fstab", c->dir);
	snprintf(mounts, sizeof mounts, "%s/mounts", c->dir);
	int len = snprintf(line, sizeof line, "//nas/rec %s cifs defaults 0 0\n", c->cfg.upload_folder);
	assert_true(tu_write_file(fstab, line, (size_t)len));
	assert_true(tu_write_file(mounts, "/dev/vda / ext4 rw 0 0\n", 23));
	setenv("LECTERN_TEST_FSTAB", fstab, 1);
	setenv("LECTERN_TEST_MOUNTS", mounts, 1);
	struct checkin_who late = {.name = "Lena Late"};
	struct checkin_result r;
	assert_int_equal(attendance_check_in(&c->a, key, CHECKIN_WALKIN, &late, now + 60000, &r),
			 CHECKIN_OK);
	assert_int_equal(upload_attendance_updates(&c->cfg, c->st, now + 61000, true), -1);
	json_object *side = shared_sidecar(c);
	assert_int_equal(json_object_get_int(member(member(side, "attendance"), "count")), 4);
	json_object_put(side);
	struct store_checkin_session s;
	assert_int_equal(store_checkin_session_get(c->st, key, &s), LT_OK);
	assert_int_equal(s.delivered_count, 4);
	/* mounted again */
	assert_true(tu_write_file(mounts, line, (size_t)len));
	assert_int_equal(upload_attendance_updates(&c->cfg, c->st, now + 62000, true), 1);
	side = shared_sidecar(c);
	assert_int_equal(json_object_get_int(member(member(side, "attendance"), "count")), 5);
	json_object_put(side);
	unsetenv("LECTERN_TEST_FSTAB");
	unsetenv("LECTERN_TEST_MOUNTS");
}

/* Mode none: "attendance": null whatever the store holds; count: no name even when the
 * store has them; no session, no attendance either. */
static void none_mode_and_no_checkin_say_null(void **state)
{
	struct ctx *c = *state;
	char key[320];
	int64_t id = recorded(c, ATTENDANCE_NAMES, key, sizeof key);
	check_in_all(c, key, os_now_ms());
	struct recording r;
	assert_int_equal(store_recording_get(c->st, id, &r), LT_OK);
	int count = 0;
	char got[320];
	snprintf(c->cfg.attendance, sizeof c->cfg.attendance, "none");
	assert_null(upload_attendance_json(&c->cfg, c->st, &r, got, sizeof got, &count));
	assert_int_equal(count, -1);
	snprintf(c->cfg.attendance, sizeof c->cfg.attendance, "count");
	json_object *att = upload_attendance_json(&c->cfg, c->st, &r, got, sizeof got, &count);
	assert_non_null(att);
	assert_int_equal(count, 4);
	assert_string_equal(got, key);
	/* Stored in names mode, delivered in count mode: the names stay here. */
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			if (*people[i][j])
				assert_null(strstr(json_object_to_json_string(att), people[i][j]));
	json_object_put(att);
	/* A recording whose session check-in never opened. */
	struct recording other = {0};
	snprintf(other.path, sizeof other.path, "%s/other.opus", c->dir);
	assert_int_equal(store_recording_create(c->st, &other), LT_OK);
	assert_null(upload_attendance_json(&c->cfg, c->st, &other, got, sizeof got, &count));
	assert_int_equal(count, -1);
	assert_int_equal(strncmp(got, "adhoc:", 6), 0);
}

/* The Opencast attachment is made from the sidecar: a header, a row per check-in, quoted. */
static void opencast_csv_from_the_sidecar(void **state)
{
	(void)state;
	int count = 0;
	char *csv = upload_attendance_csv(
		"{\"uid\":\"x\",\"attendance\":{\"count\":2,\"checkins\":["
		"{\"method\":\"tap\",\"checked_in_at\":\"2026-03-24T12:00:00+01:00\","
		"\"name\":\"Doe, \\\"Jo\\\"\",\"email\":\"jo@example.org\"},"
		"{\"method\":\"walkin\",\"checked_in_at\":\"2026-03-24T12:01:00+01:00\","
		"\"name\":\"=1+1\"}]}}",
		&count);
	assert_non_null(csv);
	assert_int_equal(count, 2);
	assert_string_equal(csv, "name,email,method,checked_in_at\r\n"
				 "\"Doe, \"\"Jo\"\"\",jo@example.org,tap,2026-03-24T12:00:00+01:00\r\n"
				 "'=1+1,,walkin,2026-03-24T12:01:00+01:00\r\n");
	free(csv);
	assert_null(upload_attendance_csv("{\"attendance\":null}", &count));
	assert_int_equal(count, -1);
	assert_null(upload_attendance_csv("not json", &count));
	assert_null(upload_attendance_csv(NULL, &count));
}

static void csv_fields_are_quoted_and_defused(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	const char *row[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "-2", "@x", NULL,
			     "bad \xff byte"};
	csvout_row(out, row, 8);
	csvout_int(out, -2, 1);
	csvout_end(out);
	fclose(out);
	assert_string_equal(text, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",'-2,'@x,,"
				  "bad \xEF\xBF\xBD byte\r\n-2\r\n");
	free(text);
}

static void catalog_description_gets_the_count(void **state)
{
	(void)state;
	struct opencast_episode ep = {.title = "Talk"};
	char *dc = opencast_episode_dc(&ep);
	assert_non_null(dc);
	char *more = opencast_dc_add_description(dc, strlen(dc), "Attendance: 3 checked in");
	assert_non_null(more);
	assert_non_null(strstr(more, "<dcterms:description>Attendance: 3 checked in</dcterms:"
				     "description>"));
	assert_non_null(strstr(more, "<dcterms:title>Talk</dcterms:title>"));
	free(dc);
	free(more);
	/* The scheduler's description stays first, the line follows it. */
	const char *cal = "<?xml version=\"1.0\"?><dublincore "
			  "xmlns=\"http://www.opencastproject.org/xsd/1.0/dublincore/\" "
			  "xmlns:dc=\"http://purl.org/dc/terms/\"><dc:title>T</dc:title>"
			  "<dc:description>Bring &amp; share</dc:description></dublincore>";
	more = opencast_dc_add_description(cal, strlen(cal), "Attendance: 0 checked in");
	assert_non_null(more);
	assert_non_null(strstr(more, "<dc:description>Bring &amp; share\n\nAttendance: 0 checked "
				     "in</dc:description>"));
	free(more);
	const char *other = "<mediapackage/>";
	assert_null(opencast_dc_add_description(other, strlen(other), "x"));
	assert_null(opencast_dc_add_description("<<", 2, "x"));
}

static void sql(struct ctx *c, const char *text)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "sqlite3 '%.200s' \"%s\"", c->db, text);
	assert_int_equal(system(cmd), 0);
}

struct seen {
	char keys[8][320];
	int counts[8], recordings[8];
	bool checkin[8];
	int n;
};

static int see(const struct report_session *s, void *user)
{
	struct seen *v = user;
	if (v->n < 8) {
		snprintf(v->keys[v->n], sizeof v->keys[0], "%s", s->key);
		v->counts[v->n] = s->count;
		v->recordings[v->n] = s->recordings;
		v->checkin[v->n] = s->checkin;
		v->n++;
	}
	return 0;
}

/* Sessions are check-in's and recordings' together, by key; dates bound them; returning
 * attendees are counted by person among the names stored. */
static void reports_join_sessions_and_recordings(void **state)
{
	struct ctx *c = *state;
	sql(c, "insert into checkin_sessions(key, title, presenter, start_s) values"
	       " ('a@100', 'A', 'Ann', 100000), ('b@200', 'B', '', 200000);"
	       "insert into checkins(session_key, method, person, name, at_ms) values"
	       " ('a@100', 'tap', 'p1', 'One', 100000000), ('a@100', 'tap', 'p2', 'Two', 100000001),"
	       " ('a@100', 'guest', '', '', 100000002), ('b@200', 'qr', 'p1', 'One', 200000000),"
	       " ('b@200', 'tap', 'p3', '', 200000001);"
	       "insert into recordings(uid, path, title, presenter, state, started_ms, updated_ms,"
	       " event_key) values ('r1', '/r1', 'Rec B', 'Typed', 'queued', 200000000, 0, 'b@200'),"
	       " ('r2', '/r2', 'Hand', 'Hand', 'queued', 300000000, 0, '');");
	struct seen v = {0};
	assert_int_equal(store_report_sessions(c->st, 0, INT64_MAX, see, &v), LT_OK);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.keys[0], "a@100");
	assert_string_equal(v.keys[1], "b@200");
	assert_string_equal(v.keys[2], "adhoc:r2");
	assert_int_equal(v.counts[0], 3);
	assert_int_equal(v.counts[1], 2);
	assert_int_equal(v.recordings[1], 1);
	assert_false(v.checkin[2]);
	struct report_session one;
	assert_int_equal(store_report_session(c->st, "b@200", &one), LT_OK);
	assert_string_equal(one.title, "B");
	assert_string_equal(one.presenter, "Typed"); /* check-in had none: the recording's */
	assert_int_equal(one.delivered_count, -1);
	assert_int_equal(store_report_session(c->st, "nope", &one), LT_ERR_NOT_FOUND);
	memset(&v, 0, sizeof v);
	assert_int_equal(store_report_sessions(c->st, 150000, 250000, see, &v), LT_OK);
	assert_int_equal(v.n, 1);
	int people_n, returning;
	assert_int_equal(store_report_returning(c->st, 0, INT64_MAX, &people_n, &returning), LT_OK);
	assert_int_equal(people_n, 2); /* p1 and p2 named; p3's name is not stored */
	assert_int_equal(returning, 1);
	assert_int_equal(store_report_returning(c->st, 0, 150000, &people_n, &returning), LT_OK);
	assert_int_equal(returning, 0);
	/* Delivered with 3, then one more: changed since delivery. */
	assert_int_equal(store_checkin_session_delivered(c->st, "a@100", 100500000, 3), LT_OK);
	memset(&v, 0, sizeof v);
	assert_int_equal(store_report_changed_since_delivery(c->st, see, &v), LT_OK);
	assert_int_equal(v.n, 0);
	sql(c, "insert into checkins(session_key, method, at_ms) values ('a@100', 'guest', 100600000)");
	assert_int_equal(store_report_changed_since_delivery(c->st, see, &v), LT_OK);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.keys[0], "a@100");
	char key[64];
	assert_int_equal(store_recording_session_key(c->st, 2, key, sizeof key), LT_OK);
	assert_string_equal(key, "adhoc:r2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(count_mode_delivers_no_name, setup, teardown),
		cmocka_unit_test_setup_teardown(names_mode_late_checkin_rewrites_the_sidecar, setup,
						teardown),
		cmocka_unit_test_setup_teardown(none_mode_and_no_checkin_say_null, setup, teardown),
		cmocka_unit_test_setup_teardown(late_sidecar_waits_for_the_share, setup, teardown),
		cmocka_unit_test(opencast_csv_from_the_sidecar),
		cmocka_unit_test(csv_fields_are_quoted_and_defused),
		cmocka_unit_test(catalog_description_gets_the_count),
		cmocka_unit_test_setup_teardown(reports_join_sessions_and_recordings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
