/*
 * opencast.c — service discovery and the capture-agent calendar URL (see opencast.h).
 * JSON is read with json-c; requests go through fetch.c.
 *
 * What must stay true: the registry's answer is trusted for nothing but a URL. A service is
 * used only when it says online, active and not in maintenance, in that order of the list;
 * anything we cannot read is LT_ERR_PARSE, a list without a usable entry LT_ERR_NOT_FOUND.
 */
#include "lectern/opencast.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISCOVERY_MAX_BYTES ((size_t)1 << 20)

static void say(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A sentence into an optional buffer (NULL or empty: the caller did not want one). */
static void say(char *dst, size_t n, const char *fmt, ...)
{
	if (!dst || !n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

/* Length of `s` without its trailing slashes: "https://oc.example.org/" joins like "…org". */
static int base_len(const char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '/')
		n--;
	return (int)n;
}

void opencast_prepare_request(const struct opencast_conn *c, struct fetch_request *req)
{
	req->ca_file = c->ca_file;
	req->timeout_s = c->timeout_s;
	req->cancel = c->cancel;
	/* Every field written, so that a reused request cannot keep an earlier connection's
	 * credentials. */
	req->auth = FETCH_AUTH_NONE;
	req->opencast_digest = false;
	req->user = NULL;
	req->password = NULL;
	if (c->user && *c->user) {
		req->auth = c->digest ? FETCH_AUTH_DIGEST : FETCH_AUTH_BASIC;
		req->opencast_digest = c->digest;
		req->user = c->user;
		req->password = c->password;
	}
}

/* A registry flag: JSON true (Opencast also writes "true" as a string in some versions). */
static bool is_true(json_object *svc, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(svc, key, &v))
		return false;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	if (json_object_is_type(v, json_type_string))
		return strcmp(json_object_get_string(v), "true") == 0;
	return false;
}

/*
 * One registry entry: LT_OK with its host + path in `url` when it is usable,
 * LT_ERR_NOT_FOUND when it is offline, inactive or in maintenance, LT_ERR_PARSE when it is not
 * an entry at all, LT_ERR_INVALID when its URL does not fit.
 */
static lt_err entry_url(json_object *svc, char *url, size_t n)
{
	json_object *host, *path;
	if (!json_object_is_type(svc, json_type_object) ||
	    !json_object_object_get_ex(svc, "host", &host) ||
	    !json_object_is_type(host, json_type_string) ||
	    !json_object_object_get_ex(svc, "path", &path) ||
	    !json_object_is_type(path, json_type_string))
		return LT_ERR_PARSE;
	if (!is_true(svc, "online") || !is_true(svc, "active") || is_true(svc, "maintenance"))
		return LT_ERR_NOT_FOUND;
	const char *h = json_object_get_string(host), *p = json_object_get_string(path);
	while (*p == '/')
		p++;
	int len = snprintf(url, n, "%.*s/%s", base_len(h), h, p);
	if (len < 0 || (size_t)len >= n)
		return LT_ERR_INVALID;
	while (len > 0 && url[len - 1] == '/') /* "host/path/" and "host/" alike */
		url[--len] = '\0';
	return LT_OK;
}

/* Walk `services.service` (one object or an array of them) for the first usable entry. */
static lt_err pick(json_object *root, const char *type, char *url, size_t url_len, char *err,
		   size_t err_len)
{
	json_object *services, *service = NULL;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "services", &services)) {
		say(err, err_len, "Opencast service discovery: the answer is not the service "
				  "registry's JSON");
		return LT_ERR_PARSE;
	}
	/* {"services": ""} is how the registry says "none registered". */
	if (json_object_is_type(services, json_type_string) ||
	    (json_object_is_type(services, json_type_object) &&
	     !json_object_object_get_ex(services, "service", &service))) {
		say(err, err_len, "Opencast has no %s service registered", type);
		return LT_ERR_NOT_FOUND;
	}
	if (!json_object_is_type(services, json_type_object)) {
		say(err, err_len, "Opencast service discovery: \"services\" is neither an object "
				  "nor empty");
		return LT_ERR_PARSE;
	}
	size_t count = json_object_is_type(service, json_type_array)
			       ? json_object_array_length(service) : 1;
	for (size_t i = 0; i < count; i++) {
		json_object *svc = json_object_is_type(service, json_type_array)
					   ? json_object_array_get_idx(service, i) : service;
		lt_err rc = entry_url(svc, url, url_len);
		if (rc == LT_OK)
			return LT_OK;
		if (rc == LT_ERR_PARSE) {
			say(err, err_len, "Opencast service discovery: entry %zu of the registry "
					  "has no host and path", i + 1);
			return rc;
		}
		if (rc == LT_ERR_INVALID) {
			say(err, err_len, "Opencast service discovery: the %s URL is too long",
			    type);
			return rc;
		}
	}
	say(err, err_len, "Opencast has no %s service online (%zu registered, none online, "
			  "active and out of maintenance)", type, count);
	return LT_ERR_NOT_FOUND;
}

lt_err opencast_discover(const struct opencast_conn *c, const char *service_type, char *url,
			 size_t url_len, char *err, size_t err_len)
{
	say(err, err_len, "%s", "");
	if (!c || !c->server || !*c->server || !service_type || !*service_type || !url ||
	    !url_len) {
		say(err, err_len, "Opencast service discovery: no server or service type given");
		return LT_ERR_INVALID;
	}
	url[0] = '\0';
	lt_err rc = LT_ERR_NOMEM;
	json_tokener *tok = NULL;
	json_object *root = NULL;
	struct fetch_result res = {0};
	char req_url[2048];
	char *type = curl_easy_escape(NULL, service_type, 0);
	if (!type) {
		say(err, err_len, "out of memory");
		goto out;
	}
	int len = snprintf(req_url, sizeof req_url, "%.*s/services/available.json?serviceType=%s",
			   base_len(c->server), c->server, type);
	curl_free(type);
	if (len < 0 || (size_t)len >= sizeof req_url) {
		rc = LT_ERR_INVALID;
		say(err, err_len, "Opencast service discovery: the server address is too long");
		goto out;
	}

	struct fetch_request req = {.url = req_url, .max_bytes = DISCOVERY_MAX_BYTES};
	opencast_prepare_request(c, &req);
	rc = fetch_get(&req, &res);
	if (rc != LT_OK) {
		say(err, err_len, "Opencast service discovery: %s", res.error);
		goto out;
	}
	rc = LT_ERR_NOMEM;
	if (!(tok = json_tokener_new()))
		goto out;
	root = json_tokener_parse_ex(tok, res.body, (int)res.body_len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		rc = LT_ERR_PARSE;
		say(err, err_len, "Opencast service discovery: the answer is not JSON (%s)",
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	rc = pick(root, service_type, url, url_len, err, err_len);
	if (rc != LT_OK)
		url[0] = '\0';
out:
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	fetch_result_free(&res);
	return rc;
}

lt_err opencast_calendar_url(const char *scheduler, const char *agent, int64_t cutoff_ms,
			     char *url, size_t url_len)
{
	if (!scheduler || !*scheduler || !agent || !*agent || cutoff_ms < 0 || !url || !url_len)
		return LT_ERR_INVALID;
	/* Everything but unreserved characters escaped: "Room 4/B" is one path-safe value. */
	char *name = curl_easy_escape(NULL, agent, 0);
	if (!name)
		return LT_ERR_NOMEM;
	int n = snprintf(url, url_len, "%.*s/calendars?agentid=%s&cutoff=%lld",
			 base_len(scheduler), scheduler, name, (long long)cutoff_ms);
	curl_free(name);
	if (n < 0 || (size_t)n >= url_len) {
		url[0] = '\0';
		return LT_ERR_INVALID;
	}
	return LT_OK;
}
