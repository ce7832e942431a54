/*
 * main_net.c — lectern-net, the front end of the commands that reach servers or read
 * calendars; `lectern` runs it for them with its own argv (cli.h).
 */
#include "lectern/cli.h"
#include "lectern/commands.h"

int main(int argc, char **argv)
{
	/* main.c hands exactly these over: name a new one there too. */
	static const struct cli_command cmds[] = {
		{"run", cmd_run},
		{"schedule", cmd_schedule},
		{"provision", cmd_provision},
		{"status", cmd_status},
		{"doctor", cmd_doctor},
	};
	return cli_main(argc, argv, cmds, sizeof cmds / sizeof cmds[0], NULL);
}
