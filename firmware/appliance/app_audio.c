/* app_audio.c — the audio source a command records from, chosen as configured. */
#include "lectern/app_audio.h"

#include <stdio.h>
#include <string.h>

lt_err app_open_audio(const struct config *cfg, const char *device, bool realtime, bool loop,
		      struct audio_source **out, bool *is_twin)
{
	struct audio_source_params p = {
		.device = device ? device : cfg->audio_device,
		.rate = (unsigned)cfg->audio_rate,
		.channels = (unsigned)cfg->audio_channels,
		.period_ms = (unsigned)cfg->audio_period_ms,
		.realtime = realtime,
		.loop = loop,
	};
	const struct audio_source_ops *ops = &audio_alsa_ops;
	if (!device && strcmp(cfg->audio_source, "file") == 0) {
		ops = &audio_file_ops;
	} else if (!device && strcmp(cfg->audio_source, "auto") == 0 &&
		   !audio_alsa_has_capture(cfg->audio_device)) {
		if (!cfg->audio_file[0]) {
			fprintf(stderr, "lectern: no microphone found (ALSA device '%s') and no "
					"[audio] file to stand in for it: plug in a microphone\n",
				cfg->audio_device);
			return LT_ERR_NO_DEVICE;
		}
		fprintf(stderr, "lectern: no microphone found: using the audio file %s instead "
				"(demo mode)\n", cfg->audio_file);
		ops = &audio_file_ops;
	}
	if (ops == &audio_file_ops)
		p.device = cfg->audio_file;
	if (is_twin)
		*is_twin = ops == &audio_file_ops;
	char msg[256];
	lt_err err = audio_source_open(ops, &p, out, msg, sizeof msg);
	if (err != LT_OK)
		fprintf(stderr, "lectern: %s\n", msg);
	return err;
}
