/* cmd_queue.c — `lectern queue` and `lectern retry ID`: the upload queue as the store has it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/app.h"
#include "lectern/commands.h"
#include "lectern/jsonout.h"

#define QUEUE_MASK                                                                          \
	(REC_MASK(REC_QUEUED) | REC_MASK(REC_UPLOADING) | REC_MASK(REC_UPLOADED) |          \
	 REC_MASK(REC_FAILED))

/* Seconds left of a running upload at its current rate; -1 when unknown. */
static int64_t eta_s(const struct recording *r)
{
	if (r->state != REC_UPLOADING || r->rate_bps <= 0)
		return -1;
	return (r->bytes - r->sent_bytes + r->rate_bps - 1) / r->rate_bps;
}

static int print_job_json(const struct recording *r, void *user)
{
	(void)user;
	json_object *o = json_object_new_object();
	if (!o)
		return 1;
	jsonout_put_int(o, "id", r->id);
	jsonout_put_string(o, "state", rec_state_name(r->state));
	jsonout_put_int(o, "attempts", r->attempts);
	jsonout_put_int(o, "next_attempt_ms", r->next_attempt_ms);
	jsonout_put_int(o, "bytes", r->bytes);
	jsonout_put_int(o, "sent_bytes", r->sent_bytes);
	jsonout_put_int(o, "rate_bps", r->rate_bps);
	jsonout_put_int(o, "eta_s", eta_s(r));
	jsonout_put_int(o, "uploaded_ms", r->uploaded_ms);
	jsonout_put_string(o, "remote", r->remote);
	jsonout_put_string(o, "last_error", r->last_error);
	jsonout_put_string(o, "path", r->path);
	jsonout_print_line(stdout, o);
	return 0;
}

static int print_job(const struct recording *r, void *user)
{
	(void)user;
	char progress[96] = "";
	if (r->state == REC_UPLOADING && r->bytes > 0)
		snprintf(progress, sizeof progress, "  %3lld%% %lld kB/s ETA %llds ",
			 (long long)(r->sent_bytes * 100 / r->bytes), (long long)(r->rate_bps / 1000),
			 (long long)eta_s(r));
	printf("%4lld  %-9s  %3d attempt(s)  %10lld bytes%s  %s\n", (long long)r->id,
	       rec_state_name(r->state), r->attempts, (long long)r->bytes, progress,
	       r->last_error[0] ? r->last_error : r->remote);
	return 0;
}

int cmd_queue(int argc, char **argv, const char *config_path)
{
	bool json = argc == 2 && strcmp(argv[1], "--json") == 0;
	if (argc > 2 || (argc == 2 && !json)) {
		fprintf(stderr, "Usage: lectern queue [--json]\n");
		return EXIT_USAGE;
	}
	struct config cfg;
	struct store *st;
	int rc = app_load_config_and_store(config_path, &cfg, &st);
	if (rc != EXIT_OK)
		return rc;
	lt_err err = store_recordings_each(st, QUEUE_MASK, json ? print_job_json : print_job, NULL);
	store_close(st);
	return err == LT_OK ? EXIT_OK : EXIT_STORAGE;
}

int cmd_retry(int argc, char **argv, const char *config_path)
{
	char *end = NULL;
	errno = 0;
	long long id = argc == 2 ? strtoll(argv[1], &end, 10) : 0;
	if (argc != 2 || !*argv[1] || *end || errno || id <= 0) {
		fprintf(stderr, "Usage: lectern retry ID   (ID from lectern queue)\n");
		return EXIT_USAGE;
	}
	struct config cfg;
	struct store *st;
	int rc = app_load_config_and_store(config_path, &cfg, &st);
	if (rc != EXIT_OK)
		return rc;
	lt_err err = store_upload_retry(st, id);
	store_close(st);
	if (err != LT_OK) {
		fprintf(stderr, "lectern: retry: recording %lld %s\n", id,
			err == LT_ERR_NOT_FOUND ? "does not exist"
			: err == LT_ERR_STATE   ? "is not waiting for upload (see lectern queue)"
						: "could not be changed");
		return err == LT_ERR_STORE ? EXIT_STORAGE : EXIT_USAGE;
	}
	printf("recording %lld is due for upload now\n", id);
	return EXIT_OK;
}
