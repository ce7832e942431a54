/*
 * gpio.c — the panel's logic and thread, the no-op pins and the choice among the pins'
 * implementations (see gpio.h).
 */
#include "lectern/gpio.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern/log.h"
#include "lectern/osutil.h"

/* --- the no-op ------------------------------------------------------------------------------ */

static lt_err null_open(const struct gpio_params *p, struct gpio **out, char *why, size_t n)
{
	(void)p;
	(void)why;
	(void)n;
	struct gpio *g = calloc(1, sizeof *g);
	if (!g)
		return LT_ERR_NOMEM;
	snprintf(g->description, sizeof g->description, "none");
	*out = g;
	return LT_OK;
}

static int null_read(struct gpio *g)
{
	(void)g;
	return 0;
}

static lt_err null_led(struct gpio *g, bool on)
{
	(void)g;
	(void)on;
	return LT_OK;
}

static void null_close(struct gpio *g)
{
	free(g);
}

const struct gpio_ops gpio_null_ops = {"none", null_open, null_read, null_led, null_close};

lt_err gpio_open_config(const struct config *cfg, struct gpio **out, char *why, size_t n)
{
	*out = NULL;
	if (n)
		why[0] = '\0';
	struct gpio_params p = {.chip = cfg->gpio_chip, .led = cfg->gpio_rec_led,
				.button = cfg->gpio_button, .active_low = cfg->gpio_active_low};
	const struct gpio_ops *ops = &gpio_gpiod_ops;
	if (!p.chip[0] || (!p.led[0] && !p.button[0]))
		ops = &gpio_null_ops;
	else if (strcmp(p.chip, "file") == 0)
		ops = &gpio_file_ops;
	lt_err err = ops->open(&p, out, why, n);
	if (err == LT_OK)
		(*out)->ops = ops;
	else if (n && !why[0])
		snprintf(why, n, "%s", lt_strerror(err));
	return err;
}

void gpio_close(struct gpio *g)
{
	if (g)
		g->ops->close(g);
}

/* --- the logic ------------------------------------------------------------------------------ */

void gpio_button_init(struct gpio_button *b)
{
	memset(b, 0, sizeof *b);
}

enum gpio_action gpio_button_feed(struct gpio_button *b, bool pressed, int64_t now_ms)
{
	if (pressed != b->raw) {
		b->raw = pressed;
		b->raw_since_ms = now_ms;
	}
	/* A contact bounces for a few milliseconds: a level counts once it held that long. */
	if (b->raw != b->stable && now_ms - b->raw_since_ms >= GPIO_DEBOUNCE_MS) {
		b->stable = b->raw;
		if (b->stable) {
			b->pressed_at_ms = b->raw_since_ms;
			b->long_fired = false;
		} else if (!b->long_fired) {
			return GPIO_SHORT_PRESS;
		}
	}
	/* The long press fires while still held, as the screen's hold-to-stop completes (a
	 * release not yet debounced is not held). */
	if (b->stable && b->raw && !b->long_fired && now_ms - b->pressed_at_ms >= GPIO_LONG_PRESS_MS) {
		b->long_fired = true;
		return GPIO_LONG_PRESS;
	}
	return GPIO_NONE;
}

bool gpio_led_lit(enum gpio_led_mode mode, int64_t now_ms)
{
	switch (mode) {
	case GPIO_LED_ON: return true;
	case GPIO_LED_BLINK: return now_ms >= 0 && (now_ms / GPIO_BLINK_MS) % 2 == 0;
	case GPIO_LED_OFF: break;
	}
	return false;
}

/* --- the panel ------------------------------------------------------------------------------ */

#define PENDING_MAX 4

struct gpio_panel {
	struct gpio *pins;
	pthread_t thread;
	atomic_bool stop;
	atomic_int led_mode;
	pthread_mutex_t lock;              /* guards the pending presses */
	enum gpio_action pending[PENDING_MAX];
	int n_pending;
};

static int64_t mono_ms(void)
{
	return (int64_t)(os_mono_s() * 1000.0);
}

static void *panel_main(void *arg)
{
	struct gpio_panel *p = arg;
	struct gpio_button b;
	gpio_button_init(&b);
	int lit = -1;
	bool read_failed = false;
	while (!atomic_load(&p->stop)) {
		int64_t now = mono_ms();
		if (p->pins->has_button) {
			int level = p->pins->ops->read_button(p->pins);
			if (level < 0 && !read_failed)
				log_warn("gpio: the button cannot be read; presses are ignored");
			read_failed = level < 0;
			enum gpio_action a = gpio_button_feed(&b, level > 0, now);
			if (a != GPIO_NONE) {
				pthread_mutex_lock(&p->lock);
				if (p->n_pending < PENDING_MAX)
					p->pending[p->n_pending++] = a;
				pthread_mutex_unlock(&p->lock);
			}
		}
		if (p->pins->has_led) {
			bool on = gpio_led_lit((enum gpio_led_mode)atomic_load(&p->led_mode), now);
			if ((int)on != lit && p->pins->ops->set_led(p->pins, on) == LT_OK)
				lit = on;
		}
		struct timespec ts = {0, GPIO_POLL_MS * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (p->pins->has_led)
		p->pins->ops->set_led(p->pins, false);
	return NULL;
}

lt_err gpio_panel_start(const struct config *cfg, struct gpio_panel **out)
{
	*out = NULL;
	struct gpio *pins;
	char why[256];
	lt_err err = gpio_open_config(cfg, &pins, why, sizeof why);
	if (err != LT_OK) {
		log_warn("gpio: %s: running without the REC LED and button", why);
		return err;
	}
	if (pins->ops == &gpio_null_ops) {
		gpio_close(pins);
		return LT_OK;
	}
	struct gpio_panel *p = calloc(1, sizeof *p);
	if (!p) {
		gpio_close(pins);
		return LT_ERR_NOMEM;
	}
	p->pins = pins;
	pthread_mutex_init(&p->lock, NULL);
	atomic_init(&p->stop, false);
	atomic_init(&p->led_mode, GPIO_LED_OFF);
	if (pthread_create(&p->thread, NULL, panel_main, p) != 0) {
		log_warn("gpio: could not start its thread: running without the panel");
		gpio_close(pins);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return LT_ERR_NOMEM;
	}
	log_info("gpio: %s", pins->description);
	*out = p;
	return LT_OK;
}

void gpio_panel_set_led(struct gpio_panel *p, enum gpio_led_mode mode)
{
	if (p)
		atomic_store(&p->led_mode, (int)mode);
}

enum gpio_action gpio_panel_take(struct gpio_panel *p)
{
	if (!p)
		return GPIO_NONE;
	enum gpio_action a = GPIO_NONE;
	pthread_mutex_lock(&p->lock);
	if (p->n_pending) {
		a = p->pending[0];
		memmove(p->pending, p->pending + 1, (size_t)(--p->n_pending) * sizeof p->pending[0]);
	}
	pthread_mutex_unlock(&p->lock);
	return a;
}

bool gpio_panel_has_button(const struct gpio_panel *p)
{
	return p && p->pins->has_button;
}

void gpio_panel_stop(struct gpio_panel *p)
{
	if (!p)
		return;
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	gpio_close(p->pins);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
