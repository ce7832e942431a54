/*
 * checkin.c — a test tool: check people in through the check-in API (attendance.h), as the
 * check-in screen does, so that shell tests can follow real check-ins to delivery.
 *
 *   checkin DB MODE ADHOC_RECORDING_UID METHOD [NAME [EMAIL]]...
 *
 * MODE is none, count or names; the session is the recording's ad-hoc one (opened if need
 * be); each NAME/EMAIL pair after METHOD is one check-in ("" for none; METHOD guest takes
 * none). Prints each outcome's number (0 = OK) on a line; exit 1 when one is not OK.
 */
#include <stdio.h>
#include <string.h>

#include "lectern/attendance.h"
#include "lectern/osutil.h"
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
	}
	store_close(st);
	return rc;
}
