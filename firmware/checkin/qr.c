/*
 * qr.c — QR codes through zbar (see qr.h).
 *
 * zbar wants a packed Y800 image (width bytes a row): a frame with padded rows is packed into
 * a buffer the scanner keeps, so that no frame costs an allocation once the size is known.
 */
#include "lectern/qr.h"

#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "lectern/log.h"

struct qr_scanner {
	zbar_image_scanner_t *zs;
	uint8_t *packed;         /* for frames whose stride is not their width */
	size_t packed_size;
	uint8_t *big;            /* the frame at twice the size, for the second look */
	size_t big_size;
};

lt_err qr_scanner_new(struct qr_scanner **out)
{
	struct qr_scanner *q = calloc(1, sizeof *q);
	if (!q)
		return LT_ERR_NOMEM;
	q->zs = zbar_image_scanner_create();
	if (!q->zs) {
		free(q);
		return LT_ERR_NOMEM;
	}
	/* Every symbology off, then QR alone on: fewer passes, and no EAN read from a name. */
	zbar_image_scanner_set_config(q->zs, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(q->zs, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	/* The bytes as encoded: zbar would otherwise guess a character set and convert. */
	zbar_image_scanner_set_config(q->zs, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
	/* No inter-frame cache: the caller decides what a repeated code means. */
	zbar_image_scanner_enable_cache(q->zs, 0);
	*out = q;
	return LT_OK;
}

void qr_scanner_free(struct qr_scanner *q)
{
	if (!q)
		return;
	zbar_image_scanner_destroy(q->zs);
	free(q->packed);
	free(q->big);
	free(q);
}

/* One zbar pass over a packed picture: codes into out, how many, or -1. */
static int scan_once(struct qr_scanner *q, const uint8_t *data, int width, int height,
		     struct qr_code *out, int max)
{
	size_t bytes = (size_t)width * (size_t)height;
	zbar_image_t *img = zbar_image_create();
	if (!img)
		return -1;
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, (unsigned)width, (unsigned)height);
	/* zbar only reads the data; no cleanup handler: the memory stays the caller's. */
	zbar_image_set_data(img, data, bytes, NULL);
	int n = zbar_scan_image(q->zs, img);
	int found = 0;
	if (n < 0) {
		log_warn("qr: zbar could not scan a %dx%d frame", width, height);
		found = -1;
	} else {
		for (const zbar_symbol_t *s = zbar_image_first_symbol(img); s && found < max;
		     s = zbar_symbol_next(s)) {
			if (zbar_symbol_get_type(s) != ZBAR_QRCODE)
				continue;
			struct qr_code *c = &out[found++];
			unsigned len = zbar_symbol_get_data_length(s);
			const char *d = zbar_symbol_get_data(s);
			c->len = len;
			c->truncated = len > QR_MAX_PAYLOAD;
			size_t keep = c->truncated ? QR_MAX_PAYLOAD : len;
			if (keep)
				memcpy(c->data, d, keep);
			c->data[keep] = '\0';
		}
	}
	zbar_image_destroy(img);
	return found;
}

/* `src` (w x h, packed) at twice the size into `dst`, bilinear: each new pixel the mean of
 * the one to four source pixels around it. */
static void upscale2(const uint8_t *src, int w, int h, uint8_t *dst)
{
	int bw = 2 * w;
	for (int y = 0; y < h; y++) {
		const uint8_t *r0 = src + (size_t)y * (size_t)w;
		const uint8_t *r1 = y + 1 < h ? r0 + w : r0;
		uint8_t *d0 = dst + (size_t)(2 * y) * (size_t)bw, *d1 = d0 + bw;
		for (int x = 0; x < w; x++) {
			int x1 = x + 1 < w ? x + 1 : x;
			unsigned a = r0[x], b = r0[x1], c = r1[x], d = r1[x1];
			d0[2 * x] = (uint8_t)a;
			d0[2 * x + 1] = (uint8_t)((a + b + 1) / 2);
			d1[2 * x] = (uint8_t)((a + c + 1) / 2);
			d1[2 * x + 1] = (uint8_t)((a + b + c + d + 2) / 4);
		}
	}
}

/* The picture as zbar wants it: packed rows (the caller's memory when already so). */
static const uint8_t *packed(struct qr_scanner *q, const uint8_t *gray, int width, int height,
			     int stride)
{
	if (stride == width)
		return gray;
	size_t bytes = (size_t)width * (size_t)height;
	if (q->packed_size < bytes) {
		uint8_t *p = realloc(q->packed, bytes);
		if (!p)
			return NULL;
		q->packed = p;
		q->packed_size = bytes;
	}
	for (int y = 0; y < height; y++)
		memcpy(q->packed + (size_t)y * (size_t)width, gray + (size_t)y * (size_t)stride,
		       (size_t)width);
	return q->packed;
}

static bool bad_args(const struct qr_scanner *q, const uint8_t *gray, int width, int height,
		     int stride, const struct qr_code *out, int max)
{
	return !q || !gray || width <= 0 || height <= 0 || stride < width || max < 0 ||
	       (max > 0 && !out) || (size_t)width * (size_t)height > (size_t)1 << 24;
}

int qr_scan(struct qr_scanner *q, const uint8_t *gray, int width, int height, int stride,
	    struct qr_code *out, int max)
{
	if (bad_args(q, gray, width, height, stride, out, max))
		return -1;
	const uint8_t *data = packed(q, gray, width, height, stride);
	return data ? scan_once(q, data, width, height, out, max) : -1;
}

int qr_scan_closer(struct qr_scanner *q, const uint8_t *gray, int width, int height, int stride,
		   struct qr_code *out, int max)
{
	if (bad_args(q, gray, width, height, stride, out, max))
		return -1;
	const uint8_t *data = packed(q, gray, width, height, stride);
	size_t big = (size_t)width * (size_t)height * 4;
	if (data && q->big_size < big) {
		uint8_t *p = realloc(q->big, big);
		if (!p)
			return -1;
		q->big = p;
		q->big_size = big;
	}
	if (!data)
		return -1;
	upscale2(data, width, height, q->big);
	return scan_once(q, q->big, width * 2, height * 2, out, max);
}
