/*
 * cmd_status.c — `lectern status [--json]`: what the appliance is doing and how it is, from
 * the health snapshot (health.h) that the Prometheus file and `lectern doctor` share. It lives
 * in lectern-net: the versions it reports include libcurl's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lectern/app.h"
#include "lectern/cli.h"
#include "lectern/commands.h"
#include "lectern/health.h"
#include "lectern/jsonout.h"
#include "lectern/osutil.h"

/* A unix time as a local time and how long ago; "never" for 0. */
static void when(int64_t t, int64_t now, char *buf, size_t n)
{
	if (!t) {
		snprintf(buf, n, "never");
		return;
	}
	char iso[40], ago[32];
	json_local_time(t, iso, sizeof iso);
	health_span(now > t ? now - t : 0, ago, sizeof ago);
	snprintf(buf, n, "%s (%s ago)", iso, ago);
}

static void print_text(const struct health_snapshot *h, bool store_ok)
{
	int64_t now = h->now_ms / 1000;
	char a[96], b[96];
	printf("State:        %s\n", health_state_name(h->state));
	if (h->recording_id) {
		health_span(now - h->recording_started_ms / 1000, a, sizeof a);
		printf("Recording:    #%" PRId64 " \"%s\" for %s\n", h->recording_id,
		       h->recording_title[0] ? h->recording_title : "untitled", a);
	} else {
		printf("Recording:    none\n");
	}
	if (!store_ok) {
		printf("Store:        CANNOT BE READ (see above)\n");
		printf("Queue:        unknown\n");
	} else if (h->queue_waiting) {
		health_span(health_queue_oldest_age_s(h), a, sizeof a);
		printf("Queue:        %d waiting (the oldest for %s), %d failed\n", h->queue_waiting, a,
		       h->queue_failed);
	} else {
		printf("Queue:        nothing waiting, %d failed\n", h->queue_failed);
	}
	if (h->calendar_configured) {
		when(h->calendar_ok_ms / 1000, now, a, sizeof a);
		printf("Calendar:     last sync %s%s%s%s\n", a, h->calendar_stale ? ", STALE" : "",
		       h->calendar_error[0] ? "; last error: " : "", h->calendar_error);
	} else {
		printf("Calendar:     none configured\n");
	}
	when(h->last_upload_ms / 1000, now, a, sizeof a);
	printf("Last upload:  %s\n", store_ok ? a : "unknown");
	if (h->disk_known)
		printf("Disk free:    %.1f MB\n", (double)h->disk_free_bytes / 1e6);
	else
		printf("Disk free:    unknown\n");
	printf("Microphone:   %s\n", h->microphone_present ? "present" : "missing");
	if (h->service_pid && h->service_is_run) {
		health_span(health_uptime_s(h), b, sizeof b);
		printf("Service:      running (pid %ld, up %s)\n", h->service_pid, b);
	} else if (h->service_pid) {
		printf("Service:      not running (pid %ld, a lectern record or upload, holds the data "
		       "directory)\n", h->service_pid);
	} else {
		printf("Service:      not running\n");
	}
	printf("Versions:    ");
	for (size_t i = 0; i < h->n_versions; i++)
		printf(" %s %s%s", h->versions[i].name, h->versions[i].version,
		       i + 1 < h->n_versions ? "," : "\n");
}

int cmd_status(int argc, char **argv, const char *config_path)
{
	bool json = false;
	int exit_code;
	if (!cli_flags(argc, argv, "status",
		       "Usage: lectern status [--json]\n"
		       "State, current recording, upload queue, last calendar sync, last upload,\n"
		       "free disk, microphone, the running service and versions.\n",
		       (const struct cli_flag[]){{"json", &json}, {NULL, NULL}}, &exit_code))
		return exit_code;
	/* A monitor reading --json gets JSON whatever fails (the why on stderr): {"error": …}
	 * without a configuration, the figures that do not need the store without one. */
	struct config cfg;
	struct store *st = NULL;
	int rc = app_load_config(config_path, &cfg);
	if (rc != EXIT_OK) {
		if (json) {
			json_object *o = json_object_new_object();
			jsonout_put_string(o, "error", "the configuration cannot be loaded (see stderr)");
			jsonout_print_line(stdout, o);
		}
		return rc;
	}
	bool store_ok = app_open_store(&cfg, &st) == EXIT_OK;
	struct health_snapshot h = {0};
	lt_err err = health_collect(&cfg, st, os_now_ms(), false, true, &h);
	store_close(st);
	if (!store_ok)
		err = LT_ERR_STORE;
	if (json) {
		json_object *o = health_json(&h);
		json_object_object_add(o, "store_ok", json_object_new_boolean(err == LT_OK));
		if (err != LT_OK) {
			/* Not "nothing waiting": unknown. */
			json_object_object_add(o, "queue", NULL);
			json_object_object_add(o, "last_upload", NULL);
		}
		jsonout_print_line(stdout, o);
	} else {
		print_text(&h, err == LT_OK);
	}
	if (err != LT_OK) {
		fprintf(stderr, "lectern: status: the store could not be read%s (see the log)\n",
			store_ok ? " in full" : "");
		return EXIT_STORAGE;
	}
	return EXIT_OK;
}
