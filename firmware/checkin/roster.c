/*
 * roster.c — the people who may check in (roster.h): calendar attendees and the room's CSV.
 *
 * What must stay true: no problem message carries a row's content (it holds names); a bad row
 * never stops the rest from loading.
 */
#include "lectern/roster.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lectern/log.h"
#include "lectern/osutil.h"
#include "lectern/utf8.h"

void roster_init(struct roster *r)
{
	memset(r, 0, sizeof *r);
}

void roster_free(struct roster *r)
{
	free(r->items);
	roster_init(r);
}

void roster_clear(struct roster *r)
{
	r->count = 0;
}

/* --- folding ------------------------------------------------------------------------------ */

/* U+0100..U+017F (Latin Extended-A) by base letter; '1' stands for "ij", '2' for "oe". */
static const char latin_ext_a[] = "aaaaaacccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh"
				  "iiiiiiiiii" "11" "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo"
				  "22" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy"
				  "zzzzzz" "s";
_Static_assert(sizeof latin_ext_a == 0x80 + 1, "one letter per code point");

/* U+00C0..U+00FF; '1' "ae", '2' "th", '3' "ss", '.' kept as it is (× and ÷). */
static const char latin_1[] = "aaaaaa1ceeeeiiii" "dnooooo.ouuuuy23" "aaaaaa1ceeeeiiii"
			      "dnooooo.ouuuuy2y";
_Static_assert(sizeof latin_1 == 0x40 + 1, "one letter per code point");

/* Greek and Cyrillic in lower case without their accents (tonos, dialytika; ё is е), the code
 * point itself for anything else. */
static uint32_t fold_greek_cyrillic(uint32_t cp)
{
	static const uint16_t greek_tonos[][2] = {
		{0x386, 0x3B1}, {0x388, 0x3B5}, {0x389, 0x3B7}, {0x38A, 0x3B9}, {0x38C, 0x3BF},
		{0x38E, 0x3C5}, {0x38F, 0x3C9}, {0x390, 0x3B9}, {0x3AA, 0x3B9}, {0x3AB, 0x3C5},
		{0x3AC, 0x3B1}, {0x3AD, 0x3B5}, {0x3AE, 0x3B7}, {0x3AF, 0x3B9}, {0x3B0, 0x3C5},
		{0x3C2, 0x3C3}, {0x3CA, 0x3B9}, {0x3CB, 0x3C5}, {0x3CC, 0x3BF}, {0x3CD, 0x3C5},
		{0x3CE, 0x3C9}};
	for (size_t i = 0; i < sizeof greek_tonos / sizeof greek_tonos[0]; i++)
		if (greek_tonos[i][0] == cp)
			return greek_tonos[i][1];
	if (cp >= 0x391 && cp <= 0x3A9)
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40F)
		cp += 0x50;
	else if (cp >= 0x410 && cp <= 0x42F)
		return cp + 0x20;
	if (cp == 0x450 || cp == 0x451)
		return 0x435;                   /* ѐ ё: е */
	if (cp == 0x45D)
		return 0x438;                   /* ѝ: и */
	return cp;
}

/* The folded spelling of code point `cp`: "" to drop it, NULL to keep it unchanged. */
static const char *fold_cp(uint32_t cp, char one[4])
{
	static const char *const pairs[] = {"ij", "oe", "ae", "th", "ss"};
	char c = 0;
	if (cp >= 0x386 && cp <= 0x45F) {
		uint32_t f = fold_greek_cyrillic(cp);
		if (f == cp)
			return NULL;
		one[utf8_encode(f, one)] = '\0';
		return one;
	}
	if (cp < 0x80) {
		c = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
	} else if (cp >= 0x300 && cp <= 0x36F) {
		return "";                      /* combining accents (decomposed text) */
	} else if (cp >= 0xC0 && cp <= 0xFF) {
		c = latin_1[cp - 0xC0];
		if (c == '.')
			return NULL;
		if (c >= '1' && c <= '3')
			return pairs[c - '1' + 2];
	} else if (cp >= 0x100 && cp <= 0x17F) {
		c = latin_ext_a[cp - 0x100];
		if (c == '1' || c == '2')
			return pairs[c - '1'];
	} else {
		return NULL;
	}
	one[0] = c;
	one[1] = '\0';
	return one;
}

void roster_fold(const char *in, char *out, size_t n)
{
	size_t len = 0;
	bool space = false;
	if (!n)
		return;
	while (in && *in) {
		uint32_t cp;
		size_t cl = utf8_decode(in, &cp);
		if (!cl) {                      /* not UTF-8: the byte as it is */
			cl = 1;
			cp = 0xFFFD;
		}
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0) {
			space = len > 0;
			in += cl;
			continue;
		}
		char one[4];
		const char *f = fold_cp(cp, one);
		size_t flen = f ? strlen(f) : cl;
		if (f && !flen) {
			in += cl;
			continue;
		}
		if (len + space + flen + 1 > n)
			break;
		if (space)
			out[len++] = ' ';
		space = false;
		memcpy(out + len, f ? f : in, flen);
		len += flen;
		in += cl;
	}
	out[len] = '\0';
}

/* --- adding ------------------------------------------------------------------------------- */

/*
 * Trimmed copy of [p, p+len) into dst (cut at a character boundary), made safe to show and
 * store: what is not UTF-8 becomes U+FFFD, a control character (C0, DEL, C1) a space. A
 * calendar's CN or a QR card may hold anything; the screen, the store's JSON and a terminal
 * showing `lectern attendance` need text.
 */
static void copy_trimmed(char *dst, size_t n, const char *p, size_t len)
{
	while (len && (*p == ' ' || *p == '\t'))
		p++, len--;
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	char tmp[512];
	if (len > 255)
		len = 255; /* every byte may grow to three; the fields are smaller anyway */
	char in[256];
	memcpy(in, p, len);
	in[len] = '\0';
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t cl = utf8_decode(in + i, &cp);
		if (!cl) {
			memcpy(tmp + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		} else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
			tmp[o++] = ' ';
			i += cl;
		} else {
			memcpy(tmp + o, in + i, cl);
			o += cl;
			i += cl;
		}
	}
	tmp[o] = '\0';
	utf8_copy(dst, n, tmp);
}

static void fill(char *dst, size_t n, const char *src)
{
	if (!dst[0] && src && src[0])
		utf8_copy(dst, n, src);
}

lt_err roster_add(struct roster *r, const char *name, const char *email, const char *badge,
		  bool from_calendar)
{
	char nm[96], em[128], bd[64];
	copy_trimmed(nm, sizeof nm, name ? name : "", name ? strlen(name) : 0);
	copy_trimmed(em, sizeof em, email ? email : "", email ? strlen(email) : 0);
	copy_trimmed(bd, sizeof bd, badge ? badge : "", badge ? strlen(badge) : 0);
	if (!nm[0] && !em[0])
		return LT_ERR_INVALID;
	struct roster_person *same = roster_find(r, em, bd);
	if (same) {
		fill(same->name, sizeof same->name, nm);
		fill(same->email, sizeof same->email, em);
		fill(same->badge, sizeof same->badge, bd);
		same->from_calendar |= from_calendar;
		return LT_OK;
	}
	if (r->count >= ROSTER_MAX)
		return LT_ERR_NOMEM;
	struct roster_person *items = os_grow(r->items, r->count, &r->cap, sizeof *items, 32);
	if (!items)
		return LT_ERR_NOMEM;
	r->items = items;
	struct roster_person *p = &r->items[r->count++];
	memset(p, 0, sizeof *p);
	utf8_copy(p->name, sizeof p->name, nm);
	utf8_copy(p->email, sizeof p->email, em);
	utf8_copy(p->badge, sizeof p->badge, bd);
	p->from_calendar = from_calendar;
	return LT_OK;
}

int roster_add_invitees(struct roster *r, const char *invitees)
{
	int added = 0;
	const char *p = invitees;
	while (p && *p) {
		size_t len = strcspn(p, "\n");
		/* "CN <address>": the address is the line's last <...> (a CN may hold brackets). */
		const char *lt = NULL, *gt = len && p[len - 1] == '>' ? p + len - 1 : NULL;
		for (const char *q = p; gt && q < gt; q++)
			if (*q == '<')
				lt = q;
		char name[96] = "", mail[128] = "";
		if (lt && gt) {
			copy_trimmed(name, sizeof name, p, (size_t)(lt - p));
			copy_trimmed(mail, sizeof mail, lt + 1, (size_t)(gt - lt - 1));
			/* Not an address (urn:uuid:, a bare mailto:): nothing to match or show. */
			if (!strchr(mail, '@'))
				mail[0] = '\0';
		} else {
			copy_trimmed(name, sizeof name, p, len);
		}
		size_t before = r->count;
		if (roster_add(r, name, mail, NULL, true) == LT_OK && r->count > before)
			added++;
		p += len + (p[len] == '\n');
	}
	return added;
}

/* --- the CSV file ------------------------------------------------------------------------- */

#define CSV_FIELDS 3

/* Split one line into fields (RFC 4180 quoting within the line). NULL or the problem. */
static const char *split(const char *line, size_t len, char sep, char fields[CSV_FIELDS][256],
			 int *nf)
{
	size_t i = 0;
	*nf = 0;
	for (;;) {
		if (*nf == CSV_FIELDS)
			return "more than 3 fields (name,email,badge)";
		char *f = fields[(*nf)++];
		size_t flen = 0;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i < len && line[i] == '"') {
			i++;
			for (;;) {
				if (i >= len)
					return "a quote is not closed";
				if (line[i] == '"') {
					if (i + 1 < len && line[i + 1] == '"') {
						i++;
					} else {
						i++;
						break;
					}
				}
				if (flen + 1 >= 256)
					return "a field is too long";
				f[flen++] = line[i++];
			}
			while (i < len && (line[i] == ' ' || line[i] == '\t'))
				i++;
			if (i < len && line[i] != sep)
				return "text after a closing quote";
		} else {
			while (i < len && line[i] != sep) {
				if (line[i] == '"')
					return "a quote inside an unquoted field";
				if (flen + 1 >= 256)
					return "a field is too long";
				f[flen++] = line[i++];
			}
			while (flen && (f[flen - 1] == ' ' || f[flen - 1] == '\t'))
				flen--;
		}
		f[flen] = '\0';
		if (i >= len)
			return NULL;
		i++;                            /* the separator */
	}
}

/*
 * The file's separator, from its first line of content: ';' when that has semicolons and no
 * comma outside quotes (what a spreadsheet saves as CSV where the comma is the decimal
 * point), else ','.
 */
static char separator_of(const char *l, size_t len)
{
	bool quoted = false, semi = false;
	for (size_t i = 0; i < len; i++) {
		if (l[i] == '"')
			quoted = !quoted;
		else if (!quoted && l[i] == ',')
			return ',';
		else if (!quoted && l[i] == ';')
			semi = true;
	}
	return semi ? ';' : ',';
}

/* Whether valid UTF-8 [s, s+len) holds a control character (C0 but the tab, DEL, C1): in a
 * name it would reach the screen, the CSV and a terminal through `lectern attendance`. */
static bool has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f ||
		    (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		     (unsigned char)s[i + 1] <= 0x9F))
			return true;
	}
	return false;
}

/* Why the row cannot be taken, NULL when it can. */
static const char *check_row(char fields[CSV_FIELDS][256], int nf)
{
	const char *name = fields[0], *email = nf > 1 ? fields[1] : "";
	const char *badge = nf > 2 ? fields[2] : "";
	if (!name[0] && !email[0])
		return "no name and no e-mail address";
	if (email[0] && (!strchr(email, '@') || strchr(email, ' ')))
		return "the e-mail address is not one (name@domain)";
	if (strlen(name) >= sizeof ((struct roster_person *)0)->name)
		return "the name is too long";
	if (strlen(email) >= sizeof ((struct roster_person *)0)->email)
		return "the e-mail address is too long";
	if (strlen(badge) >= sizeof ((struct roster_person *)0)->badge)
		return "the badge id is too long";
	return NULL;
}

/* Problems said one by one, up to this many a file; the rest are counted (a file of garbage
 * would otherwise fill the log with a line for each of its lines). */
#define PROBLEMS_LISTED 20

static void problem(const char *label, int line, const char *what, FILE *out, int *said)
{
	if (++*said > PROBLEMS_LISTED)
		return;
	log_warn("roster: %s:%d: %s; row skipped", label, line, what);
	if (out)
		fprintf(out, "%s:%d: %s; row skipped\n", label, line, what);
}

/* Whether [s, s+len) holds a multi-byte UTF-8 character: then the text is (partly) UTF-8
 * and not a legacy 8-bit export. */
static bool has_utf8_char(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t want = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
			    : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		if (want && i + want <= len && utf8_valid(s + i, want))
			return true;
	}
	return false;
}

/*
 * Excel on Windows saves "CSV" in Windows-1252: a file that is not UTF-8 as a whole, but is
 * 1252 and holds no UTF-8 character at all, is read as that (utf8.h) and said once. A mix of
 * both is not guessed at: its rows that are not UTF-8 are refused one by one. Nor is a file
 * with a NUL or starting with a UTF-16 byte order mark (FF FE, FE FF: Excel's "Unicode
 * text"), which is no 8-bit text.
 * Returns the UTF-8 text (malloc'd) or NULL to read `text` as it is. Said in `problems` too
 * (config check), though it is none.
 */
static char *from_windows_1252(const char *text, size_t len, const char *label, FILE *problems)
{
	bool utf16 = len >= 2 && (memcmp(text, "\xFF\xFE", 2) == 0 ||
				  memcmp(text, "\xFE\xFF", 2) == 0);
	if (utf16 || utf8_valid(text, len) || memchr(text, '\0', len) ||
	    !utf8_is_cp1252(text, len) || has_utf8_char(text, len))
		return NULL;
	char *utf8 = utf8_repair_dup(text, len, NULL);
	if (utf8) {
		log_warn("roster: %s is not UTF-8: read as Windows-1252 (how Excel on Windows "
			 "saves CSV)", label);
		if (problems)
			fprintf(problems, "%s is not UTF-8: read as Windows-1252 (how Excel on "
				"Windows saves CSV)\n", label);
	}
	return utf8;
}

int roster_parse_csv(struct roster *r, const char *text, size_t len, const char *label,
		     FILE *problems, int *added)
{
	char *converted = from_windows_1252(text, len, label, problems);
	if (converted) {
		text = converted;
		len = strlen(converted);
	}
	int bad = 0, n_added = 0, line = 0, said = 0;
	bool first = true;
	char sep = 0;
	size_t i = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;                          /* a byte order mark */
	while (i < len) {
		const char *l = text + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - l) : len - i;
		i += ll + (nl != NULL);
		line++;
		if (ll && l[ll - 1] == '\r')
			ll--;
		size_t lead = 0;
		while (lead < ll && (l[lead] == ' ' || l[lead] == '\t'))
			lead++;
		if (lead == ll || l[lead] == '#')
			continue;
		if (!utf8_valid(l, ll) || memchr(l, '\0', ll)) {
			problem(label, line, "not UTF-8 text", problems, &said);
			bad++;
			first = false;
			continue;
		}
		if (has_control(l, ll)) {
			problem(label, line, "a control character", problems, &said);
			bad++;
			first = false;
			continue;
		}
		if (!sep)
			sep = separator_of(l, ll);
		char fields[CSV_FIELDS][256];
		int nf;
		const char *why = split(l, ll, sep, fields, &nf);
		if (!why && first) {
			first = false;
			char folded[16];
			roster_fold(fields[0], folded, sizeof folded);
			if (strcmp(folded, "name") == 0)
				continue;               /* the header */
		}
		first = false;
		if (!why)
			why = check_row(fields, nf);
		if (why) {
			problem(label, line, why, problems, &said);
			bad++;
			continue;
		}
		size_t before = r->count;
		lt_err err = roster_add(r, fields[0], nf > 1 ? fields[1] : "",
					nf > 2 ? fields[2] : "", false);
		if (err == LT_ERR_NOMEM) {
			/* Always said, however many came before. */
			int once = 0;
			problem(label, line, "the roster is full (at most 2000 people); the rest is "
				"not loaded", problems, &once);
			bad++;
			break;
		}
		if (err == LT_OK && r->count > before)
			n_added++;
	}
	if (said > PROBLEMS_LISTED) {
		log_warn("roster: %s: %d more bad rows not listed", label, said - PROBLEMS_LISTED);
		if (problems)
			fprintf(problems, "%s: %d more bad rows not listed\n", label,
				said - PROBLEMS_LISTED);
	}
	if (added)
		*added = n_added;
	free(converted);
	return bad;
}

lt_err roster_load_csv(struct roster *r, const char *path, FILE *problems, int *bad)
{
	if (bad)
		*bad = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		log_warn("roster: cannot read %s: %s", path, strerror(errno));
		if (problems)
			fprintf(problems, "%s: cannot read it: %s\n", path, strerror(errno));
		return LT_ERR_IO;
	}
	char *text = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 > cap) {
			/* A roster of ROSTER_MAX people is well under 1 MB; more is not one. */
			if (cap >= (8u << 20)) {
				log_warn("roster: %s is larger than 8 MB; only its start is read",
					 path);
				if (problems)
					fprintf(problems, "%s: larger than 8 MB: only its start is "
						"read\n", path);
				break;
			}
			size_t ncap = cap ? cap * 2 : 16384;
			char *t = realloc(text, ncap);
			if (!t) {
				free(text);
				fclose(f);
				return LT_ERR_NOMEM;
			}
			text = t;
			cap = ncap;
		}
		size_t got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		free(text);
		log_warn("roster: cannot read %s", path);
		return LT_ERR_IO;
	}
	int n = roster_parse_csv(r, text ? text : "", len, path, problems, NULL);
	free(text);
	if (bad)
		*bad = n;
	return LT_OK;
}

/* --- finding ------------------------------------------------------------------------------ */

struct roster_person *roster_find(const struct roster *r, const char *email, const char *badge)
{
	char em[128] = "", bd[64] = "";
	if (email)
		copy_trimmed(em, sizeof em, email, strlen(email));
	if (badge)
		copy_trimmed(bd, sizeof bd, badge, strlen(badge));
	if (em[0])
		for (size_t i = 0; i < r->count; i++)
			if (strcasecmp(r->items[i].email, em) == 0)
				return &r->items[i];
	if (bd[0])
		for (size_t i = 0; i < r->count; i++)
			if (strcmp(r->items[i].badge, bd) == 0)
				return &r->items[i];
	return NULL;
}

struct roster_person *roster_find_name(const struct roster *r, const char *name)
{
	char want[192], have[192];
	roster_fold(name, want, sizeof want);
	if (!want[0])
		return NULL;
	for (size_t i = 0; i < r->count; i++) {
		roster_fold(r->items[i].name, have, sizeof have);
		if (strcmp(have, want) == 0)
			return &r->items[i];
	}
	return NULL;
}

bool roster_matches(const struct roster_person *p, const char *query)
{
	char q[192], have[384];
	roster_fold(query, q, sizeof q);
	if (!q[0])
		return true;
	roster_fold(p->name, have, sizeof have);
	if (strstr(have, q))
		return true;
	roster_fold(p->email, have, sizeof have);
	return strstr(have, q) != NULL;
}
