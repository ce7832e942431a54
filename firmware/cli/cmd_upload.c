/* cmd_upload.c — `lectern upload --once`. */
#include <stdio.h>
#include <string.h>

#include "lectern/app.h"
#include "lectern/cli.h"
#include "lectern/commands.h"
#include "lectern/osutil.h"
#include "lectern/upload.h"

int cmd_upload(int argc, char **argv, const char *config_path)
{
	if (argc != 2 || strcmp(argv[1], "--once") != 0) {
		fprintf(stderr, "Usage: lectern upload --once   (drain the queue in the foreground)\n");
		return EXIT_USAGE;
	}
	struct config cfg;
	struct store *st;
	int rc = app_load_config(config_path, &cfg);
	/* Opencast's ingest needs libxml2, which lectern-upload leaves out (cli.h). */
	if (rc == EXIT_OK && strcmp(cfg.upload_target, "none") != 0 && !upload_target(&cfg))
		return cli_hand_over("upload", CLI_NET_FILE);
	/* It requeues interrupted uploads: never while an appliance may be sending one. */
	if (rc != EXIT_OK || (rc = app_open_store_locked(&cfg, "lectern upload", &st)) != EXIT_OK)
		return rc;
	if (!upload_target(&cfg)) {
		fprintf(stderr, "lectern: upload: no target configured ([upload] target = none)\n");
		store_close(st);
		return EXIT_USAGE;
	}
	upload_recover(st);
	int attempted, failed;
	upload_run_once(&cfg, st, os_now_ms(), true, &attempted, &failed);
	int pruned = upload_prune(&cfg, st, os_now_ms());
	store_close(st);
	if (pruned)
		printf("%d delivered recording(s) past retention removed here\n", pruned);
	printf("%d uploaded, %d failed\n", attempted - failed, failed);
	return failed ? EXIT_FAIL : EXIT_OK;
}
