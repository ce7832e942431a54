/*
 * utf8.h — UTF-8 character boundaries, the one place that knows how UTF-8 is built.
 *
 * Text on the screen, in the store and in JSON may be cut, edited one character at a time and
 * must stay valid: these helpers never split a character. They look at bytes only (no locale)
 * and are self-contained (libc only), so that the screen's plugin (ui/) compiles this module
 * into itself instead of needing a symbol from the executable.
 */
#ifndef LECTERN_UTF8_H
#define LECTERN_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether byte `c` starts a character (is not a continuation byte 10xxxxxx). */
static inline bool utf8_is_start(unsigned char c)
{
	return (c & 0xC0) != 0x80;
}

/* The length of the well-formed character at `p` (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), 0 when it is not one (also at the terminating NUL's place inside
 * a sequence). utf8_decode also gives its code point (when `cp` is not NULL). */
size_t utf8_char_len(const char *p);
size_t utf8_decode(const char *p, uint32_t *cp);

/* The largest length <= `max` at which `s` (of strlen >= max) may be cut without splitting a
 * character. */
size_t utf8_cut(const char *s, size_t max);

/* Where the character before offset `len` of `s` starts (0 when len is 0): backspace. */
size_t utf8_prev(const char *s, size_t len);

/* The byte after the character that starts at `s` (s itself at the terminating NUL). */
const char *utf8_next(const char *s);

/* The precision for printf's "%.*s" that shows at most `max` bytes of `s` without splitting a
 * character (max <= INT_MAX). */
int utf8_fit(const char *s, size_t max);

/* Copy `src` (NULL: "") into `dst` of `n` bytes, cut at a character boundary when it does not
 * fit; always terminated (n > 0). */
void utf8_copy(char *dst, size_t n, const char *src);

#endif
