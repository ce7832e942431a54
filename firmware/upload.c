/*
 * upload.c — the upload queue and its folder and WebDAV targets (rules in upload.h).
 *
 * What must stay true: a local file is deleted only by upload_prune(), only for a recording
 * whose state is `uploaded`, and only retention_days after the confirmation was stored.
 */
#include "lectern/upload.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lectern/fetch.h"
#include "lectern/jsonout.h"
#include "lectern/log.h"
#include "lectern/osutil.h"
#include "lectern/retention.h"
#include "lectern/schedule.h"

/* "ROOM/YYYY/MM" for a recording (the room's '/' replaced so it stays one component). */
static void remote_dir(const struct recording *rec, char *buf, size_t n)
{
	time_t t = (time_t)(rec->started_ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	char room[128];
	snprintf(room, sizeof room, "%s", rec->room[0] ? rec->room : "room");
	for (char *p = room; *p; p++)
		if (*p == '/' || *p == '\\')
			*p = '-';
	snprintf(buf, n, "%s/%04d/%02d", room, tm.tm_year + 1900, tm.tm_mon + 1);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

char *upload_sidecar_json(const struct config *cfg, const struct recording *rec,
			  const char *sha256)
{
	(void)cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return NULL;
	char start[32], end[32];
	json_local_time(rec->started_ms / 1000, start, sizeof start);
	json_local_time((rec->ended_ms ? rec->ended_ms : rec->started_ms) / 1000, end, sizeof end);
	fprintf(out, "{\"uid\":");
	json_string(out, rec->uid);
	fprintf(out, ",\"file\":");
	json_string(out, base_name(rec->path));
	fprintf(out, ",\"title\":");
	json_string(out, rec->title);
	fprintf(out, ",\"presenter\":");
	json_string(out, rec->presenter);
	fprintf(out, ",\"room\":");
	json_string(out, rec->room);
	fprintf(out, ",\"start\":\"%s\",\"end\":\"%s\",\"duration_s\":%.3f,\"bytes\":%lld,"
		     "\"sha256\":\"%s\",\"tags\":[",
		start, end, (double)rec->samples / 48000.0, (long long)rec->bytes, sha256);
	const char *tag = rec->tags;
	for (bool first = true; *tag; first = false) {
		size_t len_tag = strcspn(tag, ",");
		char one[sizeof rec->tags];
		snprintf(one, sizeof one, "%.*s", (int)len_tag, tag);
		fprintf(out, first ? "" : ",");
		json_string(out, one);
		tag += len_tag + (tag[len_tag] == ',');
	}
	/* Check-in does not record attendance yet: nothing to say, whatever the privacy setting. */
	fprintf(out, "],\"attendance\":null}\n");
	fclose(out);
	return text;
}

/* --- folder ----------------------------------------------------------------------------- */

static lt_err copy_verified(const char *src, const char *dir, const char *name,
			    const char *sha256, const struct upload_progress *prog, char *dest,
			    size_t dest_len, char *err, size_t n)
{
	char tmp[PATH_MAX];
	if (snprintf(dest, dest_len, "%s/%s", dir, name) >= (int)dest_len ||
	    snprintf(tmp, sizeof tmp, "%s/.%s.part", dir, name) >= (int)sizeof tmp) {
		snprintf(err, n, "the path in %s is too long", dir);
		return LT_ERR_INVALID;
	}
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		snprintf(err, n, "cannot read the recording: %s", strerror(errno));
		return LT_ERR_IO;
	}
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (out < 0) {
		snprintf(err, n, "cannot write into %s: %s", dir, strerror(errno));
		close(in);
		return LT_ERR_IO;
	}
	char buf[65536];
	ssize_t got;
	lt_err rc = LT_OK;
	struct stat sb;
	uint64_t total = fstat(in, &sb) == 0 ? (uint64_t)sb.st_size : 0, copied = 0;
	while ((got = read(in, buf, sizeof buf)) > 0) {
		for (ssize_t off = 0; off < got;) {
			ssize_t w = write(out, buf + off, (size_t)(got - off));
			if (w < 0) {
				snprintf(err, n, "writing into %s failed: %s", dir, strerror(errno));
				rc = errno == ENOSPC ? LT_ERR_DISK_FULL : LT_ERR_IO;
				goto done;
			}
			off += w;
		}
		copied += (uint64_t)got;
		if (prog)
			prog->fn(prog->user, copied, total);
		if (prog && prog->cancel && atomic_load(prog->cancel)) {
			snprintf(err, n, "cancelled (lectern is stopping)");
			rc = LT_ERR_IO;
			goto done;
		}
	}
	if (got < 0) {
		snprintf(err, n, "reading the recording failed: %s", strerror(errno));
		rc = LT_ERR_IO;
	} else if (fsync(out) != 0) {
		snprintf(err, n, "syncing into %s failed: %s", dir, strerror(errno));
		rc = LT_ERR_IO;
	}
done:
	close(in);
	if (close(out) != 0 && rc == LT_OK) {
		snprintf(err, n, "closing the copy failed: %s", strerror(errno));
		rc = LT_ERR_IO;
	}
	if (rc == LT_OK && rename(tmp, dest) != 0) {
		snprintf(err, n, "cannot rename into %s: %s", dir, strerror(errno));
		rc = LT_ERR_IO;
	}
	if (rc != LT_OK) {
		unlink(tmp);
		return rc;
	}
	os_fsync_parent(dest);
	/* Confirmation: read the copy back from the target. */
	char check[65];
	if (sha256 && (os_sha256_file(dest, check) != LT_OK || strcmp(check, sha256) != 0)) {
		snprintf(err, n, "the copy in %s does not match the recording (SHA-256)", dir);
		return LT_ERR_IO;
	}
	return LT_OK;
}

static lt_err folder_put(const struct config *cfg, const struct recording *rec, const char *sha256,
			 const char *sidecar_json, const struct upload_progress *prog, char *remote,
			 size_t remote_len, char *err, size_t n)
{
	char sub[512], dir[PATH_MAX];
	remote_dir(rec, sub, sizeof sub);
	if (snprintf(dir, sizeof dir, "%s/%s", cfg->upload_folder, sub) >= (int)sizeof dir) {
		snprintf(err, n, "[upload] folder is too long a path");
		return LT_ERR_INVALID;
	}
	if (os_mkdir_p(dir) != LT_OK) {
		snprintf(err, n, "cannot create %s: %s (is the share mounted?)", dir, strerror(errno));
		return LT_ERR_IO;
	}
	lt_err rc = copy_verified(rec->path, dir, base_name(rec->path), sha256, prog, remote,
				  remote_len, err, n);
	if (rc != LT_OK)
		return rc;
	/* The sidecar goes through the same temp-fsync-rename path, from a temp file. */
	char side_src[PATH_MAX], side_name[300], side_dest[PATH_MAX];
	if (snprintf(side_src, sizeof side_src, "%s.json.tmp", rec->path) >= (int)sizeof side_src ||
	    snprintf(side_name, sizeof side_name, "%s.json", base_name(rec->path)) >=
		    (int)sizeof side_name) {
		snprintf(err, n, "the recording's path is too long");
		return LT_ERR_INVALID;
	}
	FILE *fp = fopen(side_src, "w");
	if (!fp || fputs(sidecar_json, fp) < 0 || fclose(fp) != 0) {
		snprintf(err, n, "cannot write the metadata: %s", strerror(errno));
		unlink(side_src);
		return LT_ERR_IO;
	}
	rc = copy_verified(side_src, dir, side_name, NULL, NULL, side_dest, sizeof side_dest, err,
			   n);
	unlink(side_src);
	return rc;
}

const struct upload_target_ops upload_folder_ops = {.name = "folder", .put = folder_put};

/* --- WebDAV ----------------------------------------------------------------------------- */

struct dav {
	const struct config *cfg;
	char password[256];
	char host[160];
};

/* One request: method on url, optionally sending `body_fp` of `body_len` bytes. */
static int on_xfer(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		   curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	const struct upload_progress *prog = user;
	prog->fn(prog->user, (uint64_t)ulnow, (uint64_t)ultotal);
	return prog->cancel && atomic_load(prog->cancel) ? 1 : 0;
}

static lt_err dav_request(struct dav *d, const char *method, const char *url, FILE *body_fp,
			  curl_off_t body_len, const struct upload_progress *prog, long *status,
			  curl_off_t *length, char *err, size_t n)
{
	CURL *curl = curl_easy_init();
	if (!curl)
		return LT_ERR_NOMEM;
	char errbuf[CURL_ERROR_SIZE] = "";
	fetch_curl_base(curl, url, d->cfg->upload_ca_file, errbuf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)d->cfg->upload_timeout_s);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "lectern");
	if (d->cfg->upload_user[0]) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, strcmp(d->cfg->upload_auth, "digest") == 0
								 ? CURLAUTH_DIGEST
								 : CURLAUTH_BASIC);
		curl_easy_setopt(curl, CURLOPT_USERNAME, d->cfg->upload_user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, d->password);
	}
	if (body_fp) {
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_READDATA, body_fp); /* streamed with fread */
		curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, body_len);
		if (d->cfg->upload_max_kbps)
			curl_easy_setopt(curl, CURLOPT_MAX_SEND_SPEED_LARGE,
					 (curl_off_t)d->cfg->upload_max_kbps * 1000 / 8);
		if (prog) {
			curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_xfer);
			curl_easy_setopt(curl, CURLOPT_XFERINFODATA, prog);
			curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
		}
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	}
	FILE *sink = fopen("/dev/null", "w");
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
	CURLcode rc = curl_easy_perform(curl);
	if (sink)
		fclose(sink);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	if (length)
		curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, length);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK)
		return fetch_curl_error(rc, d->host, errbuf[0] ? errbuf : curl_easy_strerror(rc), err,
					n);
	if (*status == 401 || *status == 403) {
		snprintf(err, n, "%s refused the credentials (HTTP %ld): check [upload] user and "
				 "password_file", d->host, *status);
		return LT_ERR_AUTH;
	}
	return LT_OK;
}

static lt_err dav_put_file(struct dav *d, const char *url, const char *path,
			   const struct upload_progress *prog, curl_off_t *size, char *err, size_t n)
{
	FILE *fp = fopen(path, "rb");
	struct stat sb;
	if (!fp || fstat(fileno(fp), &sb) != 0) {
		snprintf(err, n, "cannot read %s: %s", base_name(path), strerror(errno));
		if (fp)
			fclose(fp);
		return LT_ERR_IO;
	}
	long status = 0;
	lt_err rc = dav_request(d, "PUT", url, fp, (curl_off_t)sb.st_size, prog, &status, NULL, err,
				n);
	fclose(fp);
	if (rc == LT_OK && status != 200 && status != 201 && status != 204) {
		snprintf(err, n, "%s answered HTTP %ld to the upload", d->host, status);
		rc = LT_ERR_HTTP;
	}
	*size = (curl_off_t)sb.st_size;
	return rc;
}

static lt_err webdav_put(const struct config *cfg, const struct recording *rec, const char *sha256,
			 const char *sidecar_json, const struct upload_progress *prog, char *remote,
			 size_t remote_len, char *err, size_t n)
{
	(void)sha256;
	struct dav d = {.cfg = cfg};
	fetch_global_init();
	fetch_url_host(cfg->upload_url, d.host, sizeof d.host);
	lt_err rc = schedule_read_secret(cfg->upload_password_file, d.password, sizeof d.password,
					 err, n);
	if (rc != LT_OK)
		return rc;
	char sub[512], url[2048];
	remote_dir(rec, sub, sizeof sub);
	size_t base_len = strlen(cfg->upload_url);
	while (base_len && cfg->upload_url[base_len - 1] == '/')
		base_len--;
	/* MKCOL each level; 405 means it exists already. */
	int len = snprintf(url, sizeof url, "%.*s", (int)base_len, cfg->upload_url);
	for (char *part = sub, *slash; part && *part; part = slash ? slash + 1 : NULL) {
		slash = strchr(part, '/');
		int plen = slash ? (int)(slash - part) : (int)strlen(part);
		char *enc = curl_easy_escape(NULL, part, plen);
		len += snprintf(url + len, sizeof url - (size_t)len, "/%s", enc ? enc : "");
		curl_free(enc);
		long status = 0;
		char probe[2100];
		snprintf(probe, sizeof probe, "%s/", url);
		rc = dav_request(&d, "MKCOL", probe, NULL, 0, NULL, &status, NULL, err, n);
		if (rc != LT_OK)
			return rc;
		if (status == 409) {
			snprintf(err, n, "%s: the share's folder does not exist: check [upload] url",
				 d.host);
			return LT_ERR_HTTP;
		}
		if (status != 201 && status != 405 && status != 200) {
			snprintf(err, n, "%s answered HTTP %ld when creating a folder", d.host, status);
			return LT_ERR_HTTP;
		}
	}
	char *name = curl_easy_escape(NULL, base_name(rec->path), 0);
	char file_url[2400], side_url[2400];
	snprintf(file_url, sizeof file_url, "%s/%s", url, name ? name : "");
	snprintf(side_url, sizeof side_url, "%s/%s.json", url, name ? name : "");
	curl_free(name);
	curl_off_t sent;
	rc = dav_put_file(&d, file_url, rec->path, prog, &sent, err, n);
	if (rc != LT_OK)
		return rc;
	/* The sidecar, from memory through a temp file so that one PUT path serves both. */
	char side_tmp[PATH_MAX];
	if (snprintf(side_tmp, sizeof side_tmp, "%s.json.tmp", rec->path) >= (int)sizeof side_tmp) {
		snprintf(err, n, "the recording's path is too long");
		return LT_ERR_INVALID;
	}
	FILE *fp = fopen(side_tmp, "w");
	if (!fp || fputs(sidecar_json, fp) < 0 || fclose(fp) != 0) {
		snprintf(err, n, "cannot write the metadata: %s", strerror(errno));
		unlink(side_tmp);
		return LT_ERR_IO;
	}
	curl_off_t side_size;
	rc = dav_put_file(&d, side_url, side_tmp, NULL, &side_size, err, n);
	unlink(side_tmp);
	if (rc != LT_OK)
		return rc;
	/* Confirmation: the server says it holds exactly that many bytes. */
	long status = 0;
	curl_off_t held = -1;
	rc = dav_request(&d, "HEAD", file_url, NULL, 0, NULL, &status, &held, err, n);
	if (rc != LT_OK)
		return rc;
	if (status != 200 || held != sent) {
		snprintf(err, n, "%s holds %lld bytes of the %lld sent (HTTP %ld)", d.host,
			 (long long)held, (long long)sent, status);
		return LT_ERR_HTTP;
	}
	snprintf(remote, remote_len, "%s", file_url);
	return LT_OK;
}

const struct upload_target_ops upload_webdav_ops = {.name = "webdav", .put = webdav_put};

/* --- the queue ---------------------------------------------------------------------------- */

const struct upload_target_ops *upload_target(const struct config *cfg)
{
	if (strcmp(cfg->upload_target, "folder") == 0)
		return &upload_folder_ops;
	if (strcmp(cfg->upload_target, "webdav") == 0)
		return &upload_webdav_ops;
	if (strcmp(cfg->upload_target, "opencast") == 0)
		return &upload_opencast_ops;
	return NULL;
}

int64_t upload_backoff_ms(const struct config *cfg, int attempts, unsigned random)
{
	int64_t wait = (int64_t)cfg->backoff_min_s * 1000;
	for (int i = 1; i < attempts && wait < (int64_t)cfg->backoff_max_s * 1000; i++)
		wait *= 2;
	if (wait > (int64_t)cfg->backoff_max_s * 1000)
		wait = (int64_t)cfg->backoff_max_s * 1000;
	/* Jitter: between half and all of it, so that a roomful of boxes spreads out. */
	return wait / 2 + (int64_t)(random % (unsigned)(wait / 2 + 1));
}

struct recover_ctx {
	struct store *st;
	int count;
};

static int requeue_one(const struct recording *rec, void *user)
{
	struct recover_ctx *c = user;
	if (store_recording_transition(c->st, rec->id, REC_UPLOADING, REC_QUEUED,
				       "upload interrupted; will retry") == LT_OK)
		c->count++;
	return 0;
}

int upload_recover(struct store *st)
{
	struct recover_ctx c = {st, 0};
	store_recordings_each(st, REC_MASK(REC_UPLOADING), requeue_one, &c);
	return c.count;
}

struct progress_note {
	struct store *st;
	int64_t id;
	double started, noted;
};

/* At most once a second into the store, where `lectern queue` (another process) reads it. */
static void note_progress(void *user, uint64_t sent, uint64_t total)
{
	struct progress_note *p = user;
	double now = os_mono_s();
	if (now - p->noted < 1.0 && sent < total)
		return;
	p->noted = now;
	double secs = now - p->started;
	store_upload_progress(p->st, p->id, (int64_t)sent, secs > 0 ? (int64_t)(sent / secs) : 0);
}

static lt_err upload_one(const struct config *cfg, struct store *st,
			 const struct upload_target_ops *target, struct recording *rec,
			 int64_t now_ms, const atomic_bool *cancel)
{
	/* Committed before the first byte leaves. */
	lt_err err = store_recording_transition(st, rec->id, REC_QUEUED, REC_UPLOADING, NULL);
	if (err != LT_OK)
		return err;
	char why[320] = "", remote[1024] = "", sha[65] = "";
	/* Hashed when the recording was finalized, off the upload's path; older rows: now. */
	snprintf(sha, sizeof sha, "%s", rec->sha256);
	err = sha[0] ? LT_OK : os_sha256_file(rec->path, sha);
	if (err != LT_OK) {
		snprintf(why, sizeof why, "cannot read the local recording: %s", lt_strerror(err));
	} else {
		char *sidecar = upload_sidecar_json(cfg, rec, sha);
		struct progress_note note = {st, rec->id, os_mono_s(), 0};
		struct upload_progress prog = {note_progress, &note, cancel};
		err = sidecar ? target->put(cfg, rec, sha, sidecar, &prog, remote, sizeof remote,
					    why, sizeof why)
			      : LT_ERR_NOMEM;
		free(sidecar);
	}
	int attempts = rec->attempts + 1;
	if (err == LT_OK) {
		int64_t done = os_now_ms();
		/* The confirmation is stored before the state says uploaded. */
		err = store_upload_note(st, rec->id, attempts, 0, "", remote, sha, done);
		if (err == LT_OK)
			err = store_recording_transition(st, rec->id, REC_UPLOADING, REC_UPLOADED,
							 "delivered and confirmed");
		if (err == LT_OK)
			log_info("recording %lld uploaded (%s, attempt %d)", (long long)rec->id,
				 target->name, attempts);
		return err;
	}
	unsigned rnd = 0;
	if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		rnd = (unsigned)now_ms;
	int64_t next = now_ms + upload_backoff_ms(cfg, attempts, rnd);
	bool give_up = now_ms - rec->started_ms > (int64_t)cfg->give_up_days * 86400000;
	store_upload_note(st, rec->id, attempts, next, why, "", "", 0);
	store_recording_transition(st, rec->id, REC_UPLOADING, give_up ? REC_FAILED : REC_QUEUED,
				   give_up ? "not delivered in time: kept here, retry by hand" : NULL);
	log_warn("recording %lld: upload attempt %d failed: %s%s", (long long)rec->id, attempts,
		 why, give_up ? " (giving up)" : "");
	return err;
}

bool upload_window_open(const struct config *cfg, int64_t now_ms)
{
	return config_in_time_range(cfg->upload_window, now_ms / 1000) != 0;
}

/* A recording's first attempt waits a random 0..stagger_s; returns true if it was put off. */
static bool stagger(const struct config *cfg, struct store *st, const struct recording *rec,
		    int64_t now_ms)
{
	if (cfg->upload_stagger_s <= 0 || rec->attempts > 0 || rec->next_attempt_ms > 0)
		return false;
	unsigned rnd = 0;
	if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		rnd = (unsigned)now_ms;
	int64_t wait = 1 + (int64_t)(rnd % ((unsigned)cfg->upload_stagger_s * 1000u));
	store_upload_note(st, rec->id, 0, now_ms + wait, "", "", rec->sha256, 0);
	return true;
}

static lt_err run_queue(const struct config *cfg, struct store *st, int64_t now_ms,
			bool ignore_backoff, const atomic_bool *cancel, int *attempted, int *failed)
{
	const struct upload_target_ops *target = upload_target(cfg);
	*attempted = *failed = 0;
	if (!target || (!ignore_backoff && !upload_window_open(cfg, now_ms)))
		return LT_OK;
	int64_t last_id = 0;
	struct recording rec;
	/* Each job once per pass: a failed one is queued again but not retried in this pass. */
	while (store_upload_next(st, now_ms, ignore_backoff, &rec) == LT_OK && rec.id != last_id) {
		if (ignore_backoff && *attempted && rec.id <= last_id)
			break;
		last_id = rec.id;
		if (!ignore_backoff && stagger(cfg, st, &rec, now_ms))
			continue;
		(*attempted)++;
		if (cancel && atomic_load(cancel))
			break;
		if (upload_one(cfg, st, target, &rec, now_ms, cancel) != LT_OK) {
			(*failed)++;
			if (ignore_backoff)
				break; /* the rest would meet the same server */
		}
	}
	return LT_OK;
}

lt_err upload_run_once(const struct config *cfg, struct store *st, int64_t now_ms,
		       bool ignore_backoff, int *attempted, int *failed)
{
	return run_queue(cfg, st, now_ms, ignore_backoff, NULL, attempted, failed);
}

struct prune_ctx {
	const struct config *cfg;
	struct store *st;
	int64_t now_ms;
	int count;
};

/* Space is needed when the spool (where `path` lies) has less than twice the recording floor
 * free: delivered recordings then go before their retention ends, oldest first. */
static bool space_needed(const struct config *cfg, const char *path)
{
	char dir[PATH_MAX];
	uint64_t free_bytes;
	os_dirname(path, dir, sizeof dir);
	return os_free_bytes(dir, &free_bytes) == LT_OK &&
	       free_bytes < 2 * (uint64_t)cfg->min_free_mb * 1024 * 1024;
}

static int prune_one(const struct recording *rec, void *user)
{
	struct prune_ctx *c = user;
	if (rec->deleted_ms || !rec->uploaded_ms)
		return 0;
	bool expired = c->now_ms - rec->uploaded_ms >= (int64_t)c->cfg->retention_days * 86400000;
	bool for_space = !expired && space_needed(c->cfg, rec->path);
	if (!expired && !for_space)
		return 0;
	if (unlink(rec->path) == 0 || errno == ENOENT) {
		store_recording_mark_deleted(c->st, rec->id, c->now_ms);
		if (for_space)
			log_info("recording %lld: local copy removed early to free space (delivered)",
				 (long long)rec->id);
		else
			log_info("recording %lld: local copy removed after %d days (delivered)",
				 (long long)rec->id, c->cfg->retention_days);
		c->count++;
	}
	return 0;
}

int upload_prune(const struct config *cfg, struct store *st, int64_t now_ms)
{
	struct prune_ctx c = {cfg, st, now_ms, 0};
	store_recordings_each(st, REC_MASK(REC_UPLOADED), prune_one, &c);
	retention_run(cfg, st, now_ms, NULL); /* rows and other personal data past theirs */
	return c.count;
}

/* --- the uploader thread ----------------------------------------------------------------- */

struct uploader {
	const struct config *cfg;
	struct store *st;
	int period_s;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	atomic_bool stopping;      /* read by the transfer's progress callback */
};

static void *uploader_main(void *arg)
{
	struct uploader *u = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&u->lock);
	while (!u->stop) {
		pthread_mutex_unlock(&u->lock);
		int attempted, failed;
		int64_t now = os_now_ms();
		run_queue(u->cfg, u->st, now, false, &u->stopping, &attempted, &failed);
		upload_prune(u->cfg, u->st, now);
		pthread_mutex_lock(&u->lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += u->period_s;
		while (!u->stop && pthread_cond_timedwait(&u->cond, &u->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

lt_err uploader_start(const struct config *cfg, const char *db_path, int period_s,
		      struct uploader **out)
{
	struct uploader *u = calloc(1, sizeof *u);
	if (!u)
		return LT_ERR_NOMEM;
	u->cfg = cfg;
	u->period_s = period_s > 0 ? period_s : 5;
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->cond, NULL);
	lt_err err = store_open(db_path, &u->st);
	if (err == LT_OK && pthread_create(&u->thread, NULL, uploader_main, u) != 0)
		err = LT_ERR_NOMEM;
	if (err != LT_OK) {
		store_close(u->st);
		free(u);
		return err;
	}
	*out = u;
	return LT_OK;
}

void uploader_stop(struct uploader *u)
{
	if (!u)
		return;
	atomic_store(&u->stopping, true); /* a transfer in flight is abandoned and retried */
	pthread_mutex_lock(&u->lock);
	u->stop = true;
	pthread_cond_broadcast(&u->cond);
	pthread_mutex_unlock(&u->lock);
	pthread_join(u->thread, NULL);
	store_close(u->st);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->cond);
	free(u);
}
