/*
 * test_pinhash.c — the settings PIN's hash: a PIN checks against its own hash and no other,
 * malformed hash strings are refused (not taken for "wrong PIN"), the comparison goes through
 * the constant-time compare, the PIN file's mode is held to the password files' rule, and the
 * calibration gives a count in range (its figure printed for BENCHMARKS.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/pinhash.h"

#define FAST 1000 /* the smallest count: these tests are about correctness, not cost */

static void test_right_and_wrong_pin(void **state)
{
	(void)state;
	char hash[PINHASH_MAX_LEN];
	assert_int_equal(pinhash_make("2468", FAST, hash, sizeof hash), LT_OK);
	assert_true(pinhash_is_hash(hash));
	assert_true(pinhash_valid(hash));
	assert_int_equal(pinhash_verify("2468", hash), 1);
	assert_int_equal(pinhash_verify("2469", hash), 0);
	assert_int_equal(pinhash_verify("246", hash), 0);
	assert_int_equal(pinhash_verify("24680", hash), 0);
	assert_int_equal(pinhash_verify("", hash), 0);
	/* a line end after the hash (as read from its file) is fine */
	char line[PINHASH_MAX_LEN + 2];
	snprintf(line, sizeof line, "%s\n", hash);
	assert_int_equal(pinhash_verify("2468", line), 1);
	/* salted: the same PIN hashes differently each time, and each verifies */
	char again[PINHASH_MAX_LEN];
	assert_int_equal(pinhash_make("2468", FAST, again, sizeof again), LT_OK);
	assert_string_not_equal(hash, again);
	assert_int_equal(pinhash_verify("2468", again), 1);
	/* the format: prefix, iterations, 24 + 44 base64 characters */
	int iter = 0;
	char salt[64], h[64];
	assert_int_equal(sscanf(hash, "pbkdf2-sha256$%d$%63[^$]$%63s", &iter, salt, h), 3);
	assert_int_equal(iter, FAST);
	assert_int_equal(strlen(salt), 24);
	assert_int_equal(strlen(h), 44);
}

/* A known answer, so that the encoding (not just the round trip) is PBKDF2-HMAC-SHA256:
 * password "1357", salt 16 zero bytes, 1000 iterations (computed with Python's hashlib). */
static void test_known_answer(void **state)
{
	(void)state;
	const char *hash = "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$"
			   "iIOLyEYDJ0wpvDczQJ3DWWQvMeibef3JHu/0ENcHIpU=";
	assert_int_equal(pinhash_verify("1357", hash), 1);
	assert_int_equal(pinhash_verify("1358", hash), 0);
}

static void test_malformed_hashes_are_errors(void **state)
{
	(void)state;
	char good[PINHASH_MAX_LEN];
	assert_int_equal(pinhash_make("2468", FAST, good, sizeof good), LT_OK);
	const char *salt = strchr(good + strlen(PINHASH_PREFIX), '$') + 1;
	const char *hash = strchr(salt, '$') + 1;
	char bad[16][PINHASH_MAX_LEN * 2];
	int n = 0;
	snprintf(bad[n++], sizeof bad[0], "%s", "");
	snprintf(bad[n++], sizeof bad[0], "%s", "2468");
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha1$1000$%s", salt);
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$0$%s", salt);
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$999$%s", salt);
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$99999999999$%s", salt);
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$-1000$%s", salt);
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$1000x$%s", salt);
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$1000$%.*s", (int)(hash - salt - 1), salt);
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$1000$%.*s$%s", (int)(hash - salt - 2),
		 salt, hash);                                             /* salt one short */
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$1000$%.*s$%.43s", (int)(hash - salt - 1),
		 salt, hash);                                             /* hash one short */
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$1000$%.*s$%sAAAA",
		 (int)(hash - salt - 1), salt, hash);                     /* hash too long */
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$1000$%.*s$%s x",
		 (int)(hash - salt - 1), salt, hash);                     /* trailing text */
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$1000$%.*s$%.42s*=",
		 (int)(hash - salt - 1), salt, hash);                     /* not base64 */
	snprintf(bad[n++], sizeof bad[0], "pbkdf2-sha256$1000$%.*s$=%.43s",
		 (int)(hash - salt - 1), salt, hash + 1);                 /* padding first */
	for (int i = 0; i < n; i++) {
		assert_false(pinhash_valid(bad[i]));
		assert_int_equal(pinhash_verify("2468", bad[i]), -1);
	}
	/* making a hash refuses what is not a PIN */
	char out[PINHASH_MAX_LEN];
	assert_int_equal(pinhash_make("12a4", FAST, out, sizeof out), LT_ERR_INVALID);
	assert_int_equal(pinhash_make("", FAST, out, sizeof out), LT_ERR_INVALID);
	assert_int_equal(pinhash_make("123456789", FAST, out, sizeof out), LT_ERR_INVALID);
	assert_int_equal(pinhash_make("2468", 10, out, sizeof out), LT_ERR_INVALID);
	assert_int_equal(pinhash_make("2468", FAST, out, 16), LT_ERR_INVALID);
}

/* Every check goes through the constant-time compare (CRYPTO_memcmp), right or wrong. */
static void test_constant_time_compare_is_used(void **state)
{
	(void)state;
	char hash[PINHASH_MAX_LEN];
	assert_int_equal(pinhash_make("97531", FAST, hash, sizeof hash), LT_OK);
	unsigned long before = pinhash_compare_count();
	assert_int_equal(pinhash_verify("97531", hash), 1);
	assert_int_equal(pinhash_compare_count(), before + 1);
	assert_int_equal(pinhash_verify("00000", hash), 0);
	assert_int_equal(pinhash_compare_count(), before + 2);
	/* a malformed string is refused before any comparison */
	assert_int_equal(pinhash_verify("97531", "pbkdf2-sha256$1$x$y"), -1);
	assert_int_equal(pinhash_compare_count(), before + 2);
	assert_true(pinhash_equal("abcd", "abcd", 4));
	assert_false(pinhash_equal("abcd", "abce", 4));
}

static void test_pin_file(void **state)
{
	(void)state;
	char dir[64], path[128], buf[PINHASH_MAX_LEN], why[512];
	snprintf(dir, sizeof dir, "/tmp/lectern-pinhash-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/pin.hash", dir);
	char hash[PINHASH_MAX_LEN + 1];
	assert_int_equal(pinhash_make("8642", FAST, hash, PINHASH_MAX_LEN), LT_OK);
	strcat(hash, "\n");
	assert_true(tu_write_file(path, hash, strlen(hash)));
	chmod(path, 0600);
	assert_int_equal(pinhash_read_file(path, buf, sizeof buf, why, sizeof why), LT_OK);
	assert_int_equal(pinhash_verify("8642", buf), 1);
	/* readable by others: refused as a password file would be */
	chmod(path, 0644);
	assert_int_equal(pinhash_read_file(path, buf, sizeof buf, why, sizeof why), LT_ERR_CONFIG);
	assert_non_null(strstr(why, "readable by others"));
	/* not a hash */
	assert_true(tu_write_file(path, "1234\n", 5));
	chmod(path, 0600);
	assert_int_equal(pinhash_read_file(path, buf, sizeof buf, why, sizeof why), LT_ERR_CONFIG);
	assert_non_null(strstr(why, "does not hold a PIN hash"));
	unlink(path);
	assert_int_equal(pinhash_read_file(path, buf, sizeof buf, why, sizeof why), LT_ERR_CONFIG);
	tu_rmrf(dir);
}

/* The calibration's count is in range and takes about the target here; its figures are
 * printed for BENCHMARKS.md. */
static void test_calibration(void **state)
{
	(void)state;
	double ms10k = 0;
	int iterations = pinhash_calibrate(PINHASH_TARGET_MS, &ms10k);
	assert_true(iterations >= PINHASH_MIN_ITER && iterations <= PINHASH_MAX_ITER);
	assert_true(ms10k > 0);
	char hash[PINHASH_MAX_LEN];
	assert_int_equal(pinhash_make("2468", iterations, hash, sizeof hash), LT_OK);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(pinhash_verify("2468", hash), 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	clock_gettime(CLOCK_MONOTONIC, &a);
	char def[PINHASH_MAX_LEN];
	assert_int_equal(pinhash_make("2468", PINHASH_DEFAULT_ITER, def, sizeof def), LT_OK);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double def_ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	printf("# figures: pbkdf2-sha256 %.2f ms per 10k iterations here; %d iterations for %d ms "
	       "(a check took %.1f ms); the image default %d takes %.1f ms here\n",
	       ms10k, iterations, PINHASH_TARGET_MS, ms, PINHASH_DEFAULT_ITER, def_ms);
	/* generous: a loaded machine (the suite runs in parallel) may be slower */
	assert_true(ms < PINHASH_TARGET_MS * 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_right_and_wrong_pin),
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_malformed_hashes_are_errors),
		cmocka_unit_test(test_constant_time_compare_is_used),
		cmocka_unit_test(test_pin_file),
		cmocka_unit_test(test_calibration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
