/* audio_source.c — the thin dispatch over an audio source's ops table. */
#include "lectern/audio_source.h"

#include <stdio.h>

lt_err audio_source_open(const struct audio_source_ops *ops, const struct audio_source_params *p,
			 struct audio_source **out, char *msg, size_t msg_len)
{
	if (msg_len)
		msg[0] = '\0';
	lt_err err = ops->open(p, out, msg, msg_len);
	if (err == LT_OK)
		(*out)->ops = ops;
	else if (msg_len && !msg[0])
		snprintf(msg, msg_len, "%s", lt_strerror(err));
	return err;
}

void audio_source_close(struct audio_source *s)
{
	if (s)
		s->ops->close(s);
}
