#!/bin/bash
# The upload queue: a folder target and a WebDAV share (real nginx on loopback, with auth).
# Recordings arrive byte-identical with their metadata; failures keep the local file and
# retry with backoff; an upload killed mid-transfer is queued again at the next start.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

SPEECH=$(speech_raw 30)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")

record() { # CONFIG SECONDS TITLE
	"$LECTERN" --config "$1" record --seconds "$2" --title "$3" >/dev/null 2>&1
}

# folder ------------------------------------------------------------------------------------
mkdir -p "$T/share" # the share is there, mounted: lectern makes only ROOM/YYYY/MM inside it
lectern_config "$T/folder.conf" "[upload]" "target = folder" "folder = $T/share" \
	"backoff_min_s = 60"
record "$T/folder.conf" 3 "Folder talk"
record "$T/folder.conf" 2 "Second folder talk"
"$LECTERN" --config "$T/folder.conf" upload --once >"$T/f.out" 2>"$T/f.err"
check "folder: upload --once exits 0 and says what it did" \
	bash -c "test $? -eq 0 && grep -q '^2 uploaded, 0 failed' '$T/f.out'"
for id in 1 2; do
	src=$(sql "select path from recordings where id=$id")
	dst=$(sql "select remote from recordings where id=$id")
	check "folder: recording $id is byte-identical at $dst" cmp "$src" "$dst"
	check "folder: recording $id went to ROOM/YYYY/MM" \
		bash -c "[[ '$dst' == '$T/share/Test Room/'$(date +%Y/%m)/*.opus ]]"
	check "folder: recording $id has its metadata sidecar with the SHA-256" \
		bash -c "grep -q \"\$(sha256sum '$src' | cut -c1-64)\" '$dst.json' && grep -q '\"title\":' '$dst.json'"
done
check "folder: both uploaded, the confirmation stored" \
	test "$(sql "select count(*) from recordings where state='uploaded' and sha256 != '' and uploaded_ms > 0")" -eq 2
check "folder: no temporary files are left on the share" \
	test -z "$(find "$T/share" -name '*.part')"
check "folder: local files are kept within the retention" \
	test "$(sql "select count(*) from recordings where deleted_ms = 0")" -eq 2
"$LECTERN" --config "$T/folder.conf" queue --json >"$T/q.json"
check "queue --json lists both jobs as uploaded" test "$(grep -c '"state":"uploaded"' "$T/q.json")" -eq 2

# the share is missing: the job fails, is kept, and waits its backoff
rm -rf "$T/data"
lectern_config "$T/nofolder.conf" "[upload]" "target = folder" "folder = /proc/no-share" \
	"backoff_min_s = 60"
record "$T/nofolder.conf" 2 "Unlucky talk"
"$LECTERN" --config "$T/nofolder.conf" upload --once >"$T/n.out" 2>"$T/n.err"
rc=$?
check "missing share: upload --once exits 1" test $rc -eq 1
check "missing share: the job is queued again with the error and a later attempt" \
	test "$(sql "select state||'|'||attempts||'|'||(next_attempt_ms > updated_ms + 25000) from recordings")" = "queued|1|1"
check "missing share: the error names the folder" \
	bash -c "sqlite3 '$T/data/lectern.db' 'select last_error from recordings' | grep -q '/proc/no-share'"
check "missing share: the local file is untouched" opusinfo "$(sql "select path from recordings")"
sql "update recordings set state='failed'"
"$LECTERN" --config "$T/nofolder.conf" retry 1 >/dev/null 2>&1
check "retry makes a failed job queued and due now" \
	test "$(sql "select state||'|'||next_attempt_ms from recordings")" = "queued|0"

# WebDAV on nginx with Basic auth ------------------------------------------------------------
rm -rf "$T/data"
mkdir -p "$T/dav/lectern" # the share's root, as IT staff set it up
printf 'recorder:%s\n' "$(openssl passwd -apr1 'dav pass')" >"$T/htpasswd"
start_nginx "$T/dav" "
	location / {
		dav_methods PUT DELETE MKCOL;
		create_full_put_path off;
		dav_access user:rw group:r all:r;
		auth_basic \"recordings\";
		auth_basic_user_file $T/htpasswd;
	}"
printf 'dav pass\n' >"$T/dav.pw"
printf 'not it\n' >"$T/bad.pw"
chmod 600 "$T/dav.pw" "$T/bad.pw"
lectern_config "$T/dav.conf" "[upload]" "target = webdav" "url = http://127.0.0.1:$NGINX_PORT/lectern" \
	"user = recorder" "password_file = $T/dav.pw" "allow_insecure_auth = yes" "backoff_min_s = 60"
sed 's|dav.pw|bad.pw|' "$T/dav.conf" >"$T/davbad.conf"
record "$T/dav.conf" 4 "WebDAV talk"
"$LECTERN" --config "$T/davbad.conf" upload --once >/dev/null 2>"$T/bad.err"
check "WebDAV, wrong password: exit 1, job queued with the auth error, file kept" \
	bash -c "test \$(sqlite3 '$T/data/lectern.db' \"select state||attempts from recordings\") = queued1 && \
	sqlite3 '$T/data/lectern.db' 'select last_error from recordings' | grep -q 'refused the credentials' && \
	test -s \"\$(sqlite3 '$T/data/lectern.db' 'select path from recordings')\""
check "WebDAV, wrong password: the password is in no message" \
	bash -c "! grep -rq 'not it' '$T/bad.err'; ! sqlite3 '$T/data/lectern.db' 'select last_error from recordings' | grep -q 'not it'"
log_mark=$(wc -l <"$NGINX_ACCESS_LOG")
"$LECTERN" --config "$T/dav.conf" upload --once >"$T/dav.out" 2>"$T/dav.err"
check "WebDAV: upload --once succeeds with the right password" grep -q '^1 uploaded, 0 failed' "$T/dav.out"
# MKCOL x3, PUT, HEAD, the sidecar's PUT: one conversation, one connection. (nginx writes a
# line once its answer has left: give the last one a moment.)
for _ in $(seq 20); do
	tail -n +$((log_mark + 1)) "$NGINX_ACCESS_LOG" >"$T/dav-access.log"
	[ "$(grep -cE '"(MKCOL|PUT|HEAD) ' "$T/dav-access.log")" -ge 6 ] && break
	sleep 0.1
done
dav_requests=$(grep -cE '"(MKCOL|PUT|HEAD) ' "$T/dav-access.log")
dav_connections=$(grep -o 'conn=[0-9]*' "$T/dav-access.log" | sort -u | wc -l)
check "WebDAV: the upload's $dav_requests MKCOLs, PUTs and HEAD share one connection ($dav_connections)" \
	test "$dav_requests" -ge 6 -a "$dav_connections" -eq 1
src=$(sql "select path from recordings")
name=$(basename "$src")
dst="$T/dav/lectern/Test Room/$(date +%Y/%m)/$name"
check "WebDAV: MKCOL made ROOM/YYYY/MM and the file arrived byte-identical" cmp "$src" "$dst"
check "WebDAV: the metadata sidecar arrived beside it" \
	bash -c "grep -q '\"title\":\"WebDAV talk\"' '$dst.json'"
check "WebDAV: the stored remote is the file's URL" \
	bash -c "sqlite3 '$T/data/lectern.db' 'select remote from recordings' | grep -q \"^http://127.0.0.1:$NGINX_PORT/lectern/Test%20Room/\""

# The uploader thread in `lectern run` delivers by itself ------------------------------------
record "$T/dav.conf" 2 "Delivered by the appliance"
"$LECTERN" --config "$T/dav.conf" run --headless >/dev/null 2>"$T/run.err" &
pid=$!
CHILDREN+=($pid)
wait_for 20 '[ "$(sql "select state from recordings where id=2")" = uploaded ]'
kill -TERM $pid
wait $pid
check "run --headless uploads queued recordings by itself and exits 0" \
	bash -c "test \$? -eq 0 && test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=2')\" = uploaded"

# A crash mid-upload: the job found `uploading` is queued again, then delivered once ----------
sql "update recordings set state='uploading' where id=2"
"$LECTERN" --config "$T/dav.conf" upload --once >"$T/again.out" 2>&1
check "an upload interrupted by a crash is queued again and delivered" \
	test "$(sql "select state from recordings where id=2")" = uploaded
stop_nginx
"$LECTERN" --config "$T/dav.conf" record --seconds 1 >/dev/null 2>&1
"$LECTERN" --config "$T/dav.conf" upload --once >/dev/null 2>"$T/down.err"
check "server down: the job waits, with the reason" \
	bash -c "sqlite3 '$T/data/lectern.db' 'select last_error from recordings where id=3' | grep -q 'does not accept connections'"

# kill -9 in the middle of a capped transfer: progress was visible, the job resumes, once ------
start_nginx "$T/dav" "
	location / {
		dav_methods PUT DELETE MKCOL;
		auth_basic \"recordings\";
		auth_basic_user_file $T/htpasswd;
	}"
lectern_config "$T/slow.conf" "[upload]" "target = webdav" "url = http://127.0.0.1:$NGINX_PORT/lectern" \
	"user = recorder" "password_file = $T/dav.pw" "allow_insecure_auth = yes" "max_kbps = 64"
sed -i "s|data_dir = .*|data_dir = $T/data|" "$T/slow.conf"
"$LECTERN" --config "$T/slow.conf" record --seconds 30 --title "Long talk" >/dev/null 2>&1
id=$(sql "select max(id) from recordings")
size=$(sql "select bytes from recordings where id=$id")
"$LECTERN" --config "$T/slow.conf" upload --once >/dev/null 2>&1 &
pid=$!
wait_for 10 '[ "$(sql "select sent_bytes > 0 from recordings where id=$id")" = 1 ]'
"$LECTERN" --config "$T/slow.conf" queue >"$T/progress.txt" 2>&1
kill -9 $pid
wait $pid 2>/dev/null
check "a capped upload shows its progress (percent, rate, ETA) in lectern queue" \
	grep -Eq "^ *$id  uploading .* [0-9]+% [0-9]+ kB/s ETA [0-9]+s" "$T/progress.txt"
# Uncapped, 120 kB to loopback take milliseconds: still running a second in shows the cap.
check "killed mid-upload (slowed by max_kbps): the store says uploading, the file is here" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=$id')\" = uploading && test -s \"\$(sqlite3 '$T/data/lectern.db' 'select path from recordings where id=$id')\""
grep -v '^max_kbps' "$T/slow.conf" >"$T/fast.conf"
"$LECTERN" --config "$T/fast.conf" upload --once >"$T/resume.out" 2>&1
src=$(sql "select path from recordings where id=$id")
check "after the kill the job is delivered, byte-identical ($size bytes)" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=$id')\" = uploaded && cmp '$src' '$T/dav/lectern/Test Room/$(date +%Y/%m)/$(basename "$src")'"
stop_nginx
