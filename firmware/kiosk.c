/*
 * kiosk.c — the view model and what the screen's events do (see kiosk.h).
 */
#include "lectern/kiosk.h"

#include <ifaddrs.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lectern/backlight.h"
#include "lectern/camera.h"
#include "lectern/fetch.h"
#include "lectern/log.h"
#include "lectern/monitor.h"
#include "lectern/net.h"
#include "lectern/osutil.h"
#include "lectern/signals.h"

#define SOON_S (15 * 60)
/*
 * The settings PIN: PIN_TRIES wrong PINs lock the keypad, for longer each round since the last
 * right PIN (1 min, 5 min, 30 min, then 2 h each round). Three tries per 2 h walk the 10,000
 * four-digit PINs in about nine months, not days. The count and the lock are kept in the store
 * so that a restart (or pulling the plug) resets neither.
 */
#define PIN_TRIES 3
static const int64_t pin_lock_s[] = {60, 5 * 60, 30 * 60, 2 * 3600};
#define PIN_ROUNDS ((int)(sizeof pin_lock_s / sizeof pin_lock_s[0]))
#define KV_PIN_LOCKOUT "pin.lockout" /* "FAILURES LOCKED_UNTIL", one write for both */
#define WAKE_GRACE_S 0.8   /* after waking a dimmed screen, taps are not acted on */
#define METER_MS 50

struct person {
	char name[96];
	bool in;
};

struct kiosk {
	struct kiosk_deps d;
	const struct config *cfg;
	struct view v;          /* as last built */
	struct view drawn;      /* as last drawn */
	double (*clock)(void);   /* monotonic seconds: idle time, dimming, peak hold */
	bool have_drawn;
	unsigned long frames;   /* drawn so far */
	bool quit;
	int64_t now;

	/* today and the look-ahead, expanded from the calendar of that generation */
	struct occurrence_list occ;
	bool have_occ;
	unsigned occ_generation;
	int64_t occ_midnight;

	/* screen state the events change */
	enum view_screen screen;
	char search[64];
	char free_tag[64];
	bool keyboard;
	int n_tags;
	char tags[VIEW_MAX_TAGS][32];
	bool tag_on[VIEW_MAX_TAGS];
	int64_t tagged_recording;     /* the recording the tag choice belongs to */
	char people_key[320];         /* the session whose invitees are listed */
	int n_people;
	struct person people[VIEW_MAX_INVITEES];
	char pin[16];
	int pin_failures;        /* wrong PINs since the last right one (kept in the store) */
	int64_t pin_locked_until; /* unix time (kept in the store) */
	struct lt_error start_error;   /* why the last Start tap failed; code LT_OK: it did not */
	int64_t start_error_at;

	/* microphones to choose from: 0 is the configured one, then ALSA's capture devices */
	int n_inputs;
	char input_dev[VIEW_MAX_INPUTS][64];
	char input_name[VIEW_MAX_INPUTS][64];
	int input_sel;

	/* the settings screen's camera preview */
	struct camera *cam;
	double cam_tried, cam_grabbed;   /* clock() of the last open attempt / picture */
	char cam_name[96];
	unsigned cam_frame;
	uint8_t cam_rgb[VIEW_CAMERA_W * VIEW_CAMERA_H * 3];

	/* meter; on the settings screen without a recording, the monitor's */
	struct audio_source *mon_src;
	struct monitor *mon;
	float peak_hold;
	double peak_hold_at;

	/* screen power */
	struct backlight bl;
	int brightness;
	bool dimmed;
	double last_activity;
	double wake_grace_until;
	int shift;
	int64_t shift_at;

	/* tap to record */
	double tap_at;
	double latency_ms;

	/* connection test (a thread, so the screen never freezes) */
	pthread_t test_thread;
	bool test_started;
	atomic_bool test_running;
	pthread_mutex_t test_lock;
	char test_result[160];
	/* The test's own copy, taken as it starts: a reload (SIGHUP) rewrites *cfg in place
	 * while the test may still be reading it. */
	struct config test_cfg;
};

/* --- helpers ------------------------------------------------------------------------------ */

/* Copy, cutting what does not fit (at a UTF-8 character boundary). */
static void copy(char *dst, size_t n, const char *src)
{
	size_t len = src ? strnlen(src, n - 1) : 0;
	if (src && src[len])
		while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;
	memcpy(dst, src ? src : "", len);
	dst[len] = '\0';
}

static int64_t local_midnight(int64_t now)
{
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static void session_from(struct view_session *s, const struct occurrence *o)
{
	copy(s->title, sizeof s->title, o->title);
	copy(s->presenter, sizeof s->presenter, o->presenter);
	s->start = o->start;
	s->end = o->end;
}

static void add_message(struct view *v, enum view_severity sev, const char *text,
			const char *advice)
{
	if (v->n_messages >= VIEW_MAX_MESSAGES)
		return;
	struct view_message *m = &v->messages[v->n_messages++];
	m->severity = sev;
	copy(m->text, sizeof m->text, text);
	copy(m->advice, sizeof m->advice, advice);
}

/* Whether any interface other than loopback is up with an address; its first address. */
static bool network_up(char *addr, size_t n)
{
	struct ifaddrs *list, *i;
	bool up = false;
	if (addr)
		addr[0] = '\0';
	if (getifaddrs(&list) != 0)
		return false;
	for (i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP) ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (!up && addr)
			getnameinfo(i->ifa_addr,
				    i->ifa_addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
								      : sizeof(struct sockaddr_in6),
				    addr, (socklen_t)n, NULL, 0, NI_NUMERICHOST);
		up = true;
	}
	freeifaddrs(list);
	return up;
}

static const char *server_url(const struct config *cfg)
{
	if (strcmp(cfg->upload_target, "webdav") == 0)
		return cfg->upload_url;
	if (strcmp(cfg->upload_target, "opencast") == 0 ||
	    strcmp(cfg->schedule_source, "opencast") == 0)
		return cfg->opencast_url;
	if (strcmp(cfg->schedule_source, "ics") == 0 && strstr(cfg->schedule_ics, "://"))
		return cfg->schedule_ics;
	return "";
}

/* --- building the view -------------------------------------------------------------------- */

struct queue_scan {
	struct view *v;
	int64_t now;
	bool server_trouble;
	char trouble[160];
	int n;                              /* recordings seen (ring of the last ones) */
	struct view_upload last[VIEW_MAX_UPLOADS];
};

static int scan_recording(const struct recording *r, void *user)
{
	struct queue_scan *q = user;
	if (r->state == REC_RECORDING || r->state == REC_PAUSED || r->state == REC_FINALIZING)
		return 0;
	if (r->state == REC_QUEUED || r->state == REC_UPLOADING) {
		q->v->queue_waiting++;
		if (r->state == REC_QUEUED && r->attempts > 0 && r->last_error[0]) {
			q->server_trouble = true;
			copy(q->trouble, sizeof q->trouble, r->last_error);
		}
	}
	if (r->state == REC_UPLOADING && r->bytes > 0)
		q->v->queue_percent = (int)(100 * r->sent_bytes / r->bytes);
	struct view_upload *u = &q->last[q->n++ % VIEW_MAX_UPLOADS];
	memset(u, 0, sizeof *u);
	u->id = r->id;
	copy(u->title, sizeof u->title, r->title[0] ? r->title : "Untitled recording");
	copy(u->state, sizeof u->state, rec_state_name(r->state));
	u->bytes = r->bytes;
	u->sent = r->state == REC_UPLOADED ? r->bytes : r->sent_bytes;
	u->rate_bps = r->state == REC_UPLOADING ? (double)r->rate_bps : 0;
	u->eta_s = u->rate_bps > 0 ? (int)((double)(u->bytes - u->sent) / u->rate_bps) : -1;
	u->attempts = r->attempts;
	copy(u->last_error, sizeof u->last_error, r->state == REC_UPLOADED ? "" : r->last_error);
	u->next_attempt = r->state == REC_QUEUED && r->next_attempt_ms / 1000 > q->now
				  ? r->next_attempt_ms / 1000
				  : 0;
	return 0;
}

static void build_queue(struct kiosk *k, struct view *v)
{
	struct queue_scan q = {.v = v, .now = k->now};
	v->queue_percent = -1;
	store_recordings_each(k->d.st, 0, scan_recording, &q);
	/* Newest first, the ones waiting before the delivered ones. */
	int count = q.n < VIEW_MAX_UPLOADS ? q.n : VIEW_MAX_UPLOADS;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < count; i++) {
			const struct view_upload *u = &q.last[(q.n - 1 - i) % VIEW_MAX_UPLOADS];
			bool done = strcmp(u->state, "uploaded") == 0;
			if (done == (pass == 1))
				v->uploads[v->n_uploads++] = *u;
		}
	copy(v->server, sizeof v->server, "");
	const char *url = server_url(k->cfg);
	if (url[0]) {
		fetch_url_host(url, v->server, sizeof v->server);
	} else if (strcmp(k->cfg->upload_target, "folder") == 0) {
		const char *slash = strrchr(k->cfg->upload_folder, '/');
		snprintf(v->server, sizeof v->server, "folder %.50s",
			 slash && slash[1] ? slash + 1 : k->cfg->upload_folder);
	}
	v->server_ok = !q.server_trouble;
	if (q.server_trouble) {
		/* The advice of the part the last failure names (network, server, storage). */
		enum lt_domain d = lt_error_domain_of(q.trouble);
		char advice[sizeof v->messages[0].advice];
		snprintf(advice, sizeof advice, "%s They are kept here and sent automatically.",
			 d ? lt_domain_advice(d) : "The server could not be reached or refused us.");
		add_message(v, SEV_WARN, "Recordings are waiting to upload", advice);
	}
}

static void build_schedule(struct kiosk *k, struct view *v)
{
	const struct config *cfg = k->cfg;
	int64_t now = k->now, midnight = local_midnight(now);
	/* Expanded once per calendar and day, not at every tick: a big calendar takes a while. */
	unsigned gen = schedule_generation(k->d.sched);
	if (!k->have_occ || gen != k->occ_generation || midnight != k->occ_midnight) {
		occurrence_list_free(&k->occ);
		k->have_occ = schedule_window(k->d.sched, midnight,
					      now + (int64_t)cfg->lookahead_days * 86400,
					      &k->occ) == LT_OK;
		k->occ_generation = gen;
		k->occ_midnight = midnight;
	}
	const struct occurrence_list l = k->occ;
	const struct occurrence *current = NULL, *next = NULL, *cadence = NULL;
	for (size_t i = 0; i < l.count; i++) {
		const struct occurrence *o = &l.items[i];
		if (o->start < midnight + 86400 && o->end > midnight &&
		    v->n_agenda < VIEW_MAX_AGENDA)
			session_from(&v->agenda[v->n_agenda++], o);
		if (o->all_day)
			continue;
		if (!current && o->start <= now && now < o->end)
			current = o;
		else if (!next && o->start > now)
			next = o;
		if (!cadence && o->start > now)
			for (size_t j = 0; j < l.count && !cadence; j++)
				if (j != i && strcmp(l.items[j].uid, o->uid) == 0)
					cadence = o;
	}
	const struct occurrence *card = current ? current : next;
	if (card) {
		v->has_card = true;
		session_from(&v->card, card);
	}
	if (current)
		v->room_state = ROOM_IN_SESSION;
	else if (next && next->start - now <= SOON_S) {
		v->room_state = ROOM_STARTS_SOON;
		v->starts_in_min = (int)((next->start - now + 59) / 60);
	}
	if (cadence) {
		v->has_cadence = true;
		copy(v->cadence_label, sizeof v->cadence_label, cfg->ui_cadence);
		session_from(&v->cadence, cadence);
	}
	/* The check-in list belongs to the session on now (or about to start). */
	const struct occurrence *who = current ? current : v->room_state == ROOM_STARTS_SOON ? next
											: NULL;
	char key[320] = "";
	if (who)
		snprintf(key, sizeof key, "%s@%lld", who->uid, (long long)who->start);
	if (strcmp(key, k->people_key) != 0) {
		copy(k->people_key, sizeof k->people_key, key);
		k->n_people = 0;
		/* "Name <mail>" lines: the screen shows the name (or the address without one). */
		const char *p = who ? who->invitees : NULL;
		while (p && *p && k->n_people < VIEW_MAX_INVITEES) {
			size_t len = strcspn(p, "\n"), skip = strspn(p, " <");
			const char *mail = memmem(p, len, "<", 1);
			int shown = mail && skip == 0 ? (int)(mail - p)
						      : (int)strcspn(p + skip, ">\n");
			while (skip == 0 && shown > 0 && p[shown - 1] == ' ')
				shown--;
			snprintf(k->people[k->n_people].name, sizeof k->people[0].name, "%.*s",
				 shown, p + skip);
			k->people[k->n_people++].in = false;
			p += len + (p[len] == '\n');
		}
	}
}

void kiosk_release_mic(struct kiosk *k)
{
	if (!k || !k->mon_src)
		return;
	monitor_stop(k->mon);
	audio_source_close(k->mon_src);
	k->mon = NULL;
	k->mon_src = NULL;
}

/* The settings screen meters the microphone while nothing records. */
static void monitor_as_needed(struct kiosk *k, bool recording)
{
	bool want = k->screen == VIEW_SETTINGS && !recording && k->d.open_audio;
	if (!want) {
		kiosk_release_mic(k);
	} else if (!k->mon_src && k->d.open_audio(k->d.audio_user, &k->mon_src) == LT_OK &&
		   monitor_start(k->mon_src, &k->mon) != LT_OK) {
		audio_source_close(k->mon_src);
		k->mon_src = NULL;
	}
}

/* The camera is open while the settings screen shows it; without a camera, [camera]
 * source = auto shows the twin's test pattern and says so (like the demo microphone). */
static void camera_as_needed(struct kiosk *k)
{
	if (k->screen != VIEW_SETTINGS) {
		camera_close(k->cam);
		k->cam = NULL;
		k->cam_tried = 0;
		return;
	}
	double t = k->clock();
	if (k->cam || (k->cam_tried && t - k->cam_tried < 5))
		return;
	k->cam_tried = t;
	char msg[160];
	bool twin = false;
	lt_err err = camera_open_config(k->cfg, &k->cam, &twin, msg, sizeof msg);
	if (err == LT_ERR_NO_DEVICE && strcmp(k->cfg->camera_source, "auto") == 0) {
		struct camera_params p = {.width = k->cfg->camera_width,
					  .height = k->cfg->camera_height};
		err = camera_open(&camera_file_ops, &p, &k->cam, msg, sizeof msg);
		twin = true;
	}
	if (err != LT_OK) {
		k->cam = NULL;
		struct lt_error e; /* the preview's label says it is the camera, not the microphone */
		lt_error_set(&e, err, LT_DOMAIN_CAMERA, "%s", msg);
		copy(k->cam_name, sizeof k->cam_name, e.text);
		return;
	}
	snprintf(k->cam_name, sizeof k->cam_name, "%.80s%s", k->cam->description,
		 twin && !strstr(k->cam->description, "no camera") ? " (no camera)" : "");
}

/* A new preview picture, at most ~10 a second; true if there is one. */
static bool camera_picture(struct kiosk *k)
{
	double t = k->clock();
	struct camera_frame f;
	if (!k->cam || t - k->cam_grabbed < 0.1 || camera_grab(k->cam, &f, 0) != LT_OK)
		return false;
	k->cam_grabbed = t;
	camera_scale_rgb(&f, k->cam_rgb, VIEW_CAMERA_W, VIEW_CAMERA_H);
	k->cam_frame++;
	return true;
}

static void show_camera(struct kiosk *k, struct view *v)
{
	v->camera_present = k->cam != NULL;
	copy(v->camera_name, sizeof v->camera_name, k->cam_name);
	if (!k->cam || !k->cam_frame)
		return;
	v->camera_w = VIEW_CAMERA_W;
	v->camera_h = VIEW_CAMERA_H;
	v->camera_frame = k->cam_frame;
	memcpy(v->camera_rgb, k->cam_rgb, sizeof v->camera_rgb);
}

static void hold_peak(struct kiosk *k, struct view *v)
{
	double t = k->clock();
	if (v->peak_db >= k->peak_hold || t - k->peak_hold_at > 1.5) {
		k->peak_hold = v->peak_db;
		k->peak_hold_at = t;
	}
	v->peak_hold_db = k->peak_hold;
}

static float clamp_db(float db)
{
	return db < -90 ? -90 : db > 0 ? 0 : db;
}

static void build_recording(struct kiosk *k, struct view *v)
{
	struct controller_status cs;
	controller_status(k->d.ctl, &cs);
	v->recording = cs.recording;
	monitor_as_needed(k, cs.recording);
	if (!cs.recording) {
		v->rms_db = v->peak_db = -90;
		if (k->mon) {
			monitor_read(k->mon, &v->rms_db, &v->peak_db);
			v->rms_db = clamp_db(v->rms_db);
			v->peak_db = clamp_db(v->peak_db);
		}
		hold_peak(k, v);
		return;
	}
	v->room_state = ROOM_RECORDING;
	v->paused = cs.rec.paused;
	copy(v->rec_title, sizeof v->rec_title, cs.title[0] ? cs.title : "Untitled recording");
	v->elapsed_s = (double)(int64_t)cs.rec.seconds;
	v->rms_db = clamp_db(cs.rec.rms_db);
	v->peak_db = clamp_db(cs.rec.peak_db);
	hold_peak(k, v);
	v->low_audio = cs.rec.low_audio;
	v->scheduled_end = cs.end;
	if (k->tap_at > 0 && cs.rec.first_sample_s > 0) {
		k->latency_ms = (cs.rec.first_sample_s - k->tap_at) * 1000.0;
		log_info("tap-to-record: %.1f ms from the tap to the first captured sample",
			 k->latency_ms);
		k->tap_at = 0;
	}
	if (k->tagged_recording != cs.recording_id) {
		k->tagged_recording = cs.recording_id;
		memset(k->tag_on, 0, sizeof k->tag_on);
	}
}

static void build(struct kiosk *k)
{
	const struct config *cfg = k->cfg;
	struct view *v = &k->v;
	bool was_recording = v->recording;
	memset(v, 0, sizeof *v);
	build_recording(k, v);
	if (was_recording && !v->recording && k->screen == VIEW_RECORDING)
		k->screen = VIEW_HOME; /* it ended (on schedule, or by itself) */
	v->screen = k->screen;
	/* Seconds only where the screen shows them: every other second would be a redraw. */
	bool seconds = k->screen == VIEW_RECORDING || k->screen == VIEW_PIN;
	v->now = seconds ? k->now : k->now - k->now % 60;
	copy(v->room, sizeof v->room, cfg->room);
	copy(v->version, sizeof v->version, LECTERN_VERSION);

	build_schedule(k, v);
	if (v->recording)
		v->room_state = ROOM_RECORDING;
	v->calendar_stale = schedule_stale(k->d.sched, &v->stale_since);
	if (v->calendar_stale)
		v->stale_since -= v->stale_since % 60;
	v->network_ok = network_up(NULL, 0);
	if (!k->d.mic_present && k->d.mic_error && k->d.mic_error->code != LT_ERR_NO_DEVICE)
		add_message(v, SEV_ERROR, k->d.mic_error->text,
			    lt_domain_advice(k->d.mic_error->domain));
	else if (!k->d.mic_present)
		add_message(v, SEV_ERROR, "No microphone",
			    "Plug the USB microphone in; recordings cannot start without one.");
	if (k->d.store_set_aside)
		add_message(v, SEV_WARN, "Database was damaged and replaced",
			    "Recording works; recordings were rebuilt from the spool. IT: the damaged "
			    "copy is kept beside it as lectern.db.damaged-*.");
	if (k->start_error.code != LT_OK && k->now - k->start_error_at < 120) {
		char text[32 + sizeof k->start_error.text]; /* add_message cuts it to fit */
		snprintf(text, sizeof text, "Could not start recording. %s", k->start_error.text);
		add_message(v, SEV_ERROR, text, lt_domain_advice(k->start_error.domain));
	}
	uint64_t free_bytes = 0;
	if (os_free_bytes(cfg->spool_dir, &free_bytes) == LT_OK) {
		v->disk_free_mb = (int64_t)(free_bytes >> 20);
		if (v->disk_free_mb < 2LL * cfg->min_free_mb)
			add_message(v, SEV_WARN, "Disk almost full",
				    "New recordings may stop early. Delivered recordings are removed "
				    "first; ask IT if this stays.");
	}
	if (!v->network_ok && server_url(cfg)[0])
		add_message(v, SEV_WARN, "No network",
			    "Check the network cable or Wi-Fi. Recording still works; uploads wait.");
	build_queue(k, v);
	if (v->calendar_stale) {
		char since[16];
		time_t t = (time_t)v->stale_since;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(since, sizeof since, "%H:%M", &tm);
		char text[128];
		snprintf(text, sizeof text, "Calendar not updated since %s", since);
		add_message(v, SEV_WARN, text,
			    "Showing the last schedule received; scheduled recordings still start. "
			    "IT: check the calendar server.");
	}
	v->mic_present = k->d.mic_present;
	copy(v->mic_name, sizeof v->mic_name,
	     !k->d.mic_present ? "no microphone"
	     : k->d.mic_twin   ? "demo file (no microphone found)"
			       : k->d.mic_name);

	v->n_tags = k->n_tags;
	memcpy(v->tags, k->tags, sizeof v->tags);
	memcpy(v->tag_on, k->tag_on, sizeof v->tag_on);
	copy(v->free_tag, sizeof v->free_tag, k->free_tag);
	copy(v->search, sizeof v->search, k->search);
	v->keyboard = k->keyboard;
	for (int i = 0; i < k->n_people; i++) {
		if (k->people[i].in)
			v->checked_in++;
		if (v->n_invitees < VIEW_MAX_INVITEES &&
		    (!k->search[0] || strcasestr(k->people[i].name, k->search))) {
			copy(v->invitees[v->n_invitees].name, sizeof v->invitees[0].name,
			     k->people[i].name);
			v->invitees[v->n_invitees++].checked_in = k->people[i].in;
		}
	}
	v->pin_len = (int)strlen(k->pin);
	v->pin_tries_left = PIN_TRIES - k->pin_failures % PIN_TRIES;
	v->pin_locked_until = k->pin_locked_until > k->now ? k->pin_locked_until : 0;
	v->pin_unset = !k->cfg->ui_pin[0];

	v->n_inputs = k->n_inputs;
	memcpy(v->inputs, k->input_name, sizeof v->inputs);
	v->input_selected = k->input_sel;
	camera_as_needed(k);
	show_camera(k, v);
	v->brightness = k->brightness;
	pthread_mutex_lock(&k->test_lock);
	copy(v->connection_test, sizeof v->connection_test, k->test_result);
	pthread_mutex_unlock(&k->test_lock);
	char addr[64];
	network_up(addr, sizeof addr);
	snprintf(v->about, sizeof v->about, "room %.50s · agent %.50s · address %.46s · config %.40s",
		 cfg->room, cfg->opencast_agent[0] ? cfg->opencast_agent : cfg->room,
		 addr[0] ? addr : "none", cfg->source);
}

/* --- drawing ------------------------------------------------------------------------------ */

static const char *const screen_names[VIEW_SCREEN_COUNT] = {
	"home", "recording", "checkin", "uploads", "pin", "settings",
};

/* For automation and support: the widgets of the last frame, and the frame itself. */
static void export_frame(struct kiosk *k)
{
	const char *widgets = getenv("LECTERN_UI_WIDGETS"), *shots = getenv("LECTERN_UI_SHOTS");
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	if (widgets && widgets[0]) {
		snprintf(tmp, sizeof tmp, "%s.tmp", widgets);
		FILE *f = fopen(tmp, "w");
		if (f) {
			fprintf(f,
				"{\"screen\":\"%s\",\"recording\":%s,\"paused\":%s,"
				"\"queue_waiting\":%d,\"frames\":%lu}\n",
				screen_names[k->v.screen], k->v.recording ? "true" : "false",
				k->v.paused ? "true" : "false", k->v.queue_waiting, k->frames);
			screen_dump_widgets(k->d.screen, f);
			if (fclose(f) == 0)
				rename(tmp, widgets);
		}
	}
	if (shots && shots[0]) {
		snprintf(path, sizeof path, "%s/%s.png", shots, screen_names[k->v.screen]);
		screen_save_png(k->d.screen, path);
	}
}

static void draw_if_changed(struct kiosk *k)
{
	if (k->have_drawn && !screen_dirty(k->d.screen) &&
	    memcmp(&k->v, &k->drawn, sizeof k->v) == 0)
		return;
	screen_post(k->d.screen, &k->v);
	k->drawn = k->v;
	k->have_drawn = true;
	k->frames++;
	export_frame(k);
}

/* --- screen power ------------------------------------------------------------------------- */

static void power(struct kiosk *k)
{
	const struct config *cfg = k->cfg;
	double idle = k->clock() - k->last_activity;
	bool night = config_in_time_range(cfg->ui_night, k->now) == 1 && idle > 60;
	bool dim = !k->v.recording &&
		   ((cfg->ui_dim_after_min && idle >= cfg->ui_dim_after_min * 60.0) || night);
	if (dim != k->dimmed) {
		k->dimmed = dim;
		backlight_set(&k->bl, dim ? cfg->ui_dim_percent : k->brightness);
		log_debug("screen %s", dim ? "dimmed" : "woken");
	}
	if (cfg->ui_shift_min && k->now - k->shift_at >= cfg->ui_shift_min * 60LL) {
		static const int dx[] = {0, 3, 3, 0}, dy[] = {0, 0, 3, 3};
		k->shift = (k->shift + 1) % 4;
		k->shift_at = k->now;
		screen_set_shift(k->d.screen, dx[k->shift], dy[k->shift]);
		k->have_drawn = false;
	}
}

/* --- connection test ---------------------------------------------------------------------- */

static void test_result(struct kiosk *k, const char *text)
{
	pthread_mutex_lock(&k->test_lock);
	copy(k->test_result, sizeof k->test_result, text);
	pthread_mutex_unlock(&k->test_lock);
}

/* One GET of the server's address: any HTTP answer means it is reachable with these
 * credentials; a refusal or a network failure says why. */
static void probe(const struct net_server *srv, char *text, size_t n)
{
	struct fetch_request req = {.url = srv->url, .timeout_s = 10, .max_bytes = 1 << 20};
	net_prepare_request(srv, &req);
	struct fetch_result res = {0};
	char host[128];
	fetch_url_host(srv->url, host, sizeof host);
	lt_err err = fetch_get(&req, &res);
	if (err == LT_OK || err == LT_ERR_HTTP)
		snprintf(text, n, "%s answered (HTTP %ld): reachable", host, res.status);
	else
		copy(text, n, res.error[0] ? res.error : lt_strerror(err));
	fetch_result_free(&res);
}

static void *test_main(void *arg)
{
	struct kiosk *k = arg;
	const struct config *cfg = &k->test_cfg;
	char text[160];
	const char *url = server_url(cfg);
	if (strcmp(cfg->upload_target, "folder") == 0) {
		snprintf(text, sizeof text, "%.100s: %s", cfg->upload_folder,
			 os_check_writable_dir(cfg->upload_folder) == LT_OK
				 ? "reachable and writable"
				 : "not writable or not mounted");
	} else if (!url[0]) {
		snprintf(text, sizeof text, "No server configured: recordings stay on this device.");
	} else {
		/* The very server, credentials and CA the uploader (or the calendar) uses. */
		enum net_role role;
		struct net_server srv = {0};
		char why[160];
		lt_err rc = net_test_role(cfg, &role);
		if (rc == LT_OK)
			rc = net_resolve(cfg, role, &srv, why, sizeof why);
		if (rc == LT_OK)
			probe(&srv, text, sizeof text);
		else
			copy(text, sizeof text, why);
		net_server_clear(&srv);
	}
	test_result(k, text);
	atomic_store(&k->test_running, false);
	return NULL;
}

static void start_test(struct kiosk *k)
{
	if (atomic_load(&k->test_running))
		return;
	if (k->test_started)
		pthread_join(k->test_thread, NULL);
	k->test_started = false;
	test_result(k, "Testing the connection…");
	k->test_cfg = *k->cfg;
	atomic_store(&k->test_running, true);
	if (pthread_create(&k->test_thread, NULL, test_main, k) != 0) {
		atomic_store(&k->test_running, false);
		test_result(k, "Could not start the test (out of resources)");
		return;
	}
	k->test_started = true;
}

/* --- events ------------------------------------------------------------------------------- */

static void save_tags(struct kiosk *k)
{
	int64_t id;
	if (!controller_recording(k->d.ctl, &id))
		return;
	char list[256] = "";
	for (int i = 0; i < k->n_tags; i++) {
		if (!k->tag_on[i] || strlen(list) + strlen(k->tags[i]) + 2 > sizeof list)
			continue;
		if (list[0])
			strcat(list, ",");
		strcat(list, k->tags[i]);
	}
	if (store_recording_set_tags(k->d.st, id, list) != LT_OK)
		log_warn("recording %lld: could not save its tags", (long long)id);
}

static void add_tag(struct kiosk *k, const char *name, bool on)
{
	for (int i = 0; i < k->n_tags; i++)
		if (strcasecmp(k->tags[i], name) == 0) {
			k->tag_on[i] = k->tag_on[i] || on;
			return;
		}
	if (k->n_tags >= VIEW_MAX_TAGS || !name[0] || strchr(name, ','))
		return;
	copy(k->tags[k->n_tags], sizeof k->tags[0], name);
	k->tag_on[k->n_tags++] = on;
}

static void type_into(char *buf, size_t n, const char *text)
{
	if (strlen(buf) + strlen(text) < n)
		strcat(buf, text);
}

static void backspace(char *buf)
{
	size_t len = strlen(buf);
	while (len > 0 && ((unsigned char)buf[len - 1] & 0xC0) == 0x80)
		len--; /* continuation bytes of a UTF-8 character */
	if (len > 0)
		len--;
	buf[len] = '\0';
}

static void start_recording(struct kiosk *k, int64_t now)
{
	if (controller_recording(k->d.ctl, NULL)) {
		k->screen = VIEW_RECORDING;
		return;
	}
	double tap = os_mono_s();
	char title[256];
	if (k->v.room_state == ROOM_IN_SESSION && k->v.has_card)
		copy(title, sizeof title, k->v.card.title);
	else
		title[0] = '\0';
	lt_err err = controller_start_manual(k->d.ctl, now, title);
	if (err != LT_OK) {
		/* The start's parts (microphone, storage, configuration) have codes of their own. */
		lt_error_set(&k->start_error, err, lt_err_domain(err), NULL);
		k->start_error_at = now;
		log_warn("screen: could not start recording: %s", k->start_error.text);
		return;
	}
	k->start_error.code = LT_OK;
	k->tap_at = tap;
	k->screen = VIEW_RECORDING;
}

/* Compare in constant time over the whole buffer, so that neither how many digits were right
 * nor the PIN's length shows in the time taken (zero padding makes the lengths part of it). */
static bool pin_matches(const char *typed, const char *pin)
{
	char a[sizeof ((struct config *)0)->ui_pin] = {0}, b[sizeof a] = {0};
	memcpy(a, typed, strnlen(typed, sizeof a - 1));
	memcpy(b, pin, strnlen(pin, sizeof b - 1));
	return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

static void pin_save(struct kiosk *k)
{
	if (!k->d.st)
		return;
	char text[48];
	snprintf(text, sizeof text, "%d %" PRId64, k->pin_failures, k->pin_locked_until);
	if (store_kv_set(k->d.st, KV_PIN_LOCKOUT, text) != LT_OK)
		log_warn("screen: the PIN lock-out could not be stored; a restart would reset it");
}

static void pin_load(struct kiosk *k, int64_t now)
{
	char text[48];
	int failures = 0;
	int64_t until = 0;
	if (k->d.st && store_kv_get(k->d.st, KV_PIN_LOCKOUT, text, sizeof text) == LT_OK &&
	    sscanf(text, "%d %" SCNd64, &failures, &until) == 2 && failures >= 0) {
		k->pin_failures = failures;
		k->pin_locked_until = until;
	}
	/* A clock that was set back (no RTC before NTP) must not lock the keypad for longer than
	 * the longest lock-out. */
	if (k->pin_locked_until > now + pin_lock_s[PIN_ROUNDS - 1])
		k->pin_locked_until = now + pin_lock_s[PIN_ROUNDS - 1];
	if (k->pin_locked_until > now)
		log_warn("screen: settings PIN locked for %" PRId64 " more seconds after %d wrong "
			 "PINs", k->pin_locked_until - now, k->pin_failures);
}

static void pin_digit(struct kiosk *k, int digit, int64_t now)
{
	/* An empty [ui] pin locks settings: a box in a public room never opens them unasked. */
	if (!k->cfg->ui_pin[0] || k->pin_locked_until > now || digit < 0 || digit > 9)
		return;
	size_t len = strlen(k->pin);
	if (len + 1 >= sizeof k->pin)
		return;
	k->pin[len] = (char)('0' + digit);
	k->pin[len + 1] = '\0';
	if (strlen(k->pin) < strlen(k->cfg->ui_pin))
		return;
	if (pin_matches(k->pin, k->cfg->ui_pin)) {
		k->screen = VIEW_SETTINGS;
		if (k->pin_failures) {
			k->pin_failures = 0;
			k->pin_locked_until = 0;
			pin_save(k);
		}
		log_info("screen: settings opened");
	} else {
		k->pin_failures++;
		if (k->pin_failures % PIN_TRIES == 0) {
			int round = k->pin_failures / PIN_TRIES - 1;
			int64_t lock = pin_lock_s[round < PIN_ROUNDS ? round : PIN_ROUNDS - 1];
			k->pin_locked_until = now + lock;
			log_warn("screen: %d wrong PINs in a row; settings locked for %" PRId64
				 " minutes", k->pin_failures, lock / 60);
		}
		pin_save(k);
	}
	k->pin[0] = '\0';
}

void kiosk_handle(struct kiosk *k, const struct view_event *ev, int64_t now)
{
	k->now = now;
	if (ev->type == EV_ACTIVITY) {
		k->last_activity = k->clock();
		if (k->dimmed) {
			k->wake_grace_until = k->last_activity + WAKE_GRACE_S;
			power(k);
		}
		return;
	}
	if (k->clock() < k->wake_grace_until)
		return; /* the touch that woke the screen does nothing else */
	switch (ev->type) {
	case EV_SHOW:
		if (ev->arg < 0 || ev->arg >= VIEW_SCREEN_COUNT)
			break;
		/* Settings open only through the PIN, whatever asks to show them. */
		if (ev->arg == VIEW_SETTINGS && k->screen != VIEW_SETTINGS)
			k->screen = VIEW_PIN;
		else
			k->screen = (enum view_screen)ev->arg;
		k->keyboard = false;
		k->pin[0] = '\0';
		if (k->screen == VIEW_RECORDING && !controller_recording(k->d.ctl, NULL))
			k->screen = VIEW_HOME;
		break;
	case EV_START_RECORDING: start_recording(k, now); break;
	case EV_STOP_RECORDING:
		if (controller_stop(k->d.ctl, "stopped on the screen") != LT_ERR_STATE)
			log_info("screen: recording stopped by a presenter");
		k->screen = VIEW_HOME;
		break;
	case EV_PAUSE: controller_pause(k->d.ctl); break;
	case EV_RESUME: controller_resume(k->d.ctl); break;
	case EV_TAG_TOGGLE:
		if (ev->arg >= 0 && ev->arg < k->n_tags) {
			k->tag_on[ev->arg] = !k->tag_on[ev->arg];
			save_tags(k);
		}
		break;
	case EV_KEY:
		type_into(k->screen == VIEW_CHECKIN ? k->search : k->free_tag,
			  k->screen == VIEW_CHECKIN ? sizeof k->search : sizeof k->free_tag, ev->text);
		break;
	case EV_BACKSPACE: backspace(k->screen == VIEW_CHECKIN ? k->search : k->free_tag); break;
	case EV_KEYBOARD:
		k->keyboard = ev->arg != 0;
		if (!k->keyboard && k->screen == VIEW_RECORDING && k->free_tag[0]) {
			add_tag(k, k->free_tag, true);
			k->free_tag[0] = '\0';
			save_tags(k);
		}
		break;
	case EV_CHECKIN_TOGGLE: {
		/* The index is into the filtered list the screen showed. */
		if (ev->arg < 0 || ev->arg >= k->v.n_invitees)
			break;
		const char *name = k->v.invitees[ev->arg].name;
		for (int i = 0; i < k->n_people; i++)
			if (strcmp(k->people[i].name, name) == 0) {
				k->people[i].in = !k->people[i].in;
				break;
			}
		break;
	}
	case EV_WALK_IN:
		if (k->search[0] && k->n_people < VIEW_MAX_INVITEES) {
			copy(k->people[k->n_people].name, sizeof k->people[0].name, k->search);
			k->people[k->n_people++].in = true;
			k->search[0] = '\0';
		}
		break;
	case EV_RETRY: {
		lt_err err = store_upload_retry(k->d.st, ev->arg);
		if (err != LT_OK)
			log_warn("screen: retry of recording %lld: %s", (long long)ev->arg,
				 lt_strerror(err));
		break;
	}
	case EV_PIN_DIGIT: pin_digit(k, (int)ev->arg, now); break;
	case EV_PIN_CLEAR: k->pin[0] = '\0'; break;
	case EV_INPUT_SELECT:
		if (ev->arg >= 0 && ev->arg < k->n_inputs && ev->arg != k->input_sel) {
			k->input_sel = (int)ev->arg;
			kiosk_release_mic(k); /* the meter listens to the new one */
			log_info("screen: recordings now use %s", k->input_sel ? k->input_dev[k->input_sel]
								  : "the configured microphone");
		}
		break;
	case EV_BRIGHTNESS:
		k->brightness = ev->arg < 10 ? 10 : ev->arg > 100 ? 100 : (int)ev->arg;
		backlight_set(&k->bl, k->brightness);
		break;
	case EV_TEST_CONNECTION: start_test(k); break;
	case EV_QUIT: k->quit = true; break;
	case EV_NONE:
	case EV_ACTIVITY: break;
	}
	build(k);
}

/* --- life cycle --------------------------------------------------------------------------- */

lt_err kiosk_create(const struct kiosk_deps *d, struct kiosk **out)
{
	struct kiosk *k = calloc(1, sizeof *k);
	if (!k)
		return LT_ERR_NOMEM;
	k->d = *d;
	k->cfg = d->cfg;
	k->clock = d->clock ? d->clock : os_mono_s;
	k->latency_ms = -1;
	k->brightness = d->cfg->ui_brightness;
	k->last_activity = k->clock();
	k->peak_hold = -90;
	pthread_mutex_init(&k->test_lock, NULL);
	for (const char *p = d->cfg->ui_tags; *p;) {
		size_t len = strcspn(p, ",");
		char tag[32];
		snprintf(tag, sizeof tag, "%.*s", (int)len, p);
		add_tag(k, tag, false);
		p += len + (p[len] == ',');
	}
	/* The configured microphone first; other ALSA capture devices to switch to. */
	char names[VIEW_MAX_INPUTS][64], descs[VIEW_MAX_INPUTS][64];
	int found = strcmp(d->cfg->audio_source, "file") == 0
			    ? 0
			    : audio_alsa_list_capture(names, descs, VIEW_MAX_INPUTS);
	snprintf(k->input_name[0], sizeof k->input_name[0], "%.50s (configured)",
		 d->mic_present ? (d->mic_twin ? "demo file" : d->mic_name) : "no microphone");
	k->n_inputs = 1;
	for (int i = 0; i < found && k->n_inputs < VIEW_MAX_INPUTS; i++) {
		if (strcmp(names[i], d->cfg->audio_device) == 0)
			continue;
		copy(k->input_dev[k->n_inputs], sizeof k->input_dev[0], names[i]);
		snprintf(k->input_name[k->n_inputs++], sizeof k->input_name[0], "%.38s%s%.20s",
			 descs[i][0] ? descs[i] : names[i], descs[i][0] ? " · " : "", names[i]);
	}
	char why[PATH_MAX + 64];
	backlight_open(d->cfg->ui_backlight, &k->bl, why, sizeof why);
	log_info("screen: %s", why);
	backlight_set(&k->bl, k->brightness);
	k->now = (int64_t)time(NULL);
	k->shift_at = k->now;
	pin_load(k, k->now);
	if (!d->cfg->ui_pin[0])
		log_warn("screen: [ui] pin is empty: the settings screen stays locked");
	build(k);
	*out = k;
	return LT_OK;
}

void kiosk_destroy(struct kiosk *k)
{
	if (!k)
		return;
	kiosk_release_mic(k);
	camera_close(k->cam);
	occurrence_list_free(&k->occ);
	if (k->test_started)
		pthread_join(k->test_thread, NULL);
	pthread_mutex_destroy(&k->test_lock);
	free(k);
}

void kiosk_tick(struct kiosk *k, int64_t now)
{
	k->now = now;
	build(k);
	power(k);
	draw_if_changed(k);
}

void kiosk_wait(struct kiosk *k, int timeout_ms)
{
	double until = os_mono_s() + timeout_ms / 1000.0;
	for (;;) {
		double left = until - os_mono_s();
		if (left <= 0 || k->quit)
			return;
		bool meter = (k->v.recording &&
			      (k->screen == VIEW_RECORDING || k->screen == VIEW_SETTINGS)) ||
			     k->mon || k->cam;
		int wait = (int)(left * 1000) + 1;
		if (meter && wait > METER_MS)
			wait = METER_MS;
		struct view_event ev;
		if (screen_next_event(k->d.screen, wait, &ev) == 1) {
			kiosk_handle(k, &ev, (int64_t)time(NULL));
		} else if (meter || k->tap_at > 0) {
			/* the meter (and the tap-to-record clock) between the 1 Hz ticks */
			struct view *v = &k->v;
			struct view fresh = *v;
			build_recording(k, &fresh);
			v->rms_db = fresh.rms_db;
			v->peak_db = fresh.peak_db;
			v->peak_hold_db = fresh.peak_hold_db;
			v->low_audio = fresh.low_audio;
			v->paused = fresh.paused;
			if (camera_picture(k))
				show_camera(k, v);
		}
		draw_if_changed(k);
		if (signal_stop)
			return;
	}
}

const struct view *kiosk_view(const struct kiosk *k)
{
	return &k->v;
}

bool kiosk_quit(const struct kiosk *k)
{
	return k->quit;
}

const char *kiosk_audio_device(const struct kiosk *k)
{
	return k && k->input_sel > 0 ? k->input_dev[k->input_sel] : NULL;
}

int kiosk_backlight(const struct kiosk *k)
{
	return k->bl.percent;
}

double kiosk_tap_latency_ms(const struct kiosk *k)
{
	return k->latency_ms;
}
