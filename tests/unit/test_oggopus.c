/*
 * test_oggopus.c — scanning and repairing Ogg Opus files made by libopusenc: clean files, files
 * cut mid-page, at a page boundary, inside the headers, with garbage or a torn or foreign page,
 * and files that are not Ogg Opus at all. Where libopusfile is installed (it is optional), the
 * repaired files are also decoded.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include <ogg/ogg.h>
#include <opus/opusenc.h>

#include "lectern/log.h"
#include "lectern/oggopus.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define RATE 48000
#define SAMPLES (3 * RATE + 123) /* not a whole number of frames on purpose */
#define MAX_PAGES 256

struct page {
	long at, len;
	int64_t granule;
	bool bos, eos;
	int serial;
};

struct ctx {
	char dir[64];
	char orig[PATH_MAX];  /* the clean file, made once */
	unsigned char *data;  /* its bytes */
	size_t size;
	struct page pages[MAX_PAGES];
	int npages;
	int first_audio;      /* index of the first page after the headers */
	int pre_skip;
	char work[PATH_MAX];  /* the file each test damages */
};

/* libopusfile, if present: loaded at run time so that it stays optional. */
static struct {
	bool tried, ok;
	void *lib;
	void *(*open_file)(const char *path, int *error);
	int64_t (*pcm_total)(const void *of, int li);
	int (*read)(void *of, int16_t *pcm, int buf_size, int *li);
	void (*free)(void *of);
} opusfile;

static bool opusfile_load(void)
{
	if (opusfile.tried)
		return opusfile.ok;
	opusfile.tried = true;
	opusfile.lib = dlopen("libopusfile.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!opusfile.lib)
		return false;
	*(void **)&opusfile.open_file = dlsym(opusfile.lib, "op_open_file");
	*(void **)&opusfile.pcm_total = dlsym(opusfile.lib, "op_pcm_total");
	*(void **)&opusfile.read = dlsym(opusfile.lib, "op_read");
	*(void **)&opusfile.free = dlsym(opusfile.lib, "op_free");
	opusfile.ok = opusfile.open_file && opusfile.pcm_total && opusfile.read && opusfile.free;
	return opusfile.ok;
}

/*
 * Decode the whole file with libopusfile; returns the samples decoded (and checks that they
 * agree with the stream's stated length), -1 if it cannot be opened or decoded, -2 if
 * libopusfile is not installed.
 */
static int64_t decode_all(const char *path)
{
	if (!opusfile_load())
		return -2;
	int err = 0;
	void *of = opusfile.open_file(path, &err);
	if (!of)
		return -1;
	int64_t total = opusfile.pcm_total(of, -1);
	int16_t pcm[5760 * 2];
	int64_t got = 0;
	for (;;) {
		int n = opusfile.read(of, pcm, (int)(sizeof pcm / sizeof pcm[0]), NULL);
		if (n < 0) {
			got = -1;
			break;
		}
		if (n == 0)
			break;
		got += n;
	}
	opusfile.free(of);
	if (got >= 0 && got != total)
		return -1;
	return got;
}

/* Files ------------------------------------------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void append(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "ab");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int64_t file_size(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return -1;
	return sb.st_size;
}

/* Split a buffer into Ogg pages with libogg (checksums checked). */
static int list_pages(const unsigned char *data, size_t size, struct page *pages, int max)
{
	ogg_sync_state oy;
	ogg_sync_init(&oy);
	char *buf = ogg_sync_buffer(&oy, (long)size);
	memcpy(buf, data, size);
	ogg_sync_wrote(&oy, (long)size);
	int n = 0;
	long at = 0;
	for (;;) {
		ogg_page og;
		long r = ogg_sync_pageseek(&oy, &og);
		if (r == 0)
			break;
		if (r < 0) {
			at += -r;
			continue;
		}
		if (n < max) {
			pages[n].at = at;
			pages[n].len = r;
			pages[n].granule = ogg_page_granulepos(&og);
			pages[n].bos = ogg_page_bos(&og) != 0;
			pages[n].eos = ogg_page_eos(&og) != 0;
			pages[n].serial = ogg_page_serialno(&og);
		}
		n++;
		at += r;
	}
	ogg_sync_clear(&oy);
	return n;
}

static void make_opus(const char *path, int samples)
{
	int err = OPE_OK;
	OggOpusComments *com = ope_comments_create();
	assert_non_null(com);
	ope_comments_add(com, "TITLE", "test_oggopus");
	OggOpusEnc *enc = ope_encoder_create_file(path, com, RATE, 1, 0, &err);
	ope_comments_destroy(com);
	assert_non_null(enc);
	/* Small pages (about 100 ms) so that there are many boundaries to cut at. */
	assert_int_equal(ope_encoder_ctl(enc, OPE_SET_MUXING_DELAY(4800)), OPE_OK);
	assert_int_equal(ope_encoder_ctl(enc, OPUS_SET_COMPLEXITY(0)), OPE_OK);
	assert_int_equal(ope_encoder_ctl(enc, OPUS_SET_BITRATE(32000)), OPE_OK);
	int16_t chunk[960];
	for (int done = 0; done < samples;) {
		int n = samples - done < 960 ? samples - done : 960;
		for (int i = 0; i < n; i++)
			chunk[i] = (int16_t)lrint(8000.0 *
						  sin(2.0 * M_PI * 440.0 * (done + i) / RATE));
		assert_int_equal(ope_encoder_write(enc, chunk, n), OPE_OK);
		done += n;
	}
	assert_int_equal(ope_encoder_drain(enc), OPE_OK);
	ope_encoder_destroy(enc);
}

static int group_setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	snprintf(c->dir, sizeof c->dir, "/tmp/lectern-oggopus-XXXXXX");
	if (!mkdtemp(c->dir)) {
		free(c);
		return -1;
	}
	snprintf(c->orig, sizeof c->orig, "%s/clean.opus", c->dir);
	snprintf(c->work, sizeof c->work, "%s/work.opus", c->dir);
	make_opus(c->orig, SAMPLES);
	c->data = slurp(c->orig, &c->size);
	if (!c->data)
		return -1;
	c->npages = list_pages(c->data, c->size, c->pages, MAX_PAGES);
	if (c->npages < 10 || c->npages > MAX_PAGES)
		return -1;
	/* OpusHead is page 0, alone; then OpusTags (granule 0, or -1 on pages it continues on);
	 * the first page with a positive granule is the first with audio. */
	c->first_audio = 1;
	while (c->first_audio < c->npages && c->pages[c->first_audio].granule <= 0)
		c->first_audio++;
	c->pre_skip = c->data[c->pages[0].at + 28 + 10] | c->data[c->pages[0].at + 28 + 11] << 8;
	*state = c;
	return 0;
}

static int group_teardown(void **state)
{
	struct ctx *c = *state;
	if (c) {
		printf("# test file: %d pages (audio from page %d), pre-skip %d; libopusfile "
		       "decoding %s\n",
		       c->npages, c->first_audio, c->pre_skip,
		       opusfile.ok ? "checked" : "skipped (libopusfile.so.0 not found)");
		tu_rmrf(c->dir);
		free(c->data);
		free(c);
	}
	if (opusfile.lib)
		dlclose(opusfile.lib);
	return 0;
}

static int test_setup(void **state)
{
	struct ctx *c = *state;
	unlink(c->work);
	return 0;
}

/* A copy of the clean file's first `len` bytes as the work file. */
static void make_cut(struct ctx *c, long len)
{
	assert_true(len >= 0 && (size_t)len <= c->size);
	spit(c->work, c->data, (size_t)len);
}

/*
 * After oggopus_close(): the work file ends exactly after page `last` of the original, which is
 * now marked end-of-stream; everything before that page is unchanged, and in that page only the
 * flag byte and the checksum changed.
 */
static void assert_closed_after_page(struct ctx *c, const struct oggopus_info *info, int last)
{
	const struct page *p = &c->pages[last];
	long end = p->at + p->len;
	assert_int_equal(info->good_bytes, end);
	assert_int_equal(info->file_bytes, end);
	assert_true(info->eos);
	assert_int_equal(info->pages, last + 1);
	assert_int_equal(file_size(c->work), end);

	size_t len;
	unsigned char *now = slurp(c->work, &len);
	assert_non_null(now);
	assert_int_equal(len, (size_t)end);
	assert_memory_equal(now, c->data, (size_t)p->at);
	for (long i = p->at; i < end; i++) {
		long off = i - p->at;
		if (off == 5)
			assert_int_equal(now[i], c->data[i] | 0x04);
		else if (off < 22 || off > 25)
			assert_int_equal(now[i], c->data[i]);
	}
	/* The pages parse (checksums valid) and the last one, only, says EOS. */
	struct page pages[MAX_PAGES];
	int n = list_pages(now, len, pages, MAX_PAGES);
	free(now);
	assert_int_equal(n, last + 1);
	for (int i = 0; i < n; i++)
		assert_int_equal(pages[i].eos, i == last);

	/* A re-scan agrees. */
	struct oggopus_info again;
	assert_int_equal(oggopus_scan(c->work, &again), LT_OK);
	assert_true(again.eos);
	assert_int_equal(again.good_bytes, end);
	assert_int_equal(again.file_bytes, end);
	assert_int_equal(again.pages, last + 1);
	assert_int_equal(again.pre_skip, c->pre_skip);
	int64_t granule = 0;
	for (int i = 0; i <= last; i++)
		if (c->pages[i].granule >= 0)
			granule = c->pages[i].granule;
	int64_t want = granule - c->pre_skip > 0 ? granule - c->pre_skip : 0;
	assert_int_equal(again.samples, want);
	assert_int_equal(info->samples, want);
}

/* Clean files ------------------------------------------------------------------------------- */

static void test_scan_clean_file(void **state)
{
	struct ctx *c = *state;
	struct oggopus_info info;
	assert_int_equal(oggopus_scan(c->orig, &info), LT_OK);
	assert_true(info.eos);
	assert_int_equal(info.samples, SAMPLES);
	assert_true(info.pre_skip > 0);
	assert_int_equal(info.pre_skip, c->pre_skip);
	assert_int_equal(info.input_rate, RATE);
	assert_int_equal(info.file_bytes, c->size);
	assert_int_equal(info.good_bytes, c->size);
	assert_int_equal(info.pages, c->npages);
	assert_int_equal(info.granule, c->pages[c->npages - 1].granule);
	assert_true(c->pages[c->npages - 1].eos);
	int64_t decoded = decode_all(c->orig);
	if (decoded != -2)
		assert_int_equal(decoded, SAMPLES);
}

static void test_clean_file_left_identical(void **state)
{
	struct ctx *c = *state;
	make_cut(c, (long)c->size);
	struct stat before, after;
	assert_int_equal(stat(c->work, &before), 0);
	usleep(20000); /* so that a rewrite would show in the modification time */
	struct oggopus_info info;
	assert_int_equal(oggopus_close(c->work, &info), LT_OK);
	assert_true(info.eos);
	assert_int_equal(info.samples, SAMPLES);
	assert_int_equal(info.good_bytes, c->size);
	assert_int_equal(info.file_bytes, c->size);
	assert_int_equal(stat(c->work, &after), 0);
	assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	size_t len;
	unsigned char *now = slurp(c->work, &len);
	assert_non_null(now);
	assert_int_equal(len, c->size);
	assert_memory_equal(now, c->data, c->size);
	free(now);
	/* NULL info is allowed. */
	assert_int_equal(oggopus_close(c->work, NULL), LT_OK);
}

/* Cut files --------------------------------------------------------------------------------- */

static void check_repaired_audio(struct ctx *c, const struct oggopus_info *info)
{
	assert_true(info->samples > 0);
	assert_true(info->samples < SAMPLES);
	int64_t decoded = decode_all(c->work);
	if (decoded != -2) {
		if (decoded < 0)
			fail_msg("libopusfile cannot decode the repaired file");
		assert_int_equal(decoded, info->samples);
	}
}

static void test_cut_mid_page(void **state)
{
	struct ctx *c = *state;
	int ks[] = {c->first_audio + 1, c->npages / 2, c->npages - 1};
	for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
		int k = ks[i];
		const struct page *p = &c->pages[k];
		long cuts[] = {p->at + 1, p->at + 27, p->at + p->len / 2, p->at + p->len - 1};
		for (size_t j = 0; j < sizeof cuts / sizeof cuts[0]; j++) {
			make_cut(c, cuts[j]);
			struct oggopus_info info;
			assert_int_equal(oggopus_close(c->work, &info), LT_OK);
			assert_closed_after_page(c, &info, k - 1);
			check_repaired_audio(c, &info);
		}
	}
}

static void test_cut_at_page_boundary(void **state)
{
	struct ctx *c = *state;
	int ks[] = {c->first_audio + 1, c->first_audio + 2, c->npages / 2, c->npages - 1};
	for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
		int k = ks[i];
		make_cut(c, c->pages[k].at);
		struct oggopus_info info;
		assert_int_equal(oggopus_close(c->work, &info), LT_OK);
		assert_closed_after_page(c, &info, k - 1);
		check_repaired_audio(c, &info);
		/* Closing again changes nothing. */
		size_t len;
		unsigned char *before = slurp(c->work, &len);
		assert_non_null(before);
		assert_int_equal(oggopus_close(c->work, &info), LT_OK);
		size_t len2;
		unsigned char *after = slurp(c->work, &len2);
		assert_non_null(after);
		assert_int_equal(len, len2);
		assert_memory_equal(before, after, len);
		free(before);
		free(after);
	}
}

static void test_cut_after_first_audio_page(void **state)
{
	struct ctx *c = *state;
	int k = c->first_audio;
	make_cut(c, c->pages[k].at + c->pages[k].len + 10);
	struct oggopus_info info;
	assert_int_equal(oggopus_close(c->work, &info), LT_OK);
	assert_closed_after_page(c, &info, k);
	check_repaired_audio(c, &info);
}

static void test_cut_inside_headers(void **state)
{
	struct ctx *c = *state;
	struct oggopus_info info;
	/* Inside OpusTags (or just after OpusHead): only OpusHead is left, closed, no audio. */
	long cuts[] = {c->pages[1].at, c->pages[1].at + 5, c->pages[1].at + c->pages[1].len - 1};
	for (size_t j = 0; j < sizeof cuts / sizeof cuts[0]; j++) {
		make_cut(c, cuts[j]);
		assert_int_equal(oggopus_close(c->work, &info), LT_OK);
		assert_closed_after_page(c, &info, 0);
		assert_int_equal(info.samples, 0);
	}
	/* Inside the audio-less part after OpusTags (if the tags took more pages) is the same. */
	make_cut(c, c->pages[c->first_audio].at + 3);
	assert_int_equal(oggopus_close(c->work, &info), LT_OK);
	assert_closed_after_page(c, &info, c->first_audio - 1);
	assert_int_equal(info.samples, 0);
	/* Inside OpusHead, or empty: no good page at all; the file is left as it is. */
	long bad[] = {0, 4, 27, c->pages[0].len - 1};
	for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
		make_cut(c, bad[j]);
		assert_int_equal(oggopus_scan(c->work, &info), LT_ERR_CORRUPT);
		assert_int_equal(oggopus_close(c->work, &info), LT_ERR_CORRUPT);
		assert_int_equal(file_size(c->work), bad[j]);
	}
}

static void test_garbage_appended_is_cut(void **state)
{
	struct ctx *c = *state;
	unsigned char junk[5000];
	unsigned rnd = 99;
	for (size_t i = 0; i < sizeof junk; i++) {
		rnd = rnd * 1103515245u + 12345u;
		junk[i] = (unsigned char)(rnd >> 16);
	}
	/* Random bytes, a lone capture pattern, and a torn copy of a real page. */
	const struct page *p = &c->pages[c->npages / 2];
	struct {
		const void *bytes;
		size_t len;
	} tails[] = {
		{junk, sizeof junk},
		{"OggS", 4},
		{c->data + p->at, (size_t)p->len - 3},
		{c->data + p->at, (size_t)p->len}, /* a whole page after EOS */
	};
	for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
		make_cut(c, (long)c->size);
		append(c->work, tails[t].bytes, tails[t].len);
		struct oggopus_info info;
		assert_int_equal(oggopus_close(c->work, &info), LT_OK);
		assert_true(info.eos);
		assert_int_equal(info.samples, SAMPLES);
		assert_int_equal(info.file_bytes, c->size);
		size_t len;
		unsigned char *now = slurp(c->work, &len);
		assert_non_null(now);
		assert_int_equal(len, c->size);
		assert_memory_equal(now, c->data, c->size);
		free(now);
	}
	/* Cut mid-page and then garbage: back to the last whole page before the cut. */
	int k = c->npages / 3;
	make_cut(c, c->pages[k].at + 100);
	append(c->work, junk, sizeof junk);
	struct oggopus_info info;
	assert_int_equal(oggopus_close(c->work, &info), LT_OK);
	assert_closed_after_page(c, &info, k - 1);
}

static void test_torn_page_ends_good_part(void **state)
{
	struct ctx *c = *state;
	int k = c->npages / 2;
	unsigned char *copy = malloc(c->size);
	assert_non_null(copy);
	memcpy(copy, c->data, c->size);
	copy[c->pages[k].at + c->pages[k].len - 5] ^= 0x5a; /* body byte: checksum fails */
	spit(c->work, copy, c->size);
	free(copy);
	struct oggopus_info info;
	assert_int_equal(oggopus_scan(c->work, &info), LT_OK);
	assert_false(info.eos);
	assert_int_equal(info.good_bytes, c->pages[k].at);
	assert_int_equal(info.file_bytes, c->size);
	assert_int_equal(oggopus_close(c->work, &info), LT_OK);
	assert_closed_after_page(c, &info, k - 1);
	check_repaired_audio(c, &info);
}

static void test_foreign_page_ends_good_part(void **state)
{
	struct ctx *c = *state;
	int k = c->npages / 2;
	make_cut(c, c->pages[k].at);
	/* Page k again, but of another logical stream (serial changed, checksum redone). */
	unsigned char *page = malloc((size_t)c->pages[k].len);
	assert_non_null(page);
	memcpy(page, c->data + c->pages[k].at, (size_t)c->pages[k].len);
	page[14] ^= 0xff;
	ogg_page og = {page, 27 + page[26], page + 27 + page[26], c->pages[k].len - 27 - page[26]};
	ogg_page_checksum_set(&og);
	assert_int_equal(list_pages(page, (size_t)c->pages[k].len, NULL, 0), 1);
	append(c->work, page, (size_t)c->pages[k].len);
	free(page);
	struct oggopus_info info;
	assert_int_equal(oggopus_close(c->work, &info), LT_OK);
	assert_closed_after_page(c, &info, k - 1);
}

/* Not Ogg Opus, or not there ---------------------------------------------------------------- */

static void assert_corrupt_and_untouched(struct ctx *c, const void *bytes, size_t len)
{
	spit(c->work, bytes, len);
	struct oggopus_info info;
	assert_int_equal(oggopus_scan(c->work, &info), LT_ERR_CORRUPT);
	assert_int_equal(oggopus_close(c->work, &info), LT_ERR_CORRUPT);
	size_t n;
	unsigned char *now = slurp(c->work, &n);
	assert_non_null(now);
	assert_int_equal(n, len);
	assert_memory_equal(now, bytes, len);
	free(now);
}

static void test_not_opus_is_corrupt(void **state)
{
	struct ctx *c = *state;
	static const char text[] = "This is not an Ogg Opus file.\n";
	assert_corrupt_and_untouched(c, text, sizeof text - 1);

	/* A valid Ogg page whose first packet is not OpusHead (here: a Vorbis-like header). */
	ogg_stream_state os;
	ogg_stream_init(&os, 1234);
	unsigned char head[30] = "\x01vorbis";
	ogg_packet op = {head, sizeof head, 1, 0, 0, 0};
	ogg_stream_packetin(&os, &op);
	ogg_page og;
	assert_true(ogg_stream_flush(&os, &og) != 0);
	size_t len = (size_t)(og.header_len + og.body_len);
	unsigned char *buf = malloc(len);
	assert_non_null(buf);
	memcpy(buf, og.header, (size_t)og.header_len);
	memcpy(buf + og.header_len, og.body, (size_t)og.body_len);
	ogg_stream_clear(&os);
	assert_corrupt_and_untouched(c, buf, len);
	free(buf);

	/* The real file with its first page's OpusHead magic damaged (checksum redone). */
	unsigned char *copy = malloc(c->size);
	assert_non_null(copy);
	memcpy(copy, c->data, c->size);
	copy[c->pages[0].at + 28 + 4] = 'X'; /* "OpusXead" */
	ogg_page first = {copy, 27 + copy[26], copy + 27 + copy[26],
			  c->pages[0].len - 27 - copy[26]};
	ogg_page_checksum_set(&first);
	assert_corrupt_and_untouched(c, copy, c->size);
	free(copy);
}

static void test_missing_file(void **state)
{
	struct ctx *c = *state;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/missing.opus", c->dir);
	struct oggopus_info info;
	assert_int_equal(oggopus_scan(path, &info), LT_ERR_NOT_FOUND);
	assert_int_equal(oggopus_close(path, &info), LT_ERR_NOT_FOUND);
	assert_int_equal(file_size(path), -1);
	assert_int_equal(errno, ENOENT); /* close did not create it */
}

int main(void)
{
	log_set_level(LOG_LVL_WARN);
#define T(name) cmocka_unit_test_setup(name, test_setup)
	const struct CMUnitTest tests[] = {
		T(test_scan_clean_file),
		T(test_clean_file_left_identical),
		T(test_cut_mid_page),
		T(test_cut_at_page_boundary),
		T(test_cut_after_first_audio_page),
		T(test_cut_inside_headers),
		T(test_garbage_appended_is_cut),
		T(test_torn_page_ends_good_part),
		T(test_foreign_page_ends_good_part),
		T(test_not_opus_is_corrupt),
		T(test_missing_file),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
