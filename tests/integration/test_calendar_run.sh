#!/bin/bash
# The calendar in `lectern run` (issue 10): a huge calendar update is parsed and expanded by the
# fetcher thread, never by the main loop — the loop keeps ticking (watchdog pings, measured
# through a NOTIFY_SOCKET of ours) and a session due meanwhile starts on time; a storm of
# FREQ=SECONDLY events next to a real talk makes one recording, the talk's, with bounded
# memory and occurrence rows.
source "$(dirname "$0")/../lib/common.sh"

SPEECH=$(speech_raw 60)
utc() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }

# run_appliance NAME SECONDS [ACTION_AT ACTION]: lectern run --headless with a paced microphone
# and a notify socket; ACTION (a shell command) runs ACTION_AT seconds in. Sets RC, STOP_S,
# PEAK_KB (the process's peak RSS) and leaves the watchdog pings' times in $T/NAME.pings.
run_appliance() {
	local name=$1 secs=$2 at=${3:-} action=${4:-} fifo="$T/$1.fifo"
	paced_mic "$fifo" "$SPEECH"
	python3 - "$T/$name.sock" "$T/$name.pings" $((secs + 10)) <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.monotonic() + float(sys.argv[3])
with open(sys.argv[2], "w") as out:
    while time.monotonic() < end:
        try:
            msg = s.recv(4096).decode(errors="replace")
        except socket.timeout:
            continue
        if "WATCHDOG=1" in msg:
            out.write(f"{time.monotonic():.3f}\n")
            out.flush()
PY
	CHILDREN+=($!)
	wait_for 5 "[ -S '$T/$name.sock' ]"
	NOTIFY_SOCKET="$T/$name.sock" WATCHDOG_USEC=2000000 ALSA_CONFIG_PATH=$(alsa_conf "$fifo") \
		"$LECTERN" --config "$T/lectern.conf" run --headless >"$T/$name.out" 2>"$T/$name.err" &
	local pid=$!
	CHILDREN+=($pid)
	PEAK_KB=0
	local t=0
	while [ $t -lt $((secs * 10)) ]; do
		[ -n "$at" ] && [ $t -eq $((at * 10)) ] && eval "$action"
		local kb
		kb=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		[ -n "$kb" ] && PEAK_KB=$kb
		sleep 0.1
		t=$((t + 1))
	done
	local t0=$SECONDS
	kill -TERM $pid
	wait $pid
	RC=$?
	STOP_S=$((SECONDS - t0))
}

# max_gap FILE: the longest time between two watchdog pings, in ms
max_gap() {
	awk 'NR > 1 { g = ($1 - p) * 1000; if (g > m) m = g } { p = $1 } END { printf "%d\n", m }' "$1"
}

# A huge update while a session is due ----------------------------------------------------------
now=$(date +%s)
talk_start=$((now + 16))
{
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern tests//EN\r\n'
	printf 'BEGIN:VEVENT\r\nUID:talk@lectern.test\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:On time\r\nEND:VEVENT\r\n' \
		"$(utc $talk_start)" "$(utc $((talk_start + 10)))"
	printf 'END:VCALENDAR\r\n'
} >"$T/cal.ics"
# the update: the same talk and 250,000 events of the coming days (about 30 MB)
python3 - "$T/huge.ics" "$now" "$talk_start" <<'PY'
import sys, time
path, now, talk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
utc = lambda t: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))
with open(path, "w", newline="") as f:
    f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern tests//EN\r\n")
    f.write(f"BEGIN:VEVENT\r\nUID:talk@lectern.test\r\nDTSTART:{utc(talk)}\r\n"
            f"DTEND:{utc(talk + 10)}\r\nSUMMARY:On time\r\nEND:VEVENT\r\n")
    for i in range(250000):
        s = now + 3600 + (i % 5000) * 60
        f.write(f"BEGIN:VEVENT\r\nUID:filler-{i}@lectern.test\r\nDTSTART:{utc(s)}\r\n"
                f"DTEND:{utc(s + 1800)}\r\nSUMMARY:Filler {i}\r\n"
                "END:VEVENT\r\n")
    f.write("END:VCALENDAR\r\n")
PY
lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "ics = $T/cal.ics" "refresh_s = 10"
run_appliance huge 30 3 "mv '$T/huge.ics' '$T/cal.ics'"
gap=$(max_gap "$T/huge.pings")
started=$(sql "select started_ms from recordings where title = 'On time'")
late=$(( ${started:-0} - talk_start * 1000 ))
echo "# huge update: longest main-loop pause $gap ms; the talk started $late ms after its time; SIGTERM took $STOP_S s"
check "run --headless exits 0 on SIGTERM within 10 s (took $STOP_S s)" test "$RC" -eq 0 -a "$STOP_S" -le 10
check "the update was read (the log says so)" grep -q "calendar updated" "$T/huge.err"
check "the main loop kept ticking while the update was parsed (longest pause $gap ms, ticks are 1000 ms)" \
	test "${gap:-99999}" -le 1600 -a "$(wc -l <"$T/huge.pings")" -ge 20
check "the session due meanwhile started within a second of its time (${late} ms)" \
	test -n "$started" -a "$late" -ge -1000 -a "$late" -le 1500

# A SECONDLY storm and one real talk -----------------------------------------------------------
rm -rf "$T/data"
now=$(date +%s)
{
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//probe//storm//EN\r\n'
	for i in $(seq 0 19); do
		freq=SECONDLY
		[ $((i % 2)) -eq 1 ] && freq=MINUTELY
		printf 'BEGIN:VEVENT\r\nUID:storm-%d@probe.example\r\nDTSTART:%s\r\nDURATION:PT1S\r\nRRULE:FREQ=%s\r\nSUMMARY:junk\r\nEND:VEVENT\r\n' \
			"$i" "$(utc $((now - 86400)))" "$freq"
	done
	printf 'BEGIN:VEVENT\r\nUID:real@lectern.test\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:The real talk\r\nEND:VEVENT\r\n' \
		"$(utc $((now + 4)))" "$(utc $((now + 74)))"
	printf 'END:VCALENDAR\r\n'
} >"$T/storm.ics"
lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "ics = $T/storm.ics" "min_event_s = 60"
run_appliance storm 12
rows=$(sql "select count(*) from occurrences")
echo "# storm: $rows occurrence rows, peak RSS $PEAK_KB KB"
check "run --headless exits 0 on SIGTERM (storm)" test "$RC" -eq 0
check "one recording, the real talk's (sub-minute sessions are not recorded)" \
	test "$(sql "select group_concat(title, '|') from recordings")" = "The real talk"
check "occurrence rows are bounded ($rows, at most 20000)" test "${rows:-0}" -ge 1 -a "${rows:-0}" -le 20000
# (a sanitizer build's own memory is not the appliance's)
limit=$([ -n "${SANITIZER_LOGS:-}" ] && echo 1048576 || echo 65536)
check "peak RSS stays under $((limit / 1024)) MB ($PEAK_KB KB)" test "$PEAK_KB" -gt 0 -a "$PEAK_KB" -lt "$limit"
