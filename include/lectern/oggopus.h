/*
 * oggopus.h — inspecting and repairing an Ogg Opus file after the fact (libogg).
 *
 * Used by the recovery pass after a power cut or kill, and by the recorder when the disk
 * filled mid-write: the file is cut after its last complete, checksum-valid page of the first
 * logical stream, that page is marked end-of-stream, and the result is fsync'd. Nothing past
 * the last good page is kept, nothing before it is changed.
 */
#ifndef LECTERN_OGGOPUS_H
#define LECTERN_OGGOPUS_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/err.h"

struct oggopus_info {
	int pre_skip;          /* from OpusHead */
	unsigned input_rate;   /* from OpusHead */
	int64_t granule;       /* of the last good page */
	int64_t samples;       /* granule - pre_skip, at 48 kHz (0 if negative) */
	int64_t good_bytes;    /* end of the last good page */
	int64_t file_bytes;
	int pages;
	bool eos;              /* last good page is marked end-of-stream */
};

/* Read-only scan. LT_ERR_CORRUPT if the file does not start with an OpusHead page. */
lt_err oggopus_scan(const char *path, struct oggopus_info *info);

/*
 * Make the file end cleanly at its last good page (truncate, set EOS, fsync). Fills `info`
 * with the result. A file that is already clean is left untouched.
 */
lt_err oggopus_close(const char *path, struct oggopus_info *info);

#endif
