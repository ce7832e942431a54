/*
 * opencast.c — service discovery, the capture-agent calendar URL, calls (one net.h
 * conversation per session) and the Dublin Core / media package XML (see opencast.h).
 * JSON is read with json-c; requests go through fetch.c and net.c.
 *
 * What must stay true: the registry's answer is trusted for nothing but a URL. A service is
 * used only when it says online, active and not in maintenance, in that order of the list;
 * anything we cannot read is LT_ERR_PARSE, a list without a usable entry LT_ERR_NOT_FOUND.
 * A call's error never holds the password (libcurl's own words never contain it), and XML is
 * built and read by libxml2 only: text goes in through xmlNewTextChild/xmlNodeAddContent,
 * which escape it.
 */
#include "lectern/opencast.h"

#include <json-c/json.h>
#include <libxml/chvalid.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern/utf8.h"

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

struct opencast_conn opencast_conn_of(const struct net_server *srv, long timeout_s,
				      const atomic_bool *cancel)
{
	return (struct opencast_conn){
		.server = srv->url, .user = srv->user, .password = srv->password,
		.digest = srv->auth == FETCH_AUTH_DIGEST, .ca_file = srv->ca_file,
		.timeout_s = timeout_s, .cancel = cancel,
	};
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
	const char *h = json_object_get_string(host), *p = json_object_get_string(path);
	/* "" or "/" would make a URL without a server: "/recordings", or even "". */
	if (base_len(h) == 0)
		return LT_ERR_PARSE;
	if (!is_true(svc, "online") || !is_true(svc, "active") || is_true(svc, "maintenance"))
		return LT_ERR_NOT_FOUND;
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

lt_err opencast_registry_url(const char *json, size_t len, const char *service_type, char *url,
			     size_t url_len, char *err, size_t err_len)
{
	if (url_len)
		url[0] = '\0';
	if (!json || len > INT32_MAX) {
		say(err, err_len, "Opencast service discovery: the answer is not JSON");
		return LT_ERR_PARSE;
	}
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		say(err, err_len, "out of memory");
		return LT_ERR_NOMEM;
	}
	lt_err rc;
	json_object *root = json_tokener_parse_ex(tok, json, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		rc = LT_ERR_PARSE;
		say(err, err_len, "Opencast service discovery: the answer is not JSON (%s)",
		    json_tokener_error_desc(json_tokener_get_error(tok)));
	} else {
		rc = pick(root, service_type, url, url_len, err, err_len);
	}
	if (rc != LT_OK && url_len)
		url[0] = '\0';
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}

/* {server}/services/available.json?serviceType=TYPE into `buf`. */
static lt_err registry_request_url(const char *server, const char *service_type, char *buf,
				   size_t n, char *err, size_t err_len)
{
	char *type = net_escape(service_type, 0);
	if (!type) {
		say(err, err_len, "out of memory");
		return LT_ERR_NOMEM;
	}
	int len = snprintf(buf, n, "%.*s/services/available.json?serviceType=%s",
			   base_len(server), server, type);
	free(type);
	if (len < 0 || (size_t)len >= n) {
		say(err, err_len, "Opencast service discovery: the server address is too long");
		return LT_ERR_INVALID;
	}
	return LT_OK;
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
	struct fetch_result res = {0};
	char req_url[2048];
	lt_err rc = registry_request_url(c->server, service_type, req_url, sizeof req_url, err,
					 err_len);
	if (rc != LT_OK)
		return rc;
	struct fetch_request req = {.url = req_url, .max_bytes = DISCOVERY_MAX_BYTES};
	opencast_prepare_request(c, &req);
	rc = fetch_get(&req, &res);
	if (rc != LT_OK)
		say(err, err_len, "Opencast service discovery: %s", res.error);
	else
		rc = opencast_registry_url(res.body, res.body_len, service_type, url, url_len, err,
					   err_len);
	fetch_result_free(&res);
	return rc;
}

lt_err opencast_calendar_url(const char *scheduler, const char *agent, int64_t cutoff_ms,
			     char *url, size_t url_len)
{
	if (!scheduler || !*scheduler || !agent || !*agent || cutoff_ms < 0 || !url || !url_len)
		return LT_ERR_INVALID;
	/* Everything but unreserved characters escaped: "Room 4/B" is one path-safe value. */
	char *name = net_escape(agent, 0);
	if (!name)
		return LT_ERR_NOMEM;
	int n = snprintf(url, url_len, "%.*s/calendars?agentid=%s&cutoff=%lld",
			 base_len(scheduler), scheduler, name, (long long)cutoff_ms);
	free(name);
	if (n < 0 || (size_t)n >= url_len) {
		url[0] = '\0';
		return LT_ERR_INVALID;
	}
	return LT_OK;
}

/* --- calls ------------------------------------------------------------------------------ */

#define ANSWER_MAX_BYTES ((size_t)8 << 20)

struct opencast_session {
	struct opencast_conn conn;
	struct net_conn *net;       /* one connection and Digest state for the conversation */
};

lt_err opencast_session_open(const struct opencast_conn *c, struct opencast_session **out)
{
	*out = NULL;
	struct opencast_session *s = calloc(1, sizeof *s);
	/* On the heap: a net_server is large for a worker thread's stack. */
	struct net_server *srv = calloc(1, sizeof *srv);
	lt_err rc = LT_ERR_NOMEM;
	if (!s || !srv)
		goto out;
	s->conn = *c;
	snprintf(srv->url, sizeof srv->url, "%s", c->server ? c->server : "");
	snprintf(srv->ca_file, sizeof srv->ca_file, "%s", c->ca_file ? c->ca_file : "");
	srv->opencast = true;
	if (c->user && *c->user) {
		snprintf(srv->user, sizeof srv->user, "%s", c->user);
		snprintf(srv->password, sizeof srv->password, "%s", c->password ? c->password : "");
		srv->auth = c->digest ? FETCH_AUTH_DIGEST : FETCH_AUTH_BASIC;
	}
	rc = net_conn_open(srv, c->timeout_s, c->cancel, &s->net);
out:
	if (srv)
		net_server_clear(srv);
	free(srv);
	if (rc != LT_OK) {
		free(s);
		return rc;
	}
	*out = s;
	return LT_OK;
}

void opencast_session_close(struct opencast_session *s)
{
	if (!s)
		return;
	net_conn_close(s->net);
	free(s);
}

static void on_progress(void *user, uint64_t sent, uint64_t total)
{
	const struct opencast_xfer *x = user;
	x->progress(x->user, sent, total);
}

lt_err opencast_answer_verdict(long status, const char *location)
{
	if (status == 401 || status == 403 ||
	    (status >= 300 && status < 400 && fetch_is_login_url(location)))
		return LT_ERR_AUTH;
	return status >= 200 && status <= 299 ? LT_OK : LT_ERR_HTTP;
}

lt_err opencast_call(struct opencast_session *s, const char *url,
		     const struct net_field *fields, size_t count,
		     const struct opencast_xfer *xfer, struct net_answer *ans, char *err,
		     size_t err_len)
{
	const char *host = net_conn_host(s->net);
	struct net_request req = {
		.method = count ? "POST" : "GET", .url = url,
		.fields = count ? fields : NULL, .field_count = count,
		.max_answer = ANSWER_MAX_BYTES,
	};
	if (xfer) {
		req.max_send_bytes_per_s = xfer->max_bytes_per_s;
		req.progress = xfer->progress ? on_progress : NULL;
		req.progress_total = xfer->total;
		req.user = (void *)xfer;
	}
	lt_err rc = net_perform(s->net, &req, ans, err, err_len);
	if (rc == LT_OK)
		rc = opencast_answer_verdict(ans->status, ans->location);
	if (rc == LT_ERR_AUTH)
		say(err, err_len, "%s refused the credentials (%s): check the user, password_file "
				  "and auth (Opencast needs digest for its system account)",
		    host, ans->status >= 300 && ans->status < 400 ? "sent to its login page"
		    : ans->status == 401 ? "HTTP 401" : "HTTP 403");
	else if (rc != LT_OK && ans->status)
		say(err, err_len, "%s answered HTTP %ld", host, ans->status);
	if (rc != LT_OK)
		net_answer_free(ans); /* (the status stays, for the caller's message) */
	return rc;
}

lt_err opencast_session_discover(struct opencast_session *s, const char *service_type,
				 char *url, size_t url_len, char *err, size_t err_len)
{
	char req_url[2048], why[320];
	url[0] = '\0';
	lt_err rc = registry_request_url(s->conn.server, service_type, req_url, sizeof req_url,
					 err, err_len);
	if (rc != LT_OK)
		return rc;
	struct net_answer ans;
	rc = opencast_call(s, req_url, NULL, 0, NULL, &ans, why, sizeof why);
	if (rc != LT_OK)
		say(err, err_len, "Opencast service discovery: %s", why);
	else
		rc = opencast_registry_url(ans.body, ans.body_len, service_type, url, url_len, err,
					   err_len);
	net_answer_free(&ans);
	return rc;
}

/* --- XML -------------------------------------------------------------------------------- */

#define DC_NS "http://www.opencastproject.org/xsd/1.0/dublincore/"
#define DCTERMS_NS "http://purl.org/dc/terms/"
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

/* W3C-DTF in UTC: "2026-03-10T11:00:00Z". */
static void w3cdtf(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The document as UTF-8 text (malloc'd), or NULL. */
static char *doc_text(xmlDoc *doc)
{
	xmlChar *text = NULL;
	int len = 0;
	xmlDocDumpFormatMemoryEnc(doc, &text, &len, "UTF-8", 1);
	char *out = text ? strdup((const char *)text) : NULL;
	xmlFree(text);
	return out;
}

/* A copy of `text` that XML 1.0 can hold (malloc'd, NULL when out of memory): libxml2 writes
 * invalid UTF-8 and control characters through as they are (or as "&#xC;", which XML 1.0
 * does not allow either), and Opencast then refuses the whole document. Each bad byte, and
 * each character outside XML's, becomes '?'. */
static char *xml_text(const char *text)
{
	char *clean = strdup(text);
	if (!clean)
		return NULL;
	const unsigned char *r = (const unsigned char *)clean;
	unsigned char *w = (unsigned char *)clean;
	while (*r) {
		/* Not libxml2's xmlGetUTF8Char: 2.9 takes a stray continuation byte for a lead
		 * byte, and an overlong form ("\xC1\xBC" for '|') for its character. */
		uint32_t c;
		size_t len = utf8_decode((const char *)r, &c);
		if (!len) {
			*w++ = '?';
			r++;
		} else if (!xmlIsCharQ(c)) {
			*w++ = '?';
			r += len;
		} else {
			memmove(w, r, len);
			w += len;
			r += len;
		}
	}
	*w = '\0';
	return clean;
}

/* One dcterms element with text content: xmlNewTextChild escapes, we never do it by hand. */
static xmlNode *dc_add(xmlNode *root, xmlNs *ns, const char *name, const char *text)
{
	if (!text || !*text)
		return NULL;
	char *clean = xml_text(text);
	if (!clean)
		return NULL;
	xmlNode *e = xmlNewTextChild(root, ns, BAD_CAST name, NULL);
	if (e)
		xmlNodeAddContent(e, BAD_CAST clean);
	free(clean);
	return e;
}

char *opencast_episode_dc(const struct opencast_episode *ep)
{
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	if (!doc)
		return NULL;
	char *out = NULL;
	xmlNode *root = xmlNewNode(NULL, BAD_CAST "dublincore");
	if (!root)
		goto done;
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, BAD_CAST DC_NS, NULL));
	xmlNs *dc = xmlNewNs(root, BAD_CAST DCTERMS_NS, BAD_CAST "dcterms");
	xmlNs *xsi = xmlNewNs(root, BAD_CAST XSI_NS, BAD_CAST "xsi");
	dc_add(root, dc, "title", ep->title && *ep->title ? ep->title : "Untitled recording");
	dc_add(root, dc, "creator", ep->creator);
	for (const char *tag = ep->tags ? ep->tags : ""; *tag;) {
		size_t len = strcspn(tag, ",");
		char one[256];
		snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), tag);
		dc_add(root, dc, "subject", one);
		tag += len + (tag[len] == ',');
	}
	dc_add(root, dc, "spatial", ep->spatial);
	dc_add(root, dc, "isPartOf", ep->series);
	dc_add(root, dc, "language", ep->language);
	if (ep->start_ms > 0) {
		char start[32], end[32], period[96];
		w3cdtf(ep->start_ms, start, sizeof start);
		w3cdtf(ep->end_ms > ep->start_ms ? ep->end_ms : ep->start_ms, end, sizeof end);
		snprintf(period, sizeof period, "start=%s; end=%s; scheme=W3C-DTF;", start, end);
		xmlNode *t = dc_add(root, dc, "temporal", period);
		if (t)
			xmlNewNsProp(t, xsi, BAD_CAST "type", BAD_CAST "dcterms:Period");
		xmlNode *cr = dc_add(root, dc, "created", start);
		if (cr)
			xmlNewNsProp(cr, xsi, BAD_CAST "type", BAD_CAST "dcterms:W3CDTF");
	}
	out = doc_text(doc);
done:
	xmlFreeDoc(doc);
	return out;
}

char *opencast_dc_add_language(const char *xml, size_t len, const char *language)
{
	if (!xml || len > INT32_MAX)
		return NULL;
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "episode.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return NULL;
	char *out = NULL;
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!root)
		goto done;
	bool has = !language || !*language;
	for (xmlNode *e = root->children; e && !has; e = e->next)
		has = e->type == XML_ELEMENT_NODE && e->ns && e->ns->href &&
		      strcmp((const char *)e->ns->href, DCTERMS_NS) == 0 &&
		      strcmp((const char *)e->name, "language") == 0;
	if (has) {
		out = strndup(xml, len);
		goto done;
	}
	xmlNs *dc = xmlSearchNsByHref(doc, root, BAD_CAST DCTERMS_NS);
	if (!dc)
		dc = xmlNewNs(root, BAD_CAST DCTERMS_NS, BAD_CAST "dcterms");
	if (dc && dc_add(root, dc, "language", language))
		out = doc_text(doc);
done:
	xmlFreeDoc(doc);
	return out;
}

/* The first <mediapackage> element, depth first: the root, or inside ingest's <workflow>. */
static xmlNode *find_mediapackage(xmlNode *e)
{
	for (; e; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)e->name, "mediapackage") == 0)
			return e;
		xmlNode *inner = find_mediapackage(e->children);
		if (inner)
			return inner;
	}
	return NULL;
}

lt_err opencast_mediapackage_id(const char *xml, size_t len, char *id, size_t id_len)
{
	if (id_len)
		id[0] = '\0';
	if (!xml || len > INT32_MAX)
		return LT_ERR_PARSE;
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "mediapackage.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return LT_ERR_PARSE;
	lt_err rc = LT_ERR_PARSE;
	xmlNode *mp = find_mediapackage(xmlDocGetRootElement(doc));
	xmlChar *value = mp ? xmlGetProp(mp, BAD_CAST "id") : NULL;
	if (value && *value) {
		int n = snprintf(id, id_len, "%s", (const char *)value);
		rc = n >= 0 && (size_t)n < id_len ? LT_OK : LT_ERR_INVALID;
		if (rc != LT_OK && id_len)
			id[0] = '\0';
	}
	xmlFree(value);
	xmlFreeDoc(doc);
	return rc;
}

char *opencast_properties_xml(const char *const *keys, const char *const *values, size_t count)
{
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	if (!doc)
		return NULL;
	char *out = NULL;
	xmlCreateIntSubset(doc, BAD_CAST "properties", NULL,
			   BAD_CAST "http://java.sun.com/dtd/properties.dtd");
	xmlNode *root = xmlNewNode(NULL, BAD_CAST "properties");
	if (root) {
		xmlDocSetRootElement(doc, root);
		xmlNewProp(root, BAD_CAST "version", BAD_CAST "1.0");
		for (size_t i = 0; i < count; i++) {
			xmlNode *e = dc_add(root, NULL, "entry", values[i] && *values[i] ? values[i]
											: " ");
			char *key = e ? xml_text(keys[i]) : NULL;
			if (key)
				xmlNewProp(e, BAD_CAST "key", BAD_CAST key);
			free(key);
		}
		out = doc_text(doc);
	}
	xmlFreeDoc(doc);
	return out;
}

/* --- attendance in the episode catalog (h12) ---------------------------------------------- */

char *opencast_dc_add_description(const char *dc, size_t len, const char *line)
{
	if (!dc || !line || len > INT32_MAX)
		return NULL;
	xmlDoc *doc = xmlReadMemory(dc, (int)len, "dublincore.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	char *out = NULL;
	if (!root || strcmp((const char *)root->name, "dublincore") != 0)
		goto done;
	xmlNode *desc = NULL;
	for (xmlNode *e = root->children; e && !desc; e = e->next)
		if (e->type == XML_ELEMENT_NODE && e->ns && e->ns->href &&
		    strcmp((const char *)e->ns->href, DCTERMS_NS) == 0 &&
		    strcmp((const char *)e->name, "description") == 0)
			desc = e;
	char *clean = xml_text(line);
	if (!clean)
		goto done;
	if (desc) {
		/* The text the scheduler shows stays first; the line follows it. */
		xmlNodeAddContent(desc, BAD_CAST "\n\n");
		xmlNodeAddContent(desc, BAD_CAST clean);
	} else {
		xmlNs *ns = xmlSearchNsByHref(doc, root, BAD_CAST DCTERMS_NS);
		if (!ns)
			ns = xmlNewNs(root, BAD_CAST DCTERMS_NS, BAD_CAST "dcterms");
		xmlNode *e = ns ? xmlNewTextChild(root, ns, BAD_CAST "description", NULL) : NULL;
		if (e)
			xmlNodeAddContent(e, BAD_CAST clean);
	}
	free(clean);
	out = doc_text(doc);
done:
	xmlFreeDoc(doc);
	return out;
}
