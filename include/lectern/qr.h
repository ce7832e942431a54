/*
 * qr.h — QR codes in a camera frame, decoded by zbar (never by hand here).
 *
 * A scanner is made once and reused for every frame (zbar's scanner keeps its tables and
 * buffers): only the QR symbology is enabled, and zbar hands back the code's bytes as they
 * are (its "binary" mode), without guessing a character set, so that what badge.h gets is
 * exactly what was encoded — a payload that is not UTF-8 is refused there, never converted.
 *
 * Frames are 8-bit grayscale (camera_frame_gray() makes one from a camera frame). A scanner
 * is used by one thread at a time; nothing here locks.
 */
#ifndef LECTERN_QR_H
#define LECTERN_QR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lectern/err.h"

/* Bytes of a payload kept; longer ones are cut and flagged (a badge is far shorter, see
 * badge.h, which refuses anything over BADGE_MAX_PAYLOAD = 512). */
#define QR_MAX_PAYLOAD 1024
/* Codes reported from one frame at most; more in the same picture are ignored. */
#define QR_MAX_CODES 4

struct qr_code {
	size_t len;                    /* bytes of the payload (before any cut) */
	bool truncated;                /* len > QR_MAX_PAYLOAD: data holds the first bytes only */
	uint8_t data[QR_MAX_PAYLOAD + 1]; /* the payload, NUL-terminated after min(len, max);
					    it may itself contain NUL bytes */
};

struct qr_scanner;

/* A scanner for QR codes. Errors: LT_ERR_NOMEM. */
lt_err qr_scanner_new(struct qr_scanner **out);

/* NULL is allowed. */
void qr_scanner_free(struct qr_scanner *q);

/*
 * Look for QR codes in a grayscale picture: `height` rows of `stride` bytes, each starting
 * with `width` pixels (0 black .. 255 white). Fills up to `max` codes into `out` and returns
 * how many were found (0: none), or -1 on a bad argument or when zbar failed (out of memory).
 * Codes at any angle are found; a code whose modules are under ~2 pixels is not.
 */
int qr_scan(struct qr_scanner *q, const uint8_t *gray, int width, int height, int stride,
	    struct qr_code *out, int max);

/*
 * The same, looking closer: the picture at twice its size (interpolated) goes to zbar. Small,
 * blurred or noisy codes with modules of 3 to 5 pixels, which qr_scan misses, are often found
 * then; it costs about four times as long, so it is a second look for some of the frames in
 * which qr_scan found nothing, not for every frame.
 */
int qr_scan_closer(struct qr_scanner *q, const uint8_t *gray, int width, int height, int stride,
		   struct qr_code *out, int max);

#endif
