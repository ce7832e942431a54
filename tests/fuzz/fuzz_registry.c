/*
 * fuzz_registry.c — libFuzzer target for Opencast's service registry answer
 * (services/available.json, read by opencast_discover()): whatever the server sends, the
 * answer is trusted for nothing but a URL, and the outcome is one of the documented ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/opencast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One reading with a `url_len` buffer: the outcome and what it leaves behind agree. */
static void one(const uint8_t *data, size_t size, size_t url_len)
{
	char url[2048], err[320];
	memset(url, 'x', sizeof url);
	lt_err rc = opencast_registry_url((const char *)data, size, OPENCAST_SCHEDULER_SERVICE,
					  url, url_len, err, sizeof err);
	size_t len = strnlen(url, url_len);
	if (len == url_len)
		abort(); /* not terminated inside the caller's buffer */
	switch (rc) {
	case LT_OK:
		/* A usable URL: something, and no trailing slash to double up when joined. */
		if (len == 0 || url[len - 1] == '/')
			abort();
		break;
	case LT_ERR_PARSE:
	case LT_ERR_NOT_FOUND:
	case LT_ERR_INVALID:
		if (len != 0 || !err[0])
			abort();
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, 2048);
	one(data, size, 24); /* a caller's small buffer: LT_ERR_INVALID, never an overrun */
	return 0;
}
