/*
 * jsonout.h — the little JSON the CLI prints (strings escaped per RFC 8259, times as local
 * ISO 8601 with a UTC offset). Parsing JSON is json-c's job, not this one's.
 */
#ifndef LECTERN_JSONOUT_H
#define LECTERN_JSONOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write `s` as a JSON string literal, quotes included. */
void json_string(FILE *out, const char *s);

/* "2026-03-24T12:00:00+01:00" for unix time `t` in the local zone. */
void json_local_time(int64_t t, char *buf, size_t n);

#endif
