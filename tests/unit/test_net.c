/*
 * test_net.c — net_resolve()'s one rule: which URL, credentials, auth and CA each server role
 * gets from the configuration, and that the settings screen's connection test resolves
 * exactly what the uploader uses.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/config.h"
#include "lectern/net.h"

struct ctx {
	char dir[64];
	char upload_pw[PATH_MAX], schedule_pw[PATH_MAX];
	struct config cfg;
};

static void write_secret(const char *path, const char *text, mode_t mode)
{
	assert_true(tu_write_file(path, text, strlen(text)));
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	snprintf(c->dir, sizeof c->dir, "/tmp/lectern-net-XXXXXX");
	if (!mkdtemp(c->dir)) {
		free(c);
		return -1;
	}
	snprintf(c->upload_pw, sizeof c->upload_pw, "%s/upload.pw", c->dir);
	snprintf(c->schedule_pw, sizeof c->schedule_pw, "%s/schedule.pw", c->dir);
	write_secret(c->upload_pw, "share secret\n", 0600);
	write_secret(c->schedule_pw, "agent secret\n", 0600);
	config_defaults(&c->cfg);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

static void set(struct ctx *c, const char *section, const char *key, const char *value)
{
	struct config_error err;
	assert_int_equal(config_set(&c->cfg, section, key, value, 0, &err), LT_OK);
}

static void opencast_with_schedule_account(struct ctx *c)
{
	set(c, "opencast", "url", "https://oc.example.org");
	set(c, "upload", "target", "opencast");
	set(c, "schedule", "source", "opencast");
	set(c, "schedule", "user", "agent");
	set(c, "schedule", "password_file", c->schedule_pw);
	set(c, "schedule", "auth", "digest");
	set(c, "schedule", "ca_file", "/etc/oc-ca.pem");
}

/* target = webdav at `url`, with [upload]'s account. */
static void webdav_with_account(struct ctx *c, const char *url)
{
	set(c, "upload", "target", "webdav");
	set(c, "upload", "url", url);
	set(c, "upload", "user", "share");
	set(c, "upload", "password_file", c->upload_pw);
}

static void resolve_ok(struct ctx *c, enum net_role role, struct net_server *s)
{
	char why[256] = "";
	lt_err err = net_resolve(&c->cfg, role, s, why, sizeof why);
	if (err != LT_OK)
		fail_msg("role %d: %s", (int)role, why);
}

/* Before: the connection test took [upload]'s (empty) credentials and failed with 401 where
 * the uploader fell back to [schedule]'s and succeeded. Now both resolve the same server. */
static void test_connection_test_resolves_what_the_uploader_uses(void **state)
{
	struct ctx *c = *state;
	opencast_with_schedule_account(c);
	enum net_role role;
	assert_int_equal(net_test_role(&c->cfg, &role), LT_OK);
	assert_int_equal(role, NET_ROLE_UPLOAD);
	struct net_server tested, uploader;
	resolve_ok(c, role, &tested);
	resolve_ok(c, NET_ROLE_UPLOAD, &uploader);
	assert_string_equal(tested.url, uploader.url);
	assert_string_equal(tested.user, "agent");
	assert_string_equal(tested.password, "agent secret");
	assert_int_equal(tested.auth, FETCH_AUTH_DIGEST);
	assert_string_equal(tested.ca_file, "/etc/oc-ca.pem");
	assert_true(tested.opencast);
	assert_string_equal(tested.section, "schedule");
	assert_memory_equal(&tested, &uploader, sizeof tested);
	net_server_clear(&tested);
	assert_string_equal(tested.password, "");
	net_server_clear(&uploader);
}

/* Calendar, ingest and the capture agent reach one Opencast with one account. */
static void test_every_opencast_role_uses_one_account(void **state)
{
	struct ctx *c = *state;
	opencast_with_schedule_account(c);
	set(c, "upload", "user", "ingest");
	set(c, "upload", "password_file", c->upload_pw);
	set(c, "upload", "auth", "digest");
	struct net_server cal, up, agent;
	resolve_ok(c, NET_ROLE_CALENDAR, &cal);
	resolve_ok(c, NET_ROLE_UPLOAD, &up);
	resolve_ok(c, NET_ROLE_OPENCAST, &agent);
	assert_string_equal(up.user, "ingest");
	assert_string_equal(up.password, "share secret");
	/* [upload] has no ca_file: [schedule]'s */
	assert_string_equal(up.ca_file, "/etc/oc-ca.pem");
	assert_memory_equal(&cal, &up, sizeof cal);
	assert_memory_equal(&agent, &up, sizeof agent);
}

/* A WebDAV share's account is never sent to Opencast (the agent used to borrow it). */
static void test_webdav_account_stays_with_the_share(void **state)
{
	struct ctx *c = *state;
	set(c, "opencast", "url", "https://oc.example.org");
	set(c, "schedule", "source", "opencast");
	webdav_with_account(c, "https://dav.example.org/rec");
	set(c, "upload", "ca_file", "/etc/dav-ca.pem");
	struct net_server agent, dav;
	resolve_ok(c, NET_ROLE_OPENCAST, &agent);
	assert_string_equal(agent.url, "https://oc.example.org");
	assert_string_equal(agent.user, "");
	assert_string_equal(agent.password, "");
	assert_int_equal(agent.auth, FETCH_AUTH_NONE);
	resolve_ok(c, NET_ROLE_UPLOAD, &dav);
	assert_string_equal(dav.url, "https://dav.example.org/rec");
	assert_string_equal(dav.user, "share");
	assert_string_equal(dav.password, "share secret");
	assert_int_equal(dav.auth, FETCH_AUTH_BASIC);
	assert_string_equal(dav.ca_file, "/etc/dav-ca.pem");
	assert_false(dav.opencast);
	net_server_clear(&dav);
}

/* WebDAV without its own ca_file trusts [schedule]'s (it used to trust only the system's). */
static void test_ca_falls_back_to_schedule(void **state)
{
	struct ctx *c = *state;
	set(c, "upload", "target", "webdav");
	set(c, "upload", "url", "https://dav.example.org/rec");
	set(c, "schedule", "ca_file", "/etc/site-ca.pem");
	struct net_server dav;
	resolve_ok(c, NET_ROLE_UPLOAD, &dav);
	assert_string_equal(dav.ca_file, "/etc/site-ca.pem");
	assert_string_equal(dav.user, "");
}

static void test_calendar_url_takes_the_schedule_section(void **state)
{
	struct ctx *c = *state;
	set(c, "schedule", "source", "ics");
	set(c, "schedule", "ics", "https://cal.example.org/room.ics");
	set(c, "schedule", "user", "reader");
	set(c, "schedule", "password_file", c->schedule_pw);
	webdav_with_account(c, "https://dav.example.org/rec");
	struct net_server cal;
	resolve_ok(c, NET_ROLE_CALENDAR, &cal);
	assert_string_equal(cal.url, "https://cal.example.org/room.ics");
	assert_string_equal(cal.user, "reader");
	assert_string_equal(cal.password, "agent secret");
	assert_false(cal.opencast);
	/* The Opencast role is nobody's here. */
	char why[128];
	struct net_server none;
	assert_int_equal(net_resolve(&c->cfg, NET_ROLE_OPENCAST, &none, why, sizeof why),
			 LT_ERR_NOT_FOUND);
}

static void test_no_server_is_not_found(void **state)
{
	struct ctx *c = *state;
	set(c, "schedule", "source", "ics");
	set(c, "schedule", "ics", "/var/lib/lectern/room.ics");
	set(c, "upload", "target", "folder");
	set(c, "upload", "folder", "/mnt/share");
	char why[128];
	struct net_server s;
	assert_int_equal(net_resolve(&c->cfg, NET_ROLE_CALENDAR, &s, why, sizeof why),
			 LT_ERR_NOT_FOUND);
	assert_non_null(strstr(why, "calendar"));
	assert_int_equal(net_resolve(&c->cfg, NET_ROLE_UPLOAD, &s, why, sizeof why),
			 LT_ERR_NOT_FOUND);
	enum net_role role;
	assert_int_equal(net_test_role(&c->cfg, &role), LT_ERR_NOT_FOUND);
}

/* The secret-file rule of config_check, at every resolve: a file others may read is refused,
 * and the message names the section it belongs to. */
static void test_open_password_file_is_refused(void **state)
{
	struct ctx *c = *state;
	webdav_with_account(c, "https://dav.example.org/rec");
	assert_int_equal(chmod(c->upload_pw, 0644), 0);
	char why[256];
	struct net_server s;
	assert_int_equal(net_resolve(&c->cfg, NET_ROLE_UPLOAD, &s, why, sizeof why),
			 LT_ERR_CONFIG);
	assert_non_null(strstr(why, "[upload] password_file"));
	assert_non_null(strstr(why, "readable by others"));
	assert_string_equal(s.password, "");
	assert_int_equal(chmod(c->upload_pw, 0640), 0);
	resolve_ok(c, NET_ROLE_UPLOAD, &s);
	assert_string_equal(s.password, "share secret");
}

static void test_basic_over_http_needs_consent(void **state)
{
	struct ctx *c = *state;
	webdav_with_account(c, "http://dav.example.org/rec");
	char why[256];
	struct net_server s;
	assert_int_equal(net_resolve(&c->cfg, NET_ROLE_UPLOAD, &s, why, sizeof why),
			 LT_ERR_CONFIG);
	assert_non_null(strstr(why, "allow_insecure_auth = yes in [upload]"));
	set(c, "upload", "allow_insecure_auth", "yes");
	resolve_ok(c, NET_ROLE_UPLOAD, &s);
	assert_true(s.allow_insecure_auth);
	set(c, "upload", "allow_insecure_auth", "no");
	set(c, "upload", "auth", "digest");
	resolve_ok(c, NET_ROLE_UPLOAD, &s);
	assert_int_equal(s.auth, FETCH_AUTH_DIGEST);
}

static void test_prepare_request_carries_the_resolution(void **state)
{
	struct ctx *c = *state;
	opencast_with_schedule_account(c);
	struct net_server s;
	resolve_ok(c, NET_ROLE_CALENDAR, &s);
	struct fetch_request req = {.url = "https://oc.example.org/x"};
	net_prepare_request(&s, &req);
	assert_string_equal(req.user, "agent");
	assert_string_equal(req.password, "agent secret");
	assert_int_equal(req.auth, FETCH_AUTH_DIGEST);
	assert_string_equal(req.ca_file, "/etc/oc-ca.pem");
	assert_true(req.opencast_digest);
	assert_string_equal(req.url, "https://oc.example.org/x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_connection_test_resolves_what_the_uploader_uses,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_opencast_role_uses_one_account, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_webdav_account_stays_with_the_share, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ca_falls_back_to_schedule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_url_takes_the_schedule_section, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_server_is_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_password_file_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_basic_over_http_needs_consent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_request_carries_the_resolution, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
