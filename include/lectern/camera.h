/*
 * camera.h — where pictures come from (the QR check-in and the settings screen's preview):
 * an ops table with two implementations, a USB camera through libv4l2 (drivers/camera_v4l2.c)
 * and a file-backed twin (drivers/camera_file.c), used by demo mode and tests through the
 * very same interface. The twin shows, by its `file`:
 *  - empty: a moving test pattern;
 *  - a picture file, binary PPM (P6) or PGM (P5), 8 bits: that picture, read again at the
 *    next grab whenever the file was replaced (compared by inode, size and mtime: replace it
 *    with rename(2) so that a grab never sees half a file; one that does not load keeps the
 *    last picture). Removing the file unplugs the twin: grabs fail with LT_ERR_DEVICE, and an
 *    open fails with LT_ERR_NO_DEVICE until the file is back. This is how tests show a QR
 *    badge to a running appliance, and unplug and plug back its camera;
 *  - a directory: its *.ppm and *.pgm pictures (not starting with '.'), read at open, shown
 *    one a grab in name order, round and round — a sequence of frames for tests. They may
 *    differ in size: each frame carries its own, and c->width/height follow the last one.
 *
 * Every implementation hands out RGB24 frames (3 bytes a pixel, R G B). Whatever the camera
 * gives (YUYV, MJPEG, ...) is converted by libv4l2, never by hand here; camera_frame_gray()
 * makes the 8-bit grayscale that QR decoding (qr.h) wants. The V4L2 camera is asked for
 * [camera] width x height (640x480) at `fps` frames a second (10) where it lets the rate be
 * chosen.
 *
 * A camera is used by one thread at a time; nothing here locks.
 */
#ifndef LECTERN_CAMERA_H
#define LECTERN_CAMERA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lectern/err.h"

struct config;

struct camera_params {
	const char *device;  /* V4L2 device node ("/dev/video0"); NULL or "" = /dev/video0 */
	const char *file;    /* twin: a PPM/PGM picture or a directory of them (see above);
				NULL or "" = the test pattern */
	int width, height;   /* asked of the camera (it may give another); 0 = 640x480 */
	int fps;             /* frames a second: the twin paces grabs to it, a V4L2 camera is
				asked for it (it may give another); 0 = 10 */
};

/* One picture. `rgb` holds `height` rows of `stride` bytes, each starting with width*3 bytes. */
struct camera_frame {
	int width, height;
	int stride;          /* bytes from one row to the next (>= width * 3) */
	uint8_t *rgb;        /* RGB24 */
};

struct camera;

struct camera_ops {
	const char *name;    /* "v4l2", "file" */
	/* Open with `p`; on failure *msg explains in a sentence naming the device or file. */
	lt_err (*open)(const struct camera_params *p, struct camera **out, char *msg,
		       size_t msg_len);
	/* See camera_grab(). */
	lt_err (*grab)(struct camera *c, struct camera_frame *f, int timeout_ms);
	void (*close)(struct camera *c);
};

/* The part every implementation starts with. */
struct camera {
	const struct camera_ops *ops;
	int width, height;       /* of the frames grab() gives (what the camera agreed to) */
	unsigned long frames;    /* frames grabbed so far */
	char description[160];   /* what was opened, for logs and the screen */
	char error[160];         /* why the last grab failed; "" after a good one */
};

extern const struct camera_ops camera_v4l2_ops;
extern const struct camera_ops camera_file_ops;

/*
 * Open a camera through `ops`. On success *out is set and its description says what was
 * opened ("USB camera /dev/video0 640x480 (YUYV via libv4l2)", "test pattern (no camera)").
 * Errors: LT_ERR_NO_DEVICE (no such device, not a video capture device, no permission,
 * picture file missing), LT_ERR_FORMAT (no RGB24 at any size; a bad PPM), LT_ERR_NOMEM,
 * LT_ERR_DEVICE (the device failed while being set up). `msg` always explains on failure.
 */
lt_err camera_open(const struct camera_ops *ops, const struct camera_params *p,
		   struct camera **out, char *msg, size_t n);

/*
 * The latest frame, in RGB24. Waits up to `timeout_ms` for one (< 0: no limit; 0: only if one
 * is ready). The frame's memory belongs to the camera and stays valid until the next grab or
 * close. The twin paces itself (about 10 a second): it sleeps until its next frame is due.
 * Returns LT_OK; LT_ERR_NOT_FOUND when no new frame came within `timeout_ms` (try again);
 * LT_ERR_DEVICE when the camera failed or was unplugged — sticky: later grabs report it too.
 * On failure c->error says what happened.
 */
lt_err camera_grab(struct camera *c, struct camera_frame *f, int timeout_ms);

/* Stop and free. NULL is allowed. */
void camera_close(struct camera *c);

/* Whether `device` (NULL = /dev/video0) is a V4L2 video capture device that can be opened. */
bool camera_v4l2_present(const char *device);

/*
 * Scale `src` into `dst` (dst_w * dst_h RGB24, rows packed: stride dst_w * 3) by nearest
 * neighbour, keeping the aspect ratio: the picture is centred and the rest is black bars
 * (left/right or top/bottom). For the small preview thumbnail, not for QR decoding.
 */
void camera_scale_rgb(const struct camera_frame *src, uint8_t *dst, int dst_w, int dst_h);

/*
 * The 8-bit luma of `f` (BT.601 weights, rounded: a gray pixel keeps its value) into `gray`,
 * f->width * f->height bytes, rows packed.
 */
void camera_frame_gray(const struct camera_frame *f, uint8_t *gray);

/*
 * What VIDIOC_S_FMT gave back, as the V4L2 camera checks it (split out so that the rules are
 * tested without a device): it must be RGB24 (libv4l2 converts to it), 1..4096 pixels a side;
 * a row is at least width * 3 bytes even when the driver says less (bytesperline 0 is common).
 * On LT_OK *stride and *frame_bytes are set; on LT_ERR_FORMAT `msg` names `device` and what
 * the camera sent.
 */
struct camera_v4l2_format {
	uint32_t pixelformat;    /* fourcc */
	uint32_t width, height, bytesperline;
};
lt_err camera_v4l2_check_format(const char *device, const struct camera_v4l2_format *got,
				int *stride, size_t *frame_bytes, char *msg, size_t n);

/*
 * Open the camera [camera] asks for: source = auto: V4L2 at `device` if it is there and
 * opens, else none; v4l2: that device, or its error; file: the twin (`file`, or the test
 * pattern) — the twin is never chosen by auto; none: LT_ERR_NO_DEVICE "no camera configured".
 * When no camera is opened the result is LT_ERR_NO_DEVICE (or the device's error for v4l2)
 * and `msg` says why and what to do. *twin (may be NULL) says whether the twin was opened.
 */
lt_err camera_open_config(const struct config *cfg, struct camera **out, bool *twin, char *msg,
			  size_t n);

#endif
