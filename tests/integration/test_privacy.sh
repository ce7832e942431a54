#!/bin/bash
# Personal data on a box in a public room: `lectern run` with target = none purges recordings
# past [privacy] keep_local_days (and only those), and leaves the database and the spool the
# service user's alone (0600), correcting what an older lectern left readable.
source "$(dirname "$0")/../lib/common.sh"

lectern_config "$T/lectern.conf" "[upload]" "target = none" "[privacy]" "keep_local_days = 7"
mkdir -p "$T/data/spool"
# An older lectern's store: the database readable by everyone, a recording 0644.
"$LECTERN" --config "$T/lectern.conf" queue >/dev/null 2>&1
chmod 0644 "$T/data/lectern.db"
day_ms=86400000
now_ms=$(date +%s%3N)
for name in old young; do
	printf 'OggS' >"$T/data/spool/$name.opus"
	chmod 0644 "$T/data/spool/$name.opus"
done
age() { echo $((now_ms - $1 * day_ms)); }
sql "insert into recordings(uid,path,title,presenter,state,started_ms,ended_ms,samples,updated_ms)
     values('old','$T/data/spool/old.opus','Old talk','Ada','queued',$(age 9),$(age 8),48000,$(age 8)),
           ('young','$T/data/spool/young.opus','New talk','Bob','queued',$(age 6),$(age 5),48000,$(age 5))"

"$LECTERN" --config "$T/lectern.conf" run --headless >/dev/null 2>"$T/run.err" &
runpid=$!
CHILDREN+=($runpid)
wait_for 10 '[ "$(sql "select count(*) from recordings")" = 1 ]'
kill -TERM $runpid
wait $runpid
check "target = none: a recording past keep_local_days is removed, audio and row" \
	bash -c "test ! -e '$T/data/spool/old.opus' && test \"\$(sqlite3 '$T/data/lectern.db' \"select uid from recordings\")\" = young"
check "the removal is logged" grep -q "retention: recording 1 forgotten" "$T/run.err"
check "a younger recording stays, and is made the service user's alone" \
	test "$(stat -c %a "$T/data/spool/young.opus")" = 600
check "the database an older lectern left readable is made private" \
	test "$(stat -c %a "$T/data/lectern.db")" = 600
