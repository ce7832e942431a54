/*
 * kiosk_sessions.h — the room's past sessions on the screen, and thanks to those who teach
 * (issue 13): part of the view builder (kiosk_view.h), read from the store (store.h, "past
 * sessions") with the builder's clock and configuration.
 *
 * Decided here, not in ui/:
 *  - home, while the room is free: the latest VIEW_MAX_RECENT delivered sessions (title,
 *    presenter, date, tags, the link to watch, its QR code drawn by the screen; none without a
 *    link) and this term's peer teachers (who presented, sessions each, the latest first: not a
 *    ranking) with a one-line summary; names that fold alike (roster_fold: case, accents,
 *    white space) are one colleague;
 *  - the Sessions screen: delivered sessions matching the search typed on its keyboard, by
 *    title, presenter or tag, folded as check-in folds names (roster_fold: case, accents and
 *    white space do not count), the latest
 *    first, each with its link and check-in count;
 *  - the thank-you card, on the home screen KIOSK_THANKS_S seconds after a recording stopped (by a tap, on
 *    schedule, or as the next session's began), or until a tap on it
 *    (kiosk_sessions_dismiss_thanks): "Thank you, Ada" and "23 checked in. Your 5th
 *    session this term." (sessions this presenter gave this term up to this one); the count
 *    part only when people checked in, the session part only when the presenter is known;
 *    a recording started later ends the card;
 *  - the term: since the latest of [ui] term_start's days (config_term_start);
 *  - [privacy] recognition = off: no presenter's name in any of these strings (the teachers'
 *    card is its summary only), and a search does not look at presenters (a name typed would
 *    otherwise tell which sessions were theirs).
 * What the store holds is read again only when it changed (store_change_count) or
 * recognition was switched (SIGHUP); the Sessions screen folds the delivered sessions into an
 * index in memory (freed when the screen is left), read again only when they changed
 * (store_sessions_signature: not at each second's upload progress), so that a keystroke costs
 * a look through it (under a millisecond for 5000 sessions), not a read of the store.
 */
#ifndef LECTERN_KIOSK_SESSIONS_H
#define LECTERN_KIOSK_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "lectern/config.h"
#include "lectern/controller.h"
#include "lectern/store.h"
#include "lectern/view.h"

#define KIOSK_THANKS_S 8

struct kiosk_state;
struct ks_index;

/* The part of the builder that keeps what it read (kiosk_view_builder.sessions). */
struct kiosk_sessions {
	bool have_home;
	uint64_t home_changes;          /* store_change_count the home part was read at */
	int64_t home_term;              /* ... for the term starting then */
	bool home_names;                /* ... with [privacy] recognition as it was then */
	int n_recent;
	struct view_past recent[VIEW_MAX_RECENT];
	int n_teachers;
	struct view_teacher teachers[VIEW_MAX_TEACHERS];
	char teachers_summary[96];
	bool have_found;
	uint64_t found_changes;
	char found_search[64];
	bool found_names;               /* the search was made with recognition on */
	struct ks_index *index;         /* delivered sessions folded for the search, or NULL */
	uint64_t index_signature;       /* store_sessions_signature it was read at */
	int n_found, found_total, sessions_total;
	struct view_past found[VIEW_MAX_FOUND];
	unsigned long scans;            /* reads of the delivered sessions so far (not a
					 * keystroke's: it searches the index in memory) */

	bool was_recording;             /* as the last build saw it */
	int64_t recording_id;           /* the one it saw */
	int64_t thanks_until;           /* unix seconds; 0: no card */
	char thanks_title[160];
	char thanks_text[160];
};

/* Fill v's home (on VIEW_HOME while v->room_state is ROOM_FREE), Sessions (when v->screen is VIEW_SESSIONS,
 * searching for `search`) and thank-you parts at unix time `now`. */
void kiosk_sessions_build(struct kiosk_sessions *ks, const struct config *cfg, struct store *st,
			  const char *search, const struct controller_status *cs, int64_t now,
			  struct view *v);

/* What the builder keeps in memory (the search's index), freed: kiosk_view_free. */
void kiosk_sessions_free(struct kiosk_sessions *ks);

/* The thank-you card was tapped: it goes now (the next build shows none). */
void kiosk_sessions_dismiss_thanks(struct kiosk_sessions *ks);

/* The Sessions screen's own events: typing into its search. True when `ev` was taken; opening
 * the screen starts a fresh search (and is left to kiosk_events for the rest). */
bool kiosk_sessions_apply(struct kiosk_state *s, const struct view_event *ev);

#endif
