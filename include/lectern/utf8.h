/*
 * utf8.h — UTF-8 character boundaries, the one place that knows how UTF-8 is built.
 *
 * Text on the screen, in the store and in JSON may be cut, edited one character at a time and
 * must stay valid: these helpers never split a character. They look at bytes only (no locale)
 * and are self-contained (libc only, no iconv), so that the screen's plugin (ui/) compiles this
 * module into itself instead of needing a symbol from the executable.
 *
 * One rule for text that comes from outside (a calendar, a roster file): it is made valid
 * where it enters (utf8_repair), so that everything inside — the store, the screen, the
 * sidecar, JSON, CSV, the Dublin Core sent to Opencast — holds UTF-8 only. Valid UTF-8 is
 * kept as it is. A value that is not UTF-8 is almost always a legacy Windows export (an old
 * calendar tool, Excel's "CSV" on Windows) in Windows-1252, of which Latin-1 is a part: read
 * as that, it gives the characters its author typed ("Café", "José Müller") where a
 * replacement would lose them. Only when the value is not Windows-1252 either (it holds one of
 * the five bytes 1252 leaves undefined: 0x81 0x8D 0x8F 0x90 0x9D) is it some other encoding
 * or damage, and each invalid sequence becomes U+FFFD (Unicode's "maximal subpart" rule).
 * The choice is made for a whole value: never half of it read one way and half the other.
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

/* Code point `cp` (below U+10000, not a surrogate) as UTF-8 into `out` (3 bytes at most, not
 * terminated); returns its length. */
size_t utf8_encode(uint32_t cp, char *out);

/* Whether the `len` bytes at `s` are UTF-8 (well-formed as utf8_char_len says; a NUL is a
 * character like any other here). */
bool utf8_valid(const char *s, size_t len);

/* Whether the `len` bytes at `s` are Windows-1252 text: none of the five bytes it leaves
 * undefined. (Every other byte string is.) */
bool utf8_is_cp1252(const char *s, size_t len);

/* How utf8_repair made a value valid. */
enum utf8_repair {
	UTF8_AS_IS,            /* it was UTF-8: unchanged */
	UTF8_FROM_CP1252,      /* it was not: read as Windows-1252 */
	UTF8_REPLACED,         /* neither: each invalid sequence became U+FFFD */
};

/* The most bytes utf8_repair can make of `len` bytes, its terminating NUL included. */
#define UTF8_REPAIR_MAX(len) ((len) * 3 + 1)

/*
 * Copy the `len` bytes at `src` (NULL: none) into `dst` of `n` bytes (n > 0) as valid UTF-8,
 * by the rule above (decided on all `len` bytes, even when `dst` holds fewer); cut at a
 * character boundary when it does not fit, always terminated. A NUL among the bytes ends the
 * copy there. Returns how the value was made valid.
 */
enum utf8_repair utf8_repair(char *dst, size_t n, const char *src, size_t len);

/* The same as a malloc'd string (NULL when out of memory). `how` may be NULL. */
char *utf8_repair_dup(const char *src, size_t len, enum utf8_repair *how);

#endif
