/*
 * controller.h — the appliance's brain: decides when to record, from the schedule and from
 * presenters' requests, and drives sessions (session.h) accordingly.
 *
 * Recording on schedule ([schedule] auto_record): a timed occurrence (not all-day, not longer
 * than max_event_hours) is recorded from start - preroll to end + postroll, with its title,
 * presenter and UID. Booting in the middle records the rest, as a new part of that session;
 * an occurrence is not started again once a recording of it ended for any reason other than a
 * crash. Back-to-back sessions give separate recordings: the earlier stops at its end when the
 * next is due. A manual recording running when a scheduled one begins is stopped and
 * finalized (conflict = scheduled_wins) or left alone (manual_wins).
 *
 * Time is passed in, so that the decisions can be tested without waiting.
 */
#ifndef LECTERN_CONTROLLER_H
#define LECTERN_CONTROLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/audio_source.h"
#include "lectern/config.h"
#include "lectern/schedule.h"
#include "lectern/store.h"

struct controller;

/* Opens the microphone for a new recording (so tests and demo mode can supply a twin). */
typedef lt_err (*controller_open_audio_fn)(void *user, struct audio_source **out);

lt_err controller_create(const struct config *cfg, struct store *st, struct schedule *sched,
			 controller_open_audio_fn open_audio, void *user, struct controller **out);

/* Act on the schedule at time `now` (unix seconds); call about once a second. */
void controller_tick(struct controller *c, int64_t now);

/* A presenter's tap: record now, untitled unless a session is on. */
lt_err controller_start_manual(struct controller *c, int64_t now, const char *title);
/* Stop and finalize whatever is recording. */
lt_err controller_stop(struct controller *c, const char *why);
bool controller_recording(const struct controller *c, int64_t *recording_id);

/* Stop cleanly and free. */
void controller_destroy(struct controller *c);

#endif
