/*
 * level.h — level metering (RMS and peak in dBFS over ~50 ms windows) and the low-audio
 * alarm. The capture thread feeds; any thread reads the last published window.
 */
#ifndef LECTERN_LEVEL_H
#define LECTERN_LEVEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEVEL_FLOOR_DB (-96.0f)  /* what silence reads as */

struct level_meter {
	/* producer side */
	unsigned rate;
	unsigned window;          /* samples per window (rate / 20) */
	unsigned fill;
	double sum_sq;
	int peak;
	/* published: dB * 100, as integers so readers need no lock */
	_Atomic int rms_cdb;
	_Atomic int peak_cdb;
	_Atomic unsigned windows; /* count of published windows */
};

struct quiet_alarm {
	float threshold_db;       /* RMS below this counts as quiet */
	double seconds;           /* this long quiet raises the alarm */
	double quiet_for;         /* running */
	bool raised;
};

void level_init(struct level_meter *m, unsigned rate);
/*
 * Feed mono samples. Calls `on_window(rms_db, window_seconds, user)` for each completed window
 * (may be NULL).
 */
void level_feed(struct level_meter *m, const int16_t *mono, size_t n,
		void (*on_window)(float rms_db, double secs, void *user), void *user);
void level_read(const struct level_meter *m, float *rms_db, float *peak_db);

/* dBFS of an RMS or peak value relative to 32768. Clamped at LEVEL_FLOOR_DB. */
float level_db(double value);

void quiet_alarm_init(struct quiet_alarm *q, float threshold_db, double seconds);
/* Account one window; returns +1 when the alarm is raised now, -1 when it clears now, else 0. */
int quiet_alarm_feed(struct quiet_alarm *q, float rms_db, double secs);

#endif
