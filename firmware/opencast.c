/*
 * opencast.c — service discovery and the capture-agent calendar URL (see opencast.h).
 * JSON is read with json-c.
 */
#include "lectern/opencast.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void opencast_prepare_request(const struct opencast_conn *c, struct fetch_request *req)
{
	req->ca_file = c->ca_file;
	req->timeout_s = c->timeout_s;
	if (c->user && *c->user) {
		req->auth = c->digest ? FETCH_AUTH_DIGEST : FETCH_AUTH_BASIC;
		req->opencast_digest = c->digest;
		req->user = c->user;
		req->password = c->password;
	}
}

static bool flag(json_object *svc, const char *key, bool absent)
{
	json_object *v;
	if (!json_object_object_get_ex(svc, key, &v))
		return absent;
	if (json_object_is_type(v, json_type_string))
		return strcmp(json_object_get_string(v), "true") == 0;
	return json_object_get_boolean(v);
}

/* A service entry that is online, active and not in maintenance: its host + path. */
static bool usable(json_object *svc, char *url, size_t n)
{
	json_object *host, *path;
	if (!json_object_is_type(svc, json_type_object) || !flag(svc, "online", true) ||
	    !flag(svc, "active", true) || flag(svc, "maintenance", false) ||
	    !json_object_object_get_ex(svc, "host", &host) ||
	    !json_object_object_get_ex(svc, "path", &path))
		return false;
	const char *h = json_object_get_string(host), *p = json_object_get_string(path);
	size_t hl = strlen(h);
	while (hl && h[hl - 1] == '/')
		hl--;
	int len = snprintf(url, n, "%.*s%s%s", (int)hl, h, *p == '/' ? "" : "/", p);
	while (len > 0 && url[len - 1] == '/')
		url[--len] = '\0';
	return len > 0 && (size_t)len < n;
}

lt_err opencast_discover(const struct opencast_conn *c, const char *service_type, char *url,
			 size_t url_len, char *err, size_t err_len)
{
	char *type = curl_easy_escape(NULL, service_type, 0);
	char req_url[1200];
	size_t sl = strlen(c->server);
	while (sl && c->server[sl - 1] == '/')
		sl--;
	snprintf(req_url, sizeof req_url, "%.*s/services/available.json?serviceType=%s", (int)sl,
		 c->server, type ? type : "");
	curl_free(type);
	struct fetch_request req = {.url = req_url, .max_bytes = 1u << 20};
	opencast_prepare_request(c, &req);
	struct fetch_result res;
	lt_err rc = fetch_get(&req, &res);
	if (rc != LT_OK) {
		if (err)
			snprintf(err, err_len, "Opencast service discovery: %s", res.error);
		fetch_result_free(&res);
		return rc;
	}
	json_object *root = json_tokener_parse(res.body ? res.body : "");
	fetch_result_free(&res);
	json_object *services, *svc;
	rc = LT_ERR_PARSE;
	if (!root || !json_object_object_get_ex(root, "services", &services)) {
		if (err)
			snprintf(err, err_len, "Opencast service discovery: the answer is not the "
					       "service registry's JSON");
		goto out;
	}
	rc = LT_ERR_NOT_FOUND;
	/* {"services": ""} when nothing is registered; "service" is an object or an array. */
	if (json_object_is_type(services, json_type_object) &&
	    json_object_object_get_ex(services, "service", &svc)) {
		if (json_object_is_type(svc, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(svc) && rc != LT_OK; i++)
				if (usable(json_object_array_get_idx(svc, i), url, url_len))
					rc = LT_OK;
		} else if (usable(svc, url, url_len)) {
			rc = LT_OK;
		}
	}
	if (rc != LT_OK && err)
		snprintf(err, err_len, "Opencast has no %s service online", service_type);
out:
	json_object_put(root);
	return rc;
}

lt_err opencast_calendar_url(const char *scheduler, const char *agent, int64_t cutoff_ms,
			     char *url, size_t url_len)
{
	char *name = curl_easy_escape(NULL, agent, 0);
	if (!name)
		return LT_ERR_NOMEM;
	int n = snprintf(url, url_len, "%s/calendars?agentid=%s&cutoff=%lld", scheduler, name,
			 (long long)cutoff_ms);
	curl_free(name);
	return n > 0 && (size_t)n < url_len ? LT_OK : LT_ERR_INVALID;
}
