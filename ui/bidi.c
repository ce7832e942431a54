/*
 * bidi.c — right-to-left text in its visual order (Unicode's bidirectional algorithm, by
 * GNU FriBidi; never by hand). SDL_ttf draws the characters of a string left to right as they
 * are stored: a Hebrew title came out mirrored ("שיעור" as "רועיש") and Arabic's letters
 * unjoined. A line is reordered just before it is drawn, after it was measured, wrapped and
 * cut in its logical order (so that a cut right-to-left line ends in "…" on its left), and
 * Arabic takes its joined forms.
 */
#include "ui_internal.h"

#include <fribidi.h>
#include <stdlib.h>
#include <string.h>

const char *ui_visual(const char *text, char *out, size_t n)
{
	/* Only text outside ASCII can hold a right-to-left character or a bidi control. */
	const unsigned char *p = (const unsigned char *)text;
	while (*p && *p < 0x80)
		p++;
	if (!*p)
		return text;
	size_t len = strlen(text);
	if (len > INT32_MAX / 4 || n < 4 * len + 1)
		return text;
	FriBidiChar *logical = malloc((len + 1) * sizeof *logical);
	FriBidiChar *visual = malloc((len + 1) * sizeof *visual);
	const char *shown = text;
	if (logical && visual) {
		FriBidiStrIndex count = fribidi_charset_to_unicode(FRIBIDI_CHAR_SET_UTF8, text,
								    (FriBidiStrIndex)len, logical);
		/* The paragraph's direction from its first strong character: a Hebrew title reads
		 * from the right, an English one with a Hebrew word from the left. */
		FriBidiParType base = FRIBIDI_PAR_ON;
		if (count > 0 && fribidi_log2vis(logical, count, &base, visual, NULL, NULL, NULL)) {
			fribidi_unicode_to_charset(FRIBIDI_CHAR_SET_UTF8, visual, count, out);
			shown = strcmp(out, text) == 0 ? text : out;
		}
	}
	free(logical);
	free(visual);
	return shown;
}
