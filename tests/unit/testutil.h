/*
 * testutil.h — what the unit tests share: removing a test's temporary directory with
 * everything in it, writing a small file, a temporary directory, a configuration or a store
 * in it, and stopping a server process a test started.
 */
#ifndef LECTERN_TESTUTIL_H
#define LECTERN_TESTUTIL_H

#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lectern/config.h"
#include "lectern/log.h"
#include "lectern/store.h"

static inline int tu_remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Remove `dir` and everything below it (no error if it is gone). */
static inline void tu_rmrf(const char *dir)
{
	nftw(dir, tu_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write `n` bytes of `data` as the whole file `path`. True when it all went. */
static inline bool tu_write_file(const char *path, const void *data, size_t n)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return false;
	bool ok = fwrite(data, 1, n, fp) == n;
	return fclose(fp) == 0 && ok;
}

/* A new directory /tmp/lectern-NAME-XXXXXX in `dir` (n >= 64). False when it could not be
 * made. */
static inline bool tu_temp_dir(char *dir, size_t n, const char *name)
{
	snprintf(dir, n, "/tmp/lectern-%s-XXXXXX", name);
	return mkdtemp(dir) != NULL;
}

/* A new directory as tu_temp_dir() makes it, quiet logs, and in `cfg` the defaults with data
 * and spool in it and an ics calendar. False when the directory could not be made. */
static inline bool tu_temp_config(char *dir, size_t n, const char *name, struct config *cfg)
{
	if (!tu_temp_dir(dir, n, name))
		return false;
	log_set_level(LOG_LVL_ERROR);
	config_defaults(cfg);
	snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", dir);
	snprintf(cfg->spool_dir, sizeof cfg->spool_dir, "%s", dir);
	snprintf(cfg->schedule_source, sizeof cfg->schedule_source, "ics");
	return true;
}

/* The store DIR/lectern.db opened (made) in *st; its path into `db` (n bytes) unless db is
 * NULL. False when it could not be opened. */
static inline bool tu_store_open(const char *dir, char *db, size_t n, struct store **st)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/lectern.db", dir);
	if (db)
		snprintf(db, n, "%s", path);
	return store_open(path, st) == LT_OK;
}

/* A server the test started: TERM, up to 2 s to go, then KILL; always reaped. */
static inline void tu_stop_child(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

#endif
