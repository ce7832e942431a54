/*
 * badge.c — a QR payload read as an identity (see badge.h).
 *
 * The payload is checked as a whole first (size, binary bytes, UTF-8), so that the readers
 * below work on bounded, valid, NUL-free text and cannot hand out what the checks refused:
 * unescaping only drops ASCII backslashes, and the one decoder that makes bytes (vCard 2.1's
 * quoted-printable) is checked for UTF-8 again.
 */
#include "lectern/badge.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lectern/utf8.h"


static lt_err refuse(char *reason, size_t n, const char *text)
{
	if (n)
		snprintf(reason, n, "%s", text);
	return LT_ERR_FORMAT;
}

const char *badge_kind_name(enum badge_kind kind)
{
	switch (kind) {
	case BADGE_EMAIL: return "email";
	case BADGE_ID: return "badge id";
	case BADGE_MECARD: return "MECARD";
	case BADGE_VCARD: return "vCard";
	}
	return "?";
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim white space at both ends of s[0..*len), in place; returns the new start. */
static char *trim(char *s, size_t *len)
{
	while (*len && is_space(*s)) {
		s++;
		(*len)--;
	}
	while (*len && is_space(s[*len - 1]))
		(*len)--;
	s[*len] = '\0';
	return s;
}

/* ---- email ---- */

static bool local_char(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~-.", c));
}

/* Whether s[0..len) has the shape of an address; then out (n bytes) gets it, domain lowered. */
static bool email_shape(const char *s, size_t len, char *out, size_t n)
{
	if (len == 0 || len > 254 || len >= n)
		return false;
	const char *at = memchr(s, '@', len);
	if (!at || memchr(at + 1, '@', len - (size_t)(at - s) - 1))
		return false;
	size_t local = (size_t)(at - s), domain = len - local - 1;
	if (local == 0 || local > 64 || domain == 0 || domain > 253)
		return false;
	if (s[0] == '.' || s[local - 1] == '.')
		return false;
	for (size_t i = 0; i < local; i++)
		if (!local_char((unsigned char)s[i]) || (s[i] == '.' && s[i + 1] == '.'))
			return false;
	const char *d = at + 1;
	size_t label = 0;
	for (size_t i = 0; i <= domain; i++) {
		if (i == domain || d[i] == '.') {
			if (label == 0 || label > 63 || d[i - 1] == '-' || d[i - label] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)d[i]) && d[i] != '-')
			return false;
		label++;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	for (size_t i = local + 1; i < len; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return true;
}

/* ---- names ---- */

/* Set `dst` from UTF-8 text: control characters become spaces, runs of white space one
 * space, no space at either end; cut at a character boundary to fit. */
static void set_name(char *dst, size_t n, const char *src)
{
	char tmp[BADGE_MAX_PAYLOAD * 2 + 2];
	size_t o = 0;
	bool space = false;
	for (const char *p = src; *p && o + 2 < sizeof tmp; p++) {
		if ((unsigned char)*p < 0x20 || *p == ' ' || *p == 0x7f) {
			space = o > 0;
			continue;
		}
		if (space)
			tmp[o++] = ' ';
		space = false;
		tmp[o++] = *p;
	}
	tmp[o] = '\0';
	utf8_copy(dst, n, tmp); /* cut at a character boundary */
	size_t l = strlen(dst);
	while (l && dst[l - 1] == ' ')
		dst[--l] = '\0';
}

/* "Given Family" from the two parts, either of which may be empty. */
static void join_name(char *dst, size_t n, const char *given, const char *family)
{
	char both[BADGE_MAX_PAYLOAD * 2 + 2];
	snprintf(both, sizeof both, "%s%s%s", given, *given && *family ? " " : "", family);
	set_name(dst, n, both);
}

/* ---- MECARD ---- */

/*
 * "MECARD:N:Lovelace,Ada;EMAIL:ada@example.org;;". Each field is NAME:VALUE up to an
 * unescaped ';'; a backslash takes the next character literally. In N, the first unescaped
 * ',' separates the family name from the given name.
 */
static lt_err mecard(const char *text, struct badge_identity *out, char *reason, size_t n)
{
	const char *p = text + strlen("MECARD:");
	bool any_email = false;
	while (*p) {
		const char *colon = strchr(p, ':'), *semi = strchr(p, ';');
		if (!colon || (semi && semi < colon)) {
			if (!semi)
				break;
			p = semi + 1; /* an empty field (";;" ends the card) or one without a name */
			continue;
		}
		size_t name_len = (size_t)(colon - p);
		char value[BADGE_MAX_PAYLOAD + 1];
		size_t v = 0, comma = (size_t)-1;
		p = colon + 1;
		while (*p && *p != ';') {
			if (*p == '\\' && p[1]) {
				p++;
			} else if (*p == ',' && comma == (size_t)-1) {
				comma = v;
			}
			value[v++] = *p++;
		}
		value[v] = '\0';
		if (*p == ';')
			p++;
		if (name_len == 1 && strncasecmp(colon - 1, "N", 1) == 0 && !out->name[0]) {
			if (comma != (size_t)-1) {
				value[comma] = '\0';
				join_name(out->name, sizeof out->name, value + comma + 1, value);
			} else {
				set_name(out->name, sizeof out->name, value);
			}
		} else if (name_len == 5 && strncasecmp(colon - 5, "EMAIL", 5) == 0) {
			any_email = true;
			size_t l = v;
			char *e = trim(value, &l);
			if (!out->email[0])
				email_shape(e, l, out->email, sizeof out->email);
		}
	}
	if (any_email && !out->email[0])
		return refuse(reason, n, "This contact card's email address is not valid.");
	if (!out->name[0] && !out->email[0])
		return refuse(reason, n, "This contact card has neither a name nor an email.");
	out->kind = BADGE_MECARD;
	return LT_OK;
}

/* ---- vCard ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)toupper((unsigned char)c);
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* vCard 2.1's quoted-printable, in place ("=C3=A9" is é). */
static void qp_decode(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		int hi, lo;
		if (*p == '=' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
			*o++ = (char)(hi * 16 + lo);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/* vCard 3/4 value escapes, in place: \n and \N a space (names are one line), others the
 * character itself. Components stop at an unescaped ';' when `split` (N's parts). Returns the
 * start of the next component, or NULL after the last one. */
static char *vcard_unescape(char *s, bool split)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			*o++ = *p == 'n' || *p == 'N' ? ' ' : *p;
		} else if (split && *p == ';') {
			*o = '\0';
			return p + 1;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return NULL;
}

/* Whether the parameters (between the name and the ':') ask for quoted-printable. */
static bool params_qp(const char *params, size_t len)
{
	for (size_t i = 0; i + 16 <= len; i++)
		if (strncasecmp(params + i, "QUOTED-PRINTABLE", 16) == 0)
			return true;
	return false;
}

static lt_err vcard(char *text, struct badge_identity *out, char *reason, size_t n)
{
	/* Unfold in place: a line break followed by a space or tab joins the lines; CRLF or LF. */
	char *o = text;
	for (char *p = text; *p; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue; /* the CR of a CRLF */
		if (*p == '\r')
			*p = '\n';
		if (*p == '\n' && (p[1] == ' ' || p[1] == '\t')) {
			p++;
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	bool ended = false, any_email = false;
	char fn[BADGE_MAX_PAYLOAD + 1] = "", given[BADGE_MAX_PAYLOAD + 1] = "",
	     family[BADGE_MAX_PAYLOAD + 1] = "";
	char *line = text;
	int lineno = 0;
	while (line && *line && !ended) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* vCard 2.1 quoted-printable soft breaks: a line ending in '=' goes on. */
		while (next && line[0] && line[strlen(line) - 1] == '=' && params_qp(line, strlen(line))) {
			char *after = strchr(next, '\n');
			if (after)
				*after++ = '\0';
			size_t l = strlen(line) - 1;
			memmove(line + l, next, strlen(next) + 1);
			next = after;
		}
		lineno++;
		if (lineno == 1) {
			line = next;
			continue; /* BEGIN:VCARD, checked by the caller */
		}
		/* [group.]NAME[;params]:value — a ':' inside a quoted parameter does not count. */
		char *colon = NULL;
		bool quoted = false;
		for (char *p = line; *p; p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == ':' && !quoted) {
				colon = p;
				break;
			}
		}
		if (!colon) {
			line = next;
			continue;
		}
		*colon = '\0';
		char *value = colon + 1, *name = line;
		char *params = strchr(name, ';');
		size_t params_len = 0;
		if (params) {
			*params++ = '\0';
			params_len = strlen(params);
		}
		char *dot = strrchr(name, '.');
		if (dot)
			name = dot + 1;
		bool qp = params && params_qp(params, params_len);
		if (qp) {
			qp_decode(value);
			if (!utf8_valid(value, strlen(value)))
				return refuse(reason, n, "This contact card's text is not valid UTF-8.");
		}
		if (strcasecmp(name, "END") == 0 && strncasecmp(value, "VCARD", 5) == 0) {
			ended = true;
		} else if (strcasecmp(name, "FN") == 0 && !fn[0]) {
			vcard_unescape(value, false);
			snprintf(fn, sizeof fn, "%s", value);
		} else if (strcasecmp(name, "N") == 0 && !family[0] && !given[0]) {
			char *rest = vcard_unescape(value, true);
			snprintf(family, sizeof family, "%s", value);
			if (rest) {
				vcard_unescape(rest, true);
				snprintf(given, sizeof given, "%s", rest);
			}
		} else if (strcasecmp(name, "EMAIL") == 0) {
			any_email = true;
			vcard_unescape(value, false);
			size_t l = strlen(value);
			char *e = trim(value, &l);
			if (has_prefix(e, "mailto:")) {
				e += 7;
				l -= 7;
			}
			if (!out->email[0])
				email_shape(e, l, out->email, sizeof out->email);
		}
		line = next;
	}
	if (!ended)
		return refuse(reason, n, "This vCard is cut short: it has no END:VCARD.");
	set_name(out->name, sizeof out->name, fn);
	if (!out->name[0])
		join_name(out->name, sizeof out->name, given, family);
	if (any_email && !out->email[0])
		return refuse(reason, n, "This contact card's email address is not valid.");
	if (!out->name[0] && !out->email[0])
		return refuse(reason, n, "This contact card has neither a name nor an email.");
	out->kind = BADGE_VCARD;
	return LT_OK;
}

/* ---- the payload ---- */

static lt_err parse(const void *payload, size_t len, struct badge_identity *out, char *reason,
		    size_t n)
{
	const unsigned char *b = payload;
	if (len == 0)
		return refuse(reason, n, "This QR code is empty: show the code on your badge.");
	if (len > BADGE_MAX_PAYLOAD) {
		if (n)
			snprintf(reason, n, "This QR code holds %zu bytes, too much for a badge "
					    "(%d at most).", len, BADGE_MAX_PAYLOAD);
		return LT_ERR_FORMAT;
	}
	for (size_t i = 0; i < len; i++)
		if ((b[i] < 0x20 && b[i] != '\t' && b[i] != '\r' && b[i] != '\n') || b[i] == 0x7f)
			return refuse(reason, n, "This QR code holds binary data, not a badge.");
	char buf[BADGE_MAX_PAYLOAD + 1];
	memcpy(buf, b, len);
	buf[len] = '\0';
	if (!utf8_valid(buf, strlen(buf)))
		return refuse(reason, n, "This QR code's text is not valid UTF-8: not a badge.");
	size_t l = len;
	char *s = trim(buf, &l);
	if (has_prefix(s, "\xef\xbb\xbf")) { /* a byte order mark some generators put first */
		s += 3;
		l -= 3;
	}
	if (has_prefix(s, "BEGIN:VCARD"))
		return vcard(s, out, reason, n);
	if (has_prefix(s, "MECARD:"))
		return mecard(s, out, reason, n);
	if (has_prefix(s, "http://") || has_prefix(s, "https://") || has_prefix(s, "www."))
		return refuse(reason, n, "This QR code is a web address, not a badge.");
	bool mailto = has_prefix(s, "mailto:");
	if (mailto) {
		s += 7;
		l -= 7;
		char *q = strchr(s, '?'); /* mailto:a@b?subject=… */
		if (q) {
			*q = '\0';
			l = (size_t)(q - s);
		}
	}
	if (mailto || memchr(s, '@', l)) {
		if (email_shape(s, l, out->email, sizeof out->email)) {
			out->kind = BADGE_EMAIL;
			return LT_OK;
		}
		return refuse(reason, n, "This QR code's email address is not valid.");
	}
	bool id = l > 0 && !strchr(s, ':');
	for (size_t i = 0; i < l && id; i++)
		id = s[i] > 0x20 && s[i] < 0x7f;
	if (id && l > BADGE_MAX_ID) {
		if (n)
			snprintf(reason, n, "This code is too long for a badge id (%zu characters, "
					    "%d at most).", l, BADGE_MAX_ID);
		return LT_ERR_FORMAT;
	}
	if (id) {
		memcpy(out->id, s, l + 1);
		out->kind = BADGE_ID;
		return LT_OK;
	}
	if (l == 0)
		return refuse(reason, n, "This QR code holds only white space: not a badge.");
	return refuse(reason, n, "This QR code is not a badge: show the code on your badge.");
}

lt_err badge_parse(const void *payload, size_t len, struct badge_identity *out, char *reason,
		   size_t n)
{
	if (!payload || !out || (n && !reason))
		return LT_ERR_INVALID;
	memset(out, 0, sizeof *out);
	if (n)
		reason[0] = '\0';
	lt_err err = parse(payload, len, out, reason, n);
	if (err != LT_OK)
		memset(out, 0, sizeof *out); /* a refused card gives no half identity */
	return err;
}
