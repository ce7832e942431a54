/*
 * draw.c — the screen's widgets: fonts by size, a bounded LRU of rendered text (the text
 * fitted to its box: wrapped, then ellipsized with "…" at a UTF-8 character boundary),
 * anti-aliased circles and rounded panels, buttons with pressed feedback, the level meter and
 * the on-screen keyboard.
 */
#include "ui_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const SDL_Color COL_BG = { 0x10, 0x14, 0x1a, 0xff };
const SDL_Color COL_PANEL = { 0x1c, 0x24, 0x2e, 0xff };
const SDL_Color COL_PANEL2 = { 0x27, 0x32, 0x3f, 0xff };
const SDL_Color COL_TEXT = { 0xf2, 0xf5, 0xf8, 0xff };
const SDL_Color COL_DIM = { 0x9a, 0xa7, 0xb5, 0xff };
const SDL_Color COL_FAINT = { 0x5c, 0x68, 0x75, 0xff };
const SDL_Color COL_GREEN = { 0x22, 0xa8, 0x5a, 0xff };
const SDL_Color COL_AMBER = { 0xf0, 0xa0, 0x00, 0xff };
const SDL_Color COL_BLUE = { 0x2f, 0x74, 0xe0, 0xff };
const SDL_Color COL_RED = { 0xe0, 0x24, 0x24, 0xff };
const SDL_Color COL_BUTTON = { 0x33, 0x41, 0x52, 0xff };
const SDL_Color COL_PRESSED = { 0x5f, 0x7a, 0x96, 0xff };
const SDL_Color COL_ACCENT = { 0x2f, 0x74, 0xe0, 0xff };
const SDL_Color COL_ON = { 0x1d, 0x6b, 0x45, 0xff };
const SDL_Color COL_DARK = { 0x10, 0x14, 0x1a, 0xff };

static const char ELLIPSIS[] = "\xe2\x80\xa6";

int ui_px(const struct ui *u, float units)
{
	return (int)lrintf(units * u->unit);
}

SDL_Color ui_mix(SDL_Color a, SDL_Color b, float t)
{
	SDL_Color c = {
		(Uint8)lrintf((float)a.r + ((float)b.r - (float)a.r) * t),
		(Uint8)lrintf((float)a.g + ((float)b.g - (float)a.g) * t),
		(Uint8)lrintf((float)a.b + ((float)b.b - (float)a.b) * t),
		0xff,
	};
	return c;
}

TTF_Font *ui_font(struct ui *u, int font, int px)
{
	for (int i = 0; i < u->n_fonts; i++)
		if (u->fonts[i].font == font && u->fonts[i].px == px)
			return u->fonts[i].f;
	/* Sizes come from a handful of layout constants, so the table stays small; if it
	 * fills, the oldest size is dropped (its cached text stays valid: textures). */
	if (u->n_fonts == UI_MAX_FONTS) {
		TTF_CloseFont(u->fonts[0].f);
		memmove(&u->fonts[0], &u->fonts[1], sizeof u->fonts[0] * (UI_MAX_FONTS - 1));
		u->n_fonts--;
	}
	TTF_Font *f = TTF_OpenFont(u->font_path[font], px);
	if (!f)
		return NULL;
	TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
	u->fonts[u->n_fonts++] = (struct font_entry){ font, px, f };
	return f;
}

int ui_line_height(struct ui *u, int font, int px)
{
	TTF_Font *f = ui_font(u, font, px);
	return f ? TTF_FontHeight(f) : px;
}

static int measure(TTF_Font *f, const char *s, size_t len)
{
	char buf[1024];
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, s, len);
	buf[len] = 0;
	int w = 0, h = 0;
	if (len == 0 || TTF_SizeUTF8(f, buf, &w, &h) != 0)
		return 0;
	return w;
}

int ui_text_width(struct ui *u, int font, int px, const char *s)
{
	TTF_Font *f = ui_font(u, font, px);
	return f ? measure(f, s, strlen(s)) : 0;
}

/* Longest prefix of s[0..len) (at a character boundary) that, followed by "…", fits max_w. */
static size_t ellipsize_at(TTF_Font *f, const char *s, size_t len, int max_w)
{
	char buf[1024];
	size_t lo = 0, hi = len;
	/* binary search on byte length, snapped down to a character boundary */
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;
		while (mid > 0 && !utf8_is_start((unsigned char)s[mid]))
			mid--;
		if (mid <= lo) {
			hi = lo;
			break;
		}
		size_t k = mid;
		while (k > 0 && s[k - 1] == ' ')
			k--;
		if (k + sizeof ELLIPSIS >= sizeof buf) {
			hi = mid - 1;
			continue;
		}
		memcpy(buf, s, k);
		memcpy(buf + k, ELLIPSIS, sizeof ELLIPSIS);
		int w = 0, h = 0;
		TTF_SizeUTF8(f, buf, &w, &h);
		if (w <= max_w)
			lo = mid;
		else
			hi = mid - 1;
	}
	while (lo > 0 && !utf8_is_start((unsigned char)s[lo]))
		lo--;
	while (lo > 0 && s[lo - 1] == ' ')
		lo--;
	return lo;
}

/* End of the longest prefix of s that fits max_w, breaking after a space where possible. */
static size_t wrap_at(TTF_Font *f, const char *s, size_t len, int max_w)
{
	if (measure(f, s, len) <= max_w)
		return len;
	size_t best = 0;
	for (size_t i = 1; i < len; i++) {
		if (s[i] != ' ')
			continue;
		if (measure(f, s, i) > max_w)
			break;
		best = i;
	}
	if (best)
		return best;
	/* one word longer than the line: break it at a character */
	size_t lo = 0;
	for (size_t i = 1; i <= len; i++) {
		if (i < len && !utf8_is_start((unsigned char)s[i]))
			continue;
		if (measure(f, s, i) > max_w)
			break;
		lo = i;
	}
	return lo ? lo : 1;
}

static uint32_t hash_key(int font, int px, SDL_Color c, int max_w, int max_lines, const char *s)
{
	uint32_t h = 2166136261u;
	uint32_t parts[4] = { (uint32_t)font | (uint32_t)px << 8,
			      (uint32_t)c.r | (uint32_t)c.g << 8 | (uint32_t)c.b << 16 |
				      (uint32_t)c.a << 24,
			      (uint32_t)max_w, (uint32_t)max_lines };
	for (int i = 0; i < 4; i++) {
		h ^= parts[i];
		h *= 16777619u;
	}
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* Render s fitted into max_w over at most max_lines lines, as one surface. */
static SDL_Surface *layout(TTF_Font *f, SDL_Color c, int max_w, int max_lines, const char *s)
{
	SDL_Surface *lines[8] = { 0 };
	int n = 0, w = 0;
	size_t len = strlen(s);
	if (max_lines < 1)
		max_lines = 1;
	if (max_lines > 8)
		max_lines = 8;
	while (len > 0 && n < max_lines) {
		while (len > 0 && *s == ' ') {
			s++;
			len--;
		}
		if (len == 0)
			break;
		char buf[1024];
		size_t take;
		if (n == max_lines - 1) {
			take = len;
			if (measure(f, s, len) > max_w) {
				take = ellipsize_at(f, s, len, max_w);
				if (take + sizeof ELLIPSIS >= sizeof buf)
					take = sizeof buf - sizeof ELLIPSIS - 1;
				memcpy(buf, s, take);
				memcpy(buf + take, ELLIPSIS, sizeof ELLIPSIS);
				take = len;
				goto render;
			}
		} else {
			take = wrap_at(f, s, len, max_w);
		}
		if (take >= sizeof buf)
			take = sizeof buf - 1;
		memcpy(buf, s, take);
		buf[take] = 0;
	render:;
		char vis[4 * sizeof buf];
		lines[n] = TTF_RenderUTF8_Blended(f, ui_visual(buf, vis, sizeof vis), c);
		if (!lines[n])
			break;
		if (lines[n]->w > w)
			w = lines[n]->w;
		n++;
		s += take;
		len -= take;
	}
	if (n == 0)
		return NULL;
	if (n == 1)
		return lines[0];
	int skip = TTF_FontLineSkip(f), hgt = TTF_FontHeight(f);
	SDL_Surface *all = SDL_CreateRGBSurfaceWithFormat(0, w, (n - 1) * skip + hgt, 32,
							  SDL_PIXELFORMAT_ARGB8888);
	if (all) {
		SDL_FillRect(all, NULL, SDL_MapRGBA(all->format, c.r, c.g, c.b, 0));
		for (int i = 0; i < n; i++) {
			SDL_Rect d = { 0, i * skip, lines[i]->w, lines[i]->h };
			SDL_SetSurfaceBlendMode(lines[i], SDL_BLENDMODE_NONE);
			SDL_BlitSurface(lines[i], NULL, all, &d);
		}
	}
	for (int i = 0; i < n; i++)
		SDL_FreeSurface(lines[i]);
	return all;
}

/* Empty place `e` of the text cache. */
static void text_drop(struct ui *u, struct text_entry *e)
{
	if (e->tex)
		SDL_DestroyTexture(e->tex);
	free(e->s);
	u->text_bytes -= e->s ? (size_t)e->w * (size_t)e->h * 4 : 0;
	*e = (struct text_entry){ 0 };
}

static struct text_entry *text_get(struct ui *u, int font, int px, SDL_Color c, int max_w,
				   int max_lines, const char *s)
{
	uint32_t h = hash_key(font, px, c, max_w, max_lines, s);
	struct text_entry *victim = &u->text[0];
	for (int i = 0; i < UI_TEXT_CACHE; i++) {
		struct text_entry *e = &u->text[i];
		if (e->s && e->hash == h && e->font == font && e->px == px && e->max_w == max_w &&
		    e->max_lines == max_lines && e->c.r == c.r && e->c.g == c.g && e->c.b == c.b &&
		    e->c.a == c.a && strcmp(e->s, s) == 0) {
			e->used = u->frame;
			return e;
		}
		if (!e->s)
			victim = e;
		else if (victim->s && e->used < victim->used)
			victim = e;
	}
	TTF_Font *f = ui_font(u, font, px);
	if (!f)
		return NULL;
	SDL_Surface *surf = layout(f, c, max_w, max_lines, s);
	if (!surf)
		return NULL;
	SDL_Texture *tex = SDL_CreateTextureFromSurface(u->ren, surf);
	int w = surf->w, hh = surf->h;
	SDL_FreeSurface(surf);
	char *copy = strdup(s);
	if (!tex || !copy) {
		SDL_DestroyTexture(tex);
		free(copy);
		return NULL;
	}
	SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
	text_drop(u, victim);
	/* Within the byte budget: the least recently used texts go, never one of this frame. */
	size_t bytes = (size_t)w * (size_t)hh * 4;
	size_t budget = (size_t)u->log_w * (size_t)u->log_h * UI_TEXT_CACHE_SHARE;
	while (u->text_bytes + bytes > budget) {
		struct text_entry *old = NULL;
		for (int i = 0; i < UI_TEXT_CACHE; i++) {
			struct text_entry *e = &u->text[i];
			if (e->s && e->used != u->frame && (!old || e->used < old->used))
				old = e;
		}
		if (!old)
			break;
		text_drop(u, old);
	}
	*victim = (struct text_entry){ h, u->frame, font, px, max_w, max_lines, c, copy, tex, w, hh };
	u->text_bytes += bytes;
	return victim;
}

void ui_text_cache_free(struct ui *u)
{
	for (int i = 0; i < UI_TEXT_CACHE; i++)
		text_drop(u, &u->text[i]);
	for (int i = 0; i < u->n_circles; i++)
		SDL_DestroyTexture(u->circles[i].tex);
	u->n_circles = 0;
	for (int i = 0; i < u->n_fonts; i++)
		TTF_CloseFont(u->fonts[i].f);
	u->n_fonts = 0;
}

int ui_text(struct ui *u, SDL_Rect box, int font, int px, SDL_Color c, int align, int max_lines,
	    const char *s)
{
	if (!s || !*s || box.w <= 0)
		return 0;
	struct text_entry *e = text_get(u, font, px, c, box.w, max_lines, s);
	if (!e)
		return 0;
	if (e->w > box.w || e->h > box.h) {
		u->overflows++;
		if (getenv("LECTERN_UI_DEBUG"))
			fprintf(stderr, "ui: text overflows %dx%d box by %dx%d: %s\n", box.w, box.h,
				e->w, e->h, s);
	}
	SDL_Rect d = { box.x, box.y + (box.h - e->h) / 2, e->w, e->h };
	if (align == ALIGN_CENTER)
		d.x = box.x + (box.w - e->w) / 2;
	else if (align == ALIGN_RIGHT)
		d.x = box.x + box.w - e->w;
	SDL_RenderCopy(u->ren, e->tex, NULL, &d);
	return e->h;
}

void ui_fill(struct ui *u, SDL_Rect r, SDL_Color c)
{
	if (r.w <= 0 || r.h <= 0)
		return;
	SDL_SetRenderDrawColor(u->ren, c.r, c.g, c.b, c.a);
	SDL_RenderFillRect(u->ren, &r);
}

/* A white anti-aliased disc of radius r in a (2r x 2r) texture, tinted per draw. */
static SDL_Texture *circle_tex(struct ui *u, int r)
{
	for (int i = 0; i < u->n_circles; i++)
		if (u->circles[i].r == r)
			return u->circles[i].tex;
	if (u->n_circles == UI_MAX_CIRCLES) {
		SDL_DestroyTexture(u->circles[0].tex);
		memmove(&u->circles[0], &u->circles[1], sizeof u->circles[0] * (UI_MAX_CIRCLES - 1));
		u->n_circles--;
	}
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 2 * r, 2 * r, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!s)
		return NULL;
	Uint32 *px = s->pixels;
	for (int y = 0; y < 2 * r; y++) {
		for (int x = 0; x < 2 * r; x++) {
			float dx = (float)x + 0.5f - (float)r, dy = (float)y + 0.5f - (float)r;
			float cov = (float)r - sqrtf(dx * dx + dy * dy) + 0.5f;
			cov = cov < 0 ? 0 : cov > 1 ? 1 : cov;
			Uint32 a = (Uint32)lrintf(cov * 255.0f);
			px[y * (s->pitch / 4) + x] = a << 24 | 0xffffffu;
		}
	}
	SDL_Texture *t = SDL_CreateTextureFromSurface(u->ren, s);
	SDL_FreeSurface(s);
	if (!t)
		return NULL;
	SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
	u->circles[u->n_circles++] = (struct circle_entry){ r, t };
	return t;
}

void ui_circle(struct ui *u, int cx, int cy, int radius, SDL_Color c)
{
	SDL_Texture *t = circle_tex(u, radius);
	if (!t)
		return;
	SDL_SetTextureColorMod(t, c.r, c.g, c.b);
	SDL_Rect d = { cx - radius, cy - radius, 2 * radius, 2 * radius };
	SDL_RenderCopy(u->ren, t, NULL, &d);
}

void ui_round(struct ui *u, SDL_Rect b, int r, SDL_Color c)
{
	if (b.w <= 0 || b.h <= 0)
		return;
	if (r > b.w / 2)
		r = b.w / 2;
	if (r > b.h / 2)
		r = b.h / 2;
	if (r < 2) {
		ui_fill(u, b, c);
		return;
	}
	SDL_Texture *t = circle_tex(u, r);
	ui_fill(u, (SDL_Rect){ b.x + r, b.y, b.w - 2 * r, b.h }, c);
	ui_fill(u, (SDL_Rect){ b.x, b.y + r, r, b.h - 2 * r }, c);
	ui_fill(u, (SDL_Rect){ b.x + b.w - r, b.y + r, r, b.h - 2 * r }, c);
	if (!t)
		return;
	SDL_SetTextureColorMod(t, c.r, c.g, c.b);
	SDL_Rect q[4][2] = {
		{ { 0, 0, r, r }, { b.x, b.y, r, r } },
		{ { r, 0, r, r }, { b.x + b.w - r, b.y, r, r } },
		{ { 0, r, r, r }, { b.x, b.y + b.h - r, r, r } },
		{ { r, r, r, r }, { b.x + b.w - r, b.y + b.h - r, r, r } },
	};
	for (int i = 0; i < 4; i++)
		SDL_RenderCopy(u->ren, t, &q[i][0], &q[i][1]);
}

struct widget *ui_widget(struct ui *u, const char *name, SDL_Rect r, enum widget_kind kind,
			 enum view_event_type type, int64_t arg)
{
	if (u->n_widgets == UI_MAX_WIDGETS)
		return NULL;
	struct widget *w = &u->widgets[u->n_widgets++];
	memset(w, 0, sizeof *w);
	snprintf(w->name, sizeof w->name, "%s", name);
	w->r = r;
	w->kind = kind;
	w->enabled = true;
	w->ev.type = type;
	w->ev.arg = arg;
	return w;
}

bool ui_is_pressed(const struct ui *u, const char *name)
{
	return u->pressed[0] && strcmp(u->pressed, name) == 0;
}

void ui_button(struct ui *u, const char *name, SDL_Rect r, const char *label, SDL_Color bg,
	       int px, enum view_event_type type, int64_t arg, bool enabled)
{
	SDL_Color fg = COL_TEXT;
	if (!enabled) {
		bg = ui_mix(bg, COL_BG, 0.6f);
		fg = COL_FAINT;
	} else if (ui_is_pressed(u, name)) {
		bg = ui_mix(bg, COL_TEXT, 0.35f);
	}
	ui_round(u, r, ui_px(u, 1.2f), bg);
	int pad = ui_px(u, 1.0f);
	int lh = ui_line_height(u, FONT_BOLD, px);
	int lines = r.h - 2 * pad >= 2 * lh + lh / 4 ? 2 : 1;
	ui_text(u, inset(r, pad, pad > (r.h - lh) / 2 ? (r.h - lh) / 2 : pad), FONT_BOLD, px, fg,
		ALIGN_CENTER, lines, label);
	struct widget *w = ui_widget(u, name, r, WIDGET_TAP, type, arg);
	if (w)
		w->enabled = enabled;
}

static float db_frac(float db)
{
	float f = (db + 60.0f) / 60.0f;
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

void ui_meter(struct ui *u, SDL_Rect r, float rms_db, float peak_hold_db, bool scale)
{
	SDL_Rect bar = r;
	SDL_Rect labels = { 0 };
	if (scale) {
		int lh = ui_line_height(u, FONT_REGULAR, ui_px(u, 1.7f));
		labels = cut_bottom(&bar, lh);
		cut_bottom(&bar, ui_px(u, 0.3f));
	}
	/* zones: green to -18 dBFS, amber to -6, red above */
	static const struct { float from, to; } zone[3] = { { -60, -18 }, { -18, -6 }, { -6, 0 } };
	const SDL_Color zc[3] = { COL_GREEN, COL_AMBER, COL_RED };
	ui_fill(u, bar, COL_PANEL2);
	for (int i = 0; i < 3; i++) {
		int x0 = bar.x + (int)lrintf(db_frac(zone[i].from) * (float)bar.w);
		int x1 = bar.x + (int)lrintf(db_frac(zone[i].to) * (float)bar.w);
		ui_fill(u, (SDL_Rect){ x0, bar.y + bar.h - ui_px(u, 0.5f), x1 - x0, ui_px(u, 0.5f) },
			ui_mix(zc[i], COL_PANEL2, 0.4f));
		int xr = bar.x + (int)lrintf(db_frac(rms_db) * (float)bar.w);
		if (xr > x1)
			xr = x1;
		if (xr > x0)
			ui_fill(u, (SDL_Rect){ x0, bar.y, xr - x0, bar.h - ui_px(u, 0.5f) }, zc[i]);
	}
	if (peak_hold_db > -60.0f) {
		int xp = bar.x + (int)lrintf(db_frac(peak_hold_db) * (float)bar.w);
		int tw = ui_px(u, 0.4f) < 2 ? 2 : ui_px(u, 0.4f);
		if (xp > bar.x + bar.w - tw)
			xp = bar.x + bar.w - tw;
		ui_fill(u, (SDL_Rect){ xp, bar.y, tw, bar.h }, COL_TEXT);
	}
	ui_widget(u, "meter", r, WIDGET_INFO, EV_NONE, 0);
	if (!scale)
		return;
	static const int marks[] = { -60, -40, -20, -10, -6, 0 };
	int lw = ui_px(u, 5.0f);
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		char t[16];
		if (marks[i] == -6 && labels.w < ui_px(u, 70.0f))
			continue;   /* too close to 0 dB on a narrow meter */
		snprintf(t, sizeof t, marks[i] ? "%d" : "0 dB", marks[i]);
		int x = labels.x + (int)lrintf(db_frac((float)marks[i]) * (float)labels.w);
		SDL_Rect lb = { x - lw / 2, labels.y, lw, labels.h };
		int al = ALIGN_CENTER;
		if (i == 0) {
			lb.x = x;
			al = ALIGN_LEFT;
		} else if (marks[i] == 0) {
			lb.x = x - lw;
			al = ALIGN_RIGHT;
		}
		ui_text(u, lb, FONT_REGULAR, ui_px(u, 1.7f), COL_DIM, al, 1, t);
	}
}

/*
 * The on-screen keyboard: QWERTY letters and a row with é ö ü, then space, backspace and
 * (when done_key) Done. Key cells share the full width so that each stays >= 48 px wide on a
 * 480 px portrait panel; the drawn key is inset inside its cell, the hit box is the cell.
 */
void ui_keyboard(struct ui *u, SDL_Rect r, bool done_key)
{
	static const char *rows[3][10] = {
		{ "q", "w", "e", "r", "t", "y", "u", "i", "o", "p" },
		{ "a", "s", "d", "f", "g", "h", "j", "k", "l", "-" },
		{ "z", "x", "c", "v", "b", "n", "m", "\xc3\xa9", "\xc3\xb6", "\xc3\xbc" },
	};
	ui_fill(u, r, COL_PANEL);
	int rh = r.h / 4, cw = r.w / 10, gap = ui_px(u, 0.35f) < 2 ? 2 : ui_px(u, 0.35f);
	int px = ui_px(u, 2.6f);
	for (int row = 0; row < 3; row++) {
		for (int k = 0; k < 10; k++) {
			SDL_Rect cell = { r.x + k * cw, r.y + row * rh, cw, rh };
			char name[24];
			snprintf(name, sizeof name, "key:%s", rows[row][k]);
			SDL_Color bg = ui_is_pressed(u, name) ? COL_PRESSED : COL_BUTTON;
			ui_round(u, inset(cell, gap, gap), ui_px(u, 0.6f), bg);
			ui_text(u, inset(cell, gap, gap), FONT_REGULAR, px, COL_TEXT, ALIGN_CENTER, 1,
				rows[row][k]);
			struct widget *w = ui_widget(u, name, cell, WIDGET_TAP, EV_KEY, 0);
			if (w)
				snprintf(w->ev.text, sizeof w->ev.text, "%s", rows[row][k]);
		}
	}
	/* bottom row: space 6 cells, backspace 2, done 2 (or backspace 4 without done) */
	SDL_Rect row = { r.x, r.y + 3 * rh, r.w, r.h - 3 * rh };
	SDL_Rect sp = cut_left(&row, cw * 6);
	SDL_Rect bs = cut_left(&row, done_key ? cw * 2 : row.w);
	struct {
		const char *name, *label;
		SDL_Rect cell;
		enum view_event_type type;
		int64_t arg;
		SDL_Color bg;
	} keys[3] = {
		{ "key:space", "space", sp, EV_KEY, 0, COL_BUTTON },
		{ "key:backspace", "\xe2\x8c\xab Delete", bs, EV_BACKSPACE, 0, COL_PANEL2 },
		{ "key:done", "Done", row, EV_KEYBOARD, 0, COL_ACCENT },
	};
	for (int i = 0; i < (done_key ? 3 : 2); i++) {
		SDL_Color bg = ui_is_pressed(u, keys[i].name) ? COL_PRESSED : keys[i].bg;
		ui_round(u, inset(keys[i].cell, gap, gap), ui_px(u, 0.6f), bg);
		ui_text(u, inset(keys[i].cell, gap * 2, gap), FONT_REGULAR, ui_px(u, 2.2f), COL_TEXT,
			ALIGN_CENTER, 1, keys[i].label);
		struct widget *w = ui_widget(u, keys[i].name, keys[i].cell, WIDGET_TAP, keys[i].type,
					     keys[i].arg);
		if (w && i == 0)
			snprintf(w->ev.text, sizeof w->ev.text, " ");
	}
}
