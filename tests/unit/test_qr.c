/*
 * test_qr.c — QR codes from camera frames to identities: frames made at test time with
 * qrencode and ImageMagick (tests/lib/gen_qr_frames.sh: emails, badge ids, MECARD, vCard,
 * UTF-8 names, garbage, a web address, binary data, Latin-1 text, an over-long card; plain,
 * rotated, blurred, noisy) are fed through the camera's file twin, turned gray, decoded by one
 * reused zbar scanner (qr.h) and read by badge.h: the payload bytes come out exact, the
 * people are who the code says, and the rest is refused with its reason. Also: no code in a
 * blank frame, padded rows, two codes in one frame, a payload too long to keep whole, the
 * closer look finding codes too small or blurred for the first. And the
 * check-in screen's scanner (kiosk_scan.h): on only while shown, each code read once, the
 * camera unplugged (the twin's picture removed) and plugged back without a restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lectern/badge.h"
#include "lectern/camera.h"
#include "lectern/kiosk_scan.h"
#include "lectern/qr.h"
#include "testutil.h"

struct fixture {
	char dir[64];
	struct qr_scanner *q;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/lectern-qr-XXXXXX");
	if (!mkdtemp(fx->dir) || qr_scanner_new(&fx->q) != LT_OK) {
		free(fx);
		return -1;
	}
	log_set_level(LOG_LVL_WARN);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	qr_scanner_free(fx->q);
	tu_rmrf(fx->dir);
	free(fx);
	return 0;
}

static void run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

static size_t read_all(const char *path, uint8_t *buf, size_t max)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	size_t n = fread(buf, 1, max, fp);
	fclose(fp);
	return n;
}

/* A frame from the twin (a picture file) decoded: the number of codes found. */
static int scan_picture(struct fixture *fx, const char *path, struct qr_code *codes, int max)
{
	struct camera_params p = {.file = path, .fps = 1000};
	struct camera *c = NULL;
	char msg[256];
	if (camera_open(&camera_file_ops, &p, &c, msg, sizeof msg) != LT_OK)
		fail_msg("twin: %s", msg);
	struct camera_frame f;
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	uint8_t *gray = malloc((size_t)f.width * (size_t)f.height);
	assert_non_null(gray);
	camera_frame_gray(&f, gray);
	int n = qr_scan(fx->q, gray, f.width, f.height, f.width, codes, max);
	free(gray);
	camera_close(c);
	return n;
}

static void test_blank_frame_and_bad_arguments(void **state)
{
	struct fixture *fx = *state;
	static uint8_t blank[640 * 480];
	memset(blank, 0xc0, sizeof blank);
	struct qr_code codes[QR_MAX_CODES];
	assert_int_equal(qr_scan(fx->q, blank, 640, 480, 640, codes, QR_MAX_CODES), 0);
	assert_int_equal(qr_scan(NULL, blank, 640, 480, 640, codes, 1), -1);
	assert_int_equal(qr_scan(fx->q, NULL, 640, 480, 640, codes, 1), -1);
	assert_int_equal(qr_scan(fx->q, blank, 0, 480, 640, codes, 1), -1);
	assert_int_equal(qr_scan(fx->q, blank, 640, 480, 600, codes, 1), -1); /* stride < width */
	assert_int_equal(qr_scan(fx->q, blank, 640, 480, 640, NULL, 1), -1);
	qr_scanner_free(NULL);
}

struct expect {
	const char *name;
	lt_err verdict;
	enum badge_kind kind;
	const char *who;     /* name, email or id the badge gives; or a part of the reason */
	const char *email;
};

static const struct expect expected[] = {
	{"email", LT_OK, BADGE_EMAIL, "", "ada@example.org"},
	{"badge", LT_OK, BADGE_ID, "B-0042", ""},
	{"mecard", LT_OK, BADGE_MECARD, "Ada Lovelace", "ada.lovelace@example.org"},
	{"vcard", LT_OK, BADGE_VCARD, "Grace Hopper", "grace@example.org"},
	{"utf8", LT_OK, BADGE_MECARD, "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m", "zoe@example.org"},
	{"garbage", LT_ERR_FORMAT, 0, "not a badge", NULL},
	{"url", LT_ERR_FORMAT, 0, "web address", NULL},
	{"binary", LT_ERR_FORMAT, 0, "binary data", NULL},
	{"latin1", LT_ERR_FORMAT, 0, "not valid UTF-8", NULL},
	{"overlong", LT_ERR_FORMAT, 0, "too much for a badge", NULL},
};

static const struct expect *expectation(const char *name)
{
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
		if (strcmp(expected[i].name, name) == 0)
			return &expected[i];
	fail_msg("no expectation for code %s", name);
	return NULL;
}

static void test_generated_badges(void **state)
{
	struct fixture *fx = *state;
	const char *root = getenv("LECTERN_TEST_ROOT");
	run("bash %s/lib/gen_qr_frames.sh %s quick", root && *root ? root : "tests", fx->dir);
	char list[160];
	snprintf(list, sizeof list, "%s/frames.tsv", fx->dir);
	FILE *tsv = fopen(list, "r");
	assert_non_null(tsv);
	char line[512];
	int frames = 0, accepted = 0, refused = 0;
	bool seen[sizeof expected / sizeof expected[0]] = {0};
	static struct qr_code codes[QR_MAX_CODES];
	while (fgets(line, sizeof line, tsv)) {
		char *path = strtok(line, "\t"), *name = strtok(NULL, "\t"), *t = strtok(NULL, "\n");
		assert_non_null(t);
		const struct expect *e = expectation(name);
		seen[e - expected] = true;
		frames++;
		int n = scan_picture(fx, path, codes, QR_MAX_CODES);
		if (n != 1)
			fail_msg("%s: %d codes found, want 1", path, n);
		/* The exact bytes encoded, whatever they are. */
		char bin[256];
		snprintf(bin, sizeof bin, "%s/payloads/%s.bin", fx->dir, name);
		static uint8_t want[2048];
		size_t len = read_all(bin, want, sizeof want);
		assert_int_equal(codes[0].len, len);
		assert_false(codes[0].truncated);
		assert_memory_equal(codes[0].data, want, len);
		assert_int_equal(codes[0].data[len], 0);

		struct badge_identity who;
		char reason[256];
		lt_err err = badge_parse(codes[0].data, codes[0].len, &who, reason, sizeof reason);
		if (err != e->verdict)
			fail_msg("%s: %s (%s), want %s", path, lt_errname(err), reason,
				 lt_errname(e->verdict));
		if (err == LT_OK) {
			accepted++;
			assert_int_equal(who.kind, e->kind);
			assert_string_equal(e->kind == BADGE_ID ? who.id : who.name, e->who);
			assert_string_equal(who.email, e->email);
		} else {
			refused++;
			if (!strstr(reason, e->who))
				fail_msg("%s: reason \"%s\" does not say \"%s\"", path, reason, e->who);
		}
	}
	fclose(tsv);
	for (size_t i = 0; i < sizeof seen; i++)
		if (!seen[i])
			fail_msg("no frame of code %s was made", expected[i].name);
	assert_int_equal(frames, 40);  /* 10 codes, 4 transforms */
	assert_int_equal(accepted, 20);
	assert_int_equal(refused, 20);
}

static void test_padded_rows_and_two_codes(void **state)
{
	struct fixture *fx = *state;
	/* Two badges side by side in one colour frame. */
	run("cd %s && qrencode -s 5 -m 4 -o a.png 'one@example.org' && "
	    "qrencode -s 5 -m 4 -o b.png 'B-0002' && convert a.png b.png +append -gravity center "
	    "-background white -extent 640x480 -depth 8 two.ppm", fx->dir);
	char path[128];
	snprintf(path, sizeof path, "%s/two.ppm", fx->dir);
	struct qr_code codes[QR_MAX_CODES];
	assert_int_equal(scan_picture(fx, path, codes, QR_MAX_CODES), 2);
	bool one = false, two = false;
	for (int i = 0; i < 2; i++) {
		one |= strcmp((char *)codes[i].data, "one@example.org") == 0;
		two |= strcmp((char *)codes[i].data, "B-0002") == 0;
	}
	assert_true(one && two);
	/* At most `max` come back. */
	assert_int_equal(scan_picture(fx, path, codes, 1), 1);

	/* The same frame with padded rows (a camera's bytesperline): same codes. */
	struct camera_params p = {.file = path, .fps = 1000};
	struct camera *c = NULL;
	char msg[256];
	assert_int_equal(camera_open(&camera_file_ops, &p, &c, msg, sizeof msg), LT_OK);
	struct camera_frame f;
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	uint8_t *packed = malloc(640 * 480), *padded = malloc(700 * 480);
	assert_non_null(packed);
	assert_non_null(padded);
	camera_frame_gray(&f, packed);
	memset(padded, 0, 700 * 480); /* black padding: it must not be read as picture */
	for (int y = 0; y < 480; y++)
		memcpy(padded + y * 700, packed + y * 640, 640);
	assert_int_equal(qr_scan(fx->q, padded, 640, 480, 700, codes, QR_MAX_CODES), 2);
	/* And the scanner, reused, still finds nothing where there is nothing. */
	memset(packed, 0xff, 640 * 480);
	assert_int_equal(qr_scan(fx->q, packed, 640, 480, 640, codes, QR_MAX_CODES), 0);
	free(packed);
	free(padded);
	camera_close(c);
}

static void test_payload_too_long_to_keep(void **state)
{
	struct fixture *fx = *state;
	/* 1500 bytes: more than QR_MAX_PAYLOAD, in a larger frame so that modules stay 3 px. */
	run("cd %s && head -c 1500 /dev/zero | tr '\\0' k > big.txt && "
	    "qrencode -8 -r big.txt -s 3 -m 4 -o big.png && "
	    "convert big.png -gravity center -background white -extent 700x700 -colorspace Gray "
	    "-depth 8 big.pgm", fx->dir);
	char path[128];
	snprintf(path, sizeof path, "%s/big.pgm", fx->dir);
	static struct qr_code codes[1];
	assert_int_equal(scan_picture(fx, path, codes, 1), 1);
	assert_int_equal(codes[0].len, 1500);
	assert_true(codes[0].truncated);
	assert_int_equal(strlen((char *)codes[0].data), QR_MAX_PAYLOAD);
	assert_int_equal(codes[0].data[QR_MAX_PAYLOAD - 1], 'k');
	/* badge.h refuses it by its real length, reading none of it. */
	struct badge_identity who;
	char reason[256];
	assert_int_equal(badge_parse(codes[0].data, codes[0].len, &who, reason, sizeof reason),
			 LT_ERR_FORMAT);
	assert_non_null(strstr(reason, "1500 bytes"));
}

static void test_closer_look_finds_small_blurred_codes(void **state)
{
	struct fixture *fx = *state;
	/* Modules of 3 pixels, blurred: too little for zbar's first look, enough at twice the
	 * size. */
	run("cd %s && qrencode -s 1 -m 4 -o u.png 'https://example.org/agenda' && "
	    "convert u.png -scale 300%% -gravity center -background white -extent 640x480 "
	    "-blur 0x0.8 -colorspace Gray -depth 8 blurred.pgm", fx->dir);
	const char *names[] = {"blurred"};
	for (int i = 0; i < 1; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/%s.pgm", fx->dir, names[i]);
		struct qr_code codes[QR_MAX_CODES];
		assert_int_equal(scan_picture(fx, path, codes, QR_MAX_CODES), 0);
		struct camera_params p = {.file = path, .fps = 1000};
		struct camera *c = NULL;
		char msg[256];
		assert_int_equal(camera_open(&camera_file_ops, &p, &c, msg, sizeof msg), LT_OK);
		struct camera_frame f;
		assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
		uint8_t *gray = malloc(640 * 480);
		assert_non_null(gray);
		camera_frame_gray(&f, gray);
		if (qr_scan_closer(fx->q, gray, 640, 480, 640, codes, QR_MAX_CODES) != 1)
			fail_msg("%s: the closer look found no code either", names[i]);
		assert_string_equal((char *)codes[0].data, "https://example.org/agenda");
		/* Nothing where there is nothing, closer or not. */
		memset(gray, 0x80, 640 * 480);
		assert_int_equal(qr_scan_closer(fx->q, gray, 640, 480, 640, codes, 1), 0);
		assert_int_equal(qr_scan_closer(fx->q, gray, 640, 480, 600, codes, 1), -1);
		free(gray);
		camera_close(c);
	}
}

/* ---- scanning while check-in shows (kiosk_scan.h) ---- */

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nap_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Wait up to `limit` s for the status line to be `want`. */
static bool status_becomes(struct kiosk_scan *ks, const char *want, double limit)
{
	char st[128];
	for (double end = mono_s() + limit; mono_s() < end; nap_ms(20)) {
		kiosk_scan_status(ks, st, sizeof st);
		if (strcmp(st, want) == 0)
			return true;
	}
	kiosk_scan_status(ks, st, sizeof st);
	print_error("status is \"%s\", want \"%s\"\n", st, want);
	return false;
}

struct seen_who {
	int emails, badges, names, bad;
};

static void remember_who(void *user, const struct checkin_who *who)
{
	struct seen_who *w = user;
	/* NULL, never "", for what the badge did not give. */
	if ((who->email && !who->email[0]) || (who->badge && !who->badge[0]) ||
	    (who->name && !who->name[0]))
		w->bad++;
	w->emails += who->email != NULL;
	w->badges += who->badge != NULL;
	w->names += who->name != NULL;
}

static void test_scan_reads_badges_while_shown(void **state)
{
	struct fixture *fx = *state;
	const char *root = getenv("LECTERN_TEST_ROOT");
	run("bash %s/lib/gen_qr_frames.sh %s quick", root && *root ? root : "tests", fx->dir);
	struct config *cfg = calloc(1, sizeof *cfg);
	assert_non_null(cfg);
	config_defaults(cfg);
	snprintf(cfg->camera_source, sizeof cfg->camera_source, "file");
	snprintf(cfg->camera_file, sizeof cfg->camera_file, "%s/frames", fx->dir);
	struct kiosk_scan *ks = NULL;
	assert_int_equal(kiosk_scan_start(cfg, &ks), LT_OK);
	/* Not on check-in: no camera, no status, nothing read. */
	nap_ms(300);
	assert_int_equal(kiosk_scan_frames(ks), 0);
	assert_false(kiosk_scan_active(ks));
	char st[128];
	kiosk_scan_status(ks, st, sizeof st);
	assert_string_equal(st, "");

	kiosk_scan_follow(ks, true);
	assert_true(kiosk_scan_active(ks));
	assert_true(status_becomes(ks, KIOSK_SCAN_READY, 3));
	/* The directory plays 40 frames, 4 of each of 10 codes, at 10 a second: every code is
	 * read once (its 4 frames in a row count once), the people as the codes say. */
	const char *want_ok[] = {"ada@example.org", "B-0042", "ada.lovelace@example.org",
				 "grace@example.org", "zoe@example.org"};
	const char *want_refused[] = {"code is not a badge:", "web address", "binary data",
				      "not valid UTF-8", "too much for a badge"};
	int ok_seen[5] = {0}, refused_seen[5] = {0}, reads = 0;
	double end = mono_s() + 20;
	while (mono_s() < end && reads < 10) {
		struct kiosk_scan_read r;
		if (!kiosk_scan_take(ks, &r)) {
			nap_ms(20);
			continue;
		}
		reads++;
		bool known = false;
		for (int i = 0; i < 5; i++) {
			if (!r.refused && (strcmp(r.id.email, want_ok[i]) == 0 ||
					   strcmp(r.id.id, want_ok[i]) == 0)) {
				ok_seen[i]++;
				known = true;
			}
			if (r.refused && strstr(r.reason, want_refused[i])) {
				refused_seen[i]++;
				known = true;
			}
		}
		if (!known)
			fail_msg("unexpected read: refused=%d reason \"%s\" email \"%s\" id \"%s\"",
				 r.refused, r.reason, r.id.email, r.id.id);
	}
	for (int i = 0; i < 5; i++) {
		if (ok_seen[i] != 1)
			fail_msg("%s read %d times, want once", want_ok[i], ok_seen[i]);
		if (refused_seen[i] != 1)
			fail_msg("\"%s\" refused %d times, want once", want_refused[i],
				 refused_seen[i]);
	}
	assert_true(kiosk_scan_frames(ks) >= 10);

	/* The kiosk's side: identities go to its check-in, a refusal stays on the QR line. */
	run("cd %s && qrencode -s 6 -m 4 -o u.png 'https://example.org' && convert u.png -gravity "
	    "center -background white -extent 640x480 -colorspace Gray -depth 8 frames/zz-url.pgm",
	    fx->dir); /* not in the twin's list (read at open): shown after the camera reopens */
	struct view *v = calloc(1, sizeof *v);
	assert_non_null(v);
	struct seen_who got = {0};
	assert_false(kiosk_scan_apply(ks, mono_s(), remember_who, &got));
	kiosk_scan_show(ks, mono_s(), v);
	assert_string_equal(v->qr_status, KIOSK_SCAN_READY);
	assert_true(v->qr_camera);
	assert_string_equal(v->qr_refused, "");

	/* Leaving check-in: the camera closes at once, the status goes, reads stop. */
	kiosk_scan_follow(ks, false);
	kiosk_scan_status(ks, st, sizeof st);
	assert_string_equal(st, "");
	nap_ms(300);
	unsigned long frames = kiosk_scan_frames(ks);
	nap_ms(500);
	assert_int_equal(kiosk_scan_frames(ks), frames);
	struct kiosk_scan_read r;
	assert_false(kiosk_scan_take(ks, &r));
	assert_false(kiosk_scan_apply(ks, mono_s(), remember_who, &got));
	kiosk_scan_show(ks, mono_s(), v);
	assert_string_equal(v->qr_status, "");
	assert_false(v->qr_camera);

	/* Back on check-in with a web address among the badges: refused, said on the QR line
	 * for a while, then gone; the badges before it were checked in as they said. */
	kiosk_scan_follow(ks, true);
	for (double end2 = mono_s() + 20; mono_s() < end2; nap_ms(20)) {
		kiosk_scan_apply(ks, mono_s(), remember_who, &got);
		kiosk_scan_show(ks, mono_s(), v);
		/* zz-url comes last in name order, after every badge; a read clears a refusal */
		if (got.emails == 4 && strstr(v->qr_refused, "web address"))
			break;
	}
	assert_non_null(strstr(v->qr_refused, "web address"));
	assert_true(v->qr_camera);
	assert_int_equal(got.emails, 4);     /* email, mecard, vcard, utf8 */
	assert_int_equal(got.badges, 1);
	assert_int_equal(got.names, 3);      /* mecard, vcard, utf8 */
	assert_int_equal(got.bad, 0);
	/* (show takes no reads: nothing else can replace the refusal meanwhile) */
	kiosk_scan_show(ks, mono_s() + 0.5, v);
	assert_non_null(strstr(v->qr_refused, "web address")); /* still shown ... */
	kiosk_scan_show(ks, mono_s() + KIOSK_SCAN_REFUSED_S + 1, v);
	assert_string_equal(v->qr_refused, "");                 /* ... then gone */
	assert_false(kiosk_scan_apply(NULL, mono_s(), remember_who, &got));
	kiosk_scan_show(NULL, mono_s(), v);
	assert_string_equal(v->qr_status, "");
	kiosk_scan_stop(ks);
	free(v);
	free(cfg);
}

static void test_scan_camera_unplugged_and_back(void **state)
{
	struct fixture *fx = *state;
	/* One badge shown for good: read once, however many frames show it. */
	run("cd %s && qrencode -s 6 -m 4 -o b.png 'B-0042' && convert b.png -gravity center "
	    "-background white -extent 640x480 -colorspace Gray -depth 8 badge.pgm && "
	    "cp badge.pgm shown.pgm", fx->dir);
	struct config *cfg = calloc(1, sizeof *cfg);
	assert_non_null(cfg);
	config_defaults(cfg);
	snprintf(cfg->camera_source, sizeof cfg->camera_source, "file");
	snprintf(cfg->camera_file, sizeof cfg->camera_file, "%s/shown.pgm", fx->dir);
	struct kiosk_scan *ks = NULL;
	assert_int_equal(kiosk_scan_start(cfg, &ks), LT_OK);
	kiosk_scan_follow(ks, true);
	assert_true(status_becomes(ks, KIOSK_SCAN_READY, 3));
	struct kiosk_scan_read r;
	int reads = 0;
	for (double end = mono_s() + 1.5; mono_s() < end; nap_ms(20))
		while (kiosk_scan_take(ks, &r)) {
			reads++;
			assert_false(r.refused);
			assert_string_equal(r.id.id, "B-0042");
		}
	assert_int_equal(reads, 1);
	assert_true(kiosk_scan_frames(ks) >= 3); /* many frames, one read */

	/* Unplugged: QR is off and says so. */
	char shown[160];
	snprintf(shown, sizeof shown, "%s/shown.pgm", fx->dir);
	assert_int_equal(unlink(shown), 0);
	assert_true(status_becomes(ks, KIOSK_SCAN_OFF, 2));
	/* Plugged back: picked up again within the retry, without a restart. */
	run("cp %s/badge.pgm %s/shown.tmp && mv %s/shown.tmp %s", fx->dir, fx->dir, fx->dir, shown);
	assert_true(status_becomes(ks, KIOSK_SCAN_READY, KIOSK_SCAN_RETRY_S + 2));
	kiosk_scan_stop(ks);

	/* No camera configured: off, said so; leaving check-in clears the line. */
	snprintf(cfg->camera_source, sizeof cfg->camera_source, "none");
	assert_int_equal(kiosk_scan_start(cfg, &ks), LT_OK);
	kiosk_scan_follow(ks, true);
	assert_true(status_becomes(ks, KIOSK_SCAN_OFF, 2));
	kiosk_scan_follow(ks, false);
	assert_true(status_becomes(ks, "", 0.1));
	kiosk_scan_stop(ks);
	kiosk_scan_stop(NULL);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blank_frame_and_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generated_badges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_padded_rows_and_two_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payload_too_long_to_keep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closer_look_finds_small_blurred_codes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scan_reads_badges_while_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_camera_unplugged_and_back, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
