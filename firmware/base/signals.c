/* signals.c — flag-setting handlers (see signals.h). */
#include "lectern/signals.h"

#include <string.h>

volatile sig_atomic_t signal_stop, signal_reload, signal_pause, signal_resume;

static void on_signal(int sig)
{
	switch (sig) {
	case SIGINT:
	case SIGTERM: signal_stop = 1; break;
	case SIGHUP: signal_reload = 1; break;
	case SIGUSR1: signal_pause = 1; break;
	case SIGUSR2: signal_resume = 1; break;
	default: break;
	}
}

void signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
}
