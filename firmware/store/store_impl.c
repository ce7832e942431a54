/*
 * store_impl.c — the statement helpers every store_*.c file shares (store_impl.h).
 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>

#include "lectern/log.h"
#include "store_impl.h"

lt_err st_fail(struct store *st, const char *what)
{
	log_error("store: %s: %s", what, sqlite3_errmsg(st->db));
	return LT_ERR_STORE;
}

lt_err st_vprepare(struct store *st, sqlite3_stmt **out, const char *what, const char *sql,
		       const char *types, va_list ap)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK)
		return st_fail(st, what);
	sqlite3_stmt *s = *out;
	for (int i = 1; *types; types++, i++) {
		const char *text;
		const void *blob;
		switch (*types) {
		case 'i':
			sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
			break;
		case 'd':
			sqlite3_bind_int(s, i, va_arg(ap, int));
			break;
		case 't':
		case 'n':
			text = va_arg(ap, const char *);
			if (text || *types == 't')
				sqlite3_bind_text(s, i, text ? text : "", -1, SQLITE_STATIC);
			break;
		case 'b':
			blob = va_arg(ap, const void *);
			size_t len = va_arg(ap, size_t);
			if (blob)
				sqlite3_bind_blob64(s, i, blob, len, SQLITE_STATIC);
			break;
		}
	}
	return LT_OK;
}

lt_err st_run(struct store *st, const char *what, const char *sql, const char *types, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	va_start(ap, types);
	lt_err err = st_vprepare(st, &s, what, sql, types, ap);
	va_end(ap);
	if (err != LT_OK)
		return err;
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LT_OK : st_fail(st, what);
}

lt_err st_each(struct store *st, sqlite3_stmt *s, lt_err err, const char *what,
	       int (*row)(sqlite3_stmt *s, void *ctx), void *ctx)
{
	if (err != LT_OK)
		return err == LT_ERR_NOT_FOUND ? LT_OK : err;
	int rc = SQLITE_ROW;
	while (rc == SQLITE_ROW && row(s, ctx) == 0)
		rc = sqlite3_step(s);
	err = rc == SQLITE_ROW || rc == SQLITE_DONE ? LT_OK : st_fail(st, what);
	sqlite3_finalize(s);
	return err;
}

lt_err st_row(struct store *st, sqlite3_stmt **out, const char *what, const char *sql,
		  const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	lt_err err = st_vprepare(st, out, what, sql, types, ap);
	va_end(ap);
	if (err != LT_OK)
		return err;
	int rc = sqlite3_step(*out);
	if (rc == SQLITE_ROW)
		return LT_OK;
	err = rc == SQLITE_DONE ? LT_ERR_NOT_FOUND : st_fail(st, what);
	sqlite3_finalize(*out);
	*out = NULL;
	return err;
}

lt_err st_exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("store: %s", msg ? msg : "exec failed");
		sqlite3_free(msg);
		return LT_ERR_STORE;
	}
	return LT_OK;
}

void st_copy_text(char *dst, size_t n, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

