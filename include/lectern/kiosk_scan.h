/*
 * kiosk_scan.h — QR badges at the door: while the check-in screen is shown, and only then, a
 * thread of its own opens the configured camera ([camera], camera.h), grabs frames (~8 a
 * second), turns them gray, decodes them with zbar (qr.h) and reads each code as a badge
 * (badge.h). What it read waits in a small mailbox for the kiosk's own thread, which checks
 * the person in (attendance.h, through kiosk_events_check_in_qr) — the store and the roster
 * are never touched from the scanning thread.
 *
 *  - Leaving check-in closes the camera (the settings preview may want it; a camera left
 *    streaming costs power and USB bandwidth).
 *  - No camera ([camera] source = none, or auto with none plugged in, or it fails to open):
 *    QR is off and the status says so ("QR badges off: no camera"); the rest of check-in
 *    works. The camera is tried again every KIOSK_SCAN_RETRY_S seconds while check-in shows,
 *    so one plugged back in is picked up without a restart. A camera unplugged while scanning
 *    (its grabs fail) is closed and tried again the same way. The file twin is used only when
 *    [camera] source = file (never instead of a missing camera, unlike the preview).
 *  - One frame in four without a code gets a closer look (qr_scan_closer): a small or blurred
 *    badge held up is in many frames, so it is found within half a second or so.
 *  - A code held in front of the camera is in many frames: the same payload is handed over
 *    once, and again only after it was out of sight for KIOSK_SCAN_REPEAT_S seconds.
 *  - A payload badge.h refuses is handed over too, with its reason, for the screen.
 *  - Logs say what kind of badge was read or why one was refused, never what it said.
 */
#ifndef LECTERN_KIOSK_SCAN_H
#define LECTERN_KIOSK_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "lectern/attendance.h"
#include "lectern/badge.h"
#include "lectern/config.h"
#include "lectern/err.h"
#include "lectern/view.h"

#define KIOSK_SCAN_RETRY_S 3.0
#define KIOSK_SCAN_REPEAT_S 3.0
#define KIOSK_SCAN_FPS 8
#define KIOSK_SCAN_REFUSED_S 6.0   /* how long a refusal's reason stays on the screen */

/* What the status line says. */
#define KIOSK_SCAN_READY "QR badges: hold your badge up to the camera"
#define KIOSK_SCAN_OFF "QR badges off: no camera"

struct kiosk_scan;

/* One code read. */
struct kiosk_scan_read {
	bool refused;                  /* then `reason` says why; else `id` is who */
	struct badge_identity id;
	char reason[160];
};

/* Start the (idle) scanning thread for the camera `cfg` describes; `cfg` must outlive it and
 * is read only when the camera is (re)opened. Errors: LT_ERR_NOMEM (no thread). */
lt_err kiosk_scan_start(const struct config *cfg, struct kiosk_scan **out);

/* Stop the thread and close the camera. NULL is allowed. */
void kiosk_scan_stop(struct kiosk_scan *s);

/* Scan while `checkin_shown`; otherwise close the camera. Cheap: call it at every build. */
void kiosk_scan_follow(struct kiosk_scan *s, bool checkin_shown);

/* Take the oldest read not taken yet: true and *out, or false when there is none. At most a
 * few wait; when more come before the kiosk takes them, the oldest are dropped. */
bool kiosk_scan_take(struct kiosk_scan *s, struct kiosk_scan_read *out);

/* The status line for the check-in screen, "" while check-in is not shown (or before the
 * first attempt to open the camera). */
void kiosk_scan_status(struct kiosk_scan *s, char *buf, size_t n);

/* Whether scanning is on (the kiosk then looks for reads ~10 times a second). */
bool kiosk_scan_active(struct kiosk_scan *s);

/*
 * On the kiosk's thread: take every read waiting. Each identity goes to `check_in(user, who)`
 * (the kiosk's kiosk_events_check_in_qr): who.email, who.badge and who.name as the badge gave
 * them, NULL where it gave none. A refusal's reason is kept for the screen for
 * KIOSK_SCAN_REFUSED_S (monotonic `now_s`), until the next read. Returns true when anything
 * was read (the view is then out of date). NULL `s`: nothing.
 */
typedef void (*kiosk_scan_check_in_fn)(void *user, const struct checkin_who *who);
bool kiosk_scan_apply(struct kiosk_scan *s, double now_s, kiosk_scan_check_in_fn check_in,
		      void *user);

/* Fill the QR line of `v` (qr_status, qr_camera, qr_refused) as it is at `now_s`; NULL `s`:
 * an empty line. */
void kiosk_scan_show(struct kiosk_scan *s, double now_s, struct view *v);

/* Frames decoded so far (tests, the log at close). */
unsigned long kiosk_scan_frames(struct kiosk_scan *s);

#endif
