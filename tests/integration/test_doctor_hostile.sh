#!/bin/bash
# `lectern doctor` and `lectern status` on a box in trouble: a calendar and upload server that
# accept connections and never answer (the doctor, and provision's checks, finish in bounded
# time even with [schedule] timeout_s = 60: measured), a damaged lectern.db (the store check
# says so, the queue is "unknown", not "nothing waiting"; status --json is still JSON, with the
# queue null), a data directory on a full disk or one this user cannot write (named as such),
# a configuration this user may not read (doctor and status --json still print JSON), and
# room names with quotes, backslashes, tabs and non-ASCII letters (--json parses, intact).
source "$(dirname "$0")/../lib/common.sh"

PY=/usr/bin/python3
json_ok() { "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$1"; }
# check_field FILE CHECKNAME STATUS SUBSTRING: the doctor's JSON names that check so
check_field() {
	"$PY" - "$@" <<'EOF'
import json, sys
path, name, status, sub = sys.argv[1:5]
d = json.load(open(path))
c = [c for c in d["checks"] if c["name"] == name]
assert c, "no check %s" % name
c = c[0]
assert c["status"] == status, (c["status"], c["detail"])
assert sub in c["detail"], c["detail"]
EOF
}

# A server that accepts and never answers, on a free port.
cat >"$T/hang.py" <<'EOF'
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
held, end = [], time.time() + 180
s.settimeout(1)
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
EOF
"$PY" "$T/hang.py" >"$T/hang.port" &
CHILDREN+=($!)
wait_for 5 "test -s $T/hang.port"
PORT=$(cat "$T/hang.port")

ROOM='Hörsaal "A" \ 1	ß'
conf() { # conf FILE DATA_DIR [EXTRA LINES]
	cat >"$1" <<EOF
[device]
room = $ROOM
data_dir = $2
[audio]
source = file
file = $T/none.wav
${3:-}
EOF
}

# --- a server that hangs -----------------------------------------------------------------------
conf "$T/hang.conf" "$T/data" "[schedule]
source = ics
ics = http://127.0.0.1:$PORT/cal.ics
timeout_s = 60
[upload]
target = webdav
url = http://127.0.0.1:$PORT/dav"
# doctor, and provision's checks against the same servers, at the same time (each waits for
# its own timeouts; together they take the time of the longer one)
mkdir -p "$T/proot/etc/lectern"
printf '[schedule]\ntimeout_s = 60\n' >"$T/proot/etc/lectern/lectern.conf"
timed() { # OUT-PREFIX COMMAND...: COMMAND's exit code and seconds into OUT-PREFIX.rc/.took
	local out=$1 start=$(date +%s)
	shift
	"$@"
	echo $? >"$out.rc"
	echo $(($(date +%s) - start)) >"$out.took"
}
timed "$T/hang" timeout 120 "$LECTERN" --config "$T/hang.conf" doctor --json \
	>"$T/hang.json" 2>"$T/hang.err" &
doctor_pid=$!
timed "$T/prov" timeout 120 "$LECTERN" provision --root "$T/proot" --room H --pin 2468 \
	--calendar "http://127.0.0.1:$PORT/c.ics" --target webdav --url "http://127.0.0.1:$PORT/dav" \
	>"$T/prov-hang.out" 2>&1 </dev/null &
prov_pid=$!
wait $doctor_pid $prov_pid
rc=$(cat "$T/hang.rc")
took=$(cat "$T/hang.took")
echo "# doctor against servers that never answer ([schedule] timeout_s = 60): ${took} s"
check "doctor against a hanging calendar and server exits 1" [ "$rc" = 1 ]
check "... within 35 s, not [schedule] timeout_s" [ "$took" -le 35 ]
check "... its --json parses" json_ok "$T/hang.json"
check "... the calendar check says it did not answer in time" \
	check_field "$T/hang.json" calendar fail "did not answer in time"
check "... so does the server check" check_field "$T/hang.json" server fail "did not answer in time"
check "... the odd room name comes through --json intact" \
	check_field "$T/hang.json" configuration pass "(room '$ROOM')"
took=$(cat "$T/prov.took")
echo "# provision's checks against servers that never answer: ${took} s"
check "provision's checks against hanging servers: within 25 s, not [schedule] timeout_s" \
	[ "$took" -le 25 ]
check "... naming both" bash -c "grep -q 'FAIL calendar.*did not answer in time' '$T/prov-hang.out' &&
	grep -q 'FAIL target.*did not answer in time' '$T/prov-hang.out'"

# --- a damaged database --------------------------------------------------------------------------
conf "$T/dmg.conf" "$T/dmg"
"$LECTERN" --config "$T/dmg.conf" status >/dev/null 2>&1 # creates the store
head -c 8192 /dev/urandom | dd of="$T/dmg/lectern.db" conv=notrunc status=none
"$LECTERN" --config "$T/dmg.conf" doctor --json >"$T/dmg.json" 2>"$T/dmg.err"
check "damaged store: doctor --json parses" json_ok "$T/dmg.json"
check "... the store check says damaged" check_field "$T/dmg.json" store fail "damaged"
check "... the queue is unknown, not 'nothing waiting'" \
	check_field "$T/dmg.json" "upload queue" fail "unknown"
"$LECTERN" --config "$T/dmg.conf" status --json >"$T/dmg-status.json" 2>/dev/null
echo $? >"$T/dmg-status.rc"
check "damaged store: status --json exits 4" [ "$(cat "$T/dmg-status.rc")" = 4 ]
check "... and still prints JSON: store_ok false, queue null" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["store_ok"] is False and d["queue"] is None and d["last_upload"] is None, d
assert d["disk_free_bytes"] > 0' "$T/dmg-status.json"
"$LECTERN" --config "$T/dmg.conf" status >"$T/dmg-status.txt" 2>/dev/null
check "... its text says the queue is unknown" grep -q '^Queue: *unknown' "$T/dmg-status.txt"

# --- a full disk, a directory this user cannot write -------------------------------------------------
if [ "$(id -u)" = 0 ] && mkdir -p "$T/full" && mount -t tmpfs -o size=1m tmpfs "$T/full" 2>/dev/null; then
	conf "$T/full.conf" "$T/full/d"
	head -c 2M /dev/zero >"$T/full/fill" 2>/dev/null
	"$LECTERN" --config "$T/full.conf" doctor --json >"$T/full.json" 2>/dev/null
	check "full disk: doctor --json parses" json_ok "$T/full.json"
	check "... the store check names the full disk" check_field "$T/full.json" store fail "is full"
	check "... so does the disk check" check_field "$T/full.json" disk fail "0 MB free"
	umount "$T/full"
else
	echo "ok - full disk # SKIP needs root to mount a small tmpfs"
fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	chmod 755 "$T"
	conf "$T/ro.conf" "$T/dmg" # the damaged store, in a directory nobody may write
	nobody "$LECTERN" --config "$T/ro.conf" doctor --json >"$T/ro.json" 2>/dev/null
	check "a data directory this user cannot write: named so" \
		check_field "$T/ro.json" store fail "cannot be written by this user"
	conf "$T/secret.conf" "$T/data"
	chmod 600 "$T/secret.conf"
	nobody "$LECTERN" --config "$T/secret.conf" doctor --json >"$T/secret.json" 2>/dev/null
	check "a configuration this user may not read: doctor --json says so" \
		check_field "$T/secret.json" configuration fail "Permission denied"
	nobody "$LECTERN" --config "$T/secret.conf" status --json >"$T/secret-status.json" 2>/dev/null
	check "... status --json prints JSON with the error" "$PY" -c '
import json, sys
assert "configuration" in json.load(open(sys.argv[1]))["error"]' "$T/secret-status.json"
else
	echo "ok - another user # SKIP needs root and setpriv"
fi
