/* cmd_misc.c — `lectern recordings` and `lectern config`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern/app.h"
#include "lectern/commands.h"
#include "lectern/jsonout.h"
#include "lectern/log.h"
#include "lectern/pinhash.h"
#include "lectern/roster.h"

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

/* [checkin] roster read as check-in reads it: each bad row a warning (FILE:LINE and what is
 * wrong; check-in skips it and loads the rest), a file that cannot be read an error naming it.
 * False on the error. The loader's own log lines are held back: they would say it twice. */
static bool check_roster(const struct config *cfg)
{
	const char *path = cfg->checkin_roster;
	if (!path[0])
		return true;
	char *text = NULL;
	size_t len = 0;
	FILE *problems = open_memstream(&text, &len);
	if (!problems) {
		fprintf(stderr, "lectern: %s: checkin.roster: %s: not checked: %s\n", cfg->source,
			path, strerror(errno));
		return false;
	}
	struct roster r;
	roster_init(&r);
	enum log_level level = log_get_level();
	log_set_level(LOG_LVL_ERROR);
	int bad = 0;
	int saved_errno = 0;
	lt_err err = roster_load_csv(&r, path, problems, &bad);
	if (err != LT_OK)
		saved_errno = errno;
	log_set_level(level);
	roster_free(&r);
	fclose(problems);
	bool ok = err == LT_OK;
	if (!ok && len == 0)   /* read but failed (a directory, an I/O error): said here */
		fprintf(stderr, "lectern: %s: checkin.roster: %s: cannot read it: %s\n", cfg->source,
			path, err == LT_ERR_IO && saved_errno ? strerror(saved_errno)
							      : lt_strerror(err));
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (ok)
			fprintf(stderr, "lectern: warning: roster: %s\n", line);
		else
			fprintf(stderr, "lectern: %s: checkin.roster: %s\n", cfg->source, line);
	}
	free(text);
	return ok;
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
		if (rc == EXIT_OK && !check_roster(&cfg))
			return EXIT_USAGE;
		if (rc == EXIT_OK)
			printf("%s: OK\n", cfg.source);
		return rc;
	}
	fprintf(stderr, "Usage: lectern [--config FILE] config check|sample\n");
	return EXIT_USAGE;
}
