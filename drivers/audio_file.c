/*
 * audio_file.c — the file-backed twin of the microphone: plays a WAV (PCM 16-bit) or raw
 * S16LE file through the audio-source interface. Demo mode paces it in real time and loops;
 * tests read it as fast as the recorder takes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern/audio_source.h"

struct file_source {
	struct audio_source base;
	FILE *fp;
	long data_start;
	int64_t data_left;     /* bytes of audio left; -1 = until end of file */
	int64_t data_bytes;    /* as declared; -1 = until end of file */
	bool realtime, loop;
	struct timespec t0;
	int64_t delivered;     /* frames since t0 */
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Parse a RIFF/WAVE header; leaves fp at the start of the data. */
static lt_err parse_wav(struct file_source *f, char *msg, size_t n)
{
	unsigned char hdr[12];
	if (fread(hdr, 1, 12, f->fp) != 12 || memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4)) {
		snprintf(msg, n, "not a WAV file");
		return LT_ERR_FORMAT;
	}
	bool have_fmt = false;
	for (;;) {
		unsigned char ch[8];
		if (fread(ch, 1, 8, f->fp) != 8) {
			snprintf(msg, n, "WAV file has no data chunk");
			return LT_ERR_FORMAT;
		}
		uint32_t size = le32(ch + 4);
		if (memcmp(ch, "fmt ", 4) == 0) {
			unsigned char fmt[40];
			if (size < 16 || size > sizeof fmt || fread(fmt, 1, size, f->fp) != size) {
				snprintf(msg, n, "WAV file has a bad fmt chunk");
				return LT_ERR_FORMAT;
			}
			unsigned tag = le16(fmt), bits = le16(fmt + 14);
			if (tag == 0xFFFE && size >= 26)
				tag = le16(fmt + 24); /* WAVE_FORMAT_EXTENSIBLE subformat */
			if (tag != 1 || bits != 16) {
				snprintf(msg, n, "WAV file is not 16-bit PCM (format %u, %u bits)", tag,
					 bits);
				return LT_ERR_FORMAT;
			}
			f->base.fmt.channels = le16(fmt + 2);
			f->base.fmt.rate = le32(fmt + 4);
			have_fmt = true;
		} else if (memcmp(ch, "data", 4) == 0) {
			if (!have_fmt) {
				snprintf(msg, n, "WAV file has data before its fmt chunk");
				return LT_ERR_FORMAT;
			}
			/* 0 and 0xFFFFFFFF mean "streamed, length unknown". */
			f->data_bytes = (size == 0 || size == 0xFFFFFFFFu) ? -1 : (int64_t)size;
			f->data_start = ftell(f->fp);
			return LT_OK;
		} else if (fseek(f->fp, (long)size + (size & 1), SEEK_CUR) != 0) {
			snprintf(msg, n, "WAV file is truncated");
			return LT_ERR_FORMAT;
		}
	}
}

static lt_err file_open(const struct audio_source_params *p, struct audio_source **out,
			char *msg, size_t n)
{
	if (!p->device || !*p->device) {
		snprintf(msg, n, "no audio file configured");
		return LT_ERR_NO_DEVICE;
	}
	struct file_source *f = calloc(1, sizeof *f);
	if (!f)
		return LT_ERR_NOMEM;
	f->fp = fopen(p->device, "rb");
	if (!f->fp) {
		snprintf(msg, n, "cannot open audio file %s: %s", p->device, strerror(errno));
		free(f);
		return LT_ERR_NO_DEVICE;
	}
	const char *dot = strrchr(p->device, '.');
	lt_err err = LT_OK;
	if (dot && strcasecmp(dot, ".wav") == 0) {
		err = parse_wav(f, msg, n);
	} else {
		f->base.fmt.rate = p->rate ? p->rate : 48000;
		f->base.fmt.channels = p->channels ? p->channels : 1;
		f->data_bytes = -1;
		f->data_start = 0;
	}
	if (err == LT_OK && (f->base.fmt.channels < 1 || f->base.fmt.channels > 8 ||
			     f->base.fmt.rate < 8000 || f->base.fmt.rate > 192000)) {
		snprintf(msg, n, "audio file has %u channels at %u Hz: unsupported",
			 f->base.fmt.channels, f->base.fmt.rate);
		err = LT_ERR_FORMAT;
	}
	if (err != LT_OK) {
		fclose(f->fp);
		free(f);
		return err;
	}
	f->data_left = f->data_bytes;
	unsigned period_ms = p->period_ms ? p->period_ms : 20;
	f->base.fmt.period_frames = f->base.fmt.rate * period_ms / 1000;
	f->realtime = p->realtime;
	f->loop = p->loop;
	clock_gettime(CLOCK_MONOTONIC, &f->t0);
	snprintf(f->base.description, sizeof f->base.description, "audio file %s%s", p->device,
		 p->loop ? " (looping)" : "");
	*out = &f->base;
	return LT_OK;
}

static void pace(struct file_source *f)
{
	/* Sleep until the wall clock has caught up with the audio handed out so far. */
	int64_t ns = f->delivered * 1000000000LL / f->base.fmt.rate;
	struct timespec due = f->t0;
	due.tv_sec += (time_t)(ns / 1000000000LL);
	due.tv_nsec += (long)(ns % 1000000000LL);
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
		;
}

static long file_read(struct audio_source *src, int16_t *buf, size_t frames)
{
	struct file_source *f = (struct file_source *)src;
	size_t frame_bytes = 2u * src->fmt.channels;
	for (int attempt = 0; attempt < 2; attempt++) {
		size_t want = frames;
		if (f->data_left >= 0 && (int64_t)(want * frame_bytes) > f->data_left)
			want = (size_t)(f->data_left / (int64_t)frame_bytes);
		size_t got = want ? fread(buf, frame_bytes, want, f->fp) : 0;
		if (got > 0) {
			if (f->data_left >= 0)
				f->data_left -= (int64_t)(got * frame_bytes);
			if (f->realtime) {
				f->delivered += (int64_t)got;
				pace(f);
			}
			return (long)got;
		}
		if (ferror(f->fp))
			return -LT_ERR_DEVICE;
		if (!f->loop || fseek(f->fp, f->data_start, SEEK_SET) != 0)
			return 0;
		clearerr(f->fp);
		f->data_left = f->data_bytes;
	}
	return 0; /* an empty file, even when looping */
}

static void file_close(struct audio_source *src)
{
	struct file_source *f = (struct file_source *)src;
	fclose(f->fp);
	free(f);
}

const struct audio_source_ops audio_file_ops = {
	.name = "file",
	.open = file_open,
	.read = file_read,
	.close = file_close,
};
