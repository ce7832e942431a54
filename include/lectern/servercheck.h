/*
 * servercheck.h — the Opencast check that `lectern provision` and `lectern doctor` share, so
 * that both say the same about the same server (and the settings screen's plain HTTP test
 * stays the screen's).
 *
 * Opencast answers a plain GET of its base URL with a redirect to its login page whatever the
 * credentials, so that says nothing. What a capture agent needs, asked as it will ask:
 *   1. the service registry (services/available.json) answers with the role's credentials
 *      (net_resolve: Digest with X-Requested-Auth as the uploader sends it) and lists the
 *      role's own service online: ingest for NET_ROLE_UPLOAD, the scheduler for
 *      NET_ROLE_CALENDAR (the agent's calendar), ingest for NET_ROLE_OPENCAST;
 *   2. it lists capture-admin, where the agent reports its state.
 * Each step is one finding: pass or fail, a sentence (never the password) and, for a failure,
 * a hint that says what to do. A step is not asked once the one before it failed.
 */
#ifndef LECTERN_SERVERCHECK_H
#define LECTERN_SERVERCHECK_H

#include <stdbool.h>

#include "lectern/config.h"
#include "lectern/net.h"

struct servercheck_finding {
	const char *name;           /* "target" (the role's service), "discovery" (capture-admin) */
	bool ok;
	char detail[640];
	char hint[256];             /* "" when ok */
};

struct servercheck {
	struct servercheck_finding findings[2];
	int count;
	bool ok;                    /* every finding passed */
	lt_err err;                 /* the first failure's: LT_ERR_AUTH refused credentials,
				     * LT_ERR_NOT_FOUND a service missing, LT_ERR_CONFIG the
				     * configuration (net_resolve), else the network's */
};

/* Check `role`'s Opencast server under `cfg` (each request `timeout_s`) into `out`. A role
 * that does not reach Opencast (net_role_url's *opencast false) is one failed finding. */
void servercheck_opencast(const struct config *cfg, enum net_role role, long timeout_s,
			  struct servercheck *out);

#endif
