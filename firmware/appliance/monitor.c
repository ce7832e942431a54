/*
 * monitor.c — a level meter on a microphone that is not recording (see monitor.h).
 */
#include "lectern/monitor.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "lectern/level.h"

struct monitor {
	struct audio_source *src;
	struct level_meter meter;
	pthread_t thread;
	atomic_bool stop;
};

static void *monitor_main(void *arg)
{
	struct monitor *m = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	const struct audio_format *fmt = &m->src->fmt;
	size_t period = fmt->period_frames;
	int16_t *buf = malloc(period * fmt->channels * sizeof *buf);
	while (buf && !atomic_load(&m->stop)) {
		long n = audio_source_read(m->src, buf, period);
		if (n <= 0)
			break;
		/* Downmix in place: frame i's mean lands on sample i. */
		for (long i = 0; fmt->channels > 1 && i < n; i++) {
			int32_t sum = 0;
			for (unsigned c = 0; c < fmt->channels; c++)
				sum += buf[(size_t)i * fmt->channels + c];
			buf[i] = (int16_t)(sum / (int32_t)fmt->channels);
		}
		level_feed(&m->meter, buf, (size_t)n, NULL, NULL);
	}
	free(buf);
	return NULL;
}

lt_err monitor_start(struct audio_source *src, struct monitor **out)
{
	struct monitor *m = calloc(1, sizeof *m);
	if (!m)
		return LT_ERR_NOMEM;
	m->src = src;
	level_init(&m->meter, src->fmt.rate);
	if (pthread_create(&m->thread, NULL, monitor_main, m) != 0) {
		free(m);
		return LT_ERR_NOMEM;
	}
	*out = m;
	return LT_OK;
}

void monitor_read(struct monitor *m, float *rms_db, float *peak_db)
{
	level_read(&m->meter, rms_db, peak_db);
}

void monitor_stop(struct monitor *m)
{
	if (!m)
		return;
	atomic_store(&m->stop, true);
	pthread_join(m->thread, NULL);
	free(m);
}
