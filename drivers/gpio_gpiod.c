/*
 * gpio_gpiod.c — the panel's pins through libgpiod's character device (the v1.6 API of
 * Debian 12; see gpio.h).
 */
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/gpio.h"

#define CONSUMER "lectern"

struct gpio_gpiod {
	struct gpio base;
	struct gpiod_chip *chip;
	struct gpiod_line *led, *button;
};

/* A line by offset ("17") or by its name in the device tree ("GPIO17"). */
static struct gpiod_line *find_line(struct gpiod_chip *chip, const char *spec)
{
	char *end;
	errno = 0;
	unsigned long offset = strtoul(spec, &end, 10);
	if (*spec && !*end && !errno)
		return gpiod_chip_get_line(chip, (unsigned)offset);
	return gpiod_chip_find_line(chip, spec);
}

static void gpiod_close_pins(struct gpio *g)
{
	struct gpio_gpiod *d = (struct gpio_gpiod *)g;
	if (d->led)
		gpiod_line_release(d->led);
	if (d->button)
		gpiod_line_release(d->button);
	if (d->chip)
		gpiod_chip_close(d->chip);
	free(d);
}

static lt_err gpiod_open_pins(const struct gpio_params *p, struct gpio **out, char *why, size_t n)
{
	struct gpio_gpiod *d = calloc(1, sizeof *d);
	if (!d)
		return LT_ERR_NOMEM;
	int low = p->active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
	d->chip = gpiod_chip_open_lookup(p->chip);
	if (!d->chip) {
		snprintf(why, n, "GPIO chip '%s' cannot be opened (%s): check [gpio] chip "
			 "(gpiodetect lists them) and that lectern is in the gpio group", p->chip,
			 strerror(errno));
		goto fail;
	}
	if (p->led[0]) {
		d->led = find_line(d->chip, p->led);
		if (!d->led || gpiod_line_request_output_flags(d->led, CONSUMER, low, 0) < 0) {
			snprintf(why, n, "the REC LED's line '%s' on %s cannot be had (%s): check "
				 "[gpio] rec_led (gpioinfo lists the lines and who holds them)", p->led,
				 p->chip, d->led ? strerror(errno) : "no such line");
			d->led = NULL;
			goto fail;
		}
		d->base.has_led = true;
	}
	if (p->button[0]) {
		d->button = find_line(d->chip, p->button);
		/* Active low means a button to ground: the pull-up holds it high until pressed. */
		int flags = low | (p->active_low ? GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP : 0);
		if (!d->button || gpiod_line_request_input_flags(d->button, CONSUMER, flags) < 0) {
			snprintf(why, n, "the button's line '%s' on %s cannot be had (%s): check "
				 "[gpio] button (gpioinfo lists the lines and who holds them)",
				 p->button, p->chip, d->button ? strerror(errno) : "no such line");
			d->button = NULL;
			goto fail;
		}
		d->base.has_button = true;
	}
	snprintf(d->base.description, sizeof d->base.description, "%s: REC LED %s, button %s%s",
		 gpiod_chip_name(d->chip), p->led[0] ? p->led : "none",
		 p->button[0] ? p->button : "none", p->active_low ? " (active low)" : "");
	*out = &d->base;
	return LT_OK;
fail:
	gpiod_close_pins(&d->base);
	return LT_ERR_NO_DEVICE;
}

static int gpiod_read_button(struct gpio *g)
{
	struct gpio_gpiod *d = (struct gpio_gpiod *)g;
	return d->button ? gpiod_line_get_value(d->button) : 0;
}

static lt_err gpiod_set_led(struct gpio *g, bool on)
{
	struct gpio_gpiod *d = (struct gpio_gpiod *)g;
	if (d->led && gpiod_line_set_value(d->led, on) < 0)
		return LT_ERR_DEVICE;
	return LT_OK;
}

const struct gpio_ops gpio_gpiod_ops = {"gpiod", gpiod_open_pins, gpiod_read_button,
					gpiod_set_led, gpiod_close_pins};
