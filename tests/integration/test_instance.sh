#!/bin/bash
# Second instance: while `lectern record` records, `lectern run` and `lectern upload --once` on
# the same configuration are refused (exit 5, the holder named) and the live recording is
# untouched; read-only commands work alongside; after a kill -9 of the holder the next start
# works (the kernel dropped the lock, the stale text is overwritten).
source "$(dirname "$0")/../lib/common.sh"

SPEECH=$(speech_raw 20)
mkdir -p "$T/share"
lectern_config "$T/lectern.conf" "[upload]" "target = folder" "folder = $T/share"
L() { "$LECTERN" --config "$T/lectern.conf" "$@"; }
LOCK="$T/data/lectern.lock"

# record_live NAME: `lectern record` from a microphone paced in real time, in the background
# (its pid in REC_PID).
record_live() {
	local fifo="$T/$1.fifo"
	mkfifo "$fifo"
	pv -q -L 96000 "$SPEECH" >"$fifo" &
	CHILDREN+=($!)
	ALSA_CONFIG_PATH=$(alsa_conf "$fifo") "$LECTERN" --config "$T/lectern.conf" record \
		--out "$T/$1.opus" >"$T/$1.out" 2>"$T/$1.err" &
	REC_PID=$!
	CHILDREN+=($REC_PID)
	wait_for 10 "[ \"\$(sql \"select count(*) from recordings where path='$T/$1.opus'\")\" = 1 ]"
}

record_live live
sleep 1
# Bounded: a run that is not refused would run until stopped.
timeout -s TERM 10 "$LECTERN" --config "$T/lectern.conf" run --headless >"$T/run2.out" 2>"$T/run2.err"
rc=$?
check "run while record records: refused with exit 5 (got $rc)" test $rc -eq 5
check "... naming the holder's pid and command and the data directory" \
	grep -qF "lectern: another lectern (pid $REC_PID, \`lectern record\`) is using $T/data; stop it first" "$T/run2.err"
check "... without touching the store (no recovery pass)" \
	bash -c "! grep -q 'recover' '$T/run2.err' && test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=1')\" = recording"
timeout 10 "$LECTERN" --config "$T/lectern.conf" upload --once >/dev/null 2>"$T/upload2.err"
rc=$?
check "upload --once while record records: refused with exit 5 (got $rc)" \
	bash -c "test $rc -eq 5 && grep -q 'pid $REC_PID' '$T/upload2.err'"
timeout 10 "$LECTERN" --config "$T/lectern.conf" record --seconds 1 --out "$T/second.opus" \
	>/dev/null 2>"$T/record2.err"
rc=$?
check "a second record: refused with exit 5 (got $rc), no file made" \
	bash -c "test $rc -eq 5 && test ! -e '$T/second.opus'"
check "lectern recordings works alongside" \
	bash -c "'$LECTERN' --config '$T/lectern.conf' recordings | grep -q recording"
check "lectern queue works alongside" L queue
check "lectern config check works alongside" L config check
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern tests//EN\r\nEND:VCALENDAR\r\n' >"$T/cal.ics"
check "lectern schedule works alongside" L schedule --ics "$T/cal.ics"
check "lectern retry works alongside (and says why it cannot)" \
	bash -c "'$LECTERN' --config '$T/lectern.conf' retry 1 2>&1 | grep -q 'is not waiting for upload'"

sleep 1
kill -INT $REC_PID
wait $REC_PID
rc=$?
check "the recording ends cleanly (exit $rc)" test $rc -eq 0
check "its file is valid Ogg Opus, one clean stream" \
	bash -c "opusinfo '$T/live.opus' >'$T/live.info' 2>&1 && ! grep -qi 'EOS not set\|without EOS\|Hole in data\|illegal\|sequence' '$T/live.info'"
n=$(opus_samples "$T/live.opus")
check "its stored duration is the decodable audio ($n samples)" \
	test "$n" -eq "$(sql "select samples from recordings where id=1")" -a "$n" -gt 48000

# kill -9 leaves the lock file with the dead holder's text; the next start must not mind.
record_live killed
sleep 1
kill -9 $REC_PID
wait $REC_PID 2>/dev/null
check "after kill -9 the lock file still names the dead holder" grep -q "pid $REC_PID" "$LOCK"
"$LECTERN" --config "$T/lectern.conf" run --headless >"$T/run3.out" 2>"$T/run3.err" &
runpid=$!
CHILDREN+=($runpid)
wait_for 10 "[ \"\$(sql \"select state from recordings where path='$T/killed.opus'\")\" = uploaded ]"
check "the next run starts, recovers and delivers the killed recording" \
	test "$(sql "select state from recordings where path='$T/killed.opus'")" = uploaded
check "the lock file now names the running appliance" \
	grep -qx "pid $runpid, \`lectern run\`" "$LOCK"
kill -TERM $runpid
wait $runpid
check "run exits 0 on SIGTERM" test $? -eq 0
check "the lock file is not readable by others (0640)" test "$(stat -c %a "$LOCK")" = 640

# A lock file planted as a link is not followed: its target is never written.
rm -f "$LOCK"
echo "unrelated" >"$T/target"
ln -s "$T/target" "$LOCK"
"$LECTERN" --config "$T/lectern.conf" record --out "$T/linked.opus" --seconds 1 >"$T/link.out" 2>"$T/link.err"
rc=$?
check "a lock file that is a link: refused (exit $rc), its target untouched" \
	test $rc -ne 0 -a "$(cat "$T/target")" = unrelated
check "... and the message names the lock file" grep -q "lectern.lock" "$T/link.err"
rm -f "$LOCK"
