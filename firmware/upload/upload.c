/*
 * upload.c — the upload queue and its folder and WebDAV targets (rules in upload.h).
 *
 * What must stay true: a local file is deleted only by upload_prune(), only for a recording
 * whose state is `uploaded`, only retention_days after the confirmation was stored (or earlier
 * for space), and only when it lies in the spool (retention_in_spool).
 */
#include "lectern/upload.h"

#include <openssl/evp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lectern/jsonout.h"
#include "lectern/log.h"
#include "lectern/net.h"
#include "lectern/osutil.h"
#include "lectern/retention.h"
#include "lectern/reports.h"
#include "lectern/sharedir.h"
#include "lectern/spoolmeta.h"
#include "lectern/upload_attendance.h"
#include "lectern/urltpl.h"
#include "lectern/worker.h"

/* The room's folder on the share: its name with '/' replaced so it stays one component. */
static void room_folder(const struct recording *rec, char *room, size_t n)
{
	snprintf(room, n, "%s", rec->room[0] ? rec->room : "room");
	for (char *p = room; *p; p++)
		if (*p == '/' || *p == '\\')
			*p = '-';
	/* "." and ".." would leave the room's folder, or the share itself */
	if (strspn(room, ".") == strlen(room))
		memset(room, '-', strlen(room));
}

/* "ROOM/YYYY/MM" for a recording. */
static void remote_dir(const struct recording *rec, char *buf, size_t n)
{
	time_t t = (time_t)(rec->started_ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	char room[128];
	room_folder(rec, room, sizeof room);
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
	return upload_sidecar_json_attendance(cfg, rec, sha256, NULL);
}

char *upload_sidecar_json_attendance(const struct config *cfg, const struct recording *rec,
				     const char *sha256, json_object *attendance)
{
	(void)cfg;
	json_object *o = json_object_new_object(), *tags = json_object_new_array();
	if (!o || !tags) {
		json_object_put(o);
		json_object_put(tags);
		json_object_put(attendance);
		return NULL;
	}
	char start[32], end[32];
	json_local_time(rec->started_ms / 1000, start, sizeof start);
	json_local_time((rec->ended_ms ? rec->ended_ms : rec->started_ms) / 1000, end, sizeof end);
	jsonout_put_string(o, "uid", rec->uid);
	jsonout_put_string(o, "file", base_name(rec->path));
	jsonout_put_string(o, "title", rec->title);
	jsonout_put_string(o, "presenter", rec->presenter);
	jsonout_put_string(o, "room", rec->room);
	jsonout_put_string(o, "start", start);
	jsonout_put_string(o, "end", end);
	jsonout_put_fixed3(o, "duration_s", (double)rec->samples / 48000.0);
	jsonout_put_int(o, "bytes", rec->bytes);
	jsonout_put_string(o, "sha256", sha256);
	for (const char *tag = rec->tags; *tag;) {
		size_t len = strcspn(tag, ",");
		char one[sizeof rec->tags];
		snprintf(one, sizeof one, "%.*s", (int)len, tag);
		json_object_array_add(tags, jsonout_string(one));
		tag += len + (tag[len] == ',');
	}
	json_object_object_add(o, "tags", tags);
	/* The spoken language as it was set when the recording started (null: not said). */
	json_object_object_add(o, "language", rec->language[0] ? jsonout_string(rec->language)
							       : NULL);
	/* As [privacy] attendance allows (upload_attendance.h); null: nothing to say. */
	json_object_object_add(o, "attendance", attendance);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (out) {
		jsonout_print_line(out, o);
		if (fclose(out) != 0) {
			free(text);
			text = NULL;
		}
	} else {
		json_object_put(o);
	}
	return text;
}

lt_err upload_link(const struct config *cfg, const struct recording *rec, const char *remote,
		   char *link, size_t n, char *why, size_t why_len)
{
	if (strcmp(cfg->upload_target, "opencast") == 0) {
		const struct urltpl_var vars[] = {
			{"url", cfg->opencast_url, true}, {"id", remote, false},
		};
		return urltpl_expand(cfg->opencast_player_url, vars, 2, link, n, why, why_len);
	}
	/* The folder's and the share's layout: the same ROOM/YYYY/MM as remote_dir(). */
	time_t t = (time_t)(rec->started_ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	char room[128], year[16], month[16];
	room_folder(rec, room, sizeof room);
	snprintf(year, sizeof year, "%04d", tm.tm_year + 1900);
	snprintf(month, sizeof month, "%02d", tm.tm_mon + 1);
	const struct urltpl_var vars[] = {
		{"room", room, false}, {"year", year, false}, {"month", month, false},
		{"uid", rec->uid, false}, {"file", base_name(rec->path), false},
	};
	return urltpl_expand(cfg->upload_link_template, vars, 5, link, n, why, why_len);
}

/* --- what a target sends ------------------------------------------------------------------ */

/*
 * The recording's file, held to what finalisation stored, or a text in memory (the metadata
 * sidecar). Bytes are hashed as the target reads them, on the sender's thread while the
 * chunk it read is still in the cache: checking what was sent costs no second read of the
 * file, and the hashing fits in the time the socket takes to drain (loopback, measured in
 * BENCHMARKS.md: a hashing thread of its own, with a copy of each chunk, was slower on two
 * cores). The verdict comes with the last byte, before the target commits.
 */
struct upload_source {
	const char *name;          /* the file's base name, for messages */
	int fd;                    /* -1: the bytes are `mem` */
	const char *mem;
	uint64_t size;             /* what finalisation stored: exactly this many are sent */
	uint64_t pos;
	char sha256[65];           /* what finalisation stored */
	EVP_MD_CTX *md;
	bool damaged;              /* the local file is missing, unreadable or not what was stored */
	bool verified;             /* all `size` bytes were read and their SHA-256 is `sha256` */
	char why[256];
};

static lt_err damaged(struct upload_source *src, lt_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static lt_err damaged(struct upload_source *src, lt_err err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(src->why, sizeof src->why, fmt, ap);
	va_end(ap);
	src->damaged = true;
	return err;
}

static void sha256_hex(EVP_MD_CTX *md, char hex[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	hex[0] = '\0';
	if (EVP_DigestFinal_ex(md, digest, &len) && len == 32)
		for (unsigned i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

static lt_err source_start(struct upload_source *src)
{
	src->pos = 0;
	src->verified = false;
	if (!src->md)
		src->md = EVP_MD_CTX_new();
	return src->md && EVP_DigestInit_ex(src->md, EVP_sha256(), NULL) ? LT_OK : LT_ERR_NOMEM;
}

/* The recording's file, checked against what finalisation stored before the first byte goes:
 * it must be there, readable and of the stored size (a row from before hashes were stored is
 * hashed now, as the file is). */
static lt_err source_open(struct upload_source *src, const struct recording *rec)
{
	*src = (struct upload_source){.name = base_name(rec->path), .fd = -1};
	if (source_start(src) != LT_OK)
		return LT_ERR_NOMEM;
	struct stat sb;
	src->fd = open(rec->path, O_RDONLY | O_CLOEXEC);
	if (src->fd < 0 || fstat(src->fd, &sb) != 0)
		return errno == ENOENT
			       ? damaged(src, LT_ERR_NOT_FOUND,
					 "the recording's file %s is missing from the spool", rec->path)
			       : damaged(src, LT_ERR_IO, "cannot read the recording's file %s: %s",
					 rec->path, strerror(errno));
	src->size = (uint64_t)sb.st_size;
	if ((rec->sha256[0] || rec->bytes > 0) && (uint64_t)rec->bytes != src->size)
		return damaged(src, LT_ERR_CORRUPT,
			       "%s is %llu bytes but was %lld when it was finalised: it was damaged "
			       "since", src->name, (unsigned long long)src->size, (long long)rec->bytes);
	snprintf(src->sha256, sizeof src->sha256, "%s", rec->sha256);
	lt_err err = src->sha256[0] ? LT_OK : os_sha256_file(rec->path, src->sha256);
	return err == LT_OK ? LT_OK
			    : damaged(src, err, "cannot read the recording's file %s: %s", rec->path,
				      lt_strerror(err));
}

/* A text to send (the sidecar): its own SHA-256 is what the copy must match. */
static lt_err source_text(struct upload_source *src, const char *name, const char *text)
{
	*src = (struct upload_source){.name = name, .fd = -1, .mem = text, .size = strlen(text)};
	if (source_start(src) != LT_OK ||
	    !EVP_DigestUpdate(src->md, text, src->size))
		return LT_ERR_NOMEM;
	sha256_hex(src->md, src->sha256);
	return source_start(src);
}

static void source_close(struct upload_source *src)
{
	if (src->fd >= 0)
		close(src->fd);
	EVP_MD_CTX_free(src->md);
	src->fd = -1;
	src->md = NULL;
}

/* Back to the first byte (a transfer that starts again). */
static lt_err source_rewind(struct upload_source *src)
{
	if (src->fd >= 0 && lseek(src->fd, 0, SEEK_SET) != 0)
		return damaged(src, LT_ERR_IO, "cannot read %s again: %s", src->name,
			       strerror(errno));
	return source_start(src);
}

/* All bytes read: are they the recording? */
static void judge(struct upload_source *src)
{
	char hex[65];
	sha256_hex(src->md, hex);
	if (strcmp(hex, src->sha256) == 0)
		src->verified = true;
	else
		damaged(src, LT_ERR_CORRUPT, "%s is not what was recorded: its SHA-256 differs from "
			"the one stored when it was finalised", src->name);
}

/*
 * Up to `n` of the next bytes into `buf`: how many, 0 after the stored size, -1 when the
 * file cannot be read or ends early. When the last byte is read the hash is compared: a
 * mismatch sets `damaged` (the bytes are still returned: the caller must look before it
 * commits anything), a match `verified`.
 */
static ssize_t source_read(struct upload_source *src, void *buf, size_t n)
{
	if (src->damaged)
		return -1;
	if (src->pos >= src->size) {
		if (!src->verified)
			judge(src); /* an empty file: no last byte to judge it with */
		return src->damaged ? -1 : 0;
	}
	size_t want = n < src->size - src->pos ? n : (size_t)(src->size - src->pos);
	ssize_t got = (ssize_t)want;
	if (src->fd < 0) {
		memcpy(buf, src->mem + src->pos, want);
	} else {
		do
			got = read(src->fd, buf, want);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			damaged(src, LT_ERR_IO, "reading %s failed: %s", src->name, strerror(errno));
			return -1;
		}
		if (got == 0) {
			damaged(src, LT_ERR_CORRUPT, "%s ends after %llu of its %llu bytes: it was cut "
				"short since it was finalised", src->name,
				(unsigned long long)src->pos, (unsigned long long)src->size);
			return -1;
		}
	}
	if (!EVP_DigestUpdate(src->md, buf, (size_t)got)) {
		damaged(src, LT_ERR_NOMEM, "out of memory hashing %s", src->name);
		return -1;
	}
	src->pos += (uint64_t)got;
	if (src->pos == src->size)
		judge(src);
	return got;
}

/* The whole source read and checked, for a target that reads the file by itself. */
static lt_err source_check_all(struct upload_source *src)
{
	char buf[65536];
	ssize_t got;
	while ((got = source_read(src, buf, sizeof buf)) > 0)
		;
	return src->damaged ? LT_ERR_CORRUPT : LT_OK; /* else it was read whole and judged */
}

int upload_server_checksum(const char *header, const char *sha256)
{
	const char *colon = strchr(header, ':');
	if (!colon)
		return -1;
	size_t name_len = (size_t)(colon - header);
	bool oc = name_len == 11 && strncasecmp(header, "OC-Checksum", 11) == 0;
	if (!oc && !(name_len == 6 && strncasecmp(header, "Digest", 6) == 0) &&
	    !(name_len == 11 && strncasecmp(header, "Repr-Digest", 11) == 0))
		return -1;
	/* OC-Checksum: "SHA1:hex SHA256:hex"; (Repr-)Digest: "sha-256=b64, md5=b64" with the
	 * value of Repr-Digest between colons (RFC 9530) and bare in Digest (RFC 3230). */
	char value[512];
	snprintf(value, sizeof value, "%s", colon + 1);
	char *save = NULL;
	for (char *item = strtok_r(value, oc ? " \t\r\n" : ", \t\r\n", &save); item;
	     item = strtok_r(NULL, oc ? " \t\r\n" : ", \t\r\n", &save)) {
		char *sep = strchr(item, oc ? ':' : '=');
		if (!sep)
			continue;
		*sep++ = '\0';
		if (oc) {
			if (strcasecmp(item, "SHA256") == 0)
				return strcasecmp(sep, sha256) == 0;
			continue;
		}
		if (strcasecmp(item, "sha-256") != 0)
			continue;
		size_t len = strlen(sep);
		if (len >= 2 && sep[0] == ':' && sep[len - 1] == ':') {
			sep[len - 1] = '\0';
			sep++;
			len -= 2;
		}
		unsigned char raw[64];
		char hex[65];
		if (len != 44 || EVP_DecodeBlock(raw, (const unsigned char *)sep, (int)len) != 33)
			return 0; /* not a SHA-256: not what we sent */
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", raw[i]);
		return strcmp(hex, sha256) == 0;
	}
	return -1;
}

/* --- folder ----------------------------------------------------------------------------- */

/*
 * `src` into DIR/NAME: a temp name, fsync, the source's own check (it ends with the last
 * byte read), the copy read back and compared, and only then the rename. The temp file
 * goes on every failure, so nothing that is not the recording ever has its name.
 */
static lt_err copy_verified(struct upload_source *src, const char *dir, const char *name,
			    const struct upload_progress *prog, char *dest, size_t dest_len,
			    char *err, size_t n)
{
	char tmp[PATH_MAX];
	if (snprintf(dest, dest_len, "%s/%s", dir, name) >= (int)dest_len ||
	    snprintf(tmp, sizeof tmp, "%s/.%s.part", dir, name) >= (int)sizeof tmp) {
		snprintf(err, n, "the path in %s is too long", dir);
		return LT_ERR_INVALID;
	}
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (out < 0) {
		snprintf(err, n, "cannot write into %s: %s", dir, strerror(errno));
		return LT_ERR_IO;
	}
	char buf[65536];
	ssize_t got;
	lt_err rc = LT_OK;
	while ((got = source_read(src, buf, sizeof buf)) > 0 && !src->damaged) {
		for (ssize_t off = 0; off < got;) {
			ssize_t w = write(out, buf + off, (size_t)(got - off));
			if (w < 0) {
				snprintf(err, n, "writing into %s failed: %s", dir, strerror(errno));
				rc = errno == ENOSPC ? LT_ERR_DISK_FULL : LT_ERR_IO;
				goto done;
			}
			off += w;
		}
		if (prog)
			prog->fn(prog->user, src->pos, src->size);
		if (prog && prog->cancel && atomic_load(prog->cancel)) {
			snprintf(err, n, "cancelled (lectern is stopping)");
			rc = LT_ERR_IO;
			goto done;
		}
	}
	if (src->damaged) {
		snprintf(err, n, "%s", src->why);
		rc = LT_ERR_CORRUPT;
	} else if (fsync(out) != 0) {
		snprintf(err, n, "syncing into %s failed: %s", dir, strerror(errno));
		rc = LT_ERR_IO;
	}
done:
	if (close(out) != 0 && rc == LT_OK) {
		snprintf(err, n, "closing the copy failed: %s", strerror(errno));
		rc = LT_ERR_IO;
	}
	/* Confirmation before the name: the copy read back from the target. */
	char check[65];
	if (rc == LT_OK && (os_sha256_file(tmp, check) != LT_OK || strcmp(check, src->sha256) != 0)) {
		snprintf(err, n, "the copy in %s does not match the recording (SHA-256 read back)",
			 dir);
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
	return LT_OK;
}

/* Attendance's follow-up (upload_attendance.h): the sidecar beside the delivered copy,
 * replaced through the same temp-fsync-check-rename path. */
static lt_err folder_put_sidecar(const struct config *cfg, const struct recording *rec,
				 const char *sidecar_json, char *err, size_t n)
{
	(void)cfg;
	char dir[PATH_MAX], name[300], dest[PATH_MAX];
	if (rec->remote[0] != '/') {
		snprintf(err, n, "it was not delivered to a folder");
		return LT_ERR_NOT_FOUND;
	}
	os_dirname(rec->remote, dir, sizeof dir);
	/* The share unmounted since the delivery: its bare mount point takes nothing (sharedir.h) */
	lt_err rc = sharedir_mounted(dir, err, n);
	if (rc != LT_OK)
		return rc;
	if (snprintf(name, sizeof name, "%s.json", base_name(rec->remote)) >= (int)sizeof name) {
		snprintf(err, n, "the recording's path is too long");
		return LT_ERR_INVALID;
	}
	struct upload_source side;
	rc = source_text(&side, name, sidecar_json);
	if (rc == LT_OK)
		rc = copy_verified(&side, dir, name, NULL, dest, sizeof dest, err, n);
	else
		snprintf(err, n, "out of memory");
	source_close(&side);
	return rc;
}

static lt_err folder_put(const struct config *cfg, const struct recording *rec,
			 struct upload_source *src, const char *sidecar_json,
			 const struct upload_progress *prog, char *remote, size_t remote_len,
			 char *err, size_t n)
{
	char sub[512], dir[PATH_MAX];
	remote_dir(rec, sub, sizeof sub);
	if (snprintf(dir, sizeof dir, "%s/%s", cfg->upload_folder, sub) >= (int)sizeof dir) {
		snprintf(err, n, "[upload] folder is too long a path");
		return LT_ERR_INVALID;
	}
	/* The folder itself is the share's: never created here, and refused while its mount
	 * point is bare (sharedir.h), so that nothing is "delivered" onto the device's own card. */
	lt_err rc = sharedir_check(cfg->upload_folder, err, n);
	if (rc != LT_OK)
		return rc;
	if (os_mkdir_p(dir) != LT_OK) {
		snprintf(err, n, "cannot create %s: %s", dir, strerror(errno));
		return LT_ERR_IO;
	}
	rc = copy_verified(src, dir, base_name(rec->path), prog, remote, remote_len, err, n);
	if (rc != LT_OK)
		return rc;
	/* The sidecar goes through the same temp-fsync-check-rename path, from memory. */
	char side_name[300], side_dest[PATH_MAX];
	if (snprintf(side_name, sizeof side_name, "%s.json", base_name(rec->path)) >=
	    (int)sizeof side_name) {
		snprintf(err, n, "the recording's path is too long");
		return LT_ERR_INVALID;
	}
	struct upload_source side;
	rc = source_text(&side, side_name, sidecar_json);
	if (rc == LT_OK)
		rc = copy_verified(&side, dir, side_name, NULL, side_dest, sizeof side_dest, err, n);
	else
		snprintf(err, n, "out of memory");
	source_close(&side);
	return rc;
}

const struct upload_target_ops upload_folder_ops = {
	.name = "folder", .reads_source = true, .put = folder_put, .put_sidecar = folder_put_sidecar};

/* --- WebDAV ----------------------------------------------------------------------------- */

/* One WebDAV conversation: the MKCOLs, PUTs, HEAD (and a DELETE) of one upload share one
 * connection (net.h). */
struct dav {
	const struct config *cfg;
	struct net_server srv;      /* the share, its account and CA (net.h) */
	struct net_conn *conn;
	const char *host;           /* net_conn_host() */
};

/* One request, and what came back of it. */
struct dav_call {
	const char *method;
	const char *url;
	struct upload_source *body;        /* sent with PUT */
	const struct upload_progress *prog;
	long status;
	int64_t length;                    /* the answer's Content-Length, -1 if none */
	char checksum[512];                /* a checksum header of the answer, "" if none */
};

static void on_progress(void *user, uint64_t sent, uint64_t total)
{
	const struct upload_progress *prog = ((struct dav_call *)user)->prog;
	prog->fn(prog->user, sent, total);
}

/* The body: abandoned at once when the file proves damaged, so the server never has all of
 * it (a PUT short of its Content-Length is not stored). */
static ssize_t read_body(void *user, char *buf, size_t n)
{
	struct upload_source *src = user;
	ssize_t got = source_read(src, buf, n);
	return got < 0 || src->damaged ? -1 : got;
}

static bool rewind_body(void *user)
{
	return source_rewind(user) == LT_OK;
}

/* The answer's checksum header; a status line starts a new answer (after a 401 or a
 * redirect), whose headers alone count. */
static void on_header(void *user, const char *line, size_t len)
{
	struct dav_call *c = user;
	char text[sizeof c->checksum];
	size_t end = 0; /* the line is not NUL-terminated: its end is CRLF, or `len` */
	while (end < len && line[end] != '\r' && line[end] != '\n')
		end++;
	snprintf(text, sizeof text, "%.*s", (int)end, line);
	if (strncmp(text, "HTTP/", 5) == 0)
		c->checksum[0] = '\0';
	else if (end < sizeof text && upload_server_checksum(text, "") >= 0)
		snprintf(c->checksum, sizeof c->checksum, "%s", text);
}

static lt_err dav_request(struct dav *d, struct dav_call *c, char *err, size_t n)
{
	/* A server that can say what it holds is asked to (RFC 3230, RFC 9530). */
	static const char *const want_digest[] = {"Want-Digest: SHA-256",
						  "Want-Repr-Digest: sha-256=10", NULL};
	bool head = strcmp(c->method, "HEAD") == 0;
	struct net_body body = {0};
	struct net_request req = {.method = c->method, .url = c->url, .user = c};
	if (c->body) {
		body = (struct net_body){.read = read_body, .rewind = rewind_body,
					 .user = c->body, .size = c->body->size};
		req.body = &body;
		req.max_send_bytes_per_s = (int64_t)d->cfg->upload_max_kbps * 1000 / 8;
		if (c->prog && c->prog->fn)
			req.progress = on_progress;
	} else if (head) {
		req.headers = want_digest;
		req.on_header = on_header;
	}
	c->checksum[0] = '\0';
	struct net_answer ans;
	lt_err rc = net_perform(d->conn, &req, &ans, err, n);
	c->status = ans.status;
	c->length = ans.length;
	net_answer_free(&ans);
	if (c->body && c->body->damaged) {
		snprintf(err, n, "%s", c->body->why);
		return LT_ERR_CORRUPT;
	}
	if (rc != LT_OK)
		return rc;
	if (c->status == 401) {
		snprintf(err, n, "%s refused the credentials (HTTP %ld): check [upload] user and "
				 "password_file", d->host, c->status);
		return LT_ERR_AUTH;
	}
	/* Not the credentials: a server that does not take them answers 401 (Apache also when
	 * the account is not allowed). A 403 to a write is the share refusing writes: lighttpd's
	 * mod_webdav answers it to every MKCOL and PUT unless webdav.is-readonly = "disable"
	 * (its default is read-only), nginx where dav_methods or limit_except leave it out. To
	 * tell the room to check its password would send them the wrong way. */
	if (c->status == 403) {
		snprintf(err, n, "%s forbids %s there (HTTP 403): the share is read-only, or [upload] "
				 "user may not write to it (ask IT)", d->host, c->method);
		return LT_ERR_HTTP;
	}
	return LT_OK;
}

/* PUT `src` to `url`; the answer must say it was stored, and the source must have checked. */
static lt_err dav_put(struct dav *d, const char *url, struct upload_source *src,
		      const struct upload_progress *prog, char *err, size_t n)
{
	struct dav_call c = {.method = "PUT", .url = url, .body = src, .prog = prog};
	lt_err rc = dav_request(d, &c, err, n);
	if (rc == LT_OK && c.status != 200 && c.status != 201 && c.status != 204) {
		snprintf(err, n, "%s answered HTTP %ld to the upload", d->host, c.status);
		rc = LT_ERR_HTTP;
	}
	if (rc == LT_OK && !src->verified) {
		snprintf(err, n, "%s took the upload before all of %s was sent", d->host, src->name);
		rc = LT_ERR_HTTP;
	}
	return rc;
}

/* What the server holds at `url` must be `src`: its size, and its SHA-256 when the server
 * gives one. */
static lt_err dav_confirm(struct dav *d, const char *url, const struct upload_source *src,
			  char *err, size_t n)
{
	struct dav_call c = {.method = "HEAD", .url = url};
	lt_err rc = dav_request(d, &c, err, n);
	if (rc != LT_OK)
		return rc;
	if (c.status != 200 || c.length != (int64_t)src->size) {
		snprintf(err, n, "%s holds %lld bytes of the %llu sent (HTTP %ld)", d->host,
			 (long long)c.length, (unsigned long long)src->size, c.status);
		return LT_ERR_HTTP;
	}
	if (c.checksum[0] && upload_server_checksum(c.checksum, src->sha256) == 0) {
		snprintf(err, n, "%s holds other bytes than were sent (its checksum: %.80s)", d->host,
			 c.checksum);
		return LT_ERR_HTTP;
	}
	return LT_OK;
}

static void dav_delete(struct dav *d, const char *url)
{
	struct dav_call c = {.method = "DELETE", .url = url};
	char why[320];
	if (dav_request(d, &c, why, sizeof why) != LT_OK || (c.status >= 300 && c.status != 404))
		log_warn("webdav: cannot remove %s again: %s", url,
			 c.status >= 300 ? "the server refused" : why);
}

static lt_err webdav_conversation(struct dav *d, const struct recording *rec,
				  struct upload_source *src, const char *sidecar_json,
				  const struct upload_progress *prog, char *remote,
				  size_t remote_len, char *err, size_t n)
{
	lt_err rc;
	char sub[512], url[2048];
	remote_dir(rec, sub, sizeof sub);
	size_t base_len = strlen(d->srv.url);
	while (base_len && d->srv.url[base_len - 1] == '/')
		base_len--;
	/* MKCOL each level; 405 means it exists already. */
	int len = snprintf(url, sizeof url, "%.*s", (int)base_len, d->srv.url);
	for (char *part = sub, *slash; part && *part; part = slash ? slash + 1 : NULL) {
		slash = strchr(part, '/');
		int plen = slash ? (int)(slash - part) : (int)strlen(part);
		char *enc = net_escape(part, (size_t)plen);
		len += snprintf(url + len, sizeof url - (size_t)len, "/%s", enc ? enc : "");
		free(enc);
		char probe[2100];
		snprintf(probe, sizeof probe, "%s/", url);
		struct dav_call mk = {.method = "MKCOL", .url = probe};
		rc = dav_request(d, &mk, err, n);
		if (rc != LT_OK)
			return rc;
		if (mk.status == 409) {
			snprintf(err, n, "%s: the share's folder does not exist: check [upload] url",
				 d->host);
			return LT_ERR_HTTP;
		}
		if (mk.status != 201 && mk.status != 405 && mk.status != 200) {
			snprintf(err, n, "%s answered HTTP %ld when creating a folder", d->host,
				 mk.status);
			return LT_ERR_HTTP;
		}
	}
	char *name = net_escape(base_name(rec->path), 0);
	char file_url[2400], side_url[2400];
	snprintf(file_url, sizeof file_url, "%s/%s", url, name ? name : "");
	snprintf(side_url, sizeof side_url, "%s/%s.json", url, name ? name : "");
	free(name);
	rc = dav_put(d, file_url, src, prog, err, n);
	bool wrong = src->damaged;
	if (rc == LT_OK) {
		rc = dav_confirm(d, file_url, src, err, n);
		wrong = rc == LT_ERR_HTTP;
	}
	/* Bytes known to be wrong may be on the share: they must not stay under the recording's
	 * name (a PUT cut short of its length is normally dropped by the server already). */
	if (wrong)
		dav_delete(d, file_url);
	if (rc != LT_OK)
		return rc;
	struct upload_source side;
	rc = source_text(&side, base_name(side_url), sidecar_json);
	if (rc == LT_OK)
		rc = dav_put(d, side_url, &side, NULL, err, n);
	else
		snprintf(err, n, "out of memory");
	source_close(&side);
	if (rc != LT_OK)
		return rc;
	snprintf(remote, remote_len, "%s", file_url);
	return LT_OK;
}

static lt_err webdav_put(const struct config *cfg, const struct recording *rec,
			 struct upload_source *src, const char *sidecar_json,
			 const struct upload_progress *prog, char *remote, size_t remote_len,
			 char *err, size_t n)
{
	struct dav d = {.cfg = cfg};
	lt_err rc = net_resolve(cfg, NET_ROLE_UPLOAD, &d.srv, err, n);
	if (rc != LT_OK) {
		net_server_clear(&d.srv);
		return rc;
	}
	rc = net_conn_open(&d.srv, cfg->upload_timeout_s, prog ? prog->cancel : NULL, &d.conn);
	net_server_clear(&d.srv);
	if (rc != LT_OK) {
		snprintf(err, n, "out of memory");
		return rc;
	}
	d.host = net_conn_host(d.conn);
	rc = webdav_conversation(&d, rec, src, sidecar_json, prog, remote, remote_len, err, n);
	net_conn_close(d.conn);
	return rc;
}

/* Attendance's follow-up (upload_attendance.h): PUT the sidecar again beside the delivered
 * file, whose URL the upload stored. */
static lt_err webdav_put_sidecar(const struct config *cfg, const struct recording *rec,
				 const char *sidecar_json, char *err, size_t n)
{
	struct dav d = {.cfg = cfg};
	char url[sizeof rec->remote + 8];
	if (strncmp(rec->remote, "http://", 7) != 0 && strncmp(rec->remote, "https://", 8) != 0) {
		snprintf(err, n, "it was not delivered to a WebDAV share");
		return LT_ERR_NOT_FOUND;
	}
	snprintf(url, sizeof url, "%s.json", rec->remote);
	lt_err rc = net_resolve(cfg, NET_ROLE_UPLOAD, &d.srv, err, n);
	if (rc == LT_ERR_NOT_FOUND)
		rc = LT_ERR_INVALID; /* no share configured: a failure, not "not ours" */
	if (rc == LT_OK && (rc = net_conn_open(&d.srv, cfg->upload_timeout_s, NULL, &d.conn)) !=
				  LT_OK)
		snprintf(err, n, "out of memory");
	net_server_clear(&d.srv);
	if (rc != LT_OK)
		return rc;
	d.host = net_conn_host(d.conn);
	struct upload_source side;
	rc = source_text(&side, base_name(url), sidecar_json);
	if (rc == LT_OK)
		rc = dav_put(&d, url, &side, NULL, err, n);
	else
		snprintf(err, n, "out of memory");
	source_close(&side);
	net_conn_close(d.conn);
	return rc;
}

const struct upload_target_ops upload_webdav_ops = {
	.name = "webdav", .reads_source = true, .put = webdav_put, .put_sidecar = webdav_put_sidecar};

/* --- the queue ---------------------------------------------------------------------------- */

/* The targets this executable has: the folder and WebDAV always, Opencast when it is added. */
static const struct upload_target_ops *targets[4] = {&upload_folder_ops, &upload_webdav_ops};

void upload_add_target(const struct upload_target_ops *ops)
{
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
		if (!targets[i] || targets[i] == ops) {
			targets[i] = ops;
			return;
		}
}

const struct upload_target_ops *upload_target(const struct config *cfg)
{
	for (size_t i = 0; i < sizeof targets / sizeof targets[0] && targets[i]; i++)
		if (strcmp(cfg->upload_target, targets[i]->name) == 0)
			return targets[i];
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
	bool whole;          /* the last byte was noted */
};

/* At most once a second into the store, where `lectern queue` (another process) reads it, and
 * once more when the last byte has gone (libcurl keeps calling while the server answers). */
static void note_progress(void *user, uint64_t sent, uint64_t total)
{
	struct progress_note *p = user;
	double now = os_mono_s();
	if (p->whole || (now - p->noted < 1.0 && sent < total))
		return;
	p->whole = total > 0 && sent >= total;
	p->noted = now;
	double secs = now - p->started;
	store_upload_progress(p->st, p->id, (int64_t)sent, secs > 0 ? (int64_t)(sent / secs) : 0);
}

/* One attempt at `rec`. LT_ERR_CORRUPT: its local file is damaged or missing, and the job
 * failed for good; any other error: the attempt failed and the job waits for the next. */
static lt_err upload_one(const struct config *cfg, struct store *st,
			 const struct upload_target_ops *target, struct recording *rec,
			 int64_t now_ms, const atomic_bool *cancel)
{
	/* Committed before the first byte leaves. */
	lt_err err = store_recording_transition(st, rec->id, REC_QUEUED, REC_UPLOADING, NULL);
	if (err != LT_OK)
		return err;
	char why[320] = "", remote[1024] = "";
	/* Held to the size and SHA-256 stored at finalisation; a target that does not read
	 * through the source gets a file checked whole first. */
	struct upload_source src;
	err = source_open(&src, rec);
	if (err == LT_OK && !target->reads_source)
		err = source_check_all(&src);
	char session[320] = "";
	int attendance = -1;
	/* When the attendance was read: a check-in after it was not sent, however soon after. */
	int64_t snapshot_ms = os_now_ms();
	if (err == LT_OK) {
		/* One snapshot of the attendance: what the target sends is what is kept below. */
		json_object *att = upload_attendance_json(cfg, st, rec, session, sizeof session,
							  &attendance);
		char *sidecar = upload_sidecar_json_attendance(cfg, rec, src.sha256, att);
		struct progress_note note = {st, rec->id, os_mono_s(), 0, false};
		struct upload_progress prog = {note_progress, &note, cancel};
		err = sidecar ? target->put(cfg, rec, &src, sidecar, &prog, remote, sizeof remote,
					    why, sizeof why)
			      : LT_ERR_NOMEM;
		free(sidecar);
	}
	if (src.damaged) {
		snprintf(why, sizeof why, "%s", src.why);
		err = LT_ERR_CORRUPT;
	} else if (err == LT_OK && !src.verified) {
		snprintf(why, sizeof why, "the %s target did not send the whole recording",
			 target->name);
		err = LT_ERR_STATE;
	}
	source_close(&src);
	int attempts = rec->attempts + 1;
	if (err == LT_OK) {
		int64_t done = os_now_ms();
		/* The link is known only now (Opencast's media package id): a template that cannot
		 * make one for this recording costs the link, never the delivery. */
		char link[sizeof rec->link], link_why[200];
		if (upload_link(cfg, rec, remote, link, sizeof link, link_why, sizeof link_why) !=
		    LT_OK)
			log_warn("recording %lld: delivered, but no link to watch it: %s",
				 (long long)rec->id, link_why);
		/* The confirmation and the link are stored with the move to uploaded, in one
		 * commit. */
		err = store_upload_confirm(st, rec->id, attempts, remote, src.sha256, link, done,
					   "delivered and confirmed");
		if (err == LT_OK)
			log_info("recording %lld uploaded (%s, attempt %d)", (long long)rec->id,
				 target->name, attempts);
		if (err == LT_OK && attendance >= 0)
			store_checkin_session_delivered(st, session, snapshot_ms, attendance);
		if (err == LT_OK)
			spoolmeta_save(st, rec->id);
		return err;
	}
	/* What is stored says which part failed (the network, the server, the storage), for the
	 * screen's advice and `lectern queue`. */
	struct lt_error e;
	lt_error_set(&e, err, lt_err_domain(err), "%s", why);
	store_recording_set_link(st, rec->id, ""); /* a failed delivery has nothing to watch */
	/* The stored SHA-256 is kept: it is what the file is held to at the next attempt. */
	if (src.damaged) {
		/* It will not heal by waiting: no retries, the file kept for a person. */
		store_upload_note(st, rec->id, attempts, 0, e.text, "", rec->sha256, 0);
		store_recording_transition(st, rec->id, REC_UPLOADING, REC_FAILED,
					   "the local file is damaged or missing: kept here, not "
					   "delivered");
		log_error("recording %lld not delivered: %s", (long long)rec->id, e.text);
		return LT_ERR_CORRUPT;
	}
	unsigned rnd = 0;
	if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		rnd = (unsigned)now_ms;
	int64_t next = now_ms + upload_backoff_ms(cfg, attempts, rnd);
	bool give_up = now_ms - rec->started_ms > (int64_t)cfg->give_up_days * 86400000;
	store_upload_note(st, rec->id, attempts, next, e.text, "", rec->sha256, 0);
	store_recording_transition(st, rec->id, REC_UPLOADING, give_up ? REC_FAILED : REC_QUEUED,
				   give_up ? "not delivered in time: kept here, retry by hand" : NULL);
	log_warn("recording %lld: upload attempt %d failed: %s%s", (long long)rec->id, attempts,
		 e.text, give_up ? " (giving up)" : "");
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
		lt_err err = upload_one(cfg, st, target, &rec, now_ms, cancel);
		if (err != LT_OK) {
			(*failed)++;
			/* The rest would meet the same server; a damaged file says nothing of it. */
			if (ignore_backoff && err != LT_ERR_CORRUPT)
				break;
		}
	}
	return LT_OK;
}

lt_err upload_run_once(const struct config *cfg, struct store *st, int64_t now_ms,
		       bool ignore_backoff, int *attempted, int *failed)
{
	lt_err err = run_queue(cfg, st, now_ms, ignore_backoff, NULL, attempted, failed);
	/* Check-ins since an earlier delivery (upload_attendance.h): not counted as jobs. */
	upload_attendance_updates(cfg, st, now_ms, ignore_backoff);
	return err;
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
	bool ours = retention_in_spool(c->cfg, rec->path);
	/* Deleting the user's file would free none of the spool's space. */
	bool for_space = !expired && ours && space_needed(c->cfg, rec->path);
	if (!expired && !for_space)
		return 0;
	if (!ours) {
		/* The user's file (record --out): delivered, no longer lectern's to keep or free. */
		if (store_recording_mark_deleted(c->st, rec->id, c->now_ms) == LT_OK)
			log_info("recording %lld: local copy %s kept: outside the spool (delivered)",
				 (long long)rec->id, rec->path);
	} else if (unlink(rec->path) == 0 || errno == ENOENT) {
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
	struct worker *w;
	atomic_bool stopping;      /* read by the transfer's progress callback */
};

/* One pass of the uploader's worker (worker.h): the due jobs, then pruning. */
static void uploader_pass(void *arg)
{
	struct uploader *u = arg;
	int attempted, failed;
	int64_t now = os_now_ms();
	run_queue(u->cfg, u->st, now, false, &u->stopping, &attempted, &failed);
	upload_attendance_updates(u->cfg, u->st, now, false);
	upload_prune(u->cfg, u->st, now);
}

lt_err uploader_start(const struct config *cfg, const char *db_path, int period_s,
		      struct uploader **out)
{
	struct uploader *u = calloc(1, sizeof *u);
	if (!u)
		return LT_ERR_NOMEM;
	u->cfg = cfg;
	lt_err err = store_open(db_path, &u->st);
	if (err == LT_OK)
		err = worker_start(uploader_pass, u, (int64_t)(period_s > 0 ? period_s : 5) * 1000,
				   &u->w);
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
	worker_stop(u->w);
	store_close(u->st);
	free(u);
}
