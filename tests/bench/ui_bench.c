/*
 * ui_bench.c — time one full frame of each screen at 1280x800 with SDL's software renderer
 * (the budget: under 8 ms). 5 warm-up frames fill the text cache, then 200 timed frames; the
 * view changes every frame the way a live one does (clock, elapsed time, level meter).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui.h"

static const char *names[VIEW_SCREEN_COUNT] = { "home", "recording", "checkin", "uploads", "pin",
						"settings", "sessions" };

static void fixture(struct view *v, enum view_screen s)
{
	memset(v, 0, sizeof *v);
	v->screen = s;
	v->now = 1717077600;
	snprintf(v->room, sizeof v->room, "Room 4.12 \xe2\x80\x94 Ada Lovelace");
	snprintf(v->version, sizeof v->version, "0.1.0");
	v->room_state = ROOM_IN_SESSION;
	v->has_card = true;
	snprintf(v->card.title, sizeof v->card.title,
		 "Building resilient distributed systems with eventual consistency and CRDTs");
	snprintf(v->card.presenter, sizeof v->card.presenter, "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m");
	v->card.start = v->now - 600;
	v->card.end = v->now + 3000;
	v->n_agenda = 6;
	for (int i = 0; i < 6; i++) {
		snprintf(v->agenda[i].title, sizeof v->agenda[i].title, "Session number %d of today", i);
		v->agenda[i].start = v->now - 3 * 3600 + i * 3600;
		v->agenda[i].end = v->agenda[i].start + 3000;
	}
	v->has_cadence = true;
	snprintf(v->cadence_label, sizeof v->cadence_label, "Next brown bag");
	v->cadence = v->card;
	v->network_ok = v->server_ok = v->mic_present = true;
	snprintf(v->server, sizeof v->server, "opencast.example.org");
	snprintf(v->mic_name, sizeof v->mic_name, "USB microphone");
	v->disk_free_mb = 20000;
	v->queue_waiting = 1;
	v->queue_percent = 30;
	v->n_messages = 1;
	v->messages[0] = (struct view_message){ SEV_WARN, "Calendar not updated for an hour",
						"The agenda may be out of date." };
	v->recording = true;
	snprintf(v->rec_title, sizeof v->rec_title, "%s", v->card.title);
	v->scheduled_end = v->card.end;
	v->n_tags = 6;
	for (int i = 0; i < 6; i++)
		snprintf(v->tags[i], sizeof v->tags[i], "topic %d", i);
	v->n_invitees = 12;
	for (int i = 0; i < 12; i++) {
		snprintf(v->invitees[i].name, sizeof v->invitees[i].name, "Attendee number %d", i);
		v->invitees[i].checked_in = i % 2;
	}
	v->n_found = v->found_total = v->sessions_total = VIEW_MAX_FOUND;
	for (int i = 0; i < VIEW_MAX_FOUND; i++) {
		struct view_past *p = &v->found[i];
		snprintf(p->title, sizeof p->title, "Past session number %d", i);
		snprintf(p->presenter, sizeof p->presenter, "Presenter %d", i);
		snprintf(p->link, sizeof p->link,
			 "https://opencast.example.org/play/6f1c2a7e-93b4-4d1e-8a55-0c2d9b7e4f%02d", i);
		p->start = v->now - (i + 1) * 7 * 86400;
		p->checkins = i;
	}
	v->keyboard = s == VIEW_CHECKIN;
	snprintf(v->search, sizeof v->search, "att");
	v->n_uploads = 4;
	for (int i = 0; i < 4; i++) {
		v->uploads[i] = (struct view_upload){ .id = i + 1, .bytes = 40000000, .sent = 10000000,
						      .rate_bps = 1e6, .eta_s = 30 };
		snprintf(v->uploads[i].title, sizeof v->uploads[i].title, "Recording %d", i);
		snprintf(v->uploads[i].state, sizeof v->uploads[i].state, "%s",
			 i == 0 ? "uploading" : "queued");
	}
	v->pin_tries_left = 5;
	v->n_inputs = 2;
	snprintf(v->inputs[0], sizeof v->inputs[0], "USB microphone");
	snprintf(v->inputs[1], sizeof v->inputs[1], "demo file");
	v->brightness = 80;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(void)
{
	struct ui *u = NULL;
	char why[256];
	if (ui_open_offscreen(1280, 800, 0, getenv("LECTERN_FONT_DIR"), &u, why, sizeof why)) {
		fprintf(stderr, "ui_bench: %s\n", why);
		return 1;
	}
	static struct view v;
	for (int s = 0; s < VIEW_SCREEN_COUNT; s++) {
		fixture(&v, s);
		for (int i = 0; i < 5; i++)
			ui_render(u, &v);
		double t0 = now_ms();
		for (int i = 0; i < 200; i++) {
			v.now++;                       /* the clock and countdowns tick */
			v.elapsed_s = 60.0 + i;
			v.rms_db = -40.0f + (float)(i % 30);
			v.peak_hold_db = v.rms_db + 6.0f;
			ui_render(u, &v);
		}
		double ms = (now_ms() - t0) / 200.0;
		printf("ui render %s 1280x800: %.2f ms/frame (target < 8)\n", names[s], ms);
	}
	ui_close(u);
	return 0;
}
