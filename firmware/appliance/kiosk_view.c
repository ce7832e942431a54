/*
 * kiosk_view.c — the kiosk's view builder (see kiosk_view.h).
 */
#include "lectern/kiosk_view.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lectern/calendar.h"
#include "lectern/fetch.h"
#include "lectern/net.h"
#include "lectern/osutil.h"
#include "lectern/pinhash.h"
#include "lectern/utf8.h"

#define SOON_S (15 * 60)

static bool system_network(char *addr, size_t n)
{
	struct ifaddrs *list, *i;
	bool up = false;
	addr[0] = '\0';
	if (getifaddrs(&list) != 0)
		return false;
	for (i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP) ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (!up)
			getnameinfo(i->ifa_addr,
				    i->ifa_addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
								      : sizeof(struct sockaddr_in6),
				    addr, (socklen_t)n, NULL, 0, NI_NUMERICHOST);
		up = true;
	}
	freeifaddrs(list);
	return up;
}

const char *kiosk_server_url(const struct config *cfg)
{
	enum net_role role;
	return net_test_role(cfg, &role) == LT_OK ? net_role_url(cfg, role, NULL) : "";
}

void kiosk_view_init(struct kiosk_view_builder *b, const struct kiosk_view_sources *src)
{
	memset(b, 0, sizeof *b);
	b->src = *src;
	if (!b->src.clock)
		b->src.clock = os_mono_s;
	if (!b->src.probes.network)
		b->src.probes.network = system_network;
	if (!b->src.probes.free_bytes)
		b->src.probes.free_bytes = os_free_bytes;
}

void kiosk_view_free(struct kiosk_view_builder *b)
{
	occurrence_list_free(&b->occ);
	kiosk_sessions_free(&b->sessions);
}

static void add_message(struct view *v, enum view_severity sev, const char *text,
			const char *advice)
{
	if (v->n_messages >= VIEW_MAX_MESSAGES)
		return;
	struct view_message *m = &v->messages[v->n_messages++];
	m->severity = sev;
	utf8_copy(m->text, sizeof m->text, text);
	utf8_copy(m->advice, sizeof m->advice, advice);
}

/* --- what changes slowly ------------------------------------------------------------------ */

static void refresh_facts(struct kiosk_view_builder *b)
{
	double t = b->src.clock();
	if (b->have_facts && t - b->facts_at < KIOSK_VIEW_FACTS_S)
		return;
	b->have_facts = true;
	b->facts_at = t;
	b->network_ok = b->src.probes.network(b->address, sizeof b->address);
	b->have_free = b->src.probes.free_bytes(b->src.cfg->spool_dir, &b->free_bytes) == LT_OK;
}

/* The waiting recordings: how many, how far the one uploading is, whether one waits after a
 * failed attempt. */
static int count_waiting(const struct recording *r, void *user)
{
	struct kiosk_view_queue *q = user;
	q->waiting++;
	if (r->state == REC_QUEUED && r->attempts > 0 && r->last_error[0]) {
		q->trouble = true;
		utf8_copy(q->trouble_reason, sizeof q->trouble_reason, r->last_error);
	}
	if (r->state == REC_UPLOADING && r->bytes > 0)
		q->percent = (int)(100 * r->sent_bytes / r->bytes);
	return 0;
}

struct latest {
	int n;
	struct view_upload u[VIEW_MAX_UPLOADS];
};

static int list_upload(const struct recording *r, void *user)
{
	struct latest *l = user;
	struct view_upload *u = &l->u[l->n++];
	memset(u, 0, sizeof *u);
	u->id = r->id;
	utf8_copy(u->title, sizeof u->title, r->title[0] ? r->title : "Untitled recording");
	utf8_copy(u->state, sizeof u->state, rec_state_name(r->state));
	u->bytes = r->bytes;
	u->sent = r->state == REC_UPLOADED ? r->bytes : r->sent_bytes;
	u->rate_bps = r->state == REC_UPLOADING ? (double)r->rate_bps : 0;
	u->eta_s = u->rate_bps > 0 ? (int)((double)(u->bytes - u->sent) / u->rate_bps) : -1;
	u->attempts = r->attempts;
	utf8_copy(u->last_error, sizeof u->last_error,
		  r->state == REC_UPLOADED ? "" : r->last_error);
	u->next_attempt = r->state == REC_QUEUED ? r->next_attempt_ms / 1000 : 0;
	return l->n == VIEW_MAX_UPLOADS;
}

/* The queue as the store holds it now, read again only when the store changed: the waiting
 * recordings and the newest few finished ones, never the whole history (a room's store holds
 * months of delivered recordings, and an upload changes the store every second). */
static const struct kiosk_view_queue *queue(struct kiosk_view_builder *b)
{
	uint64_t changes = store_change_count(b->src.st);
	if (b->have_queue && changes == b->queue_changes)
		return &b->queue;
	struct kiosk_view_queue *q = &b->queue;
	memset(q, 0, sizeof *q);
	q->percent = -1;
	const unsigned waiting = REC_MASK(REC_QUEUED) | REC_MASK(REC_UPLOADING);
	/* The list: the ones not delivered (waiting or failed), then the delivered ones, each
	 * newest first, so that an old recording still waiting is never pushed off by new ones. */
	struct latest l = {0};
	b->have_queue =
		store_recordings_each(b->src.st, waiting, count_waiting, q) == LT_OK &&
		store_recordings_latest(b->src.st, waiting | REC_MASK(REC_FAILED), VIEW_MAX_UPLOADS,
					list_upload, &l) == LT_OK &&
		(l.n == VIEW_MAX_UPLOADS ||
		 store_recordings_latest(b->src.st, REC_MASK(REC_UPLOADED), VIEW_MAX_UPLOADS - l.n,
					 list_upload, &l) == LT_OK);
	b->queue_changes = changes;
	b->queue_scans++;
	memcpy(q->uploads, l.u, (size_t)l.n * sizeof l.u[0]);
	q->n_uploads = l.n;
	return q;
}

static void build_queue(struct kiosk_view_builder *b, int64_t now, struct view *v)
{
	const struct config *cfg = b->src.cfg;
	const struct kiosk_view_queue *q = queue(b);
	v->queue_waiting = q->waiting;
	v->queue_percent = q->percent;
	v->n_uploads = q->n_uploads;
	for (int i = 0; i < q->n_uploads; i++) {
		v->uploads[i] = q->uploads[i];
		if (v->uploads[i].next_attempt <= now)
			v->uploads[i].next_attempt = 0; /* due: goes when the uploader looks */
	}
	const char *url = kiosk_server_url(cfg);
	if (url[0]) {
		fetch_url_host(url, v->server, sizeof v->server);
	} else if (strcmp(cfg->upload_target, "folder") == 0) {
		const char *slash = strrchr(cfg->upload_folder, '/');
		const char *name = slash && slash[1] ? slash + 1 : cfg->upload_folder;
		snprintf(v->server, sizeof v->server, "folder %.*s", utf8_fit(name, 50), name);
	}
	v->server_ok = !q->trouble;
	if (q->trouble) {
		/* The advice of the part the last failure names (network, server, storage). */
		enum lt_domain d = lt_error_domain_of(q->trouble_reason);
		char advice[sizeof v->messages[0].advice];
		snprintf(advice, sizeof advice, "%s They are kept here and sent automatically.",
			 d ? lt_domain_advice(d) : "The server could not be reached or refused us.");
		add_message(v, SEV_WARN, "Recordings are waiting to upload", advice);
	}
}

/* --- the schedule ------------------------------------------------------------------------- */

static void session_from(struct view_session *s, const struct occurrence *o)
{
	utf8_copy(s->title, sizeof s->title, o->title);
	utf8_copy(s->presenter, sizeof s->presenter, o->presenter);
	s->start = o->start;
	s->end = o->end;
}

/* Today and the look-ahead: expanded once per calendar and day, not at every build (a big
 * calendar takes a while). */
static const struct occurrence_list *occurrences(struct kiosk_view_builder *b, int64_t now)
{
	int64_t midnight = calendar_local_midnight(now, 0);
	unsigned gen = schedule_generation(b->src.sched);
	if (!b->have_occ || gen != b->occ_generation || midnight != b->occ_midnight) {
		occurrence_list_free(&b->occ);
		b->have_occ = schedule_window(b->src.sched, midnight,
					      now + (int64_t)b->src.cfg->lookahead_days * 86400,
					      &b->occ) == LT_OK;
		b->occ_generation = gen;
		b->occ_midnight = midnight;
	}
	return &b->occ;
}

/* The timed session on at `now` and the next one to start. */
static void current_and_next(const struct occurrence_list *l, int64_t now,
			     const struct occurrence **current, const struct occurrence **next)
{
	*current = *next = NULL;
	for (size_t i = 0; i < l->count; i++) {
		const struct occurrence *o = &l->items[i];
		if (o->all_day)
			continue;
		if (!*current && o->start <= now && now < o->end)
			*current = o;
		else if (!*next && o->start > now)
			*next = o;
	}
}

const struct occurrence *kiosk_view_checkin_session(struct kiosk_view_builder *b, int64_t now,
						    int64_t *opens_at)
{
	const struct config *cfg = b->src.cfg;
	return attendance_pick(occurrences(b, now), now, cfg->checkin_open_before_min * 60LL,
			       cfg->checkin_open_after_min * 60LL, opens_at);
}

static void build_schedule(struct kiosk_view_builder *b, int64_t now, struct view *v)
{
	const struct occurrence_list *l = occurrences(b, now);
	int64_t today = calendar_local_midnight(now, 0), tomorrow = calendar_local_midnight(now, 1);
	const struct occurrence *current, *next, *cadence = NULL;
	current_and_next(l, now, &current, &next);
	for (size_t i = 0; i < l->count; i++) {
		const struct occurrence *o = &l->items[i];
		if (o->start < tomorrow && o->end > today && v->n_agenda < VIEW_MAX_AGENDA)
			session_from(&v->agenda[v->n_agenda++], o);
		if (!cadence && !o->all_day && o->start > now)
			for (size_t j = 0; j < l->count && !cadence; j++)
				if (j != i && strcmp(l->items[j].uid, o->uid) == 0)
					cadence = o;
	}
	const struct occurrence *card = current ? current : next;
	if (card) {
		v->has_card = true;
		session_from(&v->card, card);
	}
	if (current) {
		v->room_state = ROOM_IN_SESSION;
	} else if (next && next->start - now <= SOON_S) {
		v->room_state = ROOM_STARTS_SOON;
		v->starts_in_min = (int)((next->start - now + 59) / 60);
	}
	if (cadence) {
		v->has_cadence = true;
		utf8_copy(v->cadence_label, sizeof v->cadence_label, b->src.cfg->ui_cadence);
		session_from(&v->cadence, cadence);
	}
}

/* --- check-in ---------------------------------------------------------------------------- */

/* Who is listed: with a search, everyone matching it; without, the session's invitees and
 * walk-ins, or the room's roster when the session has none (a roster of hundreds is found by
 * typing, not by scrolling). */
static void build_checkin(const struct config *cfg, const struct kiosk_state *s, int64_t now,
			  struct view *v)
{
	const struct kiosk_checkin *k = &s->checkin;
	v->checkin_off = attendance_mode_parse(cfg->attendance) == ATTENDANCE_NONE;
	utf8_copy(v->checkin_consent, sizeof v->checkin_consent, cfg->checkin_consent);
	if (k->note != CHECKIN_NOTE_NONE && now < k->note_until) {
		v->checkin_note = k->note;
		utf8_copy(v->checkin_note_text, sizeof v->checkin_note_text, k->note_text);
	}
	if (v->checkin_off)
		return;
	v->checkin_open = k->key[0] != '\0';
	v->checkin_opens_at = k->opens_at;
	v->checked_in = k->count > 0 ? k->count : 0;
	if (v->checkin_open)
		utf8_copy(v->checkin_title, sizeof v->checkin_title,
			  k->session.title[0] ? k->session.title : "Untitled recording");
	/* Not after the clock was set back past the check-in (attendance_undo refuses then). */
	v->checkin_undo = k->undo_id > 0 && now < k->undo_until &&
			  now > k->undo_until - 2 * KIOSK_CHECKIN_UNDO_S;
	bool session_people = false;
	for (size_t i = 0; i < k->people.count && !session_people; i++)
		session_people = k->people.items[i].from_calendar || k->people.items[i].walk_in;
	for (size_t i = 0; v->checkin_open && i < k->people.count; i++) {
		const struct roster_person *p = &k->people.items[i];
		bool listed = s->search[0] ? roster_matches(p, s->search)
			      : !session_people || p->from_calendar || p->walk_in;
		if (!listed)
			continue;
		if (v->n_invitees == VIEW_MAX_INVITEES) {
			v->invitees_more++;
			continue;
		}
		struct view_invitee *vi = &v->invitees[v->n_invitees++];
		utf8_copy(vi->name, sizeof vi->name, p->name[0] ? p->name : p->email);
		vi->checked_in = p->checked_in_ms != 0;
		vi->person = (int)i;
	}
}

/* --- the whole view ----------------------------------------------------------------------- */

float kiosk_view_db(float db)
{
	return db < -90 ? -90 : db > 0 ? 0 : db;
}

void kiosk_view_recording(const struct controller_status *cs, struct view *v)
{
	v->recording = cs->recording;
	if (!cs->recording) {
		v->rms_db = v->peak_db = -90;
		return;
	}
	v->room_state = ROOM_RECORDING;
	v->paused = cs->rec.paused;
	utf8_copy(v->rec_title, sizeof v->rec_title,
		  cs->title[0] ? cs->title : "Untitled recording");
	v->elapsed_s = (double)(int64_t)cs->rec.seconds;
	v->rms_db = kiosk_view_db(cs->rec.rms_db);
	v->peak_db = kiosk_view_db(cs->rec.peak_db);
	v->low_audio = cs->rec.low_audio;
	v->scheduled_end = cs->end;
}

/* A box nobody provisioned, or one still opened by the sample PIN, says so for IT: the room (or
 * that there is none), where to reach the box, and the one command that sets it up. Last in
 * the list: a presenter's trouble (the microphone) comes first. */
static void build_provisioning(struct kiosk_view_builder *b, struct view *v)
{
	const struct config *cfg = b->src.cfg;
	bool unprovisioned = config_unprovisioned(cfg);
	bool sample_pin = !cfg->ui_pin_file[0] && strcmp(cfg->ui_pin, PINHASH_SAMPLE_PIN) == 0;
	if (!unprovisioned && !sample_pin)
		return;
	const char *address = b->address[0] ? b->address : "no network address";
	char text[sizeof v->messages[0].text], advice[sizeof v->messages[0].advice];
	if (unprovisioned)
		snprintf(text, sizeof text, "Not provisioned \xc2\xb7 %s", address);
	else
		snprintf(text, sizeof text, "%.*s: sample PIN 1234 still set \xc2\xb7 %s",
			 utf8_fit(cfg->room, 48), cfg->room, address);
	if (unprovisioned)
		snprintf(advice, sizeof advice,
			 "IT: on this box run  sudo lectern provision --room NAME --pin N");
	else
		snprintf(advice, sizeof advice,
			 "IT: settings stay locked until  sudo lectern provision --pin N  is run");
	add_message(v, SEV_WARN, text, advice);
}

static void build_health(struct kiosk_view_builder *b, const struct kiosk_state *s, int64_t now,
			 struct view *v)
{
	const struct kiosk_view_sources *src = &b->src;
	const struct config *cfg = src->cfg;
	v->calendar_stale = schedule_stale(src->sched, &v->stale_since);
	if (v->calendar_stale)
		v->stale_since -= v->stale_since % 60;
	refresh_facts(b);
	v->network_ok = b->network_ok;
	if (!src->mic_present && src->mic_error && src->mic_error->code != LT_ERR_NO_DEVICE)
		add_message(v, SEV_ERROR, src->mic_error->text,
			    lt_domain_advice(src->mic_error->domain));
	else if (!src->mic_present)
		add_message(v, SEV_ERROR, "No microphone",
			    "Plug the USB microphone in; recordings cannot start without one.");
	if (src->store_set_aside)
		add_message(v, SEV_WARN, "Database was damaged and replaced",
			    "Recording works; recordings were rebuilt from the spool. IT: the damaged "
			    "copy is kept beside it as lectern.db.damaged-*.");
	if (s->start_error.code != LT_OK && now - s->start_error_at < 120) {
		char text[32 + sizeof s->start_error.text]; /* add_message cuts it to fit */
		snprintf(text, sizeof text, "Could not start recording. %s", s->start_error.text);
		add_message(v, SEV_ERROR, text, lt_domain_advice(s->start_error.domain));
	}
	if (b->have_free) {
		v->disk_free_mb = (int64_t)(b->free_bytes >> 20);
		if (v->disk_free_mb < 2LL * cfg->min_free_mb)
			add_message(v, SEV_WARN, "Disk almost full",
				    "New recordings may stop early. Delivered recordings are removed "
				    "first; ask IT if this stays.");
	}
	if (!v->network_ok && kiosk_server_url(cfg)[0])
		add_message(v, SEV_WARN, "No network",
			    "Check the network cable or Wi-Fi. Recording still works; uploads wait.");
	build_queue(b, now, v);
	if (v->calendar_stale) {
		char since[16];
		time_t t = (time_t)v->stale_since;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(since, sizeof since, "%H:%M", &tm);
		char text[128];
		snprintf(text, sizeof text, "Calendar not updated since %s", since);
		add_message(v, SEV_WARN, text,
			    "Showing the last schedule received; scheduled recordings still start. "
			    "IT: check the calendar server.");
	}
	build_provisioning(b, v);
	v->mic_present = src->mic_present;
	utf8_copy(v->mic_name, sizeof v->mic_name,
		  !src->mic_present ? "no microphone"
		  : src->mic_twin   ? "demo file (no microphone found)"
				    : src->mic_name);
}

static void build_taps(const struct kiosk_state *s, int64_t now, struct view *v)
{
	v->n_tags = s->n_tags;
	memcpy(v->tags, s->tags, sizeof v->tags);
	memcpy(v->tag_on, s->tag_on, sizeof v->tag_on);
	utf8_copy(v->free_tag, sizeof v->free_tag, s->free_tag);
	utf8_copy(v->search, sizeof v->search, s->search);
	v->keyboard = s->keyboard;
	v->pin_len = (int)strlen(s->pin);
	v->pin_tries_left = KIOSK_PIN_TRIES - s->pin_failures % KIOSK_PIN_TRIES;
	v->pin_locked_until = s->pin_locked_until > now ? s->pin_locked_until : 0;
}

void kiosk_view_build(struct kiosk_view_builder *b, const struct kiosk_state *s,
		      const struct controller_status *cs, int64_t now, struct view *v)
{
	const struct config *cfg = b->src.cfg;
	memset(v, 0, sizeof *v);
	kiosk_view_recording(cs, v);
	v->screen = s->screen;
	/* Seconds only where the screen shows them: every other second would be a redraw. */
	bool seconds = s->screen == VIEW_RECORDING || s->screen == VIEW_PIN;
	v->now = seconds ? now : now - now % 60;
	utf8_copy(v->room, sizeof v->room, cfg->room);
	utf8_copy(v->version, sizeof v->version, LECTERN_VERSION);
	build_schedule(b, now, v);
	if (v->recording)
		v->room_state = ROOM_RECORDING;
	build_health(b, s, now, v);
	build_taps(s, now, v);
	build_checkin(cfg, s, now, v);
	kiosk_sessions_build(&b->sessions, cfg, b->src.st, s->session_search, cs, now, v);
	v->pin_unset = !cfg->ui_pin_file[0] && !cfg->ui_pin[0];
	v->pin_default = !cfg->ui_pin_file[0] && strcmp(cfg->ui_pin, PINHASH_SAMPLE_PIN) == 0;
	/* Each part cut to its share at a character boundary: the whole always fits. */
	const char *agent = cfg->opencast_agent[0] ? cfg->opencast_agent : cfg->room;
	const char *address = b->address[0] ? b->address : "none";
	snprintf(v->about, sizeof v->about, "room %.*s · agent %.*s · address %.*s · config %.*s",
		 utf8_fit(cfg->room, 50), cfg->room, utf8_fit(agent, 50), agent,
		 utf8_fit(address, 46), address, utf8_fit(cfg->source, 40), cfg->source);
}
