/*
 * test_camera.c — the camera interface: the file twin (strict PPM and PGM parsing, the moving
 * test pattern, ~10 fps pacing, a picture replaced or removed while open, a directory as a
 * sequence of frames), grayscale for QR decoding, the preview scaler's letterboxing, the V4L2
 * camera's format rules and libv4l2 failing cleanly where there is no camera, and choosing a
 * camera from [camera] source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lectern/camera.h"
#include "lectern/config.h"
#include "testutil.h"

struct fixture {
	char dir[64];
	char path[128];
	char msg[256];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/lectern-camera-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof fx->path, "%s/picture.ppm", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	tu_rmrf(fx->dir);
	free(fx);
	return 0;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void assert_contains(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("\"%s\" does not mention \"%s\"", text, part);
}

static lt_err open_file_twin(const char *file, struct camera **c, char *msg, size_t n)
{
	struct camera_params p = {.file = file, .width = 640, .height = 480};
	return camera_open(&camera_file_ops, &p, c, msg, n);
}

/* ---- PPM twin ---- */

static void test_ppm_still_is_shown(void **state)
{
	struct fixture *fx = *state;
	/* A comment in the header is legal PPM; 3x2 pixels, each a distinct colour. */
	const char hdr[] = "P6\n# made by hand\n3 2\n255\n";
	uint8_t pix[18];
	for (int i = 0; i < 18; i++)
		pix[i] = (uint8_t)(i * 10 + 1);
	char buf[sizeof hdr - 1 + sizeof pix];
	memcpy(buf, hdr, sizeof hdr - 1);
	memcpy(buf + sizeof hdr - 1, pix, sizeof pix);
	write_file(fx->path, buf, sizeof buf);

	struct camera *c = NULL;
	assert_int_equal(open_file_twin(fx->path, &c, fx->msg, sizeof fx->msg), LT_OK);
	assert_int_equal(c->width, 3);
	assert_int_equal(c->height, 2);
	assert_contains(c->description, fx->path);
	assert_contains(c->description, "no camera");
	struct camera_frame f;
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	assert_int_equal(f.width, 3);
	assert_int_equal(f.height, 2);
	assert_true(f.stride >= 9);
	for (int y = 0; y < 2; y++)
		assert_memory_equal(f.rgb + y * f.stride, pix + y * 9, 9);
	/* A still stays the same picture. */
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	assert_memory_equal(f.rgb, pix, 9);
	assert_int_equal(c->frames, 2);
	camera_close(c);
}

static void expect_bad_ppm(struct fixture *fx, const char *content, size_t len, lt_err want,
			   const char *mentions)
{
	write_file(fx->path, content, len);
	struct camera *c = NULL;
	lt_err err = open_file_twin(fx->path, &c, fx->msg, sizeof fx->msg);
	if (err != want)
		fail_msg("got %s (%s), want %s", lt_errname(err), fx->msg, lt_errname(want));
	assert_null(c);
	assert_contains(fx->msg, fx->path);
	assert_contains(fx->msg, mentions);
}

static void test_ppm_bad_magic(void **state)
{
	struct fixture *fx = *state;
	expect_bad_ppm(fx, "P3\n1 1\n255\n0 0 0\n", 16, LT_ERR_FORMAT, "P6");
	expect_bad_ppm(fx, "", 0, LT_ERR_FORMAT, "P6");
}

static void test_ppm_short_data(void **state)
{
	struct fixture *fx = *state;
	char buf[64];
	int len = snprintf(buf, sizeof buf, "P6 4 4 255\n");
	memset(buf + len, 0x80, 40); /* 48 bytes needed */
	expect_bad_ppm(fx, buf, (size_t)len + 40, LT_ERR_FORMAT, "short");
	assert_contains(fx->msg, "40 of the 48");
}

static void test_ppm_huge_dimensions_refused(void **state)
{
	struct fixture *fx = *state;
	const char huge[] = "P6\n100000 100000\n255\n";
	expect_bad_ppm(fx, huge, sizeof huge - 1, LT_ERR_FORMAT, "width is too large");
	const char overflow[] = "P6\n16 99999999999999999999999\n255\n";
	expect_bad_ppm(fx, overflow, sizeof overflow - 1, LT_ERR_FORMAT, "height is too large");
}

static void test_ppm_bad_header(void **state)
{
	struct fixture *fx = *state;
	const char deep[] = "P6 1 1 65535\n\0\0\0\0\0\0";
	expect_bad_ppm(fx, deep, sizeof deep - 1, LT_ERR_FORMAT, "maxval 255");
	const char letters[] = "P6 one 1 255\n\0\0\0";
	expect_bad_ppm(fx, letters, sizeof letters - 1, LT_ERR_FORMAT, "width");
	const char zero[] = "P6 0 1 255\n";
	expect_bad_ppm(fx, zero, sizeof zero - 1, LT_ERR_FORMAT, "width is 0");
	const char glued[] = "P61 1 255\n\0\0\0";
	expect_bad_ppm(fx, glued, sizeof glued - 1, LT_ERR_FORMAT, "header");
	const char no_sep[] = "P6 1 1 255";
	expect_bad_ppm(fx, no_sep, sizeof no_sep - 1, LT_ERR_FORMAT, "after the maxval");
}

static void test_ppm_missing_file(void **state)
{
	struct fixture *fx = *state;
	struct camera *c = NULL;
	assert_int_equal(open_file_twin(fx->path, &c, fx->msg, sizeof fx->msg), LT_ERR_NO_DEVICE);
	assert_null(c);
	assert_contains(fx->msg, fx->path);
}

/* ---- test pattern ---- */

static void test_pattern_moves(void **state)
{
	(void)state;
	char msg[256];
	struct camera *c = NULL;
	assert_int_equal(open_file_twin(NULL, &c, msg, sizeof msg), LT_OK);
	assert_string_equal(c->ops->name, "file");
	assert_contains(c->description, "test pattern");
	assert_contains(c->description, "640x480");
	struct camera_frame f;
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	assert_int_equal(f.width, 640);
	assert_int_equal(f.height, 480);
	assert_int_equal(f.stride, 640 * 3);
	size_t bytes = (size_t)f.stride * (size_t)f.height;
	uint8_t *first = malloc(bytes);
	assert_non_null(first);
	memcpy(first, f.rgb, bytes);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
		assert_true(memcmp(first, f.rgb, bytes) != 0);
		memcpy(first, f.rgb, bytes);
	}
	/* Colour bars: the top-left pixel is light grey, the top-right one blue. */
	assert_true(f.rgb[0] > 100 && f.rgb[1] > 100 && f.rgb[2] > 100);
	const uint8_t *tr = f.rgb + (640 - 1) * 3;
	assert_true(tr[0] == 0 && tr[1] == 0 && tr[2] > 100);
	free(first);
	camera_close(c);
}

static void test_pattern_paced_at_10fps(void **state)
{
	(void)state;
	char msg[256];
	struct camera *c = NULL;
	assert_int_equal(open_file_twin(NULL, &c, msg, sizeof msg), LT_OK);
	struct camera_frame f;
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	int64_t t0 = mono_ms();
	for (int i = 0; i < 10; i++)
		assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	int64_t took = mono_ms() - t0;
	/* 10 frames at 10 fps: one second, give or take a loaded machine. */
	if (took < 900 || took > 1300)
		fail_msg("10 frames took %lld ms, want ~1000", (long long)took);

	/* A timeout shorter than the wait for the next frame: no frame, and no long sleep. */
	t0 = mono_ms();
	assert_int_equal(camera_grab(c, &f, 20), LT_ERR_NOT_FOUND);
	took = mono_ms() - t0;
	assert_true(took >= 15 && took < 80);
	assert_true(c->error[0] != '\0');
	assert_int_equal(camera_grab(c, &f, 0), LT_ERR_NOT_FOUND);

	/* A late caller gets a frame at once instead of a backlog. */
	struct timespec nap = {0, 350 * 1000000L};
	nanosleep(&nap, NULL);
	t0 = mono_ms();
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	assert_true(mono_ms() - t0 < 20);
	t0 = mono_ms();
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	took = mono_ms() - t0;
	assert_true(took <= 120);
	assert_true(c->error[0] == '\0');
	camera_close(c);
}

/* ---- the preview scaler ---- */

static bool is_black(const uint8_t *p) { return p[0] == 0 && p[1] == 0 && p[2] == 0; }

/* 640x480: red top-left quadrant, green elsewhere in the top half, blue bottom half. */
static uint8_t *quadrant_source(struct camera_frame *f)
{
	f->width = 640;
	f->height = 480;
	f->stride = 640 * 3 + 12; /* padded rows, as a camera may give */
	f->rgb = calloc((size_t)f->stride * 480, 1);
	assert_non_null(f->rgb);
	for (int y = 0; y < 480; y++)
		for (int x = 0; x < 640; x++) {
			uint8_t *p = f->rgb + y * f->stride + x * 3;
			if (y < 240)
				p[x < 320 ? 0 : 1] = 255;
			else
				p[2] = 255;
		}
	return f->rgb;
}

static void test_scale_letterbox_wide_box(void **state)
{
	(void)state;
	struct camera_frame src;
	quadrant_source(&src);
	enum { W = 160, H = 90 };
	uint8_t *dst = malloc(W * H * 3);
	assert_non_null(dst);
	memset(dst, 0x55, W * H * 3);
	camera_scale_rgb(&src, dst, W, H);
	/* 4:3 into 16:9: a 120x90 picture, 20-pixel bars left and right. */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			const uint8_t *p = dst + (y * W + x) * 3;
			bool bar = x < 20 || x >= 140;
			if (bar != is_black(p))
				fail_msg("pixel %d,%d: %s", x, y, bar ? "should be bar" : "is black");
		}
	const uint8_t *tl = dst + (0 * W + 20) * 3, *tr = dst + (0 * W + 139) * 3;
	const uint8_t *bl = dst + (89 * W + 20) * 3;
	assert_true(tl[0] == 255 && tl[1] == 0);
	assert_true(tr[1] == 255 && tr[0] == 0);
	assert_true(bl[2] == 255);
	/* The quadrant edges land where the aspect says: x = 20 + 60, y = 45. */
	assert_int_equal(dst[(10 * W + 79) * 3], 255);
	assert_int_equal(dst[(10 * W + 80) * 3 + 1], 255);
	assert_int_equal(dst[(44 * W + 50) * 3], 255);
	assert_int_equal(dst[(45 * W + 50) * 3 + 2], 255);
	free(dst);
	free(src.rgb);
}

static void test_scale_letterbox_square_box(void **state)
{
	(void)state;
	struct camera_frame src;
	quadrant_source(&src);
	enum { W = 160, H = 160 };
	uint8_t *dst = malloc(W * H * 3);
	assert_non_null(dst);
	memset(dst, 0x55, W * H * 3);
	camera_scale_rgb(&src, dst, W, H);
	/* 4:3 into 1:1: a 160x120 picture, 20-pixel bars above and below. */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			const uint8_t *p = dst + (y * W + x) * 3;
			bool bar = y < 20 || y >= 140;
			if (bar != is_black(p))
				fail_msg("pixel %d,%d: %s", x, y, bar ? "should be bar" : "is black");
		}
	assert_int_equal(dst[(20 * W + 0) * 3], 255);       /* red top-left */
	assert_int_equal(dst[(20 * W + 159) * 3 + 1], 255); /* green top-right */
	assert_int_equal(dst[(79 * W + 79) * 3], 255);      /* quadrant edges at 80, 80 */
	assert_int_equal(dst[(80 * W + 80) * 3 + 2], 255);
	assert_int_equal(dst[(139 * W + 159) * 3 + 2], 255);
	/* No source at all: only black. */
	camera_scale_rgb(NULL, dst, W, H);
	for (int i = 0; i < W * H * 3; i++)
		assert_int_equal(dst[i], 0);
	free(dst);
	free(src.rgb);
}

/* ---- V4L2 without a camera ---- */

static lt_err open_v4l2(const char *device, struct camera **c, char *msg, size_t n)
{
	struct camera_params p = {.device = device, .width = 640, .height = 480};
	return camera_open(&camera_v4l2_ops, &p, c, msg, n);
}

static void test_v4l2_missing_device(void **state)
{
	struct fixture *fx = *state;
	char dev[160];
	snprintf(dev, sizeof dev, "%s/video7", fx->dir);
	struct camera *c = NULL;
	assert_int_equal(open_v4l2(dev, &c, fx->msg, sizeof fx->msg), LT_ERR_NO_DEVICE);
	assert_null(c);
	assert_contains(fx->msg, dev);
	assert_contains(fx->msg, "not found");
	assert_false(camera_v4l2_present(dev));
}

static void test_v4l2_not_a_camera(void **state)
{
	struct fixture *fx = *state;
	struct camera *c = NULL;
	assert_int_equal(open_v4l2("/dev/null", &c, fx->msg, sizeof fx->msg), LT_ERR_NO_DEVICE);
	assert_null(c);
	assert_contains(fx->msg, "/dev/null");
	assert_contains(fx->msg, "not a V4L2 video device");
	assert_false(camera_v4l2_present("/dev/null"));

	/* A plain file is refused before anything is opened read-write. */
	write_file(fx->path, "x", 1);
	assert_int_equal(open_v4l2(fx->path, &c, fx->msg, sizeof fx->msg), LT_ERR_NO_DEVICE);
	assert_contains(fx->msg, fx->path);
	assert_contains(fx->msg, "not a device node");
}

/* ---- the twin: PGM, a replaced file, unplugging, a directory ---- */

/* A w x h PGM whose every pixel is `v`; or a PPM of colour (v, v/2, 255-v) when `colour`. */
static void write_picture(const char *path, int w, int h, uint8_t v, bool colour)
{
	char tmp[256];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *fp = fopen(tmp, "wb");
	assert_non_null(fp);
	fprintf(fp, "%s\n%d %d\n255\n", colour ? "P6" : "P5", w, h);
	for (int i = 0; i < w * h; i++) {
		if (colour) {
			uint8_t px[3] = {v, (uint8_t)(v / 2), (uint8_t)(255 - v)};
			fwrite(px, 1, 3, fp);
		} else {
			fputc(v, fp);
		}
	}
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(rename(tmp, path), 0); /* whole, as camera.h asks */
}

static lt_err open_fast_twin(const char *file, struct camera **c, char *msg, size_t n)
{
	struct camera_params p = {.file = file, .fps = 1000};
	return camera_open(&camera_file_ops, &p, c, msg, n);
}

static void test_pgm_still_is_gray(void **state)
{
	struct fixture *fx = *state;
	snprintf(fx->path, sizeof fx->path, "%s/picture.pgm", fx->dir);
	write_picture(fx->path, 5, 3, 200, false);
	struct camera *c = NULL;
	assert_int_equal(open_fast_twin(fx->path, &c, fx->msg, sizeof fx->msg), LT_OK);
	struct camera_frame f;
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	assert_int_equal(f.width, 5);
	assert_int_equal(f.height, 3);
	for (int i = 0; i < 15 * 3; i++)
		assert_int_equal(f.rgb[i], 200);
	uint8_t gray[15];
	camera_frame_gray(&f, gray);
	for (int i = 0; i < 15; i++)
		assert_int_equal(gray[i], 200); /* gray survives RGB and back exactly */
	camera_close(c);
	/* A short PGM says PGM. */
	const char short_pgm[] = "P5 4 4 255\n\x01\x02";
	write_file(fx->path, short_pgm, sizeof short_pgm - 1);
	assert_int_equal(open_fast_twin(fx->path, &c, fx->msg, sizeof fx->msg), LT_ERR_FORMAT);
	assert_contains(fx->msg, "2 of the 16 bytes");
	assert_contains(fx->msg, "PGM");
}

static void test_gray_conversion(void **state)
{
	(void)state;
	/* 2x2 with padded rows: white, black, pure red, pure green; then blue, gray 77. */
	uint8_t rgb[2 * 8] = {255, 255, 255, 0, 0, 0, 0xee, 0xee,
			      255, 0, 0, 0, 255, 0, 0xee, 0xee};
	struct camera_frame f = {.width = 2, .height = 2, .stride = 8, .rgb = rgb};
	uint8_t gray[4];
	camera_frame_gray(&f, gray);
	assert_int_equal(gray[0], 255);
	assert_int_equal(gray[1], 0);
	assert_int_equal(gray[2], 77);   /* 0.299 * 255 */
	assert_int_equal(gray[3], 149);  /* 0.587 * 255 */
	uint8_t blue[3] = {0, 0, 255};
	struct camera_frame b = {.width = 1, .height = 1, .stride = 3, .rgb = blue};
	camera_frame_gray(&b, gray);
	assert_int_equal(gray[0], 29);   /* 0.114 * 255 */
}

static void test_replaced_file_is_shown(void **state)
{
	struct fixture *fx = *state;
	write_picture(fx->path, 4, 4, 10, true);
	struct camera *c = NULL;
	assert_int_equal(open_fast_twin(fx->path, &c, fx->msg, sizeof fx->msg), LT_OK);
	struct camera_frame f;
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	assert_int_equal(f.rgb[0], 10);
	assert_int_equal(f.rgb[2], 245);
	/* Replaced, at another size: the next grab shows it. */
	write_picture(fx->path, 8, 2, 100, true);
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	assert_int_equal(f.width, 8);
	assert_int_equal(f.height, 2);
	assert_int_equal(c->width, 8);
	assert_int_equal(f.rgb[0], 100);
	assert_int_equal(f.rgb[1], 50);
	/* Replaced by something that is not a picture: the last picture stays. */
	char tmp[256];
	snprintf(tmp, sizeof tmp, "%s.tmp", fx->path);
	write_file(tmp, "P6 8 2 255\n\x01", 12);
	assert_int_equal(rename(tmp, fx->path), 0);
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	assert_int_equal(f.width, 8);
	assert_int_equal(f.rgb[0], 100);
	/* Gone: the camera is unplugged, and stays so for this handle. */
	assert_int_equal(unlink(fx->path), 0);
	assert_int_equal(camera_grab(c, &f, 1000), LT_ERR_DEVICE);
	assert_contains(c->error, "gone");
	write_picture(fx->path, 4, 4, 30, false);
	assert_int_equal(camera_grab(c, &f, 1000), LT_ERR_DEVICE);
	camera_close(c);
	/* Plugged back: a new open works. */
	assert_int_equal(open_fast_twin(fx->path, &c, fx->msg, sizeof fx->msg), LT_OK);
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	assert_int_equal(f.rgb[0], 30);
	camera_close(c);
	unlink(fx->path);
	c = NULL;
	assert_int_equal(open_fast_twin(fx->path, &c, fx->msg, sizeof fx->msg), LT_ERR_NO_DEVICE);
	assert_null(c);
}

static void test_directory_sequence(void **state)
{
	struct fixture *fx = *state;
	char p[256];
	/* Name order, not creation order; other files and hidden ones are not pictures. */
	snprintf(p, sizeof p, "%s/b.pgm", fx->dir);
	write_picture(p, 3, 3, 2, false);
	snprintf(p, sizeof p, "%s/a.ppm", fx->dir);
	write_picture(p, 6, 2, 1, true);
	snprintf(p, sizeof p, "%s/c.PGM", fx->dir);
	write_picture(p, 2, 7, 3, false);
	snprintf(p, sizeof p, "%s/.hidden.pgm", fx->dir);
	write_picture(p, 2, 2, 99, false);
	snprintf(p, sizeof p, "%s/notes.txt", fx->dir);
	write_file(p, "x", 1);
	struct camera *c = NULL;
	assert_int_equal(open_fast_twin(fx->dir, &c, fx->msg, sizeof fx->msg), LT_OK);
	assert_contains(c->description, "3 pictures");
	const int want_v[] = {1, 2, 3, 1, 2}, want_w[] = {6, 3, 2, 6, 3};
	for (int i = 0; i < 5; i++) {
		struct camera_frame f;
		assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
		assert_int_equal(f.rgb[0], want_v[i]);
		assert_int_equal(f.width, want_w[i]);
		assert_int_equal(f.stride, want_w[i] * 3);
	}
	camera_close(c);
	/* A bad picture fails the open, naming it. */
	snprintf(p, sizeof p, "%s/d.pgm", fx->dir);
	write_file(p, "P2 1 1 255\n0\n", 13);
	c = NULL;
	assert_int_equal(open_fast_twin(fx->dir, &c, fx->msg, sizeof fx->msg), LT_ERR_FORMAT);
	assert_null(c);
	assert_contains(fx->msg, "d.pgm");
	/* A directory without pictures is no camera. */
	char empty[160];
	snprintf(empty, sizeof empty, "%s/empty", fx->dir);
	assert_int_equal(mkdir(empty, 0700), 0);
	assert_int_equal(open_fast_twin(empty, &c, fx->msg, sizeof fx->msg), LT_ERR_NO_DEVICE);
	assert_contains(fx->msg, "no .ppm or .pgm picture");
}

/* ---- V4L2: the format the driver gives back ---- */

static void test_v4l2_format_rules(void **state)
{
	(void)state;
	char msg[256];
	int stride = -1;
	size_t bytes = 0;
	const uint32_t rgb24 = 0x33424752; /* 'RGB3' */
	struct camera_v4l2_format got = {.pixelformat = rgb24, .width = 640, .height = 480};
	/* bytesperline 0 (many drivers): rows of width * 3. */
	assert_int_equal(camera_v4l2_check_format("/dev/video3", &got, &stride, &bytes, msg,
						  sizeof msg), LT_OK);
	assert_int_equal(stride, 640 * 3);
	assert_int_equal(bytes, 640 * 3 * 480);
	/* Padded rows are kept; rows shorter than the pixels are not believed. */
	got.bytesperline = 1936;
	assert_int_equal(camera_v4l2_check_format(NULL, &got, &stride, &bytes, msg, sizeof msg),
			 LT_OK);
	assert_int_equal(stride, 1936);
	assert_int_equal(bytes, 1936 * 480);
	got.bytesperline = 640;
	assert_int_equal(camera_v4l2_check_format(NULL, &got, &stride, &bytes, msg, sizeof msg),
			 LT_OK);
	assert_int_equal(stride, 1920);
	/* Another size than asked is fine (the camera rounds to one it has). */
	got = (struct camera_v4l2_format){.pixelformat = rgb24, .width = 352, .height = 288};
	assert_int_equal(camera_v4l2_check_format(NULL, &got, &stride, &bytes, msg, sizeof msg),
			 LT_OK);
	assert_int_equal(bytes, 352 * 3 * 288);

	/* Refusals name the device and what was wrong. */
	got = (struct camera_v4l2_format){.pixelformat = 0x56595559 /* YUYV */, .width = 640,
					  .height = 480};
	assert_int_equal(camera_v4l2_check_format("/dev/video3", &got, &stride, &bytes, msg,
						  sizeof msg), LT_ERR_FORMAT);
	assert_contains(msg, "/dev/video3");
	assert_contains(msg, "sends YUYV");
	got.pixelformat = 0x20363159; /* "Y16 ": the padding space is not shown */
	assert_int_equal(camera_v4l2_check_format(NULL, &got, &stride, &bytes, msg, sizeof msg),
			 LT_ERR_FORMAT);
	assert_contains(msg, "/dev/video0 sends Y16,");
	got = (struct camera_v4l2_format){.pixelformat = rgb24, .width = 0, .height = 480};
	assert_int_equal(camera_v4l2_check_format(NULL, &got, &stride, &bytes, msg, sizeof msg),
			 LT_ERR_FORMAT);
	assert_contains(msg, "0x480");
	got = (struct camera_v4l2_format){.pixelformat = rgb24, .width = 8192, .height = 8192};
	assert_int_equal(camera_v4l2_check_format(NULL, &got, &stride, &bytes, msg, sizeof msg),
			 LT_ERR_FORMAT);
	assert_contains(msg, "8192x8192");
	got = (struct camera_v4l2_format){.pixelformat = rgb24, .width = 640, .height = 480,
					  .bytesperline = 640 * 3 * 2 + 1};
	assert_int_equal(camera_v4l2_check_format(NULL, &got, &stride, &bytes, msg, sizeof msg),
			 LT_ERR_FORMAT);
	assert_contains(msg, "rows of 3841 bytes");
}

static void test_v4l2_more_error_paths(void **state)
{
	struct fixture *fx = *state;
	struct camera *c = NULL;
	/* A directory is not a device node. */
	assert_int_equal(open_v4l2(fx->dir, &c, fx->msg, sizeof fx->msg), LT_ERR_NO_DEVICE);
	assert_null(c);
	assert_contains(fx->msg, "not a device node");
	/* A character device that is not V4L2 (it opens, VIDIOC_QUERYCAP fails). */
	assert_int_equal(open_v4l2("/dev/zero", &c, fx->msg, sizeof fx->msg), LT_ERR_NO_DEVICE);
	assert_contains(fx->msg, "/dev/zero is not a V4L2 video device");
	/* A path too long to name in a message is refused, not cut. */
	char longpath[200];
	memset(longpath, 'v', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	assert_int_equal(open_v4l2(longpath, &c, fx->msg, sizeof fx->msg), LT_ERR_NO_DEVICE);
	assert_contains(fx->msg, "too long");
	assert_null(c);
	/* Empty means /dev/video0, whatever this machine has there. */
	assert_int_equal(camera_v4l2_present(""), camera_v4l2_present("/dev/video0"));
}

/* ---- [camera] source ---- */

static void test_open_config_sources(void **state)
{
	struct fixture *fx = *state;
	struct config *cfg = malloc(sizeof *cfg);
	assert_non_null(cfg);
	config_defaults(cfg);
	snprintf(cfg->camera_device, sizeof cfg->camera_device, "%s/video0", fx->dir);
	struct camera *c = NULL;
	bool twin = true;

	/* auto with no camera: none, with a message naming the device; never the twin. */
	assert_string_equal(cfg->camera_source, "auto");
	assert_int_equal(camera_open_config(cfg, &c, &twin, fx->msg, sizeof fx->msg),
			 LT_ERR_NO_DEVICE);
	assert_null(c);
	assert_false(twin);
	assert_contains(fx->msg, cfg->camera_device);
	snprintf(cfg->camera_device, sizeof cfg->camera_device, "/dev/null");
	assert_int_equal(camera_open_config(cfg, &c, &twin, fx->msg, sizeof fx->msg),
			 LT_ERR_NO_DEVICE);
	assert_null(c);
	assert_contains(fx->msg, "/dev/null");

	/* v4l2: the device's own error. */
	snprintf(cfg->camera_device, sizeof cfg->camera_device, "%s/video0", fx->dir);
	snprintf(cfg->camera_source, sizeof cfg->camera_source, "v4l2");
	assert_int_equal(camera_open_config(cfg, &c, &twin, fx->msg, sizeof fx->msg),
			 LT_ERR_NO_DEVICE);
	assert_null(c);
	assert_contains(fx->msg, cfg->camera_device);

	/* none */
	snprintf(cfg->camera_source, sizeof cfg->camera_source, "none");
	assert_int_equal(camera_open_config(cfg, &c, &twin, fx->msg, sizeof fx->msg),
			 LT_ERR_NO_DEVICE);
	assert_null(c);
	assert_string_equal(fx->msg, "no camera configured");

	/* file without a file: the test pattern at the configured size. */
	snprintf(cfg->camera_source, sizeof cfg->camera_source, "file");
	cfg->camera_width = 320;
	cfg->camera_height = 240;
	assert_int_equal(camera_open_config(cfg, &c, &twin, fx->msg, sizeof fx->msg), LT_OK);
	assert_true(twin);
	assert_string_equal(c->ops->name, "file");
	assert_int_equal(c->width, 320);
	assert_int_equal(c->height, 240);
	assert_contains(c->description, "test pattern");
	camera_close(c);
	c = NULL;

	/* file with a picture that is not there: its error, and no twin. */
	snprintf(cfg->camera_file, sizeof cfg->camera_file, "%s", fx->path);
	assert_int_equal(camera_open_config(cfg, &c, &twin, fx->msg, sizeof fx->msg),
			 LT_ERR_NO_DEVICE);
	assert_null(c);
	assert_false(twin);
	assert_contains(fx->msg, fx->path);

	/* file with a picture. */
	const char ppm[] = "P6 1 1 255\n\x10\x20\x30";
	write_file(fx->path, ppm, sizeof ppm - 1);
	assert_int_equal(camera_open_config(cfg, &c, NULL, fx->msg, sizeof fx->msg), LT_OK);
	assert_int_equal(c->width, 1);
	struct camera_frame f;
	assert_int_equal(camera_grab(c, &f, 1000), LT_OK);
	assert_int_equal(f.rgb[2], 0x30);
	camera_close(c);
	camera_close(NULL);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ppm_still_is_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ppm_bad_magic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ppm_short_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ppm_huge_dimensions_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ppm_bad_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ppm_missing_file, setup, teardown),
		cmocka_unit_test(test_pattern_moves),
		cmocka_unit_test(test_pattern_paced_at_10fps),
		cmocka_unit_test(test_scale_letterbox_wide_box),
		cmocka_unit_test(test_scale_letterbox_square_box),
		cmocka_unit_test_setup_teardown(test_v4l2_missing_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4l2_not_a_camera, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_config_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pgm_still_is_gray, setup, teardown),
		cmocka_unit_test(test_gray_conversion),
		cmocka_unit_test_setup_teardown(test_replaced_file_is_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_sequence, setup, teardown),
		cmocka_unit_test(test_v4l2_format_rules),
		cmocka_unit_test_setup_teardown(test_v4l2_more_error_paths, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
