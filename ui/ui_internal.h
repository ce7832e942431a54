/*
 * ui_internal.h — what ui.c (window, input, gestures), draw.c (widgets, text), qr.c (QR codes)
 * and screens.c (the screens) share. Not a public header: nothing outside ui/ includes it.
 *
 * Coordinates: everything here is in the LOGICAL canvas (portrait when rotated 90/270),
 * already including the burn-in shift. ui.c maps window <-> logical.
 */
#ifndef LECTERN_UI_INTERNAL_H
#define LECTERN_UI_INTERNAL_H

#include <SDL.h>
#include <SDL_ttf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "ui.h"
#include "lectern/utf8.h"
#include "lectern/view.h"

#define UI_MAX_WIDGETS 192
#define UI_TEXT_CACHE 384        /* rendered text textures kept (LRU) */
/* ...and their pixels, at most half the screen's (2 MB at 1280x800): a recording's clock makes
 * a new text every second, which would otherwise fill all 384 places (megabytes of the
 * appliance's 40 MB). The busiest screen's texts take 1.6 MB at 1280x800, and a text drawn in
 * the current frame is never dropped. */
#define UI_TEXT_CACHE_SHARE 2    /* bytes of cache per pixel of the screen */
#define UI_MAX_FONTS 16
#define UI_MAX_CIRCLES 8

enum ui_font { FONT_REGULAR, FONT_BOLD };
enum ui_align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

enum widget_kind {
	WIDGET_TAP,      /* emits its event on release */
	WIDGET_HOLD,     /* emits its event after UI_HOLD_MS held */
	WIDGET_INFO      /* findable, never tappable */
};

struct widget {
	char name[40];
	SDL_Rect r;                  /* logical */
	enum widget_kind kind;
	bool enabled;
	struct view_event ev;
};

struct text_entry {
	uint32_t hash;
	uint32_t used;               /* frame stamp, for LRU */
	int font, px, max_w, max_lines;
	SDL_Color c;
	char *s;
	SDL_Texture *tex;
	int w, h;
};

struct font_entry {
	int font, px;
	TTF_Font *f;
};

struct circle_entry {
	int r;
	SDL_Texture *tex;
};

struct ui {
	SDL_Window *win;             /* NULL when offscreen */
	SDL_Surface *surface;        /* offscreen target */
	SDL_Renderer *ren;
	SDL_Texture *canvas;         /* logical canvas when rotated */
	SDL_Texture *camera;         /* the settings screen's preview picture */
	unsigned camera_frame;       /* the picture in `camera` */
	bool own_video;
	int win_w, win_h;            /* renderer output pixels */
	int log_w, log_h;
	int rotation;
	float mouse_sx, mouse_sy;    /* window points -> output pixels (HiDPI) */
	int shift_x, shift_y;
	float unit;                  /* layout unit: min(log_w, log_h) / 60 */
	char font_path[2][PATH_MAX];

	struct font_entry fonts[UI_MAX_FONTS];
	int n_fonts;
	struct text_entry text[UI_TEXT_CACHE];
	size_t text_bytes;           /* the cached textures' pixels (w * h * 4 each) */
	uint32_t frame;
	struct circle_entry circles[UI_MAX_CIRCLES];
	int n_circles;

	struct widget widgets[UI_MAX_WIDGETS];
	int n_widgets;
	int overflows;

	/* interaction */
	char pressed[40];            /* name of the widget under a press, "" when none */
	bool holding;                /* a hold widget is pressed */
	bool hold_done;              /* the current hold already fired */
	bool hold_hint;              /* a hold was released early: say "Hold to stop" */
	uint32_t press_ms;
	uint32_t now_ms;             /* last known time, injected or SDL_GetTicks() */
	bool dirty;
	struct view *last_view;      /* window: redrawn for a screenshot */
	enum view_screen last_screen;
	bool mouse_down;
	SDL_FingerID finger;
	bool finger_down;
};

/* Colours of the theme. */
extern const SDL_Color COL_BG, COL_PANEL, COL_PANEL2, COL_TEXT, COL_DIM, COL_FAINT, COL_GREEN,
	COL_AMBER, COL_BLUE, COL_RED, COL_BUTTON, COL_PRESSED, COL_ACCENT, COL_ON, COL_DARK;

/* draw.c */
int ui_px(const struct ui *u, float units);
TTF_Font *ui_font(struct ui *u, int font, int px);
void ui_text_cache_free(struct ui *u);
void ui_fill(struct ui *u, SDL_Rect r, SDL_Color c);
void ui_round(struct ui *u, SDL_Rect r, int radius, SDL_Color c);
void ui_circle(struct ui *u, int cx, int cy, int radius, SDL_Color c);
int ui_line_height(struct ui *u, int font, int px);
int ui_text_width(struct ui *u, int font, int px, const char *s);
/* Draw `s` fitted in `box` (wrapped over max_lines, the last ellipsized), vertically centred.
 * Returns the height of the drawn block. */
int ui_text(struct ui *u, SDL_Rect box, int font, int px, SDL_Color c, int align, int max_lines,
	    const char *s);
struct widget *ui_widget(struct ui *u, const char *name, SDL_Rect r, enum widget_kind kind,
			 enum view_event_type type, int64_t arg);
bool ui_is_pressed(const struct ui *u, const char *name);
/* A button: rounded panel, label centred, pressed feedback, registered hit box. */
void ui_button(struct ui *u, const char *name, SDL_Rect r, const char *label, SDL_Color bg,
	       int px, enum view_event_type type, int64_t arg, bool enabled);
/* The level meter: -60..0 dBFS, RMS bar in zones, peak-hold tick. */
void ui_meter(struct ui *u, SDL_Rect r, float rms_db, float peak_hold_db, bool scale);
void ui_keyboard(struct ui *u, SDL_Rect r, bool done_key);
SDL_Color ui_mix(SDL_Color a, SDL_Color b, float t);

/* qr.c: `text` as a QR code centred in `box` (modules of whole pixels, quiet zone included),
 * registered as the findable widget `name` (may be NULL); returns the square drawn, of width 0
 * when a module would be under QR_MIN_PX pixels or the text cannot be encoded. */
#define QR_MIN_PX 2
SDL_Rect ui_qr(struct ui *u, SDL_Rect box, const char *text, const char *name);

/* screens.c */
void ui_draw_screen(struct ui *u, const struct view *v);

/* layout: slicing a box */
static inline SDL_Rect cut_top(SDL_Rect *b, int h)
{
	if (h > b->h)
		h = b->h;
	SDL_Rect r = { b->x, b->y, b->w, h };
	b->y += h;
	b->h -= h;
	return r;
}

static inline SDL_Rect cut_bottom(SDL_Rect *b, int h)
{
	if (h > b->h)
		h = b->h;
	SDL_Rect r = { b->x, b->y + b->h - h, b->w, h };
	b->h -= h;
	return r;
}

static inline SDL_Rect cut_left(SDL_Rect *b, int w)
{
	if (w > b->w)
		w = b->w;
	SDL_Rect r = { b->x, b->y, w, b->h };
	b->x += w;
	b->w -= w;
	return r;
}

static inline SDL_Rect cut_right(SDL_Rect *b, int w)
{
	if (w > b->w)
		w = b->w;
	SDL_Rect r = { b->x + b->w - w, b->y, w, b->h };
	b->w -= w;
	return r;
}

static inline SDL_Rect inset(SDL_Rect b, int dx, int dy)
{
	SDL_Rect r = { b.x + dx, b.y + dy, b.w - 2 * dx, b.h - 2 * dy };
	if (r.w < 0)
		r.w = 0;
	if (r.h < 0)
		r.h = 0;
	return r;
}

#endif
