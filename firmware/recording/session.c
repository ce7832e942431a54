/* session.c — a recording driven through the store's state machine (see session.h). */
#include "lectern/session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lectern/jsonout.h"
#include "lectern/log.h"
#include "lectern/osutil.h"
#include "lectern/spoolmeta.h"

struct session {
	struct store *st;
	struct recorder *rec;
	struct recording row;
	enum rec_state state;
	double mono_start;          /* os_mono_s() at started_ms */
	char reserve[PATH_MAX];     /* DATA_DIR/lectern.reserve */
};

/* Room on the database's filesystem for the commits that end a recording when a write found
 * the disk full: with min_free_mb = 0 the recording may take everything else. */
#define RESERVE_BYTES (512 * 1024)

/* Make sure the reserve exists and owns its blocks (cheap when it already does). */
static void keep_reserve(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	int rc = fd < 0 ? errno : posix_fallocate(fd, 0, RESERVE_BYTES);
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		log_warn("session: cannot keep %d KB for the database in %s: %s",
			 RESERVE_BYTES >> 10, path, strerror(rc));
}

lt_err session_start(struct store *st, const struct config *cfg, struct audio_source *src,
		     const struct session_info *info, struct session **out)
{
	struct session *s = calloc(1, sizeof *s);
	if (!s)
		return LT_ERR_NOMEM;
	s->st = st;
	struct recording *row = &s->row;
	row->started_ms = os_now_ms();
	s->mono_start = os_mono_s();
	store_make_uid(row->started_ms, row->uid, sizeof row->uid);
	int len = info->path ? snprintf(row->path, sizeof row->path, "%s", info->path)
			     : snprintf(row->path, sizeof row->path, "%s/%s.opus", cfg->spool_dir,
					row->uid);
	if (len < 0 || (size_t)len >= sizeof row->path) {
		free(s);
		return LT_ERR_INVALID;
	}
	snprintf(row->title, sizeof row->title, "%s", info->title ? info->title : "");
	snprintf(row->presenter, sizeof row->presenter, "%s", info->presenter ? info->presenter : "");
	snprintf(row->room, sizeof row->room, "%s", cfg->room);
	/* Kept with the recording: a later change of the setting does not rewrite what was said. */
	snprintf(row->language, sizeof row->language, "%s", cfg->device_language);

	int64_t max_s = info->max_seconds > 0 && info->max_seconds < cfg->max_duration_s
				? info->max_seconds
				: cfg->max_duration_s;
	char date[40];
	json_local_time(row->started_ms / 1000, date, sizeof date);
	struct recorder_params p = {
		.path = row->path,
		.title = row->title,
		.presenter = row->presenter,
		.room = row->room,
		.date = date,
		.bitrate_kbps = info->bitrate_kbps ? info->bitrate_kbps : cfg->bitrate_kbps,
		.complexity = cfg->complexity,
		.frame_samples48 = config_frame_samples48(cfg),
		.max_frames = max_s * (int64_t)src->fmt.rate,
		.min_free_bytes = (uint64_t)cfg->min_free_mb << 20,
		.sync_seconds = cfg->sync_seconds,
		.page_ms = 500,
		.low_audio_dbfs = (float)cfg->low_audio_dbfs,
		.low_audio_seconds = cfg->low_audio_seconds,
	};
	char msg[160];
	lt_err err = recorder_check_params(&p, msg, sizeof msg);
	if (err != LT_OK) {
		fprintf(stderr, "lectern: %s\n", msg);
		free(s);
		return err;
	}
	err = store_recording_create(st, row);
	if (err != LT_OK) {
		free(s);
		return err;
	}
	s->state = REC_RECORDING;
	err = recorder_start(&p, src, &s->rec);
	if (err != LT_OK) {
		char why[200];
		snprintf(why, sizeof why, "could not start: %s%s%s", lt_strerror(err),
			 err == LT_ERR_IO ? ": " : "", err == LT_ERR_IO ? strerror(errno) : "");
		store_recording_transition(st, row->id, REC_RECORDING, REC_FAILED, why);
		free(s);
		return err;
	}
	/* After the recorder's start, which makes a file size limit an error, not a signal. */
	if (snprintf(s->reserve, sizeof s->reserve, "%s/" SESSION_RESERVE_FILE, cfg->data_dir) <
	    (int)sizeof s->reserve)
		keep_reserve(s->reserve);
	spoolmeta_save(st, row->id); /* once audio flows: its fsync must not delay the start */
	*out = s;
	return LT_OK;
}

static lt_err move(struct session *s, enum rec_state to, const char *why)
{
	lt_err err = store_recording_transition(s->st, s->row.id, s->state, to, why);
	if (err == LT_OK)
		s->state = to;
	return err;
}

lt_err session_pause(struct session *s)
{
	if (s->state != REC_RECORDING)
		return LT_ERR_STATE;
	lt_err err = move(s, REC_PAUSED, NULL);
	if (err == LT_OK)
		recorder_pause(s->rec);
	return err;
}

lt_err session_resume(struct session *s)
{
	if (s->state != REC_PAUSED)
		return LT_ERR_STATE;
	lt_err err = move(s, REC_RECORDING, NULL);
	if (err == LT_OK)
		recorder_resume(s->rec);
	return err;
}

void session_status(struct session *s, struct recorder_status *st) { recorder_status(s->rec, st); }
bool session_wait(struct session *s, int timeout_ms) { return recorder_wait(s->rec, timeout_ms); }
int64_t session_id(const struct session *s) { return s->row.id; }

static const char *end_reason(const struct recorder_status *st)
{
	switch (st->end) {
	case RECORDER_SOURCE_ENDED: return "the audio source ended";
	case RECORDER_MAX_REACHED: return "maximum duration reached";
	case RECORDER_FAILED: return lt_strerror(st->error);
	default: return "";
	}
}

/* A full disk: the room kept for the store goes to the commits that end the recording. */
static void release_reserve(struct session *s)
{
	if (unlink(s->reserve) == 0)
		log_warn("recording %lld: the disk is full: using the room kept for the database",
			 (long long)s->row.id);
}

lt_err session_stop(struct session *s, const char *why, struct recording *out)
{
	struct recorder_status now;
	recorder_status(s->rec, &now);
	const char *finalizing_why = why ? why : end_reason(&now);
	if (now.error == LT_ERR_DISK_FULL)
		release_reserve(s);
	/* Committed before the file is touched: a cut from here on is finished by recovery. */
	lt_err serr = move(s, REC_FINALIZING, finalizing_why);
	struct recorder_status fin;
	lt_err rerr = recorder_finish(s->rec, &fin);
	/* Wall time elapsed as the monotonic clock measured it: a clock stepped meanwhile (NTP,
	 * a person) moves neither the end nor the duration. */
	int64_t ended_ms = s->row.started_ms + (int64_t)((os_mono_s() - s->mono_start) * 1000.0);
	if (fin.error == LT_ERR_DISK_FULL) {
		/* The last page may have found the disk full; the store needs its room now. */
		release_reserve(s);
		if (serr != LT_OK && s->state != REC_FINALIZING)
			serr = move(s, REC_FINALIZING, finalizing_why);
	}
	s->row.samples = fin.frames * 48000 / (fin.rate ? fin.rate : 48000);
	s->row.bytes = (int64_t)fin.bytes;
	/* Hashed once here, while the file is in the page cache, not on the upload's path. */
	char sha[65] = "";
	if (os_sha256_file(s->row.path, sha) != LT_OK)
		sha[0] = '\0';
	if (serr == LT_OK)
		serr = store_recording_set_result(s->st, s->row.id, s->row.samples, s->row.bytes,
						  ended_ms, sha);
	if (serr == LT_OK) {
		const char *end_why = end_reason(&fin);
		if (fin.frames > 0)
			serr = move(s, REC_QUEUED, end_why);
		else
			serr = move(s, REC_FAILED, *end_why ? end_why : "no audio was recorded");
	}
	log_info("recording %lld: %.2f s, %llu bytes%s%s", (long long)s->row.id, fin.seconds,
		 (unsigned long long)fin.bytes, rerr ? ", stopped: " : "",
		 rerr ? lt_errname(rerr) : "");
	spoolmeta_save(s->st, s->row.id);
	if (out && (serr != LT_OK || store_recording_get(s->st, s->row.id, out) != LT_OK)) {
		/* The store could not keep it all: tell what the file holds and the last state
		 * committed (recovery finishes the rest at the next start). */
		*out = s->row;
		out->state = s->state;
		out->ended_ms = ended_ms;
	}
	free(s);
	return rerr != LT_OK ? rerr : serr;
}
