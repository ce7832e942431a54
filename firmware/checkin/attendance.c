/*
 * attendance.c — check-ins stored as the privacy mode allows (attendance.h).
 *
 * What must stay true: in count mode no name, e-mail or badge id reaches the store, the log or
 * the result's message; the person key is computed in every mode, so that switching modes
 * never lets a person check in twice; nothing at all is stored in mode none.
 */
#include "lectern/attendance.h"

#include <inttypes.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lectern/checkinlog.h"
#include "lectern/log.h"
#include "lectern/reports.h"
#include "lectern/utf8.h"

enum attendance_mode attendance_mode_parse(const char *word)
{
	if (word && strcmp(word, "none") == 0)
		return ATTENDANCE_NONE;
	if (word && strcmp(word, "names") == 0)
		return ATTENDANCE_NAMES;
	return ATTENDANCE_COUNT;
}

static const char *const methods[] = {"tap", "walkin", "qr", "guest"};

const char *checkin_method_name(enum checkin_method m)
{
	return (unsigned)m < sizeof methods / sizeof methods[0] ? methods[m] : "?";
}

int checkin_method_parse(const char *word, enum checkin_method *out)
{
	for (size_t i = 0; word && i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(word, methods[i]) == 0) {
			*out = (enum checkin_method)i;
			return 0;
		}
	return -1;
}

static void hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool unhex(const char *in, unsigned char *out, size_t n)
{
	if (strlen(in) != 2 * n)
		return false;
	for (size_t i = 0; i < 2 * n; i++) {
		char c = in[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return false;
		out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] | v : v << 4);
	}
	return true;
}

void attendance_consent_version(const char *text, char out[9])
{
	out[0] = '\0';
	if (!text || !text[0])
		return;
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)text, strlen(text), md);
	hex(md, 4, out);
}

/* The device secret: read from the store, else made and kept. */
static lt_err load_secret(struct attendance *a)
{
	char text[2 * sizeof a->secret + 1];
	lt_err err = store_kv_get(a->st, ATTENDANCE_KV_SECRET, text, sizeof text);
	if (err == LT_OK && unhex(text, a->secret, sizeof a->secret)) {
		a->have_secret = true;
		/* Kept beside the journals, for a rebuild (one made before they were, too). */
		checkinlog_keep_secret(text);
		return LT_OK;
	}
	if (err != LT_OK && err != LT_ERR_NOT_FOUND)
		return err;
	if (err == LT_OK)
		log_warn("check-in: the stored device secret is damaged; a new one is made (a person "
			 "checked in before may check in once more today)");
	if (RAND_bytes(a->secret, (int)sizeof a->secret) != 1) {
		log_error("check-in: no random bytes for the device secret");
		return LT_ERR_INVALID;
	}
	hex(a->secret, sizeof a->secret, text);
	err = store_kv_set(a->st, ATTENDANCE_KV_SECRET, text);
	a->have_secret = err == LT_OK;
	if (a->have_secret)
		checkinlog_keep_secret(text);
	return err;
}

lt_err attendance_init_with(struct attendance *a, struct store *st, enum attendance_mode mode,
			    const char *consent)
{
	memset(a, 0, sizeof *a);
	a->st = st;
	a->mode = mode;
	attendance_consent_version(consent, a->consent_version);
	if (mode == ATTENDANCE_NONE || !st)
		return LT_OK;
	return load_secret(a);
}

lt_err attendance_init(struct attendance *a, struct store *st, const struct config *cfg)
{
	return attendance_init_with(a, st, attendance_mode_parse(cfg->attendance),
				    cfg->checkin_consent);
}

void attendance_key_occurrence(const char *uid, int64_t start, char *buf, size_t n)
{
	snprintf(buf, n, "%s@%lld", uid, (long long)start);
}

void attendance_key_adhoc(const char *recording_uid, char *buf, size_t n)
{
	snprintf(buf, n, STORE_ADHOC_PREFIX "%s", recording_uid);
}

bool attendance_key_is_adhoc(const char *key)
{
	return strncmp(key, STORE_ADHOC_PREFIX, strlen(STORE_ADHOC_PREFIX)) == 0;
}

/* --- sessions ----------------------------------------------------------------------------- */

lt_err attendance_open_session(struct attendance *a, const struct store_checkin_session *s)
{
	if (a->mode == ATTENDANCE_NONE || !a->st)
		return LT_OK;
	if (!s->key[0])
		return LT_ERR_INVALID;
	return store_checkin_session_put(a->st, s);
}

lt_err attendance_open_occurrence(struct attendance *a, const struct occurrence *o,
				  const char *recording_uid)
{
	struct store_checkin_session s = {.start_s = o->start, .end_s = o->end};
	attendance_key_occurrence(o->uid, o->start, s.key, sizeof s.key);
	utf8_copy(s.title, sizeof s.title, o->title);
	utf8_copy(s.presenter, sizeof s.presenter, o->presenter);
	utf8_copy(s.recording_uid, sizeof s.recording_uid, recording_uid);
	return attendance_open_session(a, &s);
}

lt_err attendance_open_adhoc(struct attendance *a, const char *recording_uid, const char *title,
			     const char *presenter, int64_t start, int64_t end)
{
	struct store_checkin_session s = {.start_s = start, .end_s = end};
	attendance_key_adhoc(recording_uid, s.key, sizeof s.key);
	utf8_copy(s.title, sizeof s.title, title);
	utf8_copy(s.presenter, sizeof s.presenter, presenter);
	utf8_copy(s.recording_uid, sizeof s.recording_uid, recording_uid);
	return attendance_open_session(a, &s);
}

/* --- people ------------------------------------------------------------------------------- */

static bool given(const char *s)
{
	if (!s)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s != '\0';
}

/* The normalised identity the person key is made of; "" for none. */
static void identity(const struct checkin_who *who, char *out, size_t n)
{
	char folded[256];
	out[0] = '\0';
	if (!who)
		return;
	if (given(who->email)) {
		/* An address is compared without case (the local part almost never has one) and
		 * without the spaces a hand might type around it. */
		roster_fold(who->email, folded, sizeof folded);
		snprintf(out, n, "e:%s", folded);
	} else if (given(who->badge)) {
		const char *b = who->badge;
		while (*b == ' ' || *b == '\t')
			b++;
		size_t len = strlen(b);
		while (len && (b[len - 1] == ' ' || b[len - 1] == '\t' || b[len - 1] == '\r'))
			len--;
		snprintf(out, n, "b:%.*s", (int)len, b);
	} else if (given(who->name)) {
		roster_fold(who->name, folded, sizeof folded);
		snprintf(out, n, "n:%s", folded);
	}
}

void attendance_person_key(const struct attendance *a, const struct checkin_who *who,
			   char out[65])
{
	char id[300];
	out[0] = '\0';
	identity(who, id, sizeof id);
	if (!id[0] || !a->have_secret)
		return;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (!HMAC(EVP_sha256(), a->secret, (int)sizeof a->secret, (const unsigned char *)id,
		  strlen(id), md, &len) || len != 32)
		return;
	hex(md, 32, out);
}

/* --- checking in -------------------------------------------------------------------------- */

static void clock_text(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, n, "%H:%M", &tm);
}

/* The first word of `name` (at most 40 bytes): what a welcome calls a person. */
static void first_name(const char *name, char *out, size_t n)
{
	while (*name == ' ' || *name == '\t')
		name++;
	size_t len = strcspn(name, " \t");
	if (len > 40)
		len = utf8_cut(name, 40);
	snprintf(out, n, "%.*s", (int)len, name);
}

static enum checkin_outcome answer(struct checkin_result *r, enum checkin_outcome o,
				   const char *message)
{
	r->outcome = o;
	utf8_copy(r->message, sizeof r->message, message);
	return o;
}

enum checkin_outcome attendance_check_in(struct attendance *a, const char *key,
					 enum checkin_method method,
					 const struct checkin_who *who, int64_t now_ms,
					 struct checkin_result *r)
{
	memset(r, 0, sizeof *r);
	r->count = -1;
	if (a->mode == ATTENDANCE_NONE || !a->st)
		return answer(r, CHECKIN_OFF, "Check-in is off on this device");
	if (!key || !key[0])
		return answer(r, CHECKIN_OFF, "No session to check in to now");
	if (!a->have_secret)
		return answer(r, CHECKIN_ERROR, "Check-in is not working: the device's store failed");

	struct store_checkin c = {.at_ms = now_ms};
	utf8_copy(c.session_key, sizeof c.session_key, key);
	utf8_copy(c.method, sizeof c.method, checkin_method_name(method));
	utf8_copy(c.consent, sizeof c.consent, a->consent_version);
	if (method != CHECKIN_GUEST) {
		attendance_person_key(a, who, c.person);
		if (!c.person[0])
			return answer(r, CHECKIN_INVALID, "Type a name first");
		struct store_checkin first;
		lt_err err = store_checkin_find(a->st, key, c.person, &first);
		if (err == LT_OK) {
			char at[16], text[64];
			clock_text(first.at_ms, at, sizeof at);
			snprintf(text, sizeof text, "Already checked in at %s", at);
			r->at_ms = first.at_ms;
			r->count = store_checkin_count(a->st, key, 0);
			return answer(r, CHECKIN_DUPLICATE, text);
		}
		if (err != LT_ERR_NOT_FOUND)
			return answer(r, CHECKIN_ERROR, "Check-in is not working: the store failed");
		if (a->mode == ATTENDANCE_NAMES) {
			utf8_copy(c.name, sizeof c.name, who->name);
			utf8_copy(c.email, sizeof c.email, who->email);
			utf8_copy(c.badge, sizeof c.badge, who->badge);
		}
	}
	if (store_checkin_add(a->st, &c) != LT_OK)
		return answer(r, CHECKIN_ERROR, "Check-in is not working: the store failed");
	r->id = c.id;
	r->at_ms = now_ms;
	r->count = store_checkin_count(a->st, key, 0);
	log_info("check-in: %s %lld by %s (%d in)", key, (long long)c.id, c.method, r->count);
	char text[128] = "Checked in";
	if (a->mode == ATTENDANCE_NAMES && method != CHECKIN_GUEST && given(who->name)) {
		char first[48];
		first_name(who->name, first, sizeof first);
		snprintf(text, sizeof text, "Welcome, %s", first);
	} else if (method == CHECKIN_GUEST) {
		utf8_copy(text, sizeof text, "Welcome, guest");
	}
	return answer(r, CHECKIN_OK, text);
}

enum checkin_outcome attendance_check_in_qr(struct attendance *a, struct roster *roster,
					    const char *key, const struct checkin_who *id,
					    bool cards, int64_t now_ms, struct checkin_result *r)
{
	struct roster_person *p =
		roster && id ? roster_find(roster, id->email, id->badge) : NULL;
	if (p) {
		struct checkin_who who = {p->name, p->email, p->badge};
		enum checkin_outcome o = attendance_check_in(a, key, CHECKIN_QR, &who, now_ms, r);
		if (o == CHECKIN_OK)
			p->checked_in_ms = now_ms;
		return o;
	}
	if (cards && id && given(id->name) && given(id->email))
		return attendance_check_in(a, key, CHECKIN_QR, id, now_ms, r);
	memset(r, 0, sizeof *r);
	r->count = -1;
	if (a->mode == ATTENDANCE_NONE)
		return answer(r, CHECKIN_OFF, "Check-in is off on this device");
	if (!id || (!given(id->email) && !given(id->badge)))
		return answer(r, CHECKIN_UNKNOWN,
			      "This code holds no e-mail address or badge id: type your name");
	return answer(r, CHECKIN_UNKNOWN,
		      given(id->email) ? "This e-mail address is not on the list: type your name"
				       : "This badge is not on the list: type your name");
}

lt_err attendance_undo(struct attendance *a, int64_t id, int64_t now_ms)
{
	if (a->mode == ATTENDANCE_NONE || !a->st)
		return LT_ERR_NOT_FOUND;
	struct store_checkin c;
	lt_err err = store_checkin_get(a->st, id, &c);
	if (err != LT_OK)
		return err;
	/* Within the window either way: a clock stepped back by more than the window would
	 * otherwise keep a check-in open to undo for as long as the step. */
	if (now_ms - c.at_ms >= ATTENDANCE_UNDO_MS || c.at_ms - now_ms >= ATTENDANCE_UNDO_MS)
		return LT_ERR_STATE;
	err = store_checkin_remove(a->st, id);
	if (err == LT_OK)
		log_info("check-in: %s %lld undone", c.session_key, (long long)id);
	return err;
}

int attendance_count(struct attendance *a, const char *key)
{
	if (a->mode == ATTENDANCE_NONE || !a->st || !key || !key[0])
		return 0;
	return store_checkin_count(a->st, key, 0);
}

int64_t attendance_checked_in_at(struct attendance *a, const char *key,
				 const struct checkin_who *who)
{
	if (a->mode == ATTENDANCE_NONE || !a->st || !key || !key[0])
		return 0;
	char person[65];
	attendance_person_key(a, who, person);
	struct store_checkin c;
	return store_checkin_find(a->st, key, person, &c) == LT_OK ? c.at_ms : 0;
}

lt_err attendance_list(struct attendance *a, const char *key, store_checkin_fn fn, void *user)
{
	if (a->mode == ATTENDANCE_NONE || !a->st)
		return LT_OK;
	return store_checkins_each(a->st, key, fn, user);
}

lt_err attendance_recording_session(struct store *st, int64_t id, const char *uid, char *key,
				    size_t n, struct store_checkin_session *out)
{
	/* The store's rule (store.h); `uid` makes the key of a recording not stored (yet). */
	lt_err err = store_recording_session_key(st, id, key, n);
	if (err == LT_ERR_NOT_FOUND)
		attendance_key_adhoc(uid, key, n);
	else if (err != LT_OK)
		return err;
	struct store_checkin_session s;
	err = store_checkin_session_get(st, key, out ? out : &s);
	return err;
}

lt_err attendance_delivered(struct attendance *a, const char *key, int64_t when_ms, int count)
{
	if (!a->st)
		return LT_ERR_INVALID;
	return store_checkin_session_delivered(a->st, key, when_ms, count);
}

int attendance_late(struct attendance *a, const char *key)
{
	if (!a->st)
		return -1;
	struct store_checkin_session s;
	lt_err err = store_checkin_session_get(a->st, key, &s);
	if (err == LT_ERR_NOT_FOUND)
		return 0;
	if (err != LT_OK)
		return -1;
	return s.delivered_ms ? store_checkin_count(a->st, key, s.delivered_ms) : 0;
}

/* --- which session ------------------------------------------------------------------------ */

const struct occurrence *attendance_pick(const struct occurrence_list *l, int64_t now,
					 int64_t before_s, int64_t after_s, int64_t *opens_at)
{
	const struct occurrence *best = NULL;
	int64_t next_open = 0;
	for (size_t i = 0; l && i < l->count; i++) {
		const struct occurrence *o = &l->items[i];
		if (o->all_day)
			continue;
		int64_t from = o->start - before_s;
		int64_t until = o->end > o->start + after_s ? o->end : o->start + after_s;
		if (from <= now && now < until) {
			if (!best || o->start > best->start)
				best = o;
		} else if (from > now && (!next_open || from < next_open)) {
			next_open = from;
		}
	}
	if (opens_at)
		*opens_at = best ? 0 : next_open;
	return best;
}
