/*
 * upload_attendance.h — attendance delivered with a recording (upload_attendance.c), as
 * [privacy] attendance allows: `none` sends nothing, `count` the number of check-ins (and how
 * and when each came, never who), `names` also the name and e-mail stored for each.
 *
 * The session a recording belongs to is its occurrence ("UID@START") or "adhoc:<its uid>"
 * (reports.h). A session for which check-in was not held has no attendance: null, nothing
 * sent, rather than a count of 0 that nobody took.
 *
 * One snapshot per upload: the sidecar's "attendance" object is made once, before the
 * transfer, and is what every target sends — the folder and WebDAV targets inside the
 * sidecar JSON, Opencast as an attachment (flavor attendance/csv, attendance.csv: header
 * name,email,method,checked_in_at, one row per check-in, name and e-mail empty unless the
 * mode is `names`) and as a line of the episode catalog's dcterms:description. Once the
 * target confirmed the upload, the session keeps the count it went out with
 * (store_checkin_session_delivered).
 *
 * Check-ins after the delivery: the folder and WebDAV targets get the sidecar again, rewritten
 * (upload_attendance_updates(), called by the queue after each pass); Opencast gets no update
 * (an ingested media package is the archive's, changed only by its own workflows), and
 * `lectern attendance` reports them as "N after delivery". Nor is an update sent in `names`
 * mode with [privacy] forget_names_when_delivered: the names delivered are blanked here by
 * then, and a rewritten sidecar would erase them at the target too; they are reported.
 *
 * Why dcterms:description for the count: DCMI's terms have none for "how many attended".
 * dcterms:extent is the resource's size or duration, dcterms:audience a class of agents the
 * resource is meant for (who it is for, not who came), dcterms:provenance its custody; a
 * term of our own namespace would be shown by no Opencast screen and read by no tool that
 * knows DC. description ("an account of the resource", free text) is where a person reading
 * the event in Opencast sees it: "Attendance: 12 checked in", appended to a description the
 * scheduler gave. The attachment carries the figure for machines.
 */
#ifndef LECTERN_UPLOAD_ATTENDANCE_H
#define LECTERN_UPLOAD_ATTENDANCE_H

#include <json-c/json.h>
#include <stdint.h>

#include "lectern/config.h"
#include "lectern/store.h"

/*
 * The sidecar's "attendance" value for recording `rec` (a new json-c object, the caller's),
 * or NULL (JSON null) for mode `none`, a session without check-in, or a store that cannot be
 * read (logged). Its session key goes to `key`, its count to *count (-1 with NULL).
 *   {"session": KEY, "count": N, "by_method": {"tap": N, ...},
 *    "checkins": [{"method": M, "checked_in_at": ISO-8601 local,
 *                  "name": ..., "email": ...}]}     name/email: `names` mode, where stored
 */
json_object *upload_attendance_json(const struct config *cfg, struct store *st,
				    const struct recording *rec, char *key, size_t key_len,
				    int *count);

/*
 * The attendance of a sidecar (its JSON text, as the queue hands it to a target) as the
 * Opencast attachment's CSV (malloc'd) and the count; NULL and *count = -1 when the sidecar
 * has none (null) or cannot be read.
 */
char *upload_attendance_csv(const char *sidecar_json, int *count);

/*
 * Send the sidecars of recordings already delivered whose session's check-ins changed since
 * (store_report_changed_since_delivery), with the target's put_sidecar; each session is then
 * marked delivered with its new count. Targets without put_sidecar (Opencast) are left alone,
 * and so is everything in mode `none`, and in `names` with forget_names_when_delivered.
 * With `ignore_backoff` false, a failure puts the next try off (the queue's backoff).
 * Returns how many sidecars were sent, -1 if any failed.
 */
int upload_attendance_updates(const struct config *cfg, struct store *st, int64_t now_ms,
			      bool ignore_backoff);

#endif
