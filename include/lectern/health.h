/*
 * health.h — one snapshot of the appliance's health, and its three readers: `lectern status
 * [--json]`, the Prometheus text file `lectern run` writes ([health] prometheus_file) and
 * `lectern doctor`. All three fill the same struct through health_collect(), so that they
 * cannot disagree about what "the queue's oldest recording" or "the last calendar sync" is.
 *
 * What the snapshot holds, and where each figure comes from:
 *   state            the store: a recording in `recording` or `paused` makes it recording /
 *                    paused, else one in `uploading` makes it uploading, else idle;
 *   recording        that recording's id, start and title (never its presenter);
 *   queue            recordings waiting for upload (queued or uploading) and the time the
 *                    oldest of them ended (its start while it has no end), and how many gave
 *                    up (failed);
 *   calendar         the store's cache stamp: when it was last fetched good, and why the last
 *                    attempt failed; stale when configured and never fetched good, or not for
 *                    more than HEALTH_CALENDAR_STALE_REFRESHES refresh intervals ([schedule]
 *                    refresh_s) — the doctor's calendar check judges by the same flag;
 *   last upload      the newest confirmed upload (uploaded_ms) among the recordings the store
 *                    still holds;
 *   disk             bytes free to the service on the spool's filesystem;
 *   microphone       whether the configured microphone is there: a running recording counts
 *                    as present (so does the settings screen's meter in `lectern run`, which
 *                    asks no probe while it holds the device), else ALSA can open the device
 *                    (or the [audio] file exists);
 *   service          the process holding DATA_DIR/lectern.lock (read from /proc/locks, never
 *                    by taking the lock, so that a starting `lectern run` is never refused)
 *                    and its start time (/proc/PID/stat);
 *   versions         lectern and the libraries it runs on, as they report themselves.
 */
#ifndef LECTERN_HEALTH_H
#define LECTERN_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "lectern/config.h"
#include "lectern/store.h"

enum health_state { HEALTH_IDLE, HEALTH_RECORDING, HEALTH_PAUSED, HEALTH_UPLOADING };

#define HEALTH_MAX_VERSIONS 8
#define HEALTH_CALENDAR_STALE_REFRESHES 3 /* a cache older than this many refreshes is stale */

struct health_version {
	const char *name;           /* "lectern", "libopus", "sqlite", "curl", "alsa", "json-c" */
	char version[64];
};

struct health_snapshot {
	int64_t now_ms;             /* when it was collected (unix ms) */
	enum health_state state;
	int64_t recording_id;       /* 0: none */
	int64_t recording_started_ms;
	char recording_title[256];
	int queue_waiting;          /* queued or uploading */
	int queue_failed;           /* gave up; `lectern retry ID` */
	int64_t queue_oldest_ms;    /* when the oldest waiting one ended; 0: nothing waits */
	bool calendar_configured;   /* [schedule] source is not none */
	int64_t calendar_ok_ms;     /* last good fetch; 0: never */
	char calendar_error[320];   /* why the last attempt failed; "" if it did not */
	bool calendar_stale;        /* configured, and no good fetch recently (see above) */
	int64_t last_upload_ms;     /* 0: none held in the store */
	bool disk_known;
	uint64_t disk_free_bytes;
	bool microphone_present;
	long service_pid;           /* the lock holder; 0: no `lectern run` (or record) alive */
	bool service_is_run;        /* the holder is `lectern run` (not record or upload --once) */
	int64_t service_started_ms; /* its start; 0 when unknown */
	struct health_version versions[HEALTH_MAX_VERSIONS];
	size_t n_versions;
};

/*
 * Fill `out` at `now_ms` from `cfg` and the store `st`. `self_running` says the caller is the
 * recording process itself (`lectern run`): then it is the service (its own pid) and a
 * microphone check never opens the device under a recording. `mic_probe`: whether to ask
 * ALSA for the microphone at all (the Prometheus writer does every minute; false leaves
 * microphone_present as the caller set it beforehand). LT_OK; LT_ERR_STORE when the store
 * could not be read (the rest is filled anyway).
 */
lt_err health_collect(const struct config *cfg, struct store *st, int64_t now_ms,
		      bool self_running, bool mic_probe, struct health_snapshot *out);

const char *health_state_name(enum health_state s);

/* Seconds the oldest waiting recording has waited at the snapshot's time (0: none waits). */
int64_t health_queue_oldest_age_s(const struct health_snapshot *h);
/* Seconds since the service started (0: none runs, or unknown). */
int64_t health_uptime_s(const struct health_snapshot *h);
/* A span of `s` seconds for people: "3d 4h", "2h 5m", "4m 10s", "12s". */
void health_span(int64_t s, char *buf, size_t n);

/* The snapshot as the JSON object `lectern status --json` prints (the caller puts it). */
json_object *health_json(const struct health_snapshot *h);

/*
 * The snapshot in Prometheus's text exposition format (HELP and TYPE for every metric, names
 * prefixed lectern_ and carrying their unit) into `buf`. Returns the length written (without
 * the NUL), or -1 when `n` is too small.
 */
int health_prometheus(const struct health_snapshot *h, char *buf, size_t n);

/* Write health_prometheus() to `path` atomically (a temporary file beside it, fsync, rename,
 * mode 0644: node_exporter reads it as another user). LT_ERR_IO / LT_ERR_DISK_FULL. */
lt_err health_write_prometheus(const char *path, const struct health_snapshot *h);

/* The process (pid) holding the flock on `lock_path`, from /proc/locks; 0 when none. */
long health_lock_holder(const char *lock_path);

/* When process `pid` started (unix ms, from /proc); 0 when unknown. */
int64_t health_process_start_ms(long pid);

/* Whether process `pid` is a `lectern run` (its command line has the word run). */
bool health_pid_is_run(long pid);

#endif
