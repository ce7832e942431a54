/*
 * kiosk_sessions.c — past sessions, peer teachers and the thank-you card in the view (see
 * kiosk_sessions.h).
 */
#include "lectern/kiosk_sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/kiosk_view.h"
#include "lectern/roster.h"
#include "lectern/utf8.h"

/* "a,b" as "a · b", cut at a character boundary. */
static void tag_line(char *dst, size_t n, const char *tags)
{
	size_t len = 0;
	dst[0] = '\0';
	for (const char *p = tags; *p;) {
		size_t k = strcspn(p, ",");
		char one[4 + 60 + 1]; /* the separator and up to 60 bytes of the tag, whole */
		snprintf(one, sizeof one, "%s%.*s", len ? " \xc2\xb7 " : "", utf8_fit(p, k < 60 ? k : 60),
			 p);
		if (k > 0 && len + strlen(one) < n) {
			memcpy(dst + len, one, strlen(one) + 1);
			len += strlen(one);
		}
		p += k + (p[k] == ',');
	}
}

static void past_from(struct view_past *out, const struct store_session *s, bool names)
{
	memset(out, 0, sizeof *out);
	utf8_copy(out->title, sizeof out->title, s->title[0] ? s->title : "Untitled session");
	if (names)
		utf8_copy(out->presenter, sizeof out->presenter, s->presenter);
	out->start = s->started_ms / 1000;
	tag_line(out->tags, sizeof out->tags, s->tags);
	/* A cut link would lead somewhere else: one that does not fit gets no code. */
	if (strlen(s->link) < sizeof out->link)
		memcpy(out->link, s->link, strlen(s->link) + 1);
	else
		out->link_too_long = true; /* the screen says so, not just an empty square */
	out->checkins = s->checkins;
}

/*
 * The Sessions screen's search runs on every keystroke: over thousands of delivered sessions a
 * read of the store and a fold of every title each time would take tens of milliseconds on
 * the kiosk's thread. So the sessions are read and folded once per change of the store, into
 * an index in memory (check-in's rule, roster_fold: "cafe" finds "Café" on both screens); a
 * keystroke only looks through it and reads the few sessions shown.
 */
struct ks_entry {
	int64_t id;
	char *text;                     /* "\ntitle\ntag\ntag..." folded: '\n' is never typed */
	char *who;                      /* the presenter folded */
};

struct ks_index {
	size_t n, cap;
	struct ks_entry *e;
};

static void index_free(struct ks_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n; i++) {
		free(ix->e[i].text);
		free(ix->e[i].who);
	}
	free(ix->e);
	free(ix);
}

static char *folded(const char *text)
{
	char t[3 * sizeof ((struct store_session *)0)->title];
	roster_fold(text, t, sizeof t);
	return strdup(t);
}

static int index_one(const struct store_session *s, void *user)
{
	struct ks_index *ix = user;
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? 2 * ix->cap : 256;
		struct ks_entry *e = realloc(ix->e, cap * sizeof *e);
		if (!e)
			return 1;
		ix->e = e;
		ix->cap = cap;
	}
	char text[3 * (sizeof s->title + sizeof s->tags) + 8];
	size_t used = 0;
	text[used++] = '\n';
	roster_fold(s->title, text + used, sizeof text - used);
	used += strlen(text + used);
	for (const char *p = s->tags; *p && used + 2 < sizeof text;) {
		size_t k = strcspn(p, ",");
		char tag[sizeof s->tags];
		snprintf(tag, sizeof tag, "%.*s", (int)k, p);
		text[used++] = '\n';
		roster_fold(tag, text + used, sizeof text - used);
		used += strlen(text + used);
		p += k + (p[k] == ',');
	}
	struct ks_entry *e = &ix->e[ix->n];
	e->id = s->id;
	e->text = strdup(text);
	e->who = folded(s->presenter);
	if (!e->text || !e->who) {
		free(e->text);
		free(e->who);
		return 1;
	}
	ix->n++;
	return 0;
}

/* Whether entry `e` matches the folded `query`: title or a tag, and (with recognition) the
 * presenter. */
static bool matches(const struct ks_entry *e, const char *query, bool names)
{
	return !query[0] || strstr(e->text, query) || (names && strstr(e->who, query));
}

static int recent_one(const struct store_session *s, void *user)
{
	struct kiosk_sessions *ks = user;
	past_from(&ks->recent[ks->n_recent++], s, ks->home_names);
	return ks->n_recent >= VIEW_MAX_RECENT;
}

static void read_home(struct kiosk_sessions *ks, const struct config *cfg, struct store *st,
		      int64_t term, int64_t now)
{
	bool names = cfg->recognition;
	ks->home_names = names;
	ks->n_recent = ks->n_teachers = 0;
	ks->teachers_summary[0] = '\0';
	/* Nothing of the last read left behind the counts (names, once recognition is off). */
	memset(ks->recent, 0, sizeof ks->recent);
	memset(ks->teachers, 0, sizeof ks->teachers);
	store_sessions_latest(st, VIEW_MAX_RECENT, recent_one, ks);
	ks->scans++;
	struct store_presenter who[VIEW_MAX_TEACHERS];
	int total = 0, people = 0;
	int n = store_presenters(st, roster_fold, term * 1000, now * 1000 + 999, who,
				 VIEW_MAX_TEACHERS, &total, &people);
	for (int i = 0; names && i < n; i++) {
		utf8_copy(ks->teachers[i].name, sizeof ks->teachers[0].name, who[i].name);
		ks->teachers[i].sessions = who[i].sessions;
		ks->n_teachers++;
	}
	if (people > 0)
		snprintf(ks->teachers_summary, sizeof ks->teachers_summary,
			 "%d session%s by %d colleague%s this term", total, total == 1 ? "" : "s",
			 people, people == 1 ? "" : "s");
}

/* The index again from the store (after a change). On a failure the search finds what was
 * read so far: the screen stays up. */
static void read_index(struct kiosk_sessions *ks, struct store *st)
{
	index_free(ks->index);
	ks->index = calloc(1, sizeof *ks->index);
	if (ks->index)
		store_sessions_each(st, index_one, ks->index);
	ks->scans++;
}

static void search_index(struct kiosk_sessions *ks, const struct config *cfg, struct store *st,
			 const char *search)
{
	ks->n_found = ks->found_total = ks->sessions_total = 0;
	memset(ks->found, 0, sizeof ks->found);
	if (!ks->index)
		return;
	char query[3 * sizeof ks->found_search];
	roster_fold(search, query, sizeof query);
	bool names = cfg->recognition;
	ks->sessions_total = (int)ks->index->n;
	for (size_t i = 0; i < ks->index->n; i++) {
		const struct ks_entry *e = &ks->index->e[i];
		if (!matches(e, query, names))
			continue;
		struct store_session one;
		if (ks->n_found < VIEW_MAX_FOUND && store_session_get(st, e->id, &one) == LT_OK)
			past_from(&ks->found[ks->n_found++], &one, names);
		ks->found_total++;
	}
}

static const char *ordinal_suffix(int n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

/* The card for recording `id`, which just stopped. */
static void thank(struct kiosk_sessions *ks, const struct config *cfg, struct store *st,
		  int64_t id, int64_t term, int64_t now)
{
	struct store_session s;
	if (store_session_get(st, id, &s) != LT_OK)
		return;
	ks->thanks_until = now + KIOSK_THANKS_S;
	if (cfg->recognition && s.presenter[0])
		snprintf(ks->thanks_title, sizeof ks->thanks_title, "Thank you, %.*s",
			 utf8_fit(s.presenter, 120), s.presenter);
	else
		snprintf(ks->thanks_title, sizeof ks->thanks_title, "Thank you");
	char count[48] = "", given[64] = "";
	if (s.checkins > 0)
		snprintf(count, sizeof count, "%d checked in.", s.checkins);
	int n = s.presenter[0] ? store_presenter_sessions(st, roster_fold, s.presenter,
							  term * 1000, s.started_ms)
			       : 0;
	if (n > 0)
		snprintf(given, sizeof given, "Your %d%s session this term.", n, ordinal_suffix(n));
	if (count[0] || given[0])
		snprintf(ks->thanks_text, sizeof ks->thanks_text, "%s%s%s", count,
			 count[0] && given[0] ? " " : "", given);
	else
		snprintf(ks->thanks_text, sizeof ks->thanks_text, "The recording is saved.");
}

void kiosk_sessions_build(struct kiosk_sessions *ks, const struct config *cfg, struct store *st,
			  const char *search, const struct controller_status *cs, int64_t now,
			  struct view *v)
{
	int64_t term = 0;
	config_term_start(cfg->ui_term_start, now, &term); /* checked with the configuration */
	uint64_t changes = store_change_count(st);

	/* A recording ended: by itself, by a tap, or followed at once by the next session's. */
	if (ks->was_recording && (!cs->recording || cs->recording_id != ks->recording_id))
		thank(ks, cfg, st, ks->recording_id, term, now);
	else if (cs->recording && !ks->was_recording)
		ks->thanks_until = 0; /* a new recording after a pause: the card has served */
	if (cs->recording)
		ks->recording_id = cs->recording_id;
	ks->was_recording = cs->recording;
	/* On the home screen only, where a stop leads: over a keypad it would take the taps. */
	if (ks->thanks_until > now && v->screen == VIEW_HOME) {
		v->has_thanks = true;
		/* Recognition may have been turned off (SIGHUP) since the card was made. */
		utf8_copy(v->thanks_title, sizeof v->thanks_title,
			  cfg->recognition ? ks->thanks_title : "Thank you");
		utf8_copy(v->thanks_text, sizeof v->thanks_text, ks->thanks_text);
	}

	if (v->screen == VIEW_HOME && v->room_state == ROOM_FREE) {
		if (!ks->have_home || ks->home_changes != changes || ks->home_term != term ||
		    ks->home_names != cfg->recognition) {
			read_home(ks, cfg, st, term, now);
			ks->have_home = true;
			ks->home_changes = changes;
			ks->home_term = term;
		}
		v->n_recent = ks->n_recent;
		memcpy(v->recent, ks->recent, sizeof v->recent);
		v->n_teachers = ks->n_teachers;
		memcpy(v->teachers, ks->teachers, sizeof v->teachers);
		utf8_copy(v->teachers_summary, sizeof v->teachers_summary, ks->teachers_summary);
	}

	if (v->screen != VIEW_SESSIONS && ks->index)
		kiosk_sessions_free(ks); /* kept for the screen's visit only: memory back */
	if (v->screen == VIEW_SESSIONS) {
		utf8_copy(v->session_search, sizeof v->session_search, search);
		bool fresh = !ks->have_found || ks->found_changes != changes;
		if (fresh) {
			uint64_t sig = store_sessions_signature(st);
			if (!ks->index || !sig || sig != ks->index_signature)
				read_index(ks, st);
			ks->index_signature = sig;
		}
		if (fresh || strcmp(ks->found_search, v->session_search) != 0 ||
		    ks->found_names != cfg->recognition) {
			search_index(ks, cfg, st, v->session_search);
			ks->found_names = cfg->recognition;
			ks->have_found = true;
			ks->found_changes = changes;
			utf8_copy(ks->found_search, sizeof ks->found_search, v->session_search);
		}
		v->n_found = ks->n_found;
		v->found_total = ks->found_total;
		v->sessions_total = ks->sessions_total;
		memcpy(v->found, ks->found, sizeof v->found);
	}
}

void kiosk_sessions_free(struct kiosk_sessions *ks)
{
	index_free(ks->index);
	ks->index = NULL;
	ks->have_found = false;
}

void kiosk_sessions_dismiss_thanks(struct kiosk_sessions *ks)
{
	ks->thanks_until = 0;
}

bool kiosk_sessions_apply(struct kiosk_state *s, const struct view_event *ev)
{
	if (ev->type == EV_SHOW && ev->arg == VIEW_SESSIONS) {
		s->session_search[0] = '\0';
		return false;
	}
	if (s->screen != VIEW_SESSIONS)
		return false;
	size_t len = strlen(s->session_search);
	switch (ev->type) {
	case EV_KEY: {
		size_t k = strnlen(ev->text, sizeof ev->text);
		if (len + k < sizeof s->session_search) {
			memcpy(s->session_search + len, ev->text, k);
			s->session_search[len + k] = '\0';
		}
		return true;
	}
	case EV_BACKSPACE:
		s->session_search[utf8_prev(s->session_search, len)] = '\0';
		return true;
	default:
		return false;
	}
}
