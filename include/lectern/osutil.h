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
/* SHA-256 of a file as 64 hex digits, streamed. LT_ERR_NOT_FOUND, LT_ERR_IO. */
lt_err os_sha256_file(const char *path, char hex[65]);
/* Wall clock in unix milliseconds / monotonic seconds. */
int64_t os_now_ms(void);
double os_mono_s(void);

#endif
