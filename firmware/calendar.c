/*
 * calendar.c — iCalendar to occurrences with libical (rules in calendar.h).
 *
 * Time zones are resolved here, once, for every date-time property the same way: the TZID
 * parameter names a VTIMEZONE of the file, else a zone libical knows (IANA), else a Windows
 * zone name mapped to IANA; without TZID a value is UTC (Z), a DATE, or floating.
 * Recurrences: libical's iterator expands RRULE in the series' own zone (so wall-clock time
 * holds across DST); RDATE, EXDATE and RECURRENCE-ID are applied on absolute times.
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

#define MAX_INSTANCES_PER_SERIES 100000 /* a runaway RRULE stops here, with a warning */

struct calendar {
	icalcomponent *root;
	char presenter_prop[64];
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

static struct occurrence *list_add(struct occurrence_list *l)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct occurrence *n = realloc(l->items, cap * sizeof *n);
		if (!n)
			return NULL;
		l->items = n;
		l->cap = cap;
	}
	struct occurrence *o = &l->items[l->count++];
	memset(o, 0, sizeof *o);
	return o;
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

/* --- structure check ------------------------------------------------------------------- */

static bool starts_with_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* --- the window: one-off events far from it are not kept --------------------------------- */

#define DAY_UNSET INT64_MIN
#define KEEP_MARGIN_DAYS 2   /* time zones move a date by less than a day; two to be safe */

/* What a VEVENT's own lines say about when it can occur, in days since the epoch. */
struct event_span {
	bool keep;                   /* recurring, or a date that could not be read */
	int64_t start, end, recurrence_id;
	int64_t duration_s;
	bool continued;              /* the last property line of interest was folded */
};

static void span_reset(struct event_span *e)
{
	*e = (struct event_span){.start = DAY_UNSET, .end = DAY_UNSET,
				 .recurrence_id = DAY_UNSET, .duration_s = -1};
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

static void span_line(struct event_span *e, const char *line, size_t ll)
{
	if (line[0] == ' ' || line[0] == '\t') {
		if (e->continued)
			e->keep = true; /* a date folded over lines: do not guess */
		return;
	}
	e->continued = false;
	int64_t *day = is_property(line, ll, "DTSTART")         ? &e->start
		       : is_property(line, ll, "DTEND")         ? &e->end
		       : is_property(line, ll, "RECURRENCE-ID") ? &e->recurrence_id
							        : NULL;
	if (day) {
		*day = value_day(line, ll);
		e->keep |= *day == DAY_UNSET;
		e->continued = true;
	} else if (is_property(line, ll, "DURATION")) {
		const char *colon = memchr(line, ':', ll);
		char value[64];
		snprintf(value, sizeof value, "%.*s", colon ? (int)(line + ll - colon - 1) : 0,
			 colon ? colon + 1 : "");
		struct icaldurationtype d = icaldurationtype_from_string(value);
		e->duration_s = icaldurationtype_is_bad_duration(d) ? -1
								     : icaldurationtype_as_int(d);
		e->keep |= e->duration_s < 0;
		e->continued = true;
	} else if (is_property(line, ll, "RRULE") || is_property(line, ll, "RDATE")) {
		e->keep = true;
	}
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

/*
 * Copy `text` without blank lines (Opencast leaves one after base64 values, which libical
 * takes for the end of the property), checking that it is iCalendar and that every BEGIN
 * has its END; with a window (keep_to > 0), one-off VEVENTs far from it are left out.
 */
static char *normalise(const char *text, size_t len, int64_t keep_from, int64_t keep_to,
		       char *err, size_t n)
{
	bool window = keep_to > 0;
	int64_t from_day = keep_from / 86400, to_day = keep_to / 86400;
	struct event_span span;
	size_t event_at = 0;         /* where the VEVENT being read began in `out` */
	bool in_event = false;
	char *out = malloc(len + 1);
	if (!out) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	char stack[16][32];
	int depth = 0, line_no = 0, open_line[16] = {0};
	bool seen_calendar = false;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		size_t end = j;
		if (end > i && text[end - 1] == '\r')
			end--;
		line_no++;
		const char *line = text + i;
		size_t ll = end - i;
		if (memchr(line, '\0', ll)) {
			snprintf(err, n, "not an iCalendar file (binary data at line %d)", line_no);
			goto fail;
		}
		if (ll > 0) {
			if (starts_with_ci(line, ll, "BEGIN:")) {
				if (depth == 16) {
					snprintf(err, n, "components nested too deeply at line %d",
						 line_no);
					goto fail;
				}
				snprintf(stack[depth], sizeof stack[depth], "%.*s", (int)(ll - 6),
					 line + 6);
				if (depth == 0 && strcasecmp(stack[depth], "VCALENDAR") != 0) {
					snprintf(err, n, "not an iCalendar file (line %d is BEGIN:%s, "
							 "not BEGIN:VCALENDAR)", line_no, stack[depth]);
					goto fail;
				}
				seen_calendar = true;
				open_line[depth++] = line_no;
				if (window && depth == 2 && strcasecmp(stack[1], "VEVENT") == 0) {
					in_event = true;
					event_at = o;
					span_reset(&span);
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
					if (!span_wanted(&span, from_day, to_day)) {
						o = event_at; /* not this one: drop what was copied */
						i = j < len ? j + 1 : j;
						continue;
					}
				}
			} else if (depth == 0) {
				snprintf(err, n, "not an iCalendar file (line %d is outside "
						 "BEGIN:VCALENDAR)", line_no);
				goto fail;
			} else if (in_event && depth == 2) {
				span_line(&span, line, ll);
			}
			memcpy(out + o, text + i, j - i);
			o += j - i;
			if (j < len)
				out[o++] = '\n';
		}
		i = j < len ? j + 1 : j;
	}
	if (!seen_calendar) {
		snprintf(err, n, "not an iCalendar file (no BEGIN:VCALENDAR)");
		goto fail;
	}
	if (depth > 0) {
		snprintf(err, n, "truncated: BEGIN:%s at line %d has no END", stack[depth - 1],
			 open_line[depth - 1]);
		goto fail;
	}
	out[o] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

lt_err calendar_parse(const char *text, size_t len, const struct calendar_options *opt,
		      struct calendar **out, char *err, size_t err_len)
{
	char *clean = normalise(text, len, opt ? opt->keep_from : 0, opt ? opt->keep_to : 0, err,
			       err_len);
	if (!clean)
		return LT_ERR_PARSE;
	icalerror_set_errors_are_fatal(0);
	icalcomponent *root = icalparser_parse_string(clean);
	free(clean);
	if (!root) {
		snprintf(err, err_len, "not an iCalendar file (libical could not parse it)");
		return LT_ERR_PARSE;
	}
	struct calendar *cal = calloc(1, sizeof *cal);
	if (!cal) {
		icalcomponent_free(root);
		return LT_ERR_NOMEM;
	}
	cal->root = root;
	if (opt && opt->presenter_property)
		snprintf(cal->presenter_prop, sizeof cal->presenter_prop, "%s",
			 opt->presenter_property);
	*out = cal;
	return LT_OK;
}

void calendar_free(struct calendar *cal)
{
	if (!cal)
		return;
	icalcomponent_free(cal->root);
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
	if (!zone)
		log_warn("calendar: event %s: unknown time zone '%s': taken as local time", uid,
			 tzid);
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

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
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
		copy_str(o->presenter, sizeof o->presenter, custom);
	} else {
		icalproperty *org = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
		if (org) {
			icalparameter *cn = icalproperty_get_first_parameter(org, ICAL_CN_PARAMETER);
			copy_str(o->presenter, sizeof o->presenter,
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
		const char *name = cn ? icalparameter_get_cn(cn) : "";
		const char *mail = strip_mailto(icalproperty_get_attendee(a));
		size_t need = strlen(name) + strlen(mail) + 5;
		if (len + need + 1 > cap) {
			size_t ncap = (len + need + 1) * 2;
			char *n = realloc(list, ncap);
			if (!n)
				break;
			list = n;
			cap = ncap;
		}
		len += (size_t)snprintf(list + len, cap - len, "%s <%s>\n", name, mail);
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

static void dc_field(xmlNode *root, const char *local, char *dst, size_t n)
{
	for (xmlNode *e = root ? root->children : NULL; e; e = e->next) {
		if (e->type == XML_ELEMENT_NODE && strcmp((const char *)e->name, local) == 0) {
			xmlChar *v = xmlNodeGetContent(e);
			copy_str(dst, n, (const char *)v);
			xmlFree(v);
			return;
		}
	}
}

static void read_episode_dc(struct occurrence *o, const char *xml, size_t len)
{
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "episode.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return;
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!o->presenter[0])
		dc_field(root, "creator", o->presenter, sizeof o->presenter);
	if (!o->title[0])
		dc_field(root, "title", o->title, sizeof o->title);
	dc_field(root, "isPartOf", o->series, sizeof o->series);
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

static void read_attachments(icalcomponent *ev, struct occurrence *o)
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
			o->agent_properties = decoded;
			read_agent_properties(o, decoded);
			continue;
		}
		free(decoded);
	}
	if (o->episode_dc)
		read_episode_dc(o, o->episode_dc, strlen(o->episode_dc));
}

/* --- expansion --------------------------------------------------------------------------- */

/* One VEVENT, prepared: its times resolved, its kind known. */
struct event {
	icalcomponent *comp;
	icalcomponent *vcal;
	const char *uid;
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

static bool read_event(const struct zone_ctx *z, icalcomponent *ev, struct event *e)
{
	memset(e, 0, sizeof *e);
	e->comp = ev;
	e->vcal = z->vcal;
	e->uid = icalcomponent_get_uid(ev);
	if (!e->uid)
		e->uid = "(no UID)";
	e->cancelled = icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED;
	icalproperty *ds = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	if (!ds || bad_time(icalproperty_get_dtstart(ds))) {
		log_warn("calendar: event %s skipped: its start (DTSTART) is missing or unreadable",
			 e->uid);
		return false;
	}
	e->dtstart = icalproperty_get_dtstart(ds);
	e->zone = zone_of(z, ds, e->uid);
	e->all_day = e->dtstart.is_date;
	e->start = to_unix(z, e->dtstart, e->zone);
	e->wall_zone = icaltime_is_utc(e->dtstart) ? icaltimezone_get_utc_timezone()
			: e->zone ? e->zone : z->floating;

	icalproperty *de = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
	icalproperty *du = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
	if (de) {
		struct icaltimetype t = icalproperty_get_dtend(de);
		if (bad_time(t)) {
			log_warn("calendar: event %s skipped: its end (DTEND) is unreadable", e->uid);
			return false;
		}
		int64_t end = to_unix(z, t, zone_of(z, de, e->uid));
		/* All-day: whole days between the two dates (as UTC midnights, so exact). */
		e->duration = e->all_day ? ((int64_t)icaltime_as_timet(t) -
					    (int64_t)icaltime_as_timet(e->dtstart)) / 86400
					 : end - e->start;
		if (end < e->start) {
			log_warn("calendar: event %s skipped: it ends before it starts", e->uid);
			return false;
		}
	} else if (du) {
		struct icaldurationtype d = icalproperty_get_duration(du);
		int secs = icaldurationtype_as_int(d);
		if (secs < 0) {
			log_warn("calendar: event %s skipped: negative DURATION", e->uid);
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
				 "was skipped", e->uid);
			return false;
		}
		e->is_override = true;
		e->rid_is_date = r.is_date;
		e->rid = to_unix(z, r, zone_of(z, rp, e->uid));
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

static lt_err add_occurrence(struct calendar *cal, const struct event *e, int64_t start,
			     struct occurrence_list *out)
{
	struct occurrence *o = list_add(out);
	if (!o)
		return LT_ERR_NOMEM;
	copy_str(o->uid, sizeof o->uid, e->uid);
	o->start = start;
	o->end = instance_end(e, start);
	o->all_day = e->all_day;
	o->recurrence_id = e->is_override ? e->rid : 0;
	copy_str(o->title, sizeof o->title, icalcomponent_get_summary(e->comp));
	copy_str(o->location, sizeof o->location, icalcomponent_get_location(e->comp));
	read_people(cal, e->comp, o);
	read_attachments(e->comp, o);
	return LT_OK;
}

struct instance {
	int64_t start;
	int64_t end;                 /* for RDATE periods; 0: the series' duration */
};

/* All instance starts of a master that may overlap [from, to), before overrides. */
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
		icalrecur_iterator *it = icalrecur_iterator_new(rule, m->dtstart);
		if (!it) {
			log_warn("calendar: event %s: its RRULE cannot be expanded; using its first "
				 "instance only", m->uid);
			PUSH(m->start, 0);
		}
		for (int i = 0; it && i < MAX_INSTANCES_PER_SERIES; i++) {
			struct icaltimetype t = icalrecur_iterator_next(it);
			if (icaltime_is_null_time(t))
				break;
			int64_t s = to_unix(z, t, m->zone);
			if (s >= to || s > until)
				break;
			if (s + reach >= from)
				PUSH(s, 0);
			if (i == MAX_INSTANCES_PER_SERIES - 1)
				log_warn("calendar: event %s: stopped after %d instances",
					 m->uid, MAX_INSTANCES_PER_SERIES);
		}
		if (it)
			icalrecur_iterator_free(it);
	} else {
		PUSH(m->start, 0);
	}
	for (icalproperty *p = icalcomponent_get_first_property(m->comp, ICAL_RDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(m->comp, ICAL_RDATE_PROPERTY)) {
		struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
		icaltimezone *zone = zone_of(z, p, m->uid);
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
		int64_t x = to_unix(z, t, zone_of(z, p, m->uid));
		for (size_t i = 0; i < n;) {
			if (same_instance(v[i].start, x, t.is_date))
				v[i] = v[--n];
			else
				i++;
		}
	}
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

static int compare_events(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	int c = strcmp(x->uid, y->uid);
	if (c)
		return c;
	if (x->is_override != y->is_override)
		return x->is_override ? 1 : -1;
	return (x->rid > y->rid) - (x->rid < y->rid);
}

/* One UID: a series (ev[0] unless all are overrides) and its overrides. */
static lt_err expand_group(struct calendar *cal, const struct zone_ctx *z, struct event *ev,
			   size_t k, int64_t from, int64_t to, struct occurrence_list *out)
{
	struct event *m = &ev[0];
	lt_err err = LT_OK;
	if (m->is_override) {
		/* Overrides without their series in the file stand alone. */
		for (size_t j = 0; j < k && err == LT_OK; j++)
			if (!ev[j].cancelled &&
			    overlaps(ev[j].start, instance_end(&ev[j], ev[j].start), from, to))
				err = add_occurrence(cal, &ev[j], ev[j].start, out);
		return err;
	}
	if (m->cancelled)
		return LT_OK; /* the whole series is cancelled, overrides included */
	struct instance *inst;
	size_t count;
	err = series_instances(z, m, from, to, &inst, &count);
	if (err != LT_OK)
		return err;
	for (size_t j = 1; j < k && err == LT_OK; j++) {
		const struct event *o = &ev[j];
		if (!o->is_override)
			continue; /* a second series with the same UID: ignored */
		for (size_t x = 0; x < count;) {
			if (same_instance(inst[x].start, o->rid, o->rid_is_date))
				inst[x] = inst[--count];
			else
				x++;
		}
		if (!o->cancelled && overlaps(o->start, instance_end(o, o->start), from, to))
			err = add_occurrence(cal, o, o->start, out);
	}
	for (size_t x = 0; x < count && err == LT_OK; x++) {
		int64_t s = inst[x].start;
		int64_t e = inst[x].end ? inst[x].end : instance_end(m, s);
		if (!overlaps(s, e, from, to))
			continue;
		err = add_occurrence(cal, m, s, out);
		if (err == LT_OK && inst[x].end)
			out->items[out->count - 1].end = inst[x].end;
	}
	free(inst);
	return err;
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

static lt_err expand_calendar(struct calendar *cal, icalcomponent *vcal, int64_t from, int64_t to,
			      struct occurrence_list *out)
{
	struct zone_ctx z = {.vcal = vcal};
	const char *wr = x_value(vcal, "X-WR-TIMEZONE");
	if (wr && *wr) {
		z.floating = builtin_zone(wr);
		if (!z.floating)
			log_warn("calendar: X-WR-TIMEZONE '%s' is unknown: floating times are local",
				 wr);
	}
	size_t n = (size_t)icalcomponent_count_components(vcal, ICAL_VEVENT_COMPONENT);
	struct event *ev = calloc(n ? n : 1, sizeof *ev);
	if (!ev)
		return LT_ERR_NOMEM;
	size_t k = 0;
	for (icalcomponent *c = icalcomponent_get_first_component(vcal, ICAL_VEVENT_COMPONENT);
	     c && k < n; c = icalcomponent_get_next_component(vcal, ICAL_VEVENT_COMPONENT))
		if (read_event(&z, c, &ev[k]))
			k++;
	/* Group by UID, the series first in each group, so that overrides find their series
	 * whatever their place in the file. */
	qsort(ev, k, sizeof *ev, compare_events);
	lt_err err = LT_OK;
	for (size_t g = 0; g < k && err == LT_OK;) {
		size_t end = g + 1;
		while (end < k && strcmp(ev[end].uid, ev[g].uid) == 0)
			end++;
		err = expand_group(cal, &z, ev + g, end - g, from, to, out);
		g = end;
	}
	free(ev);
	return err;
}

lt_err calendar_expand(struct calendar *cal, int64_t from, int64_t to, struct occurrence_list *out)
{
	icalcomponent *cals[8];
	size_t n = collect_calendars(cal->root, cals, sizeof cals / sizeof cals[0]);
	size_t before = out->count;
	for (size_t i = 0; i < n; i++) {
		lt_err err = expand_calendar(cal, cals[i], from, to, out);
		if (err != LT_OK)
			return err;
	}
	if (out->count > before)
		qsort(out->items + before, out->count - before, sizeof *out->items,
		      compare_occurrences);
	return LT_OK;
}
