/*
 * fuzz_roster.c — libFuzzer target for the room's roster CSV ([checkin] roster): whatever
 * bytes the file holds, reading it must not crash, hang or leak; every person kept has a name
 * or an e-mail address in valid UTF-8; and every problem said is "FILE:LINE: " and one of the
 * parser's own sentences, never the row's content (it holds names), after the one line saying
 * that a file was read as Windows-1252.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/log.h"
#include "lectern/roster.h"
#include "lectern/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void valid(const char *s)
{
	for (; *s;) {
		size_t n = utf8_char_len(s);
		if (!n)
			abort();
		s += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sentences[] = {
		"not UTF-8 text", "more than 3 fields (name,email,badge)", "a quote is not closed",
		"a field is too long", "text after a closing quote",
		"a quote inside an unquoted field", "no name and no e-mail address",
		"the e-mail address is not one (name@domain)", "the name is too long",
		"the e-mail address is too long", "the badge id is too long",
		"the roster is full (at most 2000 people); the rest is not loaded",
		"a control character"};
	log_set_level(LOG_LVL_ERROR);
	struct roster r;
	roster_init(&r);
	char *out = NULL;
	size_t outlen = 0;
	FILE *problems = open_memstream(&out, &outlen);
	if (!problems)
		abort();
	int added = 0;
	int bad = roster_parse_csv(&r, (const char *)data, size, "fuzz.csv", problems, &added);
	fclose(problems);
	if (bad < 0 || added < 0 || (size_t)added != r.count || r.count > ROSTER_MAX)
		abort();
	for (size_t i = 0; i < r.count; i++) {
		const struct roster_person *p = &r.items[i];
		if (!p->name[0] && !p->email[0])
			abort();
		valid(p->name);
		valid(p->email);
		valid(p->badge);
		char folded[192];
		roster_fold(p->name, folded, sizeof folded);
		roster_matches(p, "a");
	}
	int lines = 0, unlisted = 0;
	/* A Windows-1252 file is read as such, said first (no row's content either) */
	static const char cp1252[] = "fuzz.csv is not UTF-8: read as Windows-1252 (how Excel on "
				     "Windows saves CSV)\n";
	char *l0 = out && strncmp(out, cp1252, sizeof cp1252 - 1) == 0 ? out + sizeof cp1252 - 1
								       : out;
	for (char *l = l0; l && *l; lines++) {
		char *nl = strchr(l, '\n');
		if (!nl || strncmp(l, "fuzz.csv:", 9) != 0)
			abort();
		/* past the first 20, the rest are counted on one last line */
		int more, used = 0;
		if (sscanf(l, "fuzz.csv: %d more bad rows not listed\n%n", &more, &used) == 1 &&
		    used > 0 && l + used == nl + 1 && more > 0 && !unlisted) {
			unlisted = more;
			lines--;
			l = nl + 1;
			continue;
		}
		char *p = l + 9;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == l + 9 || strncmp(p, ": ", 2) != 0)
			abort();
		p += 2;
		bool known = false;
		for (size_t i = 0; i < sizeof sentences / sizeof sentences[0] && !known; i++) {
			size_t n = strlen(sentences[i]);
			known = strncmp(p, sentences[i], n) == 0 && strncmp(p + n, "; row skipped\n", 14) == 0 &&
				p + n + 13 == nl;
		}
		if (!known)
			abort();
		l = nl + 1;
	}
	if (lines + unlisted != bad)
		abort();
	free(out);
	roster_free(&r);
	return 0;
}
