/* cli.c — the command line of both front ends (see cli.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lectern/app.h"
#include "lectern/cli.h"
#include "lectern/config.h"

#ifndef LECTERN_VERSION
#define LECTERN_VERSION "dev"
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: lectern [--config FILE] COMMAND [OPTIONS]\n"
		"\n"
		"The meeting-room kiosk and recorder.\n"
		"\n"
		"Commands:\n"
		"  run [--headless]        run the appliance (recovers interrupted recordings)\n"
		"  record [OPTIONS]        record one session now (lectern record --help)\n"
		"  recordings [--json]     list recordings and their states\n"
		"  schedule [OPTIONS]      the room's sessions (lectern schedule --help)\n"
		"  queue [--json]          the upload queue: state, attempts, last error\n"
		"  upload --once           deliver everything queued now (exit 1 if any failed)\n"
		"  retry ID                make a failed upload due now\n"
		"  status [--json]         state, queue, last sync and upload, service, versions\n"
		"  doctor [--json]         check microphone, disk, clock, calendar, server, service\n"
		"  attendance [OPTIONS]    check-ins per session (lectern attendance --help)\n"
		"  stats [OPTIONS]         participation over a term (lectern stats --help)\n"
		"  config check|sample     check the configuration / print a commented sample\n"
		"  provision --room NAME   set this box up for a room, then check its servers\n"
		"                          (lectern provision --help)\n"
		"  help [config]           this text / every configuration key\n"
		"  version                 print the version\n"
		"\n"
		"Options:\n"
		"  --config FILE   configuration file (default $%s, else %s,\n"
		"                  else built-in defaults)\n"
		"\n"
		"run, record and upload take the data directory and the spool for themselves\n"
		"(DATA_DIR/lectern.lock, SPOOL/.lectern.lock): a second one is refused and names the\n"
		"one holding it. recordings, queue, schedule,\n"
		"retry, attendance, stats and config work alongside them. A damaged database is set aside by the next\n"
		"run, record or upload (lectern.db.damaged-STAMP) and rebuilt from the spool.\n"
		"\n"
		"run shows its touchscreen through the screen plugin (the installed\n"
		"lectern-screen-sdl.so, or the file $LECTERN_SCREEN names); without it, or without\n"
		"a display, it runs headless and says why. run, schedule, provision, status and\n"
		"doctor are carried out by %s, upload by %s, both installed next to lectern.\n"
		"\n"
		"Exit codes: 0 done, 1 failed, 2 bad command line or configuration,\n"
		"            3 microphone missing or unusable, 4 storage unusable or full,\n"
		"            5 another lectern is using the data directory (stop it first).\n",
		CONFIG_ENV, CONFIG_DEFAULT_PATH, CLI_NET_FILE, CLI_UPLOAD_FILE);
}

static void help_config(void)
{
	size_t n;
	const struct config_option *o = config_options(&n);
	printf("Configuration keys (INI; [section] then key = value):\n\n");
	for (size_t i = 0; i < n; i++)
		printf("  %s.%-20s default: %-18s %s\n", o[i].section, o[i].key,
		       *o[i].def ? o[i].def : "\"\"", o[i].help);
}

int cli_exec(const char *command, const char *file, char **argv)
{
	char path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", path, sizeof path - 1);
	if (len < 0) {
		fprintf(stderr, "lectern: %s: cannot find this executable (/proc/self/exe): %s\n",
			command, strerror(errno));
		return EXIT_FAIL;
	}
	path[len] = '\0';
	char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
	/* Never itself: a sibling that cannot do it either would hand it back for ever. */
	if (strcmp(path + dir, file) == 0) {
		fprintf(stderr, "lectern: %s: %s cannot carry it out\n", command, file);
		return EXIT_FAIL;
	}
	if (dir + strlen(file) >= sizeof path) {
		fprintf(stderr, "lectern: %s: the path of this executable is too long\n", command);
		return EXIT_FAIL;
	}
	memcpy(path + dir, file, strlen(file) + 1);
	execv(path, argv);
	fprintf(stderr, "lectern: %s is carried out by %s, which cannot be run: %s "
		"(build it with make, or install it next to lectern with make install)\n",
		command, path, strerror(errno));
	return EXIT_FAIL;
}

/* The command line cli_main() was given, for cli_hand_over(). */
static char **whole_argv;

int cli_hand_over(const char *command, const char *file)
{
	return whole_argv ? cli_exec(command, file, whole_argv) : EXIT_FAIL;
}

int cli_main(int argc, char **argv, const struct cli_command *cmds, size_t n,
	     const struct cli_elsewhere *elsewhere)
{
	whole_argv = argv;
	const char *config_path = NULL;
	int i = 1;
	/* Global options come before the command; --config is also accepted after it. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config_path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			config_path = argv[i] + 9;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("lectern %s\n", LECTERN_VERSION);
			return EXIT_OK;
		} else {
			fprintf(stderr, "lectern: unknown option '%s' (lectern help)\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[i];
	if (strcmp(cmd, "help") == 0 && i + 1 < argc && strcmp(argv[i + 1], "config") == 0) {
		help_config();
		return EXIT_OK;
	}
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "version") == 0) {
		printf("lectern %s\n", LECTERN_VERSION);
		return EXIT_OK;
	}
	for (const struct cli_elsewhere *e = elsewhere; e && e->name; e++)
		if (strcmp(cmd, e->name) == 0)
			return cli_exec(cmd, e->file, argv);
	size_t c = 0;
	while (c < n && strcmp(cmd, cmds[c].name) != 0)
		c++;
	if (c == n) {
		fprintf(stderr, "lectern: unknown command '%s' (lectern help lists them)\n", cmd);
		return EXIT_USAGE;
	}
	/* Pull a --config that follows the command out of its arguments. */
	int sub_argc = 0;
	char **sub = calloc((size_t)(argc - i + 1), sizeof *sub);
	if (!sub)
		return EXIT_FAIL;
	for (int j = i; j < argc; j++) {
		if (j > i && strcmp(argv[j], "--config") == 0 && j + 1 < argc)
			config_path = argv[++j];
		else if (j > i && strncmp(argv[j], "--config=", 9) == 0)
			config_path = argv[j] + 9;
		else
			sub[sub_argc++] = argv[j];
	}
	int rc = cmds[c].run(sub_argc, sub, config_path);
	free(sub);
	return rc;
}

bool cli_flags(int argc, char **argv, const char *command, const char *help,
	       const struct cli_flag *flags, int *exit_code)
{
	enum { MAX_FLAGS = 8, FIRST = 256 }; /* FIRST: values no short option has */
	struct option opts[MAX_FLAGS + 2] = {{0}};
	size_t n = 0;
	for (; flags && flags[n].name; n++) {
		if (n == MAX_FLAGS) {
			fprintf(stderr, "lectern: %s: too many options for cli_flags\n", command);
			*exit_code = EXIT_FAIL;
			return false;
		}
		opts[n] = (struct option){flags[n].name, no_argument, NULL, FIRST + (int)n};
	}
	/* After the flags: getopt_long lists an ambiguous abbreviation's options in this order. */
	opts[n] = (struct option){"help", no_argument, NULL, 'h'};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			*exit_code = EXIT_OK;
			return false;
		}
		if (c < FIRST || c >= FIRST + (int)n) {
			*exit_code = EXIT_USAGE;
			return false;
		}
		*flags[c - FIRST].set = true;
	}
	if (optind < argc) {
		fprintf(stderr, "lectern: %s: unexpected argument '%s'\n", command, argv[optind]);
		*exit_code = EXIT_USAGE;
		return false;
	}
	return true;
}
