/*
 * screen_null.c — the null screen (see screen.h): draws nothing and hears nothing, but counts
 * the views posted and keeps the burn-in shift, so that tests of the kiosk see what it asked
 * of its screen without SDL.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "lectern/screen.h"

struct null_screen {
	struct screen base;
	unsigned long posts;
	int dx, dy;
	bool dirty;
};

static lt_err null_open(const struct screen_params *p, struct screen **out, char *why, size_t n)
{
	(void)p;
	(void)why;
	(void)n;
	struct null_screen *s = calloc(1, sizeof *s);
	if (!s)
		return LT_ERR_NOMEM;
	*out = &s->base;
	return LT_OK;
}

static void null_close(struct screen *s)
{
	free(s);
}

static void null_post(struct screen *s, const struct view *v)
{
	(void)v;
	struct null_screen *ns = (struct null_screen *)s;
	ns->posts++;
	ns->dirty = false;
}

static int null_next_event(struct screen *s, int timeout_ms, struct view_event *ev)
{
	(void)s;
	(void)ev;
	poll(NULL, 0, timeout_ms > 0 ? timeout_ms : 0); /* as long as a screen without taps */
	return 0;
}

static bool null_dirty(const struct screen *s)
{
	return ((const struct null_screen *)s)->dirty;
}

/* A new shift must be drawn, as on a real screen. */
static void null_set_shift(struct screen *s, int dx, int dy)
{
	struct null_screen *ns = (struct null_screen *)s;
	if (ns->dx != dx || ns->dy != dy)
		ns->dirty = true;
	ns->dx = dx;
	ns->dy = dy;
}

static void null_dump_widgets(const struct screen *s, FILE *f)
{
	(void)s;
	(void)f;
}

static int null_save_png(struct screen *s, const char *path)
{
	(void)s;
	(void)path;
	errno = ENOTSUP;
	return -1;
}

const struct screen_ops screen_null_ops = {
	.abi = SCREEN_ABI,
	.view_size = sizeof(struct view),
	.name = "null",
	.open = null_open,
	.close = null_close,
	.post = null_post,
	.next_event = null_next_event,
	.dirty = null_dirty,
	.set_shift = null_set_shift,
	.dump_widgets = null_dump_widgets,
	.save_png = null_save_png,
};

unsigned long screen_null_posts(const struct screen *s)
{
	return ((const struct null_screen *)s)->posts;
}

void screen_null_shift(const struct screen *s, int *dx, int *dy)
{
	const struct null_screen *ns = (const struct null_screen *)s;
	*dx = ns->dx;
	*dy = ns->dy;
}
