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
/* Run SQL text without parameters (several statements allowed). */
lt_err st_exec(struct store *st, const char *sql);
/* Column `col` of the row as text into dst (truncated; "" for NULL). */
void st_copy_text(char *dst, size_t n, sqlite3_stmt *s, int col);

#endif
