/*
 * worker.c — a periodic background thread (contract in worker.h).
 *
 * What must stay true: the condition variable is timed on CLOCK_MONOTONIC (set by its
 * attribute, and the deadline read from the same clock), and `stop` and `woken` are only
 * touched under `lock`, so neither a wake nor a stop can slip in between the check and the
 * wait.
 */
#include "lectern/worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct worker {
	worker_fn fn;
	void *user;
	int64_t period_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, woken;          /* under lock */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		w->woken = false;
		pthread_mutex_unlock(&w->lock);
		w->fn(w->user);
		pthread_mutex_lock(&w->lock);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)(w->period_ms / 1000);
		until.tv_nsec += (long)(w->period_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		/* Spurious wake-ups wait on to the same deadline. */
		while (!w->stop && !w->woken &&
		       pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

lt_err worker_start(worker_fn fn, void *user, int64_t period_ms, struct worker **out)
{
	*out = NULL;
	struct worker *w = calloc(1, sizeof *w);
	if (!w)
		return LT_ERR_NOMEM;
	w->fn = fn;
	w->user = user;
	w->period_ms = period_ms > 0 ? period_ms : 0;
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&w->lock, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		free(w);
		return LT_ERR_NOMEM;
	}
	*out = w;
	return LT_OK;
}

static void set_and_signal(struct worker *w, bool *flag)
{
	pthread_mutex_lock(&w->lock);
	*flag = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void worker_wake(struct worker *w)
{
	if (w)
		set_and_signal(w, &w->woken);
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	set_and_signal(w, &w->stop);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
