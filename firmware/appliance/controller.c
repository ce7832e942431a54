/* controller.c — scheduled and manual recordings (rules in controller.h). */
#include "lectern/controller.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/log.h"
#include "lectern/session.h"
#include "lectern/spoolmeta.h"

#define RETRY_START_S 30 /* after a failed start (no microphone), try again this much later */

struct controller {
	const struct config *cfg;
	struct store *st;
	struct schedule *sched;
	controller_open_audio_fn open_audio;
	void *user;

	struct session *session;
	struct audio_source *src;
	bool scheduled;              /* the session belongs to an occurrence */
	char event_key[320];
	int64_t stop_at;             /* end + postroll of that occurrence */
	int64_t event_end;
	char title[256];
	char event_uid[256];
	controller_observer_fn observe;
	void *observe_user;
	char failed_key[320];        /* last occurrence whose start failed or whose part was
				      * cut short, and when: retried RETRY_START_S later */
	int64_t failed_at;
};

lt_err controller_create(const struct config *cfg, struct store *st, struct schedule *sched,
			 controller_open_audio_fn open_audio, void *user, struct controller **out)
{
	struct controller *c = calloc(1, sizeof *c);
	if (!c)
		return LT_ERR_NOMEM;
	c->cfg = cfg;
	c->st = st;
	c->sched = sched;
	c->open_audio = open_audio;
	c->user = user;
	*out = c;
	return LT_OK;
}

static void event_key(const struct occurrence *o, char *buf, size_t n)
{
	snprintf(buf, n, "%s@%lld", o->uid, (long long)o->start);
}

void controller_observe(struct controller *c, controller_observer_fn fn, void *user)
{
	c->observe = fn;
	c->observe_user = user;
}

static void tell(struct controller *c, enum controller_change change, int64_t id,
		 const char *uid)
{
	if (c->observe)
		c->observe(c->observe_user, change, id, uid);
}

lt_err controller_pause(struct controller *c)
{
	return c->session ? session_pause(c->session) : LT_ERR_STATE;
}

lt_err controller_resume(struct controller *c)
{
	return c->session ? session_resume(c->session) : LT_ERR_STATE;
}

void controller_status(struct controller *c, struct controller_status *out)
{
	memset(out, 0, sizeof *out);
	if (!c->session)
		return;
	out->recording = true;
	out->scheduled = c->scheduled;
	out->recording_id = session_id(c->session);
	snprintf(out->title, sizeof out->title, "%s", c->title);
	out->end = c->scheduled ? c->event_end : 0;
	session_status(c->session, &out->rec);
}

bool controller_recording(const struct controller *c, int64_t *recording_id)
{
	if (c->session && recording_id)
		*recording_id = session_id(c->session);
	return c->session != NULL;
}

/*
 * What a scheduled part's history says when it ended its occurrence for good (see
 * controller.h): stored as the reason of its move to `finalizing`, matched exactly. Any other
 * ending (a crash, a failure, no audio, the appliance stopping) leaves the occurrence due.
 */
#define END_SESSION_OVER "the session ended"
#define END_NEXT_BEGINS "the next session begins"
#define END_BY_PERSON "stopped by a person"
#define END_MAXIMUM "maximum duration reached"

static const char *const ending_reasons[] = {END_SESSION_OVER, END_NEXT_BEGINS, END_BY_PERSON,
					     END_MAXIMUM, NULL};

/* Finish the running recording; `stored` is the reason its history keeps (NULL: the
 * recorder's own, for a recording that ended by itself), `why` what the log says. */
static lt_err stop(struct controller *c, const char *why, const char *stored)
{
	int64_t id = session_id(c->session);
	log_info("recording %lld: stopping: %s", (long long)id, why);
	struct recording rec = {0};
	lt_err err = session_stop(c->session, stored, &rec);
	audio_source_close(c->src);
	c->session = NULL;
	c->src = NULL;
	c->scheduled = false;
	c->event_key[0] = '\0';
	tell(c, rec.state == REC_QUEUED ? CTRL_FINISHED : CTRL_FAILED, id, c->event_uid);
	c->event_uid[0] = '\0';
	return err;
}

lt_err controller_stop(struct controller *c, const char *why)
{
	return c->session ? stop(c, why, END_BY_PERSON) : LT_ERR_STATE;
}

static lt_err start(struct controller *c, const struct session_info *info,
		    const struct store_event *ev, const char *uid)
{
	lt_err err = c->open_audio(c->user, &c->src);
	if (err == LT_OK) {
		err = session_start(c->st, c->cfg, c->src, info, &c->session);
		if (err != LT_OK) {
			audio_source_close(c->src);
			c->src = NULL;
		}
	}
	if (err != LT_OK) {
		tell(c, CTRL_FAILED, 0, uid);
		return err;
	}
	/* The occurrence reaches the spool sidecar too: a store lost during this part must not
	 * forget which session it belongs to. */
	if (ev && store_recording_set_event(c->st, session_id(c->session), ev) == LT_OK)
		spoolmeta_save(c->st, session_id(c->session));
	snprintf(c->title, sizeof c->title, "%s", info->title ? info->title : "");
	snprintf(c->event_uid, sizeof c->event_uid, "%s", uid);
	tell(c, CTRL_STARTED, session_id(c->session), uid);
	return LT_OK;
}

lt_err controller_start_manual(struct controller *c, int64_t now, const char *title)
{
	(void)now;
	if (c->session)
		return LT_ERR_STATE;
	struct session_info info = {.title = title};
	lt_err err = start(c, &info, NULL, "");
	if (err == LT_OK)
		log_info("recording %lld: started by hand", (long long)session_id(c->session));
	return err;
}

/* Whether `o` is a session the box records by itself. */
static bool recordable(const struct controller *c, const struct occurrence *o)
{
	if (o->all_day || o->end - o->start < c->cfg->min_event_s)
		return false; /* a sub-minute "session" is a runaway rule (FREQ=SECONDLY), not a talk */
	return o->end - o->start <= (int64_t)c->cfg->max_event_hours * 3600;
}

/* The occurrence that should be recording at `now`, if any (earliest start wins). */
static bool due_occurrence(struct controller *c, int64_t now, struct occurrence *due,
			   char *key, size_t key_len)
{
	const struct config *cfg = c->cfg;
	struct occurrence_list l = {0};
	int64_t margin = (int64_t)cfg->max_event_hours * 3600 + cfg->postroll_s + 1;
	if (schedule_window(c->sched, now - margin, now + cfg->preroll_s + 1, &l) != LT_OK)
		return false;
	bool found = false;
	for (size_t i = 0; i < l.count && !found; i++) {
		struct occurrence *o = &l.items[i];
		if (!recordable(c, o) || now < o->start - cfg->preroll_s ||
		    now >= o->end + cfg->postroll_s)
			continue;
		char k[320];
		event_key(o, k, sizeof k);
		if (c->session && c->scheduled && strcmp(k, c->event_key) == 0) {
			found = true; /* the one we are recording */
		} else if (store_event_recordings(c->st, k, ending_reasons) > 0) {
			continue; /* recorded to its end (or stopped by a person): not again */
		} else if (strcmp(k, c->failed_key) == 0 && now - c->failed_at < RETRY_START_S) {
			continue;
		} else {
			found = true;
		}
		if (found) {
			*due = *o; /* the caller owns the malloc'd members now */
			memset(o, 0, sizeof *o);
			snprintf(key, key_len, "%s", k);
		}
	}
	occurrence_list_free(&l);
	return found;
}

void controller_tick(struct controller *c, int64_t now)
{
	const struct config *cfg = c->cfg;
	if (c->session && session_wait(c->session, 0)) {
		/* Ended by itself. The maximum is the occurrence's end (or the configured cap):
		 * that part is complete. Anything else (source gone, disk full) cut it short: the
		 * occurrence, if still on, gets a new part, no sooner than a failed start would. */
		struct recorder_status now_st;
		session_status(c->session, &now_st);
		bool complete = now_st.end == RECORDER_MAX_REACHED;
		if (!complete && c->scheduled) {
			log_warn("schedule: the recording of %s was cut short: a new part in %d s "
				 "if the session is still on", c->event_key, RETRY_START_S);
			snprintf(c->failed_key, sizeof c->failed_key, "%s", c->event_key);
			c->failed_at = now;
		}
		stop(c, "the recording ended by itself", complete ? END_MAXIMUM : NULL);
	}
	struct occurrence due;
	char key[320];
	bool have_due = cfg->auto_record && due_occurrence(c, now, &due, key, sizeof key);
	bool due_is_current = have_due && c->session && c->scheduled && strcmp(key, c->event_key) == 0;

	if (c->session && c->scheduled && !due_is_current) {
		/* Our occurrence is over (end + postroll), or the next one is due after its end. */
		if (now >= c->stop_at || (have_due && now >= c->event_end)) {
			const char *why = now >= c->stop_at ? END_SESSION_OVER : END_NEXT_BEGINS;
			stop(c, why, why);
		}
	}
	if (!have_due || due_is_current)
		goto out;
	if (c->session && !c->scheduled) {
		if (strcmp(cfg->conflict, "manual_wins") == 0)
			goto out;
		stop(c, "a scheduled session begins", "a scheduled session begins");
	}
	if (c->session)
		goto out;
	struct session_info info = {.title = due.title, .presenter = due.presenter};
	/* A session joined late records the rest, as its own part. */
	int64_t left = due.end + cfg->postroll_s - now;
	info.max_seconds = left > 0 ? left : 1;
	struct store_event ev = {.key = key, .series = due.series, .workflow = due.workflow,
				 .workflow_config = due.workflow_config,
				 .episode_dc = due.episode_dc};
	lt_err err = start(c, &info, &ev, due.uid);
	if (err != LT_OK) {
		if (strcmp(key, c->failed_key) != 0)
			log_error("schedule: cannot record the session of %s: %s", key,
				  lt_strerror(err));
		snprintf(c->failed_key, sizeof c->failed_key, "%s", key);
		c->failed_at = now;
		goto out;
	}
	c->scheduled = true;
	snprintf(c->event_key, sizeof c->event_key, "%s", key);
	c->stop_at = due.end + cfg->postroll_s;
	c->event_end = due.end;
	log_info("recording %lld: started on schedule (%s)", (long long)session_id(c->session),
		 now > due.start ? "joined late" : "on time");
out:
	if (have_due)
		occurrence_clear(&due);
}

void controller_destroy(struct controller *c)
{
	if (!c)
		return;
	if (c->session)
		stop(c, "the appliance is stopping", "the appliance is stopping");
	free(c);
}
