/* session.c — a recording driven through the store's state machine (see session.h). */
#include "lectern/session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern/log.h"
#include "lectern/osutil.h"

struct session {
	struct store *st;
	struct recorder *rec;
	struct recording row;
	enum rec_state state;
};

static void iso_date(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%S%z", &tm);
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

	int64_t max_s = info->max_seconds > 0 && info->max_seconds < cfg->max_duration_s
				? info->max_seconds
				: cfg->max_duration_s;
	char date[40];
	iso_date(row->started_ms, date, sizeof date);
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

lt_err session_stop(struct session *s, const char *why, struct recording *out)
{
	struct recorder_status now;
	recorder_status(s->rec, &now);
	/* Committed before the file is touched: a cut from here on is finished by recovery. */
	lt_err serr = move(s, REC_FINALIZING, why ? why : end_reason(&now));
	struct recorder_status fin;
	lt_err rerr = recorder_finish(s->rec, &fin);
	int64_t samples = fin.frames * 48000 / (fin.rate ? fin.rate : 48000);
	/* Hashed once here, while the file is in the page cache, not on the upload's path. */
	char sha[65] = "";
	if (os_sha256_file(s->row.path, sha) != LT_OK)
		sha[0] = '\0';
	if (serr == LT_OK)
		serr = store_recording_set_result(s->st, s->row.id, samples, (int64_t)fin.bytes,
						  os_now_ms(), sha);
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
	if (out && store_recording_get(s->st, s->row.id, out) != LT_OK)
		*out = s->row;
	free(s);
	return rerr != LT_OK ? rerr : serr;
}
