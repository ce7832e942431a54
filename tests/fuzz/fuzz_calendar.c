/*
 * fuzz_calendar.c — libFuzzer target for the calendar ingestion path: whatever bytes a
 * server (or a broken proxy) sends, parsing and expanding them must not crash, hang or leak.
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz; briefly in make test).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/calendar.h"
#include "lectern/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet) {
		log_set_level(LOG_LVL_ERROR);
		setenv("TZ", "Europe/Berlin", 1);
		quiet = 1;
	}
	struct calendar *cal;
	char err[256];
	struct calendar_options opt = {.presenter_property = "X-PRESENTER"};
	if (calendar_parse((const char *)data, size, &opt, &cal, err, sizeof err) != LT_OK)
		return 0;
	/* A window of two years around 2026: long enough for rules, bounded in work. */
	struct occurrence_list list = {0};
	calendar_expand(cal, 1767225600 - 365 * 86400, 1767225600 + 365 * 86400, &list);
	occurrence_list_free(&list);
	calendar_free(cal);
	return 0;
}
