/*
 * test_state.c — the recording state machine: every one of the 49 (from, to) pairs against the
 * table written out below, and the state names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lectern/store.h"

/*
 * The allowed moves, written out in full. Rows: from; columns: to, in enum order
 * (recording, paused, finalizing, queued, uploading, uploaded, failed).
 *
 * recording <-> paused, recording/paused -> finalizing, finalizing -> queued, queued ->
 * uploading, uploading -> uploaded (or back to queued for a retry), failed -> queued (retry);
 * and failed from every active state: recording/paused -> failed is what session_start() does
 * when the recorder cannot start (session.h: "on failure: `failed`"). uploaded is terminal.
 */
static const bool expected[REC__COUNT][REC__COUNT] = {
	/*                  rec    paused finaliz queued upl'ing upl'ed failed */
	[REC_RECORDING] = {false, true, true, false, false, false, true},
	[REC_PAUSED] = {true, false, true, false, false, false, true},
	[REC_FINALIZING] = {false, false, false, true, false, false, true},
	[REC_QUEUED] = {false, false, false, false, true, false, true},
	[REC_UPLOADING] = {false, false, false, true, false, true, true},
	[REC_UPLOADED] = {false, false, false, false, false, false, false},
	[REC_FAILED] = {false, false, false, true, false, false, false},
};

static void test_all_49_pairs(void **state)
{
	(void)state;
	_Static_assert(REC__COUNT == 7, "the table above has 7 states");
	int checked = 0, allowed = 0;
	for (int from = 0; from < REC__COUNT; from++) {
		for (int to = 0; to < REC__COUNT; to++) {
			bool got = rec_state_can((enum rec_state)from, (enum rec_state)to);
			if (got != expected[from][to])
				fail_msg("%s -> %s: rec_state_can says %s, want %s",
					 rec_state_name((enum rec_state)from),
					 rec_state_name((enum rec_state)to),
					 got ? "allowed" : "forbidden",
					 expected[from][to] ? "allowed" : "forbidden");
			checked++;
			allowed += got;
		}
	}
	assert_int_equal(checked, 49);
	assert_int_equal(allowed, 14);
}

static void test_named_moves(void **state)
{
	(void)state;
	/* The ones the rest of the firmware relies on, spelled out. */
	assert_true(rec_state_can(REC_RECORDING, REC_PAUSED));
	assert_true(rec_state_can(REC_PAUSED, REC_RECORDING));
	assert_true(rec_state_can(REC_RECORDING, REC_FINALIZING));
	assert_true(rec_state_can(REC_PAUSED, REC_FINALIZING));
	assert_true(rec_state_can(REC_FINALIZING, REC_QUEUED));
	assert_true(rec_state_can(REC_FINALIZING, REC_FAILED));
	assert_true(rec_state_can(REC_QUEUED, REC_UPLOADING));
	assert_true(rec_state_can(REC_UPLOADING, REC_UPLOADED));
	assert_true(rec_state_can(REC_UPLOADING, REC_QUEUED));
	assert_true(rec_state_can(REC_FAILED, REC_QUEUED));
	/* session_start(): the row is created in `recording`; a recorder that cannot start
	 * leaves it `failed`. */
	assert_true(rec_state_can(REC_RECORDING, REC_FAILED));
	/* Never to itself, never out of uploaded, never skipping finalizing. */
	for (int s = 0; s < REC__COUNT; s++) {
		assert_false(rec_state_can((enum rec_state)s, (enum rec_state)s));
		assert_false(rec_state_can(REC_UPLOADED, (enum rec_state)s));
	}
	assert_false(rec_state_can(REC_RECORDING, REC_QUEUED));
	assert_false(rec_state_can(REC_RECORDING, REC_UPLOADED));
	assert_false(rec_state_can(REC_FAILED, REC_RECORDING));
	assert_false(rec_state_can(REC_FAILED, REC_UPLOADING));
}

static void test_out_of_range_states_are_forbidden(void **state)
{
	(void)state;
	for (int s = 0; s < REC__COUNT; s++) {
		assert_false(rec_state_can((enum rec_state)s, REC__COUNT));
		assert_false(rec_state_can(REC__COUNT, (enum rec_state)s));
		assert_false(rec_state_can((enum rec_state)s, (enum rec_state)-1));
		assert_false(rec_state_can((enum rec_state)-1, (enum rec_state)s));
		assert_false(rec_state_can((enum rec_state)s, (enum rec_state)1000));
	}
}

static void test_names_round_trip(void **state)
{
	(void)state;
	static const char *const names[REC__COUNT] = {
		[REC_RECORDING] = "recording", [REC_PAUSED] = "paused",
		[REC_FINALIZING] = "finalizing", [REC_QUEUED] = "queued",
		[REC_UPLOADING] = "uploading", [REC_UPLOADED] = "uploaded",
		[REC_FAILED] = "failed",
	};
	for (int s = 0; s < REC__COUNT; s++) {
		const char *name = rec_state_name((enum rec_state)s);
		assert_string_equal(name, names[s]);
		enum rec_state back = REC__COUNT;
		assert_int_equal(rec_state_parse(name, &back), 0);
		assert_int_equal(back, s);
		/* Distinct names. */
		for (int t = 0; t < s; t++)
			assert_string_not_equal(name, rec_state_name((enum rec_state)t));
	}
}

static void test_unknown_names(void **state)
{
	(void)state;
	assert_string_equal(rec_state_name(REC__COUNT), "unknown");
	assert_string_equal(rec_state_name((enum rec_state)-1), "unknown");
	assert_string_equal(rec_state_name((enum rec_state)99), "unknown");
	static const char *const bad[] = {
		"", "unknown", "idle", "Recording", "RECORDING", " recording", "recording ",
		"record", "recordings", "upload", "fail",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum rec_state out = REC_UPLOADED;
		if (rec_state_parse(bad[i], &out) != -1)
			fail_msg("rec_state_parse(\"%s\") accepted it", bad[i]);
		assert_int_equal(out, REC_UPLOADED); /* untouched */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_49_pairs),
		cmocka_unit_test(test_named_moves),
		cmocka_unit_test(test_out_of_range_states_are_forbidden),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_unknown_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
