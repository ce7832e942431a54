/*
 * config.c — option table, INI parsing through inih, validation.
 *
 * inih's handler is not told the line number, so the file is read whole (bounded, text only) and
 * fed to ini_parse_stream() through a reader that counts lines: the handler runs while the
 * reader's count is the line it parsed.
 */
#include "lectern/config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lectern/log.h"
#include "lectern/urltpl.h"
#include "lectern/utf8.h"

#define STR(field) CFG_STRING, offsetof(struct config, field), sizeof(((struct config *)0)->field)
#define INT(field) CFG_INT, offsetof(struct config, field), 0
#define BOOL(field) CFG_BOOL, offsetof(struct config, field), 0
#define CHOICE(field) CFG_CHOICE, offsetof(struct config, field), sizeof(((struct config *)0)->field)

static const char *const sources[] = {"auto", "alsa", "file", NULL};
static const char *const levels[] = {"error", "warn", "info", "debug", NULL};
static const char *const frames[] = {"2.5", "5", "10", "20", "40", "60", NULL};
static const char *const schedule_sources[] = {"none", "ics", "opencast", NULL};
static const char *const auths[] = {"basic", "digest", NULL};
static const char *const conflicts[] = {"scheduled_wins", "manual_wins", NULL};
static const char *const targets[] = {"none", "folder", "webdav", "opencast", NULL};
static const char *const privacy[] = {"none", "count", "names", NULL};
static const char *const tristate[] = {"auto", "yes", "no", NULL};
static const char *const sources_camera[] = {"auto", "v4l2", "file", "none", NULL};

static const struct config_option options[] = {
	{"device", "room", STR(room), "Room", 0, 0, NULL,
	 "Room name shown on screen and written into every recording"},
	{"device", "data_dir", STR(data_dir), "/var/lib/lectern", 0, 0, NULL,
	 "Directory for the database (lectern.db) and, by default, the spool"},
	{"device", "spool_dir", STR(spool_dir), "", 0, 0, NULL,
	 "Directory for recordings waiting for upload (empty: DATA_DIR/spool)"},
	{"device", "log_level", CHOICE(log_level), "info", 0, 0, levels,
	 "Log detail: error, warn, info or debug"},
	{"device", "language", STR(device_language), "", 0, 0, NULL,
	 "Spoken language of the room's sessions as a BCP 47 tag, e.g. en or de-CH: sent as "
	 "dcterms:language (for speech-to-text) and in the sidecar (empty: none)"},
	{"audio", "source", CHOICE(audio_source), "auto", 0, 0, sources,
	 "auto (ALSA if a microphone is present, else the demo file), alsa or file"},
	{"audio", "device", STR(audio_device), "default", 0, 0, NULL,
	 "ALSA capture device (arecord -L lists them)"},
	{"audio", "file", STR(audio_file), "", 0, 0, NULL,
	 "WAV or raw S16LE file played as the microphone when source = file (or auto without one)"},
	{"audio", "rate", INT(audio_rate), "48000", 8000, 192000, NULL,
	 "Preferred capture rate in Hz; other rates the device offers are converted"},
	{"audio", "channels", INT(audio_channels), "1", 1, 8, NULL,
	 "Preferred capture channels; more than one is downmixed to mono"},
	{"audio", "period_ms", INT(audio_period_ms), "20", 5, 200, NULL,
	 "Capture period in milliseconds"},
	{"recording", "bitrate_kbps", INT(bitrate_kbps), "32", 6, 510, NULL,
	 "Opus bitrate in kb/s"},
	{"recording", "complexity", INT(complexity), "10", 0, 10, NULL,
	 "Opus encoder complexity, 0 (fastest) to 10 (best)"},
	{"recording", "frame_ms", CHOICE(frame_ms), "20", 0, 0, frames,
	 "Opus frame size in ms: 2.5, 5, 10, 20, 40 or 60"},
	{"recording", "max_duration_s", INT(max_duration_s), "14400", 10, 86400, NULL,
	 "A recording stops by itself after this many seconds"},
	{"recording", "min_free_mb", INT(min_free_mb), "200", 0, 1000000, NULL,
	 "Refuse to start, and stop cleanly, when free space falls below this many MB"},
	{"recording", "low_audio_dbfs", INT(low_audio_dbfs), "-60", -96, 0, NULL,
	 "Audio quieter than this (RMS dBFS) counts as silence"},
	{"recording", "low_audio_seconds", INT(low_audio_seconds), "30", 0, 3600, NULL,
	 "Warn after this many seconds of silence (0: never); a muted microphone loses talks"},
	{"recording", "sync_seconds", INT(sync_seconds), "3", 1, 60, NULL,
	 "fdatasync the recording at least this often (seconds)"},
	{"schedule", "source", CHOICE(schedule_source), "none", 0, 0, schedule_sources,
	 "Where the room's calendar comes from: none, ics (file or URL) or opencast"},
	{"schedule", "ics", STR(schedule_ics), "", 0, 0, NULL,
	 "ICS file path or http(s) URL (Google, Outlook, Nextcloud publish one)"},
	{"schedule", "refresh_s", INT(schedule_refresh_s), "60", 10, 86400, NULL,
	 "Fetch the calendar this often (seconds)"},
	{"schedule", "timeout_s", INT(schedule_timeout_s), "20", 1, 600, NULL,
	 "Give up on one calendar fetch after this many seconds"},
	{"schedule", "ca_file", STR(ca_file), "", 0, 0, NULL,
	 "PEM file of the CA to trust for HTTPS: the calendar's, Opencast's, and any server whose "
	 "section sets none (empty: the system's CAs)"},
	{"schedule", "user", STR(server_user), "", 0, 0, NULL,
	 "User name for the calendar, and for Opencast (calendar, ingest and capture agent: one "
	 "account) unless target = opencast and [upload] user is set (empty: no authentication)"},
	{"schedule", "password_file", STR(server_password_file), "", 0, 0, NULL,
	 "File holding the password (first line); mode 0600, or 0640 for the service's group"},
	{"schedule", "auth", CHOICE(server_auth), "basic", 0, 0, auths,
	 "HTTP authentication: basic or digest"},
	{"schedule", "allow_insecure_auth", BOOL(server_allow_insecure_auth), "no", 0, 0, NULL,
	 "yes: let auth = basic send the password over plain http:// (warned at every start); "
	 "digest is allowed without it"},
	{"schedule", "presenter_property", STR(presenter_property), "", 0, 0, NULL,
	 "Event property naming the presenter, e.g. X-PRESENTER (empty: ORGANIZER)"},
	{"schedule", "auto_record", BOOL(auto_record), "yes", 0, 0, NULL,
	 "Record scheduled sessions by themselves (yes/no)"},
	{"schedule", "preroll_s", INT(preroll_s), "0", 0, 3600, NULL,
	 "Start recording this many seconds before a session starts"},
	{"schedule", "postroll_s", INT(postroll_s), "0", 0, 3600, NULL,
	 "Keep recording this many seconds after a session ends"},
	{"schedule", "conflict", CHOICE(conflict), "scheduled_wins", 0, 0, conflicts,
	 "A manual recording when a scheduled one begins: scheduled_wins or manual_wins"},
	{"schedule", "max_event_hours", INT(max_event_hours), "12", 1, 72, NULL,
	 "Longer timed events are listed but not recorded by themselves"},
	{"schedule", "min_event_s", INT(min_event_s), "60", 1, 3600, NULL,
	 "Shorter timed events are listed but not recorded by themselves (a runaway rule)"},
	{"schedule", "lookahead_days", INT(lookahead_days), "14", 1, 90, NULL,
	 "How far ahead the calendar is fetched and kept for offline use (days)"},
	{"upload", "target", CHOICE(upload_target), "none", 0, 0, targets,
	 "Where recordings go: none (keep them here), folder, webdav or opencast"},
	{"upload", "folder", STR(upload_folder), "", 0, 0, NULL,
	 "target = folder: a mounted share or USB disk; files go to FOLDER/ROOM/YYYY/MM/. It must "
	 "exist (lectern creates only the folders inside it); under an /etc/fstab mount point that "
	 "is not mounted, nothing is delivered (kept queued)"},
	{"upload", "url", STR(upload_url), "", 0, 0, NULL,
	 "target = webdav: the share's URL; files go to URL/ROOM/YYYY/MM/"},
	{"upload", "user", STR(upload_user), "", 0, 0, NULL,
	 "User name for the WebDAV share, or for Opencast when target = opencast (then calendar, "
	 "ingest and capture agent all use it); empty: [schedule]'s for Opencast, none for WebDAV"},
	{"upload", "password_file", STR(upload_password_file), "", 0, 0, NULL,
	 "File holding the share's password (first line); mode 0600, or 0640 for the service's "
	 "group"},
	{"upload", "auth", CHOICE(upload_auth), "basic", 0, 0, auths,
	 "HTTP authentication for the share: basic or digest"},
	{"upload", "allow_insecure_auth", BOOL(upload_allow_insecure_auth), "no", 0, 0, NULL,
	 "yes: let auth = basic send the password over plain http:// (warned at every start); "
	 "digest is allowed without it"},
	{"upload", "ca_file", STR(upload_ca_file), "", 0, 0, NULL,
	 "PEM file of the CA to trust for the server [upload] user goes to (empty: [schedule] "
	 "ca_file, else the system's CAs)"},
	{"upload", "timeout_s", INT(upload_timeout_s), "600", 10, 86400, NULL,
	 "Give up on one upload attempt after this many seconds"},
	{"upload", "backoff_min_s", INT(backoff_min_s), "60", 1, 86400, NULL,
	 "First retry after a failed upload (seconds); doubles each time"},
	{"upload", "backoff_max_s", INT(backoff_max_s), "3600", 1, 604800, NULL,
	 "Longest wait between retries (seconds)"},
	{"upload", "give_up_days", INT(give_up_days), "30", 1, 3650, NULL,
	 "A recording not delivered after this many days is marked failed (kept on disk)"},
	{"upload", "max_kbps", INT(upload_max_kbps), "0", 0, 10000000, NULL,
	 "Upload bandwidth cap in kbit/s, so that the room's network stays usable (0: none)"},
	{"upload", "stagger_s", INT(upload_stagger_s), "0", 0, 86400, NULL,
	 "Wait a random 0..N seconds before a recording's first upload, so rooms spread out"},
	{"upload", "window", STR(upload_window), "", 0, 0, NULL,
	 "Upload only between these local times, e.g. 19:00-07:00 (empty: any time)"},
	{"upload", "retention_days", INT(retention_days), "7", 0, 3650, NULL,
	 "Keep delivered recordings here this many days, then delete them"},
	{"upload", "link_template", STR(upload_link_template), "", 0, 0, NULL,
	 "target = folder or webdav: where people watch a delivered recording, e.g. "
	 "https://media.example.org/{room}/{year}/{month}/{file} (also {uid}; each URL-encoded; "
	 "empty: no link)"},
	{"opencast", "url", STR(opencast_url), "", 0, 0, NULL,
	 "Opencast server, e.g. https://opencast.example.org"},
	{"opencast", "agent", STR(opencast_agent), "", 0, 0, NULL,
	 "Capture agent name of this device (empty: the room name)"},
	{"opencast", "full_fetch_s", INT(opencast_full_fetch_s), "600", 60, 86400, NULL,
	 "Ignore the ETag this often so that events entering the window are seen"},
	{"opencast", "workflow", STR(opencast_workflow), "schedule-and-upload", 0, 0, NULL,
	 "Workflow for uploads the calendar names none for (target = opencast)"},
	{"opencast", "flavor", STR(opencast_flavor), "presenter/source", 0, 0, NULL,
	 "Flavor of the audio track in the media package"},
	{"opencast", "state_s", INT(opencast_state_s), "60", 5, 3600, NULL,
	 "Report the agent's state to capture-admin this often (and on every change)"},
	{"opencast", "player_url", STR(opencast_player_url), "{url}/play/{id}", 0, 0, NULL,
	 "Where people watch a delivered recording ({url}: [opencast] url, {id}: its media "
	 "package id; empty: no link)"},
	{"opencast", "workflow_config", STR(opencast_workflow_config), "", 0, 0, NULL,
	 "Workflow configuration sent with every ingest, comma-separated key=value pairs, e.g. "
	 "transcribe=true, straightToPublishing=true (the calendar's values win for a scheduled "
	 "event)"},
	{"privacy", "attendance", CHOICE(attendance), "count", 0, 0, privacy,
	 "What check-in stores and what uploads say about attendance: none (no check-in: "
	 "nothing stored or sent), count (how many: no name stored, logged or sent) or names "
	 "(who, blanked after keep_names_days)"},
	{"privacy", "keep_records_days", INT(keep_records_days), "90", 1, 3650, NULL,
	 "A delivered recording's row (title, presenter, tags) and history are forgotten this many "
	 "days after delivery, once its local copy is gone"},
	{"privacy", "keep_failed_days", INT(keep_failed_days), "30", 1, 3650, NULL,
	 "A failed recording without audio (file and row) goes after this many days; failed ones "
	 "with audio stay until retried"},
	{"privacy", "keep_local_days", INT(keep_local_days), "0", 0, 3650, NULL,
	 "target = none: delete recordings (audio and row) this many days after they end (0: keep "
	 "them for ever)"},
	{"privacy", "keep_calendar_days", INT(keep_calendar_days), "30", 1, 365, NULL,
	 "Drop the cached calendar (attendees' names) after this many days without a good fetch, "
	 "and at once when the source changes"},
	{"privacy", "recognition", BOOL(recognition), "on", 0, 0, NULL,
	 "Name presenters on the screen's past sessions, thank-you and peer-teacher cards (off: "
	 "counts only, and past sessions are searched by title and tag only)"},
	{"privacy", "keep_names_days", INT(keep_names_days), "30", 1, 3650, NULL,
	 "Check-ins' names, e-mail addresses and badge ids are blanked this many days after the "
	 "check-in (the count stays)"},
	{"privacy", "forget_names_when_delivered", BOOL(forget_names_when_delivered), "no", 0, 0,
	 NULL, "Blank check-ins' names as soon as their session's attendance was delivered"},
	{"checkin", "open_before_min", INT(checkin_open_before_min), "15", 0, 240, NULL,
	 "Check-in for a session opens this many minutes before its start"},
	{"checkin", "open_after_min", INT(checkin_open_after_min), "30", 0, 720, NULL,
	 "... and stays open this many minutes after its start (or until its end, if later)"},
	{"checkin", "roster", STR(checkin_roster), "", 0, 0, NULL,
	 "CSV of people who may check in besides the calendar's attendees: name,email,badge "
	 "(empty: none; read again when it changes)"},
	{"checkin", "consent", STR(checkin_consent), "", 0, 0, NULL,
	 "Line shown on the check-in screen, e.g. what is kept and for how long (its version is "
	 "stored with each check-in)"},
	{"camera", "source", CHOICE(camera_source), "auto", 0, 0, sources_camera,
	 "Camera: auto (V4L2 if one is plugged in, else none), v4l2, file (a twin) or none"},
	{"camera", "device", STR(camera_device), "/dev/video0", 0, 0, NULL,
	 "V4L2 device of the USB camera"},
	{"camera", "file", STR(camera_file), "", 0, 0, NULL,
	 "source = file: a PPM picture to show as the camera (empty: a moving test pattern)"},
	{"camera", "width", INT(camera_width), "640", 160, 1920, NULL,
	 "Capture width asked of the camera (it may give another)"},
	{"camera", "height", INT(camera_height), "480", 120, 1080, NULL,
	 "Capture height asked of the camera"},
	{"ui", "width", INT(ui_width), "0", 0, 7680, NULL,
	 "Window width in pixels (0: the whole display when fullscreen, else 1280)"},
	{"ui", "height", INT(ui_height), "0", 0, 4320, NULL,
	 "Window height in pixels (0: the whole display when fullscreen, else 800)"},
	{"ui", "fullscreen", CHOICE(ui_fullscreen), "auto", 0, 0, tristate,
	 "auto: fullscreen without a desktop (KMS/DRM), a window on X11/Wayland"},
	{"ui", "rotation", INT(ui_rotation), "0", 0, 270, NULL,
	 "Rotate the screen (and touch) by 0, 90, 180 or 270 degrees"},
	{"ui", "pin", STR(ui_pin), "1234", 0, 0, NULL,
	 "PIN that opens the settings screen in plain text (up to 8 digits; the sample 1234 opens "
	 "nothing; better: pin_file; empty: settings stay locked)"},
	{"ui", "pin_file", STR(ui_pin_file), "", 0, 0, NULL,
	 "File holding the PIN's salted hash, written by lectern provision --pin (mode 0600); "
	 "when set, [ui] pin is ignored"},
	{"ui", "tags", STR(ui_tags), "talk,demo,workshop,q&a,lightning", 0, 0, NULL,
	 "Topic tags offered on the recording screen, comma-separated"},
	{"ui", "cadence", STR(ui_cadence), "Next brown bag", 0, 0, NULL,
	 "Label of the home screen's line about the next recurring session"},
	{"ui", "dim_after_min", INT(ui_dim_after_min), "5", 0, 1440, NULL,
	 "Dim the screen after this many idle minutes (0: never)"},
	{"ui", "dim_percent", INT(ui_dim_percent), "20", 0, 100, NULL,
	 "Brightness when dimmed, percent"},
	{"ui", "night", STR(ui_night), "", 0, 0, NULL,
	 "Keep the screen dimmed between these local times, e.g. 20:00-07:00"},
	{"ui", "brightness", INT(ui_brightness), "100", 5, 100, NULL,
	 "Normal brightness, percent"},
	{"ui", "backlight", STR(ui_backlight), "", 0, 0, NULL,
	 "sysfs backlight directory (empty: the first in /sys/class/backlight; none: no dimming)"},
	{"ui", "font_dir", STR(ui_font_dir), "/usr/share/fonts/truetype/dejavu", 0, 0, NULL,
	 "Directory holding DejaVuSans.ttf and DejaVuSans-Bold.ttf"},
	{"ui", "term_start", STR(ui_term_start), "01-01,04-01,07-01,10-01", 0, 0, NULL,
	 "Days a term begins, MM-DD comma-separated: the home screen's peer teachers, the "
	 "thank-you card and lectern stats (without --term) count sessions since the latest of "
	 "them"},
	{"ui", "shift_min", INT(ui_shift_min), "10", 0, 1440, NULL,
	 "Shift the picture by a few pixels this often against burn-in (minutes; 0: off)"},
	{"ui", "idle_return_s", INT(ui_idle_return_s), "120", 0, 86400, NULL,
	 "Go back to the home screen after this many seconds without a touch on the Sessions, "
	 "Uploads, PIN and settings screens (settings lock again), and on check-in while no "
	 "session takes it (never while recording; 0: never)"},
	{"health", "prometheus_file", STR(health_prometheus_file), "", 0, 0, NULL,
	 "lectern run writes its health figures here in Prometheus text format, for "
	 "node_exporter's textfile collector, e.g. /var/lib/node_exporter/lectern.prom (empty: off)"},
	{"health", "prometheus_interval_s", INT(health_prometheus_interval_s), "60", 1, 3600, NULL,
	 "Rewrite prometheus_file this often (seconds)"},
	{"gpio", "chip", STR(gpio_chip), "", 0, 0, NULL,
	 "GPIO chip of the REC LED and start/stop button, e.g. gpiochip0 (empty: no GPIO; file: "
	 "a twin whose rec_led and button are file paths)"},
	{"gpio", "rec_led", STR(gpio_rec_led), "", 0, 0, NULL,
	 "Line of the REC LED (offset or name): lit while recording, blinking while paused "
	 "(empty: none)"},
	{"gpio", "button", STR(gpio_button), "", 0, 0, NULL,
	 "Line of the start/stop button (offset or name): a short press starts, holding it 1.5 s "
	 "stops (empty: none)"},
	{"gpio", "active_low", BOOL(gpio_active_low), "no", 0, 0, NULL,
	 "yes: the lines are active low (a button to ground, with the pull-up enabled)"},
};

#define N_OPTIONS (sizeof options / sizeof options[0])
_Static_assert(N_OPTIONS <= sizeof(((struct config *)0)->lines) / sizeof(int),
	       "struct config.lines too small for the option table");

const struct config_option *config_options(size_t *count)
{
	*count = N_OPTIONS;
	return options;
}

static void set_error(struct config_error *err, const char *file, int line,
		      const struct config_option *o, const char *section, const char *key,
		      const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void set_error(struct config_error *err, const char *file, int line,
		      const struct config_option *o, const char *section, const char *key,
		      const char *fmt, ...)
{
	if (!err)
		return;
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->line = line;
	if (o)
		snprintf(err->key, sizeof err->key, "%s.%s", o->section, o->key);
	else if (key)
		snprintf(err->key, sizeof err->key, "%s%s%s", section ? section : "",
			 section && *section ? "." : "", key);
	else
		err->key[0] = '\0';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

static bool section_known(const char *section)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (strcmp(options[i].section, section) == 0)
			return true;
	return false;
}

static const struct config_option *find_option(const char *section, const char *key)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (strcmp(options[i].section, section) == 0 && strcmp(options[i].key, key) == 0)
			return &options[i];
	return NULL;
}

/* Apply one textual value to `o`; on failure write the reason into why. */
static bool apply(struct config *c, const struct config_option *o, const char *value, char *why,
		  size_t n)
{
	char *field = (char *)c + o->offset;
	/* Values are shown on the screen, sent to servers and echoed in these messages: text
	 * that is not UTF-8 (a file saved as Latin-1 or Windows-1252) is refused with its line
	 * rather than passed on as bytes. */
	if (!utf8_valid(value, strlen(value))) {
		snprintf(why, n, "the value is not UTF-8 text: save the file as UTF-8");
		return false;
	}
	switch (o->type) {
	case CFG_STRING:
		if (strlen(value) >= o->size) {
			snprintf(why, n, "value is too long (at most %zu characters)", o->size - 1);
			return false;
		}
		strcpy(field, value);
		return true;
	case CFG_CHOICE:
		for (const char *const *ch = o->choices; *ch; ch++) {
			if (strcasecmp(*ch, value) == 0) {
				snprintf(field, o->size, "%s", *ch);
				return true;
			}
		}
		{
			size_t used = (size_t)snprintf(why, n, "'%s' is not one of:", value);
			for (const char *const *ch = o->choices; *ch && used < n; ch++)
				used += (size_t)snprintf(why + used, n - used, " %s", *ch);
		}
		return false;
	case CFG_INT: {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (!*value || *end || errno) {
			snprintf(why, n, "'%s' is not a whole number", value);
			return false;
		}
		if (v < o->min || v > o->max) {
			snprintf(why, n, "%ld is out of range (%ld to %ld)", v, o->min, o->max);
			return false;
		}
		*(int *)(void *)field = (int)v;
		return true;
	}
	case CFG_BOOL: {
		static const char *const yes[] = {"yes", "true", "on", "1"};
		static const char *const no[] = {"no", "false", "off", "0"};
		for (size_t i = 0; i < 4; i++) {
			if (strcasecmp(value, yes[i]) == 0) {
				*(int *)(void *)field = 1;
				return true;
			}
			if (strcasecmp(value, no[i]) == 0) {
				*(int *)(void *)field = 0;
				return true;
			}
		}
		snprintf(why, n, "'%s' is not yes or no", value);
		return false;
	}
	}
	return false;
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	char why[128];
	for (size_t i = 0; i < N_OPTIONS; i++) {
		if (!apply(c, &options[i], options[i].def, why, sizeof why))
			abort(); /* the table's own defaults must be valid */
	}
	snprintf(c->source, sizeof c->source, "(built-in defaults)");
}

lt_err config_set(struct config *c, const char *section, const char *key, const char *value,
		  int line, struct config_error *err)
{
	const struct config_option *o = find_option(section, key);
	if (!o) {
		if (!section_known(section))
			set_error(err, c->source, line, NULL, section, key, "unknown section [%s]",
				  section);
		else
			set_error(err, c->source, line, NULL, section, key, "unknown key");
		return LT_ERR_CONFIG;
	}
	char why[200];
	if (!apply(c, o, value, why, sizeof why)) {
		set_error(err, c->source, line, o, NULL, NULL, "%s", why);
		return LT_ERR_CONFIG;
	}
	c->lines[o - options] = line;
	return LT_OK;
}

/* inih's line buffer (INI_MAX_LINE in Debian's build); longer lines are refused with advice. */
#define MAX_LINE 200
/*
 * A configuration file is a few kilobytes. The whole file is read before parsing (so that a NUL
 * byte or a binary file is seen as such, not cut into lines by fgets), and a bound on its size
 * keeps /dev/zero-like inputs from filling memory.
 */
#define MAX_FILE_BYTES (256 * 1024)

struct parse_ctx {
	struct config *cfg;
	struct config_error *err;
	const char *text;          /* the whole file, checked to be text */
	size_t len, pos;           /* its length; where the next line starts */
	int line;
	int too_long_line;         /* a line cut at MAX_LINE (its rest was skipped) */
	bool indented;             /* the current line starts with white space */
	const struct config_option *last; /* the option of the previous key line */
	int fail_line;             /* line of the first problem found by on_value */
};

/* inih's reader: hand over the next line of ctx->text, counting lines as it goes. */
static char *counting_reader(char *str, int num, void *stream)
{
	struct parse_ctx *ctx = stream;
	if (ctx->pos >= ctx->len || num < 2)
		return NULL;
	const char *s = ctx->text + ctx->pos;
	const char *nl = memchr(s, '\n', ctx->len - ctx->pos);
	size_t end = nl ? (size_t)(nl - s) : ctx->len - ctx->pos; /* the line without its end */
	ctx->pos += nl ? end + 1 : end; /* a cut line's rest is skipped, not read as a line */
	if (end > 0 && s[end - 1] == '\r')
		end--; /* CRLF is handed over as LF, so the length limit is the same for both */
	size_t room = (size_t)num - 2, take = end < room ? end : room;
	memcpy(str, s, take);
	str[take] = '\n';
	str[take + 1] = '\0';
	ctx->line++;
	ctx->indented = s[0] == ' ' || s[0] == '\t';
	if (take < end)
		ctx->too_long_line = ctx->line;
	return str;
}

/*
 * Refuse what is not text: a NUL or another control character (a binary file, or a damaged
 * one) would otherwise cut a line short or hide the next one. Tabs and CRLF line ends are text.
 * Returns the line of the first bad byte (and the byte), or 0.
 */
static int first_non_text(const char *text, size_t len, unsigned char *bad)
{
	int line = 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		if (ch == '\n') {
			line++;
			continue;
		}
		if (ch == '\t' || (ch == '\r' && (i + 1 == len || text[i + 1] == '\n')))
			continue;
		if (ch < 0x20 || ch == 0x7f) {
			*bad = ch;
			return line;
		}
	}
	return 0;
}

/*
 * Read the whole of `path` into a malloc'd buffer. Only a regular file is read: a directory,
 * FIFO or device is refused before any read (O_NONBLOCK keeps a FIFO without a writer from
 * blocking the open itself).
 */
static lt_err read_file(const char *path, char **out, size_t *out_len, struct config_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		set_error(err, path, 0, NULL, NULL, NULL, "cannot open: %s", strerror(errno));
		return LT_ERR_IO;
	}
	struct stat sb;
	char *buf = NULL;
	lt_err rc = LT_ERR_CONFIG;
	if (fstat(fd, &sb) != 0) {
		set_error(err, path, 0, NULL, NULL, NULL, "cannot open: %s", strerror(errno));
		rc = LT_ERR_IO;
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		set_error(err, path, 0, NULL, NULL, NULL,
			  "is a directory: give the configuration file itself");
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		set_error(err, path, 0, NULL, NULL, NULL,
			  "is not a regular file (a device, FIFO or socket): give a configuration "
			  "file");
		goto out;
	}
	if (sb.st_size > MAX_FILE_BYTES)
		goto too_big;
	buf = malloc(MAX_FILE_BYTES + 1);
	if (!buf) {
		set_error(err, path, 0, NULL, NULL, NULL, "out of memory");
		rc = LT_ERR_NOMEM;
		goto out;
	}
	size_t len = 0;
	/* Read one byte past the bound, so that a file that grew meanwhile is still refused. */
	while (len <= MAX_FILE_BYTES) {
		ssize_t n = read(fd, buf + len, MAX_FILE_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_error(err, path, 0, NULL, NULL, NULL, "cannot read: %s", strerror(errno));
			rc = LT_ERR_IO;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > MAX_FILE_BYTES)
		goto too_big;
	unsigned char bad = 0;
	int line = first_non_text(buf, len, &bad);
	if (line) {
		if (bad == 0)
			set_error(err, path, line, NULL, NULL, NULL,
				  "holds a NUL byte: this is not a text file");
		else
			set_error(err, path, line, NULL, NULL, NULL,
				  "holds the control character 0x%02x: this is not a text file",
				  bad);
		goto out;
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
	rc = LT_OK;
	goto out;
too_big:
	set_error(err, path, 0, NULL, NULL, NULL,
		  "is larger than %d KiB: this is not a configuration file", MAX_FILE_BYTES / 1024);
out:
	free(buf);
	close(fd);
	return rc;
}

static int fail_at(struct parse_ctx *ctx)
{
	ctx->fail_line = ctx->line;
	return 0;
}

/* Whether a continuation line's text is a key being set ("min_free_mb = 5", of this section or
 * another): an indented setting, which would otherwise vanish silently into the value above. */
static bool looks_like_key(const char *text)
{
	char key[64];
	size_t n = strcspn(text, " \t=");
	if (n == 0 || n >= sizeof key || text[n + strspn(text + n, " \t")] != '=')
		return false;
	memcpy(key, text, n);
	key[n] = '\0';
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (strcmp(options[i].key, key) == 0)
			return true;
	return false;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *ctx = user;
	if (ctx->fail_line)
		return 1; /* keep the first error only; inih goes on reading */
	if (!name) /* a section header alone (INI_CALL_HANDLER_ON_NEW_SECTION builds) */
		return 1;
	const struct config_option *o = find_option(section, name);
	if (ctx->line == ctx->too_long_line) {
		set_error(ctx->err, ctx->cfg->source, ctx->line, o, section, name,
			  "line is longer than %d characters: continue the value on the next "
			  "line, indented", MAX_LINE - 2);
		return fail_at(ctx);
	}
	if (!*section) {
		set_error(ctx->err, ctx->cfg->source, ctx->line, NULL, NULL, name,
			  "key outside any [section]");
		return fail_at(ctx);
	}
	if (ctx->indented && o && o == ctx->last) {
		/* inih hands an indented continuation line over as the same key again. */
		if (o->type != CFG_STRING) {
			set_error(ctx->err, ctx->cfg->source, ctx->line, o, NULL, NULL,
				  "only text values continue on the next line");
			return fail_at(ctx);
		}
		if (looks_like_key(value)) {
			set_error(ctx->err, ctx->cfg->source, ctx->line, o, NULL, NULL,
				  "this indented line would continue the value above; remove the "
				  "indentation to set '%.*s'", (int)strcspn(value, " \t="), value);
			return fail_at(ctx);
		}
		const char *field = (const char *)ctx->cfg + o->offset;
		size_t len = strlen(field) + strlen(value) + 1;
		char *joined = malloc(len);
		if (!joined)
			return fail_at(ctx);
		snprintf(joined, len, "%s%s", field, value);
		lt_err err = config_set(ctx->cfg, section, name, joined, ctx->line, ctx->err);
		free(joined);
		return err == LT_OK ? 1 : fail_at(ctx);
	}
	ctx->last = o;
	if (config_set(ctx->cfg, section, name, value, ctx->line, ctx->err) != LT_OK)
		return fail_at(ctx);
	return 1;
}

lt_err config_load(struct config *c, const char *path, struct config_error *err)
{
	snprintf(c->source, sizeof c->source, "%s", path);
	struct parse_ctx ctx = {.cfg = c, .err = err};
	char *text = NULL;
	lt_err rc_read = read_file(path, &text, &ctx.len, err);
	if (rc_read != LT_OK)
		return rc_read;
	ctx.text = text;
	int rc = ini_parse_stream(counting_reader, &ctx, on_value, &ctx);
	free(text);
	/* The first problem in the file wins: ours, or inih's own syntax error before it. */
	if (ctx.fail_line && !(rc > 0 && rc < ctx.fail_line))
		return LT_ERR_CONFIG;
	if (rc != 0) {
		/* inih's own syntax error (e.g. a line that is neither [section] nor key = value). */
		set_error(err, path, rc > 0 ? rc : 0, NULL, NULL, NULL,
			  rc > 0 ? "syntax error: expected [section] or key = value"
				 : "cannot read the file");
		return LT_ERR_CONFIG;
	}
	return config_check(c, err);
}

static int line_of(const struct config *c, const char *section, const char *key)
{
	const struct config_option *o = find_option(section, key);
	return o ? c->lines[o - options] : 0;
}

bool config_secret_too_open(const char *path, unsigned mode, char *why, size_t n)
{
	/* 0640 is the documented install shape (root's file, read through a group of the
	 * service's); "others" is anyone on the box. A FIFO or device would block the reader
	 * (an upload, for ever) or hand over what is not a password. */
	if (!S_ISREG(mode))
		snprintf(why, n, "'%s' is not a regular file (a directory, FIFO or device): give "
			 "the file holding the password", path);
	else if (mode & S_IROTH)
		snprintf(why, n, "'%s' is readable by others (mode %04o): chmod 0600 it", path,
			 mode & 07777);
	else if (mode & (S_IWOTH | S_IWGRP))
		snprintf(why, n, "'%s' can be changed by others (mode %04o): chmod 0600 it", path,
			 mode & 07777);
	else
		return false;
	return true;
}

/* One place a set of credentials is sent: the URL's option, and the credentials' section and
 * keys. */
struct clear_auth {
	const char *url_section, *url_key;
	const char *cred_section;
	const char *user, *auth;
	int allowed;
	const char *url;           /* "" when this use does not apply */
};

/*
 * Basic authentication sends the password readable by anyone on the network path; over plain
 * http:// it is refused unless the credentials' section says allow_insecure_auth = yes, and then
 * it is said at every start. Digest never sends the password itself.
 */
static lt_err check_clear_auth(const struct config *c, const struct clear_auth *u,
			       struct config_error *err)
{
	const char *cred_section = u->cred_section;
	if (!u->user[0] || strcmp(u->auth, "basic") != 0 || strncasecmp(u->url, "http://", 7) != 0)
		return LT_OK;
	if (u->allowed) {
		log_warn("%s: [%s] user's password is sent readable over plain http:// to %s "
			 "(allow_insecure_auth = yes): use https:// or auth = digest",
			 c->source, cred_section, u->url);
		return LT_OK;
	}
	set_error(err, c->source, line_of(c, u->url_section, u->url_key),
		  find_option(u->url_section, u->url_key), NULL, NULL,
		  "[%s] auth = basic over plain http:// sends the password readable on the "
		  "network: use https://, auth = digest, or allow_insecure_auth = yes in [%s]",
		  cred_section, cred_section);
	return LT_ERR_CONFIG;
}

bool config_language_valid(const char *tag)
{
	/* A language of 2-3 letters (RFC 5646 also reserves 5-8 for registration, but none is
	 * registered: "German" is a mistake, not a tag), then subtags of 1-8 letters or digits
	 * (script, region, variant, extension): the shape, not the registry. */
	size_t len = strspn(tag, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	if (len < 2 || len > 3 || strlen(tag) > 35)
		return false;
	for (const char *p = tag + len; *p;) {
		if (*p++ != '-')
			return false;
		size_t sub = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
		if (sub < 1 || sub > 8)
			return false;
		p += sub;
	}
	return true;
}

lt_err config_workflow_pairs(const char *text, char *lines, size_t n, char *why, size_t why_len)
{
	size_t used = 0;
	if (n)
		lines[0] = '\0';
	for (const char *p = text; *p;) {
		size_t item = strcspn(p, ",");
		const char *end = p + item;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *stop = end;
		while (stop > p && (stop[-1] == ' ' || stop[-1] == '\t'))
			stop--;
		if (stop > p) {
			const char *eq = memchr(p, '=', (size_t)(stop - p));
			const char *kend = eq;
			while (kend && kend > p && (kend[-1] == ' ' || kend[-1] == '\t'))
				kend--;
			size_t klen = eq ? (size_t)(kend - p) : 0;
			/* Opencast's configuration keys: Java property names. */
			if (!eq || klen == 0 ||
			    strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") <
				    klen) {
				snprintf(why, why_len, "'%.*s' is not key=value (pairs are separated by "
					 "commas; a key is letters, digits, '.', '_' or '-')",
					 (int)(stop - p < 60 ? stop - p : 60), p);
				return LT_ERR_CONFIG;
			}
			const char *v = eq + 1;
			while (v < stop && (*v == ' ' || *v == '\t'))
				v++;
			/* The same key twice would reach Opencast as two form fields: say it here. */
			for (const char *l = lines; *l; l += strcspn(l, "\n") + 1)
				if (strncmp(l, p, klen) == 0 && l[klen] == '=') {
					snprintf(why, why_len, "'%.*s' is given twice", (int)klen, p);
					return LT_ERR_CONFIG;
				}
			int w = snprintf(lines + used, n - used, "%.*s=%.*s\n", (int)klen, p,
					 (int)(stop - v), v);
			if (w < 0 || (size_t)w >= n - used) {
				snprintf(why, why_len, "too long");
				return LT_ERR_CONFIG;
			}
			used += (size_t)w;
		}
		p = *end ? end + 1 : end;
	}
	return LT_OK;
}

/* The link templates and the transcription keys: a template must give a URL for any recording
 * (tried on an example one), so that a mistake shows at start, not as links missing later. */
static lt_err check_links(struct config *c, struct config_error *err)
{
	char out[1024], why[200];
	if (c->device_language[0] && !config_language_valid(c->device_language)) {
		set_error(err, c->source, line_of(c, "device", "language"),
			  find_option("device", "language"), NULL, NULL,
			  "'%s' is not a language tag like en, de or pt-BR", c->device_language);
		return LT_ERR_CONFIG;
	}
	char lines[sizeof c->opencast_workflow_config + 8];
	if (config_workflow_pairs(c->opencast_workflow_config, lines, sizeof lines, why,
				  sizeof why) != LT_OK) {
		set_error(err, c->source, line_of(c, "opencast", "workflow_config"),
			  find_option("opencast", "workflow_config"), NULL, NULL, "%s", why);
		return LT_ERR_CONFIG;
	}
	const struct urltpl_var file_vars[] = {
		{"room", c->room, false}, {"year", "2026", false}, {"month", "01", false},
		{"uid", "20260101T120000Z-0a1b", false}, {"file", "20260101T120000Z-0a1b.opus", false},
	};
	if (urltpl_expand(c->upload_link_template, file_vars, 5, out, sizeof out, why,
			  sizeof why) != LT_OK) {
		set_error(err, c->source, line_of(c, "upload", "link_template"),
			  find_option("upload", "link_template"), NULL, NULL, "%s", why);
		return LT_ERR_CONFIG;
	}
	/* {url} is the server's own address: it can be judged only where Opencast is the target. */
	const struct urltpl_var oc_vars[] = {
		{"url", c->opencast_url, true}, {"id", "0c1e2d3f-4a5b-4c6d-8e7f-90a1b2c3d4e5", false},
	};
	if (strcmp(c->upload_target, "opencast") == 0 &&
	    urltpl_expand(c->opencast_player_url, oc_vars, 2, out, sizeof out, why,
			  sizeof why) != LT_OK) {
		set_error(err, c->source, line_of(c, "opencast", "player_url"),
			  find_option("opencast", "player_url"), NULL, NULL, "%s", why);
		return LT_ERR_CONFIG;
	}
	return LT_OK;
}

lt_err config_check(struct config *c, struct config_error *err)
{
	if (!c->data_dir[0]) {
		set_error(err, c->source, line_of(c, "device", "data_dir"),
			  find_option("device", "data_dir"), NULL, NULL, "must not be empty");
		return LT_ERR_CONFIG;
	}
	if (!c->room[0]) {
		set_error(err, c->source, line_of(c, "device", "room"), find_option("device", "room"),
			  NULL, NULL, "must not be empty: the room name is written into recordings");
		return LT_ERR_CONFIG;
	}
	/* The room is a folder on the share (ROOM/YYYY/MM): "." or ".." would put the recordings
	 * beside or above the configured folder. */
	if (strcmp(c->room, ".") == 0 || strcmp(c->room, "..") == 0) {
		set_error(err, c->source, line_of(c, "device", "room"), find_option("device", "room"),
			  NULL, NULL, "'%s' is not a room name: it names the share's folders", c->room);
		return LT_ERR_CONFIG;
	}
	if (strcmp(c->audio_source, "file") == 0 && !c->audio_file[0]) {
		set_error(err, c->source, line_of(c, "audio", "file"), find_option("audio", "file"),
			  NULL, NULL, "source = file needs a file to play");
		return LT_ERR_CONFIG;
	}
	if (strcmp(c->audio_source, "alsa") == 0 && !c->audio_device[0]) {
		set_error(err, c->source, line_of(c, "audio", "device"),
			  find_option("audio", "device"), NULL, NULL, "source = alsa needs a device");
		return LT_ERR_CONFIG;
	}
	if (strcmp(c->schedule_source, "ics") == 0 && !c->schedule_ics[0]) {
		set_error(err, c->source, line_of(c, "schedule", "ics"),
			  find_option("schedule", "ics"), NULL, NULL,
			  "source = ics needs a file path or URL");
		return LT_ERR_CONFIG;
	}
	if ((strcmp(c->schedule_source, "opencast") == 0 ||
	     strcmp(c->upload_target, "opencast") == 0) && !c->opencast_url[0]) {
		set_error(err, c->source, line_of(c, "opencast", "url"),
			  find_option("opencast", "url"), NULL, NULL,
			  "schedule source or upload target opencast needs the server's URL");
		return LT_ERR_CONFIG;
	}
	if (strcmp(c->upload_target, "folder") == 0 && !c->upload_folder[0]) {
		set_error(err, c->source, line_of(c, "upload", "folder"),
			  find_option("upload", "folder"), NULL, NULL,
			  "target = folder needs the folder to copy to");
		return LT_ERR_CONFIG;
	}
	if (strcmp(c->upload_target, "webdav") == 0 &&
	    strncmp(c->upload_url, "http://", 7) != 0 && strncmp(c->upload_url, "https://", 8) != 0) {
		set_error(err, c->source, line_of(c, "upload", "url"), find_option("upload", "url"),
			  NULL, NULL, "target = webdav needs an http:// or https:// URL, not '%s'",
			  c->upload_url);
		return LT_ERR_CONFIG;
	}
	if (c->upload_window[0] && config_time_range(c->upload_window, NULL, NULL) != 0) {
		set_error(err, c->source, line_of(c, "upload", "window"),
			  find_option("upload", "window"), NULL, NULL,
			  "'%s' is not a time range like 19:00-07:00", c->upload_window);
		return LT_ERR_CONFIG;
	}
	/* Secrets are read when needed, but a missing file is a mistake worth saying at start. */
	static const struct {
		const char *section;
		size_t user, file;
	} secrets[] = {
		{"upload", offsetof(struct config, upload_user),
		 offsetof(struct config, upload_password_file)},
		{"schedule", offsetof(struct config, server_user),
		 offsetof(struct config, server_password_file)},
	};
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		const char *user = (const char *)c + secrets[i].user;
		const char *file = (const char *)c + secrets[i].file;
		const char *sec = secrets[i].section;
		if (user[0] && !file[0]) {
			set_error(err, c->source, line_of(c, sec, "user"), find_option(sec, "user"),
				  NULL, NULL, "a user needs password_file (the file holding the password)");
			return LT_ERR_CONFIG;
		}
		struct stat sb;
		char why[sizeof err->msg];
		if (file[0] && (access(file, R_OK) != 0 || stat(file, &sb) != 0)) {
			set_error(err, c->source, line_of(c, sec, "password_file"),
				  find_option(sec, "password_file"), NULL, NULL, "cannot read '%s': %s",
				  file, strerror(errno));
			return LT_ERR_CONFIG;
		}
		if (file[0] && config_secret_too_open(file, (unsigned)sb.st_mode, why, sizeof why)) {
			set_error(err, c->source, line_of(c, sec, "password_file"),
				  find_option(sec, "password_file"), NULL, NULL, "%s", why);
			return LT_ERR_CONFIG;
		}
	}
	if (c->ui_pin_file[0]) {
		struct stat sb;
		char why[sizeof err->msg];
		const char *file = c->ui_pin_file;
		if (access(file, R_OK) != 0 || stat(file, &sb) != 0) {
			set_error(err, c->source, line_of(c, "ui", "pin_file"),
				  find_option("ui", "pin_file"), NULL, NULL, "cannot read '%s': %s",
				  file, strerror(errno));
			return LT_ERR_CONFIG;
		}
		if (config_secret_too_open(file, (unsigned)sb.st_mode, why, sizeof why)) {
			set_error(err, c->source, line_of(c, "ui", "pin_file"),
				  find_option("ui", "pin_file"), NULL, NULL, "%s", why);
			return LT_ERR_CONFIG;
		}
	}
	/*
	 * Where each set of credentials is sent, by net.h's rule: [schedule]'s to the ICS URL,
	 * [upload]'s to the WebDAV share, and Opencast's one account ([upload]'s when target =
	 * opencast and [upload] user is set, else [schedule]'s) to Opencast.
	 */
	bool opencast = strcmp(c->schedule_source, "opencast") == 0 ||
			strcmp(c->upload_target, "opencast") == 0;
	bool opencast_upload = strcmp(c->upload_target, "opencast") == 0 && c->upload_user[0];
	const struct clear_auth uses[] = {
		{"schedule", "ics", "schedule", c->server_user, c->server_auth, c->server_allow_insecure_auth,
		 strcmp(c->schedule_source, "ics") == 0 ? c->schedule_ics : ""},
		{"opencast", "url", "schedule", c->server_user, c->server_auth, c->server_allow_insecure_auth,
		 opencast && !opencast_upload ? c->opencast_url : ""},
		{"upload", "url", "upload", c->upload_user, c->upload_auth, c->upload_allow_insecure_auth,
		 strcmp(c->upload_target, "webdav") == 0 ? c->upload_url : ""},
		{"opencast", "url", "upload", c->upload_user, c->upload_auth, c->upload_allow_insecure_auth,
		 opencast_upload ? c->opencast_url : ""},
	};
	for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++)
		if (check_clear_auth(c, &uses[i], err) != LT_OK)
			return LT_ERR_CONFIG;
	if (c->ui_night[0] && config_time_range(c->ui_night, NULL, NULL) != 0) {
		set_error(err, c->source, line_of(c, "ui", "night"), find_option("ui", "night"), NULL,
			  NULL, "'%s' is not a time range like 20:00-07:00", c->ui_night);
		return LT_ERR_CONFIG;
	}
	if (config_term_start(c->ui_term_start, 1000000000, NULL) != 0) {
		set_error(err, c->source, line_of(c, "ui", "term_start"),
			  find_option("ui", "term_start"), NULL, NULL,
			  "'%s' is not a list of days like 01-01,09-01 (MM-DD)", c->ui_term_start);
		return LT_ERR_CONFIG;
	}
	if (c->ui_rotation % 90 != 0) {
		set_error(err, c->source, line_of(c, "ui", "rotation"),
			  find_option("ui", "rotation"), NULL, NULL,
			  "must be 0, 90, 180 or 270, not %d", c->ui_rotation);
		return LT_ERR_CONFIG;
	}
	if (strspn(c->ui_pin, "0123456789") != strlen(c->ui_pin) || strlen(c->ui_pin) > 8) {
		set_error(err, c->source, line_of(c, "ui", "pin"), find_option("ui", "pin"), NULL,
			  NULL, "a PIN is up to 8 digits");
		return LT_ERR_CONFIG;
	}
	if (c->backoff_max_s < c->backoff_min_s) {
		set_error(err, c->source, line_of(c, "upload", "backoff_max_s"),
			  find_option("upload", "backoff_max_s"), NULL, NULL,
			  "must not be less than backoff_min_s (%d)", c->backoff_min_s);
		return LT_ERR_CONFIG;
	}
	if (check_links(c, err) != LT_OK)
		return LT_ERR_CONFIG;
	if (!c->spool_dir[0]) {
		int len = snprintf(c->spool_dir, sizeof c->spool_dir, "%s/spool", c->data_dir);
		if (len < 0 || (size_t)len >= sizeof c->spool_dir) {
			c->spool_dir[0] = '\0';
			set_error(err, c->source, line_of(c, "device", "data_dir"),
				  find_option("device", "data_dir"), NULL, NULL, "path is too long");
			return LT_ERR_CONFIG;
		}
	}
	enum log_level lvl;
	if (log_level_parse(c->log_level, &lvl) == 0)
		log_set_level(lvl);
	return LT_OK;
}

bool config_pin_warning(const struct config *c, char *why, size_t n)
{
	if (c->ui_pin_file[0] || !c->ui_pin[0])
		return false;
	if (strcmp(c->ui_pin, find_option("ui", "pin")->def) == 0)
		snprintf(why, n, "%s: [ui] pin is still the sample PIN, which does not open the "
			 "settings screen: set one with sudo lectern provision --pin N", c->source);
	else
		snprintf(why, n, "%s: [ui] pin is kept in plain text where anyone who can read the "
			 "file sees it: store it hashed with sudo lectern provision --pin N", c->source);
	return true;
}

bool config_unprovisioned(const struct config *c)
{
	return !c->room[0] || strcmp(c->room, find_option("device", "room")->def) == 0;
}

void config_error_format(const struct config_error *err, char *buf, size_t n)
{
	char where[PATH_MAX + 32];
	if (err->line > 0)
		snprintf(where, sizeof where, "%s:%d", err->file, err->line);
	else
		snprintf(where, sizeof where, "%s", err->file);
	if (err->key[0])
		snprintf(buf, n, "lectern: %s: %s: %s", where, err->key, err->msg);
	else
		snprintf(buf, n, "lectern: %s: %s", where, err->msg);
}

void config_write_sample(FILE *out)
{
	fprintf(out, "# lectern.conf — every key with its default. Lines starting with # or ;\n"
		     "# are comments. Unknown keys are errors. Check a file with:\n"
		     "#   lectern --config FILE config check\n");
	const char *section = "";
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct config_option *o = &options[i];
		if (strcmp(section, o->section) != 0) {
			section = o->section;
			fprintf(out, "\n[%s]\n", section);
		}
		fprintf(out, "# %s", o->help);
		if (o->type == CFG_INT)
			fprintf(out, " (%ld to %ld)", o->min, o->max);
		if (o->type == CFG_CHOICE) {
			fprintf(out, " (");
			for (const char *const *ch = o->choices; *ch; ch++)
				fprintf(out, "%s%s", ch == o->choices ? "" : ", ", *ch);
			fprintf(out, ")");
		}
		fprintf(out, "\n%s = %s\n", o->key, o->def);
	}
}

int config_frame_samples48(const struct config *c)
{
	/* 2.5 ms is 120 samples at 48 kHz; the others are whole milliseconds. */
	if (strcmp(c->frame_ms, "2.5") == 0)
		return 120;
	return atoi(c->frame_ms) * 48;
}

int config_time_range(const char *text, int *from, int *to)
{
	int h1, m1, h2, m2, used = 0;
	if (sscanf(text, "%d:%d-%d:%d%n", &h1, &m1, &h2, &m2, &used) != 4 || text[used] != '\0' ||
	    h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59)
		return -1;
	if (from)
		*from = h1 * 60 + m1;
	if (to)
		*to = h2 * 60 + m2;
	return 0;
}

int config_term_start(const char *text, int64_t now, int64_t *start)
{
	time_t t = (time_t)now;
	struct tm today;
	localtime_r(&t, &today);
	int64_t best = INT64_MIN;
	int items = 0;
	for (const char *p = text; *p;) {
		int mon, day, used = 0;
		size_t len = strcspn(p, ",");
		if (sscanf(p, " %d-%d %n", &mon, &day, &used) != 2 || (size_t)used != len ||
		    mon < 1 || mon > 12 || day < 1 || day > 31)
			return -1;
		/* This year's date, or last year's when it is still to come (mktime takes 31-02 as
		 * 03-03: a typo moves the day, it does not fail). */
		for (int back = 0; back < 2; back++) {
			struct tm tm = {.tm_year = today.tm_year - back, .tm_mon = mon - 1,
					.tm_mday = day, .tm_isdst = -1};
			time_t when = mktime(&tm);
			if (when != (time_t)-1 && when <= t) {
				if ((int64_t)when > best)
					best = when;
				break;
			}
		}
		items++;
		p += len + (p[len] == ',');
	}
	if (items == 0)
		return -1;
	if (start)
		*start = best;
	return 0;
}

int config_in_time_range(const char *text, int64_t now)
{
	int from, to;
	if (!text[0] || config_time_range(text, &from, &to) != 0)
		return -1;
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	int m = tm.tm_hour * 60 + tm.tm_min;
	return from <= to ? m >= from && m < to : m >= from || m < to;
}
