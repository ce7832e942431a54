/* level.c — RMS/peak metering over ~50 ms windows and the low-audio alarm. */
#include "lectern/level.h"

#include <math.h>
#include <stdlib.h>

float level_db(double value)
{
	if (value <= 0.0)
		return LEVEL_FLOOR_DB;
	float db = (float)(20.0 * log10(value / 32768.0));
	return db < LEVEL_FLOOR_DB ? LEVEL_FLOOR_DB : db;
}

void level_init(struct level_meter *m, unsigned rate)
{
	m->rate = rate ? rate : 1;
	m->window = m->rate / 20 ? m->rate / 20 : 1;
	m->fill = 0;
	m->sum_sq = 0;
	m->peak = 0;
	atomic_init(&m->rms_cdb, (int)(LEVEL_FLOOR_DB * 100));
	atomic_init(&m->peak_cdb, (int)(LEVEL_FLOOR_DB * 100));
	atomic_init(&m->windows, 0);
}

void level_feed(struct level_meter *m, const int16_t *mono, size_t n,
		void (*on_window)(float rms_db, double secs, void *user), void *user)
{
	for (size_t i = 0; i < n; i++) {
		int v = mono[i];
		int a = abs(v);
		m->sum_sq += (double)v * v;
		if (a > m->peak)
			m->peak = a;
		if (++m->fill < m->window)
			continue;
		float rms = level_db(sqrt(m->sum_sq / m->fill));
		float peak = level_db(m->peak);
		atomic_store_explicit(&m->rms_cdb, (int)lrintf(rms * 100), memory_order_relaxed);
		atomic_store_explicit(&m->peak_cdb, (int)lrintf(peak * 100), memory_order_relaxed);
		atomic_fetch_add_explicit(&m->windows, 1, memory_order_release);
		if (on_window)
			on_window(rms, (double)m->fill / m->rate, user);
		m->fill = 0;
		m->sum_sq = 0;
		m->peak = 0;
	}
}

void level_read(const struct level_meter *m, float *rms_db, float *peak_db)
{
	if (rms_db)
		*rms_db = (float)atomic_load_explicit(&m->rms_cdb, memory_order_relaxed) / 100.0f;
	if (peak_db)
		*peak_db = (float)atomic_load_explicit(&m->peak_cdb, memory_order_relaxed) / 100.0f;
}

void quiet_alarm_init(struct quiet_alarm *q, float threshold_db, double seconds)
{
	q->threshold_db = threshold_db;
	q->seconds = seconds;
	q->quiet_for = 0;
	q->raised = false;
}

int quiet_alarm_feed(struct quiet_alarm *q, float rms_db, double secs)
{
	if (q->seconds <= 0)
		return 0;
	if (rms_db < q->threshold_db || rms_db <= LEVEL_FLOOR_DB) {
		q->quiet_for += secs;
		/* Summing window lengths drifts below the exact total: allow for it. */
		if (!q->raised && q->quiet_for >= q->seconds - 1e-6) {
			q->raised = true;
			return 1;
		}
		return 0;
	}
	q->quiet_for = 0;
	if (q->raised) {
		q->raised = false;
		return -1;
	}
	return 0;
}
