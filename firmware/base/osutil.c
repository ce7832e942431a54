/* osutil.c — small OS helpers (files, free space, clocks). */
#include "lectern/osutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

lt_err os_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	if (!path || !*path || strlen(path) >= sizeof buf) {
		errno = EINVAL;
		return LT_ERR_INVALID;
	}
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) != 0 && errno != EEXIST)
			return LT_ERR_IO;
		*p = '/';
	}
	if (mkdir(buf, 0750) != 0 && errno != EEXIST)
		return LT_ERR_IO;
	struct stat sb;
	if (stat(buf, &sb) != 0)
		return LT_ERR_IO;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return LT_ERR_IO;
	}
	return LT_OK;
}

lt_err os_free_bytes(const char *path, uint64_t *out)
{
	struct statvfs sv;
	if (statvfs(path, &sv) != 0)
		return LT_ERR_IO;
	*out = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
	return LT_OK;
}

void os_dirname(const char *path, char *buf, size_t n)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		snprintf(buf, n, ".");
	} else if (slash == path) {
		snprintf(buf, n, "/");
	} else {
		snprintf(buf, n, "%.*s", (int)(slash - path), path);
	}
}

lt_err os_fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	os_dirname(path, dir, sizeof dir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return LT_ERR_IO;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc == 0 ? LT_OK : LT_ERR_IO;
}

lt_err os_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return LT_ERR_IO;
	}
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return errno == ENOSPC ? LT_ERR_DISK_FULL : LT_ERR_IO;
	const char *p = data;
	size_t left = len;
	int rc = fchmod(fd, (mode_t)mode);
	while (rc == 0 && left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	if (rc == 0)
		rc = fsync(fd);
	if (close(fd) != 0 && rc == 0)
		rc = -1;
	if (rc == 0)
		rc = rename(tmp, path);
	if (rc != 0) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
		return saved == ENOSPC || saved == EDQUOT ? LT_ERR_DISK_FULL : LT_ERR_IO;
	}
	return os_fsync_parent(path);
}

lt_err os_check_writable_dir(const char *path)
{
	lt_err err = os_mkdir_p(path);
	if (err != LT_OK)
		return err;
	if (access(path, W_OK | X_OK) != 0)
		return LT_ERR_IO;
	return LT_OK;
}

lt_err os_lock_file(const char *path, const char *holder, int *fd, char *busy, size_t n)
{
	int lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640); /* never a link's target */
	if (lfd < 0)
		return LT_ERR_IO;
	if (flock(lfd, LOCK_EX | LOCK_NB) != 0) {
		int saved = errno;
		lt_err err = LT_ERR_IO;
		if (saved == EWOULDBLOCK) {
			ssize_t got = n ? pread(lfd, busy, n - 1, 0) : 0;
			got = got < 0 ? 0 : got;
			while (got > 0 && (busy[got - 1] == '\n' || busy[got - 1] == '\0'))
				got--;
			if (n)
				busy[got] = '\0';
			err = LT_ERR_STATE;
		}
		close(lfd);
		errno = saved;
		return err;
	}
	size_t len = strlen(holder);
	if (ftruncate(lfd, 0) != 0 || pwrite(lfd, holder, len, 0) != (ssize_t)len ||
	    pwrite(lfd, "\n", 1, (off_t)len) != 1) {
		int saved = errno;
		close(lfd);
		errno = saved;
		return LT_ERR_IO;
	}
	*fd = lfd;
	return LT_OK;
}

int64_t os_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double os_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

lt_err os_sha256_file(const char *path, char hex[65])
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return errno == ENOENT ? LT_ERR_NOT_FOUND : LT_ERR_IO;
	/* Nettle, not OpenSSL: every recording is hashed as `lectern record` ends, and OpenSSL 3's
	 * EVP initialises its provider (2 MB touched, with libcrypto's 2 MB of relocations)
	 * where nettle's SHA-256 costs 0.6 MB; the record's peak RSS is budgeted (issue 11). */
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	unsigned char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sha256_update(&ctx, n, buf);
	lt_err err = ferror(fp) ? LT_ERR_IO : LT_OK;
	fclose(fp);
	if (err != LT_OK)
		return err;
	uint8_t md[SHA256_DIGEST_SIZE];
	sha256_digest(&ctx, sizeof md, md);
	for (size_t i = 0; i < sizeof md; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
	return LT_OK;
}


void *os_grow(void *items, size_t count, size_t *cap, size_t size, size_t first)
{
	if (count < *cap)
		return items;
	size_t more = *cap ? *cap * 2 : first;
	void *n = realloc(items, more * size);
	if (n)
		*cap = more;
	return n;
}
