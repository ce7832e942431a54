/*
 * main_net.c — lectern-net, the front end of the appliance and of the commands that reach
 * servers or read calendars; `lectern` runs it for them with its own argv, and lectern-upload
 * for an upload to Opencast (cli.h).
 */
#include "lectern/cli.h"
#include "lectern/commands.h"
#include "lectern/upload.h"

int main(int argc, char **argv)
{
	/* main.c hands exactly these over: name a new one there too. */
	static const struct cli_command cmds[] = {
		{"run", cmd_run},
		{"schedule", cmd_schedule},
		{"upload", cmd_upload}, /* lectern-upload's, when the target is Opencast */
		{"provision", cmd_provision},
		{"status", cmd_status},
		{"doctor", cmd_doctor},
	};
	upload_add_target(&upload_opencast_ops);
	return cli_main(argc, argv, cmds, sizeof cmds / sizeof cmds[0], NULL);
}
