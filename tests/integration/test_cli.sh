#!/bin/bash
# The command line a newcomer and IT staff meet: help, version, the sample config, and the
# appliance's main loop under signals.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

check "lectern help lists the commands" bash -c "'$LECTERN' help | grep -q 'record \[OPTIONS\]'"
check "lectern version prints a version" bash -c "'$LECTERN' version | grep -Eq '^lectern [0-9]+\.[0-9]+'"
check "lectern help config lists every key" bash -c "'$LECTERN' help config | grep -q 'recording.low_audio_seconds'"
check "board/lectern.conf is exactly what the option table documents (no drift)" \
	diff <("$LECTERN" config sample) "$TESTS/../board/lectern.conf"
check "firmware's layers: no module includes a header of a layer above its own" \
	python3 "$TESTS/lib/check_layers.py" "$TESTS/.."
check "the make-run profile is valid" "$LECTERN" --config "$TESTS/../board/pc/lectern.conf" config check
check "--config is accepted after the command too" \
	bash -c "'$LECTERN' config check --config '$TESTS/../board/pc/lectern.conf' | grep -q 'pc/lectern.conf: OK'"

lectern_config "$T/lectern.conf"
"$LECTERN" --config "$T/lectern.conf" run --headless >"$T/run.out" 2>"$T/run.err" &
pid=$!
wait_for 10 'grep -q "stop with SIGTERM" "$T/run.err"'
check "run --headless starts and says how to stop it" grep -q "stop with SIGTERM" "$T/run.err"
# lectern hands run to lectern-net by execv: the same process, so its signals, its pid file
# and systemd's notify socket stay with the pid that was started.
check "run is carried out by lectern-net in the process lectern started" \
	bash -c "[ \"\$(readlink /proc/$pid/exe)\" = '$(dirname "$LECTERN")/lectern-net' ]"
check "run --headless says when no microphone is usable" grep -q "no usable microphone" "$T/run.err"
check "run --headless created the store with its schema" test "$(sql "pragma user_version")" -ge 1
printf '[device]\nroom = Renamed\ndata_dir = %s/data\n' "$T" >"$T/lectern.conf"
kill -HUP $pid
wait_for 10 'grep -q "configuration reloaded" "$T/run.err"'
check "SIGHUP reloads the configuration" grep -q "configuration reloaded" "$T/run.err"
printf '[device]\nroom = \n' >"$T/lectern.conf"
kill -HUP $pid
wait_for 10 'grep -q "keeping the running one" "$T/run.err"'
check "a bad configuration on SIGHUP is reported and the running one kept" \
	bash -c "grep -q 'device.room: must not be empty' '$T/run.err' && grep -q 'keeping the running one' '$T/run.err'"
check "still running after a bad reload" kill -0 $pid
kill -TERM $pid
wait $pid
check "SIGTERM ends run --headless with exit 0" test $? -eq 0

# With a microphone (the ALSA file plugin standing in) it names the device instead.
export ALSA_CONFIG_PATH=$(alsa_conf "$(speech_raw 2)")
lectern_config "$T/mic.conf"
"$LECTERN" --config "$T/mic.conf" run --headless >/dev/null 2>"$T/mic.err" &
pid=$!
wait_for 10 'grep -q "stop with SIGTERM" "$T/mic.err"'
kill -TERM $pid
wait $pid
check "run --headless names the microphone it will record from" grep -q "microphone: ALSA default" "$T/mic.err"

# No display: the appliance runs headless and says that the display failed, not a microphone.
LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so" SDL_VIDEODRIVER=nosuchdriver "$LECTERN" --config "$T/mic.conf" run >/dev/null 2>"$T/nodisp.err" &
pid=$!
wait_for 10 'grep -q "stop with SIGTERM" "$T/nodisp.err"'
kill -TERM $pid
wait $pid
check "without a display, run says the display failed and runs headless" \
	grep -q "no screen (Display: .*): running headless" "$T/nodisp.err"

# A file named with --out: stored by its absolute path, and the user's --------------------------
# (upload --once and the service, whose working directory is /, run elsewhere; retention and
# the upload never delete it nor write beside it)
mkdir -p "$T/mine" "$T/elsewhere" "$T/outshare" # the share is there: lectern makes only what is inside it
lectern_config "$T/out.conf" "[upload]" "target = folder" "folder = $T/outshare" \
	"retention_days = 0"
(cd "$T/mine" && "$LECTERN" --config "$T/out.conf" record --seconds 1 --out rel.opus \
	>/dev/null 2>&1)
check "record --out rel.opus stores the absolute path" \
	test "$(sql "select path from recordings where path like '%rel.opus'")" = "$T/mine/rel.opus"
(cd "$T/elsewhere" && "$LECTERN" --config "$T/out.conf" upload --once >"$T/out.out" 2>"$T/out.err")
check "upload --once from another directory delivers it" \
	test "$(sql "select state from recordings where path like '%rel.opus'")" = uploaded
check "after delivery (retention_days = 0) the file outside the spool is still there" \
	test -f "$T/mine/rel.opus"
check "nothing is written beside a file outside the spool" test "$(ls -A "$T/mine")" = rel.opus
check "the log says it was kept: outside the spool" grep -q "kept: outside the spool" "$T/out.err"

# Relative paths an older lectern stored are repaired when the store is opened: found in the
# spool, or the recording fails with a reason that names the path.
"$LECTERN" --config "$T/out.conf" record --seconds 1 --title "In the spool" >/dev/null 2>&1
"$LECTERN" --config "$T/out.conf" record --seconds 1 --title "Lost" >/dev/null 2>&1
sql "update recordings set path = replace(path, '$T/data/spool/', '') where title = 'In the spool';
     update recordings set path = 'gone/lost.opus' where title = 'Lost'"
(cd "$T/elsewhere" && "$LECTERN" --config "$T/out.conf" upload --once >/dev/null 2>"$T/rel.err")
check "a relative path whose file is in the spool is repaired and uploaded" \
	test "$(sql "select state || ' ' || substr(path, 1, 1) from recordings where title = 'In the spool'")" = "uploaded /"
check "a relative path that cannot be found fails the recording, naming the path" \
	bash -c "[ \"\$(sqlite3 '$T/data/lectern.db' \"select state from recordings where title = 'Lost'\")\" = failed ] &&
		sqlite3 '$T/data/lectern.db' \"select reason from recordings where title = 'Lost'\" | grep -q 'relative path gone/lost.opus'"

# JSON for servers and tools is valid whatever bytes a title holds: invalid UTF-8 becomes
# U+FFFD, control characters are escaped (the sidecar and every --json output). The calendar's
# title has a byte Windows-1252 leaves undefined (0x81), so it is not read as 1252 (utf8.h).
cat >"$T/json_ok.py" <<'PY'
import json, sys
lines = [l for l in sys.stdin.buffer.read().decode("utf-8").splitlines() if l.strip()]
docs = [json.loads(l) for l in lines]
want = json.loads('"%s"' % sys.argv[1])  # the expected text, as a JSON string's body
assert any(isinstance(v, str) and want in v for d in docs for v in d.values()), docs
PY
json_ok() { /usr/bin/python3 "$T/json_ok.py" "$@"; }
BAD=$'Caf\xc3 \xff\xfe\x01\t"quoted" \xe2\x82 end'
mkdir -p "$T/jsonshare"
lectern_config "$T/json.conf" "[device]" "data_dir = $T/jsondata" "[upload]" "target = folder" \
	"folder = $T/jsonshare"
# record refuses such a title (test_record) and calendars are repaired where they are read
# (utf8.h); a store an older lectern filled, or edited by hand, may still hold these bytes.
"$LECTERN" --config "$T/json.conf" record --seconds 1 --title "Clean" >/dev/null 2>&1
bad_hex=$(printf '%s' "$BAD" | od -An -tx1 | tr -d ' \n')
sqlite3 "$T/jsondata/lectern.db" "update recordings set title = cast(x'$bad_hex' as text),
	presenter = cast(x'$bad_hex' as text)"
check "recordings --json: valid JSON, invalid UTF-8 replaced" \
	bash -c "'$LECTERN' --config '$T/json.conf' recordings --json | /usr/bin/python3 '$T/json_ok.py' 'Caf\\ufffd \\ufffd\\ufffd\\u0001\\t\\\"quoted\\\" \\ufffd\\ufffd end'"
check "queue --json: valid JSON whatever the path holds" \
	bash -c "'$LECTERN' --config '$T/json.conf' queue --json | /usr/bin/python3 '$T/json_ok.py' queued"
"$LECTERN" --config "$T/json.conf" upload --once >/dev/null 2>&1
check "the upload's metadata sidecar: valid JSON, invalid UTF-8 replaced" \
	bash -c "find '$T/jsonshare' -name '*.json' -exec cat {} + | /usr/bin/python3 '$T/json_ok.py' 'Caf\\ufffd \\ufffd\\ufffd\\u0001'"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nBEGIN:VEVENT\r\nUID:bad@t\r\nDTSTART:20260324T100000Z\r\nDTEND:20260324T110000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
	$'Caf\xc3 talk \x81' >"$T/bad.ics"
check "schedule --json: valid JSON, invalid UTF-8 replaced" \
	bash -c "'$LECTERN' --config '$T/json.conf' schedule --ics '$T/bad.ics' --from 2026-03-24 --days 1 --json | /usr/bin/python3 '$T/json_ok.py' 'Caf\\ufffd talk \\ufffd'"

# Only `lectern run` carries the screen, as a plugin; the front end users type links none of
# the libraries of the network, the calendars or systemd (cli.h): lectern-net has them. Nor
# OpenSSL: record hashes with nettle (osutil.c), which keeps its peak RSS in budget.
check "the lectern binary links no SDL, libpng, libcurl, libical, libxml2, libsystemd or libcrypto (ldd)" \
	bash -c "ldd '$LECTERN' >'$T/ldd' && ! grep -Eiq 'libSDL|libpng|libcurl|libical|libxml2|libsystemd|libcrypto' '$T/ldd'"
check "lectern-net links no SDL or libpng (ldd)" \
	bash -c "ldd '$(dirname "$LECTERN")/lectern-net' >'$T/ldd-net' && grep -q libcurl '$T/ldd-net' &&
		! grep -Eiq 'libSDL|libpng' '$T/ldd-net'"
# upload has its own executable so that a short upload does not load the calendars, the
# camera, the microphone, systemd or Opencast's XML with ICU (cli.h).
check "lectern-upload links libcurl but no libical, zbar, libsystemd, alsa-lib, libv4l2, libgpiod, libxml2, ICU or SDL (ldd)" \
	bash -c "ldd '$(dirname "$LECTERN")/lectern-upload' >'$T/ldd-upload' && grep -q libcurl '$T/ldd-upload' &&
		! grep -Eiq 'libical|libzbar|libsystemd|libasound|libv4l2|libgpiod|libxml2|libicu|libSDL2' '$T/ldd-upload'"
mkdir -p "$T/alone"
cp "$LECTERN" "$T/alone/lectern"
"$T/alone/lectern" --config "$T/json.conf" schedule --ics "$T/bad.ics" >"$T/alone.out" 2>"$T/alone.err"
echo "exit $?" >>"$T/alone.err"
check "without lectern-net beside it, lectern says which file it needs (exit 1)" \
	bash -c "grep -q 'schedule is carried out by $T/alone/lectern-net, which cannot be run: No such file' \
		'$T/alone.err' && grep -q '^exit 1' '$T/alone.err'"
# lectern-net beside it is not enough for upload: that is lectern-upload's.
cp "$(dirname "$LECTERN")/lectern-net" "$T/alone/lectern-net"
"$T/alone/lectern" --config "$T/json.conf" upload --once >"$T/alone-up.out" 2>"$T/alone-up.err"
echo "exit $?" >>"$T/alone-up.err"
check "without lectern-upload beside it, lectern upload --once says which file it needs (exit 1)" \
	bash -c "grep -q 'upload is carried out by $T/alone/lectern-upload, which cannot be run: No such file' \
		'$T/alone-up.err' && grep -q '^exit 1' '$T/alone-up.err'"
check "the light commands need no lectern-net" \
	bash -c "'$T/alone/lectern' --config '$T/json.conf' queue --json | grep -q '\"state\"'"

# stalled_upload NAME EXE CONFIG-LINES...: `lectern upload --once` against a server that
# accepts and never answers (it logs each connection; gone after 30 s) is carried out by EXE
# in the process lectern started, seen in /proc while it waits; once the server is gone the
# attempt fails at once (exit 1; the config's timeout_s bounds it).
stalled_upload() {
	local name=$1 exe=$2 port stall_pid pid
	shift 2
	port=$(free_port)
	/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
open(sys.argv[2], "w").close()
held = []
end = time.time() + 30
while time.time() < end:
    s.settimeout(end - time.time())
    try: held.append(s.accept()[0])
    except OSError: break
    with open(sys.argv[2], "a") as f: f.write("accepted\n")
' "$port" "$T/$name.log" &
	stall_pid=$!
	CHILDREN+=($stall_pid)
	lectern_config "$T/$name.conf" "[device]" "data_dir = $T/$name.data" \
		"${@//PORT/$port}"
	"$LECTERN" --config "$T/$name.conf" record --seconds 1 --title "Stalled" >/dev/null 2>&1
	wait_for 10 "[ -e '$T/$name.log' ]"
	"$LECTERN" --config "$T/$name.conf" upload --once >/dev/null 2>"$T/$name.err" &
	pid=$!
	CHILDREN+=($pid)
	wait_for 10 "grep -q accepted '$T/$name.log'"
	check "$name: upload --once is carried out by $exe in the process lectern started" \
		bash -c "grep -q accepted '$T/$name.log' &&
			[ \"\$(readlink /proc/$pid/exe)\" = '$(dirname "$LECTERN")/$exe' ]"
	kill $stall_pid 2>/dev/null
	wait $stall_pid 2>/dev/null
	wait $pid
	check "$name: the stalled upload ends with exit 1 once the server is gone" test $? -eq 1
}
stalled_upload webdav lectern-upload "[upload]" "target = webdav" "url = http://127.0.0.1:PORT/dav" \
	"timeout_s = 10"
# Opencast's ingest speaks XML (libxml2), which lectern-upload leaves out: it hands the same
# command line to lectern-net.
stalled_upload opencast lectern-net "[upload]" "target = opencast" "timeout_s = 10" \
	"[opencast]" "url = http://127.0.0.1:PORT"
# A sibling is never asked to run itself: a lectern-upload installed under lectern-net's name
# would otherwise hand an upload to Opencast to itself for ever.
mkdir -p "$T/loop"
cp "$(dirname "$LECTERN")/lectern-upload" "$T/loop/lectern-net"
lectern_config "$T/loop.conf" "[device]" "data_dir = $T/loop.data" "[upload]" "target = opencast" \
	"[opencast]" "url = http://127.0.0.1:9"
timeout 10 "$T/loop/lectern-net" --config "$T/loop.conf" upload --once >/dev/null 2>"$T/loop.err"
check "a command handed to the executable that is running is refused, not looped (exit 1)" \
	bash -c "test $? -eq 1 && grep -q 'upload: lectern-net cannot carry it out' '$T/loop.err'"

# run_screen NAME ENV... : `lectern run` (not --headless) with ENV; its stderr in $T/NAME.err
run_screen() {
	local name=$1
	shift
	env "$@" "$LECTERN" --config "$T/lectern.conf" run >/dev/null 2>"$T/$name.err" &
	local p=$!
	wait_for 10 "grep -q 'stop with SIGTERM' '$T/$name.err'"
	kill -TERM $p
	wait $p
	echo "exit $?" >>"$T/$name.err"
}
lectern_config "$T/lectern.conf"
run_screen missing LECTERN_SCREEN="$T/no-such-plugin.so"
check "without its plugin, run says why and runs headless" \
	grep -q "no screen (Display: the screen plugin did not load: $T/no-such-plugin.so: .*; install it .*): running headless" \
	"$T/missing.err"
check "the reason is also in the log and run ends with exit 0" \
	bash -c "grep -q 'lectern warn: no screen (Display: the screen plugin did not load' '$T/missing.err' && grep -q '^exit 0' '$T/missing.err'"
# Plugins of our own making: one without the entry, one of another build (same entry, another
# ABI).
printf 'int not_a_screen;\n' >"$T/other.c"
printf '#include "lectern/screen.h"\nstatic const struct screen_ops o = {.abi = SCREEN_ABI + 1};\n%s\n' \
	'const struct screen_ops *lectern_screen_sdl(void) { return &o; }' >"$T/old.c"
if cc -shared -fPIC -o "$T/other.so" "$T/other.c" &&
	cc -shared -fPIC -I"$TESTS/../include" -o "$T/old.so" "$T/old.c"; then
	run_screen notplugin LECTERN_SCREEN="$T/other.so"
	check "a library that is not a screen plugin is refused by name" \
		grep -q "Display: .*other.so is not a lectern screen plugin: it has no lectern_screen_sdl): running headless" \
		"$T/notplugin.err"
	run_screen oldabi LECTERN_SCREEN="$T/old.so"
	check "a plugin of another build is refused, with both ABIs" \
		grep -q "Display: .*old.so was built for another version of lectern (screen ABI [0-9]*, view 0 bytes; this one has" \
		"$T/oldabi.err"
else
	not_ok "plugins for the refusal tests" "cc failed"
fi
if [ -f "$BUILD/lectern-screen-sdl.so" ]; then
	# SDL falls back on its offscreen driver when it finds no display: that is no screen.
	run_screen nodisplay -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER \
		LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so"
	check "the real plugin without a display: headless, and says so" \
		grep -q "no screen (Display: no display for the screen.*): running headless" "$T/nodisplay.err"
fi

# make install puts the plugin exactly where the binary looks for it (-o all: install what is
# built, never rebuild here).
if make -s -C "$TESTS/.." -o all BUILD="$BUILD" DESTDIR="$T/root" install >"$T/install.out" 2>&1; then
	plugin=$(cd "$T/root" && find . -name lectern-screen-sdl.so | sed 's/^\.//')
	check "make install puts the plugin where lectern run looks for it ($plugin)" \
		bash -c "[ -n '$plugin' ] && grep -qaF '$plugin' '$(dirname "$LECTERN")/lectern-net'"
	installed=$(cd "$T/root" && find . -name lectern -type f)
	check "make install puts lectern-net next to lectern (${installed#.})" \
		test -x "$T/root/$(dirname "$installed")/lectern-net"
	check "make install puts lectern-upload next to lectern (${installed#.})" \
		test -x "$T/root/$(dirname "$installed")/lectern-upload"
	check "the installed lectern runs a lectern-net command" \
		bash -c "'$T/root/$installed' --config '$T/json.conf' schedule --ics '$T/bad.ics' \
			--from 2026-03-24 --days 1 --json | grep -q talk"
	"$LECTERN" --config "$T/json.conf" record --seconds 1 --title "Installed" >/dev/null 2>&1
	check "the installed lectern runs upload (lectern-upload) and delivers" \
		bash -c "'$T/root/$installed' --config '$T/json.conf' upload --once 2>/dev/null |
			grep -q '^1 uploaded, 0 failed'"
else
	not_ok "make install DESTDIR=..." "$(tail -1 "$T/install.out")"
fi
