/*
 * urltpl.h — the link templates: where people watch a delivered recording, made from a
 * configured template ([opencast] player_url, [upload] link_template) and the recording's
 * facts.
 *
 * A template is text with placeholders: "{name}" is replaced by that variable's value,
 * percent-encoded (RFC 3986: every byte but A-Z a-z 0-9 - . _ ~ becomes %XX, so a room named
 * "Room 4/12" is one path segment, "Room%204%2F12"); a variable marked `raw` (a base URL such
 * as Opencast's) goes in as it is, without its trailing slashes. An unknown placeholder, or a
 * "{" that does not start one, is an error, never passed on. The result must be a URL a phone
 * can open (urltpl_is_url): an empty template means "no link", never an error.
 *
 * Pure functions (libc only), so that the configuration checks a template at load time with
 * the very code the uploader uses.
 */
#ifndef LECTERN_URLTPL_H
#define LECTERN_URLTPL_H

#include <stdbool.h>
#include <stddef.h>

#include "lectern/err.h"

struct urltpl_var {
	const char *name;           /* without braces: "room" */
	const char *value;          /* NULL is "" */
	bool raw;                   /* inserted as is (trailing '/' dropped), not encoded */
};

/*
 * Expand `tpl` with the `count` variables into `out`. LT_OK: `out` is the link, or "" for an
 * empty template. LT_ERR_CONFIG: an unknown placeholder, an unclosed or empty one, or a result
 * that is not an http:// or https:// URL; LT_ERR_INVALID: it does not fit in `out_len`.
 * `why` (may be NULL) receives a sentence; `out` is "" on any error.
 */
lt_err urltpl_expand(const char *tpl, const struct urltpl_var *vars, size_t count, char *out,
		     size_t out_len, char *why, size_t why_len);

/* Whether `text` is an absolute http:// or https:// URL with a host, and nothing a URL may
 * not hold (spaces, control characters, quotes, <>, \, ^, `, {, |, }, non-ASCII bytes). */
bool urltpl_is_url(const char *text);

#endif
