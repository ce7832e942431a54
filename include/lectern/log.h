/*
 * log.h — levelled logging to stderr (journald collects it under systemd).
 *
 * Rule: no personal data in logs. Log recording ids, states, device names and error
 * sentences; never titles, presenters' or attendees' names.
 */
#ifndef LECTERN_LOG_H
#define LECTERN_LOG_H

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Only messages at `level` or more severe are written. Default: LOG_LVL_INFO. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Parse "error", "warn", "info", "debug". Returns 0 on success, -1 if unknown. */
int log_level_parse(const char *name, enum log_level *out);

/* When stderr is not a journal, lines are prefixed with a time stamp. Thread-safe. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
