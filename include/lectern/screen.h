/*
 * screen.h — the screen behind an ops table: what `lectern run` shows its view model on and
 * hears taps from. The firmware posts a `struct view` (view.h) and takes `struct view_event`s;
 * it never sees how they are drawn or where they come from.
 *
 * Two backends:
 *   - the SDL touchscreen (ui/), built as a plugin, build/lectern-screen-sdl.so, installed in
 *     LECTERN_LIBDIR (default /usr/lib/lectern). It is the only part of lectern that links
 *     SDL2, SDL2_ttf and libpng, and `lectern run` is the only command that loads it
 *     (screen_load), so every other command starts without them. The plugin is self-contained:
 *     it needs no symbol from the executable (linked with --no-undefined) and exports one,
 *     SCREEN_SDL_ENTRY;
 *   - the null screen (firmware/appliance/screen_null.c), in the core: draws nothing, hears nothing.
 *     It serves the tests that need a screen but no pixels (the kiosk's).
 *
 * A screen is used by one thread at a time, the one that opened it (SDL's rule).
 *
 * ABI: a plugin built from another version of this header or of view.h must not be used.
 * Every backend's ops table starts with `abi` (SCREEN_ABI when it was built) and `view_size`
 * (its sizeof(struct view)); screen_load refuses a plugin on which either differs. Raise
 * SCREEN_ABI with every change to this header, to view.h beyond what view_size catches (a
 * reordering) or to the lt_err codes the backends return.
 */
#ifndef LECTERN_SCREEN_H
#define LECTERN_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lectern/err.h"
#include "lectern/view.h"

#define SCREEN_ABI 1
#define SCREEN_SDL_ENTRY "lectern_screen_sdl"   /* the plugin's one exported symbol */
#define SCREEN_SDL_FILE "lectern-screen-sdl.so"

struct screen_params {
	int width, height;       /* window size; 0 = 1280x800, or the display's when fullscreen */
	const char *fullscreen;  /* "auto" (fullscreen without a desktop: kmsdrm) | "yes" | "no" */
	int rotation;            /* 0 | 90 | 180 | 270, clockwise */
	const char *font_dir;    /* holds DejaVuSans.ttf and DejaVuSans-Bold.ttf; NULL = default */
};

struct screen;

struct screen_ops {
	int abi;                 /* SCREEN_ABI the backend was built with: first, never moves */
	size_t view_size;        /* sizeof(struct view) the backend was built with */
	const char *name;        /* "sdl", "null" */
	/* See screen_open(). */
	lt_err (*open)(const struct screen_params *p, struct screen **out, char *why, size_t n);
	void (*close)(struct screen *s);
	void (*post)(struct screen *s, const struct view *v);
	int (*next_event)(struct screen *s, int timeout_ms, struct view_event *ev);
	bool (*dirty)(const struct screen *s);
	void (*set_shift)(struct screen *s, int dx, int dy);
	void (*dump_widgets)(const struct screen *s, FILE *f);
	int (*save_png)(struct screen *s, const char *path);
};

/* The part every backend's screen starts with. */
struct screen {
	const struct screen_ops *ops;
};

/* The plugin's entry (SCREEN_SDL_ENTRY): its ops table. Calls nothing; never fails. */
typedef const struct screen_ops *(*screen_entry_fn)(void);
const struct screen_ops *lectern_screen_sdl(void);

extern const struct screen_ops screen_null_ops;

/*
 * The SDL screen's plugin: the file named by the environment variable LECTERN_SCREEN if it is
 * set (development, tests, `make run`), else LECTERN_LIBDIR/lectern-screen-sdl.so. Loads it
 * (dlopen; it stays loaded until the process ends: SDL and the display's libraries register
 * handlers that must not outlive their code) and checks its ABI. On failure returns
 * LT_ERR_NOT_FOUND (no such file, not loadable, no entry) or LT_ERR_INVALID (another ABI) and
 * `why` names the file and what to do.
 */
lt_err screen_load(const struct screen_ops **ops, char *why, size_t n);

/*
 * Open a screen through `ops`. On failure *out is NULL and `why` says what to do: the SDL
 * screen returns LT_ERR_NO_DEVICE (no display), LT_ERR_NOT_FOUND (a font file is missing),
 * LT_ERR_INVALID (bad rotation) or LT_ERR_NOMEM. The null screen ignores `p` (may be NULL)
 * and fails only for memory.
 */
lt_err screen_open(const struct screen_ops *ops, const struct screen_params *p,
		   struct screen **out, char *why, size_t n);

/* Close and free. NULL is fine. */
void screen_close(struct screen *s);

/* Draw one full frame of `v` and show it. The screen keeps its own copy of `v`: input is
 * translated against what was last posted. Clears the dirty flag. */
void screen_post(struct screen *s, const struct view *v);

/*
 * Wait up to `timeout_ms` for input. Returns 1 with `*ev` filled, 0 on timeout, when the input
 * meant nothing for the caller, or early when the screen's own feedback needs a redraw
 * (about every 33 ms while the Stop button is held: ask screen_dirty). EV_QUIT when the window
 * was closed. Gestures (SDL screen): a tap emits its widget's event on release, if the release
 * is still on the widget; Stop must be held 1.5 s; every press also emits EV_ACTIVITY.
 */
int screen_next_event(struct screen *s, int timeout_ms, struct view_event *ev);

/* True when the screen's own state (pressed feedback, hold progress) needs a new post. */
bool screen_dirty(const struct screen *s);

/* Burn-in protection: shift everything drawn by (dx, dy) logical pixels (a few). */
void screen_set_shift(struct screen *s, int dx, int dy);

/*
 * For automation and support: every widget of the last frame, one JSON object a line,
 * {"name":"start","x":..,"y":..,"w":..,"h":..,"tap":true,"enabled":true} (window pixels).
 * Widget names are listed in ui/ui.h. The null screen writes nothing.
 */
void screen_dump_widgets(const struct screen *s, FILE *f);

/* Save the last frame, as shown, as a PNG. Returns 0, or -1 with errno set (ENOTSUP on the
 * null screen). */
int screen_save_png(struct screen *s, const char *path);

/* Null screen, for tests: how many views were posted, and the last shift asked for. */
unsigned long screen_null_posts(const struct screen *s);
void screen_null_shift(const struct screen *s, int *dx, int *dy);

#endif
