/*
 * net.c — server roles resolved from the configuration (contract and rule in net.h).
 *
 * What must stay true:
 * - This is the only place that decides which section's credentials and CA go to which
 *   server; callers never read [schedule] or [upload] user, password_file, auth or ca_file
 *   themselves.
 * - A conversation's libcurl handle is never reset: curl_easy_reset() would drop the Digest
 *   nonce and make every request start with its own 401 again. So every option that one
 *   request may set and the next must not inherit (method, body, headers, callbacks' data,
 *   redirects, limits) is written by net_perform() for every request.
 */
#include "lectern/net.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifndef LECTERN_VERSION
#define LECTERN_VERSION "dev"
#endif

lt_err net_read_secret(const char *path, char *buf, size_t n, char *why, size_t why_len)
{
	buf[0] = '\0';
	if (!path || !*path)
		return LT_OK;
	FILE *fp = fopen(path, "r");
	if (!fp) {
		snprintf(why, why_len, "cannot read the password file %s: %s", path, strerror(errno));
		return LT_ERR_CONFIG;
	}
	/* The same rule as at start (config_check): its mode may have changed since. */
	struct stat sb;
	bool refused = fstat(fileno(fp), &sb) != 0;
	if (refused)
		snprintf(why, why_len, "cannot read the password file %s: %s", path, strerror(errno));
	else
		refused = config_secret_too_open(path, (unsigned)sb.st_mode, why, why_len);
	if (refused) {
		fclose(fp);
		return LT_ERR_CONFIG;
	}
	if (!fgets(buf, (int)n, fp))
		buf[0] = '\0';
	fclose(fp);
	buf[strcspn(buf, "\r\n")] = '\0';
	return LT_OK;
}

/* One section's credentials, as the configuration holds them. */
struct section {
	const char *name;
	const char *user, *password_file, *auth, *ca_file;
	int allow_insecure_auth;
};

static struct section schedule_section(const struct config *cfg)
{
	return (struct section){"schedule", cfg->server_user, cfg->server_password_file,
				cfg->server_auth, cfg->ca_file, cfg->server_allow_insecure_auth};
}

static struct section upload_section(const struct config *cfg)
{
	return (struct section){"upload", cfg->upload_user, cfg->upload_password_file,
				cfg->upload_auth, cfg->upload_ca_file,
				cfg->upload_allow_insecure_auth};
}

static bool is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

/* Opencast is one server with one account, whichever role reaches it. */
static struct section opencast_section(const struct config *cfg)
{
	return strcmp(cfg->upload_target, "opencast") == 0 && cfg->upload_user[0]
		       ? upload_section(cfg)
		       : schedule_section(cfg);
}

const char *net_role_url(const struct config *cfg, enum net_role role, bool *opencast)
{
	bool oc = false;
	const char *url = "";
	switch (role) {
	case NET_ROLE_CALENDAR:
		if ((oc = strcmp(cfg->schedule_source, "opencast") == 0))
			url = cfg->opencast_url;
		else if (strcmp(cfg->schedule_source, "ics") == 0 && is_url(cfg->schedule_ics))
			url = cfg->schedule_ics;
		break;
	case NET_ROLE_UPLOAD:
		if ((oc = strcmp(cfg->upload_target, "opencast") == 0))
			url = cfg->opencast_url;
		else if (strcmp(cfg->upload_target, "webdav") == 0)
			url = cfg->upload_url;
		break;
	case NET_ROLE_OPENCAST:
		if ((oc = strcmp(cfg->schedule_source, "opencast") == 0 ||
			  strcmp(cfg->upload_target, "opencast") == 0))
			url = cfg->opencast_url;
		break;
	}
	if (opencast)
		*opencast = oc && url[0];
	return url;
}

lt_err net_resolve(const struct config *cfg, enum net_role role, struct net_server *out,
		   char *why, size_t n)
{
	memset(out, 0, sizeof *out);
	const char *url = net_role_url(cfg, role, &out->opencast);
	struct section sec = role == NET_ROLE_UPLOAD && !out->opencast ? upload_section(cfg)
									: schedule_section(cfg);
	if (out->opencast)
		sec = opencast_section(cfg);
	if (!url[0]) {
		static const char *const names[] = {"calendar", "upload target", "Opencast server"};
		snprintf(why, n, "no %s server is configured", names[role]);
		return LT_ERR_NOT_FOUND;
	}
	snprintf(out->url, sizeof out->url, "%s", url);
	out->section = sec.name;
	snprintf(out->ca_file, sizeof out->ca_file, "%s", sec.ca_file[0] ? sec.ca_file
									: cfg->ca_file);
	out->allow_insecure_auth = sec.allow_insecure_auth != 0;
	if (!sec.user[0])
		return LT_OK;
	snprintf(out->user, sizeof out->user, "%s", sec.user);
	out->auth = strcmp(sec.auth, "digest") == 0 ? FETCH_AUTH_DIGEST : FETCH_AUTH_BASIC;
	if (out->auth == FETCH_AUTH_BASIC && strncasecmp(url, "http://", 7) == 0 &&
	    !out->allow_insecure_auth) {
		snprintf(why, n, "[%s] auth = basic over plain http:// sends the password readable "
				 "on the network: use https://, auth = digest, or "
				 "allow_insecure_auth = yes in [%s]", sec.name, sec.name);
		return LT_ERR_CONFIG;
	}
	char reason[256];
	if (net_read_secret(sec.password_file, out->password, sizeof out->password, reason,
			    sizeof reason) != LT_OK) {
		snprintf(why, n, "[%s] password_file: %s", sec.name, reason);
		return LT_ERR_CONFIG;
	}
	return LT_OK;
}

lt_err net_test_role(const struct config *cfg, enum net_role *role)
{
	*role = NET_ROLE_UPLOAD;
	if (strcmp(cfg->upload_target, "webdav") == 0 || strcmp(cfg->upload_target, "opencast") == 0)
		return LT_OK;
	*role = NET_ROLE_CALENDAR;
	return net_role_url(cfg, NET_ROLE_CALENDAR, NULL)[0] ? LT_OK : LT_ERR_NOT_FOUND;
}

void net_prepare_request(const struct net_server *s, struct fetch_request *req)
{
	req->ca_file = s->ca_file;
	req->auth = s->auth;
	req->user = s->user[0] ? s->user : NULL;
	req->password = s->user[0] ? s->password : NULL;
	req->opencast_digest = s->opencast && s->auth == FETCH_AUTH_DIGEST;
}

void net_server_clear(struct net_server *s)
{
	explicit_bzero(s->password, sizeof s->password);
}

/* --- the HTTP client ------------------------------------------------------------------ */

struct net_conn {
	struct net_server srv;
	CURL *curl;
	const atomic_bool *cancel;
	char host[160];
	char errbuf[CURL_ERROR_SIZE];
};

/* One request's state, shared with libcurl's callbacks. */
struct xfer {
	const struct net_conn *c;
	const struct net_request *req;
	struct net_answer *ans;
	size_t cap;
	bool too_large, nomem;
};

static void say(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

/* What every conversation starts from: http/https only, no signals, TLS peer and host
 * verified (against `ca_file` when given), a 10 s connect time-out, `errbuf` for libcurl's
 * words. */
static bool base_options(CURL *curl, const char *url, const char *ca_file, char *errbuf)
{
	bool ok = curl_easy_setopt(curl, CURLOPT_URL, url) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
	if (ca_file && *ca_file)
		ok &= curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L) == CURLE_OK;
	return ok;
}

lt_err net_conn_open(const struct net_server *srv, long timeout_s, const atomic_bool *cancel,
		     struct net_conn **out)
{
	*out = NULL;
	fetch_global_init();
	struct net_conn *c = calloc(1, sizeof *c);
	if (!c)
		return LT_ERR_NOMEM;
	c->srv = *srv;
	c->cancel = cancel;
	fetch_url_host(srv->url, c->host, sizeof c->host);
	/* What holds for the whole conversation is set once. */
	bool ok = (c->curl = curl_easy_init()) != NULL &&
		  base_options(c->curl, srv->url, srv->ca_file, c->errbuf);
	ok = ok && curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, timeout_s > 0 ? timeout_s : 30L) ==
			   CURLE_OK;
	ok = ok && curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "lectern/" LECTERN_VERSION) ==
			   CURLE_OK;
	ok = ok && curl_easy_setopt(c->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok = ok && curl_easy_setopt(c->curl, CURLOPT_MAXREDIRS, NET_MAX_REDIRECTS) == CURLE_OK;
	if (ok && srv->user[0]) {
		/* Only the scheme asked for: no negotiation that could fall back to Basic in clear
		 * text when Digest was configured. libcurl drops the credentials when a redirect
		 * leaves the host. */
		unsigned long scheme = srv->auth == FETCH_AUTH_DIGEST ? CURLAUTH_DIGEST
								      : CURLAUTH_BASIC;
		ok = curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, scheme) == CURLE_OK &&
		     curl_easy_setopt(c->curl, CURLOPT_USERNAME, c->srv.user) == CURLE_OK &&
		     curl_easy_setopt(c->curl, CURLOPT_PASSWORD, c->srv.password) == CURLE_OK;
	}
	if (!ok) {
		net_conn_close(c);
		return LT_ERR_NOMEM;
	}
	*out = c;
	return LT_OK;
}

void net_conn_close(struct net_conn *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	net_server_clear(&c->srv);
	free(c);
}

const char *net_conn_host(const struct net_conn *c)
{
	return c->host;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *user)
{
	struct xfer *x = user;
	struct net_answer *a = x->ans;
	size_t n = size * nmemb, max = x->req->max_answer;
	if (!max)
		return n;
	/* body_len never exceeds max, so this cannot wrap. Returning less than n aborts. */
	if (n > max - a->body_len) {
		x->too_large = true;
		return 0;
	}
	if (a->body_len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 16 * 1024;
		while (cap < a->body_len + n + 1)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		char *body = realloc(a->body, cap);
		if (!body) {
			x->nomem = true;
			return 0;
		}
		a->body = body;
		x->cap = cap;
	}
	memcpy(a->body + a->body_len, data, n);
	a->body_len += n;
	a->body[a->body_len] = '\0';
	return n;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *user)
{
	struct xfer *x = user;
	size_t n = size * nmemb;
	if (x->req->on_header)
		x->req->on_header(x->req->user, line, n);
	return n;
}

/* The body: CURL_READFUNC_ABORT at once when the reader says so, so the server never has all
 * of it (a PUT short of its Content-Length is not stored). */
static size_t on_read(char *buf, size_t size, size_t count, void *user)
{
	const struct net_body *b = ((struct xfer *)user)->req->body;
	ssize_t got = b->read(b->user, buf, size * count);
	return got < 0 ? CURL_READFUNC_ABORT : (size_t)got;
}

static int on_seek(void *user, curl_off_t offset, int origin)
{
	const struct net_body *b = ((struct xfer *)user)->req->body;
	return origin == SEEK_SET && offset == 0 && b->rewind && b->rewind(b->user)
		       ? CURL_SEEKFUNC_OK
		       : CURL_SEEKFUNC_CANTSEEK;
}

/* libcurl asks about once a second, also while it waits: progress, and the caller may call
 * the request off. */
static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	struct xfer *x = user;
	const struct net_request *r = x->req;
	if (r->progress) {
		uint64_t total = r->progress_total ? r->progress_total
			       : ultotal > 0 ? (uint64_t)ultotal : 0;
		uint64_t sent = ulnow > 0 ? (uint64_t)ulnow : 0;
		/* a form's text fields count too: never report more than was asked about */
		if (r->progress_total && sent > total)
			sent = total;
		r->progress(r->user, sent, total);
	}
	return x->c->cancel && atomic_load(x->c->cancel) ? 1 : 0;
}

static bool add_header(struct curl_slist **list, const char *line)
{
	struct curl_slist *more = curl_slist_append(*list, line);
	if (more)
		*list = more;
	return more != NULL;
}

/* The form as a libcurl mime. LT_ERR_IO (err says which file) when a file cannot be read. */
static lt_err make_form(CURL *curl, const struct net_request *req, curl_mime **out, char *err,
			size_t n)
{
	curl_mime *mime = *out = curl_mime_init(curl);
	if (!mime)
		return LT_ERR_NOMEM;
	for (size_t i = 0; i < req->field_count; i++) {
		const struct net_field *f = &req->fields[i];
		curl_mimepart *part = curl_mime_addpart(mime);
		if (!part || curl_mime_name(part, f->name) != CURLE_OK)
			return LT_ERR_NOMEM;
		CURLcode mc = f->file ? curl_mime_filedata(part, f->file)
				      : curl_mime_data(part, f->value ? f->value : "",
						       CURL_ZERO_TERMINATED);
		if (mc == CURLE_READ_ERROR) {
			say(err, n, "cannot read %s", f->filename ? f->filename : f->file);
			return LT_ERR_IO;
		}
		if (mc != CURLE_OK ||
		    (f->filename && curl_mime_filename(part, f->filename) != CURLE_OK) ||
		    (f->type && curl_mime_type(part, f->type) != CURLE_OK))
			return LT_ERR_NOMEM;
	}
	return LT_OK;
}

/* The options of this request: every one a previous request may have set is written. */
static bool set_request(CURL *curl, const struct net_request *req, struct xfer *x,
			struct curl_slist *headers, curl_mime *mime)
{
	const char *m = req->method;
	/* HTTPGET first: it clears an earlier request's upload, no-body and form. */
	bool ok = curl_easy_setopt(curl, CURLOPT_URL, req->url) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, NULL) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)-1) == CURLE_OK;
	if (strcmp(m, "HEAD") == 0) {
		ok &= curl_easy_setopt(curl, CURLOPT_NOBODY, 1L) == CURLE_OK;
	} else if (strcmp(m, "PUT") == 0 && req->body) {
		ok &= curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L) == CURLE_OK;
		/* Reads of 256 KB: a quarter of the calls of libcurl's 64 KB, and small enough
		 * that the body's hashing (upload.c) finds each read in the cache (BENCHMARKS.md
		 * has the loopback figures for 64 KB to 2 MB). Under a send cap libcurl's
		 * smallest, so that the cap paces the bytes smoothly instead of letting a whole
		 * buffer out at once. */
		ok &= curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE,
				       req->max_send_bytes_per_s > 0 ? 16L << 10 : 256L << 10) ==
		      CURLE_OK;
		ok &= curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read) == CURLE_OK;
		ok &= curl_easy_setopt(curl, CURLOPT_READDATA, x) == CURLE_OK;
		ok &= curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, on_seek) == CURLE_OK;
		ok &= curl_easy_setopt(curl, CURLOPT_SEEKDATA, x) == CURLE_OK;
		ok &= curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
				       (curl_off_t)req->body->size) == CURLE_OK;
	} else if (mime) {
		ok &= curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime) == CURLE_OK;
	} else if (strcmp(m, "GET") != 0) {
		ok &= curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m) == CURLE_OK;
	}
	ok &= curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, req->follow_redirects ? 1L : 0L) ==
	      CURLE_OK;
	/* Refused early when the server announces the size; on_write catches the rest. */
	ok &= curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_answer) ==
	      CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_MAX_SEND_SPEED_LARGE,
			       (curl_off_t)(req->max_send_bytes_per_s > 0 ? req->max_send_bytes_per_s
									  : 0)) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_WRITEDATA, x) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_HEADERDATA, x) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_XFERINFODATA, x) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L) == CURLE_OK;
	return ok;
}

static void copy_info(CURL *curl, CURLINFO what, char *dst, size_t n)
{
	char *v = NULL;
	if (curl_easy_getinfo(curl, what, &v) == CURLE_OK && v)
		say(dst, n, "%s", v);
}

lt_err net_perform(struct net_conn *c, const struct net_request *req, struct net_answer *ans,
		   char *err, size_t n)
{
	memset(ans, 0, sizeof *ans);
	ans->length = -1;
	say(err, n, "%s", "");
	CURL *curl = c->curl;
	struct xfer x = {.c = c, .req = req, .ans = ans};
	struct curl_slist *headers = NULL;
	curl_mime *mime = NULL;
	lt_err rc = LT_ERR_NOMEM;
	c->errbuf[0] = '\0';
	/* Opencast answers a Digest client only when it says so; else it sends it to a login
	 * page. */
	if (c->srv.opencast && c->srv.auth == FETCH_AUTH_DIGEST &&
	    !add_header(&headers, "X-Requested-Auth: Digest"))
		goto fail;
	for (const char *const *h = req->headers; h && *h; h++)
		if (!add_header(&headers, *h))
			goto fail;
	if (req->fields && (rc = make_form(curl, req, &mime, err, n)) != LT_OK)
		goto fail;
	rc = LT_ERR_NOMEM;
	if (!set_request(curl, req, &x, headers, mime))
		goto fail;
	CURLcode cc = curl_easy_perform(curl);
	curl_off_t length = -1;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &ans->status);
	if (curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK)
		ans->length = length;
	curl_easy_getinfo(curl, CURLINFO_REDIRECT_COUNT, &ans->redirects);
	copy_info(curl, CURLINFO_EFFECTIVE_URL, ans->effective_url, sizeof ans->effective_url);
	copy_info(curl, CURLINFO_REDIRECT_URL, ans->location, sizeof ans->location);
	copy_info(curl, CURLINFO_LOCAL_IP, ans->local_ip, sizeof ans->local_ip);
	if ((cc == CURLE_WRITE_ERROR && x.too_large) || cc == CURLE_FILESIZE_EXCEEDED) {
		rc = LT_ERR_HTTP;
		say(err, n, "%s sent an answer larger than %zu bytes; it was refused", c->host,
		    req->max_answer);
		goto fail;
	}
	if (cc == CURLE_WRITE_ERROR && x.nomem) {
		say(err, n, "out of memory while talking to %s", c->host);
		goto fail;
	}
	if (cc != CURLE_OK) {
		rc = fetch_curl_error((int)cc, c->host, c->errbuf[0] ? c->errbuf : NULL, err, n);
		goto fail;
	}
	if (req->max_answer && !ans->body && !(ans->body = calloc(1, 1))) {
		/* (an empty answer is an empty body, not "nothing") */
		say(err, n, "out of memory while talking to %s", c->host);
		goto fail;
	}
	rc = LT_OK;
fail:
	/* Nothing of this request may point into freed memory at the next one. */
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	curl_mime_free(mime);
	curl_slist_free_all(headers);
	if (rc == LT_ERR_NOMEM && !err[0])
		say(err, n, "out of memory while talking to %s", c->host);
	return rc;
}

void net_answer_free(struct net_answer *ans)
{
	if (!ans)
		return;
	free(ans->body);
	ans->body = NULL;
	ans->body_len = 0;
}

char *net_escape(const char *s, size_t len)
{
	char *enc = curl_easy_escape(NULL, s, (int)len);
	char *copy = enc ? strdup(enc) : NULL;
	curl_free(enc);
	return copy;
}
