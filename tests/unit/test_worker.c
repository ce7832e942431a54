/*
 * test_worker.c — the periodic worker thread: the first call at once, the period kept between
 * calls, a wake answered promptly (also one that arrives while the function runs), and a stop
 * that ends a long wait at once. Limits are generous for a loaded machine but far below the
 * periods, so a worker that ignored the wake or the stop would fail.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "lectern/worker.h"

#define MAX_CALLS 16

struct probe {
	atomic_int calls;
	double at[MAX_CALLS];      /* when each call started (monotonic seconds) */
	double hold_s;             /* how long each call takes */
};

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	nanosleep(&ts, NULL);
}

static void probe_fn(void *user)
{
	struct probe *p = user;
	int n = atomic_load(&p->calls);
	if (n < MAX_CALLS)
		p->at[n] = mono_now();
	if (p->hold_s > 0)
		sleep_s(p->hold_s);
	atomic_store(&p->calls, n + 1);
}

/* Wait (bounded) until `p` has been called `n` times; true if it was. */
static bool wait_calls(struct probe *p, int n, double limit_s)
{
	double end = mono_now() + limit_s;
	while (atomic_load(&p->calls) < n && mono_now() < end)
		sleep_s(0.002);
	return atomic_load(&p->calls) >= n;
}

static struct worker *start_probe(struct probe *p, int64_t period_ms)
{
	struct worker *w = NULL;
	assert_int_equal(worker_start(probe_fn, p, period_ms, &w), LT_OK);
	return w;
}

static void test_period_is_kept_between_calls(void **state)
{
	(void)state;
	struct probe p = {0};
	struct worker *w = start_probe(&p, 100);
	assert_true(wait_calls(&p, 4, 10.0));
	worker_stop(w);
	int n = atomic_load(&p.calls);
	assert_true(n >= 4 && n <= MAX_CALLS);
	for (int i = 1; i < 4; i++)
		assert_true(p.at[i] - p.at[i - 1] >= 0.095);
}

static void test_first_call_is_at_once_and_wake_is_prompt(void **state)
{
	(void)state;
	struct probe p = {0};
	double t0 = mono_now();
	struct worker *w = start_probe(&p, 60000);
	assert_true(wait_calls(&p, 1, 5.0));
	assert_true(p.at[0] - t0 < 5.0);
	sleep_s(0.05);
	assert_int_equal(atomic_load(&p.calls), 1); /* a minute's period: no second call yet */
	double woke = mono_now();
	worker_wake(w);
	assert_true(wait_calls(&p, 2, 5.0));
	assert_true(p.at[1] - woke < 5.0);
	worker_stop(w);
	assert_int_equal(atomic_load(&p.calls), 2);
}

static void test_wake_during_a_call_is_not_lost(void **state)
{
	(void)state;
	struct probe p = {.hold_s = 0.2};
	struct worker *w = start_probe(&p, 60000);
	sleep_s(0.05); /* inside the first call */
	worker_wake(w);
	assert_true(wait_calls(&p, 2, 5.0));
	worker_stop(w);
}

static void test_stop_ends_a_long_wait_at_once(void **state)
{
	(void)state;
	struct probe p = {0};
	struct worker *w = start_probe(&p, 60000);
	assert_true(wait_calls(&p, 1, 5.0));
	sleep_s(0.05); /* now waiting */
	double t0 = mono_now();
	worker_stop(w);
	assert_true(mono_now() - t0 < 5.0);
	assert_int_equal(atomic_load(&p.calls), 1);
	worker_stop(NULL);
	worker_wake(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_period_is_kept_between_calls),
		cmocka_unit_test(test_first_call_is_at_once_and_wake_is_prompt),
		cmocka_unit_test(test_wake_during_a_call_is_not_lost),
		cmocka_unit_test(test_stop_ends_a_long_wait_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
