/*
 * inifile.c — INI text edited line by line (see inifile.h).
 */
#include "lectern/inifile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/osutil.h"

/* Longest line written: config.c reads lines of up to 198 characters; keep a margin. */
#define WRAP 150

enum kind { L_OTHER, L_SECTION, L_KEY, L_CONT };

struct line {
	char *text;
	enum kind kind;
	char section[64];          /* the section the line is in (its own for L_SECTION) */
	char key[64];              /* L_KEY and L_CONT: the key */
	char eol[3];               /* its line end as read: "\r\n", "\n", or "" (the last line) */
};

struct inifile {
	struct line *lines;
	size_t n, cap;
	char eol[3];               /* the file's line end (its first line's), for new lines */
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool comment_or_empty(const char *s)
{
	while (blank(*s))
		s++;
	return !*s || *s == '#' || *s == ';';
}

/* Classify every line again (after a change), as inih would read them. */
static void classify(struct inifile *f)
{
	char section[64] = "", key[64] = "";
	for (size_t i = 0; i < f->n; i++) {
		struct line *l = &f->lines[i];
		const char *s = l->text;
		l->kind = L_OTHER;
		l->key[0] = '\0';
		if (comment_or_empty(s)) {
			snprintf(l->section, sizeof l->section, "%s", section);
			continue;
		}
		if (blank(s[0]) && key[0]) {
			l->kind = L_CONT;
			snprintf(l->key, sizeof l->key, "%s", key);
		} else {
			while (blank(*s))
				s++;
			const char *close = strchr(s, ']');
			if (*s == '[' && close) {
				snprintf(section, sizeof section, "%.*s", (int)(close - s - 1), s + 1);
				key[0] = '\0';
				l->kind = L_SECTION;
			} else {
				size_t k = strcspn(s, "=:");
				if (s[k]) {
					while (k > 0 && blank(s[k - 1]))
						k--;
					snprintf(key, sizeof key, "%.*s", (int)k, s);
					l->kind = L_KEY;
					snprintf(l->key, sizeof l->key, "%s", key);
				}
			}
		}
		snprintf(l->section, sizeof l->section, "%s", section);
	}
}

static lt_err insert(struct inifile *f, size_t at, const char *text, size_t len)
{
	struct line *l = os_grow(f->lines, f->n, &f->cap, sizeof *l, 32);
	if (!l)
		return LT_ERR_NOMEM;
	f->lines = l;
	char *copy = strndup(text, len);
	if (!copy)
		return LT_ERR_NOMEM;
	memmove(&f->lines[at + 1], &f->lines[at], (f->n - at) * sizeof f->lines[0]);
	memset(&f->lines[at], 0, sizeof f->lines[0]);
	f->lines[at].text = copy;
	memcpy(f->lines[at].eol, f->eol, sizeof f->eol);
	f->n++;
	return LT_OK;
}

static void erase(struct inifile *f, size_t at)
{
	free(f->lines[at].text);
	memmove(&f->lines[at], &f->lines[at + 1], (f->n - at - 1) * sizeof f->lines[0]);
	f->n--;
}

lt_err inifile_new(struct inifile **out)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return LT_ERR_NOMEM;
	strcpy((*out)->eol, "\n");
	return LT_OK;
}

lt_err inifile_parse(const char *text, size_t len, struct inifile **out)
{
	struct inifile *f;
	if (inifile_new(&f) != LT_OK)
		return LT_ERR_NOMEM;
	size_t pos = 0;
	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) : len - pos;
		pos += nl ? end + 1 : end;
		size_t keep = end > 0 && s[end - 1] == '\r' ? end - 1 : end;
		if (insert(f, f->n, s, keep) != LT_OK) {
			inifile_free(f);
			return LT_ERR_NOMEM;
		}
		/* Each line keeps its own line end, so that a file is written back as it was. */
		struct line *l = &f->lines[f->n - 1];
		snprintf(l->eol, sizeof l->eol, "%s", !nl ? "" : keep < end ? "\r\n" : "\n");
		if (f->n == 1 && nl)
			memcpy(f->eol, l->eol, sizeof f->eol);
	}
	classify(f);
	*out = f;
	return LT_OK;
}

void inifile_free(struct inifile *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		free(f->lines[i].text);
	free(f->lines);
	free(f);
}

/* The value part of a key line or continuation line, trimmed, without an inline comment. */
static void value_of(const struct line *l, const char **start, size_t *len)
{
	const char *s = l->text;
	while (blank(*s))
		s++;
	if (l->kind == L_KEY) {
		s += strcspn(s, "=:");
		if (*s)
			s++;
		while (blank(*s))
			s++;
	}
	size_t n = strlen(s);
	for (size_t i = 1; i < n; i++)
		if (s[i] == ';' && blank(s[i - 1])) {
			n = i;
			break;
		}
	while (n > 0 && blank(s[n - 1]))
		n--;
	*start = s;
	*len = n;
}

/* Where a key line's inline comment starts, with the white space before it (the line's end
 * when it has none). */
static size_t comment_start(const struct line *l)
{
	const char *v;
	size_t len;
	value_of(l, &v, &len);
	size_t at = (size_t)(v - l->text) + len;
	return l->text[at + strspn(l->text + at, " \t")] == ';' ? at : strlen(l->text);
}

static bool matches(const struct line *l, const char *section, const char *key)
{
	return strcmp(l->section, section) == 0 && strcmp(l->key, key) == 0;
}

bool inifile_get(const struct inifile *f, const char *section, const char *key, char *buf,
		 size_t n)
{
	size_t last = f->n;
	for (size_t i = 0; i < f->n; i++)
		if (f->lines[i].kind == L_KEY && matches(&f->lines[i], section, key))
			last = i;
	if (n)
		buf[0] = '\0';
	if (last == f->n)
		return false;
	size_t used = 0;
	for (size_t i = last; i < f->n; i++) {
		const struct line *l = &f->lines[i];
		if (i > last && l->kind != L_CONT && l->kind != L_OTHER)
			break;
		if (i > last && l->kind == L_OTHER)
			continue;
		const char *v;
		size_t len;
		value_of(l, &v, &len);
		if (used + len + 1 > n)
			len = n > used + 1 ? n - used - 1 : 0;
		memcpy(buf + used, v, len);
		used += len;
		buf[used] = '\0';
	}
	return true;
}

bool inifile_value_ok(const char *value)
{
	size_t n = strlen(value);
	if (n && (blank(value[0]) || blank(value[n - 1])))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f || c == '\t')
			return false;
		if (c == ';' && i > 0 && blank(value[i - 1]))
			return false;
	}
	return true;
}

static bool name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n > 0 && n < max && strcspn(s, "[]=:;# \t\r\n") == n;
}

/* Where a value may be cut for a continuation line: neither piece starts or ends with white
 * space (inih strips it), and the continuation does not read as a comment or a key. */
static bool cut_ok(const char *value, size_t at)
{
	if (blank(value[at]) || blank(value[at - 1]) || value[at] == '#' || value[at] == ';' ||
	    value[at] == '[')
		return false;
	const char *rest = value + at;
	size_t k = strcspn(rest, " \t=");
	return rest[k + strspn(rest + k, " \t")] != '=';
}

/* The lines that write key = value, wrapped (malloc'd texts into lines[], their count). */
static size_t render(const char *key, const char *value, char **lines, size_t max)
{
	size_t count = 0, pos = 0, len = strlen(value);
	size_t room = WRAP > strlen(key) + 3 ? WRAP - strlen(key) - 3 : 16;
	do {
		size_t take = len - pos;
		if (take > room) {
			size_t at = pos + room;
			while (at > pos + 1 && !cut_ok(value, at))
				at--;
			take = at > pos + 1 ? at - pos : room;
		}
		char *text = malloc(strlen(key) + take + 8);
		if (!text)
			break;
		if (count == 0)
			sprintf(text, take ? "%s = %.*s" : "%s =", key, (int)take, value + pos);
		else
			sprintf(text, "\t%.*s", (int)take, value + pos);
		lines[count++] = text;
		pos += take;
		room = WRAP - 1;
	} while (pos < len && count < max);
	return count;
}

lt_err inifile_set(struct inifile *f, const char *section, const char *key, const char *value,
		   bool *changed)
{
	bool dummy;
	if (!changed)
		changed = &dummy;
	*changed = false;
	if (!name_ok(section, sizeof f->lines[0].section) || !name_ok(key, sizeof f->lines[0].key) ||
	    !inifile_value_ok(value) || strlen(value) > 4000)
		return LT_ERR_INVALID;
	char current[4096];
	bool set = inifile_get(f, section, key, current, sizeof current);
	char *lines[64];
	size_t count = render(key, value, lines, 64);
	if (count == 0)
		return LT_ERR_NOMEM;
	/* Unchanged: the file is left exactly as it was (its own spacing kept). */
	size_t keys = 0;
	for (size_t i = 0; i < f->n; i++)
		keys += f->lines[i].kind == L_KEY && matches(&f->lines[i], section, key);
	if (set && keys == 1 && strcmp(current, value) == 0) {
		for (size_t i = 0; i < count; i++)
			free(lines[i]);
		return LT_OK;
	}
	/* Where the new lines go: the last line setting the key, else after the last key of the
	 * last such section, else a new section at the end. Earlier settings of it go. */
	size_t at = f->n;
	bool found = false;
	char *comment = NULL; /* "   ; why", kept after a one-line value */
	for (size_t i = f->n; i-- > 0;) {
		if (f->lines[i].kind == L_KEY && matches(&f->lines[i], section, key)) {
			/* remove this key line and its continuations */
			size_t j = i + 1;
			while (j < f->n && (f->lines[j].kind == L_CONT ||
					    (f->lines[j].kind == L_OTHER && j + 1 < f->n &&
					     f->lines[j + 1].kind == L_CONT && matches(&f->lines[j + 1], section, key))))
				j++;
			while (j > i + 1 && f->lines[j - 1].kind == L_OTHER)
				j--;
			if (!found && j == i + 1) {
				const char *text = f->lines[i].text;
				const char *c = text + comment_start(&f->lines[i]);
				if (*c && !(comment = strdup(c)))
					goto nomem;
			}
			for (size_t k = j; k-- > i;)
				erase(f, k);
			if (!found)
				at = i;
			else
				at -= j - i;
			found = true;
		}
	}
	if (!found) {
		size_t header = f->n;
		for (size_t i = 0; i < f->n; i++)
			if (f->lines[i].kind == L_SECTION && strcmp(f->lines[i].section, section) == 0)
				header = i;
		if (header < f->n) {
			at = header + 1;
			for (size_t i = header + 1; i < f->n && f->lines[i].kind != L_SECTION; i++)
				if (f->lines[i].kind == L_KEY || f->lines[i].kind == L_CONT)
					at = i + 1;
		} else {
			lt_err err = LT_OK;
			if (f->n && f->lines[f->n - 1].text[0])
				err = insert(f, f->n, "", 0);
			char head[80];
			snprintf(head, sizeof head, "[%s]", section);
			if (err == LT_OK)
				err = insert(f, f->n, head, strlen(head));
			if (err != LT_OK)
				goto nomem;
			at = f->n;
		}
	}
	if (comment && count == 1) {
		char *with = malloc(strlen(lines[0]) + strlen(comment) + 1);
		if (!with)
			goto nomem;
		strcat(strcpy(with, lines[0]), comment);
		free(lines[0]);
		lines[0] = with;
	}
	free(comment);
	lt_err err = LT_OK;
	for (size_t i = 0; i < count; i++) {
		if (err == LT_OK)
			err = insert(f, at + i, lines[i], strlen(lines[i]));
		free(lines[i]);
	}
	classify(f);
	*changed = true;
	return err;
nomem:
	free(comment);
	for (size_t i = 0; i < count; i++)
		free(lines[i]);
	return LT_ERR_NOMEM;
}

void inifile_each(const struct inifile *f,
		  int (*fn)(void *user, const char *section, const char *key, const char *value),
		  void *user)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct line *l = &f->lines[i];
		if (l->kind != L_KEY)
			continue;
		/* once, at its last setting */
		bool later = false;
		for (size_t j = i + 1; j < f->n && !later; j++)
			later = f->lines[j].kind == L_KEY && matches(&f->lines[j], l->section, l->key);
		if (later)
			continue;
		char value[4096];
		inifile_get(f, l->section, l->key, value, sizeof value);
		if (fn(user, l->section, l->key, value))
			return;
	}
}

char *inifile_text(const struct inifile *f, size_t *len)
{
	size_t total = 1;
	for (size_t i = 0; i < f->n; i++)
		total += strlen(f->lines[i].text) + 2;
	char *out = malloc(total);
	if (!out)
		return NULL;
	size_t used = 0;
	for (size_t i = 0; i < f->n; i++) {
		size_t n = strlen(f->lines[i].text);
		memcpy(out + used, f->lines[i].text, n);
		used += n;
		/* Only the last line may go without a line end (as it was read). */
		const char *eol = f->lines[i].eol[0] || i + 1 == f->n ? f->lines[i].eol : f->eol;
		memcpy(out + used, eol, strlen(eol));
		used += strlen(eol);
	}
	out[used] = '\0';
	if (len)
		*len = used;
	return out;
}
