/* spoolmeta.c — per-recording JSON sidecars in the spool and the rebuild from them (see
 * spoolmeta.h). */
#include "lectern/spoolmeta.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <opusfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lectern/checkinlog.h"
#include "lectern/log.h"
#include "lectern/osutil.h"

/* Marks a file as ours and says which layout it has. */
#define SIDECAR_FORMAT 1

/* Written once by the main thread before any other starts; read-only afterwards. */
static char spool[PATH_MAX];

void spoolmeta_enable(const char *spool_dir)
{
	snprintf(spool, sizeof spool, "%s", spool_dir);
	checkinlog_enable(spool_dir);
	/* A sidecar's temp file left by a kill mid-write: only the data directory's holder
	 * writes them, and that is us now. They name presenters, so they do not stay. */
	DIR *d = spool[0] ? opendir(spool) : NULL;
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[PATH_MAX];
		if (strstr(e->d_name, ".json.tmp-") &&
		    snprintf(path, sizeof path, "%s/%s", spool, e->d_name) < (int)sizeof path &&
		    unlink(path) == 0)
			log_info("spool: removed %s, a sidecar's write cut short", path);
	}
	if (d)
		closedir(d);
}

lt_err spoolmeta_remove(const char *uid)
{
	char path[PATH_MAX];
	if (!spool[0])
		return LT_OK;
	if (snprintf(path, sizeof path, "%s/%s.json", spool, uid) >= (int)sizeof path)
		return LT_ERR_INVALID;
	if (unlink(path) != 0 && errno != ENOENT) {
		log_warn("cannot remove the spool sidecar %s: %s", path, strerror(errno));
		return LT_ERR_IO;
	}
	return LT_OK;
}

static void put_text(json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, json_object_new_string(value ? value : ""));
}

static void put_int(json_object *o, const char *key, int64_t value)
{
	json_object_object_add(o, key, json_object_new_int64(value));
}

lt_err spoolmeta_save(struct store *st, int64_t id)
{
	if (!spool[0])
		return LT_OK;
	struct recording r;
	char key[512] = "", *series = NULL, *workflow = NULL, *wf_config = NULL, *episode = NULL;
	lt_err err = store_recording_get(st, id, &r);
	if (err == LT_OK)
		err = store_recording_event_key(st, id, key, sizeof key);
	if (err == LT_OK)
		err = store_recording_get_event(st, id, &series, &workflow, &wf_config, &episode);
	json_object *o = err == LT_OK ? json_object_new_object() : NULL;
	if (err == LT_OK && !o)
		err = LT_ERR_NOMEM;
	if (err == LT_OK) {
		put_int(o, "lectern_sidecar", SIDECAR_FORMAT);
		put_text(o, "uid", r.uid);
		put_text(o, "path", r.path);
		put_text(o, "state", rec_state_name(r.state));
		put_text(o, "title", r.title);
		put_text(o, "presenter", r.presenter);
		put_text(o, "room", r.room);
		put_int(o, "started_ms", r.started_ms);
		put_int(o, "ended_ms", r.ended_ms);
		put_int(o, "samples", r.samples);
		put_int(o, "bytes", r.bytes);
		put_text(o, "sha256", r.sha256);
		put_text(o, "reason", r.reason);
		put_text(o, "tags", r.tags);
		put_text(o, "event_key", key);
		put_text(o, "series", series);
		put_text(o, "workflow", workflow);
		put_text(o, "workflow_config", wf_config);
		put_text(o, "episode_dc", episode);
		put_text(o, "remote", r.remote);
		put_text(o, "link", r.link);
		put_text(o, "language", r.language);
		put_int(o, "uploaded_ms", r.uploaded_ms);
		char path[PATH_MAX];
		if (snprintf(path, sizeof path, "%s/%s.json", spool, r.uid) >= (int)sizeof path) {
			err = LT_ERR_INVALID;
		} else {
			size_t len;
			const char *text = json_object_to_json_string_length(
				o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
			err = os_write_atomic(path, text, len, 0600);
		}
	}
	if (err != LT_OK)
		log_warn("recording %lld: its spool sidecar could not be written: %s%s%s",
			 (long long)id, lt_strerror(err), err == LT_ERR_IO ? ": " : "",
			 err == LT_ERR_IO ? strerror(errno) : "");
	json_object_put(o);
	free(series);
	free(workflow);
	free(wf_config);
	free(episode);
	return err;
}

/* --- the rebuild ------------------------------------------------------------------------- */

/* A recording found in the spool, and its occurrence. */
struct found {
	struct recording rec;
	char *event[5];      /* key, series, workflow, workflow_config, episode_dc */
	dev_t dev;           /* of its audio file, to tell which .opus a sidecar covers */
	ino_t ino;
};

struct found_list {
	struct found *items;
	size_t n, cap;
};

static struct found *add_found(struct found_list *l)
{
	struct found *items = os_grow(l->items, l->n, &l->cap, sizeof *items, 16);
	if (!items)
		return NULL;
	l->items = items;
	struct found *f = &l->items[l->n++];
	memset(f, 0, sizeof *f);
	return f;
}

static const char *get_text(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : "";
}

static int64_t get_int(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

/* What a recording comes back as: one that never ended is closed by recovery, and an upload
 * cut short is made again. */
static enum rec_state restored_state(enum rec_state was)
{
	switch (was) {
	case REC_RECORDING:
	case REC_PAUSED:
	case REC_FINALIZING: return REC_RECORDING;
	case REC_UPLOADING: return REC_QUEUED;
	default: return was;
	}
}

static void note_file(struct found *f)
{
	struct stat sb;
	if (stat(f->rec.path, &sb) == 0) {
		f->dev = sb.st_dev;
		f->ino = sb.st_ino;
	} else if (f->rec.state == REC_UPLOADED && !f->rec.deleted_ms) {
		f->rec.deleted_ms = f->rec.uploaded_ms; /* removed after delivery */
	}
}

/*
 * Whether a sidecar may be believed: it is named after its own uid (so that the uid is one file
 * name, never a path that climbs out of the spool), and the audio it names, if still there, is
 * a plain file of the spool's own or else an Ogg Opus file (a sidecar naming any other file, or
 * a symbolic link to one, would have it delivered to the share).
 */
static bool sidecar_sane(json_object *o, const char *spool_dir, const char *name)
{
	const char *uid = get_text(o, "uid"), *audio = get_text(o, "path");
	size_t stem = strlen(name) - strlen(".json"), dir = strlen(spool_dir);
	if (strlen(uid) != stem || strncmp(uid, name, stem) != 0 || !*audio)
		return false;
	struct stat sb;
	if (lstat(audio, &sb) != 0)
		return errno == ENOENT; /* delivered and removed, or lost: the row says so */
	if (strncmp(audio, spool_dir, dir) == 0 && audio[dir] == '/' && !strchr(audio + dir + 1, '/'))
		return S_ISREG(sb.st_mode);
	int oerr = 0;
	OggOpusFile *of = op_test_file(audio, &oerr);
	op_free(of);
	return of != NULL;
}

static bool read_sidecar(const char *spool_dir, const char *path, const char *name,
			 struct found *f)
{
	json_object *o = json_object_from_file(path);
	if (!o || get_int(o, "lectern_sidecar") != SIDECAR_FORMAT || !sidecar_sane(o, spool_dir, name)) {
		log_warn("store rebuild: %s is not a lectern sidecar, or names a file that is not "
			 "its recording: skipped", path);
		json_object_put(o);
		return false;
	}
	struct recording *r = &f->rec;
	snprintf(r->uid, sizeof r->uid, "%s", get_text(o, "uid"));
	snprintf(r->path, sizeof r->path, "%s", get_text(o, "path"));
	snprintf(r->title, sizeof r->title, "%s", get_text(o, "title"));
	snprintf(r->presenter, sizeof r->presenter, "%s", get_text(o, "presenter"));
	snprintf(r->room, sizeof r->room, "%s", get_text(o, "room"));
	snprintf(r->sha256, sizeof r->sha256, "%s", get_text(o, "sha256"));
	snprintf(r->reason, sizeof r->reason, "%s", get_text(o, "reason"));
	snprintf(r->tags, sizeof r->tags, "%s", get_text(o, "tags"));
	snprintf(r->remote, sizeof r->remote, "%s", get_text(o, "remote"));
	snprintf(r->link, sizeof r->link, "%s", get_text(o, "link"));
	snprintf(r->language, sizeof r->language, "%s", get_text(o, "language"));
	r->started_ms = get_int(o, "started_ms");
	r->ended_ms = get_int(o, "ended_ms");
	r->samples = get_int(o, "samples");
	r->bytes = get_int(o, "bytes");
	r->uploaded_ms = get_int(o, "uploaded_ms");
	enum rec_state was;
	if (rec_state_parse(get_text(o, "state"), &was) != 0)
		was = REC_RECORDING; /* unknown: let recovery look at the file */
	r->state = restored_state(was);
	static const char *const keys[5] = {"event_key", "series", "workflow", "workflow_config",
					    "episode_dc"};
	bool ok = true;
	for (int i = 0; i < 5; i++)
		ok = ok && (f->event[i] = strdup(get_text(o, keys[i]))) != NULL;
	json_object_put(o);
	note_file(f);
	return ok;
}

static void copy_tag(const OpusTags *tags, const char *name, char *dst, size_t n)
{
	const char *v = opus_tags_query(tags, name, 0);
	snprintf(dst, n, "%s", v ? v : "");
}

/* "2026-11-30T10:15:00+0100" (what the recorder writes) as unix ms; 0 when it is not. */
static int64_t parse_date(const char *s)
{
	struct tm tm = {0};
	const char *end = s[0] ? strptime(s, "%Y-%m-%dT%H:%M:%S%z", &tm) : NULL;
	if (!end || *end)
		return 0;
	return ((int64_t)timegm(&tm) - tm.tm_gmtoff) * 1000;
}

/* An .opus without a sidecar (made before sidecars, or its sidecar failed): its own tags. */
static bool read_opus(const char *path, const char *name, const struct stat *sb, struct found *f)
{
	int oerr = 0;
	OggOpusFile *of = op_test_file(path, &oerr);
	if (!of) {
		log_warn("store rebuild: %s is not an Ogg Opus file (%d): skipped", path, oerr);
		return false;
	}
	struct recording *r = &f->rec;
	const OpusTags *tags = op_tags(of, -1);
	char date[64] = "";
	if (tags) {
		copy_tag(tags, "TITLE", r->title, sizeof r->title);
		copy_tag(tags, "ARTIST", r->presenter, sizeof r->presenter);
		copy_tag(tags, "LOCATION", r->room, sizeof r->room);
		copy_tag(tags, "DATE", date, sizeof date);
	}
	op_free(of);
	r->started_ms = parse_date(date);
	if (!r->started_ms)
		r->started_ms = (int64_t)sb->st_mtime * 1000;
	size_t stem = strlen(name) - strlen(".opus");
	if (stem < sizeof r->uid)
		snprintf(r->uid, sizeof r->uid, "%.*s", (int)stem, name);
	else
		store_make_uid(r->started_ms, r->uid, sizeof r->uid);
	snprintf(r->path, sizeof r->path, "%s", path);
	r->state = REC_RECORDING; /* recovery closes it (a finished file is left as it is) */
	f->dev = sb->st_dev;
	f->ino = sb->st_ino;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Whether a sidecar already names the file (dev, ino). */
static bool covered(const struct found_list *l, size_t n_sidecars, const struct stat *sb)
{
	for (size_t i = 0; i < n_sidecars; i++)
		if (l->items[i].dev == sb->st_dev && l->items[i].ino == sb->st_ino)
			return true;
	return false;
}

/* Both passes over the spool: sidecars first, so that the second knows which files they
 * cover. Returns false when the directory cannot be read or memory runs out. */
static bool scan(const char *spool_dir, struct found_list *l)
{
	size_t n_sidecars = 0;
	for (int pass = 0; pass < 2; pass++) {
		DIR *d = opendir(spool_dir);
		if (!d)
			return false;
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.' || !ends_with(e->d_name, pass ? ".opus" : ".json"))
				continue;
			char path[PATH_MAX];
			struct stat sb;
			if (snprintf(path, sizeof path, "%s/%s", spool_dir, e->d_name) >=
				    (int)sizeof path ||
			    stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
			    (pass && covered(l, n_sidecars, &sb)))
				continue;
			struct found *f = add_found(l);
			if (!f) {
				closedir(d);
				return false;
			}
			if (!(pass ? read_opus(path, e->d_name, &sb, f)
				     : read_sidecar(spool_dir, path, e->d_name, f))) {
				for (int i = 0; i < 5; i++)
					free(f->event[i]);
				l->n--;
			}
		}
		closedir(d);
		n_sidecars = l->n;
	}
	return true;
}

static int by_start(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	return (x->rec.started_ms > y->rec.started_ms) - (x->rec.started_ms < y->rec.started_ms);
}

int spoolmeta_rebuild(struct store *st, const char *spool_dir)
{
	struct found_list l = {0};
	int restored = scan(spool_dir, &l) ? 0 : -1;
	if (restored < 0)
		log_error("store rebuild: cannot read the spool %s: %s", spool_dir, strerror(errno));
	if (l.n)
		qsort(l.items, l.n, sizeof *l.items, by_start);
	for (size_t i = 0; restored >= 0 && i < l.n; i++) {
		struct found *f = &l.items[i];
		struct store_event ev = {f->event[0], f->event[1], f->event[2], f->event[3],
					 f->event[4]};
		lt_err err = store_recording_restore(st, &f->rec, &ev,
						     "rebuilt from the spool: the database was lost");
		if (err == LT_OK) {
			restored++;
			log_info("recording %lld (%s) rebuilt from the spool: %s", (long long)f->rec.id,
				 f->rec.uid, rec_state_name(f->rec.state));
		} else if (err != LT_ERR_STATE) {
			restored = -1;
		}
	}
	for (size_t i = 0; i < l.n; i++)
		for (int j = 0; j < 5; j++)
			free(l.items[i].event[j]);
	free(l.items);
	return restored;
}
