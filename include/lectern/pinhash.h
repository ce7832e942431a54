/*
 * pinhash.h — the settings PIN, stored as a salted PBKDF2-HMAC-SHA256 hash.
 *
 * A four-to-eight-digit PIN has at most 10^8 values: no hash makes it strong against someone
 * who has read the hash. What the hash buys is that the PIN is not read off a world-readable
 * config or a backup in one glance, and that each guess costs ~50 ms of CPU, so walking every
 * four-digit PIN takes minutes, not microseconds. The real protection of the keypad is its
 * lock-out (kiosk_events.h); the file holding the hash is 0600 for the service user.
 *
 * The stored form, one line:
 *   pbkdf2-sha256$ITERATIONS$SALT$HASH
 * SALT (16 bytes) and HASH (32 bytes) in standard base64 with padding; ITERATIONS in decimal
 * between PINHASH_MIN_ITER and PINHASH_MAX_ITER (a file asking for more is refused rather
 * than let it stall the screen).
 *
 * pinfile.c (parsing, the PIN file) needs no libcrypto, so that the light front end's `config
 * check` reads a PIN file; pinhash.c (making and verifying) does.
 *
 * Where it lives: [ui] pin_file names a file (mode 0600, or 0640 for the service's group,
 * as password files) whose first line is that string; `lectern provision --pin` writes it.
 * A plain [ui] pin still works, and `lectern config check` warns about it.
 */
#ifndef LECTERN_PINHASH_H
#define LECTERN_PINHASH_H

#include <stdbool.h>
#include <stddef.h>

#include "lectern/err.h"

#define PINHASH_PREFIX "pbkdf2-sha256$"
#define PINHASH_SALT_BYTES 16
#define PINHASH_HASH_BYTES 32
#define PINHASH_MIN_ITER 1000
#define PINHASH_MAX_ITER 10000000
/* Iterations when none are measured (an image built on another machine): ~50 ms on a
 * Raspberry Pi 4 by the estimate in README "PIN". */
#define PINHASH_DEFAULT_ITER 30000
#define PINHASH_TARGET_MS 50
#define PINHASH_MAX_LEN 128        /* the encoded string, NUL included */

/* The sample configuration's PIN: a box still using it refuses to open settings. */
#define PINHASH_SAMPLE_PIN "1234"

/*
 * Hash `pin` (digits) with a fresh random salt (RAND_bytes) and `iterations` into `out`
 * (at least PINHASH_MAX_LEN bytes). LT_ERR_INVALID for iterations out of range or a PIN that is
 * not 1..8 digits; LT_ERR_IO when no randomness could be had.
 */
lt_err pinhash_make(const char *pin, int iterations, char *out, size_t n);

/*
 * Whether `pin` is the one `encoded` was made from: 1 yes, 0 no, -1 `encoded` is not a
 * well-formed hash string (prefix, iteration range, base64, lengths). The derived key is
 * compared with CRYPTO_memcmp (constant time); the time taken depends on the iterations only.
 * Trailing white space (a line end) after the hash is allowed.
 */
int pinhash_verify(const char *pin, const char *encoded);

/* The parts of a hash string (trailing white space allowed); false when it is not well
 * formed. pinhash_verify's first step. */
bool pinhash_parse(const char *encoded, int *iterations, unsigned char salt[PINHASH_SALT_BYTES],
		   unsigned char hash[PINHASH_HASH_BYTES]);

/* Whether `encoded` is a well-formed hash string (nothing is derived: fast). */
bool pinhash_valid(const char *encoded);

/*
 * The hash in the first line of the PIN file `path` into buf (PINHASH_MAX_LEN bytes).
 * LT_ERR_CONFIG, with a sentence in why, when it cannot be read, others may read or change it
 * (config_secret_too_open, as for password files) or it holds no well-formed hash.
 */
lt_err pinhash_read_file(const char *path, char *buf, size_t n, char *why, size_t why_len);

/* Whether `s` looks like a hash string (the prefix): tells a hash from a plain PIN. */
bool pinhash_is_hash(const char *s);

/*
 * How many iterations take about `target_ms` on this machine (timed, so 10-20 ms of CPU),
 * within PINHASH_MIN_ITER..PINHASH_MAX_ITER; `ms_per_10k` (may be NULL) receives the
 * measured milliseconds per 10,000 iterations.
 */
int pinhash_calibrate(int target_ms, double *ms_per_10k);

/* The constant-time comparison pinhash_verify uses (CRYPTO_memcmp); 1 equal, 0 not. Tests
 * count its calls through pinhash_compare_count(). */
int pinhash_equal(const void *a, const void *b, size_t n);
unsigned long pinhash_compare_count(void);

#endif
