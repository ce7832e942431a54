/*
 * osutil.h — small OS helpers (files, free space, clocks) shared by the store, recorder and recovery.
 */
#ifndef LECTERN_OSUTIL_H
#define LECTERN_OSUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "lectern/err.h"

/* mkdir -p with mode 0750 for new directories. LT_ERR_IO with errno set on failure. */
lt_err os_mkdir_p(const char *path);
/* Bytes available to an unprivileged writer on the filesystem holding `path`. */
lt_err os_free_bytes(const char *path, uint64_t *out);
/* fsync the directory containing `path` (after create/rename). */
lt_err os_fsync_parent(const char *path);
/* Directory part of `path` into buf ("." if none). */
void os_dirname(const char *path, char *buf, size_t n);
/* Whether a directory is writable by us (creates it if missing). */
lt_err os_check_writable_dir(const char *path);
/*
 * Replace the file `path` with `len` bytes of `data`, all or nothing, durably: written to a
 * temporary name beside it, fsync'd, given `mode`, renamed over `path`, directory fsync'd.
 * LT_ERR_IO / LT_ERR_DISK_FULL with errno set; the temporary file is removed on failure.
 */
lt_err os_write_atomic(const char *path, const void *data, size_t len, unsigned mode);
/* SHA-256 of a file as 64 hex digits, streamed. LT_ERR_NOT_FOUND, LT_ERR_IO. */
lt_err os_sha256_file(const char *path, char hex[65]);
/*
 * Take an exclusive flock(2) on `path` (created 0640 if missing, close-on-exec) without
 * waiting, and write `holder` (who we are, for the next one) into it. The lock lasts until
 * *fd is closed or the process ends, however it ends: the kernel drops it even after kill -9,
 * so a file left by a dead holder never blocks (its stale text is overwritten).
 * LT_ERR_STATE when another process holds it: `busy` then receives the text that one wrote
 * ("" if it has not written it yet). LT_ERR_IO with errno set otherwise.
 */
lt_err os_lock_file(const char *path, const char *holder, int *fd, char *busy, size_t n);
/*
 * `items` (an array of *cap elements of `size` bytes, `count` of them used) with room for one
 * more: itself, or reallocated to twice *cap (`first` elements the first time; then *cap
 * grows), or NULL when memory ran out (`items` and *cap are left as they were).
 */
void *os_grow(void *items, size_t count, size_t *cap, size_t size, size_t first);
/* Wall clock in unix milliseconds / monotonic seconds. */
int64_t os_now_ms(void);
double os_mono_s(void);

#endif
