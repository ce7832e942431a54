/*
 * jsonout.h — the JSON lectern writes (the CLI's --json lines, the upload's metadata sidecar),
 * built with json-c, never by hand. Text from outside (calendar titles, names typed on the
 * screen, file names) may hold any bytes: every string goes through jsonout_string(), which
 * replaces each invalid UTF-8 sequence with U+FFFD, so servers and tools always get valid
 * JSON (json-c escapes quotes and control characters but passes bytes through).
 */
#ifndef LECTERN_JSONOUT_H
#define LECTERN_JSONOUT_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A JSON string holding `s` (NULL: ""), invalid UTF-8 replaced by U+FFFD. NULL: no memory. */
json_object *jsonout_string(const char *s);

/* o[key] = the string `value` (as jsonout_string), an integer, or `value` with 3 decimals. */
void jsonout_put_string(json_object *o, const char *key, const char *value);
void jsonout_put_int(json_object *o, const char *key, int64_t value);
void jsonout_put_fixed3(json_object *o, const char *key, double value);

/* Write `o` on one line and a newline to `out`, and free it (json_object_put). */
void jsonout_print_line(FILE *out, json_object *o);

/* "2026-03-24T12:00:00+01:00" for unix time `t` in the local zone: lectern's one ISO 8601
 * form of a local time (JSON, the sidecar, the recording's DATE tag). */
void json_local_time(int64_t t, char *buf, size_t n);

#endif
