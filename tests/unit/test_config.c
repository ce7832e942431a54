/*
 * test_config.c — the option table, the INI parser and validation: defaults, every kind of bad
 * file with the exact "lectern: FILE:LINE: section.key: ..." message, line endings, comments,
 * case, the sample file's round trip, and the shared fixtures in tests/fixtures/config/.
 */
#include <errno.h>
#include <ftw.h>
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
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/config.h"

struct ctx {
	char dir[64];
	char path[PATH_MAX];   /* the file the current test writes */
	struct config cfg;
	struct config_error err;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	snprintf(c->dir, sizeof c->dir, "/tmp/lectern-config-XXXXXX");
	if (!mkdtemp(c->dir)) {
		free(c);
		return -1;
	}
	snprintf(c->path, sizeof c->path, "%s/test.conf", c->dir);
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

static void write_bytes(const char *path, const char *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
	write_bytes(path, text, strlen(text));
}

/* Load `path` over the defaults. */
static lt_err load_path(struct ctx *c, const char *path)
{
	config_defaults(&c->cfg);
	memset(&c->err, 0, sizeof c->err);
	return config_load(&c->cfg, path, &c->err);
}

/* Write `len` bytes (NULs included) as the test's file and load it. */
static lt_err load_bytes(struct ctx *c, const char *bytes, size_t len)
{
	write_bytes(c->path, bytes, len);
	return load_path(c, c->path);
}

/* Write `text` as the test's file and load it over the defaults. */
static lt_err load_text(struct ctx *c, const char *text)
{
	write_text(c->path, text);
	config_defaults(&c->cfg);
	memset(&c->err, 0, sizeof c->err);
	return config_load(&c->cfg, c->path, &c->err);
}

/*
 * The error must name `line` and `key` and read exactly
 * "lectern: FILE:LINE: KEY: MSG" (":LINE" only when line > 0, "KEY: " only when there is one).
 */
static void assert_error(const struct config_error *err, const char *file, int line,
			 const char *key, const char *msg)
{
	assert_string_equal(err->file, file);
	assert_int_equal(err->line, line);
	assert_string_equal(err->key, key);
	assert_string_equal(err->msg, msg);

	char want[PATH_MAX + 512], where[PATH_MAX + 32], got[PATH_MAX + 512];
	if (line > 0)
		snprintf(where, sizeof where, "%s:%d", file, line);
	else
		snprintf(where, sizeof where, "%s", file);
	if (*key)
		snprintf(want, sizeof want, "lectern: %s: %s: %s", where, key, msg);
	else
		snprintf(want, sizeof want, "lectern: %s: %s", where, msg);
	config_error_format(err, got, sizeof got);
	assert_string_equal(got, want);
}

/* A bad file: LT_ERR_CONFIG with exactly this line, key and message. */
static void check_bad(struct ctx *c, const char *text, int line, const char *key, const char *msg)
{
	lt_err rc = load_text(c, text);
	if (rc != LT_ERR_CONFIG)
		fail_msg("loading:\n%s\nreturned %d, want LT_ERR_CONFIG (%d)", text, rc,
			 LT_ERR_CONFIG);
	assert_error(&c->err, c->path, line, key, msg);
}

static void check_good(struct ctx *c, const char *text)
{
	lt_err rc = load_text(c, text);
	if (rc != LT_OK) {
		char buf[PATH_MAX + 512];
		config_error_format(&c->err, buf, sizeof buf);
		fail_msg("loading:\n%s\nfailed: %s", text, buf);
	}
}

/* Defaults ---------------------------------------------------------------------------------- */

static void test_defaults_are_valid(void **state)
{
	struct ctx *c = *state;
	config_defaults(&c->cfg);
	assert_string_equal(c->cfg.source, "(built-in defaults)");
	assert_string_equal(c->cfg.spool_dir, "");
	assert_int_equal(config_check(&c->cfg, &c->err), LT_OK);
	assert_string_equal(c->cfg.data_dir, "/var/lib/lectern");
	assert_string_equal(c->cfg.spool_dir, "/var/lib/lectern/spool");
	assert_string_equal(c->cfg.room, "Room");
	assert_string_equal(c->cfg.audio_source, "auto");
	assert_int_equal(c->cfg.audio_rate, 48000);
	assert_int_equal(c->cfg.audio_channels, 1);
	assert_int_equal(c->cfg.bitrate_kbps, 32);
	assert_string_equal(c->cfg.frame_ms, "20");
	assert_int_equal(config_frame_samples48(&c->cfg), 960);
	for (size_t i = 0; i < sizeof c->cfg.lines / sizeof c->cfg.lines[0]; i++)
		assert_int_equal(c->cfg.lines[i], 0);
}

static void test_spool_dir_follows_data_dir_unless_set(void **state)
{
	struct ctx *c = *state;
	check_good(c, "[device]\ndata_dir = /srv/rec\n");
	assert_string_equal(c->cfg.spool_dir, "/srv/rec/spool");
	check_good(c, "[device]\ndata_dir = /srv/rec\nspool_dir = /mnt/usb/spool\n");
	assert_string_equal(c->cfg.spool_dir, "/mnt/usb/spool");
}

static void test_every_default_matches_the_table(void **state)
{
	struct ctx *c = *state;
	size_t n;
	const struct config_option *opts = config_options(&n);
	assert_true(n > 10);
	config_defaults(&c->cfg);
	for (size_t i = 0; i < n; i++) {
		const char *field = (const char *)&c->cfg + opts[i].offset;
		int v;
		switch (opts[i].type) {
		case CFG_INT:
			memcpy(&v, field, sizeof v);
			assert_int_equal(v, strtol(opts[i].def, NULL, 10));
			assert_true(v >= opts[i].min && v <= opts[i].max);
			break;
		case CFG_BOOL:
			memcpy(&v, field, sizeof v);
			assert_int_equal(v, strcmp(opts[i].def, "yes") == 0 ||
						    strcmp(opts[i].def, "true") == 0 ||
						    strcmp(opts[i].def, "on") == 0 ||
						    strcmp(opts[i].def, "1") == 0);
			break;
		case CFG_STRING:
			assert_string_equal(field, opts[i].def);
			assert_true(strlen(opts[i].def) < opts[i].size);
			break;
		case CFG_CHOICE: {
			assert_string_equal(field, opts[i].def);
			bool listed = false;
			for (const char *const *ch = opts[i].choices; *ch; ch++)
				listed |= strcmp(*ch, opts[i].def) == 0;
			assert_true(listed);
			break;
		}
		}
		assert_non_null(opts[i].help);
		assert_true(strlen(opts[i].help) > 0);
	}
}

static void test_frame_samples(void **state)
{
	struct ctx *c = *state;
	static const struct {
		const char *ms;
		int samples;
	} cases[] = {{"2.5", 120}, {"5", 240}, {"10", 480}, {"20", 960}, {"40", 1920},
		     {"60", 2880}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[64];
		snprintf(text, sizeof text, "[recording]\nframe_ms = %s\n", cases[i].ms);
		check_good(c, text);
		assert_int_equal(config_frame_samples48(&c->cfg), cases[i].samples);
	}
}

/* Bad files --------------------------------------------------------------------------------- */

static void test_unknown_key(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "[device]\nroom = A\ncolour = blue\n", 3, "device.colour", "unknown key");
	/* Keys are case-sensitive: "Room" is not "room". */
	check_bad(c, "[device]\nRoom = A\n", 2, "device.Room", "unknown key");
}

static void test_unknown_section(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "# comment\n[speakers]\nvolume = 3\n", 3, "speakers.volume",
		  "unknown section [speakers]");
}

static void test_key_outside_section(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "room = A\n[device]\n", 1, "room", "key outside any [section]");
	check_bad(c, "\n\n# before any section\nbitrate_kbps = 20\n", 4, "bitrate_kbps",
		  "key outside any [section]");
}

static void test_int_out_of_range(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "[device]\nroom = A\n[recording]\nbitrate_kbps = 9999\n", 4,
		  "recording.bitrate_kbps", "9999 is out of range (6 to 510)");
	check_bad(c, "[recording]\nbitrate_kbps = 5\n", 2, "recording.bitrate_kbps",
		  "5 is out of range (6 to 510)");
	check_bad(c, "[recording]\nlow_audio_dbfs = -97\n", 2, "recording.low_audio_dbfs",
		  "-97 is out of range (-96 to 0)");
	check_bad(c, "[audio]\nchannels = 0\n", 2, "audio.channels", "0 is out of range (1 to 8)");
	/* The limits themselves are in range. */
	check_good(c, "[recording]\nbitrate_kbps = 6\nlow_audio_dbfs = -96\n");
	assert_int_equal(c->cfg.bitrate_kbps, 6);
	assert_int_equal(c->cfg.low_audio_dbfs, -96);
	check_good(c, "[recording]\nbitrate_kbps = 510\nlow_audio_dbfs = 0\n");
	assert_int_equal(c->cfg.bitrate_kbps, 510);
	assert_int_equal(c->cfg.low_audio_dbfs, 0);
	/* Each option's line is remembered. */
	check_good(c, "[recording]\n\ncomplexity = 3\n");
	size_t n;
	const struct config_option *opts = config_options(&n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(c->cfg.lines[i], strcmp(opts[i].key, "complexity") ? 0 : 3);
}

static void test_int_not_a_number(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "[recording]\ncomplexity = high\n", 2, "recording.complexity",
		  "'high' is not a whole number");
	check_bad(c, "[recording]\ncomplexity = 5x\n", 2, "recording.complexity",
		  "'5x' is not a whole number");
	check_bad(c, "[recording]\ncomplexity = 2.5\n", 2, "recording.complexity",
		  "'2.5' is not a whole number");
	check_bad(c, "[recording]\ncomplexity =\n", 2, "recording.complexity",
		  "'' is not a whole number");
	check_bad(c, "[recording]\nmin_free_mb = 99999999999999999999999\n", 2,
		  "recording.min_free_mb", "'99999999999999999999999' is not a whole number");
}

static void test_bad_choice(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "[recording]\n\nframe_ms = 7\n", 3, "recording.frame_ms",
		  "'7' is not one of: 2.5 5 10 20 40 60");
	check_bad(c, "[audio]\nsource = pulse\n", 2, "audio.source",
		  "'pulse' is not one of: auto alsa file");
}

/* A file saved as Latin-1 / Windows-1252: the value is refused with its line, not passed on
 * (the room's name is shown on the screen and sent to Opencast). */
static void test_value_not_utf8(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "[device]\n# Salle \xE0 c\xF4t\xE9 (a comment may be anything)\n"
		     "room = Salle \xC9tage 3\n", 3, "device.room",
		  "the value is not UTF-8 text: save the file as UTF-8");
	check_bad(c, "[audio]\nsource = \xE9\n", 2, "audio.source",
		  "the value is not UTF-8 text: save the file as UTF-8");
	check_good(c, "[device]\nroom = Salle \xC3\x89tage 3 \xE2\x80\x93 \xF0\x9F\x8E\xA4\n");
	assert_string_equal(c->cfg.room, "Salle \xC3\x89tage 3 \xE2\x80\x93 \xF0\x9F\x8E\xA4");
}

static void test_syntax_error(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "[device]\nthis line has no equals sign\n", 2, "",
		  "syntax error: expected [section] or key = value");
}

static void test_value_too_long(void **state)
{
	struct ctx *c = *state;
	char room[200], text[300];
	memset(room, 'r', 127);
	room[127] = '\0';
	snprintf(text, sizeof text, "[device]\nroom = %s\n", room);
	check_good(c, text);
	assert_string_equal(c->cfg.room, room);
	memset(room, 'r', 128);
	room[128] = '\0';
	snprintf(text, sizeof text, "[device]\nroom = %s\n", room);
	check_bad(c, text, 2, "device.room", "value is too long (at most 127 characters)");
}

static void test_file_source_needs_file(void **state)
{
	struct ctx *c = *state;
	/* The missing key has no line of its own: FILE: audio.file: ... */
	check_bad(c, "[audio]\nsource = file\n", 0, "audio.file",
		  "source = file needs a file to play");
	/* An empty file = on line 3 is named by its line. */
	check_bad(c, "[audio]\nsource = file\nfile =\n", 3, "audio.file",
		  "source = file needs a file to play");
	check_good(c, "[audio]\nsource = file\nfile = /tmp/x.wav\n");
	assert_string_equal(c->cfg.audio_file, "/tmp/x.wav");
}

static void test_empty_room(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "[device]\nroom =\n", 2, "device.room",
		  "must not be empty: the room name is written into recordings");
	check_bad(c, "[device]\nroom = A\n\n# later\nroom =\n", 5, "device.room",
		  "must not be empty: the room name is written into recordings");
	/* A folder on the share: ".." would deliver above the configured folder. */
	check_bad(c, "[device]\nroom = ..\n", 2, "device.room",
		  "'..' is not a room name: it names the share's folders");
	check_bad(c, "[device]\nroom = .\n", 2, "device.room",
		  "'.' is not a room name: it names the share's folders");
	check_good(c, "[device]\nroom = ...\n");
}

static void test_empty_data_dir(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "[device]\ndata_dir =\n", 2, "device.data_dir", "must not be empty");
}

static void test_missing_file(void **state)
{
	struct ctx *c = *state;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/none.conf", c->dir);
	config_defaults(&c->cfg);
	assert_int_equal(config_load(&c->cfg, path, &c->err), LT_ERR_IO);
	assert_error(&c->err, path, 0, "", "cannot open: No such file or directory");
}

/* Documented: "first problem in `err`, with its line". */
static void test_first_problem_is_reported(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "[device]\nno equals sign here\nroom = A\ncolour = blue\n", 2, "",
		  "syntax error: expected [section] or key = value");
}

/*
 * A line longer than inih's 200-byte line buffer (a long data_dir is a legal value) must either
 * load or be reported on its own line; the lines after it must keep their numbers.
 */
static void test_long_line_keeps_line_numbers(void **state)
{
	struct ctx *c = *state;
	char dir[300], text[400];
	dir[0] = '/';
	memset(dir + 1, 'd', 259);
	dir[260] = '\0';
	snprintf(text, sizeof text, "[device]\ndata_dir = %s\ncolour = blue\n", dir);
	assert_int_equal(load_text(c, text), LT_ERR_CONFIG);
	bool long_line_named = c->err.line == 2 && strcmp(c->err.key, "device.data_dir") == 0;
	bool next_line_named = c->err.line == 3 && strcmp(c->err.key, "device.colour") == 0;
	if (!long_line_named && !next_line_named) {
		char buf[PATH_MAX + 512];
		config_error_format(&c->err, buf, sizeof buf);
		fail_msg("a 271-character line 2 (valid data_dir), then an unknown key on line 3, "
			 "gave: %s",
			 buf);
	}
}


/* Files that are not text, or not files ------------------------------------------------------ */

/* A NUL in a comment once hid the next line: a floor on free space was silently ignored. */
static void test_nul_in_comment_is_refused(void **state)
{
	struct ctx *c = *state;
	static const char text[] = "[recording]\n# note\0 with a NUL\nmin_free_mb = 5000\n";
	assert_int_equal(load_bytes(c, text, sizeof text - 1), LT_ERR_CONFIG);
	assert_error(&c->err, c->path, 2, "", "holds a NUL byte: this is not a text file");
	assert_int_equal(c->cfg.min_free_mb, 200); /* nothing half-applied wins silently */
}

static void test_nul_in_value_is_refused(void **state)
{
	struct ctx *c = *state;
	static const char text[] = "[device]\nroom = A\nlog_level = de\0bug\n";
	assert_int_equal(load_bytes(c, text, sizeof text - 1), LT_ERR_CONFIG);
	assert_error(&c->err, c->path, 3, "", "holds a NUL byte: this is not a text file");
}

static void test_binary_file_is_refused(void **state)
{
	struct ctx *c = *state;
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0";
	assert_int_equal(load_bytes(c, elf, sizeof elf - 1), LT_ERR_CONFIG);
	assert_error(&c->err, c->path, 1, "",
		     "holds the control character 0x7f: this is not a text file");
	check_bad(c, "[device]\n\nroom = A\x1b[31m\n", 3, "",
		  "holds the control character 0x1b: this is not a text file");
	/* A carriage return is only text as part of a line end. */
	check_bad(c, "[device]\nroom = A\rB\n", 2, "",
		  "holds the control character 0x0d: this is not a text file");
}

static void test_directory_is_refused(void **state)
{
	struct ctx *c = *state;
	assert_int_equal(load_path(c, c->dir), LT_ERR_CONFIG);
	assert_error(&c->err, c->dir, 0, "", "is a directory: give the configuration file itself");
}

/* /dev/zero once hung the reader; a FIFO without a writer must not block even the open. */
static void test_device_and_fifo_are_refused(void **state)
{
	struct ctx *c = *state;
	static const char msg[] =
		"is not a regular file (a device, FIFO or socket): give a configuration file";
	assert_int_equal(load_path(c, "/dev/zero"), LT_ERR_CONFIG);
	assert_error(&c->err, "/dev/zero", 0, "", msg);
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof fifo, "%s/fifo.conf", c->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(load_path(c, fifo), LT_ERR_CONFIG);
	assert_error(&c->err, fifo, 0, "", msg);
}

static void test_huge_file_is_refused(void **state)
{
	struct ctx *c = *state;
	size_t len = 300 * 1024;
	char *text = malloc(len);
	assert_non_null(text);
	for (size_t i = 0; i < len; i++)
		text[i] = i % 64 == 63 ? '\n' : i % 64 == 0 ? '#' : 'x';
	assert_int_equal(load_bytes(c, text, len), LT_ERR_CONFIG);
	free(text);
	assert_error(&c->err, c->path, 0, "",
		     "is larger than 256 KiB: this is not a configuration file");
}

static void test_unreadable_file(void **state)
{
	struct ctx *c = *state;
	write_text(c->path, "[device]\nroom = A\n");
	assert_int_equal(chmod(c->path, 0), 0);
	if (access(c->path, R_OK) == 0)
		skip(); /* root reads it anyway */
	assert_int_equal(load_path(c, c->path), LT_ERR_IO);
	assert_error(&c->err, c->path, 0, "", "cannot open: Permission denied");
}

/* Editors on other systems write a byte order mark and CRLF; both are text. */
static void test_bom_and_crlf(void **state)
{
	struct ctx *c = *state;
	check_good(c, "\xef\xbb\xbf[device]\r\nroom = Salle \xc3\xa9t\xc3\xa9\r\n");
	assert_string_equal(c->cfg.room, "Salle \xc3\xa9t\xc3\xa9");
	/* The length limit is the same with either line end: 198 characters load. */
	char text[512];
	int n = snprintf(text, sizeof text, "[ui]\r\ncadence = ");
	memset(text + n, 'c', 198 - 10);
	snprintf(text + n + 198 - 10, sizeof text - (size_t)n - 188, "\r\n");
	check_bad(c, text, 2, "ui.cadence", "value is too long (at most 63 characters)");
	text[n] = 'C';
	memcpy(text + n + 188, "c\r\n", 4); /* 199 characters */
	text[n + 192] = '\0';
	check_bad(c, text, 2, "ui.cadence",
		  "line is longer than 198 characters: continue the value on the next line, "
		  "indented");
	/* A file ending in a CR without LF still loads. */
	check_good(c, "[device]\r\nroom = B\r");
	assert_string_equal(c->cfg.room, "B");
}

/* An indented setting is not a continuation: it would vanish into the value above it (the
 * data directory becoming "/srv/lecternmin_free_mb = 5"). A continued text stays one. */
static void test_indented_setting_refused(void **state)
{
	struct ctx *c = *state;
	check_bad(c, "[device]\ndata_dir = /srv/lectern\n  min_free_mb = 5\n", 3,
		  "device.data_dir",
		  "this indented line would continue the value above; remove the indentation to "
		  "set 'min_free_mb'");
	check_bad(c, "[device]\nroom = Big\n\tdata_dir=/srv\n", 3, "device.room",
		  "this indented line would continue the value above; remove the indentation to "
		  "set 'data_dir'");
	check_good(c, "[device]\nroom = Big\n  Room = 4\n");
	assert_string_equal(c->cfg.room, "BigRoom = 4");
}

/* Trust -------------------------------------------------------------------------------------- */

/* A password file others can read is refused, not only warned about; the group may read it. */
static void test_password_file_mode(void **state)
{
	struct ctx *c = *state;
	char pw[PATH_MAX], text[PATH_MAX + 128], msg[PATH_MAX + 128];
	snprintf(pw, sizeof pw, "%s/secret.pw", c->dir);
	write_text(pw, "secret\n");
	snprintf(text, sizeof text, "[upload]\ntarget = none\nuser = rec\npassword_file = %s\n", pw);
	static const struct {
		mode_t mode;
		const char *problem; /* NULL: accepted */
	} cases[] = {
		{0600, NULL},
		{0400, NULL},
		{0640, NULL}, /* the documented install shape: root:lectern 0640 */
		{0644, "is readable by others (mode 0644)"},
		{0604, "is readable by others (mode 0604)"},
		{0666, "is readable by others (mode 0666)"},
		{0602, "can be changed by others (mode 0602)"},
		{0660, "can be changed by others (mode 0660)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(chmod(pw, cases[i].mode), 0);
		if (!cases[i].problem) {
			check_good(c, text);
			continue;
		}
		snprintf(msg, sizeof msg, "'%s' %s: chmod 0600 it", pw, cases[i].problem);
		check_bad(c, text, 4, "upload.password_file", msg);
	}
	/* [schedule]'s password file follows the same rule. */
	assert_int_equal(chmod(pw, 0644), 0);
	snprintf(text, sizeof text, "[schedule]\nuser = r\npassword_file = %s\n", pw);
	snprintf(msg, sizeof msg, "'%s' is readable by others (mode 0644): chmod 0600 it", pw);
	check_bad(c, text, 3, "schedule.password_file", msg);
	/* A FIFO, even 0600, would block the upload that reads it for ever: refused at start. */
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof fifo, "%s/secret.fifo", c->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(text, sizeof text, "[upload]\ntarget = none\nuser = rec\npassword_file = %s\n",
		 fifo);
	snprintf(msg, sizeof msg, "'%s' is not a regular file (a directory, FIFO or device): give "
		 "the file holding the password", fifo);
	check_bad(c, text, 4, "upload.password_file", msg);
}

/* Basic authentication over plain http:// is refused unless the configuration allows it. */
static void test_basic_auth_over_http(void **state)
{
	struct ctx *c = *state;
	char pw[PATH_MAX], text[PATH_MAX + 512];
	snprintf(pw, sizeof pw, "%s/secret.pw", c->dir);
	write_text(pw, "secret\n");
	assert_int_equal(chmod(pw, 0600), 0);
	static const char sched_msg[] =
		"[schedule] auth = basic over plain http:// sends the password readable on the "
		"network: use https://, auth = digest, or allow_insecure_auth = yes in [schedule]";
	static const char upload_msg[] =
		"[upload] auth = basic over plain http:// sends the password readable on the "
		"network: use https://, auth = digest, or allow_insecure_auth = yes in [upload]";
	static const struct {
		const char *text; /* %s: the password file */
		int line;         /* 0: accepted */
		const char *key, *msg;
	} cases[] = {
		{"[schedule]\nsource = ics\nics = http://cal.example.org/r.ics\nuser = u\n"
		 "password_file = %s\n", 3, "schedule.ics", sched_msg},
		{"[schedule]\nsource = ics\nics = HTTP://cal.example.org/r.ics\nuser = u\n"
		 "password_file = %s\n", 3, "schedule.ics", sched_msg},
		{"[schedule]\nsource = ics\nics = https://cal.example.org/r.ics\nuser = u\n"
		 "password_file = %s\n", 0, NULL, NULL},
		{"[schedule]\nsource = ics\nics = http://cal.example.org/r.ics\nuser = u\n"
		 "password_file = %s\nauth = digest\n", 0, NULL, NULL},
		{"[schedule]\nsource = ics\nics = http://cal.example.org/r.ics\nuser = u\n"
		 "password_file = %s\nallow_insecure_auth = yes\n", 0, NULL, NULL},
		/* No user: nothing to protect. */
		{"[schedule]\nsource = ics\nics = http://cal.example.org/r.ics # %s\n", 0, NULL,
		 NULL},
		{"[schedule]\nsource = opencast\nuser = u\npassword_file = %s\n[opencast]\n"
		 "url = http://oc.example.org\n", 6, "opencast.url", sched_msg},
		{"[upload]\ntarget = webdav\nurl = http://dav.example.org/\nuser = u\n"
		 "password_file = %s\n", 3, "upload.url", upload_msg},
		{"[upload]\ntarget = webdav\nurl = http://dav.example.org/\nuser = u\n"
		 "password_file = %s\nallow_insecure_auth = yes\n", 0, NULL, NULL},
		/* [upload]'s leave does not cover [schedule]'s credentials. */
		{"[schedule]\nsource = opencast\nuser = u\npassword_file = %s\n[upload]\n"
		 "allow_insecure_auth = yes\n[opencast]\nurl = http://oc.example.org\n", 8,
		 "opencast.url", sched_msg},
		/* [upload]'s account goes to Opencast only with target = opencast (net.h). */
		{"[schedule]\nsource = opencast\n[upload]\nuser = u\npassword_file = %s\n"
		 "[opencast]\nurl = http://oc.example.org\n", 0, NULL, NULL},
		{"[upload]\ntarget = opencast\nuser = u\npassword_file = %s\n"
		 "[opencast]\nurl = http://oc.example.org\n", 6, "opencast.url", upload_msg},
		{"[upload]\ntarget = opencast\nuser = u\npassword_file = %s\nauth = digest\n"
		 "[opencast]\nurl = http://oc.example.org\n", 0, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, cases[i].text, pw);
		if (cases[i].line)
			check_bad(c, text, cases[i].line, cases[i].key, cases[i].msg);
		else
			check_good(c, text);
	}
}

/* Line endings, comments, case -------------------------------------------------------------- */

static void test_crlf_line_endings(void **state)
{
	struct ctx *c = *state;
	check_good(c, "# written on Windows\r\n[device]\r\nroom = CRLF room\r\n"
		      "data_dir = /srv/crlf\r\n\r\n[audio]\r\nsource = file\r\nfile = /x.raw\r\n"
		      "rate = 44100\r\n[recording]\r\nframe_ms = 2.5\r\n");
	assert_string_equal(c->cfg.room, "CRLF room");
	assert_string_equal(c->cfg.data_dir, "/srv/crlf");
	assert_string_equal(c->cfg.spool_dir, "/srv/crlf/spool");
	assert_string_equal(c->cfg.audio_source, "file");
	assert_string_equal(c->cfg.audio_file, "/x.raw");
	assert_int_equal(c->cfg.audio_rate, 44100);
	assert_string_equal(c->cfg.frame_ms, "2.5");
	/* And errors in a CRLF file still name the right line and value. */
	check_bad(c, "[device]\r\nroom = A\r\n\r\n[recording]\r\ncomplexity = 11\r\n", 5,
		  "recording.complexity", "11 is out of range (0 to 10)");
}

static void test_comments_and_blank_lines(void **state)
{
	struct ctx *c = *state;
	check_good(c, "# hash comment\n"
		      "; semicolon comment\n"
		      "\n"
		      "   \n"
		      "[device]\n"
		      "  # indented comment\n"
		      "room = Room 101 ; inline comment\n"
		      "\n"
		      "[recording]\n"
		      "bitrate_kbps = 48\n");
	assert_string_equal(c->cfg.room, "Room 101");
	assert_int_equal(c->cfg.bitrate_kbps, 48);
	size_t n;
	const struct config_option *opts = config_options(&n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(opts[i].key, "room") == 0)
			assert_int_equal(c->cfg.lines[i], 7);
		if (strcmp(opts[i].key, "bitrate_kbps") == 0)
			assert_int_equal(c->cfg.lines[i], 10);
	}
	/* Comments and blank lines count for the line numbers of errors. */
	check_bad(c, "# one\n\n; three\n[device]\n\n# six\ncolour = x\n", 7, "device.colour",
		  "unknown key");
	/* An empty file is the defaults. */
	check_good(c, "");
	assert_string_equal(c->cfg.room, "Room");
}

static void test_choices_are_case_insensitive(void **state)
{
	struct ctx *c = *state;
	check_good(c, "[device]\nlog_level = DeBuG\n[audio]\nsource = FILE\nfile = /a.wav\n");
	/* Stored in the table's own spelling. */
	assert_string_equal(c->cfg.log_level, "debug");
	assert_string_equal(c->cfg.audio_source, "file");
	check_good(c, "[device]\nlog_level = Info\n[audio]\nsource = Alsa\n");
	assert_string_equal(c->cfg.log_level, "info");
	assert_string_equal(c->cfg.audio_source, "alsa");
}

static void test_bool_values(void **state)
{
	struct ctx *c = *state;
	size_t n;
	const struct config_option *opts = config_options(&n), *o = NULL;
	for (size_t i = 0; i < n && !o; i++)
		if (opts[i].type == CFG_BOOL)
			o = &opts[i];
	if (!o)
		skip(); /* no yes/no option in the table (yet) */
	static const struct {
		const char *text;
		int value;
	} cases[] = {{"yes", 1}, {"YES", 1}, {"true", 1}, {"On", 1}, {"1", 1},
		     {"no", 0}, {"No", 0}, {"false", 0}, {"OFF", 0}, {"0", 0}};
	char text[256], msg[128];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, "[%s]\n%s = %s\n", o->section, o->key, cases[i].text);
		check_good(c, text);
		int v;
		memcpy(&v, (const char *)&c->cfg + o->offset, sizeof v);
		assert_int_equal(v, cases[i].value);
	}
	snprintf(text, sizeof text, "[%s]\n%s = maybe\n", o->section, o->key);
	snprintf(msg, sizeof msg, "%s.%s", o->section, o->key);
	check_bad(c, text, 2, msg, "'maybe' is not yes or no");
}

static void test_set_from_command_line(void **state)
{
	struct ctx *c = *state;
	config_defaults(&c->cfg);
	assert_int_equal(config_set(&c->cfg, "recording", "bitrate_kbps", "64", 0, &c->err),
			 LT_OK);
	assert_int_equal(c->cfg.bitrate_kbps, 64);
	assert_int_equal(config_set(&c->cfg, "recording", "bitrate_kbps", "9999", 0, &c->err),
			 LT_ERR_CONFIG);
	assert_int_equal(c->cfg.bitrate_kbps, 64); /* unchanged */
	assert_error(&c->err, "(built-in defaults)", 0, "recording.bitrate_kbps",
		     "9999 is out of range (6 to 510)");
}

/* The sample file --------------------------------------------------------------------------- */

static void test_sample_round_trip(void **state)
{
	struct ctx *c = *state;
	FILE *f = fopen(c->path, "w");
	assert_non_null(f);
	config_write_sample(f);
	assert_int_equal(fclose(f), 0);

	/* Loaded over a zeroed config, the sample alone must give every default. */
	memset(&c->cfg, 0, sizeof c->cfg);
	memset(&c->err, 0, sizeof c->err);
	lt_err rc = config_load(&c->cfg, c->path, &c->err);
	if (rc != LT_OK) {
		char buf[PATH_MAX + 512];
		config_error_format(&c->err, buf, sizeof buf);
		fail_msg("the sample does not load: %s", buf);
	}
	struct config def;
	config_defaults(&def);
	assert_int_equal(config_check(&def, NULL), LT_OK);
	size_t n;
	const struct config_option *opts = config_options(&n);
	for (size_t i = 0; i < n; i++) {
		const char *a = (const char *)&c->cfg + opts[i].offset;
		const char *b = (const char *)&def + opts[i].offset;
		if (opts[i].type == CFG_INT || opts[i].type == CFG_BOOL)
			assert_memory_equal(a, b, sizeof(int));
		else
			assert_string_equal(a, b);
		assert_true(c->cfg.lines[i] > 0); /* set from the file, not left over */
	}
}

static void test_sample_names_every_key(void **state)
{
	struct ctx *c = *state;
	FILE *f = fopen(c->path, "w+");
	assert_non_null(f);
	config_write_sample(f);
	rewind(f);
	size_t n;
	const struct config_option *opts = config_options(&n);
	unsigned *seen = calloc(n, sizeof *seen);
	assert_non_null(seen);
	char line[1024], section[64] = "";
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '[') {
			char *end = strchr(line, ']');
			assert_non_null(end);
			*end = '\0';
			assert_true(strlen(line + 1) < sizeof section);
			memcpy(section, line + 1, strlen(line + 1) + 1);
			continue;
		}
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *eq = strstr(line, " = ");
		if (!eq)
			fail_msg("sample line is neither comment, section nor key = value: %s",
				 line);
		*eq = '\0';
		bool found = false;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(opts[i].section, section) == 0 &&
			    strcmp(opts[i].key, line) == 0) {
				seen[i]++;
				assert_string_equal(eq + 3, opts[i].def);
				found = true;
			}
		}
		if (!found)
			fail_msg("sample has [%s] %s, which is not in the option table", section,
				 line);
	}
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (seen[i] != 1)
			fail_msg("sample names %s.%s %u times", opts[i].section, opts[i].key,
				 seen[i]);
	free(seen);
}

/* Fixtures shared with the integration tests ----------------------------------------------- */

static void fixture_path(const char *name, char *buf, size_t n)
{
	const char *root = getenv("LECTERN_TEST_ROOT");
	if (root && *root)
		snprintf(buf, n, "%s/fixtures/config/%s", root, name);
	else
		snprintf(buf, n, "tests/fixtures/config/%s", name);
	if (access(buf, R_OK) != 0)
		fail_msg("fixture %s: %s (run from the repository root or set LECTERN_TEST_ROOT)",
			 buf, strerror(errno));
}

static void test_fixtures(void **state)
{
	struct ctx *c = *state;
	static const struct {
		const char *file;
		int line;
		const char *key, *msg;
	} cases[] = {
		{"unknown_key.conf", 4, "device.colour", "unknown key"},
		{"bad_range.conf", 5, "recording.bitrate_kbps", "9999 is out of range (6 to 510)"},
		{"bad_choice.conf", 4, "recording.frame_ms",
		 "'7' is not one of: 2.5 5 10 20 40 60"},
		{"syntax.conf", 3, "", "syntax error: expected [section] or key = value"},
		{"outside_section.conf", 2, "room", "key outside any [section]"},
		{"unknown_section.conf", 3, "speakers.volume", "unknown section [speakers]"},
		{"not_a_number.conf", 3, "recording.complexity", "'high' is not a whole number"},
		{"empty_room.conf", 3, "device.room",
		 "must not be empty: the room name is written into recordings"},
		{"nul_comment.conf", 3, "", "holds a NUL byte: this is not a text file"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[PATH_MAX];
		fixture_path(cases[i].file, path, sizeof path);
		/* The first line says which line is wrong. */
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		char first[256] = "", want[32];
		assert_non_null(fgets(first, sizeof first, f));
		fclose(f);
		snprintf(want, sizeof want, "# Line %d is wrong", cases[i].line);
		if (strncmp(first, want, strlen(want)) != 0)
			fail_msg("%s: first line should start with \"%s\": %s", path, want, first);

		config_defaults(&c->cfg);
		memset(&c->err, 0, sizeof c->err);
		assert_int_equal(config_load(&c->cfg, path, &c->err), LT_ERR_CONFIG);
		assert_error(&c->err, path, cases[i].line, cases[i].key, cases[i].msg);
	}
	char path[PATH_MAX];
	fixture_path("good.conf", path, sizeof path);
	config_defaults(&c->cfg);
	assert_int_equal(config_load(&c->cfg, path, &c->err), LT_OK);
	assert_string_equal(c->cfg.room, "Big meeting room");
	assert_string_equal(c->cfg.log_level, "info");
	assert_string_equal(c->cfg.audio_source, "file");
	assert_int_equal(c->cfg.audio_rate, 44100);
	assert_int_equal(c->cfg.audio_channels, 2);
	assert_int_equal(config_frame_samples48(&c->cfg), 120);
	assert_string_equal(c->cfg.spool_dir, "/tmp/lectern-fixture/spool");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_defaults_are_valid),
		T(test_spool_dir_follows_data_dir_unless_set),
		T(test_every_default_matches_the_table),
		T(test_frame_samples),
		T(test_unknown_key),
		T(test_unknown_section),
		T(test_key_outside_section),
		T(test_int_out_of_range),
		T(test_int_not_a_number),
		T(test_bad_choice),
		T(test_value_not_utf8),
		T(test_syntax_error),
		T(test_value_too_long),
		T(test_file_source_needs_file),
		T(test_empty_room),
		T(test_empty_data_dir),
		T(test_missing_file),
		T(test_first_problem_is_reported),
		T(test_long_line_keeps_line_numbers),
		T(test_nul_in_comment_is_refused),
		T(test_nul_in_value_is_refused),
		T(test_binary_file_is_refused),
		T(test_directory_is_refused),
		T(test_device_and_fifo_are_refused),
		T(test_huge_file_is_refused),
		T(test_unreadable_file),
		T(test_bom_and_crlf),
		T(test_indented_setting_refused),
		T(test_password_file_mode),
		T(test_basic_auth_over_http),
		T(test_crlf_line_endings),
		T(test_comments_and_blank_lines),
		T(test_choices_are_case_insensitive),
		T(test_bool_values),
		T(test_set_from_command_line),
		T(test_sample_round_trip),
		T(test_sample_names_every_key),
		T(test_fixtures),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
