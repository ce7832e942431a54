/* log.c — levelled logging to stderr; journald adds its own time stamps. */
#include "lectern/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum log_level current = LOG_LVL_INFO;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const names[] = {"error", "warn", "info", "debug"};

void log_set_level(enum log_level level) { current = level; }
enum log_level log_get_level(void) { return current; }

int log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > current)
		return;
	/* Under systemd, JOURNAL_STREAM is set and journald stamps and levels lines itself:
	 * use the <N> syslog priority prefix it understands. */
	static const int prio[] = {3, 4, 6, 7};
	char stamp[32] = "";
	if (!getenv("JOURNAL_STREAM")) {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	}
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&lock);
	if (stamp[0])
		fprintf(stderr, "%s lectern %s: ", stamp, names[level]);
	else
		fprintf(stderr, "<%d>lectern: ", prio[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&lock);
	va_end(ap);
}
