/*
 * test_links.c — where people watch a delivered recording, and what asks the capture server
 * for its transcript: the link templates (urltpl.h: encoding, raw base URLs, unknown or broken
 * placeholders, results that are no URL, an empty template), the configuration keys that use
 * them ([opencast] player_url, [upload] link_template) and those of transcription ([device]
 * language, [opencast] workflow_config) with their FILE:LINE errors, upload_link() for each
 * target, the language in the sidecar and in the episode catalog, and the store's link and
 * language.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/config.h"
#include "lectern/opencast.h"
#include "lectern/store.h"
#include "lectern/upload.h"
#include "lectern/urltpl.h"

/* Templates --------------------------------------------------------------------------------- */

static const struct urltpl_var file_vars[] = {
	{"room", "Room 4-12 & Co", false}, {"year", "2026", false}, {"month", "03", false},
	{"uid", "20260301T120000Z-0a1b", false}, {"file", "20260301T120000Z-0a1b.opus", false},
};

static void test_expand_encodes_each_value(void **state)
{
	(void)state;
	char out[256], why[200] = "";
	assert_int_equal(urltpl_expand("https://media.example.org/{room}/{year}/{month}/{file}",
				       file_vars, 5, out, sizeof out, why, sizeof why),
			 LT_OK);
	assert_string_equal(out, "https://media.example.org/Room%204-12%20%26%20Co/2026/03/"
				 "20260301T120000Z-0a1b.opus");
	/* Every byte outside RFC 3986's unreserved set: '/', '?', '#', '%', UTF-8. */
	const struct urltpl_var odd[] = {{"room", "a/b?c#d%e ü~._-", false}};
	assert_int_equal(urltpl_expand("http://h/x?r={room}", odd, 1, out, sizeof out, why,
				       sizeof why),
			 LT_OK);
	assert_string_equal(out, "http://h/x?r=a%2Fb%3Fc%23d%25e%20%C3%BC~._-");
}

static void test_expand_raw_base_url(void **state)
{
	(void)state;
	char out[256], why[200] = "";
	const struct urltpl_var vars[] = {
		{"url", "https://oc.example.org/", true}, {"id", "4f1c e/9", false},
	};
	assert_int_equal(urltpl_expand("{url}/play/{id}", vars, 2, out, sizeof out, why,
				       sizeof why),
			 LT_OK);
	assert_string_equal(out, "https://oc.example.org/play/4f1c%20e%2F9");
}

static void test_expand_empty_template_is_no_link(void **state)
{
	(void)state;
	char out[64] = "junk", why[200] = "";
	assert_int_equal(urltpl_expand("", file_vars, 5, out, sizeof out, why, sizeof why), LT_OK);
	assert_string_equal(out, "");
	strcpy(out, "junk");
	assert_int_equal(urltpl_expand(NULL, file_vars, 5, out, sizeof out, NULL, 0), LT_OK);
	assert_string_equal(out, "");
}

static void test_expand_unknown_placeholder(void **state)
{
	(void)state;
	char out[256] = "junk", why[200] = "";
	assert_int_equal(urltpl_expand("https://h/{room}/{day}", file_vars, 5, out, sizeof out, why,
				       sizeof why),
			 LT_ERR_CONFIG);
	assert_string_equal(out, "");
	assert_string_equal(why, "unknown placeholder {day} (known: {room} {year} {month} {uid} "
				 "{file})");
}

static void test_expand_broken_placeholders(void **state)
{
	(void)state;
	char out[256], why[200];
	static const char *const bad[] = {"https://h/{room", "https://h/{}", "https://h/{Room}",
					  "https://h/{room name}"};
	static const char *const said[] = {"'{room' is not a placeholder like {room}",
					   "'{}' is not a placeholder like {room}",
					   "'{Room}' is not a placeholder like {room}",
					   "'{room name}' is not a placeholder like {room}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		assert_int_equal(urltpl_expand(bad[i], file_vars, 5, out, sizeof out, why,
					       sizeof why),
				 LT_ERR_CONFIG);
		assert_string_equal(out, "");
		assert_string_equal(why, said[i]);
	}
}

static void test_expand_result_must_be_a_url(void **state)
{
	(void)state;
	char out[256], why[200];
	static const char *const bad[] = {"{file}", "ftp://h/{file}", "https:///{file}",
					  "//h/{file}", "https://h/a b/{file}", "mailto:x@{room}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(urltpl_expand(bad[i], file_vars, 5, out, sizeof out, why,
					       sizeof why),
				 LT_ERR_CONFIG);
		assert_string_equal(out, "");
		assert_non_null(strstr(why, "not an http:// or https:// URL"));
	}
	/* A raw base URL that is none (an [opencast] url without its scheme). */
	const struct urltpl_var vars[] = {{"url", "oc.example.org", true}, {"id", "x", false}};
	assert_int_equal(urltpl_expand("{url}/play/{id}", vars, 2, out, sizeof out, why,
				       sizeof why),
			 LT_ERR_CONFIG);
	assert_string_equal(why, "gives 'oc.example.org/play/x', not an http:// or https:// URL");
}

static void test_expand_too_long(void **state)
{
	(void)state;
	char out[40], why[200];
	assert_int_equal(urltpl_expand("https://media.example.org/{room}/{file}", file_vars, 5, out,
				       sizeof out, why, sizeof why),
			 LT_ERR_INVALID);
	assert_string_equal(out, "");
	assert_string_equal(why, "the link is longer than the 39 bytes kept for it");
}

static void test_is_url(void **state)
{
	(void)state;
	assert_true(urltpl_is_url("https://oc.example.org/play/1"));
	assert_true(urltpl_is_url("HTTP://host:8080"));
	assert_true(urltpl_is_url("http://[::1]:8080/x?y=1#z"));
	assert_false(urltpl_is_url(""));
	assert_false(urltpl_is_url("https://"));
	assert_false(urltpl_is_url("https://:80/x"));
	assert_false(urltpl_is_url("https://h/\"x\""));
	assert_false(urltpl_is_url("https://h/ü"));
	assert_false(urltpl_is_url("https://h/x\ny"));
	assert_false(urltpl_is_url("javascript:alert(1)"));
}

/* Configuration ----------------------------------------------------------------------------- */

struct cfgctx {
	char dir[64], path[PATH_MAX];
	struct config cfg;
	struct config_error err;
};

static int cfg_setup(void **state)
{
	struct cfgctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	snprintf(c->dir, sizeof c->dir, "/tmp/lectern-links-XXXXXX");
	if (!mkdtemp(c->dir)) {
		free(c);
		return -1;
	}
	snprintf(c->path, sizeof c->path, "%s/test.conf", c->dir);
	log_set_level(LOG_LVL_ERROR);
	*state = c;
	return 0;
}

static int cfg_teardown(void **state)
{
	struct cfgctx *c = *state;
	tu_rmrf(c->dir);
	free(c);
	return 0;
}

static lt_err load(struct cfgctx *c, const char *text)
{
	assert_true(tu_write_file(c->path, text, strlen(text)));
	config_defaults(&c->cfg);
	memset(&c->err, 0, sizeof c->err);
	return config_load(&c->cfg, c->path, &c->err);
}

/* The exact "lectern: FILE:LINE: KEY: MSG" of a bad file. */
static void check_bad(struct cfgctx *c, const char *text, int line, const char *key,
		      const char *msg)
{
	assert_int_equal(load(c, text), LT_ERR_CONFIG);
	char want[PATH_MAX + 400], got[PATH_MAX + 400];
	snprintf(want, sizeof want, "lectern: %s:%d: %s: %s", c->path, line, key, msg);
	config_error_format(&c->err, got, sizeof got);
	assert_string_equal(got, want);
}

static void check_good(struct cfgctx *c, const char *text)
{
	if (load(c, text) != LT_OK) {
		char got[PATH_MAX + 400];
		config_error_format(&c->err, got, sizeof got);
		fail_msg("%s", got);
	}
}

static void test_config_defaults(void **state)
{
	struct cfgctx *c = *state;
	check_good(c, "[device]\nroom = R\n");
	assert_string_equal(c->cfg.opencast_player_url, "{url}/play/{id}");
	assert_string_equal(c->cfg.upload_link_template, "");
	assert_string_equal(c->cfg.opencast_workflow_config, "");
	assert_string_equal(c->cfg.device_language, "");
}

static void test_config_link_template(void **state)
{
	struct cfgctx *c = *state;
	check_good(c, "[device]\nroom = R\n[upload]\n"
		      "link_template = https://media.example.org/{room}/{year}/{month}/{uid}/{file}\n");
	check_bad(c, "[device]\nroom = R\n[upload]\ntarget = none\n"
		     "link_template = https://media.example.org/{room}/{week}/{file}\n",
		  5, "upload.link_template",
		  "unknown placeholder {week} (known: {room} {year} {month} {uid} {file})");
	check_bad(c, "[device]\nroom = R\n\n[upload]\nlink_template = /recordings/{file}\n", 5,
		  "upload.link_template",
		  "gives '/recordings/20260101T120000Z-0a1b.opus', not an http:// or https:// URL");
	check_bad(c, "[device]\nroom = R\n[upload]\nlink_template = https://h/{file\n", 4,
		  "upload.link_template", "'{file' is not a placeholder like {room}");
}

static void test_config_player_url(void **state)
{
	struct cfgctx *c = *state;
	check_good(c, "[device]\nroom = R\n[upload]\ntarget = opencast\n"
		      "[opencast]\nurl = https://oc.example.org\n");
	check_good(c, "[device]\nroom = R\n[upload]\ntarget = opencast\n[opencast]\n"
		      "url = https://oc.example.org\nplayer_url =\n");
	check_good(c, "[device]\nroom = R\n[upload]\ntarget = opencast\n[opencast]\n"
		      "url = https://oc.example.org\n"
		      "player_url = https://tube.example.org/paella7/ui/watch.html?id={id}\n");
	check_bad(c, "[device]\nroom = R\n[upload]\ntarget = opencast\n[opencast]\n"
		     "url = https://oc.example.org\nplayer_url = {url}/play/{uid}\n",
		  7, "opencast.player_url", "unknown placeholder {uid} (known: {url} {id})");
	/* {url} is Opencast's own address: a server without a scheme gives no link. */
	check_bad(c, "[device]\nroom = R\n[upload]\ntarget = opencast\n[opencast]\n"
		     "url = oc.example.org\nplayer_url = {url}/play/{id}\n",
		  7, "opencast.player_url",
		  "gives 'oc.example.org/play/0c1e2d3f-4a5b-4c6d-8e7f-90a1b2c3d4e5', not an http:// "
		  "or https:// URL");
	/* Not judged where Opencast is not the target (there is no server to put in {url}). */
	check_good(c, "[device]\nroom = R\n[opencast]\nplayer_url = {url}/x/{id}\n");
}

static void test_config_language(void **state)
{
	struct cfgctx *c = *state;
	static const char *const good[] = {"en", "de", "de-CH", "pt-BR", "zh-Hant-TW", "gsw",
					   "sl-rozaj-biske", "en-US-x-twain"};
	char text[200];
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_true(config_language_valid(good[i]));
		snprintf(text, sizeof text, "[device]\nroom = R\nlanguage = %s\n", good[i]);
		check_good(c, text);
		assert_string_equal(c->cfg.device_language, good[i]);
	}
	static const char *const bad[] = {"e", "english!", "en_US", "en-", "-en", "en--US",
					  "de-CHEESEFONDUE", "e1", "abcd", "en US", "German",
					  "english"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(config_language_valid(bad[i]));
	check_bad(c, "[device]\nroom = R\nlanguage = en_US\n", 3, "device.language",
		  "'en_US' is not a language tag like en, de or pt-BR");
}

static void test_workflow_pairs(void **state)
{
	(void)state;
	char lines[256], why[200] = "";
	assert_int_equal(config_workflow_pairs(" straightToPublishing=true ,transcribe = true,,"
					       "lang.code=a=b, empty= ",
					       lines, sizeof lines, why, sizeof why),
			 LT_OK);
	assert_string_equal(lines, "straightToPublishing=true\ntranscribe=true\nlang.code=a=b\n"
				   "empty=\n");
	assert_int_equal(config_workflow_pairs("", lines, sizeof lines, why, sizeof why), LT_OK);
	assert_string_equal(lines, "");
	assert_int_equal(config_workflow_pairs("a=1, transcribe", lines, sizeof lines, why,
					       sizeof why),
			 LT_ERR_CONFIG);
	assert_string_equal(why, "'transcribe' is not key=value (pairs are separated by commas; a "
				 "key is letters, digits, '.', '_' or '-')");
	assert_int_equal(config_workflow_pairs("=1", lines, sizeof lines, why, sizeof why),
			 LT_ERR_CONFIG);
	assert_int_equal(config_workflow_pairs("a b=1", lines, sizeof lines, why, sizeof why),
			 LT_ERR_CONFIG);
	assert_int_equal(config_workflow_pairs("a=1, a=2", lines, sizeof lines, why, sizeof why),
			 LT_ERR_CONFIG);
	assert_string_equal(why, "'a' is given twice");
	/* "ab" after "a" is another key, not the same one twice. */
	assert_int_equal(config_workflow_pairs("ab=1, a=2", lines, sizeof lines, why, sizeof why),
			 LT_OK);
	assert_int_equal(config_workflow_pairs("abcdef=123456", lines, 8, why, sizeof why),
			 LT_ERR_CONFIG);
}

static void test_config_workflow_config(void **state)
{
	struct cfgctx *c = *state;
	check_good(c, "[device]\nroom = R\n[opencast]\n"
		      "workflow_config = straightToPublishing=true, transcribe=true\n");
	check_bad(c, "[device]\nroom = R\n[opencast]\nworkflow_config = transcribe\n", 4,
		  "opencast.workflow_config",
		  "'transcribe' is not key=value (pairs are separated by commas; a key is letters, "
		  "digits, '.', '_' or '-')");
}

/* upload_link, the sidecar, the catalog ------------------------------------------------------- */

static void a_recording(struct recording *rec)
{
	memset(rec, 0, sizeof *rec);
	rec->id = 7;
	snprintf(rec->uid, sizeof rec->uid, "20260301T120000Z-0a1b");
	snprintf(rec->path, sizeof rec->path, "/var/spool/lectern/20260301T120000Z-0a1b.opus");
	snprintf(rec->room, sizeof rec->room, "Room 4/12");
	snprintf(rec->title, sizeof rec->title, "Weekly");
	snprintf(rec->tags, sizeof rec->tags, "talk,q&a");
	snprintf(rec->language, sizeof rec->language, "de-CH");
	rec->started_ms = 1772366400000LL; /* 2026-03-01T12:00:00Z */
	rec->ended_ms = rec->started_ms + 60000;
}

static void test_upload_link_opencast(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	strcpy(cfg.upload_target, "opencast");
	strcpy(cfg.opencast_url, "https://oc.example.org/");
	struct recording rec;
	a_recording(&rec);
	char link[1024], why[200];
	assert_int_equal(upload_link(&cfg, &rec, "6b3f0d2e-1c4a-4f5e-9a8b-7c6d5e4f3a2b", link,
				     sizeof link, why, sizeof why),
			 LT_OK);
	assert_string_equal(link, "https://oc.example.org/play/6b3f0d2e-1c4a-4f5e-9a8b-7c6d5e4f3a2b");
	strcpy(cfg.opencast_player_url, "");
	assert_int_equal(upload_link(&cfg, &rec, "x", link, sizeof link, why, sizeof why), LT_OK);
	assert_string_equal(link, "");
}

static void test_upload_link_share(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	struct config cfg;
	config_defaults(&cfg);
	struct recording rec;
	a_recording(&rec);
	char link[1024], why[200];
	static const char *const targets[] = {"folder", "webdav"};
	for (size_t i = 0; i < 2; i++) {
		strcpy(cfg.upload_target, targets[i]);
		strcpy(cfg.upload_link_template, "");
		assert_int_equal(upload_link(&cfg, &rec, "/x", link, sizeof link, why, sizeof why),
				 LT_OK);
		assert_string_equal(link, "");
		/* The room as its folder on the share is named: '/' made '-'. */
		strcpy(cfg.upload_link_template,
		       "https://media.example.org/rec/{room}/{year}/{month}/{file}?uid={uid}");
		assert_int_equal(upload_link(&cfg, &rec, "/x", link, sizeof link, why, sizeof why),
				 LT_OK);
		assert_string_equal(link, "https://media.example.org/rec/Room%204-12/2026/03/"
					  "20260301T120000Z-0a1b.opus?uid=20260301T120000Z-0a1b");
	}
	/* A template that gives no link for this recording: an error, "" as the link. */
	strcpy(cfg.upload_link_template, "https://media.example.org/{room}/{room}/{room}/{room}");
	memset(rec.room, 'x', sizeof rec.room - 1);
	rec.room[sizeof rec.room - 1] = '\0';
	assert_int_equal(upload_link(&cfg, &rec, "/x", link, 200, why, sizeof why), LT_ERR_INVALID);
	assert_string_equal(link, "");
}

static void test_sidecar_language_and_tags(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	struct recording rec;
	a_recording(&rec);
	char *json = upload_sidecar_json(&cfg, &rec, "ab");
	assert_non_null(json);
	assert_non_null(strstr(json, "\"language\":\"de-CH\""));
	assert_non_null(strstr(json, "\"tags\":[\"talk\",\"q&a\"]"));
	free(json);
	rec.language[0] = '\0';
	json = upload_sidecar_json(&cfg, &rec, "ab");
	assert_non_null(json);
	assert_non_null(strstr(json, "\"language\":null"));
	free(json);
}

static void test_episode_dc_language(void **state)
{
	(void)state;
	struct opencast_episode ep = {.title = "T", .language = "de-CH"};
	char *dc = opencast_episode_dc(&ep);
	assert_non_null(dc);
	assert_non_null(strstr(dc, "<dcterms:language>de-CH</dcterms:language>"));
	free(dc);
	ep.language = "";
	dc = opencast_episode_dc(&ep);
	assert_non_null(dc);
	assert_null(strstr(dc, "language"));
	free(dc);
}

static void test_calendar_dc_gets_language(void **state)
{
	(void)state;
	static const char without[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<dublincore xmlns=\"http://www.opencastproject.org/xsd/1.0/dublincore/\" "
		"xmlns:dcterms=\"http://purl.org/dc/terms/\">\n"
		"  <dcterms:title>Scheduled</dcterms:title>\n</dublincore>\n";
	char *dc = opencast_dc_add_language(without, strlen(without), "en");
	assert_non_null(dc);
	assert_non_null(strstr(dc, "<dcterms:title>Scheduled</dcterms:title>"));
	assert_non_null(strstr(dc, "<dcterms:language>en</dcterms:language>"));
	free(dc);
	/* The scheduler's own language wins: the text comes back as it was. */
	static const char with[] =
		"<dublincore xmlns=\"http://www.opencastproject.org/xsd/1.0/dublincore/\" "
		"xmlns:terms=\"http://purl.org/dc/terms/\"><terms:language>fr</terms:language>"
		"</dublincore>";
	dc = opencast_dc_add_language(with, strlen(with), "en");
	assert_non_null(dc);
	assert_string_equal(dc, with);
	free(dc);
	/* No language to add: as it came. */
	dc = opencast_dc_add_language(without, strlen(without), "");
	assert_non_null(dc);
	assert_string_equal(dc, without);
	free(dc);
	/* A catalog without the dcterms namespace declared gets it. */
	static const char bare[] = "<dublincore xmlns=\"http://www.opencastproject.org/xsd/1.0/"
				   "dublincore/\"/>";
	dc = opencast_dc_add_language(bare, strlen(bare), "en");
	assert_non_null(dc);
	assert_non_null(strstr(dc, "xmlns:dcterms=\"http://purl.org/dc/terms/\""));
	assert_non_null(strstr(dc, "<dcterms:language>en</dcterms:language>"));
	free(dc);
	assert_null(opencast_dc_add_language("not <xml", 8, "en"));
}

/* The store --------------------------------------------------------------------------------- */

static void test_store_link_and_language(void **state)
{
	(void)state;
	char dir[64], db[PATH_MAX];
	log_set_level(LOG_LVL_ERROR);
	snprintf(dir, sizeof dir, "/tmp/lectern-links-st-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/lectern.db", dir);
	struct store *st;
	assert_int_equal(store_open(db, &st), LT_OK);
	struct recording rec;
	a_recording(&rec);
	rec.id = 0;
	rec.uid[0] = '\0';
	assert_int_equal(store_recording_create(st, &rec), LT_OK);
	struct recording got;
	assert_int_equal(store_recording_get(st, rec.id, &got), LT_OK);
	assert_string_equal(got.language, "de-CH");
	assert_string_equal(got.link, "");
	assert_int_equal(store_recording_set_link(st, rec.id, "https://oc.example.org/play/1"),
			 LT_OK);
	assert_int_equal(store_recording_get(st, rec.id, &got), LT_OK);
	assert_string_equal(got.link, "https://oc.example.org/play/1");
	assert_string_equal(got.language, "de-CH");
	assert_int_equal(store_recording_set_link(st, rec.id + 99, "x"), LT_ERR_NOT_FOUND);
	/* A restored row keeps both. */
	struct recording back = got;
	store_make_uid(back.started_ms + 1000, back.uid, sizeof back.uid);
	back.state = REC_UPLOADED;
	assert_int_equal(store_recording_restore(st, &back, NULL, "rebuilt"), LT_OK);
	assert_int_equal(store_recording_get(st, back.id, &got), LT_OK);
	assert_string_equal(got.link, "https://oc.example.org/play/1");
	assert_string_equal(got.language, "de-CH");
	store_close(st);
	tu_rmrf(dir);
}

int main(void)
{
#define C(name) cmocka_unit_test_setup_teardown(name, cfg_setup, cfg_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_encodes_each_value),
		cmocka_unit_test(test_expand_raw_base_url),
		cmocka_unit_test(test_expand_empty_template_is_no_link),
		cmocka_unit_test(test_expand_unknown_placeholder),
		cmocka_unit_test(test_expand_broken_placeholders),
		cmocka_unit_test(test_expand_result_must_be_a_url),
		cmocka_unit_test(test_expand_too_long),
		cmocka_unit_test(test_is_url),
		C(test_config_defaults),
		C(test_config_link_template),
		C(test_config_player_url),
		C(test_config_language),
		cmocka_unit_test(test_workflow_pairs),
		C(test_config_workflow_config),
		cmocka_unit_test(test_upload_link_opencast),
		cmocka_unit_test(test_upload_link_share),
		cmocka_unit_test(test_sidecar_language_and_tags),
		cmocka_unit_test(test_episode_dc_language),
		cmocka_unit_test(test_calendar_dc_gets_language),
		cmocka_unit_test(test_store_link_and_language),
	};
#undef C
	return cmocka_run_group_tests(tests, NULL, NULL);
}
