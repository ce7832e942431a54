/*
 * camera.c — the part of the camera interface every implementation shares (see camera.h):
 * dispatch through the ops table, the preview scaler, and choosing a camera from [camera].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/camera.h"
#include "lectern/config.h"
#include "lectern/log.h"

lt_err camera_open(const struct camera_ops *ops, const struct camera_params *p,
		   struct camera **out, char *msg, size_t n)
{
	if (n)
		msg[0] = '\0';
	lt_err err = ops->open(p, out, msg, n);
	if (err == LT_OK)
		(*out)->ops = ops;
	else if (n && !msg[0])
		snprintf(msg, n, "%s", lt_strerror(err));
	return err;
}

lt_err camera_grab(struct camera *c, struct camera_frame *f, int timeout_ms)
{
	return c->ops->grab(c, f, timeout_ms);
}

void camera_close(struct camera *c)
{
	if (c)
		c->ops->close(c);
}

void camera_scale_rgb(const struct camera_frame *src, uint8_t *dst, int dst_w, int dst_h)
{
	if (dst_w <= 0 || dst_h <= 0)
		return;
	memset(dst, 0, (size_t)dst_w * (size_t)dst_h * 3);
	if (!src || !src->rgb || src->width <= 0 || src->height <= 0)
		return;
	int64_t sw = src->width, sh = src->height;
	int out_w, out_h;
	if (sw * dst_h >= sh * dst_w) { /* wider than the box: bars above and below */
		out_w = dst_w;
		out_h = (int)((sh * dst_w + sw / 2) / sw);
	} else {                        /* taller: bars left and right */
		out_h = dst_h;
		out_w = (int)((sw * dst_h + sh / 2) / sh);
	}
	if (out_w < 1)
		out_w = 1;
	if (out_h < 1)
		out_h = 1;
	int off_x = (dst_w - out_w) / 2, off_y = (dst_h - out_h) / 2;
	for (int y = 0; y < out_h; y++) {
		/* The source pixel under the centre of this destination pixel. */
		int64_t sy = ((2 * (int64_t)y + 1) * sh) / (2 * (int64_t)out_h);
		const uint8_t *row = src->rgb + sy * src->stride;
		uint8_t *d = dst + ((size_t)(y + off_y) * (size_t)dst_w + (size_t)off_x) * 3;
		for (int x = 0; x < out_w; x++) {
			int64_t sx = ((2 * (int64_t)x + 1) * sw) / (2 * (int64_t)out_w);
			memcpy(d + (size_t)x * 3, row + sx * 3, 3);
		}
	}
}

void camera_frame_gray(const struct camera_frame *f, uint8_t *gray)
{
	for (int y = 0; y < f->height; y++) {
		const uint8_t *p = f->rgb + (size_t)y * (size_t)f->stride;
		uint8_t *o = gray + (size_t)y * (size_t)f->width;
		/* 77 + 150 + 29 = 256: R = G = B = v gives exactly v. */
		for (int x = 0; x < f->width; x++, p += 3)
			o[x] = (uint8_t)((77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8);
	}
}

lt_err camera_open_config(const struct config *cfg, struct camera **out, bool *twin, char *msg,
			  size_t n)
{
	struct camera_params p = {
		.device = cfg->camera_device,
		.file = cfg->camera_file,
		.width = cfg->camera_width,
		.height = cfg->camera_height,
	};
	const char *device = cfg->camera_device[0] ? cfg->camera_device : "/dev/video0";
	if (twin)
		*twin = false;
	if (n)
		msg[0] = '\0';
	const char *source = cfg->camera_source;
	if (strcmp(source, "file") == 0) {
		lt_err err = camera_open(&camera_file_ops, &p, out, msg, n);
		if (err == LT_OK && twin)
			*twin = true;
		return err;
	}
	if (strcmp(source, "v4l2") == 0)
		return camera_open(&camera_v4l2_ops, &p, out, msg, n);
	if (strcmp(source, "auto") == 0) {
		if (!camera_v4l2_present(device)) {
			snprintf(msg, n, "no camera found at %s: plug in a USB camera (QR check-in "
					 "needs one), or set [camera] source = none", device);
			return LT_ERR_NO_DEVICE;
		}
		char why[256];
		lt_err err = camera_open(&camera_v4l2_ops, &p, out, why, sizeof why);
		if (err == LT_OK)
			return LT_OK;
		snprintf(msg, n, "no usable camera: %s", why);
		return LT_ERR_NO_DEVICE;
	}
	if (strcmp(source, "none") == 0) {
		snprintf(msg, n, "no camera configured");
		return LT_ERR_NO_DEVICE;
	}
	snprintf(msg, n, "[camera] source = %s is not one of auto, v4l2, file, none", source);
	return LT_ERR_CONFIG;
}

