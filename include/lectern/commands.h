/*
 * commands.h — the `lectern` subcommands. Each takes the arguments after its name
 * (argv[0] is the command name) and the configuration path given with --config (or NULL),
 * and returns the process exit code (see app.h).
 */
#ifndef LECTERN_COMMANDS_H
#define LECTERN_COMMANDS_H

int cmd_record(int argc, char **argv, const char *config_path);
int cmd_run(int argc, char **argv, const char *config_path);
int cmd_recordings(int argc, char **argv, const char *config_path);
int cmd_config(int argc, char **argv, const char *config_path);
int cmd_schedule(int argc, char **argv, const char *config_path);
int cmd_queue(int argc, char **argv, const char *config_path);
int cmd_upload(int argc, char **argv, const char *config_path);
int cmd_retry(int argc, char **argv, const char *config_path);
int cmd_provision(int argc, char **argv, const char *config_path);

#endif
