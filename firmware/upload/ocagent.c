/*
 * ocagent.c — the capture agent's presence in Opencast (contract in ocagent.h).
 *
 * What must stay true: only the agent's thread talks to the network; the main thread only
 * queues under the lock (ocagent_observe) and is never made to wait for a server. A report
 * that failed is logged, never retried in a loop faster than once a second.
 */
#include "lectern/ocagent.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lectern/log.h"
#include "lectern/net.h"
#include "lectern/opencast.h"
#include "lectern/osutil.h"
#include "lectern/store.h"
#include "lectern/worker.h"

#define PENDING_MAX 32
#define OFFLINE_TIMEOUT_S 5L

struct pending {
	char uid[320];
	const char *state;          /* a recording state (static string) */
};

struct ocagent {
	const struct config *cfg;
	struct store *st;
	struct opencast_conn conn;
	struct net_server srv;       /* [opencast] url and its account (net.h) */
	char name[128];
	char admin[1024];
	char address[64];
	struct worker *w;
	atomic_bool stopping;       /* cancels a call in flight */
	/* The worker's own: its session, whether it has introduced itself, when it last posted. */
	struct opencast_session *session;
	bool introduced;
	double last_post;
	pthread_mutex_t lock;
	/* under lock */
	struct pending pending[PENDING_MAX];
	int npending;
	bool capturing, failed;
	const char *reported;       /* the last agent state sent ("" before the first) */
};

static const char *recording_state(enum controller_change change)
{
	switch (change) {
	case CTRL_STARTED: return "capturing";
	case CTRL_FINISHED: return "capture_finished";
	case CTRL_FAILED: return "capture_error";
	}
	return "capture_error";
}

void ocagent_observe(void *agent, enum controller_change change, int64_t recording_id,
		     const char *event_uid)
{
	(void)recording_id;
	struct ocagent *a = agent;
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->capturing = change == CTRL_STARTED;
	a->failed = change == CTRL_FAILED;
	/* Only a scheduled recording has an Opencast event to report on. */
	if (event_uid && *event_uid) {
		if (a->npending < PENDING_MAX) {
			struct pending *p = &a->pending[a->npending++];
			snprintf(p->uid, sizeof p->uid, "%s", event_uid);
			p->state = recording_state(change);
		} else {
			log_warn("opencast: too many recording states waiting; '%s' of %s not reported",
				 recording_state(change), event_uid);
		}
	}
	pthread_mutex_unlock(&a->lock);
	worker_wake(a->w);
}

const char *ocagent_state(struct ocagent *a)
{
	if (!a)
		return "idle";
	pthread_mutex_lock(&a->lock);
	const char *s = a->reported[0] ? a->reported : "idle";
	pthread_mutex_unlock(&a->lock);
	return s;
}

static int any_uploading(const struct recording *rec, void *user)
{
	(void)rec;
	*(bool *)user = true;
	return 1;
}

/* POST `fields` to capture-admin's `path` (already escaped); logs a failure. */
static lt_err post(struct ocagent *a, struct opencast_session *s, const char *path,
		   const struct net_field *f, size_t count)
{
	char url[2048], why[320];
	snprintf(url, sizeof url, "%s%s", a->admin, path);
	struct net_answer ans;
	lt_err rc = opencast_call(s, url, f, count, NULL, &ans, why, sizeof why);
	if (rc == LT_OK && ans.local_ip[0] && !a->address[0])
		snprintf(a->address, sizeof a->address, "%s", ans.local_ip);
	if (rc != LT_OK)
		log_warn("opencast: capture-admin %s: %s", path, why);
	net_answer_free(&ans);
	return rc;
}

static void agent_path(struct ocagent *a, const char *suffix, char *buf, size_t n)
{
	char *name = net_escape(a->name, 0);
	snprintf(buf, n, "/agents/%s%s", name ? name : "", suffix);
	free(name);
}

static lt_err post_agent_state(struct ocagent *a, struct opencast_session *s, const char *state)
{
	char path[512];
	agent_path(a, "", path, sizeof path);
	if (!a->address[0] && gethostname(a->address, sizeof a->address) != 0)
		snprintf(a->address, sizeof a->address, "%s", "localhost");
	struct net_field f[] = {
		{.name = "address", .value = a->address},
		{.name = "state", .value = state},
	};
	return post(a, s, path, f, 2);
}

static void post_capabilities(struct ocagent *a, struct opencast_session *s)
{
	const char *flavor = a->cfg->opencast_flavor[0] ? a->cfg->opencast_flavor
							: "presenter/source";
	static const char *const keys[] = {
		"capture.device.names", "capture.device.audio.flavor",
		"capture.device.audio.outputfile", "capture.device.audio.src",
	};
	const char *values[] = {"audio", flavor, "audio.opus", a->cfg->audio_device};
	char *xml = opencast_properties_xml(keys, values, sizeof keys / sizeof keys[0]);
	if (!xml)
		return;
	char path[512];
	agent_path(a, "/configuration", path, sizeof path);
	struct net_field f[] = {{.name = "configuration", .value = xml}};
	post(a, s, path, f, 1);
	free(xml);
}

static void find_admin(struct ocagent *a, struct opencast_session *s)
{
	char why[320];
	if (opencast_session_discover(s, OPENCAST_CAPTURE_ADMIN_SERVICE, a->admin,
				      sizeof a->admin, why, sizeof why) == LT_OK)
		return;
	size_t len = strlen(a->cfg->opencast_url);
	while (len && a->cfg->opencast_url[len - 1] == '/')
		len--;
	snprintf(a->admin, sizeof a->admin, "%.*s/capture-admin", (int)len, a->cfg->opencast_url);
	log_info("opencast: %s; reporting to %s", why, a->admin);
}

/*
 * One pass of the agent's worker (worker.h), once a second (the store's `uploading` is polled)
 * and at once when ocagent_observe() queued something: the recording states queued, then the
 * agent's state when it changed or its period passed.
 */
static void agent_pass(void *arg)
{
	struct ocagent *a = arg;
	struct opencast_session *s = a->session;
	if (!a->introduced) {
		find_admin(a, s);
		post_capabilities(a, s);
		a->introduced = true;
	}
	pthread_mutex_lock(&a->lock);
	struct pending todo[PENDING_MAX];
	int ntodo = a->npending;
	memcpy(todo, a->pending, sizeof todo[0] * (size_t)ntodo);
	a->npending = 0;
	bool capturing = a->capturing, failed = a->failed;
	const char *last = a->reported;
	pthread_mutex_unlock(&a->lock);

	for (int i = 0; i < ntodo; i++) {
		char *uid = net_escape(todo[i].uid, 0), path[1024];
		snprintf(path, sizeof path, "/recordings/%s", uid ? uid : "");
		free(uid);
		struct net_field f[] = {{.name = "state", .value = todo[i].state}};
		post(a, s, path, f, 1);
	}
	bool uploading = false;
	if (!capturing)
		store_recordings_each(a->st, REC_MASK(REC_UPLOADING), any_uploading, &uploading);
	const char *state = capturing ? "capturing" : uploading ? "uploading"
					: failed ? "error" : "idle";
	double now = os_mono_s();
	if (strcmp(state, last) == 0 && now - a->last_post < a->cfg->opencast_state_s)
		return;
	/* Sent or not, the next try is a period away (or the next change). */
	post_agent_state(a, s, state);
	a->last_post = now;
	pthread_mutex_lock(&a->lock);
	a->reported = state;
	pthread_mutex_unlock(&a->lock);
}

lt_err ocagent_start(const struct config *cfg, const char *db_path, struct ocagent **out)
{
	*out = NULL;
	struct ocagent *a = calloc(1, sizeof *a);
	if (!a)
		return LT_ERR_NOMEM;
	a->cfg = cfg;
	a->reported = "";
	snprintf(a->name, sizeof a->name, "%s", cfg->opencast_agent[0] ? cfg->opencast_agent
								     : cfg->room);
	char why[320];
	lt_err err = net_resolve(cfg, NET_ROLE_OPENCAST, &a->srv, why, sizeof why);
	if (err != LT_OK) {
		/* LT_ERR_NOT_FOUND: neither the calendar nor the upload is Opencast, no agent. */
		if (err != LT_ERR_NOT_FOUND)
			log_error("opencast: the capture agent cannot start: %s", why);
		net_server_clear(&a->srv);
		free(a);
		return err == LT_ERR_NOT_FOUND ? LT_OK : err;
	}
	a->conn = opencast_conn_of(&a->srv, cfg->schedule_timeout_s > 0 ? cfg->schedule_timeout_s
									 : 30, &a->stopping);
	a->last_post = -1e9;
	pthread_mutex_init(&a->lock, NULL);
	fetch_global_init();
	err = store_open(db_path, &a->st);
	if (err == LT_OK && opencast_session_open(&a->conn, &a->session) != LT_OK) {
		log_error("opencast: the capture agent cannot start: out of memory");
		err = LT_ERR_NOMEM;
	}
	if (err == LT_OK)
		err = worker_start(agent_pass, a, 1000, &a->w);
	if (err != LT_OK) {
		opencast_session_close(a->session);
		store_close(a->st);
		pthread_mutex_destroy(&a->lock);
		net_server_clear(&a->srv);
		free(a);
		return err;
	}
	log_info("opencast: capture agent '%s' reporting to %s", a->name, cfg->opencast_url);
	*out = a;
	return LT_OK;
}

void ocagent_stop(struct ocagent *a, bool offline)
{
	if (!a)
		return;
	atomic_store(&a->stopping, true);
	worker_stop(a->w);
	opencast_session_close(a->session);
	if (offline && a->admin[0]) {
		/* Once more, briefly, on a fresh handle: a server that is down must not hold up
		 * the shutdown. */
		struct opencast_conn c = a->conn;
		c.cancel = NULL;
		c.timeout_s = OFFLINE_TIMEOUT_S;
		struct opencast_session *s;
		if (opencast_session_open(&c, &s) == LT_OK) {
			post_agent_state(a, s, "offline");
			opencast_session_close(s);
		}
	}
	store_close(a->st);
	net_server_clear(&a->srv);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
