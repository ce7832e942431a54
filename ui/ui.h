/*
 * ui.h — the SDL touchscreen: draws a `struct view` snapshot and turns taps into view events.
 * Internal to ui/: the firmware reaches it only through the screen ops table (screen.h) that
 * screen_sdl.c makes of it in the plugin; tests/unit/test_ui.c and tests/bench/ui_bench.c link
 * ui/ directly and use this API to draw offscreen and drive gestures.
 *
 * The screen holds no business logic. Each frame it lays the view out in a logical canvas
 * (portrait when the panel is rotated 90 or 270 degrees), registers a named hit box for every
 * widget it draws, and rotates the canvas onto the window. Input is mapped back through the
 * rotation and tested against the last frame's hit boxes, so what is tappable is exactly what
 * was drawn.
 *
 * Only the thread that called ui_open() may call anything here (SDL's rule).
 *
 * Gestures:
 *   - a tap emits its widget's event on release, if the release is still on the widget;
 *   - the Stop button must be held 1.5 s (UI_HOLD_MS); releasing earlier cancels and the button
 *     reads "Hold to stop"; only a completed hold emits EV_STOP_RECORDING;
 *   - every touch or mouse press also emits EV_ACTIVITY (it wakes a dimmed screen).
 *
 * Widget names (ui_find, ui_dump_widgets): "home", "start", "checkin", "uploads", "settings",
 * "pause" (pause or resume), "stop", "tag:N", "addtag", "key:<char>" (e.g. "key:a", "key:é"),
 * "key:space", "key:backspace", "key:done", "search", "walkin", "invitee:N", "retry:ID",
 * "pin:0".."pin:9", "pin:clear", "pin:cancel", "input:N", "test", "bright:-", "bright:+",
 * "sessions" (home's button to the past sessions), "thanks" (the thank-you card: a tap on it
 * does nothing); and, findable but not tappable, "rec" (the recording indicator), "meter",
 * "clock", "card", "recent" (home's line over its past sessions), "teachers", and the QR codes
 * drawn, "qr:recent:N" and "qr:found:N" (N the index into the view's recent or found list).
 */
#ifndef LECTERN_UI_H
#define LECTERN_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lectern/err.h"
#include "lectern/view.h"

#define UI_HOLD_MS 1500          /* press-and-hold needed to stop a recording */
#define UI_DEFAULT_WIDTH 1280
#define UI_DEFAULT_HEIGHT 800
#define UI_DEFAULT_FONT_DIR "/usr/share/fonts/truetype/dejavu"

struct ui;

struct ui_options {
	int width, height;       /* window size; 0 = 1280x800, or the display's when fullscreen */
	const char *fullscreen;  /* "auto" (fullscreen on kmsdrm, i.e. no desktop) | "yes" | "no" */
	int rotation;            /* 0 | 90 | 180 | 270, clockwise */
	const char *font_dir;    /* holds DejaVuSans.ttf and DejaVuSans-Bold.ttf; NULL = default */
};

/*
 * Open a real window (SDL video) with a renderer. On failure returns LT_ERR_NO_DEVICE (no
 * display; SDL's offscreen and dummy drivers, its fallbacks, count as none unless
 * SDL_VIDEODRIVER names them), LT_ERR_NOT_FOUND (a font file is missing) or LT_ERR_INVALID
 * (bad rotation), and writes a sentence saying what to do into `why` (`n` bytes).
 */
lt_err ui_open(const struct ui_options *o, struct ui **out, char *why, size_t n);

/*
 * Open an offscreen screen of `width` x `height` window pixels drawn by SDL's software
 * renderer into a memory surface: screenshots, tests and benchmarks. Needs no display.
 */
lt_err ui_open_offscreen(int width, int height, int rotation, const char *font_dir,
			 struct ui **out, char *why, size_t n);

/* Close the window and free everything. NULL is fine. */
void ui_close(struct ui *u);

/* Draw one full frame of `v` and present it. Clears the dirty flag. A window keeps a copy of
 * `v` (ui_last_view). */
void ui_render(struct ui *u, const struct view *v);

/*
 * Wait up to `timeout_ms` for input and translate it against `v` (the view last rendered).
 * Returns 1 with `*ev` filled, 0 on timeout or when the input meant nothing for the caller.
 * Completes a Stop hold when its time has come, and while one is held returns 0 after ~33 ms
 * so that its progress can be drawn. EV_QUIT when the window is closed.
 */
int ui_wait(struct ui *u, const struct view *v, int timeout_ms, struct view_event *ev);

/* The view last rendered into a window, NULL before the first or offscreen. */
const struct view *ui_last_view(const struct ui *u);

/* True when the screen's own state (pressed feedback, hold progress) needs a redraw. */
bool ui_dirty(const struct ui *u);

/*
 * Test and automation hooks: a press, a release and the passing of time at `t_ms` (any
 * monotonic millisecond clock), at window coordinates. Each returns 1 with `*ev` filled when
 * the input produced an event (a press gives EV_ACTIVITY), else 0.
 */
int ui_press(struct ui *u, const struct view *v, int x, int y, uint32_t t_ms,
	     struct view_event *ev);
int ui_release(struct ui *u, const struct view *v, int x, int y, uint32_t t_ms,
	       struct view_event *ev);
int ui_hold_tick(struct ui *u, const struct view *v, uint32_t t_ms, struct view_event *ev);

/* A widget of the last frame, by name, as its centre and size in window coordinates. */
bool ui_find(const struct ui *u, const char *name, int *cx, int *cy, int *w, int *h);

/*
 * Every widget of the last frame, one JSON object a line:
 * {"name":"start","x":..,"y":..,"w":..,"h":..,"tap":true,"enabled":true} (window coordinates).
 */
void ui_dump_widgets(const struct ui *u, FILE *f);

/* Save the last frame, as the window shows it, as a PNG. Returns 0, or -1 (errno kept). */
int ui_save_png(struct ui *u, const char *path);

/* Burn-in protection: shift everything drawn by (dx, dy) logical pixels (a few). */
void ui_set_shift(struct ui *u, int dx, int dy);

/* Text draws in the last frame whose rendered size exceeded their box (0 when all fit). */
int ui_text_overflows(const struct ui *u);

/* `text` (UTF-8, logical order) as it is drawn left to right: right-to-left runs reversed and
 * Arabic joined (bidi.c). Returns `text` itself when nothing changes or `out` (n bytes, at least
 * 4 × strlen(text) + 1) cannot hold the result; else `out`. */
const char *ui_visual(const char *text, char *out, size_t n);

/* The window's size in pixels (after rotation) and the logical canvas's. */
void ui_size(const struct ui *u, int *win_w, int *win_h, int *log_w, int *log_h);

#endif
