/*
 * audio_source.h — where recorded audio comes from: an ops table with two implementations,
 * ALSA (drivers/audio_alsa.c) and a file-backed twin (drivers/audio_file.c) used by demo mode
 * and tests. Both deliver interleaved signed 16-bit frames at `fmt.rate`/`fmt.channels`;
 * whatever the hardware gives (S32, float, 44.1/16 kHz, stereo) is negotiated and converted
 * behind this interface. The recorder downmixes to mono and libopusenc resamples.
 *
 * Only the recorder's capture thread calls read() while a recording runs.
 */
#ifndef LECTERN_AUDIO_SOURCE_H
#define LECTERN_AUDIO_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lectern/err.h"

struct audio_source_params {
	const char *device;     /* ALSA PCM name, or file path for the twin */
	unsigned rate;          /* preferred rate (48000) */
	unsigned channels;      /* preferred channels (1) */
	unsigned period_ms;     /* read granularity (20) */
	bool realtime;          /* twin: pace reads at the audio's own rate */
	bool loop;              /* twin: start again at the end instead of ending */
};

struct audio_format {
	unsigned rate;
	unsigned channels;
	unsigned period_frames; /* frames one read returns at most */
};

struct audio_source;

struct audio_source_ops {
	const char *name;       /* "alsa", "file" */
	/* Open with `p`; on failure *msg (static or in the source) explains. */
	lt_err (*open)(const struct audio_source_params *p, struct audio_source **out,
		       char *msg, size_t msg_len);
	/*
	 * Read up to `frames` frames into `buf` (frames * channels samples). Blocks until some are
	 * available. Returns frames read (> 0), 0 when the source has ended, or -(lt_err).
	 */
	long (*read)(struct audio_source *src, int16_t *buf, size_t frames);
	void (*close)(struct audio_source *src);
};

/* The part every implementation starts with. */
struct audio_source {
	const struct audio_source_ops *ops;
	struct audio_format fmt;
	unsigned long xruns;    /* overruns recovered so far */
	char description[160];  /* what was opened, for logs and the screen */
};

extern const struct audio_source_ops audio_alsa_ops;
extern const struct audio_source_ops audio_file_ops;

/* Convenience wrappers over the ops table. */
lt_err audio_source_open(const struct audio_source_ops *ops, const struct audio_source_params *p,
			 struct audio_source **out, char *msg, size_t msg_len);
static inline long audio_source_read(struct audio_source *s, int16_t *buf, size_t frames)
{
	return s->ops->read(s, buf, frames);
}
void audio_source_close(struct audio_source *s);

/* ALSA's capture devices (PCM name hints that can capture, "null" left out): up to `max`
 * names and one-line descriptions. Returns how many. */
int audio_alsa_list_capture(char (*names)[64], char (*descs)[64], int max);

/* Whether ALSA knows at least one capture device (for source=auto). */
bool audio_alsa_has_capture(const char *device);

#endif
