/*
 * test_recorder.c — the recorder end to end on the file-backed audio source (read as fast as
 * the recorder takes it) and on a gated test source that lets the test pause after exactly K
 * reads: frame counts, end reasons, the Ogg Opus it writes, refusals, pause, low audio.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include <ogg/ogg.h>

#include "lectern/audio_source.h"
#include "lectern/log.h"
#include "lectern/oggopus.h"
#include "lectern/osutil.h"
#include "lectern/recorder.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define WAIT_MS 15000 /* a recording that has not ended by then is a failure, not a hang */

struct ctx {
	char dir[64];
	char out[PATH_MAX];   /* the recording */
	char raw[PATH_MAX];   /* the source file */
	struct audio_source *src;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	snprintf(c->dir, sizeof c->dir, "/tmp/lectern-recorder-XXXXXX");
	if (!mkdtemp(c->dir)) {
		free(c);
		return -1;
	}
	snprintf(c->out, sizeof c->out, "%s/rec.opus", c->dir);
	snprintf(c->raw, sizeof c->raw, "%s/in.raw", c->dir);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	audio_source_close(c->src);
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

enum signal_kind { TONE, SILENCE, LEFT_TONE };

/* A raw S16LE file: `frames` frames of `channels` at `rate`. LEFT_TONE: tone on channel 0 only. */
static void make_raw(const char *path, long frames, unsigned channels, unsigned rate,
		     enum signal_kind kind, double amp)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	int16_t frame[8];
	for (long i = 0; i < frames; i++) {
		int16_t v = 0;
		if (kind != SILENCE)
			v = (int16_t)lrint(amp * sin(2.0 * M_PI * 440.0 * (double)i / rate));
		for (unsigned ch = 0; ch < channels; ch++)
			frame[ch] = kind == LEFT_TONE && ch > 0 ? 0 : v;
		assert_int_equal(fwrite(frame, sizeof frame[0], channels, f), channels);
	}
	assert_int_equal(fclose(f), 0);
}

static void open_source(struct ctx *c, unsigned rate, unsigned channels)
{
	struct audio_source_params p = {
		.device = c->raw,
		.rate = rate,
		.channels = channels,
		.period_ms = 20,
		.realtime = false,
		.loop = false,
	};
	char msg[256];
	lt_err err = audio_source_open(&audio_file_ops, &p, &c->src, msg, sizeof msg);
	if (err != LT_OK)
		fail_msg("opening %s: %s", c->raw, msg);
	assert_int_equal(c->src->fmt.rate, rate);
	assert_int_equal(c->src->fmt.channels, channels);
}

static struct recorder_params params(const char *path)
{
	struct recorder_params p = {
		.path = path,
		.title = "Unit test",
		.presenter = "cmocka",
		.room = "Room 0",
		.date = "2026-11-22T18:44:00Z",
		.bitrate_kbps = 32,
		.complexity = 0,
		.frame_samples48 = 960,
		.max_frames = 0,
		.min_free_bytes = 0,
		.sync_seconds = 1,
		.page_ms = 0,
		.low_audio_dbfs = -60.0f,
		.low_audio_seconds = 0,
	};
	return p;
}

/* Start, wait for the recording to end by itself, finish. Returns recorder_finish()'s result. */
static lt_err record(struct ctx *c, const struct recorder_params *p, struct recorder_status *fin)
{
	struct recorder *r = NULL;
	assert_int_equal(recorder_start(p, c->src, &r), LT_OK);
	assert_non_null(r);
	assert_true(recorder_wait(r, WAIT_MS));
	lt_err err = recorder_finish(r, fin);
	audio_source_close(c->src);
	c->src = NULL;
	return err;
}

static int64_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* The channel count in the file's OpusHead. */
static int opushead_channels(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	unsigned char buf[4096];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	ogg_sync_state oy;
	ogg_sync_init(&oy);
	char *b = ogg_sync_buffer(&oy, (long)n);
	memcpy(b, buf, n);
	ogg_sync_wrote(&oy, (long)n);
	ogg_page og;
	int channels = -1;
	if (ogg_sync_pageout(&oy, &og) == 1 && og.body_len >= 19 &&
	    memcmp(og.body, "OpusHead", 8) == 0)
		channels = og.body[9];
	ogg_sync_clear(&oy);
	return channels;
}

/* The OpusTags comment `name=...` is present. */
static bool has_tag(const char *path, const char *tag)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char buf[8192];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	size_t len = strlen(tag);
	for (size_t i = 0; i + len <= n; i++)
		if (memcmp(buf + i, tag, len) == 0)
			return true;
	return false;
}

/* The output: a clean Ogg Opus stream holding exactly `samples48` samples. */
static void assert_recording(const char *path, int64_t samples48, unsigned input_rate,
			     const struct recorder_status *fin)
{
	struct oggopus_info info;
	assert_int_equal(oggopus_scan(path, &info), LT_OK);
	assert_true(info.eos);
	assert_int_equal(info.good_bytes, info.file_bytes);
	assert_int_equal(info.samples, samples48);
	assert_int_equal(info.input_rate, input_rate);
	assert_int_equal(opushead_channels(path), 1);
	assert_int_equal(fin->bytes, (uint64_t)info.file_bytes);
}

/* libopusfile, if present (optional): decode and return the peak sample, or -1. */
static struct {
	bool tried, ok;
	void *lib;
	void *(*open_file)(const char *path, int *error);
	int (*read)(void *of, int16_t *pcm, int buf_size, int *li);
	void (*free)(void *of);
} opusfile;

static int decoded_peak(const char *path, int64_t *samples)
{
	if (!opusfile.tried) {
		opusfile.tried = true;
		opusfile.lib = dlopen("libopusfile.so.0", RTLD_NOW | RTLD_LOCAL);
		if (opusfile.lib) {
			*(void **)&opusfile.open_file = dlsym(opusfile.lib, "op_open_file");
			*(void **)&opusfile.read = dlsym(opusfile.lib, "op_read");
			*(void **)&opusfile.free = dlsym(opusfile.lib, "op_free");
			opusfile.ok = opusfile.open_file && opusfile.read && opusfile.free;
		}
	}
	if (!opusfile.ok)
		return -1;
	int err;
	void *of = opusfile.open_file(path, &err);
	assert_non_null(of);
	int16_t pcm[5760];
	int peak = 0, n;
	*samples = 0;
	while ((n = opusfile.read(of, pcm, 5760, NULL)) > 0) {
		for (int i = 0; i < n; i++)
			if (abs(pcm[i]) > peak)
				peak = abs(pcm[i]);
		*samples += n;
	}
	opusfile.free(of);
	assert_int_equal(n, 0);
	return peak;
}

/* File source ------------------------------------------------------------------------------- */

static void test_max_frames_exact(void **state)
{
	struct ctx *c = *state;
	make_raw(c->raw, 3 * 48000, 1, 48000, TONE, 8000);
	static const int64_t maxes[] = {500, 96000, 100000, 3 * 48000};
	for (size_t i = 0; i < sizeof maxes / sizeof maxes[0]; i++) {
		unlink(c->out);
		open_source(c, 48000, 1);
		struct recorder_params p = params(c->out);
		p.max_frames = maxes[i];
		struct recorder_status fin;
		assert_int_equal(record(c, &p, &fin), LT_OK);
		assert_int_equal(fin.end, RECORDER_MAX_REACHED);
		assert_int_equal(fin.error, LT_OK);
		assert_int_equal(fin.frames, maxes[i]);
		assert_int_equal(fin.rate, 48000);
		assert_true(fabs(fin.seconds - (double)maxes[i] / 48000) < 1e-9);
		assert_recording(c->out, maxes[i], 48000, &fin);
	}
	assert_true(has_tag(c->out, "TITLE=Unit test"));
	assert_true(has_tag(c->out, "LOCATION=Room 0"));
}

static void test_source_shorter_than_max(void **state)
{
	struct ctx *c = *state;
	long frames = 72123; /* not a whole number of 20 ms periods */
	make_raw(c->raw, frames, 1, 48000, TONE, 8000);
	static const int64_t maxes[] = {10 * 48000, 0 /* no limit */};
	for (size_t i = 0; i < sizeof maxes / sizeof maxes[0]; i++) {
		unlink(c->out);
		open_source(c, 48000, 1);
		struct recorder_params p = params(c->out);
		p.max_frames = maxes[i];
		struct recorder_status fin;
		assert_int_equal(record(c, &p, &fin), LT_OK);
		assert_int_equal(fin.end, RECORDER_SOURCE_ENDED);
		assert_int_equal(fin.error, LT_OK);
		assert_int_equal(fin.frames, frames);
		assert_recording(c->out, frames, 48000, &fin);
	}
	int64_t n = 0;
	int peak = decoded_peak(c->out, &n);
	if (peak >= 0) {
		assert_int_equal(n, frames);
		assert_in_range(peak, 6000, 10000); /* the 8000 tone, through a lossy codec */
	}
}

static void test_stereo_is_downmixed(void **state)
{
	struct ctx *c = *state;
	long frames = 60000;
	/* Left: tone of 16000; right: silence. Mono is their mean: a tone of 8000. */
	make_raw(c->raw, frames, 2, 48000, LEFT_TONE, 16000);
	assert_int_equal(file_size(c->raw), frames * 4);
	open_source(c, 48000, 2);
	struct recorder_params p = params(c->out);
	struct recorder_status fin;
	assert_int_equal(record(c, &p, &fin), LT_OK);
	assert_int_equal(fin.end, RECORDER_SOURCE_ENDED);
	assert_int_equal(fin.frames, frames);
	assert_recording(c->out, frames, 48000, &fin); /* and mono */
	if (fabs(fin.peak_db - 20.0 * log10(8000.0 / 32768.0)) > 0.2)
		fail_msg("downmixed peak %.2f dBFS, want %.2f", fin.peak_db,
			 20.0 * log10(8000.0 / 32768.0));
}

static void test_44100_is_resampled(void **state)
{
	struct ctx *c = *state;
	static const long lengths[] = {88200, 100000};
	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		unlink(c->out);
		make_raw(c->raw, lengths[i], 1, 44100, TONE, 8000);
		open_source(c, 44100, 1);
		struct recorder_params p = params(c->out);
		struct recorder_status fin;
		assert_int_equal(record(c, &p, &fin), LT_OK);
		assert_int_equal(fin.end, RECORDER_SOURCE_ENDED);
		assert_int_equal(fin.frames, lengths[i]);
		assert_int_equal(fin.rate, 44100);
		struct oggopus_info info;
		assert_int_equal(oggopus_scan(c->out, &info), LT_OK);
		assert_true(info.eos);
		assert_int_equal(info.input_rate, 44100);
		int64_t want = lengths[i] * 48000 / 44100;
		if (info.samples < want - 1 || info.samples > want + 1)
			fail_msg("%ld frames at 44.1 kHz gave %lld samples at 48 kHz, "
				 "want %lld ± 1",
				 lengths[i], (long long)info.samples, (long long)want);
	}
}

static void test_every_frame_size(void **state)
{
	struct ctx *c = *state;
	make_raw(c->raw, 30000, 1, 48000, TONE, 8000);
	static const int sizes[] = {120, 240, 480, 960, 1920, 2880};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		unlink(c->out);
		open_source(c, 48000, 1);
		struct recorder_params p = params(c->out);
		p.frame_samples48 = sizes[i];
		struct recorder_status fin;
		assert_int_equal(record(c, &p, &fin), LT_OK);
		assert_int_equal(fin.frames, 30000);
		assert_recording(c->out, 30000, 48000, &fin);
	}
}

/* Refusals ---------------------------------------------------------------------------------- */

static void test_existing_output_is_refused(void **state)
{
	struct ctx *c = *state;
	static const char precious[] = "an earlier recording that must survive\n";
	FILE *f = fopen(c->out, "wb");
	assert_non_null(f);
	fputs(precious, f);
	fclose(f);
	make_raw(c->raw, 48000, 1, 48000, TONE, 8000);
	open_source(c, 48000, 1);
	struct recorder_params p = params(c->out);
	struct recorder *r = NULL;
	errno = 0;
	assert_int_equal(recorder_start(&p, c->src, &r), LT_ERR_IO);
	assert_int_equal(errno, EEXIST); /* kept for the caller */
	assert_null(r);
	f = fopen(c->out, "rb");
	assert_non_null(f);
	char buf[128] = "";
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	assert_int_equal(n, strlen(precious));
	assert_string_equal(buf, precious);
	/* The source was not consumed: it still gives its first period. */
	int16_t pcm[960];
	assert_int_equal(audio_source_read(c->src, pcm, 960), 960);
}

static void test_disk_low_is_refused(void **state)
{
	struct ctx *c = *state;
	make_raw(c->raw, 48000, 1, 48000, TONE, 8000);
	open_source(c, 48000, 1);
	struct recorder_params p = params(c->out);
	p.min_free_bytes = UINT64_MAX; /* more than any disk */
	struct recorder *r = NULL;
	assert_int_equal(recorder_start(&p, c->src, &r), LT_ERR_DISK_LOW);
	assert_null(r);
	assert_int_equal(file_size(c->out), -1);
	assert_int_equal(errno, ENOENT);
	/* Just below what is free: starts. */
	p.min_free_bytes = 1;
	p.max_frames = 960;
	struct recorder_status fin;
	assert_int_equal(record(c, &p, &fin), LT_OK);
	assert_int_equal(fin.frames, 960);
}

static void test_check_params(void **state)
{
	struct ctx *c = *state;
	char msg[160];
	struct recorder_params good = params(c->out);
	assert_int_equal(recorder_check_params(&good, msg, sizeof msg), LT_OK);
	static const int good_bitrates[] = {6, 510}, good_cx[] = {0, 10};
	for (int i = 0; i < 2; i++) {
		struct recorder_params p = good;
		p.bitrate_kbps = good_bitrates[i];
		p.complexity = good_cx[i];
		assert_int_equal(recorder_check_params(&p, msg, sizeof msg), LT_OK);
	}
	static const int good_frames[] = {120, 240, 480, 960, 1920, 2880};
	for (size_t i = 0; i < sizeof good_frames / sizeof good_frames[0]; i++) {
		struct recorder_params p = good;
		p.frame_samples48 = good_frames[i];
		assert_int_equal(recorder_check_params(&p, msg, sizeof msg), LT_OK);
	}

	struct {
		const char *what;
		struct recorder_params p;
	} bad[16];
	int n = 0;
#define BAD(field, value)                                                                          \
	do {                                                                                       \
		bad[n].what = #field " = " #value;                                                 \
		bad[n].p = good;                                                                   \
		bad[n].p.field = value;                                                            \
		n++;                                                                               \
	} while (0)
	BAD(bitrate_kbps, 5);
	BAD(bitrate_kbps, 511);
	BAD(bitrate_kbps, 0);
	BAD(bitrate_kbps, -32);
	BAD(complexity, -1);
	BAD(complexity, 11);
	BAD(frame_samples48, 0);
	BAD(frame_samples48, 100);
	BAD(frame_samples48, 961);
	BAD(frame_samples48, 3840);
	BAD(max_frames, -1);
	BAD(path, NULL);
	BAD(path, "");
#undef BAD
	for (int i = 0; i < n; i++) {
		msg[0] = '\0';
		if (recorder_check_params(&bad[i].p, msg, sizeof msg) != LT_ERR_INVALID)
			fail_msg("%s was accepted", bad[i].what);
		assert_true(strlen(msg) > 0);
		/* And recorder_start refuses it before touching anything. */
		if (bad[i].p.path && *bad[i].p.path) {
			struct recorder *r = NULL;
			assert_int_equal(recorder_start(&bad[i].p, NULL, &r), LT_ERR_INVALID);
			assert_null(r);
			assert_int_equal(file_size(c->out), -1);
		}
	}
}

/* A gated source: each read waits for the test's go-ahead ----------------------------------- */

#define GATE_PERIOD 960

struct gate_source {
	struct audio_source base;
	sem_t go, entered;
	atomic_bool end;
	atomic_int reads;
	atomic_int value;   /* what the next read delivers */
};

static bool sem_wait_ms(sem_t *s, int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (sem_timedwait(s, &ts) != 0)
		if (errno != EINTR)
			return false;
	return true;
}

static long gate_read(struct audio_source *src, int16_t *buf, size_t frames)
{
	struct gate_source *g = (struct gate_source *)src;
	/* Entering read N+1 means the recorder has done everything with read N. */
	sem_post(&g->entered);
	if (!sem_wait_ms(&g->go, 5000) || atomic_load(&g->end))
		return 0;
	int v = atomic_load(&g->value);
	for (size_t i = 0; i < frames; i++)
		buf[i] = (int16_t)(v ? lrint(v * sin(2.0 * M_PI * 1000.0 * (double)i / 48000)) : 0);
	atomic_fetch_add(&g->reads, 1);
	return (long)frames;
}

static void gate_close(struct audio_source *src) { (void)src; }

static const struct audio_source_ops gate_ops = {
	.name = "gate",
	.open = NULL,
	.read = gate_read,
	.close = gate_close,
};

static void gate_init(struct gate_source *g)
{
	memset(g, 0, sizeof *g);
	g->base.ops = &gate_ops;
	g->base.fmt.rate = 48000;
	g->base.fmt.channels = 1;
	g->base.fmt.period_frames = GATE_PERIOD;
	snprintf(g->base.description, sizeof g->base.description, "gated test source");
	sem_init(&g->go, 0, 0);
	sem_init(&g->entered, 0, 0);
}

/* Let `n` reads through; return when the recorder has handled all of them. */
static void gate_step(struct gate_source *g, int n)
{
	for (int i = 0; i < n; i++) {
		sem_post(&g->go);
		if (!sem_wait_ms(&g->entered, 5000))
			fail_msg("the capture thread did not come back for another read");
	}
}

static void test_pause_excludes_audio(void **state)
{
	struct ctx *c = *state;
	struct gate_source g;
	gate_init(&g);
	struct recorder_params p = params(c->out);
	struct recorder *r = NULL;
	assert_int_equal(recorder_start(&p, &g.base, &r), LT_OK);
	assert_true(sem_wait_ms(&g.entered, 5000)); /* blocked in read 1 */

	struct recorder_status st;
	const int K = 5, P = 7, M = 3;
	atomic_store(&g.value, 0); /* recorded: silence */
	gate_step(&g, K);
	recorder_status(r, &st);
	assert_int_equal(st.frames, K * GATE_PERIOD);
	assert_false(st.paused);

	recorder_pause(r);
	atomic_store(&g.value, 30000); /* paused: loud, and must not reach the file */
	gate_step(&g, P);
	recorder_status(r, &st);
	assert_true(st.paused);
	assert_int_equal(st.frames, K * GATE_PERIOD);
	assert_int_equal(st.end, RECORDER_RUNNING);

	recorder_resume(r);
	atomic_store(&g.value, 0);
	gate_step(&g, M);
	recorder_status(r, &st);
	assert_false(st.paused);
	assert_int_equal(st.frames, (K + M) * GATE_PERIOD);

	atomic_store(&g.end, true);
	sem_post(&g.go);
	assert_true(recorder_wait(r, WAIT_MS));
	struct recorder_status fin;
	assert_int_equal(recorder_finish(r, &fin), LT_OK);
	assert_int_equal(atomic_load(&g.reads), K + P + M);
	assert_int_equal(fin.end, RECORDER_SOURCE_ENDED);
	assert_int_equal(fin.frames, (K + M) * GATE_PERIOD);
	assert_recording(c->out, (K + M) * GATE_PERIOD, 48000, &fin);
	int64_t n = 0;
	int peak = decoded_peak(c->out, &n);
	if (peak >= 0) {
		assert_int_equal(n, (K + M) * GATE_PERIOD);
		if (peak > 1000)
			fail_msg("paused audio reached the file: decoded peak %d", peak);
	}
	sem_destroy(&g.go);
	sem_destroy(&g.entered);
}

static void *post_later(void *arg)
{
	struct gate_source *g = arg;
	usleep(100 * 1000);
	sem_post(&g->go);
	return NULL;
}

static void test_stop_while_running(void **state)
{
	struct ctx *c = *state;
	struct gate_source g;
	gate_init(&g);
	atomic_store(&g.value, 8000);
	struct recorder_params p = params(c->out);
	struct recorder *r = NULL;
	assert_int_equal(recorder_start(&p, &g.base, &r), LT_OK);
	assert_true(sem_wait_ms(&g.entered, 5000));
	gate_step(&g, 10);
	/* Still running: the wait lasts its time out, measured on the clock it waits on (a
	 * deadline taken from another clock returns at once or decades later). */
	double t0 = os_mono_s();
	assert_false(recorder_wait(r, 200));
	double waited = os_mono_s() - t0;
	assert_true(waited >= 0.19 && waited < 2.0);
	/* Stop while the capture thread waits inside read 11; that read then completes. */
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, post_later, &g), 0);
	struct recorder_status fin;
	lt_err err = recorder_finish(r, &fin);
	pthread_join(t, NULL);
	assert_int_equal(err, LT_OK);
	assert_int_equal(fin.end, RECORDER_STOPPED);
	assert_int_equal(fin.error, LT_OK);
	/* Read 11 was in flight: counted or not, the file holds exactly what is counted. */
	assert_true(fin.frames == 10 * GATE_PERIOD || fin.frames == 11 * GATE_PERIOD);
	assert_recording(c->out, fin.frames, 48000, &fin);
	sem_destroy(&g.go);
	sem_destroy(&g.entered);
}

/* Low audio --------------------------------------------------------------------------------- */

static void test_low_audio_alarm(void **state)
{
	struct ctx *c = *state;
	static const struct {
		enum signal_kind kind;
		int seconds;
		bool want;
	} cases[] = {
		{SILENCE, 1, true},   /* 2 s of silence, alarm after 1 s */
		{TONE, 1, false},     /* audio: no alarm */
		{SILENCE, 0, false},  /* alarm off */
		{SILENCE, 3, false},  /* not quiet long enough */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unlink(c->out);
		make_raw(c->raw, 2 * 48000, 1, 48000, cases[i].kind, 8000);
		open_source(c, 48000, 1);
		struct recorder_params p = params(c->out);
		p.low_audio_seconds = cases[i].seconds;
		struct recorder_status fin;
		assert_int_equal(record(c, &p, &fin), LT_OK);
		assert_int_equal(fin.frames, 2 * 48000);
		if (fin.low_audio != cases[i].want)
			fail_msg("%s for 2 s, alarm after %d s: low_audio %d, want %d",
				 cases[i].kind == SILENCE ? "silence" : "tone", cases[i].seconds,
				 fin.low_audio, cases[i].want);
		if (cases[i].kind == SILENCE)
			assert_true(fin.rms_db < -90.0f);
	}
}

int main(void)
{
	log_set_level(LOG_LVL_WARN);
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_max_frames_exact),
		T(test_source_shorter_than_max),
		T(test_stereo_is_downmixed),
		T(test_44100_is_resampled),
		T(test_every_frame_size),
		T(test_existing_output_is_refused),
		T(test_disk_low_is_refused),
		T(test_check_params),
		T(test_pause_excludes_audio),
		T(test_stop_while_running),
		T(test_low_audio_alarm),
	};
#undef T
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (opusfile.lib)
		dlclose(opusfile.lib);
	return rc;
}
