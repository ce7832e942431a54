/*
 * fetch.c — one HTTP(S) GET through libcurl's easy interface (contract in fetch.h).
 *
 * What must stay true:
 * - libcurl's codes are turned into an lt_err in one place, fetch_curl_error() (the uploader
 *   shares it), and the HTTP status in fetch_answer_verdict(): pure, like fetch_header_line(),
 *   so that both are tested and fuzzed without a server. Every failure leaves a sentence in
 *   res->error that names the server (host:port, never the URL's user info, path or query) and
 *   keeps libcurl's own words for whoever reads the log.
 * - The password never reaches res->error or the log: the sentence is scrubbed of it as the
 *   last step, whatever put it there, before it is cut to size.
 * - A redirect that lands on a login page is a refusal, not a calendar (Opencast sends browsers
 *   to its login form when the Digest header is missing).
 * - Nothing is written to stdout or stderr except through log.h: libcurl is silent without
 *   CURLOPT_VERBOSE, and our callbacks take every byte.
 */
#include "lectern/fetch.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lectern/log.h"

#define DEFAULT_CONNECT_TIMEOUT_S 10L
#define DEFAULT_TIMEOUT_S 30L
#define DEFAULT_MAX_BYTES ((size_t)16 << 20)
#define MAX_REDIRECTS 5L

#ifndef LECTERN_VERSION
#define LECTERN_VERSION "dev"
#endif

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		log_error("fetch: libcurl cannot start: %s", curl_easy_strerror(rc));
}

void fetch_global_init(void)
{
	/* curl_global_init is not thread-safe in every libcurl we may meet: once, whoever asks. */
	pthread_once(&global_once, global_init);
}

/* One transfer's state, shared with the callbacks. */
struct transfer {
	struct fetch_result *res;
	size_t cap;          /* bytes allocated for res->body */
	size_t max;          /* largest body we accept */
	bool too_large;      /* the write callback refused the answer */
	bool nomem;          /* the write callback could not grow the body */
	char reason[64];     /* the last status line's reason phrase ("Not Found"), for messages */
	char msg[1024];      /* the failure's sentence before it is scrubbed and cut to fit */
};

static void say(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* snprintf for sentences that may be cut: a cut sentence is still worth showing. */
static void say(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct transfer *t = user;
	struct fetch_result *r = t->res;
	size_t n = size * nmemb;
	/* body_len never exceeds max, so this cannot wrap. Returning less than n aborts. */
	if (n > t->max - r->body_len) {
		t->too_large = true;
		return 0;
	}
	if (r->body_len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 64 * 1024;
		while (cap < r->body_len + n + 1)
			cap *= 2;
		if (cap > t->max + 1)
			cap = t->max + 1;
		char *body = realloc(r->body, cap);
		if (!body) {
			t->nomem = true;
			return 0;
		}
		r->body = body;
		t->cap = cap;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return n;
}

/* Copy a header's value, trimmed, when `line` is "name: value". */
static void header_value(const char *line, size_t len, const char *name, char *dst, size_t n)
{
	size_t k = strlen(name);
	if (len <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	const char *v = line + k + 1;
	const char *end = line + len;
	while (v < end && isspace((unsigned char)*v))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	say(dst, n, "%.*s", (int)(end - v), v);
}

void fetch_header_line(const char *line, size_t len, struct fetch_result *res, char *reason,
		       size_t reason_len)
{
	if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new answer (after a redirect, a 401 challenge or a 100): only the last one's
		 * validators and type describe the body we keep. */
		res->etag[0] = res->last_modified[0] = res->content_type[0] = '\0';
		if (reason_len)
			reason[0] = '\0';
		/* "HTTP/1.1 404 Not Found": keep "Not Found" for messages (HTTP/2 has none). */
		const char *end = line + len;
		const char *p = memchr(line, ' ', len);
		if (p)
			p = memchr(p + 1, ' ', (size_t)(end - p - 1));
		if (p && reason_len) {
			p++;
			size_t cut = (size_t)(end - p), i;
			if (cut >= reason_len)
				cut = reason_len - 1;
			for (i = 0; i < cut && p[i] != '\r' && p[i] != '\n'; i++)
				reason[i] = isprint((unsigned char)p[i]) ? p[i] : '?';
			reason[i] = '\0';
		}
		return;
	}
	header_value(line, len, "ETag", res->etag, sizeof res->etag);
	header_value(line, len, "Last-Modified", res->last_modified, sizeof res->last_modified);
	header_value(line, len, "Content-Type", res->content_type, sizeof res->content_type);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
	struct transfer *t = user;
	size_t n = size * nmemb;
	fetch_header_line(data, n, t->res, t->reason, sizeof t->reason);
	return n;
}

/*
 * The server's "host:port" for messages, and the URL's own password if it carries one (to be
 * scrubbed). Returns false when the URL cannot be parsed.
 */
static bool url_parts(const char *url, char *host, size_t n, char *url_password, size_t pn)
{
	CURLU *u = curl_url();
	char *h = NULL, *port = NULL, *pw = NULL;
	bool ok = false;
	host[0] = '\0';
	if (url_password)
		url_password[0] = '\0';
	if (!u || !url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		say(host, n, "%s:%s", h, port);
	else
		say(host, n, "%s", h);
	if (url_password &&
	    curl_url_get(u, CURLUPART_PASSWORD, &pw, CURLU_URLDECODE) == CURLUE_OK)
		say(url_password, pn, "%s", pw);
	ok = true;
out:
	curl_free(h);
	curl_free(port);
	curl_free(pw);
	curl_url_cleanup(u);
	return ok;
}

void fetch_url_host(const char *url, char *buf, size_t n)
{
	if (!url_parts(url, buf, n, NULL, 0))
		say(buf, n, "the server");
}

/*
 * Replace every occurrence of `secret` in `msg` by "***". Done on the whole sentence, before
 * it is cut to res->error's size, so that no cut can leave the start of a password behind.
 */
static void scrub(char *msg, size_t n, const char *secret)
{
	size_t k = secret ? strlen(secret) : 0;
	char *from = msg, *hit;
	while (k && (hit = strstr(from, secret)) != NULL) {
		size_t room = n - (size_t)(hit - msg); /* bytes from hit to the buffer's end */
		size_t rest = strlen(hit + k);
		if (room < 4) {
			*hit = '\0';
			break;
		}
		if (rest > room - 4)
			rest = room - 4;
		memmove(hit + 3, hit + k, rest);
		memcpy(hit, "***", 3);
		hit[3 + rest] = '\0';
		from = hit + 3; /* never search the stars again: a password may be "*" */
	}
}

lt_err fetch_curl_error(int code, const char *host, const char *detail, char *error, size_t n)
{
	if (!detail || !*detail)
		detail = curl_easy_strerror((CURLcode)code);
	switch ((CURLcode)code) {
	case CURLE_OK:
		say(error, n, "%s", "");
		return LT_OK;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		say(error, n, "the address is not a valid http(s) URL (%s)", detail);
		return LT_ERR_INVALID;
	case CURLE_ABORTED_BY_CALLBACK:
		say(error, n, "%s: cancelled (lectern is stopping)", host);
		return LT_ERR_NETWORK;
	case CURLE_OUT_OF_MEMORY:
		say(error, n, "out of memory while talking to %s", host);
		return LT_ERR_NOMEM;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		say(error, n, "%s: the name cannot be resolved (DNS): check the address and the "
			      "network (%s)", host, detail);
		return LT_ERR_NETWORK;
	case CURLE_COULDNT_CONNECT:
		say(error, n, "%s does not accept connections: is the server running and "
			      "reachable? (%s)", host, detail);
		return LT_ERR_NETWORK;
	case CURLE_OPERATION_TIMEDOUT:
		say(error, n, "%s did not answer in time (%s)", host, detail);
		return LT_ERR_NETWORK;
	case CURLE_GOT_NOTHING:
		say(error, n, "%s closed the connection without answering (%s)", host, detail);
		return LT_ERR_NETWORK;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		say(error, n, "%s: the connection broke off during the transfer (%s)", host,
		    detail);
		return LT_ERR_NETWORK;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		say(error, n, "%s: secure connection failed: check the server's certificate and "
			      "the configured CA file, ca_file (%s)", host, detail);
		return LT_ERR_NETWORK;
	case CURLE_TOO_MANY_REDIRECTS:
		say(error, n, "%s redirected more than %ld times (%s)", host, MAX_REDIRECTS,
		    detail);
		return LT_ERR_HTTP;
	case CURLE_FILESIZE_EXCEEDED:
		say(error, n, "%s sent an answer larger than allowed; it was refused (%s)", host,
		    detail);
		return LT_ERR_HTTP;
	default:
		say(error, n, "%s: the transfer failed (%s)", host, detail);
		return LT_ERR_NETWORK;
	}
}

/* A header value we may send back: it must not be able to start a header of its own. */
static bool sendable(const char *v)
{
	if (!v || !*v)
		return false;
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 && *v != '\t')
			return false;
	return true;
}

bool fetch_is_login_url(const char *url)
{
	return url && strcasestr(url, "login");
}

/* The answer came through a redirect and looks like a login form rather than what we asked. */
static bool login_page(const char *effective_url, const char *content_type, long redirects)
{
	if (redirects <= 0)
		return false;
	if (fetch_is_login_url(effective_url))
		return true;
	return strncasecmp(content_type, "text/html", 9) == 0 ||
	       strncasecmp(content_type, "application/xhtml", 17) == 0;
}

lt_err fetch_answer_verdict(struct fetch_result *res, const char *reason, long redirects,
			    const char *effective_url, bool with_credentials, const char *host,
			    char *msg, size_t n)
{
	if (!reason)
		reason = "";
	const char *sp = reason[0] ? " " : "";
	if (res->status == 401 && !with_credentials) {
		say(msg, n, "%s asks for a user name and password (HTTP 401%s%s): configure them",
		    host, sp, reason);
		return LT_ERR_AUTH;
	}
	if (res->status == 401 || res->status == 403) {
		say(msg, n, "%s refused the credentials (HTTP %ld%s%s): check the user name and "
			    "password", host, res->status, sp, reason);
		return LT_ERR_AUTH;
	}
	if (login_page(effective_url, res->content_type, redirects)) {
		say(msg, n, "%s redirected to a login page instead of answering: the credentials "
			    "were not accepted (Opencast needs digest auth)", host);
		return LT_ERR_AUTH;
	}
	if (res->status == 304) {
		res->not_modified = true;
		return LT_OK;
	}
	if (res->status != 200) {
		say(msg, n, "%s answered HTTP %ld%s%s", host, res->status, sp, reason);
		return LT_ERR_HTTP;
	}
	return LT_OK;
}

/* The transfer's outcome (libcurl's code, then the HTTP status) → lt_err and t->msg. */
static lt_err classify(CURL *curl, CURLcode rc, struct transfer *t, const char *host,
		       const char *detail, bool with_credentials)
{
	struct fetch_result *res = t->res;
	long redirects = 0;
	char *effective = NULL;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(curl, CURLINFO_REDIRECT_COUNT, &redirects);
	curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);

	if ((rc == CURLE_WRITE_ERROR && t->too_large) || rc == CURLE_FILESIZE_EXCEEDED) {
		say(t->msg, sizeof t->msg, "%s sent an answer larger than %zu bytes; it was "
					   "refused", host, t->max);
		return LT_ERR_HTTP;
	}
	if (rc == CURLE_WRITE_ERROR && t->nomem) {
		say(t->msg, sizeof t->msg, "out of memory while fetching from %s", host);
		return LT_ERR_NOMEM;
	}
	if (rc != CURLE_OK)
		return fetch_curl_error(rc, host, detail, t->msg, sizeof t->msg);
	return fetch_answer_verdict(res, t->reason, redirects, effective, with_credentials, host,
				    t->msg, sizeof t->msg);
}

bool fetch_curl_base(void *curl, const char *url, const char *ca_file, char *errbuf)
{
	bool ok = curl_easy_setopt(curl, CURLOPT_URL, url) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	if (errbuf)
		ok &= curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
	if (ca_file && *ca_file)
		ok &= curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L) == CURLE_OK;
	return ok;
}

/* Headers and options of one GET. Returns false only when libcurl ran out of memory. */
/* libcurl asks about once a second, also while it waits: the caller may call it off. */
static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load((const atomic_bool *)user) ? 1 : 0;
}

static bool configure(CURL *curl, const struct fetch_request *req, struct transfer *t,
		      struct curl_slist **headers)
{
	if (req->cancel) {
		curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)req->cancel);
		curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	}
	char line[400];
	struct curl_slist *more;
	/* Validators go back verbatim, as RFC 9110 asks: If-Modified-Since carries the server's
	 * own Last-Modified, not a date we re-format. */
	if (sendable(req->etag)) {
		say(line, sizeof line, "If-None-Match: %s", req->etag);
		if (!(more = curl_slist_append(*headers, line)))
			return false;
		*headers = more;
	}
	if (sendable(req->last_modified)) {
		say(line, sizeof line, "If-Modified-Since: %s", req->last_modified);
		if (!(more = curl_slist_append(*headers, line)))
			return false;
		*headers = more;
	}
	if (req->opencast_digest) {
		if (!(more = curl_slist_append(*headers, "X-Requested-Auth: Digest")))
			return false;
		*headers = more;
	}

	bool ok = fetch_curl_base(curl, req->url, req->ca_file, NULL);
	ok &= curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_MAXREDIRS, MAX_REDIRECTS) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, req->connect_timeout_s > 0 ?
			       req->connect_timeout_s : DEFAULT_CONNECT_TIMEOUT_S) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_TIMEOUT,
			       req->timeout_s > 0 ? req->timeout_s : DEFAULT_TIMEOUT_S) == CURLE_OK;
	/* Refused early when the server announces the size; the write callback catches the rest
	 * (chunked answers, or a Content-Length that lies). */
	ok &= curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_USERAGENT, "lectern/" LECTERN_VERSION) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_WRITEDATA, t) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
	ok &= curl_easy_setopt(curl, CURLOPT_HEADERDATA, t) == CURLE_OK;
	if (*headers)
		ok &= curl_easy_setopt(curl, CURLOPT_HTTPHEADER, *headers) == CURLE_OK;
	if (req->auth != FETCH_AUTH_NONE) {
		/* Only the scheme asked for: no negotiation that could fall back to Basic in clear
		 * text when Digest was configured. libcurl drops the credentials when a redirect
		 * leaves the host. */
		unsigned long scheme = req->auth == FETCH_AUTH_DIGEST ? CURLAUTH_DIGEST
								     : CURLAUTH_BASIC;
		ok &= curl_easy_setopt(curl, CURLOPT_HTTPAUTH, scheme) == CURLE_OK;
		ok &= curl_easy_setopt(curl, CURLOPT_USERNAME, req->user ? req->user : "") ==
		      CURLE_OK;
		ok &= curl_easy_setopt(curl, CURLOPT_PASSWORD,
				       req->password ? req->password : "") == CURLE_OK;
	}
	return ok;
}

lt_err fetch_get(const struct fetch_request *req, struct fetch_result *res)
{
	memset(res, 0, sizeof *res);
	fetch_global_init();

	/* On the heap: the sentence buffer would make this a large frame for a worker thread. */
	struct transfer *t = calloc(1, sizeof *t);
	if (!t) {
		say(res->error, sizeof res->error, "out of memory");
		return LT_ERR_NOMEM;
	}
	t->res = res;
	t->max = req->max_bytes ? req->max_bytes : DEFAULT_MAX_BYTES;
	lt_err err = LT_ERR_INVALID;
	CURL *curl = NULL;
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	char host[160]; /* short enough that every sentence names it whole */
	char url_password[256];
	if (!url_parts(req->url, host, sizeof host, url_password, sizeof url_password)) {
		say(t->msg, sizeof t->msg, "the address is not a valid http(s) URL");
		goto fail;
	}

	err = LT_ERR_NOMEM;
	if (!(curl = curl_easy_init()) || !configure(curl, req, t, &headers) ||
	    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK) {
		say(t->msg, sizeof t->msg, "out of memory while fetching from %s", host);
		goto fail;
	}
	CURLcode rc = curl_easy_perform(curl);
	err = classify(curl, rc, t, host, errbuf, req->auth != FETCH_AUTH_NONE);
	if (err != LT_OK)
		goto fail;
	if (res->not_modified) {
		free(res->body); /* whatever a 304 carried is not the document */
		res->body = NULL;
		res->body_len = 0;
	} else if (!res->body && !(res->body = calloc(1, 1))) {
		/* (an empty 200 is an empty document, not "nothing") */
		err = LT_ERR_NOMEM;
		say(t->msg, sizeof t->msg, "out of memory while fetching from %s", host);
		goto fail;
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	free(t);
	return LT_OK;

fail:
	free(res->body);
	res->body = NULL;
	res->body_len = 0;
	scrub(t->msg, sizeof t->msg, req->password);
	scrub(t->msg, sizeof t->msg, url_password);
	say(res->error, sizeof res->error, "%s", t->msg);
	log_debug("fetch: %s", res->error);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	free(t);
	return err;
}

void fetch_result_free(struct fetch_result *res)
{
	if (!res)
		return;
	free(res->body);
	res->body = NULL;
	res->body_len = 0;
}
