/*
 * session.h — one recording from start to queued: the store's state machine driving the
 * recorder. Each step is committed to the store before it is acted on:
 *   start:  row created in `recording`, then the recorder starts (on failure: `failed`)
 *   pause:  `paused` committed, then the recorder pauses (resume: the reverse)
 *   stop:   `finalizing` committed, then the file is finished, its result stored, `queued`
 * A recording with audio is always queued, whatever stopped it (disk low, device lost); the
 * reason is kept. One with no audio at all ends `failed`, its file kept for inspection.
 *
 * Time: the duration is the audio's (samples), and the end stored is the wall-clock start plus
 * the time that passed on the monotonic clock, so a wall clock stepped during the recording
 * (NTP, a person) changes neither.
 *
 * A full disk: each start makes sure DATA_DIR/lectern.reserve holds 512 KB, so that when a
 * write fails for lack of space (min_free_mb = 0, or a disk shared with something else) the
 * reserve is deleted and the database, on that same disk, can still commit the end: the
 * recording is queued at once, cut at its last good page, with its true duration. The next
 * start keeps the room again (a warning if there is none).
 */
#ifndef LECTERN_SESSION_H
#define LECTERN_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/audio_source.h"
#include "lectern/config.h"
#include "lectern/recorder.h"
#include "lectern/store.h"

struct session_info {
	const char *title;
	const char *presenter;
	const char *path;      /* NULL: SPOOL/<uid>.opus */
	int64_t max_seconds;   /* 0: the configured maximum */
	int bitrate_kbps;      /* 0: configured */
};

struct session;

/*
 * The reserve's name in DATA_DIR: each start keeps it at 512 KB for the commits that end a
 * recording when a write finds the disk full. app.c gives it up when the store cannot even be
 * opened on a full disk.
 */
#define SESSION_RESERVE_FILE "lectern.reserve"

lt_err session_start(struct store *st, const struct config *cfg, struct audio_source *src,
		     const struct session_info *info, struct session **out);
lt_err session_pause(struct session *s);
lt_err session_resume(struct session *s);
void session_status(struct session *s, struct recorder_status *st);
/* True once the recording has ended by itself (see recorder_wait). */
bool session_wait(struct session *s, int timeout_ms);
int64_t session_id(const struct session *s);
/*
 * Finish and free the session; `out` (may be NULL) receives the stored recording. `why` is
 * why it is stopped, kept in its history as the reason of the move to `finalizing` (the
 * controller reads it back, see controller.h); NULL for a recording that ended by itself,
 * whose recorder's reason is kept instead.
 * Returns the recorder's error (LT_OK when it ended normally) or a store error.
 */
lt_err session_stop(struct session *s, const char *why, struct recording *out);

#endif
