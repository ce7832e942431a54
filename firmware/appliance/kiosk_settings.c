/*
 * kiosk_settings.c — the settings screen's live pieces (see kiosk_settings.h).
 */
#include "lectern/kiosk_settings.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lectern/fetch.h"
#include "lectern/kiosk_view.h"
#include "lectern/log.h"
#include "lectern/net.h"
#include "lectern/osutil.h"
#include "lectern/sharedir.h"
#include "lectern/utf8.h"

void kiosk_settings_init(struct kiosk_settings *s, const struct kiosk_settings_params *p)
{
	memset(s, 0, sizeof *s);
	s->p = *p;
	if (!s->p.clock)
		s->p.clock = os_mono_s;
	const struct config *cfg = p->cfg;
	s->peak_hold = -90;
	pthread_mutex_init(&s->test_lock, NULL);
	/* The configured microphone first; other ALSA capture devices to switch to. */
	char names[VIEW_MAX_INPUTS][64], descs[VIEW_MAX_INPUTS][64];
	int found = strcmp(cfg->audio_source, "file") == 0
			    ? 0
			    : audio_alsa_list_capture(names, descs, VIEW_MAX_INPUTS);
	const char *mic = p->mic_present ? (p->mic_twin ? "demo file" : p->mic_name)
					 : "no microphone";
	snprintf(s->input_name[0], sizeof s->input_name[0], "%.*s (configured)",
		 utf8_fit(mic, 50), mic);
	s->n_inputs = 1;
	for (int i = 0; i < found && s->n_inputs < VIEW_MAX_INPUTS; i++) {
		if (strcmp(names[i], cfg->audio_device) == 0)
			continue;
		utf8_copy(s->input_dev[s->n_inputs], sizeof s->input_dev[0], names[i]);
		const char *desc = descs[i][0] ? descs[i] : names[i];
		snprintf(s->input_name[s->n_inputs++], sizeof s->input_name[0], "%.*s%s%.*s",
			 utf8_fit(desc, 38), desc, descs[i][0] ? " · " : "",
			 utf8_fit(names[i], 20), names[i]);
	}
	char why[PATH_MAX + 64];
	s->brightness = cfg->ui_brightness;
	backlight_open(cfg->ui_backlight, &s->bl, why, sizeof why);
	log_info("screen: %s", why);
	backlight_set(&s->bl, s->brightness);
}

void kiosk_settings_free(struct kiosk_settings *s)
{
	kiosk_settings_release_mic(s);
	camera_close(s->cam);
	s->cam = NULL;
	if (s->test_started)
		pthread_join(s->test_thread, NULL);
	pthread_mutex_destroy(&s->test_lock);
}

/* --- the microphone and its meter --------------------------------------------------------- */

void kiosk_settings_release_mic(struct kiosk_settings *s)
{
	if (!s->mon_src)
		return;
	monitor_stop(s->mon);
	audio_source_close(s->mon_src);
	s->mon = NULL;
	s->mon_src = NULL;
}

/* The settings screen meters the microphone while nothing records. */
static void monitor_as_needed(struct kiosk_settings *s, enum view_screen screen, bool recording)
{
	bool want = screen == VIEW_SETTINGS && !recording && s->p.open_audio;
	if (!want) {
		kiosk_settings_release_mic(s);
	} else if (!s->mon_src && s->p.open_audio(s->p.audio_user, &s->mon_src) == LT_OK &&
		   monitor_start(s->mon_src, &s->mon) != LT_OK) {
		audio_source_close(s->mon_src);
		s->mon_src = NULL;
	}
}

void kiosk_settings_select_input(struct kiosk_settings *s, int i)
{
	if (i < 0 || i >= s->n_inputs || i == s->input_sel)
		return;
	s->input_sel = i;
	kiosk_settings_release_mic(s); /* the meter listens to the new one */
	log_info("screen: recordings now use %s",
		 i ? s->input_dev[i] : "the configured microphone");
}

const char *kiosk_settings_audio_device(const struct kiosk_settings *s)
{
	return s->input_sel > 0 ? s->input_dev[s->input_sel] : NULL;
}

void kiosk_settings_show_meter(struct kiosk_settings *s, struct view *v)
{
	if (!v->recording && s->mon) {
		monitor_read(s->mon, &v->rms_db, &v->peak_db);
		v->rms_db = kiosk_view_db(v->rms_db);
		v->peak_db = kiosk_view_db(v->peak_db);
	}
	double t = s->p.clock();
	if (v->peak_db >= s->peak_hold || t - s->peak_hold_at > 1.5) {
		s->peak_hold = v->peak_db;
		s->peak_hold_at = t;
	}
	v->peak_hold_db = s->peak_hold;
}

/* --- the camera preview ------------------------------------------------------------------- */

/* The camera is open while the settings screen shows it; without a camera, [camera]
 * source = auto shows the twin's test pattern and says so (like the demo microphone). */
static void camera_as_needed(struct kiosk_settings *s, enum view_screen screen)
{
	const struct config *cfg = s->p.cfg;
	if (screen != VIEW_SETTINGS) {
		camera_close(s->cam);
		s->cam = NULL;
		s->cam_tried = 0;
		return;
	}
	double t = s->p.clock();
	if (s->cam || (s->cam_tried && t - s->cam_tried < 5))
		return;
	s->cam_tried = t;
	char msg[160];
	bool twin = false;
	lt_err err = camera_open_config(cfg, &s->cam, &twin, msg, sizeof msg);
	if (err == LT_ERR_NO_DEVICE && strcmp(cfg->camera_source, "auto") == 0) {
		struct camera_params cp = {.width = cfg->camera_width,
					   .height = cfg->camera_height};
		err = camera_open(&camera_file_ops, &cp, &s->cam, msg, sizeof msg);
		twin = true;
	}
	if (err != LT_OK) {
		s->cam = NULL;
		struct lt_error e; /* the preview's label says it is the camera, not the microphone */
		lt_error_set(&e, err, LT_DOMAIN_CAMERA, "%s", msg);
		utf8_copy(s->cam_name, sizeof s->cam_name, e.text);
		return;
	}
	snprintf(s->cam_name, sizeof s->cam_name, "%.*s%s",
		 utf8_fit(s->cam->description, 80), s->cam->description,
		 twin && !strstr(s->cam->description, "no camera") ? " (no camera)" : "");
}

static void show_camera(const struct kiosk_settings *s, struct view *v)
{
	v->camera_present = s->cam != NULL;
	utf8_copy(v->camera_name, sizeof v->camera_name, s->cam_name);
	if (!s->cam || !s->cam_frame)
		return;
	v->camera_w = VIEW_CAMERA_W;
	v->camera_h = VIEW_CAMERA_H;
	v->camera_frame = s->cam_frame;
	memcpy(v->camera_rgb, s->cam_rgb, sizeof v->camera_rgb);
}

bool kiosk_settings_picture(struct kiosk_settings *s, struct view *v)
{
	double t = s->p.clock();
	struct camera_frame f;
	if (!s->cam || t - s->cam_grabbed < 0.1 || camera_grab(s->cam, &f, 0) != LT_OK)
		return false;
	s->cam_grabbed = t;
	camera_scale_rgb(&f, s->cam_rgb, VIEW_CAMERA_W, VIEW_CAMERA_H);
	s->cam_frame++;
	show_camera(s, v);
	return true;
}

/* --- the rest ----------------------------------------------------------------------------- */

void kiosk_settings_follow(struct kiosk_settings *s, enum view_screen screen, bool recording)
{
	monitor_as_needed(s, screen, recording);
	camera_as_needed(s, screen);
}

bool kiosk_settings_live(const struct kiosk_settings *s)
{
	return s->mon || s->cam;
}

void kiosk_settings_brightness(struct kiosk_settings *s, int64_t percent)
{
	s->brightness = percent < 10 ? 10 : percent > 100 ? 100 : (int)percent;
	backlight_set(&s->bl, s->brightness);
}

void kiosk_settings_show(struct kiosk_settings *s, struct view *v)
{
	kiosk_settings_show_meter(s, v);
	v->n_inputs = s->n_inputs;
	memcpy(v->inputs, s->input_name, sizeof v->inputs);
	v->input_selected = s->input_sel;
	show_camera(s, v);
	v->brightness = s->brightness;
	pthread_mutex_lock(&s->test_lock);
	utf8_copy(v->connection_test, sizeof v->connection_test, s->test_result);
	pthread_mutex_unlock(&s->test_lock);
}

/* --- the connection test ------------------------------------------------------------------ */

static void test_result(struct kiosk_settings *s, const char *text)
{
	pthread_mutex_lock(&s->test_lock);
	utf8_copy(s->test_result, sizeof s->test_result, text);
	pthread_mutex_unlock(&s->test_lock);
}

/* One GET of the server's address: any HTTP answer means it is reachable with these
 * credentials; a refusal or a network failure says why. */
static void probe(const struct net_server *srv, char *text, size_t n)
{
	struct fetch_request req = {.url = srv->url, .timeout_s = 10, .max_bytes = 1 << 20};
	net_prepare_request(srv, &req);
	struct fetch_result res = {0};
	char host[128];
	fetch_url_host(srv->url, host, sizeof host);
	lt_err err = fetch_get(&req, &res);
	if (err == LT_OK || err == LT_ERR_HTTP)
		snprintf(text, n, "%s answered (HTTP %ld): reachable", host, res.status);
	else
		utf8_copy(text, n, res.error[0] ? res.error : lt_strerror(err));
	fetch_result_free(&res);
}

/* Ask the server once; the result said in `text`. The one call into the net layer. */
static void test_server(const struct config *cfg, char *text, size_t n)
{
	/* The very server, credentials and CA the uploader (or the calendar) uses. */
	enum net_role role;
	struct net_server srv = {0};
	char why[160];
	lt_err rc = net_test_role(cfg, &role);
	if (rc == LT_OK)
		rc = net_resolve(cfg, role, &srv, why, sizeof why);
	if (rc == LT_OK)
		probe(&srv, text, n);
	else
		utf8_copy(text, n, why);
	net_server_clear(&srv);
}

static void *test_main(void *arg)
{
	struct kiosk_settings *s = arg;
	const struct config *cfg = &s->test_cfg;
	char text[160];
	const char *url = kiosk_server_url(cfg);
	char why[320];
	/* Asked without creating anything (sharedir.h): a test that made the folder would make a
	 * bare mount point look like the share. */
	if (strcmp(cfg->upload_target, "folder") == 0 &&
	    sharedir_check(cfg->upload_folder, why, sizeof why) == LT_OK)
		snprintf(text, sizeof text, "%.*s: reachable and writable",
			 utf8_fit(cfg->upload_folder, 100), cfg->upload_folder);
	else if (strcmp(cfg->upload_target, "folder") == 0)
		utf8_copy(text, sizeof text, why);
	else if (!url[0])
		snprintf(text, sizeof text, "No server configured: recordings stay on this device.");
	else
		test_server(cfg, text, sizeof text);
	test_result(s, text);
	atomic_store(&s->test_running, false);
	return NULL;
}

void kiosk_settings_test_connection(struct kiosk_settings *s)
{
	if (atomic_load(&s->test_running))
		return;
	if (s->test_started)
		pthread_join(s->test_thread, NULL);
	s->test_started = false;
	test_result(s, "Testing the connection…");
	s->test_cfg = *s->p.cfg;
	atomic_store(&s->test_running, true);
	if (pthread_create(&s->test_thread, NULL, test_main, s) != 0) {
		atomic_store(&s->test_running, false);
		test_result(s, "Could not start the test (out of resources)");
		return;
	}
	s->test_started = true;
}
