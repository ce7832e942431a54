/* urltpl.c — link templates (see urltpl.h). */
#include "lectern/urltpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void say(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t n, const char *fmt, ...)
{
	if (!why || !n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

static bool unreserved(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

/* Append `len` bytes of `s` to out[*used], encoded unless `raw`. False when it does not fit. */
static bool append(char *out, size_t n, size_t *used, const char *s, size_t len, bool raw)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (raw || unreserved(ch)) {
			if (*used + 1 >= n)
				return false;
			out[(*used)++] = (char)ch;
		} else {
			if (*used + 3 >= n)
				return false;
			out[(*used)++] = '%';
			out[(*used)++] = hex[ch >> 4];
			out[(*used)++] = hex[ch & 15];
		}
	}
	out[*used] = '\0';
	return true;
}

bool urltpl_is_url(const char *text)
{
	size_t scheme = strncasecmp(text, "https://", 8) == 0   ? 8
			: strncasecmp(text, "http://", 7) == 0 ? 7
							       : 0;
	if (!scheme)
		return false;
	/* A host: something before the path, query or fragment, and not just a port or user. */
	size_t host = strcspn(text + scheme, "/?#");
	if (host == 0 || text[scheme] == ':' || text[scheme] == '@')
		return false;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("\"<>\\^`{|}", *p))
			return false;
	return true;
}

lt_err urltpl_expand(const char *tpl, const struct urltpl_var *vars, size_t count, char *out,
		     size_t out_len, char *why, size_t why_len)
{
	if (!out_len)
		return LT_ERR_INVALID;
	out[0] = '\0';
	if (!tpl || !*tpl)
		return LT_OK;
	size_t used = 0;
	for (const char *p = tpl; *p;) {
		if (*p != '{') {
			size_t lit = strcspn(p, "{");
			if (!append(out, out_len, &used, p, lit, true))
				goto too_long;
			p += lit;
			continue;
		}
		size_t len = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_");
		if (p[1 + len] != '}' || len == 0) {
			size_t bad = strcspn(p, "}");
			bad += p[bad] == '}';
			say(why, why_len, "'%.*s' is not a placeholder like {room}",
			    (int)(bad < 32 ? bad : 32), p);
			out[0] = '\0';
			return LT_ERR_CONFIG;
		}
		const struct urltpl_var *v = NULL;
		for (size_t i = 0; i < count && !v; i++)
			if (strlen(vars[i].name) == len && strncmp(vars[i].name, p + 1, len) == 0)
				v = &vars[i];
		if (!v) {
			char known[200] = "", name[40];
			size_t k = 0;
			for (size_t i = 0; i < count && k < sizeof known; i++)
				k += (size_t)snprintf(known + k, sizeof known - k, "%s{%s}",
						      i ? " " : "", vars[i].name);
			snprintf(name, sizeof name, "%.*s", (int)len, p + 1);
			say(why, why_len, "unknown placeholder {%s} (known: %s)", name, known);
			out[0] = '\0';
			return LT_ERR_CONFIG;
		}
		const char *value = v->value ? v->value : "";
		size_t vlen = strlen(value);
		if (v->raw)
			while (vlen && value[vlen - 1] == '/')
				vlen--;
		if (!append(out, out_len, &used, value, vlen, v->raw))
			goto too_long;
		p += len + 2;
	}
	if (!urltpl_is_url(out)) {
		say(why, why_len, "gives '%.120s', not an http:// or https:// URL", out);
		out[0] = '\0';
		return LT_ERR_CONFIG;
	}
	return LT_OK;
too_long:
	say(why, why_len, "the link is longer than the %zu bytes kept for it", out_len - 1);
	out[0] = '\0';
	return LT_ERR_INVALID;
}
