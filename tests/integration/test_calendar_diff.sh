#!/bin/bash
# The calendar against an independent implementation: generated calendars (seeded, the same
# every run) expanded by `lectern schedule --json` and by Debian's recurring_ical_events
# (tests/lib/calendar_diff.py), compared instance by instance. `make test` runs a few hundred;
# `make difftest` thousands (DIFF_COUNT, DIFF_SEED). A calendar that disagrees is kept in
# $BUILD/calendar-diff/ with its arguments, to be turned into a fixture.
source "$(dirname "$0")/../lib/common.sh"

COUNT=${DIFF_COUNT:-300}
SEED=${DIFF_SEED:-1}
lectern_config "$T/lectern.conf"
if ! /usr/bin/python3 -c 'import icalendar, recurring_ical_events' 2>/dev/null; then
	not_ok "the oracle is installed" "apt-get install python3-recurring-ical-events python3-icalendar (board/deps.sh test)"
	exit 0
fi
mkdir -p "$T/cals"
rm -rf "$BUILD/calendar-diff"
t0=$(date +%s)
/usr/bin/python3 "$TESTS/lib/calendar_diff.py" "$LECTERN" "$T/lectern.conf" "$SEED" "$COUNT" \
	"$T/cals" "$BUILD/calendar-diff" </dev/null >"$T/diff.out" 2>"$T/diff.err"
rc=$?
sed -n '1,80p' "$T/diff.out"
echo "# $(($(date +%s) - t0)) s"
summary=$(grep '^# differential:' "$T/diff.out")
compared=$(sed -n 's/.* \([0-9]*\) instances compared.*/\1/p' <<<"$summary")
check "lectern and recurring_ical_events agree on $COUNT generated calendars (seed $SEED)${summary:+: ${summary#\# differential: }}" \
	test "$rc" -eq 0 -a -n "$summary"
[ -s "$T/diff.err" ] && head -20 "$T/diff.err" | sed 's/^/# /'
check "the comparison is not vacuous (at least 3 instances a calendar: ${compared:-none})" \
	test "${compared:-0}" -ge $((3 * COUNT))
