/*
 * pinfile.c — reading the PIN's hash string and its file (see pinhash.h), without libcrypto:
 * `lectern config check` (the light front end) checks a PIN file with these alone.
 */
#include "lectern/pinhash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lectern/config.h"

bool pinhash_is_hash(const char *s)
{
	return strncmp(s, PINHASH_PREFIX, strlen(PINHASH_PREFIX)) == 0;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode one base64 field (standard alphabet, padded) of exactly `want` bytes. Written here,
 * not taken from libcrypto, so that `lectern config check` reads a PIN file without linking
 * it (cli.h: the light front end). */
static bool decode(const char *text, size_t len, unsigned char *out, size_t want)
{
	if (len != 4 * ((want + 2) / 3))
		return false;
	size_t pad = (3 - want % 3) % 3, got = 0;
	for (size_t i = 0; i < len; i += 4) {
		unsigned v = 0;
		for (size_t j = 0; j < 4; j++) {
			char c = text[i + j];
			int x = b64_value(c);
			bool is_pad = i + 4 == len && j >= 4 - pad;
			if (is_pad ? c != '=' : x < 0)
				return false;
			v = v << 6 | (unsigned)(is_pad ? 0 : x);
		}
		for (int k = 2; k >= 0 && got < want; k--)
			out[got++] = (unsigned char)(v >> (8 * k));
	}
	return got == want;
}

/* The parts of a hash string; false when it is not well formed. */
bool pinhash_parse(const char *encoded, int *iterations, unsigned char salt[PINHASH_SALT_BYTES],
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
	return pinhash_parse(encoded, &iterations, salt, hash);
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

