/*
 * upload_opencast.c — the Opencast target of the upload queue (rules in upload.h): the
 * multi-request ingest, with the recording states a scheduled recording reports on the way.
 *
 * One upload is one conversation on one opencast_session (its connection and Digest nonce
 * reused): discover ingest, GET createMediaPackage, POST addDCCatalog, POST addTrack (the file
 * streamed from disk by libcurl), POST ingest/{workflow}. The media package is never built
 * here: each call's answer is the text the next call sends.
 *
 * What must stay true:
 * - Success is a 200 from ingest, and `remote` is the media package id Opencast confirmed;
 *   anything less fails the attempt, and the queue retries it (a new media package each time,
 *   so that a half-built one left by a kill is never ingested twice).
 * - Discovery failing never stops an upload that worked before: the last good ingest URL is
 *   kept, in memory and in DATA_DIR/opencast-ingest.url (so a restart keeps it too).
 * - The capture-admin recording states are reports: their failures are logged, never fail
 *   the upload.
 */
#include "lectern/upload.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "lectern/log.h"
#include "lectern/net.h"
#include "lectern/opencast.h"
#include "lectern/osutil.h"
#include "lectern/upload_attendance.h"

#define DC_FLAVOR "dublincore/episode"
#define TRACK_TYPE "audio/ogg"
#define ATTENDANCE_FLAVOR "attendance/csv"

/* The last ingest URL discovery gave, for when it fails. */
static pthread_mutex_t remembered_lock = PTHREAD_MUTEX_INITIALIZER;
static char remembered[1024];

struct ingest {
	const struct config *cfg;
	struct opencast_conn conn;
	struct net_server srv;       /* [opencast] url and its account (net.h) */
	struct opencast_session *s;
	char url[1024];             /* ingest service base */
	char admin[1024];           /* capture-admin base, "" until needed */
	char event_uid[320];        /* Opencast event of a scheduled recording, "" for manual */
	/* Attendance (upload_attendance.h): the CSV to attach, NULL for none; the count. */
	const char *attendance_csv;
	int attendance;
};

static void remembered_path(const struct config *cfg, char *buf, size_t n)
{
	snprintf(buf, n, "%s/opencast-ingest.url", cfg->data_dir);
}

static void remember(const struct config *cfg, const char *url)
{
	pthread_mutex_lock(&remembered_lock);
	bool same = strcmp(remembered, url) == 0;
	snprintf(remembered, sizeof remembered, "%s", url);
	pthread_mutex_unlock(&remembered_lock);
	if (same)
		return;
	/* Write to a temp name, then rename: a power cut leaves the old or the new, whole. */
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	remembered_path(cfg, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *fp = fopen(tmp, "w");
	if (!fp || fprintf(fp, "%s\n", url) < 0 || fflush(fp) != 0 || fsync(fileno(fp)) != 0 ||
	    fclose(fp) != 0 || rename(tmp, path) != 0) {
		log_warn("opencast: cannot keep the ingest URL in %s: %s", path, strerror(errno));
		unlink(tmp);
	}
}

/* The remembered ingest URL (memory first, then the file), "" if none. */
static void recall(const struct config *cfg, char *url, size_t n)
{
	pthread_mutex_lock(&remembered_lock);
	snprintf(url, n, "%s", remembered);
	pthread_mutex_unlock(&remembered_lock);
	if (*url)
		return;
	char path[PATH_MAX + 32];
	remembered_path(cfg, path, sizeof path);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	if (!fgets(url, (int)n, fp))
		url[0] = '\0';
	fclose(fp);
	url[strcspn(url, "\r\n")] = '\0';
}

/* Re-discover ingest before every upload; keep the old one when discovery fails. */
static lt_err find_ingest(struct ingest *in, char *err, size_t n)
{
	char why[320];
	lt_err rc = opencast_session_discover(in->s, OPENCAST_INGEST_SERVICE, in->url, sizeof in->url,
				      why, sizeof why);
	if (rc == LT_OK) {
		remember(in->cfg, in->url);
		return LT_OK;
	}
	if (rc == LT_ERR_AUTH) {
		snprintf(err, n, "%s", why);
		return rc;
	}
	recall(in->cfg, in->url, sizeof in->url);
	if (in->url[0]) {
		log_warn("opencast: %s; using the ingest service found before (%s)", why, in->url);
		return LT_OK;
	}
	snprintf(err, n, "%s (and no ingest service was ever found)", why);
	return rc;
}

/* A recording state to capture-admin, for scheduled recordings; a failure is only logged. */
static void post_state(struct ingest *in, const char *state)
{
	if (!in->event_uid[0])
		return;
	if (!in->admin[0] &&
	    opencast_session_discover(in->s, OPENCAST_CAPTURE_ADMIN_SERVICE, in->admin,
				      sizeof in->admin, NULL, 0) != LT_OK) {
		size_t len = strlen(in->conn.server);
		while (len && in->conn.server[len - 1] == '/')
			len--;
		snprintf(in->admin, sizeof in->admin, "%.*s/capture-admin", (int)len,
			 in->conn.server);
	}
	char *id = net_escape(in->event_uid, 0);
	char url[1400], why[320];
	snprintf(url, sizeof url, "%s/recordings/%s", in->admin, id ? id : "");
	free(id);
	struct net_field f[] = {{.name = "state", .value = state}};
	struct net_answer ans;
	if (opencast_call(in->s, url, f, 1, NULL, &ans, why, sizeof why) != LT_OK)
		log_warn("opencast: recording %s: cannot report '%s': %s", in->event_uid, state, why);
	net_answer_free(&ans);
}

/* What the calendar said of the recording's occurrence (all "" for a manual recording). */
struct event_meta {
	char *series, *workflow, *workflow_config, *episode_dc;
};

static void read_event(const struct config *cfg, const struct recording *rec,
		       struct event_meta *ev, char *uid, size_t uid_len)
{
	uid[0] = '\0';
	char db[PATH_MAX + 16], key[320] = "";
	snprintf(db, sizeof db, "%s/lectern.db", cfg->data_dir);
	struct store *st = NULL;
	if (store_open(db, &st) != LT_OK ||
	    store_recording_get_event(st, rec->id, &ev->series, &ev->workflow,
				      &ev->workflow_config, &ev->episode_dc) != LT_OK ||
	    store_recording_event_key(st, rec->id, key, sizeof key) != LT_OK)
		log_warn("opencast: recording %lld: its calendar metadata cannot be read; "
			 "uploading it as a manual recording", (long long)rec->id);
	store_close(st);
	/* The event key is "UID@START": Opencast knows the event by its UID. */
	char *at = strrchr(key, '@');
	if (at)
		*at = '\0';
	snprintf(uid, uid_len, "%s", key);
}

static void free_event(struct event_meta *ev)
{
	free(ev->series);
	free(ev->workflow);
	free(ev->workflow_config);
	free(ev->episode_dc);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* One call whose answer is the grown media package: `mp` is replaced by it. */
static lt_err grow(struct ingest *in, const char *what, const char *url,
		   const struct net_field *f, size_t count, const struct opencast_xfer *x,
		   char **mp, char *err, size_t n)
{
	struct net_answer ans;
	char why[320];
	lt_err rc = opencast_call(in->s, url, f, count, x, &ans, why, sizeof why);
	if (rc != LT_OK) {
		snprintf(err, n, "Opencast %s: %s", what, why);
		return rc;
	}
	/* Only whether it names one: an id as long as a recording keeps (Opencast takes a
	 * client's own, of any length). */
	char id[sizeof ((struct recording *)0)->remote];
	lt_err got = opencast_mediapackage_id(ans.body, ans.body_len, id, sizeof id);
	if (got != LT_OK) {
		if (got == LT_ERR_INVALID)
			snprintf(err, n, "Opencast %s: the media package id is longer than the %zu "
				 "bytes kept for it", what, sizeof id - 1);
		else
			snprintf(err, n, "Opencast %s: the answer is not a media package", what);
		net_answer_free(&ans);
		return LT_ERR_PARSE;
	}
	free(*mp);
	*mp = ans.body; /* kept as Opencast wrote it, for the next call */
	return LT_OK;
}

/* The ingest call's fields: mediaPackage, the calendar's workflow configuration
 * ("key=value" lines, prefix already stripped), workflowInstanceId for a scheduled event.
 * `cfg_text` is split in place. Returns how many fields were filled. */
static size_t ingest_fields(struct net_field *f, size_t cap, const char *mp,
			    char *cfg_text, const char *event_uid)
{
	size_t count = 0;
	f[count++] = (struct net_field){.name = "mediaPackage", .value = mp};
	for (char *line = cfg_text, *next; line && *line && count + 1 < cap; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		char *eq = strchr(line, '=');
		if (!eq || eq == line)
			continue;
		*eq = '\0';
		f[count++] = (struct net_field){.name = line, .value = eq + 1};
	}
	if (event_uid && *event_uid && count < cap)
		f[count++] = (struct net_field){.name = "workflowInstanceId", .value = event_uid};
	return count;
}

/*
 * The workflow configuration sent with the ingest, as "key=value" lines (malloc'd): the
 * calendar's (a scheduled recording's, prefix stripped), then each pair of [opencast]
 * workflow_config whose key the calendar does not set. The calendar wins where both say: the
 * event was scheduled with its values on purpose; the box's own only fill in (e.g.
 * transcribe=true for every session). A manual recording has only the box's.
 */
static char *workflow_config(const struct config *cfg, const char *calendar)
{
	char own[sizeof cfg->opencast_workflow_config + 8], why[200];
	/* Checked at load: this fails only for a configuration set past config_check(). */
	if (config_workflow_pairs(cfg->opencast_workflow_config, own, sizeof own, why,
				  sizeof why) != LT_OK) {
		log_warn("opencast: [opencast] workflow_config is not sent: %s", why);
		own[0] = '\0';
	}
	const char *cal = calendar ? calendar : "";
	size_t cal_len = strlen(cal);
	char *out = malloc(cal_len + strlen(own) + 2);
	if (!out)
		return NULL;
	bool newline = cal_len && cal[cal_len - 1] != '\n';
	size_t used = (size_t)sprintf(out, "%s%s", cal, newline ? "\n" : "");
	for (const char *line = own; *line; line += strcspn(line, "\n") + 1) {
		size_t key = strcspn(line, "=");
		bool set = false;
		for (const char *c = cal; *c && !set; c += strcspn(c, "\n"), c += *c == '\n')
			set = strncmp(c, line, key) == 0 && c[key] == '=';
		if (set)
			continue;
		size_t len = strcspn(line, "\n");
		used += (size_t)sprintf(out + used, "%.*s\n", (int)len, line);
	}
	return out;
}

/* --- attendance (upload_attendance.h) ------------------------------------------------------- */

/* The episode catalog with the count in its description (why there: upload_attendance.h);
 * `dc` replaced, or kept as it was when it cannot be read (said in the log). */
static void attendance_in_dc(const struct ingest *in, const struct recording *rec, char **dc)
{
	if (in->attendance < 0)
		return;
	char line[96];
	snprintf(line, sizeof line, "Attendance: %d checked in", in->attendance);
	char *more = opencast_dc_add_description(*dc, strlen(*dc), line);
	if (!more) {
		log_warn("opencast: recording %lld: the episode catalog cannot take the attendance "
			 "count; it goes without it (the attachment has it)", (long long)rec->id);
		return;
	}
	free(*dc);
	*dc = more;
}

/* addAttachment: the attendance CSV, before the ingest, as Opencast's ingest API takes it
 * (flavor and mediaPackage before the file part BODY). Nothing when there is none. */
static lt_err attach_attendance(struct ingest *in, char **mp, char *err, size_t n)
{
	if (!in->attendance_csv)
		return LT_OK;
	char url[1400];
	snprintf(url, sizeof url, "%s/addAttachment", in->url);
	struct net_field f[] = {
		{.name = "flavor", .value = ATTENDANCE_FLAVOR},
		{.name = "mediaPackage", .value = *mp},
		{.name = "BODY", .value = in->attendance_csv, .filename = "attendance.csv",
		 .type = "text/csv"},
	};
	return grow(in, "addAttachment", url, f, 3, NULL, mp, err, n);
}

static lt_err conversation(struct ingest *in, const struct recording *rec,
			   const struct event_meta *ev, const struct upload_progress *prog,
			   char *remote, size_t remote_len, char *err, size_t n)
{
	const struct config *cfg = in->cfg;
	char url[1400];
	char *mp = NULL, *dc = NULL, *wf_cfg = NULL;
	struct net_field *fields = NULL;
	lt_err rc = find_ingest(in, err, n);
	if (rc != LT_OK)
		return rc;
	struct stat sb;
	if (stat(rec->path, &sb) != 0) {
		snprintf(err, n, "cannot read the recording %s: %s", base_name(rec->path),
			 strerror(errno));
		return LT_ERR_IO;
	}
	post_state(in, "uploading");

	snprintf(url, sizeof url, "%s/createMediaPackage", in->url);
	if ((rc = grow(in, "createMediaPackage", url, NULL, 0, NULL, &mp, err, n)) != LT_OK)
		goto out;

	/* The calendar's episode catalog when it delivered one: it is what the scheduler made.
	 * Only the spoken language is added, when it names none (speech-to-text reads it). */
	if (ev->episode_dc && *ev->episode_dc) {
		dc = opencast_dc_add_language(ev->episode_dc, strlen(ev->episode_dc), rec->language);
		if (!dc)
			dc = strdup(ev->episode_dc);
	} else {
		struct opencast_episode ep = {
			.title = rec->title, .creator = rec->presenter, .tags = rec->tags,
			.spatial = rec->room, .series = ev->series, .language = rec->language,
			.start_ms = rec->started_ms, .end_ms = rec->ended_ms,
		};
		dc = opencast_episode_dc(&ep);
	}
	rc = LT_ERR_NOMEM;
	if (!dc)
		goto out;
	attendance_in_dc(in, rec, &dc);
	snprintf(url, sizeof url, "%s/addDCCatalog", in->url);
	struct net_field cat[] = {
		{.name = "mediaPackage", .value = mp},
		{.name = "dublinCore", .value = dc},
		{.name = "flavor", .value = DC_FLAVOR},
	};
	if ((rc = grow(in, "addDCCatalog", url, cat, 3, NULL, &mp, err, n)) != LT_OK)
		goto out;

	/* flavor and mediaPackage before the file: Opencast reads the form in order. */
	snprintf(url, sizeof url, "%s/addTrack", in->url);
	struct net_field track[] = {
		{.name = "flavor", .value = cfg->opencast_flavor[0] ? cfg->opencast_flavor
								    : "presenter/source"},
		{.name = "mediaPackage", .value = mp},
		{.name = "BODY", .file = rec->path, .filename = base_name(rec->path),
		 .type = TRACK_TYPE},
	};
	struct opencast_xfer x = {
		.progress = prog ? prog->fn : NULL, .user = prog ? prog->user : NULL,
		.total = (uint64_t)sb.st_size,
		.max_bytes_per_s = (int64_t)cfg->upload_max_kbps * 1000 / 8,
	};
	if ((rc = grow(in, "addTrack", url, track, 3, &x, &mp, err, n)) != LT_OK)
		goto out;

	if ((rc = attach_attendance(in, &mp, err, n)) != LT_OK)
		goto out;

	const char *workflow = ev->workflow && *ev->workflow ? ev->workflow
							      : cfg->opencast_workflow;
	if (*workflow) {
		char *wf = net_escape(workflow, 0);
		snprintf(url, sizeof url, "%s/ingest/%s", in->url, wf ? wf : "");
		free(wf);
	} else {
		snprintf(url, sizeof url, "%s/ingest", in->url);
	}
	wf_cfg = workflow_config(cfg, ev->workflow_config);
	size_t cap = 3;
	for (const char *p = wf_cfg ? wf_cfg : ""; *p; p++)
		cap += *p == '\n';
	rc = LT_ERR_NOMEM;
	if (!wf_cfg || !(fields = calloc(cap, sizeof *fields)))
		goto out;
	size_t count = ingest_fields(fields, cap, mp, wf_cfg, in->event_uid);
	struct net_answer ans;
	char why[320];
	rc = opencast_call(in->s, url, fields, count, NULL, &ans, why, sizeof why);
	if (rc != LT_OK) {
		snprintf(err, n, "Opencast ingest: %s", why);
		goto out;
	}
	/* As long as what the caller keeps: Opencast takes a client's own id of any length
	 * (createMediaPackageWithID), and one cut here would fail a delivery that happened. */
	char *id = malloc(remote_len ? remote_len : 1);
	lt_err got = LT_ERR_NOMEM;
	if (ans.status != 200) {
		snprintf(err, n, "Opencast ingest answered HTTP %ld, not 200", ans.status);
		rc = LT_ERR_HTTP;
	} else if (!id) {
		snprintf(err, n, "Opencast ingest: out of memory for the media package id");
		rc = LT_ERR_NOMEM;
	} else if ((got = opencast_mediapackage_id(ans.body, ans.body_len, id, remote_len)) !=
			   LT_OK &&
		   (got = opencast_mediapackage_id(mp, strlen(mp), id, remote_len)) != LT_OK) {
		if (got == LT_ERR_INVALID)
			snprintf(err, n, "Opencast ingest: the media package id is longer than the "
				 "%zu bytes kept for it", remote_len ? remote_len - 1 : 0);
		else
			snprintf(err, n, "Opencast ingest: the answer names no media package");
		rc = LT_ERR_PARSE;
	} else {
		snprintf(remote, remote_len, "%s", id);
		log_info("opencast: recording %lld ingested as media package %s (workflow %s)",
			 (long long)rec->id, id, *workflow ? workflow : "(server default)");
	}
	free(id);
	net_answer_free(&ans);
out:
	post_state(in, rc == LT_OK ? "upload_finished" : "upload_error");
	free(fields);
	free(wf_cfg);
	free(dc);
	free(mp);
	return rc;
}

static lt_err opencast_put(const struct config *cfg, const struct recording *rec,
			   struct upload_source *src, const char *sidecar_json,
			   const struct upload_progress *prog, char *remote, size_t remote_len,
			   char *err, size_t n)
{
	(void)src; /* checked whole by the queue before: addTrack streams the file by itself */
	/* Opencast keeps its metadata in the Dublin Core catalog; of the sidecar it takes the
	 * attendance, as the queue's one snapshot of it. */
	int attendance = -1;
	char *csv = upload_attendance_csv(sidecar_json, &attendance);
	struct ingest in = {.cfg = cfg, .attendance_csv = csv, .attendance = attendance};
	lt_err rc = net_resolve(cfg, NET_ROLE_UPLOAD, &in.srv, err, n);
	if (rc != LT_OK) {
		net_server_clear(&in.srv);
		free(csv);
		return rc;
	}
	in.conn = opencast_conn_of(&in.srv, cfg->upload_timeout_s, prog ? prog->cancel : NULL);
	struct event_meta ev = {0};
	read_event(cfg, rec, &ev, in.event_uid, sizeof in.event_uid);
	rc = opencast_session_open(&in.conn, &in.s);
	if (rc == LT_OK)
		rc = conversation(&in, rec, &ev, prog, remote, remote_len, err, n);
	else
		snprintf(err, n, "out of memory");
	opencast_session_close(in.s);
	free(csv);
	free_event(&ev);
	net_server_clear(&in.srv);
	return rc;
}

const struct upload_target_ops upload_opencast_ops = {.name = "opencast", .put = opencast_put};
