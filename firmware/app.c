/* app.c — configuration, store and audio source set up the same way for every command. */
#include "lectern/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lectern/log.h"
#include "lectern/osutil.h"

int app_load_config(const char *path, struct config *cfg)
{
	config_defaults(cfg);
	struct config_error err;
	if (!path || !*path)
		path = getenv(CONFIG_ENV);
	if ((!path || !*path) && access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		path = CONFIG_DEFAULT_PATH;
	lt_err rc;
	if (path && *path) {
		rc = config_load(cfg, path, &err);
	} else {
		log_info("no %s: using built-in defaults", CONFIG_DEFAULT_PATH);
		rc = config_check(cfg, &err);
	}
	if (rc != LT_OK) {
		char line[PATH_MAX + 512];
		config_error_format(&err, line, sizeof line);
		fprintf(stderr, "%s\n", line);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int app_open_store(const struct config *cfg, struct store **out)
{
	const char *dirs[] = {cfg->data_dir, cfg->spool_dir};
	const char *what[] = {"data_dir", "spool_dir"};
	for (int i = 0; i < 2; i++) {
		if (os_check_writable_dir(dirs[i]) != LT_OK) {
			fprintf(stderr, "lectern: %s: [device] %s %s is not a writable directory: %s\n",
				cfg->source, what[i], dirs[i], strerror(errno));
			return EXIT_STORAGE;
		}
	}
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/lectern.db", cfg->data_dir) >= (int)sizeof path)
		return EXIT_STORAGE;
	if (store_open(path, out) != LT_OK) {
		fprintf(stderr, "lectern: cannot open the database %s (see the log above)\n", path);
		return EXIT_STORAGE;
	}
	return EXIT_OK;
}

int app_load_config_and_store(const char *path, struct config *cfg, struct store **out)
{
	int rc = app_load_config(path, cfg);
	return rc != EXIT_OK ? rc : app_open_store(cfg, out);
}

int app_open_audio(const struct config *cfg, const char *device, bool realtime, bool loop,
		   struct audio_source **out, bool *is_twin)
{
	struct audio_source_params p = {
		.device = device ? device : cfg->audio_device,
		.rate = (unsigned)cfg->audio_rate,
		.channels = (unsigned)cfg->audio_channels,
		.period_ms = (unsigned)cfg->audio_period_ms,
		.realtime = realtime,
		.loop = loop,
	};
	const struct audio_source_ops *ops = &audio_alsa_ops;
	if (!device && strcmp(cfg->audio_source, "file") == 0) {
		ops = &audio_file_ops;
	} else if (!device && strcmp(cfg->audio_source, "auto") == 0 &&
		   !audio_alsa_has_capture(cfg->audio_device)) {
		if (!cfg->audio_file[0]) {
			fprintf(stderr, "lectern: no microphone found (ALSA device '%s') and no "
					"[audio] file to stand in for it: plug in a microphone\n",
				cfg->audio_device);
			return EXIT_DEVICE;
		}
		fprintf(stderr, "lectern: no microphone found: using the audio file %s instead "
				"(demo mode)\n", cfg->audio_file);
		ops = &audio_file_ops;
	}
	if (ops == &audio_file_ops)
		p.device = cfg->audio_file;
	if (is_twin)
		*is_twin = ops == &audio_file_ops;
	char msg[256];
	lt_err err = audio_source_open(ops, &p, out, msg, sizeof msg);
	if (err != LT_OK) {
		fprintf(stderr, "lectern: %s\n", msg);
		return app_exit_code(err);
	}
	return EXIT_OK;
}

int app_exit_code(lt_err err)
{
	switch (err) {
	case LT_OK: return EXIT_OK;
	case LT_ERR_CONFIG:
	case LT_ERR_INVALID: return EXIT_USAGE;
	case LT_ERR_NO_DEVICE:
	case LT_ERR_FORMAT:
	case LT_ERR_DEVICE: return EXIT_DEVICE;
	case LT_ERR_IO:
	case LT_ERR_DISK_LOW:
	case LT_ERR_DISK_FULL:
	case LT_ERR_STORE: return EXIT_STORAGE;
	default: return EXIT_FAIL;
	}
}
