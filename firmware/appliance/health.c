/*
 * health.c — the health snapshot and its JSON and Prometheus forms (see health.h).
 */
#include "lectern/health.h"

#include <alsa/asoundlib.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <opus.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lectern/audio_source.h"
#include "lectern/jsonout.h"
#include "lectern/osutil.h"

#ifndef LECTERN_VERSION
#define LECTERN_VERSION "dev"
#endif

const char *health_state_name(enum health_state s)
{
	switch (s) {
	case HEALTH_RECORDING: return "recording";
	case HEALTH_PAUSED: return "paused";
	case HEALTH_UPLOADING: return "uploading";
	case HEALTH_IDLE: break;
	}
	return "idle";
}

struct scan {
	struct health_snapshot *h;
	bool uploading;
};

static int scan_one(const struct recording *r, void *user)
{
	struct scan *sc = user;
	struct health_snapshot *h = sc->h;
	switch (r->state) {
	case REC_RECORDING:
	case REC_PAUSED:
		/* The newest open one (ids grow): a crash may leave an older one until recovery. */
		h->state = r->state == REC_PAUSED ? HEALTH_PAUSED : HEALTH_RECORDING;
		h->recording_id = r->id;
		h->recording_started_ms = r->started_ms;
		snprintf(h->recording_title, sizeof h->recording_title, "%s", r->title);
		break;
	case REC_UPLOADING:
	case REC_QUEUED: {
		/* An upload in flight still waits for its confirmation. */
		if (r->state == REC_UPLOADING)
			sc->uploading = true;
		h->queue_waiting++;
		int64_t since = r->ended_ms ? r->ended_ms : r->started_ms;
		if (since > 0 && (!h->queue_oldest_ms || since < h->queue_oldest_ms))
			h->queue_oldest_ms = since;
		break;
	}
	case REC_FAILED: h->queue_failed++; break;
	case REC_UPLOADED:
		if (r->uploaded_ms > h->last_upload_ms)
			h->last_upload_ms = r->uploaded_ms;
		break;
	default: break;
	}
	return 0;
}

long health_lock_holder(const char *lock_path)
{
	struct stat sb;
	if (stat(lock_path, &sb) != 0)
		return 0;
	FILE *f = fopen("/proc/locks", "r");
	if (!f)
		return 0;
	/* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; a waiter's line has "->". */
	char line[256];
	long holder = 0;
	while (!holder && fgets(line, sizeof line, f)) {
		char kind[16], mode[16], access[16];
		long pid;
		unsigned maj, min;
		unsigned long long ino;
		if (strstr(line, "->"))
			continue;
		if (sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%llu", kind, mode, access, &pid, &maj,
			   &min, &ino) != 7)
			continue;
		if (strcmp(kind, "FLOCK") == 0 && maj == major(sb.st_dev) &&
		    min == minor(sb.st_dev) && ino == (unsigned long long)sb.st_ino && pid > 0)
			holder = pid;
	}
	fclose(f);
	return holder;
}

bool health_pid_is_run(long pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		if (strcmp(buf + i, "run") == 0)
			return true;
	return false;
}

int64_t health_process_start_ms(long pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	/* The command name may hold spaces and parentheses: count fields after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	unsigned long long start_ticks = 0;
	int field = 2;
	for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
		if (++field == 22) {
			start_ticks = strtoull(tok, NULL, 10);
			break;
		}
	}
	f = fopen("/proc/stat", "r");
	if (!f)
		return 0;
	long long btime = 0;
	char line[256];
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "btime %lld", &btime) == 1)
			break;
	fclose(f);
	long hz = sysconf(_SC_CLK_TCK);
	if (!btime || hz <= 0 || !start_ticks)
		return 0;
	return btime * 1000 + (int64_t)(start_ticks * 1000 / (unsigned long long)hz);
}

static void add_version(struct health_snapshot *h, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_version(struct health_snapshot *h, const char *name, const char *fmt, ...)
{
	if (h->n_versions >= HEALTH_MAX_VERSIONS)
		return;
	struct health_version *v = &h->versions[h->n_versions++];
	v->name = name;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->version, sizeof v->version, fmt, ap);
	va_end(ap);
}

static bool microphone_there(const struct config *cfg)
{
	if (strcmp(cfg->audio_source, "file") == 0)
		return access(cfg->audio_file, R_OK) == 0;
	if (audio_alsa_has_capture(cfg->audio_device))
		return true;
	/* auto without a microphone plays the demo file: that is not a microphone. */
	return false;
}

lt_err health_collect(const struct config *cfg, struct store *st, int64_t now_ms,
		      bool self_running, bool mic_probe, struct health_snapshot *out)
{
	bool mic = out->microphone_present;
	memset(out, 0, sizeof *out);
	out->now_ms = now_ms;
	out->microphone_present = mic;
	lt_err rc = LT_OK;
	struct scan sc = {.h = out};
	if (st && store_recordings_each(st, 0, scan_one, &sc) != LT_OK)
		rc = LT_ERR_STORE;
	if (out->state == HEALTH_IDLE && sc.uploading)
		out->state = HEALTH_UPLOADING;
	out->calendar_configured = strcmp(cfg->schedule_source, "none") != 0;
	if (st) {
		lt_err e = store_calendar_stamp(st, &out->calendar_ok_ms, out->calendar_error,
						sizeof out->calendar_error);
		if (e != LT_OK && e != LT_ERR_NOT_FOUND)
			rc = LT_ERR_STORE;
	}
	if (out->calendar_configured) {
		int64_t stale_after_ms =
			(int64_t)cfg->schedule_refresh_s * HEALTH_CALENDAR_STALE_REFRESHES * 1000;
		out->calendar_stale = !out->calendar_ok_ms || now_ms - out->calendar_ok_ms > stale_after_ms;
	}
	uint64_t free_bytes;
	if (os_free_bytes(cfg->spool_dir[0] ? cfg->spool_dir : cfg->data_dir, &free_bytes) == LT_OK ||
	    os_free_bytes(cfg->data_dir, &free_bytes) == LT_OK) {
		out->disk_known = true;
		out->disk_free_bytes = free_bytes;
	}
	if (out->state == HEALTH_RECORDING || out->state == HEALTH_PAUSED)
		out->microphone_present = true; /* it is in use: ALSA would call it busy */
	else if (mic_probe)
		out->microphone_present = microphone_there(cfg);
	if (self_running) {
		out->service_pid = (long)getpid();
	} else {
		char lock[PATH_MAX + 16];
		snprintf(lock, sizeof lock, "%s/lectern.lock", cfg->data_dir);
		out->service_pid = health_lock_holder(lock);
	}
	if (out->service_pid) {
		out->service_started_ms = health_process_start_ms(out->service_pid);
		out->service_is_run = self_running || health_pid_is_run(out->service_pid);
	}
	add_version(out, "lectern", "%s", LECTERN_VERSION);
	const char *opus = opus_get_version_string(); /* "libopus 1.3.1" */
	add_version(out, "libopus", "%s", strncmp(opus, "libopus ", 8) == 0 ? opus + 8 : opus);
	add_version(out, "sqlite", "%s", sqlite3_libversion());
	add_version(out, "curl", "%s", curl_version_info(CURLVERSION_NOW)->version);
	add_version(out, "alsa", "%s", snd_asoundlib_version());
	add_version(out, "json-c", "%s", json_c_version());
	return rc;
}

int64_t health_queue_oldest_age_s(const struct health_snapshot *h)
{
	if (!h->queue_oldest_ms || h->now_ms < h->queue_oldest_ms)
		return 0;
	return (h->now_ms - h->queue_oldest_ms) / 1000;
}

int64_t health_uptime_s(const struct health_snapshot *h)
{
	if (!h->service_started_ms || h->now_ms < h->service_started_ms)
		return 0;
	return (h->now_ms - h->service_started_ms) / 1000;
}

void health_span(int64_t s, char *buf, size_t n)
{
	if (s >= 86400)
		snprintf(buf, n, "%" PRId64 "d %" PRId64 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, n, "%" PRId64 "h %" PRId64 "m", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, n, "%" PRId64 "m %" PRId64 "s", s / 60, s % 60);
	else
		snprintf(buf, n, "%" PRId64 "s", s);
}

json_object *health_json(const struct health_snapshot *h)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	jsonout_put_int(o, "time", h->now_ms / 1000);
	jsonout_put_string(o, "state", health_state_name(h->state));
	if (h->recording_id) {
		json_object *r = json_object_new_object();
		jsonout_put_int(r, "id", h->recording_id);
		jsonout_put_int(r, "started", h->recording_started_ms / 1000);
		jsonout_put_int(r, "elapsed_s", h->recording_started_ms && h->now_ms > h->recording_started_ms
						     ? (h->now_ms - h->recording_started_ms) / 1000
						     : 0);
		jsonout_put_string(r, "title", h->recording_title);
		json_object_object_add(o, "recording", r);
	} else {
		json_object_object_add(o, "recording", NULL);
	}
	json_object *q = json_object_new_object();
	jsonout_put_int(q, "waiting", h->queue_waiting);
	jsonout_put_int(q, "failed", h->queue_failed);
	jsonout_put_int(q, "oldest_age_s", health_queue_oldest_age_s(h));
	json_object_object_add(o, "queue", q);
	json_object *c = json_object_new_object();
	json_object_object_add(c, "configured", json_object_new_boolean(h->calendar_configured));
	jsonout_put_int(c, "last_sync", h->calendar_ok_ms / 1000);
	jsonout_put_string(c, "error", h->calendar_error);
	json_object_object_add(c, "stale", json_object_new_boolean(h->calendar_stale));
	json_object_object_add(o, "calendar", c);
	jsonout_put_int(o, "last_upload", h->last_upload_ms / 1000);
	if (h->disk_known)
		jsonout_put_int(o, "disk_free_bytes", (int64_t)h->disk_free_bytes);
	else
		json_object_object_add(o, "disk_free_bytes", NULL);
	json_object_object_add(o, "microphone_present", json_object_new_boolean(h->microphone_present));
	json_object *s = json_object_new_object();
	json_object_object_add(s, "running", json_object_new_boolean(h->service_is_run));
	/* Another command (record, upload --once) may hold the data directory meanwhile. */
	jsonout_put_int(s, "pid", h->service_pid);
	jsonout_put_int(s, "started", h->service_started_ms / 1000);
	jsonout_put_int(s, "uptime_s", health_uptime_s(h));
	json_object_object_add(o, "service", s);
	json_object *v = json_object_new_object();
	for (size_t i = 0; i < h->n_versions; i++)
		jsonout_put_string(v, h->versions[i].name, h->versions[i].version);
	json_object_object_add(o, "versions", v);
	return o;
}

/* Appends to a fixed buffer; remembers running out. */
struct out {
	char *buf;
	size_t n, len;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	if (o->full)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(o->buf + o->len, o->n - o->len, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= o->n - o->len) {
		o->full = true;
		return;
	}
	o->len += (size_t)w;
}

static void gauge(struct out *o, const char *name, const char *help, int64_t value)
{
	put(o, "# HELP %s %s\n# TYPE %s gauge\n%s %" PRId64 "\n", name, help, name, name, value);
}

/* A label value as the format wants it: backslash, double quote and newline escaped. */
static void put_label(struct out *o, const char *name, const char *value, bool first)
{
	put(o, "%s%s=\"", first ? "" : ",", name);
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			put(o, "\\%c", *p);
		else if (*p == '\n')
			put(o, "\\n");
		else
			put(o, "%c", *p);
	}
	put(o, "\"");
}

int health_prometheus(const struct health_snapshot *h, char *buf, size_t n)
{
	struct out o = {.buf = buf, .n = n};
	if (!n)
		return -1;
	buf[0] = '\0';
	put(&o, "# HELP lectern_build_info lectern's version and the libraries it runs on.\n"
		"# TYPE lectern_build_info gauge\nlectern_build_info{");
	for (size_t i = 0; i < h->n_versions; i++) {
		/* Label names are [a-zA-Z_][a-zA-Z0-9_]*: "json-c" becomes json_c. */
		char label[32];
		size_t k = 0;
		for (const char *p = h->versions[i].name; *p && k + 1 < sizeof label; p++)
			label[k++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_';
		label[k] = '\0';
		put_label(&o, strcmp(label, "lectern") == 0 ? "version" : label,
			  h->versions[i].version, i == 0);
	}
	put(&o, "} 1\n");
	gauge(&o, "lectern_health_timestamp_seconds",
	      "When these figures were collected (unix time): old means lectern run stopped writing.",
	      h->now_ms / 1000);
	gauge(&o, "lectern_recording", "1 while a recording runs (paused or not), else 0.",
	      h->state == HEALTH_RECORDING || h->state == HEALTH_PAUSED);
	gauge(&o, "lectern_recording_paused", "1 while the running recording is paused, else 0.",
	      h->state == HEALTH_PAUSED);
	gauge(&o, "lectern_uploading", "1 while an upload is in flight, else 0.",
	      h->queue_waiting && h->state == HEALTH_UPLOADING);
	gauge(&o, "lectern_queue_waiting_recordings",
	      "Recordings waiting for upload (queued or uploading).", h->queue_waiting);
	gauge(&o, "lectern_queue_failed_recordings",
	      "Recordings whose upload gave up (lectern retry ID).", h->queue_failed);
	gauge(&o, "lectern_queue_oldest_age_seconds",
	      "How long the oldest waiting recording has waited for upload (0: none waits).",
	      health_queue_oldest_age_s(h));
	gauge(&o, "lectern_calendar_configured", "1 when [schedule] source is set, else 0.",
	      h->calendar_configured);
	gauge(&o, "lectern_calendar_last_sync_timestamp_seconds",
	      "When the calendar was last fetched good (unix time; 0: never).",
	      h->calendar_ok_ms / 1000);
	gauge(&o, "lectern_calendar_stale",
	      "1 when the calendar is configured but was not fetched good for more than 3 refresh "
	      "intervals (or never), else 0.", h->calendar_stale);
	gauge(&o, "lectern_last_upload_timestamp_seconds",
	      "When the newest confirmed upload was confirmed (unix time; 0: none).",
	      h->last_upload_ms / 1000);
	if (h->disk_known)
		gauge(&o, "lectern_disk_free_bytes", "Bytes free to lectern on the spool's disk.",
		      (int64_t)h->disk_free_bytes);
	gauge(&o, "lectern_microphone_present", "1 when the configured microphone is there.",
	      h->microphone_present);
	gauge(&o, "lectern_service_start_time_seconds",
	      "When lectern run started (unix time; 0: unknown).",
	      h->service_is_run ? h->service_started_ms / 1000 : 0);
	return o.full ? -1 : (int)o.len;
}

lt_err health_write_prometheus(const char *path, const struct health_snapshot *h)
{
	char buf[8192];
	int len = health_prometheus(h, buf, sizeof buf);
	if (len < 0) {
		errno = ENOSPC;
		return LT_ERR_IO;
	}
	return os_write_atomic(path, buf, (size_t)len, 0644);
}
