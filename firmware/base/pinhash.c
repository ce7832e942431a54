/*
 * pinhash.c — the settings PIN as PBKDF2-HMAC-SHA256 (see pinhash.h).
 */
#include "lectern/pinhash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lectern/config.h"

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

bool pinhash_is_hash(const char *s)
{
	return strncmp(s, PINHASH_PREFIX, strlen(PINHASH_PREFIX)) == 0;
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

/* Decode one base64 field of exactly `want` bytes (padding included in the text). */
static bool decode(const char *text, size_t len, unsigned char *out, size_t want)
{
	/* EVP_DecodeBlock ignores nothing useful for us: check the alphabet and length first. */
	if (len != 4 * ((want + 2) / 3) || len > 64)
		return false;
	size_t pad = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			     (c >= '0' && c <= '9') || c == '+' || c == '/';
		if (c == '=' && i >= len - 2)
			pad++;
		else if (!alpha || pad)
			return false;
	}
	if (pad != (3 - want % 3) % 3)
		return false;
	unsigned char buf[64];
	int got = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)len);
	if (got < 0 || (size_t)got != want + pad)
		return false;
	memcpy(out, buf, want);
	return true;
}

/* The parts of a hash string; false when it is not well formed. */
static bool parse(const char *encoded, int *iterations, unsigned char salt[PINHASH_SALT_BYTES],
		  unsigned char hash[PINHASH_HASH_BYTES])
{
	if (!pinhash_is_hash(encoded))
		return false;
	const char *p = encoded + strlen(PINHASH_PREFIX);
	char *end;
	errno = 0;
	if (*p < '1' || *p > '9')
		return false;
	long iter = strtol(p, &end, 10);
	if (errno || *end != '$' || iter < PINHASH_MIN_ITER || iter > PINHASH_MAX_ITER)
		return false;
	const char *salt64 = end + 1, *dollar = strchr(salt64, '$');
	if (!dollar)
		return false;
	const char *hash64 = dollar + 1;
	size_t hash_len = strcspn(hash64, " \t\r\n");
	if (hash64[hash_len + strspn(hash64 + hash_len, " \t\r\n")] != '\0')
		return false;
	if (!decode(salt64, (size_t)(dollar - salt64), salt, PINHASH_SALT_BYTES) ||
	    !decode(hash64, hash_len, hash, PINHASH_HASH_BYTES))
		return false;
	*iterations = (int)iter;
	return true;
}

bool pinhash_valid(const char *encoded)
{
	int iterations;
	unsigned char salt[PINHASH_SALT_BYTES], hash[PINHASH_HASH_BYTES];
	return parse(encoded, &iterations, salt, hash);
}

int pinhash_verify(const char *pin, const char *encoded)
{
	int iterations;
	unsigned char salt[PINHASH_SALT_BYTES], want[PINHASH_HASH_BYTES], got[PINHASH_HASH_BYTES];
	if (!parse(encoded, &iterations, salt, want))
		return -1;
	/* A typed PIN that is not digits is still hashed, so that the time does not tell. */
	if (!derive(pin, salt, sizeof salt, iterations, got))
		return -1;
	int same = pinhash_equal(got, want, sizeof got);
	OPENSSL_cleanse(got, sizeof got);
	return same && pin_ok(pin) ? 1 : 0;
}

lt_err pinhash_read_file(const char *path, char *buf, size_t n, char *why, size_t why_len)
{
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(why, why_len, "cannot read the PIN file '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return LT_ERR_CONFIG;
	}
	if (config_secret_too_open(path, (unsigned)sb.st_mode, why, why_len)) {
		close(fd);
		return LT_ERR_CONFIG;
	}
	char text[PINHASH_MAX_LEN + 8];
	ssize_t got = read(fd, text, sizeof text - 1);
	close(fd);
	if (got < 0) {
		snprintf(why, why_len, "cannot read the PIN file '%s': %s", path, strerror(errno));
		return LT_ERR_CONFIG;
	}
	text[got] = '\0';
	text[strcspn(text, "\r\n")] = '\0';
	if (!pinhash_valid(text) || strlen(text) >= n) {
		snprintf(why, why_len, "'%s' does not hold a PIN hash (" PINHASH_PREFIX
			 "ITERATIONS$SALT$HASH): write it again with lectern provision --pin", path);
		return LT_ERR_CONFIG;
	}
	snprintf(buf, n, "%s", text);
	return LT_OK;
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
