/*
 * test_ring.c — the SPSC sample ring: capacity rounding, order, wrap-around, full and empty,
 * and a real producer/consumer pair pushing millions of samples through a small ring.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lectern/ring.h"

/* The sample the sequence holds at position i (wraps through every int16 value). */
static int16_t seq(uint64_t i) { return (int16_t)(uint16_t)(i * 7 + 3); }

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_capacity_rounds_up_to_power_of_two(void **state)
{
	(void)state;
	static const struct {
		size_t ask, want;
	} cases[] = {
		{0, 2}, {1, 2}, {2, 2}, {3, 4}, {4, 4}, {5, 8}, {1000, 1024}, {1024, 1024},
		{1025, 2048}, {48000 * 4, 262144},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ring r;
		assert_int_equal(ring_init(&r, cases[i].ask), LT_OK);
		assert_int_equal(ring_capacity(&r), cases[i].want);
		assert_int_equal(r.mask, cases[i].want - 1);
		assert_int_equal(ring_used(&r), 0);
		assert_int_equal(ring_space(&r), cases[i].want);
		ring_free(&r);
		assert_null(r.buf);
	}
}

static void test_capacity_too_large_is_refused(void **state)
{
	(void)state;
	struct ring r;
	memset(&r, 0, sizeof r);
	assert_int_equal(ring_init(&r, SIZE_MAX), LT_ERR_INVALID);
}

static void test_push_pop_keeps_order(void **state)
{
	(void)state;
	struct ring r;
	assert_int_equal(ring_init(&r, 16), LT_OK);
	int16_t in[10], out[10];
	for (int i = 0; i < 10; i++)
		in[i] = (int16_t)(i * 1000 - 4000);
	assert_int_equal(ring_push(&r, in, 10), 10);
	assert_int_equal(ring_used(&r), 10);
	assert_int_equal(ring_space(&r), 6);
	/* Popped in pieces, the samples come out in the order they went in. */
	assert_int_equal(ring_pop(&r, out, 3), 3);
	assert_int_equal(ring_used(&r), 7);
	assert_int_equal(ring_pop(&r, out + 3, 7), 7);
	assert_memory_equal(in, out, sizeof in);
	assert_int_equal(ring_used(&r), 0);
	assert_int_equal(ring_space(&r), 16);
	ring_free(&r);
}

static void test_wrap_around_many_times(void **state)
{
	(void)state;
	struct ring r;
	assert_int_equal(ring_init(&r, 16), LT_OK);
	size_t cap = ring_capacity(&r);
	int16_t buf[64];
	uint64_t written = 0, nread = 0;
	unsigned rnd = 12345;
	for (int step = 0; step < 200000; step++) {
		rnd = rnd * 1103515245u + 12345u;
		size_t want_push = (rnd >> 16) % (cap + 3); /* 0..cap+2: sometimes more than fits */
		rnd = rnd * 1103515245u + 12345u;
		size_t want_pop = (rnd >> 16) % (cap + 3);

		size_t space = ring_space(&r);
		for (size_t i = 0; i < want_push; i++)
			buf[i] = seq(written + i);
		size_t pushed = ring_push(&r, buf, want_push);
		assert_int_equal(pushed, want_push < space ? want_push : space);
		written += pushed;
		assert_int_equal(ring_used(&r), written - nread);

		size_t used = ring_used(&r);
		size_t popped = ring_pop(&r, buf, want_pop);
		assert_int_equal(popped, want_pop < used ? want_pop : used);
		for (size_t i = 0; i < popped; i++)
			if (buf[i] != seq(nread + i))
				fail_msg("sample %llu: got %d, want %d",
					 (unsigned long long)(nread + i), buf[i], seq(nread + i));
		nread += popped;
		assert_int_equal(ring_used(&r) + ring_space(&r), cap);
	}
	/* The indices went round the 16-sample buffer many thousands of times. */
	assert_true(written > 1000 * cap);
	ring_free(&r);
}

static void test_full_ring_refuses_extra(void **state)
{
	(void)state;
	struct ring r;
	assert_int_equal(ring_init(&r, 8), LT_OK);
	int16_t in[13], out[13];
	for (int i = 0; i < 13; i++)
		in[i] = (int16_t)(100 + i);
	/* Offered 13, only 8 fit. */
	assert_int_equal(ring_push(&r, in, 13), 8);
	assert_int_equal(ring_used(&r), 8);
	assert_int_equal(ring_space(&r), 0);
	/* Full: nothing more goes in, and what is there is not overwritten. */
	assert_int_equal(ring_push(&r, in + 8, 5), 0);
	assert_int_equal(ring_push(&r, in + 8, 1), 0);
	assert_int_equal(ring_pop(&r, out, 13), 8);
	assert_memory_equal(out, in, 8 * sizeof in[0]);
	/* After a partial drain, exactly the freed room is accepted (across the end). */
	assert_int_equal(ring_push(&r, in, 8), 8);
	assert_int_equal(ring_pop(&r, out, 3), 3);
	assert_int_equal(ring_push(&r, in + 8, 5), 3);
	assert_int_equal(ring_space(&r), 0);
	assert_int_equal(ring_pop(&r, out, 13), 8);
	assert_memory_equal(out, in + 3, 5 * sizeof in[0]);
	assert_memory_equal(out + 5, in + 8, 3 * sizeof in[0]);
	ring_free(&r);
}

static void test_empty_pop_returns_zero(void **state)
{
	(void)state;
	struct ring r;
	assert_int_equal(ring_init(&r, 4), LT_OK);
	int16_t out[4] = {-1, -1, -1, -1};
	assert_int_equal(ring_pop(&r, out, 4), 0);
	assert_int_equal(ring_pop(&r, out, 0), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(out[i], -1); /* untouched */
	int16_t one = 42;
	assert_int_equal(ring_push(&r, &one, 1), 1);
	assert_int_equal(ring_pop(&r, out, 4), 1);
	assert_int_equal(out[0], 42);
	assert_int_equal(ring_pop(&r, out, 4), 0);
	ring_free(&r);
}

/* Two threads ------------------------------------------------------------------------------- */

#define SPSC_TOTAL 5000000ull
#define SPSC_LIMIT_S 15.0

struct spsc {
	struct ring ring;
	double deadline;
	_Atomic int timed_out;
	/* consumer's findings */
	uint64_t received;
	uint64_t first_bad;  /* index of the first wrong sample, or UINT64_MAX */
	int16_t bad_got;
};

static void *producer(void *arg)
{
	struct spsc *t = arg;
	int16_t buf[64];
	uint64_t sent = 0;
	unsigned n = 1;
	while (sent < SPSC_TOTAL) {
		n = n % 61 + 1; /* 1..61, varying */
		size_t want = n;
		if (sent + want > SPSC_TOTAL)
			want = (size_t)(SPSC_TOTAL - sent);
		for (size_t i = 0; i < want; i++)
			buf[i] = seq(sent + i);
		size_t done = 0;
		while (done < want) {
			size_t k = ring_push(&t->ring, buf + done, want - done);
			done += k;
			if (k == 0) {
				if (atomic_load(&t->timed_out) || mono_now() > t->deadline) {
					atomic_store(&t->timed_out, 1);
					return NULL;
				}
				sched_yield();
			}
		}
		sent += want;
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct spsc *t = arg;
	int16_t buf[64];
	unsigned n = 7;
	while (t->received < SPSC_TOTAL) {
		n = n % 53 + 1; /* 1..53, out of step with the producer */
		size_t k = ring_pop(&t->ring, buf, n);
		if (k == 0) {
			if (atomic_load(&t->timed_out) || mono_now() > t->deadline) {
				atomic_store(&t->timed_out, 1);
				return NULL;
			}
			sched_yield();
			continue;
		}
		for (size_t i = 0; i < k; i++) {
			if (t->first_bad == UINT64_MAX && buf[i] != seq(t->received + i)) {
				t->first_bad = t->received + i;
				t->bad_got = buf[i];
			}
		}
		t->received += k;
	}
	return NULL;
}

static void test_two_threads_see_exact_sequence(void **state)
{
	(void)state;
	struct spsc t;
	memset(&t, 0, sizeof t);
	assert_int_equal(ring_init(&t.ring, 100), LT_OK); /* 128 samples */
	t.first_bad = UINT64_MAX;
	t.deadline = mono_now() + SPSC_LIMIT_S;
	pthread_t p, c;
	assert_int_equal(pthread_create(&c, NULL, consumer, &t), 0);
	assert_int_equal(pthread_create(&p, NULL, producer, &t), 0);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	ring_free(&t.ring);
	assert_false(atomic_load(&t.timed_out));
	if (t.first_bad != UINT64_MAX)
		fail_msg("sample %llu: consumer saw %d, producer sent %d",
			 (unsigned long long)t.first_bad, t.bad_got, seq(t.first_bad));
	assert_int_equal(t.received, SPSC_TOTAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity_rounds_up_to_power_of_two),
		cmocka_unit_test(test_capacity_too_large_is_refused),
		cmocka_unit_test(test_push_pop_keeps_order),
		cmocka_unit_test(test_wrap_around_many_times),
		cmocka_unit_test(test_full_ring_refuses_extra),
		cmocka_unit_test(test_empty_pop_returns_zero),
		cmocka_unit_test(test_two_threads_see_exact_sequence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
