/*
 * gpio.h — the optional hardware panel: a REC LED and a start/stop button on GPIO lines.
 *
 * Three parts:
 *  - the pins, behind an ops table ([gpio] chip): libgpiod's character device
 *    (drivers/gpio_gpiod.c, the v1.6 API), a file-backed twin (chip = file: rec_led and
 *    button name files; the button's file holds 1 while pressed, the LED's file receives 1 or
 *    0), and the no-op that stands in when nothing is configured;
 *  - the logic, pure and clocked from outside so that tests need no hardware and no waiting:
 *    the button is debounced (a level counts once it held GPIO_DEBOUNCE_MS), a press shorter
 *    than GPIO_LONG_PRESS_MS is a short press (on release: start), one held that long is a
 *    long press (at that moment, still held: stop; as the screen's 1.5 s hold); the LED is off,
 *    on (recording) or blinking GPIO_BLINK_MS on / off (paused);
 *  - the panel: a thread that polls the button every GPIO_POLL_MS and drives the LED, and hands
 *    presses to the main loop (gpio_panel_take), which acts on them as on the screen's buttons:
 *    the controller is touched by the main loop only.
 *
 * [gpio] active_low = yes inverts both lines (a button to ground with the pull-up enabled, an
 * LED wired to the supply). Lines are offsets ("17") or names from the device tree ("GPIO17").
 */
#ifndef LECTERN_GPIO_H
#define LECTERN_GPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lectern/config.h"
#include "lectern/err.h"

#define GPIO_DEBOUNCE_MS 30
#define GPIO_LONG_PRESS_MS 1500
#define GPIO_BLINK_MS 500
#define GPIO_POLL_MS 10

/* --- the pins ------------------------------------------------------------------------------ */

struct gpio_params {
	const char *chip;        /* "gpiochip0", "/dev/gpiochip0", "0"; "file" for the twin */
	const char *led;         /* line offset or name; "" none (twin: a file path) */
	const char *button;      /* line offset or name; "" none (twin: a file path) */
	bool active_low;
};

struct gpio;

struct gpio_ops {
	const char *name;        /* "gpiod", "file", "none" */
	lt_err (*open)(const struct gpio_params *p, struct gpio **out, char *why, size_t n);
	/* The button's level: 1 pressed, 0 released, -1 when it cannot be read. */
	int (*read_button)(struct gpio *g);
	lt_err (*set_led)(struct gpio *g, bool on);
	void (*close)(struct gpio *g);
};

/* The part every implementation starts with. */
struct gpio {
	const struct gpio_ops *ops;
	bool has_led, has_button;
	char description[192];   /* for the log: "gpiochip0 LED 17, button 27 (active low)" */
};

extern const struct gpio_ops gpio_gpiod_ops;
extern const struct gpio_ops gpio_file_ops;
extern const struct gpio_ops gpio_null_ops;

/*
 * Open the pins [gpio] names: chip "" or neither line set gives the no-op (LT_OK, nothing is
 * touched); "file" the twin; else libgpiod. LT_ERR_NO_DEVICE when the chip or a line cannot be
 * had (busy, no such line, no permission): `why` says which and what to do.
 */
lt_err gpio_open_config(const struct config *cfg, struct gpio **out, char *why, size_t n);
void gpio_close(struct gpio *g);

/* --- the logic ----------------------------------------------------------------------------- */

enum gpio_action { GPIO_NONE, GPIO_SHORT_PRESS, GPIO_LONG_PRESS };

struct gpio_button {
	bool stable;             /* debounced level: pressed */
	bool raw;                /* last level read */
	int64_t raw_since_ms;    /* when the raw level last changed */
	int64_t pressed_at_ms;   /* when the debounced press began */
	bool long_fired;         /* this press already gave its long press */
};

void gpio_button_init(struct gpio_button *b);
/* Account the level read at `now_ms` (monotonic); returns the press it completes, if any. */
enum gpio_action gpio_button_feed(struct gpio_button *b, bool pressed, int64_t now_ms);

enum gpio_led_mode { GPIO_LED_OFF, GPIO_LED_ON, GPIO_LED_BLINK };
/* Whether the LED is lit in `mode` at `now_ms` (blinking: lit in the first half of each
 * 2 * GPIO_BLINK_MS period). */
bool gpio_led_lit(enum gpio_led_mode mode, int64_t now_ms);

/* --- the panel ----------------------------------------------------------------------------- */

struct gpio_panel;

/*
 * Open the pins and start the panel's thread. *out is NULL (and LT_OK) when [gpio] configures
 * nothing; on failure the reason is logged and returned, *out NULL: the appliance runs on
 * without the panel.
 */
lt_err gpio_panel_start(const struct config *cfg, struct gpio_panel **out);
/* What the LED should show from now on. NULL panel: nothing. */
void gpio_panel_set_led(struct gpio_panel *p, enum gpio_led_mode mode);
/* The oldest press not taken yet (GPIO_NONE when none; NULL panel: none). Presses while the
 * main loop is busy are kept, up to a few. */
enum gpio_action gpio_panel_take(struct gpio_panel *p);
/* Whether the panel has a button (the main loop then looks for presses more often). */
bool gpio_panel_has_button(const struct gpio_panel *p);
/* Stop the thread, turn the LED off and close the pins. NULL is fine. */
void gpio_panel_stop(struct gpio_panel *p);

#endif
