/* cmd_misc.c — `lectern recordings` and `lectern config`. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lectern/app.h"
#include "lectern/commands.h"
#include "lectern/jsonout.h"

static int print_json(const struct recording *r, void *user)
{
	(void)user;
	printf("{\"id\":%lld,\"uid\":", (long long)r->id);
	json_string(stdout, r->uid);
	printf(",\"state\":\"%s\",\"path\":", rec_state_name(r->state));
	json_string(stdout, r->path);
	printf(",\"title\":");
	json_string(stdout, r->title);
	printf(",\"presenter\":");
	json_string(stdout, r->presenter);
	printf(",\"room\":");
	json_string(stdout, r->room);
	printf(",\"started_ms\":%lld,\"ended_ms\":%lld,\"samples\":%lld,\"seconds\":%.3f,"
	       "\"bytes\":%lld,\"reason\":",
	       (long long)r->started_ms, (long long)r->ended_ms, (long long)r->samples,
	       (double)r->samples / 48000.0, (long long)r->bytes);
	json_string(stdout, r->reason);
	printf("}\n");
	return 0;
}

static int print_line(const struct recording *r, void *user)
{
	(void)user;
	time_t t = (time_t)(r->started_ms / 1000);
	struct tm tm;
	char when[32];
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	printf("%4lld  %-10s  %s  %8.1f s  %s%s%s\n", (long long)r->id, rec_state_name(r->state),
	       when, (double)r->samples / 48000.0, r->title[0] ? r->title : "(untitled)",
	       r->reason[0] ? "  — " : "", r->reason);
	return 0;
}

int cmd_recordings(int argc, char **argv, const char *config_path)
{
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else {
			fprintf(stderr, "lectern: recordings: unknown option '%s' (only --json)\n",
				argv[i]);
			return EXIT_USAGE;
		}
	}
	struct config cfg;
	struct store *st;
	int rc = app_load_config_and_store(config_path, &cfg, &st);
	if (rc != EXIT_OK)
		return rc;
	lt_err err = store_recordings_each(st, 0, json ? print_json : print_line, NULL);
	store_close(st);
	return err == LT_OK ? EXIT_OK : EXIT_STORAGE;
}

int cmd_config(int argc, char **argv, const char *config_path)
{
	if (argc == 2 && strcmp(argv[1], "sample") == 0) {
		config_write_sample(stdout);
		return EXIT_OK;
	}
	if (argc == 2 && strcmp(argv[1], "check") == 0) {
		struct config cfg;
		int rc = app_load_config(config_path, &cfg);
		if (rc == EXIT_OK)
			printf("%s: OK\n", cfg.source);
		return rc;
	}
	fprintf(stderr, "Usage: lectern [--config FILE] config check|sample\n");
	return EXIT_USAGE;
}
