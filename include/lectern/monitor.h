/*
 * monitor.h — listen to a microphone without recording it: a thread reads the source and
 * keeps a level meter (level.h), for the settings screen's live meter. The caller opens and
 * closes the source; the monitor only reads it between monitor_start() and monitor_stop().
 */
#ifndef LECTERN_MONITOR_H
#define LECTERN_MONITOR_H

#include "lectern/audio_source.h"
#include "lectern/err.h"

struct monitor;

lt_err monitor_start(struct audio_source *src, struct monitor **out);
/* The last ~50 ms window, dBFS. */
void monitor_read(struct monitor *m, float *rms_db, float *peak_db);
/* Stop reading (within one period) and free; the source is the caller's again. */
void monitor_stop(struct monitor *m);

#endif
