/* utf8.c — UTF-8 character boundaries (see utf8.h). */
#include "lectern/utf8.h"

#include <stdlib.h>
#include <string.h>

size_t utf8_char_len(const char *p)
{
	return utf8_decode(p, NULL);
}

size_t utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	if (p[0] < 0x80) {
		if (cp)
			*cp = p[0];
		return 1;
	}
	size_t len;
	unsigned c, min;
	if ((p[0] & 0xE0) == 0xC0) {
		len = 2, c = p[0] & 0x1Fu, min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		len = 3, c = p[0] & 0x0Fu, min = 0x800;
	} else if ((p[0] & 0xF8) == 0xF0) {
		len = 4, c = p[0] & 0x07u, min = 0x10000;
	} else {
		return 0; /* a continuation byte, or 0xF8..0xFF */
	}
	for (size_t i = 1; i < len; i++) {
		if (utf8_is_start(p[i]))
			return 0; /* also stops at the terminating NUL */
		c = c << 6 | (p[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	if (cp)
		*cp = c;
	return len;
}

size_t utf8_cut(const char *s, size_t max)
{
	while (max > 0 && !utf8_is_start((unsigned char)s[max]))
		max--;
	return max;
}

size_t utf8_prev(const char *s, size_t len)
{
	return len > 0 ? utf8_cut(s, len - 1) : 0;
}

const char *utf8_next(const char *s)
{
	if (!*s)
		return s;
	s++;
	while (!utf8_is_start((unsigned char)*s))
		s++;
	return s;
}

int utf8_fit(const char *s, size_t max)
{
	size_t len = strnlen(s, max);
	return (int)(s[len] ? utf8_cut(s, len) : len);
}

void utf8_copy(char *dst, size_t n, const char *src)
{
	size_t len = src ? (size_t)utf8_fit(src, n - 1) : 0;
	memcpy(dst, src ? src : "", len);
	dst[len] = '\0';
}

/* --- repair: text from outside made valid (the rule is in utf8.h) -------------------------- */

/*
 * The length of the well-formed character at `p` (`left` > 0 bytes available), or 0 when
 * there is none; then *subpart is the length of the invalid sequence to replace: its "maximal
 * subpart" (Unicode 3.9, Table 3-7: the longest start of a well-formed sequence, at least 1),
 * so that a cut-off character is one U+FFFD and the byte after it is read again.
 */
static size_t well_formed(const unsigned char *p, size_t left, size_t *subpart)
{
	unsigned c = p[0], lo = 0x80, hi = 0xBF;
	size_t need;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		lo = c == 0xE0 ? 0xA0 : 0x80; /* E0 80..9F: overlong */
		hi = c == 0xED ? 0x9F : 0xBF; /* ED A0..BF: surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		lo = c == 0xF0 ? 0x90 : 0x80; /* F0 80..8F: overlong */
		hi = c == 0xF4 ? 0x8F : 0xBF; /* F4 90..: above U+10FFFF */
	} else {
		*subpart = 1; /* a continuation byte, C0, C1 (overlong) or F5..FF */
		return 0;
	}
	size_t i = 1;
	for (; i < need && i < left; i++) {
		if (p[i] < lo || p[i] > hi)
			break;
		lo = 0x80, hi = 0xBF;
	}
	if (i == need)
		return need;
	*subpart = i;
	return 0;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t sub;
	for (size_t i = 0; i < len;) {
		size_t l = well_formed(p + i, len - i, &sub);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

/* Windows-1252's 0x80..0x9F (0xA0..0xFF are U+00A0..U+00FF, as in Latin-1); 0: undefined. */
static const uint16_t cp1252_c1[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static uint32_t cp1252(unsigned char c)
{
	return c >= 0x80 && c < 0xA0 ? cp1252_c1[c - 0x80] : c;
}

bool utf8_is_cp1252(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80 && !cp1252((unsigned char)s[i]))
			return false;
	return true;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | cp >> 12);
	out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

enum utf8_repair utf8_repair(char *dst, size_t n, const char *src, size_t len)
{
	const unsigned char *p = (const unsigned char *)src;
	if (!src)
		len = 0;
	enum utf8_repair how = utf8_valid(src, len)       ? UTF8_AS_IS
			       : utf8_is_cp1252(src, len) ? UTF8_FROM_CP1252
							  : UTF8_REPLACED;
	size_t at = 0;
	for (size_t i = 0; i < len && p[i];) {
		char one[4];
		size_t ol, sub = 1, l = how == UTF8_FROM_CP1252 ? 0 : well_formed(p + i, len - i, &sub);
		if (l) {
			memcpy(one, p + i, l);
			ol = l;
			i += l;
		} else if (how == UTF8_FROM_CP1252) {
			ol = utf8_encode(cp1252(p[i]), one);
			i++;
		} else {
			ol = utf8_encode(0xFFFD, one);
			i += sub;
		}
		if (at + ol >= n)
			break; /* the next character does not fit */
		memcpy(dst + at, one, ol);
		at += ol;
	}
	dst[at] = '\0';
	return how;
}

char *utf8_repair_dup(const char *src, size_t len, enum utf8_repair *how)
{
	if (!src)
		len = 0;
	char *d = malloc(UTF8_REPAIR_MAX(len));
	if (!d)
		return NULL;
	enum utf8_repair h = utf8_repair(d, UTF8_REPAIR_MAX(len), src, len);
	if (how)
		*how = h;
	return d;
}
