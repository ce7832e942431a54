/*
 * backlight.c — sysfs backlight and its no-op twin (see backlight.h).
 */
#include "lectern/backlight.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lectern/log.h"

static lt_err set_none(struct backlight *b, int percent)
{
	b->percent = percent;
	return LT_OK;
}

static lt_err set_sysfs(struct backlight *b, int percent)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/brightness", b->dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		log_warn("backlight: cannot open %s: %m", path);
		return LT_ERR_IO;
	}
	long value = b->max * percent / 100;
	if (percent > 0 && value == 0)
		value = 1;
	int ok = fprintf(f, "%ld\n", value) > 0;
	ok &= fclose(f) == 0;
	if (!ok) {
		log_warn("backlight: cannot write %s: %m", path);
		return LT_ERR_IO;
	}
	b->percent = percent;
	return LT_OK;
}

static bool read_max(const char *dir, long *max)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/max_brightness", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool ok = fscanf(f, "%ld", max) == 1 && *max > 0;
	fclose(f);
	return ok;
}

void backlight_open(const char *dir, struct backlight *out, char *why, size_t n)
{
	memset(out, 0, sizeof *out);
	out->name = "none";
	out->set = set_none;
	out->percent = 100;
	why[0] = '\0';
	if (strcmp(dir, "none") == 0) {
		snprintf(why, n, "no backlight control (configured)");
		return;
	}
	if (dir[0]) {
		snprintf(out->dir, sizeof out->dir, "%s", dir);
	} else {
		DIR *d = opendir("/sys/class/backlight");
		struct dirent *e;
		while (d && (e = readdir(d)) && !out->dir[0])
			if (e->d_name[0] != '.')
				snprintf(out->dir, sizeof out->dir, "/sys/class/backlight/%s",
					 e->d_name);
		if (d)
			closedir(d);
		if (!out->dir[0]) {
			snprintf(why, n, "no backlight found in /sys/class/backlight: not dimming");
			return;
		}
	}
	if (!read_max(out->dir, &out->max)) {
		snprintf(why, n, "%s/max_brightness is missing or unreadable: not dimming", out->dir);
		out->dir[0] = '\0';
		return;
	}
	out->name = "sysfs";
	out->set = set_sysfs;
	snprintf(why, n, "backlight %s (0..%ld)", out->dir, out->max);
}
