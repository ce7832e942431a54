#!/bin/bash
# The WebDAV upload against the servers rooms use besides nginx (test_upload.sh): Apache httpd
# with mod_dav_fs and lighttpd with mod_webdav, each without auth, with Basic and with Digest,
# each a real server started here on loopback. For each: two recordings delivered
# byte-identical with their sidecars into ROOM/YYYY/MM (the second meets collections that
# exist: MKCOL answers 405), the requests of one upload on one connection, a wrong password
# refused with the credentials message and nothing marked uploaded, a share's folder that is
# missing named as such, a late check-in's sidecar sent again, and a file damaged since it was
# finalised leaving nothing on the share. Then a Digest nonce gone stale mid-upload (Apache),
# and lighttpd's default read-only share: refused, and not blamed on the password.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

SPEECH=$(speech_raw 10)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
PY=${SERVERS_PYTHON:-/usr/bin/python3}
MONTH=$(date +%Y/%m)
CHECKIN="$BUILD/tests/tools/checkin"
[ -x "$CHECKIN" ] || { not_ok "the check-in tool is built (make unit builds $CHECKIN)"; exit 1; }
PASSWORD='dav pass'
printf '%s\n' "$PASSWORD" >"$T/dav.pw"
printf 'not it\n' >"$T/bad.pw"
chmod 600 "$T/dav.pw" "$T/bad.pw"

# The same recordings go to every server (the store restored before each): so every server
# must end up holding the same bytes, sidecars included. One check-in before the delivery
# (count mode, the default), so that the session has attendance to update later. A third
# recording, long enough that its PUT sends 256 kB before the damage near its end is read, is
# damaged and set aside (failed) until each server's last step queues it again.
lectern_config "$T/rec.conf"
for title in "First talk" "Second talk"; do
	"$LECTERN" --config "$T/rec.conf" record --seconds 1 --title "$title" >/dev/null 2>&1
done
"$CHECKIN" "$T/data/lectern.db" count "$(sql "select uid from recordings where id=1")" guest \
	>/dev/null 2>>"$T/checkin.log"
"$LECTERN" --config "$T/rec.conf" record --seconds 80 --title "Damaged talk" >/dev/null 2>&1
DAMAGED=$(sql "select path from recordings where id=3")
printf 'DAMAGED!' | dd of="$DAMAGED" bs=1 seek=$(($(stat -c %s "$DAMAGED") - 100)) conv=notrunc \
	status=none
sql "update recordings set state='failed' where id=3"
check "two recordings queued, one check-in stored, a damaged one of over 256 kB set aside" \
	test "$(sql "select count(*) from recordings where state='queued'")$(sql "select count(*) from checkins")$(sql "select bytes > 262144 from recordings where id=3")" = 211
cp -a "$T/data" "$T/pristine"
REFERENCE= # the first server's copy of recording 1's sidecar

# dav_server NAME URL DISK [basic|digest]: DISK is where URL's files land.
dav_server() {
	local name=$1 url=$2 disk=$3 auth=${4:-} conf="$T/$1.conf" rc id src dst
	rm -rf "$T/data"
	cp -a "$T/pristine" "$T/data"
	local creds=()
	[ -n "$auth" ] && creds=("user = recorder" "password_file = $T/dav.pw" "auth = $auth"
		"allow_insecure_auth = yes")
	lectern_config "$conf" "[upload]" "target = webdav" "url = $url" "backoff_min_s = 60" \
		"${creds[@]}"
	if [ -n "$auth" ]; then
		sed 's|dav.pw|bad.pw|' "$conf" >"$T/$name-bad.conf"
		"$LECTERN" --config "$T/$name-bad.conf" upload --once >/dev/null 2>"$T/$name-bad.err"
		rc=$?
		check "$name: wrong password: exit 1, the job queued with the credentials message" \
			bash -c "test $rc -eq 1 && test \"\$(sqlite3 '$T/data/lectern.db' \"select count(*) from recordings where state='queued' and last_error like '%refused the credentials%'\")\" -ge 1"
		check "$name: wrong password: nothing marked uploaded, nothing on the share" \
			bash -c "test \"\$(sqlite3 '$T/data/lectern.db' \"select count(*) from recordings where state = 'uploaded' or uploaded_ms > 0\")\" = 0 && test -z \"\$(find '$disk' -type f)\""
	fi
	sed "s|^url = .*|url = $url/no-such-folder|" "$conf" >"$T/$name-missing.conf"
	"$LECTERN" --config "$T/$name-missing.conf" upload --once >/dev/null 2>"$T/$name-missing.err"
	rc=$?
	check "$name: a share's folder that is not there: exit 1, the error says so" \
		bash -c "test $rc -eq 1 && sqlite3 '$T/data/lectern.db' 'select last_error from recordings where id=1' | grep -q \"the share's folder does not exist\""
	"$LECTERN" --config "$conf" upload --once >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	check "$name: upload --once exits 0, both uploaded" \
		bash -c "test $rc -eq 0 && grep -q '^2 uploaded, 0 failed' '$T/$name.out' && \
		test \"\$(sqlite3 '$T/data/lectern.db' \"select count(*) from recordings where state='uploaded'\")\" = 2" ||
		sed 's/^/# /' "$T/$name.err" | tail -5
	for id in 1 2; do
		src=$(sql "select path from recordings where id=$id")
		dst="$disk/Test Room/$MONTH/$(basename "$src")"
		check "$name: recording $id is byte-identical in ROOM/YYYY/MM" cmp "$src" "$dst"
		check "$name: recording $id's sidecar names it, its size and SHA-256" \
			"$PY" - "$dst.json" "$(sql "select uid from recordings where id=$id")" \
			"$(stat -c %s "$src")" "$(sha256sum "$src" | cut -c1-64)" <<'PY'
import json, sys
side, uid, size, sha = sys.argv[1:]
s = json.load(open(side))
assert (s["uid"], s["bytes"], s["sha256"]) == (uid, int(size), sha), s
PY
	done
	dst="$disk/Test Room/$MONTH/$(basename "$(sql "select path from recordings where id=1")").json"
	if [ -z "$REFERENCE" ]; then
		REFERENCE="$T/reference.json"
		cp "$dst" "$REFERENCE"
	else
		check "$name: the sidecar is byte-identical to the one the first server got" \
			cmp "$REFERENCE" "$dst"
	fi
	check "$name: the stored remote is the file's URL" \
		test "$(sql "select remote from recordings where id=1")" = \
		"$url/Test%20Room/$MONTH/$(basename "$(sql "select path from recordings where id=1")")"
	# A check-in after the delivery: the next pass sends the sidecar again.
	"$CHECKIN" "$T/data/lectern.db" count "$(sql "select uid from recordings where id=1")" guest \
		>/dev/null 2>>"$T/checkin.log"
	"$LECTERN" --config "$conf" upload --once >/dev/null 2>"$T/$name-late.err"
	check "$name: a late check-in rewrites the sidecar on the share" \
		bash -c "grep -q 'sidecar sent again' '$T/$name-late.err' && \
		'$PY' -c 'import json,sys; a=json.load(open(sys.argv[1]))[\"attendance\"]; assert a[\"count\"] == 2, a' '$dst'"
	# The damaged file: its PUT is abandoned short of its length once the damage is read.
	# Neither its name nor a server's temp file of it may stay on the share.
	"$LECTERN" --config "$conf" retry 3 >/dev/null 2>&1
	"$LECTERN" --config "$conf" upload --once >/dev/null 2>"$T/$name-damaged.err"
	rc=$?
	check "$name: a damaged file fails for good, and leaves nothing on the share" \
		bash -c "test $rc -eq 1 && test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=3')\" = failed && \
		test \"\$(find '$disk' -type f | wc -l)\" = 4"
}

# dav_log_checks NAME ACCESS_LOG: what the server's log says of the uploads (read once the
# server is stopped: lighttpd writes its access log out in batches).
dav_log_checks() {
	local name=$1 log=$2
	check "$name: the second upload met the existing collections (MKCOL 405) and went on" \
		grep -qE '"MKCOL [^"]*/'"${MONTH#*/}"'/ HTTP/1.1" 405' "$log"
	# A connection that carried a recording's PUT carried its MKCOLs, HEAD and sidecar too.
	local whole
	whole=$(awk '{ c = $NF; all[c] = all[c] " " $5 " " $6 " " }
		END { for (c in all) if (all[c] ~ /"PUT [^ ]*\.opus /)
			n += all[c] ~ /"MKCOL / && all[c] ~ /"HEAD [^ ]*\.opus / &&
			     all[c] ~ /"PUT [^ ]*\.opus\.json /
		      print n + 0 }' "$log")
	check "$name: each upload's MKCOLs, PUTs and HEAD went over one connection ($whole of 2)" \
		test "$whole" = 2
}

for auth in none basic digest; do
	# Apache httpd, mod_dav_fs
	mkdir -p "$T/apache-$auth/lectern"
	if [ $auth = none ]; then
		start_apache "$T/apache-$auth"
	else
		start_apache --auth $auth "recorder:$PASSWORD" "$T/apache-$auth"
	fi || { not_ok "apache ($auth) starts"; continue; }
	dav_server "apache-$auth" "http://127.0.0.1:$APACHE_PORT/lectern" "$T/apache-$auth/lectern" \
		${auth#none}
	stop_apache
	dav_log_checks "apache-$auth" "$APACHE_ACCESS_LOG"

	# lighttpd, mod_webdav
	mkdir -p "$T/lighttpd-$auth/lectern"
	if [ $auth = none ]; then
		start_lighttpd "$T/lighttpd-$auth"
	else
		start_lighttpd --auth $auth "recorder:$PASSWORD" "$T/lighttpd-$auth"
	fi || { not_ok "lighttpd ($auth) starts"; continue; }
	dav_server "lighttpd-$auth" "http://127.0.0.1:$LIGHTTPD_PORT/lectern" \
		"$T/lighttpd-$auth/lectern" ${auth#none}
	stop_lighttpd
	dav_log_checks "lighttpd-$auth" "$LIGHTTPD_ACCESS_LOG"
done

# A Digest nonce that goes stale during an upload (Apache's lives AuthDigestNonceLifetime, 300 s
# by default: a long recording over a slow link outlives it). Here it lives 1 s and the PUT,
# capped, takes about 2: the HEAD after it meets "401 stale=true" and must be answered with a
# new nonce on the same conversation, not reported as a wrong password.
mkdir -p "$T/apache-stale/lectern"
if start_apache --auth digest "recorder:$PASSWORD" "$T/apache-stale" "AuthDigestNonceLifetime 1"; then
	rm -rf "$T/data"
	cp -a "$T/pristine" "$T/data"
	sql "update recordings set state='failed' where id=2"
	lectern_config "$T/stale.conf" "[upload]" "target = webdav" \
		"url = http://127.0.0.1:$APACHE_PORT/lectern" "user = recorder" \
		"password_file = $T/dav.pw" "auth = digest" "max_kbps = 24" "backoff_min_s = 60"
	"$LECTERN" --config "$T/stale.conf" upload --once >/dev/null 2>"$T/stale.err"
	rc=$?
	src=$(sql "select path from recordings where id=1")
	check "Apache, Digest nonce stale after the PUT: delivered, byte-identical" \
		bash -c "test $rc -eq 0 && test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=1')\" = uploaded && \
		cmp '$src' '$T/apache-stale/lectern/Test Room/$MONTH/$(basename "$src")'" ||
		sed 's/^/# /' "$T/stale.err" | tail -3
	check "Apache, Digest nonce stale after the PUT: the HEAD was refused once, then answered" \
		bash -c "grep -A1 '\"HEAD [^\"]*\" 401 ' '$APACHE_ACCESS_LOG' | grep -q '\"HEAD [^\"]*\" 200 '"
	stop_apache
else
	not_ok "apache (Digest, short nonce) starts"
fi

# lighttpd as it comes: mod_webdav is read-only unless told otherwise, and answers 403 to every
# write. The credentials are right: the room must not be sent to check its password.
mkdir -p "$T/lighttpd-ro/lectern"
if start_lighttpd --auth basic "recorder:$PASSWORD" "$T/lighttpd-ro" 'webdav.is-readonly = "enable"'; then
	rm -rf "$T/data"
	cp -a "$T/pristine" "$T/data"
	lectern_config "$T/ro.conf" "[upload]" "target = webdav" \
		"url = http://127.0.0.1:$LIGHTTPD_PORT/lectern" "user = recorder" \
		"password_file = $T/dav.pw" "allow_insecure_auth = yes" "backoff_min_s = 60"
	"$LECTERN" --config "$T/ro.conf" upload --once >/dev/null 2>"$T/ro.err"
	rc=$?
	err=$(sql "select last_error from recordings where id=1")
	check "lighttpd read-only: exit 1, nothing uploaded, the share named read-only (not the password)" \
		bash -c "test $rc -eq 1 && test \"\$(sqlite3 '$T/data/lectern.db' \"select count(*) from recordings where state='queued'\")\" = 2 && \
		grep -q 'read-only' <<<'$err' && ! grep -q 'credentials' <<<'$err'" ||
		echo "# last_error: $err"
	stop_lighttpd
else
	not_ok "lighttpd (read-only) starts"
fi
