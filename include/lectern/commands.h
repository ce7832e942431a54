/*
 * commands.h — the `lectern` subcommands. Each takes the arguments after its name
 * (argv[0] is the command name) and the configuration path given with --config (or NULL),
 * and returns the process exit code (see app.h).
 */
#ifndef LECTERN_COMMANDS_H
#define LECTERN_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

int cmd_record(int argc, char **argv, const char *config_path);
int cmd_run(int argc, char **argv, const char *config_path);
int cmd_recordings(int argc, char **argv, const char *config_path);
int cmd_config(int argc, char **argv, const char *config_path);
int cmd_schedule(int argc, char **argv, const char *config_path);
int cmd_queue(int argc, char **argv, const char *config_path);
int cmd_upload(int argc, char **argv, const char *config_path);
int cmd_retry(int argc, char **argv, const char *config_path);
int cmd_provision(int argc, char **argv, const char *config_path);
int cmd_status(int argc, char **argv, const char *config_path);
int cmd_doctor(int argc, char **argv, const char *config_path);
int cmd_attendance(int argc, char **argv, const char *config_path);
int cmd_stats(int argc, char **argv, const char *config_path);

/* For the report commands (cmd_attendance.c): a local date YYYY-MM-DD as the unix time of its
 * midnight; false after saying on stderr "lectern COMMAND: OPTION: 'TEXT' is not a date". */
bool cmd_parse_day(const char *command, const char *option, const char *text, int64_t *out);
/* The report commands' output: text, --csv or --json. */
enum cmd_format { CMD_TEXT, CMD_CSV, CMD_JSON };
/* For the report commands: 1 when `arg` is --csv or --json (*format set), 0 when it is neither,
 * -1 when the other of the two came before (said on stderr: "lectern COMMAND: --csv and
 * --json: one or the other"). */
int cmd_parse_format(const char *command, const char *arg, enum cmd_format *format);
/* The midnight after that of `day` (unix time): a day is not always 86400 s long. */
int64_t cmd_next_day(int64_t day);

#endif
