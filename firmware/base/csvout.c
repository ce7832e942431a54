/* csvout.c — RFC 4180 CSV fields and rows (csvout.h). */
#include "lectern/csvout.h"

#include <inttypes.h>
#include <string.h>

#include "lectern/utf8.h"

void csvout_field(FILE *out, const char *text, int first)
{
	const char *s = text ? text : "";
	if (!first)
		fputc(',', out);
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', out);
	if (*s && strchr("=+-@\t\r", *s))
		fputc('\'', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t len = utf8_char_len((const char *)p);
		if (!len) {
			fputs("\xEF\xBF\xBD", out);
			p++;
			continue;
		}
		if (*p == '"')
			fputc('"', out);
		fwrite(p, 1, len, out);
		p += len;
	}
	if (quote)
		fputc('"', out);
}

void csvout_int(FILE *out, int64_t value, int first)
{
	fprintf(out, "%s%" PRId64, first ? "" : ",", value);
}

void csvout_end(FILE *out)
{
	fputs("\r\n", out);
}

void csvout_row(FILE *out, const char *const *fields, int n)
{
	for (int i = 0; i < n; i++)
		csvout_field(out, fields[i], i == 0);
	csvout_end(out);
}
