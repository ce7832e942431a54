/*
 * calendar.h — an iCalendar text turned into the room's occurrences (libical).
 *
 * Rules (RFC 5545), in one place:
 *  - TZID from the file's VTIMEZONE (Outlook's Windows names and "Customized Time Zone"
 *    blocks included), else an IANA name, else a Windows name mapped to IANA;
 *    floating times in X-WR-TIMEZONE when present, else the process's local zone;
 *    DATE values at local midnight, DTEND exclusive, a DATE without DTEND lasts one day,
 *    a DATE-TIME without DTEND/DURATION lasts zero seconds.
 *  - RRULE, RDATE, EXDATE (an EXDATE'd instance still counts toward COUNT); UNTIL is
 *    inclusive, and a UTC UNTIL is compared with each instance's real start instant in its own
 *    zone (RFC 5545 3.3.10: the last instance of a series crossing a DST change is kept);
 *    a RECURRENCE-ID
 *    override replaces its instance wherever it moves it, also an RDATE instance and also
 *    when it comes before its series in the file; STATUS:CANCELLED instances are dropped.
 *  - Presenter: the configured property when set (e.g. X-PRESENTER), else ORGANIZER's CN (or
 *    its address), else an Opencast episode's dcterms:creator.
 *  - Every VEVENT that is not a RECURRENCE-ID override is a session of its own, and its
 *    occurrences' `uid` is a key that stays the same for every fetch of the same file and
 *    whatever window it is read for: the UID; for the second and later series sharing a UID,
 *    "UID#N" (N: the event's place among the file's VEVENTs, from 1); without a UID,
 *    "no-uid-" and the first 20 hex digits of the SHA-256 of "TZID\nDTSTART\nSUMMARY\nN"
 *    (DTSTART as written, TZID "" without one). Both are logged as warnings naming the lines.
 *    An override belongs to the series of its UID that has an instance at its RECURRENCE-ID
 *    (the first such in the file; the first series if none has) and carries its key.
 *  - Bounded, so that a runaway rule (FREQ=SECONDLY) never costs unbounded memory or time nor
 *    pushes a real session out: at most 2000 occurrences of one event per expanded window
 *    (its earliest), at most 20000 per calendar and window, cut from the events with the
 *    most (the largest per-event limit that fits), each with a warning.
 *  - Content lines over 1000 bytes are folded before libical reads them (its line reader is
 *    quadratic in a line's length); lines over CALENDAR_MAX_LINE_BYTES are dropped with their
 *    continuation lines and a warning naming the line.
 *  - An event whose end is before its start, or whose start cannot be read, is skipped with a
 *    warning naming its UID; the rest of the calendar is used.
 *  - Text that is not iCalendar, or is truncated (a BEGIN without its END), is rejected as a
 *    whole: a truncated download must never replace a good calendar.
 *  - Every text an occurrence holds is UTF-8 (RFC 5545 says so; old Windows tools export
 *    Windows-1252): each value is made valid by utf8_repair (utf8.h) — read as Windows-1252,
 *    else its invalid bytes as U+FFFD — with one warning per calendar and kind, naming no
 *    value. The key too (so a UID that is not UTF-8 is keyed by its repaired text).
 * Opencast calendars carry base64 ATTACH parts (episode and series Dublin Core, and the
 * capture agent properties); they are decoded and kept with each occurrence for the upload.
 */
#ifndef LECTERN_CALENDAR_H
#define LECTERN_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lectern/err.h"

/* Longer content lines are dropped (a reader may cut them to one byte more on the way). */
#define CALENDAR_MAX_LINE_BYTES (64 * 1024)

struct occurrence {
	char uid[256];               /* the event's key (see above): UID, UID#N or no-uid-HASH */
	int64_t start, end;          /* unix seconds */
	bool all_day;
	int64_t recurrence_id;       /* original start of an overridden instance; 0 if none */
	char title[256];
	char presenter[128];
	char location[128];
	int attendees;
	char *invitees;              /* "Name <email>" lines, malloc'd, may be NULL */
	char series[128];            /* Opencast series id (dcterms:isPartOf) or "" */
	char workflow[128];          /* org.opencastproject.workflow.definition or "" */
	char *workflow_config;       /* "key=value" lines, prefix stripped; malloc'd or NULL */
	char *episode_dc;            /* episode Dublin Core XML as delivered (re-encoded as UTF-8
					when it was not; dropped when unreadable); malloc'd or NULL */
	char *agent_properties;      /* the capture agent properties file; malloc'd or NULL */
};

struct occurrence_list {
	struct occurrence *items;
	size_t count, cap;
};

void occurrence_list_free(struct occurrence_list *l);
/* Free the malloc'd members of one occurrence. */
void occurrence_clear(struct occurrence *o);
/* Append a copy of `o` (its malloc'd members copied too) to `l`. */
lt_err occurrence_list_copy(struct occurrence_list *l, const struct occurrence *o);

struct calendar_options {
	const char *presenter_property;  /* NULL/"": ORGANIZER */
	/*
	 * Keep only what can occur in [keep_from, keep_to) (unix seconds; both 0: everything).
	 * A one-off VEVENT whose dates lie more than two days outside is left out while the text
	 * is read, so that a calendar of years costs memory for the window only; recurring
	 * events (RRULE, RDATE), overrides whose RECURRENCE-ID or start falls near the window,
	 * and anything whose dates cannot be read from its own lines are always kept.
	 * calendar_expand() then gives the same answer as without the window for any range
	 * inside it.
	 */
	int64_t keep_from, keep_to;
};

struct calendar;

/*
 * Parse `len` bytes of iCalendar text. LT_ERR_PARSE with a sentence in `err` for text that
 * is not iCalendar or is truncated.
 */
lt_err calendar_parse(const char *text, size_t len, const struct calendar_options *opt,
		      struct calendar **out, char *err, size_t err_len);
void calendar_free(struct calendar *cal);

/*
 * Append to `out` every occurrence overlapping [from, to) (unix seconds), sorted by start,
 * end, uid. An occurrence of zero length overlaps when from <= start < to.
 */
lt_err calendar_expand(struct calendar *cal, int64_t from, int64_t to, struct occurrence_list *out);

/* Local midnight of the day `days` after the local date of `t` (days may be negative). */
int64_t calendar_local_midnight(int64_t t, int days);

#endif
