/*
 * screen_sdl.c — the SDL touchscreen as a screen backend (screen.h): the plugin's one
 * exported symbol, lectern_screen_sdl(), and the ops table over ui.h. Everything else in the
 * plugin is hidden (built with -fvisibility=hidden).
 */
#include "ui_internal.h"

#include <stdlib.h>

#include "lectern/screen.h"

struct sdl_screen {
	struct screen base;
	struct ui *ui;
};

#define UI_OF(s) (((struct sdl_screen *)(s))->ui)

static lt_err sdl_open(const struct screen_params *p, struct screen **out, char *why, size_t n)
{
	struct sdl_screen *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(why, n, "out of memory");
		return LT_ERR_NOMEM;
	}
	/* The appliance handles SIGINT and SIGTERM itself (a recording is finished first). */
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	struct ui_options o = {.width = p->width, .height = p->height,
			       .fullscreen = p->fullscreen, .rotation = p->rotation,
			       .font_dir = p->font_dir};
	lt_err err = ui_open(&o, &s->ui, why, n);
	if (err != LT_OK) {
		free(s);
		return err;
	}
	*out = &s->base;
	return LT_OK;
}

static void sdl_close(struct screen *s)
{
	ui_close(UI_OF(s));
	free(s);
}

static void sdl_post(struct screen *s, const struct view *v)
{
	ui_render(UI_OF(s), v);
}

static int sdl_next_event(struct screen *s, int timeout_ms, struct view_event *ev)
{
	static const struct view none; /* input before the first post means nothing */
	const struct view *v = ui_last_view(UI_OF(s));
	return ui_wait(UI_OF(s), v ? v : &none, timeout_ms, ev);
}

static bool sdl_dirty(const struct screen *s)
{
	return ui_dirty(UI_OF(s));
}

static void sdl_set_shift(struct screen *s, int dx, int dy)
{
	ui_set_shift(UI_OF(s), dx, dy);
}

static void sdl_dump_widgets(const struct screen *s, FILE *f)
{
	ui_dump_widgets(UI_OF(s), f);
}

static int sdl_save_png(struct screen *s, const char *path)
{
	return ui_save_png(UI_OF(s), path);
}

static const struct screen_ops sdl_ops = {
	.abi = SCREEN_ABI,
	.view_size = sizeof(struct view),
	.name = "sdl",
	.open = sdl_open,
	.close = sdl_close,
	.post = sdl_post,
	.next_event = sdl_next_event,
	.dirty = sdl_dirty,
	.set_shift = sdl_set_shift,
	.dump_widgets = sdl_dump_widgets,
	.save_png = sdl_save_png,
};

__attribute__((visibility("default"))) const struct screen_ops *lectern_screen_sdl(void)
{
	return &sdl_ops;
}
