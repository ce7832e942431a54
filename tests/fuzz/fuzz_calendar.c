/*
 * fuzz_calendar.c — libFuzzer target for the calendar ingestion path: whatever bytes a
 * server (or a broken proxy) sends, parsing and expanding them must not crash, hang or leak;
 * and reading it for a window must give the same occurrences inside that window.
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz; briefly in make test).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lectern/calendar.h"
#include "lectern/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether the line [p, end) (without its '\n') starts with `name` (any case) followed by one
 * of `next`, where '\n' stands for the line's end. */
static bool is_prop(const char *p, const char *end, const char *name, const char *next)
{
	size_t k = strlen(name), len = (size_t)(end - p);
	if (len < k || strncasecmp(p, name, k) != 0)
		return false;
	return len == k ? strchr(next, '\n') != NULL : p[k] && strchr(next, p[k]);
}

/*
 * Known bug, issue 10 (calendar.c, being fixed apart from this target): events without a UID
 * (all "(no UID)" to the parser), or series sharing one, are dropped but the first, and which
 * one comes first depends on the window, so the whole and the windowed reading disagree.
 * Until that fix lands such texts are still parsed and expanded (a crash, leak or hang still
 * counts) but their readings are not compared. Minimised input:
 * tests/fuzz/seeds/calendar/uidless_pair.ics. Remove this exemption with the fix.
 */
static bool issue10(const char *text, size_t size)
{
	const char *uid[64];
	size_t uid_len[64], n = 0;
	bool in_event = false, has_uid = false, has_rid = false;
	const char *this_uid = NULL;
	size_t this_len = 0;
	for (const char *p = text, *end = text + size; p <= end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if (is_prop(p, eol, "BEGIN:VEVENT", "\r\n")) {
			if (in_event && !has_uid)
				return true; /* an unterminated one, then another */
			in_event = true;
			has_uid = has_rid = false;
		} else if (in_event && is_prop(p, eol, "UID", ":;")) {
			has_uid = true;
			this_uid = memchr(p, ':', (size_t)(eol - p));
			this_len = this_uid ? (size_t)(eol - this_uid) : 0;
		} else if (in_event && is_prop(p, eol, "RECURRENCE-ID", ":;")) {
			has_rid = true;
		} else if (in_event && is_prop(p, eol, "END:VEVENT", "\r\n")) {
			in_event = false;
			if (!has_uid)
				return true;
			if (!has_rid) {
				for (size_t i = 0; i < n; i++)
					if (uid_len[i] == this_len && memcmp(uid[i], this_uid, this_len) == 0)
						return true;
				if (n == sizeof uid / sizeof uid[0])
					return true;
				uid[n] = this_uid;
				uid_len[n++] = this_len;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return in_event && !has_uid;
}

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

	/* Read for a window (as the appliance does), the same occurrences inside it. */
	if (issue10((const char *)data, size)) {
		calendar_free(cal);
		return 0;
	}
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
