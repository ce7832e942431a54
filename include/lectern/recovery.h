/*
 * recovery.h — the start-up pass that finishes recordings a power cut or crash left open.
 *
 * For every recording in `recording`, `paused` or `finalizing`: the file is closed at its
 * last complete page (oggopus_close), its duration computed from the last granule, and the
 * recording moved to `finalizing` then `queued` (or `failed` when nothing playable is left),
 * each step committed. Logged with the recording's id. Its reasons never mean that a
 * scheduled session is done: the controller records the rest of one still on as a new part,
 * whether this part kept audio or failed with none (controller.h).
 */
#ifndef LECTERN_RECOVERY_H
#define LECTERN_RECOVERY_H

#include "lectern/store.h"

struct recovery_report {
	int queued;    /* recovered with audio */
	int failed;    /* nothing playable */
};

lt_err recovery_run(struct store *st, struct recovery_report *report);

#endif
