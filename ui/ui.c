/*
 * ui.c — the screen's core: window or offscreen surface, renderer, rotation of the logical
 * canvas onto the window, input (mouse, touch, keys) mapped back through the rotation, the
 * tap and hold gestures, the widget list, and PNG screenshots through libpng.
 */
#include "ui_internal.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *font_files[2] = { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf" };

static int ttf_refs;

static void set_sizes(struct ui *u, int w, int h)
{
	u->win_w = w;
	u->win_h = h;
	if (u->rotation == 90 || u->rotation == 270) {
		u->log_w = h;
		u->log_h = w;
	} else {
		u->log_w = w;
		u->log_h = h;
	}
	int m = u->log_w < u->log_h ? u->log_w : u->log_h;
	u->unit = (float)m / 60.0f;
}

/* The target texture that holds the logical canvas when it must be rotated. */
static lt_err make_canvas(struct ui *u, char *why, size_t n)
{
	if (u->canvas) {
		SDL_DestroyTexture(u->canvas);
		u->canvas = NULL;
	}
	if (u->rotation == 0)
		return LT_OK;
	if (!SDL_RenderTargetSupported(u->ren)) {
		snprintf(why, n, "the renderer cannot draw to a texture, so the screen cannot be "
			 "rotated: set [ui] rotation = 0");
		return LT_ERR_INVALID;
	}
	u->canvas = SDL_CreateTexture(u->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET,
				      u->log_w, u->log_h);
	if (!u->canvas) {
		snprintf(why, n, "cannot create the screen canvas: %s", SDL_GetError());
		return LT_ERR_NOMEM;
	}
	return LT_OK;
}

static lt_err common_init(struct ui *u, int rotation, const char *font_dir, char *why, size_t n)
{
	if (rotation != 0 && rotation != 90 && rotation != 180 && rotation != 270) {
		snprintf(why, n, "[ui] rotation must be 0, 90, 180 or 270, not %d", rotation);
		return LT_ERR_INVALID;
	}
	u->rotation = rotation;
	if (!font_dir || !*font_dir)
		font_dir = UI_DEFAULT_FONT_DIR;
	for (int i = 0; i < 2; i++) {
		snprintf(u->font_path[i], sizeof u->font_path[i], "%s/%s", font_dir, font_files[i]);
		if (access(u->font_path[i], R_OK) != 0) {
			snprintf(why, n, "font not found: %s (install fonts-dejavu-core or set [ui] "
				 "font_dir)", u->font_path[i]);
			return LT_ERR_NOT_FOUND;
		}
	}
	if (TTF_Init() != 0) {
		snprintf(why, n, "cannot start the font renderer: %s", TTF_GetError());
		return LT_ERR_NOMEM;
	}
	ttf_refs++;
	if (!ui_font(u, FONT_REGULAR, 16) || !ui_font(u, FONT_BOLD, 16)) {
		snprintf(why, n, "cannot load the fonts in %s: %s", font_dir, TTF_GetError());
		return LT_ERR_NOT_FOUND;
	}
	u->last_screen = VIEW_SCREEN_COUNT;
	return LT_OK;
}

lt_err ui_open_offscreen(int width, int height, int rotation, const char *font_dir,
			 struct ui **out, char *why, size_t n)
{
	*out = NULL;
	if (width <= 0 || height <= 0) {
		snprintf(why, n, "offscreen size must be positive, not %dx%d", width, height);
		return LT_ERR_INVALID;
	}
	struct ui *u = calloc(1, sizeof *u);
	if (!u) {
		snprintf(why, n, "out of memory");
		return LT_ERR_NOMEM;
	}
	lt_err err = common_init(u, rotation, font_dir, why, n);
	if (err)
		goto fail;
	/* events only (SDL_QUIT, timers): no display needed */
	err = LT_ERR_NOMEM;
	if (SDL_InitSubSystem(SDL_INIT_EVENTS) != 0) {
		snprintf(why, n, "cannot start SDL: %s", SDL_GetError());
		goto fail;
	}
	u->own_video = false;
	set_sizes(u, width, height);
	u->surface = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!u->surface) {
		snprintf(why, n, "cannot create a %dx%d surface: %s", width, height, SDL_GetError());
		goto fail;
	}
	u->ren = SDL_CreateSoftwareRenderer(u->surface);
	if (!u->ren) {
		snprintf(why, n, "cannot create the software renderer: %s", SDL_GetError());
		goto fail;
	}
	u->mouse_sx = u->mouse_sy = 1.0f;
	err = make_canvas(u, why, n);
	if (err)
		goto fail;
	*out = u;
	return LT_OK;
fail:
	ui_close(u);
	return err;
}

lt_err ui_open(const struct ui_options *o, struct ui **out, char *why, size_t n)
{
	*out = NULL;
	struct ui *u = calloc(1, sizeof *u);
	if (!u) {
		snprintf(why, n, "out of memory");
		return LT_ERR_NOMEM;
	}
	lt_err err = common_init(u, o->rotation, o->font_dir, why, n);
	if (err)
		goto fail;
	/* One touch must not arrive twice (as a finger and as a synthesized mouse event). */
	SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
	SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
	SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
	err = LT_ERR_NO_DEVICE;
	if (SDL_InitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
		snprintf(why, n, "no display for the screen (%s): start under a desktop, on the "
			 "console (kmsdrm), or run headless", SDL_GetError());
		goto fail;
	}
	u->own_video = true;
	const char *drv = SDL_GetCurrentVideoDriver();
	/* Without any display SDL falls back on drivers that show nothing (offscreen, dummy):
	 * that is no screen, unless SDL_VIDEODRIVER asked for one of them (tests). */
	const char *asked = SDL_getenv("SDL_VIDEODRIVER");
	if (drv && (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0) &&
	    !(asked && SDL_strcasecmp(asked, drv) == 0)) {
		snprintf(why, n, "no display for the screen, SDL found only its %s driver: start "
			 "under a desktop, on the console (kmsdrm), or run headless", drv);
		goto fail;
	}
	const char *fs = o->fullscreen && *o->fullscreen ? o->fullscreen : "auto";
	bool full = strcmp(fs, "yes") == 0 ||
		    (strcmp(fs, "auto") == 0 && drv && strcmp(drv, "kmsdrm") == 0);
	int w = o->width > 0 ? o->width : UI_DEFAULT_WIDTH;
	int h = o->height > 0 ? o->height : UI_DEFAULT_HEIGHT;
	Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
	if (full)
		flags |= o->width > 0 && o->height > 0 ? SDL_WINDOW_FULLSCREEN
							: SDL_WINDOW_FULLSCREEN_DESKTOP;
	if (!(drv && strcmp(drv, "kmsdrm") == 0))
		SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0"); /* see the renderer below */
	/* A window larger than the desktop's usable area (the 1280x800 default on the 7" panel's
	 * 800x480, less a panel bar) would hang over its edges, Stop out of reach: it shrinks
	 * to that area (the layout scales to any size) and sits in it. */
	SDL_Rect usable = {0};
	bool fit = !full && SDL_GetDisplayUsableBounds(0, &usable) == 0 && usable.w > 0 &&
		   usable.h > 0 && (w > usable.w || h > usable.h);
	int x = SDL_WINDOWPOS_CENTERED, y = SDL_WINDOWPOS_CENTERED;
	if (fit) {
		w = w < usable.w ? w : usable.w;
		h = h < usable.h ? h : usable.h;
		x = usable.x + (usable.w - w) / 2;
		y = usable.y + (usable.h - h) / 2;
	}
	u->win = SDL_CreateWindow("lectern", x, y, w, h, flags);
	if (!u->win) {
		snprintf(why, n, "cannot open a %dx%d window on %s: %s", w, h, drv ? drv : "?",
			 SDL_GetError());
		goto fail;
	}
	/* The window manager's frame (title bar, borders) is known only once the window is
	 * shown; the frame counts against the usable area too. */
	int top = 0, left = 0, bottom = 0, right = 0;
	if (fit && SDL_GetWindowBordersSize(u->win, &top, &left, &bottom, &right) == 0 &&
	    (w + left + right > usable.w || h + top + bottom > usable.h)) {
		int fw = usable.w - left - right, fh = usable.h - top - bottom;
		if (fw > 0 && fh > 0) {
			SDL_SetWindowSize(u->win, fw < w ? fw : w, fh < h ? fh : h);
			SDL_SetWindowPosition(u->win, usable.x + left, usable.y + top);
		}
	}
	/* The software renderer wherever SDL can present its frames without GL (X11, Wayland):
	 * a frame takes ~1-2 ms, and a GL stack (llvmpipe on a desktop without a GPU) would
	 * double the process's memory. KMS/DRM presents through GLES, so it gets that. */
	bool kms = drv && strcmp(drv, "kmsdrm") == 0;
	u->ren = SDL_CreateRenderer(u->win, -1,
				    (kms ? SDL_RENDERER_ACCELERATED : SDL_RENDERER_SOFTWARE) |
					    SDL_RENDERER_TARGETTEXTURE);
	if (!u->ren)
		u->ren = SDL_CreateRenderer(u->win, -1, 0);
	if (!u->ren) {
		snprintf(why, n, "cannot create a renderer for the window: %s", SDL_GetError());
		goto fail;
	}
	if (full)
		SDL_ShowCursor(SDL_DISABLE);
	int ow = 0, oh = 0, ww = 0, wh = 0;
	SDL_GetRendererOutputSize(u->ren, &ow, &oh);
	SDL_GetWindowSize(u->win, &ww, &wh);
	u->mouse_sx = ww > 0 ? (float)ow / (float)ww : 1.0f;
	u->mouse_sy = wh > 0 ? (float)oh / (float)wh : 1.0f;
	set_sizes(u, ow, oh);
	err = make_canvas(u, why, n);
	if (err)
		goto fail;
	*out = u;
	return LT_OK;
fail:
	ui_close(u);
	return err;
}

void ui_close(struct ui *u)
{
	if (!u)
		return;
	ui_text_cache_free(u);
	free(u->last_view);
	if (u->canvas)
		SDL_DestroyTexture(u->canvas);
	if (u->camera)
		SDL_DestroyTexture(u->camera);
	if (u->ren)
		SDL_DestroyRenderer(u->ren);
	if (u->surface)
		SDL_FreeSurface(u->surface);
	if (u->win)
		SDL_DestroyWindow(u->win);
	if (u->own_video)
		SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
	else if (u->ren || u->surface)
		SDL_QuitSubSystem(SDL_INIT_EVENTS);
	if (ttf_refs > 0) {
		ttf_refs--;
		TTF_Quit();
	}
	free(u);
}

void ui_size(const struct ui *u, int *win_w, int *win_h, int *log_w, int *log_h)
{
	if (win_w)
		*win_w = u->win_w;
	if (win_h)
		*win_h = u->win_h;
	if (log_w)
		*log_w = u->log_w;
	if (log_h)
		*log_h = u->log_h;
}

/* ---- coordinates ---- */

static SDL_Rect to_window(const struct ui *u, SDL_Rect r)
{
	switch (u->rotation) {
	case 90:
		return (SDL_Rect){ u->log_h - (r.y + r.h), r.x, r.h, r.w };
	case 180:
		return (SDL_Rect){ u->log_w - (r.x + r.w), u->log_h - (r.y + r.h), r.w, r.h };
	case 270:
		return (SDL_Rect){ r.y, u->log_w - (r.x + r.w), r.h, r.w };
	default:
		return r;
	}
}

static void to_logical(const struct ui *u, int wx, int wy, int *lx, int *ly)
{
	switch (u->rotation) {
	case 90:
		*lx = wy;
		*ly = u->log_h - 1 - wx;
		break;
	case 180:
		*lx = u->log_w - 1 - wx;
		*ly = u->log_h - 1 - wy;
		break;
	case 270:
		*lx = u->log_w - 1 - wy;
		*ly = wx;
		break;
	default:
		*lx = wx;
		*ly = wy;
	}
}

/* ---- rendering ---- */

static void draw_frame(struct ui *u, const struct view *v)
{
	u->frame++;
	u->n_widgets = 0;
	u->overflows = 0;
	if (v->screen != u->last_screen) {
		u->hold_hint = false;
		u->last_screen = v->screen;
	}
	if (u->canvas)
		SDL_SetRenderTarget(u->ren, u->canvas);
	SDL_SetRenderDrawBlendMode(u->ren, SDL_BLENDMODE_NONE);
	SDL_SetRenderDrawColor(u->ren, COL_BG.r, COL_BG.g, COL_BG.b, 0xff);
	SDL_RenderClear(u->ren);
	ui_draw_screen(u, v);
	if (u->canvas) {
		SDL_SetRenderTarget(u->ren, NULL);
		SDL_SetRenderDrawColor(u->ren, 0, 0, 0, 0xff);
		SDL_RenderClear(u->ren);
		/* SDL rotates dst about its centre: place the unrotated canvas centred on the
		 * window so that, turned, it covers the window exactly. */
		SDL_Rect dst = { (u->win_w - u->log_w) / 2, (u->win_h - u->log_h) / 2, u->log_w,
				 u->log_h };
		SDL_RenderCopyEx(u->ren, u->canvas, NULL, &dst, (double)u->rotation, NULL,
				 SDL_FLIP_NONE);
	}
}

void ui_render(struct ui *u, const struct view *v)
{
	if (u->win)
		u->now_ms = SDL_GetTicks() > u->now_ms ? SDL_GetTicks() : u->now_ms;
	draw_frame(u, v);
	SDL_RenderPresent(u->ren);
	u->dirty = false;
	if (u->win) {
		if (!u->last_view)
			u->last_view = malloc(sizeof *u->last_view);
		if (u->last_view && u->last_view != v)
			memcpy(u->last_view, v, sizeof *v);
	}
}

bool ui_dirty(const struct ui *u)
{
	return u->dirty || u->holding;
}

const struct view *ui_last_view(const struct ui *u)
{
	return u->last_view;
}

int ui_text_overflows(const struct ui *u)
{
	return u->overflows;
}

void ui_set_shift(struct ui *u, int dx, int dy)
{
	if (u->shift_x != dx || u->shift_y != dy)
		u->dirty = true;
	u->shift_x = dx;
	u->shift_y = dy;
}

/* ---- widgets and gestures ---- */

static const struct widget *find(const struct ui *u, const char *name)
{
	for (int i = 0; i < u->n_widgets; i++)
		if (strcmp(u->widgets[i].name, name) == 0)
			return &u->widgets[i];
	return NULL;
}

static const struct widget *hit(const struct ui *u, int wx, int wy)
{
	int lx, ly;
	to_logical(u, wx, wy, &lx, &ly);
	SDL_Point p = { lx, ly };
	/* later widgets are drawn on top */
	for (int i = u->n_widgets - 1; i >= 0; i--) {
		const struct widget *w = &u->widgets[i];
		if (w->kind != WIDGET_INFO && w->enabled && SDL_PointInRect(&p, &w->r))
			return w;
	}
	return NULL;
}

bool ui_find(const struct ui *u, const char *name, int *cx, int *cy, int *w, int *h)
{
	const struct widget *wd = find(u, name);
	if (!wd)
		return false;
	SDL_Rect r = to_window(u, wd->r);
	if (cx)
		*cx = r.x + r.w / 2;
	if (cy)
		*cy = r.y + r.h / 2;
	if (w)
		*w = r.w;
	if (h)
		*h = r.h;
	return true;
}

void ui_dump_widgets(const struct ui *u, FILE *f)
{
	for (int i = 0; i < u->n_widgets; i++) {
		const struct widget *w = &u->widgets[i];
		SDL_Rect r = to_window(u, w->r);
		fputs("{\"name\":\"", f);
		for (const char *p = w->name; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputc(*p, f);
		}
		fprintf(f, "\",\"x\":%d,\"y\":%d,\"w\":%d,\"h\":%d,\"tap\":%s,\"enabled\":%s}\n", r.x,
			r.y, r.w, r.h, w->kind == WIDGET_INFO ? "false" : "true",
			w->enabled ? "true" : "false");
	}
}

static int emit(struct view_event *ev, struct view_event e)
{
	*ev = e;
	return 1;
}

int ui_press(struct ui *u, const struct view *v, int x, int y, uint32_t t_ms,
	     struct view_event *ev)
{
	(void)v;
	u->now_ms = t_ms;
	const struct widget *w = hit(u, x, y);
	u->pressed[0] = 0;
	u->holding = false;
	u->hold_done = false;
	u->hold_hint = false;
	if (w) {
		snprintf(u->pressed, sizeof u->pressed, "%s", w->name);
		u->press_ms = t_ms;
		u->holding = w->kind == WIDGET_HOLD;
	}
	u->dirty = true;
	return emit(ev, (struct view_event){ .type = EV_ACTIVITY });
}

int ui_hold_tick(struct ui *u, const struct view *v, uint32_t t_ms, struct view_event *ev)
{
	(void)v;
	if (t_ms > u->now_ms)
		u->now_ms = t_ms;
	if (!u->holding || u->hold_done)
		return 0;
	u->dirty = true;
	if (t_ms - u->press_ms < UI_HOLD_MS)
		return 0;
	const struct widget *w = find(u, u->pressed);
	u->hold_done = true;
	if (!w || w->kind != WIDGET_HOLD)
		return 0;
	return emit(ev, w->ev);
}

int ui_release(struct ui *u, const struct view *v, int x, int y, uint32_t t_ms,
	       struct view_event *ev)
{
	if (!u->pressed[0])
		return 0;
	int got = 0;
	if (u->holding) {
		/* a hold that reached its time fires even if this release comes late */
		got = ui_hold_tick(u, v, t_ms, ev);
		if (!got && !u->hold_done)
			u->hold_hint = true;
	} else {
		u->now_ms = t_ms;
		const struct widget *w = hit(u, x, y);
		if (w && strcmp(w->name, u->pressed) == 0)
			got = emit(ev, w->ev);
	}
	u->pressed[0] = 0;
	u->holding = false;
	u->hold_done = false;
	u->dirty = true;
	return got;
}

/* ---- SDL input ---- */

static void finger_xy(const struct ui *u, float fx, float fy, int *x, int *y)
{
	*x = (int)(fx * (float)u->win_w);
	*y = (int)(fy * (float)u->win_h);
	if (*x >= u->win_w)
		*x = u->win_w - 1;
	if (*y >= u->win_h)
		*y = u->win_h - 1;
}

static int translate(struct ui *u, const struct view *v, const SDL_Event *e, struct view_event *ev)
{
	int x, y;
	switch (e->type) {
	case SDL_QUIT:
		return emit(ev, (struct view_event){ .type = EV_QUIT });
	case SDL_MOUSEBUTTONDOWN:
		if (e->button.button != SDL_BUTTON_LEFT || e->button.which == SDL_TOUCH_MOUSEID)
			return 0;
		u->mouse_down = true;
		return ui_press(u, v, (int)((float)e->button.x * u->mouse_sx),
				(int)((float)e->button.y * u->mouse_sy), e->button.timestamp, ev);
	case SDL_MOUSEBUTTONUP:
		if (e->button.button != SDL_BUTTON_LEFT || !u->mouse_down ||
		    e->button.which == SDL_TOUCH_MOUSEID)
			return 0;
		u->mouse_down = false;
		return ui_release(u, v, (int)((float)e->button.x * u->mouse_sx),
				  (int)((float)e->button.y * u->mouse_sy), e->button.timestamp, ev);
	case SDL_FINGERDOWN:
		if (u->finger_down)
			return 0;         /* one finger at a time */
		u->finger_down = true;
		u->finger = e->tfinger.fingerId;
		finger_xy(u, e->tfinger.x, e->tfinger.y, &x, &y);
		return ui_press(u, v, x, y, e->tfinger.timestamp, ev);
	case SDL_FINGERUP:
		if (!u->finger_down || e->tfinger.fingerId != u->finger)
			return 0;
		u->finger_down = false;
		finger_xy(u, e->tfinger.x, e->tfinger.y, &x, &y);
		return ui_release(u, v, x, y, e->tfinger.timestamp, ev);
	case SDL_KEYDOWN:
		switch (e->key.keysym.sym) {
		case SDLK_ESCAPE:
			return emit(ev, (struct view_event){ .type = EV_SHOW, .arg = VIEW_HOME });
		case SDLK_BACKSPACE:
			return emit(ev, (struct view_event){ .type = EV_BACKSPACE });
		case SDLK_RETURN:
			if (v->keyboard)
				return emit(ev, (struct view_event){ .type = EV_KEYBOARD, .arg = 0 });
			return 0;
		default:
			return 0;
		}
	case SDL_TEXTINPUT: {
		/* one character per event, as the on-screen keyboard sends them */
		struct view_event k = { .type = EV_KEY };
		const char *s = e->text.text;
		size_t n = (size_t)(utf8_next(s) - s);
		if (!*s || n >= sizeof k.text)
			return 0;
		memcpy(k.text, s, n);
		return emit(ev, k);
	}
	case SDL_WINDOWEVENT:
		if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED && u->win) {
			int ow = 0, oh = 0, ww = 0, wh = 0;
			char why[160];
			SDL_GetRendererOutputSize(u->ren, &ow, &oh);
			SDL_GetWindowSize(u->win, &ww, &wh);
			u->mouse_sx = ww > 0 ? (float)ow / (float)ww : 1.0f;
			u->mouse_sy = wh > 0 ? (float)oh / (float)wh : 1.0f;
			float old = u->unit;
			set_sizes(u, ow, oh);
			if (old != u->unit)
				ui_text_cache_free(u);
			make_canvas(u, why, sizeof why);
		}
		u->dirty = true;
		return 0;
	default:
		return 0;
	}
}

int ui_wait(struct ui *u, const struct view *v, int timeout_ms, struct view_event *ev)
{
	SDL_Event e;
	uint32_t start = SDL_GetTicks();
	if (u->holding && !u->hold_done && (timeout_ms < 0 || timeout_ms > 33))
		timeout_ms = 33; /* the hold's progress is drawn ~30 times a second */
	for (;;) {
		uint32_t now = SDL_GetTicks();
		if (ui_hold_tick(u, v, now, ev))
			return 1;
		int left = timeout_ms - (int)(now - start);
		if (left < 0)
			left = 0;
		if (u->holding && !u->hold_done) {
			int due = (int)(u->press_ms + UI_HOLD_MS - now);
			if (due < 0)
				due = 0;
			if (due < left)
				left = due;
			if (left > 33)
				left = 33;
		}
		if (!SDL_WaitEventTimeout(&e, left)) {
			now = SDL_GetTicks();
			if (ui_hold_tick(u, v, now, ev))
				return 1;
			if (u->holding || (int)(now - start) >= timeout_ms)
				return 0;
			continue;
		}
		if (translate(u, v, &e, ev))
			return 1;
		if ((int)(SDL_GetTicks() - start) >= timeout_ms)
			return 0;
	}
}

/* ---- screenshots ---- */

/* libpng reports errors by longjmp: keep this frame free of variables that change after it. */
static int write_png(FILE *f, png_bytep *rows, int w, int h)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (!png)
		return -1;
	png_infop info = png_create_info_struct(png);
	if (!info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, info ? &info : NULL);
		return -1;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	png_write_image(png, rows);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return 0;
}

int ui_save_png(struct ui *u, const char *path)
{
	int w = u->win_w, h = u->win_h;
	uint8_t *rgb = malloc((size_t)w * (size_t)h * 3);
	png_bytep *rows = malloc(sizeof *rows * (size_t)h);
	int rc = -1;
	if (!rgb || !rows) {
		errno = ENOMEM;
		goto out;
	}
	/* A window's back buffer is undefined after present: draw the last view again, read it,
	 * then present it. The offscreen surface keeps the last frame as it is. */
	if (u->win && u->last_view)
		draw_frame(u, u->last_view);
	int rd = SDL_RenderReadPixels(u->ren, NULL, SDL_PIXELFORMAT_RGB24, rgb, w * 3);
	if (u->win && u->last_view)
		SDL_RenderPresent(u->ren);
	if (rd != 0) {
		errno = EIO;
		goto out;
	}
	for (int y = 0; y < h; y++)
		rows[y] = rgb + (size_t)y * (size_t)w * 3;
	FILE *f = fopen(path, "wb");
	if (!f)
		goto out;
	rc = write_png(f, rows, w, h);
	if (rc != 0)
		errno = EIO;
	if (fclose(f) != 0)
		rc = -1;
	if (rc != 0)
		unlink(path);
out:
	free(rows);
	free(rgb);
	return rc;
}
