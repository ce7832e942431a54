/*
 * inifile.h — edit an INI file as text, keeping every line it does not change.
 *
 * `lectern provision` changes a few keys of /etc/lectern/lectern.conf and must leave the rest
 * as the administrator wrote it: comments, blank lines, order, keys it was not asked about.
 * So the file is kept as its lines, and setting a key rewrites only that key's line (and the
 * indented lines continuing its value, config.h), or adds one at the end of its section, or
 * adds the section at the end of the file. The reading follows config.c's (inih's) rules:
 * "[section]" headers, "key = value" lines, '#' and ';' comments, indented continuation lines;
 * a key set twice takes the last value (so all its lines are rewritten as one).
 *
 * Values are written as "key = value", keeping a "; comment" that followed the value it
 * replaces (when the new value fits one line); a value longer than fits config.c's line limit is
 * continued on indented lines. A value that inih would not read back as written (line ends or
 * other control characters, white space at either end, " ;" which starts a comment) is refused.
 */
#ifndef LECTERN_INIFILE_H
#define LECTERN_INIFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lectern/err.h"

struct inifile;

/* An empty document. LT_ERR_NOMEM. */
lt_err inifile_new(struct inifile **out);
/* The document of `len` bytes of text. Each line keeps its line end (CRLF or LF, none for
 * an unterminated last line) and is written back with it; new lines take the first line's.
 * LT_ERR_NOMEM. */
lt_err inifile_parse(const char *text, size_t len, struct inifile **out);
void inifile_free(struct inifile *f);

/*
 * The value of section.key as inih would read it (continuations joined), into buf; false when
 * the key is not set in the file (buf then "").
 */
bool inifile_get(const struct inifile *f, const char *section, const char *key, char *buf,
		 size_t n);

/*
 * Set section.key to `value`. Returns LT_OK (*changed says whether the text changed),
 * LT_ERR_INVALID for a value inifile cannot write faithfully (see above) or a bad section or
 * key name, LT_ERR_NOMEM.
 */
lt_err inifile_set(struct inifile *f, const char *section, const char *key, const char *value,
		   bool *changed);

/* Whether inifile_set would write `value` as it is. */
bool inifile_value_ok(const char *value);

/* Every (section, key, value) in file order, each key once (its last value); stop when `fn`
 * returns non-zero. */
void inifile_each(const struct inifile *f,
		  int (*fn)(void *user, const char *section, const char *key, const char *value),
		  void *user);

/* The document as text (malloc'd, NUL-terminated): byte for byte what was parsed where
 * nothing was set; NULL when out of memory. */
char *inifile_text(const struct inifile *f, size_t *len);

#endif
