/*
 * kiosk_events.c — what the screen's events do (see kiosk_events.h).
 */
#include "lectern/kiosk_events.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lectern/log.h"
#include "lectern/osutil.h"
#include "lectern/pinhash.h"
#include "lectern/utf8.h"

/* Lock-outs by round since the last right PIN. Three tries per 2 h walk the 10,000 four-digit
 * PINs in about nine months, not days. */
static const int64_t pin_lock_s[] = {60, 5 * 60, 30 * 60, 2 * 3600};
#define PIN_ROUNDS ((int)(sizeof pin_lock_s / sizeof pin_lock_s[0]))
#define KV_PIN_LOCKOUT "pin.lockout" /* "FAILURES LOCKED_UNTIL", one write for both */

/* --- tags and typing ---------------------------------------------------------------------- */

static void save_tags(const struct kiosk_events *e, const struct kiosk_state *s)
{
	int64_t id;
	if (!controller_recording(e->ctl, &id))
		return;
	char list[256] = "";
	for (int i = 0; i < s->n_tags; i++) {
		if (!s->tag_on[i] || strlen(list) + strlen(s->tags[i]) + 2 > sizeof list)
			continue;
		if (list[0])
			strcat(list, ",");
		strcat(list, s->tags[i]);
	}
	if (store_recording_set_tags(e->st, id, list) != LT_OK)
		log_warn("recording %lld: could not save its tags", (long long)id);
}

static void add_tag(struct kiosk_state *s, const char *name, bool on)
{
	for (int i = 0; i < s->n_tags; i++)
		if (strcasecmp(s->tags[i], name) == 0) {
			s->tag_on[i] = s->tag_on[i] || on;
			return;
		}
	if (s->n_tags >= VIEW_MAX_TAGS || !name[0] || strchr(name, ','))
		return;
	utf8_copy(s->tags[s->n_tags], sizeof s->tags[0], name);
	s->tag_on[s->n_tags++] = on;
}

static void type_into(char *buf, size_t n, const char *text)
{
	if (strlen(buf) + strlen(text) < n)
		strcat(buf, text);
}

static void backspace(char *buf)
{
	buf[utf8_prev(buf, strlen(buf))] = '\0';
}

/* --- recording ---------------------------------------------------------------------------- */

static void start_recording(const struct kiosk_events *e, struct kiosk_state *s,
			    const struct view *shown, int64_t now)
{
	if (controller_recording(e->ctl, NULL)) {
		s->screen = VIEW_RECORDING;
		return;
	}
	double tap = os_mono_s();
	char title[256];
	if (shown->room_state == ROOM_IN_SESSION && shown->has_card)
		utf8_copy(title, sizeof title, shown->card.title);
	else
		title[0] = '\0';
	lt_err err = controller_start_manual(e->ctl, now, title);
	if (err != LT_OK) {
		/* The start's parts (microphone, storage, configuration) have codes of their own. */
		lt_error_set(&s->start_error, err, lt_err_domain(err), NULL);
		s->start_error_at = now;
		log_warn("screen: could not start recording: %s", s->start_error.text);
		return;
	}
	s->start_error.code = LT_OK;
	s->tap_at = tap;
	s->screen = VIEW_RECORDING;
}

void kiosk_events_follow_recording(struct kiosk_state *s, const struct controller_status *cs)
{
	if (s->recording && !cs->recording && s->screen == VIEW_RECORDING)
		s->screen = VIEW_HOME; /* it ended (on schedule, or by itself) */
	s->recording = cs->recording;
	if (!cs->recording)
		return;
	if (s->tap_at > 0 && cs->rec.first_sample_s > 0) {
		s->latency_ms = (cs->rec.first_sample_s - s->tap_at) * 1000.0;
		log_info("tap-to-record: %.1f ms from the tap to the first captured sample",
			 s->latency_ms);
		s->tap_at = 0;
	}
	if (s->tagged_recording != cs->recording_id) {
		s->tagged_recording = cs->recording_id;
		memset(s->tag_on, 0, sizeof s->tag_on);
	}
}

/* --- check-in ----------------------------------------------------------------------------- */

static bool checkin_on(const struct kiosk_events *e)
{
	return e->att && e->att->mode != ATTENDANCE_NONE;
}

static void checkin_note(struct kiosk_checkin *k, enum view_checkin_note kind, const char *text,
			 int64_t now)
{
	k->note = kind;
	utf8_copy(k->note_text, sizeof k->note_text, text);
	k->note_until = now + KIOSK_CHECKIN_NOTE_S;
}

/* The recording `cs` shows, as the store has it: its uid, start and occurrence key (read
 * once per recording, not at every build). */
static void follow_recording_uid(const struct kiosk_events *e, struct kiosk_checkin *k,
				 const struct controller_status *cs)
{
	int64_t id = cs && cs->recording ? cs->recording_id : 0;
	if (id == k->recording_id)
		return;
	k->recording_id = id;
	k->recording_uid[0] = k->recording_key[0] = '\0';
	k->recording_start = 0;
	struct recording rec;
	if (!id || !e->st || store_recording_get(e->st, id, &rec) != LT_OK)
		return;
	utf8_copy(k->recording_uid, sizeof k->recording_uid, rec.uid);
	k->recording_start = rec.started_ms / 1000;
	if (store_recording_event_key(e->st, id, k->recording_key, sizeof k->recording_key) != LT_OK)
		k->recording_key[0] = '\0';
}

static int mark_stored(const struct store_checkin *c, void *user)
{
	struct roster *r = user;
	for (size_t i = 0; c->person[0] && i < r->count; i++)
		if (strcmp(r->items[i].key, c->person) == 0 && !r->items[i].checked_in_ms)
			r->items[i].checked_in_ms = c->at_ms;
	return 0;
}

/* The session's people: its invitees, then the room's roster; each marked as the store has
 * them (a restart forgets nobody who checked in). */
static void load_people(const struct kiosk_events *e, struct kiosk_checkin *k,
			const struct occurrence *o)
{
	roster_clear(&k->people);
	if (!checkin_on(e) || !k->key[0])
		return;
	/* The room's roster keeps its place however many the calendar invites (its badges are
	 * what QR codes name): the invitees get the rest of the list. */
	size_t room = e->room ? e->room->count : 0, room_left = ROSTER_MAX - room, n = 0;
	const char *cut = o && o->invitees ? o->invitees : NULL;
	while (cut && *cut && n < room_left) {
		cut += strcspn(cut, "\n");
		cut += *cut == '\n';
		n++;
	}
	if (cut && *cut) {
		char *some = strndup(o->invitees, (size_t)(cut - o->invitees));
		log_warn("check-in: %s invites more people than the list holds (%d): the first %zu "
			 "are listed; the others can type their name", k->key, ROSTER_MAX, n);
		roster_add_invitees(&k->people, some);
		free(some);
	} else if (o) {
		roster_add_invitees(&k->people, o->invitees);
	}
	for (size_t i = 0; e->room && i < e->room->count; i++) {
		const struct roster_person *p = &e->room->items[i];
		roster_add(&k->people, p->name, p->email, p->badge, false);
	}
	for (size_t i = 0; i < k->people.count; i++) {
		struct roster_person *p = &k->people.items[i];
		struct checkin_who who = {p->name, p->email, p->badge};
		attendance_person_key(e->att, &who, p->key);
	}
	attendance_list(e->att, k->key, mark_stored, &k->people);
}

void kiosk_events_follow_session(const struct kiosk_events *e, struct kiosk_state *s,
				 const struct occurrence *o, int64_t opens_at,
				 const struct controller_status *cs)
{
	struct kiosk_checkin *k = &s->checkin;
	struct store_checkin_session snap = {0};
	follow_recording_uid(e, k, cs);
	bool recording = k->recording_id != 0;
	if (!checkin_on(e)) {
		/* nothing is taken: no session */
	} else if (o) {
		attendance_key_occurrence(o->uid, o->start, snap.key, sizeof snap.key);
		utf8_copy(snap.title, sizeof snap.title, o->title);
		utf8_copy(snap.presenter, sizeof snap.presenter, o->presenter);
		snap.start_s = o->start;
		snap.end_s = o->end;
		if (recording && strcmp(k->recording_key, snap.key) == 0)
			utf8_copy(snap.recording_uid, sizeof snap.recording_uid, k->recording_uid);
	} else if (recording && !k->recording_key[0] && k->recording_uid[0]) {
		/* A recording started by hand, no calendar session open: an ad-hoc session. */
		attendance_key_adhoc(k->recording_uid, snap.key, sizeof snap.key);
		utf8_copy(snap.title, sizeof snap.title, cs->title);
		snap.start_s = k->recording_start;
		utf8_copy(snap.recording_uid, sizeof snap.recording_uid, k->recording_uid);
	}
	k->opens_at = snap.key[0] ? 0 : opens_at;
	if (strcmp(snap.key, k->key) != 0) {
		utf8_copy(k->key, sizeof k->key, snap.key);
		k->session = snap;
		k->undo_id = 0;
		load_people(e, k, o);
	} else if (snap.recording_uid[0] &&
		   strcmp(snap.recording_uid, k->session.recording_uid) != 0) {
		/* Recorded after people checked in: the stored session learns its recording. */
		utf8_copy(k->session.recording_uid, sizeof k->session.recording_uid,
			  snap.recording_uid);
		if (k->count > 0)
			attendance_open_session(e->att, &k->session);
	}
	k->count = k->key[0] ? attendance_count(e->att, k->key) : 0;
}

/* Check `who` (roster entry `person`, -1 for none) in and say so on the screen. */
static void check_in(const struct kiosk_events *e, struct kiosk_state *s,
		     enum checkin_method method, const struct checkin_who *who, int person,
		     bool qr_cards, int64_t now)
{
	struct kiosk_checkin *k = &s->checkin;
	k->tap_at = os_mono_s();
	if (!checkin_on(e)) {
		checkin_note(k, CHECKIN_NOTE_REFUSED, "Check-in is off on this device", now);
		return;
	}
	if (!k->key[0]) {
		char text[64] = "No session to check in to now";
		if (k->opens_at) {
			time_t t = (time_t)k->opens_at;
			struct tm tm;
			localtime_r(&t, &tm);
			strftime(text, sizeof text, "Check-in opens at %H:%M", &tm);
		}
		checkin_note(k, CHECKIN_NOTE_REFUSED, text, now);
		return;
	}
	struct checkin_result r;
	if (attendance_open_session(e->att, &k->session) != LT_OK) {
		checkin_note(k, CHECKIN_NOTE_REFUSED, "Check-in is not working: the store failed",
			     now);
		return;
	}
	if (method == CHECKIN_QR)
		attendance_check_in_qr(e->att, &k->people, k->key, who, qr_cards, now * 1000, &r);
	else
		attendance_check_in(e->att, k->key, method, who, now * 1000, &r);
	checkin_note(k, r.outcome == CHECKIN_OK ? CHECKIN_NOTE_OK : CHECKIN_NOTE_REFUSED, r.message,
		     now);
	if (r.count >= 0)
		k->count = r.count;
	/* Undo is for the check-in just made: after any other outcome it would take back
	 * someone else's. */
	if (r.outcome != CHECKIN_OK)
		k->undo_id = 0;
	if (r.outcome != CHECKIN_OK && r.outcome != CHECKIN_DUPLICATE)
		return;
	/* The next person starts from an empty field. */
	s->search[0] = '\0';
	s->keyboard = false;
	if (r.outcome != CHECKIN_OK)
		return;
	if (person >= 0 && (size_t)person < k->people.count)
		k->people.items[person].checked_in_ms = r.at_ms;
	k->undo_id = r.id;
	k->undo_person = person;
	k->undo_until = now + KIOSK_CHECKIN_UNDO_S;
}

static void checkin_tap(const struct kiosk_events *e, struct kiosk_state *s,
			const struct view *shown, int64_t i, int64_t now)
{
	/* The index is into the filtered list the screen showed; its person must still be the
	 * one shown (the list may have changed since). */
	if (i < 0 || i >= shown->n_invitees)
		return;
	const struct view_invitee *vi = &shown->invitees[i];
	struct roster *r = &s->checkin.people;
	if (vi->person < 0 || (size_t)vi->person >= r->count)
		return;
	struct roster_person *p = &r->items[vi->person];
	if (strcmp(p->name[0] ? p->name : p->email, vi->name) != 0)
		return;
	struct checkin_who who = {p->name, p->email, p->badge};
	check_in(e, s, CHECKIN_TAP, &who, vi->person, false, now);
}

static void walk_in(const struct kiosk_events *e, struct kiosk_state *s, int64_t now)
{
	struct roster *r = &s->checkin.people;
	char name[sizeof s->search];
	utf8_copy(name, sizeof name, s->search);
	/* A name typed that is on the list is that person (the same one, for duplicates). */
	struct roster_person *p = roster_find_name(r, name);
	if (p) {
		struct checkin_who who = {p->name, p->email, p->badge};
		check_in(e, s, CHECKIN_WALKIN, &who, (int)(p - r->items), false, now);
		return;
	}
	struct checkin_who who = {.name = name};
	int person = -1;
	/* Listed after for the rest of the session in names mode only: in count mode the screen
	 * keeps no name past its confirmation (which says "Checked in"). */
	if (checkin_on(e) && e->att->mode == ATTENDANCE_NAMES && s->checkin.key[0] &&
	    roster_add(r, name, NULL, NULL, false) == LT_OK) {
		person = (int)r->count - 1;
		r->items[person].walk_in = true;
		attendance_person_key(e->att, &who, r->items[person].key);
	}
	check_in(e, s, CHECKIN_WALKIN, &who, person, false, now);
	if (person >= 0 && !r->items[person].checked_in_ms)
		r->count--;             /* refused: not one of the session's people */
}

static void checkin_undo(const struct kiosk_events *e, struct kiosk_state *s, int64_t now)
{
	struct kiosk_checkin *k = &s->checkin;
	if (!k->undo_id || !checkin_on(e))
		return;
	lt_err err = attendance_undo(e->att, k->undo_id, now * 1000);
	if (err == LT_ERR_STATE) {
		checkin_note(k, CHECKIN_NOTE_REFUSED, "Too late to undo", now);
	} else if (err == LT_OK) {
		checkin_note(k, CHECKIN_NOTE_OK, "Check-in undone", now);
		struct roster *r = &k->people;
		if (k->undo_person >= 0 && (size_t)k->undo_person < r->count) {
			r->items[k->undo_person].checked_in_ms = 0;
			/* A walk-in taken back was most likely mistyped: off the list. */
			if (r->items[k->undo_person].walk_in && (size_t)k->undo_person == r->count - 1)
				r->count--;
		}
		k->count = attendance_count(e->att, k->key);
	}
	k->undo_id = 0;
}

void kiosk_events_check_in_qr(const struct kiosk_events *e, struct kiosk_state *s,
			      const struct checkin_who *id, bool cards, int64_t now)
{
	struct roster *r = &s->checkin.people;
	struct roster_person *p = roster_find(r, id->email, id->badge);
	check_in(e, s, CHECKIN_QR, id, p ? (int)(p - r->items) : -1, cards, now);
}

void kiosk_events_free(struct kiosk_state *s)
{
	roster_free(&s->checkin.people);
}

/* --- the PIN ------------------------------------------------------------------------------ */

/* Compare in constant time over the whole buffer, so that neither how many digits were right
 * nor the PIN's length shows in the time taken (zero padding makes the lengths part of it). */
static bool pin_matches(const char *typed, const char *pin)
{
	char a[sizeof ((struct config *)0)->ui_pin] = {0}, b[sizeof a] = {0};
	memcpy(a, typed, strnlen(typed, sizeof a - 1));
	memcpy(b, pin, strnlen(pin, sizeof b - 1));
	return pinhash_equal(a, b, sizeof a);
}

static void pin_save(const struct kiosk_events *e, const struct kiosk_state *s)
{
	if (!e->st)
		return;
	char text[48];
	snprintf(text, sizeof text, "%d %" PRId64, s->pin_failures, s->pin_locked_until);
	if (store_kv_set(e->st, KV_PIN_LOCKOUT, text) != LT_OK)
		log_warn("screen: the PIN lock-out could not be stored; a restart would reset it");
}

static void pin_load(const struct kiosk_events *e, struct kiosk_state *s, int64_t now)
{
	char text[48];
	int failures = 0;
	int64_t until = 0;
	if (e->st && store_kv_get(e->st, KV_PIN_LOCKOUT, text, sizeof text) == LT_OK &&
	    sscanf(text, "%d %" SCNd64, &failures, &until) == 2 && failures >= 0) {
		s->pin_failures = failures;
		s->pin_locked_until = until;
	}
	/* A clock that was set back (no RTC before NTP) must not lock the keypad for longer than
	 * the longest lock-out. */
	if (s->pin_locked_until > now + pin_lock_s[PIN_ROUNDS - 1])
		s->pin_locked_until = now + pin_lock_s[PIN_ROUNDS - 1];
	if (s->pin_locked_until > now)
		log_warn("screen: settings PIN locked for %" PRId64 " more seconds after %d wrong "
			 "PINs", s->pin_locked_until - now, s->pin_failures);
}

/* Why the keypad takes no PIN at all ("" when it does): no PIN configured, or the sample one. */
static const char *pin_refused(const struct config *cfg)
{
	if (cfg->ui_pin_file[0])
		return "";
	if (!cfg->ui_pin[0])
		return "[ui] pin is empty: the settings screen stays locked";
	if (strcmp(cfg->ui_pin, PINHASH_SAMPLE_PIN) == 0)
		return "[ui] pin is still the sample PIN 1234, which opens nothing: run sudo lectern "
		       "provision --pin N";
	return "";
}

static void pin_digit(const struct kiosk_events *e, struct kiosk_state *s, int digit,
		      int64_t now)
{
	/* An empty [ui] pin locks settings: a box in a public room never opens them unasked. */
	if (pin_refused(e->cfg)[0] || s->pin_locked_until > now || digit < 0 || digit > 9)
		return;
	/* Nothing happens at any length: only OK submits, so the keypad does not tell how long
	 * the PIN is. Eight digits is the longest a PIN may be. */
	size_t len = strlen(s->pin);
	if (len >= 8 || len + 1 >= sizeof s->pin)
		return;
	s->pin[len] = (char)('0' + digit);
	s->pin[len + 1] = '\0';
}

/* Whether `typed` is the configured PIN: the hash in [ui] pin_file (read at every try, so that
 * a new one is used without a restart), else [ui] pin. -1 when the PIN file is unusable. */
static int pin_check(const struct config *cfg, const char *typed)
{
	if (!cfg->ui_pin_file[0])
		return pin_matches(typed, cfg->ui_pin);
	char hash[PINHASH_MAX_LEN], why[PATH_MAX + 160];
	if (pinhash_read_file(cfg->ui_pin_file, hash, sizeof hash, why, sizeof why) != LT_OK) {
		log_error("screen: settings stay locked: %s", why);
		return -1;
	}
	int right = pinhash_verify(typed, hash);
	if (right < 0)
		log_error("screen: settings stay locked: %s holds no usable PIN hash",
			  cfg->ui_pin_file);
	return right;
}

static void pin_ok(const struct kiosk_events *e, struct kiosk_state *s, int64_t now)
{
	if (pin_refused(e->cfg)[0] || s->pin_locked_until > now || !s->pin[0])
		return;
	int right = pin_check(e->cfg, s->pin);
	/* A hashed sample PIN (made by hand) is refused like a plain one. */
	if (right == 1 && strcmp(s->pin, PINHASH_SAMPLE_PIN) == 0) {
		log_warn("screen: the PIN is the sample 1234, which opens nothing: run sudo lectern "
			 "provision --pin N");
		right = -1;
	}
	if (right == 1) {
		s->screen = VIEW_SETTINGS;
		if (s->pin_failures) {
			s->pin_failures = 0;
			s->pin_locked_until = 0;
			pin_save(e, s);
		}
		log_info("screen: settings opened");
	} else if (right == 0) {
		s->pin_failures++;
		if (s->pin_failures % KIOSK_PIN_TRIES == 0) {
			int round = s->pin_failures / KIOSK_PIN_TRIES - 1;
			int64_t lock = pin_lock_s[round < PIN_ROUNDS ? round : PIN_ROUNDS - 1];
			s->pin_locked_until = now + lock;
			log_warn("screen: %d wrong PINs in a row; settings locked for %" PRId64
				 " minutes", s->pin_failures, lock / 60);
		}
		pin_save(e, s);
	}
	explicit_bzero(s->pin, sizeof s->pin);
}

/* --- the whole --------------------------------------------------------------------------- */

void kiosk_events_init(const struct kiosk_events *e, struct kiosk_state *s, int64_t now)
{
	memset(s, 0, sizeof *s);
	s->screen = VIEW_HOME;
	s->latency_ms = -1;
	s->checkin.confirm_ms = -1;
	for (const char *p = e->cfg->ui_tags; *p;) {
		size_t len = strcspn(p, ",");
		char tag[32];
		snprintf(tag, sizeof tag, "%.*s", (int)len, p);
		add_tag(s, tag, false);
		p += len + (p[len] == ',');
	}
	pin_load(e, s, now);
	if (pin_refused(e->cfg)[0])
		log_warn("screen: %s", pin_refused(e->cfg));
}

static void show(const struct kiosk_events *e, struct kiosk_state *s, int64_t screen)
{
	if (screen < 0 || screen >= VIEW_SCREEN_COUNT)
		return;
	/* Settings open only through the PIN, whatever asks to show them. */
	if (screen == VIEW_SETTINGS && s->screen != VIEW_SETTINGS)
		s->screen = VIEW_PIN;
	else
		s->screen = (enum view_screen)screen;
	s->keyboard = false;
	s->pin[0] = '\0';
	if (s->screen == VIEW_RECORDING && !controller_recording(e->ctl, NULL))
		s->screen = VIEW_HOME;
}

void kiosk_events_apply(const struct kiosk_events *e, struct kiosk_state *s,
			const struct view *shown, const struct view_event *ev, int64_t now)
{
	bool checkin = s->screen == VIEW_CHECKIN;
	if (kiosk_sessions_apply(s, ev))
		return;
	switch (ev->type) {
	case EV_SHOW: show(e, s, ev->arg); break;
	case EV_START_RECORDING: start_recording(e, s, shown, now); break;
	case EV_STOP_RECORDING:
		if (controller_stop(e->ctl, "stopped on the screen") != LT_ERR_STATE)
			log_info("screen: recording stopped by a presenter");
		s->screen = VIEW_HOME;
		break;
	case EV_PAUSE: controller_pause(e->ctl); break;
	case EV_RESUME: controller_resume(e->ctl); break;
	case EV_TAG_TOGGLE:
		if (ev->arg >= 0 && ev->arg < s->n_tags) {
			s->tag_on[ev->arg] = !s->tag_on[ev->arg];
			save_tags(e, s);
		}
		break;
	case EV_KEY:
		type_into(checkin ? s->search : s->free_tag,
			  checkin ? sizeof s->search : sizeof s->free_tag, ev->text);
		break;
	case EV_BACKSPACE: backspace(checkin ? s->search : s->free_tag); break;
	case EV_KEYBOARD:
		s->keyboard = ev->arg != 0;
		if (!s->keyboard && s->screen == VIEW_RECORDING && s->free_tag[0]) {
			add_tag(s, s->free_tag, true);
			s->free_tag[0] = '\0';
			save_tags(e, s);
		}
		break;
	case EV_CHECKIN_TOGGLE: checkin_tap(e, s, shown, ev->arg, now); break;
	case EV_WALK_IN: walk_in(e, s, now); break;
	case EV_CHECKIN_GUEST: check_in(e, s, CHECKIN_GUEST, NULL, -1, false, now); break;
	case EV_CHECKIN_UNDO: checkin_undo(e, s, now); break;
	case EV_RETRY: {
		lt_err err = store_upload_retry(e->st, ev->arg);
		if (err != LT_OK)
			log_warn("screen: retry of recording %lld: %s", (long long)ev->arg,
				 lt_strerror(err));
		break;
	}
	case EV_PIN_DIGIT: pin_digit(e, s, (int)ev->arg, now); break;
	case EV_PIN_CLEAR: s->pin[0] = '\0'; break;
	case EV_PIN_OK: pin_ok(e, s, now); break;
	case EV_INPUT_SELECT:
		if (ev->arg >= 0 && ev->arg < VIEW_MAX_INPUTS)
			kiosk_settings_select_input(e->settings, (int)ev->arg);
		break;
	case EV_BRIGHTNESS: kiosk_settings_brightness(e->settings, ev->arg); break;
	case EV_TEST_CONNECTION: kiosk_settings_test_connection(e->settings); break;
	case EV_QUIT: s->quit = true; break;
	case EV_NONE:
	case EV_ACTIVITY:
	case EV_THANKS_DISMISS: break;  /* the kiosk's (kiosk.h) */
	}
}
