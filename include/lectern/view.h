/*
 * view.h — the kiosk's view model and the events the screen posts back.
 *
 * The controller side (firmware/appliance/kiosk_view.c) builds a `struct view` from the schedule,
 * the recorder, the upload queue and the device's health; the screen (ui/) draws a snapshot
 * of it and turns taps into `struct view_event`s. Everything the screen shows is already
 * decided here: which state the room is in, which messages to show and what they advise, which
 * invitees and past sessions match the search, which link each code encodes. The screen only
 * lays it out.
 *
 * All strings are UTF-8 and NUL-terminated; times are unix seconds and are shown in the
 * device's local time zone. Sizes are fixed so that a snapshot is one memcpy.
 */
#ifndef LECTERN_VIEW_H
#define LECTERN_VIEW_H

#include <stdbool.h>
#include <stdint.h>

enum view_screen {
	VIEW_HOME,
	VIEW_RECORDING,
	VIEW_CHECKIN,
	VIEW_UPLOADS,
	VIEW_PIN,        /* settings are behind a PIN */
	VIEW_SETTINGS,
	VIEW_SESSIONS,   /* the room's past sessions: search, scan to watch */
	VIEW_SCREEN_COUNT
};

/* What the room is doing, readable from the door (colour and word). */
enum view_room_state {
	ROOM_FREE,
	ROOM_STARTS_SOON,    /* next session within 15 minutes: "Starts in N min" */
	ROOM_IN_SESSION,     /* a session is on, not recording */
	ROOM_RECORDING
};

enum view_severity { SEV_INFO, SEV_WARN, SEV_ERROR };

#define VIEW_MAX_AGENDA 12
#define VIEW_MAX_MESSAGES 4
#define VIEW_MAX_TAGS 12
#define VIEW_MAX_INVITEES 48
#define VIEW_MAX_UPLOADS 8
#define VIEW_MAX_INPUTS 6
#define VIEW_MAX_RECENT 3            /* past sessions on the free home screen */
#define VIEW_MAX_FOUND 12            /* on the Sessions screen */
#define VIEW_MAX_TEACHERS 6
#define VIEW_LINK_MAX 384            /* a longer link gets no QR code: it would be too dense */
#define VIEW_CAMERA_W 160            /* the settings screen's camera preview */
#define VIEW_CAMERA_H 120

struct view_session {
	char title[256];
	char presenter[128];
	int64_t start, end;
	bool recorded;       /* a recording of it exists */
};

struct view_message {
	enum view_severity severity;
	char text[128];      /* what is wrong, e.g. "No microphone" */
	char advice[192];    /* what to do, e.g. "Plug the USB microphone into a blue port." */
};

struct view_upload {
	int64_t id;
	char title[128];
	char state[16];      /* queued | uploading | uploaded | failed */
	int64_t bytes, sent;
	double rate_bps;     /* bytes per second while uploading */
	int eta_s;           /* -1 when unknown */
	int attempts;
	char last_error[160];
	int64_t next_attempt;  /* unix seconds; 0 = now */
};

/* A past session of this room, delivered: what the home and Sessions screens show of it. */
struct view_past {
	char title[192];
	char presenter[96];  /* "" with [privacy] recognition = off */
	int64_t start;
	char tags[128];      /* "databases · CRDT", "" for none */
	char link[VIEW_LINK_MAX]; /* encoded as a QR code to watch; "" for none: no code */
	int checkins;        /* -1: check-in was not held */
	bool link_too_long;  /* a link was stored, too long for a readable code: a note instead */
};

/* A presenter of this term and the sessions they gave. */
struct view_teacher {
	char name[96];
	int sessions;
};

struct view_invitee {
	char name[96];
	bool checked_in;
	int person;          /* which person of the kiosk's roster (for the event's handler) */
};

/* The check-in screen's confirmation, big enough to read from a step away. */
enum view_checkin_note {
	CHECKIN_NOTE_NONE,
	CHECKIN_NOTE_OK,       /* "Welcome, Ada" / "Checked in" (green) */
	CHECKIN_NOTE_REFUSED   /* "Already checked in at 13:58", "Not on the list …" (amber) */
};

struct view {
	enum view_screen screen;
	int64_t now;
	char room[128];
	char version[32];

	/* Home */
	enum view_room_state room_state;
	int starts_in_min;           /* ROOM_STARTS_SOON */
	bool has_card;               /* the current or next session */
	struct view_session card;
	int n_agenda;                /* today's sessions */
	struct view_session agenda[VIEW_MAX_AGENDA];
	bool has_cadence;            /* "Next brown bag: Tue 14:00 — title" */
	char cadence_label[64];
	struct view_session cadence;

	/* Home, while the room is free (kiosk_sessions.h): the latest delivered sessions, this
	 * term's peer teachers (no names with recognition off: n_teachers is 0, the summary says
	 * "12 sessions by 5 colleagues this term") */
	int n_recent;
	struct view_past recent[VIEW_MAX_RECENT];
	int n_teachers;
	struct view_teacher teachers[VIEW_MAX_TEACHERS];
	char teachers_summary[96];   /* "" when nobody presented this term */

	/* The thank-you card, over the home screen for a few seconds after a recording stopped:
	 * "Thank you, Ada" / "23 checked in. Your 5th session this term." */
	bool has_thanks;
	char thanks_title[160];
	char thanks_text[160];

	/* Status strip */
	bool network_ok;
	bool server_ok;              /* last contact with the capture/calendar server worked */
	char server[64];             /* host name shown, "" when there is none */
	bool calendar_stale;
	int64_t stale_since;
	int queue_waiting;           /* recordings not yet delivered */
	int queue_percent;           /* of the one uploading now; -1 when none */
	int64_t disk_free_mb;
	bool mic_present;
	char mic_name[64];           /* "USB microphone", "demo file (no microphone found)" */
	int n_messages;
	struct view_message messages[VIEW_MAX_MESSAGES];

	/* Recording */
	bool recording;
	bool paused;
	char rec_title[256];
	double elapsed_s;
	float rms_db, peak_db, peak_hold_db;   /* dBFS, -90 .. 0 */
	bool low_audio;
	int64_t scheduled_end;       /* 0 for a manual recording without an end */
	int n_tags;
	char tags[VIEW_MAX_TAGS][32];
	bool tag_on[VIEW_MAX_TAGS];
	char free_tag[64];           /* being typed on the keyboard */

	/* Check-in (attendance.h): the session it is for, who may check in, what was stored */
	char search[64];
	int n_invitees;              /* those matching the search, as many as fit here ... */
	int invitees_more;           /* ... and how many more match */
	struct view_invitee invitees[VIEW_MAX_INVITEES];
	int checked_in;              /* the session's check-ins as stored (guests included) */
	bool checkin_off;            /* [privacy] attendance = none: nothing is taken, and the
				      * home screen offers no Check in */
	bool checkin_open;           /* a session takes check-in now */
	char checkin_title[128];     /* its title ("Untitled recording" for an ad-hoc one) */
	int64_t checkin_opens_at;    /* closed: when check-in next opens; 0 none coming */
	char checkin_consent[256];   /* [checkin] consent, "" for none */
	enum view_checkin_note checkin_note;
	char checkin_note_text[128];
	bool checkin_undo;           /* the last check-in may still be undone (10 s) */
	bool keyboard;               /* the on-screen keyboard is open (check-in, sessions, tag) */

	/* Sessions: the search (typed on the keyboard) and what matches it, most recent first */
	char session_search[64];
	int n_found;                 /* shown */
	int found_total;             /* matching, also beyond VIEW_MAX_FOUND */
	int sessions_total;          /* delivered sessions kept */
	struct view_past found[VIEW_MAX_FOUND];

	/* QR badges, a line on the check-in screen (kiosk_scan.h); all "" = no line */
	char qr_status[96];          /* "QR badges: hold your badge up to the camera", or off */
	bool qr_camera;              /* a camera scans (else QR is off) */
	char qr_refused[160];        /* why the last code shown was refused (for a few s), "" */

	/* Uploads */
	int n_uploads;
	struct view_upload uploads[VIEW_MAX_UPLOADS];

	/* PIN */
	int pin_len;                 /* digits typed so far (shown as dots) */
	int pin_tries_left;
	int64_t pin_locked_until;    /* 0 when not locked */
	bool pin_unset;              /* [ui] pin is empty: settings are locked for good */
	bool pin_default;            /* [ui] pin is the sample 1234: refused until provisioned */

	/* Settings */
	int n_inputs;
	char inputs[VIEW_MAX_INPUTS][64];
	int input_selected;
	bool camera_present;
	char camera_name[96];        /* what the preview shows, or why there is none */
	int camera_w, camera_h;      /* of the picture in camera_rgb; 0 = none yet */
	unsigned camera_frame;       /* counts pictures, so that a new one is a change */
	int brightness;              /* percent */
	char connection_test[160];   /* result of the last test, "" before one */
	char about[256];             /* version, agent name, addresses */
	uint8_t camera_rgb[VIEW_CAMERA_W * VIEW_CAMERA_H * 3]; /* RGB24 preview, letterboxed */
};

enum view_event_type {
	EV_NONE,
	EV_SHOW,             /* arg = enum view_screen */
	EV_START_RECORDING,
	EV_STOP_RECORDING,   /* the screen sends it only after a completed 1.5 s hold */
	EV_PAUSE,
	EV_RESUME,
	EV_TAG_TOGGLE,       /* arg = index into tags */
	EV_KEY,              /* text = one UTF-8 character typed on the on-screen keyboard */
	EV_BACKSPACE,
	EV_KEYBOARD,         /* arg = 1 open, 0 close (adds the free tag / walk-in on close) */
	EV_CHECKIN_TOGGLE,   /* arg = index into invitees: check that person in */
	EV_WALK_IN,          /* checks `search` in as a walk-in */
	EV_CHECKIN_GUEST,    /* counts a guest, without a name */
	EV_CHECKIN_UNDO,     /* takes the last check-in back (within 10 s) */
	EV_THANKS_DISMISS,   /* a tap on the thank-you card: it goes before its time */
	EV_RETRY,            /* arg = upload id */
	EV_PIN_DIGIT,        /* arg = 0..9; nothing is submitted until EV_PIN_OK */
	EV_PIN_CLEAR,
	EV_PIN_OK,           /* submit the digits typed */
	EV_INPUT_SELECT,     /* arg = index into inputs */
	EV_BRIGHTNESS,       /* arg = percent */
	EV_TEST_CONNECTION,
	EV_ACTIVITY,         /* any touch: wakes a dimmed screen */
	EV_QUIT              /* window closed */
};

struct view_event {
	enum view_event_type type;
	int64_t arg;
	char text[8];
};

#endif
