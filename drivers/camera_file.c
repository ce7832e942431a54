/*
 * camera_file.c — the camera's file-backed twin (see camera.h).
 *
 * The twin shows a binary PPM (P6) or PGM (P5), maxval 255, as a still that is read again
 * whenever the file is replaced (and whose removal is an unplugged camera), or the pictures of
 * a directory one a frame in name order, or, without a file, a generated test pattern: colour
 * bars with a box that moves every frame and carries the frame number in binary, so a preview
 * visibly updates and two frames never compare equal. Grabs are paced
 * at `fps` (10): frame k is due k/fps seconds after open; a late caller gets the frame for
 * "now", never a burst of stale ones.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "lectern/camera.h"
#include "lectern/config.h"
#include "lectern/log.h"

/* Larger pictures are refused: a preview or a QR frame never needs more (48 MB at most). */
#define MAX_SIDE 4096
#define DEFAULT_FPS 10

struct file_camera {
	struct camera base;
	uint8_t *rgb;
	bool pattern;            /* generated; else a picture from the file or the directory */
	char *path;              /* the picture file, watched for a replacement */
	struct stat st;          /* of the picture shown, when it came from `path` */
	char **paths;            /* a directory's pictures, in name order */
	int n_paths, next_path;
	bool broken;             /* sticky: the picture file went away */
	int64_t period_ns;
	struct timespec t0;
	int64_t index;           /* of the last frame handed out; -1 before the first */
};

/* ---- the twin: a picture ---- */

/* Skip whitespace and '#' comments; true if at least one whitespace byte was skipped. */
static bool skip_space(FILE *fp)
{
	bool any = false;
	int ch;
	while ((ch = getc(fp)) != EOF) {
		if (ch == '#') {
			while ((ch = getc(fp)) != EOF && ch != '\n' && ch != '\r')
				;
			any = true;
		} else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' ||
			   ch == '\f') {
			any = true;
		} else {
			ungetc(ch, fp);
			break;
		}
	}
	return any;
}

/* A header number: decimal digits, at most `max`. */
static lt_err header_number(FILE *fp, const char *path, const char *what, long max, long *out,
			    char *msg, size_t n)
{
	if (!skip_space(fp)) {
		snprintf(msg, n, "camera picture %s: bad PPM header: no space before the %s", path,
			 what);
		return LT_ERR_FORMAT;
	}
	long v = 0;
	int digits = 0, ch;
	while ((ch = getc(fp)) >= '0' && ch <= '9') {
		if (v <= max)
			v = v * 10 + (ch - '0');
		digits++;
	}
	if (ch != EOF)
		ungetc(ch, fp);
	if (digits == 0) {
		snprintf(msg, n, "camera picture %s: bad PPM header: the %s is missing or not a "
				 "number", path, what);
		return LT_ERR_FORMAT;
	}
	if (v > max) {
		snprintf(msg, n, "camera picture %s: the %s is too large (more than %ld)", path,
			 what, max);
		return LT_ERR_FORMAT;
	}
	if (v == 0) {
		snprintf(msg, n, "camera picture %s: the %s is 0", path, what);
		return LT_ERR_FORMAT;
	}
	*out = v;
	return LT_OK;
}

/*
 * Read a binary PPM (P6) or PGM (P5), 8 bits, into a new RGB24 buffer (a PGM's gray level
 * becomes R = G = B). Errors name `path` in `msg`.
 */
static lt_err load_picture(const char *path, uint8_t **rgb_out, int *w_out, int *h_out, char *msg,
			   size_t n)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		int e = errno;
		snprintf(msg, n, "cannot open camera picture %s: %s: set [camera] file to a PPM "
				 "picture, or leave it empty for a test pattern", path, strerror(e));
		return LT_ERR_NO_DEVICE;
	}
	lt_err err = LT_ERR_FORMAT;
	unsigned char magic[2];
	long w = 0, h = 0, maxval = 0;
	uint8_t *rgb = NULL;
	if (fread(magic, 1, 2, fp) != 2 || magic[0] != 'P' || (magic[1] != '6' && magic[1] != '5')) {
		snprintf(msg, n, "camera picture %s is not a binary PPM or PGM: it must start with "
				 "\"P6\" or \"P5\" (convert one with: magick IN -depth 8 OUT.ppm)",
			 path);
		goto fail;
	}
	bool gray = magic[1] == '5';
	if ((err = header_number(fp, path, "width", MAX_SIDE, &w, msg, n)) != LT_OK ||
	    (err = header_number(fp, path, "height", MAX_SIDE, &h, msg, n)) != LT_OK ||
	    (err = header_number(fp, path, "maxval", 65535, &maxval, msg, n)) != LT_OK)
		goto fail;
	err = LT_ERR_FORMAT;
	if (maxval != 255) {
		snprintf(msg, n, "camera picture %s has maxval %ld: only 8-bit PPM or PGM (maxval "
				 "255) is supported", path, maxval);
		goto fail;
	}
	/* Exactly one whitespace byte separates the header from the pixels. */
	int sep = getc(fp);
	if (sep != ' ' && sep != '\t' && sep != '\n' && sep != '\r' && sep != '\v' && sep != '\f') {
		snprintf(msg, n, "camera picture %s: bad PPM header: no whitespace after the "
				 "maxval", path);
		goto fail;
	}
	size_t pixels = (size_t)w * (size_t)h, want = pixels * (gray ? 1 : 3);
	rgb = malloc(pixels * 3);
	if (!rgb) {
		err = LT_ERR_NOMEM;
		goto fail;
	}
	/* A PGM is read into the buffer's last third, then spread out front to back. */
	uint8_t *dst = gray ? rgb + pixels * 2 : rgb;
	size_t got = fread(dst, 1, want, fp);
	if (got != want) {
		snprintf(msg, n, "camera picture %s is short: %zu of the %zu bytes of pixel data "
				 "a %ldx%ld %s needs", path, got, want, w, h, gray ? "PGM" : "PPM");
		goto fail;
	}
	if (gray)
		for (size_t i = 0; i < pixels; i++) {
			uint8_t v = dst[i];
			rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = v;
		}
	fclose(fp);
	*rgb_out = rgb;
	*w_out = (int)w;
	*h_out = (int)h;
	return LT_OK;
fail:
	fclose(fp);
	free(rgb);
	return err;
}

/* ---- the twin: a picture that may be replaced, or a directory of them ---- */

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Show the picture at `path` from now on (the old one is freed once the new one loaded). */
static lt_err show_picture(struct file_camera *f, const char *path, char *msg, size_t n)
{
	uint8_t *rgb;
	int w, h;
	lt_err err = load_picture(path, &rgb, &w, &h, msg, n);
	if (err != LT_OK)
		return err;
	free(f->rgb);
	f->rgb = rgb;
	f->base.width = w;
	f->base.height = h;
	return LT_OK;
}

static int picture_name(const struct dirent *d)
{
	size_t l = strlen(d->d_name);
	return d->d_name[0] != '.' && l > 4 &&
	       (strcasecmp(d->d_name + l - 4, ".ppm") == 0 ||
		strcasecmp(d->d_name + l - 4, ".pgm") == 0);
}

static lt_err open_directory(struct file_camera *f, const char *dir, char *msg, size_t n)
{
	struct dirent **list = NULL;
	int count = scandir(dir, &list, picture_name, alphasort);
	if (count < 0) {
		int e = errno;
		snprintf(msg, n, "cannot read the camera's picture directory %s: %s", dir,
			 strerror(e));
		return LT_ERR_NO_DEVICE;
	}
	lt_err err = LT_OK;
	if (count == 0) {
		snprintf(msg, n, "the camera's picture directory %s has no .ppm or .pgm picture",
			 dir);
		err = LT_ERR_NO_DEVICE;
	}
	f->paths = count > 0 ? calloc((size_t)count, sizeof *f->paths) : NULL;
	if (count > 0 && !f->paths)
		err = LT_ERR_NOMEM;
	for (int i = 0; i < count; i++) {
		if (err == LT_OK && asprintf(&f->paths[i], "%s/%s", dir, list[i]->d_name) < 0) {
			f->paths[i] = NULL;
			err = LT_ERR_NOMEM;
		}
		free(list[i]);
	}
	free(list);
	if (err != LT_OK)
		return err;
	f->n_paths = count;
	f->next_path = 0;
	/* Each picture is checked now, so that a bad one fails the open, not a grab. */
	for (int i = count - 1; i >= 0 && err == LT_OK; i--)
		err = show_picture(f, f->paths[i], msg, n);
	return err;
}

/* At each grab: the directory's next picture, or the file again if it was replaced. A file
 * that is gone is a camera unplugged; one that does not load yet keeps the last picture. */
static lt_err next_picture(struct file_camera *f)
{
	char msg[sizeof f->base.error];
	if (f->n_paths) {
		const char *path = f->paths[f->next_path];
		f->next_path = (f->next_path + 1) % f->n_paths;
		if (show_picture(f, path, msg, sizeof msg) != LT_OK)
			log_debug("camera: %s", msg);
		return LT_OK;
	}
	struct stat st;
	if (stat(f->path, &st) != 0) {
		f->broken = true;
		snprintf(f->base.error, sizeof f->base.error, "camera picture %s is gone (the twin's "
			 "camera was unplugged)", f->path);
		return LT_ERR_DEVICE;
	}
	if (same_file(&st, &f->st))
		return LT_OK;
	if (show_picture(f, f->path, msg, sizeof msg) == LT_OK)
		f->st = st;
	else
		log_debug("camera: %s", msg);
	return LT_OK;
}

/* ---- the twin: a moving test pattern ---- */

static void fill_rect(struct file_camera *f, int x0, int y0, int w, int h, const uint8_t c[3])
{
	int W = f->base.width, H = f->base.height;
	for (int y = y0 < 0 ? 0 : y0; y < y0 + h && y < H; y++)
		for (int x = x0 < 0 ? 0 : x0; x < x0 + w && x < W; x++)
			memcpy(f->rgb + ((size_t)y * (size_t)W + (size_t)x) * 3, c, 3);
}

static void draw_pattern(struct file_camera *f, int64_t index)
{
	static const uint8_t bars[7][3] = {
		{192, 192, 192}, {192, 192, 0}, {0, 192, 192}, {0, 192, 0},
		{192, 0, 192},   {192, 0, 0},   {0, 0, 192},
	};
	static const uint8_t black[3] = {0, 0, 0}, white[3] = {255, 255, 255},
			     grey[3] = {64, 64, 64};
	int W = f->base.width, H = f->base.height;
	for (int i = 0; i < 7; i++) {
		int x0 = W * i / 7, x1 = W * (i + 1) / 7;
		fill_rect(f, x0, 0, x1 - x0, H, bars[i]);
	}
	/* The box sweeps left to right and back, one step a frame. */
	int box_w = W / 5 > 34 ? W / 5 : 34, box_h = H / 6 > 12 ? H / 6 : 12;
	int travel = W - box_w, step = W / 40 > 1 ? W / 40 : 1;
	int64_t pos = travel > 0 ? (index * step) % (2 * (int64_t)travel) : 0;
	int x = (int)(pos <= travel ? pos : 2 * (int64_t)travel - pos);
	int y = H * 2 / 3;
	fill_rect(f, x, y, box_w, box_h, white);
	fill_rect(f, x + 2, y + 2, box_w - 4, box_h - 4, black);
	/* The frame number, 16 bits, most significant first: white cell = 1. */
	int cell = (box_w - 4) / 16, cell_h = box_h - 8;
	for (int b = 0; b < 16; b++) {
		bool one = (index >> (15 - b)) & 1;
		fill_rect(f, x + 2 + b * cell + 1, y + 4, cell > 2 ? cell - 1 : 1, cell_h,
			  one ? white : grey);
	}
}

/* ---- the twin's ops ---- */

static int64_t since_ns(const struct timespec *t0, const struct timespec *t)
{
	return (int64_t)(t->tv_sec - t0->tv_sec) * 1000000000LL + (t->tv_nsec - t0->tv_nsec);
}

static struct timespec add_ns(struct timespec t, int64_t ns)
{
	t.tv_sec += (time_t)(ns / 1000000000LL);
	t.tv_nsec += (long)(ns % 1000000000LL);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static void sleep_until(const struct timespec *due)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, due, NULL) == EINTR)
		;
}

static void file_cam_close(struct camera *c)
{
	struct file_camera *f = (struct file_camera *)c;
	for (int i = 0; i < f->n_paths; i++)
		free(f->paths[i]);
	free(f->paths);
	free(f->path);
	free(f->rgb);
	free(f);
}

static lt_err file_cam_open(const struct camera_params *p, struct camera **out, char *msg,
			    size_t n)
{
	struct file_camera *f = calloc(1, sizeof *f);
	if (!f)
		return LT_ERR_NOMEM;
	int fps = p->fps > 0 && p->fps <= 1000 ? p->fps : DEFAULT_FPS;
	f->period_ns = 1000000000LL / fps;
	f->index = -1;
	if (p->file && *p->file) {
		struct stat st;
		lt_err err = LT_OK;
		bool dir = stat(p->file, &st) == 0 && S_ISDIR(st.st_mode);
		if (dir) {
			err = open_directory(f, p->file, msg, n);
		} else {
			f->path = strdup(p->file);
			err = f->path ? show_picture(f, p->file, msg, n) : LT_ERR_NOMEM;
			if (err == LT_OK && stat(p->file, &f->st) != 0)
				memset(&f->st, 0, sizeof f->st); /* replaced meanwhile: reloaded */
		}
		if (err != LT_OK) {
			file_cam_close(&f->base);
			return err;
		}
		if (dir)
			snprintf(f->base.description, sizeof f->base.description,
				 "%d pictures in %s (no camera)", f->n_paths, p->file);
		else
			snprintf(f->base.description, sizeof f->base.description,
				 "picture %s %dx%d (no camera)", p->file, f->base.width,
				 f->base.height);
	} else {
		int w = p->width > 0 ? p->width : 640, h = p->height > 0 ? p->height : 480;
		if (w < 16 || h < 16 || w > MAX_SIDE || h > MAX_SIDE) {
			snprintf(msg, n, "test pattern size %dx%d is out of range (16 to %d a side)",
				 w, h, MAX_SIDE);
			free(f);
			return LT_ERR_INVALID;
		}
		f->base.width = w;
		f->base.height = h;
		f->pattern = true;
		f->rgb = malloc((size_t)w * (size_t)h * 3);
		if (!f->rgb) {
			free(f);
			return LT_ERR_NOMEM;
		}
		snprintf(f->base.description, sizeof f->base.description,
			 "test pattern %dx%d (no camera)", w, h);
	}
	clock_gettime(CLOCK_MONOTONIC, &f->t0);
	log_info("camera: %s", f->base.description);
	*out = &f->base;
	return LT_OK;
}

static lt_err file_cam_grab(struct camera *c, struct camera_frame *fr, int timeout_ms)
{
	struct file_camera *f = (struct file_camera *)c;
	if (f->broken)
		return LT_ERR_DEVICE;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	struct timespec due = add_ns(f->t0, (f->index + 1) * f->period_ns);
	int64_t wait = since_ns(&now, &due);
	if (wait > 0) {
		if (timeout_ms >= 0 && wait > (int64_t)timeout_ms * 1000000) {
			struct timespec until = add_ns(now, (int64_t)timeout_ms * 1000000);
			sleep_until(&until);
			snprintf(c->error, sizeof c->error, "no new frame within %d ms (the twin "
				 "gives %lld a second)", timeout_ms,
				 (long long)(1000000000LL / f->period_ns));
			return LT_ERR_NOT_FOUND;
		}
		sleep_until(&due);
		clock_gettime(CLOCK_MONOTONIC, &now);
	}
	/* The frame for "now": a caller that comes late skips frames rather than replaying them. */
	int64_t index = since_ns(&f->t0, &now) / f->period_ns;
	f->index = index > f->index ? index : f->index + 1;
	if (f->pattern)
		draw_pattern(f, f->index);
	else if (next_picture(f) != LT_OK)
		return LT_ERR_DEVICE;
	c->error[0] = '\0';
	c->frames++;
	fr->width = c->width;
	fr->height = c->height;
	fr->stride = c->width * 3;
	fr->rgb = f->rgb;
	return LT_OK;
}

const struct camera_ops camera_file_ops = {
	.name = "file",
	.open = file_cam_open,
	.grab = file_cam_grab,
	.close = file_cam_close,
};
