/* cmd_misc.c — `lectern recordings` and `lectern config`. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lectern/app.h"
#include "lectern/commands.h"
#include "lectern/jsonout.h"
#include "lectern/pinhash.h"

static int print_json(const struct recording *r, void *user)
{
	(void)user;
	json_object *o = json_object_new_object();
	if (!o)
		return 1;
	jsonout_put_int(o, "id", r->id);
	jsonout_put_string(o, "uid", r->uid);
	jsonout_put_string(o, "state", rec_state_name(r->state));
	jsonout_put_string(o, "path", r->path);
	jsonout_put_string(o, "title", r->title);
	jsonout_put_string(o, "presenter", r->presenter);
	jsonout_put_string(o, "room", r->room);
	jsonout_put_int(o, "started_ms", r->started_ms);
	jsonout_put_int(o, "ended_ms", r->ended_ms);
	jsonout_put_int(o, "samples", r->samples);
	jsonout_put_fixed3(o, "seconds", (double)r->samples / 48000.0);
	jsonout_put_int(o, "bytes", r->bytes);
	jsonout_put_string(o, "reason", r->reason);
	jsonout_put_string(o, "tags", r->tags);
	jsonout_put_string(o, "language", r->language);
	jsonout_put_string(o, "link", r->link);
	jsonout_print_line(stdout, o);
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
		char why[PATH_MAX + 256], hash[PINHASH_MAX_LEN];
		if (rc == EXIT_OK && cfg.ui_pin_file[0] &&
		    pinhash_read_file(cfg.ui_pin_file, hash, sizeof hash, why, sizeof why) != LT_OK) {
			fprintf(stderr, "lectern: %s: ui.pin_file: %s\n", cfg.source, why);
			return EXIT_USAGE;
		}
		if (rc == EXIT_OK && config_pin_warning(&cfg, why, sizeof why))
			fprintf(stderr, "lectern: warning: %s\n", why);
		if (rc == EXIT_OK)
			printf("%s: OK\n", cfg.source);
		return rc;
	}
	fprintf(stderr, "Usage: lectern [--config FILE] config check|sample\n");
	return EXIT_USAGE;
}
