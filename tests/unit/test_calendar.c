/*
 * test_calendar.c — reading a calendar for a window (calendar_options keep_from/keep_to):
 * whatever is left out, the occurrences inside the window are exactly those of the whole
 * calendar, keys included; one-off events far away are not kept; runaway rules are bounded
 * without pushing a real session out. (The expansion rules themselves are tested by the
 * fixture cases in tests/integration/test_schedule_ics.sh.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lectern/calendar.h"

#define DAY 86400
#define T0 1782864000 /* 2026-07-01 00:00 UTC */

/* One-offs every 3 days over two years, a weekly series with an override moved into and one
 * moved out of July, a 10-day event starting in June, an all-day event, a DURATION event and
 * one whose DTSTART is folded over two lines. */
static char *calendar_text(void)
{
	size_t cap = 1 << 20, n = 0;
	char *t = malloc(cap);
	assert_non_null(t);
#define ADD(...) (n += (size_t)snprintf(t + n, cap - n, __VA_ARGS__))
	ADD("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n"
	    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
	    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
	    "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\n"
	    "TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
	    "END:VTIMEZONE\r\n");
	for (int i = 0; i < 240; i++) {
		long start = T0 - 360L * DAY + (long)i * 3 * DAY + 9 * 3600;
		time_t s = start, e = start + 3600;
		char a[32], b[32];
		strftime(a, sizeof a, "%Y%m%dT%H%M%S", gmtime(&s));
		strftime(b, sizeof b, "%Y%m%dT%H%M%S", gmtime(&e));
		ADD("BEGIN:VEVENT\r\nUID:one-%d\r\nDTSTART;TZID=Europe/Berlin:%s\r\n"
		    "DTEND;TZID=Europe/Berlin:%s\r\nSUMMARY:One-off %d\r\n"
		    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n",
		    i, a, b, i);
	}
	ADD("BEGIN:VEVENT\r\nUID:weekly\r\nDTSTART:20260105T120000Z\r\nDTEND:20260105T130000Z\r\n"
	    "RRULE:FREQ=WEEKLY;COUNT=80\r\nSUMMARY:Brown bag\r\nEND:VEVENT\r\n"
	    /* the 2026-03-02 instance moved into July; the 2026-07-13 one moved to December */
	    "BEGIN:VEVENT\r\nUID:weekly\r\nRECURRENCE-ID:20260302T120000Z\r\n"
	    "DTSTART:20260708T150000Z\r\nDTEND:20260708T160000Z\r\nSUMMARY:Moved in\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:weekly\r\nRECURRENCE-ID:20260713T120000Z\r\n"
	    "DTSTART:20261207T150000Z\r\nDTEND:20261207T160000Z\r\nSUMMARY:Moved out\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:long\r\nDTSTART:20260625T080000Z\r\nDTEND:20260705T080000Z\r\n"
	    "SUMMARY:Ten days\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:allday\r\nDTSTART;VALUE=DATE:20260710\r\n"
	    "SUMMARY:All day\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:duration\r\nDTSTART:20260620T080000Z\r\nDURATION:P14D\r\n"
	    "SUMMARY:Two weeks\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:folded\r\nDTSTART:2026\r\n 0709T080000Z\r\nDTEND:20260709T090000Z\r\n"
	    "SUMMARY:Folded\r\nEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n");
#undef ADD
	return t;
}

static void expand(const char *text, int64_t keep_from, int64_t keep_to, int64_t from, int64_t to,
		   struct occurrence_list *out)
{
	struct calendar_options opt = {.keep_from = keep_from, .keep_to = keep_to};
	struct calendar *cal;
	char err[256];
	assert_int_equal(calendar_parse(text, strlen(text), &opt, &cal, err, sizeof err), LT_OK);
	assert_int_equal(calendar_expand(cal, from, to, out), LT_OK);
	calendar_free(cal);
}

static void same(const struct occurrence_list *a, const struct occurrence_list *b)
{
	assert_int_equal(a->count, b->count);
	for (size_t i = 0; i < a->count; i++) {
		assert_string_equal(a->items[i].uid, b->items[i].uid);
		assert_string_equal(a->items[i].title, b->items[i].title);
		assert_int_equal(a->items[i].start, b->items[i].start);
		assert_int_equal(a->items[i].end, b->items[i].end);
	}
}

static void window_keeps_every_occurrence_inside(void **state)
{
	(void)state;
	char *text = calendar_text();
	/* windows inside a July keep-window, and the keep-window's own edges */
	const int64_t keep_from = T0 - 2 * DAY, keep_to = T0 + 31 * DAY;
	const int64_t ranges[][2] = {{T0, T0 + DAY},          {T0, T0 + 14 * DAY},
				     {T0 + 7 * DAY, T0 + 9 * DAY}, {keep_from, keep_to},
				     {T0 + 12 * DAY, T0 + 13 * DAY}};
	for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
		struct occurrence_list all = {0}, kept = {0};
		expand(text, 0, 0, ranges[r][0], ranges[r][1], &all);
		expand(text, keep_from, keep_to, ranges[r][0], ranges[r][1], &kept);
		same(&all, &kept);
		occurrence_list_free(&all);
		occurrence_list_free(&kept);
	}
	/* and what it holds: the moved-in override, the long ones, the folded one */
	struct occurrence_list l = {0};
	expand(text, keep_from, keep_to, T0, T0 + 14 * DAY, &l);
	const char *want[] = {"Moved in", "Ten days", "All day", "Two weeks", "Folded"};
	for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
		bool found = false;
		for (size_t i = 0; i < l.count; i++)
			found |= strcmp(l.items[i].title, want[w]) == 0;
		assert_true(found);
	}
	for (size_t i = 0; i < l.count; i++)   /* 2026-07-13 12:00 UTC was moved out */
		assert_false(strcmp(l.items[i].uid, "weekly") == 0 &&
			     l.items[i].start == 1783944000);
	occurrence_list_free(&l);
	free(text);
}

static void far_one_offs_are_not_kept(void **state)
{
	(void)state;
	char *text = calendar_text();
	/* Asking the window-read calendar about a year it does not hold: the one-offs of that
	 * year are gone (that is the memory saved), the series is still there. */
	struct occurrence_list all = {0}, kept = {0};
	int64_t from = T0 - 150 * DAY, to = T0 - 100 * DAY;
	expand(text, 0, 0, from, to, &all);
	expand(text, T0, T0 + 7 * DAY, from, to, &kept);
	size_t one_offs_all = 0, one_offs_kept = 0, series_kept = 0;
	for (size_t i = 0; i < all.count; i++)
		one_offs_all += strncmp(all.items[i].uid, "one-", 4) == 0;
	for (size_t i = 0; i < kept.count; i++) {
		one_offs_kept += strncmp(kept.items[i].uid, "one-", 4) == 0;
		series_kept += strcmp(kept.items[i].uid, "weekly") == 0;
	}
	assert_true(one_offs_all > 10);
	assert_int_equal(one_offs_kept, 0);
	assert_true(series_kept > 0);
	occurrence_list_free(&all);
	occurrence_list_free(&kept);
	free(text);
}

/* Keys of UID-less events and of series sharing a UID come from the whole text: reading it
 * for July only (the January events left out) gives the July occurrences the same keys. */
static void keys_do_not_depend_on_the_window(void **state)
{
	(void)state;
	const char *text =
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n"
		"BEGIN:VEVENT\r\nDTSTART:20260112T090000Z\r\nSUMMARY:No UID, January\r\n"
		"END:VEVENT\r\n"
		"BEGIN:VEVENT\r\nUID:shared\r\nDTSTART:20260113T090000Z\r\n"
		"SUMMARY:Shared, January\r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nDTSTART:20260706T090000Z\r\nDTEND:20260706T100000Z\r\n"
		"SUMMARY:No UID, July\r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nUID:shared\r\nRECURRENCE-ID:20260714T120000Z\r\n"
		"DTSTART:20260715T150000Z\r\nDTEND:20260715T160000Z\r\nSUMMARY:Moved\r\n"
		"END:VEVENT\r\n"
		"BEGIN:VEVENT\r\nUID:shared\r\nDTSTART:20260707T120000Z\r\n"
		"DTEND:20260707T130000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Shared, July\r\n"
		"END:VEVENT\r\nEND:VCALENDAR\r\n";
	struct occurrence_list all = {0}, kept = {0}, again = {0};
	expand(text, 0, 0, T0, T0 + 31 * DAY, &all);
	expand(text, T0, T0 + 31 * DAY, T0, T0 + 31 * DAY, &kept);
	expand(text, T0 - 200 * DAY, T0 + 31 * DAY, T0, T0 + 31 * DAY, &again);
	same(&all, &kept);
	same(&all, &again);
	/* No UID, July; the series 7 Jul, its moved 14 Jul (15 Jul), 21 Jul: all four kept,
	 * the series under its own key (the January event keeps the bare UID). */
	assert_int_equal(all.count, 4);
	assert_string_equal(all.items[0].title, "No UID, July");
	assert_true(strncmp(all.items[0].uid, "no-uid-", 7) == 0);
	for (size_t i = 1; i < 4; i++)
		assert_string_equal(all.items[i].uid, "shared#5");
	assert_string_equal(all.items[2].title, "Moved");
	occurrence_list_free(&all);
	occurrence_list_free(&kept);
	occurrence_list_free(&again);
}

/* 30 events repeating every second or minute and one real talk: the storm is cut (per event
 * first, then per calendar from the events with the most), the talk is listed. */
static void a_storm_never_pushes_a_real_session_out(void **state)
{
	(void)state;
	size_t cap = 1 << 16, n = 0;
	char *t = malloc(cap);
	assert_non_null(t);
	n += (size_t)snprintf(t + n, cap - n, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n");
	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(t + n, cap - n,
				      "BEGIN:VEVENT\r\nUID:storm-%d\r\nDTSTART:20260101T000000Z\r\n"
				      "DURATION:PT1S\r\nRRULE:FREQ=%s\r\nSUMMARY:junk\r\n"
				      "END:VEVENT\r\n", i, i % 2 ? "MINUTELY" : "SECONDLY");
	n += (size_t)snprintf(t + n, cap - n,
			      "BEGIN:VEVENT\r\nUID:talk\r\nDTSTART:20260705T140000Z\r\n"
			      "DTEND:20260705T150000Z\r\nSUMMARY:Real talk\r\nEND:VEVENT\r\n"
			      "END:VCALENDAR\r\n");
	struct occurrence_list l = {0};
	expand(t, T0 - DAY, T0 + 8 * DAY, T0 - DAY, T0 + 8 * DAY, &l);
	assert_true(l.count <= 20000);
	assert_true(l.count >= 19000);
	size_t talks = 0, storm0 = 0;
	for (size_t i = 0; i < l.count; i++) {
		talks += strcmp(l.items[i].uid, "talk") == 0;
		storm0 += strcmp(l.items[i].uid, "storm-0") == 0;
	}
	assert_int_equal(talks, 1);
	assert_true(storm0 > 0 && storm0 <= 2000);
	/* the instances kept are the rule's own, in the window: one a second from its start */
	for (size_t i = 0, k = 0; i < l.count; i++)
		if (strcmp(l.items[i].uid, "storm-0") == 0)
			assert_int_equal(l.items[i].start, T0 - DAY + (int64_t)k++);
	occurrence_list_free(&l);
	free(t);
}

/* More one-off events in the window than the calendar's cap: the earliest are kept. */
static void more_events_than_the_cap_keeps_the_earliest(void **state)
{
	(void)state;
	size_t cap = 4 << 20, n = 0;
	char *t = malloc(cap);
	assert_non_null(t);
	n += (size_t)snprintf(t + n, cap - n, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n");
	for (int i = 0; i < 25000; i++) {
		time_t s = T0 + (time_t)i * 60;
		char a[32];
		strftime(a, sizeof a, "%Y%m%dT%H%M%SZ", gmtime(&s));
		n += (size_t)snprintf(t + n, cap - n, "BEGIN:VEVENT\r\nUID:e%d\r\nDTSTART:%s\r\n"
				      "DURATION:PT30M\r\nSUMMARY:e\r\nEND:VEVENT\r\n", i, a);
	}
	n += (size_t)snprintf(t + n, cap - n, "END:VCALENDAR\r\n");
	struct occurrence_list l = {0};
	expand(t, T0, T0 + 31 * DAY, T0, T0 + 31 * DAY, &l);
	assert_int_equal(l.count, 20000);
	for (size_t i = 0; i < l.count; i++)
		assert_int_equal(l.items[i].start, T0 + (int64_t)i * 60);
	occurrence_list_free(&l);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(window_keeps_every_occurrence_inside),
		cmocka_unit_test(far_one_offs_are_not_kept),
		cmocka_unit_test(keys_do_not_depend_on_the_window),
		cmocka_unit_test(a_storm_never_pushes_a_real_session_out),
		cmocka_unit_test(more_events_than_the_cap_keeps_the_earliest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
