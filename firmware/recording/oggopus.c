/*
 * oggopus.c — find the last good page of an Ogg Opus file and close the stream there.
 *
 * libogg does the page framing and checksum checks (ogg_sync_pageseek) and recomputes the
 * checksum after we set the EOS flag (ogg_page_checksum_set). We accept pages of the first
 * logical stream only, contiguous from the start; the first gap, foreign page or torn page
 * ends the good part.
 */
#include "lectern/oggopus.h"

#include <errno.h>
#include <fcntl.h>
#include <ogg/ogg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lectern/log.h"

struct scan {
	struct oggopus_info info;
	int64_t last_page_at;   /* offset of the last good page */
	long last_page_len;
};

static lt_err scan_fd(int fd, struct scan *sc)
{
	memset(sc, 0, sizeof *sc);
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return LT_ERR_IO;
	sc->info.file_bytes = sb.st_size;

	ogg_sync_state oy;
	ogg_sync_init(&oy);
	int serial = 0;
	int64_t offset = 0; /* file offset of the next byte libogg will look at */
	lt_err err = LT_OK;
	bool done = false;
	while (!done) {
		ogg_page og;
		long r = ogg_sync_pageseek(&oy, &og);
		if (r < 0) {
			/* Bytes skipped: a torn or damaged page. Good data ends before it. */
			break;
		}
		if (r > 0) {
			if (sc->info.pages == 0) {
				if (og.body_len < 19 || memcmp(og.body, "OpusHead", 8) != 0 ||
				    !ogg_page_bos(&og)) {
					err = LT_ERR_CORRUPT;
					break;
				}
				serial = ogg_page_serialno(&og);
				sc->info.pre_skip = og.body[10] | og.body[11] << 8;
				sc->info.input_rate = (unsigned)og.body[12] | (unsigned)og.body[13] << 8 |
						      (unsigned)og.body[14] << 16 |
						      (unsigned)og.body[15] << 24;
			} else if (ogg_page_serialno(&og) != serial) {
				break;
			}
			sc->info.pages++;
			sc->last_page_at = offset;
			sc->last_page_len = r;
			offset += r;
			sc->info.good_bytes = offset;
			if (ogg_page_granulepos(&og) >= 0)
				sc->info.granule = ogg_page_granulepos(&og);
			sc->info.eos = ogg_page_eos(&og) != 0;
			if (sc->info.eos)
				done = true;
			continue;
		}
		char *buf = ogg_sync_buffer(&oy, 65536);
		ssize_t n = read(fd, buf, 65536);
		if (n < 0) {
			err = LT_ERR_IO;
			break;
		}
		if (n == 0)
			break; /* a partial page at the end is simply not good */
		ogg_sync_wrote(&oy, (long)n);
	}
	ogg_sync_clear(&oy);
	if (err == LT_OK && sc->info.pages == 0)
		err = LT_ERR_CORRUPT;
	int64_t samples = sc->info.granule - sc->info.pre_skip;
	sc->info.samples = samples > 0 ? samples : 0;
	return err;
}

lt_err oggopus_scan(const char *path, struct oggopus_info *info)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? LT_ERR_NOT_FOUND : LT_ERR_IO;
	struct scan sc;
	lt_err err = scan_fd(fd, &sc);
	close(fd);
	*info = sc.info;
	return err;
}

lt_err oggopus_close(const char *path, struct oggopus_info *info)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? LT_ERR_NOT_FOUND : LT_ERR_IO;
	struct scan sc;
	unsigned char *page = NULL;
	lt_err err = scan_fd(fd, &sc);
	if (err != LT_OK)
		goto out;
	if (sc.info.eos && sc.info.good_bytes == sc.info.file_bytes)
		goto out; /* already clean */

	err = LT_ERR_IO;
	if (sc.info.good_bytes != sc.info.file_bytes) {
		log_info("oggopus: cutting %lld damaged or partial bytes at the end",
			 (long long)(sc.info.file_bytes - sc.info.good_bytes));
		if (ftruncate(fd, sc.info.good_bytes) != 0)
			goto out;
	}
	if (!sc.info.eos) {
		page = malloc((size_t)sc.last_page_len);
		if (!page) {
			err = LT_ERR_NOMEM;
			goto out;
		}
		if (pread(fd, page, (size_t)sc.last_page_len, sc.last_page_at) != sc.last_page_len)
			goto out;
		ogg_page og;
		og.header = page;
		og.header_len = 27 + page[26];
		og.body = page + og.header_len;
		og.body_len = sc.last_page_len - og.header_len;
		page[5] |= 0x04; /* end of stream */
		ogg_page_checksum_set(&og);
		if (pwrite(fd, page, (size_t)og.header_len, sc.last_page_at) != og.header_len)
			goto out;
		sc.info.eos = true;
	}
	if (fsync(fd) != 0)
		goto out;
	sc.info.file_bytes = sc.info.good_bytes;
	err = LT_OK;
out:
	if (err == LT_ERR_IO)
		log_error("oggopus: cannot repair a recording: %s", strerror(errno));
	free(page);
	close(fd);
	if (info)
		*info = sc.info;
	return err;
}
