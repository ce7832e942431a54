/*
 * test_level.c — the level meter (RMS and peak dBFS per ~50 ms window) and the low-audio alarm.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lectern/level.h"

#define TOL_DB 0.1

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static void assert_db_near(double got, double want, const char *what)
{
	if (fabs(got - want) > TOL_DB)
		fail_msg("%s: %.3f dB, want %.3f ± %.2f dB", what, got, want, TOL_DB);
}

/* `n` samples of a sine of `freq` Hz and peak amplitude `amp` at `rate`. */
static int16_t *sine(unsigned rate, double freq, double amp, size_t n)
{
	int16_t *s = malloc(n * sizeof *s);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (int16_t)lrint(amp * sin(2.0 * M_PI * freq * (double)i / rate));
	return s;
}

struct windows_seen {
	unsigned calls;
	double secs;
	double min_secs, max_secs;
	float last_rms;
};

static void count_window(float rms_db, double secs, void *user)
{
	struct windows_seen *w = user;
	if (w->calls == 0 || secs < w->min_secs)
		w->min_secs = secs;
	if (w->calls == 0 || secs > w->max_secs)
		w->max_secs = secs;
	w->calls++;
	w->secs += secs;
	w->last_rms = rms_db;
}

static void test_level_db_reference_points(void **state)
{
	(void)state;
	assert_db_near(level_db(32768.0), 0.0, "full scale");
	assert_db_near(level_db(16384.0), -6.0206, "half scale");
	assert_db_near(level_db(16384.0 / sqrt(2.0)), -9.0309, "half-scale sine RMS");
	assert_true(level_db(0.0) == LEVEL_FLOOR_DB);
	assert_true(level_db(-5.0) == LEVEL_FLOOR_DB);
	/* Clamped: 1e-6 of a sample would be about -210 dBFS. */
	assert_true(level_db(1e-6) == LEVEL_FLOOR_DB);
}

static void test_nothing_published_reads_floor(void **state)
{
	(void)state;
	struct level_meter m;
	level_init(&m, 48000);
	assert_int_equal(m.window, 2400);
	float rms = 0, peak = 0;
	level_read(&m, &rms, &peak);
	assert_true(rms == LEVEL_FLOOR_DB);
	assert_true(peak == LEVEL_FLOOR_DB);
	assert_int_equal(atomic_load(&m.windows), 0);
}

static void test_full_scale_square_reads_zero_dbfs(void **state)
{
	(void)state;
	struct level_meter m;
	level_init(&m, 48000);
	size_t n = 4800; /* two windows */
	int16_t *s = malloc(n * sizeof *s);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (i / 24) % 2 ? -32768 : 32767; /* 1 kHz square */
	level_feed(&m, s, n, NULL, NULL);
	free(s);
	assert_int_equal(atomic_load(&m.windows), 2);
	float rms, peak;
	level_read(&m, &rms, &peak);
	assert_db_near(rms, 0.0, "square RMS");
	assert_db_near(peak, 0.0, "square peak");
}

static void test_half_scale_sine_levels(void **state)
{
	(void)state;
	/* 440 Hz does not divide the window evenly on purpose; 1 kHz does. Both must read the
	 * same, at each rate the meter is used with. */
	static const double freqs[] = {1000.0, 440.0};
	static const unsigned rates[] = {48000, 44100, 16000};
	for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
		for (size_t f = 0; f < sizeof freqs / sizeof freqs[0]; f++) {
			struct level_meter m;
			level_init(&m, rates[r]);
			size_t n = rates[r]; /* one second, 20 windows */
			int16_t *s = sine(rates[r], freqs[f], 16384.0, n);
			level_feed(&m, s, n, NULL, NULL);
			free(s);
			assert_int_equal(atomic_load(&m.windows), 20);
			float rms, peak;
			level_read(&m, &rms, &peak);
			assert_db_near(rms, -9.03, "sine 16384 RMS");
			assert_db_near(peak, -6.02, "sine 16384 peak");
		}
	}
}

static void test_silence_reads_floor(void **state)
{
	(void)state;
	struct level_meter m;
	level_init(&m, 48000);
	/* Loud first, so that the silent window has something to replace. */
	int16_t *loud = sine(48000, 1000.0, 30000.0, 2400);
	level_feed(&m, loud, 2400, NULL, NULL);
	free(loud);
	float rms, peak;
	level_read(&m, &rms, &peak);
	assert_true(rms > -10.0f);
	int16_t *zeros = calloc(2400, sizeof *zeros);
	assert_non_null(zeros);
	struct windows_seen w = {0};
	level_feed(&m, zeros, 2400, count_window, &w);
	free(zeros);
	level_read(&m, &rms, &peak);
	assert_true(rms == LEVEL_FLOOR_DB);
	assert_true(peak == LEVEL_FLOOR_DB);
	assert_int_equal(w.calls, 1);
	assert_true(w.last_rms == LEVEL_FLOOR_DB);
}

static void test_windows_every_twentieth_of_a_second(void **state)
{
	(void)state;
	static const unsigned rates[] = {48000, 44100, 32000, 16000, 8000};
	for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
		unsigned rate = rates[r];
		struct level_meter m;
		level_init(&m, rate);
		assert_int_equal(m.window, rate / 20);
		size_t n = (size_t)rate * 3; /* 3 s = 60 windows */
		int16_t *s = sine(rate, 300.0, 1000.0, n);
		struct windows_seen w = {0};
		/* Fed in odd-sized pieces that straddle window boundaries. */
		size_t at = 0, piece = 1;
		while (at < n) {
			size_t k = piece < n - at ? piece : n - at;
			level_feed(&m, s + at, k, count_window, &w);
			at += k;
			piece = piece * 3 % 997 + 1;
		}
		free(s);
		assert_int_equal(atomic_load(&m.windows), 60);
		assert_int_equal(w.calls, 60);
		assert_true(fabs(w.secs - 3.0) < 1e-9);
		assert_true(fabs(w.min_secs - 0.05) < 1e-12);
		assert_true(fabs(w.max_secs - 0.05) < 1e-12);
	}
}

static void test_window_published_only_when_complete(void **state)
{
	(void)state;
	struct level_meter m;
	level_init(&m, 48000);
	int16_t *s = sine(48000, 1000.0, 16384.0, 4800);
	struct windows_seen w = {0};
	level_feed(&m, s, 2399, count_window, &w);
	assert_int_equal(atomic_load(&m.windows), 0);
	assert_int_equal(w.calls, 0);
	float rms;
	level_read(&m, &rms, NULL);
	assert_true(rms == LEVEL_FLOOR_DB);
	level_feed(&m, s + 2399, 1, count_window, &w);
	assert_int_equal(atomic_load(&m.windows), 1);
	assert_int_equal(w.calls, 1);
	level_read(&m, &rms, NULL);
	assert_db_near(rms, -9.03, "first window");
	/* NULL callback: still published. */
	level_feed(&m, s + 2400, 2400, NULL, NULL);
	assert_int_equal(atomic_load(&m.windows), 2);
	free(s);
}

/* The quiet alarm --------------------------------------------------------------------------- */

static void test_quiet_alarm_raises_once_and_clears(void **state)
{
	(void)state;
	struct quiet_alarm q;
	quiet_alarm_init(&q, -60.0f, 2.0);
	/* 2 s of quiet in 0.25 s windows (exact in binary): raised on the 8th, once. */
	for (int i = 1; i <= 7; i++)
		assert_int_equal(quiet_alarm_feed(&q, -80.0f, 0.25), 0);
	assert_int_equal(quiet_alarm_feed(&q, -80.0f, 0.25), 1);
	assert_true(q.raised);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(quiet_alarm_feed(&q, -96.0f, 0.25), 0);
	/* Audio returns: cleared once. */
	assert_int_equal(quiet_alarm_feed(&q, -20.0f, 0.25), -1);
	assert_false(q.raised);
	assert_int_equal(quiet_alarm_feed(&q, -20.0f, 0.25), 0);
	/* Quiet again: a second episode raises again after the full time. */
	for (int i = 1; i <= 7; i++)
		assert_int_equal(quiet_alarm_feed(&q, -70.0f, 0.25), 0);
	assert_int_equal(quiet_alarm_feed(&q, -70.0f, 0.25), 1);
}

static void test_quiet_alarm_needs_continuous_quiet(void **state)
{
	(void)state;
	struct quiet_alarm q;
	quiet_alarm_init(&q, -60.0f, 1.0);
	for (int round = 0; round < 50; round++) {
		/* 0.75 s quiet, then one loud window: never long enough. */
		for (int i = 0; i < 3; i++)
			assert_int_equal(quiet_alarm_feed(&q, -90.0f, 0.25), 0);
		assert_int_equal(quiet_alarm_feed(&q, -10.0f, 0.25), 0);
	}
	assert_false(q.raised);
	/* At the threshold is not below it: not quiet. */
	for (int i = 0; i < 100; i++)
		assert_int_equal(quiet_alarm_feed(&q, -60.0f, 0.25), 0);
	assert_false(q.raised);
}

static void test_quiet_alarm_off_when_seconds_zero(void **state)
{
	(void)state;
	struct quiet_alarm q;
	quiet_alarm_init(&q, -60.0f, 0.0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(quiet_alarm_feed(&q, LEVEL_FLOOR_DB, 0.05), 0);
	assert_false(q.raised);
	assert_int_equal(quiet_alarm_feed(&q, -10.0f, 0.05), 0);
}

struct alarm_run {
	struct quiet_alarm q;
	unsigned windows;
	unsigned raised_at;   /* window count when +1 came, 0 if never */
	unsigned raises, clears;
};

static void alarm_window(float rms_db, double secs, void *user)
{
	struct alarm_run *a = user;
	a->windows++;
	int change = quiet_alarm_feed(&a->q, rms_db, secs);
	if (change > 0) {
		a->raises++;
		if (!a->raised_at)
			a->raised_at = a->windows;
	} else if (change < 0) {
		a->clears++;
	}
}

/*
 * As the recorder wires it: meter windows of 1/20 s into the alarm. N seconds of silence must
 * raise it on the window that completes N seconds, not one window later, and only once.
 */
static void test_quiet_alarm_through_meter_exact_seconds(void **state)
{
	(void)state;
	static const unsigned rates[] = {48000, 44100, 16000};
	for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
		for (int secs = 1; secs <= 5; secs++) {
			struct level_meter m;
			level_init(&m, rates[r]);
			struct alarm_run a;
			memset(&a, 0, sizeof a);
			quiet_alarm_init(&a.q, -60.0f, secs);
			size_t n = (size_t)rates[r] * (size_t)(secs + 2);
			int16_t *zeros = calloc(n, sizeof *zeros);
			assert_non_null(zeros);
			level_feed(&m, zeros, n, alarm_window, &a);
			free(zeros);
			if (a.raised_at != (unsigned)secs * 20)
				fail_msg("%u Hz, %d s of quiet: alarm raised at window %u "
					 "(%.2f s), want window %d",
					 rates[r], secs, a.raised_at, a.raised_at / 20.0,
					 secs * 20);
			assert_int_equal(a.raises, 1);
			assert_int_equal(a.clears, 0);
			/* Audio back: one clear. */
			int16_t *loud = sine(rates[r], 500.0, 10000.0, rates[r] / 10);
			level_feed(&m, loud, rates[r] / 10, alarm_window, &a);
			free(loud);
			assert_int_equal(a.raises, 1);
			assert_int_equal(a.clears, 1);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_db_reference_points),
		cmocka_unit_test(test_nothing_published_reads_floor),
		cmocka_unit_test(test_full_scale_square_reads_zero_dbfs),
		cmocka_unit_test(test_half_scale_sine_levels),
		cmocka_unit_test(test_silence_reads_floor),
		cmocka_unit_test(test_windows_every_twentieth_of_a_second),
		cmocka_unit_test(test_window_published_only_when_complete),
		cmocka_unit_test(test_quiet_alarm_raises_once_and_clears),
		cmocka_unit_test(test_quiet_alarm_needs_continuous_quiet),
		cmocka_unit_test(test_quiet_alarm_off_when_seconds_zero),
		cmocka_unit_test(test_quiet_alarm_through_meter_exact_seconds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
