/*
 * fuzz_config.c — libFuzzer target for the configuration file: whatever bytes the file holds
 * (an editor's accident, a damaged SD card), reading it must not crash, hang or leak, and a
 * refusal must name a place in the file.
 * The bytes are handed over as a file (a memfd), since config_load() reads a path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lectern/config.h"
#include "lectern/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		if ((fd = memfd_create("lectern.conf", 0)) < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';

	static struct config cfg; /* large: keep it off the stack */
	struct config_error err;
	memset(&err, 0, sizeof err);
	config_defaults(&cfg);
	lt_err rc = config_load(&cfg, path, &err);
	log_set_level(LOG_LVL_ERROR); /* a valid file may have asked for debug output */
	if (rc != LT_OK && rc != LT_ERR_CONFIG && rc != LT_ERR_IO)
		abort();
	if (rc == LT_ERR_CONFIG) {
		/* The line named is one of the file's (or 0: not tied to one), and said whole. */
		if (err.line < 0 || (size_t)err.line > lines || !err.msg[0])
			abort();
		char msg[1024];
		config_error_format(&err, msg, sizeof msg);
		if (!strstr(msg, path))
			abort();
	}
	return 0;
}
