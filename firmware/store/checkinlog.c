/* checkinlog.c — the check-in journals in the spool and the rebuild from them (checkinlog.h). */
#include "lectern/checkinlog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lectern/jsonout.h"
#include "lectern/log.h"
#include "lectern/osutil.h"
#include "store_impl.h"

#define SECRET_KV "checkin.secret" /* attendance.h's ATTENDANCE_KV_SECRET (a layer above) */
/* A line longer than this is damage, not a check-in (a row is well under 2 KiB). */
#define MAX_LINE 16384
/* More lines than a session's check-ins could ever make (a room holds hundreds). */
#define MAX_LINES 200000

/* The journals' directory; "" while this process does not hold the data directory. Set by
 * the main thread before others start; every use after that is under `lock`. */
static char dir[PATH_MAX];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Whether each kind of scrub (aged with the person key, names only, delivered) went through
 * every journal once in this process (under `lock`). */
static bool scanned[3];

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

void checkinlog_enable(const char *spool_dir)
{
	pthread_mutex_lock(&lock);
	dir[0] = '\0';
	memset(scanned, 0, sizeof scanned);
	if (spool_dir && spool_dir[0] &&
	    snprintf(dir, sizeof dir, "%s/checkins", spool_dir) >= (int)sizeof dir)
		dir[0] = '\0';
	DIR *d = dir[0] ? opendir(dir) : NULL;
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[PATH_MAX];
		/* A rewrite's temp file left by a kill: the journal it was made from is whole. */
		if (strstr(e->d_name, ".tmp-") &&
		    snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path &&
		    unlink(path) == 0)
			log_info("spool: removed %s, a check-in journal's rewrite cut short", path);
	}
	if (d)
		closedir(d);
	pthread_mutex_unlock(&lock);
}

/* SPOOL/checkins/<hash>.jsonl of session `key`; the directory made when `make`. */
static bool journal_path(const char *key, char *path, size_t n, bool make)
{
	/* nettle, as osutil's SHA-256: the lectern binary links no libcrypto. */
	struct sha256_ctx ctx;
	uint8_t md[SHA256_DIGEST_SIZE];
	char hex[33];
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(key), (const uint8_t *)key);
	sha256_digest(&ctx, sizeof md, md);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (make && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return false;
	return snprintf(path, n, "%s/%s.jsonl", dir, hex) < (int)n;
}

/* Append `o` (consumed) as one line of session `key`'s journal, on disk before returning. */
static lt_err append(const char *key, json_object *o)
{
	lt_err err = LT_OK;
	pthread_mutex_lock(&lock);
	char path[PATH_MAX];
	int fd = -1;
	if (!dir[0] || !o) {
		err = o ? LT_OK : LT_ERR_NOMEM;
		goto out;
	}
	err = LT_ERR_IO;
	if (!journal_path(key, path, sizeof path, true))
		goto out;
	/* Read and write: its last byte is looked at below. */
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		goto out;
	size_t len;
	const char *text = json_object_to_json_string_length(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	char *line = malloc(len + 3);
	if (!line) {
		err = LT_ERR_NOMEM;
		goto out;
	}
	size_t n = 0;
	char last = '\n';
	/* A line a kill cut short stays alone on its line: the reader skips it, not this one. */
	if (sb.st_size > 0 && pread(fd, &last, 1, sb.st_size - 1) == 1 && last != '\n')
		line[n++] = '\n';
	memcpy(line + n, text, len);
	n += len;
	line[n++] = '\n';
	ssize_t w = write(fd, line, n);
	free(line);
	if (w != (ssize_t)n || fdatasync(fd) != 0)
		goto out;
	/* A new journal is a new name in the directory: that must last too. */
	if (sb.st_size == 0) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	err = LT_OK;
out:
	if (err != LT_OK)
		log_warn("check-in journal %s: a line could not be written: %s%s%s",
			 dir[0] ? dir : "(off)", lt_strerror(err), err == LT_ERR_IO ? ": " : "",
			 err == LT_ERR_IO ? strerror(errno) : "");
	if (fd >= 0)
		close(fd);
	pthread_mutex_unlock(&lock);
	json_object_put(o);
	return err;
}

static json_object *line_of(const char *op, const char *key)
{
	json_object *o = json_object_new_object();
	if (o) {
		jsonout_put_string(o, "op", op);
		jsonout_put_string(o, "key", key);
	}
	return o;
}

lt_err checkinlog_session(const struct store_checkin_session *s)
{
	json_object *o = line_of("session", s->key);
	if (o) {
		jsonout_put_string(o, "title", s->title);
		jsonout_put_string(o, "presenter", s->presenter);
		jsonout_put_int(o, "start_s", s->start_s);
		jsonout_put_int(o, "end_s", s->end_s);
		jsonout_put_string(o, "recording_uid", s->recording_uid);
	}
	return append(s->key, o);
}

lt_err checkinlog_in(const struct store_checkin *c)
{
	json_object *o = line_of("in", c->session_key);
	if (o) {
		jsonout_put_string(o, "method", c->method);
		jsonout_put_string(o, "person", c->person);
		jsonout_put_string(o, "name", c->name);
		jsonout_put_string(o, "email", c->email);
		jsonout_put_string(o, "badge", c->badge);
		jsonout_put_int(o, "at_ms", c->at_ms);
		jsonout_put_string(o, "consent", c->consent);
	}
	return append(c->session_key, o);
}

lt_err checkinlog_undo(const struct store_checkin *c)
{
	json_object *o = line_of("undo", c->session_key);
	if (o) {
		jsonout_put_string(o, "method", c->method);
		jsonout_put_string(o, "person", c->person);
		jsonout_put_int(o, "at_ms", c->at_ms);
	}
	return append(c->session_key, o);
}

lt_err checkinlog_delivered(const char *key, int64_t when_ms, int count)
{
	json_object *o = line_of("delivered", key);
	if (o) {
		jsonout_put_int(o, "delivered_ms", when_ms);
		jsonout_put_int(o, "delivered_count", count);
	}
	return append(key, o);
}

/* --- reading ------------------------------------------------------------------------------ */

static const char *get_text(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static int64_t get_int(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_int)
		       ? json_object_get_int64(v)
		       : 0;
}

/* The lines of journal `path`, each parsed; NULL for one that is not a journal line (cut
 * short by a kill, damaged), said so with its file:line. Returns false when it cannot be
 * read. */
struct lines {
	json_object **items;
	size_t n, cap;
	bool partial;        /* not read to its end (MAX_LINES): never rewritten from this */
};

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		json_object_put(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

static bool read_lines(const char *path, struct lines *l)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	/* Bounded whatever the file holds: a line past MAX_LINE is read past, not kept; a
	 * journal of more lines than any session has is read up to MAX_LINES. Problems are said
	 * for the first few lines, then counted. */
	static char buf[MAX_LINE]; /* under `lock` */
	bool ok = true;
	size_t lineno = 0, bad = 0;
	while (fgets(buf, sizeof buf, f)) {
		lineno++;
		size_t len = strlen(buf);
		bool whole = len > 0 && buf[len - 1] == '\n';
		if (!whole && !feof(f)) {
			/* Too long: the rest of the line goes unread. */
			int ch;
			while ((ch = getc(f)) != EOF && ch != '\n')
				;
		}
		json_object *o = NULL;
		if (whole || feof(f)) {
			o = json_tokener_parse(buf);
			const char *op = o ? get_text(o, "op") : NULL;
			if (!op || !get_text(o, "key")) {
				json_object_put(o);
				o = NULL;
			}
		}
		if (!o && !(len == 1 && buf[0] == '\n') && ++bad <= 5)
			log_warn("check-in journal %s:%zu: not a journal line (cut short or "
				 "damaged): skipped", path, lineno);
		if (!o)
			continue;
		if (l->n >= MAX_LINES) {
			json_object_put(o);
			log_warn("check-in journal %s: more than %d lines: the rest is not read",
				 path, MAX_LINES);
			l->partial = true;
			break;
		}
		json_object **more = os_grow(l->items, l->n, &l->cap, sizeof *more, 16);
		if (!more) {
			json_object_put(o);
			ok = false;
			break;
		}
		l->items = more;
		l->items[l->n++] = o;
	}
	if (bad > 5)
		log_warn("check-in journal %s: %zu lines skipped in all", path, bad);
	fclose(f);
	return ok;
}

/* Call `fn` for every journal in the directory `d`; false when it cannot be read. */
static bool each_journal(const char *d, bool (*fn)(const char *path, void *user), void *user)
{
	DIR *dd = opendir(d);
	if (!dd)
		return errno == ENOENT; /* no check-in ever journalled */
	bool ok = true;
	for (struct dirent *e; (e = readdir(dd));) {
		char path[PATH_MAX];
		struct stat sb;
		if (e->d_name[0] == '.' || !ends_with(e->d_name, ".jsonl") ||
		    snprintf(path, sizeof path, "%s/%s", d, e->d_name) >= (int)sizeof path ||
		    lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		ok = fn(path, user) && ok;
	}
	closedir(dd);
	return ok;
}

/* --- scrubbing ---------------------------------------------------------------------------- */

struct scrub {
	int64_t before_ms;  /* names of check-ins before this go; INT64_MIN: use `delivered` */
	bool person;
	bool delivered;     /* those at or before the journal's last delivery go */
	int changed;
};

static bool blank(json_object *o, const char *k)
{
	const char *v = get_text(o, k);
	if (!v || !v[0])
		return false;
	jsonout_put_string(o, k, "");
	return true;
}

static bool scrub_one(const char *path, void *user)
{
	struct scrub *s = user;
	struct lines l = {0};
	if (!read_lines(path, &l)) {
		lines_free(&l);
		return false;
	}
	int64_t until = s->before_ms;
	if (s->delivered) {
		until = 0;
		for (size_t i = 0; i < l.n; i++)
			if (strcmp(get_text(l.items[i], "op"), "delivered") == 0)
				until = get_int(l.items[i], "delivered_ms") + 1;
	}
	int changed = 0;
	for (size_t i = 0; i < l.n; i++) {
		json_object *o = l.items[i];
		const char *op = get_text(o, "op");
		if (get_int(o, "at_ms") >= until)
			continue;
		/* An undo names its check-in by the person key too: blanked alike, or the rebuild
		 * would no longer find what it took back and bring it back. */
		if (strcmp(op, "undo") == 0 && s->person) {
			changed += blank(o, "person");
			continue;
		}
		if (strcmp(op, "in") != 0)
			continue;
		bool c = blank(o, "name");
		c = blank(o, "email") || c;
		c = blank(o, "badge") || c;
		if (s->person)
			c = blank(o, "person") || c;
		changed += c;
	}
	bool ok = true;
	if (changed && l.partial) {
		log_warn("check-in journal %s: too long to blank its names in", path);
		ok = false;
	} else if (changed) {
		/* Rewritten whole: the lines a kill cut short go with it. */
		size_t total = 0, cap = 0;
		char *text = NULL;
		for (size_t i = 0; i < l.n && ok; i++) {
			size_t len;
			const char *t = json_object_to_json_string_length(
				l.items[i], JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
				&len);
			if (total + len + 1 > cap) {
				size_t ncap = (total + len + 1) * 2;
				char *more = realloc(text, ncap);
				if (!more) {
					ok = false;
					break;
				}
				text = more;
				cap = ncap;
			}
			memcpy(text + total, t, len);
			total += len;
			text[total++] = '\n';
		}
		if (ok && os_write_atomic(path, text, total, 0600) != LT_OK) {
			log_warn("check-in journal %s: names could not be blanked: %s", path,
				 strerror(errno));
			ok = false;
		}
		free(text);
		if (ok)
			s->changed += changed;
	}
	lines_free(&l);
	return ok;
}

static int scrub(struct scrub *s, int kind, bool store_changed)
{
	pthread_mutex_lock(&lock);
	bool ok = true;
	/* Every journal is read when the store blanked something (the journal has the same rows)
	 * and once a process: a check-in only the journal has (a kill before the commit) is
	 * followed by a start. Not at every pass of the uploader, which would read them all. */
	if (dir[0] && (store_changed || !scanned[kind])) {
		ok = each_journal(dir, scrub_one, s);
		scanned[kind] = scanned[kind] || ok;
	}
	pthread_mutex_unlock(&lock);
	return ok ? s->changed : -1;
}

int checkinlog_scrub(int64_t before_ms, bool person, bool store_changed)
{
	struct scrub s = {.before_ms = before_ms, .person = person};
	return scrub(&s, person ? 0 : 1, store_changed);
}

int checkinlog_scrub_delivered(bool store_changed)
{
	struct scrub s = {.delivered = true};
	return scrub(&s, 2, store_changed);
}

/* --- the device secret -------------------------------------------------------------------- */

static bool read_small(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	size_t got = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return got > 0;
}

lt_err checkinlog_keep_secret(const char *hex)
{
	lt_err err = LT_OK;
	pthread_mutex_lock(&lock);
	char path[PATH_MAX], have[128];
	if (dir[0] && snprintf(path, sizeof path, "%s/secret", dir) < (int)sizeof path &&
	    !(read_small(path, have, sizeof have) && strcmp(have, hex) == 0)) {
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			err = LT_ERR_IO;
		else
			err = os_write_atomic(path, hex, strlen(hex), 0600);
		if (err != LT_OK)
			log_warn("check-in journal: the device secret could not be kept in %s: %s",
				 dir, strerror(errno));
	}
	pthread_mutex_unlock(&lock);
	return err;
}

/* --- the rebuild -------------------------------------------------------------------------- */

struct replay {
	struct store *st;
	int restored;
	bool failed;
};

static const char *txt(json_object *o, const char *k)
{
	const char *v = get_text(o, k);
	return v ? v : "";
}

static bool same_identity(json_object *a, json_object *b)
{
	return get_int(a, "at_ms") == get_int(b, "at_ms") &&
	       strcmp(txt(a, "method"), txt(b, "method")) == 0 &&
	       strcmp(txt(a, "person"), txt(b, "person")) == 0;
}

static bool replay_one(const char *path, void *user)
{
	struct replay *r = user;
	struct lines l = {0};
	if (!read_lines(path, &l)) {
		lines_free(&l);
		return false;
	}
	if (!l.n) {
		/* Nothing of it can be read (said line by line above): the others still count. */
		log_warn("check-in journal %s: no line to restore from: skipped", path);
		lines_free(&l);
		return true;
	}
	const char *key = txt(l.items[0], "key");
	json_object *session = NULL, *delivered = NULL;
	/* The check-ins not taken back: an undo removes the latest "in" it names. */
	bool *live = calloc(l.n ? l.n : 1, sizeof *live);
	if (!live) {
		lines_free(&l);
		return false;
	}
	for (size_t i = 0; i < l.n; i++) {
		json_object *o = l.items[i];
		const char *op = txt(o, "op");
		if (strcmp(txt(o, "key"), key) != 0) {
			log_warn("check-in journal %s:%zu: a line of another session: skipped", path,
				 i + 1);
			continue;
		}
		if (strcmp(op, "session") == 0) {
			session = o;
		} else if (strcmp(op, "delivered") == 0) {
			delivered = o;
		} else if (strcmp(op, "in") == 0) {
			live[i] = true;
		} else if (strcmp(op, "undo") == 0) {
			for (size_t j = i; j-- > 0;)
				if (live[j] && same_identity(l.items[j], o)) {
					live[j] = false;
					break;
				}
		}
	}
	struct store *st = r->st;
	bool ok = key[0] != '\0';
	/* The session first (check-ins need it), as a put would store it; then its delivery. */
	if (ok)
		ok = st_run(st, "restoring a check-in session",
			    "INSERT INTO checkin_sessions(key, title, presenter, start_s, end_s, "
			    "recording_uid) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING",
			    "tttiit", key, session ? txt(session, "title") : "",
			    session ? txt(session, "presenter") : "",
			    session ? get_int(session, "start_s") : 0,
			    session ? get_int(session, "end_s") : 0,
			    session ? txt(session, "recording_uid") : "") == LT_OK;
	if (ok && delivered)
		ok = st_run(st, "restoring an attendance delivery",
			    "UPDATE checkin_sessions SET delivered_ms = ?, delivered_count = ? "
			    "WHERE key = ? AND delivered_ms < ?", "idti",
			    get_int(delivered, "delivered_ms"),
			    (int)get_int(delivered, "delivered_count"), key,
			    get_int(delivered, "delivered_ms")) == LT_OK;
	for (size_t i = 0; ok && i < l.n; i++) {
		if (!live[i])
			continue;
		json_object *o = l.items[i];
		/* The k-th check-in of this identity is added when the store holds fewer than k:
		 * running the rebuild again adds nothing, two guests in one millisecond stay two. */
		int k = 1;
		for (size_t j = 0; j < i; j++)
			k += live[j] && same_identity(l.items[j], o);
		sqlite3_stmt *s;
		int have = 0;
		lt_err err = st_row(st, &s, "looking up a restored check-in",
				    "SELECT count(*) FROM checkins WHERE session_key = ? AND "
				    "at_ms = ? AND method = ? AND person = ?", "titt", key,
				    get_int(o, "at_ms"), txt(o, "method"), txt(o, "person"));
		if (err == LT_OK) {
			have = sqlite3_column_int(s, 0);
			sqlite3_finalize(s);
		}
		ok = err == LT_OK;
		if (ok && have < k) {
			ok = st_run(st, "restoring a check-in",
				    "INSERT INTO checkins(session_key, method, person, name, email, "
				    "badge, at_ms, consent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				    "ttttttit", key, txt(o, "method"), txt(o, "person"),
				    txt(o, "name"), txt(o, "email"), txt(o, "badge"),
				    get_int(o, "at_ms"), txt(o, "consent")) == LT_OK;
			r->restored += ok;
		}
	}
	if (!ok)
		r->failed = true;
	free(live);
	lines_free(&l);
	return true;
}

int checkinlog_rebuild(struct store *st, const char *spool_dir)
{
	char d[PATH_MAX], path[PATH_MAX], hex[128], have[128];
	if (snprintf(d, sizeof d, "%s/checkins", spool_dir) >= (int)sizeof d)
		return -1;
	struct replay r = {.st = st};
	/* The secret first, as it was: the person keys in the journals were made with it. */
	if (snprintf(path, sizeof path, "%s/secret", d) < (int)sizeof path &&
	    read_small(path, hex, sizeof hex) && strlen(hex) == 64 &&
	    store_kv_get(st, SECRET_KV, have, sizeof have) == LT_ERR_NOT_FOUND &&
	    store_kv_set(st, SECRET_KV, hex) != LT_OK)
		return -1;
	if (st_exec(st, "BEGIN IMMEDIATE") != LT_OK)
		return -1;
	pthread_mutex_lock(&lock);
	bool ok = each_journal(d, replay_one, &r) && !r.failed;
	pthread_mutex_unlock(&lock);
	if (st_exec(st, ok ? "COMMIT" : "ROLLBACK") != LT_OK)
		ok = false;
	if (!ok)
		log_error("store rebuild: the check-ins could not all be restored from %s", d);
	else if (r.restored)
		log_info("store rebuild: %d check-in(s) restored from the spool's journals",
			 r.restored);
	return ok ? r.restored : -1;
}
