/*
 * test_qr.c — QR codes from camera frames to identities: frames made at test time with
 * qrencode and ImageMagick (tests/lib/gen_qr_frames.sh: emails, badge ids, MECARD, vCard,
 * UTF-8 names, garbage, a web address, binary data, Latin-1 text, an over-long card; plain,
 * rotated, blurred, noisy) are fed through the camera's file twin, turned gray, decoded by one
 * reused zbar scanner (qr.h) and read by badge.h: the payload bytes come out exact, the
 * people are who the code says, and the rest is refused with its reason. Also: no code in a
 * blank frame, padded rows, two codes in one frame, a payload too long to keep whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lectern/badge.h"
#include "lectern/camera.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blank_frame_and_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generated_badges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_padded_rows_and_two_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payload_too_long_to_keep, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
