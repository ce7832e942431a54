/* utf8.c — UTF-8 character boundaries (see utf8.h). */
#include "lectern/utf8.h"

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
