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
	free(q);
}

int qr_scan(struct qr_scanner *q, const uint8_t *gray, int width, int height, int stride,
	    struct qr_code *out, int max)
{
	if (!q || !gray || width <= 0 || height <= 0 || stride < width || max < 0 ||
	    (max > 0 && !out))
		return -1;
	size_t bytes = (size_t)width * (size_t)height;
	const uint8_t *data = gray;
	if (stride != width) {
		if (q->packed_size < bytes) {
			uint8_t *p = realloc(q->packed, bytes);
			if (!p)
				return -1;
			q->packed = p;
			q->packed_size = bytes;
		}
		for (int y = 0; y < height; y++)
			memcpy(q->packed + (size_t)y * (size_t)width,
			       gray + (size_t)y * (size_t)stride, (size_t)width);
		data = q->packed;
	}
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
