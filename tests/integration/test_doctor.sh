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
kill -CONT "$RUN"
mv "$T/www/cal.ics.away" "$T/www/cal.ics"
check "stale calendar: exit 1" test "$(cat "$T/stale.rc")" -eq 1
check "stale calendar: only the calendar fails ($(failures stale))" test "$(failures stale)" = calendar
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
if [ -x "$(command -v Xvfb)" ] && [ -s "$BUILD/lectern-screen-sdl.so" ] && start_xvfb 800 480; then
	doctor x11 "$T/good.conf" LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so"
	check "display: the plugin loads and an X11 display is named" \
		bash -c "test '$(verdict x11 display)' = pass && grep -q 'X11 display $DISPLAY' '$T/x11.txt'"
else
	echo "ok - display: the plugin loads and an X11 display is named # SKIP no Xvfb or no plugin built"
fi
