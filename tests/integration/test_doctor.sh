#!/bin/bash
# lectern doctor on a healthy room (a microphone hearing speech through alsa-lib's file
# plugin, nginx WebDAV with good credentials, a fresh calendar, lectern run under a watchdog)
# passes every check; each broken room names its failure: no microphone, a silent one, wrong
# password, full disk, stale calendar, unsynchronised clock (the test hook, the kernel's state
# cannot be faked), no service. lectern status --json and the [health] prometheus_file parse
# and agree.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

SPEECH=$(speech_raw 10)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
export LECTERN_TEST_CLOCK_SYNC=sync # TEST HOOK: the container's clock is not NTP-disciplined

mkdir -p "$T/www/dav"
start_nginx --auth "rec:right-password" "$T/www" "location /dav/ { autoindex on; }" ||
	{ not_ok "nginx starts"; exit 1; }
URL="http://127.0.0.1:$NGINX_PORT"
tomorrow=$(date -u -d "tomorrow 12:00" +%Y%m%dT%H%M%SZ)
tomorrow_end=$(date -u -d "tomorrow 13:00" +%Y%m%dT%H%M%SZ)
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern test//EN\r\nBEGIN:VEVENT\r\nUID:bb@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Brown bag\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
	"$tomorrow" "$tomorrow_end" >"$T/www/cal.ics"
printf 'right-password\n' >"$T/good.pw"
printf 'wrong-password\n' >"$T/bad.pw"
chmod 600 "$T/good.pw" "$T/bad.pw"

# conf PATH [UPLOAD_PASSWORD_FILE] [extra lines...]: the room's configuration.
conf() {
	local path=$1 pw=${2:-$T/good.pw}
	shift
	[ $# -gt 0 ] && shift
	lectern_config "$path" "[schedule]" "source = ics" "ics = $URL/cal.ics" "user = rec" \
		"password_file = $T/good.pw" "allow_insecure_auth = yes" "refresh_s = 10" \
		"[upload]" "target = webdav" "url = $URL/dav/" "user = rec" "password_file = $pw" \
		"allow_insecure_auth = yes" "[health]" "prometheus_file = $T/prom/lectern.prom" \
		"prometheus_interval_s = 1" "$@"
}
# doctor NAME CONF [env...]: run the doctor (text and JSON); its exit code in $T/NAME.rc.
doctor() {
	local name=$1 cfg=$2
	shift 2
	env "$@" "$LECTERN" --config "$cfg" doctor --json >"$T/$name.json" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
	env "$@" "$LECTERN" --config "$cfg" doctor >"$T/$name.txt" 2>>"$T/$name.err"
}
# verdict NAME CHECK: pass, warn or fail as the JSON says.
verdict() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next((c["status"] for c in d["checks"] if c["name"] == sys.argv[2]), "missing"))' \
		"$T/$1.json" "$2" 2>/dev/null || echo unparsable
}
detail() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next((c["detail"] + " / " + c["hint"] for c in d["checks"] if c["name"] == sys.argv[2]), ""))' \
		"$T/$1.json" "$2" 2>/dev/null
}
# failures NAME: the checks that failed, space-separated.
failures() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(c["name"] for c in d["checks"] if c["status"] == "fail"))' "$T/$1.json" 2>/dev/null
}

# a healthy room -----------------------------------------------------------------------------
conf "$T/good.conf"
mkdir -p "$T/prom"
"$LECTERN" --config "$T/good.conf" record --seconds 1 --title "Before the run" >/dev/null 2>&1
"$LECTERN" --config "$T/good.conf" schedule >/dev/null 2>&1 # the calendar's cache, fresh
"$SERVERS_PYTHON" "$TESTS/lib/notify_observer.py" "$T/notify.sock" "$T/notify.log" 5000000 120 &
CHILDREN+=($!)
wait_for 5 "grep -q LISTENING '$T/notify.log'"
NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=5000000 \
	"$LECTERN" --config "$T/good.conf" run --headless >"$T/run.out" 2>"$T/run.err" &
RUN=$!
CHILDREN+=($RUN)
wait_for 10 "grep -q READY=1 '$T/notify.log'"
wait_for 20 "test \"\$(sql \"select state from recordings\")\" = uploaded"
doctor healthy "$T/good.conf"
check "healthy: doctor exits 0 ($(failures healthy))" test "$(cat "$T/healthy.rc")" -eq 0
for c in configuration microphone camera clock calendar disk server "upload queue" service; do
	check "healthy: $c passes ($(detail healthy "$c"))" test "$(verdict healthy "$c")" = pass
done
check "healthy: display is only ever a warning ($(verdict healthy display))" \
	bash -c "[[ '$(verdict healthy display)' =~ ^(pass|warn)$ ]]"
check "healthy: the microphone heard the speech" grep -q '"name":"microphone","status":"pass","detail":"[^"]*hears the room' "$T/healthy.json"
check "healthy: the server accepted the credentials" grep -q 'credentials accepted (HTTP 200)' "$T/healthy.txt"
check "healthy: the watchdog is armed (read from the service's environment)" \
	grep -q 'watchdog armed (5.0 s)' "$T/healthy.txt"
check "healthy: the disk check counts the calendar's session" \
	grep -q '1 session(s), 1.0 h by the calendar' "$T/healthy.txt"
check "healthy: the text table has one line per check" \
	test "$(grep -cE '^[a-z ]{14} (pass|WARN|FAIL) ' "$T/healthy.txt")" -eq 10

# status --json and the Prometheus file agree ------------------------------------------------
wait_for 5 "test -s '$T/prom/lectern.prom'"
sleep 1.2 # a write after the upload
"$LECTERN" --config "$T/good.conf" status --json >"$T/status.json" 2>"$T/status.err"
check "status --json exits 0" test $? -eq 0
cp "$T/prom/lectern.prom" "$T/snap.prom"
check "the Prometheus file is 0644 (node_exporter reads it as its own user)" \
	test "$(stat -c %a "$T/prom/lectern.prom")" = 644
check "no temporary file is left beside it" test "$(ls "$T/prom" | wc -l)" -eq 1
python3 - "$T/status.json" "$T/snap.prom" >"$T/compare.out" 2>&1 <<'PY'
import json, re, sys
status = json.load(open(sys.argv[1]))
prom, helped, typed = {}, set(), set()
for line in open(sys.argv[2]):
    line = line.rstrip("\n")
    if line.startswith("# HELP "):
        helped.add(line.split()[2]); continue
    if line.startswith("# TYPE "):
        typed.add(line.split()[2]); continue
    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+]+)', line)
    assert m, "not a sample line: %r" % line
    name, labels, value = m.group(1), m.group(3), float(m.group(4))
    assert name in helped and name in typed, "no HELP/TYPE for " + name
    assert name.startswith("lectern_"), name
    prom[name] = (value, dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels or "")))
def p(name): return prom[name][0]
problems = []
def same(what, a, b, tol=0):
    if abs(a - b) > tol: problems.append("%s: status %s, prometheus %s" % (what, a, b))
same("recording", status["state"] in ("recording", "paused"), p("lectern_recording"))
same("queue waiting", status["queue"]["waiting"], p("lectern_queue_waiting_recordings"))
same("queue failed", status["queue"]["failed"], p("lectern_queue_failed_recordings"))
same("queue oldest age", status["queue"]["oldest_age_s"], p("lectern_queue_oldest_age_seconds"), 3)
same("calendar last sync", status["calendar"]["last_sync"],
     p("lectern_calendar_last_sync_timestamp_seconds"), 15)
same("last upload", status["last_upload"], p("lectern_last_upload_timestamp_seconds"))
same("calendar stale", status["calendar"]["stale"], p("lectern_calendar_stale"))
if status["calendar"]["stale"] is not False: problems.append("a fresh calendar called stale")
same("microphone", status["microphone_present"], p("lectern_microphone_present"))
same("service start", status["service"]["started"], p("lectern_service_start_time_seconds"), 1)
same("disk free", status["disk_free_bytes"], p("lectern_disk_free_bytes"),
     status["disk_free_bytes"] * 0.01)
labels = prom["lectern_build_info"][1]
if labels.get("version") != status["versions"]["lectern"]: problems.append("version")
for k, v in status["versions"].items():
    if k != "lectern" and labels.get(k.replace("-", "_")) != v: problems.append("version of " + k)
if status["last_upload"] <= 0: problems.append("no upload seen: the comparison would be empty")
if not status["service"]["running"]: problems.append("status does not see lectern run")
print("\n".join(problems) or "agree")
sys.exit(1 if problems else 0)
PY
check "status --json and the Prometheus file parse and agree ($(tr '\n' ' ' <"$T/compare.out"))" \
	test "$(cat "$T/compare.out")" = agree
"$LECTERN" --config "$T/good.conf" status >"$T/status.txt" 2>&1
check "status (text) says idle, the service's pid and the last upload" \
	bash -c "grep -q '^State: *idle' '$T/status.txt' && grep -q 'running (pid $RUN' '$T/status.txt' \
	&& ! grep -q '^Last upload: *never' '$T/status.txt'"

# unsynchronised clock -----------------------------------------------------------------------
doctor unsync "$T/good.conf" LECTERN_TEST_CLOCK_SYNC=unsync
check "unsynchronised clock: exit 1" test "$(cat "$T/unsync.rc")" -eq 1
check "unsynchronised clock: only the clock fails ($(failures unsync))" test "$(failures unsync)" = clock
check "unsynchronised clock: the hint says how to enable network time" \
	grep -q 'timedatectl set-ntp true' "$T/unsync.txt"

# wrong password -----------------------------------------------------------------------------
conf "$T/badpw.conf" "$T/bad.pw"
doctor badpw "$T/badpw.conf"
check "wrong password: exit 1" test "$(cat "$T/badpw.rc")" -eq 1
check "wrong password: only the server fails ($(failures badpw))" test "$(failures badpw)" = server
check "wrong password: it says the credentials are refused (HTTP 401)" \
	grep -q 'refuses the credentials (HTTP 401)' "$T/badpw.txt"
check "wrong password: the password appears nowhere in the output" \
	bash -c "! grep -q 'wrong-password\|right-password' '$T/badpw.txt' '$T/badpw.json' '$T/badpw.err'"

# stale calendar: the cache is a day old and the server no longer has it --------------------
sql "update calendar_cache set ok_ms = ok_ms - 86400000"
mv "$T/www/cal.ics" "$T/www/cal.ics.away"
kill -STOP "$RUN" # the service's fetcher must not find it either while the doctor looks
doctor stale "$T/good.conf"
"$LECTERN" --config "$T/good.conf" status --json >"$T/stale-status.json" 2>/dev/null
"$LECTERN" --config "$T/good.conf" status >"$T/stale-status.txt" 2>/dev/null
kill -CONT "$RUN"
mv "$T/www/cal.ics.away" "$T/www/cal.ics"
check "stale calendar: exit 1" test "$(cat "$T/stale.rc")" -eq 1
check "stale calendar: only the calendar fails ($(failures stale))" test "$(failures stale)" = calendar
check "stale calendar: status --json says calendar.stale, as the doctor judged" \
	python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["calendar"]["stale"] is True' \
	"$T/stale-status.json"
check "stale calendar: status (text) says STALE" grep -q '^Calendar: .*, STALE' "$T/stale-status.txt"
check "stale calendar: it says stale, since when, and why fetching fails" \
	grep -q 'stale: last good fetch 1d 0h ago .*fetching now fails: .*404' "$T/stale.txt"

# no microphone, and a silent one ------------------------------------------------------------
conf "$T/nomic.conf" "" "[audio]" "device = lectern_no_such_mic"
doctor nomic "$T/nomic.conf"
check "no microphone: exit 1" test "$(cat "$T/nomic.rc")" -eq 1
check "no microphone: only the microphone fails ($(failures nomic))" test "$(failures nomic)" = microphone
check "no microphone: it names the device" grep -q "lectern_no_such_mic" "$T/nomic.txt"
silent_conf=$(alsa_conf /dev/zero)
doctor silent "$T/good.conf" ALSA_CONFIG_PATH="$silent_conf"
check "silent microphone: only the microphone fails ($(failures silent))" test "$(failures silent)" = microphone
check "silent microphone: it says it hears nothing and to unmute it" \
	bash -c "grep -q 'hears nothing above -60 dBFS' '$T/silent.txt' && grep -q 'unmute' '$T/silent.txt'"

# no service ---------------------------------------------------------------------------------
stop_pid "$RUN"
doctor norun "$T/good.conf"
check "no service: only the service fails ($(failures norun))" test "$(failures norun)" = service
check "no service: it says lectern run is not running" grep -q 'lectern run is not running' "$T/norun.txt"
# A lectern record holding the data directory is not the service: status says so, in text and
# JSON, and the Prometheus start time stays 0.
# (A microphone in real time: the file plugin alone would end the recording at once.)
paced_mic "$T/hold.fifo" "$(speech_raw 30)"
ALSA_CONFIG_PATH=$(alsa_conf "$T/hold.fifo") "$LECTERN" --config "$T/good.conf" record \
	--seconds 30 --title "Meanwhile" >/dev/null 2>&1 &
rec=$!
CHILDREN+=($rec)
wait_for 10 "'$LECTERN' --config '$T/good.conf' status 2>/dev/null | grep -q 'holds the data directory'"
"$LECTERN" --config "$T/good.conf" status >"$T/busy.txt" 2>&1
"$LECTERN" --config "$T/good.conf" status --json >"$T/busy.json" 2>/dev/null
check "status while lectern record holds the data directory: the service is not running, the holder named" \
	bash -c "grep -q 'Service: *not running (pid $rec, a lectern record or upload, holds the data directory)' \
		'$T/busy.txt' && python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))[\"service\"]
assert s[\"running\"] is False and s[\"pid\"] == int(sys.argv[2]), s' '$T/busy.json' $rec"
kill -TERM $rec 2>/dev/null
wait $rec

# full disk: a 3 MB disk cannot hold a week (5 h at 32 kb/s is ~74 MB) -----------------------
mkdir -p "$T/small"
if mount -t tmpfs -o size=3m tmpfs "$T/small" 2>/dev/null; then
	trap 'umount "$T/small" 2>/dev/null; cleanup_children; [ -n "${KEEP_TMP:-}" ] || rm -rf "$T"' EXIT
	conf "$T/full.conf" "" "[device]" "data_dir = $T/small/data"
	how="a 3 MB tmpfs"
else
	conf "$T/full.conf" "" "[recording]" "min_free_mb = 1000000" # as test_disk.sh does unprivileged
	how="a floor above the free space"
fi
doctor full "$T/full.conf"
check "full disk ($how): exit 1" test "$(cat "$T/full.rc")" -eq 1
check "full disk ($how): the disk fails ($(failures full))" \
	bash -c "[[ ' $(failures full) ' == *' disk '* ]]"
check "full disk ($how): it says what a week needs" grep -q 'a week (.*) needs [0-9]* MB' "$T/full.txt"
mountpoint -q "$T/small" && umount "$T/small"

# a broken configuration stops there ---------------------------------------------------------
printf '[device]\nroom = R\nnot_a_key = 1\n' >"$T/broken.conf"
doctor broken "$T/broken.conf"
check "broken configuration: exit 1, the configuration fails with its line" \
	bash -c "test $(cat "$T/broken.rc") -eq 1 && grep -q 'broken.conf:3' '$T/broken.txt' && test '$(failures broken)' = configuration"

# the display: warn only, and says which --------------------------------------------------
doctor noplugin "$T/good.conf" LECTERN_SCREEN="$T/none.so"
check "display: a missing screen plugin is a warning that names it" \
	bash -c "test '$(verdict noplugin display)' = warn && grep -q '$T/none.so' '$T/noplugin.txt'"
if [ -s "$BUILD/lectern-screen-sdl.so" ]; then
	# A display that does not exist: the plugin loads, but nothing answers there.
	doctor nox "$T/good.conf" LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so" DISPLAY=:7391 \
		WAYLAND_DISPLAY=
	check "display: DISPLAY=:7391 (no such server) is a warning that says it does not answer ($(detail nox display))" \
		bash -c "test '$(verdict nox display)' = warn && grep -q 'X11 display :7391 does not answer (socket /tmp/.X11-unix/X7391)' '$T/nox.txt'"
	doctor noxtcp "$T/good.conf" LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so" \
		DISPLAY=127.0.0.1:$(($(free_port) - 6000)) WAYLAND_DISPLAY=
	check "display: a TCP display nobody listens on is a warning ($(detail noxtcp display))" \
		bash -c "test '$(verdict noxtcp display)' = warn && grep -q 'does not answer (127.0.0.1 port' '$T/noxtcp.txt'"
else
	echo "ok - display: a display that does not exist is a warning # SKIP no plugin built"
fi
if [ -x "$(command -v Xvfb)" ] && [ -s "$BUILD/lectern-screen-sdl.so" ] && start_xvfb 800 480; then
	doctor x11 "$T/good.conf" LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so" WAYLAND_DISPLAY=
	check "display: the plugin loads and the X11 display answers ($(detail x11 display))" \
		bash -c "test '$(verdict x11 display)' = pass && grep -q 'X11 display $DISPLAY answers' '$T/x11.txt'"
	stop_pid "$XVFB_PID"
	doctor x11gone "$T/good.conf" LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so" WAYLAND_DISPLAY=
	check "display: the same DISPLAY once its server is gone is a warning ($(detail x11gone display))" \
		bash -c "test '$(verdict x11gone display)' = warn && grep -q 'X11 display $DISPLAY does not answer' '$T/x11gone.txt'"
else
	echo "ok - display: the plugin loads and an X11 display is named # SKIP no Xvfb or no plugin built"
fi

# Opencast: the registry asked with the agent's credentials, as provision asks ---------------
printf 'oc-right-pw\n' >"$T/oc.pw"
printf 'oc-wrong-pw\n' >"$T/ocbad.pw"
chmod 600 "$T/oc.pw" "$T/ocbad.pw"
if start_opencast_double --digest --user agent --password oc-right-pw --log "$T/oc.log"; then
	# occonf PATH PASSWORD_FILE [extra lines...]: Opencast as the upload target
	occonf() {
		local path=$1 pw=$2
		shift 2
		lectern_config "$path" "[upload]" "target = opencast" "user = agent" \
			"password_file = $pw" "auth = digest" "[opencast]" "url = $OC_URL" "$@"
	}
	occonf "$T/oc.conf" "$T/oc.pw"
	doctor oc "$T/oc.conf"
	check "Opencast, right password: the server check passes naming ingest and capture-admin ($(detail oc server))" \
		bash -c "test '$(verdict oc server)' = pass && grep -q 'Opencast accepts user agent; ingest at http://127.0.0.1:$OC_PORT/ingest; capture-admin at' '$T/oc.txt'"
	check "... it asked the service registry with Digest as the agent" \
		bash -c "grep -q '\"path\": \"/services/available.json\".*\"user\": \"agent\"' '$T/oc.log'"
	occonf "$T/ocbad.conf" "$T/ocbad.pw"
	doctor ocbad "$T/ocbad.conf"
	check "Opencast, wrong password: the server check fails ($(detail ocbad server))" \
		bash -c "test '$(verdict ocbad server)' = fail && grep -q 'Opencast refused the credentials of \[upload\] user agent' '$T/ocbad.txt'"
	check "... with a hint that names the password file" \
		bash -c "grep -q -- '-> check \[upload\] user and its password_file' '$T/ocbad.txt'"
	check "... and the password appears nowhere in the output" \
		bash -c "! grep -q 'oc-wrong-pw\|oc-right-pw' '$T/ocbad.txt' '$T/ocbad.json' '$T/ocbad.err'"
	"$SERVERS_PYTHON" -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"", method="POST")).read()' \
		"$OC_URL/__double__/services?shape=empty"
	doctor ocnoingest "$T/oc.conf"
	check "Opencast without an ingest service: the server check fails ($(detail ocnoingest server))" \
		bash -c "test '$(verdict ocnoingest server)' = fail && grep -q 'no org.opencastproject.ingest service' '$T/ocnoingest.txt' && grep -q 'ingest service registered and online' '$T/ocnoingest.txt'"
	"$SERVERS_PYTHON" -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"", method="POST")).read()' \
		"$OC_URL/__double__/services?shape=object"
	# The agent's calendar on Opencast, no upload target: the scheduler is what it needs.
	lectern_config "$T/occal.conf" "[schedule]" "source = opencast" "user = agent" \
		"password_file = $T/oc.pw" "auth = digest" "[opencast]" "url = $OC_URL"
	doctor occal "$T/occal.conf"
	check "Opencast as the calendar only: the server check asks for the scheduler ($(detail occal server))" \
		bash -c "test '$(verdict occal server)' = pass && grep -q 'scheduler at http://127.0.0.1:$OC_PORT/recordings' '$T/occal.txt'"
	stop_opencast_double
else
	not_ok "the Opencast double starts"
fi

# a recording holds the microphone: the Prometheus file never calls it missing, and lectern run
# does not open it behind the recording's back (a USB microphone's hw device opens once: a
# probe would fail and say "missing"; alsa-lib's file plugin opens twice, so the opens of its
# infile, a FIFO fed in real time, are counted instead, with inotify) ---------------------------
MICIN="$T/mic.fifo"
paced_mic "$MICIN" "$(speech_raw 60)"
start=$(date -u -d "-5 seconds" +%Y%m%dT%H%M%SZ)
end=$(date -u -d "+60 seconds" +%Y%m%dT%H%M%SZ)
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern test//EN\r\nBEGIN:VEVENT\r\nUID:now@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Now\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
	"$start" "$end" >"$T/now.ics"
mkdir -p "$T/prom2"
lectern_config "$T/rec.conf" "[device]" "data_dir = $T/recdata" "[schedule]" "source = ics" \
	"ics = $T/now.ics" "[health]" "prometheus_file = $T/prom2/lectern.prom" \
	"prometheus_interval_s = 1"
"$SERVERS_PYTHON" "$TESTS/lib/inotify_opens.py" "$MICIN" "$T/opens.log" 90 &
CHILDREN+=($!)
wait_for 5 "grep -q LISTENING '$T/opens.log'"
ALSA_CONFIG_PATH=$(alsa_conf "$MICIN") "$LECTERN" --config "$T/rec.conf" run --headless \
	>"$T/recrun.out" 2>"$T/recrun.err" &
RECRUN=$!
CHILDREN+=($RECRUN)
recsql() { sqlite3 "$T/recdata/lectern.db" "$1" 2>/dev/null; }
wait_for 20 "test \"\$(recsql \"select count(*) from recordings where state = 'recording'\")\" = 1"
check "lectern run --headless records the session that is on now" \
	test "$(recsql "select count(*) from recordings where state = 'recording'")" = 1
sleep 1.5 # the recording's own open is behind us
opens_before=$(grep -c '^OPEN' "$T/opens.log")
samples="" stamps=""
for i in $(seq 1 24); do # 6 s: six rewrites at prometheus_interval_s = 1
	sleep 0.25
	samples+="$(grep -h '^lectern_microphone_present ' "$T/prom2/lectern.prom" | cut -d' ' -f2)"
	rec=$(grep -h '^lectern_recording ' "$T/prom2/lectern.prom" | cut -d' ' -f2)
	[ "$rec" = 1 ] || samples+="(not recording)"
	stamps+=" $(grep -h '^lectern_health_timestamp_seconds ' "$T/prom2/lectern.prom" | cut -d' ' -f2)"
done
opens_after=$(grep -c '^OPEN' "$T/opens.log")
check "the Prometheus file was rewritten during the recording ($(echo $stamps | tr ' ' '\n' | sort -u | wc -l) distinct stamps)" \
	test "$(echo $stamps | tr ' ' '\n' | sort -u | wc -l)" -ge 4
check "while recording, lectern_microphone_present is 1 in every one of 24 samples ($samples)" \
	test "$samples" = "$(printf '1%.0s' $(seq 1 24))"
check "while recording, nothing opened the microphone again ($opens_before opens before, $opens_after after)" \
	test "$opens_after" -eq "$opens_before" -a "$opens_before" -ge 1
stop_pid "$RECRUN"
