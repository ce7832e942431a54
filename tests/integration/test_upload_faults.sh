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
