/*
 * main.c — `lectern`, the front end users type: the light commands linked in, the ones that
 * need libcurl, libical or libxml2 handed to lectern-net (cli.h).
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
	/* main_net.c's commands. */
	static const char *const net[] = {"run",    "schedule", "upload", "provision",
					   "status", "doctor",   NULL};
	return cli_main(argc, argv, cmds, sizeof cmds / sizeof cmds[0], net);
}
