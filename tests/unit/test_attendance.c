/*
 * test_attendance.c — check-in that counts (attendance.h, roster.h, the store's check-in
 * tables): a duplicate is refused with the first time, undo works within 10 s and not after
 * (clock injected), guests and walk-ins count, count mode stores no name (the database file's
 * bytes and the log are searched), mode none stores nothing, the device secret keys the person
 * hash, QR badges are looked up in the roster, late check-ins after delivery are told apart,
 * the retention pass blanks names, the roster CSV loads around bad rows, searching folds
 * accents and case, and the check-in window's edges.
 */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/attendance.h"
#include "lectern/config.h"
#include "lectern/log.h"
#include "lectern/retention.h"
#include "lectern/roster.h"
#include "lectern/store.h"

#define NOW_MS ((int64_t)1800000000 * 1000)
#define DAY_MS (86400 * (int64_t)1000)
#define KEY "ev-1@1800000000"

struct ctx {
	char dir[64];
	char db[PATH_MAX];
	struct store *st;
	struct attendance a;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	if (!tu_temp_dir(c->dir, sizeof c->dir, "attendance") ||
	    !tu_store_open(c->dir, c->db, sizeof c->db, &c->st))
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	if (c->st)
		store_close(c->st);
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

/* `c->a` in `mode` with session KEY opened. */
static void ready(struct ctx *c, enum attendance_mode mode)
{
	assert_int_equal(attendance_init_with(&c->a, c->st, mode, "We keep who came for 30 days."),
			 LT_OK);
	struct store_checkin_session s = {.key = KEY, .title = "Brown bag", .presenter = "Prof X",
					  .start_s = 1800000000, .end_s = 1800003600};
	assert_int_equal(attendance_open_session(&c->a, &s), LT_OK);
}

static enum checkin_outcome in(struct ctx *c, enum checkin_method m, const char *name,
			       const char *email, const char *badge, int64_t at,
			       struct checkin_result *r)
{
	struct checkin_who who = {name, email, badge};
	return attendance_check_in(&c->a, KEY, m, &who, at, r);
}

static void hhmm(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, n, "%H:%M", &tm);
}

static void test_duplicate(void **state)
{
	struct ctx *c = *state;
	ready(c, ATTENDANCE_NAMES);
	struct checkin_result r;
	assert_int_equal(in(c, CHECKIN_TAP, "Ada Lovelace", "ada@example.org", NULL, NOW_MS, &r),
			 CHECKIN_OK);
	assert_string_equal(r.message, "Welcome, Ada");
	assert_int_equal(r.count, 1);
	assert_true(r.id > 0);
	/* The same address, spelled otherwise, a minute later. */
	assert_int_equal(in(c, CHECKIN_TAP, "Ada", " ADA@example.org ", NULL, NOW_MS + 60000, &r),
			 CHECKIN_DUPLICATE);
	char want[64], at[16];
	hhmm(NOW_MS, at, sizeof at);
	snprintf(want, sizeof want, "Already checked in at %s", at);
	assert_string_equal(r.message, want);
	assert_true(r.at_ms == NOW_MS);
	assert_int_equal(r.count, 1);
	assert_int_equal(attendance_count(&c->a, KEY), 1);
	assert_true(attendance_checked_in_at(&c->a, KEY, &(struct checkin_who){
		.email = "ada@example.org"}) == NOW_MS);
	/* Stored as names mode allows: name, e-mail, method, consent version. */
	struct store_checkin sc;
	assert_int_equal(store_checkin_get(c->st, r.id ? r.id : 1, &sc), LT_OK);
	assert_string_equal(sc.name, "Ada Lovelace");
	assert_string_equal(sc.email, "ada@example.org");
	assert_string_equal(sc.method, "tap");
	assert_int_equal(strlen(sc.person), 64);
	char version[9];
	attendance_consent_version("We keep who came for 30 days.", version);
	assert_int_equal(strlen(version), 8);
	assert_string_equal(sc.consent, version);
	/* The same person in another session is not a duplicate. */
	struct store_checkin_session other = {.key = "ev-2@1800090000", .start_s = 1800090000};
	assert_int_equal(attendance_open_session(&c->a, &other), LT_OK);
	struct checkin_who ada = {"Ada Lovelace", "ada@example.org", NULL};
	assert_int_equal(attendance_check_in(&c->a, other.key, CHECKIN_TAP, &ada, NOW_MS, &r),
			 CHECKIN_OK);
}

static void test_undo(void **state)
{
	struct ctx *c = *state;
	ready(c, ATTENDANCE_NAMES);
	struct checkin_result r;
	assert_int_equal(in(c, CHECKIN_WALKIN, "Grace Hopper", NULL, NULL, NOW_MS, &r), CHECKIN_OK);
	int64_t first = r.id;
	assert_int_equal(attendance_undo(&c->a, first, NOW_MS + ATTENDANCE_UNDO_MS - 1), LT_OK);
	assert_int_equal(attendance_count(&c->a, KEY), 0);
	assert_int_equal(attendance_undo(&c->a, first, NOW_MS + 1000), LT_ERR_NOT_FOUND);
	/* Undone, the person may check in again; 10 s later it stays. */
	assert_int_equal(in(c, CHECKIN_WALKIN, "Grace Hopper", NULL, NULL, NOW_MS + 20000, &r),
			 CHECKIN_OK);
	assert_int_equal(attendance_undo(&c->a, r.id, NOW_MS + 20000 + ATTENDANCE_UNDO_MS),
			 LT_ERR_STATE);
	assert_int_equal(attendance_count(&c->a, KEY), 1);
	/* The clock set back (NTP after a wrong start): a few seconds still count as within,
	 * an hour does not, or the next person could take back this one's check-in for an hour. */
	assert_int_equal(in(c, CHECKIN_WALKIN, "Ada Lovelace", NULL, NULL, NOW_MS + 40000, &r),
			 CHECKIN_OK);
	assert_int_equal(attendance_undo(&c->a, r.id, NOW_MS + 40000 - 3600 * 1000), LT_ERR_STATE);
	assert_int_equal(attendance_undo(&c->a, r.id, NOW_MS + 40000 - 3000), LT_OK);
}

static void test_guest_and_walk_in(void **state)
{
	struct ctx *c = *state;
	ready(c, ATTENDANCE_NAMES);
	struct checkin_result r;
	assert_int_equal(in(c, CHECKIN_GUEST, NULL, NULL, NULL, NOW_MS, &r), CHECKIN_OK);
	assert_int_equal(in(c, CHECKIN_GUEST, NULL, NULL, NULL, NOW_MS + 1, &r), CHECKIN_OK);
	assert_string_equal(r.message, "Welcome, guest");
	assert_int_equal(r.count, 2);
	struct store_checkin sc;
	assert_int_equal(store_checkin_get(c->st, r.id, &sc), LT_OK);
	assert_string_equal(sc.method, "guest");
	assert_string_equal(sc.person, "");
	/* A walk-in needs a name; one typed with other case and accents is the same person. */
	assert_int_equal(in(c, CHECKIN_WALKIN, "   ", NULL, NULL, NOW_MS, &r), CHECKIN_INVALID);
	assert_int_equal(in(c, CHECKIN_WALKIN, "", NULL, NULL, NOW_MS, &r), CHECKIN_INVALID);
	assert_int_equal(in(c, CHECKIN_WALKIN, "Zoë  Brandt", NULL, NULL, NOW_MS, &r), CHECKIN_OK);
	assert_string_equal(r.message, "Welcome, Zoë");
	assert_int_equal(in(c, CHECKIN_WALKIN, "zoe brandt", NULL, NULL, NOW_MS + 5, &r),
			 CHECKIN_DUPLICATE);
	assert_int_equal(attendance_count(&c->a, KEY), 3);
}

/* Whether `needle` occurs in the file `path` (missing file: no). */
static bool file_holds(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	static char buf[8 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return memmem(buf, n, needle, strlen(needle)) != NULL;
}

static void test_count_mode_stores_no_names(void **state)
{
	struct ctx *c = *state;
	char logpath[PATH_MAX];
	snprintf(logpath, sizeof logpath, "%s/log.txt", c->dir);
	int saved = dup(2), fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	enum log_level lvl = log_get_level();
	log_set_level(LOG_LVL_DEBUG);

	ready(c, ATTENDANCE_COUNT);
	struct checkin_result r;
	assert_int_equal(in(c, CHECKIN_TAP, "Quirinus Zelterbaum", "qzelter@example.org", NULL,
			    NOW_MS, &r), CHECKIN_OK);
	assert_string_equal(r.message, "Checked in");
	assert_int_equal(in(c, CHECKIN_WALKIN, "Wilhelmina Xanthoudakis", NULL, NULL, NOW_MS, &r),
			 CHECKIN_OK);
	assert_int_equal(in(c, CHECKIN_QR, NULL, NULL, "BADGE-77810", NOW_MS, &r), CHECKIN_OK);
	/* Duplicates are still caught, without the names. */
	assert_int_equal(in(c, CHECKIN_TAP, "Q. Zelterbaum", "QZELTER@example.org", NULL,
			    NOW_MS + 1000, &r), CHECKIN_DUPLICATE);
	assert_null(strstr(r.message, "Zelterbaum"));
	assert_int_equal(in(c, CHECKIN_WALKIN, "wilhelmina xanthoudakis", NULL, NULL, NOW_MS, &r),
			 CHECKIN_DUPLICATE);
	assert_int_equal(attendance_count(&c->a, KEY), 3);
	/* A roster file with the same people, loaded: its problems name no one either. */
	struct roster ro;
	roster_init(&ro);
	static const char csv[] = "Quirinus Zelterbaum,not-an-address,\n";
	assert_int_equal(roster_parse_csv(&ro, csv, sizeof csv - 1, "room.csv", NULL, NULL), 1);
	roster_free(&ro);

	log_set_level(lvl);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	store_close(c->st);
	c->st = NULL;
	static const char *const secrets[] = {"Zelterbaum", "zelterbaum", "qzelter", "QZELTER",
					      "Wilhelmina", "wilhelmina", "Xanthoudakis",
					      "xanthoudakis", "BADGE-77810", "Quirinus"};
	char wal[PATH_MAX + 8];
	snprintf(wal, sizeof wal, "%s-wal", c->db);
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		assert_false(file_holds(c->db, secrets[i]));
		assert_false(file_holds(wal, secrets[i]));
		assert_false(file_holds(logpath, secrets[i]));
	}
	/* The search can fail: the log has what it should, the database the check-ins. */
	assert_true(file_holds(logpath, "check-in: " KEY));
	assert_true(file_holds(logpath, "room.csv:1:"));
	assert_true(file_holds(c->db, KEY) || file_holds(wal, KEY));
}

static void test_none_mode_stores_nothing(void **state)
{
	struct ctx *c = *state;
	ready(c, ATTENDANCE_NONE);
	struct checkin_result r;
	assert_int_equal(in(c, CHECKIN_TAP, "Ada", "ada@example.org", NULL, NOW_MS, &r),
			 CHECKIN_OFF);
	assert_int_equal(in(c, CHECKIN_GUEST, NULL, NULL, NULL, NOW_MS, &r), CHECKIN_OFF);
	struct store_checkin_session s;
	assert_int_equal(store_checkin_session_get(c->st, KEY, &s), LT_ERR_NOT_FOUND);
	assert_int_equal(store_checkin_count(c->st, KEY, 0), 0);
	char secret[80];
	assert_int_equal(store_kv_get(c->st, ATTENDANCE_KV_SECRET, secret, sizeof secret),
			 LT_ERR_NOT_FOUND);
}

static void test_secret_keys_the_person(void **state)
{
	struct ctx *c = *state;
	ready(c, ATTENDANCE_COUNT);
	struct checkin_who ada = {"Ada", "ada@example.org", NULL};
	char k1[65], k2[65], k3[65];
	attendance_person_key(&c->a, &ada, k1);
	/* The same store: the same secret, the same key (a restart keeps duplicates caught). */
	struct attendance again;
	assert_int_equal(attendance_init_with(&again, c->st, ATTENDANCE_NAMES, NULL), LT_OK);
	attendance_person_key(&again, &ada, k2);
	assert_string_equal(k1, k2);
	assert_string_equal(again.consent_version, "");
	/* Another device: another secret, another key. */
	char db2[PATH_MAX + 8];
	snprintf(db2, sizeof db2, "%s/other.db", c->dir);
	struct store *st2;
	assert_int_equal(store_open(db2, &st2), LT_OK);
	struct attendance other;
	assert_int_equal(attendance_init_with(&other, st2, ATTENDANCE_COUNT, NULL), LT_OK);
	attendance_person_key(&other, &ada, k3);
	assert_string_not_equal(k1, k3);
	store_close(st2);
	/* Nothing to tell the person by: no key. */
	attendance_person_key(&c->a, &(struct checkin_who){0}, k3);
	assert_string_equal(k3, "");
}

static void test_qr_badge_lookup(void **state)
{
	struct ctx *c = *state;
	ready(c, ATTENDANCE_NAMES);
	struct roster ro;
	roster_init(&ro);
	assert_int_equal(roster_add(&ro, "Ada Lovelace", "ada@example.org", "B-1001", false), LT_OK);
	assert_int_equal(roster_add(&ro, "Alan Turing", "alan@example.org", NULL, true), LT_OK);
	struct checkin_result r;
	struct checkin_who badge = {.badge = "B-1001"};
	assert_int_equal(attendance_check_in_qr(&c->a, &ro, KEY, &badge, false, NOW_MS, &r),
			 CHECKIN_OK);
	assert_string_equal(r.message, "Welcome, Ada");
	assert_true(ro.items[0].checked_in_ms == NOW_MS);
	struct store_checkin sc;
	assert_int_equal(store_checkin_get(c->st, r.id, &sc), LT_OK);
	assert_string_equal(sc.method, "qr");
	assert_string_equal(sc.email, "ada@example.org");   /* as the roster has her */
	/* Her address on the badge later: the same person. */
	struct checkin_who mail = {.email = "Ada@Example.org"};
	assert_int_equal(attendance_check_in_qr(&c->a, &ro, KEY, &mail, false, NOW_MS + 1, &r),
			 CHECKIN_DUPLICATE);
	/* A tap on her name in the list after the badge: a duplicate too. */
	assert_int_equal(in(c, CHECKIN_TAP, "Ada Lovelace", "ada@example.org", "B-1001",
			    NOW_MS + 2, &r), CHECKIN_DUPLICATE);
	/* Unknown ones are refused with the reason. */
	struct checkin_who stranger = {.email = "eve@example.org"};
	assert_int_equal(attendance_check_in_qr(&c->a, &ro, KEY, &stranger, false, NOW_MS, &r),
			 CHECKIN_UNKNOWN);
	assert_string_equal(r.message, "This e-mail address is not on the list: type your name");
	struct checkin_who unknown_badge = {.badge = "B-9"};
	assert_int_equal(attendance_check_in_qr(&c->a, &ro, KEY, &unknown_badge, false, NOW_MS, &r),
			 CHECKIN_UNKNOWN);
	assert_non_null(strstr(r.message, "badge"));
	assert_int_equal(attendance_check_in_qr(&c->a, &ro, KEY, &(struct checkin_who){.name = "X"},
						false, NOW_MS, &r), CHECKIN_UNKNOWN);
	/* A card with name and address, where the caller takes cards. */
	struct checkin_who card = {"Eve Example", "eve@example.org", NULL};
	assert_int_equal(attendance_check_in_qr(&c->a, &ro, KEY, &card, false, NOW_MS, &r),
			 CHECKIN_UNKNOWN);
	assert_int_equal(attendance_check_in_qr(&c->a, &ro, KEY, &card, true, NOW_MS, &r),
			 CHECKIN_OK);
	assert_int_equal(attendance_count(&c->a, KEY), 2);
	roster_free(&ro);
}

static int count_rows(const struct store_checkin *sc, void *user)
{
	(void)sc;
	++*(int *)user;
	return 0;
}

static void test_sessions_and_delivery(void **state)
{
	struct ctx *c = *state;
	ready(c, ATTENDANCE_COUNT);
	/* An ad-hoc session, its recording's uid completed later. */
	char adhoc[96];
	attendance_key_adhoc("20270115T080000Z-ab12", adhoc, sizeof adhoc);
	assert_string_equal(adhoc, "adhoc:20270115T080000Z-ab12");
	assert_true(attendance_key_is_adhoc(adhoc));
	assert_false(attendance_key_is_adhoc(KEY));
	assert_int_equal(attendance_open_adhoc(&c->a, "20270115T080000Z-ab12", "Untitled", "",
					       1800000000, 0), LT_OK);
	struct store_checkin_session s;
	assert_int_equal(store_checkin_session_get(c->st, adhoc, &s), LT_OK);
	assert_string_equal(s.recording_uid, "20270115T080000Z-ab12");
	assert_int_equal(s.delivered_count, -1);
	struct store_checkin_session more = {.start_s = 1800000000, .end_s = 1800001800};
	snprintf(more.key, sizeof more.key, "%s", adhoc);
	assert_int_equal(attendance_open_session(&c->a, &more), LT_OK);
	assert_int_equal(store_checkin_session_get(c->st, adhoc, &s), LT_OK);
	assert_true(s.end_s == 1800001800);
	assert_string_equal(s.title, "Untitled");           /* kept: none given */

	struct checkin_result r;
	assert_int_equal(in(c, CHECKIN_GUEST, NULL, NULL, NULL, NOW_MS, &r), CHECKIN_OK);
	assert_int_equal(in(c, CHECKIN_TAP, "Ada", "ada@example.org", NULL, NOW_MS, &r), CHECKIN_OK);
	assert_int_equal(attendance_late(&c->a, KEY), 0);
	assert_int_equal(attendance_delivered(&c->a, KEY, NOW_MS + 60000, 2), LT_OK);
	assert_int_equal(attendance_late(&c->a, KEY), 0);
	assert_int_equal(in(c, CHECKIN_GUEST, NULL, NULL, NULL, NOW_MS + 120000, &r), CHECKIN_OK);
	assert_int_equal(attendance_late(&c->a, KEY), 1);
	/* Reopening the session keeps its delivery. */
	struct store_checkin_session again = {.key = KEY, .start_s = 1800000000};
	assert_int_equal(attendance_open_session(&c->a, &again), LT_OK);
	assert_int_equal(store_checkin_session_get(c->st, KEY, &s), LT_OK);
	assert_int_equal(s.delivered_count, 2);
	assert_true(s.delivered_ms == NOW_MS + 60000);
	assert_string_equal(s.title, "Brown bag");
	int rows = 0;
	assert_int_equal(attendance_list(&c->a, KEY, count_rows, &rows), LT_OK);
	assert_int_equal(rows, 3);
	assert_int_equal(attendance_delivered(&c->a, "nope@1", NOW_MS, 0), LT_ERR_NOT_FOUND);

	/* From a recording to its session: scheduled (by its occurrence), by hand (ad hoc). */
	struct recording rec = {.started_ms = NOW_MS};
	snprintf(rec.path, sizeof rec.path, "/tmp/x.opus");
	assert_int_equal(store_recording_create(c->st, &rec), LT_OK);
	char key[320];
	assert_int_equal(attendance_recording_session(c->st, rec.id, rec.uid, key, sizeof key, &s),
			 LT_ERR_NOT_FOUND);                  /* nobody checked in to it */
	char want[96];
	attendance_key_adhoc(rec.uid, want, sizeof want);
	assert_string_equal(key, want);
	assert_int_equal(attendance_open_adhoc(&c->a, rec.uid, "", "", 1800000000, 0), LT_OK);
	assert_int_equal(attendance_recording_session(c->st, rec.id, rec.uid, key, sizeof key, &s),
			 LT_OK);
	assert_string_equal(s.recording_uid, rec.uid);
	struct store_event ev = {.key = KEY};
	assert_int_equal(store_recording_set_event(c->st, rec.id, &ev), LT_OK);
	assert_int_equal(attendance_recording_session(c->st, rec.id, rec.uid, key, sizeof key, &s),
			 LT_OK);
	assert_string_equal(key, KEY);
	assert_string_equal(s.title, "Brown bag");
}

static void test_retention_blanks_names(void **state)
{
	struct ctx *c = *state;
	ready(c, ATTENDANCE_NAMES);
	struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.spool_dir, sizeof cfg.spool_dir, "%s", c->dir);
	snprintf(cfg.upload_target, sizeof cfg.upload_target, "folder");
	snprintf(cfg.attendance, sizeof cfg.attendance, "names");
	cfg.keep_names_days = 30;
	struct checkin_result old, recent, late;
	assert_int_equal(in(c, CHECKIN_TAP, "Old Timer", "old@example.org", "B-1",
			    NOW_MS - 31 * DAY_MS, &old), CHECKIN_OK);
	assert_int_equal(in(c, CHECKIN_TAP, "New Comer", "new@example.org", NULL,
			    NOW_MS - 29 * DAY_MS, &recent), CHECKIN_OK);
	struct retention_result res;
	retention_run(&cfg, c->st, NOW_MS, &res);
	assert_int_equal(res.checkin_names, 1);
	struct store_checkin sc;
	assert_int_equal(store_checkin_get(c->st, old.id, &sc), LT_OK);
	assert_string_equal(sc.name, "");
	assert_string_equal(sc.email, "");
	assert_string_equal(sc.badge, "");
	assert_string_equal(sc.person, "");
	assert_int_equal(store_checkin_get(c->st, recent.id, &sc), LT_OK);
	assert_string_equal(sc.name, "New Comer");
	assert_int_equal(attendance_count(&c->a, KEY), 2);   /* the count stays */

	/* Once delivered, with forget_names_when_delivered: the delivered ones' names go, a late
	 * one's stay until it is delivered too; the person key stays (no second check-in). */
	cfg.forget_names_when_delivered = true;
	assert_int_equal(attendance_delivered(&c->a, KEY, NOW_MS - DAY_MS, 2), LT_OK);
	assert_int_equal(in(c, CHECKIN_WALKIN, "Late Arrival", NULL, NULL, NOW_MS - 1000, &late),
			 CHECKIN_OK);
	retention_run(&cfg, c->st, NOW_MS, &res);
	assert_int_equal(res.checkin_names, 1);
	assert_int_equal(store_checkin_get(c->st, recent.id, &sc), LT_OK);
	assert_string_equal(sc.name, "");
	assert_int_equal(strlen(sc.person), 64);
	assert_int_equal(store_checkin_get(c->st, late.id, &sc), LT_OK);
	assert_string_equal(sc.name, "Late Arrival");
	struct checkin_result r;
	assert_int_equal(in(c, CHECKIN_TAP, "New Comer", "new@example.org", NULL, NOW_MS, &r),
			 CHECKIN_DUPLICATE);

	/* Switched to count mode: names stored before go at the next pass, whatever their age. */
	snprintf(cfg.attendance, sizeof cfg.attendance, "count");
	cfg.forget_names_when_delivered = false;
	retention_run(&cfg, c->st, NOW_MS, &res);
	assert_int_equal(res.checkin_names, 1);
	assert_int_equal(store_checkin_get(c->st, late.id, &sc), LT_OK);
	assert_string_equal(sc.name, "");
	assert_int_equal(strlen(sc.person), 64);            /* young: the key stays */
	retention_run(&cfg, c->st, NOW_MS, &res);
	assert_int_equal(res.checkin_names, 0);
	/* In count mode too, the person key goes after keep_names_days. */
	retention_run(&cfg, c->st, NOW_MS + 31 * DAY_MS, &res);
	assert_int_equal(res.checkin_names, 2);
	assert_int_equal(store_checkin_get(c->st, late.id, &sc), LT_OK);
	assert_string_equal(sc.person, "");
	assert_int_equal(attendance_count(&c->a, KEY), 3);
}

/* --- the roster --------------------------------------------------------------------------- */

static void test_roster_csv(void **state)
{
	(void)state;
	static const char csv[] =
		"\xEF\xBB\xBFName,Email,Badge\r\n"                  /* 1 header (with a BOM) */
		"Ada Lovelace,ada@example.org,B-1\r\n"              /* 2 */
		"\"Hopper, Grace\",grace@example.org,\"B-\"\"2\"\"\"\n" /* 3 quotes */
		"\n"                                                /* 4 blank */
		"# a comment\n"                                     /* 5 */
		",,B-3\n"                                           /* 6 bad: nobody */
		"Bad Mail,not-an-address,B-4\n"                     /* 7 bad: address */
		"Too Many,tm@example.org,B-5,extra\n"               /* 8 bad: fields */
		"\"Open Quote,oq@example.org\n"                     /* 9 bad: quote */
		"Bad\xff" "Bytes,bb@example.org\n"                  /* 10 bad: UTF-8 */
		"  Alan Turing  , alan@example.org \n"              /* 11 trimmed, no badge */
		",only@example.org,\n"                              /* 12 address only */
		"Ada L.,ADA@example.org,\n"                         /* 13 the same as 2 */
		"Quote\"Inside,qi@example.org,\n"                   /* 14 bad: stray quote */
		"Last Line,last@example.org,B-9";                   /* 15 no newline */
	struct roster ro;
	roster_init(&ro);
	char *out = NULL;
	size_t outlen = 0;
	FILE *problems = open_memstream(&out, &outlen);
	int added = 0;
	int bad = roster_parse_csv(&ro, csv, sizeof csv - 1, "room.csv", problems, &added);
	fclose(problems);
	assert_int_equal(bad, 6);
	assert_int_equal(added, 5);
	assert_int_equal(ro.count, 5);
	assert_string_equal(ro.items[0].name, "Ada Lovelace");
	assert_string_equal(ro.items[0].badge, "B-1");
	assert_string_equal(ro.items[1].name, "Hopper, Grace");
	assert_string_equal(ro.items[1].badge, "B-\"2\"");
	assert_string_equal(ro.items[2].name, "Alan Turing");
	assert_string_equal(ro.items[2].email, "alan@example.org");
	assert_string_equal(ro.items[3].email, "only@example.org");
	assert_string_equal(ro.items[4].badge, "B-9");
	assert_false(ro.items[0].from_calendar);
	/* Each problem says file, line and what is wrong; none says who. */
	assert_non_null(strstr(out, "room.csv:6: no name and no e-mail address"));
	assert_non_null(strstr(out, "room.csv:7: the e-mail address is not one"));
	assert_non_null(strstr(out, "room.csv:8: more than 3 fields"));
	assert_non_null(strstr(out, "room.csv:9: a quote is not closed"));
	assert_non_null(strstr(out, "room.csv:10: not UTF-8 text"));
	assert_non_null(strstr(out, "room.csv:14: a quote inside an unquoted field"));
	assert_null(strstr(out, "Bad Mail"));
	assert_null(strstr(out, "Open Quote"));
	assert_null(strstr(out, "example.org"));
	free(out);

	/* A text that ends inside a character (no newline, no terminator to stop at); with a
	 * UTF-8 character before it, so that it is not taken for Windows-1252. */
	static const char cut[] = "Ad\xc3\xa1,ada@example.org\nBad\xc3";
	char *heap = malloc(sizeof cut - 1);
	memcpy(heap, cut, sizeof cut - 1);
	roster_clear(&ro);
	assert_int_equal(roster_parse_csv(&ro, heap, sizeof cut - 1, "cut.csv", NULL, NULL), 1);
	assert_int_equal(ro.count, 1);
	free(heap);

	/* From a file; one that is not there is said so and adds nothing. */
	char dir[64], path[PATH_MAX];
	snprintf(dir, sizeof dir, "/tmp/lectern-roster-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/roster.csv", dir);
	assert_true(tu_write_file(path, csv, sizeof csv - 1));
	roster_clear(&ro);
	assert_int_equal(roster_load_csv(&ro, path, NULL, &bad), LT_OK);
	assert_int_equal(bad, 6);
	assert_int_equal(ro.count, 5);
	snprintf(path, sizeof path, "%s/missing.csv", dir);
	assert_int_equal(roster_load_csv(&ro, path, NULL, &bad), LT_ERR_IO);
	assert_int_equal(ro.count, 5);
	tu_rmrf(dir);

	/* The calendar's invitees merge with the file's people by address. */
	int n = roster_add_invitees(&ro, "Ada Lovelace <ada@example.org>\n <bob@example.org>\n"
					 "Carol Jones\n");
	assert_int_equal(n, 2);
	assert_int_equal(ro.count, 7);
	assert_true(ro.items[0].from_calendar);
	assert_string_equal(ro.items[5].email, "bob@example.org");
	assert_string_equal(ro.items[6].name, "Carol Jones");
	roster_free(&ro);
}

/* Roster files as they come from spreadsheets and from worse: a European Excel's semicolons,
 * control characters that would reach a terminal through `lectern attendance`, and a file of
 * garbage whose every line is bad (said a bounded number of times, then counted). */
static void test_roster_hostile(void **state)
{
	(void)state;
	struct roster ro;
	roster_init(&ro);
	static const char semi[] = "\xEF\xBB\xBFname;email;badge\r\n"
				   "Ada Lovelace;ada@example.org;B1\r\n"
				   "\"Hopper; Grace\";grace@example.org;\r\n";
	assert_int_equal(roster_parse_csv(&ro, semi, sizeof semi - 1, "semi.csv", NULL, NULL), 0);
	assert_int_equal(ro.count, 2);
	assert_string_equal(ro.items[0].name, "Ada Lovelace");
	assert_string_equal(ro.items[0].email, "ada@example.org");
	assert_string_equal(ro.items[0].badge, "B1");
	assert_string_equal(ro.items[1].name, "Hopper; Grace");

	static const char ctl[] = "Ev\x01il Name,e@example.org,\n"
				  "Esc \x1b[31mRed,esc@example.org,\n"
				  "Del\x7f,del@example.org,\n"
				  "C1 \xc2\x9b Name,c1@example.org,\n"
				  "RTL \xe2\x80\x8fName,rtl@example.org,\n";
	char *out = NULL;
	size_t outlen = 0;
	FILE *problems = open_memstream(&out, &outlen);
	roster_clear(&ro);
	assert_int_equal(roster_parse_csv(&ro, ctl, sizeof ctl - 1, "ctl.csv", problems, NULL), 4);
	fclose(problems);
	assert_int_equal(ro.count, 1); /* a right-to-left mark is a name's own business */
	assert_non_null(strstr(out, "ctl.csv:1: a control character"));
	assert_non_null(strstr(out, "ctl.csv:4: a control character"));
	free(out);

	size_t n = 5000 * 3;
	char *garbage = malloc(n);
	for (size_t i = 0; i < n; i += 3)
		memcpy(garbage + i, "\xff\xfe\n", 3);
	out = NULL;
	problems = open_memstream(&out, &outlen);
	roster_clear(&ro);
	assert_int_equal(roster_parse_csv(&ro, garbage, n, "junk.csv", problems, NULL), 5000);
	fclose(problems);
	int lines = 0;
	for (char *p = out; (p = strchr(p, '\n')); p++)
		lines++;
	assert_true(lines <= 21);
	assert_non_null(strstr(out, "junk.csv: 4980 more bad rows not listed"));
	free(out);
	free(garbage);

	/* A calendar's ATTENDEE names as they come: not UTF-8, with control characters, none. */
	roster_clear(&ro);
	assert_int_equal(roster_add_invitees(&ro, "Lat\xe9in One <l1@example.org>\n"
						   "Esc\x1b[2J Two <e2@example.org>\n"
						   " <nocn@example.org>\n"
						   "Cut \xe2\x82 <cut@example.org>\n"),
			 4);
	assert_string_equal(ro.items[0].name, "Lat\xef\xbf\xbdin One");
	assert_string_equal(ro.items[1].name, "Esc [2J Two");
	assert_string_equal(ro.items[2].name, "");
	assert_string_equal(ro.items[2].email, "nocn@example.org");
	assert_string_equal(ro.items[3].name, "Cut \xef\xbf\xbd\xef\xbf\xbd");
	/* A CN with its own angle brackets; an ATTENDEE that is no address (urn:uuid:) and has
	 * no CN: nothing to show or match it by. */
	roster_clear(&ro);
	assert_int_equal(roster_add_invitees(&ro, "Jane <Boss> Doe <jane@example.org>\n"
						   " <urn:uuid:1234>\n"
						   "Only Name <urn:uuid:5678>\n"),
			 2);
	assert_string_equal(ro.items[0].name, "Jane <Boss> Doe");
	assert_string_equal(ro.items[0].email, "jane@example.org");
	assert_string_equal(ro.items[1].name, "Only Name");
	assert_string_equal(ro.items[1].email, "");
	roster_free(&ro);
}

/* Excel on Windows saves "CSV" in Windows-1252: such a file is read as that, whole; a file
 * mixing UTF-8 and other bytes is not guessed at (its rows that are not UTF-8 are refused). */
static void test_roster_windows_1252(void **state)
{
	(void)state;
	static const char excel[] = "name;email;badge\r\n"
				    "Jos\xe9 M\xfcller;jose@example.org;B-1\r\n"
				    "\x93" "Bob\x94 \x80uro;bob@example.org;\r\n"
				    "Fran\xe7oise D\xfcrr;francoise@example.org;B-3\r\n";
	struct roster ro;
	roster_init(&ro);
	char *out = NULL;
	size_t outlen = 0;
	FILE *problems = open_memstream(&out, &outlen);
	int added = 0;
	int bad = roster_parse_csv(&ro, excel, sizeof excel - 1, "excel.csv", problems, &added);
	fclose(problems);
	assert_int_equal(bad, 0);
	assert_int_equal(added, 3);
	assert_string_equal(ro.items[0].name, "Jos\xc3\xa9 M\xc3\xbcller");
	assert_string_equal(ro.items[1].name, "\xe2\x80\x9c\x42ob\xe2\x80\x9d \xe2\x82\xacuro");
	assert_string_equal(ro.items[2].name, "Fran\xc3\xa7oise D\xc3\xbcrr");
	assert_true(roster_matches(&ro.items[0], "muller"));
	assert_string_equal(out, "excel.csv is not UTF-8: read as Windows-1252 (how Excel on "
				 "Windows saves CSV)\n");
	free(out);

	/* UTF-8 rows and a Latin-1 one: the UTF-8 ones are kept as they are, the other refused */
	static const char mixed[] = "Jos\xc3\xa9 M\xc3\xbcller,jose@example.org,\n"
				    "Ren\xe9\x65 Latin,renee@example.org,\n";
	roster_clear(&ro);
	problems = open_memstream(&out, &outlen);
	bad = roster_parse_csv(&ro, mixed, sizeof mixed - 1, "mixed.csv", problems, &added);
	fclose(problems);
	assert_int_equal(bad, 1);
	assert_int_equal(added, 1);
	assert_string_equal(ro.items[0].name, "Jos\xc3\xa9 M\xc3\xbcller");
	assert_non_null(strstr(out, "mixed.csv:2: not UTF-8 text"));
	free(out);

	/* 0x81 is not Windows-1252: the row is refused as before */
	static const char other[] = "Ada,ada@example.org,\nX\x81Y,x@example.org,\n";
	roster_clear(&ro);
	problems = open_memstream(&out, &outlen);
	bad = roster_parse_csv(&ro, other, sizeof other - 1, "other.csv", problems, &added);
	fclose(problems);
	assert_int_equal(bad, 1);
	assert_non_null(strstr(out, "other.csv:2: not UTF-8 text"));
	free(out);
	roster_free(&ro);
}

static void test_fold_and_search(void **state)
{
	(void)state;
	char out[64];
	roster_fold("  Ádá   LOVELACE ", out, sizeof out);
	assert_string_equal(out, "ada lovelace");
	roster_fold("Straße Œuvre Ĳssel Þór Łukasz Zoë", out, sizeof out);
	assert_string_equal(out, "strasse oeuvre ijssel thor lukasz zoe");
	roster_fold("Jose\xcc\x81", out, sizeof out);         /* decomposed é */
	assert_string_equal(out, "jose");
	roster_fold("ΕΛΈΝΗ Ώρα", out, sizeof out);          /* Greek: case and tonos */
	assert_string_equal(out, "ελενη ωρα");
	roster_fold("Фёдор ЁЖИК", out, sizeof out);         /* Cyrillic: case, ё is е */
	assert_string_equal(out, "федор ежик");
	roster_fold("日本 ☃", out, sizeof out);              /* kept as it is */
	assert_string_equal(out, "日本 ☃");
	roster_fold("abcdefghij", out, 5);
	assert_string_equal(out, "abcd");

	struct roster ro;
	roster_init(&ro);
	assert_int_equal(roster_add(&ro, "André Müller", "am@example.org", NULL, false), LT_OK);
	assert_int_equal(roster_add(&ro, "", "", "B-1", false), LT_ERR_INVALID);
	struct roster_person *p = &ro.items[0];
	assert_true(roster_matches(p, "andre"));
	assert_true(roster_matches(p, "MULLER"));
	assert_true(roster_matches(p, "é mü"));
	assert_true(roster_matches(p, "am@ex"));
	assert_true(roster_matches(p, ""));
	assert_false(roster_matches(p, "anders"));
	assert_ptr_equal(roster_find_name(&ro, "andre  muller"), p);
	assert_null(roster_find_name(&ro, "andre"));
	assert_ptr_equal(roster_find(&ro, "AM@example.org", NULL), p);
	assert_null(roster_find(&ro, "", ""));
	roster_free(&ro);
}

/* --- the window --------------------------------------------------------------------------- */

static void test_window_edges(void **state)
{
	(void)state;
	const int64_t S = 1800000000, before = 15 * 60, after = 30 * 60;
	struct occurrence items[3];
	memset(items, 0, sizeof items);
	snprintf(items[0].uid, sizeof items[0].uid, "long");
	items[0].start = S;
	items[0].end = S + 3600;
	snprintf(items[1].uid, sizeof items[1].uid, "short");
	items[1].start = S + 7200;
	items[1].end = S + 7200 + 600;
	snprintf(items[2].uid, sizeof items[2].uid, "allday");
	items[2].start = S - 86400;
	items[2].end = S + 86400;
	items[2].all_day = true;
	struct occurrence_list l = {items, 3, 3};
	int64_t opens;
	assert_null(attendance_pick(&l, S - before - 1, before, after, &opens));
	assert_true(opens == S - before);
	assert_ptr_equal(attendance_pick(&l, S - before, before, after, &opens), &items[0]);
	assert_true(opens == 0);
	/* A session longer than the window stays open to its end. */
	assert_ptr_equal(attendance_pick(&l, S + 3599, before, after, NULL), &items[0]);
	assert_null(attendance_pick(&l, S + 3600, before, after, &opens));
	assert_true(opens == S + 7200 - before);
	/* A short one stays open open_after past its start. */
	assert_ptr_equal(attendance_pick(&l, S + 7200 + after - 1, before, after, NULL), &items[1]);
	assert_null(attendance_pick(&l, S + 7200 + after, before, after, &opens));
	assert_true(opens == 0);                            /* nothing more is coming */
	/* Two open at once: the one starting last. */
	items[1].start = S + 3600 - 600;
	items[1].end = S + 3600 + 1800;
	assert_ptr_equal(attendance_pick(&l, S + 3600 - 700, before, after, NULL), &items[1]);
	assert_ptr_equal(attendance_pick(&l, S + 1000, before, after, NULL), &items[0]);
	/* No window: only while it is on. */
	assert_null(attendance_pick(&l, S - 1, 0, 0, NULL));
	assert_ptr_equal(attendance_pick(&l, S, 0, 0, NULL), &items[0]);
}

static void test_method_names(void **state)
{
	(void)state;
	enum checkin_method m;
	for (int i = CHECKIN_TAP; i <= CHECKIN_GUEST; i++) {
		assert_int_equal(checkin_method_parse(checkin_method_name((enum checkin_method)i), &m),
				 0);
		assert_int_equal((int)m, i);
	}
	assert_int_equal(checkin_method_parse("walk-in", &m), -1);
	assert_int_equal(attendance_mode_parse("none"), ATTENDANCE_NONE);
	assert_int_equal(attendance_mode_parse("names"), ATTENDANCE_NAMES);
	assert_int_equal(attendance_mode_parse("count"), ATTENDANCE_COUNT);
	assert_int_equal(attendance_mode_parse("bogus"), ATTENDANCE_COUNT);
}

int main(void)
{
	log_set_level(LOG_LVL_ERROR);
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_duplicate),
		T(test_undo),
		T(test_guest_and_walk_in),
		T(test_count_mode_stores_no_names),
		T(test_none_mode_stores_nothing),
		T(test_secret_keys_the_person),
		T(test_qr_badge_lookup),
		T(test_sessions_and_delivery),
		T(test_retention_blanks_names),
		cmocka_unit_test(test_roster_csv),
		cmocka_unit_test(test_roster_hostile),
		cmocka_unit_test(test_roster_windows_1252),
		cmocka_unit_test(test_fold_and_search),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_method_names),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
