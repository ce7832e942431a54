/*
 * recorder.c — capture thread -> SPSC ring -> encoder thread (libopusenc) -> file.
 *
 * What must stay true:
 *  - Every frame the capture thread counts in `frames` is pushed to the ring, and every frame
 *    in the ring is given to the encoder unless the file has already failed. So on a clean
 *    finish, the file's decoded length equals `frames` (scaled to 48 kHz).
 *  - Only the encoder thread touches the file descriptor until both threads are joined.
 *  - A failed write is sticky: nothing after it is believed, and the file is cut back to its
 *    last good page at finish.
 */
#include "lectern/recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <opus/opusenc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lectern/level.h"
#include "lectern/log.h"
#include "lectern/oggopus.h"
#include "lectern/osutil.h"
#include "lectern/ring.h"

#ifndef LECTERN_VERSION
#define LECTERN_VERSION "dev"
#endif

#define ENCODE_CHUNK 4800  /* samples per ope_encoder_write call */
#define RING_SECONDS 4
#define DISK_CHECK_BYTES (256u * 1024u)

struct recorder {
	struct recorder_params p;
	char *path;
	struct audio_source *src;
	unsigned rate;
	int fd;
	OggOpusEnc *enc;
	struct ring ring;
	struct level_meter meter;
	struct quiet_alarm quiet;

	pthread_t capture_thread, encoder_thread;
	bool threads_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;       /* broadcast on data, space, end */

	atomic_bool stop;          /* asked to stop (by us or the controller) */
	atomic_bool capture_waiting, encoder_waiting; /* asleep on `cond` */
	atomic_bool paused;
	atomic_bool capture_done;
	atomic_bool write_failed;  /* sticky */
	atomic_int end;            /* enum recorder_end, first writer wins */
	atomic_int error;          /* lt_err */
	atomic_int_fast64_t frames;
	atomic_int_fast64_t first_us; /* os_mono_s() of the first captured period, in µs */
	atomic_uint_fast64_t bytes;
	atomic_bool low_audio;
	int write_errno;
};

static void broadcast(struct recorder *r)
{
	pthread_mutex_lock(&r->lock);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* Record why the recording ends; the first reason is kept. */
static void set_end(struct recorder *r, enum recorder_end end, lt_err err)
{
	int expected = RECORDER_RUNNING;
	if (atomic_compare_exchange_strong(&r->end, &expected, (int)end))
		atomic_store(&r->error, (int)err);
	atomic_store(&r->stop, true);
	broadcast(r);
}

/*
 * Wake the other thread only if it said it sleeps: per-period wake-ups would cost more
 * system time than the encoding saves. The seq_cst flag accesses pair with the ring's
 * release/acquire so that a sleeper re-checking the ring under the lock cannot miss data;
 * the timed waits bound any wake-up lost anyway.
 */
static void wake_if(struct recorder *r, atomic_bool *waiting)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(waiting))
		broadcast(r);
}

/* Wait on the condition for at most `ms` (lock held). Returns true on time-out. */
static bool wait_a_little(struct recorder *r, int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* the clock `cond` waits on (recorder_start) */
	ts.tv_nsec += (long)ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return pthread_cond_timedwait(&r->cond, &r->lock, &ts) == ETIMEDOUT;
}

static int write_cb(void *user, const unsigned char *ptr, opus_int32 len)
{
	struct recorder *r = user;
	if (atomic_load(&r->write_failed))
		return 1;
	while (len > 0) {
		ssize_t n = write(r->fd, ptr, (size_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r->write_errno = n < 0 ? errno : ENOSPC;
			atomic_store(&r->write_failed, true);
			return 1;
		}
		ptr += n;
		len -= (opus_int32)n;
		atomic_fetch_add(&r->bytes, (uint_fast64_t)n);
	}
	return 0;
}

static int close_cb(void *user)
{
	(void)user; /* the fd is closed by recorder_finish() after it is synced */
	return 0;
}

static void on_window(float rms_db, double secs, void *user)
{
	struct recorder *r = user;
	int change = quiet_alarm_feed(&r->quiet, rms_db, secs);
	if (change > 0) {
		atomic_store(&r->low_audio, true);
		log_warn("recorder: no audio above %d dBFS for %d s: is the microphone muted?",
			 (int)r->p.low_audio_dbfs, r->p.low_audio_seconds);
	} else if (change < 0) {
		atomic_store(&r->low_audio, false);
		log_info("recorder: audio is back");
	}
}

static void block_signals(void)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
}

static void *capture_main(void *arg)
{
	struct recorder *r = arg;
	block_signals();
	const struct audio_format *fmt = &r->src->fmt;
	size_t period = fmt->period_frames;
	int16_t *buf = malloc(period * fmt->channels * sizeof *buf);
	int16_t *mono = fmt->channels > 1 ? malloc(period * sizeof *mono) : NULL;
	if (!buf || (fmt->channels > 1 && !mono)) {
		set_end(r, RECORDER_FAILED, LT_ERR_NOMEM);
		goto out;
	}
	while (!atomic_load(&r->stop)) {
		long n = audio_source_read(r->src, buf, period);
		if (n == 0) {
			set_end(r, RECORDER_SOURCE_ENDED, LT_OK);
			break;
		}
		if (n < 0) {
			set_end(r, RECORDER_FAILED, (lt_err)-n);
			break;
		}
		if (!atomic_load(&r->first_us))
			atomic_store(&r->first_us, (int_fast64_t)(os_mono_s() * 1e6));
		const int16_t *samples = buf;
		if (mono) {
			for (long i = 0; i < n; i++) {
				int32_t sum = 0;
				for (unsigned c = 0; c < fmt->channels; c++)
					sum += buf[(size_t)i * fmt->channels + c];
				mono[i] = (int16_t)(sum / (int32_t)fmt->channels);
			}
			samples = mono;
		}
		level_feed(&r->meter, samples, (size_t)n, on_window, r);
		if (atomic_load(&r->paused))
			continue; /* paused audio is metered but not recorded */
		int64_t done = atomic_load(&r->frames);
		bool last = false;
		if (r->p.max_frames && done + n >= r->p.max_frames) {
			n = (long)(r->p.max_frames - done);
			last = true;
		}
		size_t pushed = 0;
		for (;;) {
			pushed += ring_push(&r->ring, samples + pushed, (size_t)n - pushed);
			wake_if(r, &r->encoder_waiting);
			if (pushed == (size_t)n)
				break;
			/* Full (only when reading faster than real time): sleep until the encoder
			 * has freed half the ring, so that the threads do not ping-pong. */
			pthread_mutex_lock(&r->lock);
			atomic_store(&r->capture_waiting, true);
			while (ring_space(&r->ring) < ring_capacity(&r->ring) / 2)
				if (wait_a_little(r, 100))
					break;
			atomic_store(&r->capture_waiting, false);
			pthread_mutex_unlock(&r->lock);
		}
		atomic_fetch_add(&r->frames, n);
		if (last) {
			set_end(r, RECORDER_MAX_REACHED, LT_OK);
			break;
		}
	}
out:
	free(buf);
	free(mono);
	atomic_store(&r->capture_done, true);
	broadcast(r);
	return NULL;
}

static void check_disk(struct recorder *r, const char *dir)
{
	uint64_t avail;
	if (os_free_bytes(dir, &avail) != LT_OK || avail >= r->p.min_free_bytes)
		return;
	if (atomic_load(&r->end) == RECORDER_RUNNING)
		log_warn("recorder: %llu MB free, below the floor of %llu MB: stopping",
			 (unsigned long long)(avail >> 20),
			 (unsigned long long)(r->p.min_free_bytes >> 20));
	set_end(r, RECORDER_FAILED, LT_ERR_DISK_LOW);
}

static void *encoder_main(void *arg)
{
	struct recorder *r = arg;
	block_signals();
	int16_t *chunk = malloc(ENCODE_CHUNK * sizeof *chunk);
	char dir[PATH_MAX];
	os_dirname(r->path, dir, sizeof dir);
	double next_disk = os_mono_s() + 1.0, next_sync = os_mono_s() + r->p.sync_seconds;
	uint64_t disk_checked_at = 0; /* bytes written at the last free-space check */
	if (!chunk)
		set_end(r, RECORDER_FAILED, LT_ERR_NOMEM);
	for (;;) {
		size_t n = chunk ? ring_pop(&r->ring, chunk, ENCODE_CHUNK) : 0;
		if (n > 0) {
			if (ring_space(&r->ring) >= ring_capacity(&r->ring) / 2)
				wake_if(r, &r->capture_waiting);
			if (!atomic_load(&r->write_failed)) {
				int rc = ope_encoder_write(r->enc, chunk, (int)n);
				if (rc != OPE_OK && !atomic_load(&r->write_failed)) {
					log_error("recorder: encoder: %s", ope_strerror(rc));
					set_end(r, RECORDER_FAILED, LT_ERR_ENCODER);
				}
			}
			if (atomic_load(&r->write_failed))
				set_end(r, RECORDER_FAILED, LT_ERR_DISK_FULL);
		} else if (atomic_load(&r->capture_done) || !chunk) {
			if (ring_used(&r->ring) == 0)
				break;
		} else {
			pthread_mutex_lock(&r->lock);
			atomic_store(&r->encoder_waiting, true);
			if (ring_used(&r->ring) == 0 && !atomic_load(&r->capture_done))
				wait_a_little(r, 100);
			atomic_store(&r->encoder_waiting, false);
			pthread_mutex_unlock(&r->lock);
		}
		double now = os_mono_s();
		/* Free space: every second, and every DISK_CHECK_BYTES when writing faster than
		 * real time, so that the floor holds whatever the pace. */
		uint64_t written = atomic_load(&r->bytes);
		if (now >= next_disk || written - disk_checked_at >= DISK_CHECK_BYTES) {
			check_disk(r, dir);
			next_disk = now + 1.0;
			disk_checked_at = written;
		}
		if (now >= next_sync && !atomic_load(&r->write_failed)) {
			if (fdatasync(r->fd) != 0)
				log_warn("recorder: fdatasync: %s", strerror(errno));
			next_sync = now + r->p.sync_seconds;
		}
	}
	free(chunk);
	return NULL;
}

lt_err recorder_check_params(const struct recorder_params *p, char *msg, size_t n)
{
	static const int frame_sizes[] = {120, 240, 480, 960, 1920, 2880};
	bool frame_ok = false;
	for (size_t i = 0; i < sizeof frame_sizes / sizeof frame_sizes[0]; i++)
		frame_ok |= p->frame_samples48 == frame_sizes[i];
	if (!p->path || !*p->path)
		snprintf(msg, n, "no output file given");
	else if (p->bitrate_kbps < 6 || p->bitrate_kbps > 510)
		snprintf(msg, n, "bitrate %d kb/s is out of range (6 to 510)", p->bitrate_kbps);
	else if (p->complexity < 0 || p->complexity > 10)
		snprintf(msg, n, "complexity %d is out of range (0 to 10)", p->complexity);
	else if (!frame_ok)
		snprintf(msg, n, "frame size %d samples is not an Opus frame size",
			 p->frame_samples48);
	else if (p->sync_seconds < 1)
		snprintf(msg, n, "sync interval %d s must be at least 1", p->sync_seconds);
	else if (p->max_frames < 0)
		snprintf(msg, n, "maximum duration must not be negative");
	else
		return LT_OK;
	return LT_ERR_INVALID;
}

static int opus_frame_duration(int samples48)
{
	switch (samples48) {
	case 120: return OPUS_FRAMESIZE_2_5_MS;
	case 240: return OPUS_FRAMESIZE_5_MS;
	case 480: return OPUS_FRAMESIZE_10_MS;
	case 1920: return OPUS_FRAMESIZE_40_MS;
	case 2880: return OPUS_FRAMESIZE_60_MS;
	default: return OPUS_FRAMESIZE_20_MS;
	}
}

static void add_tag(OggOpusComments *c, const char *tag, const char *value)
{
	if (value && *value)
		ope_comments_add(c, tag, value);
}

/* `p`'s strings are copied by libopusenc while the encoder is created. */
static lt_err open_encoder(struct recorder *r, const struct recorder_params *p)
{
	static const OpusEncCallbacks callbacks = {write_cb, close_cb};
	OggOpusComments *comments = ope_comments_create();
	if (!comments)
		return LT_ERR_NOMEM;
	add_tag(comments, "TITLE", p->title);
	add_tag(comments, "ARTIST", p->presenter);
	add_tag(comments, "LOCATION", p->room);
	add_tag(comments, "DATE", p->date);
	add_tag(comments, "ENCODER", "lectern " LECTERN_VERSION);
	int rc = OPE_OK;
	r->enc = ope_encoder_create_callbacks(&callbacks, r, comments, (opus_int32)r->rate, 1, 0,
					      &rc);
	ope_comments_destroy(comments);
	if (!r->enc) {
		log_error("recorder: cannot create the encoder at %u Hz: %s", r->rate,
			  ope_strerror(rc));
		return LT_ERR_ENCODER;
	}
	int page = (r->p.page_ms > 0 ? r->p.page_ms : 500) * 48;
	int settings[][2] = {
		{OPUS_SET_BITRATE_REQUEST, r->p.bitrate_kbps * 1000},
		{OPUS_SET_COMPLEXITY_REQUEST, r->p.complexity},
		{OPUS_SET_EXPERT_FRAME_DURATION_REQUEST, opus_frame_duration(r->p.frame_samples48)},
		{OPUS_SET_SIGNAL_REQUEST, OPUS_SIGNAL_VOICE},
		/* Durability: no more than `page` of audio waits in memory for a page... */
		{OPE_SET_MUXING_DELAY_REQUEST, page},
		/* ...and libopusenc holds back no input for look-ahead decisions. */
		{OPE_SET_DECISION_DELAY_REQUEST, 0},
	};
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		rc = ope_encoder_ctl(r->enc, settings[i][0], settings[i][1]);
		if (rc != OPE_OK) {
			log_error("recorder: encoder setting %d=%d: %s", settings[i][0],
				  settings[i][1], ope_strerror(rc));
			return LT_ERR_ENCODER;
		}
	}
	rc = ope_encoder_flush_header(r->enc);
	if (rc != OPE_OK || atomic_load(&r->write_failed))
		return atomic_load(&r->write_failed) ? LT_ERR_DISK_FULL : LT_ERR_ENCODER;
	/* The headers are on disk before we claim to be recording. */
	if (fdatasync(r->fd) != 0)
		return LT_ERR_IO;
	return LT_OK;
}

static void destroy(struct recorder *r)
{
	if (r->enc)
		ope_encoder_destroy(r->enc);
	if (r->fd >= 0)
		close(r->fd);
	ring_free(&r->ring);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	free(r->path);
	free(r);
}

lt_err recorder_start(const struct recorder_params *p, struct audio_source *src,
		      struct recorder **out)
{
	char msg[160];
	lt_err err = recorder_check_params(p, msg, sizeof msg);
	if (err != LT_OK) {
		log_error("recorder: %s", msg);
		return err;
	}
	struct recorder *r = calloc(1, sizeof *r);
	if (!r)
		return LT_ERR_NOMEM;
	r->fd = -1;
	r->p = *p;
	r->src = src;
	r->rate = src->fmt.rate;
	pthread_mutex_init(&r->lock, NULL);
	/* Timed waits on the monotonic clock: a wall clock stepped back by an hour (NTP, a
	 * person) must not hold a wait, and with it a stop, for that hour. */
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &attr);
	pthread_condattr_destroy(&attr);
	/* Strings in p belong to the caller: only the path is kept after start. */
	r->p.title = r->p.presenter = r->p.room = r->p.date = NULL;
	err = LT_ERR_NOMEM;
	r->path = strdup(p->path);
	if (!r->path || ring_init(&r->ring, (size_t)r->rate * RING_SECONDS) != LT_OK)
		goto fail;
	r->p.path = r->path;
	level_init(&r->meter, r->rate);
	quiet_alarm_init(&r->quiet, p->low_audio_dbfs, p->low_audio_seconds);

	char dir[PATH_MAX];
	os_dirname(p->path, dir, sizeof dir);
	uint64_t avail;
	err = LT_ERR_IO;
	if (os_free_bytes(dir, &avail) != LT_OK)
		goto fail;
	err = LT_ERR_DISK_LOW;
	if (avail < p->min_free_bytes) {
		log_error("recorder: only %llu MB free in %s (floor %llu MB): not starting",
			  (unsigned long long)(avail >> 20), dir,
			  (unsigned long long)(p->min_free_bytes >> 20));
		goto fail;
	}
	signal(SIGXFSZ, SIG_IGN); /* a file size limit must be a write error, not death */
	err = LT_ERR_IO;
	/* The service user's alone, like the database (store.h): voices are personal data. */
	r->fd = open(p->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (r->fd < 0)
		goto fail;
	err = open_encoder(r, p);
	if (err != LT_OK)
		goto fail_unlink;
	err = LT_ERR_NOMEM;
	if (pthread_create(&r->encoder_thread, NULL, encoder_main, r) != 0)
		goto fail_unlink;
	if (pthread_create(&r->capture_thread, NULL, capture_main, r) != 0) {
		atomic_store(&r->capture_done, true);
		broadcast(r);
		pthread_join(r->encoder_thread, NULL);
		goto fail_unlink;
	}
	r->threads_started = true;
	log_info("recorder: started from %s at %u Hz, %u channel(s)", src->description, r->rate,
		 src->fmt.channels);
	*out = r;
	return LT_OK;

fail_unlink:
	/* Nothing was recorded yet: the half-made file is ours to remove. */
	unlink(p->path);
fail:
	{
		int saved = errno;
		destroy(r);
		errno = saved;
	}
	return err;
}

void recorder_pause(struct recorder *r) { atomic_store(&r->paused, true); }
void recorder_resume(struct recorder *r) { atomic_store(&r->paused, false); }

void recorder_status(struct recorder *r, struct recorder_status *st)
{
	memset(st, 0, sizeof *st);
	st->end = (enum recorder_end)atomic_load(&r->end);
	st->paused = atomic_load(&r->paused);
	st->error = (lt_err)atomic_load(&r->error);
	st->frames = atomic_load(&r->frames);
	st->rate = r->rate;
	st->seconds = (double)st->frames / r->rate;
	level_read(&r->meter, &st->rms_db, &st->peak_db);
	st->low_audio = atomic_load(&r->low_audio);
	st->xruns = r->src->xruns;
	st->bytes = atomic_load(&r->bytes);
	st->first_sample_s = (double)atomic_load(&r->first_us) / 1e6;
}

bool recorder_wait(struct recorder *r, int timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->lock);
	while (atomic_load(&r->end) == RECORDER_RUNNING) {
		if (pthread_cond_timedwait(&r->cond, &r->lock, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&r->lock);
	return atomic_load(&r->end) != RECORDER_RUNNING;
}

lt_err recorder_finish(struct recorder *r, struct recorder_status *final)
{
	set_end(r, RECORDER_STOPPED, LT_OK);
	if (r->threads_started) {
		pthread_join(r->capture_thread, NULL);
		pthread_join(r->encoder_thread, NULL);
	}
	if (!atomic_load(&r->write_failed)) {
		int rc = ope_encoder_drain(r->enc);
		if (rc != OPE_OK && !atomic_load(&r->write_failed)) {
			log_error("recorder: finishing the stream: %s", ope_strerror(rc));
			set_end(r, RECORDER_FAILED, LT_ERR_ENCODER);
		}
	}
	ope_encoder_destroy(r->enc);
	r->enc = NULL;

	struct recorder_status st;
	recorder_status(r, &st);
	if (atomic_load(&r->write_failed)) {
		log_error("recorder: writing the recording failed: %s", strerror(r->write_errno));
		int expected = LT_OK;
		atomic_compare_exchange_strong(&r->error, &expected, (int)LT_ERR_DISK_FULL);
		st.error = (lt_err)atomic_load(&r->error);
		st.end = RECORDER_FAILED;
		close(r->fd);
		r->fd = -1;
		/* Keep what reached the disk: cut at the last complete page. */
		struct oggopus_info info;
		if (oggopus_close(r->path, &info) == LT_OK) {
			st.frames = info.samples * r->rate / 48000;
			st.bytes = (uint64_t)info.file_bytes;
		} else {
			st.frames = 0;
		}
		st.seconds = (double)st.frames / r->rate;
	} else if (fdatasync(r->fd) != 0 || close(r->fd) != 0) {
		r->fd = -1;
		log_error("recorder: syncing the recording: %s", strerror(errno));
		st.error = LT_ERR_IO;
		st.end = RECORDER_FAILED;
	} else {
		r->fd = -1;
		os_fsync_parent(r->path);
	}
	if (final)
		*final = st;
	destroy(r);
	return st.error;
}
