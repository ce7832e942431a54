#!/bin/bash
# `lectern provision` into a temporary root (--root): what it writes (files, modes, owners when
# run as root: the service user comes from ROOT/etc/passwd), the PIN as a PBKDF2 hash Python's
# hashlib verifies, a re-run that changes only what it was given (diff), a run killed after
# writing and before renaming (kill -9) leaving the old files intact, --dry-run and bad input
# writing nothing, the ReadWritePaths= drop-in for a folder target; then the checks against the
# local nginx (WebDAV, calendar) and the Opencast double with good and bad credentials. The
# passwords appear in no output, no server log, no config, and not in /proc/PID/cmdline or
# environ while the command runs.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

PY=${SERVERS_PYTHON:-/usr/bin/python3}
R="$T/root"
CONF="$R/etc/lectern/lectern.conf"
PW_DAV='dav-Pa55word-7f3e'
PW_OC='oc-Secret-91c2'
PW_BAD='not-the-password-x'
printf '%s\n' "$PW_DAV" >"$T/dav.pw"
printf '%s\n' "$PW_OC" >"$T/oc.pw"
printf '%s\n' "$PW_BAD" >"$T/bad.pw"
chmod 600 "$T"/*.pw
mkdir -p "$R/etc" "$R/srv/share"
# The service user as the package creates it (uid 4242), for the owners under --root.
echo 'lectern:x:4242:4242:lectern:/var/lib/lectern:/usr/sbin/nologin' >"$R/etc/passwd"

n=0
# prov NAME ARGS...: run provision under $R, output in $T/NAME.out / .err, exit code in $T/NAME.rc
prov() {
	local name=$1
	shift
	"$LECTERN" provision --root "$R" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	echo $? >"$T/$name.rc"
}
rc_is() { [ "$(cat "$T/$1.rc")" = "$2" ]; }
files_in_root() { find "$R" -type f ! -path "$R/etc/passwd" ! -path "$R/srv/*" | sort; }
mode() { stat -c %a "$1"; }
owner() { stat -c %u "$1"; }

# --- bad input and --dry-run write nothing ---------------------------------------------------
prov noroom --pin 2468
check "a first provision without --room is refused (exit 2)" rc_is noroom 2
prov argvpw --room A --user u --password "$PW_DAV"
check "a password on the command line is refused (exit 2)" rc_is argvpw 2
prov samplepin --room A --pin 1234
check "the sample PIN 1234 is refused (exit 2)" rc_is samplepin 2
prov badpin --room A --pin 12a4
check "a PIN that is not 4-8 digits is refused (exit 2)" rc_is badpin 2
prov userinfo --room A --target webdav --url "http://u:$PW_DAV@127.0.0.1/dav"
check "a URL carrying credentials is refused (exit 2)" rc_is userinfo 2
# Basic auth over plain http:// without --allow-insecure-auth: config_check refuses it.
prov insecure --room A --target webdav --url http://127.0.0.1:9/dav --user u \
	--password-file "$T/dav.pw"
check "a configuration that would not load is refused (exit 2)" rc_is insecure 2
check "... saying why" grep -q "allow_insecure_auth" "$T/insecure.err"
prov dry --room "Room 4.01" --target folder --url /srv/share --pin 2468 --dry-run
check "--dry-run exits 0 and lists the changes" \
	bash -c "[ \"\$(cat '$T/dry.rc')\" = 0 ] && grep -q 'room = Room 4.01' '$T/dry.out' && grep -q 'Dry run: nothing written' '$T/dry.out'"
check "bad input and --dry-run wrote nothing" bash -c "[ -z \"\$(find '$R' -type f ! -path '$R/etc/passwd')\" ]"

# --- the first provision: files, modes, owners, the drop-in ----------------------------------
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nEND:VCALENDAR\r\n' >"$R/srv/room.ics"
prov first --room "Room 4.01" --target folder --url /srv/share --calendar /srv/room.ics --pin 2468
check "provisioning a folder target passes its checks (exit 0)" rc_is first 0
check "... and says so, one line a check" \
	bash -c "grep -q '^ok   target    folder /srv/share is writable' '$T/first.out' && grep -q '^ok   calendar' '$T/first.out' && grep -q '^ok   pin' '$T/first.out'"
check "the config is 0644, the PIN hash 0600" \
	bash -c "[ \$(stat -c %a '$CONF') = 644 ] && [ \$(stat -c %a '$R/etc/lectern/pin.hash') = 600 ]"
if [ "$(id -u)" = 0 ]; then
	check "as root, the PIN hash belongs to the service user (ROOT/etc/passwd), the config to root" \
		bash -c "[ \$(stat -c %u '$R/etc/lectern/pin.hash') = 4242 ] && [ \$(stat -c %u '$CONF') = 0 ]"
else
	ok "owners: not root, files stay the caller's # SKIP needs root"
fi
check "the config names the PIN file and holds no PIN" \
	bash -c "grep -qx 'pin_file = /etc/lectern/pin.hash' '$CONF' && ! grep -q '2468' '$CONF' && ! grep -qE '^pin *= *[0-9]' '$CONF'"
check "the PIN file holds a PBKDF2-SHA256 hash of 2468 (hashlib agrees), not the PIN" "$PY" - "$R/etc/lectern/pin.hash" <<'PY'
import base64, hashlib, hmac, sys
line = open(sys.argv[1]).read()
assert line.endswith("\n") and "2468" not in line.split("$")[0]
kind, it, salt, h = line.strip().split("$")
assert kind == "pbkdf2-sha256" and int(it) >= 1000
salt, h = base64.b64decode(salt), base64.b64decode(h)
assert len(salt) == 16 and len(h) == 32
assert hmac.compare_digest(hashlib.pbkdf2_hmac("sha256", b"2468", salt, int(it)), h)
assert not hmac.compare_digest(hashlib.pbkdf2_hmac("sha256", b"2469", salt, int(it)), h)
PY
DROPIN="$R/etc/systemd/system/lectern.service.d/paths.conf"
check "a folder target gets its ReadWritePaths= drop-in" \
	bash -c "grep -qx 'ReadWritePaths=-/srv/share' '$DROPIN' && grep -qx '\[Service\]' '$DROPIN'"
check "no temporary files are left" bash -c "[ -z \"\$(find '$R' -name '*.tmp-*')\" ]"

# --- a re-run changes only what it is given ---------------------------------------------------
printf '\n# kept: the administrator wrote this\n[recording]\nbitrate_kbps = 48\n' >>"$CONF"
cp "$CONF" "$T/before.conf"
cp "$R/etc/lectern/pin.hash" "$T/before.pin"
prov rerun --room "Room 4.02"
check "a re-run with --room only exits 0" rc_is rerun 0
diff "$T/before.conf" "$CONF" >"$T/rerun.diff"
check "... and changes exactly the room's line" \
	bash -c "[ \"\$(grep -c '^[<>]' '$T/rerun.diff')\" = 2 ] && grep -qx '< room = Room 4.01' '$T/rerun.diff' && grep -qx '> room = Room 4.02' '$T/rerun.diff'"
check "... leaving the PIN file as it was" cmp -s "$T/before.pin" "$R/etc/lectern/pin.hash"
check "... and the administrator's comment and key" \
	bash -c "grep -q 'kept: the administrator wrote this' '$CONF' && grep -qx 'bitrate_kbps = 48' '$CONF'"
cp "$CONF" "$T/after.conf"
prov same --room "Room 4.02"
check "the same again changes nothing" \
	bash -c "[ \"\$(cat '$T/same.rc')\" = 0 ] && grep -q 'lectern.conf: none' '$T/same.out' && cmp -s '$T/after.conf' '$CONF'"

# --- a board profile: its *.conf merged in name order -----------------------------------------
mkdir -p "$T/boards/demo"
printf '[ui]\nrotation = 90\nbacklight = none\n' >"$T/boards/demo/10-display.conf"
printf '# the HAT\n[audio]\ndevice = hw:1\n[ui]\nrotation = 180\n' >"$T/boards/demo/20-hat.conf"
printf 'not a profile\n' >"$T/boards/demo/README.md"
LECTERN_BOARDS_DIR="$T/boards" prov board --board demo --no-check
check "--board merges the profile's *.conf files in order (the later one wins)" \
	bash -c "[ \"\$(cat '$T/board.rc')\" = 0 ] && grep -qx 'rotation = 180' '$CONF' && grep -qx 'device = hw:1' '$CONF' && grep -qx 'backlight = none' '$CONF' && [ \$(grep -c '^rotation' '$CONF') = 1 ]"
LECTERN_BOARDS_DIR="$T/boards" prov noboard --board nosuch --no-check
check "an unknown board is refused (exit 2)" \
	bash -c "[ \"\$(cat '$T/noboard.rc')\" = 2 ] && grep -q \"no board 'nosuch'\" '$T/noboard.err'"

# --- killed after writing, before renaming: nothing changes -----------------------------------
cp "$CONF" "$T/before.conf"
cp "$R/etc/lectern/pin.hash" "$T/before.pin"
mkfifo "$T/pw.fifo"
exec 7<>"$T/pw.fifo"
LECTERN_TEST_PROVISION_PAUSE=60 "$LECTERN" provision --root "$R" --room "Room 9" --pin 8642 \
	--target webdav --url http://127.0.0.1:9/dav --user agent --password-stdin \
	--allow-insecure-auth --no-check <&7 >"$T/kill.out" 2>"$T/kill.err" &
pid=$!
CHILDREN+=($pid)
# Stalled on stdin: the command line (execv'd into lectern-net, same pid) has no password.
wait_for 10 "[ \"\$(readlink /proc/$pid/exe)\" = '$(dirname "$LECTERN")/lectern-net' ]"
check "while it waits for the password, /proc/PID/cmdline is the command without one" \
	bash -c "tr '\\0' ' ' </proc/$pid/cmdline | grep -q -- '--password-stdin' && ! grep -qa -- '$PW_DAV' /proc/$pid/cmdline"
printf '%s\n' "$PW_DAV" >&7
wait_for 20 "grep -q 'provision: paused' '$T/kill.err'"
check "it writes everything, then pauses before renaming (the test hook)" \
	grep -q 'provision: paused' "$T/kill.err"
check "while it runs, neither its cmdline nor its environment holds the password" \
	bash -c "! grep -qa -- '$PW_DAV' /proc/$pid/cmdline && ! grep -qa -- '$PW_DAV' /proc/$pid/environ"
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exec 7>&-
check "killed there (kill -9), the old config is intact" cmp -s "$T/before.conf" "$CONF"
check "... and the old PIN file" cmp -s "$T/before.pin" "$R/etc/lectern/pin.hash"
check "... and no password file appeared" test ! -e "$R/etc/lectern/upload.password"
prov afterkill --room "Room 4.02"
check "the next run removes the killed run's temporary files" \
	bash -c "[ \"\$(cat '$T/afterkill.rc')\" = 0 ] && [ -z \"\$(find '$R' -name '*.tmp-*')\" ]"

# --- WebDAV and a calendar on the local nginx -------------------------------------------------
mkdir -p "$T/web" "$T/dav"
now=$(date +%s)
utc() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Brown bag\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
	"$(utc $((now + 86400)))" "$(utc $((now + 90000)))" >"$T/web/room.ics"
start_nginx "$T/web" || { not_ok "nginx for the calendar starts"; exit 1; }
CAL_URL="http://127.0.0.1:$NGINX_PORT/room.ics"
CAL_LOGS="$NGINX_ACCESS_LOG $NGINX_ERROR_LOG"
start_nginx --auth "agent:$PW_DAV" "$T/dav" || { not_ok "nginx with WebDAV starts"; exit 1; }
DAV_URL="http://127.0.0.1:$NGINX_PORT/"
prov dav --target webdav --url "$DAV_URL" --user agent --password-file "$T/dav.pw" \
	--allow-insecure-auth --calendar "$CAL_URL"
check "WebDAV with the right password and an http calendar: every check passes (exit 0)" rc_is dav 0
check "... the calendar is fetched and counted" grep -q '^ok   calendar  .*1 session(s) in the next' "$T/dav.out"
check "... the share took (and lost) a test file with these credentials" \
	bash -c "grep -q '^ok   target    WebDAV 127.0.0.1:$NGINX_PORT accepts uploads as agent' '$T/dav.out' && grep -q '\"PUT /.lectern-provision-check HTTP/1.1\" 201' '$NGINX_ACCESS_LOG' && grep -q '\"DELETE /.lectern-provision-check HTTP/1.1\" 204' '$NGINX_ACCESS_LOG' && [ ! -e '$T/dav/.lectern-provision-check' ]"
check "the folder target's drop-in is gone with the folder target" test ! -e "$DROPIN"
check "the password file is 0600 and holds the password; the config only its path" \
	bash -c "[ \$(stat -c %a '$R/etc/lectern/upload.password') = 600 ] && [ \"\$(cat '$R/etc/lectern/upload.password')\" = '$PW_DAV' ] && grep -qx 'password_file = /etc/lectern/upload.password' '$CONF'"
prov davbad --user agent --password-file "$T/bad.pw"
check "a wrong password: written, but the target check fails (exit 1)" rc_is davbad 1
check "... saying the share refused the credentials" \
	grep -q '^FAIL target    WebDAV 127.0.0.1:.* refused the credentials of \[upload\] user agent (HTTP 401)' "$T/davbad.out"
check "... while the calendar still passes" grep -q '^ok   calendar' "$T/davbad.out"
stop_nginx

# --- Opencast (the strict double: Digest with X-Requested-Auth) ------------------------------
start_opencast_double --digest --user agent --password "$PW_OC" --log "$T/oc.log" \
	--store "$T/oc-store" --calendar "$T/web/room.ics" || { not_ok "the Opencast double starts"; exit 1; }
prov oc --target opencast --url "$OC_URL" --user agent --password-file "$T/oc.pw"
check "Opencast with the right password: discovery, target and calendar pass (exit 0)" rc_is oc 0
check "... one line each" \
	bash -c "grep -q '^ok   target    Opencast accepts user agent; ingest at' '$T/oc.out' && grep -q '^ok   discovery capture-admin at' '$T/oc.out' && grep -q '^ok   calendar  $CAL_URL' '$T/oc.out'"
check "... the config says opencast, Digest, and keeps the ICS calendar given earlier" \
	bash -c "grep -qx 'target = opencast' '$CONF' && grep -qx 'auth = digest' '$CONF' && grep -qx 'source = ics' '$CONF'"
prov occal --calendar opencast
check "--calendar opencast: the agent's calendar is found and fetched with the same account" \
	bash -c "[ \"\$(cat '$T/occal.rc')\" = 0 ] && grep -qx 'source = opencast' '$CONF' && grep -q '^ok   calendar  Opencast.s calendar of agent Room 4.02 fetched' '$T/occal.out' && grep -q 'calendars' '$T/oc.log'"
prov ocbad --password-file "$T/bad.pw" --user agent
check "Opencast with a wrong password fails its check (exit 1), naming the credentials" \
	bash -c "[ \"\$(cat '$T/ocbad.rc')\" = 1 ] && grep -q '^FAIL target    Opencast refused the credentials of \[upload\] user agent' '$T/ocbad.out'"

# --- the calendar's own account: a calendar server that is not the target ----------------------
PW_CAL='cal-Secret-5d1a'
printf '%s\n' "$PW_CAL" >"$T/cal.pw"
chmod 600 "$T/cal.pw"
mkdir -p "$T/calweb"
cp "$T/web/room.ics" "$T/calweb/room.ics"
start_nginx --auth "cal:$PW_CAL" "$T/calweb" || { not_ok "nginx for a calendar with a login starts"; exit 1; }
CALA_URL="http://127.0.0.1:$NGINX_PORT/room.ics"
# ini_get SECTION KEY: the value in $CONF ("" when absent)
ini_get() {
	"$PY" -c 'import configparser, sys
c = configparser.ConfigParser(interpolation=None, strict=False)
c.read(sys.argv[1])
print(c.get(sys.argv[2], sys.argv[3], fallback=""))' "$CONF" "$1" "$2"
}
cp "$CONF" "$T/before-cal.conf"
prov calargv --calendar "$CALA_URL" --calendar-user cal --calendar-password "$PW_CAL"
check "a calendar password on the command line is refused (exit 2)" rc_is calargv 2
prov calhalf --calendar "$CALA_URL" --calendar-user cal
check "--calendar-user without --calendar-password-file is refused (exit 2)" rc_is calhalf 2
prov calsame --calendar opencast --calendar-user cal --calendar-password-file "$T/cal.pw"
check "an account for a calendar on the target's Opencast is refused (exit 2): one server, one account" \
	bash -c "[ \"\$(cat '$T/calsame.rc')\" = 2 ] && grep -q 'one server with one account' '$T/calsame.err'"
prov calfile --calendar /srv/room.ics --calendar-user cal --calendar-password-file "$T/cal.pw"
check "an account for a calendar file is refused (exit 2)" \
	bash -c "[ \"\$(cat '$T/calfile.rc')\" = 2 ] && grep -q 'a calendar file needs no account' '$T/calfile.err'"
check "... the refused runs wrote nothing" \
	bash -c "cmp -s '$T/before-cal.conf' '$CONF' && [ ! -e '$R/etc/lectern/calendar.password' ]"
prov calok --user agent --password-file "$T/oc.pw" --calendar "$CALA_URL" --calendar-user cal \
	--calendar-password-file "$T/cal.pw" --allow-insecure-auth
check "Opencast target and a calendar with its own account: both checks pass (exit 0)" \
	bash -c "[ \"\$(cat '$T/calok.rc')\" = 0 ] && grep -q '^ok   calendar  $CALA_URL: 1 session' '$T/calok.out' && grep -q '^ok   target    Opencast accepts user agent' '$T/calok.out'"
check "... the calendar server saw user cal, the Opencast double user agent" \
	bash -c "grep -q ' cal \[.*\"GET /room.ics HTTP/1.1\" 200' '$NGINX_ACCESS_LOG' && grep -q '\"user\": \"agent\"' '$T/oc.log'"
vals="$(ini_get schedule user)|$(ini_get schedule password_file)|$(ini_get upload user)|$(ini_get upload password_file)"
check "[schedule] names user cal and the calendar's own password file; [upload] keeps agent's ($vals)" \
	test "$vals" = "cal|/etc/lectern/calendar.password|agent|/etc/lectern/upload.password"
check "the calendar's password file is 0600 and holds its password, the target's its own" \
	bash -c "[ \$(stat -c %a '$R/etc/lectern/calendar.password') = 600 ] && [ \"\$(cat '$R/etc/lectern/calendar.password')\" = '$PW_CAL' ] && [ \"\$(cat '$R/etc/lectern/upload.password')\" = '$PW_OC' ]"
if [ "$(id -u)" = 0 ]; then
	check "as root, the calendar's password file belongs to the service user" \
		test "$(stat -c %u "$R/etc/lectern/calendar.password")" = 4242
else
	ok "owners: not root, the calendar's password file stays the caller's # SKIP needs root"
fi
prov calbad --calendar-user cal --calendar-password-file "$T/bad.pw"
check "a wrong calendar password: written, the calendar check fails (exit 1), the target passes" \
	bash -c "[ \"\$(cat '$T/calbad.rc')\" = 1 ] && grep -q '^FAIL calendar' '$T/calbad.out' && grep -q '^ok   target ' '$T/calbad.out' && [ \"\$(cat '$R/etc/lectern/calendar.password')\" = '$PW_BAD' ]"
CAL_LOGS="$CAL_LOGS $NGINX_ACCESS_LOG $NGINX_ERROR_LOG"
stop_nginx

# --- lectern config check and the PIN ---------------------------------------------------------
lectern_config "$T/plain.conf" "[ui]" "pin = 4321"
check "config check passes a plain [ui] pin, with a warning to hash it" \
	bash -c "'$LECTERN' --config '$T/plain.conf' config check 2>'$T/plain.err' && grep -q 'kept in plain text' '$T/plain.err' && grep -q 'provision --pin' '$T/plain.err'"
lectern_config "$T/sample.conf"
"$LECTERN" --config "$T/sample.conf" config check >"$T/sample.out" 2>"$T/sample.err"
check "config check warns that the sample PIN opens nothing" grep -q 'sample PIN' "$T/sample.err"
cp "$R/etc/lectern/pin.hash" "$T/pin.hash"
chmod 644 "$T/pin.hash"
lectern_config "$T/hashed.conf" "[ui]" "pin_file = $T/pin.hash"
"$LECTERN" --config "$T/hashed.conf" config check >"$T/hashed.out" 2>"$T/hashed.err"
echo $? >"$T/hashed.rc"
check "config check refuses a PIN file others can read (exit 2), saying why" \
	bash -c "[ \"\$(cat '$T/hashed.rc')\" = 2 ] && grep -q 'readable by others' '$T/hashed.err'"
chmod 600 "$T/pin.hash"
check "config check passes a 0600 PIN file without a warning" \
	bash -c "'$LECTERN' --config '$T/hashed.conf' config check 2>'$T/h2.err' && ! grep -q warning '$T/h2.err'"

# --- the PIN from stdin (never in argv) -------------------------------------------------------
cp "$R/etc/lectern/pin.hash" "$T/before-stdin.pin"
# provstdin NAME INPUT ARGS...: prov with INPUT on stdin
provstdin() {
	local name=$1 input=$2
	shift 2
	printf '%s\n' "$input" | "$LECTERN" provision --root "$R" "$@" >"$T/$name.out" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
}
provstdin pinboth 5791 --pin 5791 --pin-stdin --no-check
check "--pin with --pin-stdin is refused (exit 2)" rc_is pinboth 2
provstdin pinpw 5791 --pin-stdin --user agent --password-stdin --no-check
check "--pin-stdin with --password-stdin is refused (exit 2): stdin holds one secret" rc_is pinpw 2
provstdin pinsample 1234 --pin-stdin --no-check
check "the sample PIN on stdin is refused (exit 2)" \
	bash -c "[ \"\$(cat '$T/pinsample.rc')\" = 2 ] && grep -q 'the PIN from stdin 1234 is the sample PIN' '$T/pinsample.err'"
provstdin pinshort 12 --pin-stdin --no-check
check "a PIN on stdin that is not 4-8 digits is refused (exit 2)" rc_is pinshort 2
check "... the refused ones left the PIN file as it was" cmp -s "$T/before-stdin.pin" "$R/etc/lectern/pin.hash"
provstdin pinstdin 5791 --pin-stdin --no-check
check "--pin-stdin stores the hash of the PIN read from stdin (exit 0)" rc_is pinstdin 0
check "... hashlib verifies 5791 against it" "$PY" - "$R/etc/lectern/pin.hash" 5791 <<'PY'
import base64, hashlib, hmac, sys
kind, it, salt, h = open(sys.argv[1]).read().strip().split("$")
salt, h = base64.b64decode(salt), base64.b64decode(h)
assert hmac.compare_digest(hashlib.pbkdf2_hmac("sha256", sys.argv[2].encode(), salt, int(it)), h)
PY
check "... and the PIN is in no output and not in the config" \
	bash -c "! grep -q 5791 '$T/pinstdin.out' '$T/pinstdin.err' '$CONF'"

# --- the passwords went nowhere they should not -----------------------------------------------
leaks=$(grep -rlaF -e "$PW_DAV" -e "$PW_OC" -e "$PW_BAD" -e "$PW_CAL" "$T"/*.out "$T"/*.err "$T/oc.log" \
	$CAL_LOGS "$NGINX_DIR"/*.log "$CONF" "$DROPIN" "$R/etc/lectern/pin.hash" 2>/dev/null)
check "no password in any output, server log or config" test -z "$leaks"
[ -z "$leaks" ] || echo "# leaked into: $leaks"
