#!/bin/bash
# Upload faults: the server killed mid-transfer, and a "reboot" (kill -9 of lectern run) with a
# queue of five. Every recording arrives exactly once, byte-identical; nothing local is lost.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

SPEECH=$(speech_raw 30)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
mkdir -p "$T/dav/lectern"
DAV='location / { dav_methods PUT DELETE MKCOL; }'

conf() { # PORT [extra lines]
	local port=$1
	shift
	lectern_config "$T/up.conf" "[upload]" "target = webdav" \
		"url = http://127.0.0.1:$port/lectern" "backoff_min_s = 1" "backoff_max_s = 2" "$@"
}
remote_file() { echo "$T/dav/lectern/Test Room/$(date +%Y/%m)/$(basename "$1")"; }

# The server dies in the middle of a (capped, so slow) transfer ------------------------------
start_nginx "$T/dav" "$DAV"
conf "$NGINX_PORT" "max_kbps = 64"
"$LECTERN" --config "$T/up.conf" record --seconds 20 --title "Interrupted" >/dev/null 2>&1
"$LECTERN" --config "$T/up.conf" upload --once >"$T/kill.out" 2>"$T/kill.err" &
pid=$!
wait_for 10 '[ "$(sql "select sent_bytes > 0 from recordings where id=1")" = 1 ]'
stop_nginx
wait $pid
rc=$?
src=$(sql "select path from recordings where id=1")
check "server killed mid-upload: upload --once exits 1" test $rc -eq 1
check "server killed mid-upload: queued again with a network error, the file kept" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=1')\" = queued && \
	sqlite3 '$T/data/lectern.db' 'select last_error from recordings where id=1' | grep -Eiq 'transfer failed|connection|reset|accept' && test -s '$src'"
check "server killed mid-upload: no partial file on the share" test ! -e "$(remote_file "$src")"
start_nginx "$T/dav" "$DAV"
conf "$NGINX_PORT"
"$LECTERN" --config "$T/up.conf" upload --once >/dev/null 2>&1
check "server back: delivered byte-identical" cmp "$src" "$(remote_file "$src")"

# A queue of five and a power cut while the appliance uploads --------------------------------
for i in 1 2 3 4 5; do
	"$LECTERN" --config "$T/up.conf" record --seconds 3 --title "Queued $i" >/dev/null 2>&1
done
conf "$NGINX_PORT" "max_kbps = 32"
"$LECTERN" --config "$T/up.conf" run --headless >/dev/null 2>"$T/run1.err" &
pid=$!
CHILDREN+=($pid)
wait_for 20 '[ "$(sql "select count(*) from recordings where state=\"uploading\" or (state=\"uploaded\" and id > 1)")" -ge 1 ]'
kill -9 $pid
wait $pid 2>/dev/null
check "power cut: at least one of the five was not delivered yet" \
	test "$(sql "select count(*) from recordings where id > 1 and state != 'uploaded'")" -ge 1
conf "$NGINX_PORT"
"$LECTERN" --config "$T/up.conf" run --headless >/dev/null 2>"$T/run2.err" &
pid=$!
CHILDREN+=($pid)
wait_for 40 '[ "$(sql "select count(*) from recordings where state=\"uploaded\"")" -eq 6 ]'
kill -TERM $pid
wait $pid
check "after the restart all six are uploaded" test "$(sql "select count(*) from recordings where state='uploaded'")" -eq 6
ok_all=1
for id in 2 3 4 5 6; do
	src=$(sql "select path from recordings where id=$id")
	cmp -s "$src" "$(remote_file "$src")" || ok_all=0
done
check "each arrived byte-identical" test $ok_all -eq 1
check "each arrived exactly once (one file and one sidecar per recording on the share)" \
	test "$(find "$T/dav/lectern" -name '*.opus' | wc -l)" -eq 6 -a "$(find "$T/dav/lectern" -name '*.opus.json' | wc -l)" -eq 6
stop_nginx

# The server answers 503, drops the connection without an answer, or never answers ----------
"$LECTERN" --config "$T/up.conf" record --seconds 3 --title "Unlucky" >/dev/null 2>&1
id=$(sql "select max(id) from recordings")
src=$(sql "select path from recordings where id=$id")
# fault NAME NGINX-DIRECTIVES ERROR-PATTERN: one attempt against a faulty server
fault() {
	start_nginx "$T/dav" "$2"
	conf "$NGINX_PORT" "timeout_s = 10"
	"$LECTERN" --config "$T/up.conf" upload --once >/dev/null 2>"$T/$1.err"
	local rc=$?
	stop_nginx
	check "$1: upload --once exits 1" test $rc -eq 1
	check "$1: queued again, attempt counted, the file kept" \
		bash -c "[ \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=$id')\" = queued ] && \
		[ \"\$(sqlite3 '$T/data/lectern.db' 'select attempts > 0 from recordings where id=$id')\" = 1 ] && test -s '$src'"
	check "$1: the error says what happened" \
		bash -c "sqlite3 '$T/data/lectern.db' 'select last_error from recordings where id=$id' | grep -Eiq '$3'"
	"$LECTERN" --config "$T/up.conf" retry "$id" >/dev/null 2>&1
}
fault "503 answer" "location /lectern/ { return 503; }" "503"
fault "connection dropped" "location /lectern/ { return 444; }" "empty|reset|closed|nothing|connection|transfer"
# A server that accepts and never says a word: the attempt ends at timeout_s.
port=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
held = []
end = time.time() + 60
while time.time() < end:
    s.settimeout(end - time.time())
    try: held.append(s.accept()[0])
    except OSError: break
' "$port" &
stall_pid=$!
CHILDREN+=($stall_pid)
wait_port "$port"
conf "$port" "timeout_s = 10"
t0=$SECONDS
"$LECTERN" --config "$T/up.conf" upload --once >/dev/null 2>"$T/stall.err"
rc=$?
kill $stall_pid 2>/dev/null
check "stalling server: upload --once gives up after timeout_s (took $((SECONDS - t0)) s)" \
	test $rc -eq 1 -a $((SECONDS - t0)) -le 25
check "stalling server: queued again with a time-out error, the file kept" \
	bash -c "sqlite3 '$T/data/lectern.db' 'select state||last_error from recordings where id=$id' | grep -Eiq '^queued.*(timed? ?out|time-out)' && test -s '$src'"
"$LECTERN" --config "$T/up.conf" retry "$id" >/dev/null 2>&1
start_nginx "$T/dav" "$DAV"
conf "$NGINX_PORT"
"$LECTERN" --config "$T/up.conf" upload --once >/dev/null 2>&1
check "after the faults: delivered once, byte-identical" cmp "$src" "$(remote_file "$src")"
stop_nginx
