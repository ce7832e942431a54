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

/*
 * Searching as people type: the one matching rule of every search on the screen (check-in's
 * names, past sessions' titles, presenters and tags), so that all of them treat "zoe" and
 * "Zoë" alike. The folded form is lower case without accents: Latin (Latin-1 and Extended-A,
 * with æ ae, ß ss, ø o, ł l, œ oe, þ th, ș s), Greek without tonos (final sigma as sigma),
 * Cyrillic (ё ѐ as е, ѝ as и); combining marks (decomposed text) are dropped, other scripts
 * kept as they are, bytes that are not UTF-8 skipped; a run of white space (space, tab, line
 * ends, no-break space) is one space, none at either end.
 *
 * utf8_fold writes the folded `s` (NULL: "") into dst of n > 0 bytes, cut at a character
 * boundary when it does not fit, and returns its length.
 * utf8_match: whether the folded `query` occurs in the folded `text` (an empty query matches
 * everything); each is folded into UTF8_MATCH_MAX bytes, longer ones are cut.
 */
#define UTF8_MATCH_MAX 512
size_t utf8_fold(const char *s, char *dst, size_t n);
bool utf8_match(const char *text, const char *query);

#endif
