/*
 * config.h — the appliance's settings: one typed option table, an INI parser (inih) and a
 * validation pass.
 *
 * The option table is the single source for the file parser, `lectern help config`, the
 * commented sample config and (later) the settings screen, so they cannot drift.
 * Unknown sections/keys are errors, not silently ignored. Errors carry FILE:LINE: KEY.
 *
 * No secret lives in the file: [schedule]/[upload] password_file and [ui] pin_file name files
 * of their own (0600, or 0640 for the service's group; `lectern provision` writes them beside
 * the config, owned by the service user), so lectern.conf itself can stay 0644. [ui] pin_file
 * holds the PIN's PBKDF2 hash (pinhash.h); a plain [ui] pin is still read, and `config check`
 * warns about it (config_pin_warning).
 */
#ifndef LECTERN_CONFIG_H
#define LECTERN_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lectern/err.h"

#define CONFIG_DEFAULT_PATH "/etc/lectern/lectern.conf"
#define CONFIG_ENV "LECTERN_CONFIG"

enum config_type { CFG_STRING, CFG_INT, CFG_BOOL, CFG_CHOICE };

struct config_option {
	const char *section;
	const char *key;
	enum config_type type;
	size_t offset;                 /* into struct config */
	size_t size;                   /* CFG_STRING/CFG_CHOICE: buffer size */
	const char *def;               /* default, written as in the file */
	long min, max;                 /* CFG_INT: inclusive range */
	const char *const *choices;    /* CFG_CHOICE: NULL-terminated list */
	const char *help;              /* one line, for --help and the sample file */
};

struct config {
	/* [device] */
	char room[128];
	char data_dir[PATH_MAX];   /* store: DATA_DIR/lectern.db */
	char spool_dir[PATH_MAX];  /* recordings; "" means DATA_DIR/spool */
	char log_level[16];
	char device_language[36];  /* BCP 47 tag of the spoken language; "" = not said */
	/* [audio] */
	char audio_source[16];     /* auto | alsa | file */
	char audio_device[128];    /* ALSA PCM name */
	char audio_file[PATH_MAX]; /* file twin: WAV or raw S16LE */
	int audio_rate;            /* preferred capture rate; device may give another */
	int audio_channels;        /* preferred capture channels; downmixed to mono */
	int audio_period_ms;
	/* [recording] */
	int bitrate_kbps;
	int complexity;
	char frame_ms[8];          /* 2.5 | 5 | 10 | 20 | 40 | 60 */
	int max_duration_s;
	int min_free_mb;
	int low_audio_dbfs;
	int low_audio_seconds;
	int sync_seconds;
	/* [schedule] */
	char schedule_source[16];  /* none | ics | opencast */
	char schedule_ics[PATH_MAX];
	int schedule_refresh_s;
	int schedule_timeout_s;
	char ca_file[PATH_MAX];
	char server_user[128];
	char server_password_file[PATH_MAX];
	char server_auth[16];      /* basic | digest */
	int server_allow_insecure_auth; /* basic over http:// allowed (warned at every start) */
	char presenter_property[64];
	int auto_record;
	int preroll_s, postroll_s;
	char conflict[24];         /* scheduled_wins | manual_wins */
	int max_event_hours;
	int min_event_s;             /* shorter ones are not recorded (FREQ=SECONDLY junk) */
	int lookahead_days;
	/* [upload] */
	char upload_target[16];    /* none | folder | webdav | opencast */
	char upload_folder[PATH_MAX];
	char upload_url[1024];
	char upload_user[128];
	char upload_password_file[PATH_MAX];
	char upload_auth[16];
	int upload_allow_insecure_auth;
	char upload_ca_file[PATH_MAX];
	int upload_timeout_s;
	int upload_max_kbps;
	int upload_stagger_s;
	char upload_window[16];    /* "HH:MM-HH:MM" local, may wrap midnight; "" = always */
	int backoff_min_s, backoff_max_s;
	int give_up_days;
	int retention_days;
	char upload_link_template[512]; /* folder/webdav: the watch link (urltpl.h); "" = none */
	/* [opencast] */
	char opencast_url[512];
	char opencast_agent[128];
	int opencast_full_fetch_s;
	char opencast_workflow[128];
	char opencast_flavor[64];
	int opencast_state_s;
	char opencast_player_url[512];  /* the watch link: {url}, {id} (urltpl.h); "" = none */
	char opencast_workflow_config[1024]; /* "key=value, key=value" sent with every ingest */

	/* [privacy] (retention.h says what each keeps and for how long) */
	char attendance[16];       /* none | count | names */
	int keep_records_days;     /* delivered rows and history, after delivery */
	int keep_failed_days;      /* failed recordings without audio */
	int keep_local_days;       /* target = none: recordings; 0 = for ever */
	int keep_calendar_days;    /* cached calendar text without a good fetch */
	int recognition;           /* presenters named on the screen's session cards (kiosk_sessions.h) */
	int keep_names_days;       /* check-ins' names, e-mails and badge ids */
	bool forget_names_when_delivered; /* ... and at once when their session was delivered */

	/* [checkin] (attendance.h, roster.h) */
	int checkin_open_before_min;   /* check-in opens this long before a session's start */
	int checkin_open_after_min;    /* ... and stays open this long after it (or to its end) */
	char checkin_roster[PATH_MAX]; /* the room's roster CSV (name,email,badge); "" = none */
	char checkin_consent[256];     /* the line shown on the check-in screen; "" = none */

	char camera_source[16];    /* auto | v4l2 | file | none */
	char camera_device[PATH_MAX];
	char camera_file[PATH_MAX]; /* file twin: a PPM picture; "" = a moving test pattern */
	int camera_width, camera_height;

	int ui_width, ui_height;   /* window size; 0 = the display's (fullscreen) or 1280x800 */
	char ui_fullscreen[8];     /* auto | yes | no */
	int ui_rotation;           /* 0 | 90 | 180 | 270 */
	char ui_pin[16];           /* plain PIN (compatibility); ignored when ui_pin_file is set */
	char ui_pin_file[PATH_MAX]; /* file holding the PIN's hash (pinhash.h); "" = use ui_pin */
	char ui_tags[512];         /* comma-separated topic tags */
	char ui_cadence[64];       /* label of the weekly line, e.g. "Next brown bag" */
	int ui_dim_after_min;      /* 0 = never */
	int ui_dim_percent;
	char ui_night[16];         /* "HH:MM-HH:MM" dimmed hours; "" = none */
	int ui_brightness;         /* percent */
	char ui_backlight[PATH_MAX]; /* sysfs backlight dir; "" = first found, none = no-op */
	char ui_font_dir[PATH_MAX];
	int ui_shift_min;          /* burn-in pixel shift period; 0 = off */
	int ui_idle_return_s;      /* back home from Sessions, Uploads, idle check-in; 0 = never */
	char ui_term_start[128];   /* "MM-DD,MM-DD": the days a term begins */

	/* [health] (health.h) */
	char health_prometheus_file[PATH_MAX]; /* "" = off */
	int health_prometheus_interval_s;
	/* [gpio] (gpio.h) */
	char gpio_chip[64];        /* "" = none; "file" = the twin */
	char gpio_rec_led[PATH_MAX];
	char gpio_button[PATH_MAX];
	int gpio_active_low;

	/* Not options: where each value came from, for error messages. */
	char source[PATH_MAX];     /* file path, or "(built-in defaults)" */
	int lines[128];            /* line per option index; 0 = default */
};

struct config_error {
	char file[PATH_MAX];
	int line;                  /* 0 when not tied to a line */
	char key[64];              /* "section.key" or "" */
	char msg[256];
};

/* The option table and its length. */
const struct config_option *config_options(size_t *count);

/* Fill `c` with the built-in defaults (always valid). */
void config_defaults(struct config *c);

/*
 * Parse `path` over the current contents of `c`, then validate.
 * Only a regular text file of at most 256 KiB is read: a directory, device or FIFO is refused
 * without blocking, and a NUL or other control byte (tab and CRLF/LF line ends are text; a UTF-8
 * byte order mark is skipped) is refused with its line, so that nothing in a damaged file is
 * silently skipped. An indented line continues the text value above it, unless it sets a key
 * ("  min_free_mb = 5"): that is refused, not joined to the value.
 * Returns LT_OK, LT_ERR_IO (cannot open or read: err->msg says why) or LT_ERR_CONFIG (first
 * problem in `err`, with its line where there is one).
 */
lt_err config_load(struct config *c, const char *path, struct config_error *err);

/* Set one value as if read from a file at `line` (0 for command line). Checks type and range;
 * a value that is not UTF-8 is refused (it would be shown and sent as it is). */
lt_err config_set(struct config *c, const char *section, const char *key, const char *value,
		  int line, struct config_error *err);

/*
 * Cross-field validation pass; also resolves spool_dir when empty.
 * Trust rules it enforces: a password file others can read or change is refused (0600, or 0640
 * for the service's group, are fine); auth = basic towards a plain http:// URL is refused unless
 * the credentials' section ([schedule] or [upload]) says allow_insecure_auth = yes, and then a
 * warning is logged each time the configuration is checked (every start). Digest is allowed
 * over http:// (it never sends the password itself).
 */
lt_err config_check(struct config *c, struct config_error *err);

/*
 * Whether a password file's mode (st_mode) is not a regular file's, lets others read it, or
 * lets anyone but its owner change it; if so, a sentence naming `path` and what to do goes
 * into why. Shared by config_check and net_read_secret, so the rule at start and at each read
 * is the same.
 */
bool config_secret_too_open(const char *path, unsigned mode, char *why, size_t n);

/*
 * What `lectern config check` says about the settings PIN, or false when there is nothing to
 * say: a plain [ui] pin in the file (readable by everyone who can read the file; `lectern
 * provision --pin` stores it hashed in [ui] pin_file instead), or the sample PIN 1234, which
 * does not open settings at all.
 */
bool config_pin_warning(const struct config *c, char *why, size_t n);

/* Whether the box still looks unprovisioned: the room is still the option table's default
 * (as without a configuration file, or with the sample one). */
bool config_unprovisioned(const struct config *c);

/* "lectern: FILE:LINE: KEY: msg" into buf. */
void config_error_format(const struct config_error *err, char *buf, size_t n);

/* The commented sample config (every key, its default and help), as the sample file shows it. */
void config_write_sample(FILE *out);

/* A local time range "HH:MM-HH:MM" (may wrap midnight) as minutes after midnight; -1 if it is
 * not one. Used by [upload] window and [ui] night. */
int config_time_range(const char *text, int *from, int *to);
/* 1 if unix time `now` falls in the range (local time), 0 if not, -1 if the range is empty or
 * invalid. */
int config_in_time_range(const char *text, int64_t now);
/* The local midnight the term that `now` lies in began: the latest of [ui] term_start's days
 * ("MM-DD,MM-DD", a year back at most) on or before now. -1 when the text is not such a list
 * (start untouched; NULL start: just check it). */
int config_term_start(const char *text, int64_t now, int64_t *start);

/* Whether `tag` has the shape of a BCP 47 language tag ([device] language): a language of 2-3
 * letters, then "-" subtags of 1-8 letters or digits ("en", "de-CH", "zh-Hant-TW"),
 * at most 35 characters. The shape only: the registry is not consulted. */
bool config_language_valid(const char *tag);

/*
 * [opencast] workflow_config's text, "key=value, key=value" (spaces around items, keys and
 * values trimmed; a value runs to the next comma and may hold '='; an empty item is skipped),
 * as "key=value\n" lines into `lines`: the form upload_opencast.c sends, like the calendar's
 * workflow configuration. LT_ERR_CONFIG with a sentence in `why` for an item without '=', a
 * key that is not letters, digits, '.', '_' or '-', a key given twice, or no room.
 */
lt_err config_workflow_pairs(const char *text, char *lines, size_t n, char *why, size_t why_len);

/* frame_ms as a libopus expert frame duration constant and as samples at 48 kHz. */
int config_frame_samples48(const struct config *c);

#endif
