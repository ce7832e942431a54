/*
 * ocagent.h — the appliance's presence as an Opencast capture agent (capture-admin).
 *
 * Runs when [opencast] url is set and the schedule source or the upload target is opencast.
 * A thread of its own (a worker, worker.h: a pass each second of the monotonic clock and at
 * once on ocagent_observe; its own libcurl handle and store connection) does all the talking,
 * so that the main loop never waits for the network:
 * - at start: capture-admin is discovered (org.opencastproject.capture.admin, else
 *   {url}/capture-admin), and the agent's capabilities (capture.device.names …) are POSTed as
 *   Java properties XML to /capture-admin/agents/{name}/configuration;
 * - the agent state (idle | capturing | uploading | error) with the `address` field (our IP
 *   on the connection to Opencast, else the host name) to /capture-admin/agents/{name} every
 *   [opencast] state_s seconds and at once (within about a second) on every change;
 * - a scheduled recording's states capturing / capture_finished / capture_error to
 *   /capture-admin/recordings/{event UID}, as the controller reports them (ocagent_observe);
 * - `offline` at a clean shutdown (ocagent_stop with offline = true).
 *
 * The state: capturing while the controller says a recording runs; else uploading while the
 * store holds a recording in `uploading` (read from the thread's own connection, so the
 * uploader thread needs no hook); else error when the last recording failed (until the next
 * one starts); else idle. Reports that fail are logged and tried again at the next period;
 * they never hold up a recording.
 *
 * The agent's name is [opencast] agent, or the room's name. Server, credentials and CA:
 * net_resolve(NET_ROLE_OPENCAST), the one rule of net.h.
 */
#ifndef LECTERN_OCAGENT_H
#define LECTERN_OCAGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/config.h"
#include "lectern/controller.h"

struct ocagent;

/*
 * Start the agent thread for `cfg` (which must outlive it) with its own store connection on
 * `db_path`. When the configuration asks for no agent, *out is NULL and LT_OK is returned.
 * LT_ERR_NOMEM, LT_ERR_STORE, or the password file's error.
 */
lt_err ocagent_start(const struct config *cfg, const char *db_path, struct ocagent **out);

/* A controller_observer_fn: `agent` is the struct ocagent (NULL: ignored). Queues the report
 * and wakes the thread; never blocks on the network. Call from one thread at a time. */
void ocagent_observe(void *agent, enum controller_change change, int64_t recording_id,
		     const char *event_uid);

/* The state the agent reports now ("idle", "capturing", "uploading", "error"). */
const char *ocagent_state(struct ocagent *a);

/*
 * Stop the thread (a report in flight is abandoned), post `offline` when asked (a clean
 * shutdown; not for a configuration reload), and free. NULL is fine.
 */
void ocagent_stop(struct ocagent *a, bool offline);

#endif
