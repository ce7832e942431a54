/*
 * kiosk_view.h — the kiosk's view builder: the store, the schedule, the controller's status and
 * what the presenter's taps decided (struct kiosk_state), turned into a `struct view` (view.h)
 * for the screen. It draws nothing and acts on nothing: tests call it directly with a real
 * store and schedule.
 *
 * Decisions made here, not in ui/:
 *  - room state: Recording > In session (a timed session is on) > Starts in N min (next one
 *    within 15 minutes) > Free;
 *  - the card is the current session, else the next one within the look-ahead; the agenda is
 *    today's sessions (local midnight to midnight, calendar_local_midnight); the cadence line
 *    is the next session of a recurring series (a UID seen more than once in the look-ahead);
 *  - messages with advice for: no microphone (or one there but unusable, said as such), disk
 *    low, no network while a server is configured, uploads waiting after a failure (the advice
 *    of the part its reason names: network, server, storage), calendar stale, a recording that
 *    failed to start (which part failed: microphone, storage, configuration; err.h's
 *    lt_error), a damaged database replaced at start (until the next start);
 *  - check-in: the session it is for (kiosk_view_checkin_session; an ad-hoc recording's when
 *    no calendar session is open), the people matching the search (case and accents folded;
 *    without a search the session's invitees and walk-ins, else the room's roster), the
 *    count as stored, the confirmation for KIOSK_CHECKIN_NOTE_S and Undo for 10 s, the
 *    consent line, or when check-in next opens; with [privacy] attendance = none, that it
 *    is off;
 *  - the time keeps minute resolution on screens without seconds, so that an idle screen is
 *    not redrawn every second.
 *
 * What changes slowly is not asked for at every build (every tap builds the view):
 *  - the network (an interface up, its address) and the spool's free space: at most every
 *    KIOSK_VIEW_FACTS_S seconds of the builder's clock;
 *  - the queue (waiting recordings, the upload list): read again only when the store changed,
 *    through this connection or another (store_change_count: the uploader's thread writes
 *    with its own);
 *  - today's sessions: expanded once per calendar generation and day.
 * The room's past sessions, its peer teachers and the thank-you card: kiosk_sessions.h.
 */
#ifndef LECTERN_KIOSK_VIEW_H
#define LECTERN_KIOSK_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/attendance.h"
#include "lectern/config.h"
#include "lectern/controller.h"
#include "lectern/err.h"
#include "lectern/kiosk_sessions.h"
#include "lectern/schedule.h"
#include "lectern/store.h"
#include "lectern/view.h"

#define KIOSK_VIEW_FACTS_S 5.0
#define KIOSK_PIN_TRIES 3       /* wrong PINs that lock the keypad (kiosk_events.h) */

/* How long the check-in screen shows its confirmation, and offers Undo (attendance.h). */
#define KIOSK_CHECKIN_NOTE_S 4
#define KIOSK_CHECKIN_UNDO_S (ATTENDANCE_UNDO_MS / 1000)

/* The check-in screen's state (kiosk_events.h acts on it; the builder shows it). */
struct kiosk_checkin {
	char key[320];                  /* the session check-in is for (attendance.h), "" none */
	struct store_checkin_session session;  /* its snapshot, stored with each check-in */
	int64_t opens_at;               /* none: when check-in next opens (0: none coming) */
	int64_t recording_id;           /* the recording on (0: none) as the store has it: */
	char recording_uid[48];
	int64_t recording_start;        /* unix s */
	char recording_key[320];        /* its occurrence's key, "" when started by hand */
	struct roster people;           /* invitees, the room's roster, walk-ins (memory only) */
	int count;                      /* the session's check-ins as stored */
	int64_t undo_id;                /* the last check-in (0: none) ... */
	int undo_person;                /* ... its roster entry (-1: a guest) ... */
	int64_t undo_until;             /* ... undoable until then (unix s) */
	enum view_checkin_note note;
	char note_text[128];
	int64_t note_until;             /* unix s */
	double tap_at;                  /* os_mono_s() of the last check-in tap, 0 once shown */
	double confirm_ms;              /* tap to the frame that showed its outcome; -1 before */
};

/* What the presenter's taps decided, and what of the recording and the session they follow
 * (kiosk_events.h changes it; the builder only reads it). */
struct kiosk_state {
	enum view_screen screen;
	bool recording;                 /* as last seen, to leave the recording screen at its end */
	char search[64];
	char session_search[64];        /* the Sessions screen's (kiosk_sessions.h) */
	char free_tag[64];
	bool keyboard;
	int n_tags;
	char tags[VIEW_MAX_TAGS][32];
	bool tag_on[VIEW_MAX_TAGS];
	int64_t tagged_recording;       /* the recording the tag choice belongs to */
	struct kiosk_checkin checkin;
	char pin[16];
	int pin_failures;               /* wrong PINs since the last right one (stored) */
	int64_t pin_locked_until;       /* unix time (kept in the store) */
	struct lt_error start_error;    /* why the last Start tap failed; code LT_OK: it did not */
	int64_t start_error_at;
	double tap_at;                  /* os_mono_s() of the Start tap, 0 once measured */
	double latency_ms;              /* tap to first sample, -1 before one */
	bool quit;                      /* the window was closed */
};

/* How the builder asks the system; tests count the calls. */
struct kiosk_view_probes {
	/* Whether an interface other than loopback is up with an address; its first address
	 * ("" without one) into addr. */
	bool (*network)(char *addr, size_t n);
	lt_err (*free_bytes)(const char *path, uint64_t *out);   /* os_free_bytes */
};

struct kiosk_view_sources {
	const struct config *cfg;
	struct store *st;
	struct schedule *sched;
	const char *mic_name;           /* see kiosk_deps */
	bool mic_present;
	const struct lt_error *mic_error;
	bool mic_twin;
	const char *store_set_aside;
	double (*clock)(void);          /* monotonic seconds: the facts' age; NULL: os_mono_s */
	struct kiosk_view_probes probes; /* NULL members: the system's */
};

struct kiosk_view_queue {
	int waiting;                    /* recordings not yet delivered */
	int percent;                    /* of the one uploading; -1 when none */
	bool trouble;                   /* one waits after a failed attempt */
	char trouble_reason[160];       /* its stored reason */
	int n_uploads;
	struct view_upload uploads[VIEW_MAX_UPLOADS]; /* next_attempt as stored (unix seconds) */
};

/* The builder and its caches. Fields are read by tests; set them only through the functions. */
struct kiosk_view_builder {
	struct kiosk_view_sources src;
	struct occurrence_list occ;     /* today and the look-ahead, of calendar generation ... */
	bool have_occ;
	unsigned occ_generation;
	int64_t occ_midnight;           /* ... and of the day starting here */
	bool have_facts;
	double facts_at;                /* clock() when the network and free space were asked */
	bool network_ok;
	char address[64];
	bool have_free;
	uint64_t free_bytes;
	bool have_queue;
	uint64_t queue_changes;         /* store_change_count() the queue was read at */
	struct kiosk_view_queue queue;
	unsigned long queue_scans;      /* full reads of the store's recordings so far */
	struct kiosk_sessions sessions; /* past sessions, peer teachers, the thank-you card */
};

void kiosk_view_init(struct kiosk_view_builder *b, const struct kiosk_view_sources *src);
void kiosk_view_free(struct kiosk_view_builder *b);

/* The calendar session check-in is for at `now` ([checkin] open_before_min/open_after_min,
 * attendance_pick); NULL when none, and then *opens_at (may be NULL) says when the next opens
 * (0: none in the look-ahead). Valid until the next call into the builder. */
const struct occurrence *kiosk_view_checkin_session(struct kiosk_view_builder *b, int64_t now,
						    int64_t *opens_at);

/* Build `v` from scratch at unix time `now`, `cs` being the controller's status. The live meter,
 * camera preview and other settings are kiosk_settings.h's to fill in. */
void kiosk_view_build(struct kiosk_view_builder *b, const struct kiosk_state *s,
		      const struct controller_status *cs, int64_t now, struct view *v);

/* The recording part of `v` (state, title, elapsed, levels) from `cs`: what the meter refreshes
 * between builds. */
void kiosk_view_recording(const struct controller_status *cs, struct view *v);

/* A level in dBFS as the meter shows it: -90 .. 0. */
float kiosk_view_db(float db);

/* The server the appliance talks to (upload target, else the calendar), "" when none: shown
 * in the status strip and tried by the settings screen's connection test. */
const char *kiosk_server_url(const struct config *cfg);

#endif
