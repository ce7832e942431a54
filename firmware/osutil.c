/* osutil.c — small OS helpers (files, free space, clocks). */
#include "lectern/osutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
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

lt_err os_check_writable_dir(const char *path)
{
	lt_err err = os_mkdir_p(path);
	if (err != LT_OK)
		return err;
	if (access(path, W_OK | X_OK) != 0)
		return LT_ERR_IO;
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
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	lt_err err = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ? LT_OK : LT_ERR_NOMEM;
	unsigned char buf[65536];
	size_t n;
	while (err == LT_OK && (n = fread(buf, 1, sizeof buf, fp)) > 0)
		if (!EVP_DigestUpdate(ctx, buf, n))
			err = LT_ERR_NOMEM;
	if (err == LT_OK && ferror(fp))
		err = LT_ERR_IO;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	if (err == LT_OK && EVP_DigestFinal_ex(ctx, md, &len)) {
		for (unsigned i = 0; i < len && i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		hex[64] = '\0';
	}
	EVP_MD_CTX_free(ctx);
	fclose(fp);
	return err;
}

