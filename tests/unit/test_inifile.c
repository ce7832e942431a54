/*
 * test_inifile.c — editing the configuration as text: a set key changes its line only
 * (comments, order and other keys kept byte for byte), a missing key joins its section, a
 * missing section is added, a key set twice becomes one line, a continued value is replaced
 * whole, a long value is continued on indented lines that config.c (inih) reads back as the
 * same value, and a value inih would not read back faithfully is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/inifile.h"

static struct inifile *parse(const char *text)
{
	struct inifile *f = NULL;
	assert_int_equal(inifile_parse(text, strlen(text), &f), LT_OK);
	return f;
}

static void assert_text(const struct inifile *f, const char *want)
{
	char *got = inifile_text(f, NULL);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_set_changes_only_its_line(void **state)
{
	(void)state;
	struct inifile *f = parse("# top comment\n"
				  "[device]\n"
				  "; why the room is called so\n"
				  "room   =   Old   # not a comment for inih\n"
				  "data_dir = /var/lib/lectern\n"
				  "\n"
				  "[ui]\n"
				  "pin = 4321\n");
	bool changed = false;
	assert_int_equal(inifile_set(f, "device", "room", "Room 101", &changed), LT_OK);
	assert_true(changed);
	assert_text(f, "# top comment\n"
		       "[device]\n"
		       "; why the room is called so\n"
		       "room = Room 101\n"
		       "data_dir = /var/lib/lectern\n"
		       "\n"
		       "[ui]\n"
		       "pin = 4321\n");
	/* the same value again: nothing changes, not even the spacing of an untouched line */
	assert_int_equal(inifile_set(f, "device", "data_dir", "/var/lib/lectern", &changed), LT_OK);
	assert_false(changed);
	char value[64];
	assert_true(inifile_get(f, "ui", "pin", value, sizeof value));
	assert_string_equal(value, "4321");
	assert_false(inifile_get(f, "ui", "pin_file", value, sizeof value));
	inifile_free(f);
}

static void test_new_key_and_new_section(void **state)
{
	(void)state;
	struct inifile *f = parse("[device]\nroom = A\n\n# upload below\n[upload]\ntarget = none\n");
	assert_int_equal(inifile_set(f, "device", "spool_dir", "/srv/spool", NULL), LT_OK);
	assert_int_equal(inifile_set(f, "ui", "pin_file", "/etc/lectern/pin.hash", NULL), LT_OK);
	assert_text(f, "[device]\nroom = A\nspool_dir = /srv/spool\n\n# upload below\n"
		       "[upload]\ntarget = none\n\n[ui]\npin_file = /etc/lectern/pin.hash\n");
	inifile_free(f);
	/* an empty document, and one without a final line end */
	assert_int_equal(inifile_new(&f), LT_OK);
	assert_int_equal(inifile_set(f, "device", "room", "B", NULL), LT_OK);
	assert_text(f, "[device]\nroom = B\n");
	inifile_free(f);
	f = parse("[device]\r\nroom = C");
	assert_int_equal(inifile_set(f, "device", "log_level", "debug", NULL), LT_OK);
	assert_text(f, "[device]\r\nroom = C\r\nlog_level = debug\r\n"); /* its own line ends */
	inifile_free(f);
}

/* A key set twice (the last wins for inih) becomes one line, where the last one was; a plain
 * PIN in an earlier line must not survive an update. */
static void test_duplicates_and_continuations(void **state)
{
	(void)state;
	struct inifile *f = parse("[ui]\npin = 1111\ntags = a\n[device]\nroom = X\n[ui]\n"
				  "pin = 2222\ncadence = long\n  er label\n  still\nnight =\n");
	assert_int_equal(inifile_set(f, "ui", "pin", "", NULL), LT_OK);
	assert_int_equal(inifile_set(f, "ui", "cadence", "short", NULL), LT_OK);
	assert_text(f, "[ui]\ntags = a\n[device]\nroom = X\n[ui]\npin =\ncadence = short\n"
		       "night =\n");
	char v[64];
	assert_true(inifile_get(f, "ui", "pin", v, sizeof v));
	assert_string_equal(v, "");
	inifile_free(f);
	f = parse("[ui]\ncadence = long\n  er label\n");
	assert_true(inifile_get(f, "ui", "cadence", v, sizeof v));
	assert_string_equal(v, "longer label");
	inifile_free(f);
}

/* A value longer than a line is continued; config_load (inih) reads back the same value. */
static void test_long_value_reads_back(void **state)
{
	(void)state;
	char url[700] = "https://calendar.example.org/remote.php/dav/public-calendars/";
	while (strlen(url) < 600)
		strcat(url, "abcdefghij/KLMNOP?x=1&y=2/");
	struct inifile *f = parse("[device]\nroom = R\n[schedule]\nsource = ics\n");
	assert_int_equal(inifile_set(f, "schedule", "ics", url, NULL), LT_OK);
	size_t len;
	char *text = inifile_text(f, &len);
	assert_non_null(text);
	for (char *line = text; *line;) {
		size_t n = strcspn(line, "\n");
		assert_true(n < 160);
		line += n + (line[n] == '\n');
	}
	char dir[64], path[128];
	snprintf(dir, sizeof dir, "/tmp/lectern-inifile-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/lectern.conf", dir);
	assert_true(tu_write_file(path, text, len));
	struct config cfg;
	struct config_error err;
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, path, &err), LT_OK);
	assert_string_equal(cfg.schedule_ics, url);
	char back[1024];
	assert_true(inifile_get(f, "schedule", "ics", back, sizeof back));
	assert_string_equal(back, url);
	free(text);
	inifile_free(f);
	tu_rmrf(dir);
}

static void test_unfaithful_values_are_refused(void **state)
{
	(void)state;
	struct inifile *f = parse("[device]\nroom = A\n");
	const char *bad[] = {"two\nlines", "cr\r", " lead", "trail ", "x ; comment", "tab\there",
			     "nul\x01"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(inifile_value_ok(bad[i]));
		assert_int_equal(inifile_set(f, "device", "room", bad[i], NULL), LT_ERR_INVALID);
	}
	assert_int_equal(inifile_set(f, "dev ice", "room", "x", NULL), LT_ERR_INVALID);
	assert_int_equal(inifile_set(f, "device", "ro=om", "x", NULL), LT_ERR_INVALID);
	assert_true(inifile_value_ok("Room 4.01; east wing"));
	assert_true(inifile_value_ok(""));
	assert_text(f, "[device]\nroom = A\n");
	inifile_free(f);
}

/* A hand-edited file keeps its own line ends: CRLF stays CRLF (new lines too), a last line
 * without a line end keeps having none while it stays last, and a comment after a replaced
 * value stays on its line. */
static void test_line_ends_and_comments_kept(void **state)
{
	(void)state;
	const char *crlf = "# mine\r\n[device]\r\nroom = Old   ; the old name\r\n"
			   "data_dir = /srv/l\r\n[ui]\r\npin_file = /etc/p";
	struct inifile *f = NULL;
	assert_int_equal(inifile_parse(crlf, strlen(crlf), &f), LT_OK);
	/* nothing changed: byte for byte the same, no line end added at the end */
	assert_text(f, crlf);
	bool changed = false;
	assert_int_equal(inifile_set(f, "device", "room", "New", &changed), LT_OK);
	assert_true(changed);
	assert_text(f, "# mine\r\n[device]\r\nroom = New   ; the old name\r\n"
		       "data_dir = /srv/l\r\n[ui]\r\npin_file = /etc/p");
	/* a key after the unterminated last line: that line gets the file's line end */
	assert_int_equal(inifile_set(f, "ui", "pin", "", &changed), LT_OK);
	assert_text(f, "# mine\r\n[device]\r\nroom = New   ; the old name\r\n"
		       "data_dir = /srv/l\r\n[ui]\r\npin_file = /etc/p\r\npin =\r\n");
	/* a new section in a CRLF file is CRLF too */
	assert_int_equal(inifile_set(f, "upload", "target", "none", &changed), LT_OK);
	assert_text(f, "# mine\r\n[device]\r\nroom = New   ; the old name\r\n"
		       "data_dir = /srv/l\r\n[ui]\r\npin_file = /etc/p\r\npin =\r\n\r\n"
		       "[upload]\r\ntarget = none\r\n");
	char value[64];
	assert_true(inifile_get(f, "device", "room", value, sizeof value));
	assert_string_equal(value, "New");
	inifile_free(f);
	/* a file of LF lines without a final line end, a key added to its last section */
	f = parse("[device]\nroom = A");
	assert_int_equal(inifile_set(f, "device", "data_dir", "/x", &changed), LT_OK);
	assert_text(f, "[device]\nroom = A\ndata_dir = /x\n");
	inifile_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_changes_only_its_line),
		cmocka_unit_test(test_new_key_and_new_section),
		cmocka_unit_test(test_duplicates_and_continuations),
		cmocka_unit_test(test_long_value_reads_back),
		cmocka_unit_test(test_unfaithful_values_are_refused),
		cmocka_unit_test(test_line_ends_and_comments_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
