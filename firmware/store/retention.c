/*
 * retention.c — the purge of personal data past its retention (see retention.h).
 *
 * What must stay true: audio is unlinked only for a recording that is confirmed delivered and
 * already past upload_prune (its row only is forgotten here), one without audio, or one kept
 * on a target = none device past keep_local_days; and only when it lies in the spool (a file
 * outside is the user's). A row is forgotten only after its file is gone or left to its
 * owner, so the spool never holds audio the store does not know.
 */
#include "lectern/retention.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lectern/log.h"
#include "lectern/osutil.h"
#include "lectern/spoolmeta.h"

#define DAY_MS (86400 * (int64_t)1000)

struct pass {
	const struct config *cfg;
	struct store *st;
	int64_t now_ms;
	bool target_none;
	bool local_ok;               /* keep_local_days may delete: the clock looks right */
	int64_t newest_ms;           /* the latest start of any recording */
	struct retention_result res;
};

bool retention_in_spool(const struct config *cfg, const char *path)
{
	char dir[PATH_MAX], real_dir[PATH_MAX], real_spool[PATH_MAX];
	if (path[0] != '/')
		return false;
	os_dirname(path, dir, sizeof dir);
	return realpath(dir, real_dir) && realpath(cfg->spool_dir, real_spool) &&
	       strcmp(real_dir, real_spool) == 0;
}

/* Remove the audio (if any is left and it is ours) and then the row; false when the file
 * stays. */
static bool remove_recording(struct pass *p, const struct recording *rec, const char *why)
{
	if (!rec->deleted_ms && !retention_in_spool(p->cfg, rec->path)) {
		log_info("retention: recording %lld: %s kept: outside the spool", (long long)rec->id,
			 rec->path);
	} else if (!rec->deleted_ms && unlink(rec->path) != 0 && errno != ENOENT) {
		log_warn("retention: recording %lld: cannot delete %s: %s", (long long)rec->id,
			 rec->path, strerror(errno));
		return false;
	}
	/* The sidecar before the row: a rebuilt store must not bring a forgotten one back. */
	if (spoolmeta_remove(rec->uid) != LT_OK ||
	    store_recording_forget(p->st, rec->id) != LT_OK)
		return false;
	log_info("retention: recording %lld forgotten (%s)", (long long)rec->id, why);
	return true;
}

/* Group or others could read it: an older lectern created audio 0640. A file outside the
 * spool keeps the modes its owner gave it. */
static void make_private(const struct config *cfg, const struct recording *rec)
{
	struct stat sb;
	if (!rec->deleted_ms && retention_in_spool(cfg, rec->path) && stat(rec->path, &sb) == 0 &&
	    S_ISREG(sb.st_mode) && (sb.st_mode & 077) && chmod(rec->path, 0600) != 0)
		log_warn("retention: cannot make %s private (chmod 0600): %s", rec->path,
			 strerror(errno));
}

static int one(const struct recording *rec, void *user)
{
	struct pass *p = user;
	int64_t ended = rec->ended_ms ? rec->ended_ms : rec->started_ms;
	if (p->target_none && p->local_ok &&
	    (rec->state == REC_QUEUED || rec->state == REC_FAILED)) {
		if (p->now_ms - ended >= p->cfg->keep_local_days * DAY_MS) {
			if (remove_recording(p, rec, "kept here for [privacy] keep_local_days"))
				p->res.local++;
			return 0;
		}
	}
	if (rec->state == REC_UPLOADED && rec->deleted_ms && rec->uploaded_ms &&
	    p->now_ms - rec->uploaded_ms >= p->cfg->keep_records_days * DAY_MS) {
		if (remove_recording(p, rec, "delivered, past [privacy] keep_records_days"))
			p->res.records++;
		return 0;
	}
	/* Without audio: nothing counted, and never queued (a queued recording was finalised with
	 * audio, whatever its row says now). Its age counts from when it failed. */
	if (rec->state == REC_FAILED && rec->samples == 0 &&
	    store_recording_entered(p->st, rec->id, REC_QUEUED) == 0) {
		int64_t failed_at = store_recording_entered(p->st, rec->id, REC_FAILED);
		if (failed_at > 0 && p->now_ms - failed_at >= p->cfg->keep_failed_days * DAY_MS &&
		    remove_recording(p, rec, "failed without audio, past [privacy] keep_failed_days"))
			p->res.failed++;
		return 0;
	}
	make_private(p->cfg, rec);
	return 0;
}

/* The calendar source the configuration fetches ("" for none), as schedule.c records it. */
static const char *configured_source(const struct config *cfg)
{
	if (strcmp(cfg->schedule_source, "ics") == 0)
		return cfg->schedule_ics;
	if (strcmp(cfg->schedule_source, "opencast") == 0)
		return cfg->opencast_url;
	return "";
}

static void calendar(struct pass *p)
{
	char source[PATH_MAX + 1024];
	int64_t ok_ms = 0;
	if (store_calendar_origin(p->st, source, sizeof source, &ok_ms) != LT_OK)
		return;
	const char *why = NULL;
	if (strcmp(source, configured_source(p->cfg)) != 0)
		why = "its source is no longer configured";
	else if (ok_ms && p->now_ms - ok_ms >= p->cfg->keep_calendar_days * DAY_MS)
		why = "no good fetch for [privacy] keep_calendar_days";
	if (why && store_calendar_forget(p->st) == LT_OK) {
		log_info("retention: cached calendar from %s dropped (%s)", source, why);
		p->res.calendar = 1;
	}
}

static int newest(const struct recording *rec, void *user)
{
	struct pass *p = user;
	if (rec->started_ms > p->newest_ms)
		p->newest_ms = rec->started_ms;
	return 0;
}

/*
 * keep_local_days deletes the only copy of a recording, by the wall clock. A clock far ahead
 * (no RTC, a bad NTP answer) would make every recording look old at once; so it deletes only
 * while some recording is younger than the limit, which a box in use always has.
 */
static void check_local(struct pass *p)
{
	if (!p->target_none || p->cfg->keep_local_days <= 0)
		return;
	store_recordings_each(p->st, 0, newest, p);
	p->local_ok = p->newest_ms && p->now_ms - p->newest_ms < p->cfg->keep_local_days * DAY_MS;
	if (p->newest_ms && !p->local_ok)
		log_warn("retention: every recording is older than [privacy] keep_local_days (%d): "
			 "none is deleted until a new one is made, in case the clock is wrong",
			 p->cfg->keep_local_days);
}

/*
 * Check-ins' names (attendance.h): blanked keep_names_days after the check-in, with the person
 * key (in every mode: it is what ties check-ins to a person); once their session was delivered
 * when so configured; and at once, whatever their age, when the mode no longer stores names.
 * The counts stay.
 */
static void checkin_names(struct pass *p)
{
	bool names = strcmp(p->cfg->attendance, "names") == 0;
	int aged = store_checkin_forget_names(p->st, p->now_ms - p->cfg->keep_names_days * DAY_MS,
					      true);
	int mode = names ? 0 : store_checkin_forget_names(p->st, INT64_MAX, false);
	int sent = names && p->cfg->forget_names_when_delivered
			   ? store_checkin_forget_delivered_names(p->st) : 0;
	if (aged > 0)
		log_info("retention: %d check-ins past [privacy] keep_names_days made anonymous", aged);
	if (mode > 0)
		log_info("retention: names of %d check-ins blanked: [privacy] attendance no longer "
			 "stores names", mode);
	if (sent > 0)
		log_info("retention: names of %d delivered check-ins blanked "
			 "([privacy] forget_names_when_delivered)", sent);
	p->res.checkin_names = (aged > 0 ? aged : 0) + (mode > 0 ? mode : 0) + (sent > 0 ? sent : 0);
}

void retention_run(const struct config *cfg, struct store *st, int64_t now_ms,
		   struct retention_result *out)
{
	struct pass p = {.cfg = cfg, .st = st, .now_ms = now_ms,
			 .target_none = strcmp(cfg->upload_target, "none") == 0};
	check_local(&p);
	store_recordings_each(st, REC_MASK(REC_UPLOADED) | REC_MASK(REC_FAILED) |
				      REC_MASK(REC_QUEUED) | REC_MASK(REC_UPLOADING),
			      one, &p);
	calendar(&p);
	checkin_names(&p);
	if (out)
		*out = p.res;
}
