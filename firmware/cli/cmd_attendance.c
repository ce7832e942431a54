/*
 * cmd_attendance.c — `lectern attendance`: per session, its date, title, presenter, count of
 * check-ins and, in [privacy] attendance = names, the names stored (reports.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern/app.h"
#include "lectern/commands.h"
#include "lectern/csvout.h"
#include "lectern/jsonout.h"
#include "lectern/reports.h"

static void attendance_usage(FILE *out)
{
	fprintf(out,
		"Usage: lectern attendance [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv|--json]\n"
		"\n"
		"Per session (oldest first): date, title, presenter, how many checked in, and the\n"
		"names stored when [privacy] attendance = names. Sessions recorded without\n"
		"check-in are listed with \"no check-in\". Check-ins that came after the recording\n"
		"was delivered and were not sent with it (Opencast takes no update) are shown as\n"
		"\"N after delivery\".\n"
		"  --from DATE   first day (local time, included; default: the first session)\n"
		"  --to DATE     last day (included; default: the last session)\n"
		"  --csv         CSV (RFC 4180): date,session,title,presenter,recordings,checkin,\n"
		"                count,after_delivery,names (names joined by \"; \")\n"
		"  --json        one JSON object per session and line\n");
}

bool cmd_parse_day(const char *command, const char *option, const char *text, int64_t *out)
{
	struct tm tm = {0};
	/* Exactly YYYY-MM-DD: strptime alone takes "26-1-1" for the year 26. */
	bool shape = text && strlen(text) == 10 && text[4] == '-' && text[7] == '-';
	for (int i = 0; shape && i < 10; i++)
		shape = i == 4 || i == 7 || (text[i] >= '0' && text[i] <= '9');
	char *end = shape ? strptime(text, "%Y-%m-%d", &tm) : NULL;
	if (end && !*end) {
		int y = tm.tm_year, m = tm.tm_mon, d = tm.tm_mday;
		tm.tm_isdst = -1;
		time_t t = mktime(&tm);
		struct tm back;
		localtime_r(&t, &back);
		/* mktime moves 2026-02-31 on to March: not the day that was asked for. */
		if (back.tm_year == y && back.tm_mon == m && back.tm_mday == d) {
			*out = (int64_t)t;
			return true;
		}
	}
	fprintf(stderr, "lectern %s: %s: '%s' is not a date (YYYY-MM-DD, e.g. 2026-03-24)\n",
		command, option, text ? text : "");
	return false;
}

int cmd_parse_format(const char *command, const char *arg, enum cmd_format *format)
{
	if (strcmp(arg, "--csv") != 0 && strcmp(arg, "--json") != 0)
		return 0;
	enum cmd_format f = arg[2] == 'c' ? CMD_CSV : CMD_JSON;
	if (*format != CMD_TEXT && *format != f) {
		fprintf(stderr, "lectern %s: --csv and --json: one or the other\n", command);
		return -1;
	}
	*format = f;
	return 1;
}

int64_t cmd_next_day(int64_t day)
{
	time_t t = (time_t)day;
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

struct listing {
	enum cmd_format format;
	bool names;                /* [privacy] attendance = names */
	struct store *st;
	lt_err err;
};

struct people {
	json_object *list;         /* JSON */
	char *joined;              /* text and CSV: "Name <email>; ..." */
	size_t len;
	FILE *out;
};

static int add_person(const struct store_checkin *c, void *user)
{
	struct people *p = user;
	if (!c->name[0])
		return 0; /* a guest, or a check-in stored without a name */
	if (p->list) {
		json_object *o = json_object_new_object();
		if (!o)
			return 1;
		char at[32];
		json_local_time(c->at_ms / 1000, at, sizeof at);
		jsonout_put_string(o, "name", c->name);
		if (c->email[0])
			jsonout_put_string(o, "email", c->email);
		jsonout_put_string(o, "method", c->method);
		jsonout_put_string(o, "checked_in_at", at);
		json_object_array_add(p->list, o);
	} else {
		if (ftell(p->out) > 0)
			fputs("; ", p->out);
		fputs(c->name, p->out);
		if (c->email[0])
			fprintf(p->out, " <%s>", c->email);
	}
	return 0;
}

/* The names of session `key`, as a JSON array or a joined text (names mode only). */
static lt_err gather(struct listing *l, const char *key, struct people *p)
{
	memset(p, 0, sizeof *p);
	if (!l->names)
		return LT_OK;
	if (l->format == CMD_JSON) {
		if (!(p->list = json_object_new_array()))
			return LT_ERR_NOMEM;
	} else if (!(p->out = open_memstream(&p->joined, &p->len))) {
		return LT_ERR_NOMEM;
	}
	lt_err err = store_checkins_each(l->st, key, add_person, p);
	if (p->out && fclose(p->out) != 0 && err == LT_OK)
		err = LT_ERR_NOMEM;
	p->out = NULL;
	return err;
}

/* Check-ins since the delivery that did not go with it: 0 when none or never delivered. */
static int after_delivery(const struct report_session *s)
{
	return s->delivered_count >= 0 ? s->count - s->delivered_count : 0;
}

static int print_session(const struct report_session *s, void *user)
{
	struct listing *l = user;
	struct people p;
	lt_err err = gather(l, s->key, &p);
	if (err != LT_OK) {
		l->err = err;
		json_object_put(p.list);
		free(p.joined);
		return 1;
	}
	char date[32];
	json_local_time(s->start_s, date, sizeof date);
	int late = after_delivery(s);
	if (l->format == CMD_JSON) {
		json_object *o = json_object_new_object();
		if (!o) {
			l->err = LT_ERR_NOMEM;
			json_object_put(p.list);
			return 1;
		}
		jsonout_put_string(o, "date", date);
		jsonout_put_string(o, "session", s->key);
		jsonout_put_string(o, "title", s->title);
		jsonout_put_string(o, "presenter", s->presenter);
		jsonout_put_int(o, "recordings", s->recordings);
		json_object_object_add(o, "checkin", json_object_new_boolean(s->checkin));
		jsonout_put_int(o, "count", s->count);
		json_object_object_add(o, "delivered_count",
				       s->delivered_count >= 0 ? json_object_new_int(s->delivered_count)
							       : NULL);
		jsonout_put_int(o, "after_delivery", late);
		if (p.list)
			json_object_object_add(o, "names", p.list);
		jsonout_print_line(stdout, o);
	} else if (l->format == CMD_CSV) {
		csvout_field(stdout, date, 1);
		csvout_field(stdout, s->key, 0);
		csvout_field(stdout, s->title, 0);
		csvout_field(stdout, s->presenter, 0);
		csvout_int(stdout, s->recordings, 0);
		csvout_field(stdout, s->checkin ? "yes" : "no", 0);
		csvout_int(stdout, s->count, 0);
		csvout_int(stdout, late, 0);
		csvout_field(stdout, p.joined ? p.joined : "", 0);
		csvout_end(stdout);
	} else {
		printf("%.10s %.5s  %s", date, date + 11, s->title[0] ? s->title : "(untitled)");
		if (s->presenter[0])
			printf(" — %s", s->presenter);
		if (!s->checkin)
			printf(": no check-in");
		else
			printf(": %d checked in", s->count);
		if (late > 0)
			printf(" (%d after delivery)", late);
		else if (late < 0)
			printf(" (%d undone after delivery)", -late);
		if (!s->recordings)
			printf(", not recorded");
		printf("\n");
		if (p.joined && *p.joined)
			printf("    %s\n", p.joined);
	}
	free(p.joined);
	return 0;
}

int cmd_attendance(int argc, char **argv, const char *config_path)
{
	static const char *const cmd = "attendance";
	int64_t from = 0, to = INT64_MAX;
	enum cmd_format format = CMD_TEXT;
	int taken;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			attendance_usage(stdout);
			return EXIT_OK;
		} else if ((taken = cmd_parse_format(cmd, a, &format)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
		} else if (strcmp(a, "--from") == 0 || strcmp(a, "--to") == 0 ||
			   strncmp(a, "--from=", 7) == 0 || strncmp(a, "--to=", 5) == 0) {
			bool from_opt = a[2] == 'f';
			const char *eq = strchr(a, '='), *opt = from_opt ? "--from" : "--to";
			if (!eq && i + 1 >= argc) {
				fprintf(stderr, "lectern attendance: %s needs a date (YYYY-MM-DD)\n", a);
				return EXIT_USAGE;
			}
			int64_t day;
			if (!cmd_parse_day(cmd, opt, eq ? eq + 1 : argv[++i], &day))
				return EXIT_USAGE;
			if (from_opt)
				from = day;
			else
				to = cmd_next_day(day); /* the last day is included */
		} else {
			fprintf(stderr, "lectern attendance: unknown option '%s'\n", a);
			attendance_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (from >= to) {
		fprintf(stderr, "lectern attendance: --from is after --to: no day between\n");
		return EXIT_USAGE;
	}
	struct config cfg;
	struct listing l = {.format = format};
	int rc = app_load_config_and_store(config_path, &cfg, &l.st);
	if (rc != EXIT_OK)
		return rc;
	l.names = strcmp(cfg.attendance, "names") == 0;
	if (format == CMD_CSV) {
		static const char *const header[] = {"date", "session", "title", "presenter",
						     "recordings", "checkin", "count",
						     "after_delivery", "names"};
		csvout_row(stdout, header, 9);
	}
	lt_err err = store_report_sessions(l.st, from, to, print_session, &l);
	store_close(l.st);
	if (err == LT_OK)
		err = l.err;
	if (err != LT_OK) {
		fprintf(stderr, "lectern attendance: the store cannot be read: %s\n", lt_strerror(err));
		return EXIT_STORAGE;
	}
	return EXIT_OK;
}
