/*
 * fetch.c — one HTTP(S) GET, a conversation of one request on net.h's client (contract in
 * fetch.h), and the helpers every request shares: libcurl's URL parser for messages, the one
 * mapping of libcurl's codes, and the pure reading of an answer.
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
 *   CURLOPT_VERBOSE, and net.c's callbacks take every byte.
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
#include "lectern/net.h"

#define DEFAULT_TIMEOUT_S 30L
#define DEFAULT_MAX_BYTES ((size_t)16 << 20)


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

/* One GET's state, shared with the header callback; on the heap: the sentence buffer and the
 * server would make a large frame for a worker thread. */
struct transfer {
	struct fetch_result *res;
	struct net_server srv;
	char lines[2][400];  /* the validators, as header lines */
	char reason[64];     /* the last status line's reason phrase ("Not Found"), for messages */
	char url_password[256];
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

static void on_header(void *user, const char *line, size_t len)
{
	struct transfer *t = user;
	fetch_header_line(line, len, t->res, t->reason, sizeof t->reason);
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
		say(error, n, "%s redirected more than %ld times (%s)", host, NET_MAX_REDIRECTS,
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

/* Validators go back verbatim, as RFC 9110 asks: If-Modified-Since carries the server's own
 * Last-Modified, not a date we re-format. */
static void validators(const struct fetch_request *req, struct transfer *t, const char **headers)
{
	size_t k = 0;
	if (sendable(req->etag)) {
		say(t->lines[k], sizeof t->lines[k], "If-None-Match: %s", req->etag);
		headers[k] = t->lines[k];
		k++;
	}
	if (sendable(req->last_modified)) {
		say(t->lines[k], sizeof t->lines[k], "If-Modified-Since: %s", req->last_modified);
		headers[k] = t->lines[k];
		k++;
	}
	headers[k] = NULL;
}

lt_err fetch_get(const struct fetch_request *req, struct fetch_result *res)
{
	memset(res, 0, sizeof *res);
	struct transfer *t = calloc(1, sizeof *t);
	if (!t) {
		say(res->error, sizeof res->error, "out of memory");
		return LT_ERR_NOMEM;
	}
	t->res = res;
	lt_err err = LT_ERR_INVALID;
	struct net_conn *conn = NULL;
	struct net_answer ans = {0};
	char host[160]; /* short enough that every sentence names it whole */
	if (!url_parts(req->url, host, sizeof host, t->url_password, sizeof t->url_password)) {
		say(t->msg, sizeof t->msg, "the address is not a valid http(s) URL");
		goto fail;
	}
	/* A conversation of one request, on this request's server, credentials and CA. */
	struct net_server *srv = &t->srv;
	say(srv->url, sizeof srv->url, "%s", req->url);
	say(srv->ca_file, sizeof srv->ca_file, "%s", req->ca_file ? req->ca_file : "");
	if (req->auth != FETCH_AUTH_NONE) {
		srv->auth = req->auth;
		say(srv->user, sizeof srv->user, "%s", req->user ? req->user : "");
		say(srv->password, sizeof srv->password, "%s", req->password ? req->password : "");
	}
	srv->opencast = req->opencast_digest;
	const char *headers[3];
	validators(req, t, headers);
	size_t max = req->max_bytes ? req->max_bytes : DEFAULT_MAX_BYTES;
	err = net_conn_open(srv, req->timeout_s > 0 ? req->timeout_s : DEFAULT_TIMEOUT_S,
			    req->cancel, &conn);
	net_server_clear(srv);
	if (err != LT_OK) {
		say(t->msg, sizeof t->msg, "out of memory while fetching from %s", host);
		goto fail;
	}
	struct net_request r = {.method = "GET", .url = req->url, .headers = headers,
				.follow_redirects = true, .max_answer = max,
				.on_header = on_header, .user = t};
	err = net_perform(conn, &r, &ans, t->msg, sizeof t->msg);
	res->status = ans.status;
	if (err == LT_OK)
		err = fetch_answer_verdict(res, t->reason, ans.redirects, ans.effective_url,
					   req->auth != FETCH_AUTH_NONE, host, t->msg,
					   sizeof t->msg);
	if (err != LT_OK)
		goto fail;
	/* Whatever a 304 carried is not the document; an empty 200 is an empty document. */
	if (!res->not_modified) {
		res->body = ans.body;
		res->body_len = ans.body_len;
		ans.body = NULL;
	}
	net_answer_free(&ans);
	net_conn_close(conn);
	free(t);
	return LT_OK;

fail:
	net_answer_free(&ans);
	net_conn_close(conn);
	scrub(t->msg, sizeof t->msg, req->password);
	scrub(t->msg, sizeof t->msg, t->url_password);
	say(res->error, sizeof res->error, "%s", t->msg);
	log_debug("fetch: %s", res->error);
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
