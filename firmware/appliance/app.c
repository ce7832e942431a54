/* app.c — configuration and store set up the same way for every command. */
#include "lectern/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lectern/checkinlog.h"
#include "lectern/log.h"
#include "lectern/osutil.h"
#include "lectern/session.h"
#include "lectern/spoolmeta.h"

/* The data directory's lock: held from app_open_store_locked() until the process ends. */
static int data_dir_lock = -1;
static int spool_lock = -1;
/* Where a damaged database was set aside at start ("" if it was not). */
static char set_aside[PATH_MAX + 64];

int app_load_config(const char *path, struct config *cfg)
{
	config_defaults(cfg);
	struct config_error err;
	if (!path || !*path)
		path = getenv(CONFIG_ENV);
	/* Only a configuration that is not there means the defaults: one this user may not read
	 * (/etc/lectern is the service's) is an error that says so, not a silent fallback. */
	if ((!path || !*path) && (access(CONFIG_DEFAULT_PATH, F_OK) == 0 || errno != ENOENT))
		path = CONFIG_DEFAULT_PATH;
	lt_err rc;
	if (path && *path) {
		rc = config_load(cfg, path, &err);
	} else {
		log_info("no %s: using built-in defaults", CONFIG_DEFAULT_PATH);
		rc = config_check(cfg, &err);
	}
	if (rc != LT_OK) {
		char line[PATH_MAX + 512];
		config_error_format(&err, line, sizeof line);
		fprintf(stderr, "%s\n", line);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Create the data and spool directories; the database's path. */
static int prepare_dirs(const struct config *cfg, char *db, size_t n)
{
	const char *dirs[] = {cfg->data_dir, cfg->spool_dir};
	const char *what[] = {"data_dir", "spool_dir"};
	for (int i = 0; i < 2; i++) {
		if (os_check_writable_dir(dirs[i]) != LT_OK) {
			fprintf(stderr, "lectern: %s: [device] %s %s is not a writable directory: %s\n",
				cfg->source, what[i], dirs[i], strerror(errno));
			return EXIT_STORAGE;
		}
	}
	if (snprintf(db, n, "%s/lectern.db", cfg->data_dir) >= (int)n) {
		fprintf(stderr, "lectern: [device] data_dir %s: the path is too long\n", cfg->data_dir);
		return EXIT_STORAGE;
	}
	return EXIT_OK;
}

/* Whether the disk holding the data directory is full (an open that fails there says only
 * "disk I/O error"). */
static bool disk_full(const struct config *cfg)
{
	uint64_t free_bytes;
	return os_free_bytes(cfg->data_dir, &free_bytes) == LT_OK && free_bytes < (1u << 20);
}

/* The recording's reserve (session.h) given back, so that the database can commit again. */
static bool free_reserve(const struct config *cfg)
{
	char path[PATH_MAX];
	return snprintf(path, sizeof path, "%s/" SESSION_RESERVE_FILE, cfg->data_dir) <
		       (int)sizeof path &&
	       unlink(path) == 0;
}

static int cannot_open(const struct config *cfg, const char *path)
{
	if (disk_full(cfg))
		fprintf(stderr, "lectern: the disk holding %s is full, so the database %s cannot be "
				"opened: free some space (delivered recordings can go: see `lectern "
				"recordings`)\n", cfg->data_dir, path);
	else
		fprintf(stderr, "lectern: cannot open the database %s (see the log above)\n", path);
	return EXIT_STORAGE;
}

/* Open and check the store: LT_ERR_CORRUPT when it is damaged (see store_open, store_verify). */
static lt_err open_checked(const char *path, struct store **out)
{
	lt_err err = store_open(path, out);
	if (err == LT_OK && (err = store_verify(*out)) != LT_OK) {
		store_close(*out);
		*out = NULL;
	}
	return err;
}

int app_open_store(const struct config *cfg, struct store **out)
{
	char path[PATH_MAX];
	int rc = prepare_dirs(cfg, path, sizeof path);
	if (rc != EXIT_OK)
		return rc;
	lt_err err = open_checked(path, out);
	if (err == LT_ERR_CORRUPT) {
		/* Not ours to move: an appliance may have it open. The next owner repairs it. */
		fprintf(stderr, "lectern: the database %s is damaged (see the log above); the next "
				"`lectern run`, `record` or `upload` sets it aside and rebuilds it from "
				"the spool\n", path);
		return EXIT_STORAGE;
	}
	if (err != LT_OK)
		return cannot_open(cfg, path);
	return EXIT_OK;
}

/* Take `dir` for this process through its lock file `name`, or say who has it. */
static int lock_dir(const char *dir, const char *name, const char *command, int *fd)
{
	char path[PATH_MAX], holder[PATH_MAX + 64], busy[256];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return EXIT_STORAGE;
	snprintf(holder, sizeof holder, "pid %ld, `%s`", (long)getpid(), command);
	lt_err err = os_lock_file(path, holder, fd, busy, sizeof busy);
	if (err == LT_ERR_STATE) {
		fprintf(stderr, "lectern: another lectern%s%s%s is using %s; stop it first\n",
			busy[0] ? " (" : "", busy, busy[0] ? ")" : "", dir);
		return EXIT_BUSY;
	}
	if (err != LT_OK) {
		fprintf(stderr, "lectern: cannot lock %s: %s\n", path, strerror(errno));
		return EXIT_STORAGE;
	}
	return EXIT_OK;
}

/* Take the data directory, and the spool: two configurations with their own data directories
 * may name one spool, and the second would rebuild and "recover" the first's live recording. */
static int lock_data_dir(const struct config *cfg, const char *command)
{
	int rc = lock_dir(cfg->data_dir, "lectern.lock", command, &data_dir_lock);
	/* A dot file: the spool's scans (spoolmeta.c) skip it. */
	return rc == EXIT_OK ? lock_dir(cfg->spool_dir, ".lectern.lock", command, &spool_lock) : rc;
}

/* Set while the recordings are rebuilt from the spool, so that one cut short (a kill, a power
 * cut) is finished at the next start. */
#define KV_REBUILDING "store.rebuilding"

/* Whether the store needs its recordings back from the spool: an empty one (new, set up
 * after a damaged one, or created by a read-only command after the database was lost), or one
 * whose rebuild was cut short. The rebuild leaves the recordings the store holds alone. */
static bool needs_rebuild(struct store *st)
{
	char v[8];
	if (store_kv_get(st, KV_REBUILDING, v, sizeof v) == LT_OK && strcmp(v, "yes") == 0)
		return true;
	return store_recording_count(st) == 0;
}

/* Open the store, replacing a damaged one with a fresh one rebuilt from the spool. */
static int open_or_rebuild(const struct config *cfg, const char *path, struct store **out)
{
	lt_err err = open_checked(path, out);
	if (err == LT_ERR_CORRUPT) {
		char aside[PATH_MAX + 64];
		if (store_set_aside(path, os_now_ms(), aside, sizeof aside) != LT_OK) {
			fprintf(stderr, "lectern: the database %s is damaged and cannot be set aside: "
					"%s\n", path, strerror(errno));
			return EXIT_STORAGE;
		}
		log_error("store: the database was damaged: kept as %s for inspection; starting a "
			  "fresh one and rebuilding the recordings from the spool", aside);
		snprintf(set_aside, sizeof set_aside, "%s", aside);
		err = store_open(path, out);
	}
	/* A full disk: the room kept for ending recordings lets the store open (and a recording
	 * or an upload's pruning then make room in their own ways). */
	if (err == LT_ERR_STORE && disk_full(cfg) && free_reserve(cfg)) {
		log_warn("store: the disk is full: using the room kept for the database");
		err = open_checked(path, out);
	}
	if (err != LT_OK)
		return cannot_open(cfg, path);
	if (needs_rebuild(*out)) {
		store_kv_set(*out, KV_REBUILDING, "yes");
		int n = spoolmeta_rebuild(*out, cfg->spool_dir);
		/* The check-ins too (checkinlog.h): the store held them only. */
		if (n >= 0 && checkinlog_rebuild(*out, cfg->spool_dir) < 0)
			n = -1;
		if (n >= 0)
			store_kv_set(*out, KV_REBUILDING, "no");
		if (n > 0)
			log_info("store: %d recording(s) rebuilt from the spool %s", n, cfg->spool_dir);
	}
	return EXIT_OK;
}

int app_open_store_locked(const struct config *cfg, const char *command, struct store **out)
{
	char path[PATH_MAX];
	int rc = prepare_dirs(cfg, path, sizeof path);
	if (rc == EXIT_OK)
		rc = lock_data_dir(cfg, command);
	if (rc != EXIT_OK)
		return rc;
	spoolmeta_enable(cfg->spool_dir);
	rc = open_or_rebuild(cfg, path, out);
	if (rc == EXIT_OK)
		store_repair_paths(*out, cfg->spool_dir);
	return rc;
}

const char *app_store_set_aside(void)
{
	return set_aside[0] ? set_aside : NULL;
}

int app_load_config_and_store(const char *path, struct config *cfg, struct store **out)
{
	int rc = app_load_config(path, cfg);
	return rc != EXIT_OK ? rc : app_open_store(cfg, out);
}

int app_exit_code(lt_err err)
{
	switch (err) {
	case LT_OK: return EXIT_OK;
	case LT_ERR_CONFIG:
	case LT_ERR_INVALID: return EXIT_USAGE;
	case LT_ERR_NO_DEVICE:
	case LT_ERR_FORMAT:
	case LT_ERR_DEVICE: return EXIT_DEVICE;
	case LT_ERR_IO:
	case LT_ERR_DISK_LOW:
	case LT_ERR_DISK_FULL:
	case LT_ERR_STORE: return EXIT_STORAGE;
	default: return EXIT_FAIL;
	}
}
