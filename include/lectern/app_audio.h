/*
 * app_audio.h — the microphone a command records from, chosen the same way for `record`
 * and `run`. Apart from app.h so that a command that only reads the store or uploads (and
 * links app.o) does not bring alsa-lib and the encoder into its executable.
 */
#ifndef LECTERN_APP_AUDIO_H
#define LECTERN_APP_AUDIO_H

#include <stdbool.h>

#include "lectern/audio_source.h"
#include "lectern/config.h"

/*
 * Open the configured audio source. `device` overrides [audio] device (and forces ALSA);
 * `realtime`/`loop` apply to the file twin. Says on stderr when the twin stands in for a
 * missing microphone; *is_twin tells the caller (for the screen). Says on stderr why it
 * failed; the code tells which failure (LT_ERR_NO_DEVICE, LT_ERR_FORMAT …): app_exit_code()
 * maps it for a command.
 */
lt_err app_open_audio(const struct config *cfg, const char *device, bool realtime, bool loop,
		      struct audio_source **out, bool *is_twin);

#endif
