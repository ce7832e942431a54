/*
 * calendar.c — iCalendar to occurrences with libical (rules in calendar.h).
 *
 * Time zones are resolved here, once, for every date-time property the same way: the TZID
 * parameter names a VTIMEZONE of the file, else a zone libical knows (IANA), else a Windows
 * zone name mapped to IANA; without TZID a value is UTC (Z), a DATE, or floating.
 * Recurrences: libical's iterator expands RRULE in the series' own zone (so wall-clock time
 * holds across DST); RDATE, EXDATE and RECURRENCE-ID are applied on absolute times.
 * Text: every value taken from the calendar (and from its Opencast attachments) is made valid
 * UTF-8 here, where it enters (utf8_repair: RFC 5545 says UTF-8, but old tools export
 * Windows-1252), so that the store, the screen, the sidecar and Opencast only ever see UTF-8;
 * it is said once per calendar, without the values (they hold names).
 */
#include "lectern/calendar.h"

#include <ctype.h>
#include <libical/ical.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lectern/log.h"
#include "lectern/osutil.h"
#include "lectern/utf8.h"

struct master;

struct calendar {
	icalcomponent *root;
	char presenter_prop[64];
	struct master *shared;       /* UIDs several series share: the first one's place */
	size_t n_shared;
	int warnings_left;           /* about capped events: a few per calendar, not every tick */
	bool warned_total;           /* about the calendar's cap, once */
	bool said_cp1252, said_replaced; /* that its text was not UTF-8, once each */
	bool said_dc_dropped;        /* that an episode's Dublin Core could not be read, once */
};

/* Windows time zone names (Outlook, Exchange) for the zones rooms are likely to be in, when
 * a calendar names one without its VTIMEZONE. From CLDR's windowsZones table. */
static const char *const windows_zones[][2] = {
	{"W. Europe Standard Time", "Europe/Berlin"},
	{"Central Europe Standard Time", "Europe/Budapest"},
	{"Central European Standard Time", "Europe/Warsaw"},
	{"Romance Standard Time", "Europe/Paris"},
	{"GMT Standard Time", "Europe/London"},
	{"Greenwich Standard Time", "Atlantic/Reykjavik"},
	{"E. Europe Standard Time", "Europe/Chisinau"},
	{"FLE Standard Time", "Europe/Kiev"},
	{"GTB Standard Time", "Europe/Bucharest"},
	{"Russian Standard Time", "Europe/Moscow"},
	{"Eastern Standard Time", "America/New_York"},
	{"Central Standard Time", "America/Chicago"},
	{"Mountain Standard Time", "America/Denver"},
	{"US Mountain Standard Time", "America/Phoenix"},
	{"Pacific Standard Time", "America/Los_Angeles"},
	{"Atlantic Standard Time", "America/Halifax"},
	{"E. South America Standard Time", "America/Sao_Paulo"},
	{"India Standard Time", "Asia/Kolkata"},
	{"China Standard Time", "Asia/Shanghai"},
	{"Tokyo Standard Time", "Asia/Tokyo"},
	{"Korea Standard Time", "Asia/Seoul"},
	{"Singapore Standard Time", "Asia/Singapore"},
	{"Arabian Standard Time", "Asia/Dubai"},
	{"Israel Standard Time", "Asia/Jerusalem"},
	{"South Africa Standard Time", "Africa/Johannesburg"},
	{"AUS Eastern Standard Time", "Australia/Sydney"},
	{"New Zealand Standard Time", "Pacific/Auckland"},
	{"UTC", "UTC"},
};

void occurrence_clear(struct occurrence *o)
{
	free(o->invitees);
	free(o->workflow_config);
	free(o->episode_dc);
	free(o->agent_properties);
	o->invitees = o->workflow_config = o->episode_dc = o->agent_properties = NULL;
}

void occurrence_list_free(struct occurrence_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		occurrence_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = l->cap = 0;
}

/* os_grow() from 16 elements. */
static void *grow(void *items, size_t count, size_t *cap, size_t size)
{
	return os_grow(items, count, cap, size, 16);
}

static struct occurrence *list_add(struct occurrence_list *l)
{
	struct occurrence *items = grow(l->items, l->count, &l->cap, sizeof *items);
	if (!items)
		return NULL;
	l->items = items;
	struct occurrence *o = &l->items[l->count++];
	memset(o, 0, sizeof *o);
	return o;
}

static char *dup_or_null(const char *s, bool *failed)
{
	char *d = s ? strdup(s) : NULL;
	*failed |= s && !d;
	return d;
}

lt_err occurrence_list_copy(struct occurrence_list *l, const struct occurrence *o)
{
	struct occurrence *c = list_add(l);
	if (!c)
		return LT_ERR_NOMEM;
	bool failed = false;
	*c = *o;
	c->invitees = dup_or_null(o->invitees, &failed);
	c->workflow_config = dup_or_null(o->workflow_config, &failed);
	c->episode_dc = dup_or_null(o->episode_dc, &failed);
	c->agent_properties = dup_or_null(o->agent_properties, &failed);
	if (!failed)
		return LT_OK;
	occurrence_clear(c);
	l->count--;
	return LT_ERR_NOMEM;
}

int64_t calendar_local_midnight(int64_t t, int days)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* A value from the file made fit for a log line (journald keeps what is not UTF-8 as a
 * blob); names never go to logs, this is for UIDs and zone names. */
static const char *loggable(const char *s, char *buf, size_t n)
{
	utf8_repair(buf, n, s, s ? strlen(s) : 0);
	return buf;
}

/* --- structure check ------------------------------------------------------------------- */

static bool starts_with_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* --- reading the text: structure, the window, keys, over-long lines ---------------------- */

#define DAY_UNSET INT64_MIN
#define KEEP_MARGIN_DAYS 2   /* time zones move a date by less than a day; two to be safe */
/*
 * libical reads a physical line in small pieces, appending each to what it has with a strlen:
 * quadratic in the line's length (8 MB: 4 s, 50 MB: minutes). RFC 5545 lines are 75 octets;
 * longer ones are folded here before libical sees them, and a line over
 * CALENDAR_MAX_LINE_BYTES is not a property anyone means: it is dropped with a warning, with
 * its continuation lines.
 */
#define FOLD_BYTES 1000
/* Each VEVENT copied gets its place in the text, so that keys do not depend on the window. */
#define POSITION_PROPERTY "X-LECTERN-POSITION"
#define MAX_NAMED_WARNINGS 5 /* per kind of problem and parse; then a count */

/* What a VEVENT's own lines say about it: when it can occur (days since the epoch), its UID,
 * whether it is an override. Each property is looked at unfolded (`head`, its start). */
struct event_span {
	bool keep;                   /* recurring, or a date that could not be read */
	int64_t start, end, recurrence_id;
	int64_t duration_s;
	bool is_override;
	char uid[256];
	int line;                    /* of its BEGIN:VEVENT */
	char head[320];              /* the property being read, unfolded (its start) */
	size_t head_len;
	bool head_cut;               /* longer than `head` */
};

static void span_reset(struct event_span *e, int line)
{
	*e = (struct event_span){.start = DAY_UNSET, .end = DAY_UNSET,
				 .recurrence_id = DAY_UNSET, .duration_s = -1, .line = line};
}

/* The property named `name` (followed by ';' or ':')? */
static bool is_property(const char *line, size_t ll, const char *name)
{
	size_t k = strlen(name);
	return ll > k && strncasecmp(line, name, k) == 0 && (line[k] == ';' || line[k] == ':');
}

/* The date of a DATE or DATE-TIME value at the end of the line, in days; DAY_UNSET if the
 * value is not one. */
static int64_t value_day(const char *line, size_t ll)
{
	const char *colon = memrchr(line, ':', ll);
	if (!colon || (size_t)(line + ll - colon - 1) < 8)
		return DAY_UNSET;
	const char *v = colon + 1;
	for (int i = 0; i < 8; i++)
		if (!isdigit((unsigned char)v[i]))
			return DAY_UNSET;
	struct tm tm = {.tm_year = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 +
				   (v[3] - '0') - 1900,
			.tm_mon = (v[4] - '0') * 10 + (v[5] - '0') - 1,
			.tm_mday = (v[6] - '0') * 10 + (v[7] - '0')};
	return (int64_t)timegm(&tm) / 86400;
}

/* One unfolded property of the VEVENT (the start of it when `cut`). */
static void span_property(struct event_span *e, const char *line, size_t ll, bool cut)
{
	int64_t *day = is_property(line, ll, "DTSTART")         ? &e->start
		       : is_property(line, ll, "DTEND")         ? &e->end
		       : is_property(line, ll, "RECURRENCE-ID") ? &e->recurrence_id
							        : NULL;
	if (is_property(line, ll, "RECURRENCE-ID"))
		e->is_override = true;
	if (day) {
		/* A second DTSTART (RFC 5545 allows one): which one libical reads is not ours to
		 * guess, so the event is kept whatever the window. */
		bool again = *day != DAY_UNSET;
		*day = cut ? DAY_UNSET : value_day(line, ll);
		e->keep |= *day == DAY_UNSET || again;
	} else if (is_property(line, ll, "DURATION")) {
		const char *colon = memchr(line, ':', ll);
		char value[64];
		snprintf(value, sizeof value, "%.*s", colon ? (int)(line + ll - colon - 1) : 0,
			 colon ? colon + 1 : "");
		struct icaldurationtype d = icaldurationtype_from_string(value);
		e->duration_s = icaldurationtype_is_bad_duration(d) ? -1
								     : icaldurationtype_as_int(d);
		e->keep |= e->duration_s < 0 || cut;
	} else if (is_property(line, ll, "RRULE") || is_property(line, ll, "RDATE")) {
		e->keep = true;
	} else if (is_property(line, ll, "UID")) {
		const char *colon = memchr(line, ':', ll);
		if (colon)
			snprintf(e->uid, sizeof e->uid, "%.*s", (int)(line + ll - colon - 1),
				 colon + 1);
	}
}

static void span_flush(struct event_span *e)
{
	if (e->head_len)
		span_property(e, e->head, e->head_len, e->head_cut);
	e->head_len = 0;
	e->head_cut = false;
}

/* A content line of the VEVENT (a continuation when it starts with a space or tab). */
static void span_line(struct event_span *e, const char *line, size_t ll)
{
	bool continuation = line[0] == ' ' || line[0] == '\t';
	if (continuation) {
		line++;
		ll--;
	} else {
		span_flush(e);
	}
	size_t room = sizeof e->head - e->head_len;
	size_t take = ll < room ? ll : room;
	memcpy(e->head + e->head_len, line, take);
	e->head_len += take;
	e->head_cut |= take < ll;
}

static bool span_wanted(const struct event_span *e, int64_t from_day, int64_t to_day)
{
	if (e->keep || e->start == DAY_UNSET)
		return true;
	int64_t end = e->end != DAY_UNSET      ? e->end
		      : e->duration_s >= 0     ? e->start + e->duration_s / 86400 + 1
					       : e->start + 1;
	from_day -= KEEP_MARGIN_DAYS;
	to_day += KEEP_MARGIN_DAYS;
	bool near = end >= from_day && e->start <= to_day;
	bool moves = e->recurrence_id != DAY_UNSET && e->recurrence_id >= from_day &&
		     e->recurrence_id <= to_day;
	return near || moves;
}

/* A series (a VEVENT that is not an override) with a UID, and its place in the text. */
struct master {
	char *uid;
	int position;
	int line;
};

static int compare_masters_uid(const void *a, const void *b)
{
	return strcmp(((const struct master *)a)->uid, ((const struct master *)b)->uid);
}

static int compare_masters(const void *a, const void *b)
{
	const struct master *x = a, *y = b;
	int c = strcmp(x->uid, y->uid);
	return c ? c : (x->position > y->position) - (x->position < y->position);
}

/* What reading the text found out about the whole of it (normalise). */
struct text_facts {
	struct master *masters;
	size_t n_masters, cap_masters;
	int no_uid;                  /* series without a UID */
};

static bool note_master(struct text_facts *f, const struct event_span *e, int position)
{
	if (e->is_override)
		return true;
	if (!e->uid[0]) {
		if (f->no_uid++ < MAX_NAMED_WARNINGS)
			log_warn("calendar: the event at line %d has no UID: it is kept under a key "
				 "derived from its start, title and place in the file", e->line);
		return true;
	}
	struct master *masters = grow(f->masters, f->n_masters, &f->cap_masters, sizeof *masters);
	if (!masters)
		return false;
	f->masters = masters;
	char *uid = strdup(e->uid);
	if (!uid)
		return false;
	f->masters[f->n_masters++] = (struct master){uid, position, e->line};
	return true;
}

/* qsort, where an empty array may be NULL (qsort's pointer must not be, even for none). */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/*
 * Series sharing a UID: each is kept (a calendar holds what its author put in it); the first
 * in the file keeps the UID as its key, the others get UID#POSITION. Returns the first
 * position of every shared UID in `cal`, sorted by UID, with a warning naming them.
 */
static lt_err shared_uids(struct text_facts *f, struct calendar *cal)
{
	sort(f->masters, f->n_masters, sizeof *f->masters, compare_masters);
	int named = 0, groups = 0;
	for (size_t g = 0; g < f->n_masters;) {
		size_t end = g + 1;
		while (end < f->n_masters && strcmp(f->masters[end].uid, f->masters[g].uid) == 0)
			end++;
		if (end - g > 1) {
			struct master *n = realloc(cal->shared, (cal->n_shared + 1) * sizeof *n);
			if (!n)
				return LT_ERR_NOMEM;
			cal->shared = n;
			cal->shared[cal->n_shared++] = f->masters[g];
			f->masters[g].uid = NULL; /* the calendar's now */
			groups++;
			if (named++ < MAX_NAMED_WARNINGS) {
				char lines[128] = "";
				size_t len = 0;
				for (size_t i = g; i < end && len < sizeof lines - 12; i++)
					len += (size_t)snprintf(lines + len, sizeof lines - len,
								"%s%d", i > g ? ", " : "",
								f->masters[i].line);
				char uid[256];
				loggable(cal->shared[cal->n_shared - 1].uid, uid, sizeof uid);
				log_warn("calendar: %zu events share the UID %s (at lines %s): each is "
					 "kept, the later ones as %s#N (N: their place in the file)",
					 end - g, uid, lines, uid);
			}
		}
		g = end;
	}
	if (groups > MAX_NAMED_WARNINGS)
		log_warn("calendar: %d UIDs are shared by several events in all", groups);
	if (f->no_uid > MAX_NAMED_WARNINGS)
		log_warn("calendar: %d events have no UID in all", f->no_uid);
	return LT_OK;
}

static void text_facts_free(struct text_facts *f)
{
	for (size_t i = 0; i < f->n_masters; i++)
		free(f->masters[i].uid);
	free(f->masters);
}

struct outbuf {
	char *p;
	size_t n, cap;
};

static bool put(struct outbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 3 / 2 + 4096;
		char *p = realloc(b->p, cap);
		if (!p)
			return false;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	return true;
}

/* A content line and its newline, folded every FOLD_BYTES (RFC 5545 3.1: CRLF + space). */
static bool put_line(struct outbuf *b, const char *line, size_t ll)
{
	for (size_t at = 0; at < ll; at += FOLD_BYTES) {
		size_t take = ll - at < FOLD_BYTES ? ll - at : FOLD_BYTES;
		if ((at && !put(b, "\n ", 2)) || !put(b, line + at, take))
			return false;
	}
	return put(b, "\n", 1);
}

/*
 * Copy `text` without blank lines (Opencast leaves one after base64 values, which libical
 * takes for the end of the property), checking that it is iCalendar and that every BEGIN
 * has its END; long lines folded, over-long ones dropped; every VEVENT marked with its place
 * (POSITION_PROPERTY) and the series noted in `facts`; with a window (keep_to > 0), one-off
 * VEVENTs far from it are left out.
 */
static char *normalise(const char *text, size_t len, int64_t keep_from, int64_t keep_to,
		       struct text_facts *facts, char *err, size_t n)
{
	bool window = keep_to > 0;
	int64_t from_day = keep_from / 86400, to_day = keep_to / 86400;
	struct event_span span;
	size_t event_at = 0;         /* where the VEVENT being read began in `out` */
	bool in_event = false, dropping = false;
	int position = 0, dropped_lines = 0;
	struct outbuf out = {0};
	if (!put(&out, "", 0)) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	char stack[16][32];
	int depth = 0, line_no = 0, open_line[16] = {0};
	bool seen_calendar = false;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t j = nl ? (size_t)(nl - text) : len;
		size_t end = j;
		if (end > i && text[end - 1] == '\r')
			end--;
		line_no++;
		const char *line = text + i;
		size_t ll = end - i;
		i = j < len ? j + 1 : j;
		if (ll == 0)
			continue;
		if (memchr(line, '\0', ll)) {
			snprintf(err, n, "not an iCalendar file (binary data at line %d)", line_no);
			goto fail;
		}
		bool continuation = line[0] == ' ' || line[0] == '\t';
		if (dropping && continuation)
			continue;
		dropping = false;
		if (ll > CALENDAR_MAX_LINE_BYTES) {
			if (dropped_lines++ < MAX_NAMED_WARNINGS)
				log_warn("calendar: line %d is over %d KiB long (RFC 5545 lines are 75 "
					 "bytes): dropped, with its continuation lines", line_no,
					 CALENDAR_MAX_LINE_BYTES / 1024);
			dropping = true;
			continue;
		}
		if (starts_with_ci(line, ll, "BEGIN:")) {
			if (depth == 16) {
				snprintf(err, n, "components nested too deeply at line %d", line_no);
				goto fail;
			}
			snprintf(stack[depth], sizeof stack[depth], "%.*s", (int)(ll - 6), line + 6);
			if (depth == 0 && strcasecmp(stack[depth], "VCALENDAR") != 0) {
				snprintf(err, n, "not an iCalendar file (line %d is BEGIN:%s, not "
						 "BEGIN:VCALENDAR)", line_no, stack[depth]);
				goto fail;
			}
			seen_calendar = true;
			open_line[depth++] = line_no;
			if (depth == 2 && strcasecmp(stack[1], "VEVENT") == 0) {
				in_event = true;
				event_at = out.n;
				span_reset(&span, line_no);
				char mark[64];
				int k = snprintf(mark, sizeof mark, "%.*s\n" POSITION_PROPERTY ":%d\n",
						 (int)ll, line, ++position);
				if (!put(&out, mark, (size_t)k))
					goto nomem;
				continue;
			}
		} else if (starts_with_ci(line, ll, "END:")) {
			if (depth == 0 || (ll - 4 != strlen(stack[depth - 1])) ||
			    strncasecmp(line + 4, stack[depth - 1], ll - 4) != 0) {
				snprintf(err, n, "malformed: line %d ends %.*s, which is not open",
					 line_no, (int)(ll > 40 ? 40 : ll), line);
				goto fail;
			}
			depth--;
			if (in_event && depth == 1) {
				in_event = false;
				span_flush(&span);
				if (!note_master(facts, &span, position))
					goto nomem;
				if (window && !span_wanted(&span, from_day, to_day)) {
					out.n = event_at; /* not this one: drop what was copied */
					continue;
				}
			}
		} else if (depth == 0) {
			snprintf(err, n, "not an iCalendar file (line %d is outside BEGIN:VCALENDAR)",
				 line_no);
			goto fail;
		} else if (in_event && depth == 2) {
			span_line(&span, line, ll);
		}
		if (!put_line(&out, line, ll))
			goto nomem;
	}
	if (dropped_lines > MAX_NAMED_WARNINGS)
		log_warn("calendar: %d over-long lines dropped in all", dropped_lines);
	if (!seen_calendar) {
		snprintf(err, n, "not an iCalendar file (no BEGIN:VCALENDAR)");
		goto fail;
	}
	if (depth > 0) {
		snprintf(err, n, "truncated: BEGIN:%s at line %d has no END", stack[depth - 1],
			 open_line[depth - 1]);
		goto fail;
	}
	out.p[out.n] = '\0';
	return out.p;
nomem:
	snprintf(err, n, "out of memory");
fail:
	free(out.p);
	return NULL;
}

lt_err calendar_parse(const char *text, size_t len, const struct calendar_options *opt,
		      struct calendar **out, char *err, size_t err_len)
{
	struct calendar *cal = calloc(1, sizeof *cal);
	if (!cal) {
		snprintf(err, err_len, "out of memory");
		return LT_ERR_NOMEM;
	}
	struct text_facts facts = {0};
	char *clean = normalise(text, len, opt ? opt->keep_from : 0, opt ? opt->keep_to : 0,
				&facts, err, err_len);
	lt_err rc = clean ? shared_uids(&facts, cal) : LT_ERR_PARSE;
	text_facts_free(&facts);
	if (rc != LT_OK) {
		free(clean);
		calendar_free(cal);
		if (rc == LT_ERR_NOMEM)
			snprintf(err, err_len, "out of memory");
		return rc;
	}
	icalerror_set_errors_are_fatal(0);
	cal->root = icalparser_parse_string(clean);
	free(clean);
	if (!cal->root) {
		calendar_free(cal);
		snprintf(err, err_len, "not an iCalendar file (libical could not parse it)");
		return LT_ERR_PARSE;
	}
	if (opt && opt->presenter_property)
		snprintf(cal->presenter_prop, sizeof cal->presenter_prop, "%s",
			 opt->presenter_property);
	cal->warnings_left = MAX_NAMED_WARNINGS;
	*out = cal;
	return LT_OK;
}

void calendar_free(struct calendar *cal)
{
	if (!cal)
		return;
	if (cal->root)
		icalcomponent_free(cal->root);
	for (size_t i = 0; i < cal->n_shared; i++)
		free(cal->shared[i].uid);
	free(cal->shared);
	free(cal);
}

/* --- time ------------------------------------------------------------------------------ */

struct zone_ctx {
	icalcomponent *vcal;         /* the VCALENDAR the event is in */
	icaltimezone *floating;      /* X-WR-TIMEZONE, or NULL for the process's zone */
};

static icaltimezone *builtin_zone(const char *name)
{
	icaltimezone *z = icaltimezone_get_builtin_timezone(name);
	if (z)
		return z;
	for (size_t i = 0; i < sizeof windows_zones / sizeof windows_zones[0]; i++)
		if (strcasecmp(name, windows_zones[i][0]) == 0)
			return icaltimezone_get_builtin_timezone(windows_zones[i][1]);
	/* "/mozilla.org/20050126_1/Europe/Berlin" and similar prefixed ids */
	const char *slash = strrchr(name, '/');
	if (slash && slash != name) {
		const char *prev = slash - 1;
		while (prev > name && *prev != '/')
			prev--;
		if (*prev == '/')
			return icaltimezone_get_builtin_timezone(prev + 1);
	}
	return NULL;
}

static icaltimezone *zone_of(const struct zone_ctx *z, icalproperty *prop, const char *uid)
{
	icalparameter *p = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
	if (!p)
		return NULL;
	const char *tzid = icalparameter_get_tzid(p);
	if (!tzid || !*tzid)
		return NULL;
	icaltimezone *zone = icalcomponent_get_timezone(z->vcal, tzid);
	if (!zone)
		zone = builtin_zone(tzid);
	char shown[128];
	if (!zone)
		log_warn("calendar: event %s: unknown time zone '%s': taken as local time", uid,
			 loggable(tzid, shown, sizeof shown));
	return zone;
}

/* A value as unix time. DATE: local midnight. Floating: X-WR-TIMEZONE or local. */
static int64_t to_unix(const struct zone_ctx *z, struct icaltimetype t, icaltimezone *zone)
{
	if (t.is_date || (!zone && !icaltime_is_utc(t) && !z->floating)) {
		struct tm tm = {0};
		tm.tm_year = t.year - 1900;
		tm.tm_mon = t.month - 1;
		tm.tm_mday = t.day;
		if (!t.is_date) {
			tm.tm_hour = t.hour;
			tm.tm_min = t.minute;
			tm.tm_sec = t.second;
		}
		tm.tm_isdst = -1;
		return (int64_t)mktime(&tm);
	}
	if (icaltime_is_utc(t))
		return (int64_t)icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone());
	return (int64_t)icaltime_as_timet_with_zone(t, zone ? zone : z->floating);
}

static bool bad_time(struct icaltimetype t)
{
	return icaltime_is_null_time(t) || !icaltime_is_valid_time(t) || t.month < 1 ||
	       t.month > 12 || t.day < 1 || t.day > 31;
}

/* --- event properties ------------------------------------------------------------------ */

/* Say, once per calendar, that some of its text was not UTF-8 and how it was read. */
static void note_repair(struct calendar *cal, enum utf8_repair how)
{
	if (how == UTF8_FROM_CP1252 && !cal->said_cp1252) {
		cal->said_cp1252 = true;
		log_warn("calendar: its text is not UTF-8 (RFC 5545): read as Windows-1252, as "
			 "legacy Windows tools export it");
	} else if (how == UTF8_REPLACED && !cal->said_replaced) {
		cal->said_replaced = true;
		log_warn("calendar: its text is neither UTF-8 nor Windows-1252: the bytes that are "
			 "not UTF-8 are shown as U+FFFD");
	}
}

/* A text value of the calendar into `dst` of `n` bytes: valid UTF-8 (utf8.h), cut at a
 * character boundary. */
static void copy_text(struct calendar *cal, char *dst, size_t n, const char *src)
{
	note_repair(cal, utf8_repair(dst, n, src, src ? strlen(src) : 0));
}

/* The same, malloc'd (NULL when out of memory). */
static char *dup_text(struct calendar *cal, const char *src, size_t len)
{
	enum utf8_repair how;
	char *d = utf8_repair_dup(src, len, &how);
	if (d)
		note_repair(cal, how);
	return d;
}

static const char *x_value(icalcomponent *c, const char *name)
{
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY)) {
		const char *xn = icalproperty_get_x_name(p);
		if (xn && strcasecmp(xn, name) == 0)
			return icalproperty_get_x(p);
	}
	return NULL;
}

static const char *strip_mailto(const char *v)
{
	if (v && strncasecmp(v, "mailto:", 7) == 0)
		return v + 7;
	return v ? v : "";
}

static void read_people(struct calendar *cal, icalcomponent *ev, struct occurrence *o)
{
	const char *custom = cal->presenter_prop[0] ? x_value(ev, cal->presenter_prop) : NULL;
	if (custom) {
		copy_text(cal, o->presenter, sizeof o->presenter, custom);
	} else {
		icalproperty *org = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
		if (org) {
			icalparameter *cn = icalproperty_get_first_parameter(org, ICAL_CN_PARAMETER);
			copy_text(cal, o->presenter, sizeof o->presenter,
				 cn ? icalparameter_get_cn(cn)
				    : strip_mailto(icalproperty_get_organizer(org)));
		}
	}
	size_t len = 0, cap = 0;
	char *list = NULL;
	for (icalproperty *a = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY); a;
	     a = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
		o->attendees++;
		icalparameter *cn = icalproperty_get_first_parameter(a, ICAL_CN_PARAMETER);
		const char *raw_name = cn ? icalparameter_get_cn(cn) : NULL;
		const char *raw_mail = strip_mailto(icalproperty_get_attendee(a));
		char *name = dup_text(cal, raw_name, raw_name ? strlen(raw_name) : 0);
		char *mail = dup_text(cal, raw_mail, strlen(raw_mail));
		size_t need = name && mail ? strlen(name) + strlen(mail) + 5 : 0;
		if (need && len + need + 1 > cap) {
			size_t ncap = (len + need + 1) * 2;
			char *n = realloc(list, ncap);
			if (n) {
				list = n;
				cap = ncap;
			} else {
				need = 0;
			}
		}
		if (need)
			len += (size_t)snprintf(list + len, cap - len, "%s <%s>\n", name, mail);
		free(name);
		free(mail);
		if (!need)
			break; /* out of memory */
	}
	o->invitees = list;
}

/* --- Opencast attachments ---------------------------------------------------------------- */

static char *base64_decode(const char *in, size_t *out_len)
{
	size_t n = strlen(in);
	char *clean = malloc(n + 1);
	if (!clean)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)in[i]))
			clean[k++] = in[i];
	clean[k] = '\0';
	if (k % 4 != 0) {
		free(clean);
		return NULL;
	}
	unsigned char *out = malloc(k / 4 * 3 + 1);
	int got = out ? EVP_DecodeBlock(out, (unsigned char *)clean, (int)k) : -1;
	if (got < 0) {
		free(out);
		free(clean);
		return NULL;
	}
	/* EVP_DecodeBlock counts padding as data. */
	if (k >= 1 && clean[k - 1] == '=')
		got--;
	if (k >= 2 && clean[k - 2] == '=')
		got--;
	free(clean);
	out[got] = '\0';
	*out_len = (size_t)got;
	return (char *)out;
}

static const char *attach_filename(icalproperty *p)
{
	for (icalparameter *x = icalproperty_get_first_parameter(p, ICAL_X_PARAMETER); x;
	     x = icalproperty_get_next_parameter(p, ICAL_X_PARAMETER)) {
		const char *name = icalparameter_get_xname(x);
		if (name && strcasecmp(name, "X-APPLE-FILENAME") == 0)
			return icalparameter_get_xvalue(x);
	}
	return "";
}

static void dc_field(struct calendar *cal, xmlNode *root, const char *local, char *dst, size_t n)
{
	for (xmlNode *e = root ? root->children : NULL; e; e = e->next) {
		if (e->type == XML_ELEMENT_NODE && strcmp((const char *)e->name, local) == 0) {
			xmlChar *v = xmlNodeGetContent(e);
			copy_text(cal, dst, n, (const char *)v);
			xmlFree(v);
			return;
		}
	}
}

/*
 * The episode's Dublin Core (o->episode_dc): its fields, and the document itself kept as UTF-8
 * XML, since it goes to the store, the sidecar and Opencast as it is. A document that is not
 * UTF-8 is read in its declared encoding, else (undeclared or wrongly declared: a legacy
 * export) as Windows-1252 when it is that, and kept re-encoded as UTF-8; one that cannot be
 * read either way is dropped (the upload then writes its own from the title and presenter).
 */
static void read_episode_dc(struct calendar *cal, struct occurrence *o)
{
	const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	size_t len = strlen(o->episode_dc);
	bool utf8 = utf8_valid(o->episode_dc, len);
	xmlDoc *doc = xmlReadMemory(o->episode_dc, (int)len, "episode.xml", NULL, opts);
	if (!doc && !utf8 && utf8_is_cp1252(o->episode_dc, len)) {
		doc = xmlReadMemory(o->episode_dc, (int)len, "episode.xml", "WINDOWS-1252", opts);
		if (doc)
			note_repair(cal, UTF8_FROM_CP1252);
	}
	if (!utf8) {
		xmlChar *dump = NULL;
		int dump_len = 0;
		if (doc)
			xmlDocDumpMemoryEnc(doc, &dump, &dump_len, "UTF-8");
		free(o->episode_dc);
		o->episode_dc = dump && utf8_valid((const char *)dump, (size_t)dump_len)
					? strdup((const char *)dump)
					: NULL;
		xmlFree(dump);
		if (!o->episode_dc && !cal->said_dc_dropped) {
			cal->said_dc_dropped = true;
			log_warn("calendar: an episode's Dublin Core is not UTF-8 and cannot be read: "
				 "it is left out");
		}
	}
	if (!doc)
		return;
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!o->presenter[0])
		dc_field(cal, root, "creator", o->presenter, sizeof o->presenter);
	if (!o->title[0])
		dc_field(cal, root, "title", o->title, sizeof o->title);
	dc_field(cal, root, "isPartOf", o->series, sizeof o->series);
	xmlFreeDoc(doc);
}

static void read_agent_properties(struct occurrence *o, const char *text)
{
	static const char wf_def[] = "org.opencastproject.workflow.definition";
	static const char wf_cfg[] = "org.opencastproject.workflow.config.";
	size_t cap = strlen(text) + 1, len = 0;
	char *cfg = malloc(cap);
	if (!cfg)
		return;
	cfg[0] = '\0';
	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		size_t ll = eol ? (size_t)(eol - line) : strlen(line);
		if (ll && line[ll - 1] == '\r')
			ll--;
		const char *eq = memchr(line, '=', ll);
		if (eq && line[0] != '#') {
			size_t kl = (size_t)(eq - line);
			if (kl == sizeof wf_def - 1 && strncmp(line, wf_def, kl) == 0) {
				snprintf(o->workflow, sizeof o->workflow, "%.*s", (int)(ll - kl - 1),
					 eq + 1);
			} else if (kl > sizeof wf_cfg - 1 &&
				   strncmp(line, wf_cfg, sizeof wf_cfg - 1) == 0) {
				size_t add = ll - (sizeof wf_cfg - 1);
				memcpy(cfg + len, line + sizeof wf_cfg - 1, add);
				len += add;
				cfg[len++] = '\n';
				cfg[len] = '\0';
			}
		}
		line = eol ? eol + 1 : line + ll;
	}
	o->workflow_config = cfg;
}

static void read_attachments(struct calendar *cal, icalcomponent *ev, struct occurrence *o)
{
	for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_ATTACH_PROPERTY); p;
	     p = icalcomponent_get_next_property(ev, ICAL_ATTACH_PROPERTY)) {
		icalattach *a = icalproperty_get_attach(p);
		if (!a || icalattach_get_is_url(a))
			continue;
		const char *data = (const char *)icalattach_get_data(a);
		size_t len = 0;
		char *decoded = data ? base64_decode(data, &len) : NULL;
		if (!decoded)
			continue;
		const char *name = attach_filename(p);
		if (strcmp(name, "episode.xml") == 0 && !o->episode_dc) {
			o->episode_dc = decoded;
			continue; /* read after ORGANIZER so that it only fills what is missing */
		}
		if (strcmp(name, "org.opencastproject.capture.agent.properties") == 0 &&
		    !o->agent_properties) {
			/* text like any other (its workflow settings go to Opencast) */
			o->agent_properties = dup_text(cal, decoded, len);
			free(decoded);
			if (o->agent_properties)
				read_agent_properties(o, o->agent_properties);
			continue;
		}
		free(decoded);
	}
	if (o->episode_dc)
		read_episode_dc(cal, o);
}

/* --- expansion --------------------------------------------------------------------------- */

/*
 * Bounds, so that a rule like FREQ=SECONDLY costs a bounded amount of memory and time and
 * never pushes a real session out: at most MAX_INSTANCES_PER_EVENT of one event in a window
 * (its earliest), at most MAX_OCCURRENCES per calendar and window, shared out so that the
 * events with the fewest occurrences keep all of theirs; at most MAX_STEPS_PER_SERIES steps
 * of a rule's iterator.
 */
#define MAX_INSTANCES_PER_EVENT 2000
#define MAX_OCCURRENCES 20000
#define MAX_STEPS_PER_SERIES 200000

/* One VEVENT, prepared: its times resolved, its kind known. */
struct event {
	icalcomponent *comp;
	icalcomponent *vcal;
	const char *uid;             /* as in the file; "" without one */
	char key[256];               /* its occurrences' uid (calendar.h) */
	int position;                /* its place among the text's VEVENTs, from 1 */
	bool is_override;
	int64_t rid;                 /* RECURRENCE-ID as unix time (overrides) */
	bool rid_is_date;
	bool cancelled;
	bool all_day;
	struct icaltimetype dtstart;
	icaltimezone *zone;          /* DTSTART's zone (NULL: floating or UTC) */
	int64_t start;
	int64_t duration;            /* exact seconds; for all-day events: days */
	int nominal_days;            /* DURATION's days and weeks: calendar days (RFC 5545) */
	icaltimezone *wall_zone;     /* where a calendar day is counted (NULL: local) */
};

/* The name warnings give an event: its key (UTF-8, unlike the UID it may come from). */
static const char *event_name(const struct event *e)
{
	return e->key[0] ? e->key : "(no UID)";
}

/* Whether a series with `uid` at `position` is a later one of several sharing the UID. */
static bool shares_uid(const struct calendar *cal, const char *uid, int position)
{
	if (!cal->n_shared)
		return false; /* bsearch on NULL is undefined, even for no elements */
	struct master want = {.uid = (char *)uid};
	const struct master *m = bsearch(&want, cal->shared, cal->n_shared, sizeof want,
					 compare_masters_uid);
	return m && m->position != position;
}

/* A UID-less event's key: a hash of its start, title and place in the file (stable across
 * fetches of the same file, and whatever part of it was read). */
static void derive_key(struct event *e, icalproperty *dtstart)
{
	icalparameter *tz = icalproperty_get_first_parameter(dtstart, ICAL_TZID_PARAMETER);
	const char *summary = icalcomponent_get_summary(e->comp);
	char text[1024];
	int n = snprintf(text, sizeof text, "%s\n%s\n%s\n%d", tz ? icalparameter_get_tzid(tz) : "",
			 icaltime_as_ical_string(e->dtstart), summary ? summary : "", e->position);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	if (!EVP_Digest(text, n < (int)sizeof text ? (size_t)n : sizeof text - 1, md, &md_len,
			EVP_sha256(), NULL))
		md_len = 0;
	size_t k = (size_t)snprintf(e->key, sizeof e->key, "no-uid-");
	for (unsigned int i = 0; i < md_len && i < 10; i++)
		k += (size_t)snprintf(e->key + k, sizeof e->key - k, "%02x", md[i]);
}

static bool read_event(struct calendar *cal, const struct zone_ctx *z, icalcomponent *ev,
		       struct event *e)
{
	memset(e, 0, sizeof *e);
	e->comp = ev;
	e->vcal = z->vcal;
	e->uid = icalcomponent_get_uid(ev);
	if (!e->uid)
		e->uid = "";
	const char *pos = x_value(ev, POSITION_PROPERTY);
	e->position = pos ? atoi(pos) : 0;
	e->cancelled = icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED;
	e->is_override = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY) != NULL;
	/* The key is text too: it goes to the store, JSON and logs. (Events are grouped by the
	 * UID as it is.) */
	if (e->uid[0] && !e->is_override && shares_uid(cal, e->uid, e->position)) {
		char uid[201];
		copy_text(cal, uid, sizeof uid, e->uid);
		snprintf(e->key, sizeof e->key, "%s#%d", uid, e->position);
	} else if (e->uid[0]) {
		copy_text(cal, e->key, sizeof e->key, e->uid);
	}
	icalproperty *ds = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	if (!ds || bad_time(icalproperty_get_dtstart(ds))) {
		log_warn("calendar: event %s skipped: its start (DTSTART) is missing or unreadable",
			 event_name(e));
		return false;
	}
	e->dtstart = icalproperty_get_dtstart(ds);
	if (!e->uid[0])
		derive_key(e, ds);
	e->zone = zone_of(z, ds, event_name(e));
	e->all_day = e->dtstart.is_date;
	e->start = to_unix(z, e->dtstart, e->zone);
	e->wall_zone = icaltime_is_utc(e->dtstart) ? icaltimezone_get_utc_timezone()
			: e->zone ? e->zone : z->floating;

	icalproperty *de = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
	icalproperty *du = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
	if (de) {
		struct icaltimetype t = icalproperty_get_dtend(de);
		if (bad_time(t)) {
			log_warn("calendar: event %s skipped: its end (DTEND) is unreadable", event_name(e));
			return false;
		}
		int64_t end = to_unix(z, t, zone_of(z, de, event_name(e)));
		/* All-day: whole days between the two dates (as UTC midnights, so exact). */
		e->duration = e->all_day ? ((int64_t)icaltime_as_timet(t) -
					    (int64_t)icaltime_as_timet(e->dtstart)) / 86400
					 : end - e->start;
		if (end < e->start) {
			log_warn("calendar: event %s skipped: it ends before it starts", event_name(e));
			return false;
		}
	} else if (du) {
		struct icaldurationtype d = icalproperty_get_duration(du);
		int secs = icaldurationtype_as_int(d);
		if (secs < 0) {
			log_warn("calendar: event %s skipped: negative DURATION", event_name(e));
			return false;
		}
		if (e->all_day) {
			e->duration = (secs + 86399) / 86400;
		} else {
			/* A day in a DURATION is a calendar day: across a DST change it is 23 or
			 * 25 hours, the rest is exact. */
			e->nominal_days = d.weeks * 7 + d.days;
			e->duration = secs - (int64_t)e->nominal_days * 86400;
		}
	} else {
		e->duration = e->all_day ? 1 : 0;
	}
	icalproperty *rp = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
	if (rp) {
		struct icaltimetype r = icalproperty_get_recurrenceid(rp);
		if (bad_time(r)) {
			log_warn("calendar: event %s: an override with an unreadable RECURRENCE-ID "
				 "was skipped", event_name(e));
			return false;
		}
		e->rid_is_date = r.is_date;
		e->rid = to_unix(z, r, zone_of(z, rp, event_name(e)));
	}
	return true;
}

/* `t` moved by whole calendar days in the event's own zone (same wall-clock time). */
static int64_t add_days(const struct event *e, int64_t t, int days)
{
	if (!days)
		return t;
	if (e->wall_zone) {
		struct icaltimetype x = icaltime_from_timet_with_zone((time_t)t, 0, e->wall_zone);
		icaltime_adjust(&x, days, 0, 0, 0);
		return (int64_t)icaltime_as_timet_with_zone(x, e->wall_zone);
	}
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* Instance end for a start, given the series' duration. */
static int64_t instance_end(const struct event *e, int64_t start)
{
	if (e->all_day)
		return calendar_local_midnight(start, (int)e->duration);
	return add_days(e, start, e->nominal_days) + e->duration;
}

static bool overlaps(int64_t s, int64_t e, int64_t from, int64_t to)
{
	if (e == s)
		return s >= from && s < to;
	return s < to && e > from;
}

static bool same_instance(int64_t a, int64_t b, bool by_date)
{
	return by_date ? calendar_local_midnight(a, 0) == calendar_local_midnight(b, 0) : a == b;
}

/* An occurrence to be: `e` gives its properties, `owner` (the series, or `e`) its key. */
struct planned {
	const struct event *e, *owner;
	int64_t start, end;
};

struct plan {
	struct planned *v;
	size_t n, cap;
};

static lt_err plan_add(struct plan *p, const struct event *e, const struct event *owner,
		       int64_t start, int64_t end)
{
	struct planned *v = grow(p->v, p->n, &p->cap, sizeof *v);
	if (!v)
		return LT_ERR_NOMEM;
	p->v = v;
	p->v[p->n++] = (struct planned){e, owner, start, end};
	return LT_OK;
}

static lt_err add_occurrence(struct calendar *cal, const struct planned *p,
			     struct occurrence_list *out)
{
	struct occurrence *o = list_add(out);
	if (!o)
		return LT_ERR_NOMEM;
	const struct event *e = p->e;
	snprintf(o->uid, sizeof o->uid, "%s", p->owner->key); /* made UTF-8 by read_event */
	o->start = p->start;
	o->end = p->end;
	o->all_day = e->all_day;
	o->recurrence_id = e->is_override ? e->rid : 0;
	copy_text(cal, o->title, sizeof o->title, icalcomponent_get_summary(e->comp));
	copy_text(cal, o->location, sizeof o->location, icalcomponent_get_location(e->comp));
	read_people(cal, e->comp, o);
	read_attachments(cal, e->comp, o);
	return LT_OK;
}

struct instance {
	int64_t start;
	int64_t end;                 /* for RDATE periods; 0: the series' duration */
};

/* By start; of the same start, an RDATE PERIOD's (its own end, RFC 5545 3.8.5.2) first. */
static int compare_instances(const void *a, const void *b)
{
	const struct instance *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end < y->end) - (x->end > y->end);
}

/* All instance starts of a master that may overlap [from, to), before overrides; of the
 * rule's, at most one more than MAX_INSTANCES_PER_EVENT (the caller cuts, and says so). */
static lt_err series_instances(const struct zone_ctx *z, const struct event *m, int64_t from,
			       int64_t to, struct instance **out, size_t *count)
{
	size_t n = 0, cap = 16;
	struct instance *v = malloc(cap * sizeof *v);
	if (!v)
		return LT_ERR_NOMEM;
	lt_err err = LT_OK;
	/* Long events that started before `from` still overlap it. */
	int64_t reach = m->all_day ? m->duration * 86400 + 86400
				   : m->duration + (int64_t)m->nominal_days * 86400 + 3600;
#define PUSH(s, e_)                                                                        \
	do {                                                                               \
		if (n == cap) {                                                            \
			struct instance *nv = realloc(v, cap * 2 * sizeof *nv);            \
			if (!nv) {                                                         \
				err = LT_ERR_NOMEM;                                        \
				goto done;                                                 \
			}                                                                  \
			v = nv;                                                            \
			cap *= 2;                                                          \
		}                                                                          \
		v[n].start = (s);                                                          \
		v[n++].end = (e_);                                                         \
	} while (0)

	icalproperty *rr = icalcomponent_get_first_property(m->comp, ICAL_RRULE_PROPERTY);
	if (rr) {
		struct icalrecurrencetype rule = icalproperty_get_rrule(rr);
		/* RFC 5545 3.3.10: a UTC UNTIL bounds the instants the instances start at, each
		 * in its own zone. libical compares it with the wall-clock time instead (off by
		 * the zone's offset, which differs on either side of a DST change), so the
		 * series' last instance went missing: compare instants here. */
		int64_t until = INT64_MAX;
		if (!icaltime_is_null_time(rule.until) && icaltime_is_utc(rule.until) &&
		    !icaltime_is_utc(m->dtstart) && !m->dtstart.is_date) {
			until = to_unix(z, rule.until, NULL);
			rule.until = icaltime_null_time();
		}
		/* A rule of seconds, minutes or hours that began long ago: start the iterator at
		 * the last of its own steps before the window rather than step there. Its first
		 * answer there may be that start whatever the rule's BY parts say; it lies before
		 * the window, so it is never used. (libical's set_start loses the rule's phase;
		 * with COUNT the steps must be counted from DTSTART, and MAX_STEPS bounds them.) */
		struct icaltimetype first = m->dtstart;
		static const int64_t unit[] = {[ICAL_SECONDLY_RECURRENCE] = 1,
					       [ICAL_MINUTELY_RECURRENCE] = 60,
					       [ICAL_HOURLY_RECURRENCE] = 3600};
		int64_t skip_to = from - reach;
		if (rule.freq <= ICAL_HOURLY_RECURRENCE && rule.count == 0 && skip_to > m->start &&
		    skip_to - m->start < (int64_t)INT32_MAX - 86400) {
			int64_t step = unit[rule.freq] * (rule.interval > 0 ? rule.interval : 1);
			/* wall-clock steps, as libical takes them; a DST change is an hour */
			int64_t k = (skip_to - m->start - 3601) / step;
			if (k > 0)
				icaltime_adjust(&first, 0, 0, 0, (int)(k * step));
		}
		icalrecur_iterator *it = icalrecur_iterator_new(rule, first);
		if (!it) {
			log_warn("calendar: event %s: its RRULE cannot be expanded; using its first "
				 "instance only", event_name(m));
			PUSH(m->start, 0);
		}
		size_t rule_instances = 0;
		for (int i = 0; it && rule_instances <= MAX_INSTANCES_PER_EVENT; i++) {
			if (i == MAX_STEPS_PER_SERIES) {
				log_warn("calendar: event %s: its RRULE was followed for %d steps only",
					 event_name(m), MAX_STEPS_PER_SERIES);
				break;
			}
			struct icaltimetype t = icalrecur_iterator_next(it);
			if (icaltime_is_null_time(t))
				break;
			int64_t s = to_unix(z, t, m->zone);
			if (s >= to || s > until)
				break;
			if (s + reach >= from) {
				PUSH(s, 0);
				rule_instances += overlaps(s, instance_end(m, s), from, to);
			}
		}
		if (it)
			icalrecur_iterator_free(it);
	} else {
		PUSH(m->start, 0);
	}
	for (icalproperty *p = icalcomponent_get_first_property(m->comp, ICAL_RDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(m->comp, ICAL_RDATE_PROPERTY)) {
		struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
		icaltimezone *zone = zone_of(z, p, event_name(m));
		if (!icaltime_is_null_time(dp.time)) {
			PUSH(to_unix(z, dp.time, zone), 0);
		} else if (!icaltime_is_null_time(dp.period.start)) {
			int64_t s = to_unix(z, dp.period.start, zone);
			int64_t e = icaltime_is_null_time(dp.period.end)
					    ? s + icaldurationtype_as_int(dp.period.duration)
					    : to_unix(z, dp.period.end, zone);
			PUSH(s, e);
		}
	}
	/* EXDATE removes instances after COUNT was applied: they still counted. */
	for (icalproperty *p = icalcomponent_get_first_property(m->comp, ICAL_EXDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(m->comp, ICAL_EXDATE_PROPERTY)) {
		struct icaltimetype t = icalproperty_get_exdate(p);
		if (bad_time(t))
			continue;
		int64_t x = to_unix(z, t, zone_of(z, p, event_name(m)));
		for (size_t i = 0; i < n;) {
			if (same_instance(v[i].start, x, t.is_date))
				v[i] = v[--n];
			else
				i++;
		}
	}
	/* RFC 5545 3.8.5.3: an RDATE that is also a rule's instance is one instance. */
	sort(v, n, sizeof *v, compare_instances);
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (w == 0 || v[i].start != v[w - 1].start)
			v[w++] = v[i];
	n = w;
done:
#undef PUSH
	if (err != LT_OK) {
		free(v);
		return err;
	}
	*out = v;
	*count = n;
	return LT_OK;
}

/* Whether series `m` has an instance at `rid` (an override's RECURRENCE-ID). */
static bool has_instance(const struct zone_ctx *z, const struct event *m, int64_t rid,
			 bool by_date)
{
	struct instance *v;
	size_t n;
	if (series_instances(z, m, rid - 86400, rid + 86400, &v, &n) != LT_OK)
		return false;
	bool found = false;
	for (size_t i = 0; i < n && !found; i++)
		found = same_instance(v[i].start, rid, by_date);
	free(v);
	return found;
}

static int compare_occurrences(const void *a, const void *b)
{
	const struct occurrence *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	int c = strcmp(x->uid, y->uid);
	if (c)
		return c;
	return (x->recurrence_id > y->recurrence_id) - (x->recurrence_id < y->recurrence_id);
}

/* What groups events: the UID, or the derived key of one without. */
static const char *group_of(const struct event *e)
{
	return e->uid[0] ? e->uid : e->key;
}

/* By group; in each, the series first (in file order), then the overrides. */
static int compare_events(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	int c = strcmp(group_of(x), group_of(y));
	if (c)
		return c;
	if (x->is_override != y->is_override)
		return x->is_override ? 1 : -1;
	if (!x->is_override)
		return (x->position > y->position) - (x->position < y->position);
	return (x->rid > y->rid) - (x->rid < y->rid);
}

/* By owner, then start: each series' planned occurrences together, earliest first. */
static int compare_planned(const void *a, const void *b)
{
	const struct planned *x = a, *y = b;
	if (x->owner != y->owner) /* any order of owners, one that holds for all calendars */
		return (uintptr_t)x->owner < (uintptr_t)y->owner ? -1 : 1;
	return (x->start > y->start) - (x->start < y->start);
}

static int compare_planned_start(const void *a, const void *b)
{
	const struct planned *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* Keep at most `limit` of each owner's run in `p` (sorted by compare_planned) from `at` on;
 * returns how many owners lost some. */
static size_t plan_cut(struct plan *p, size_t at, size_t limit)
{
	size_t w = at, cut = 0;
	for (size_t r = at; r < p->n;) {
		size_t end = r + 1;
		while (end < p->n && p->v[end].owner == p->v[r].owner)
			end++;
		size_t keep = end - r < limit ? end - r : limit;
		cut += keep < end - r;
		memmove(p->v + w, p->v + r, keep * sizeof *p->v);
		w += keep;
		r = end;
	}
	p->n = w;
	return cut;
}

/* A few warnings about cut expansions per calendar: it is expanded at every tick. */
static bool may_warn(struct calendar *cal)
{
	return cal->warnings_left-- > 0;
}

/*
 * One group: its series (ev[0 .. masters)) and their overrides (ev[masters .. k)). An
 * override belongs to the series with an instance at its RECURRENCE-ID (the first such in
 * the file when several share the UID; the first series when none has one).
 */
static lt_err expand_group(struct calendar *cal, const struct zone_ctx *z, struct event *ev,
			   size_t k, int64_t from, int64_t to, struct plan *plan)
{
	size_t masters = 0;
	while (masters < k && !ev[masters].is_override)
		masters++;
	lt_err err = LT_OK;
	size_t at = plan->n;
	if (masters == 0) {
		/* Overrides without their series in the file stand alone. */
		for (size_t j = 0; j < k && err == LT_OK; j++) {
			int64_t end = instance_end(&ev[j], ev[j].start);
			if (!ev[j].cancelled && overlaps(ev[j].start, end, from, to))
				err = plan_add(plan, &ev[j], &ev[j], ev[j].start, end);
		}
		return err;
	}
	struct instance **inst = calloc(masters, sizeof *inst);
	size_t *count = calloc(masters, sizeof *count);
	if (!inst || !count)
		err = LT_ERR_NOMEM;
	for (size_t i = 0; i < masters && err == LT_OK; i++)
		if (!ev[i].cancelled)
			err = series_instances(z, &ev[i], from, to, &inst[i], &count[i]);
	for (size_t j = masters; j < k && err == LT_OK; j++) {
		const struct event *o = &ev[j];
		size_t m = 0;
		for (size_t i = 0; masters > 1 && i < masters; i++) {
			if (has_instance(z, &ev[i], o->rid, o->rid_is_date)) {
				m = i;
				break;
			}
		}
		if (ev[m].cancelled)
			continue; /* the whole series is cancelled, overrides included */
		for (size_t x = 0; x < count[m];) {
			if (same_instance(inst[m][x].start, o->rid, o->rid_is_date))
				inst[m][x] = inst[m][--count[m]];
			else
				x++;
		}
		int64_t end = instance_end(o, o->start);
		if (!o->cancelled && overlaps(o->start, end, from, to))
			err = plan_add(plan, o, &ev[m], o->start, end);
	}
	for (size_t i = 0; i < masters && err == LT_OK; i++) {
		for (size_t x = 0; x < count[i] && err == LT_OK; x++) {
			int64_t s = inst[i][x].start;
			int64_t e = inst[i][x].end ? inst[i][x].end : instance_end(&ev[i], s);
			if (overlaps(s, e, from, to))
				err = plan_add(plan, &ev[i], &ev[i], s, e);
		}
	}
	for (size_t i = 0; inst && i < masters; i++)
		free(inst[i]);
	free(inst);
	free(count);
	if (err != LT_OK)
		return err;
	sort(plan->v + at, plan->n - at, sizeof *plan->v, compare_planned);
	for (size_t r = at; r < plan->n;) {
		size_t end = r + 1;
		while (end < plan->n && plan->v[end].owner == plan->v[r].owner)
			end++;
		if (end - r > MAX_INSTANCES_PER_EVENT && may_warn(cal))
			log_warn("calendar: event %s has over %d occurrences in the window: only "
				 "its first %d are used", event_name(plan->v[r].owner),
				 MAX_INSTANCES_PER_EVENT, MAX_INSTANCES_PER_EVENT);
		r = end;
	}
	plan_cut(plan, at, MAX_INSTANCES_PER_EVENT);
	return LT_OK;
}

/*
 * Over MAX_OCCURRENCES in all: the largest per-event limit that fits, so that what is cut
 * comes from the events with the most occurrences and a real session is never pushed out by
 * a runaway rule. `plan` is sorted by owner.
 */
static void plan_fit(struct calendar *cal, struct plan *p)
{
	if (p->n <= MAX_OCCURRENCES)
		return;
	size_t lo = 0, hi = MAX_INSTANCES_PER_EVENT; /* the limit fits at lo, not at hi */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2, total = 0;
		for (size_t r = 0; r < p->n;) {
			size_t end = r + 1;
			while (end < p->n && p->v[end].owner == p->v[r].owner)
				end++;
			total += end - r < mid ? end - r : mid;
			r = end;
		}
		if (total <= MAX_OCCURRENCES)
			lo = mid;
		else
			hi = mid;
	}
	size_t before = p->n;
	size_t cut = plan_cut(p, 0, lo ? lo : 1);
	if (p->n > MAX_OCCURRENCES) {
		/* more events than the cap, one occurrence each: the earliest are kept */
		sort(p->v, p->n, sizeof *p->v, compare_planned_start);
		p->n = MAX_OCCURRENCES;
	}
	if (!cal->warned_total && lo)
		log_warn("calendar: %zu occurrences in the window, over %d: the %zu events with the "
			 "most keep their first %zu each", before, MAX_OCCURRENCES, cut, lo);
	else if (!cal->warned_total)
		log_warn("calendar: %zu occurrences in the window, over %d and of more events than "
			 "that: the earliest %d are kept", before, MAX_OCCURRENCES, MAX_OCCURRENCES);
	cal->warned_total = true;
}

/* The VCALENDARs of a parse (libical wraps several in an XROOT); at most `max`. */
static size_t collect_calendars(icalcomponent *root, icalcomponent **cals, size_t max)
{
	size_t n = 0;
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
		cals[n++] = root;
		return n;
	}
	for (icalcomponent *c = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
	     c && n < max; c = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
		cals[n++] = c;
	return n;
}

/* The events of one VCALENDAR into `plan`; `*events` holds what the plan points to. */
static lt_err plan_calendar(struct calendar *cal, icalcomponent *vcal, int64_t from, int64_t to,
			    struct event **events, struct plan *plan)
{
	struct zone_ctx z = {.vcal = vcal};
	const char *wr = x_value(vcal, "X-WR-TIMEZONE");
	if (wr && *wr) {
		z.floating = builtin_zone(wr);
		char shown[128];
		if (!z.floating)
			log_warn("calendar: X-WR-TIMEZONE '%s' is unknown: floating times are local",
				 loggable(wr, shown, sizeof shown));
	}
	size_t n = (size_t)icalcomponent_count_components(vcal, ICAL_VEVENT_COMPONENT);
	struct event *ev = calloc(n ? n : 1, sizeof *ev);
	*events = ev;
	if (!ev)
		return LT_ERR_NOMEM;
	size_t k = 0;
	for (icalcomponent *c = icalcomponent_get_first_component(vcal, ICAL_VEVENT_COMPONENT);
	     c && k < n; c = icalcomponent_get_next_component(vcal, ICAL_VEVENT_COMPONENT))
		if (read_event(cal, &z, c, &ev[k]))
			k++;
	/* Group by UID, the series first in each group, so that overrides find their series
	 * whatever their place in the file. */
	sort(ev, k, sizeof *ev, compare_events);
	lt_err err = LT_OK;
	for (size_t g = 0; g < k && err == LT_OK;) {
		size_t end = g + 1;
		while (end < k && strcmp(group_of(&ev[end]), group_of(&ev[g])) == 0)
			end++;
		err = expand_group(cal, &z, ev + g, end - g, from, to, plan);
		g = end;
	}
	return err;
}

#define MAX_VCALENDARS 8

lt_err calendar_expand(struct calendar *cal, int64_t from, int64_t to, struct occurrence_list *out)
{
	icalcomponent *cals[MAX_VCALENDARS];
	struct event *events[MAX_VCALENDARS] = {0};
	size_t n = collect_calendars(cal->root, cals, MAX_VCALENDARS);
	struct plan plan = {0};
	lt_err err = LT_OK;
	for (size_t i = 0; i < n && err == LT_OK; i++)
		err = plan_calendar(cal, cals[i], from, to, &events[i], &plan);
	if (err == LT_OK) {
		sort(plan.v, plan.n, sizeof *plan.v, compare_planned);
		plan_fit(cal, &plan);
	}
	size_t before = out->count;
	for (size_t i = 0; i < plan.n && err == LT_OK; i++)
		err = add_occurrence(cal, &plan.v[i], out);
	free(plan.v);
	for (size_t i = 0; i < n; i++)
		free(events[i]);
	if (err != LT_OK)
		return err;
	if (out->count > before)
		sort(out->items + before, out->count - before, sizeof *out->items,
		      compare_occurrences);
	return LT_OK;
}
