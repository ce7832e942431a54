/*
 * cli.h — the command line that lectern's two front ends share.
 *
 * `lectern` is one command for the user, built as three executables so that each links only
 * the libraries its commands use (Makefile):
 *   lectern         version, help, record, recordings, queue, retry, config, attendance,
 *                   stats: the core without libcurl, libical, libxml2 or libsystemd, so that
 *                   it starts as fast as curl and `record` stays small next to the encoder;
 *   lectern-upload  upload: libcurl and libxml2 (Opencast) with the store, without the
 *                   calendars, the camera, the microphone or systemd, so that a short upload
 *                   costs what `curl -T` costs plus the store's work;
 *   lectern-net     run, schedule, provision, status, doctor: the appliance and the commands
 *                   that reach servers or parse calendars (status and doctor report libcurl's
 *                   version and ask servers).
 * `lectern` replaces itself (execv: same pid, same argv, same environment) with the sibling
 * in its own directory for the commands it has not linked, so `lectern run` stays the command
 * a systemd unit or a user types.
 */
#ifndef LECTERN_CLI_H
#define LECTERN_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* The siblings' executables, looked for in the directory of /proc/self/exe. */
#define CLI_NET_FILE "lectern-net"
#define CLI_UPLOAD_FILE "lectern-upload"

/* A command: its name and its function (see commands.h). */
struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv, const char *config_path);
};

/* A command carried out by a sibling executable (CLI_NET_FILE, CLI_UPLOAD_FILE). */
struct cli_elsewhere {
	const char *name;
	const char *file;
};

/*
 * Parse `lectern [--config FILE] COMMAND [ARGS]` (--config is also taken after the command),
 * answer `help`, `help config`, `version`, --help and --version itself, and run the command
 * of `cmds` (n of them) that is named, returning its exit code. A command in neither
 * `cmds` nor `elsewhere` (ended by {NULL}, may be NULL) is refused with EXIT_USAGE; one in
 * `elsewhere` is handed to cli_exec() with the original argv.
 */
int cli_main(int argc, char **argv, const struct cli_command *cmds, size_t n,
	     const struct cli_elsewhere *elsewhere);

/*
 * Replace this process with `file` from this executable's directory, with the same argv.
 * Returns only on failure, with EXIT_FAIL, having said on stderr which file could not be run
 * and why; `file` being this executable itself is one (a command handed back and forth would
 * loop).
 */
int cli_exec(const char *command, const char *file, char **argv);

/*
 * cli_exec() with the command line cli_main() was given: for a command that finds only once
 * it has read the configuration that the work is a sibling's (lectern-upload hands an upload
 * to Opencast to lectern-net). EXIT_FAIL, said on stderr, when it cannot.
 */
int cli_hand_over(const char *command, const char *file);

/* A boolean option of a command (cli_flags): --NAME sets *set to true. */
struct cli_flag {
	const char *name;
	bool *set;
};

/*
 * The arguments of a command that takes only boolean options (`flags`, ended by {NULL}, at
 * most 8) and --help/-h, and no other argument, parsed with getopt_long. Returns true when the
 * command goes on; false with *exit_code set when it is answered here: EXIT_OK after printing
 * `help` on stdout for --help, EXIT_USAGE for an unknown option (getopt_long has said which on
 * stderr) or for an argument ("lectern: COMMAND: unexpected argument 'ARG'").
 */
bool cli_flags(int argc, char **argv, const char *command, const char *help,
	       const struct cli_flag *flags, int *exit_code);

#endif
