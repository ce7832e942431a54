/* cmd_schedule.c — `lectern schedule`: the room's occurrences in a window of days. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern/app.h"
#include "lectern/calendar.h"
#include "lectern/commands.h"
#include "lectern/jsonout.h"
#include "lectern/schedule.h"

static void schedule_usage(FILE *out)
{
	fprintf(out,
		"Usage: lectern schedule [--ics FILE|URL] [--from YYYY-MM-DD] [--days N] [--json]\n"
		"\n"
		"Prints the occurrences overlapping [FROM 00:00, FROM+N days 00:00) in local time,\n"
		"sorted by start. Without --ics, the configured [schedule] source (or its cache).\n"
		"  --from DATE   first day (default: today)\n"
		"  --days N      number of days (default 7)\n"
		"  --json        one JSON object per line\n");
}

static bool parse_day(const char *s, int64_t *out)
{
	struct tm tm = {0};
	char *end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return false;
	int y = tm.tm_year, m = tm.tm_mon, d = tm.tm_mday;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	struct tm back;
	localtime_r(&t, &back);
	if (back.tm_year != y || back.tm_mon != m || back.tm_mday != d)
		return false; /* 2026-02-31 */
	*out = (int64_t)t;
	return true;
}

static void print_line(const struct occurrence *o)
{
	char s[32], e[32];
	json_local_time(o->start, s, sizeof s);
	json_local_time(o->end, e, sizeof e);
	if (o->all_day)
		printf("%.10s  all day     ", s);
	else
		printf("%.10s %.5s-%.5s  ", s, s + 11, e + 11);
	printf("%s", o->title[0] ? o->title : "(untitled)");
	if (o->presenter[0])
		printf(" — %s", o->presenter);
	if (o->location[0])
		printf(" @ %s", o->location);
	if (o->recurrence_id)
		printf(" (moved)");
	printf("\n");
}

static void print_json(const struct occurrence *o)
{
	json_object *j = json_object_new_object();
	if (!j)
		return;
	char buf[32];
	jsonout_put_string(j, "uid", o->uid);
	json_local_time(o->start, buf, sizeof buf);
	jsonout_put_string(j, "start", buf);
	json_local_time(o->end, buf, sizeof buf);
	jsonout_put_string(j, "end", buf);
	json_object_object_add(j, "all_day", json_object_new_boolean(o->all_day));
	jsonout_put_string(j, "title", o->title);
	jsonout_put_string(j, "presenter", o->presenter);
	jsonout_put_string(j, "location", o->location);
	jsonout_put_int(j, "attendees", o->attendees);
	if (o->recurrence_id) {
		json_local_time(o->recurrence_id, buf, sizeof buf);
		jsonout_put_string(j, "recurrence_id", buf);
	}
	jsonout_print_line(stdout, j);
}

int cmd_schedule(int argc, char **argv, const char *config_path)
{
	static const struct option opts[] = {
		{"ics", required_argument, NULL, 'i'},	{"from", required_argument, NULL, 'f'},
		{"days", required_argument, NULL, 'd'}, {"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},	{NULL, 0, NULL, 0},
	};
	const char *ics = NULL;
	bool json = false;
	int64_t from = calendar_local_midnight((int64_t)time(NULL), 0);
	long days = 7;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ics = optarg; break;
		case 'j': json = true; break;
		case 'f':
			if (!parse_day(optarg, &from)) {
				fprintf(stderr, "lectern: schedule: --from '%s' is not a date "
						"(YYYY-MM-DD)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'd': {
			char *end;
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || days < 1 || days > 3660) {
				fprintf(stderr, "lectern: schedule: --days '%s' must be 1 to 3660\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'h': schedule_usage(stdout); return EXIT_OK;
		default: schedule_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lectern: schedule: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	struct config cfg;
	int rc = app_load_config(config_path, &cfg);
	if (rc != EXIT_OK)
		return rc;
	int64_t to = calendar_local_midnight(from, (int)days);
	struct occurrence_list list = {0};
	char why[512];
	lt_err err = schedule_list(&cfg, ics, from, to, &list, why, sizeof why);
	if (err != LT_OK) {
		fprintf(stderr, "lectern: schedule: %s\n", why);
		return err == LT_ERR_CONFIG ? EXIT_USAGE : EXIT_FAIL;
	}
	for (size_t i = 0; i < list.count; i++)
		(json ? print_json : print_line)(&list.items[i]);
	occurrence_list_free(&list);
	return EXIT_OK;
}
