/* jsonout.c — JSON strings that are always valid UTF-8, and local times (see jsonout.h). */
#include "lectern/jsonout.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern/utf8.h"

json_object *jsonout_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	char *clean = malloc(3 * n + 1); /* each bad byte may become the 3 bytes of U+FFFD */
	if (!clean)
		return NULL;
	size_t w = 0;
	while (*p) {
		size_t len = utf8_char_len((const char *)p);
		if (len) {
			memcpy(clean + w, p, len);
			w += len;
			p += len;
		} else {
			memcpy(clean + w, "\xEF\xBF\xBD", 3);
			w += 3;
			p++;
		}
	}
	json_object *o = json_object_new_string_len(clean, (int)w);
	free(clean);
	return o;
}

void jsonout_put_string(json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, jsonout_string(value));
}

void jsonout_put_int(json_object *o, const char *key, int64_t value)
{
	json_object_object_add(o, key, json_object_new_int64(value));
}

void jsonout_put_fixed3(json_object *o, const char *key, double value)
{
	char text[64];
	snprintf(text, sizeof text, "%.3f", value);
	json_object_object_add(o, key, json_object_new_double_s(value, text));
}

void jsonout_print_line(FILE *out, json_object *o)
{
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

void json_local_time(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600,
		 off / 60 % 60);
}
