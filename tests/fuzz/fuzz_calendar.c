/*
 * fuzz_calendar.c — libFuzzer target for the calendar ingestion path: whatever bytes a
 * server (or a broken proxy) sends, parsing and expanding them must not crash, hang or leak;
 * reading it for a window must give the same occurrences inside that window; and every text
 * it hands out must be UTF-8, whatever the bytes were.
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz; briefly in make test).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/calendar.h"
#include "lectern/log.h"
#include "lectern/utf8.h"

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
	/* Whatever the bytes, every text handed out is UTF-8 (utf8.h's rule, calendar.c). */
	for (size_t i = 0; i < list.count; i++) {
		const struct occurrence *o = &list.items[i];
		const char *text[] = {o->uid, o->title, o->presenter, o->location, o->series,
				      o->workflow, o->invitees, o->workflow_config, o->episode_dc,
				      o->agent_properties};
		for (size_t t = 0; t < sizeof text / sizeof text[0]; t++)
			if (text[t] && !utf8_valid(text[t], strlen(text[t])))
				abort();
	}
	occurrence_list_free(&list);

	/* Read for a window (as the appliance does), the same occurrences inside it. */
	const int64_t from = 1767225600, to = from + 20 * 86400; /* 2026-01-01 .. 01-21 */
	struct calendar_options windowed = opt;
	windowed.keep_from = from - 86400;
	windowed.keep_to = to + 86400;
	struct calendar *part;
	struct occurrence_list a = {0}, b = {0};
	if (calendar_parse((const char *)data, size, &windowed, &part, err, sizeof err) != LT_OK)
		abort(); /* the whole text parsed, so its window must */
	calendar_expand(cal, from, to, &a);
	calendar_expand(part, from, to, &b);
	if (a.count != b.count)
		abort();
	for (size_t i = 0; i < a.count; i++)
		if (strcmp(a.items[i].uid, b.items[i].uid) != 0 ||
		    a.items[i].start != b.items[i].start || a.items[i].end != b.items[i].end)
			abort();
	occurrence_list_free(&a);
	occurrence_list_free(&b);
	calendar_free(part);
	calendar_free(cal);
	return 0;
}
