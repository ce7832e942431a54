/*
 * screens.c — the six screens, laid out from the view model. Sizes derive from the layout
 * unit (min(width, height) / 60: 8 px on a 800x480 panel), so that every touch target is at
 * least 6.5 units (52 px there, about 10 mm on a 7" panel). Landscape and portrait canvases
 * get their own arrangement; nothing here decides anything, it only lays the view out.
 */
#include "ui_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* text sizes, in units */
#define T_SMALL 1.9f
#define T_BODY 2.3f
#define T_LARGE 2.9f
#define T_TITLE 3.4f
#define BTN 6.5f                 /* touch target height */

static void hm(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(buf, n, "%H:%M", &tm);
}

static int gap(const struct ui *u)
{
	return ui_px(u, 1.2f);
}

static int btn_h(const struct ui *u)
{
	int h = ui_px(u, BTN);
	return h < 48 ? 48 : h;
}

static SDL_Rect root(const struct ui *u)
{
	int m = ui_px(u, 1.5f);
	return (SDL_Rect){ u->shift_x + m, u->shift_y + m, u->log_w - 2 * m, u->log_h - 2 * m };
}

static bool portrait(const struct ui *u)
{
	return u->log_h > u->log_w;
}

/* A coloured dot and a line of text (status items, legend). */
static void dot_text(struct ui *u, SDL_Rect r, SDL_Color dot, const char *text, float size)
{
	int rad = ui_px(u, 0.7f);
	ui_circle(u, r.x + rad, r.y + r.h / 2, rad, dot);
	SDL_Rect t = r;
	cut_left(&t, 3 * rad);
	ui_text(u, t, FONT_REGULAR, ui_px(u, size), COL_TEXT, ALIGN_LEFT, 1, text);
}

/* Title row: Home button on the left, title, and an optional right-hand text. */
static SDL_Rect top_bar(struct ui *u, SDL_Rect *b, const char *title, const char *right,
			SDL_Color right_col, bool home)
{
	SDL_Rect bar = cut_top(b, btn_h(u));
	cut_top(b, gap(u));
	if (home) {
		SDL_Rect hb = cut_left(&bar, ui_px(u, 13));
		ui_button(u, "home", hb, "\xe2\x80\xb9 Home", COL_BUTTON, ui_px(u, T_BODY), EV_SHOW,
			  VIEW_HOME, true);
		cut_left(&bar, gap(u) * 2);
	}
	if (right && *right) {
		int tw = ui_text_width(u, FONT_BOLD, ui_px(u, T_LARGE), right);
		int maxw = bar.w * 2 / 5;
		SDL_Rect rr = cut_right(&bar, tw < maxw ? tw : maxw);
		ui_text(u, rr, FONT_BOLD, ui_px(u, T_LARGE), right_col, ALIGN_RIGHT, 1, right);
		cut_right(&bar, gap(u));
	}
	ui_text(u, bar, FONT_BOLD, ui_px(u, T_TITLE), COL_TEXT, ALIGN_LEFT, 1, title);
	return bar;
}

static SDL_Color sev_colour(enum view_severity s)
{
	return s == SEV_ERROR ? COL_RED : s == SEV_WARN ? COL_AMBER : COL_BLUE;
}

static int banner_h(struct ui *u)
{
	return ui_line_height(u, FONT_BOLD, ui_px(u, T_BODY)) +
	       ui_line_height(u, FONT_REGULAR, ui_px(u, T_SMALL)) + ui_px(u, 1.2f);
}

/* A message banner: severity stripe, what happened (bold) and what to do. */
static void banner(struct ui *u, SDL_Rect r, const struct view_message *m, int more)
{
	SDL_Color c = sev_colour(m->severity);
	ui_round(u, r, ui_px(u, 0.8f), ui_mix(c, COL_BG, 0.78f));
	ui_fill(u, (SDL_Rect){ r.x, r.y, ui_px(u, 0.8f), r.h }, c);
	SDL_Rect in = inset(r, ui_px(u, 1.6f), 0);
	char text[200];
	if (more > 0)
		snprintf(text, sizeof text, "%s  (+%d more)", m->text, more);
	else
		snprintf(text, sizeof text, "%s", m->text);
	if (m->advice[0]) {
		int th = ui_line_height(u, FONT_BOLD, ui_px(u, T_BODY));
		int ah = ui_line_height(u, FONT_REGULAR, ui_px(u, T_SMALL));
		SDL_Rect a = inset(in, 0, (in.h - th - ah) / 2), t = cut_top(&a, th);
		ui_text(u, t, FONT_BOLD, ui_px(u, T_BODY), COL_TEXT, ALIGN_LEFT, 1, text);
		ui_text(u, a, FONT_REGULAR, ui_px(u, T_SMALL), COL_TEXT, ALIGN_LEFT, 1, m->advice);
	} else {
		ui_text(u, in, FONT_BOLD, ui_px(u, T_BODY), COL_TEXT, ALIGN_LEFT, 1, text);
	}
}

static void banners(struct ui *u, SDL_Rect *b, const struct view *v, int max)
{
	int n = v->n_messages < VIEW_MAX_MESSAGES ? v->n_messages : VIEW_MAX_MESSAGES;
	int shown = n < max ? n : max;
	for (int i = 0; i < shown; i++) {
		SDL_Rect r = cut_top(b, banner_h(u));
		cut_top(b, ui_px(u, 0.8f));
		banner(u, r, &v->messages[i], i == shown - 1 ? n - shown : 0);
	}
}

/* ---- home ---- */

static void state_word(const struct view *v, char *buf, size_t n, SDL_Color *c)
{
	switch (v->room_state) {
	case ROOM_STARTS_SOON:
		snprintf(buf, n, "Starts in %d min", v->starts_in_min);
		*c = COL_AMBER;
		break;
	case ROOM_IN_SESSION:
		snprintf(buf, n, "In session");
		*c = COL_BLUE;
		break;
	case ROOM_RECORDING:
		snprintf(buf, n, "Recording");
		*c = COL_RED;
		break;
	default:
		snprintf(buf, n, "Free");
		*c = COL_GREEN;
	}
}

static void card(struct ui *u, SDL_Rect r, const struct view *v)
{
	char word[48], t0[8], t1[8], when[40];
	SDL_Color c;
	state_word(v, word, sizeof word, &c);
	ui_round(u, r, ui_px(u, 1.2f), COL_PANEL);
	int bh = ui_px(u, 8.0f);
	if (bh > r.h / 2)
		bh = r.h / 2;
	SDL_Rect in = r, band = cut_top(&in, bh);
	ui_round(u, band, ui_px(u, 1.2f), c);
	ui_fill(u, (SDL_Rect){ band.x, band.y + band.h / 2, band.w, band.h - band.h / 2 }, c);
	SDL_Rect bt = inset(band, ui_px(u, 2.0f), 0);
	SDL_Color fg = v->room_state == ROOM_STARTS_SOON ? COL_DARK : COL_TEXT;
	if (v->room_state == ROOM_RECORDING) {
		/* the REC dot in white on the red band */
		int rad = ui_px(u, 1.5f);
		ui_circle(u, bt.x + rad, bt.y + bt.h / 2, rad, COL_TEXT);
		cut_left(&bt, 3 * rad);
	}
	ui_text(u, bt, FONT_BOLD, ui_px(u, 5.0f), fg, ALIGN_LEFT, 1, word);
	ui_widget(u, "card", r, WIDGET_INFO, EV_NONE, 0);

	in = inset(in, ui_px(u, 2.0f), ui_px(u, 1.2f));
	if (!v->has_card) {
		ui_text(u, in, FONT_REGULAR, ui_px(u, T_LARGE), COL_DIM, ALIGN_LEFT, 2,
			"No more sessions today");
		return;
	}
	int tp = ui_px(u, T_LARGE);
	int tl = ui_line_height(u, FONT_BOLD, tp);
	int skip = TTF_FontLineSkip(ui_font(u, FONT_BOLD, tp));
	int lines = (in.h - tl - ui_line_height(u, FONT_REGULAR, ui_px(u, T_BODY)) -
		     ui_px(u, 0.6f)) / skip + 1;
	lines = lines < 1 ? 1 : lines > 3 ? 3 : lines;
	SDL_Rect title = cut_top(&in, (lines - 1) * skip + tl);
	ui_text(u, title, FONT_BOLD, tp, COL_TEXT, ALIGN_LEFT, lines, v->card.title);
	cut_top(&in, ui_px(u, 0.6f));
	int bl = ui_line_height(u, FONT_REGULAR, ui_px(u, T_BODY));
	hm(v->card.start, t0, sizeof t0);
	hm(v->card.end, t1, sizeof t1);
	/* A session on another day says which. */
	time_t ts = (time_t)v->card.start, tn = (time_t)v->now;
	struct tm ms, mn;
	localtime_r(&ts, &ms);
	localtime_r(&tn, &mn);
	char day[16] = "";
	if (ms.tm_yday != mn.tm_yday || ms.tm_year != mn.tm_year)
		strftime(day, sizeof day, "%a %d %b ", &ms);
	snprintf(when, sizeof when, "%s%s\xe2\x80\x93%s", day, t0, t1);
	SDL_Rect row = cut_top(&in, bl);
	int ww = ui_text_width(u, FONT_BOLD, ui_px(u, T_BODY), when);
	SDL_Rect wr = cut_left(&row, ww);
	ui_text(u, wr, FONT_BOLD, ui_px(u, T_BODY), COL_TEXT, ALIGN_LEFT, 1, when);
	cut_left(&row, ui_px(u, 2.0f));
	ui_text(u, row, FONT_REGULAR, ui_px(u, T_BODY), COL_DIM, ALIGN_LEFT, 1, v->card.presenter);
}

static void agenda(struct ui *u, SDL_Rect r, const struct view *v)
{
	int hp = ui_px(u, T_BODY);
	SDL_Rect head = cut_top(&r, ui_line_height(u, FONT_BOLD, hp) + ui_px(u, 0.6f));
	ui_text(u, head, FONT_BOLD, hp, COL_DIM, ALIGN_LEFT, 1, "Today");
	int n = v->n_agenda < VIEW_MAX_AGENDA ? v->n_agenda : VIEW_MAX_AGENDA;
	if (n == 0) {
		SDL_Rect e = cut_top(&r, ui_line_height(u, FONT_REGULAR, hp));
		ui_text(u, e, FONT_REGULAR, hp, COL_FAINT, ALIGN_LEFT, 1, "Nothing scheduled");
		return;
	}
	int px = ui_px(u, T_BODY);
	int rh = ui_line_height(u, FONT_REGULAR, px) + ui_px(u, 1.0f);
	int tw = ui_text_width(u, FONT_BOLD, px, "00:00") + ui_px(u, 1.5f);
	int fit = r.h / rh;
	int first = 0;
	/* keep the current and coming sessions in view when the day is long */
	while (n - first > fit && first < n && v->agenda[first].end <= v->now)
		first++;
	for (int i = first; i < n && r.h >= rh; i++) {
		const struct view_session *s = &v->agenda[i];
		SDL_Rect row = cut_top(&r, rh);
		bool past = s->end <= v->now;
		bool now = s->start <= v->now && v->now < s->end;
		if (now)
			ui_round(u, row, ui_px(u, 0.6f), COL_PANEL2);
		SDL_Rect in = inset(row, ui_px(u, 0.8f), 0);
		char t[8];
		hm(s->start, t, sizeof t);
		SDL_Color c = past ? COL_FAINT : COL_TEXT;
		ui_text(u, cut_left(&in, tw), FONT_BOLD, px, past ? COL_FAINT : COL_DIM, ALIGN_LEFT, 1,
			t);
		ui_text(u, in, FONT_REGULAR, px, c, ALIGN_LEFT, 1, s->title);
	}
}

static void status_texts(const struct view *v, char t[6][160], SDL_Color c[6])
{
	char hhmm[8];
	snprintf(t[0], sizeof t[0], "%s", v->network_ok ? "Network ok" : "No network");
	c[0] = v->network_ok ? COL_GREEN : COL_RED;
	if (v->server[0])
		snprintf(t[1], sizeof t[1], "%s %s", v->server, v->server_ok ? "ok" : "unreachable");
	else
		snprintf(t[1], sizeof t[1], "%s", v->server_ok ? "No server: kept here" : "Upload failing");
	c[1] = !v->server_ok ? COL_RED : v->server[0] ? COL_GREEN : COL_FAINT;
	if (v->calendar_stale) {
		hm(v->stale_since, hhmm, sizeof hhmm);
		snprintf(t[2], sizeof t[2], "Calendar stale since %s", hhmm);
		c[2] = COL_AMBER;
	} else {
		snprintf(t[2], sizeof t[2], "Calendar ok");
		c[2] = COL_GREEN;
	}
	if (v->queue_waiting <= 0)
		snprintf(t[3], sizeof t[3], "All uploaded");
	else if (v->queue_percent >= 0)
		snprintf(t[3], sizeof t[3], "%d waiting \xc2\xb7 %d%%", v->queue_waiting,
			 v->queue_percent);
	else
		snprintf(t[3], sizeof t[3], "%d waiting", v->queue_waiting);
	c[3] = v->queue_waiting <= 0 ? COL_GREEN : COL_BLUE;
	if (v->disk_free_mb >= 1024)
		snprintf(t[4], sizeof t[4], "%.1f GB free", (double)v->disk_free_mb / 1024.0);
	else
		snprintf(t[4], sizeof t[4], "%" PRId64 " MB free", v->disk_free_mb);
	c[4] = v->disk_free_mb < 256 ? COL_RED : v->disk_free_mb < 2048 ? COL_AMBER : COL_GREEN;
	snprintf(t[5], sizeof t[5], "%s", v->mic_present ? (v->mic_name[0] ? v->mic_name
									     : "Microphone")
							 : (v->mic_name[0] ? v->mic_name
									   : "No microphone"));
	c[5] = v->mic_present ? COL_GREEN : COL_RED;

}

/* Rows the status strip needs at this width: the fewest (up to 3) where every item fits. */
static int status_rows(struct ui *u, const struct view *v, int width)
{
	char t[6][160];
	SDL_Color c[6];
	int nat[6];
	status_texts(v, t, c);
	int px = ui_px(u, T_SMALL);
	for (int i = 0; i < 6; i++)
		nat[i] = ui_text_width(u, FONT_REGULAR, px, t[i]) + 3 * ui_px(u, 0.7f) + ui_px(u, 2.5f);
	for (int rows = 1; rows < 3; rows++) {
		int per = (6 + rows - 1) / rows, worst = 0;
		for (int r = 0; r < rows; r++) {
			int sum = 0;
			for (int i = r * per; i < (r + 1) * per && i < 6; i++)
				sum += nat[i];
			worst = sum > worst ? sum : worst;
		}
		if (worst <= width)
			return rows;
	}
	return 3;
}

static void status_strip(struct ui *u, SDL_Rect r, const struct view *v, int rows)
{
	char t[6][160];
	SDL_Color c[6];
	status_texts(v, t, c);
	ui_fill(u, r, COL_PANEL);
	int per_row = (6 + rows - 1) / rows;
	float size = T_SMALL;
	int px = ui_px(u, size), dot = 3 * ui_px(u, 0.7f) + ui_px(u, 1.5f);
	for (int row = 0; row < rows; row++) {
		SDL_Rect line = { r.x + ui_px(u, 1.0f), r.y + row * r.h / rows,
				  r.w - ui_px(u, 2.0f), r.h / rows };
		int nat[6], sum = 0;
		int i0 = row * per_row, i1 = i0 + per_row > 6 ? 6 : i0 + per_row;
		for (int i = i0; i < i1; i++) {
			nat[i] = ui_text_width(u, FONT_REGULAR, px, t[i]) + dot;
			sum += nat[i];
		}
		int x = line.x;
		for (int i = i0; i < i1; i++) {
			int w = sum <= line.w ? nat[i] + (line.w - sum) / (i1 - i0)
					      : (int)((long)line.w * nat[i] / sum);
			if (i == i1 - 1)
				w = line.x + line.w - x;
			dot_text(u, (SDL_Rect){ x, line.y, w - ui_px(u, 0.8f), line.h }, c[i], t[i],
				 size);
			x += w;
		}
	}
}

/* ---- past sessions: tiles with a code to scan (home and Sessions) ---- */

#define QR_BOX 17.0f             /* a tile's code, in units: 3 px modules for a link of
				  * ~60 characters on a 800x480 panel */

static void short_date(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(buf, n, "%a %e %b", &tm);
}

/* Said where a session has a link but no code: too long to be read at this size. */
#define NO_CODE "Link too long for a code: find it on the server"

/* The note's widget, named after the code it stands for ("qr:found:3" → "nocode:found:3"). */
static void no_code_widget(struct ui *u, SDL_Rect r, const char *qr_name)
{
	char name[32];
	snprintf(name, sizeof name, "nocode:%s", strncmp(qr_name, "qr:", 3) == 0 ? qr_name + 3
										  : qr_name);
	ui_widget(u, name, r, WIDGET_INFO, EV_NONE, 0);
}

/* One delivered session in `r`: its code on the left (none without a link), then the title,
 * who and when, the topics and, with `count`, how many checked in. */
static void past_tile(struct ui *u, SDL_Rect r, const struct view_past *p, const char *qr_name,
		      bool count)
{
	ui_round(u, r, ui_px(u, 1.0f), COL_PANEL);
	SDL_Rect in = inset(r, ui_px(u, 0.8f), ui_px(u, 0.8f));
	bool no_code = p->link_too_long;
	if (p->link[0]) {
		SDL_Rect q = cut_left(&in, in.h);
		SDL_Rect drawn = ui_qr(u, q, p->link, qr_name);
		if (drawn.w > 0) {
			in.x = drawn.x + drawn.w + ui_px(u, 1.5f);
			in.w = r.x + r.w - ui_px(u, 1.0f) - in.x;
		} else {
			in = inset(r, ui_px(u, 1.0f), ui_px(u, 0.8f));
			no_code = true;
		}
	}
	int bp = ui_px(u, T_BODY), sp = ui_px(u, T_SMALL);
	int bl = ui_line_height(u, FONT_BOLD, bp), bs = TTF_FontLineSkip(ui_font(u, FONT_BOLD, bp));
	int sl = ui_line_height(u, FONT_REGULAR, sp);
	char when[32], checked[32] = "";
	short_date(p->start, when, sizeof when);
	if (count && p->checkins >= 0)
		snprintf(checked, sizeof checked, "%d checked in", p->checkins);
	/* Lines under the title, dropped from the last when the tile is short. */
	const char *line[5];
	SDL_Color col[5];
	int fonts[5], n = 0, note = -1;
	/* A link too long for a code this size: said, not left as a blank (first, so that a short
	 * tile keeps it). */
	if (no_code)
		note = n, line[n] = NO_CODE, col[n] = COL_DIM, fonts[n++] = FONT_REGULAR;
	if (p->presenter[0])
		line[n] = p->presenter, col[n] = COL_TEXT, fonts[n++] = FONT_REGULAR;
	line[n] = when, col[n] = COL_DIM, fonts[n++] = FONT_REGULAR;
	if (p->tags[0])
		line[n] = p->tags, col[n] = ui_mix(COL_BLUE, COL_TEXT, 0.45f), fonts[n++] = FONT_REGULAR;
	if (checked[0])
		line[n] = checked, col[n] = COL_GREEN, fonts[n++] = FONT_BOLD;
	while (n > 1 && in.h < bl + n * sl)
		n--;
	int lines = in.h - n * sl >= bs + bl ? 2 : 1;
	SDL_Rect t = cut_top(&in, (lines - 1) * bs + bl);
	ui_text(u, t, FONT_BOLD, bp, COL_TEXT, ALIGN_LEFT, lines, p->title);
	for (int i = 0; i < n && in.h >= sl; i++) {
		SDL_Rect lr = cut_top(&in, sl);
		ui_text(u, lr, fonts[i], sp, col[i], ALIGN_LEFT, 1, line[i]);
		if (i == note)
			no_code_widget(u, lr, qr_name);
	}
}

/* A delivered session standing up: its code on top, the title and who and when under it
 * (two side by side where the home has the height but not the width for two rows). */
static void past_tile_tall(struct ui *u, SDL_Rect r, const struct view_past *p,
			   const char *qr_name)
{
	ui_round(u, r, ui_px(u, 1.0f), COL_PANEL);
	SDL_Rect in = inset(r, ui_px(u, 0.8f), ui_px(u, 0.8f));
	SDL_Rect q = cut_top(&in, ui_px(u, QR_BOX));
	SDL_Rect drawn = p->link[0] ? ui_qr(u, q, p->link, qr_name) : (SDL_Rect){ 0 };
	if (drawn.w == 0 && (p->link[0] || p->link_too_long)) {
		SDL_Rect nr = inset(q, ui_px(u, 1.0f), ui_px(u, 1.0f));
		ui_text(u, nr, FONT_REGULAR, ui_px(u, T_SMALL), COL_DIM, ALIGN_CENTER, 3, NO_CODE);
		no_code_widget(u, nr, qr_name);
	}
	cut_top(&in, ui_px(u, 0.6f));
	in = inset(in, ui_px(u, 0.4f), 0);
	int bp = ui_px(u, T_BODY), sp = ui_px(u, T_SMALL);
	int bl = ui_line_height(u, FONT_BOLD, bp), bs = TTF_FontLineSkip(ui_font(u, FONT_BOLD, bp));
	int sl = ui_line_height(u, FONT_REGULAR, sp);
	char when[32], who[160];
	short_date(p->start, when, sizeof when);
	if (p->presenter[0])
		snprintf(who, sizeof who, "%s \xc2\xb7 %s", p->presenter, when);
	else
		snprintf(who, sizeof who, "%s", when);
	int lines = in.h >= bs + bl + sl ? 2 : 1;
	ui_text(u, cut_top(&in, (lines - 1) * bs + bl), FONT_BOLD, bp, COL_TEXT, ALIGN_LEFT, lines,
		p->title);
	if (in.h >= sl)
		ui_text(u, cut_top(&in, sl), FONT_REGULAR, sp, COL_DIM, ALIGN_LEFT, 1, who);
	if (p->tags[0] && in.h >= sl)
		ui_text(u, cut_top(&in, sl), FONT_REGULAR, sp, ui_mix(COL_BLUE, COL_TEXT, 0.45f),
			ALIGN_LEFT, 1, p->tags);
}

/* The home's latest sessions under their line ("Scan to watch"): as many rows as fit, or two
 * standing side by side when that shows more. */
static void recent_panel(struct ui *u, SDL_Rect *b, const struct view *v, int reserve)
{
	int n = v->n_recent < VIEW_MAX_RECENT ? v->n_recent : VIEW_MAX_RECENT;
	int sp = ui_px(u, T_SMALL), g = gap(u);
	int tile = ui_px(u, QR_BOX) + ui_px(u, 1.6f);
	if (n == 0 || b->h < tile)
		return;
	int hl = ui_line_height(u, FONT_BOLD, sp), hs = TTF_FontLineSkip(ui_font(u, FONT_BOLD, sp));
	const char *head = "Missed last week\xe2\x80\x99s session? Scan to watch.";
	if (ui_text_width(u, FONT_BOLD, sp, head) > b->w)
		head = "Missed a session? Scan to watch.";
	int lines = ui_text_width(u, FONT_BOLD, sp, head) > b->w ? 2 : 1;
	int head_h = (lines - 1) * hs + hl + ui_px(u, 0.4f);
	/* Standing tiles: the code, a two-line title, who and when. Room is kept for one line of
	 * peer teachers under them, and the caller's `reserve`. */
	int bp = ui_px(u, T_BODY);
	int sl = ui_line_height(u, FONT_REGULAR, sp);
	int tall = ui_px(u, QR_BOX) + ui_px(u, 2.6f) + TTF_FontLineSkip(ui_font(u, FONT_BOLD, bp)) +
		   ui_line_height(u, FONT_BOLD, bp) + sl; /* topics too where there is room */
	int keep = reserve + (v->teachers_summary[0] ? sl + g / 2 : 0);
	int rows = (b->h - head_h + g / 2) / (tile + g / 2);
	bool side = n >= 2 && rows < 2 && b->h >= head_h + tall + keep &&
		    (b->w - g) / 2 >= ui_px(u, QR_BOX) + ui_px(u, 1.6f);
	SDL_Rect h = cut_top(b, head_h);
	ui_text(u, h, FONT_BOLD, sp, COL_DIM, ALIGN_LEFT, lines, head);
	ui_widget(u, "recent", h, WIDGET_INFO, EV_NONE, 0);
	if (side) {
		SDL_Rect row = cut_top(b, tall);
		cut_top(b, g / 2);
		SDL_Rect l = cut_left(&row, (row.w - g) / 2);
		cut_left(&row, g);
		past_tile_tall(u, l, &v->recent[0], "qr:recent:0");
		past_tile_tall(u, row, &v->recent[1], "qr:recent:1");
		return;
	}
	for (int i = 0; i < n && b->h >= tile; i++) {
		char name[24];
		snprintf(name, sizeof name, "qr:recent:%d", i);
		past_tile(u, cut_top(b, tile), &v->recent[i], name, false);
		cut_top(b, g / 2);
	}
}

/* This term's peer teachers: their names and sessions each, the latest first (not a ranking);
 * without names (recognition off), how many sessions by how many colleagues. */
static void teachers_panel(struct ui *u, SDL_Rect *b, const struct view *v)
{
	if (!v->teachers_summary[0])
		return;
	int sp = ui_px(u, T_SMALL);
	int sl = ui_line_height(u, FONT_REGULAR, sp);
	int ss = TTF_FontLineSkip(ui_font(u, FONT_REGULAR, sp));
	char names[600] = "";
	size_t len = 0;
	int n = v->n_teachers < VIEW_MAX_TEACHERS ? v->n_teachers : VIEW_MAX_TEACHERS;
	for (int i = 0; i < n && len < sizeof names; i++)
		len += (size_t)snprintf(names + len, sizeof names - len, "%s%s (%d)", i ? ", " : "",
					v->teachers[i].name, v->teachers[i].sessions);
	const char *text = names[0] ? names : v->teachers_summary;
	int pad = ui_px(u, 0.7f);
	if (b->h < 2 * pad + sl + ss + sl) {
		/* short of room: one line, without its panel */
		if (b->h < sl)
			return;
		char line[700];
		snprintf(line, sizeof line, "Peer teachers this term: %s", text);
		SDL_Rect r = cut_top(b, sl);
		ui_text(u, r, FONT_REGULAR, sp, COL_GREEN, ALIGN_LEFT, 1, line);
		ui_widget(u, "teachers", r, WIDGET_INFO, EV_NONE, 0);
		return;
	}
	SDL_Rect r = cut_top(b, 2 * pad + sl + ss + sl);
	cut_top(b, gap(u) / 2);
	ui_round(u, r, ui_px(u, 1.0f), COL_PANEL);
	ui_widget(u, "teachers", r, WIDGET_INFO, EV_NONE, 0);
	SDL_Rect in = inset(r, ui_px(u, 1.2f), pad);
	ui_text(u, cut_top(&in, sl), FONT_BOLD, sp, COL_GREEN, ALIGN_LEFT, 1,
		"Peer teachers this term");
	ui_text(u, in, FONT_REGULAR, sp, COL_TEXT, ALIGN_LEFT, 2, text);
}

static void cadence(struct ui *u, SDL_Rect *b, const struct view *v);

/* The home's right-hand side (below the card in portrait): while the room is free, its latest
 * sessions and peer teachers first; the next brown bag (unless it went under the card) and
 * today's agenda in what is left. */
static void home_side(struct ui *u, SDL_Rect b, const struct view *v, bool with_cadence)
{
	int px = ui_px(u, T_BODY);
	int need = TTF_FontLineSkip(ui_font(u, FONT_REGULAR, px)) +
		   ui_line_height(u, FONT_REGULAR, px) + ui_px(u, 1.0f) + gap(u) / 2;
	recent_panel(u, &b, v, with_cadence && v->has_cadence ? need : 0);
	if (with_cadence && (b.h >= need || !v->n_recent))
		cadence(u, &b, v);
	teachers_panel(u, &b, v);
	if (b.h >= ui_px(u, 6.0f))
		agenda(u, b, v);
}

/* Sessions, Uploads and Settings, side by side. */
static void small_buttons(struct ui *u, SDL_Rect r)
{
	int g = gap(u), w = (r.w - 2 * g) / 3;
	/* One size for the three, at which "Sessions" (the widest) fits: text widths grow with
	 * the size, so one measure says it (and the font cache sees one more size, not a
	 * search). */
	int px = ui_px(u, T_BODY), avail = w - 2 * ui_px(u, 1.0f) - 2;
	int tw = ui_text_width(u, FONT_BOLD, px, "Sessions");
	if (tw > avail && tw > 0) {
		px = px * avail / tw;
		if (px < ui_px(u, 1.5f))
			px = ui_px(u, 1.5f);
	}
	SDL_Rect a = cut_left(&r, w);
	cut_left(&r, g);
	SDL_Rect m = cut_left(&r, w);
	cut_left(&r, g);
	ui_button(u, "sessions", a, "Sessions", COL_BUTTON, px, EV_SHOW, VIEW_SESSIONS, true);
	ui_button(u, "uploads", m, "Uploads", COL_BUTTON, px, EV_SHOW, VIEW_UPLOADS, true);
	ui_button(u, "settings", r, "Settings", COL_BUTTON, px, EV_SHOW, VIEW_PIN, true);
}

/* "Next brown bag: Tue 14:00 — title", cut from the bottom of `b`. */
static void cadence(struct ui *u, SDL_Rect *b, const struct view *v)
{
	if (!v->has_cadence)
		return;
	int g = gap(u);
	char t[8], line[400];
	time_t ct = (time_t)v->cadence.start;
	struct tm ctm;
	localtime_r(&ct, &ctm);
	char day[8];
	strftime(day, sizeof day, "%a", &ctm);
	hm(v->cadence.start, t, sizeof t);
	snprintf(line, sizeof line, "%s: %s %s \xe2\x80\x94 %s",
		 v->cadence_label[0] ? v->cadence_label : "Next", day, t, v->cadence.title);
	int px = ui_px(u, T_BODY);
	int lh = ui_line_height(u, FONT_REGULAR, px);
	int skip = TTF_FontLineSkip(ui_font(u, FONT_REGULAR, px));
	SDL_Rect cl = cut_bottom(b, skip + lh + ui_px(u, 1.0f));
	cut_bottom(b, g / 2);
	ui_round(u, cl, ui_px(u, 0.6f), COL_PANEL);
	ui_text(u, inset(cl, ui_px(u, 1.0f), ui_px(u, 0.4f)), FONT_REGULAR, px, COL_TEXT,
		ALIGN_LEFT, 2, line);
}

/* "Check in" beside Start, `w` wide off the left of `big`; none where check-in is off
 * ([privacy] attendance = none): Start takes the whole row. */
static void checkin_button(struct ui *u, SDL_Rect *big, int w, const struct view *v)
{
	if (v->checkin_off)
		return;
	SDL_Rect bl = cut_left(big, w);
	cut_left(big, gap(u));
	ui_button(u, "checkin", bl, "Check in", COL_GREEN, ui_px(u, T_LARGE), EV_SHOW,
		  VIEW_CHECKIN, true);
}

static void home(struct ui *u, const struct view *v)
{
	SDL_Rect b = root(u);
	int g = gap(u);
	bool port = portrait(u);
	/* top: room name, date, clock */
	SDL_Rect top = cut_top(&b, ui_px(u, 6.0f));
	cut_top(&b, g);
	char clock[8], date[64];
	hm(v->now, clock, sizeof clock);
	time_t tt = (time_t)v->now;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(date, sizeof date, "%A %e %B", &tm);
	int cp = ui_px(u, 5.0f);
	SDL_Rect cr = cut_right(&top, ui_text_width(u, FONT_BOLD, cp, "00:00") + ui_px(u, 0.5f));
	ui_text(u, cr, FONT_BOLD, cp, COL_TEXT, ALIGN_RIGHT, 1, clock);
	ui_widget(u, "clock", cr, WIDGET_INFO, EV_NONE, 0);
	cut_right(&top, g);
	int dw = ui_text_width(u, FONT_REGULAR, ui_px(u, T_BODY), date);
	SDL_Rect dr = cut_right(&top, dw < top.w * 2 / 5 ? dw : port ? top.w / 4 : top.w * 2 / 5);
	cut_right(&top, g);
	ui_text(u, dr, FONT_REGULAR, ui_px(u, T_BODY), COL_DIM, ALIGN_RIGHT, 1, date);
	ui_text(u, top, FONT_BOLD, ui_px(u, T_TITLE), COL_TEXT, ALIGN_LEFT, 1, v->room);

	/* bottom: status strip */
	int srows = status_rows(u, v, u->log_w);
	SDL_Rect status = cut_bottom(&b, srows * ui_px(u, 3.8f));
	cut_bottom(&b, g);
	status.x -= ui_px(u, 1.5f);
	status.w += ui_px(u, 3.0f);
	status.y += ui_px(u, 1.5f) - ui_px(u, 0.2f);
	status_strip(u, status, v, srows);

	banners(u, &b, v, u->log_h >= 700 ? 3 : port ? 2 : 1);

	/* While the room is free, its past sessions and peer teachers take the side: the next
	 * brown bag moves under the card. */
	bool past = v->room_state == ROOM_FREE && (v->n_recent > 0 || v->teachers_summary[0]);
	char start[64];
	snprintf(start, sizeof start, "%s", v->recording ? "Recording \xe2\x80\x94 open"
						      : "Start recording");
	enum view_event_type st = v->recording ? EV_SHOW : EV_START_RECORDING;
	int64_t sa = v->recording ? VIEW_RECORDING : 0;
	int bigh = ui_px(u, 8.0f);
	if (port) {
		small_buttons(u, cut_bottom(&b, btn_h(u)));
		cut_bottom(&b, g);
		SDL_Rect c = cut_top(&b, b.h * (past ? 10 : 11) / 20);
		cut_top(&b, g);
		SDL_Rect big = cut_bottom(&c, bigh);
		cut_bottom(&c, g);
		card(u, c, v);
		checkin_button(u, &big, (big.w - g) / 2, v);
		ui_button(u, "start", big, start, COL_RED, ui_px(u, T_LARGE), st, sa, true);
	} else {
		SDL_Rect left = cut_left(&b, b.w * (past ? 10 : 12) / 20);
		cut_left(&b, g * 2);
		SDL_Rect big = cut_bottom(&left, bigh);
		cut_bottom(&left, g);
		if (past)
			cadence(u, &left, v);
		card(u, left, v);
		checkin_button(u, &big, (big.w - g) * 2 / 5, v);
		ui_button(u, "start", big, start, COL_RED, ui_px(u, T_LARGE), st, sa, true);
		small_buttons(u, cut_bottom(&b, btn_h(u)));
		cut_bottom(&b, g);
	}
	home_side(u, b, v, !past || port);
}

/* ---- recording ---- */

static void rec_badge(struct ui *u, SDL_Rect r, bool paused)
{
	SDL_Color c = paused ? COL_AMBER : COL_RED;
	ui_round(u, r, r.h / 2, c);
	int rad = r.h / 5;
	SDL_Rect in = inset(r, r.h / 3, 0);
	if (!paused) {
		ui_circle(u, in.x + rad, in.y + in.h / 2, rad, COL_TEXT);
		cut_left(&in, rad * 3);
	}
	ui_text(u, in, FONT_BOLD, ui_px(u, T_LARGE), paused ? COL_DARK : COL_TEXT, ALIGN_CENTER, 1,
		paused ? "PAUSED" : "REC");
	ui_widget(u, "rec", r, WIDGET_INFO, EV_NONE, 0);
}

static void field(struct ui *u, SDL_Rect r, const char *label, const char *text,
		  const char *placeholder, const char *name)
{
	bool pressed = name && ui_is_pressed(u, name);
	ui_round(u, r, ui_px(u, 0.8f), pressed ? COL_PRESSED : COL_PANEL2);
	SDL_Rect in = inset(r, ui_px(u, 1.5f), 0);
	int px = ui_px(u, T_LARGE);
	if (label) {
		int lw = ui_text_width(u, FONT_REGULAR, ui_px(u, T_BODY), label) + ui_px(u, 1.0f);
		ui_text(u, cut_left(&in, lw), FONT_REGULAR, ui_px(u, T_BODY), COL_DIM, ALIGN_LEFT, 1,
			label);
	}
	if (text && *text) {
		/* show the end of what is typed, with a caret */
		char buf[128];
		snprintf(buf, sizeof buf, "%s", text);
		int caret = ui_px(u, 0.3f) < 2 ? 2 : ui_px(u, 0.3f);
		SDL_Rect tb = in;
		tb.w -= caret + ui_px(u, 0.5f);
		const char *s = buf;
		while (*s && ui_text_width(u, FONT_REGULAR, px, s) > tb.w)
			s = utf8_next(s);
		int tw = ui_text_width(u, FONT_REGULAR, px, s);
		ui_text(u, tb, FONT_REGULAR, px, COL_TEXT, ALIGN_LEFT, 1, s);
		int lh = ui_line_height(u, FONT_REGULAR, px);
		ui_fill(u, (SDL_Rect){ tb.x + tw + ui_px(u, 0.3f), in.y + (in.h - lh) / 2, caret, lh },
			COL_ACCENT);
	} else if (placeholder) {
		ui_text(u, in, FONT_REGULAR, px, COL_FAINT, ALIGN_LEFT, 1, placeholder);
	}
	if (name)
		ui_widget(u, name, r, WIDGET_TAP, EV_KEYBOARD, 1);
}

static void tags(struct ui *u, SDL_Rect r, const struct view *v)
{
	int h = btn_h(u), g = ui_px(u, 1.0f), px = ui_px(u, T_BODY);
	int x = r.x, y = r.y;
	int n = v->n_tags < VIEW_MAX_TAGS ? v->n_tags : VIEW_MAX_TAGS;
	for (int i = 0; i <= n; i++) {
		char label[48], name[16];
		bool add = i == n;
		if (add)
			snprintf(label, sizeof label, "+ tag");
		else
			snprintf(label, sizeof label, "%s%s", v->tag_on[i] ? "\xe2\x9c\x93 " : "",
				 v->tags[i]);
		snprintf(name, sizeof name, add ? "addtag" : "tag:%d", i);
		int w = ui_text_width(u, FONT_BOLD, px, label) + ui_px(u, 4.0f);
		if (w < ui_px(u, 9.0f))
			w = ui_px(u, 9.0f);
		if (w > r.w)
			w = r.w;
		if (x + w > r.x + r.w) {
			x = r.x;
			y += h + g;
		}
		if (y + h > r.y + r.h)
			break;
		SDL_Rect c = { x, y, w, h };
		SDL_Color bg = add ? COL_PANEL2 : v->tag_on[i] ? COL_ON : COL_BUTTON;
		ui_button(u, name, c, label, bg, px, add ? EV_KEYBOARD : EV_TAG_TOGGLE, add ? 1 : i,
			  true);
		if (!add && v->tag_on[i])
			ui_fill(u, (SDL_Rect){ c.x + ui_px(u, 1.2f), c.y + c.h - ui_px(u, 0.5f),
					       c.w - ui_px(u, 2.4f), ui_px(u, 0.5f) },
				COL_GREEN);
		x += w + g;
	}
}

static void recording(struct ui *u, const struct view *v)
{
	SDL_Rect b = root(u);
	int g = gap(u);
	bool port = portrait(u);
	SDL_Rect top = cut_top(&b, btn_h(u));
	cut_top(&b, g);
	SDL_Rect hb = cut_right(&top, ui_px(u, 13));
	ui_button(u, "home", hb, "\xe2\x80\xb9 Home", COL_BUTTON, ui_px(u, T_BODY), EV_SHOW,
		  VIEW_HOME, true);
	cut_right(&top, g);
	int bw = ui_text_width(u, FONT_BOLD, ui_px(u, T_LARGE), v->paused ? "PAUSED" : "REC") +
		 top.h * 2 / 3 + (v->paused ? 0 : top.h * 3 / 5) + ui_px(u, 1.0f);
	SDL_Rect badge = cut_left(&top, bw);
	rec_badge(u, inset(badge, 0, ui_px(u, 0.3f)), v->paused);
	cut_left(&top, g * 2);
	long el = (long)v->elapsed_s;
	char elapsed[32];
	snprintf(elapsed, sizeof elapsed, "%ld:%02ld:%02ld", el / 3600, el / 60 % 60, el % 60);
	int ep = ui_px(u, 4.6f);
	SDL_Rect er = cut_left(&top, ui_text_width(u, FONT_BOLD, ep, "0:00:00") + ui_px(u, 1.0f));
	ui_text(u, er, FONT_BOLD, ep, COL_TEXT, ALIGN_LEFT, 1, elapsed);
	if (v->scheduled_end > 0) {
		char left[64], t[8];
		hm(v->scheduled_end, t, sizeof t);
		int64_t rem = v->scheduled_end - v->now;
		if (rem > 0)
			snprintf(left, sizeof left, "%" PRId64 " min left \xc2\xb7 ends %s",
				 (rem + 59) / 60, t);
		else
			snprintf(left, sizeof left, "Scheduled end %s passed", t);
		SDL_Rect lr = top;
		if (port) {
			lr = cut_top(&b, ui_line_height(u, FONT_REGULAR, ui_px(u, T_BODY)));
			cut_top(&b, g / 2);
		}
		ui_text(u, lr, FONT_REGULAR, ui_px(u, T_BODY), rem > 0 ? COL_DIM : COL_AMBER,
			port ? ALIGN_LEFT : ALIGN_RIGHT, 1, left);
	}

	/* bottom: pause and the hold-to-stop button */
	SDL_Rect bottom = cut_bottom(&b, ui_px(u, 8.0f));
	cut_bottom(&b, g);
	SDL_Rect pb = cut_left(&bottom, (bottom.w - g) * 2 / 5);
	cut_left(&bottom, g);
	ui_button(u, "pause", pb, v->paused ? "Resume" : "Pause", v->paused ? COL_GREEN : COL_BUTTON,
		  ui_px(u, T_LARGE), v->paused ? EV_RESUME : EV_PAUSE, 0, true);
	{
		bool holding = ui_is_pressed(u, "stop") && u->holding;
		SDL_Color bg = holding ? ui_mix(COL_RED, COL_BG, 0.55f) : COL_RED;
		ui_round(u, bottom, ui_px(u, 1.2f), bg);
		if (holding) {
			uint32_t held = u->now_ms - u->press_ms;
			float f = held >= UI_HOLD_MS ? 1.0f : (float)held / (float)UI_HOLD_MS;
			SDL_Rect fill = bottom;
			fill.w = (int)((float)bottom.w * f);
			ui_round(u, fill, ui_px(u, 1.2f), COL_RED);
		}
		const char *label = holding ? "Keep holding\xe2\x80\xa6"
				    : u->hold_hint ? "Hold to stop"
						   : "Stop \xe2\x80\x94 hold";
		ui_text(u, inset(bottom, ui_px(u, 1.0f), 0), FONT_BOLD, ui_px(u, T_LARGE),
			u->hold_hint && !holding ? COL_AMBER : COL_TEXT, ALIGN_CENTER, 1, label);
		if (u->hold_hint && !holding)
			ui_fill(u, (SDL_Rect){ bottom.x, bottom.y, bottom.w, ui_px(u, 0.5f) },
				COL_AMBER);
		ui_widget(u, "stop", bottom, WIDGET_HOLD, EV_STOP_RECORDING, 0);
	}

	if (v->keyboard) {
		/* typing a free tag: the keyboard takes the middle */
		SDL_Rect f = cut_top(&b, btn_h(u));
		cut_top(&b, g);
		field(u, f, "New tag:", v->free_tag, "type a topic", NULL);
		int kh = b.h;
		if (kh > ui_px(u, 7.0f) * 4)
			kh = ui_px(u, 7.0f) * 4;
		SDL_Rect kb = cut_top(&b, kh);
		kb.x = u->shift_x;
		kb.w = u->log_w;
		ui_keyboard(u, kb, true);
		return;
	}
	int tp = ui_px(u, T_LARGE);
	int skip = TTF_FontLineSkip(ui_font(u, FONT_BOLD, tp));
	SDL_Rect title = cut_top(&b, skip + ui_line_height(u, FONT_BOLD, tp));
	cut_top(&b, g);
	ui_text(u, title, FONT_BOLD, tp, COL_TEXT, ALIGN_LEFT, 2,
		v->rec_title[0] ? v->rec_title : "Untitled recording");
	SDL_Rect meter = cut_top(&b, ui_px(u, 6.5f));
	cut_top(&b, g);
	ui_meter(u, meter, v->rms_db, v->peak_hold_db > v->peak_db ? v->peak_hold_db : v->peak_db,
		 true);
	if (v->low_audio) {
		SDL_Rect w = cut_top(&b, ui_line_height(u, FONT_BOLD, ui_px(u, T_BODY)) +
					       ui_px(u, 1.6f));
		cut_top(&b, g);
		struct view_message m = { .severity = SEV_WARN };
		snprintf(m.text, sizeof m.text,
			 "Microphone very quiet \xe2\x80\x94 check it is on and close to the speaker");
		banner(u, w, &m, 0);
	}
	SDL_Rect th = cut_top(&b, ui_line_height(u, FONT_BOLD, ui_px(u, T_BODY)));
	cut_top(&b, g / 2);
	ui_text(u, th, FONT_BOLD, ui_px(u, T_BODY), COL_DIM, ALIGN_LEFT, 1, "Topics");
	tags(u, b, v);
}

/* ---- check-in ---- */

/* The QR badge line (kiosk_scan.h): why the code just shown was refused, else whether QR
 * badges are on. */
static void qr_line(struct ui *u, SDL_Rect *b, const struct view *v)
{
	bool refused = v->qr_refused[0] != '\0';
	if (!refused && !v->qr_status[0])
		return;
	const char *text = refused ? v->qr_refused : v->qr_status;
	int font = refused ? FONT_BOLD : FONT_REGULAR, px = ui_px(u, T_BODY);
	/* A reason is read whole: on a narrow (portrait) screen it takes two lines. */
	int lines = refused && ui_text_width(u, font, px, text) > b->w ? 2 : 1;
	SDL_Rect r = cut_top(b, lines * ui_line_height(u, font, px));
	cut_top(b, gap(u) / 2);
	ui_text(u, r, font, px, refused ? COL_AMBER : COL_DIM, ALIGN_LEFT, lines, text);
	ui_widget(u, refused ? "qr:refused" : v->qr_camera ? "qr:on" : "qr:off", r, WIDGET_INFO,
		  EV_NONE, 0);
}

/* A line in the middle of what is left: why there is nothing to tap. */
static void checkin_closed(struct ui *u, SDL_Rect b, const char *big, const char *small)
{
	int lh = ui_line_height(u, FONT_BOLD, ui_px(u, T_TITLE));
	int sh = ui_line_height(u, FONT_REGULAR, ui_px(u, T_BODY));
	SDL_Rect r = inset(b, 0, (b.h - lh - sh - gap(u)) / 2 > 0 ? (b.h - lh - sh - gap(u)) / 2 : 0);
	ui_text(u, cut_top(&r, lh), FONT_BOLD, ui_px(u, T_TITLE), COL_TEXT, ALIGN_CENTER, 1, big);
	cut_top(&r, gap(u));
	ui_text(u, cut_top(&r, sh * 2), FONT_REGULAR, ui_px(u, T_BODY), COL_DIM, ALIGN_CENTER, 2,
		small);
}

/* The confirmation, big enough to read from a step away, with Undo while it may be used. */
static void checkin_note(struct ui *u, SDL_Rect r, const struct view *v)
{
	bool ok = v->checkin_note == CHECKIN_NOTE_OK;
	SDL_Color c = ok ? COL_GREEN : COL_AMBER;
	ui_round(u, r, ui_px(u, 1.2f), ui_mix(c, COL_BG, 0.35f));
	ui_fill(u, (SDL_Rect){ r.x, r.y, ui_px(u, 1.0f), r.h }, c);
	SDL_Rect in = inset(r, ui_px(u, 2.5f), ui_px(u, 0.8f));
	if (v->checkin_undo && ok) {
		SDL_Rect ub = cut_right(&in, ui_px(u, 16));
		ub = inset(ub, 0, (ub.h - btn_h(u)) / 2 > 0 ? (ub.h - btn_h(u)) / 2 : 0);
		ui_button(u, "undo", ub, "Undo", COL_BUTTON, ui_px(u, T_LARGE), EV_CHECKIN_UNDO, 0,
			  true);
		cut_right(&in, gap(u));
	}
	char text[160];
	snprintf(text, sizeof text, "%s%s", ok ? "\xe2\x9c\x93 " : "", v->checkin_note_text);
	ui_text(u, in, FONT_BOLD, ui_px(u, 4.6f), COL_TEXT, ALIGN_LEFT, 1, text);
}

static void checkin(struct ui *u, const struct view *v)
{
	SDL_Rect b = root(u);
	int g = gap(u);
	bool port = portrait(u);
	char count[48], title[160];
	/* Narrow: the count short, the session's title on a line of its own. */
	snprintf(count, sizeof count, port ? "%d in" : "%d checked in", v->checked_in);
	if (v->checkin_open && v->checkin_title[0] && !port)
		snprintf(title, sizeof title, "Check in \xc2\xb7 %s", v->checkin_title);
	else
		snprintf(title, sizeof title, "Check in");
	top_bar(u, &b, title, v->checkin_off ? "" : count, COL_GREEN, true);
	if (port && v->checkin_open && v->checkin_title[0] && !v->checkin_off) {
		int th = ui_line_height(u, FONT_BOLD, ui_px(u, T_BODY));
		ui_text(u, cut_top(&b, th), FONT_BOLD, ui_px(u, T_BODY), COL_TEXT, ALIGN_LEFT, 1,
			v->checkin_title);
		cut_top(&b, g / 2);
	}
	if (v->checkin_consent[0] && !v->checkin_off) {
		int ch = ui_line_height(u, FONT_REGULAR, ui_px(u, T_SMALL));
		ui_text(u, cut_top(&b, ch), FONT_REGULAR, ui_px(u, T_SMALL), COL_DIM, ALIGN_LEFT, 1,
			v->checkin_consent);
		cut_top(&b, g);
	}
	if (v->checkin_off) {
		checkin_closed(u, b, "Check-in is off on this device",
			       "Nothing about who comes is kept here.");
		return;
	}
	if (!v->checkin_open) {
		char when[64] = "No session is coming up today.";
		if (v->checkin_opens_at) {
			char t[16];
			hm(v->checkin_opens_at, t, sizeof t);
			snprintf(when, sizeof when, "Check-in opens at %s.", t);
		}
		checkin_closed(u, b, "No session to check in to now", when);
		return;
	}
	qr_line(u, &b, v);
	SDL_Rect srow = cut_top(&b, btn_h(u));
	cut_top(&b, g);
	SDL_Rect gb = cut_right(&srow, ui_px(u, 14));
	cut_right(&srow, g);
	ui_button(u, "guest", gb, "Guest", COL_BUTTON, ui_px(u, T_BODY), EV_CHECKIN_GUEST, 0, true);
	if (v->checkin_undo && v->checkin_note != CHECKIN_NOTE_OK) {
		SDL_Rect ub = cut_right(&srow, ui_px(u, 12));
		cut_right(&srow, g);
		ui_button(u, "undo", ub, "Undo", COL_BUTTON, ui_px(u, T_BODY), EV_CHECKIN_UNDO, 0,
			  true);
	}
	if (v->search[0]) {
		char walk[96];
		snprintf(walk, sizeof walk, "Walk-in: add %s", v->search);
		SDL_Rect wb;
		if (port) {             /* a row of its own, for the name to fit */
			wb = cut_top(&b, btn_h(u));
			cut_top(&b, g);
		} else {
			wb = cut_right(&srow, srow.w * 2 / 5);
			cut_right(&srow, g);
		}
		ui_button(u, "walkin", wb, walk, COL_ACCENT, ui_px(u, T_BODY), EV_WALK_IN, 0, true);
	}
	field(u, srow, NULL, v->search, port ? "Type your name" : "Tap here and type your name",
	      "search");
	if (v->keyboard) {
		int kh = btn_h(u) * 4;
		SDL_Rect kb = cut_bottom(&b, kh);
		cut_bottom(&b, g);
		kb.x = u->shift_x;
		kb.w = u->log_w;
		kb.h += ui_px(u, 1.5f);   /* to the panel's bottom edge */
		ui_keyboard(u, kb, true);
	}
	if (v->checkin_note != CHECKIN_NOTE_NONE) {
		int nh = btn_h(u) * 2;
		if (nh > b.h)
			nh = b.h;
		checkin_note(u, cut_top(&b, nh), v);
		cut_top(&b, g);
	}
	int n = v->n_invitees < VIEW_MAX_INVITEES ? v->n_invitees : VIEW_MAX_INVITEES;
	if (n == 0) {
		char t[192];
		if (v->search[0])
			snprintf(t, sizeof t, "No one on the list matches \xe2\x80\x9c%s\xe2\x80\x9d "
				 "\xe2\x80\x94 tap Walk-in to add yourself", v->search);
		else
			snprintf(t, sizeof t, "No list for this session \xe2\x80\x94 type your name, "
				 "or tap Guest");
		SDL_Rect e = cut_top(&b, ui_px(u, 6.0f));
		ui_text(u, e, FONT_REGULAR, ui_px(u, T_BODY), COL_DIM, ALIGN_CENTER, 2, t);
		return;
	}
	int cols = u->log_w >= 1200 ? 3 : u->log_w >= 640 ? 2 : 1;
	int rh = btn_h(u);
	int rows = (b.h + g / 2) / (rh + g / 2);
	int fit = rows * cols;
	int shown = n;
	int total = n + v->invitees_more;
	SDL_Rect more = { 0 };
	if (total > fit) {
		/* last cell says how many more: typing narrows the list */
		shown = fit - 1 < n ? fit - 1 : n;
		if (shown < 0)
			shown = 0;
	}
	int cw = (b.w - (cols - 1) * g) / cols;
	int px = ui_px(u, T_BODY);
	for (int i = 0; i < shown; i++) {
		SDL_Rect c = { b.x + (i % cols) * (cw + g), b.y + (i / cols) * (rh + g / 2), cw, rh };
		char name[24];
		snprintf(name, sizeof name, "invitee:%d", i);
		const struct view_invitee *p = &v->invitees[i];
		SDL_Color bg = p->checked_in ? COL_ON : COL_PANEL2;
		if (ui_is_pressed(u, name))
			bg = ui_mix(bg, COL_TEXT, 0.3f);
		ui_round(u, c, ui_px(u, 0.8f), bg);
		SDL_Rect in = inset(c, ui_px(u, 1.2f), ui_px(u, 0.3f));
		SDL_Rect tick = cut_left(&in, ui_px(u, 3.6f));
		if (p->checked_in) {
			ui_circle(u, tick.x + tick.w / 2 - ui_px(u, 0.4f), tick.y + tick.h / 2,
				  ui_px(u, 1.4f), COL_GREEN);
			ui_text(u, (SDL_Rect){ tick.x - ui_px(u, 0.4f), tick.y, tick.w, tick.h },
				FONT_BOLD, px, COL_TEXT, ALIGN_CENTER, 1, "\xe2\x9c\x93");
		} else {
			ui_circle(u, tick.x + tick.w / 2 - ui_px(u, 0.4f), tick.y + tick.h / 2,
				  ui_px(u, 1.4f), COL_FAINT);
			ui_circle(u, tick.x + tick.w / 2 - ui_px(u, 0.4f), tick.y + tick.h / 2,
				  ui_px(u, 1.1f), bg);
		}
		ui_text(u, in, p->checked_in ? FONT_BOLD : FONT_REGULAR, px, COL_TEXT, ALIGN_LEFT, 2,
			p->name);
		ui_widget(u, name, c, WIDGET_TAP, EV_CHECKIN_TOGGLE, i);
	}
	if (shown < total && fit > 0) {
		int i = shown;
		more = (SDL_Rect){ b.x + (i % cols) * (cw + g), b.y + (i / cols) * (rh + g / 2), cw, rh };
		char t[64];
		snprintf(t, sizeof t, "+%d more \xe2\x80\x94 type to narrow", total - shown);
		ui_text(u, inset(more, ui_px(u, 1.0f), 0), FONT_REGULAR, px, COL_DIM, ALIGN_LEFT, 1,
			t);
	}
}

/* ---- uploads ---- */

static void human_bytes(double b, char *buf, size_t n)
{
	if (b >= 1e9)
		snprintf(buf, n, "%.2f GB", b / 1e9);
	else if (b >= 1e6)
		snprintf(buf, n, "%.1f MB", b / 1e6);
	else
		snprintf(buf, n, "%.0f kB", b / 1e3);
}

static SDL_Color upload_colour(const struct view_upload *j, const char **word)
{
	if (strcmp(j->state, "uploading") == 0) {
		*word = "Uploading";
		return COL_BLUE;
	}
	if (strcmp(j->state, "uploaded") == 0) {
		*word = "Delivered";
		return COL_GREEN;
	}
	if (strcmp(j->state, "failed") == 0) {
		*word = "Failed";
		return COL_RED;
	}
	*word = j->last_error[0] ? "Retrying" : "Queued";
	return j->last_error[0] ? COL_AMBER : COL_DIM;
}

static void upload_card(struct ui *u, SDL_Rect r, const struct view *v, const struct view_upload *j)
{
	const char *word;
	SDL_Color c = upload_colour(j, &word);
	ui_round(u, r, ui_px(u, 1.0f), COL_PANEL);
	ui_fill(u, (SDL_Rect){ r.x, r.y + ui_px(u, 1.0f), ui_px(u, 0.6f), r.h - ui_px(u, 2.0f) }, c);
	SDL_Rect in = inset(r, ui_px(u, 1.8f), ui_px(u, 1.0f));
	bool failed = strcmp(j->state, "failed") == 0;
	bool retry = failed || (strcmp(j->state, "queued") == 0 && j->last_error[0]);
	if (retry) {
		char name[40];
		snprintf(name, sizeof name, "retry:%" PRId64, j->id);
		SDL_Rect rb = cut_right(&in, ui_px(u, 12.0f));
		rb = (SDL_Rect){ rb.x, r.y + (r.h - btn_h(u)) / 2, rb.w, btn_h(u) };
		ui_button(u, name, rb, "Retry", COL_ACCENT, ui_px(u, T_BODY), EV_RETRY, j->id, true);
		cut_right(&in, ui_px(u, 1.5f));
	}
	int bp = ui_px(u, T_BODY), sp = ui_px(u, T_SMALL);
	SDL_Rect row = cut_top(&in, ui_line_height(u, FONT_BOLD, bp));
	int ww = ui_text_width(u, FONT_BOLD, bp, word) + ui_px(u, 2.0f);
	SDL_Rect pill = cut_right(&row, ww);
	ui_round(u, pill, pill.h / 2, ui_mix(c, COL_PANEL, 0.55f));
	ui_text(u, pill, FONT_BOLD, bp, COL_TEXT, ALIGN_CENTER, 1, word);
	cut_right(&row, ui_px(u, 1.0f));
	ui_text(u, row, FONT_BOLD, bp, COL_TEXT, ALIGN_LEFT, 1, j->title);
	cut_top(&in, ui_px(u, 0.6f));
	SDL_Rect bar = cut_top(&in, ui_px(u, 1.0f));
	ui_round(u, bar, bar.h / 2, COL_PANEL2);
	double f = j->bytes > 0 ? (double)j->sent / (double)j->bytes : 0;
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	if (strcmp(j->state, "uploaded") == 0)
		f = 1;
	SDL_Rect fill = bar;
	fill.w = (int)(bar.w * f);
	ui_round(u, fill, bar.h / 2, c);
	cut_top(&in, ui_px(u, 0.5f));
	char sent[24], total[24], line[400];
	human_bytes((double)j->sent, sent, sizeof sent);
	human_bytes((double)j->bytes, total, sizeof total);
	int lines = 1;
	if (strcmp(j->state, "uploading") == 0) {
		char rate[24] = "", eta[32] = "";
		if (j->rate_bps >= 1e6)
			snprintf(rate, sizeof rate, " \xc2\xb7 %.1f MB/s", j->rate_bps / 1e6);
		else if (j->rate_bps > 0)
			snprintf(rate, sizeof rate, " \xc2\xb7 %.0f kB/s", j->rate_bps / 1e3);
		if (j->eta_s >= 0)
			snprintf(eta, sizeof eta, " \xc2\xb7 %d:%02d left", j->eta_s / 60, j->eta_s % 60);
		snprintf(line, sizeof line, "%s of %s (%d%%)%s%s", sent, total, (int)(f * 100), rate,
			 eta);
	} else if (strcmp(j->state, "uploaded") == 0) {
		snprintf(line, sizeof line, "%s delivered", total);
	} else if (j->last_error[0] || failed) {
		char next[48] = "";
		if (!failed && j->next_attempt > v->now) {
			char t[8];
			hm(j->next_attempt, t, sizeof t);
			snprintf(next, sizeof next, " \xe2\x80\x94 next try %s", t);
		}
		snprintf(line, sizeof line, "Attempt %d: %s%s", j->attempts,
			 j->last_error[0] ? j->last_error : "failed", next);
		lines = 2;
	} else {
		snprintf(line, sizeof line, "%s \xc2\xb7 waiting for its turn", total);
	}
	int lh = ui_line_height(u, FONT_REGULAR, sp);
	int skip = TTF_FontLineSkip(ui_font(u, FONT_REGULAR, sp));
	if (in.h < skip + lh)
		lines = 1;
	SDL_Rect det = cut_top(&in, (lines - 1) * skip + lh);
	ui_text(u, det, FONT_REGULAR, sp, lines == 2 ? ui_mix(c, COL_TEXT, 0.5f) : COL_DIM,
		ALIGN_LEFT, lines, line);
}

static void uploads(struct ui *u, const struct view *v)
{
	SDL_Rect b = root(u);
	int g = gap(u);
	int n = v->n_uploads < VIEW_MAX_UPLOADS ? v->n_uploads : VIEW_MAX_UPLOADS;
	char sum[48] = "";
	if (n > 0)
		snprintf(sum, sizeof sum, "%d in the queue", n);
	top_bar(u, &b, "Uploads", sum, COL_DIM, true);
	if (n == 0) {
		SDL_Rect e = cut_top(&b, b.h / 2);
		ui_circle(u, e.x + e.w / 2, e.y + e.h / 2 - ui_px(u, 3.0f), ui_px(u, 2.5f), COL_GREEN);
		ui_text(u, (SDL_Rect){ e.x + e.w / 2 - ui_px(u, 2.5f), e.y + e.h / 2 - ui_px(u, 5.5f),
				       ui_px(u, 5.0f), ui_px(u, 5.0f) },
			FONT_BOLD, ui_px(u, T_LARGE), COL_TEXT, ALIGN_CENTER, 1, "\xe2\x9c\x93");
		SDL_Rect t = { e.x, e.y + e.h / 2 + ui_px(u, 0.5f), e.w, ui_px(u, 8.0f) };
		ui_text(u, t, FONT_REGULAR, ui_px(u, T_LARGE), COL_TEXT, ALIGN_CENTER, 2,
			"Nothing waiting \xe2\x80\x94 every recording has been delivered");
		return;
	}
	int ch = ui_px(u, 12.5f);
	if (ch < 96)
		ch = 96;
	for (int i = 0; i < n; i++) {
		if (b.h < ch) {
			char t[48];
			snprintf(t, sizeof t, "+%d more", n - i);
			ui_text(u, b, FONT_REGULAR, ui_px(u, T_BODY), COL_DIM, ALIGN_LEFT, 1, t);
			break;
		}
		SDL_Rect c = cut_top(&b, ch);
		cut_top(&b, g / 2 + 1);
		upload_card(u, c, v, &v->uploads[i]);
	}
}

/* ---- PIN ---- */

static void pin(struct ui *u, const struct view *v)
{
	SDL_Rect b = root(u);
	int g = gap(u);
	bool refused = v->pin_unset || v->pin_default;
	bool locked = v->pin_locked_until > v->now || refused;
	SDL_Rect top = cut_top(&b, btn_h(u));
	cut_top(&b, g);
	/* Cancel sits where every other screen's way back is; the keypad's last row is
	 * Clear 0 OK, OK alone submitting (the keypad does not react at the PIN's length). */
	SDL_Rect cb = cut_left(&top, ui_px(u, 13));
	ui_button(u, "pin:cancel", cb, "\xe2\x80\xb9 Cancel", COL_BUTTON, ui_px(u, T_BODY), EV_SHOW,
		  VIEW_HOME, true);
	cut_right(&top, cb.w);
	ui_text(u, top, FONT_BOLD, ui_px(u, T_TITLE), COL_TEXT, ALIGN_CENTER, 1,
		portrait(u) ? "Settings PIN" : "Settings \xe2\x80\x94 enter PIN");
	SDL_Rect dots = cut_top(&b, ui_px(u, 4.5f));
	int slots = v->pin_len > 4 ? v->pin_len : 4;
	if (slots > 12)
		slots = 12;
	int rad = ui_px(u, 1.3f), step = ui_px(u, 4.0f);
	int x0 = dots.x + dots.w / 2 - (slots - 1) * step / 2;
	for (int i = 0; i < slots; i++) {
		int cx = x0 + i * step, cy = dots.y + dots.h / 2;
		if (i < v->pin_len) {
			ui_circle(u, cx, cy, rad, COL_TEXT);
		} else {
			ui_circle(u, cx, cy, rad, COL_FAINT);
			ui_circle(u, cx, cy, rad - ui_px(u, 0.35f), COL_BG);
		}
	}
	char st[128];
	SDL_Color sc = COL_DIM;
	if (v->pin_unset) {
		snprintf(st, sizeof st, "Settings are locked: no PIN is set ([ui] pin)");
		sc = COL_RED;
	} else if (v->pin_default) {
		snprintf(st, sizeof st, "The sample PIN opens nothing: IT runs sudo lectern provision");
		sc = COL_RED;
	} else if (locked) {
		int64_t s = v->pin_locked_until - v->now;
		snprintf(st, sizeof st, "Locked \xe2\x80\x94 try again in %" PRId64 ":%02d", s / 60,
			 (int)(s % 60));
		sc = COL_RED;
	} else {
		snprintf(st, sizeof st, "%d %s left", v->pin_tries_left,
			 v->pin_tries_left == 1 ? "try" : "tries");
		if (v->pin_tries_left <= 2)
			sc = COL_AMBER;
	}
	SDL_Rect sr = cut_top(&b, ui_line_height(u, FONT_BOLD, ui_px(u, T_BODY)) + g);
	ui_text(u, sr, FONT_BOLD, ui_px(u, T_BODY), sc, ALIGN_CENTER, 1, st);
	/* keypad: 1-9, then Clear 0 OK */
	int kh = (b.h - 3 * g / 2) / 4;
	if (kh > ui_px(u, 9.0f))
		kh = ui_px(u, 9.0f);
	int kw = ui_px(u, 15.0f);
	if (kw * 3 + 2 * g > b.w)
		kw = (b.w - 2 * g) / 3;
	int px0 = b.x + (b.w - (3 * kw + 2 * g)) / 2;
	static const char *labels[12] = { "1", "2", "3", "4", "5", "6", "7", "8", "9",
					  "Clear", "0", "OK" };
	for (int i = 0; i < 12; i++) {
		SDL_Rect k = { px0 + (i % 3) * (kw + g), b.y + (i / 3) * (kh + g / 2), kw, kh };
		char name[16];
		if (i == 9) {
			ui_button(u, "pin:clear", k, labels[i], COL_PANEL2, ui_px(u, T_BODY),
				  EV_PIN_CLEAR, 0, !locked);
		} else if (i == 11) {
			ui_button(u, "pin:ok", k, labels[i], COL_GREEN, ui_px(u, T_TITLE), EV_PIN_OK, 0,
				  !locked && v->pin_len > 0);
		} else {
			int d = labels[i][0] - '0';
			snprintf(name, sizeof name, "pin:%d", d);
			ui_button(u, name, k, labels[i], COL_BUTTON, ui_px(u, T_TITLE), EV_PIN_DIGIT, d,
				  !locked);
		}
	}
}

/* ---- settings ---- */

static SDL_Rect heading(struct ui *u, SDL_Rect *b, const char *t)
{
	SDL_Rect h = cut_top(b, ui_line_height(u, FONT_BOLD, ui_px(u, T_BODY)) + ui_px(u, 0.6f));
	ui_text(u, h, FONT_BOLD, ui_px(u, T_BODY), COL_DIM, ALIGN_LEFT, 1, t);
	return h;
}

static void settings_audio(struct ui *u, SDL_Rect *b, const struct view *v, int reserve)
{
	int g = gap(u);
	heading(u, b, "Audio input");
	int n = v->n_inputs < VIEW_MAX_INPUTS ? v->n_inputs : VIEW_MAX_INPUTS;
	int rh = btn_h(u);
	if (n == 0) {
		SDL_Rect r = cut_top(b, rh);
		ui_text(u, r, FONT_REGULAR, ui_px(u, T_BODY), COL_AMBER, ALIGN_LEFT, 1,
			"No audio input found \xe2\x80\x94 plug in the USB microphone");
	}
	for (int i = 0; i < n; i++) {
		if (b->h < rh + reserve)
			break;
		SDL_Rect r = cut_top(b, rh);
		cut_top(b, g / 2);
		char name[24];
		snprintf(name, sizeof name, "input:%d", i);
		bool sel = i == v->input_selected;
		SDL_Color bg = sel ? COL_ON : COL_PANEL2;
		if (ui_is_pressed(u, name))
			bg = ui_mix(bg, COL_TEXT, 0.3f);
		ui_round(u, r, ui_px(u, 0.8f), bg);
		SDL_Rect in = inset(r, ui_px(u, 1.2f), 0);
		SDL_Rect dot = cut_left(&in, ui_px(u, 3.5f));
		int cx = dot.x + ui_px(u, 1.3f), cy = dot.y + dot.h / 2;
		ui_circle(u, cx, cy, ui_px(u, 1.3f), sel ? COL_TEXT : COL_FAINT);
		ui_circle(u, cx, cy, ui_px(u, 1.0f), bg);
		if (sel)
			ui_circle(u, cx, cy, ui_px(u, 0.6f), COL_TEXT);
		ui_text(u, in, sel ? FONT_BOLD : FONT_REGULAR, ui_px(u, T_BODY), COL_TEXT, ALIGN_LEFT,
			1, v->inputs[i]);
		ui_widget(u, name, r, WIDGET_TAP, EV_INPUT_SELECT, i);
	}
	cut_top(b, g / 2);
	SDL_Rect m = cut_top(b, ui_px(u, 5.5f));
	ui_meter(u, m, v->rms_db, v->peak_hold_db > v->peak_db ? v->peak_hold_db : v->peak_db, true);
	cut_top(b, g);
}

static void settings_camera(struct ui *u, SDL_Rect b, const struct view *v)
{
	if (b.h < ui_px(u, 8.0f))
		return;
	heading(u, &b, "Camera");
	int h = b.h, w = h * 4 / 3;
	if (w > b.w) {
		w = b.w;
		h = w * 3 / 4;
	}
	SDL_Rect box = { b.x, b.y, w, h };
	ui_round(u, box, ui_px(u, 0.8f), COL_PANEL);
	if (v->camera_present && v->camera_w > 0 && v->camera_h > 0 &&
	    v->camera_w <= VIEW_CAMERA_W && v->camera_h <= VIEW_CAMERA_H) {
		/* One streaming texture, refreshed only when the picture changed. */
		if (!u->camera)
			u->camera = SDL_CreateTexture(u->ren, SDL_PIXELFORMAT_RGB24,
						      SDL_TEXTUREACCESS_STREAMING, VIEW_CAMERA_W,
						      VIEW_CAMERA_H);
		if (u->camera && u->camera_frame != v->camera_frame) {
			SDL_UpdateTexture(u->camera, NULL, v->camera_rgb, VIEW_CAMERA_W * 3);
			u->camera_frame = v->camera_frame;
		}
		SDL_Rect src = { 0, 0, v->camera_w, v->camera_h };
		SDL_Rect pic = inset(box, ui_px(u, 0.5f), ui_px(u, 0.5f));
		if (u->camera)
			SDL_RenderCopy(u->ren, u->camera, &src, &pic);
		SDL_Rect cap = { pic.x, pic.y + pic.h - ui_px(u, 3.0f), pic.w, ui_px(u, 3.0f) };
		ui_fill(u, cap, COL_DARK);
		ui_text(u, inset(cap, ui_px(u, 0.6f), 0), FONT_REGULAR, ui_px(u, T_SMALL), COL_DIM,
			ALIGN_LEFT, 1, v->camera_name);
		return;
	}
	ui_text(u, inset(box, ui_px(u, 1.0f), 0), FONT_REGULAR, ui_px(u, T_BODY),
		v->camera_present ? COL_DIM : COL_AMBER, ALIGN_CENTER, 2,
		v->camera_present ? "Camera connected"
		: v->camera_name[0] ? v->camera_name : "No camera");
}

static void settings_right(struct ui *u, SDL_Rect *b, const struct view *v)
{
	int g = gap(u);
	heading(u, b, "Server");
	SDL_Rect tb = cut_top(b, btn_h(u));
	cut_top(b, g / 2);
	ui_button(u, "test", tb, "Test server connection", COL_BUTTON, ui_px(u, T_BODY),
		  EV_TEST_CONNECTION, 0, true);
	int sp = ui_px(u, T_SMALL);
	int skip = TTF_FontLineSkip(ui_font(u, FONT_REGULAR, sp));
	SDL_Rect ct = cut_top(b, skip + ui_line_height(u, FONT_REGULAR, sp));
	cut_top(b, g);
	ui_text(u, ct, FONT_REGULAR, sp, COL_TEXT, ALIGN_LEFT, 2,
		v->connection_test[0] ? v->connection_test : "Not tested yet");

	heading(u, b, "Brightness");
	SDL_Rect br = cut_top(b, btn_h(u));
	cut_top(b, g);
	int bw = ui_px(u, 9.0f) < 52 ? 52 : ui_px(u, 9.0f);
	SDL_Rect minus = cut_left(&br, bw);
	SDL_Rect plus = cut_right(&br, bw);
	int down = v->brightness - 10 < 10 ? 10 : v->brightness - 10;
	int up = v->brightness + 10 > 100 ? 100 : v->brightness + 10;
	ui_button(u, "bright:-", minus, "\xe2\x88\x92", COL_BUTTON, ui_px(u, T_TITLE), EV_BRIGHTNESS,
		  down, v->brightness > 10);
	ui_button(u, "bright:+", plus, "+", COL_BUTTON, ui_px(u, T_TITLE), EV_BRIGHTNESS, up,
		  v->brightness < 100);
	char pct[16];
	snprintf(pct, sizeof pct, "%d %%", v->brightness);
	SDL_Rect bar = inset(br, ui_px(u, 1.5f), 0);
	SDL_Rect track = { bar.x, bar.y + bar.h / 2 + ui_px(u, 1.2f), bar.w, ui_px(u, 0.8f) };
	ui_round(u, track, track.h / 2, COL_PANEL2);
	SDL_Rect lvl = track;
	lvl.w = track.w * (v->brightness < 0 ? 0 : v->brightness > 100 ? 100 : v->brightness) / 100;
	ui_round(u, lvl, track.h / 2, COL_AMBER);
	SDL_Rect lt = { bar.x, bar.y, bar.w, bar.h / 2 + ui_px(u, 0.8f) };
	ui_text(u, lt, FONT_BOLD, ui_px(u, T_BODY), COL_TEXT, ALIGN_CENTER, 1, pct);

	if (b->h < ui_px(u, 6.0f))
		return;
	heading(u, b, "About");
	char about[320];
	snprintf(about, sizeof about, "lectern %s%s%s", v->version, v->about[0] ? " \xc2\xb7 " : "",
		 v->about);
	int lh = ui_line_height(u, FONT_REGULAR, sp);
	int lines = 1 + (b->h - lh) / skip;
	if (lines > 4)
		lines = 4;
	if (lines < 1)
		return;
	SDL_Rect at = cut_top(b, (lines - 1) * skip + lh);
	ui_text(u, at, FONT_REGULAR, sp, COL_DIM, ALIGN_LEFT, lines, about);
}

static void settings(struct ui *u, const struct view *v)
{
	SDL_Rect b = root(u);
	int g = gap(u);
	char title[192];
	snprintf(title, sizeof title, "Settings \xe2\x80\x94 %s", v->room);
	top_bar(u, &b, title, NULL, COL_DIM, true);
	if (portrait(u)) {
		settings_audio(u, &b, v, ui_px(u, 40.0f));
		settings_right(u, &b, v);
		cut_top(&b, g);
		settings_camera(u, b, v);
		return;
	}
	SDL_Rect left = cut_left(&b, (b.w - 2 * g) / 2);
	cut_left(&b, 2 * g);
	settings_audio(u, &left, v, ui_px(u, 9.0f));
	settings_camera(u, left, v);
	settings_right(u, &b, v);
}

/* ---- sessions ---- */

static void sessions(struct ui *u, const struct view *v)
{
	SDL_Rect b = root(u);
	int g = gap(u);
	int n = v->n_found < VIEW_MAX_FOUND ? v->n_found : VIEW_MAX_FOUND;
	int bp = ui_px(u, T_BODY), sp = ui_px(u, T_SMALL);
	/* What fits decides the count in the title bar: laid out before it is drawn. */
	SDL_Rect list = b;
	cut_top(&list, btn_h(u) + g + btn_h(u) + g);
	SDL_Rect kb = { 0 };
	if (v->keyboard) {
		kb = cut_bottom(&list, btn_h(u) * 4);
		cut_bottom(&list, g);
	}
	/* A tile is its code and a readable column of text beside it: 42 units at least. */
	int cols = v->keyboard ? 1 : (list.w + g) / (ui_px(u, 42.0f) + g);
	if (cols < 1)
		cols = 1;
	int rh = v->keyboard ? ui_line_height(u, FONT_REGULAR, bp) + ui_px(u, 1.0f)
			     : ui_px(u, QR_BOX) + ui_px(u, 1.6f);
	int rg = v->keyboard ? 0 : g / 2;
	int rows = (list.h + rg) / (rh + rg);
	int shown = n < rows * cols ? n : rows * cols;
	/* Portrait's title bar is narrow: the short words. */
	bool port = portrait(u);
	int total = v->session_search[0] ? v->found_total : v->sessions_total;
	char sum[64] = "";
	if (shown < total)
		snprintf(sum, sizeof sum, port ? "%d of %d" : v->session_search[0] ? "%d of %d found"
										: "latest %d of %d",
			 shown, total);
	else if (total > 0 || v->session_search[0])
		snprintf(sum, sizeof sum, port ? "%d" : v->session_search[0] ? "%d found"
									      : "%d delivered", total);
	top_bar(u, &b, port ? "Sessions" : "Past sessions", sum, COL_DIM, true);
	field(u, cut_top(&b, btn_h(u)), NULL, v->session_search, "Search by title, presenter or topic",
	      "search");
	if (v->keyboard) {
		kb.x = u->shift_x;
		kb.w = u->log_w;
		kb.h += ui_px(u, 1.5f);   /* to the panel's bottom edge */
		ui_keyboard(u, kb, true);
	}
	if (n == 0) {
		char t[160];
		if (v->session_search[0])
			snprintf(t, sizeof t, "No session matches \xe2\x80\x9c%s\xe2\x80\x9d",
				 v->session_search);
		else
			snprintf(t, sizeof t, "No sessions delivered yet \xe2\x80\x94 they appear here "
				 "once uploaded");
		ui_text(u, cut_top(&list, ui_px(u, 6.0f)), FONT_REGULAR, bp, COL_DIM, ALIGN_CENTER,
			2, t);
		return;
	}
	int cw = (list.w - (cols - 1) * g) / cols;
	int tw = ui_text_width(u, FONT_REGULAR, sp, "Wed 30 Sep") + ui_px(u, 2.0f);
	for (int i = 0; i < shown; i++) {
		SDL_Rect c = { list.x + (i % cols) * (cw + g), list.y + (i / cols) * (rh + rg), cw, rh };
		if (v->keyboard) {
			/* While typing: a line each, to see the list narrow; codes once it closes. */
			SDL_Rect row = inset(c, ui_px(u, 0.8f), 0);
			char when[32];
			short_date(v->found[i].start, when, sizeof when);
			ui_text(u, cut_right(&row, tw), FONT_REGULAR, sp, COL_DIM, ALIGN_RIGHT, 1, when);
			ui_text(u, row, FONT_REGULAR, bp, COL_TEXT, ALIGN_LEFT, 1, v->found[i].title);
			continue;
		}
		char name[24];
		snprintf(name, sizeof name, "qr:found:%d", i);
		past_tile(u, c, &v->found[i], name, true);
	}
}

/* The thank-you card, over whatever the screen shows, for the few seconds the view keeps it. */
static void thanks(struct ui *u, const struct view *v)
{
	int w = u->log_w * (portrait(u) ? 23 : 20) / 25, g = gap(u);
	int pad = ui_px(u, 3.0f);
	int tp = ui_px(u, 4.6f), bp = ui_px(u, T_LARGE);
	/* A line each when they fit, centred; wrapped text reads better from the left. */
	int tlines = ui_text_width(u, FONT_BOLD, tp, v->thanks_title) > w - 2 * pad ? 2 : 1;
	int blines = ui_text_width(u, FONT_REGULAR, bp, v->thanks_text) > w - 2 * pad ? 2 : 1;
	int align = tlines == 1 && blines == 1 ? ALIGN_CENTER : ALIGN_LEFT;
	int tl = ui_line_height(u, FONT_BOLD, tp), ts = TTF_FontLineSkip(ui_font(u, FONT_BOLD, tp));
	int bl = ui_line_height(u, FONT_REGULAR, bp);
	int bs = TTF_FontLineSkip(ui_font(u, FONT_REGULAR, bp));
	int th = (tlines - 1) * ts + tl, bh = (blines - 1) * bs + bl;
	int h = 2 * pad + th + 2 * g + bh;
	SDL_Rect r = { u->shift_x + (u->log_w - w) / 2, u->shift_y + (u->log_h - h) / 2, w, h };
	/* The screen behind dimmed, so that the card reads at a glance. */
	SDL_SetRenderDrawBlendMode(u->ren, SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(u->ren, 0, 0, 0, 0xa0);
	SDL_RenderFillRect(u->ren, &(SDL_Rect){ u->shift_x, u->shift_y, u->log_w, u->log_h });
	SDL_SetRenderDrawBlendMode(u->ren, SDL_BLENDMODE_NONE);
	ui_round(u, r, ui_px(u, 1.6f), COL_PANEL2);
	ui_fill(u, (SDL_Rect){ r.x, r.y + ui_px(u, 1.6f), ui_px(u, 1.0f), r.h - ui_px(u, 3.2f) },
		COL_GREEN);
	SDL_Rect in = inset(r, pad, pad);
	ui_text(u, cut_top(&in, th), FONT_BOLD, tp, COL_TEXT, align, tlines, v->thanks_title);
	cut_top(&in, 2 * g);
	ui_text(u, cut_top(&in, bh), FONT_REGULAR, bp, COL_TEXT, align, blines, v->thanks_text);
	/* A tap on the card dismisses it (and is not taken by the button drawn under it). */
	ui_widget(u, "thanks", r, WIDGET_TAP, EV_THANKS_DISMISS, 0);
}

void ui_draw_screen(struct ui *u, const struct view *v)
{
	switch (v->screen) {
	case VIEW_RECORDING:
		recording(u, v);
		break;
	case VIEW_CHECKIN:
		checkin(u, v);
		break;
	case VIEW_UPLOADS:
		uploads(u, v);
		break;
	case VIEW_PIN:
		pin(u, v);
		break;
	case VIEW_SETTINGS:
		settings(u, v);
		break;
	case VIEW_SESSIONS:
		sessions(u, v);
		break;
	default:
		home(u, v);
	}
	if (v->has_thanks)
		thanks(u, v);
}
