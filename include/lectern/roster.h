/*
 * roster.h — who may check in to a session: the calendar's ATTENDEE entries (CN and e-mail)
 * and an optional per-room roster file ([checkin] roster), searched as people type.
 *
 * The roster file is CSV (RFC 4180 quoting: "Lovelace, Ada" and "" inside quotes), UTF-8, one
 * person a line: name,email,badge. Fields are separated by commas, or by semicolons when the
 * first line of content has semicolons and no comma outside quotes (a spreadsheet's CSV where
 * the comma is the decimal point). A byte order mark and CRLF line ends are fine. A header
 * line is optional (recognised by its first field being "name", any case). Blank lines and
 * lines starting with '#' are skipped. A bad row (no name and no e-mail, an e-mail without '@',
 * too many fields, an unterminated quote, a field too long, invalid UTF-8, a control
 * character) is skipped and said as "FILE:LINE: what is wrong" — never with the row's content,
 * which holds names; the rest loads. The first 20 problems of a file are said one by one, the
 * rest counted in one line ("FILE: N more bad rows not listed"); a file is read up to 8 MB.
 * A file that is not UTF-8 but Windows-1252 throughout (what Excel on Windows saves as CSV) is
 * read as Windows-1252 and said once (utf8.h; also in `problems`, though no row is bad); one
 * that mixes UTF-8 characters with other bytes, holds a NUL or starts with a UTF-16 byte order
 * mark is not guessed at: its rows that are not UTF-8 are bad rows.
 *
 * A person listed twice (same e-mail, else same badge) is kept once, the first entry
 * completed by the later one's missing fields.
 *
 * Searching folds case and accents: "ada", "ADA" and "Ádá" all find "Ada"; the search text
 * may sit anywhere in the name or the e-mail address.
 */
#ifndef LECTERN_ROSTER_H
#define LECTERN_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lectern/err.h"

#define ROSTER_MAX 2000          /* people kept from calendar and file together */

struct roster_person {
	char name[96];
	char email[128];
	char badge[64];
	bool from_calendar;          /* an ATTENDEE of the session (else the roster file) */
	/* The caller's (the kiosk's): */
	bool walk_in;                /* typed in at the door */
	int64_t checked_in_ms;       /* when checked in; 0 = not */
	char key[65];                /* attendance's person key, "" until computed */
};

struct roster {
	struct roster_person *items;
	size_t count, cap;
};

void roster_init(struct roster *r);
void roster_free(struct roster *r);
/* Empty it, keeping its memory. */
void roster_clear(struct roster *r);

/* Add a person (NULL fields: ""); merged with one of the same e-mail or badge. LT_ERR_INVALID
 * for neither name nor e-mail, LT_ERR_NOMEM past ROSTER_MAX or out of memory. */
lt_err roster_add(struct roster *r, const char *name, const char *email, const char *badge,
		  bool from_calendar);

/* Add the calendar's invitees: occurrence.invitees' "Name <mail>" lines (NULL: none).
 * Returns how many were added. */
int roster_add_invitees(struct roster *r, const char *invitees);

/*
 * Add the people of CSV `text` (`len` bytes), `label` naming it in problems. Each bad row is
 * logged (warning) as "roster: LABEL:LINE: problem"; when `problems` is not NULL the lines are
 * also written there (for `lectern config check`-style output). Returns the number of bad rows;
 * *added (may be NULL) receives the people added.
 */
int roster_parse_csv(struct roster *r, const char *text, size_t len, const char *label,
		     FILE *problems, int *added);

/* The same for the file at `path`. LT_ERR_IO (logged) when it cannot be read; then nothing is
 * added. *bad receives the bad rows (may be NULL). */
lt_err roster_load_csv(struct roster *r, const char *path, FILE *problems, int *bad);

/* The person with this e-mail (case-insensitive), else this badge id (exact, trimmed); NULL
 * when neither matches (empty ones never match). */
struct roster_person *roster_find(const struct roster *r, const char *email, const char *badge);

/* The person whose name is `name`, case and accents folded and spaces collapsed; NULL. */
struct roster_person *roster_find_name(const struct roster *r, const char *name);

/* Whether `query` (folded) lies in the person's name or e-mail (folded). "" matches all. */
bool roster_matches(const struct roster_person *p, const char *query);

/*
 * Fold `in` for comparison into `out` (n bytes, always terminated): lower case, accents
 * removed (Latin: é → e, ß → ss, Ø → o, ...; Greek: Ώ → ω; Cyrillic: Ё → е; combining marks
 * dropped), runs of white space made one space, leading and trailing ones dropped.
 * Characters it does not know are kept as they are.
 */
void roster_fold(const char *in, char *out, size_t n);

#endif
