/*
 * checkin.c — a test tool: check people in through the check-in API (attendance.h), as the
 * check-in screen does, so that shell tests can follow real check-ins to delivery.
 *
 *   checkin DB MODE ADHOC_RECORDING_UID METHOD [NAME [EMAIL]]...
 *
 * MODE is none, count or names; the session is the recording's ad-hoc one (opened if need
 * be); each NAME/EMAIL pair after METHOD is one check-in ("" for none; METHOD guest takes
 * none). Prints each outcome's number (0 = OK) on a line; exit 1 when one is not OK.
 * With CHECKIN_SPOOL set (the data directory's spool), check-ins are journalled there as the
 * appliance does (checkinlog.h); the caller must then be the only writer of that directory.
 * With CHECKIN_UNDO set, each check-in that went in is taken back at once (the undo button).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/attendance.h"
#include "lectern/osutil.h"
#include "lectern/spoolmeta.h"
#include "lectern/store.h"

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: checkin DB MODE RECORDING_UID METHOD [NAME [EMAIL]]...\n");
		return 2;
	}
	enum checkin_method method;
	if (checkin_method_parse(argv[4], &method) != 0) {
		fprintf(stderr, "checkin: unknown method %s\n", argv[4]);
		return 2;
	}
	const char *spool = getenv("CHECKIN_SPOOL");
	if (spool && spool[0])
		spoolmeta_enable(spool);
	struct store *st;
	if (store_open(argv[1], &st) != LT_OK)
		return 1;
	struct attendance a;
	char key[320];
	attendance_key_adhoc(argv[3], key, sizeof key);
	int rc = attendance_init_with(&a, st, attendance_mode_parse(argv[2]), "") != LT_OK ||
		 attendance_open_adhoc(&a, argv[3], "", "", os_now_ms() / 1000, 0) != LT_OK;
	for (int i = 5; !rc && (i < argc || (method == CHECKIN_GUEST && i == 5)); i += 2) {
		struct checkin_who who = {.name = i < argc ? argv[i] : NULL,
					  .email = i + 1 < argc ? argv[i + 1] : NULL};
		struct checkin_result r;
		enum checkin_outcome o = attendance_check_in(&a, key, method, &who, os_now_ms(), &r);
		printf("%d\n", (int)o);
		rc = o != CHECKIN_OK;
		if (!rc && getenv("CHECKIN_UNDO") && attendance_undo(&a, r.id, os_now_ms()) != LT_OK)
			rc = 1;
	}
	store_close(st);
	return rc;
}
