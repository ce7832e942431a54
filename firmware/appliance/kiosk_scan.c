/*
 * kiosk_scan.c — QR badges read while the check-in screen shows (see kiosk_scan.h).
 *
 * One thread, one lock. The thread owns the camera, the zbar scanner and the gray buffer;
 * the lock guards only what the kiosk asks or reads (wanted, quit, the status line and the
 * mailbox), and is never held while the camera opens, grabs or zbar decodes, so the kiosk's
 * thread never waits on a device.
 */
#include "lectern/kiosk_scan.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern/camera.h"
#include "lectern/log.h"
#include "lectern/qr.h"
#include "lectern/utf8.h"

#define MAILBOX 8
#define SEEN 8
#define GRAB_TIMEOUT_MS 500
#define CLOSER_EVERY 4           /* of the frames without a code, one in this many looks closer */

struct seen_code {
	uint64_t hash;           /* of the payload's bytes (FNV-1a), with its length */
	size_t len;
	double last;             /* monotonic s it was last in a frame; 0 = free */
};

struct kiosk_scan {
	const struct config *cfg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;     /* CLOCK_MONOTONIC: wakes the thread early */

	/* under `lock` */
	bool quit, want;
	char status[96];
	struct kiosk_scan_read box[MAILBOX];
	int box_head, box_n;

	atomic_ulong frames;

	/* the kiosk thread's own (kiosk_scan_apply) */
	char refused[160];
	double refused_until;

	/* the scanning thread's own */
	struct camera *cam;
	bool off_logged;
	double tried;            /* when the camera was last tried (0: try now) */
	struct qr_scanner *q;
	unsigned long empty;     /* frames in which the first look found nothing */
	uint8_t *gray;
	size_t gray_size;
	struct seen_code seen[SEEN];
	struct qr_code codes[QR_MAX_CODES];
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait on the condition until monotonic time `until` (or a signal). Called with the lock. */
static void wait_until(struct kiosk_scan *s, double until)
{
	struct timespec ts;
	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&s->cond, &s->lock, &ts);
}

static void set_status(struct kiosk_scan *s, const char *text)
{
	pthread_mutex_lock(&s->lock);
	utf8_copy(s->status, sizeof s->status, s->want ? text : "");
	pthread_mutex_unlock(&s->lock);
}

static void post(struct kiosk_scan *s, const struct kiosk_scan_read *r)
{
	pthread_mutex_lock(&s->lock);
	if (s->want) {
		if (s->box_n == MAILBOX) { /* the kiosk fell behind: drop the oldest */
			s->box_head = (s->box_head + 1) % MAILBOX;
			s->box_n--;
		}
		s->box[(s->box_head + s->box_n) % MAILBOX] = *r;
		s->box_n++;
	}
	pthread_mutex_unlock(&s->lock);
}

static void close_camera(struct kiosk_scan *s)
{
	if (!s->cam)
		return;
	log_info("qr: camera closed after %lu frames", (unsigned long)atomic_load(&s->frames));
	camera_close(s->cam);
	s->cam = NULL;
	memset(s->seen, 0, sizeof s->seen);
}

static void open_camera(struct kiosk_scan *s)
{
	char msg[256];
	bool twin = false;
	lt_err err = camera_open_config(s->cfg, &s->cam, &twin, msg, sizeof msg);
	if (err != LT_OK) {
		s->cam = NULL;
		if (!s->off_logged)
			log_info("qr: QR badges off (%s); trying again every %.0f s while check-in "
				 "shows", msg, KIOSK_SCAN_RETRY_S);
		s->off_logged = true;
		set_status(s, KIOSK_SCAN_OFF);
		return;
	}
	s->off_logged = false;
	log_info("qr: scanning for badges with %s", s->cam->description);
	set_status(s, KIOSK_SCAN_READY);
}

/* Whether this payload was in sight within the last KIOSK_SCAN_REPEAT_S; notes it either way. */
static bool seen_recently(struct kiosk_scan *s, const uint8_t *data, size_t kept, size_t len,
			  double now)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < kept; i++)
		h = (h ^ data[i]) * 1099511628211ULL;
	struct seen_code *oldest = &s->seen[0];
	for (int i = 0; i < SEEN; i++) {
		struct seen_code *c = &s->seen[i];
		if (c->last && now - c->last > KIOSK_SCAN_REPEAT_S)
			c->last = 0;
		if (c->last && c->hash == h && c->len == len) {
			c->last = now;
			return true;
		}
		if (c->last < oldest->last)
			oldest = c;
	}
	*oldest = (struct seen_code){.hash = h, .len = len, .last = now};
	return false;
}

static void scan_frame(struct kiosk_scan *s)
{
	struct camera_frame f;
	lt_err err = camera_grab(s->cam, &f, GRAB_TIMEOUT_MS);
	if (err == LT_ERR_NOT_FOUND)
		return;
	if (err != LT_OK) {
		log_warn("qr: %s: QR badges off until the camera is back",
			 s->cam->error[0] ? s->cam->error : lt_strerror(err));
		close_camera(s);
		s->off_logged = true;
		s->tried = mono();
		set_status(s, KIOSK_SCAN_OFF);
		return;
	}
	size_t need = (size_t)f.width * (size_t)f.height;
	if (need > s->gray_size) {
		uint8_t *g = realloc(s->gray, need);
		if (!g)
			return;
		s->gray = g;
		s->gray_size = need;
	}
	camera_frame_gray(&f, s->gray);
	int n = qr_scan(s->q, s->gray, f.width, f.height, f.width, s->codes, QR_MAX_CODES);
	/* A code too small or blurred for the first look is in the next frames too: every few
	 * empty frames get a closer look (qr.h), at a fraction of the cost of closer looks at all. */
	if (n == 0 && ++s->empty % CLOSER_EVERY == 0)
		n = qr_scan_closer(s->q, s->gray, f.width, f.height, f.width, s->codes,
				   QR_MAX_CODES);
	atomic_fetch_add(&s->frames, 1);
	double now = mono();
	for (int i = 0; i < n; i++) {
		const struct qr_code *c = &s->codes[i];
		size_t kept = c->truncated ? QR_MAX_PAYLOAD : c->len;
		if (seen_recently(s, c->data, kept, c->len, now))
			continue;
		struct kiosk_scan_read r;
		memset(&r, 0, sizeof r);
		/* A cut payload goes with its real length: badge.h refuses it by that alone. */
		if (badge_parse(c->data, c->len, &r.id, r.reason, sizeof r.reason) != LT_OK) {
			r.refused = true;
			log_info("qr: a code was refused: %s", r.reason);
		} else {
			log_info("qr: a badge was read (%s)", badge_kind_name(r.id.kind));
		}
		post(s, &r);
	}
}

static void *scan_thread(void *arg)
{
	struct kiosk_scan *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->quit) {
		if (!s->want) {
			if (s->cam) {
				pthread_mutex_unlock(&s->lock);
				close_camera(s);
				pthread_mutex_lock(&s->lock);
				continue;
			}
			s->tried = 0;
			s->off_logged = false;
			pthread_cond_wait(&s->cond, &s->lock);
			continue;
		}
		double t = mono();
		if (!s->cam) {
			if (s->tried && t - s->tried < KIOSK_SCAN_RETRY_S) {
				wait_until(s, s->tried + KIOSK_SCAN_RETRY_S);
				continue;
			}
			s->tried = t;
			pthread_mutex_unlock(&s->lock);
			open_camera(s);
			pthread_mutex_lock(&s->lock);
			continue;
		}
		pthread_mutex_unlock(&s->lock);
		scan_frame(s);
		pthread_mutex_lock(&s->lock);
		/* ~KIOSK_SCAN_FPS decodes a second; leaving check-in or stopping wakes us early. */
		if (s->cam && s->want && !s->quit)
			wait_until(s, t + 1.0 / KIOSK_SCAN_FPS);
	}
	pthread_mutex_unlock(&s->lock);
	close_camera(s);
	return NULL;
}

lt_err kiosk_scan_start(const struct config *cfg, struct kiosk_scan **out)
{
	struct kiosk_scan *s = calloc(1, sizeof *s);
	if (!s)
		return LT_ERR_NOMEM;
	s->cfg = cfg;
	atomic_init(&s->frames, 0);
	if (qr_scanner_new(&s->q) != LT_OK) {
		free(s);
		return LT_ERR_NOMEM;
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&s->lock, NULL);
	if (pthread_create(&s->thread, NULL, scan_thread, s) != 0) {
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		qr_scanner_free(s->q);
		free(s);
		return LT_ERR_NOMEM;
	}
	*out = s;
	return LT_OK;
}

void kiosk_scan_stop(struct kiosk_scan *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->quit = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	qr_scanner_free(s->q);
	free(s->gray);
	free(s);
}

void kiosk_scan_follow(struct kiosk_scan *s, bool checkin_shown)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->want != checkin_shown) {
		s->want = checkin_shown;
		if (!checkin_shown) {
			s->status[0] = '\0';
			s->box_n = 0; /* a badge read as the screen changed checks no one in */
		}
		pthread_cond_signal(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
}

bool kiosk_scan_take(struct kiosk_scan *s, struct kiosk_scan_read *out)
{
	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	bool got = s->box_n > 0;
	if (got) {
		*out = s->box[s->box_head];
		s->box_head = (s->box_head + 1) % MAILBOX;
		s->box_n--;
	}
	pthread_mutex_unlock(&s->lock);
	return got;
}

void kiosk_scan_status(struct kiosk_scan *s, char *buf, size_t n)
{
	if (!n)
		return;
	buf[0] = '\0';
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	utf8_copy(buf, n, s->status);
	pthread_mutex_unlock(&s->lock);
}

bool kiosk_scan_active(struct kiosk_scan *s)
{
	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	bool on = s->want;
	pthread_mutex_unlock(&s->lock);
	return on;
}

unsigned long kiosk_scan_frames(struct kiosk_scan *s)
{
	return s ? (unsigned long)atomic_load(&s->frames) : 0;
}

static const char *or_null(const char *s)
{
	return s[0] ? s : NULL;
}

bool kiosk_scan_apply(struct kiosk_scan *s, double now_s, kiosk_scan_check_in_fn check_in,
		      void *user)
{
	if (!s)
		return false;
	bool any = false;
	struct kiosk_scan_read r;
	while (kiosk_scan_take(s, &r)) {
		any = true;
		if (r.refused) {
			utf8_copy(s->refused, sizeof s->refused, r.reason);
			s->refused_until = now_s + KIOSK_SCAN_REFUSED_S;
			continue;
		}
		s->refused[0] = '\0';
		struct checkin_who who = {.name = or_null(r.id.name), .email = or_null(r.id.email),
					  .badge = or_null(r.id.id)};
		if (check_in)
			check_in(user, &who);
	}
	return any;
}

void kiosk_scan_show(struct kiosk_scan *s, double now_s, struct view *v)
{
	v->qr_status[0] = v->qr_refused[0] = '\0';
	v->qr_camera = false;
	if (!s)
		return;
	if (s->refused[0] && now_s >= s->refused_until)
		s->refused[0] = '\0';
	kiosk_scan_status(s, v->qr_status, sizeof v->qr_status);
	v->qr_camera = strcmp(v->qr_status, KIOSK_SCAN_READY) == 0;
	if (v->qr_status[0])
		utf8_copy(v->qr_refused, sizeof v->qr_refused, s->refused);
}
