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
#include "lectern/utf8.h"

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

/* A calendar exported by an old Windows tool (RFC 5545 says UTF-8; this is Windows-1252) and
 * an Opencast event whose attachments are Latin-1: every text value comes out as the UTF-8 of
 * what its author typed; a value that is not 1252 either gets U+FFFD; cuts fall between
 * characters. */
#define EPISODE_1252 /* creator "Françoise Dürr", title "Résumé “live”", isPartOf "série-1" */ \
	"PGR1YmxpbmNvcmUgeG1sbnM9Imh0dHA6Ly93d3cub3BlbmNhc3Rwcm9qZWN0Lm9yZy94c2QvMS4wL2R1Ymxp\r\n" \
	" bmNvcmUvIiB4bWxuczpkY3Rlcm1zPSJodHRwOi8vcHVybC5vcmcvZGMvdGVybXMvIj48ZGN0ZXJtczpjcmVh\r\n" \
	" dG9yPkZyYW7nb2lzZSBE/HJyPC9kY3Rlcm1zOmNyZWF0b3I+PGRjdGVybXM6dGl0bGU+UulzdW3pIJNsaXZl\r\n" \
	" lDwvZGN0ZXJtczp0aXRsZT48ZGN0ZXJtczppc1BhcnRPZj5z6XJpZS0xPC9kY3Rlcm1zOmlzUGFydE9mPjwv\r\n" \
	" ZHVibGluY29yZT4=\r\n"
#define AGENT_1252 /* workflow.definition=schön, workflow.config.title=Café */ \
	"b3JnLm9wZW5jYXN0cHJvamVjdC53b3JrZmxvdy5kZWZpbml0aW9uPXNjaPZuCm9yZy5vcGVuY2FzdHByb2pl\r\n" \
	" Y3Qud29ya2Zsb3cuY29uZmlnLnRpdGxlPUNhZukK\r\n"

static void windows_1252_text_is_read_as_utf8(void **state)
{
	(void)state;
	char long_title[400] = "SUMMARY:";
	for (int i = 0; i < 300; i++)
		strcat(long_title, "\xE9");
	char text[8192];
	snprintf(text, sizeof text,
		 "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
		 "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\n"
		 "SUMMARY:Caf\xE9 talk\r\nORGANIZER;CN=Jos\xE9 M\xFCller:mailto:jose@x.org\r\n"
		 "END:VEVENT\r\n"
		 "BEGIN:VEVENT\r\nUID:caf\xE9-2\r\nDTSTART:20261201T120000Z\r\n"
		 "DTEND:20261201T130000Z\r\nSUMMARY:Budget \x80 review\r\n"
		 "LOCATION:Salle 2 \x96 \xC9tage 3\r\n"
		 "ATTENDEE;CN=\x93\x42ob\x94 Sm\xEEth:mailto:b\xF6\x62@x.org\r\n"
		 "ATTENDEE:mailto:eve@x.org\r\n"
		 "ORGANIZER:mailto:r\xE9my@x.org\r\nEND:VEVENT\r\n"
		 "BEGIN:VEVENT\r\nUID:oc-3\r\nDTSTART:20261201T140000Z\r\nDTEND:20261201T150000Z\r\n"
		 "ATTACH;FMTTYPE=application/xml;VALUE=BINARY;ENCODING=BASE64;"
		 "X-APPLE-FILENAME=episode.xml:" EPISODE_1252
		 "ATTACH;FMTTYPE=application/text;VALUE=BINARY;ENCODING=BASE64;"
		 "X-APPLE-FILENAME=org.opencastproject.capture.agent.properties:" AGENT_1252
		 "END:VEVENT\r\n"
		 "BEGIN:VEVENT\r\nUID:d-4\r\nDTSTART:20261201T160000Z\r\nDTEND:20261201T170000Z\r\n"
		 "SUMMARY:Caf\xC3\xA9 \x81 \xE9\r\nEND:VEVENT\r\n"
		 "BEGIN:VEVENT\r\nUID:e-5\r\nDTSTART:20261201T180000Z\r\nDTEND:20261201T190000Z\r\n"
		 "%s\r\nEND:VEVENT\r\n"
		 "END:VCALENDAR\r\n", long_title);
	struct occurrence_list l = {0};
	int64_t from = 1796083200; /* 2026-12-01 00:00 UTC */
	expand(text, 0, 0, from, from + DAY, &l);
	assert_int_equal(l.count, 5);
	const struct occurrence *o = l.items;
	assert_string_equal(o[0].title, "Caf\xC3\xA9 talk");
	assert_string_equal(o[0].presenter, "Jos\xC3\xA9 M\xC3\xBCller");

	assert_string_equal(o[1].uid, "caf\xC3\xA9-2");
	assert_string_equal(o[1].title, "Budget \xE2\x82\xAC review");
	assert_string_equal(o[1].location, "Salle 2 \xE2\x80\x93 \xC3\x89tage 3");
	assert_string_equal(o[1].presenter, "r\xC3\xA9my@x.org");
	assert_string_equal(o[1].invitees, "\xE2\x80\x9C\x42ob\xE2\x80\x9D Sm\xC3\xAEth "
					   "<b\xC3\xB6\x62@x.org>\n <eve@x.org>\n");
	assert_int_equal(o[1].attendees, 2);

	assert_string_equal(o[2].title, "R\xC3\xA9sum\xC3\xA9 \xE2\x80\x9Clive\xE2\x80\x9D");
	assert_string_equal(o[2].presenter, "Fran\xC3\xA7oise D\xC3\xBCrr");
	assert_string_equal(o[2].series, "s\xC3\xA9rie-1");
	assert_string_equal(o[2].workflow, "sch\xC3\xB6n");
	assert_string_equal(o[2].workflow_config, "title=Caf\xC3\xA9\n");
	/* the Dublin Core itself is kept, as UTF-8 XML that says so */
	assert_non_null(o[2].episode_dc);
	assert_true(utf8_valid(o[2].episode_dc, strlen(o[2].episode_dc)));
	assert_non_null(strstr(o[2].episode_dc, "encoding=\"UTF-8\""));
	assert_non_null(strstr(o[2].episode_dc, ">Fran\xC3\xA7oise D\xC3\xBCrr<"));
	assert_true(utf8_valid(o[2].agent_properties, strlen(o[2].agent_properties)));

	/* 0x81 is not Windows-1252: U+FFFD for what is not UTF-8, the UTF-8 "é" kept */
	assert_string_equal(o[3].title, "Caf\xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD");

	/* 300 "é" are 600 bytes: cut between characters */
	assert_int_equal(strlen(o[4].title), 254);
	assert_true(utf8_valid(o[4].title, strlen(o[4].title)));
	occurrence_list_free(&l);
}

/* The presenter from a configured property (X-PRESENTER) is text like the rest. */
static void windows_1252_presenter_property(void **state)
{
	(void)state;
	const char *text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:p\r\n"
			   "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:t\r\n"
			   "X-PRESENTER:Ren\xE9\x65 Fa\xFF\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	struct calendar_options opt = {.presenter_property = "X-PRESENTER"};
	struct calendar *cal;
	char err[256];
	assert_int_equal(calendar_parse(text, strlen(text), &opt, &cal, err, sizeof err), LT_OK);
	struct occurrence_list l = {0};
	assert_int_equal(calendar_expand(cal, 1796083200, 1796083200 + DAY, &l), LT_OK);
	assert_int_equal(l.count, 1);
	assert_string_equal(l.items[0].presenter, "Ren\xC3\xA9\x65 Fa\xC3\xBF");
	occurrence_list_free(&l);
	calendar_free(cal);
}

/* An episode Dublin Core that is neither UTF-8 nor Windows-1252 cannot be read: it is left
 * out (the upload writes its own), never kept as bytes that are not UTF-8. */
static void unreadable_episode_dc_is_dropped(void **state)
{
	(void)state;
	const char *text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:p\r\n"
			   "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:t\r\n"
			   "ATTACH;FMTTYPE=application/xml;VALUE=BINARY;ENCODING=BASE64;"
			   "X-APPLE-FILENAME=episode.xml:" /* <dublincore><title>A\x81</title>.. */
			   "PGR1YmxpbmNvcmU+PHRpdGxlPkGBPC90aXRsZT48L2R1YmxpbmNvcmU+\r\n"
			   "END:VEVENT\r\nEND:VCALENDAR\r\n";
	struct occurrence_list l = {0};
	expand(text, 0, 0, 1796083200, 1796083200 + DAY, &l);
	assert_int_equal(l.count, 1);
	assert_null(l.items[0].episode_dc);
	assert_string_equal(l.items[0].title, "t");
	occurrence_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(window_keeps_every_occurrence_inside),
		cmocka_unit_test(far_one_offs_are_not_kept),
		cmocka_unit_test(keys_do_not_depend_on_the_window),
		cmocka_unit_test(a_storm_never_pushes_a_real_session_out),
		cmocka_unit_test(more_events_than_the_cap_keeps_the_earliest),
		cmocka_unit_test(windows_1252_text_is_read_as_utf8),
		cmocka_unit_test(windows_1252_presenter_property),
		cmocka_unit_test(unreadable_episode_dc_is_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
