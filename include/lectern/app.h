/*
 * app.h — what every command needs: the configuration found the documented way, the store
 * opened in the data directory (app_audio.h chooses the audio source).
 */
#ifndef LECTERN_APP_H
#define LECTERN_APP_H

#include <stdbool.h>

#include "lectern/config.h"
#include "lectern/store.h"

/* Exit codes shared by all commands. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* the work failed (see the message) */
	EXIT_USAGE = 2,     /* bad command line or configuration */
	EXIT_DEVICE = 3,    /* microphone missing or unusable */
	EXIT_STORAGE = 4,   /* data/spool directory unusable, disk low, store broken */
	EXIT_BUSY = 5,      /* another lectern is recording or uploading from the data directory */
};

/*
 * Load the configuration: `path` if given, else $LECTERN_CONFIG, else
 * CONFIG_DEFAULT_PATH if it exists, else the built-in defaults (said in the log).
 * Prints "lectern: FILE:LINE: KEY: problem" and returns EXIT_USAGE on error.
 */
int app_load_config(const char *path, struct config *cfg);

/*
 * Create the data and spool directories and open the store, for a command that only reads it
 * (or makes a small change a running appliance expects, like `retry`): it works alongside the
 * appliance. A damaged database is reported (EXIT_STORAGE), never moved: an appliance may
 * have it open. Prints why on failure.
 */
int app_open_store(const struct config *cfg, struct store **out);

/*
 * As app_open_store(), for a command that records, recovers or uploads (`command`, e.g.
 * "lectern run", names it for the others): first takes the data directory's lock
 * (DATA_DIR/lectern.lock, flock; held until the process exits) and the spool's
 * (SPOOL/.lectern.lock: two configurations may share one spool), or prints who holds it and
 * returns EXIT_BUSY. Holding it, this process alone may replace a damaged database: one that
 * is not a database, empty, not a file, fails PRAGMA quick_check or comes from a newer lectern
 * is set aside (lectern.db.damaged-STAMP, with its WAL, kept for inspection; said in the log
 * and by app_store_set_aside()), a fresh one is created, and the recordings are rebuilt from
 * the spool's sidecars and files (spoolmeta.h) — as they are into any store that holds no
 * recording (one that did not exist, or that a read-only command created after the database
 * was lost), and again into one whose rebuild was cut short (a kill, a power cut). Sidecars
 * are written from here on (spoolmeta_enable). Relative recording paths an older lectern
 * stored are repaired (store_repair_paths).
 */
int app_open_store_locked(const struct config *cfg, const char *command, struct store **out);

/* Where a damaged database was set aside by app_open_store_locked(), NULL if none was. */
const char *app_store_set_aside(void);

/* Both of the above, for the commands that only read or write the store. */
int app_load_config_and_store(const char *path, struct config *cfg, struct store **out);

/* Map an error to the exit code above. */
int app_exit_code(lt_err err);

#endif
