/*
 * main.c — `lectern`, the front end users type: the light commands linked in, the ones that
 * need libcurl, libical or libxml2 handed to lectern-net or lectern-upload (cli.h).
 */
#include "lectern/cli.h"
#include "lectern/commands.h"

int main(int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{"record", cmd_record}, {"recordings", cmd_recordings}, {"queue", cmd_queue},
		{"retry", cmd_retry},   {"config", cmd_config},
		{"attendance", cmd_attendance}, {"stats", cmd_stats},
	};
	/* main_net.c's and main_upload.c's commands. */
	static const struct cli_elsewhere elsewhere[] = {
		{"run", CLI_NET_FILE},	   {"schedule", CLI_NET_FILE}, {"provision", CLI_NET_FILE},
		{"status", CLI_NET_FILE},  {"doctor", CLI_NET_FILE},   {"upload", CLI_UPLOAD_FILE},
		{NULL, NULL},
	};
	return cli_main(argc, argv, cmds, sizeof cmds / sizeof cmds[0], elsewhere);
}
