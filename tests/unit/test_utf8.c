/*
 * test_utf8.c — text from outside made valid (utf8_repair): UTF-8 kept byte for byte,
 * Windows-1252 read as such (checked against glibc's iconv for every byte), anything else
 * replaced by U+FFFD one maximal subpart at a time, and the cut at a character boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <iconv.h>

#include "lectern/utf8.h"

#define FFFD "\xEF\xBF\xBD"

/* utf8_repair of a literal (its NULs are not counted) into a big buffer, checking `how`. */
static void expect(const char *in, size_t len, enum utf8_repair how, const char *want)
{
	char out[256];
	assert_int_equal(utf8_repair(out, sizeof out, in, len), how);
	assert_string_equal(out, want);
	assert_true(utf8_valid(out, strlen(out)));
	char *d;
	enum utf8_repair h;
	assert_non_null(d = utf8_repair_dup(in, len, &h));
	assert_int_equal(h, how);
	assert_string_equal(d, want);
	free(d);
}
#define EXPECT(in, how, want) expect(in, sizeof in - 1, how, want)

static void valid_text_is_unchanged(void **state)
{
	(void)state;
	EXPECT("", UTF8_AS_IS, "");
	EXPECT("plain ASCII, tab\tand all", UTF8_AS_IS, "plain ASCII, tab\tand all");
	EXPECT("Caf\xC3\xA9 \xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D", UTF8_AS_IS,
	       "Caf\xC3\xA9 \xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D");
	/* 4-byte characters: U+1F600 and U+10FFFF, the last there is; U+10000, the first */
	EXPECT("\xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xF0\x90\x80\x80", UTF8_AS_IS,
	       "\xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xF0\x90\x80\x80");
	/* the last code points before the surrogates and after them */
	EXPECT("\xED\x9F\xBF\xEE\x80\x80", UTF8_AS_IS, "\xED\x9F\xBF\xEE\x80\x80");
	char out[8];
	assert_int_equal(utf8_repair(out, sizeof out, NULL, 5), UTF8_AS_IS);
	assert_string_equal(out, "");
}

static void windows_1252_is_transcoded(void **state)
{
	(void)state;
	EXPECT("Caf\xE9 talk", UTF8_FROM_CP1252, "Caf\xC3\xA9 talk");
	EXPECT("Jos\xE9 M\xFCller", UTF8_FROM_CP1252, "Jos\xC3\xA9 M\xC3\xBCller");
	/* the euro sign, smart quotes, en dash, trademark, and the ends of the range */
	EXPECT("\x80 5", UTF8_FROM_CP1252, "\xE2\x82\xAC 5");
	EXPECT("\x93quoted\x94 \x91single\x92", UTF8_FROM_CP1252,
	       "\xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x80\x98single\xE2\x80\x99");
	EXPECT("a\x96z\x99", UTF8_FROM_CP1252, "a\xE2\x80\x93z\xE2\x84\xA2");
	EXPECT("\x9F\xA0\xFF", UTF8_FROM_CP1252, "\xC5\xB8\xC2\xA0\xC3\xBF");
	/* one invalid byte makes the whole value 1252, its UTF-8-looking part too: never half
	 * read one way and half the other */
	EXPECT("\xC3\xA9 \xE9", UTF8_FROM_CP1252, "\xC3\x83\xC2\xA9 \xC3\xA9");
}

/* Every byte 0x80..0xFF as glibc's iconv reads it in WINDOWS-1252: the same characters, and
 * the bytes iconv refuses are the ones utf8_repair does not take as 1252. */
static void windows_1252_agrees_with_iconv(void **state)
{
	(void)state;
	iconv_t cd = iconv_open("UTF-8", "WINDOWS-1252");
	assert_true(cd != (iconv_t)-1);
	int undefined = 0;
	for (int b = 0x80; b <= 0xFF; b++) {
		char in[2] = {(char)b, 'x'}, want[16] = "", got[16];
		char *ip = in, *op = want;
		size_t il = 2, ol = sizeof want - 1;
		iconv(cd, NULL, NULL, NULL, NULL);
		bool ok = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1;
		*op = '\0';
		assert_int_equal(utf8_is_cp1252(in, 2), ok);
		enum utf8_repair how = utf8_repair(got, sizeof got, in, 2);
		if (ok) {
			assert_int_equal(how, UTF8_FROM_CP1252);
			assert_string_equal(got, want);
		} else {
			undefined++;
			assert_int_equal(how, UTF8_REPLACED);
			assert_string_equal(got, FFFD "x");
		}
	}
	iconv_close(cd);
	assert_int_equal(undefined, 5); /* 0x81 0x8D 0x8F 0x90 0x9D */
}

static void neither_is_replaced(void **state)
{
	(void)state;
	/* an undefined 1252 byte: not 1252, so each invalid sequence is U+FFFD and the valid
	 * characters stay */
	EXPECT("Caf\xE9 \x81 \xC3\xA9", UTF8_REPLACED, "Caf" FFFD " " FFFD " \xC3\xA9");
	/* a lead byte and the continuation after it are one cut-off character: one U+FFFD */
	EXPECT("Caf\xE9\x81", UTF8_REPLACED, "Caf" FFFD);
	EXPECT("\x8D", UTF8_REPLACED, FFFD);
	EXPECT("\x8F\x90\x9D", UTF8_REPLACED, FFFD FFFD FFFD);
	/* overlong forms: C0/C1 leads and E0/F0 with a too-small second byte */
	EXPECT("\xC0\xAF\x81", UTF8_REPLACED, FFFD FFFD FFFD);
	EXPECT("\xE0\x80\xAF\x81", UTF8_REPLACED, FFFD FFFD FFFD FFFD);
	EXPECT("\xF0\x80\x80\xAF\x81", UTF8_REPLACED, FFFD FFFD FFFD FFFD FFFD);
	/* surrogates (ED A0..BF), above U+10FFFF (F4 90.., F5..FF) */
	EXPECT("\xED\xA0\x80\x81", UTF8_REPLACED, FFFD FFFD FFFD FFFD);
	EXPECT("\xF4\x90\x80\x80\x81", UTF8_REPLACED, FFFD FFFD FFFD FFFD FFFD);
	EXPECT("\xF8\x81", UTF8_REPLACED, FFFD FFFD);
	/* a cut-off character is one U+FFFD (its maximal subpart) and what follows is read */
	EXPECT("\xE2\x82x\x81", UTF8_REPLACED, FFFD "x" FFFD);
	EXPECT("\xF0\x9F\x98\x80\x81", UTF8_REPLACED, "\xF0\x9F\x98\x80" FFFD);
	EXPECT("\xF0\x9F\x98 \x81", UTF8_REPLACED, FFFD " " FFFD);
	/* Unicode 15, section 3.9, Table 3-11's example (and an undefined 1252 byte) */
	EXPECT("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64\x81", UTF8_REPLACED,
	       "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d" FFFD);
	/* a cut-off character at the very end */
	EXPECT("ok\x81\xE2\x82", UTF8_REPLACED, "ok" FFFD FFFD);
}

static void cut_at_a_character_boundary(void **state)
{
	(void)state;
	char out[5];
	/* "é€" is 2 + 3 bytes: the euro sign does not fit in 4 */
	assert_int_equal(utf8_repair(out, sizeof out, "\xE9\x80x", 3), UTF8_FROM_CP1252);
	assert_string_equal(out, "\xC3\xA9");
	assert_int_equal(utf8_repair(out, sizeof out, "ab\xF0\x9F\x98\x80", 6), UTF8_AS_IS);
	assert_string_equal(out, "ab");
	/* decided on the whole value even when only its start fits */
	assert_int_equal(utf8_repair(out, sizeof out, "abcd\xE9", 5), UTF8_FROM_CP1252);
	assert_string_equal(out, "abcd");
	assert_int_equal(utf8_repair(out, 1, "abc", 3), UTF8_AS_IS);
	assert_string_equal(out, "");
	/* only `len` bytes are read */
	assert_int_equal(utf8_repair(out, sizeof out, "ab\xE9", 2), UTF8_AS_IS);
	assert_string_equal(out, "ab");
}

static void valid_agrees_with_char_len(void **state)
{
	(void)state;
	/* every 1-, 2- and 3-byte string over a few interesting bytes: utf8_valid says what
	 * utf8_char_len says of a lone character */
	static const unsigned char bytes[] = {0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
					      0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0,
					      0xF1, 0xF4, 0xF5, 0xFF};
	size_t nb = sizeof bytes;
	for (size_t a = 0; a < nb; a++)
		for (size_t b = 0; b < nb; b++)
			for (size_t c = 0; c < nb; c++) {
				char s[5] = {(char)bytes[a], (char)bytes[b], (char)bytes[c], 0, 0};
				bool lone = utf8_char_len(s) == 3;
				bool two = utf8_char_len(s) == 1 && utf8_char_len(s + 1) == 2;
				bool one_two = utf8_char_len(s) == 2 && utf8_char_len(s + 2) == 1;
				bool three = utf8_char_len(s) == 1 && utf8_char_len(s + 1) == 1 &&
					     utf8_char_len(s + 2) == 1;
				assert_int_equal(utf8_valid(s, 3), lone || two || one_two || three);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_text_is_unchanged),
		cmocka_unit_test(windows_1252_is_transcoded),
		cmocka_unit_test(windows_1252_agrees_with_iconv),
		cmocka_unit_test(neither_is_replaced),
		cmocka_unit_test(cut_at_a_character_boundary),
		cmocka_unit_test(valid_agrees_with_char_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
