/*
 * cmd_doctor.c — `lectern doctor [--json]`: checks what a room's box needs before a session
 * depends on it, each pass, warn or fail with one line that says what to do. Exit 0 when
 * nothing failed, 1 otherwise.
 *
 * The figures it judges (queue, disk, calendar stamp, the running service) come from the
 * health snapshot (health.h) that `lectern status` and the Prometheus file show, so that the
 * three never disagree. What only the doctor does: it opens the microphone and listens for up
 * to 2 s, grabs a camera frame, fetches the calendar and asks the upload server once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lectern/app.h"
#include "lectern/audio_source.h"
#include "lectern/cli.h"
#include "lectern/camera.h"
#include "lectern/commands.h"
#include "lectern/fetch.h"
#include "lectern/health.h"
#include "lectern/jsonout.h"
#include "lectern/level.h"
#include "lectern/net.h"
#include "lectern/osutil.h"
#include "lectern/schedule.h"
#include "lectern/screen.h"
#include "lectern/servercheck.h"
#include "lectern/sharedir.h"

enum verdict { PASS, WARN, FAIL };

static const char *const verdict_names[] = {"pass", "warn", "fail"};

struct check {
	const char *name;
	enum verdict verdict;
	char detail[512];
	char hint[256];
};

#define MAX_CHECKS 12
#define MIC_LISTEN_S 2.0
#define DISPLAY_CONNECT_MS 2000 /* a remote X server's TCP port */
#define DEFAULT_WEEK_SESSIONS 5    /* without a calendar: five one-hour sessions a week */
#define UNSYNC_MAXERROR_US 16000000L /* the kernel's own "unsynchronised" bound */
#define DOCTOR_NET_TIMEOUT_S 10    /* each request to the calendar or upload server */

struct doctor {
	struct check checks[MAX_CHECKS];
	int n;
};

static struct check *add(struct doctor *d, const char *name)
{
	struct check *c = &d->checks[d->n < MAX_CHECKS - 1 ? d->n++ : d->n];
	memset(c, 0, sizeof *c);
	c->name = name;
	return c;
}

static void say(struct check *c, enum verdict v, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void say(struct check *c, enum verdict v, const char *hint, const char *fmt, ...)
{
	c->verdict = v;
	snprintf(c->hint, sizeof c->hint, "%s", hint ? hint : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof c->detail, fmt, ap);
	va_end(ap);
}

/* --- configuration -------------------------------------------------------------------------- */

/* As app_load_config() finds the file, with the error kept for the table. */
static bool check_config(struct doctor *d, const char *path, struct config *cfg)
{
	struct check *c = add(d, "configuration");
	config_defaults(cfg);
	if (!path || !*path)
		path = getenv(CONFIG_ENV);
	if ((!path || !*path) && access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		path = CONFIG_DEFAULT_PATH;
	struct config_error err;
	lt_err rc = path && *path ? config_load(cfg, path, &err) : config_check(cfg, &err);
	if (rc != LT_OK) {
		char line[PATH_MAX + 512];
		config_error_format(&err, line, sizeof line);
		say(c, FAIL, "fix the line it names, then run: lectern config check", "%s",
		    line + strlen("lectern: "));
		return false;
	}
	if (path && *path)
		say(c, PASS, NULL, "%s is valid (room '%s')", path, cfg->room);
	else
		say(c, WARN, "provision the box: lectern provision --room NAME …",
		    "no %s: running on built-in defaults", CONFIG_DEFAULT_PATH);
	return true;
}

/* --- microphone ----------------------------------------------------------------------------- */

struct listen {
	struct audio_source *src;
	float threshold_db;
	float loudest_db;
	long frames;
	lt_err err;
};

static void on_window(float rms_db, double secs, void *user)
{
	(void)secs;
	struct listen *l = user;
	if (rms_db > l->loudest_db)
		l->loudest_db = rms_db;
}

/* Read up to MIC_LISTEN_S of audio, stopping once something was heard above the threshold. */
static void *listen_main(void *arg)
{
	struct listen *l = arg;
	struct audio_source *s = l->src;
	unsigned ch = s->fmt.channels ? s->fmt.channels : 1;
	size_t per = s->fmt.period_frames ? s->fmt.period_frames : 960;
	int16_t *buf = malloc(per * ch * sizeof *buf);
	int16_t *mono = malloc(per * sizeof *mono);
	struct level_meter m;
	level_init(&m, s->fmt.rate);
	l->loudest_db = LEVEL_FLOOR_DB;
	double end = os_mono_s() + MIC_LISTEN_S;
	while (buf && mono && os_mono_s() < end && l->frames < (long)(s->fmt.rate * MIC_LISTEN_S)) {
		long got = audio_source_read(s, buf, per);
		if (got <= 0) {
			l->err = got < 0 ? (lt_err)-got : LT_OK;
			break;
		}
		for (long i = 0; i < got; i++)
			mono[i] = buf[(size_t)i * ch]; /* the first channel is enough to hear a room */
		level_feed(&m, mono, (size_t)got, on_window, l);
		l->frames += got;
		if (l->loudest_db > l->threshold_db)
			break;
	}
	free(buf);
	free(mono);
	return NULL;
}

static void check_microphone(struct doctor *d, const struct config *cfg,
			     const struct health_snapshot *h)
{
	struct check *c = add(d, "microphone");
	if (h->state == HEALTH_RECORDING || h->state == HEALTH_PAUSED) {
		say(c, PASS, NULL, "in use by recording #%" PRId64 " (not opened by this check)",
		    h->recording_id);
		return;
	}
	/* The choice app_open_audio() makes, without its messages on stderr. */
	const struct audio_source_ops *ops = &audio_alsa_ops;
	struct audio_source_params p = {.device = cfg->audio_device, .rate = (unsigned)cfg->audio_rate,
					.channels = (unsigned)cfg->audio_channels,
					.period_ms = (unsigned)cfg->audio_period_ms};
	bool twin = false;
	if (strcmp(cfg->audio_source, "file") == 0) {
		twin = true;
	} else if (strcmp(cfg->audio_source, "auto") == 0 && !audio_alsa_has_capture(cfg->audio_device)) {
		if (!cfg->audio_file[0]) {
			say(c, FAIL, "plug in the microphone (arecord -l lists what ALSA sees), or "
				     "set [audio] device",
			    "no microphone: ALSA capture device '%s' cannot be opened",
			    cfg->audio_device);
			return;
		}
		twin = true;
	}
	if (twin) {
		ops = &audio_file_ops;
		p.device = cfg->audio_file;
	}
	struct listen l = {.threshold_db = (float)cfg->low_audio_dbfs};
	char msg[256] = "";
	lt_err err = audio_source_open(ops, &p, &l.src, msg, sizeof msg);
	if (err != LT_OK) {
		say(c, FAIL, "check the cable and [audio] device (arecord -L lists the names)",
		    "the microphone does not open: %s", msg[0] ? msg : lt_strerror(err));
		return;
	}
	/* A device that delivers nothing blocks in read: listen in a thread, wait a bounded time. */
	pthread_t t;
	bool joined = false;
	if (pthread_create(&t, NULL, listen_main, &l) == 0) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)MIC_LISTEN_S + 1;
		joined = pthread_timedjoin_np(t, NULL, &until) == 0;
	}
	if (!joined) {
		/* Left blocked in the driver; the process ends soon. */
		say(c, FAIL, "unplug and plug in the microphone; check arecord -l",
		    "%s opens but delivers no audio", l.src->description);
		return;
	}
	char desc[160];
	snprintf(desc, sizeof desc, "%s", l.src->description);
	audio_source_close(l.src);
	if (l.err != LT_OK && l.loudest_db <= l.threshold_db) {
		say(c, FAIL, "check the cable; arecord -l", "%s failed while capturing: %s", desc,
		    lt_strerror(l.err));
	} else if (l.loudest_db <= l.threshold_db) {
		say(c, FAIL, "unmute it (alsamixer), turn its gain up, or check the cable; speak "
			     "near it while the doctor listens",
		    "%s hears nothing above %d dBFS in %.0f s (loudest %.0f dBFS): muted or "
		    "unplugged?", desc, cfg->low_audio_dbfs, MIC_LISTEN_S, (double)l.loudest_db);
	} else if (twin && strcmp(cfg->audio_source, "file") != 0) {
		say(c, WARN, "plug in the microphone: recordings now hold the demo file",
		    "no microphone: the demo file %s stands in", cfg->audio_file);
	} else {
		say(c, twin ? WARN : PASS, twin ? "[audio] source = file is for demos and tests" : NULL,
		    "%s hears the room (%.0f dBFS, above %d)", desc, (double)l.loudest_db,
		    cfg->low_audio_dbfs);
	}
}

/* --- camera and display --------------------------------------------------------------------- */

static void check_camera(struct doctor *d, const struct config *cfg)
{
	struct check *c = add(d, "camera");
	if (strcmp(cfg->camera_source, "none") == 0) {
		say(c, PASS, NULL, "none configured");
		return;
	}
	if (strcmp(cfg->camera_source, "auto") == 0 && !camera_v4l2_present(cfg->camera_device)) {
		say(c, PASS, NULL, "none plugged in at %s (optional: QR badges need one)",
		    cfg->camera_device);
		return;
	}
	struct camera *cam = NULL;
	char msg[256] = "";
	lt_err err = camera_open_config(cfg, &cam, NULL, msg, sizeof msg);
	if (err != LT_OK) {
		say(c, FAIL, "check the USB cable and [camera] device (v4l2-ctl --list-devices)",
		    "%s", msg[0] ? msg : lt_strerror(err));
		return;
	}
	struct camera_frame f;
	err = camera_grab(cam, &f, 2000);
	if (err == LT_OK)
		say(c, PASS, NULL, "%s gives pictures (%dx%d)", cam->description, f.width, f.height);
	else
		say(c, FAIL, "unplug and plug in the camera", "%s gives no picture within 2 s: %s",
		    cam->description, cam->error[0] ? cam->error : lt_strerror(err));
	camera_close(cam);
}

static bool kms_card(char *path, size_t n)
{
	DIR *dir = opendir("/dev/dri");
	if (!dir)
		return false;
	struct dirent *e;
	bool found = false;
	while (!found && (e = readdir(dir)))
		if (strncmp(e->d_name, "card", 4) == 0) {
			snprintf(path, n, "/dev/dri/%.40s", e->d_name);
			found = true;
		}
	closedir(dir);
	return found;
}

/* Connect to a stream socket within DISPLAY_CONNECT_MS; true when it accepted. `abstract`:
 * Linux's abstract namespace (the name without its leading NUL). */
static bool try_unix(const char *path, bool abstract)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path), off = abstract ? 1 : 0;
	if (len + off >= sizeof sa.sun_path)
		return false;
	memcpy(sa.sun_path + off, path, len);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool ok = connect(fd, (struct sockaddr *)&sa,
			  (socklen_t)(offsetof(struct sockaddr_un, sun_path) + off + len)) == 0;
	close(fd);
	return ok;
}

static bool try_tcp(const char *host, int port)
{
	char service[16];
	snprintf(service, sizeof service, "%d", port);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	if (getaddrinfo(host, service, &hints, &res) != 0)
		return false;
	bool ok = false;
	for (struct addrinfo *a = res; a && !ok; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
				a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
			ok = true;
		} else if (errno == EINPROGRESS) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			int err = 0;
			socklen_t el = sizeof err;
			ok = poll(&pfd, 1, DISPLAY_CONNECT_MS) == 1 &&
			     getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0;
		}
		close(fd);
	}
	freeaddrinfo(res);
	return ok;
}

/*
 * Whether the X server DISPLAY names takes a connection (the X11 socket, not the X protocol:
 * lectern links no libX11, and a server that accepts is one SDL can talk to). DISPLAY is
 * [host]:N[.screen]: no host (or "unix") is the local socket /tmp/.X11-unix/XN (also in the
 * abstract namespace, where a container may see only that one); a host is TCP port 6000+N.
 * `where` receives what was tried.
 */
static bool x11_answers(const char *display, char *where, size_t n)
{
	const char *colon = strrchr(display, ':');
	char *end;
	long num = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || num < 0 || num > 65535 - 6000 || end == colon + 1 || (*end && *end != '.')) {
		snprintf(where, n, "DISPLAY=%s is not [host]:number", display);
		return false;
	}
	char host[256];
	snprintf(host, sizeof host, "%.*s", (int)(colon - display), display);
	if (host[0] == '/') { /* a socket path (XQuartz's launchd style) */
		snprintf(where, n, "socket %s", host);
		return try_unix(host, false);
	}
	if (!host[0] || strcmp(host, "unix") == 0) {
		char path[64];
		snprintf(path, sizeof path, "/tmp/.X11-unix/X%ld", num);
		snprintf(where, n, "socket %s", path);
		return try_unix(path, false) || try_unix(path, true);
	}
	snprintf(where, n, "%s port %ld", host, 6000 + num);
	return try_tcp(host, (int)(6000 + num));
}

/* Whether the Wayland compositor WAYLAND_DISPLAY names takes a connection. */
static bool wayland_answers(const char *name, char *where, size_t n)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	if (name[0] == '/')
		snprintf(where, n, "socket %s", name);
	else if (run && *run)
		snprintf(where, n, "socket %s/%s", run, name);
	else {
		snprintf(where, n, "XDG_RUNTIME_DIR is not set");
		return false;
	}
	return try_unix(where + strlen("socket "), false);
}

static void check_display(struct doctor *d)
{
	struct check *c = add(d, "display");
	const struct screen_ops *ops;
	char why[PATH_MAX + 256];
	if (screen_load(&ops, why, sizeof why) != LT_OK) {
		say(c, WARN, "install lectern-screen-sdl.so (make install) or set LECTERN_SCREEN",
		    "%s: lectern run will be headless", why);
		return;
	}
	char card[64], where[PATH_MAX + 32];
	const char *wl = getenv("WAYLAND_DISPLAY"), *x = getenv("DISPLAY");
	if (wl && *wl) {
		if (wayland_answers(wl, where, sizeof where))
			say(c, PASS, NULL, "the screen plugin loads; Wayland display %s answers", wl);
		else
			say(c, WARN, "start the compositor, or unset WAYLAND_DISPLAY for KMS",
			    "Wayland display %s does not answer (%s): lectern run will be headless", wl,
			    where);
	} else if (x && *x) {
		if (x11_answers(x, where, sizeof where))
			say(c, PASS, NULL, "the screen plugin loads; X11 display %s answers (%s)", x,
			    where);
		else
			say(c, WARN, "start the X server (or xhost/XAUTHORITY for this user), or "
				     "unset DISPLAY for KMS",
			    "X11 display %s does not answer (%s): lectern run will be headless", x,
			    where);
	} else if (kms_card(card, sizeof card)) {
		say(c, PASS, NULL, "the screen plugin loads; KMS/DRM on %s", card);
	} else {
		say(c, WARN, "connect the display (no /dev/dri/card*, no DISPLAY or WAYLAND_DISPLAY)",
		    "the screen plugin loads but there is no display: lectern run will be headless");
	}
}

/* --- disk ----------------------------------------------------------------------------------- */

/* Hours of recording in the coming week by the cached calendar; 0 when it names none. */
static double week_hours(const struct config *cfg, struct schedule *sched, int64_t now, int *sessions)
{
	*sessions = 0;
	struct occurrence_list l = {0};
	if (!sched || schedule_window(sched, now, now + 7 * 86400, &l) != LT_OK)
		return 0;
	double hours = 0;
	for (size_t i = 0; i < l.count; i++) {
		const struct occurrence *o = &l.items[i];
		int64_t len = o->end - o->start;
		if (o->all_day || len < cfg->min_event_s || len > cfg->max_event_hours * 3600)
			continue; /* not recorded by itself */
		hours += (double)(len + cfg->preroll_s + cfg->postroll_s) / 3600.0;
		(*sessions)++;
	}
	occurrence_list_free(&l);
	return hours;
}

static void check_disk(struct doctor *d, const struct config *cfg, const struct health_snapshot *h,
		       struct schedule *sched)
{
	struct check *c = add(d, "disk");
	if (!h->disk_known) {
		say(c, FAIL, "create it, or fix [device] spool_dir", "the spool %s cannot be read",
		    cfg->spool_dir);
		return;
	}
	int sessions;
	double hours = week_hours(cfg, sched, h->now_ms / 1000, &sessions);
	char basis[96];
	if (hours > 0) {
		snprintf(basis, sizeof basis, "%d session(s), %.1f h by the calendar", sessions, hours);
	} else {
		hours = DEFAULT_WEEK_SESSIONS;
		snprintf(basis, sizeof basis, "%d one-hour sessions", DEFAULT_WEEK_SESSIONS);
	}
	/* Ogg's pages add about 1-2% to the Opus bitrate: count 3%. */
	double week = hours * 3600.0 * cfg->bitrate_kbps * 1000.0 / 8.0 * 1.03;
	double floor_b = (double)cfg->min_free_mb * 1e6;
	double have = (double)h->disk_free_bytes;
	if (have < week + floor_b)
		say(c, FAIL, "free space on the spool's disk, check that uploads work (lectern queue), "
			     "or lower [recording] min_free_mb",
		    "%.0f MB free on %s; a week (%s at %d kb/s) needs %.0f MB above the %d MB floor",
		    have / 1e6, cfg->spool_dir, basis, cfg->bitrate_kbps, week / 1e6, cfg->min_free_mb);
	else
		say(c, PASS, NULL, "%.0f MB free on %s: room for %.1f week(s) (%s at %d kb/s)",
		    have / 1e6, cfg->spool_dir, (have - floor_b) / week, basis, cfg->bitrate_kbps);
}

/* --- clock ---------------------------------------------------------------------------------- */

static void check_clock(struct doctor *d)
{
	struct check *c = add(d, "clock");
	bool synced;
	char how[160];
	/* TEST HOOK: the kernel's NTP state cannot be set without privilege (and would change the
	 * machine's for everyone): tests name it here. Not read by anything else. */
	const char *fake = getenv("LECTERN_TEST_CLOCK_SYNC");
	if (fake && *fake) {
		synced = strcmp(fake, "sync") == 0;
		snprintf(how, sizeof how, "LECTERN_TEST_CLOCK_SYNC=%s", fake);
	} else {
		struct timex tx = {0};
		int state = adjtimex(&tx);
		synced = state >= 0 && state != TIME_ERROR && !(tx.status & STA_UNSYNC) &&
			 tx.maxerror < UNSYNC_MAXERROR_US;
		snprintf(how, sizeof how, "adjtimex: %s, estimated error %ld ms",
			 state == TIME_ERROR || (tx.status & STA_UNSYNC) ? "unsynchronised" : "synchronised",
			 tx.maxerror / 1000);
	}
	time_t now = time(NULL);
	if (now < 1704067200) /* 2024-01-01: a board without a clock battery before NTP */
		say(c, FAIL, "enable network time: timedatectl set-ntp true",
		    "the clock says %lld (before 2024): never set", (long long)now);
	else if (!synced)
		say(c, FAIL, "enable network time (timedatectl set-ntp true; timedatectl "
			     "timesync-status): scheduled recordings start by this clock",
		    "not synchronised (%s)", how);
	else
		say(c, PASS, NULL, "synchronised (%s)", how);
}

/* --- calendar and server -------------------------------------------------------------------- */

static void check_calendar(struct doctor *d, const struct health_snapshot *h,
			   struct schedule *sched)
{
	struct check *c = add(d, "calendar");
	if (!h->calendar_configured) {
		say(c, PASS, NULL, "none configured ([schedule] source = none): manual recordings only");
		return;
	}
	int64_t now = h->now_ms / 1000;
	int64_t ok = h->calendar_ok_ms / 1000;
	bool stale = h->calendar_stale; /* the flag status and the Prometheus file show */
	char age[32] = "never";
	if (ok)
		health_span(now > ok ? now - ok : 0, age, sizeof age);
	char why[320] = "";
	lt_err err = sched ? schedule_refresh(sched, now, true, why, sizeof why) : LT_ERR_STORE;
	if (err != LT_OK && stale)
		say(c, FAIL, "check [schedule] and the calendar server; recordings follow the cached "
			     "calendar meanwhile",
		    "stale: last good fetch %s%s (more than %d refresh intervals), and fetching now "
		    "fails: %s", age, ok ? " ago" : "", HEALTH_CALENDAR_STALE_REFRESHES,
		    why[0] ? why : lt_strerror(err));
	else if (err != LT_OK)
		say(c, WARN, "check the calendar server if this persists",
		    "fetching now fails (%s); the cache is %s old", why[0] ? why : lt_strerror(err), age);
	else if (stale)
		say(c, WARN, "is lectern run running? (systemctl status lectern)",
		    "fetched now, but the service's last good fetch was %s%s: it is not fetching", age,
		    ok ? " ago" : "");
	else
		say(c, PASS, NULL, "fetched now; the service's last good fetch was %s ago", age);
}

static void check_server(struct doctor *d, const struct config *cfg)
{
	struct check *c = add(d, "server");
	enum net_role role;
	if (strcmp(cfg->upload_target, "folder") == 0) {
		/* The uploader's own check, creating nothing (sharedir.h). */
		char why[sizeof c->detail];
		if (sharedir_check(cfg->upload_folder, why, sizeof why) == LT_OK)
			say(c, PASS, NULL, "upload folder %s is writable", cfg->upload_folder);
		else
			say(c, FAIL, "mount the share, or fix [upload] folder", "%s", why);
		return;
	}
	if (net_test_role(cfg, &role) != LT_OK) {
		say(c, PASS, NULL, "no server configured: recordings stay on this device");
		return;
	}
	bool opencast = false;
	net_role_url(cfg, role, &opencast);
	if (opencast) {
		/* A GET of Opencast's base URL redirects to its login page whatever the
		 * credentials: ask the registry as the agent will, as provision does. */
		struct servercheck sc;
		servercheck_opencast(cfg, role, DOCTOR_NET_TIMEOUT_S, &sc);
		char detail[sizeof c->detail] = "";
		const char *hint = NULL;
		for (int i = 0; i < sc.count; i++) {
			size_t used = strlen(detail);
			snprintf(detail + used, sizeof detail - used, "%s%s", used ? "; " : "",
				 sc.findings[i].detail);
			if (!hint && !sc.findings[i].ok)
				hint = sc.findings[i].hint;
		}
		say(c, sc.ok ? PASS : FAIL, hint, "%s", detail);
		return;
	}
	struct net_server srv = {0};
	char why[320];
	if (net_resolve(cfg, role, &srv, why, sizeof why) != LT_OK) {
		say(c, FAIL, "fix the section it names", "%s", why);
		return;
	}
	char host[160];
	fetch_url_host(srv.url, host, sizeof host);
	const char *what = role == NET_ROLE_UPLOAD ? "upload server" : "calendar server";
	struct net_conn *conn;
	if (net_conn_open(&srv, DOCTOR_NET_TIMEOUT_S, NULL, &conn) != LT_OK) {
		net_server_clear(&srv);
		say(c, FAIL, NULL, "out of memory");
		return;
	}
	struct net_request req = {.method = "GET", .url = srv.url};
	struct net_answer ans = {0};
	lt_err err = net_perform(conn, &req, &ans, why, sizeof why);
	bool with_user = srv.user[0] != '\0';
	net_conn_close(conn);
	net_server_clear(&srv);
	long st = ans.status;
	bool login = fetch_is_login_url(ans.location) || fetch_is_login_url(ans.effective_url);
	if (err != LT_OK)
		say(c, FAIL, "check the network, the URL and the server", "%s %s unreachable: %s", what,
		    host, why);
	else if (st == 401 || st == 407 || login)
		say(c, FAIL, "check [upload]/[schedule] user and the password file",
		    "%s %s refuses the credentials (HTTP %ld%s)", what, host, st,
		    login ? ", a login page" : "");
	else if (st == 403)
		say(c, WARN, "check the account's rights on the server",
		    "%s %s answers 403 Forbidden for %s: credentials %s, reading is not allowed", what,
		    host, with_user ? "this account" : "anonymous", with_user ? "taken" : "none");
	else if (st >= 500)
		say(c, FAIL, "the server is failing: ask its administrators",
		    "%s %s answers HTTP %ld", what, host, st);
	else
		say(c, PASS, NULL, "%s %s reachable, %s (HTTP %ld)", what, host,
		    with_user ? "credentials accepted" : "no credentials needed", st);
	net_answer_free(&ans);
}

/* --- store --------------------------------------------------------------------------------- */

/* Why app_open_store() failed, as far as can be told from outside (its own words are on
 * stderr): a full disk, a directory this user cannot write, or the database itself. */
static void check_store_failure(struct check *c, const struct config *cfg)
{
	uint64_t free_bytes = 0;
	if (os_free_bytes(cfg->data_dir, &free_bytes) == LT_OK && free_bytes < 1000000)
		say(c, FAIL, "free some space (lectern recordings lists what was delivered)",
		    "the disk holding %s is full (%" PRIu64 " bytes free): the store cannot be "
		    "opened", cfg->data_dir, free_bytes);
	else if (access(cfg->data_dir, W_OK | X_OK) != 0)
		say(c, FAIL, "run the doctor as the service's user or root, or fix the directory's "
			     "owner",
		    "%s cannot be written by this user (%s): the store cannot be opened",
		    cfg->data_dir, strerror(errno));
	else
		say(c, FAIL, "lectern run sets a damaged database aside and rebuilds it from the "
			     "spool",
		    "%s/lectern.db cannot be opened: damaged or unreadable (stderr says more)",
		    cfg->data_dir);
}

/* --- queue and service ---------------------------------------------------------------------- */

static void check_queue(struct doctor *d, const struct health_snapshot *h, bool store_read)
{
	struct check *c = add(d, "upload queue");
	if (!store_read) {
		/* No store, no figures: "nothing waiting" would be a guess. */
		say(c, FAIL, "see the store check", "unknown: the store cannot be read");
		return;
	}
	char age[32];
	health_span(health_queue_oldest_age_s(h), age, sizeof age);
	if (h->queue_waiting && health_queue_oldest_age_s(h) >= 86400)
		say(c, FAIL, "lectern queue shows each one's last error",
		    "%d recording(s) waiting, the oldest for %s", h->queue_waiting, age);
	else if (h->queue_failed)
		say(c, WARN, "lectern queue lists them; lectern retry ID sends one again",
		    "%d recording(s) gave up uploading; %d waiting", h->queue_failed, h->queue_waiting);
	else if (h->queue_waiting)
		say(c, PASS, NULL, "%d recording(s) waiting, the oldest for %s", h->queue_waiting, age);
	else
		say(c, PASS, NULL, "nothing waiting");
}

/* Whether NAME=... is in process `pid`'s environment (value into buf); -1 when unreadable. */
static int proc_env(long pid, const char *name, char *buf, size_t n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/environ", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t len = strlen(name);
	char entry[512];
	int found = 0, ch;
	size_t k = 0;
	while (!found && (ch = fgetc(f)) != EOF) {
		if (ch != '\0') {
			if (k + 1 < sizeof entry)
				entry[k++] = (char)ch;
			continue;
		}
		entry[k] = '\0';
		k = 0;
		if (strncmp(entry, name, len) == 0 && entry[len] == '=') {
			size_t vlen = strlen(entry + len + 1);
			if (vlen >= n)
				vlen = n - 1;
			memcpy(buf, entry + len + 1, vlen);
			buf[vlen] = '\0';
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* systemd's word on lectern.service ("active", "failed", "inactive" …) when systemd runs
 * this machine; false when it does not (a container, a desktop session without it). */
static bool unit_state(char *state, size_t n)
{
	if (access("/run/systemd/system", F_OK) != 0)
		return false;
	FILE *p = popen("systemctl is-active lectern.service 2>/dev/null", "r");
	if (!p)
		return false;
	if (!fgets(state, (int)n, p))
		state[0] = '\0';
	state[strcspn(state, "\n")] = '\0';
	pclose(p);
	return state[0] != '\0';
}

static void check_service(struct doctor *d, const struct health_snapshot *h)
{
	struct check *c = add(d, "service");
	char unit[32];
	if (unit_state(unit, sizeof unit) && strcmp(unit, "active") != 0 &&
	    strcmp(unit, "reloading") != 0) {
		say(c, FAIL, "systemctl start lectern; journalctl -u lectern says why it stopped",
		    "lectern.service is %s%s", unit,
		    h->service_pid ? " (a lectern outside the service holds the data directory)" : "");
		return;
	}
	if (!h->service_pid) {
		say(c, FAIL, "systemctl start lectern (journalctl -u lectern says why it stopped)",
		    "lectern run is not running");
		return;
	}
	if (!health_pid_is_run(h->service_pid)) {
		say(c, FAIL, "systemctl start lectern once it is done",
		    "pid %ld holds the data directory, but it is not lectern run", h->service_pid);
		return;
	}
	char up[32], usec[32];
	health_span(health_uptime_s(h), up, sizeof up);
	int wd = proc_env(h->service_pid, "WATCHDOG_USEC", usec, sizeof usec);
	if (wd < 0)
		say(c, WARN, "run lectern doctor as root (or the service's user) to see its watchdog",
		    "lectern run is running (pid %ld, up %s); its environment cannot be read",
		    h->service_pid, up);
	else if (wd == 0)
		say(c, WARN, "run it as the systemd service (systemctl enable --now lectern)",
		    "lectern run is running (pid %ld, up %s) but not under systemd: no watchdog "
		    "restarts it if it hangs", h->service_pid, up);
	else
		say(c, PASS, NULL, "lectern run is running (pid %ld, up %s), watchdog armed (%.1f s)",
		    h->service_pid, up, strtod(usec, NULL) / 1e6);
}

/* --- the report ----------------------------------------------------------------------------- */

static void report_text(const struct doctor *d)
{
	for (int i = 0; i < d->n; i++) {
		const struct check *c = &d->checks[i];
		printf("%-14s %-5s %s\n", c->name,
		       c->verdict == PASS ? "pass" : c->verdict == WARN ? "WARN" : "FAIL", c->detail);
		if (c->verdict != PASS && c->hint[0])
			printf("%-14s %-5s -> %s\n", "", "", c->hint);
	}
}

static void report_json(const struct doctor *d, bool ok)
{
	json_object *o = json_object_new_object();
	json_object *list = json_object_new_array();
	for (int i = 0; i < d->n; i++) {
		const struct check *c = &d->checks[i];
		json_object *e = json_object_new_object();
		jsonout_put_string(e, "name", c->name);
		jsonout_put_string(e, "status", verdict_names[c->verdict]);
		jsonout_put_string(e, "detail", c->detail);
		jsonout_put_string(e, "hint", c->hint);
		json_object_array_add(list, e);
	}
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	json_object_object_add(o, "checks", list);
	jsonout_print_line(stdout, o);
}

int cmd_doctor(int argc, char **argv, const char *config_path)
{
	bool json = false;
	int exit_code;
	if (!cli_flags(argc, argv, "doctor",
		       "Usage: lectern doctor [--json]\n"
		       "Checks the configuration, microphone (listens 2 s), camera, display, disk,\n"
		       "clock, calendar, server, upload queue and service. Exit 0 when nothing "
		       "fails.\n",
		       (const struct cli_flag[]){{"json", &json}, {NULL, NULL}}, &exit_code))
		return exit_code;
	struct doctor d = {0};
	struct config cfg;
	if (check_config(&d, config_path, &cfg)) {
		struct store *st = NULL;
		struct health_snapshot h = {0};
		if (app_open_store(&cfg, &st) == EXIT_OK) {
			health_collect(&cfg, st, os_now_ms(), false, false, &h);
		} else {
			check_store_failure(add(&d, "store"), &cfg);
			health_collect(&cfg, NULL, os_now_ms(), false, false, &h);
		}
		/* The calendar's fetch within the doctor's bound, not [schedule] timeout_s (up to
		 * 600 s): a hanging server must not hang the table. The schedule keeps `probe`. */
		struct config probe = cfg;
		if (probe.schedule_timeout_s > DOCTOR_NET_TIMEOUT_S)
			probe.schedule_timeout_s = DOCTOR_NET_TIMEOUT_S;
		struct schedule *sched = NULL;
		if (st && h.calendar_configured && schedule_open(&probe, st, &sched) != LT_OK)
			sched = NULL;
		check_microphone(&d, &cfg, &h);
		check_camera(&d, &cfg);
		check_display(&d);
		check_clock(&d);
		check_calendar(&d, &h, sched); /* refreshes the calendar the disk check uses */
		check_disk(&d, &cfg, &h, sched);
		check_server(&d, &cfg);
		check_queue(&d, &h, st != NULL);
		check_service(&d, &h);
		schedule_close(sched);
		store_close(st);
	}
	bool ok = true;
	for (int i = 0; i < d.n; i++)
		ok &= d.checks[i].verdict != FAIL;
	if (json)
		report_json(&d, ok);
	else
		report_text(&d);
	return ok ? EXIT_OK : EXIT_FAIL;
}
