/*
 * qr.c — QR codes on the screen, encoded by libqrencode (never by hand): dark modules on a
 * white square with the standard quiet zone of 4 modules, every module the same whole number
 * of pixels (the largest that fits its box), so that the code stays crisp at any panel size
 * and through the rotation. A module under QR_MIN_PX pixels is not drawn at all: a code too
 * small to scan would only mislead.
 *
 * Encoding a link takes longer than drawing it, so the last few codes are kept (a small
 * cache keyed by their text; the screen shows a handful at a time).
 */
#include "ui_internal.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4                    /* modules of white around the code (ISO/IEC 18004) */
#define CACHE 16

struct qr_entry {
	char *text;
	QRcode *code;
	uint32_t used;
};

/* One screen thread draws (SDL's rule): a plain static cache is safe here. */
static struct qr_entry cache[CACHE];
static uint32_t clock_ticks;

static const QRcode *encode(const char *text)
{
	struct qr_entry *slot = &cache[0];
	for (int i = 0; i < CACHE; i++) {
		if (cache[i].text && strcmp(cache[i].text, text) == 0) {
			cache[i].used = ++clock_ticks;
			return cache[i].code;
		}
		if (cache[i].used < slot->used)
			slot = &cache[i];
	}
	/* Level M: a glare or a finger's smudge on the glass still reads. Byte mode: a link is
	 * case-sensitive. */
	QRcode *code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	char *copy = code ? strdup(text) : NULL;
	if (!code || !copy) {
		QRcode_free(code);
		free(copy);
		return NULL;
	}
	free(slot->text);
	QRcode_free(slot->code);
	*slot = (struct qr_entry){ copy, code, ++clock_ticks };
	return code;
}

SDL_Rect ui_qr(struct ui *u, SDL_Rect box, const char *text, const char *name)
{
	SDL_Rect none = { box.x, box.y, 0, 0 };
	const QRcode *code = text && *text ? encode(text) : NULL;
	if (!code)
		return none;
	int side = code->width + 2 * QUIET;
	int fit = box.w < box.h ? box.w : box.h;
	int px = fit / side;
	if (px < QR_MIN_PX)
		return none;
	int size = side * px;
	SDL_Rect sq = { box.x + (box.w - size) / 2, box.y + (box.h - size) / 2, size, size };
	ui_fill(u, sq, (SDL_Color){ 0xff, 0xff, 0xff, 0xff });
	/* Each row's runs of dark modules as one rectangle: a few hundred per code. */
	SDL_Rect runs[177];
	SDL_SetRenderDrawColor(u->ren, 0, 0, 0, 0xff);
	for (int y = 0; y < code->width; y++) {
		int n = 0;
		const unsigned char *row = code->data + y * code->width;
		for (int x = 0; x < code->width;) {
			if (!(row[x] & 1)) {
				x++;
				continue;
			}
			int x0 = x;
			while (x < code->width && (row[x] & 1))
				x++;
			runs[n++] = (SDL_Rect){ sq.x + (QUIET + x0) * px, sq.y + (QUIET + y) * px,
						(x - x0) * px, px };
		}
		if (n)
			SDL_RenderFillRects(u->ren, runs, n);
	}
	if (name)
		ui_widget(u, name, sq, WIDGET_INFO, EV_NONE, 0);
	return sq;
}
