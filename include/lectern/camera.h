/*
 * camera.h — where pictures come from (the QR check-in and the settings screen's preview):
 * an ops table with two implementations, a USB camera through libv4l2 (drivers/camera_v4l2.c)
 * and a file-backed twin (drivers/camera_file.c) that shows a PPM picture or a moving test
 * pattern, used by demo mode and tests through the very same interface.
 *
 * Every implementation hands out RGB24 frames (3 bytes a pixel, R G B). Whatever the camera
 * gives (YUYV, MJPEG, ...) is converted by libv4l2, never by hand here.
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
	const char *file;    /* twin: a binary PPM (P6) to show; NULL or "" = the test pattern */
	int width, height;   /* asked of the camera (it may give another); 0 = 640x480 */
	int fps;             /* twin: frames a second it paces grabs to; 0 = 10 */
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
 * Open the camera [camera] asks for: source = auto: V4L2 at `device` if it is there and
 * opens, else none; v4l2: that device, or its error; file: the twin (`file`, or the test
 * pattern) — the twin is never chosen by auto; none: LT_ERR_NO_DEVICE "no camera configured".
 * When no camera is opened the result is LT_ERR_NO_DEVICE (or the device's error for v4l2)
 * and `msg` says why and what to do. *twin (may be NULL) says whether the twin was opened.
 */
lt_err camera_open_config(const struct config *cfg, struct camera **out, bool *twin, char *msg,
			  size_t n);

#endif
