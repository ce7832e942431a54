/*
 * upload_attendance.c — attendance delivered with a recording (upload_attendance.h).
 *
 * What must stay true: in `count` mode no name or e-mail leaves here, even one a store
 * written in `names` mode still holds; in `none` mode nothing about attendance does. No
 * name is ever logged.
 */
#include "lectern/upload_attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lectern/csvout.h"
#include "lectern/jsonout.h"
#include "lectern/log.h"
#include "lectern/osutil.h"
#include "lectern/reports.h"
#include "lectern/upload.h"

struct gather {
	bool names;
	json_object *list, *by_method;
	int count;
};

static int add_checkin(const struct store_checkin *c, void *user)
{
	struct gather *g = user;
	json_object *one = json_object_new_object();
	if (!one)
		return 1;
	char at[32];
	json_local_time(c->at_ms / 1000, at, sizeof at);
	jsonout_put_string(one, "method", c->method);
	jsonout_put_string(one, "checked_in_at", at);
	if (g->names && c->name[0])
		jsonout_put_string(one, "name", c->name);
	if (g->names && c->email[0])
		jsonout_put_string(one, "email", c->email);
	json_object_array_add(g->list, one);
	json_object *n = NULL;
	int64_t before = json_object_object_get_ex(g->by_method, c->method, &n)
				 ? json_object_get_int64(n) : 0;
	jsonout_put_int(g->by_method, c->method, before + 1);
	g->count++;
	return 0;
}

json_object *upload_attendance_json(const struct config *cfg, struct store *st,
				    const struct recording *rec, char *key, size_t key_len,
				    int *count)
{
	*count = -1;
	if (key_len)
		key[0] = '\0';
	if (strcmp(cfg->attendance, "none") == 0 || !st)
		return NULL;
	struct report_session s;
	if (store_recording_session_key(st, rec->id, key, key_len) != LT_OK)
		return NULL;
	lt_err err = store_report_session(st, key, &s);
	if (err != LT_OK || !s.checkin) {
		if (err != LT_OK && err != LT_ERR_NOT_FOUND)
			log_warn("attendance: session %s cannot be read: its recording %lld goes "
				 "without attendance", key, (long long)rec->id);
		return NULL;
	}
	struct gather g = {.names = strcmp(cfg->attendance, "names") == 0,
			   .list = json_object_new_array(),
			   .by_method = json_object_new_object()};
	json_object *o = json_object_new_object();
	if (!o || !g.list || !g.by_method ||
	    store_checkins_each(st, key, add_checkin, &g) != LT_OK) {
		json_object_put(o);
		json_object_put(g.list);
		json_object_put(g.by_method);
		log_warn("attendance: the check-ins of session %s cannot be read: recording %lld "
			 "goes without attendance", key, (long long)rec->id);
		return NULL;
	}
	jsonout_put_string(o, "session", key);
	jsonout_put_int(o, "count", g.count);
	json_object_object_add(o, "by_method", g.by_method);
	json_object_object_add(o, "checkins", g.list);
	*count = g.count;
	return o;
}

/* A text member of a JSON object, "" when it has none. */
static const char *member(json_object *o, const char *name)
{
	json_object *v = NULL;
	return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : "";
}

char *upload_attendance_csv(const char *sidecar_json, int *count)
{
	*count = -1;
	json_object *root = sidecar_json ? json_tokener_parse(sidecar_json) : NULL;
	json_object *att = NULL, *list = NULL, *n = NULL;
	char *text = NULL;
	size_t len = 0;
	if (!json_object_object_get_ex(root, "attendance", &att) ||
	    !json_object_is_type(att, json_type_object) ||
	    !json_object_object_get_ex(att, "checkins", &list) ||
	    !json_object_is_type(list, json_type_array) ||
	    !json_object_object_get_ex(att, "count", &n))
		goto done;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		goto done;
	static const char *const header[] = {"name", "email", "method", "checked_in_at"};
	csvout_row(out, header, 4);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *c = json_object_array_get_idx(list, i);
		const char *row[] = {member(c, "name"), member(c, "email"), member(c, "method"),
				     member(c, "checked_in_at")};
		csvout_row(out, row, 4);
	}
	if (fclose(out) != 0) {
		free(text);
		text = NULL;
	} else {
		*count = (int)json_object_get_int64(n);
	}
done:
	json_object_put(root);
	return text;
}

/* --- check-ins after the delivery ----------------------------------------------------------- */

/* When the follow-up may be tried again after a failure (the queue's backoff, in memory:
 * a restart tries at once, which is what a person restarting expects). */
static int64_t next_try_ms;
static int failures;

struct recording_list {
	struct recording *items;
	size_t n, cap;
	const char *key;
	struct store *st;
};

static int collect_uploaded(const struct recording *rec, void *user)
{
	struct recording_list *l = user;
	char key[320];
	if (!rec->remote[0] || store_recording_session_key(l->st, rec->id, key, sizeof key) != LT_OK ||
	    strcmp(key, l->key) != 0)
		return 0;
	struct recording *more = os_grow(l->items, l->n, &l->cap, sizeof *more, 4);
	if (!more)
		return 1;
	l->items = more;
	l->items[l->n++] = *rec;
	return 0;
}

struct changed {
	struct report_session *items;
	size_t n, cap;
};

/* Collected first: the sessions are marked while none of the store's reads is open. */
static int collect_changed(const struct report_session *s, void *user)
{
	struct changed *c = user;
	struct report_session *more = os_grow(c->items, c->n, &c->cap, sizeof *more, 4);
	if (!more)
		return 1;
	c->items = more;
	c->items[c->n++] = *s;
	return 0;
}

/* The sidecars of session `s`'s delivered recordings sent again; false when one failed. */
static bool update_session(const struct config *cfg, struct store *st,
			   const struct upload_target_ops *target, const struct report_session *s,
			   int64_t now_ms, int *sent)
{
	struct recording_list l = {.key = s->key, .st = st};
	if (store_recordings_each(st, REC_MASK(REC_UPLOADED), collect_uploaded, &l) != LT_OK) {
		free(l.items);
		return false;
	}
	int count = s->count, here = 0;
	bool ok = true;
	for (size_t i = 0; i < l.n && ok; i++) {
		char key[320], why[320] = "";
		json_object *att = upload_attendance_json(cfg, st, &l.items[i], key, sizeof key,
							  &count);
		/* Without it the sidecar would say null: not what changed, so not sent. */
		char *side = att ? upload_sidecar_json_attendance(cfg, &l.items[i],
								  l.items[i].sha256, att)
				 : NULL;
		lt_err err = side ? target->put_sidecar(cfg, &l.items[i], side, why, sizeof why)
				  : LT_ERR_NOMEM;
		free(side);
		if (err == LT_ERR_NOT_FOUND) {
			/* Delivered before the target was changed: nothing of ours to replace (and
			 * looked at again each pass: debug only). */
			log_debug("attendance: recording %lld: not updated: %s",
				  (long long)l.items[i].id, why);
		} else if (err == LT_OK) {
			(*sent)++;
			here++;
			log_info("attendance: recording %lld: its sidecar sent again (%d check-ins, "
				 "%d at delivery)", (long long)l.items[i].id, count,
				 s->delivered_count);
		} else {
			log_warn("attendance: recording %lld: the sidecar with the check-ins since its "
				 "delivery cannot be sent: %s", (long long)l.items[i].id,
				 why[0] ? why : lt_strerror(err));
			ok = false;
		}
	}
	free(l.items);
	/* Marked with the count they now carry; with no delivered recording left (forgotten by
	 * retention) all the same, so that it is not looked at again. Recordings all delivered
	 * to another kind of target got nothing: the session stays as it was, its check-ins
	 * "after delivery" for `lectern attendance`. */
	if (ok && (here > 0 || l.n == 0))
		store_checkin_session_delivered(st, s->key, now_ms, count);
	return ok;
}

int upload_attendance_updates(const struct config *cfg, struct store *st, int64_t now_ms,
			      bool ignore_backoff)
{
	const struct upload_target_ops *target = upload_target(cfg);
	if (!target || !target->put_sidecar || strcmp(cfg->attendance, "none") == 0 ||
	    (strcmp(cfg->attendance, "names") == 0 && cfg->forget_names_when_delivered))
		return 0;
	if (!ignore_backoff && (now_ms < next_try_ms || !upload_window_open(cfg, now_ms)))
		return 0;
	struct changed c = {0};
	bool failed = store_report_changed_since_delivery(st, collect_changed, &c) != LT_OK;
	int sent = 0;
	/* The first failure stops the pass: the rest would meet the same server. */
	for (size_t i = 0; i < c.n && !failed; i++)
		failed = !update_session(cfg, st, target, &c.items[i], now_ms, &sent);
	free(c.items);
	if (failed) {
		unsigned rnd = 0;
		if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			rnd = (unsigned)now_ms;
		next_try_ms = now_ms + upload_backoff_ms(cfg, ++failures, rnd);
		return -1;
	}
	failures = 0;
	next_try_ms = 0;
	return sent;
}
