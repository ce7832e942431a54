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

/* --- folding for search ------------------------------------------------------------------ */

/* Base letters of U+00C0..U+00FF and U+0100..U+017F; '_' keeps the character (× ÷), and the
 * capitals stand for two letters: A ae, T th, S ss, J ij, O oe. */
static const char latin1[] = "aaaaaaAceeeeiiiidnooooo_ouuuuyTSaaaaaaAceeeeiiiidnooooo_ouuuuyTy";
static const char latin_a[] =
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiJJjjkkkllllllllllnnnnnnnnnoooooo"
	"OOrrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

static size_t put_cp(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Greek without tonos and dialytika, lower case (U+0386..U+03CE). */
static uint32_t greek(uint32_t c)
{
	switch (c) {
	case 0x386: case 0x3AC: return 0x3B1;           /* alpha */
	case 0x388: case 0x3AD: return 0x3B5;           /* epsilon */
	case 0x389: case 0x3AE: return 0x3B7;           /* eta */
	case 0x38A: case 0x390: case 0x3AA: case 0x3AF: case 0x3CA: return 0x3B9; /* iota */
	case 0x38C: case 0x3CC: return 0x3BF;           /* omicron */
	case 0x38E: case 0x3AB: case 0x3B0: case 0x3CB: case 0x3CD: return 0x3C5; /* upsilon */
	case 0x38F: case 0x3CE: return 0x3C9;           /* omega */
	case 0x3C2: return 0x3C3;                       /* final sigma */
	}
	return c >= 0x391 && c <= 0x3A9 ? c + 0x20 : c;
}

/* The folded form of one code point into out (up to 4 bytes); 0 drops it. */
static size_t fold_cp(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		return 1;
	}
	char base = 0;
	if (c >= 0xC0 && c <= 0xFF)
		base = latin1[c - 0xC0];
	else if (c >= 0x100 && c <= 0x17F)
		base = latin_a[c - 0x100];
	else if (c == 0x218 || c == 0x219)
		base = 's';                                     /* Romanian comma below */
	else if (c == 0x21A || c == 0x21B)
		base = 't';
	else if (c >= 0x300 && c <= 0x36F)
		return 0;                                       /* combining marks (NFD text) */
	else if (c >= 0x386 && c <= 0x3CE)
		c = greek(c);
	else if (c == 0x400 || c == 0x401 || c == 0x450 || c == 0x451)
		c = 0x435;                                      /* ѐ ё as е */
	else if (c == 0x40D || c == 0x45D)
		c = 0x438;                                      /* ѝ as и */
	else if (c >= 0x400 && c <= 0x40F)
		c += 0x50;
	else if (c >= 0x410 && c <= 0x42F)
		c += 0x20;
	if (base && base != '_') {
		static const char *const pairs[] = {"ae", "th", "ss", "ij", "oe"};
		const char *two = strchr("ATSJO", base);
		if (!two) {
			out[0] = base;
			return 1;
		}
		memcpy(out, pairs[two - "ATSJO"], 2);
		return 2;
	}
	return put_cp(c, out);
}

size_t utf8_fold(const char *s, char *dst, size_t n)
{
	size_t len = 0;
	bool space = false;
	if (n == 0)
		return 0;
	while (s && *s) {
		uint32_t c;
		size_t step = utf8_decode(s, &c);
		if (step == 0) {
			s++;                                    /* not UTF-8: skipped */
			continue;
		}
		s += step;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0) {
			space = len > 0;                        /* a run is one, at the ends none */
			continue;
		}
		char out[4];
		size_t k = fold_cp(c, out);
		if (k == 0)
			continue;
		if (len + space + k >= n)
			break;
		if (space)
			dst[len++] = ' ';
		space = false;
		memcpy(dst + len, out, k);
		len += k;
	}
	dst[len] = '\0';
	return len;
}

bool utf8_match(const char *text, const char *query)
{
	char t[UTF8_MATCH_MAX], q[UTF8_MATCH_MAX];
	if (utf8_fold(query, q, sizeof q) == 0)
		return true;
	utf8_fold(text, t, sizeof t);
	return strstr(t, q) != NULL;
}
