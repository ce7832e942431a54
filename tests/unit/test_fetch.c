/*
 * test_fetch.c — fetch_get() against a real nginx on loopback (conditional GET, statuses,
 * Basic auth, redirects, size limit, TLS refused) and against sockets this test holds itself
 * for what nginx will not do on request: stall, drop or reset a connection, stream an answer
 * without a length.
 *
 * nginx runs as one process (master_process off) that dies with this one (PR_SET_PDEATHSIG),
 * so a crashed or killed test leaves nothing behind; the group teardown stops it otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/fetch.h"
#include "lectern/log.h"

#define PASSWORD "right horse battery staple"
#define USER "ics-reader"

static const char calendar[] =
	"BEGIN:VCALENDAR\r\n"
	"VERSION:2.0\r\n"
	"PRODID:-//lectern tests//EN\r\n"
	"BEGIN:VEVENT\r\n"
	"UID:weekly@lectern.test\r\n"
	"DTSTAMP:20260101T000000Z\r\n"
	"DTSTART:20261201T110000Z\r\n"
	"DTEND:20261201T120000Z\r\n"
	"SUMMARY:Brown bag over HTTP\r\n"
	"END:VEVENT\r\n"
	"END:VCALENDAR\r\n";

#define BIG_BYTES 100000

struct nginx {
	char dir[64];
	char www[128];
	pid_t pid;
	int port;
	char base[64]; /* http://127.0.0.1:PORT */
};

/* ---- plumbing ------------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -1;
	size_t n = fwrite(text, 1, len, fp);
	return fclose(fp) == 0 && n == len ? 0 : -1;
}

/* A port nothing listens on right now (the kernel's pick, released). */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int port = -1;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* A listening socket on 127.0.0.1 (port into *port). */
static int listen_any(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static bool accepts(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* ---- nginx ---------------------------------------------------------------------------- */

static int write_conf(const struct nginx *n)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/nginx.conf", n->dir);
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	fprintf(fp,
		"daemon off;\n"
		"master_process off;\n"
		"pid %1$s/nginx.pid;\n"
		"error_log %1$s/error.log warn;\n"
		"events { worker_connections 64; }\n"
		"http {\n"
		"  access_log %1$s/access.log;\n"
		"  client_body_temp_path %1$s/tmp-body;\n"
		"  proxy_temp_path %1$s/tmp-proxy;\n"
		"  fastcgi_temp_path %1$s/tmp-fastcgi;\n"
		"  uwsgi_temp_path %1$s/tmp-uwsgi;\n"
		"  scgi_temp_path %1$s/tmp-scgi;\n"
		"  types { text/calendar ics; text/html html; }\n"
		"  default_type application/octet-stream;\n"
		"  server {\n"
		"    listen 127.0.0.1:%2$d;\n"
		"    root %3$s;\n"
		"    location = /moved.ics { return 302 /cal.ics; }\n"
		"    location = /to-login.ics { return 302 /Account/LogIn.html?next=/cal.ics; }\n"
		"    location = /to-portal.ics { return 302 /portal/index.html; }\n"
		"    location = /loop.ics { return 302 /loop.ics; }\n"
		"    location = /error.ics { return 500; }\n"
		"    location = /forbidden.ics { return 403; }\n"
		"    location /private/ {\n"
		"      auth_basic \"calendar\";\n"
		"      auth_basic_user_file %1$s/htpasswd;\n"
		"    }\n"
		"  }\n"
		"}\n",
		n->dir, n->port, n->www);
	return fclose(fp);
}

static pid_t spawn_nginx(const struct nginx *n)
{
	char conf[PATH_MAX], errlog[PATH_MAX], out[PATH_MAX];
	snprintf(conf, sizeof conf, "%s/nginx.conf", n->dir);
	snprintf(errlog, sizeof errlog, "%s/error.log", n->dir);
	snprintf(out, sizeof out, "%s/stdout.log", n->dir);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* The child: gone with the test, whatever ends it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	int null = open("/dev/null", O_RDONLY);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (null < 0 || fd < 0)
		_exit(127);
	dup2(null, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	execlp("nginx", "nginx", "-p", n->dir, "-e", errlog, "-c", conf, (char *)NULL);
	_exit(127);
}

static int start_nginx(struct nginx *n)
{
	/* The released port may be taken before nginx binds it: a new one a few times. */
	for (int attempt = 0; attempt < 3; attempt++) {
		n->port = free_port();
		if (n->port < 0 || write_conf(n) != 0)
			return -1;
		n->pid = spawn_nginx(n);
		if (n->pid < 0)
			return -1;
		double end = now_s() + 10;
		while (now_s() < end) {
			if (accepts(n->port)) {
				snprintf(n->base, sizeof n->base, "http://127.0.0.1:%d", n->port);
				return 0;
			}
			if (waitpid(n->pid, NULL, WNOHANG) == n->pid) {
				n->pid = 0;
				break;
			}
			usleep(20000);
		}
		tu_stop_child(n->pid);
		n->pid = 0;
	}
	fprintf(stderr, "# nginx did not start; see %s/error.log\n", n->dir);
	return -1;
}

static int group_setup(void **state)
{
	log_set_level(LOG_LVL_ERROR);
	fetch_global_init();
	signal(SIGPIPE, SIG_IGN); /* the raw servers write to clients that may have gone */
	struct nginx *n = calloc(1, sizeof *n);
	if (!n)
		return -1;
	snprintf(n->dir, sizeof n->dir, "/tmp/lectern-fetch-XXXXXX");
	if (!mkdtemp(n->dir)) {
		free(n);
		return -1;
	}
	*state = n;
	snprintf(n->www, sizeof n->www, "%s/www", n->dir);
	char path[PATH_MAX];
	char *big = malloc(BIG_BYTES);
	if (!big || mkdir(n->www, 0755) != 0)
		goto fail;
	memset(big, 'x', BIG_BYTES);
	snprintf(path, sizeof path, "%s/private", n->www);
	if (mkdir(path, 0755) != 0)
		goto fail;
	snprintf(path, sizeof path, "%s/private/cal.ics", n->www);
	if (write_file(path, calendar, strlen(calendar)) != 0)
		goto fail;
	snprintf(path, sizeof path, "%s/cal.ics", n->www);
	if (write_file(path, calendar, strlen(calendar)) != 0)
		goto fail;
	snprintf(path, sizeof path, "%s/big.ics", n->www);
	if (write_file(path, big, BIG_BYTES) != 0)
		goto fail;
	snprintf(path, sizeof path, "%s/portal", n->www);
	if (mkdir(path, 0755) != 0)
		goto fail;
	const char html[] = "<!DOCTYPE html><html><body>Please sign in</body></html>\n";
	snprintf(path, sizeof path, "%s/portal/index.html", n->www);
	if (write_file(path, html, strlen(html)) != 0)
		goto fail;
	snprintf(path, sizeof path, "%s/Account", n->www);
	if (mkdir(path, 0755) != 0)
		goto fail;
	snprintf(path, sizeof path, "%s/Account/LogIn.html", n->www);
	if (write_file(path, html, strlen(html)) != 0)
		goto fail;
	/* nginx reads {PLAIN} entries: no crypt needed for a test fixture. */
	const char htpasswd[] = USER ":{PLAIN}" PASSWORD "\n";
	snprintf(path, sizeof path, "%s/htpasswd", n->dir);
	if (write_file(path, htpasswd, strlen(htpasswd)) != 0)
		goto fail;
	free(big);
	return start_nginx(n);
fail:
	free(big);
	return -1;
}

static int group_teardown(void **state)
{
	struct nginx *n = *state;
	if (!n)
		return 0;
	tu_stop_child(n->pid);
	if (!getenv("KEEP_TMP"))
		tu_rmrf(n->dir);
	free(n);
	return 0;
}

/* ---- sockets that misbehave on purpose -------------------------------------------------- */

enum raw_mode {
	RAW_CLOSE,  /* read the request, close without a word */
	RAW_RESET,  /* read the request, reset the connection */
	RAW_STREAM, /* answer 200 with no Content-Length and `bytes` bytes, then close */
};

struct raw_server {
	int fd;
	int port;
	enum raw_mode mode;
	size_t bytes;
	pthread_t thread;
};

/* Serves one connection; every wait is bounded so that join() always returns. */
static void *raw_serve(void *arg)
{
	struct raw_server *s = arg;
	struct pollfd p = {.fd = s->fd, .events = POLLIN};
	if (poll(&p, 1, 10000) != 1)
		return NULL;
	int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return NULL;
	char req[4096];
	size_t got = 0;
	while (got < sizeof req - 1 && !memmem(req, got, "\r\n\r\n", 4)) {
		struct pollfd q = {.fd = c, .events = POLLIN};
		ssize_t r;
		if (poll(&q, 1, 5000) != 1)
			break;
		if ((r = recv(c, req + got, sizeof req - 1 - got, 0)) <= 0)
			break;
		got += (size_t)r;
	}
	if (s->mode == RAW_RESET) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	} else if (s->mode == RAW_STREAM) {
		const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n"
				    "Connection: close\r\n\r\n";
		char chunk[4096];
		memset(chunk, 'y', sizeof chunk);
		bool ok = send(c, head, sizeof head - 1, MSG_NOSIGNAL) > 0;
		for (size_t left = s->bytes; ok && left;) {
			size_t k = left < sizeof chunk ? left : sizeof chunk;
			ssize_t w = send(c, chunk, k, MSG_NOSIGNAL);
			ok = w > 0;
			if (ok)
				left -= (size_t)w;
		}
	}
	close(c);
	return NULL;
}

static int raw_start(struct raw_server *s, enum raw_mode mode, size_t bytes)
{
	s->mode = mode;
	s->bytes = bytes;
	s->fd = listen_any(&s->port);
	if (s->fd < 0)
		return -1;
	if (pthread_create(&s->thread, NULL, raw_serve, s) != 0) {
		close(s->fd);
		return -1;
	}
	return 0;
}

static void raw_stop(struct raw_server *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
}

/* ---- helpers -------------------------------------------------------------------------- */

static lt_err get(const struct nginx *n, const char *path, struct fetch_request *req,
		  struct fetch_result *res)
{
	char url[256];
	snprintf(url, sizeof url, "%s%s", n->base, path);
	req->url = url;
	lt_err rc = fetch_get(req, res);
	req->url = NULL;
	return rc;
}

/* The failure is explained, and the explanation names the server. */
static void assert_explained(const struct fetch_result *res, int port, const char *words)
{
	char host[64];
	snprintf(host, sizeof host, "127.0.0.1:%d", port);
	if (!strstr(res->error, host) || (words && !strstr(res->error, words)))
		fail_msg("error \"%s\" should name %s and say \"%s\"", res->error, host,
			 words ? words : "");
	assert_null(res->body);
	assert_int_equal(res->body_len, 0);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_200_gives_body_and_validators(void **state)
{
	struct nginx *n = *state;
	struct fetch_request req = {0};
	struct fetch_result res;
	assert_int_equal(get(n, "/cal.ics", &req, &res), LT_OK);
	assert_int_equal(res.status, 200);
	assert_false(res.not_modified);
	assert_non_null(res.body);
	assert_int_equal(res.body_len, strlen(calendar));
	assert_string_equal(res.body, calendar);
	assert_true(res.etag[0] == '"' && strlen(res.etag) > 2); /* nginx: "mtime-size" */
	assert_non_null(strstr(res.last_modified, " GMT"));
	assert_string_equal(res.content_type, "text/calendar");
	assert_string_equal(res.error, "");
	fetch_result_free(&res);
	assert_null(res.body);
}

static void test_etag_gives_304_not_modified(void **state)
{
	struct nginx *n = *state;
	struct fetch_request req = {0};
	struct fetch_result first, second;
	assert_int_equal(get(n, "/cal.ics", &req, &first), LT_OK);
	req.etag = first.etag;
	assert_int_equal(get(n, "/cal.ics", &req, &second), LT_OK);
	assert_int_equal(second.status, 304);
	assert_true(second.not_modified);
	assert_null(second.body);
	assert_string_equal(second.etag, first.etag);
	fetch_result_free(&first);
	fetch_result_free(&second);

	/* Another ETag is not a match: the whole document comes again. */
	req.etag = "\"not-the-current-one\"";
	assert_int_equal(get(n, "/cal.ics", &req, &second), LT_OK);
	assert_int_equal(second.status, 200);
	assert_false(second.not_modified);
	assert_string_equal(second.body, calendar);
	fetch_result_free(&second);
}

static void test_last_modified_gives_304(void **state)
{
	struct nginx *n = *state;
	struct fetch_request req = {0};
	struct fetch_result first, second;
	assert_int_equal(get(n, "/cal.ics", &req, &first), LT_OK);
	req.last_modified = first.last_modified; /* no ETag: If-Modified-Since alone */
	assert_int_equal(get(n, "/cal.ics", &req, &second), LT_OK);
	assert_int_equal(second.status, 304);
	assert_true(second.not_modified);
	assert_null(second.body);
	fetch_result_free(&second);

	req.last_modified = "Thu, 01 Jan 2015 00:00:00 GMT"; /* changed since: a full answer */
	assert_int_equal(get(n, "/cal.ics", &req, &second), LT_OK);
	assert_int_equal(second.status, 200);
	assert_string_equal(second.body, calendar);
	fetch_result_free(&second);
	fetch_result_free(&first);
}

static void test_validator_cannot_inject_a_header(void **state)
{
	struct nginx *n = *state;
	struct fetch_request req = {0};
	struct fetch_result first, res;
	assert_int_equal(get(n, "/cal.ics", &req, &first), LT_OK);
	/* A real ETag smuggling a second header: it is not sent at all, so no 304. */
	char evil[300];
	snprintf(evil, sizeof evil, "%s\r\nX-Injected: 1", first.etag);
	req.etag = evil;
	assert_int_equal(get(n, "/cal.ics", &req, &res), LT_OK);
	assert_int_equal(res.status, 200);
	fetch_result_free(&res);
	fetch_result_free(&first);
}

static void test_404_is_http_error_with_status(void **state)
{
	struct nginx *n = *state;
	struct fetch_request req = {0};
	struct fetch_result res;
	assert_int_equal(get(n, "/missing.ics", &req, &res), LT_ERR_HTTP);
	assert_int_equal(res.status, 404);
	assert_explained(&res, n->port, "404");
	assert_non_null(strstr(res.error, "Not Found"));
	assert_int_equal(get(n, "/error.ics", &req, &res), LT_ERR_HTTP);
	assert_int_equal(res.status, 500);
	assert_explained(&res, n->port, "answered HTTP 500");
}

static void test_403_is_auth(void **state)
{
	struct nginx *n = *state;
	struct fetch_request req = {0};
	struct fetch_result res;
	assert_int_equal(get(n, "/forbidden.ics", &req, &res), LT_ERR_AUTH);
	assert_int_equal(res.status, 403);
	assert_explained(&res, n->port, "403");
}

static void test_basic_auth(void **state)
{
	struct nginx *n = *state;
	struct fetch_request req = {.auth = FETCH_AUTH_BASIC, .user = USER, .password = PASSWORD};
	struct fetch_result res;
	assert_int_equal(get(n, "/private/cal.ics", &req, &res), LT_OK);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.body, calendar);
	fetch_result_free(&res);

	req.password = "right horse battery stapler"; /* one letter off; contains the right one */
	assert_int_equal(get(n, "/private/cal.ics", &req, &res), LT_ERR_AUTH);
	assert_int_equal(res.status, 401);
	assert_explained(&res, n->port, "refused the credentials");
	assert_null(strstr(res.error, "horse"));
	assert_null(strstr(res.error, "stapler"));

	struct fetch_request anonymous = {0};
	assert_int_equal(get(n, "/private/cal.ics", &anonymous, &res), LT_ERR_AUTH);
	assert_explained(&res, n->port, "user name and password");
}

static void test_redirects(void **state)
{
	struct nginx *n = *state;
	struct fetch_request req = {0};
	struct fetch_result res;
	/* An ordinary move is followed... */
	assert_int_equal(get(n, "/moved.ics", &req, &res), LT_OK);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.body, calendar);
	fetch_result_free(&res);
	/* ...a login page at the end of it is a refusal, whatever its status (200 here)... */
	assert_int_equal(get(n, "/to-login.ics", &req, &res), LT_ERR_AUTH);
	assert_explained(&res, n->port, "login page");
	/* ...and so is a web page where a calendar should be... */
	assert_int_equal(get(n, "/to-portal.ics", &req, &res), LT_ERR_AUTH);
	assert_explained(&res, n->port, "login page");
	/* ...and a loop ends after 5 hops. */
	assert_int_equal(get(n, "/loop.ics", &req, &res), LT_ERR_HTTP);
	assert_explained(&res, n->port, "redirected more than 5 times");
}

static void test_max_bytes(void **state)
{
	struct nginx *n = *state;
	struct fetch_request req = {.max_bytes = BIG_BYTES};
	struct fetch_result res;
	/* Exactly the limit is allowed... */
	assert_int_equal(get(n, "/big.ics", &req, &res), LT_OK);
	assert_int_equal(res.body_len, BIG_BYTES);
	fetch_result_free(&res);
	/* ...one byte less is refused (nginx announces the length). */
	req.max_bytes = BIG_BYTES - 1;
	assert_int_equal(get(n, "/big.ics", &req, &res), LT_ERR_HTTP);
	char words[64];
	snprintf(words, sizeof words, "larger than %d bytes", BIG_BYTES - 1);
	assert_explained(&res, n->port, words);
}

static void test_max_bytes_without_length(void **state)
{
	(void)state;
	/* No Content-Length: only the write callback can stop it. */
	struct raw_server s;
	assert_int_equal(raw_start(&s, RAW_STREAM, 3 * 1000 * 1000), 0);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/stream.ics", s.port);
	struct fetch_request req = {.url = url, .max_bytes = 50000, .timeout_s = 10};
	struct fetch_result res;
	lt_err rc = fetch_get(&req, &res);
	raw_stop(&s);
	assert_int_equal(rc, LT_ERR_HTTP);
	assert_explained(&res, s.port, "larger than 50000 bytes");

	assert_int_equal(raw_start(&s, RAW_STREAM, 50000), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/stream.ics", s.port);
	rc = fetch_get(&req, &res);
	raw_stop(&s);
	assert_int_equal(rc, LT_OK);
	assert_int_equal(res.body_len, 50000);
	assert_int_equal(res.body[49999], 'y');
	assert_int_equal(res.body[50000], '\0');
	fetch_result_free(&res);
}

static void test_connection_refused(void **state)
{
	(void)state;
	int port = free_port();
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/cal.ics", port);
	struct fetch_request req = {.url = url};
	struct fetch_result res;
	double t0 = now_s();
	assert_int_equal(fetch_get(&req, &res), LT_ERR_NETWORK);
	assert_true(now_s() - t0 < 2);
	assert_int_equal(res.status, 0);
	assert_explained(&res, port, "does not accept connections");
}

static void test_stalled_server_times_out(void **state)
{
	(void)state;
	/* Listening but never accepting: the kernel completes the handshake, nobody answers. */
	int port;
	int fd = listen_any(&port);
	assert_true(fd >= 0);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/cal.ics", port);
	struct fetch_request req = {.url = url, .timeout_s = 2};
	struct fetch_result res;
	double t0 = now_s();
	lt_err rc = fetch_get(&req, &res);
	double took = now_s() - t0;
	close(fd);
	assert_int_equal(rc, LT_ERR_NETWORK);
	assert_explained(&res, port, "did not answer in time");
	if (took < 1.5 || took > 3.0)
		fail_msg("a 2 s time-out took %.2f s", took);
}

static void test_dropped_connection(void **state)
{
	(void)state;
	struct raw_server s;
	char url[64];
	struct fetch_request req = {.url = url, .timeout_s = 5};
	struct fetch_result res;

	assert_int_equal(raw_start(&s, RAW_CLOSE, 0), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/cal.ics", s.port);
	lt_err rc = fetch_get(&req, &res);
	raw_stop(&s);
	assert_int_equal(rc, LT_ERR_NETWORK);
	assert_explained(&res, s.port, "closed the connection without answering");

	assert_int_equal(raw_start(&s, RAW_RESET, 0), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/cal.ics", s.port);
	rc = fetch_get(&req, &res);
	raw_stop(&s);
	assert_int_equal(rc, LT_ERR_NETWORK);
	assert_explained(&res, s.port, NULL);
}

static void test_tls_to_plain_port_fails(void **state)
{
	struct nginx *n = *state;
	char url[64];
	snprintf(url, sizeof url, "https://127.0.0.1:%d/cal.ics", n->port);
	struct fetch_request req = {.url = url, .timeout_s = 5};
	struct fetch_result res;
	assert_int_equal(fetch_get(&req, &res), LT_ERR_NETWORK);
	assert_explained(&res, n->port, "secure connection failed");

	/* A CA file that is not there is a TLS failure too, not a silent fallback. */
	req.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(fetch_get(&req, &res), LT_ERR_NETWORK);
	assert_explained(&res, n->port, "secure connection failed");
}

static void test_password_in_url_is_never_shown(void **state)
{
	(void)state;
	int port = free_port();
	char url[128];
	snprintf(url, sizeof url, "http://reader:hunter2secret@127.0.0.1:%d/cal.ics", port);
	struct fetch_request req = {.url = url};
	struct fetch_result res;
	assert_int_equal(fetch_get(&req, &res), LT_ERR_NETWORK);
	assert_explained(&res, port, NULL);
	assert_null(strstr(res.error, "hunter2secret"));
	assert_null(strstr(res.error, "reader"));
}

static void test_bad_urls_are_invalid(void **state)
{
	(void)state;
	const char *bad[] = {"not a url", "ftp://127.0.0.1/cal.ics", "file:///etc/passwd", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct fetch_request req = {.url = bad[i]};
		struct fetch_result res;
		assert_int_equal(fetch_get(&req, &res), LT_ERR_INVALID);
		assert_non_null(strstr(res.error, "not a valid http(s) URL"));
		assert_null(res.body);
	}
	struct fetch_request none = {0};
	struct fetch_result res;
	assert_int_equal(fetch_get(&none, &res), LT_ERR_INVALID);
	fetch_global_init(); /* a second call is harmless */
}

/* ---- the answer's parts alone (what fuzz_http drives) ---------------------------------- */

static void header(struct fetch_result *res, char *reason, const char *line)
{
	fetch_header_line(line, strlen(line), res, reason, 64);
}

static void test_header_lines(void **state)
{
	(void)state;
	struct fetch_result res = {0};
	char reason[64] = "stale";
	/* A redirect's validators are not the final answer's. */
	header(&res, reason, "HTTP/1.1 302 Found\r\n");
	assert_string_equal(reason, "Found");
	header(&res, reason, "ETag: \"old\"\r\n");
	header(&res, reason, "HTTP/1.1 200 OK\r\n");
	assert_string_equal(res.etag, "");
	header(&res, reason, "etag:   W/\"new\"  \r\n");
	header(&res, reason, "Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT\r\n");
	header(&res, reason, "Content-Type: text/calendar\r\n");
	header(&res, reason, "ETagged: no\r\n");
	header(&res, reason, "\r\n");
	assert_string_equal(reason, "OK");
	assert_string_equal(res.etag, "W/\"new\"");
	assert_string_equal(res.last_modified, "Thu, 01 Jan 2026 00:00:00 GMT");
	assert_string_equal(res.content_type, "text/calendar");
	/* HTTP/2 has no reason phrase; a server's control bytes never reach a message. */
	header(&res, reason, "HTTP/2 404\r\n");
	assert_string_equal(reason, "");
	assert_string_equal(res.content_type, "");
	header(&res, reason, "HTTP/1.1 500 Bad\x01\x1b[31m\r\n");
	assert_string_equal(reason, "Bad??[31m");
	/* Values longer than their field are cut, never overrun. */
	char line[600];
	snprintf(line, sizeof line, "ETag: %0500d\r\n", 7);
	header(&res, reason, line);
	assert_int_equal(strlen(res.etag), sizeof res.etag - 1);
}

static void test_answer_verdicts(void **state)
{
	(void)state;
	char msg[320];
	struct fetch_result res = {.status = 200};
	assert_int_equal(fetch_answer_verdict(&res, "OK", 0, "https://h/cal", true, "h:443", msg,
					      sizeof msg), LT_OK);
	assert_false(res.not_modified);
	res.status = 304;
	assert_int_equal(fetch_answer_verdict(&res, "", 0, "https://h/cal", true, "h:443", msg,
					      sizeof msg), LT_OK);
	assert_true(res.not_modified);
	res = (struct fetch_result){.status = 401};
	assert_int_equal(fetch_answer_verdict(&res, "Unauthorized", 0, NULL, false, "h:443", msg,
					      sizeof msg), LT_ERR_AUTH);
	assert_non_null(strstr(msg, "asks for a user name and password (HTTP 401 Unauthorized)"));
	assert_int_equal(fetch_answer_verdict(&res, "", 0, NULL, true, "h:443", msg, sizeof msg),
			 LT_ERR_AUTH);
	assert_non_null(strstr(msg, "refused the credentials (HTTP 401)"));
	/* A login form after redirects, by its URL or by being HTML; HTML without a redirect
	 * is only a wrong document. */
	res = (struct fetch_result){.status = 200};
	assert_int_equal(fetch_answer_verdict(&res, "OK", 1, "https://h/LOGIN.html", true, "h:443",
					      msg, sizeof msg), LT_ERR_AUTH);
	snprintf(res.content_type, sizeof res.content_type, "Text/HTML; charset=utf-8");
	assert_int_equal(fetch_answer_verdict(&res, "OK", 2, "https://h/x", true, "h:443", msg,
					      sizeof msg), LT_ERR_AUTH);
	assert_int_equal(fetch_answer_verdict(&res, "OK", 0, "https://h/x", true, "h:443", msg,
					      sizeof msg), LT_OK);
	res = (struct fetch_result){.status = 503};
	assert_int_equal(fetch_answer_verdict(&res, NULL, 0, NULL, true, "h:443", msg, sizeof msg),
			 LT_ERR_HTTP);
	assert_string_equal(msg, "h:443 answered HTTP 503");
	assert_true(fetch_is_login_url("https://h/j_spring_security_check?Login=1"));
	assert_false(fetch_is_login_url("https://h/calendars"));
	assert_false(fetch_is_login_url(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_200_gives_body_and_validators),
		cmocka_unit_test(test_etag_gives_304_not_modified),
		cmocka_unit_test(test_last_modified_gives_304),
		cmocka_unit_test(test_validator_cannot_inject_a_header),
		cmocka_unit_test(test_404_is_http_error_with_status),
		cmocka_unit_test(test_403_is_auth),
		cmocka_unit_test(test_basic_auth),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_max_bytes_without_length),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_stalled_server_times_out),
		cmocka_unit_test(test_dropped_connection),
		cmocka_unit_test(test_tls_to_plain_port_fails),
		cmocka_unit_test(test_password_in_url_is_never_shown),
		cmocka_unit_test(test_bad_urls_are_invalid),
		cmocka_unit_test(test_header_lines),
		cmocka_unit_test(test_answer_verdicts),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
