/*
 * cmd_run.c — `lectern run`: the appliance. Recovers interrupted recordings, starts the
 * uploader, calendar fetcher and Opencast agent threads, opens the touchscreen (the SDL
 * screen's plugin, screen.h; unless --headless, the plugin is missing or there is no display),
 * and runs the main loop: once a second the schedule and the controller, in between the
 * screen's taps; until SIGTERM (or the window is closed), telling systemd it is ready and
 * feeding its watchdog.
 */
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "lectern/app.h"
#include "lectern/app_audio.h"
#include "lectern/cli.h"
#include "lectern/commands.h"
#include "lectern/controller.h"
#include "lectern/gpio.h"
#include "lectern/health.h"
#include "lectern/kiosk.h"
#include "lectern/log.h"
#include "lectern/ocagent.h"
#include "lectern/osutil.h"
#include "lectern/recovery.h"
#include "lectern/retention.h"
#include "lectern/schedule.h"
#include "lectern/screen.h"
#include "lectern/signals.h"
#include "lectern/upload.h"

struct mic {
	const struct config *cfg;
	struct kiosk *kiosk;       /* its settings meter gives the microphone back first */
};

/* Recordings in the appliance take the microphone at their start and pace a demo file in
 * real time, looping, as a microphone would deliver it. The code says which failure (no
 * device, a format it cannot convert …): the screen tells them apart. */
static lt_err open_mic(void *user, struct audio_source **out)
{
	struct mic *m = user;
	kiosk_release_mic(m->kiosk);
	return app_open_audio(m->cfg, kiosk_audio_device(m->kiosk), true, true, out, NULL);
}

/* The settings screen's meter opens the microphone without taking it from a recording. */
static lt_err open_monitor(void *user, struct audio_source **out)
{
	const struct mic *m = user;
	return app_open_audio(m->cfg, kiosk_audio_device(m->kiosk), true, true, out, NULL);
}

/*
 * The touchscreen, unless its plugin cannot be loaded or there is no display: then the
 * appliance runs headless (recording on schedule, uploads) and says why.
 */
static struct kiosk *open_screen(const struct config *cfg, struct kiosk_deps *deps,
				 struct screen **screen)
{
	struct screen_params p = {.width = cfg->ui_width, .height = cfg->ui_height,
				  .fullscreen = cfg->ui_fullscreen, .rotation = cfg->ui_rotation,
				  .font_dir = cfg->ui_font_dir};
	const struct screen_ops *ops;
	char why[PATH_MAX + 256];
	lt_err err = screen_load(&ops, why, sizeof why);
	if (err == LT_OK)
		err = screen_open(ops, &p, screen, why, sizeof why);
	if (err != LT_OK) {
		struct lt_error e; /* the display's failure, not the microphone's (same codes) */
		lt_error_set(&e, err, LT_DOMAIN_DISPLAY, "%s", why);
		fprintf(stderr, "lectern: run: no screen (%s): running headless\n", e.text);
		log_warn("no screen (%s): running headless", e.text);
		return NULL;
	}
	deps->screen = *screen;
	struct kiosk *k = NULL;
	if (kiosk_create(deps, &k) != LT_OK) {
		log_error("screen: out of memory: running headless");
		screen_close(*screen);
		*screen = NULL;
	}
	return k;
}

/* The uploader, calendar fetcher and Opencast agent threads, as the configuration asks; the
 * agent hears of the controller's recordings. */
static void start_workers(const struct config *cfg, const char *db_path, struct controller *ctl,
			  struct uploader **up, struct schedule_fetcher **fetcher,
			  struct ocagent **agent)
{
	if (ocagent_start(cfg, db_path, agent) != LT_OK)
		log_error("opencast: the capture agent could not start; Opencast will not see its "
			  "state");
	controller_observe(ctl, *agent ? ocagent_observe : NULL, *agent);
	if (upload_target(cfg) && uploader_start(cfg, db_path, 5, up) != LT_OK)
		log_error("upload: the uploader could not start; recordings stay queued");
	if (strcmp(cfg->schedule_source, "none") != 0 &&
	    schedule_fetcher_start(cfg, db_path, fetcher) != LT_OK)
		log_error("schedule: the calendar fetcher could not start; using the cached one");
}

/* [health] prometheus_file: the figures `lectern status` shows, for node_exporter. */
static void write_health(const struct config *cfg, struct store *st,
			 const struct controller *ctl, const struct kiosk *kiosk)
{
	struct health_snapshot h = {0};
	/* While a recording or the settings screen's meter holds the microphone, opening it
	 * again would fail (a hw device opens once) and call it missing: it is there, and
	 * asking ALSA could only get in the way. */
	bool held = controller_recording(ctl, NULL) || kiosk_mic_held(kiosk);
	h.microphone_present = held;
	health_collect(cfg, st, os_now_ms(), true, !held, &h);
	if (health_write_prometheus(cfg->health_prometheus_file, &h) != LT_OK)
		log_warn("health: cannot write %s: %m", cfg->health_prometheus_file);
}

/* The GPIO panel's presses, acted on as the screen's buttons are (the controller belongs to
 * this loop), and its REC LED set from the controller. */
static void panel_step(struct gpio_panel *panel, struct controller *ctl, struct kiosk *kiosk)
{
	if (!panel)
		return;
	enum gpio_action a;
	int64_t now = (int64_t)time(NULL);
	while ((a = gpio_panel_take(panel)) != GPIO_NONE) {
		bool recording = controller_recording(ctl, NULL);
		if (a == GPIO_SHORT_PRESS && !recording) {
			log_info("gpio: start pressed");
			if (kiosk) {
				struct view_event ev = {.type = EV_START_RECORDING};
				kiosk_handle(kiosk, &ev, now); /* titled as on the screen */
			} else if (controller_start_manual(ctl, now, "") != LT_OK) {
				log_warn("gpio: the recording could not start");
			}
		} else if (a == GPIO_LONG_PRESS && recording) {
			controller_stop(ctl, "stopped with the button");
		}
	}
	struct controller_status cs;
	controller_status(ctl, &cs);
	gpio_panel_set_led(panel, !cs.recording ? GPIO_LED_OFF
				  : cs.rec.paused ? GPIO_LED_BLINK : GPIO_LED_ON);
}

/* Wait for taps (or signals) up to `ms`; with a button, in short slices so that a press is
 * acted on within PANEL_SLICE_MS rather than at the next tick. */
#define PANEL_SLICE_MS 50
static void wait_tick(struct kiosk *kiosk, struct gpio_panel *panel, struct controller *ctl, int ms)
{
	double end = os_mono_s() + ms / 1000.0;
	for (;;) {
		int left = (int)((end - os_mono_s()) * 1000.0);
		if (left <= 0 || signal_stop || signal_reload)
			return;
		int slice = gpio_panel_has_button(panel) && left > PANEL_SLICE_MS ? PANEL_SLICE_MS : left;
		if (kiosk)
			kiosk_wait(kiosk, slice); /* taps are handled as they come */
		else
			poll(NULL, 0, slice); /* signals cut it short */
		panel_step(panel, ctl, kiosk);
		if (!gpio_panel_has_button(panel) || (kiosk && kiosk_quit(kiosk)))
			return;
	}
}

int cmd_run(int argc, char **argv, const char *config_path)
{
	bool headless = false;
	int exit_code;
	if (!cli_flags(argc, argv, "run",
		       "Usage: lectern run [--headless]\n"
		       "Runs the appliance until SIGTERM. SIGHUP reloads the configuration.\n",
		       (const struct cli_flag[]){{"headless", &headless}, {NULL, NULL}}, &exit_code))
		return exit_code;
	struct config cfg;
	int rc = app_load_config(config_path, &cfg);
	if (rc != EXIT_OK)
		return rc;
	struct store *st;
	if ((rc = app_open_store_locked(&cfg, "lectern run", &st)) != EXIT_OK)
		return rc;
	signals_install();

	struct recovery_report rep;
	if (recovery_run(st, &rep) != LT_OK) {
		fprintf(stderr, "lectern: run: the recovery pass failed (see the log)\n");
		store_close(st);
		return EXIT_STORAGE;
	}
	if (rep.queued || rep.failed)
		log_info("recovery: %d recording(s) recovered and queued, %d not recoverable",
			 rep.queued, rep.failed);
	/* Say at start which microphone recordings will use, or that none works: the appliance
	 * still runs (schedule, uploads), and the reason is in the log for IT staff. */
	struct audio_source *mic;
	bool twin = false, mic_ok = false;
	char mic_name[160] = "";
	struct lt_error mic_error; /* for the screen: missing, or there but unusable */
	lt_err err = app_open_audio(&cfg, NULL, true, true, &mic, &twin);
	lt_error_set(&mic_error, err, LT_DOMAIN_MICROPHONE, NULL);
	if (err == LT_OK) {
		log_info("microphone: %s%s", mic->description, twin ? " (demo: no microphone found)" : "");
		snprintf(mic_name, sizeof mic_name, "%s", mic->description);
		mic_ok = true;
		audio_source_close(mic);
	} else {
		log_warn("no usable microphone: recordings cannot start until one is plugged in");
	}
	log_info("running in room '%s' (data in %s); stop with SIGTERM", cfg.room, cfg.data_dir);
	struct schedule *sched = NULL;
	struct controller *ctl = NULL;
	struct mic opener = {.cfg = &cfg};
	if (schedule_open(&cfg, st, &sched) != LT_OK ||
	    controller_create(&cfg, st, sched, open_mic, &opener, &ctl) != LT_OK) {
		fprintf(stderr, "lectern: run: out of memory\n");
		schedule_close(sched);
		store_close(st);
		return EXIT_FAIL;
	}
	int requeued = upload_recover(st);
	if (requeued)
		log_info("upload: %d interrupted upload(s) queued again", requeued);
	struct uploader *up = NULL;
	char db_path[PATH_MAX + 16];
	snprintf(db_path, sizeof db_path, "%s/lectern.db", cfg.data_dir);
	struct schedule_fetcher *fetcher = NULL;
	struct ocagent *agent = NULL;
	start_workers(&cfg, db_path, ctl, &up, &fetcher, &agent);
	int64_t retention_at = 0; /* without an uploader, retention runs from here (hourly) */
	struct screen *screen = NULL;
	struct kiosk *kiosk = NULL;
	if (!headless) {
		struct kiosk_deps deps = {.cfg = &cfg, .st = st, .sched = sched, .ctl = ctl,
					  .mic_name = mic_name, .mic_present = mic_ok,
					  .mic_error = &mic_error, .mic_twin = twin,
					  .open_audio = open_monitor, .audio_user = &opener,
					  .store_set_aside = app_store_set_aside()};
		kiosk = opener.kiosk = open_screen(&cfg, &deps, &screen);
	}
	struct gpio_panel *panel = NULL;
	gpio_panel_start(&cfg, &panel); /* nothing configured: none; a failure is logged */
	sd_notify(0, "READY=1\nSTATUS=idle");

	uint64_t watchdog_us = 0;
	int tick_ms = 1000;
	if (sd_watchdog_enabled(0, &watchdog_us) > 0 && watchdog_us / 2000 < (uint64_t)tick_ms)
		tick_ms = (int)(watchdog_us / 2000);
	/* TEST HOOK (tests/integration/test_watchdog.sh): after this many pets the loop hangs as
	 * a stuck one would, until SIGTERM, so that a test sees systemd's view of it. */
	const char *stall_env = getenv("LECTERN_TEST_STOP_WATCHDOG_AFTER");
	long stall_after = stall_env ? strtol(stall_env, NULL, 10) : 0, pets = 0;
	int64_t health_at = 0;
	while (!signal_stop && !(kiosk && kiosk_quit(kiosk))) {
		/* Petted from this loop only, never from a thread of its own: a loop stuck anywhere
		 * below stops the pets, and systemd restarts the service. */
		if (watchdog_us) {
			if (stall_after > 0 && pets >= stall_after) {
				log_warn("test hook: the main loop stalls (LECTERN_TEST_STOP_WATCHDOG_AFTER)");
				while (!signal_stop)
					pause();
				break;
			}
			sd_notify(0, "WATCHDOG=1");
			pets++;
		}
		int64_t now = (int64_t)time(NULL);
		schedule_sync(sched, fetcher);
		controller_tick(ctl, now);
		if (!up && now - retention_at >= 3600) {
			retention_run(&cfg, st, now * 1000, NULL);
			retention_at = now;
		}
		if (cfg.health_prometheus_file[0] &&
		    (now - health_at >= cfg.health_prometheus_interval_s || now < health_at)) {
			write_health(&cfg, st, ctl, kiosk);
			health_at = now;
		}
		panel_step(panel, ctl, kiosk);
		if (kiosk)
			kiosk_tick(kiosk, now);
		wait_tick(kiosk, panel, ctl, tick_ms);
		if (signal_reload) {
			signal_reload = 0;
			struct config fresh;
			if (app_load_config(config_path, &fresh) == EXIT_OK) {
				/* The threads read cfg: stop them while it changes. (The screen's
				 * connection test works on its own copy; see kiosk.c.) */
				controller_observe(ctl, NULL, NULL);
				ocagent_stop(agent, false);
				schedule_fetcher_stop(fetcher);
				uploader_stop(up);
				fetcher = NULL;
				up = NULL;
				agent = NULL;
				cfg = fresh;
				start_workers(&cfg, db_path, ctl, &up, &fetcher, &agent);
				gpio_panel_stop(panel); /* [gpio] may have changed too */
				panel = NULL;
				gpio_panel_start(&cfg, &panel);
				health_at = 0;
				log_info("configuration reloaded from %s", cfg.source);
			} else {
				log_warn("configuration not reloaded: keeping the running one");
			}
		}
	}
	sd_notify(0, "STOPPING=1");
	log_info("stopping");
	controller_destroy(ctl); /* the recording is finished first, whatever the threads do */
	gpio_panel_stop(panel);  /* the REC LED goes out */
	kiosk_destroy(kiosk);
	screen_close(screen);
	ocagent_stop(agent, true); /* told the recording's end above; now `offline` */
	schedule_fetcher_stop(fetcher);
	uploader_stop(up);
	schedule_close(sched);
	store_close(st);
	return EXIT_OK;
}
