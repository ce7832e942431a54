/*
 * controller.h — the appliance's brain: decides when to record, from the schedule and from
 * presenters' requests, and drives sessions (session.h) accordingly.
 *
 * Recording on schedule ([schedule] auto_record): a timed occurrence (not all-day, not longer
 * than max_event_hours) is recorded from start - preroll to end + postroll, with its title,
 * presenter and UID. Booting in the middle records the rest, as a new part of that session.
 * Back-to-back sessions give separate recordings: the earlier stops at its end when the
 * next is due. A manual recording running when a scheduled one begins is stopped and
 * finalized (conflict = scheduled_wins) or left alone (manual_wins).
 *
 * Overlapping occurrences: the one that started first is recorded until its end (+ postroll);
 * one that starts inside it (a talk inside an "all-morning" block) gets no recording of its
 * own. Preempting instead would cut the block into parts and let a rule that repeats every few
 * seconds cut a real session into hundreds; which one a room wants is a policy not decided yet.
 *
 * When an occurrence is done. It is not started again once one of its parts ended on
 * purpose, which that part's history says by the reason of its move to `finalizing` (matched
 * exactly, see store_event_recordings):
 *   "the session ended"          its end + postroll came
 *   "the next session begins"    the next occurrence took over after this one's end
 *   "stopped by a person"        controller_stop() (the screen's stop button)
 *   "maximum duration reached"   its remaining time, or the configured cap, was recorded
 * Every other ending leaves it due, so that the rest of a session that is still on is
 * recorded as a new part: a crash or power cut (recovery's own reason, whether the part kept
 * audio or failed with none), the appliance stopping, a recording that could not start or
 * that ended by itself cut short (microphone gone, disk full). A part that ended by itself
 * is followed by a new one no sooner than RETRY_START_S (30 s) later, as a failed start is
 * retried. Only the listed reasons mean "done": a new kind of ending records again rather
 * than lose the rest of a session.
 *
 * Time is passed in, so that the decisions can be tested without waiting.
 */
#ifndef LECTERN_CONTROLLER_H
#define LECTERN_CONTROLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/audio_source.h"
#include "lectern/config.h"
#include "lectern/recorder.h"
#include "lectern/schedule.h"
#include "lectern/store.h"

struct controller;

/* What the controller tells an observer (the Opencast agent, the screen) about a recording. */
enum controller_change {
	CTRL_STARTED,        /* a recording began */
	CTRL_FINISHED,       /* it ended and is queued for upload */
	CTRL_FAILED          /* it could not start, or ended without usable audio */
};
/* `event_uid` is the calendar event's UID for a scheduled recording, "" for a manual one. */
typedef void (*controller_observer_fn)(void *user, enum controller_change change,
				       int64_t recording_id, const char *event_uid);

/* A snapshot for the screen. */
struct controller_status {
	bool recording;
	bool scheduled;
	int64_t recording_id;
	char title[256];
	int64_t end;                 /* scheduled end (without postroll), 0 for manual */
	struct recorder_status rec;  /* level, elapsed, paused, low audio */
};

/* Opens the microphone for a new recording (so tests and demo mode can supply a twin). */
typedef lt_err (*controller_open_audio_fn)(void *user, struct audio_source **out);

lt_err controller_create(const struct config *cfg, struct store *st, struct schedule *sched,
			 controller_open_audio_fn open_audio, void *user, struct controller **out);

/* Be told of every recording's start and end (one observer; NULL to remove). */
void controller_observe(struct controller *c, controller_observer_fn fn, void *user);

/* Act on the schedule at time `now` (unix seconds); call about once a second. */
void controller_tick(struct controller *c, int64_t now);

/* A presenter's tap: record now, untitled unless a session is on. */
lt_err controller_start_manual(struct controller *c, int64_t now, const char *title);
/* A person's stop: finalize whatever is recording; a scheduled session is then done (see
 * above). `why` is logged. LT_ERR_STATE when nothing records. */
lt_err controller_stop(struct controller *c, const char *why);
bool controller_recording(const struct controller *c, int64_t *recording_id);
/* Pause/resume the running recording; LT_ERR_STATE when there is none. */
lt_err controller_pause(struct controller *c);
lt_err controller_resume(struct controller *c);
void controller_status(struct controller *c, struct controller_status *out);

/* Stop cleanly and free; a scheduled session still on is resumed by the next controller. */
void controller_destroy(struct controller *c);

#endif
