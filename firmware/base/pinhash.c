/*
 * pinhash.c — the settings PIN as PBKDF2-HMAC-SHA256 (see pinhash.h): making and checking a
 * hash (libcrypto); reading one is pinfile.c's.
 */
#include "lectern/pinhash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_ulong compares;

int pinhash_equal(const void *a, const void *b, size_t n)
{
	atomic_fetch_add(&compares, 1);
	return CRYPTO_memcmp(a, b, n) == 0;
}

unsigned long pinhash_compare_count(void)
{
	return atomic_load(&compares);
}

static bool pin_ok(const char *pin)
{
	size_t len = strlen(pin);
	return len >= 1 && len <= 8 && strspn(pin, "0123456789") == len;
}

static bool derive(const char *pin, const unsigned char *salt, size_t salt_len, int iterations,
		   unsigned char out[PINHASH_HASH_BYTES])
{
	return PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), salt, (int)salt_len, iterations,
				 EVP_sha256(), PINHASH_HASH_BYTES, out) == 1;
}

lt_err pinhash_make(const char *pin, int iterations, char *out, size_t n)
{
	if (!pin_ok(pin) || iterations < PINHASH_MIN_ITER || iterations > PINHASH_MAX_ITER ||
	    n < PINHASH_MAX_LEN)
		return LT_ERR_INVALID;
	unsigned char salt[PINHASH_SALT_BYTES], hash[PINHASH_HASH_BYTES];
	if (RAND_bytes(salt, sizeof salt) != 1)
		return LT_ERR_IO;
	if (!derive(pin, salt, sizeof salt, iterations, hash))
		return LT_ERR_IO;
	/* base64 of 16 bytes is 24 characters, of 32 bytes 44 (with padding), NUL added. */
	unsigned char salt64[32], hash64[48];
	EVP_EncodeBlock(salt64, salt, sizeof salt);
	EVP_EncodeBlock(hash64, hash, sizeof hash);
	OPENSSL_cleanse(hash, sizeof hash);
	int len = snprintf(out, n, PINHASH_PREFIX "%d$%s$%s", iterations, (char *)salt64,
			   (char *)hash64);
	return len > 0 && (size_t)len < n ? LT_OK : LT_ERR_INVALID;
}

int pinhash_verify(const char *pin, const char *encoded)
{
	int iterations;
	unsigned char salt[PINHASH_SALT_BYTES], want[PINHASH_HASH_BYTES], got[PINHASH_HASH_BYTES];
	if (!pinhash_parse(encoded, &iterations, salt, want))
		return -1;
	/* A typed PIN that is not digits is still hashed, so that the time does not tell. */
	if (!derive(pin, salt, sizeof salt, iterations, got))
		return -1;
	int same = pinhash_equal(got, want, sizeof got);
	OPENSSL_cleanse(got, sizeof got);
	return same && pin_ok(pin) ? 1 : 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int pinhash_calibrate(int target_ms, double *ms_per_10k)
{
	static const unsigned char salt[PINHASH_SALT_BYTES] = {0};
	unsigned char out[PINHASH_HASH_BYTES];
	int trial = 10000;
	double ms = 0;
	/* Grow the trial until it is long enough for the clock to be trusted (>= 10 ms). */
	for (int round = 0; round < 8; round++) {
		double t0 = now_ms();
		derive("0000", salt, sizeof salt, trial, out);
		ms = now_ms() - t0;
		if (ms >= 10 || trial >= PINHASH_MAX_ITER / 2)
			break;
		trial *= 2;
	}
	if (ms <= 0)
		ms = 0.001;
	if (ms_per_10k)
		*ms_per_10k = ms * 10000.0 / trial;
	double want = (double)trial * target_ms / ms;
	if (want < PINHASH_MIN_ITER)
		want = PINHASH_MIN_ITER;
	if (want > PINHASH_MAX_ITER)
		want = PINHASH_MAX_ITER;
	/* A round number reads better in the file and changes nothing. */
	return (int)want / 1000 * 1000;
}
