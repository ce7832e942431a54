#!/bin/bash
# Recording on schedule, end to end: `lectern run --headless` with an ICS calendar and the
# microphone played in real time through alsa-lib's file plugin.
source "$(dirname "$0")/../lib/common.sh"

SPEECH=$(speech_raw 60)
utc() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }

# ics FILE then (UID START END TITLE)...: a calendar of UTC-timed events
ics() {
	local file=$1
	shift
	{
		printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern tests//EN\r\n'
		while [ $# -ge 4 ]; do
			printf 'BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\nORGANIZER;CN=Grace Hopper:mailto:grace@example.org\r\nEND:VEVENT\r\n' \
				"$1" "$(utc "$2")" "$(utc "$3")" "$4"
			shift 4
		done
		printf 'END:VCALENDAR\r\n'
	} >"$file"
}

# run_appliance NAME SECONDS: lectern run --headless for that long with a paced microphone;
# its exit code in RC, how long SIGTERM took in STOP_S
run_appliance() {
	local name=$1 secs=$2 fifo="$T/$1.fifo"
	paced_mic "$fifo" "$SPEECH"
	ALSA_CONFIG_PATH=$(alsa_conf "$fifo") "$LECTERN" --config "$T/lectern.conf" run --headless \
		>"$T/$name.out" 2>"$T/$name.err" &
	local pid=$!
	CHILDREN+=($pid)
	sleep "$secs"
	local t0=$SECONDS
	kill -TERM $pid
	wait $pid
	RC=$?
	STOP_S=$((SECONDS - t0))
}

now=$(date +%s)
ics "$T/cal.ics" "talk-1@lectern.test" $((now + 3)) $((now + 13)) "Weekly brown bag: SQLite"
lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "ics = $T/cal.ics"
run_appliance sched 16
check "run --headless exits 0 on SIGTERM" test "$RC" -eq 0
check "exactly one recording was made" test "$(sql "select count(*) from recordings")" -eq 1
check "it carries the event's title and presenter" \
	test "$(sql "select title||'|'||presenter from recordings")" = "Weekly brown bag: SQLite|Grace Hopper"
check "it is tied to the occurrence" \
	test "$(sql "select event_key from recordings")" = "talk-1@lectern.test@$((now + 3))"
check "it is queued" test "$(sql "select state from recordings")" = queued
samples=$(sql "select samples from recordings")
check "its duration is the event's 10 s (within a second: $samples samples)" \
	test "$samples" -ge $((9 * 48000)) -a "$samples" -le $((105 * 4800))
path=$(sql "select path from recordings")
check "the file is valid Ogg Opus titled like the event" \
	bash -c "opusinfo '$path' | grep -q 'TITLE=Weekly brown bag: SQLite'"
check "the log says it started and stopped on schedule" \
	bash -c "grep -q 'started on schedule' '$T/sched.err' && grep -q 'the session ended\|ended by itself' '$T/sched.err'"
check "the calendar's occurrences are stored for offline use" \
	test "$(sql "select count(*) from occurrences")" -ge 1

# back to back: two 5 s sessions give two recordings ------------------------------------------
rm -rf "$T/data"
now=$(date +%s)
ics "$T/b2b.ics" "a@lectern.test" $((now + 2)) $((now + 7)) "First talk" \
	"b@lectern.test" $((now + 7)) $((now + 12)) "Second talk"
lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "ics = $T/b2b.ics"
run_appliance b2b 14
check "back-to-back sessions give separate recordings" \
	test "$(sql "select group_concat(title, '|') from (select title from recordings order by id)")" = "First talk|Second talk"
check "back-to-back: both queued, each about 5 s" \
	test "$(sql "select count(*) from recordings where state='queued' and samples between 4*48000 and 6*48000")" -eq 2

# booting in the middle records the rest ------------------------------------------------------
rm -rf "$T/data"
now=$(date +%s)
ics "$T/late.ics" "late@lectern.test" $((now - 4)) $((now + 6)) "Already running"
lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "ics = $T/late.ics"
run_appliance late 9
samples=$(sql "select samples from recordings")
check "booting mid-session records the rest of it ($samples samples, about 6 s)" \
	test "${samples:-0}" -ge $((4 * 48000)) -a "${samples:-0}" -le $((7 * 48000))
check "a late join is logged as such" grep -q "joined late" "$T/late.err"

# all-day and over-long events are listed but never recorded; auto_record = no records nothing
rm -rf "$T/data"
now=$(date +%s)
ics "$T/long.ics" "long@lectern.test" $((now - 3600)) $((now + 13 * 3600)) "Hackathon"
lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "ics = $T/long.ics"
run_appliance long 3
check "an event longer than max_event_hours is not recorded" test "$(sql "select count(*) from recordings")" -eq 0
now=$(date +%s)
ics "$T/off.ics" "off@lectern.test" $((now - 1)) $((now + 30)) "Not recorded"
lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "ics = $T/off.ics" "auto_record = no"
run_appliance off 3
check "auto_record = no records nothing" test "$(sql "select count(*) from recordings")" -eq 0

# A calendar server that never answers does not hold up a scheduled start ---------------------
rm -rf "$T/data"
now=$(date +%s)
ics "$T/stall.ics" "stall@lectern.test" $((now + 4)) $((now + 30)) "Starts on time"
lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "ics = $T/stall.ics"
"$LECTERN" --config "$T/lectern.conf" schedule >/dev/null 2>&1 # the calendar is cached
/usr/bin/python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$T/stall.port" &
CHILDREN+=($!)
wait_for 5 '[ -s "$T/stall.port" ]'
lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "timeout_s = 30" \
	"ics = http://127.0.0.1:$(cat "$T/stall.port")/room.ics"
run_appliance stall 9
started=$(sql "select started_ms / 1000 from recordings where title = 'Starts on time'")
check "with the calendar server stalled, the scheduled recording still starts on time (at ${started:-never}, due $((now + 4)))" \
	test -n "$started" -a "${started:-0}" -le $((now + 6))
check "...and SIGTERM ends the appliance promptly while the fetch hangs (exit $RC in ${STOP_S} s)" \
	test "$RC" -eq 0 -a "$STOP_S" -le 5
