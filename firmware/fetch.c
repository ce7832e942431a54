/*
 * fetch.c — one HTTP(S) GET with libcurl (contract in fetch.h).
 *
 * libcurl's codes are mapped here, once, to the project's errors and to a sentence that names
 * the server (never the credentials).
 */
#include "lectern/fetch.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lectern/log.h"

#define DEFAULT_MAX_BYTES (16u << 20)

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_curl(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

void fetch_global_init(void) { pthread_once(&once, init_curl); }

struct sink {
	struct fetch_result *res;
	size_t cap, max;
	bool too_large;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct sink *s = user;
	size_t n = size * nmemb;
	struct fetch_result *r = s->res;
	if (r->body_len + n > s->max) {
		s->too_large = true;
		return 0; /* aborts the transfer */
	}
	if (r->body_len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 65536;
		while (cap < r->body_len + n + 1)
			cap *= 2;
		char *b = realloc(r->body, cap);
		if (!b)
			return 0;
		r->body = b;
		s->cap = cap;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return n;
}

/* Copy a header's value (trimmed) when the line is "name: value". */
static void header_value(const char *line, size_t len, const char *name, char *dst, size_t n)
{
	size_t k = strlen(name);
	if (len <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	const char *v = line + k + 1;
	const char *end = line + len;
	while (v < end && isspace((unsigned char)*v))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	snprintf(dst, n, "%.*s", (int)(end - v), v);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
	struct fetch_result *r = user;
	size_t n = size * nmemb;
	if (n > 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or 401): forget the previous one's headers. */
		r->etag[0] = r->last_modified[0] = r->content_type[0] = '\0';
	}
	header_value(data, n, "ETag", r->etag, sizeof r->etag);
	header_value(data, n, "Last-Modified", r->last_modified, sizeof r->last_modified);
	header_value(data, n, "Content-Type", r->content_type, sizeof r->content_type);
	return n;
}

void fetch_url_host(const char *url, char *buf, size_t n)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	buf[0] = '\0';
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
			snprintf(buf, n, "%s:%s", host, port);
		else
			snprintf(buf, n, "%s", host);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	if (!buf[0])
		snprintf(buf, n, "the server");
}

lt_err fetch_curl_error(int code, const char *host, const char *detail, char *error, size_t n)
{
	CURLcode rc = (CURLcode)code;
	switch (rc) {
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		snprintf(error, n, "the address is not a valid http(s) URL");
		return LT_ERR_INVALID;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(error, n, "%.100s: the name cannot be resolved (DNS)", host);
		return LT_ERR_NETWORK;
	case CURLE_COULDNT_CONNECT:
		snprintf(error, n, "%.100s does not accept connections", host);
		return LT_ERR_NETWORK;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(error, n, "%.100s did not answer in time", host);
		return LT_ERR_NETWORK;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		snprintf(error, n, "%.100s: secure connection failed (%.120s): check the "
						      "server certificate and [schedule] ca_file",
			 host, detail);
		return LT_ERR_NETWORK;
	case CURLE_OUT_OF_MEMORY:
		snprintf(error, n, "out of memory");
		return LT_ERR_NOMEM;
	default:
		snprintf(error, n, "%.100s: the transfer failed (%.120s)", host, detail);
		return LT_ERR_NETWORK;
	}
}

static bool looks_like_login(const char *effective_url, const char *content_type, long redirects)
{
	if (redirects == 0 || !effective_url)
		return false;
	if (strcasestr(effective_url, "login"))
		return true;
	return strncasecmp(content_type, "text/html", 9) == 0;
}

lt_err fetch_get(const struct fetch_request *req, struct fetch_result *res)
{
	memset(res, 0, sizeof *res);
	fetch_global_init();
	char host[160]; /* short enough that every message below fits res->error */
	fetch_url_host(req->url ? req->url : "", host, sizeof host);
	CURL *curl = curl_easy_init();
	if (!curl) {
		snprintf(res->error, sizeof res->error, "out of memory");
		return LT_ERR_NOMEM;
	}
	struct sink sink = {.res = res, .max = req->max_bytes ? req->max_bytes : DEFAULT_MAX_BYTES};
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	char cond[400];
	if (req->etag && *req->etag) {
		snprintf(cond, sizeof cond, "If-None-Match: %s", req->etag);
		headers = curl_slist_append(headers, cond);
	}
	if (req->opencast_digest)
		headers = curl_slist_append(headers, "X-Requested-Auth: Digest");
	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->ca_file && *req->ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, req->ca_file);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
			 req->connect_timeout_s ? req->connect_timeout_s : 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, req->timeout_s ? req->timeout_s : 30L);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "lectern");
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, res);
	if (headers)
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	if (req->last_modified && *req->last_modified) {
		time_t t = curl_getdate(req->last_modified, NULL);
		if (t > 0) {
			curl_easy_setopt(curl, CURLOPT_TIMECONDITION, (long)CURL_TIMECOND_IFMODSINCE);
			curl_easy_setopt(curl, CURLOPT_TIMEVALUE_LARGE, (curl_off_t)t);
		}
	}
	if (req->auth != FETCH_AUTH_NONE && req->user) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH,
				 req->auth == FETCH_AUTH_DIGEST ? CURLAUTH_DIGEST : CURLAUTH_BASIC);
		curl_easy_setopt(curl, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, req->password ? req->password : "");
	}
	CURLcode rc = curl_easy_perform(curl);
	long redirects = 0;
	char *effective = NULL;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(curl, CURLINFO_REDIRECT_COUNT, &redirects);
	curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
	long unmet = 0;
	curl_easy_getinfo(curl, CURLINFO_CONDITION_UNMET, &unmet);
	lt_err err = LT_OK;
	if (rc == CURLE_WRITE_ERROR && sink.too_large) {
		snprintf(res->error, sizeof res->error, "%s: the answer is larger than %zu bytes",
			 host, sink.max);
		err = LT_ERR_HTTP;
	} else if (rc != CURLE_OK) {
		err = fetch_curl_error(rc, host, errbuf[0] ? errbuf : curl_easy_strerror(rc), res->error,
				       sizeof res->error);
	} else if (res->status == 401 || res->status == 403) {
		snprintf(res->error, sizeof res->error,
			 "%s refused the credentials (HTTP %ld): check [schedule] user and "
			 "password_file", host, res->status);
		err = LT_ERR_AUTH;
	} else if (looks_like_login(effective, res->content_type, redirects)) {
		snprintf(res->error, sizeof res->error,
			 "%s redirected to a login page: the credentials were not accepted", host);
		err = LT_ERR_AUTH;
	} else if (res->status == 304 || (unmet && res->status == 200)) {
		res->not_modified = true;
	} else if (res->status != 200) {
		snprintf(res->error, sizeof res->error, "%s answered HTTP %ld", host, res->status);
		err = LT_ERR_HTTP;
	} else if (!res->body) {
		res->body = calloc(1, 1); /* an empty 200 is an empty body, not NULL */
		if (!res->body)
			err = LT_ERR_NOMEM;
	}
	if (err != LT_OK || res->not_modified) {
		free(res->body);
		res->body = NULL;
		res->body_len = 0;
	}
	if (err != LT_OK)
		log_debug("fetch: %s", res->error);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return err;
}

void fetch_result_free(struct fetch_result *res)
{
	free(res->body);
	res->body = NULL;
	res->body_len = 0;
}
