/*
 * backlight.h — the screen's brightness, behind an ops table.
 *
 * sysfs: /sys/class/backlight/NAME/{brightness,max_brightness}; percent is scaled to the
 * device's range (never 0 unless asked: a black screen looks broken). The twin does nothing
 * but remember the value, for machines without a backlight (desktops, Xvfb, tests).
 */
#ifndef LECTERN_BACKLIGHT_H
#define LECTERN_BACKLIGHT_H

#include <stdbool.h>
#include <limits.h>
#include <stddef.h>

#include "lectern/err.h"

struct backlight {
	const char *name;          /* "sysfs:/sys/class/backlight/rpi_backlight" or "none" */
	lt_err (*set)(struct backlight *b, int percent);
	int percent;               /* last value set */
	char dir[PATH_MAX];
	long max;
};

/*
 * Open `dir` (a sysfs backlight directory), the first one under /sys/class/backlight when
 * `dir` is "" and one exists, or the no-op twin (when `dir` is "none" or nothing is found).
 * Never fails: the worst case is the twin, and `why` says so.
 */
void backlight_open(const char *dir, struct backlight *out, char *why, size_t n);

static inline lt_err backlight_set(struct backlight *b, int percent)
{
	return b->set(b, percent < 0 ? 0 : percent > 100 ? 100 : percent);
}

#endif
