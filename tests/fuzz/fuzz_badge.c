/*
 * fuzz_badge.c — libFuzzer target for badge.h, the reader of whatever a QR code held up to
 * the camera says: any bytes either give an identity whose every field is valid UTF-8 without
 * control characters (and an email of the promised shape), or are refused with a one-line
 * sentence and no half identity. The input is the payload as zbar hands it over.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/badge.h"
#include "lectern/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == cap)
		abort(); /* not terminated */
	for (const char *p = s; *p;) {
		size_t l = utf8_char_len(p);
		if (!l || (unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
		p += l;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct badge_identity id;
	char reason[256];
	lt_err err = badge_parse(data, size, &id, reason, sizeof reason);
	if (err == LT_OK) {
		clean_text(id.name, sizeof id.name);
		clean_text(id.email, sizeof id.email);
		clean_text(id.id, sizeof id.id);
		if (reason[0] || (!id.name[0] && !id.email[0] && !id.id[0]))
			abort();
		if (id.email[0] && (!strchr(id.email, '@') || strchr(id.email, ' ')))
			abort();
		if (id.kind == BADGE_ID && (strchr(id.id, ':') || strlen(id.id) > BADGE_MAX_ID))
			abort();
	} else {
		size_t n = strlen(reason);
		if (err != LT_ERR_FORMAT || n == 0 || n > 72 || reason[n - 1] != '.')
			abort();
		if (id.name[0] || id.email[0] || id.id[0])
			abort();
	}
	return 0;
}
