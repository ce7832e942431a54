/*
 * badge.h — what a QR badge says about who shows it: the payload of a code (qr.h) read as
 * an identity, or refused with a sentence for the check-in screen.
 *
 * Accepted, tried in this order:
 *  - a vCard: "BEGIN:VCARD" … "END:VCARD" (versions 2.1, 3.0, 4.0; CRLF or LF; folded lines
 *    unfolded): FN for the name (else N as "Given Family"), the first EMAIL;
 *  - a MECARD: "MECARD:N:Lovelace,Ada;EMAIL:ada@example.org;;" (N "Family,Given" becomes
 *    "Given Family"; backslash escapes \; \: \, \\ \"), the first EMAIL;
 *  - an email address, bare or as "mailto:ADDRESS" (shape checked: one '@', a local part of
 *    the characters RFC 5322 allows unquoted, no leading, trailing or double dot, a domain of
 *    letters, digits and hyphens in dot-separated labels);
 *  - a badge id: 1 to BADGE_MAX_ID printable ASCII characters (0x21..0x7E: no space, no
 *    control) without ':' or '@' — so a web address or another kind of QR code (WIFI:,
 *    SMSTO:, …) is never taken for one. Whether the id is on the roster is the attendance
 *    module's question, not this one's.
 * A contact card needs a name or an email (an email, if there, must have the shape above).
 * Leading and trailing white space (and a final newline) around a bare email or id is ignored.
 *
 * Refused, with a reason sentence that never repeats the payload (it may name a person; the
 * reason is shown on the screen and may be logged) and fits one line of the check-in screen
 * (at most 72 bytes): an empty code, one over BADGE_MAX_PAYLOAD
 * bytes, binary data (NUL or control bytes other than tab, CR, LF), text that is not UTF-8,
 * a web address, and anything else. Invalid UTF-8 never passes: every field handed out is
 * valid UTF-8 without control characters.
 */
#ifndef LECTERN_BADGE_H
#define LECTERN_BADGE_H

#include <stddef.h>

#include "lectern/err.h"

#define BADGE_MAX_PAYLOAD 512
#define BADGE_MAX_ID 64

enum badge_kind { BADGE_EMAIL, BADGE_ID, BADGE_MECARD, BADGE_VCARD };

struct badge_identity {
	enum badge_kind kind;
	char name[128];              /* "" when the code gives none; cut at a character */
	char email[256];             /* "" when none; the domain in lower case */
	char id[BADGE_MAX_ID + 1];   /* BADGE_ID only, else "" */
};

/*
 * Read `len` bytes of `payload` (NUL bytes inside count as binary data). A payload over
 * BADGE_MAX_PAYLOAD is refused by its length alone, before a byte is read: a code that qr.h
 * kept cut (truncated) is passed with its real length. On LT_OK *out is
 * filled. LT_ERR_FORMAT: refused, and `reason` (n bytes) says why in a sentence for the
 * screen ("This QR code is a web address, not a badge."). LT_ERR_INVALID: NULL arguments.
 */
lt_err badge_parse(const void *payload, size_t len, struct badge_identity *out, char *reason,
		   size_t n);

/* "email", "badge id", "MECARD", "vCard". */
const char *badge_kind_name(enum badge_kind kind);

#endif
