/*
 * audio_alsa.c — capture through alsa-lib.
 *
 * Negotiation: interleaved access; S16_LE if offered, else S32_LE, S24_LE (in 32 bits) or
 * FLOAT_LE converted to 16-bit here; the preferred rate and channel count or the nearest the
 * device has (libopusenc resamples, the recorder downmixes). Overruns are recovered once
 * with snd_pcm_recover(), counted and logged; a device that disappears is reported.
 * alsa-lib's own stderr chatter is routed to our debug log.
 */
#include <alsa/asoundlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/audio_source.h"
#include "lectern/log.h"

struct alsa_source {
	struct audio_source base;
	snd_pcm_t *pcm;
	snd_pcm_format_t format;
	void *native;          /* one period in the device's format when not S16 */
	size_t native_frames;
};

static void alsa_error_to_log(const char *file, int line, const char *function, int err,
			      const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	log_debug("alsa-lib: %s:%d %s: %s%s%s", file, line, function, text, err ? ": " : "",
		  err ? snd_strerror(err) : "");
}

static void quiet_alsa(void)
{
	static bool done;
	if (!done) {
		snd_lib_error_set_handler(alsa_error_to_log);
		done = true;
	}
}

bool audio_alsa_has_capture(const char *device)
{
	quiet_alsa();
	snd_pcm_t *pcm;
	if (snd_pcm_open(&pcm, device, SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK) < 0)
		return false;
	snd_pcm_close(pcm);
	return true;
}

int audio_alsa_list_capture(char (*names)[64], char (*descs)[64], int max)
{
	quiet_alsa();
	void **hints;
	if (snd_device_name_hint(-1, "pcm", &hints) < 0)
		return 0;
	int n = 0;
	for (void **h = hints; *h && n < max; h++) {
		char *name = snd_device_name_get_hint(*h, "NAME");
		char *desc = snd_device_name_get_hint(*h, "DESC");
		char *ioid = snd_device_name_get_hint(*h, "IOID");
		/* IOID absent means both directions; "null" is no microphone at all. */
		if (name && strcmp(name, "null") != 0 && (!ioid || strcmp(ioid, "Input") == 0)) {
			snprintf(names[n], 64, "%s", name);
			/* DESC is "Card, Device\nWhat it is": the first line is the useful one. */
			snprintf(descs[n], 64, "%.*s", desc ? (int)strcspn(desc, "\n") : 0,
				 desc ? desc : "");
			n++;
		}
		free(name);
		free(desc);
		free(ioid);
	}
	snd_device_name_free_hint(hints);
	return n;
}

static lt_err negotiate(struct alsa_source *a, const struct audio_source_params *p, char *msg,
			size_t n)
{
	static const snd_pcm_format_t formats[] = {SND_PCM_FORMAT_S16_LE, SND_PCM_FORMAT_S32_LE,
						   SND_PCM_FORMAT_S24_LE, SND_PCM_FORMAT_FLOAT_LE};
	snd_pcm_hw_params_t *hw;
	snd_pcm_hw_params_alloca(&hw);
	int rc = snd_pcm_hw_params_any(a->pcm, hw);
	if (rc < 0)
		goto alsa_fail;
	rc = snd_pcm_hw_params_set_access(a->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED);
	if (rc < 0)
		goto alsa_fail;
	a->format = SND_PCM_FORMAT_UNKNOWN;
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (snd_pcm_hw_params_test_format(a->pcm, hw, formats[i]) == 0) {
			a->format = formats[i];
			break;
		}
	}
	if (a->format == SND_PCM_FORMAT_UNKNOWN) {
		snprintf(msg, n, "%s offers no sample format lectern can convert (S16, S24, S32, "
				 "float)", p->device);
		return LT_ERR_FORMAT;
	}
	if ((rc = snd_pcm_hw_params_set_format(a->pcm, hw, a->format)) < 0)
		goto alsa_fail;
	unsigned channels = p->channels ? p->channels : 1;
	if ((rc = snd_pcm_hw_params_set_channels_near(a->pcm, hw, &channels)) < 0)
		goto alsa_fail;
	unsigned rate = p->rate ? p->rate : 48000;
	if ((rc = snd_pcm_hw_params_set_rate_near(a->pcm, hw, &rate, NULL)) < 0)
		goto alsa_fail;
	if (rate < 8000 || rate > 192000 || channels < 1 || channels > 8) {
		snprintf(msg, n, "%s offers %u channel(s) at %u Hz only: unsupported", p->device,
			 channels, rate);
		return LT_ERR_FORMAT;
	}
	unsigned period_us = (p->period_ms ? p->period_ms : 20) * 1000;
	if ((rc = snd_pcm_hw_params_set_period_time_near(a->pcm, hw, &period_us, NULL)) < 0)
		goto alsa_fail;
	unsigned buffer_us = period_us * 8 > 200000 ? period_us * 8 : 200000;
	if ((rc = snd_pcm_hw_params_set_buffer_time_near(a->pcm, hw, &buffer_us, NULL)) < 0)
		goto alsa_fail;
	if ((rc = snd_pcm_hw_params(a->pcm, hw)) < 0)
		goto alsa_fail;
	snd_pcm_uframes_t period;
	snd_pcm_hw_params_get_period_size(hw, &period, NULL);
	a->base.fmt.rate = rate;
	a->base.fmt.channels = channels;
	a->base.fmt.period_frames = (unsigned)period;
	return LT_OK;
alsa_fail:
	snprintf(msg, n, "%s cannot be set up for capture: %s", p->device, snd_strerror(rc));
	return LT_ERR_FORMAT;
}

static lt_err alsa_open(const struct audio_source_params *p, struct audio_source **out,
			char *msg, size_t n)
{
	quiet_alsa();
	struct alsa_source *a = calloc(1, sizeof *a);
	if (!a)
		return LT_ERR_NOMEM;
	const char *device = p->device && *p->device ? p->device : "default";
	struct audio_source_params params = *p;
	params.device = device;
	int rc = snd_pcm_open(&a->pcm, device, SND_PCM_STREAM_CAPTURE, 0);
	if (rc < 0) {
		snprintf(msg, n, "microphone '%s' not found (%s): check the USB cable, or set "
				 "[audio] device (arecord -L lists devices)", device, snd_strerror(rc));
		free(a);
		return LT_ERR_NO_DEVICE;
	}
	lt_err err = negotiate(a, &params, msg, n);
	if (err == LT_OK && a->format != SND_PCM_FORMAT_S16_LE) {
		a->native_frames = a->base.fmt.period_frames;
		a->native = malloc(a->native_frames * a->base.fmt.channels * 4);
		if (!a->native)
			err = LT_ERR_NOMEM;
	}
	if (err == LT_OK && (rc = snd_pcm_prepare(a->pcm)) < 0) {
		snprintf(msg, n, "%s: %s", device, snd_strerror(rc));
		err = LT_ERR_DEVICE;
	}
	if (err != LT_OK) {
		snd_pcm_close(a->pcm);
		free(a->native);
		free(a);
		return err;
	}
	snprintf(a->base.description, sizeof a->base.description, "ALSA %s (%s)", device,
		 snd_pcm_format_name(a->format));
	*out = &a->base;
	return LT_OK;
}

static void to_s16(snd_pcm_format_t format, const void *in, int16_t *out, size_t samples)
{
	if (format == SND_PCM_FORMAT_FLOAT_LE) {
		const float *f = in;
		for (size_t i = 0; i < samples; i++) {
			float v = f[i] * 32768.0f;
			out[i] = (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : v);
		}
		return;
	}
	const int32_t *s = in;
	int shift = format == SND_PCM_FORMAT_S24_LE ? 8 : 16;
	for (size_t i = 0; i < samples; i++) {
		int32_t v = s[i];
		if (shift == 8)
			v = (int32_t)((uint32_t)v << 8) >> 8; /* sign-extend 24 bits */
		out[i] = (int16_t)(v >> shift);
	}
}

static long alsa_read(struct audio_source *src, int16_t *buf, size_t frames)
{
	struct alsa_source *a = (struct alsa_source *)src;
	void *target = buf;
	if (a->native) {
		if (frames > a->native_frames)
			frames = a->native_frames;
		target = a->native;
	}
	for (;;) {
		snd_pcm_sframes_t got = snd_pcm_readi(a->pcm, target, frames);
		if (got > 0) {
			if (a->native)
				to_s16(a->format, a->native, buf, (size_t)got * src->fmt.channels);
			return (long)got;
		}
		if (got == -EAGAIN || got == 0)
			continue;
		if (got == -EPIPE || got == -ESTRPIPE || got == -EINTR) {
			int rc = snd_pcm_recover(a->pcm, (int)got, 1);
			if (rc < 0) {
				log_error("alsa: cannot recover from %s: %s", snd_strerror((int)got),
					  snd_strerror(rc));
				return -LT_ERR_DEVICE;
			}
			if (got == -EPIPE) {
				src->xruns++;
				log_warn("alsa: capture overrun #%lu recovered (audio was lost)",
					 src->xruns);
			}
			continue;
		}
		log_error("alsa: capture failed: %s", snd_strerror((int)got));
		return -LT_ERR_DEVICE;
	}
}

static void alsa_close(struct audio_source *src)
{
	struct alsa_source *a = (struct alsa_source *)src;
	snd_pcm_close(a->pcm);
	free(a->native);
	free(a);
}

const struct audio_source_ops audio_alsa_ops = {
	.name = "alsa",
	.open = alsa_open,
	.read = alsa_read,
	.close = alsa_close,
};
