/* recovery.c — finish recordings left open by a power cut or crash (see recovery.h). */
#include "lectern/recovery.h"

#include <stdio.h>

#include "lectern/log.h"
#include "lectern/oggopus.h"
#include "lectern/osutil.h"
#include "lectern/spoolmeta.h"

struct pass {
	struct store *st;
	struct recovery_report *rep;
};

static int recover_one(const struct recording *rec, void *user)
{
	struct store *st = ((struct pass *)user)->st;
	struct recovery_report *rep = ((struct pass *)user)->rep;
	log_warn("recording %lld was interrupted while %s: recovering", (long long)rec->id,
		 rec_state_name(rec->state));
	/* Committed first, so a second cut during repair resumes here. */
	if (rec->state != REC_FINALIZING &&
	    store_recording_transition(st, rec->id, rec->state, REC_FINALIZING,
				       "interrupted; recovering") != LT_OK)
		return 0;
	struct oggopus_info info;
	lt_err err = oggopus_close(rec->path, &info);
	if (err != LT_OK || info.samples <= 0) {
		char why[160];
		snprintf(why, sizeof why, "interrupted and not recoverable: %s",
			 err != LT_OK ? lt_strerror(err) : "no audio in the file");
		store_recording_transition(st, rec->id, REC_FINALIZING, REC_FAILED, why);
		log_error("recording %lld: %s", (long long)rec->id, why);
		spoolmeta_save(st, rec->id);
		rep->failed++;
		return 0;
	}
	char sha[65] = "";
	if (os_sha256_file(rec->path, sha) != LT_OK)
		sha[0] = '\0';
	store_recording_set_result(st, rec->id, info.samples, info.file_bytes,
				   rec->started_ms + info.samples / 48, sha);
	if (store_recording_transition(st, rec->id, REC_FINALIZING, REC_QUEUED,
				       "recovered after an interruption") == LT_OK) {
		log_info("recording %lld recovered: %.2f s kept, %lld bytes", (long long)rec->id,
			 (double)info.samples / 48000.0, (long long)info.file_bytes);
		rep->queued++;
	}
	spoolmeta_save(st, rec->id);
	return 0;
}

lt_err recovery_run(struct store *st, struct recovery_report *report)
{
	struct recovery_report local = {0, 0};
	struct recovery_report *rep = report ? report : &local;
	*rep = local;
	struct pass ctx = {st, rep};
	return store_recordings_each(st,
				     REC_MASK(REC_RECORDING) | REC_MASK(REC_PAUSED) |
					     REC_MASK(REC_FINALIZING),
				     recover_one, &ctx);
}
