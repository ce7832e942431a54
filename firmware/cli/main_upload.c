/*
 * main_upload.c — lectern-upload, the front end of `lectern upload`: the store, the upload
 * targets and libcurl, nothing of the appliance (cli.h), so that a short upload starts as a
 * curl does.
 */
#include "lectern/cli.h"
#include "lectern/commands.h"

int main(int argc, char **argv)
{
	/* main.c hands exactly this one over. */
	static const struct cli_command cmds[] = {{"upload", cmd_upload}};
	return cli_main(argc, argv, cmds, sizeof cmds / sizeof cmds[0], NULL);
}
