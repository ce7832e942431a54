/*
 * recorder.h — records an audio source into a crash-safe Ogg Opus file.
 *
 * Two threads per recording: the capture thread reads periods from the audio source, meters
 * them, downmixes to mono and pushes into a lock-free SPSC ring; the encoder thread pops,
 * encodes with libopus through libopusenc and writes pages to the file.
 *
 * Durability: libopusenc is told to emit a page at least every `page_ms`, each page is written
 * as soon as it exists, and the file is fdatasync'd every `sync_seconds`. A kill or power cut
 * therefore loses at most about a second; oggopus_close() makes such a file clean.
 *
 * Disk: free space on the file's filesystem is checked before start and every second; below
 * the floor the recording stops cleanly (LT_ERR_DISK_LOW). A failed write (ENOSPC, EFBIG) is
 * sticky: the recording stops and the file is cut at its last complete page (LT_ERR_DISK_FULL).
 *
 * Time: elapsed and duration are counted in captured frames, never read from a clock; the
 * periodic work and every timed wait run on CLOCK_MONOTONIC, so a stepped wall clock neither
 * stretches a recording nor holds up a stop.
 *
 * `struct recorder` is opaque. All functions are called from one controlling thread.
 */
#ifndef LECTERN_RECORDER_H
#define LECTERN_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/audio_source.h"
#include "lectern/err.h"

struct recorder_params {
	const char *path;           /* output file; created, must not exist */
	/* Opus tags (may be NULL or "") */
	const char *title;
	const char *presenter;
	const char *room;
	const char *date;           /* ISO 8601 */
	int bitrate_kbps;           /* 6..510 */
	int complexity;             /* 0..10 */
	int frame_samples48;        /* 120, 240, 480, 960, 1920, 2880 */
	int64_t max_frames;         /* stop after this many captured frames; 0: no limit */
	uint64_t min_free_bytes;    /* disk floor */
	int sync_seconds;           /* fdatasync interval */
	int page_ms;                /* max audio per Ogg page (default 500) */
	float low_audio_dbfs;       /* quiet threshold */
	int low_audio_seconds;      /* quiet this long raises the alarm; 0: off */
};

enum recorder_end {
	RECORDER_RUNNING = 0,
	RECORDER_STOPPED,           /* recorder_stop() was called */
	RECORDER_SOURCE_ENDED,      /* the audio source has no more audio */
	RECORDER_MAX_REACHED,       /* max_frames captured */
	RECORDER_FAILED             /* see recorder_status.error */
};

struct recorder_status {
	enum recorder_end end;
	bool paused;
	lt_err error;               /* why it failed, LT_OK otherwise */
	int64_t frames;             /* captured and recorded (paused audio excluded) */
	double seconds;             /* frames / rate */
	float rms_db, peak_db;      /* last ~50 ms window */
	bool low_audio;             /* quiet alarm raised */
	unsigned long xruns;
	uint64_t bytes;             /* written to the file so far */
	unsigned rate;              /* source rate */
	double first_sample_s;      /* os_mono_s() when the first audio arrived; 0 before */
};

struct recorder;

/* Validate the parameters without starting; LT_ERR_INVALID with a message. */
lt_err recorder_check_params(const struct recorder_params *p, char *msg, size_t n);

/*
 * Start recording `src` (owned by the caller, who must not use it until recorder_finish()).
 * Checks free space, creates the file, writes the headers, starts both threads.
 * Errors: LT_ERR_INVALID, LT_ERR_DISK_LOW, LT_ERR_IO (errno kept), LT_ERR_ENCODER, LT_ERR_NOMEM.
 */
lt_err recorder_start(const struct recorder_params *p, struct audio_source *src,
		      struct recorder **out);

void recorder_pause(struct recorder *r);
void recorder_resume(struct recorder *r);
void recorder_status(struct recorder *r, struct recorder_status *st);

/*
 * Wait up to `timeout_ms` for the recording to end by itself (source ended, maximum reached,
 * failure). Returns true if it has ended.
 */
bool recorder_wait(struct recorder *r, int timeout_ms);

/*
 * Stop (if still running), join the threads, finish the stream (EOS page), sync and close the
 * file, and free the recorder. `final` receives the last status; `final->frames` is exactly
 * the audio in the file. Returns the recording's error (LT_OK if it ended normally).
 */
lt_err recorder_finish(struct recorder *r, struct recorder_status *final);

#endif
