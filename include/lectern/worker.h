/*
 * worker.h — a periodic background thread: the shape the uploader, the calendar fetcher and
 * the Opencast agent of `lectern run` share.
 *
 * worker_start() runs `fn(user)` at once on a new thread, then again each time `period_ms`
 * has passed since the last call ended, or sooner when worker_wake() asked. The wait is timed
 * on CLOCK_MONOTONIC, so a step of the wall clock (NTP, an RTC set late) neither stalls nor
 * hurries it. A wake that arrives while `fn` runs is not lost: the next wait returns at once.
 *
 * The thread blocks every signal (the main thread takes them). worker_stop() ends the wait at
 * once, joins the thread and frees the worker; a call of `fn` in progress is finished first,
 * so a caller whose `fn` can take long (a transfer) tells it to give up (its own cancel flag)
 * before stopping. Both worker_wake() and worker_stop() accept NULL.
 */
#ifndef LECTERN_WORKER_H
#define LECTERN_WORKER_H

#include <stdint.h>

#include "lectern/err.h"

struct worker;

typedef void (*worker_fn)(void *user);

/* LT_ERR_NOMEM when the thread cannot be made (`*out` is then NULL). */
lt_err worker_start(worker_fn fn, void *user, int64_t period_ms, struct worker **out);
/* Run `fn` again as soon as the current call (if any) ends. Never waits for `fn`. */
void worker_wake(struct worker *w);
void worker_stop(struct worker *w);

#endif
