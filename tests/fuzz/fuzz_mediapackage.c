/*
 * fuzz_mediapackage.c — libFuzzer target for what Opencast's ingest answers (a media package,
 * or a workflow holding one): whatever the server sends, finding its id must not crash, hang
 * or leak, and the id is either whole or not given at all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/opencast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size, size_t id_len)
{
	char id[256];
	memset(id, 'x', sizeof id);
	lt_err rc = opencast_mediapackage_id((const char *)data, size, id, id_len);
	size_t len = strnlen(id, id_len);
	if (len == id_len)
		abort();
	if (rc == LT_OK ? len == 0 : (rc != LT_ERR_PARSE && rc != LT_ERR_INVALID) || len != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, 256);
	one(data, size, 8);
	return 0;
}
