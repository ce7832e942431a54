/*
 * screen.c — the screen interface's shared part (see screen.h): loading the SDL screen's
 * plugin and dispatch through the ops table.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "lectern/screen.h"

#ifndef LECTERN_LIBDIR
#define LECTERN_LIBDIR "/usr/lib/lectern"
#endif

lt_err screen_load(const struct screen_ops **ops, char *why, size_t n)
{
	*ops = NULL;
	const char *env = getenv("LECTERN_SCREEN");
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s", env && env[0] ? env : LECTERN_LIBDIR "/" SCREEN_SDL_FILE);
	/* RTLD_LOCAL: SDL's symbols stay the plugin's; RTLD_NOW: a missing library fails here,
	 * with its name, and not at the first draw. */
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(why, n, "the screen plugin did not load: %s; install it (make install) or "
			 "set LECTERN_SCREEN to its path", dlerror());
		return LT_ERR_NOT_FOUND;
	}
	screen_entry_fn entry;
	*(void **)&entry = dlsym(lib, SCREEN_SDL_ENTRY); /* POSIX's way to get a function */
	if (!entry) {
		snprintf(why, n, "%s is not a lectern screen plugin: it has no %s", path,
			 SCREEN_SDL_ENTRY);
		dlclose(lib);
		return LT_ERR_NOT_FOUND;
	}
	const struct screen_ops *o = entry();
	if (!o || o->abi != SCREEN_ABI || o->view_size != sizeof(struct view)) {
		snprintf(why, n, "%s was built for another version of lectern (screen ABI %d, view "
			 "%zu bytes; this one has %d, %zu): install the plugin of this build", path,
			 o ? o->abi : -1, o ? o->view_size : 0, SCREEN_ABI, sizeof(struct view));
		dlclose(lib);
		return LT_ERR_INVALID;
	}
	/* Never closed: see screen.h. */
	*ops = o;
	return LT_OK;
}

lt_err screen_open(const struct screen_ops *ops, const struct screen_params *p,
		   struct screen **out, char *why, size_t n)
{
	*out = NULL;
	if (n)
		why[0] = '\0';
	lt_err err = ops->open(p, out, why, n);
	if (err == LT_OK)
		(*out)->ops = ops;
	else if (n && !why[0])
		snprintf(why, n, "%s", lt_strerror(err));
	return err;
}

void screen_close(struct screen *s)
{
	if (s)
		s->ops->close(s);
}

void screen_post(struct screen *s, const struct view *v)
{
	s->ops->post(s, v);
}

int screen_next_event(struct screen *s, int timeout_ms, struct view_event *ev)
{
	return s->ops->next_event(s, timeout_ms, ev);
}

bool screen_dirty(const struct screen *s)
{
	return s->ops->dirty(s);
}

void screen_set_shift(struct screen *s, int dx, int dy)
{
	s->ops->set_shift(s, dx, dy);
}

void screen_dump_widgets(const struct screen *s, FILE *f)
{
	s->ops->dump_widgets(s, f);
}

int screen_save_png(struct screen *s, const char *path)
{
	return s->ops->save_png(s, path);
}
