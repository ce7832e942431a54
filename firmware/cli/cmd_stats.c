/*
 * cmd_stats.c — `lectern stats`: participation over a term, for the programme (reports.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern/app.h"
#include "lectern/commands.h"
#include "lectern/csvout.h"
#include "lectern/jsonout.h"
#include "lectern/reports.h"

static void stats_usage(FILE *out)
{
	fprintf(out,
		"Usage: lectern stats [--term FROM..TO] [--json|--csv]\n"
		"\n"
		"Participation over a term (dates YYYY-MM-DD, local time, both included; either\n"
		"side may be left out: 2026-09-01.. or ..2026-12-31; --term .. for everything\n"
		"kept). Default: the current term, from the latest of [ui] term_start's days\n"
		"(MM-DD, e.g. 01-01,04-01,07-01,10-01) on, as the screen's peer-teacher and\n"
		"thank-you cards count it:\n"
		"  sessions held (checked in to or recorded) and recorded;\n"
		"  check-ins per session: mean and median over the sessions that had check-in;\n"
		"  the trend by ISO week (sessions, check-ins, mean), and its slope in check-ins\n"
		"  per session per week (least squares over the weeks that had check-in);\n"
		"  returning attendees: people at two sessions or more ([privacy] attendance =\n"
		"  names only: other modes store no one to recognise);\n"
		"  sessions given per presenter (the calendar's, else the name typed when\n"
		"  recording; \"(unknown)\" when neither).\n"
		"  --json   one JSON object\n"
		"  --csv    CSV (RFC 4180): section,name,sessions,recorded,checkins,mean,median,\n"
		"           people,returning; sections total, week, presenter\n");
}

struct week {
	char name[16];              /* "2026-W47" */
	int sessions, checkin_sessions, checkins;
};

struct presenter {
	char name[128];
	int sessions;
};

struct tally {
	int held, recorded, checkin_sessions, checkins;
	int *counts;                /* check-ins of each session that had check-in */
	struct week *weeks;
	size_t n_weeks;
	struct presenter *presenters;
	size_t n_presenters;
	bool oom;
};

static void *grow(void *items, size_t n, size_t size)
{
	/* Doubling at powers of two: n items fit, and one more. */
	if (n & (n - 1))
		return items;
	return realloc(items, (n ? 2 * n : 1) * size);
}

static int tally_session(const struct report_session *s, void *user)
{
	struct tally *t = user;
	t->held++;
	t->recorded += s->recordings > 0;
	char name[16];
	time_t when = (time_t)s->start_s;
	struct tm tm;
	localtime_r(&when, &tm);
	strftime(name, sizeof name, "%G-W%V", &tm);
	size_t w = 0;
	while (w < t->n_weeks && strcmp(t->weeks[w].name, name) != 0)
		w++;
	if (w == t->n_weeks) {
		struct week *more = grow(t->weeks, t->n_weeks, sizeof *more);
		if (!more)
			goto oom;
		t->weeks = more;
		t->weeks[t->n_weeks++] = (struct week){0};
		snprintf(t->weeks[w].name, sizeof t->weeks[w].name, "%s", name);
	}
	t->weeks[w].sessions++;
	if (s->checkin) {
		int *more = grow(t->counts, (size_t)t->checkin_sessions, sizeof *more);
		if (!more)
			goto oom;
		t->counts = more;
		t->counts[t->checkin_sessions++] = s->count;
		t->checkins += s->count;
		t->weeks[w].checkin_sessions++;
		t->weeks[w].checkins += s->count;
	}
	const char *who = s->presenter[0] ? s->presenter : "(unknown)";
	size_t p = 0;
	while (p < t->n_presenters && strcmp(t->presenters[p].name, who) != 0)
		p++;
	if (p == t->n_presenters) {
		struct presenter *more = grow(t->presenters, t->n_presenters, sizeof *more);
		if (!more)
			goto oom;
		t->presenters = more;
		t->presenters[t->n_presenters++] = (struct presenter){0};
		snprintf(t->presenters[p].name, sizeof t->presenters[p].name, "%s", who);
	}
	t->presenters[p].sessions++;
	return 0;
oom:
	t->oom = true;
	return 1;
}

static int by_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Most sessions first, then by name. */
static int by_sessions(const void *a, const void *b)
{
	const struct presenter *x = a, *y = b;
	if (x->sessions != y->sessions)
		return y->sessions - x->sessions;
	return strcmp(x->name, y->name);
}

static double median(int *v, int n)
{
	if (n == 0)
		return NAN;
	qsort(v, (size_t)n, sizeof *v, by_int);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* The Monday of ISO week "YYYY-Www" in days since the epoch (week 1 holds January 4th). */
static bool week_monday(const char *name, double *day)
{
	int year, week;
	if (sscanf(name, "%d-W%d", &year, &week) != 2)
		return false;
	struct tm jan4 = {.tm_year = year - 1900, .tm_mday = 4, .tm_hour = 12, .tm_isdst = -1};
	time_t t = mktime(&jan4); /* sets tm_wday */
	*day = floor((double)t / 86400.0) - (jan4.tm_wday + 6) % 7 + 7.0 * (week - 1);
	return true;
}

/* Least-squares slope of the weekly means against the week (weeks since the first that had
 * check-in): how much a session gains or loses per week. NAN with fewer than two weeks. */
static double slope(const struct tally *t)
{
	double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, first = 0;
	for (size_t i = 0; i < t->n_weeks; i++) {
		const struct week *w = &t->weeks[i];
		double day;
		if (!w->checkin_sessions || !week_monday(w->name, &day))
			continue;
		if (n == 0)
			first = day;
		double x = (day - first) / 7.0, y = (double)w->checkins / w->checkin_sessions;
		n++;
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	double d = n * sxx - sx * sx;
	return n >= 2 && d != 0 ? (n * sxy - sx * sy) / d : NAN;
}

static int by_week(const void *a, const void *b)
{
	return strcmp(((const struct week *)a)->name, ((const struct week *)b)->name);
}

/* A mean or median in JSON: 3 decimals, null when there is none. */
static void put_number(json_object *o, const char *key, double v)
{
	if (isnan(v))
		json_object_object_add(o, key, NULL);
	else
		jsonout_put_fixed3(o, key, v);
}

static void csv_number(double v)
{
	if (isnan(v))
		csvout_field(stdout, "", 0);
	else
		printf(",%.3f", v);
}

static void text_number(const char *label, double v)
{
	if (isnan(v))
		printf("%s: -\n", label);
	else
		printf("%s: %.1f\n", label, v);
}

static void report(const struct tally *t, enum cmd_format format, const char *from_s,
		   const char *to_s, bool names, int people, int returning)
{
	double mean = t->checkin_sessions ? (double)t->checkins / t->checkin_sessions : NAN;
	int *counts = t->counts;
	double med = median(counts, t->checkin_sessions);
	double trend = slope(t);
	if (format == CMD_JSON) {
		json_object *o = json_object_new_object(), *weeks = json_object_new_array(),
			    *pres = json_object_new_array(), *per = json_object_new_object();
		if (!o || !weeks || !pres || !per) {
			json_object_put(o);
			json_object_put(weeks);
			json_object_put(pres);
			json_object_put(per);
			return;
		}
		jsonout_put_string(o, "from", from_s);
		jsonout_put_string(o, "to", to_s);
		jsonout_put_int(o, "sessions_held", t->held);
		jsonout_put_int(o, "sessions_recorded", t->recorded);
		jsonout_put_int(o, "sessions_with_checkin", t->checkin_sessions);
		jsonout_put_int(o, "checkins", t->checkins);
		put_number(per, "mean", mean);
		put_number(per, "median", med);
		json_object_object_add(o, "checkins_per_session", per);
		for (size_t i = 0; i < t->n_weeks; i++) {
			const struct week *w = &t->weeks[i];
			json_object *one = json_object_new_object();
			if (!one)
				continue;
			jsonout_put_string(one, "week", w->name);
			jsonout_put_int(one, "sessions", w->sessions);
			jsonout_put_int(one, "sessions_with_checkin", w->checkin_sessions);
			jsonout_put_int(one, "checkins", w->checkins);
			put_number(one, "mean", w->checkin_sessions
							? (double)w->checkins / w->checkin_sessions
							: NAN);
			json_object_array_add(weeks, one);
		}
		json_object_object_add(o, "weeks", weeks);
		put_number(o, "trend_per_week", trend);
		if (names) {
			json_object *r = json_object_new_object();
			jsonout_put_int(r, "people", people);
			jsonout_put_int(r, "returning", returning);
			json_object_object_add(o, "returning", r);
		} else {
			json_object_object_add(o, "returning", NULL);
		}
		for (size_t i = 0; i < t->n_presenters; i++) {
			json_object *one = json_object_new_object();
			if (!one)
				continue;
			jsonout_put_string(one, "presenter", t->presenters[i].name);
			jsonout_put_int(one, "sessions", t->presenters[i].sessions);
			json_object_array_add(pres, one);
		}
		json_object_object_add(o, "presenters", pres);
		jsonout_print_line(stdout, o);
		return;
	}
	if (format == CMD_CSV) {
		static const char *const header[] = {"section", "name", "sessions", "recorded",
						     "checkins", "mean", "median", "people",
						     "returning"};
		csvout_row(stdout, header, 9);
		csvout_field(stdout, "total", 1);
		csvout_field(stdout, "", 0);
		csvout_int(stdout, t->held, 0);
		csvout_int(stdout, t->recorded, 0);
		csvout_int(stdout, t->checkins, 0);
		csv_number(mean);
		csv_number(med);
		if (names) {
			csvout_int(stdout, people, 0);
			csvout_int(stdout, returning, 0);
		} else {
			csvout_field(stdout, "", 0);
			csvout_field(stdout, "", 0);
		}
		csvout_end(stdout);
		for (size_t i = 0; i < t->n_weeks; i++) {
			const struct week *w = &t->weeks[i];
			csvout_field(stdout, "week", 1);
			csvout_field(stdout, w->name, 0);
			csvout_int(stdout, w->sessions, 0);
			csvout_field(stdout, "", 0);
			csvout_int(stdout, w->checkins, 0);
			csv_number(w->checkin_sessions ? (double)w->checkins / w->checkin_sessions
						       : NAN);
			printf(",,,");
			csvout_end(stdout);
		}
		for (size_t i = 0; i < t->n_presenters; i++) {
			csvout_field(stdout, "presenter", 1);
			csvout_field(stdout, t->presenters[i].name, 0);
			csvout_int(stdout, t->presenters[i].sessions, 0);
			printf(",,,,,,");
			csvout_end(stdout);
		}
		return;
	}
	printf("Term: %s .. %s\n", *from_s ? from_s : "(start)", *to_s ? to_s : "(end)");
	printf("Sessions held: %d, recorded: %d, with check-in: %d\n", t->held, t->recorded,
	       t->checkin_sessions);
	printf("Check-ins: %d\n", t->checkins);
	text_number("Check-ins per session, mean", mean);
	text_number("Check-ins per session, median", med);
	if (t->n_weeks) {
		printf("By ISO week (sessions, check-ins, mean):\n");
		for (size_t i = 0; i < t->n_weeks; i++) {
			const struct week *w = &t->weeks[i];
			printf("  %s  %3d  %4d  ", w->name, w->sessions, w->checkins);
			if (w->checkin_sessions)
				printf("%.1f\n", (double)w->checkins / w->checkin_sessions);
			else
				printf("-\n");
		}
	}
	if (!isnan(trend))
		printf("Trend: %+.2f check-ins per session per week\n", trend);
	if (names)
		printf("Returning attendees: %d of %d people came to two sessions or more\n",
		       returning, people);
	else
		printf("Returning attendees: not known ([privacy] attendance is not names)\n");
	if (t->n_presenters) {
		printf("Sessions per presenter:\n");
		for (size_t i = 0; i < t->n_presenters; i++)
			printf("  %3d  %s\n", t->presenters[i].sessions, t->presenters[i].name);
	}
}

/* "FROM..TO" (either side may be empty) into [from, to), the last day included. */
static bool parse_term(const char *text, int64_t *from, int64_t *to, char *from_s,
		       char *to_s, size_t n)
{
	const char *dots = strstr(text, "..");
	if (!dots || strstr(dots + 2, "..")) {
		fprintf(stderr, "lectern stats: --term: '%s' is not FROM..TO (dates YYYY-MM-DD, "
				"e.g. 2026-09-01..2026-12-31)\n", text);
		return false;
	}
	snprintf(from_s, n, "%.*s", (int)(dots - text), text);
	snprintf(to_s, n, "%s", dots + 2);
	int64_t day;
	if (*from_s) {
		if (!cmd_parse_day("stats", "--term", from_s, &day))
			return false;
		*from = day;
	}
	if (*to_s) {
		if (!cmd_parse_day("stats", "--term", to_s, &day))
			return false;
		*to = cmd_next_day(day);
	}
	if (*from >= *to) {
		fprintf(stderr, "lectern stats: --term: '%s' ends before it starts\n", text);
		return false;
	}
	return true;
}

/* The term `now` lies in, by the rule the screen's cards follow (config_term_start): from its
 * first day, open-ended. */
static void current_term(const struct config *cfg, int64_t *from, char *from_s, size_t n)
{
	int64_t start;
	if (config_term_start(cfg->ui_term_start, (int64_t)time(NULL), &start) != 0)
		return;   /* refused when the configuration was loaded; kept whole just in case */
	*from = start;
	time_t t = (time_t)start;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(from_s, n, "%Y-%m-%d", &tm);
}

int cmd_stats(int argc, char **argv, const char *config_path)
{
	int64_t from = 0, to = INT64_MAX;
	char from_s[64] = "", to_s[64] = "";
	bool term_given = false;
	enum cmd_format format = CMD_TEXT;
	int taken;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			stats_usage(stdout);
			return EXIT_OK;
		} else if ((taken = cmd_parse_format("stats", a, &format)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
		} else if (strcmp(a, "--term") == 0 || strncmp(a, "--term=", 7) == 0) {
			const char *v = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[++i] : NULL;
			if (!v) {
				fprintf(stderr, "lectern stats: --term needs FROM..TO (dates "
						"YYYY-MM-DD)\n");
				return EXIT_USAGE;
			}
			if (!parse_term(v, &from, &to, from_s, to_s, sizeof from_s))
				return EXIT_USAGE;
			term_given = true;
		} else {
			fprintf(stderr, "lectern stats: unknown option '%s'\n", a);
			stats_usage(stderr);
			return EXIT_USAGE;
		}
	}
	struct config cfg;
	struct store *st;
	int rc = app_load_config_and_store(config_path, &cfg, &st);
	if (rc != EXIT_OK)
		return rc;
	if (!term_given)
		current_term(&cfg, &from, from_s, sizeof from_s);
	bool names = strcmp(cfg.attendance, "names") == 0;
	struct tally t = {0};
	int people = 0, returning = 0;
	lt_err err = store_report_sessions(st, from, to, tally_session, &t);
	if (err == LT_OK && t.oom)
		err = LT_ERR_NOMEM;
	if (err == LT_OK && names)
		err = store_report_returning(st, from, to, &people, &returning);
	store_close(st);
	if (err == LT_OK) {
		/* (a term without sessions has no arrays: qsort must not be handed NULL) */
		if (t.n_weeks)
			qsort(t.weeks, t.n_weeks, sizeof *t.weeks, by_week);
		if (t.n_presenters)
			qsort(t.presenters, t.n_presenters, sizeof *t.presenters, by_sessions);
		report(&t, format, from_s, to_s, names, people, returning);
	} else {
		fprintf(stderr, "lectern stats: the store cannot be read: %s\n", lt_strerror(err));
	}
	free(t.counts);
	free(t.weeks);
	free(t.presenters);
	return err == LT_OK ? EXIT_OK : EXIT_STORAGE;
}
