/*
 * test_opencast.c — service discovery and the agent calendar against the strict Opencast double
 * (tests/lib/opencast_double.py): the registry's three answer shapes, Digest only with
 * X-Requested-Auth (else the login redirect is an auth failure), the calendar URL's encoding and
 * cutoff, 304 with the ETag, and the double's request log holding exactly the conversation we
 * expect — no extra request, none missing.
 *
 * Each double dies with this process (PR_SET_PDEATHSIG) and is stopped by the per-test teardown,
 * also when an assertion ends the test early.
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/fetch.h"
#include "lectern/log.h"
#include "lectern/opencast.h"

#define AGENT_USER "agent"
#define AGENT_PASSWORD "oc secret"
#define MAX_DOUBLES 3

static const char calendar[] =
	"BEGIN:VCALENDAR\r\n"
	"VERSION:2.0\r\n"
	"PRODID:-//Opencast//Opencast Calendar//EN\r\n"
	"BEGIN:VEVENT\r\n"
	"UID:opencast-event-1\r\n"
	"DTSTAMP:20260101T000000Z\r\n"
	"DTSTART:20261201T110000Z\r\n"
	"DTEND:20261201T120000Z\r\n"
	"SUMMARY:Brown bag from Opencast\r\n"
	"END:VEVENT\r\n"
	"END:VCALENDAR\r\n";

struct oc_double {
	pid_t pid;
	int port;
	char base[64]; /* http://127.0.0.1:PORT */
	char log[PATH_MAX];
};

static struct {
	char dir[64];
	char calendar[PATH_MAX];
	struct oc_double doubles[MAX_DOUBLES];
	int count;
} G;

/* ---- plumbing ------------------------------------------------------------------------- */

static int write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -1;
	size_t n = fwrite(text, 1, strlen(text), fp);
	return fclose(fp) == 0 && n == strlen(text) ? 0 : -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Start the double with `args` (NULL-terminated) plus --port 0 --log FILE, and read its
 * "PORT n" line (10 s at most). Fails the test if it does not come up.
 */
static struct oc_double *start_double(const char *first, ...)
{
	assert_true(G.count < MAX_DOUBLES);
	struct oc_double *d = &G.doubles[G.count];
	memset(d, 0, sizeof *d);
	static int started; /* a fresh log per double, over the whole run */
	char dir[sizeof G.dir];
	memcpy(dir, G.dir, sizeof dir); /* a copy: snprintf must not read what it writes */
	snprintf(d->log, sizeof d->log, "%s/double-%d.jsonl", dir, ++started);
	const char *root = getenv("LECTERN_TEST_ROOT");
	char script[PATH_MAX];
	snprintf(script, sizeof script, "%s/lib/opencast_double.py", root ? root : "tests");
	const char *python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";

	const char *argv[32] = {python, script, "--port", "0", "--log", d->log};
	int argc = 6;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;

	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid_t parent = getpid();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* gone with the test, whatever ends it */
		if (getppid() != parent)
			_exit(127);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(fds[1], 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	d->pid = pid;
	G.count++;

	char line[64] = "";
	size_t got = 0;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!memchr(line, '\n', got) && got < sizeof line - 1) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		int left = 10000 - (int)((t.tv_sec - t0.tv_sec) * 1000 +
					 (t.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		ssize_t r;
		if (left <= 0 || poll(&p, 1, left) != 1 ||
		    (r = read(fds[0], line + got, sizeof line - 1 - got)) <= 0)
			break;
		got += (size_t)r;
	}
	close(fds[0]);
	line[got] = '\0';
	if (sscanf(line, "PORT %d", &d->port) != 1 || d->port <= 0)
		fail_msg("the Opencast double did not start (first line \"%s\")", line);
	snprintf(d->base, sizeof d->base, "http://127.0.0.1:%d", d->port);
	return d;
}

/* POST a fault switch to the double; returns the HTTP status. */
static long admin(const struct oc_double *d, const char *what)
{
	char url[256];
	snprintf(url, sizeof url, "%s/__double__/%s", d->base, what);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	long status = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	FILE *null = fopen("/dev/null", "w");
	curl_easy_setopt(c, CURLOPT_WRITEDATA, null);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (null)
		fclose(null);
	return status;
}

/* The double's request log: a JSON array of its lines (caller puts it). */
static json_object *read_log(const struct oc_double *d)
{
	json_object *all = json_object_new_array();
	FILE *fp = fopen(d->log, "r");
	char line[8192];
	while (fp && fgets(line, sizeof line, fp)) {
		json_object *o = json_tokener_parse(line);
		assert_non_null(o);
		json_object_array_add(all, o);
	}
	if (fp)
		fclose(fp);
	return all;
}

static const char *field(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

static const char *header(json_object *o, const char *name)
{
	json_object *h;
	if (!json_object_object_get_ex(o, "headers", &h))
		return NULL;
	return field(h, name);
}

static void assert_request(json_object *log, size_t i, const char *path, const char *status,
			   const char *user)
{
	if (i >= json_object_array_length(log))
		fail_msg("request %zu (%s) is missing from the double's log:\n%s", i, path,
			 json_object_to_json_string_ext(log, JSON_C_TO_STRING_PRETTY));
	json_object *r = json_object_array_get_idx(log, i);
	const char *u = field(r, "user");
	if (strcmp(field(r, "method"), "GET") != 0 || strcmp(field(r, "path"), path) != 0 ||
	    strcmp(field(r, "status"), status) != 0 || (user ? !u || strcmp(u, user) : u != NULL))
		fail_msg("request %zu: expected GET %s -> %s (user %s), got %s", i, path, status,
			 user ? user : "none", json_object_to_json_string(r));
}

static struct opencast_conn conn_for(const struct oc_double *d, bool digest)
{
	return (struct opencast_conn){.server = d->base, .user = AGENT_USER,
				      .password = AGENT_PASSWORD, .digest = digest,
				      .timeout_s = 5};
}

/* ---- fixtures ------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	log_set_level(LOG_LVL_ERROR);
	fetch_global_init();
	snprintf(G.dir, sizeof G.dir, "/tmp/lectern-opencast-XXXXXX");
	if (!mkdtemp(G.dir))
		return -1;
	snprintf(G.calendar, sizeof G.calendar, "%s/calendar.ics", G.dir);
	return write_file(G.calendar, calendar);
}

static int group_teardown(void **state)
{
	(void)state;
	if (!getenv("KEEP_TMP"))
		tu_rmrf(G.dir);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	G.count = 0;
	return write_file(G.calendar, calendar);
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < G.count; i++)
		tu_stop_child(G.doubles[i].pid);
	G.count = 0;
	return 0;
}

/* ---- tests without a server ------------------------------------------------------------ */

static void test_prepare_request_digest_basic_none(void **state)
{
	(void)state;
	struct opencast_conn c = {.server = "https://oc.example.org", .user = "agent",
				  .password = "pw", .digest = true, .ca_file = "/etc/ca.pem",
				  .timeout_s = 7};
	struct fetch_request req = {.url = "u", .etag = "\"e\"", .last_modified = "lm"};
	opencast_prepare_request(&c, &req);
	assert_int_equal(req.auth, FETCH_AUTH_DIGEST);
	assert_true(req.opencast_digest);
	assert_string_equal(req.user, "agent");
	assert_string_equal(req.password, "pw");
	assert_string_equal(req.ca_file, "/etc/ca.pem");
	assert_int_equal(req.timeout_s, 7);
	assert_string_equal(req.url, "u"); /* url and validators untouched */
	assert_string_equal(req.etag, "\"e\"");
	assert_string_equal(req.last_modified, "lm");

	c.digest = false;
	opencast_prepare_request(&c, &req);
	assert_int_equal(req.auth, FETCH_AUTH_BASIC);
	assert_false(req.opencast_digest);

	/* No user: no auth at all, and nothing left over from the previous connection. */
	c.user = "";
	opencast_prepare_request(&c, &req);
	assert_int_equal(req.auth, FETCH_AUTH_NONE);
	assert_false(req.opencast_digest);
	assert_null(req.user);
	assert_null(req.password);
}

static void test_calendar_url_encodes_agent_and_cutoff(void **state)
{
	(void)state;
	char url[256];
	assert_int_equal(opencast_calendar_url("http://oc:8080/recordings/", "Room 4/B",
					       1795000000123LL, url, sizeof url), LT_OK);
	assert_string_equal(url, "http://oc:8080/recordings/calendars?agentid=Room%204%2FB"
				 "&cutoff=1795000000123");
	assert_int_equal(opencast_calendar_url("http://oc/recordings", "Salle é&x=1", 5, url,
					       sizeof url), LT_OK);
	assert_string_equal(url, "http://oc/recordings/calendars?agentid=Salle%20%C3%A9%26x%3D1"
				 "&cutoff=5");
	/* Too long for the buffer, or no agent: refused, never cut. */
	char small[40];
	assert_int_equal(opencast_calendar_url("http://oc/recordings", "Room 4/B", 1795000000123LL,
					       small, sizeof small), LT_ERR_INVALID);
	assert_int_equal(opencast_calendar_url("http://oc/recordings", "", 1, url, sizeof url),
			 LT_ERR_INVALID);
}

/* ---- discovery ------------------------------------------------------------------------ */

static void test_discover_single_object(void **state)
{
	(void)state;
	struct oc_double *d = start_double("--services-shape", "object", NULL);
	struct opencast_conn c = {.server = d->base, .timeout_s = 5};
	char url[256], want[256], err[320];
	assert_int_equal(opencast_discover(&c, OPENCAST_SCHEDULER_SERVICE, url, sizeof url, err,
					   sizeof err), LT_OK);
	snprintf(want, sizeof want, "%s/recordings", d->base);
	assert_string_equal(url, want);
	assert_string_equal(err, "");
	assert_int_equal(opencast_discover(&c, OPENCAST_INGEST_SERVICE, url, sizeof url, NULL, 0),
			 LT_OK);
	snprintf(want, sizeof want, "%s/ingest", d->base);
	assert_string_equal(url, want);
	/* A trailing slash on the configured server changes nothing. */
	char server[80];
	snprintf(server, sizeof server, "%s/", d->base);
	c.server = server;
	assert_int_equal(opencast_discover(&c, OPENCAST_CAPTURE_ADMIN_SERVICE, url, sizeof url,
					   NULL, 0), LT_OK);
	snprintf(want, sizeof want, "%s/capture-admin", d->base);
	assert_string_equal(url, want);
}

static void test_discover_array_takes_first_usable(void **state)
{
	(void)state;
	/* The double lists offline, maintenance and inactive entries first, then the right
	 * one, then another usable one that must not be taken. */
	struct oc_double *d = start_double("--services-shape", "array", NULL);
	struct opencast_conn c = {.server = d->base, .timeout_s = 5};
	char url[256], want[256];
	assert_int_equal(opencast_discover(&c, OPENCAST_SCHEDULER_SERVICE, url, sizeof url, NULL,
					   0), LT_OK);
	snprintf(want, sizeof want, "%s/recordings", d->base);
	assert_string_equal(url, want);
}

static void test_discover_empty_registry_is_not_found(void **state)
{
	(void)state;
	struct oc_double *d = start_double("--services-shape", "empty", NULL);
	struct opencast_conn c = {.server = d->base, .timeout_s = 5};
	char url[256] = "stale", err[320];
	assert_int_equal(opencast_discover(&c, OPENCAST_SCHEDULER_SERVICE, url, sizeof url, err,
					   sizeof err), LT_ERR_NOT_FOUND);
	assert_string_equal(url, "");
	assert_non_null(strstr(err, "no org.opencastproject.scheduler service"));
}

static void test_discover_server_faults(void **state)
{
	(void)state;
	struct oc_double *d = start_double(NULL);
	struct opencast_conn c = {.server = d->base, .timeout_s = 5};
	char url[256], err[320];
	assert_int_equal(admin(d, "fail?status=503&count=1"), 200);
	assert_int_equal(opencast_discover(&c, OPENCAST_SCHEDULER_SERVICE, url, sizeof url, err,
					   sizeof err), LT_ERR_HTTP);
	assert_non_null(strstr(err, "Opencast service discovery"));
	assert_non_null(strstr(err, "503"));
	assert_int_equal(admin(d, "drop?count=1"), 200);
	assert_int_equal(opencast_discover(&c, OPENCAST_SCHEDULER_SERVICE, url, sizeof url, err,
					   sizeof err), LT_ERR_NETWORK);
	/* The faults were used up: the next discovery works. */
	assert_int_equal(opencast_discover(&c, OPENCAST_SCHEDULER_SERVICE, url, sizeof url, err,
					   sizeof err), LT_OK);
}

/* The registry's JSON alone: its shapes, and entries that give no server (an empty or "/" host
 * made an empty or relative URL that was returned as found; fuzz_registry, seed
 * tests/fuzz/seeds/registry/empty_host.json). */
static void test_registry_url_without_server(void **state)
{
	(void)state;
	char url[256] = "stale", err[320];
	const char *ok = "{\"services\":{\"service\":[{\"host\":\"http://a\",\"path\":\"/x\","
			 "\"online\":false,\"active\":true},{\"host\":\"https://oc/\",\"path\":"
			 "\"/recordings/\",\"online\":\"true\",\"active\":true}]}}";
	assert_int_equal(opencast_registry_url(ok, strlen(ok), OPENCAST_SCHEDULER_SERVICE, url,
					       sizeof url, err, sizeof err), LT_OK);
	assert_string_equal(url, "https://oc/recordings");
	const char *slash = "{\"services\":{\"service\":{\"host\":\"/\",\"path\":\"/\","
			    "\"online\":true,\"active\":true}}}";
	const char *empty = "{\"services\":{\"service\":{\"host\":\"\",\"path\":\"/recordings\","
			    "\"online\":true,\"active\":true}}}";
	assert_int_equal(opencast_registry_url(slash, strlen(slash), OPENCAST_SCHEDULER_SERVICE,
					       url, sizeof url, err, sizeof err), LT_ERR_PARSE);
	assert_string_equal(url, "");
	assert_non_null(strstr(err, "has no host and path"));
	assert_int_equal(opencast_registry_url(empty, strlen(empty), OPENCAST_SCHEDULER_SERVICE,
					       url, sizeof url, err, sizeof err), LT_ERR_PARSE);
	assert_string_equal(url, "");
	const char *cut = "{\"services\":{\"serv";
	assert_int_equal(opencast_registry_url(cut, strlen(cut), OPENCAST_SCHEDULER_SERVICE, url,
					       sizeof url, err, sizeof err), LT_ERR_PARSE);
	assert_non_null(strstr(err, "not JSON"));
}

/* ---- auth ----------------------------------------------------------------------------- */

static void test_answer_verdict(void **state)
{
	(void)state;
	assert_int_equal(opencast_answer_verdict(200, NULL), LT_OK);
	assert_int_equal(opencast_answer_verdict(204, NULL), LT_OK);
	assert_int_equal(opencast_answer_verdict(401, NULL), LT_ERR_AUTH);
	assert_int_equal(opencast_answer_verdict(403, NULL), LT_ERR_AUTH);
	assert_int_equal(opencast_answer_verdict(302, "https://oc/admin-ng/Login.html"),
			 LT_ERR_AUTH);
	assert_int_equal(opencast_answer_verdict(302, "https://oc/elsewhere"), LT_ERR_HTTP);
	assert_int_equal(opencast_answer_verdict(302, NULL), LT_ERR_HTTP);
	assert_int_equal(opencast_answer_verdict(500, "https://oc/login"), LT_ERR_HTTP);
	assert_int_equal(opencast_answer_verdict(0, NULL), LT_ERR_HTTP);
}

static void test_digest_with_header_works(void **state)
{
	(void)state;
	struct oc_double *d = start_double("--digest", "--user", AGENT_USER, "--password",
					   AGENT_PASSWORD, NULL);
	struct opencast_conn c = conn_for(d, true);
	char url[256], err[320];
	assert_int_equal(opencast_discover(&c, OPENCAST_SCHEDULER_SERVICE, url, sizeof url, err,
					   sizeof err), LT_OK);

	c.password = "not the password";
	assert_int_equal(opencast_discover(&c, OPENCAST_SCHEDULER_SERVICE, url, sizeof url, err,
					   sizeof err), LT_ERR_AUTH);
	assert_non_null(strstr(err, "401"));
	assert_null(strstr(err, "not the password"));

	json_object *log = read_log(d);
	assert_int_equal(json_object_array_length(log), 4);
	assert_request(log, 0, "/services/available.json", "401", NULL); /* the challenge */
	assert_request(log, 1, "/services/available.json", "200", AGENT_USER);
	assert_request(log, 2, "/services/available.json", "401", NULL);
	assert_request(log, 3, "/services/available.json", "401", NULL); /* wrong password */
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(header(json_object_array_get_idx(log, i), "X-Requested-Auth"),
				    "Digest");
	json_object_put(log);
}

static void test_digest_without_header_is_a_login_redirect(void **state)
{
	(void)state;
	struct oc_double *d = start_double("--digest", "--user", AGENT_USER, "--password",
					   AGENT_PASSWORD, NULL);
	char url[256];
	snprintf(url, sizeof url, "%s/services/available.json?serviceType=%s", d->base,
		 OPENCAST_SCHEDULER_SERVICE);
	/* Right credentials, but no X-Requested-Auth: Opencast sends us to its login form. */
	struct fetch_request req = {.url = url, .auth = FETCH_AUTH_DIGEST, .user = AGENT_USER,
				    .password = AGENT_PASSWORD, .timeout_s = 5};
	struct fetch_result res;
	assert_int_equal(fetch_get(&req, &res), LT_ERR_AUTH);
	assert_non_null(strstr(res.error, "login page"));
	assert_null(res.body);

	/* The same through discovery configured for Basic. */
	struct opencast_conn c = conn_for(d, false);
	char found[256], err[320];
	assert_int_equal(opencast_discover(&c, OPENCAST_SCHEDULER_SERVICE, found, sizeof found, err,
					   sizeof err), LT_ERR_AUTH);
	assert_non_null(strstr(err, "login page"));

	json_object *log = read_log(d);
	assert_int_equal(json_object_array_length(log), 4);
	assert_request(log, 0, "/services/available.json", "302", NULL);
	assert_request(log, 1, "/login.html", "200", NULL);
	assert_request(log, 2, "/services/available.json", "302", NULL);
	assert_request(log, 3, "/login.html", "200", NULL);
	assert_null(header(json_object_array_get_idx(log, 0), "X-Requested-Auth"));
	json_object_put(log);
}

/* ---- the calendar --------------------------------------------------------------------- */

static void test_calendar_conversation(void **state)
{
	(void)state;
	struct oc_double *d = start_double("--digest", "--user", AGENT_USER, "--password",
					   AGENT_PASSWORD, "--services-shape", "array",
					   "--calendar", G.calendar, NULL);
	struct opencast_conn c = conn_for(d, true);
	char scheduler[256], url[512], err[320];
	assert_int_equal(opencast_discover(&c, OPENCAST_SCHEDULER_SERVICE, scheduler,
					   sizeof scheduler, err, sizeof err), LT_OK);
	int64_t cutoff = now_ms() + 14LL * 86400 * 1000;
	assert_int_equal(opencast_calendar_url(scheduler, "Room 4/B", cutoff, url, sizeof url),
			 LT_OK);

	struct fetch_request req = {.url = url, .max_bytes = 1 << 20};
	opencast_prepare_request(&c, &req);
	struct fetch_result first, second;
	assert_int_equal(fetch_get(&req, &first), LT_OK);
	assert_int_equal(first.status, 200);
	assert_string_equal(first.body, calendar);
	assert_true(first.etag[0] == '"');
	assert_non_null(strstr(first.content_type, "text/calendar"));

	req.etag = first.etag;
	assert_int_equal(fetch_get(&req, &second), LT_OK);
	assert_true(second.not_modified);
	assert_int_equal(second.status, 304);
	assert_null(second.body);

	/* The exact conversation: a challenge before every answer, nothing else. */
	char query[256];
	snprintf(query, sizeof query, "agentid=Room%%204%%2FB&cutoff=%lld", (long long)cutoff);
	json_object *log = read_log(d);
	if (json_object_array_length(log) != 6)
		fail_msg("expected 6 requests, the double saw:\n%s",
			 json_object_to_json_string_ext(log, JSON_C_TO_STRING_PRETTY));
	assert_request(log, 0, "/services/available.json", "401", NULL);
	assert_request(log, 1, "/services/available.json", "200", AGENT_USER);
	assert_request(log, 2, "/recordings/calendars", "401", NULL);
	assert_request(log, 3, "/recordings/calendars", "200", AGENT_USER);
	assert_request(log, 4, "/recordings/calendars", "401", NULL);
	assert_request(log, 5, "/recordings/calendars", "304", AGENT_USER);
	assert_string_equal(field(json_object_array_get_idx(log, 1), "query"),
			    "serviceType=org.opencastproject.scheduler");
	for (size_t i = 2; i < 6; i++)
		assert_string_equal(field(json_object_array_get_idx(log, i), "query"), query);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(header(json_object_array_get_idx(log, i), "X-Requested-Auth"),
				    "Digest");
	assert_null(header(json_object_array_get_idx(log, 3), "If-None-Match"));
	assert_string_equal(header(json_object_array_get_idx(log, 5), "If-None-Match"),
			    first.etag);
	json_object_put(log);

	/* The calendar changes: the old ETag no longer matches and the new text comes. */
	const char changed[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n";
	assert_int_equal(write_file(G.calendar, changed), 0);
	assert_int_equal(fetch_get(&req, &second), LT_OK);
	assert_int_equal(second.status, 200);
	assert_string_equal(second.body, changed);
	assert_string_not_equal(second.etag, first.etag);
	fetch_result_free(&second);
	fetch_result_free(&first);
}

static void test_calendar_cutoff_in_the_past_is_refused(void **state)
{
	(void)state;
	/* The double, like Opencast, wants absolute epoch milliseconds in the future: seconds
	 * (a classic slip) are in 1970 as milliseconds. */
	struct oc_double *d = start_double("--calendar", G.calendar, NULL);
	char scheduler[128], url[512];
	snprintf(scheduler, sizeof scheduler, "%s/recordings", d->base);
	assert_int_equal(opencast_calendar_url(scheduler, "room", now_ms() / 1000 + 86400, url,
					       sizeof url), LT_OK);
	struct fetch_request req = {.url = url, .timeout_s = 5};
	struct fetch_result res;
	assert_int_equal(fetch_get(&req, &res), LT_ERR_HTTP);
	assert_int_equal(res.status, 400);
}

/* --- XML: the episode catalog, media package ids, agent properties ----------------------- */

/* The text of every dcterms:NAME element of `xml`, joined with '|'. */
static void dc_values(const char *xml, const char *name, char *out, size_t n)
{
	out[0] = '\0';
	xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), "dc.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlNode *root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "dublincore");
	for (xmlNode *e = root->children; e; e = e->next) {
		if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, name) != 0)
			continue;
		assert_non_null(e->ns);
		assert_string_equal((const char *)e->ns->href, "http://purl.org/dc/terms/");
		xmlChar *v = xmlNodeGetContent(e);
		size_t len = strlen(out);
		snprintf(out + len, n - len, "%s%s", len ? "|" : "", (const char *)v);
		xmlFree(v);
	}
	xmlFreeDoc(doc);
}

static void test_episode_dc_escapes_and_keeps_unicode(void **state)
{
	(void)state;
	struct opencast_episode ep = {
		.title = "Q&A: <script> \"quotes\" & 'ticks' — 講演",
		.creator = "Zoë Müller & Иван Петров",
		.tags = "opus,Кодеки,a&b",
		.spatial = "Room 4/B <east>",
		.series = "series-42",
		.start_ms = 1773140400000, /* 2026-03-10T11:00:00Z */
		.end_ms = 1773144000000,
	};
	char *xml = opencast_episode_dc(&ep);
	assert_non_null(xml);
	assert_null(strstr(xml, "<script>")); /* escaped, never raw markup */
	char v[1024];
	dc_values(xml, "title", v, sizeof v);
	assert_string_equal(v, ep.title);
	dc_values(xml, "creator", v, sizeof v);
	assert_string_equal(v, ep.creator);
	dc_values(xml, "subject", v, sizeof v);
	assert_string_equal(v, "opus|Кодеки|a&b");
	dc_values(xml, "spatial", v, sizeof v);
	assert_string_equal(v, ep.spatial);
	dc_values(xml, "isPartOf", v, sizeof v);
	assert_string_equal(v, "series-42");
	dc_values(xml, "temporal", v, sizeof v);
	assert_string_equal(v, "start=2026-03-10T11:00:00Z; end=2026-03-10T12:00:00Z; "
			       "scheme=W3C-DTF;");
	dc_values(xml, "created", v, sizeof v);
	assert_string_equal(v, "2026-03-10T11:00:00Z");
	free(xml);
}

static void test_episode_dc_minimal_and_invalid_utf8(void **state)
{
	(void)state;
	struct opencast_episode ep = {.title = "bad \xff\xfe bytes", .creator = ""};
	char *xml = opencast_episode_dc(&ep);
	assert_non_null(xml);
	char v[256];
	dc_values(xml, "title", v, sizeof v); /* parses: no invalid UTF-8 got through */
	assert_string_equal(v, "bad ?? bytes");
	dc_values(xml, "creator", v, sizeof v);
	assert_string_equal(v, ""); /* empty fields are left out */
	dc_values(xml, "isPartOf", v, sizeof v);
	assert_string_equal(v, "");
	free(xml);
	struct opencast_episode none = {0};
	xml = opencast_episode_dc(&none);
	dc_values(xml, "title", v, sizeof v);
	assert_string_equal(v, "Untitled recording");
	free(xml);
}

static void test_mediapackage_id(void **state)
{
	(void)state;
	char id[64];
	const char *mp = "<?xml version=\"1.0\"?><mediapackage xmlns=\"http://mediapackage."
			 "opencastproject.org\" id=\"10e5-abc\" start=\"2026-01-01T00:00:00Z\">"
			 "<media/><metadata/></mediapackage>";
	assert_int_equal(opencast_mediapackage_id(mp, strlen(mp), id, sizeof id), LT_OK);
	assert_string_equal(id, "10e5-abc");
	/* What ingest answers: the workflow, with the media package inside. */
	const char *wf = "<wf:workflow xmlns:wf=\"http://workflow.opencastproject.org\" id=\"w1\">"
			 "<wf:template>fast</wf:template><mp:mediapackage xmlns:mp=\"http://"
			 "mediapackage.opencastproject.org\" id=\"inner-id\"/></wf:workflow>";
	assert_int_equal(opencast_mediapackage_id(wf, strlen(wf), id, sizeof id), LT_OK);
	assert_string_equal(id, "inner-id");
	const char *noid = "<mediapackage/>", *html = "<html><body>Login</body></html>",
		   *junk = "not xml at all <";
	assert_int_equal(opencast_mediapackage_id(noid, strlen(noid), id, sizeof id), LT_ERR_PARSE);
	assert_int_equal(opencast_mediapackage_id(html, strlen(html), id, sizeof id), LT_ERR_PARSE);
	assert_int_equal(opencast_mediapackage_id(junk, strlen(junk), id, sizeof id), LT_ERR_PARSE);
	assert_string_equal(id, "");
	assert_int_equal(opencast_mediapackage_id(mp, strlen(mp), id, 4), LT_ERR_INVALID);
}

static void test_properties_xml(void **state)
{
	(void)state;
	const char *keys[] = {"capture.device.names", "odd"};
	const char *values[] = {"audio", "a<b&c"};
	char *xml = opencast_properties_xml(keys, values, 2);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "http://java.sun.com/dtd/properties.dtd"));
	assert_non_null(strstr(xml, "<entry key=\"capture.device.names\">audio</entry>"));
	assert_non_null(strstr(xml, "<entry key=\"odd\">a&lt;b&amp;c</entry>"));
	free(xml);
}

/* Text XML 1.0 cannot hold (control characters, invalid UTF-8 that libxml2 lets through; found
 * by fuzz_properties, seeds control_chars.bin and stray_continuation.bin) is replaced, in keys
 * and values alike: a calendar title with a form feed must not make every ingest of that
 * recording fail. */
static void test_xml_text_outside_xml_is_replaced(void **state)
{
	(void)state;
	struct opencast_episode ep = {.title = "page\fbreak", .creator = "bell\a", .tags = "a\x01,b",
				      .spatial = "over\xC1\xBClong, stray\x97\x90"};
	char *xml = opencast_episode_dc(&ep);
	assert_non_null(xml);
	char v[256];
	dc_values(xml, "title", v, sizeof v);
	assert_string_equal(v, "page?break");
	dc_values(xml, "creator", v, sizeof v);
	assert_string_equal(v, "bell?");
	dc_values(xml, "subject", v, sizeof v);
	assert_string_equal(v, "a?|b");
	dc_values(xml, "spatial", v, sizeof v);
	assert_string_equal(v, "over??long, stray??");
	free(xml);

	const char *keys[] = {"k\x02" "ey", "bad\xff"};
	const char *values[] = {"tab\tand\x0c", "line\nend"};
	xml = opencast_properties_xml(keys, values, 2);
	assert_non_null(xml);
	xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), "p.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlNode *e = xmlDocGetRootElement(doc)->children;
	while (e && e->type != XML_ELEMENT_NODE)
		e = e->next;
	assert_non_null(e);
	xmlChar *key = xmlGetProp(e, BAD_CAST "key"), *text = xmlNodeGetContent(e);
	assert_string_equal((const char *)key, "k?ey");
	assert_string_equal((const char *)text, "tab\tand?");
	xmlFree(key);
	xmlFree(text);
	xmlFreeDoc(doc);
	free(xml);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_prepare_request_digest_basic_none),
		T(test_calendar_url_encodes_agent_and_cutoff),
		T(test_discover_single_object),
		T(test_discover_array_takes_first_usable),
		T(test_discover_empty_registry_is_not_found),
		T(test_discover_server_faults),
		T(test_registry_url_without_server),
		T(test_answer_verdict),
		T(test_digest_with_header_works),
		T(test_digest_without_header_is_a_login_redirect),
		T(test_calendar_conversation),
		T(test_calendar_cutoff_in_the_past_is_refused),
		T(test_episode_dc_escapes_and_keeps_unicode),
		T(test_episode_dc_minimal_and_invalid_utf8),
		T(test_mediapackage_id),
		T(test_properties_xml),
		T(test_xml_text_outside_xml_is_replaced),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
