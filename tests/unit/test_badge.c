/*
 * test_badge.c — QR payloads read as identities (badge.h): bare and mailto emails, badge ids,
 * MECARD with escapes, vCard with folded lines in CRLF and LF, and every refusal with a
 * reason that does not repeat the payload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lectern/badge.h"

static struct badge_identity id;
static char reason[256];

static lt_err parse(const char *s)
{
	return badge_parse(s, strlen(s), &id, reason, sizeof reason);
}

static void accept(const char *s, enum badge_kind kind)
{
	lt_err err = parse(s);
	if (err != LT_OK)
		fail_msg("refused \"%s\": %s", s, reason);
	assert_int_equal(id.kind, kind);
	assert_string_equal(reason, "");
}

/* Refused with a reason mentioning `part`, and not repeating the payload's distinctive
 * `secret` (a name or address: reasons reach the screen and may reach a log). */
static void refuse(const void *s, size_t len, const char *part, const char *secret)
{
	lt_err err = badge_parse(s, len, &id, reason, sizeof reason);
	if (err != LT_ERR_FORMAT)
		fail_msg("accepted (%s) a payload that should be refused for \"%s\"",
			 lt_errname(err), part);
	if (!strstr(reason, part))
		fail_msg("reason \"%s\" does not say \"%s\"", reason, part);
	assert_true(reason[strlen(reason) - 1] == '.'); /* a sentence ... */
	if (strlen(reason) > 72)                        /* ... on one line of the screen */
		fail_msg("reason \"%s\" is %zu bytes, more than a line", reason, strlen(reason));
	if (secret && strstr(reason, secret))
		fail_msg("reason \"%s\" repeats the payload", reason);
	assert_string_equal(id.name, "");
	assert_string_equal(id.email, "");
	assert_string_equal(id.id, "");
}

static void refuse_s(const char *s, const char *part, const char *secret)
{
	refuse(s, strlen(s), part, secret);
}

static void test_email(void **state)
{
	(void)state;
	accept("ada@example.org", BADGE_EMAIL);
	assert_string_equal(id.email, "ada@example.org");
	assert_string_equal(id.name, "");
	accept("  Grace.Hopper+badge@Navy.MIL\r\n", BADGE_EMAIL);
	assert_string_equal(id.email, "Grace.Hopper+badge@navy.mil"); /* domain lowered only */
	accept("mailto:alan@example.org?subject=hello", BADGE_EMAIL);
	assert_string_equal(id.email, "alan@example.org");
	accept("o'brien@x", BADGE_EMAIL); /* an intranet's one-label domain */
	assert_string_equal(id.email, "o'brien@x");

	const char *bad[] = {
		"ada@@example.org", "@example.org", "ada@", ".ada@example.org", "ada.@example.org",
		"a..da@example.org", "ada@-example.org", "ada@example-.org", "ada@exa_mple.org",
		"ada@example..org", "ada lovelace@example.org", "ad(a)@example.org",
		"zo\xc3\xab@example.org", "mailto:", "mailto:nobody",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refuse_s(bad[i], "email address", "example");
	char longlocal[128];
	memset(longlocal, 'a', 65);
	snprintf(longlocal + 65, sizeof longlocal - 65, "@example.org");
	refuse_s(longlocal, "email address", "example");
}

static void test_badge_id(void **state)
{
	(void)state;
	accept("B-0042", BADGE_ID);
	assert_string_equal(id.id, "B-0042");
	assert_string_equal(id.email, "");
	accept(" 0042\n", BADGE_ID);
	assert_string_equal(id.id, "0042");
	char max[BADGE_MAX_ID + 1];
	memset(max, 'K', BADGE_MAX_ID);
	max[BADGE_MAX_ID] = '\0';
	accept(max, BADGE_ID);
	assert_int_equal(strlen(id.id), BADGE_MAX_ID);
	char over[BADGE_MAX_ID + 2];
	memset(over, 'K', BADGE_MAX_ID + 1);
	over[BADGE_MAX_ID + 1] = '\0';
	refuse_s(over, "too long for a badge id", NULL);
	/* Other kinds of QR code and plain text are not ids. */
	refuse_s("WIFI:S:office;T:WPA;P:secret;;", "not a badge", "secret");
	refuse_s("SMSTO:+15551234:hi", "not a badge", "5551234");
	refuse_s("Ada Lovelace", "not a badge", "Lovelace");
	refuse_s("id\xc3\xa9", "not a badge", NULL); /* non-ASCII */
	refuse_s("https://example.org/badge/42", "web address", "example");
	refuse_s("HTTP://EXAMPLE.ORG", "web address", "EXAMPLE");
	refuse_s("www.example.org", "web address", "example");
	refuse_s("   \r\n\t", "white space", NULL);
}

static void test_mecard(void **state)
{
	(void)state;
	accept("MECARD:N:Lovelace,Ada;EMAIL:ada@x;;", BADGE_MECARD);
	assert_string_equal(id.name, "Ada Lovelace");
	assert_string_equal(id.email, "ada@x");
	/* Escapes: \, is a comma in the name, \; and \: literal; other fields ignored. */
	accept("MECARD:N:Smith\\, Jr.,John;TEL:+1 555;URL:http\\://x.org;EMAIL:js@example.org;"
	       "NOTE:a\\;b;;", BADGE_MECARD);
	assert_string_equal(id.name, "John Smith, Jr.");
	assert_string_equal(id.email, "js@example.org");
	accept("mecard:N:Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m;;", BADGE_MECARD);
	assert_string_equal(id.name, "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m");
	assert_string_equal(id.email, "");
	accept("MECARD:EMAIL:only@example.org;EMAIL:second@example.org;;", BADGE_MECARD);
	assert_string_equal(id.email, "only@example.org");
	assert_string_equal(id.name, "");
	/* Unterminated: still read as far as it goes. */
	accept("MECARD:N:Hopper,Grace", BADGE_MECARD);
	assert_string_equal(id.name, "Grace Hopper");

	refuse_s("MECARD:TEL:+15551234;;", "neither a name nor an email", "555");
	refuse_s("MECARD:;;", "neither a name nor an email", NULL);
	refuse_s("MECARD:N:Lovelace,Ada;EMAIL:not-an-address;;", "email address is not valid",
		 "Lovelace");
}

static void test_vcard(void **state)
{
	(void)state;
	accept("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\n"
	       "EMAIL;TYPE=INTERNET:ada@example.org\r\nEND:VCARD\r\n", BADGE_VCARD);
	assert_string_equal(id.name, "Ada Lovelace");
	assert_string_equal(id.email, "ada@example.org");
	/* LF only, folded lines (a space or a tab continues the line), N without FN. */
	accept("BEGIN:VCARD\nVERSION:4.0\nN:Hop\n per;Gr\n\tace;Brewster;;\nEMAIL:gr\n ace@nav"
	       "y.mil\nEND:VCARD", BADGE_VCARD);
	assert_string_equal(id.name, "Grace Hopper");
	assert_string_equal(id.email, "grace@navy.mil");
	/* Groups, parameters with a quoted ':', escapes, the first EMAIL. */
	accept("BEGIN:VCARD\r\nVERSION:4.0\r\nitem1.EMAIL;TYPE=\"work:x\":first@example.org\r\n"
	       "EMAIL:second@example.org\r\nFN:Smith\\, John\\nJr.\r\nEND:VCARD", BADGE_VCARD);
	assert_string_equal(id.name, "Smith, John Jr.");
	assert_string_equal(id.email, "first@example.org");
	/* vCard 2.1 quoted-printable, with a soft line break. */
	accept("BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zo=C3=AB =\r\n"
	       "=C3=85ngstr=C3=B6m\r\nEND:VCARD\r\n", BADGE_VCARD);
	assert_string_equal(id.name, "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m");
	/* A name only is enough (the roster may know the name). */
	accept("BEGIN:VCARD\nFN:Alan Turing\nEND:VCARD\n", BADGE_VCARD);
	assert_string_equal(id.email, "");

	refuse_s("BEGIN:VCARD\nFN:Alan Turing\nEMAIL:alan@example.org\n", "no END:VCARD", "Turing");
	refuse_s("BEGIN:VCARD\nTEL:+15551234\nEND:VCARD", "neither a name nor an email", "555");
	refuse_s("BEGIN:VCARD\nFN:Alan Turing\nEMAIL:alan at example\nEND:VCARD",
		 "email address is not valid", "Turing");
	/* Quoted-printable that decodes to Latin-1, not UTF-8. */
	refuse_s("BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE:Zo=EB\nEND:VCARD", "not valid UTF-8",
		 NULL);
	/* Control characters in a name never come out. */
	accept("BEGIN:VCARD\nFN:A\\nda  \tLove\\Nlace \nEND:VCARD", BADGE_VCARD);
	assert_string_equal(id.name, "A da Love lace");
}

static void test_refused_payloads(void **state)
{
	(void)state;
	refuse("", 0, "empty", NULL);
	const uint8_t binary[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
	refuse(binary, sizeof binary, "binary data", NULL);
	refuse("ada\0@example.org", 16, "binary data", "example");
	refuse_s("ada\x7f@example.org", "binary data", "example");
	/* Invalid UTF-8: a lone continuation, an overlong form, a surrogate, a cut sequence. */
	const char *bad_utf8[] = {"\x80" "abc", "\xc0\xaf", "\xed\xa0\x80", "Zo\xc3", "\xf5\x80\x80\x80"};
	for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++)
		refuse_s(bad_utf8[i], "not valid UTF-8", NULL);
	/* Invalid UTF-8 inside an otherwise good contact card. */
	refuse_s("MECARD:N:Lovelace,Ad\xe1;;", "not valid UTF-8", "Lovelace");
	/* Over-long: 513 bytes of an otherwise fine vCard. */
	char big[600];
	int len = snprintf(big, sizeof big, "BEGIN:VCARD\nFN:Ada Lovelace\nNOTE:");
	memset(big + len, 'x', sizeof big - (size_t)len);
	memcpy(big + 513 - 10, "\nEND:VCARD", 10);
	refuse(big, 513, "513 bytes, too much for a badge (512 at most)", "Lovelace");
	/* Exactly 512 is allowed. */
	memcpy(big + 512 - 10, "\nEND:VCARD", 10);
	assert_int_equal(badge_parse(big, 512, &id, reason, sizeof reason), LT_OK);
	assert_string_equal(id.name, "Ada Lovelace");
}

static void test_api_edges(void **state)
{
	(void)state;
	assert_int_equal(badge_parse(NULL, 0, &id, reason, sizeof reason), LT_ERR_INVALID);
	assert_int_equal(badge_parse("a", 1, NULL, reason, sizeof reason), LT_ERR_INVALID);
	/* No room for a reason: still refused, nothing written. */
	assert_int_equal(badge_parse("http://x", 8, &id, NULL, 0), LT_ERR_FORMAT);
	/* A small reason buffer is cut, still terminated. */
	char small[8];
	assert_int_equal(badge_parse("", 0, &id, small, sizeof small), LT_ERR_FORMAT);
	assert_int_equal(strlen(small), 7);
	/* A name longer than the field is cut at a character boundary. */
	char card[400];
	int n = snprintf(card, sizeof card, "MECARD:N:");
	for (int i = 0; i < 100; i++)
		n += snprintf(card + n, sizeof card - (size_t)n, "\xc3\xa9");
	snprintf(card + n, sizeof card - (size_t)n, ";;");
	accept(card, BADGE_MECARD);
	assert_int_equal(strlen(id.name), 126); /* 63 two-byte characters in 127 bytes */
	assert_string_equal(badge_kind_name(BADGE_VCARD), "vCard");
	assert_string_equal(badge_kind_name(BADGE_ID), "badge id");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_badge_id),
		cmocka_unit_test(test_mecard),
		cmocka_unit_test(test_vcard),
		cmocka_unit_test(test_refused_payloads),
		cmocka_unit_test(test_api_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
