/*
 * signals.h — signal handlers only set flags; the main loop acts on them.
 *   SIGINT, SIGTERM: stop cleanly (finish the recording) and exit 0
 *   SIGHUP: reload the configuration
 *   SIGUSR1 / SIGUSR2: pause / resume the recording (`lectern record`)
 * SIGPIPE and SIGXFSZ are ignored so that they surface as write errors.
 */
#ifndef LECTERN_SIGNALS_H
#define LECTERN_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t signal_stop, signal_reload, signal_pause, signal_resume;

void signals_install(void);

#endif
