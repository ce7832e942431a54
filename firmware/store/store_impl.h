/*
 * store_impl.h — private to firmware/store/: the store's handle and the statement helpers, so
 * that the store's tables can live in more than one file (store.c: recordings, the calendar
 * cache, device state; each further file its own tables) behind the one store.h.
 */
#ifndef LECTERN_STORE_IMPL_H
#define LECTERN_STORE_IMPL_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>

#include "lectern/store.h"

struct store {
	sqlite3 *db;
};

/* A recording's check-in session key (store.h) in SQL; `t` is the recordings table's alias
 * with its dot ("r.") or "". */
#define ST_SESSION_KEY(t)                                                                    \
	"(CASE WHEN " t "event_key != '' THEN " t "event_key ELSE '" STORE_ADHOC_PREFIX       \
	"' || " t "uid END)"

/* Log `what` with SQLite's message; LT_ERR_STORE. */
lt_err st_fail(struct store *st, const char *what);

/*
 * The statement helpers. `types` spells the parameters that follow, one letter each:
 *   i  an int64_t          d  an int (or a bool)
 *   t  a text; NULL binds ''          n  a text; NULL binds SQL NULL
 *   b  a blob: a pointer and a size_t length; NULL binds SQL NULL
 * Texts and blobs are bound SQLITE_STATIC: they must outlive the statement. A failure is
 * logged as `what` (with SQLite's message, which tells preparing from running).
 */
lt_err st_vprepare(struct store *st, sqlite3_stmt **out, const char *what, const char *sql,
		   const char *types, va_list ap);
/* Prepare `sql`, bind, run it to its end and finalize: LT_OK or LT_ERR_STORE. */
lt_err st_run(struct store *st, const char *what, const char *sql, const char *types, ...);
/* Prepare `sql`, bind and step to its first row. LT_OK: *out stands on the row, for the caller
 * to read and finalize. Otherwise *out is finalized: LT_ERR_NOT_FOUND (no row) or LT_ERR_STORE
 * (logged). Further rows: sqlite3_step(*out). */
lt_err st_row(struct store *st, sqlite3_stmt **out, const char *what, const char *sql,
	      const char *types, ...);
/*
 * Every row of the statement st_row left on its first row (`err`: what st_row returned, `s`
 * its statement): `row` reads each (its `ctx` passed on) until it returns nonzero, then `s` is
 * finalized. No row is LT_OK; an error of st_row is returned as it is; a failing step is
 * LT_ERR_STORE, logged as `what`.
 */
lt_err st_each(struct store *st, sqlite3_stmt *s, lt_err err, const char *what,
	       int (*row)(sqlite3_stmt *s, void *ctx), void *ctx);
/* Run SQL text without parameters (several statements allowed). */
lt_err st_exec(struct store *st, const char *sql);
/* Column `col` of the row as text into dst (truncated; "" for NULL). */
void st_copy_text(char *dst, size_t n, sqlite3_stmt *s, int col);

#endif
