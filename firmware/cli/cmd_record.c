/* cmd_record.c — `lectern record`: one recording from the audio source, now. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lectern/app.h"
#include "lectern/app_audio.h"
#include "lectern/commands.h"
#include "lectern/osutil.h"
#include "lectern/session.h"
#include "lectern/signals.h"
#include "lectern/utf8.h"

static void record_usage(FILE *out)
{
	fprintf(out,
		"Usage: lectern record [--out FILE] [--seconds N] [--device PCM] [--file AUDIO]\n"
		"                      [--title T] [--presenter P] [--bitrate K]\n"
		"\n"
		"Records from the configured microphone until N seconds are captured, the source\n"
		"ends, or Ctrl-C / SIGTERM (which finish the file cleanly and exit 0).\n"
		"SIGUSR1 pauses and SIGUSR2 resumes; paused time is not recorded.\n"
		"\n"
		"  --out FILE       where to write the Ogg Opus file (default: SPOOL/<uid>.opus);\n"
		"                   a file outside the spool is yours: lectern never deletes it\n"
		"  --seconds N      stop after N seconds of audio\n"
		"  --device PCM     ALSA capture device (overrides [audio] device)\n"
		"  --file AUDIO     record a WAV/raw file instead of a microphone\n"
		"  --title T, --presenter P   written into the file's tags and the store\n"
		"  --bitrate K      Opus bitrate in kb/s (default from [recording] bitrate_kbps)\n");
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static void draw_meter(const struct recorder_status *st)
{
	int secs = (int)st->seconds;
	int bars = (int)lrintf((st->rms_db + 60.0f) / 3.0f);
	bars = bars < 0 ? 0 : bars > 20 ? 20 : bars;
	char meter[21];
	for (int i = 0; i < 20; i++)
		meter[i] = i < bars ? '#' : '-';
	meter[20] = '\0';
	fprintf(stderr, "\r%s %02d:%02d:%02d [%s] %6.1f dBFS peak %6.1f%s   ",
		st->paused ? "PAUSED" : "REC   ", secs / 3600, secs / 60 % 60, secs % 60, meter,
		st->rms_db, st->peak_db, st->low_audio ? "  NO AUDIO?" : "");
	fflush(stderr);
}

/*
 * --out as an absolute path (the directory resolved, the name kept): `upload --once` run from
 * another directory, and the service (working directory /), must find it again.
 */
static int absolute_out(const char *out, char *buf, size_t n)
{
	const char *slash = strrchr(out, '/');
	const char *name = slash ? slash + 1 : out;
	char dir[PATH_MAX], real[PATH_MAX];
	os_dirname(out, dir, sizeof dir);
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		fprintf(stderr, "lectern: record: --out %s names a directory, not a file\n", out);
		return EXIT_USAGE;
	}
	if (!realpath(dir, real)) {
		fprintf(stderr, "lectern: record: --out %s: the directory %s: %s\n", out, dir,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (snprintf(buf, n, "%s/%s", strcmp(real, "/") == 0 ? "" : real, name) >= (int)n) {
		fprintf(stderr, "lectern: record: --out %s: the path is too long\n", out);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_record(int argc, char **argv, const char *config_path)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'},	 {"seconds", required_argument, NULL, 's'},
		{"device", required_argument, NULL, 'd'}, {"file", required_argument, NULL, 'f'},
		{"title", required_argument, NULL, 't'},	 {"presenter", required_argument, NULL, 'p'},
		{"bitrate", required_argument, NULL, 'b'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct session_info info = {0};
	const char *device = NULL, *file = NULL;
	long v;
	int c;
	while ((c = getopt_long(argc, argv, "o:s:d:f:t:p:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': info.path = optarg; break;
		case 'd': device = optarg; break;
		case 'f': file = optarg; break;
		case 't': info.title = optarg; break;
		case 'p': info.presenter = optarg; break;
		case 's':
			if (!parse_long(optarg, 1, 7 * 86400, &v)) {
				fprintf(stderr, "lectern: record: --seconds '%s' must be a whole "
						"number of seconds from 1\n", optarg);
				return EXIT_USAGE;
			}
			info.max_seconds = v;
			break;
		case 'b':
			if (!parse_long(optarg, 6, 510, &v)) {
				fprintf(stderr, "lectern: record: --bitrate '%s' must be 6 to 510 "
						"(kb/s)\n", optarg);
				return EXIT_USAGE;
			}
			info.bitrate_kbps = (int)v;
			break;
		case 'h': record_usage(stdout); return EXIT_OK;
		default: record_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lectern: record: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	/* Text from the command line goes to the store, the Ogg tags and the sidecar, which
	 * hold UTF-8 only (utf8.h: repaired where it enters; a person typing is told instead). */
	const char *names[] = {"--title", "--presenter"}, *texts[] = {info.title, info.presenter};
	for (int i = 0; i < 2; i++)
		if (texts[i] && !utf8_valid(texts[i], strlen(texts[i]))) {
			fprintf(stderr, "lectern: record: %s is not UTF-8 text (set a UTF-8 locale in "
					"the terminal)\n", names[i]);
			return EXIT_USAGE;
		}
	if (device && file) {
		fprintf(stderr, "lectern: record: give --device or --file, not both\n");
		return EXIT_USAGE;
	}
	struct config cfg;
	int rc = app_load_config(config_path, &cfg);
	if (rc != EXIT_OK)
		return rc;
	if (file) {
		snprintf(cfg.audio_source, sizeof cfg.audio_source, "file");
		snprintf(cfg.audio_file, sizeof cfg.audio_file, "%s", file);
	}
	char out[PATH_MAX];
	if (info.path) {
		if ((rc = absolute_out(info.path, out, sizeof out)) != EXIT_OK)
			return rc;
		info.path = out;
	}
	if (info.path && access(info.path, F_OK) == 0) {
		fprintf(stderr, "lectern: record: %s already exists; lectern never overwrites a "
				"recording\n", info.path);
		return EXIT_USAGE;
	}
	struct store *st;
	if ((rc = app_open_store_locked(&cfg, "lectern record", &st)) != EXIT_OK)
		return rc;
	signals_install();
	struct audio_source *src;
	lt_err err = app_open_audio(&cfg, device, false, false, &src, NULL);
	if (err != LT_OK) {
		store_close(st);
		return app_exit_code(err);
	}
	struct session *s;
	err = session_start(st, &cfg, src, &info, &s);
	struct lt_error why; /* which part: the microphone, the storage, the configuration */
	if (err != LT_OK) {
		const char *detail = err == LT_ERR_IO ? strerror(errno) : NULL; /* errno first */
		lt_error_set(&why, err, lt_err_domain(err), NULL);
		fprintf(stderr, "lectern: record: cannot start: %s%s%s\n", why.text,
			detail ? ": " : "", detail ? detail : "");
		audio_source_close(src);
		store_close(st);
		return app_exit_code(err);
	}
	bool tty = isatty(STDERR_FILENO);
	while (!signal_stop && !session_wait(s, tty ? 100 : 250)) {
		if (signal_pause) {
			signal_pause = 0;
			session_pause(s);
		}
		if (signal_resume) {
			signal_resume = 0;
			session_resume(s);
		}
		if (tty) {
			struct recorder_status now;
			session_status(s, &now);
			draw_meter(&now);
		}
	}
	if (tty)
		fputc('\n', stderr);
	struct recording rec;
	err = session_stop(s, signal_stop ? "stopped by a signal" : NULL, &rec);
	audio_source_close(src);
	store_close(st);
	printf("Recorded %.2f s (%lld samples at 48 kHz, %lld bytes) to %s [%s]\n",
	       (double)rec.samples / 48000.0, (long long)rec.samples, (long long)rec.bytes, rec.path,
	       rec_state_name(rec.state));
	if (err != LT_OK) {
		lt_error_set(&why, err, lt_err_domain(err), NULL);
		fprintf(stderr, "lectern: record: stopped early: %s\n", why.text);
		return app_exit_code(err);
	}
	return EXIT_OK;
}
