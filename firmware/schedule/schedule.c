/*
 * schedule.c — the configured calendar source, fetched, parsed, cached (see schedule.h).
 *
 * What must stay true: the cache only ever holds text that parsed. A fetch that fails, an
 * answer that is not a calendar, or a truncated one leaves the cache as it was and marks the
 * schedule stale.
 */
#include "lectern/schedule.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lectern/fetch.h"
#include "lectern/log.h"
#include "lectern/net.h"
#include "lectern/opencast.h"
#include "lectern/osutil.h"
#include "lectern/worker.h"

#define MAX_CALENDAR_BYTES (64u << 20)

struct schedule {
	const struct config *cfg;
	struct store *st;
	struct calendar *cal;        /* parsed from the cache */
	unsigned generation;         /* counts the calendars `cal` has held */
	int64_t kept_from, kept_to;  /* what `cal` holds of the text (calendar_options) */
	struct store_calendar_cache cache;
	int64_t next_attempt;        /* unix seconds */
	bool stale;
	int64_t stale_since;         /* time of the calendar in use */
	const atomic_bool *cancel;   /* stops a fetch in flight (the fetcher's shutdown) */
	/* In `lectern run`, what the fetcher thread expanded: the main loop only reads it. */
	bool fed;
	struct occurrence_list occ;  /* sorted by start */
	int64_t occ_from, occ_to;
};

static bool is_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/*
 * Read a calendar file, each line cut to CALENDAR_MAX_LINE_BYTES + 1 bytes on the way:
 * calendar_parse drops longer lines anyway, and a file of one enormous line then costs no
 * memory (the buffer's untouched pages are never mapped in).
 */
static lt_err read_file(const char *path, char **out, size_t *len, char *why, size_t n)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(why, n, "cannot open %s: %s", path, strerror(errno));
		return LT_ERR_IO;
	}
	struct stat sb;
	if (fstat(fileno(fp), &sb) != 0 || sb.st_size > (off_t)MAX_CALENDAR_BYTES) {
		snprintf(why, n, "%s is larger than %u MB", path, MAX_CALENDAR_BYTES >> 20);
		fclose(fp);
		return LT_ERR_IO;
	}
	const size_t cut = CALENDAR_MAX_LINE_BYTES + 1;
	char *buf = malloc((size_t)sb.st_size + 1);
	size_t kept = 0, line = 0, got;
	char chunk[64 * 1024];
	while (buf && kept < (size_t)sb.st_size && (got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		for (size_t i = 0; i < got && kept < (size_t)sb.st_size;) {
			const char *nl = memchr(chunk + i, '\n', got - i);
			size_t content = nl ? (size_t)(nl - chunk) - i : got - i;
			size_t keep = line >= cut ? 0 : content < cut - line ? content : cut - line;
			memcpy(buf + kept, chunk + i, keep);
			kept += keep;
			line += content;
			i += content;
			if (nl) {
				buf[kept++] = '\n';
				line = 0;
				i++;
			}
		}
	}
	bool failed = !buf || ferror(fp);
	fclose(fp);
	if (failed) {
		free(buf);
		snprintf(why, n, "cannot read %s", path);
		return buf ? LT_ERR_IO : LT_ERR_NOMEM;
	}
	buf[kept] = '\0';
	*out = buf;
	*len = kept;
	return LT_OK;
}

/*
 * Get the source's text: a file, a URL, or Opencast's calendar for this agent.
 * *body NULL with LT_OK means "not modified".
 */
static lt_err fetch_source(const struct config *cfg, const char *ics, const atomic_bool *cancel,
			   const struct store_calendar_cache *prev, int64_t now, bool full,
			   char **body, size_t *len, struct store_calendar_cache *next, char *why,
			   size_t n)
{
	*body = NULL;
	*len = 0;
	if (ics && !is_url(ics)) {
		snprintf(next->source, sizeof next->source, "%s", ics);
		return read_file(ics, body, len, why, n);
	}
	/* The calendar's server, credentials and CA: net.h's one rule. */
	struct net_server srv;
	lt_err err = net_resolve(cfg, NET_ROLE_CALENDAR, &srv, why, n);
	/* A URL given on the command line that is not the configured calendar's is fetched
	 * without credentials: they are not sent where the configuration did not say. */
	if (err == LT_ERR_NOT_FOUND || (err == LT_OK && ics && strcmp(srv.url, ics) != 0)) {
		net_server_clear(&srv);
		memset(&srv, 0, sizeof srv);
		err = LT_OK;
	}
	if (err != LT_OK)
		return err;
	struct fetch_request req = {.cancel = cancel, .timeout_s = cfg->schedule_timeout_s,
				    .max_bytes = MAX_CALENDAR_BYTES};
	net_prepare_request(&srv, &req);
	char url[2048];
	if (ics) {
		snprintf(url, sizeof url, "%s", ics);
	} else {
		struct opencast_conn conn = opencast_conn_of(&srv, cfg->schedule_timeout_s, cancel);
		char scheduler[1024];
		err = opencast_discover(&conn, OPENCAST_SCHEDULER_SERVICE, scheduler,
					sizeof scheduler, why, n);
		if (err != LT_OK) {
			net_server_clear(&srv);
			return err;
		}
		const char *agent = cfg->opencast_agent[0] ? cfg->opencast_agent : cfg->room;
		int64_t cutoff_ms = (now + (int64_t)cfg->lookahead_days * 86400) * 1000;
		err = opencast_calendar_url(scheduler, agent, cutoff_ms, url, sizeof url);
		if (err != LT_OK) {
			net_server_clear(&srv);
			snprintf(why, n, "the calendar URL is too long");
			return err;
		}
	}
	snprintf(next->source, sizeof next->source, "%s", ics ? ics : cfg->opencast_url);
	bool same_source = strcmp(prev->source, next->source) == 0 && prev->body;
	if (same_source && !full) {
		req.etag = prev->etag[0] ? prev->etag : NULL;
		req.last_modified = prev->last_modified[0] ? prev->last_modified : NULL;
	}
	req.url = url;
	struct fetch_result res;
	err = fetch_get(&req, &res);
	net_server_clear(&srv);
	if (err != LT_OK) {
		snprintf(why, n, "%s", res.error);
		fetch_result_free(&res);
		return err;
	}
	if (!res.not_modified) {
		*body = res.body;
		*len = res.body_len;
		res.body = NULL;
		snprintf(next->etag, sizeof next->etag, "%s", res.etag);
		snprintf(next->last_modified, sizeof next->last_modified, "%s", res.last_modified);
	}
	fetch_result_free(&res);
	return LT_OK;
}

/* Parse what can occur in [from, to) (see calendar_options). */
static lt_err parse(const struct config *cfg, const char *body, size_t len, int64_t from,
		    int64_t to, struct calendar **out, char *why, size_t n)
{
	struct calendar_options opt = {.presenter_property = cfg->presenter_property,
				       .keep_from = from, .keep_to = to};
	char err[256];
	lt_err rc = calendar_parse(body, len, &opt, out, err, sizeof err);
	if (rc != LT_OK)
		snprintf(why, n, "the calendar was not used: %s", err);
	return rc;
}

/*
 * Parse for the days the appliance looks at from `now` (yesterday .. the look-ahead, and a
 * day more on both sides, so that a day passes before the window moves out of it).
 */
static lt_err parse_for(struct schedule *s, const char *body, size_t len, int64_t now,
			struct calendar **out, char *why, size_t n)
{
	int64_t from = calendar_local_midnight(now, -2);
	int64_t to = calendar_local_midnight(now, s->cfg->lookahead_days + 2);
	lt_err err = parse(s->cfg, body, len, from, to, out, why, n);
	if (err == LT_OK) {
		s->kept_from = from;
		s->kept_to = to;
	}
	return err;
}

lt_err schedule_open(const struct config *cfg, struct store *st, struct schedule **out)
{
	struct schedule *s = calloc(1, sizeof *s);
	if (!s)
		return LT_ERR_NOMEM;
	s->cfg = cfg;
	s->st = st;
	if (store_calendar_load(st, &s->cache) == LT_OK && s->cache.body) {
		char why[320];
		if (parse_for(s, s->cache.body, s->cache.len, (int64_t)time(NULL), &s->cal, why,
			      sizeof why) != LT_OK)
			log_warn("schedule: the cached calendar cannot be read: %s", why);
		s->stale_since = s->cache.ok_ms / 1000;
		s->stale = s->cache.error[0] != '\0';
	}
	*out = s;
	return LT_OK;
}

void schedule_close(struct schedule *s)
{
	if (!s)
		return;
	occurrence_list_free(&s->occ);
	calendar_free(s->cal);
	store_calendar_cache_free(&s->cache);
	free(s);
}

bool schedule_stale(const struct schedule *s, int64_t *since)
{
	if (since)
		*since = s->stale_since;
	return s->stale;
}

static void store_expansion(struct schedule *s, int64_t now)
{
	struct occurrence_list l = {0};
	int64_t from = calendar_local_midnight(now, -1);
	int64_t to = now + (int64_t)s->cfg->lookahead_days * 86400;
	struct store_occurrence *rows = NULL;
	if (calendar_expand(s->cal, from, to, &l) == LT_OK &&
	    (rows = calloc(l.count ? l.count : 1, sizeof *rows))) {
		for (size_t i = 0; i < l.count; i++) {
			const struct occurrence *o = &l.items[i];
			rows[i] = (struct store_occurrence){
				.uid = o->uid, .start = o->start, .end = o->end, .all_day = o->all_day,
				.recurrence_id = o->recurrence_id, .title = o->title,
				.presenter = o->presenter, .location = o->location, .series = o->series,
				.attendees = o->attendees};
		}
		store_occurrences_replace(s->st, rows, l.count);
	}
	free(rows);
	occurrence_list_free(&l);
}

lt_err schedule_refresh(struct schedule *s, int64_t now, bool force, char *why, size_t n)
{
	const struct config *cfg = s->cfg;
	why[0] = '\0';
	if (strcmp(cfg->schedule_source, "none") == 0)
		return LT_OK;
	if (!force && now < s->next_attempt)
		return LT_OK;
	s->next_attempt = now + cfg->schedule_refresh_s;
	bool opencast = strcmp(cfg->schedule_source, "opencast") == 0;
	bool full = opencast && now * 1000 - s->cache.full_ms >= cfg->opencast_full_fetch_s * 1000LL;
	struct store_calendar_cache next = s->cache;
	next.body = NULL;
	next.attempt_ms = now * 1000;
	char *body = NULL;
	size_t len = 0;
	lt_err err = fetch_source(cfg, opencast ? NULL : cfg->schedule_ics, s->cancel, &s->cache,
				  now, full, &body, &len, &next, why, n);
	struct calendar *cal = NULL;
	if (err == LT_OK && body)
		err = parse_for(s, body, len, now, &cal, why, n);
	if (err != LT_OK) {
		free(body);
		if (!s->stale)
			log_warn("schedule: %s; keeping the calendar of %lld", why,
				 (long long)(s->cache.ok_ms / 1000));
		s->stale = true;
		s->cache.attempt_ms = now * 1000;
		snprintf(s->cache.error, sizeof s->cache.error, "%s", why);
		store_calendar_save(s->st, &s->cache);
		return err;
	}
	next.ok_ms = now * 1000;
	next.error[0] = '\0';
	if (full)
		next.full_ms = now * 1000;
	if (body) {
		next.body = body;
		next.len = len;
		store_calendar_cache_free(&s->cache);
		calendar_free(s->cal);
		s->cal = cal;
		s->generation++;
		log_info("schedule: calendar updated from %s", next.source);
	} else {
		next.body = s->cache.body; /* 304: the cached text is still the calendar */
		next.len = s->cache.len;
	}
	s->cache = next;
	s->stale = false;
	s->stale_since = now;
	store_calendar_save(s->st, &s->cache);
	if (s->cal)
		store_expansion(s, now);
	return LT_OK;
}

unsigned schedule_generation(const struct schedule *s)
{
	return s->generation;
}

/* Occurrences of the fetcher's expansion overlapping [from, to), copied. */
static lt_err window_of_fed(const struct schedule *s, int64_t from, int64_t to,
			    struct occurrence_list *out)
{
	if (from < s->occ_from || to > s->occ_to)
		log_debug("schedule: [%lld, %lld) asked, [%lld, %lld) expanded",
			  (long long)from, (long long)to, (long long)s->occ_from,
			  (long long)s->occ_to);
	for (size_t i = 0; i < s->occ.count && s->occ.items[i].start < to; i++) {
		const struct occurrence *o = &s->occ.items[i];
		bool in = o->end == o->start ? o->start >= from : o->end > from;
		if (in && occurrence_list_copy(out, o) != LT_OK)
			return LT_ERR_NOMEM;
	}
	return LT_OK;
}

lt_err schedule_window(struct schedule *s, int64_t from, int64_t to, struct occurrence_list *out)
{
	if (s->fed)
		return window_of_fed(s, from, to, out);
	if (!s->cal)
		return LT_OK;
	if ((from < s->kept_from || to > s->kept_to) && s->cache.body) {
		/* Time moved on (or a wider range is asked): read the cached text again for it. */
		int64_t now = (int64_t)time(NULL);
		int64_t want_from = calendar_local_midnight(from < now ? from : now, -2);
		int64_t want_to = calendar_local_midnight(to, 2);
		int64_t ahead = calendar_local_midnight(now, s->cfg->lookahead_days + 2);
		struct calendar *cal;
		char why[320];
		if (parse(s->cfg, s->cache.body, s->cache.len, want_from,
			  want_to > ahead ? want_to : ahead, &cal, why, sizeof why) == LT_OK) {
			calendar_free(s->cal);
			s->cal = cal;
			s->generation++;
			s->kept_from = want_from;
			s->kept_to = want_to > ahead ? want_to : ahead;
		}
	}
	return calendar_expand(s->cal, from, to, out);
}

lt_err schedule_list(const struct config *cfg, const char *ics, int64_t from, int64_t to,
		     struct occurrence_list *out, char *why, size_t n)
{
	if (ics) {
		struct store_calendar_cache none = {0}, next = {0};
		char *body;
		size_t len;
		lt_err err = fetch_source(cfg, ics, NULL, &none, from, true, &body, &len, &next, why,
					  n);
		if (err != LT_OK)
			return err;
		struct calendar *cal;
		/* a day either side: an occurrence's local date and its UTC one may differ */
		err = parse(cfg, body, len, from - 86400, to + 86400, &cal, why, n);
		free(body);
		if (err != LT_OK)
			return err;
		err = calendar_expand(cal, from, to, out);
		calendar_free(cal);
		return err;
	}
	if (strcmp(cfg->schedule_source, "none") == 0) {
		snprintf(why, n, "no calendar is configured: set [schedule] source in %s, or give "
				 "--ics FILE|URL", cfg->source);
		return LT_ERR_CONFIG;
	}
	struct store *st;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/lectern.db", cfg->data_dir);
	if (os_check_writable_dir(cfg->data_dir) != LT_OK || store_open(path, &st) != LT_OK) {
		snprintf(why, n, "cannot open the store in %s", cfg->data_dir);
		return LT_ERR_STORE;
	}
	struct schedule *s;
	lt_err err = schedule_open(cfg, st, &s);
	if (err == LT_OK) {
		char fetch_why[320];
		int64_t now = (int64_t)time(NULL);
		if (schedule_refresh(s, now, true, fetch_why, sizeof fetch_why) != LT_OK) {
			if (s->cal)
				fprintf(stderr, "lectern: schedule: %s; showing the cached calendar of "
						"%lld\n", fetch_why, (long long)(s->cache.ok_ms / 1000));
			else
				snprintf(why, n, "%s (and nothing is cached)", fetch_why);
		}
		if (s->cal)
			err = schedule_window(s, from, to, out);
		else if (err == LT_OK)
			err = LT_ERR_NOT_FOUND;
		schedule_close(s);
	}
	store_close(st);
	return err;
}

/* --- the fetcher thread ------------------------------------------------------------------- */

struct schedule_fetcher {
	struct store *st;
	struct schedule *sched;    /* the fetcher's own */
	struct worker *w;
	atomic_bool stopping;      /* read by libcurl's progress callback: ends a fetch early */
	/* The expansion handed to the main thread (under `lock`), and what it was made of. */
	pthread_mutex_t lock;
	bool ready, waiting;        /* one was made; one the main thread has not taken */
	struct occurrence_list occ;
	int64_t occ_from, occ_to;
	unsigned made_generation;
	int64_t made_from;
};

/*
 * In the fetcher thread: expand for the days the appliance looks at (yesterday .. the
 * look-ahead, a day more on either side) whenever the calendar changed or a day passed, and
 * hand it over; parsing and expanding, however long they take, never hold up the main loop.
 */
static void fetcher_expand(struct schedule_fetcher *f, int64_t now)
{
	struct schedule *s = f->sched;
	int64_t from = calendar_local_midnight(now, -2);
	int64_t to = calendar_local_midnight(now, s->cfg->lookahead_days + 2);
	if (!s->cal || (f->ready && s->generation == f->made_generation && from == f->made_from))
		return;
	struct occurrence_list l = {0};
	if (schedule_window(s, from, to, &l) != LT_OK) {
		occurrence_list_free(&l);
		return;
	}
	f->made_generation = s->generation;
	f->made_from = from;
	pthread_mutex_lock(&f->lock);
	occurrence_list_free(&f->occ); /* one the main thread has not taken yet */
	f->occ = l;
	f->occ_from = from;
	f->occ_to = to;
	f->ready = f->waiting = true;
	pthread_mutex_unlock(&f->lock);
}

/* In the main thread: take what the fetcher handed over, if anything is new. */
static void fetcher_take(struct schedule_fetcher *f, struct schedule *s)
{
	struct occurrence_list l = {0};
	bool fresh = false;
	pthread_mutex_lock(&f->lock);
	if (f->waiting) {
		f->waiting = false;
		l = f->occ;
		f->occ = (struct occurrence_list){0};
		s->occ_from = f->occ_from;
		s->occ_to = f->occ_to;
		fresh = true;
	}
	pthread_mutex_unlock(&f->lock);
	if (!fresh)
		return;
	occurrence_list_free(&s->occ);
	s->occ = l;
	s->fed = true;
	s->generation++;
	calendar_free(s->cal); /* the fetcher's expansion is used from now on */
	s->cal = NULL;
}

lt_err schedule_sync(struct schedule *s, struct schedule_fetcher *f)
{
	int64_t ok_ms;
	char error[320];
	if (store_calendar_stamp(s->st, &ok_ms, error, sizeof error) == LT_OK) {
		s->stale = error[0] != '\0';
		s->stale_since = ok_ms / 1000;
	}
	if (f)
		fetcher_take(f, s);
	return LT_OK;
}

/* One pass of the fetcher's worker (worker.h): refresh the calendar, hand over its expansion. */
static void fetcher_pass(void *arg)
{
	struct schedule_fetcher *f = arg;
	char why[320];
	int64_t now = (int64_t)time(NULL);
	schedule_refresh(f->sched, now, false, why, sizeof why);
	fetcher_expand(f, now);
}

lt_err schedule_fetcher_start(const struct config *cfg, const char *db_path,
			      struct schedule_fetcher **out)
{
	struct schedule_fetcher *f = calloc(1, sizeof *f);
	if (!f)
		return LT_ERR_NOMEM;
	pthread_mutex_init(&f->lock, NULL);
	lt_err err = store_open(db_path, &f->st);
	if (err == LT_OK)
		err = schedule_open(cfg, f->st, &f->sched);
	if (err == LT_OK)
		f->sched->cancel = &f->stopping;
	if (err == LT_OK)
		err = worker_start(fetcher_pass, f, 1000, &f->w);
	if (err != LT_OK) {
		schedule_close(f->sched);
		store_close(f->st);
		pthread_mutex_destroy(&f->lock);
		free(f);
		return err;
	}
	*out = f;
	return LT_OK;
}

void schedule_fetcher_stop(struct schedule_fetcher *f)
{
	if (!f)
		return;
	atomic_store(&f->stopping, true); /* a fetch in flight gives up within a second */
	worker_stop(f->w);
	schedule_close(f->sched);
	store_close(f->st);
	occurrence_list_free(&f->occ);
	pthread_mutex_destroy(&f->lock);
	free(f);
}
