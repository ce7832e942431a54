/*
 * gpio_file.c — the panel's file-backed twin (see gpio.h): the button is a file holding "1"
 * while pressed (anything else, or no file, is released), the LED a file that receives "1" or
 * "0" at every change (replaced atomically, so a reader never sees it half-written). Tests and
 * demos press the button with `echo 1 > FILE`.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lectern/gpio.h"
#include "lectern/osutil.h"

struct gpio_file {
	struct gpio base;
	char led[PATH_MAX];
	char button[PATH_MAX];
	bool active_low;
};

static lt_err file_open(const struct gpio_params *p, struct gpio **out, char *why, size_t n)
{
	struct gpio_file *f = calloc(1, sizeof *f);
	if (!f)
		return LT_ERR_NOMEM;
	if (strlen(p->led) >= sizeof f->led || strlen(p->button) >= sizeof f->button) {
		snprintf(why, n, "[gpio] rec_led or button: path too long");
		free(f);
		return LT_ERR_INVALID;
	}
	strcpy(f->led, p->led);
	strcpy(f->button, p->button);
	f->active_low = p->active_low;
	f->base.has_led = f->led[0] != '\0';
	f->base.has_button = f->button[0] != '\0';
	snprintf(f->base.description, sizeof f->base.description,
		 "file twin: REC LED %.80s, button %.80s", f->led[0] ? f->led : "none",
		 f->button[0] ? f->button : "none");
	*out = &f->base;
	return LT_OK;
}

static int file_read_button(struct gpio *g)
{
	struct gpio_file *f = (struct gpio_file *)g;
	int fd = open(f->button, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char c = '0';
	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '0';
		close(fd);
	}
	bool level = c == '1';
	return f->active_low ? !level : level;
}

static lt_err file_set_led(struct gpio *g, bool on)
{
	struct gpio_file *f = (struct gpio_file *)g;
	bool level = f->active_low ? !on : on;
	return os_write_atomic(f->led, level ? "1\n" : "0\n", 2, 0644);
}

static void file_close(struct gpio *g)
{
	free(g);
}

const struct gpio_ops gpio_file_ops = {"file", file_open, file_read_button, file_set_led,
				       file_close};
