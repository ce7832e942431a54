#!/bin/bash
# Only what was recorded is delivered. A finished recording cut short, emptied, changed in place
# (same size, other bytes) or deleted in the spool, sent to each target (a folder, WebDAV on
# real nginx, the strict Opencast double): never confirmed, nothing under its name on the share
# (no Opencast call at all), the job failed at once with the reason `lectern queue` shows, the
# local file untouched and not pruned (retention_days = 0), by upload --once and by the
# appliance's own uploader (lectern run). A WebDAV server whose checksum of the file differs
# is no confirmation either. Each target then takes the good file.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

SPEECH=$(speech_raw 60)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
PY=${SERVERS_PYTHON:-/usr/bin/python3}

lectern_config "$T/rec.conf"
"$LECTERN" --config "$T/rec.conf" record --seconds 40 --title "Damaged talk" >/dev/null 2>&1
src=$(sql "select path from recordings where id=1")
bytes=$(sql "select bytes from recordings where id=1")
sha=$(sql "select sha256 from recordings where id=1")
cp "$src" "$T/good.opus"
echo "# the recording: $bytes bytes"
check "the recording was finalised with its size and SHA-256" \
	test "$bytes" -eq "$(stat -c %s "$src")" -a "$sha" = "$(sha256sum "$src" | cut -c1-64)"

# requeue: the good file back and the job waiting, as after finalisation
requeue() {
	cp "$T/good.opus" "$src"
	sql "update recordings set state='queued', attempts=0, next_attempt_ms=0, last_error='',
		remote='', uploaded_ms=0, deleted_ms=0"
}
# spoil HOW: the damage done to the spool file
spoil() {
	case $1 in
	truncated) truncate -s $((bytes / 2)) "$src" ;;
	zero-byte) : >"$src" ;;
	bit-flipped) # one byte in the middle, xor 1: the same size
		local at=$((bytes / 2)) was
		was=$(od -An -tu1 -j "$at" -N1 "$src" | tr -d ' ')
		printf "\\$(printf %03o $((was ^ 1)))" | dd of="$src" bs=1 seek="$at" conv=notrunc status=none ;;
	missing) rm -f "$src" ;;
	esac
}
declare -A REASON=([truncated]="was $bytes when it was finalised" [zero-byte]="is 0 bytes but was $bytes"
	[bit-flipped]="SHA-256 differs" [missing]="missing from the spool")

# damaged TARGET CONF NOTHING-DELIVERED-COMMAND...: each damage against one target
damaged() {
	local target=$1 conf=$2 how before
	shift 2
	for how in truncated zero-byte bit-flipped missing; do
		requeue
		spoil "$how"
		before=$(sha256sum "$src" 2>/dev/null || echo missing)
		"$LECTERN" --config "$conf" upload --once >"$T/out" 2>&1
		local rc=$?
		check "$target, $how: upload --once exits 1, 0 uploaded" \
			bash -c "test $rc -eq 1 && grep -q '^0 uploaded, 1 failed' '$T/out'"
		check "$target, $how: failed at once (no retry), never confirmed, the reason stored" \
			bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state||attempts||next_attempt_ms||uploaded_ms from recordings')\" = failed100 && \
			sqlite3 '$T/data/lectern.db' 'select last_error from recordings' | grep -qF '${REASON[$how]}'"
		check "$target, $how: lectern queue shows the reason" \
			bash -c "'$LECTERN' --config '$conf' queue | grep -E '^ +1  failed' | grep -qF '${REASON[$how]}'"
		check "$target, $how: nothing is under a final name" "$@"
		check "$target, $how: the local file is untouched and not pruned (retention_days = 0)" \
			bash -c "test \"\$(sha256sum '$src' 2>/dev/null || echo missing)\" = '$before' && \
			test \"\$(sqlite3 '$T/data/lectern.db' 'select deleted_ms from recordings')\" = 0"
	done
	requeue
	"$LECTERN" --config "$conf" upload --once >"$T/out" 2>&1
	check "$target: the good file is delivered and confirmed" \
		bash -c "grep -q '^1 uploaded, 0 failed' '$T/out' && \
		test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings')\" = uploaded"
}
no_files() { test -z "$(find "$1" -type f)"; }
month=$(date +%Y/%m)

# folder -------------------------------------------------------------------------------------
mkdir -p "$T/share"
lectern_config "$T/folder.conf" "[upload]" "target = folder" "folder = $T/share" "retention_days = 0"
damaged folder "$T/folder.conf" no_files "$T/share"
check "folder: byte-identical on the share" cmp "$T/good.opus" "$T/share/Test Room/$month/$(basename "$src")"

# The appliance's own uploader and retention (lectern run): the damaged file fails and stays,
# while a good recording beside it is delivered and its local copy pruned (retention_days = 0).
requeue
spoil truncated
"$LECTERN" --config "$T/folder.conf" record --seconds 2 --title "Good talk" >/dev/null 2>&1
"$LECTERN" --config "$T/folder.conf" run --headless >/dev/null 2>"$T/run.err" &
pid=$!
CHILDREN+=($pid)
wait_for 20 '[ "$(sql "select count(*) from recordings where id=2 and deleted_ms > 0")" = 1 ]'
kill -TERM $pid
wait $pid
check "run: the good recording was delivered and its local copy pruned" \
	test "$(sql "select state||(deleted_ms > 0) from recordings where id=2")" = uploaded1
check "run: the damaged one failed with its reason and its file is kept" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state||deleted_ms from recordings where id=1')\" = failed0 && \
	sqlite3 '$T/data/lectern.db' 'select last_error from recordings where id=1' | grep -qF '${REASON[truncated]}' && \
	test \"\$(stat -c %s '$src')\" -eq $((bytes / 2))"
sql "delete from recordings where id=2"

# WebDAV -------------------------------------------------------------------------------------
DAV='location / { dav_methods PUT DELETE MKCOL; }'
mkdir -p "$T/dav/lectern"
start_nginx "$T/dav" "$DAV" || { not_ok "nginx starts"; exit 1; }
lectern_config "$T/dav.conf" "[upload]" "target = webdav" "retention_days = 0" \
	"url = http://127.0.0.1:$NGINX_PORT/lectern"
damaged webdav "$T/dav.conf" no_files "$T/dav/lectern"
remote="$T/dav/lectern/Test Room/$month/$(basename "$src")"
check "webdav: byte-identical on the share" cmp "$T/good.opus" "$remote"
stop_nginx

# The server gives its checksum of the file: another one is not a confirmation (the copy is
# removed, the job waits for a retry: the local file is fine); the right one is.
rm -rf "$T/dav/lectern"/*
start_nginx "$T/dav" "location / { dav_methods PUT DELETE MKCOL;
	add_header OC-Checksum \"SHA1:da39a3ee5e6b4b0d3255bfef95601890afd80709 SHA256:$(printf %064d 0)\"; }"
sed -i "s|^url = .*|url = http://127.0.0.1:$NGINX_PORT/lectern|" "$T/dav.conf"
requeue
"$LECTERN" --config "$T/dav.conf" upload --once >"$T/out" 2>&1
check "webdav, the server's checksum differs: not confirmed, queued again with the reason" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state||attempts||uploaded_ms from recordings')\" = queued10 && \
	sqlite3 '$T/data/lectern.db' 'select last_error from recordings' | grep -q 'holds other bytes than were sent'"
check "webdav, the server's checksum differs: the copy was removed again" test ! -e "$remote"
check "webdav, the server's checksum differs: the local file is kept" cmp "$T/good.opus" "$src"
stop_nginx
start_nginx "$T/dav" "location / { dav_methods PUT DELETE MKCOL; add_header Digest \"SHA-256=$(openssl dgst -sha256 -binary "$T/good.opus" | base64 -w0)\"; }"
sed -i "s|^url = .*|url = http://127.0.0.1:$NGINX_PORT/lectern|" "$T/dav.conf"
requeue
"$LECTERN" --config "$T/dav.conf" upload --once >"$T/out" 2>&1
check "webdav, the server's checksum is the recording's: delivered and confirmed" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings')\" = uploaded && cmp '$T/good.opus' '$remote'"
stop_nginx

# Opencast -----------------------------------------------------------------------------------
printf 'oc secret\n' >"$T/oc.pw"
chmod 600 "$T/oc.pw"
start_opencast_double --digest --user agent --password 'oc secret' --log "$T/oc.log" \
	--store "$T/oc-store" || { not_ok "the Opencast double starts"; exit 1; }
lectern_config "$T/oc.conf" "[upload]" "target = opencast" "user = agent" \
	"password_file = $T/oc.pw" "auth = digest" "retention_days = 0" "timeout_s = 20" \
	"[opencast]" "url = $OC_URL" "agent = room-412" "workflow = schedule-and-upload"
touch "$T/oc.log"
damaged opencast "$T/oc.conf" bash -c "test ! -s '$T/oc.log' && test -z \"\$(find '$T/oc-store' -type f 2>/dev/null)\""
check "opencast: the good file was ingested, byte-identical" \
	"$PY" -c '
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
paths = [r["path"] for r in reqs if r["status"] == 200]
assert paths[-1] == "/ingest/ingest/schedule-and-upload", paths
track = [r for r in reqs if r["path"] == "/ingest/addTrack" and r["status"] == 200]
assert len(track) == 1 and track[0]["file"]["sha256"] == sys.argv[2], track
' "$T/oc.log" "$sha"

# A large recording (12 MB, many of libcurl's 256 KB reads): the same verdicts, to the folder
# and to WebDAV, whichever part of it was spoiled.
head -c $((12 << 20)) /dev/urandom >"$T/good.opus"
bytes=$(stat -c %s "$T/good.opus")
sha=$(sha256sum "$T/good.opus" | cut -c1-64)
sql "update recordings set bytes = $bytes, sha256 = '$sha' where id = 1"
REASON[truncated]="was $bytes when it was finalised"
REASON[zero-byte]="is 0 bytes but was $bytes"
rm -rf "$T/share"/*
damaged "folder, 12 MB" "$T/folder.conf" no_files "$T/share"
check "folder, 12 MB: byte-identical on the share" \
	cmp "$T/good.opus" "$T/share/Test Room/$month/$(basename "$src")"
rm -rf "$T/dav/lectern"/*
start_nginx "$T/dav" "$DAV" || { not_ok "nginx starts"; exit 1; }
sed -i "s|^url = .*|url = http://127.0.0.1:$NGINX_PORT/lectern|" "$T/dav.conf"
damaged "webdav, 12 MB" "$T/dav.conf" no_files "$T/dav/lectern"
check "webdav, 12 MB: byte-identical on the share" cmp "$T/good.opus" "$remote"
# One byte near the end (in the last read) and one in the first.
for at in $((bytes - 7)) 3; do
	requeue
	was=$(od -An -tu1 -j "$at" -N1 "$src" | tr -d ' ')
	printf "\\$(printf %03o $((was ^ 1)))" | dd of="$src" bs=1 seek="$at" conv=notrunc status=none
	rm -rf "$T/dav/lectern"/*
	"$LECTERN" --config "$T/dav.conf" upload --once >"$T/out" 2>&1
	check "webdav, 12 MB, byte $at flipped: failed with the reason, nothing delivered" \
		bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings')\" = failed && \
		sqlite3 '$T/data/lectern.db' 'select last_error from recordings' | grep -qF 'SHA-256 differs' && \
		test -z \"\$(find '$T/dav/lectern' -type f)\""
done
stop_nginx
