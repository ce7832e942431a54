#!/bin/bash
# Links from a hostile room and an odd Opencast: a media package id with spaces, slashes, '?',
# '#', '%', '&', unicode and emoji is delivered and percent-encoded into the player link; one of
# 1000 characters (Opencast takes a client's own id of any length) is still a delivery, kept
# whole as the remote id, with no link (too long for one) and the reason in the log, never a
# failed upload that would ingest it again. Room names and uids with the same characters give
# WebDAV/folder links that are one path segment each. A later change of the template leaves
# the links already stored alone.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

SPEECH=$(speech_raw 10)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")

record() { # CONFIG TITLE
	"$LECTERN" --config "$1" record --seconds 2 --title "$2" >/dev/null 2>&1
}
urlq() { /usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

start_opencast_double --log "$T/oc.log" --store "$T/oc-store" ||
	{ not_ok "the Opencast double starts"; exit 1; }
lectern_config "$T/oc.conf" "[upload]" "target = opencast" "backoff_min_s = 60" \
	"timeout_s = 20" "[opencast]" "url = $OC_URL"

# An id with every character a URL treats specially, and some it cannot hold at all.
odd='a b/c?d#e%f&g+h=ü😀'
record "$T/oc.conf" "Odd id"
curl -s -X POST "$OC_URL/__double__/mpid?id=$(urlq "$odd")" >/dev/null
"$LECTERN" --config "$T/oc.conf" upload --once >"$T/u1.out" 2>"$T/u1.err"
check "an odd media package id: delivered, kept as it is" \
	test "$(sql "select state||'|'||remote from recordings where id=1")" = "uploaded|$odd"
check "an odd media package id: one path segment of the player link, percent-encoded" \
	test "$(sql "select link from recordings where id=1")" = \
	"$OC_URL/play/a%20b%2Fc%3Fd%23e%25f%26g%2Bh%3D%C3%BC%F0%9F%98%80"

long=$(printf 'x%.0s' $(seq 1000))
record "$T/oc.conf" "Long id"
curl -s -X POST "$OC_URL/__double__/mpid?id=$long" >/dev/null
"$LECTERN" --config "$T/oc.conf" upload --once >"$T/u2.out" 2>"$T/u2.err"
check "a 1000-character media package id: delivered, not failed (it was ingested)" \
	test "$(sql "select state from recordings where id=2")" = uploaded
check "a 1000-character media package id: kept whole" \
	test "$(sql "select length(remote) from recordings where id=2")" = 1000
check "a 1000-character media package id: no link (too long), and the log says why" \
	test "$(sql "select link from recordings where id=2")" = "" -a \
	-n "$(grep 'recording 2: delivered, but no link to watch it: the link is longer than' \
		"$T/u2.err")"
check "the double ingested it once" \
	test "$(grep -c '"path": "/ingest/ingest' "$T/oc.log")" = 2

# A folder target: a room named like a path, uids as the box makes them --------------------------
mkdir -p "$T/share"
room='Room 4/12 ?#% Aula Ü 😀'
lectern_config "$T/dir.conf" "[device]" "room = $room" "[upload]" "target = folder" \
	"folder = $T/share" "link_template = https://media.example.org/{room}/{year}/{file}?u={uid}"
record "$T/dir.conf" "Folder talk"
"$LECTERN" --config "$T/dir.conf" upload --once >"$T/u3.out" 2>"$T/u3.err"
link=$(sql "select link from recordings where id=3")
check "a room named like a path: its link's room is one encoded segment ("/" made "-", as its folder)" \
	eval '[[ "$link" == https://media.example.org/Room%204-12%20%3F%23%25%20Aula%20%C3%9C%20%F0%9F%98%80/20[0-9][0-9]/*.opus\?u=* ]]'
# The template changes later: the stored link stays (it is where the file went then).
lectern_config "$T/dir2.conf" "[device]" "room = $room" "[upload]" "target = folder" \
	"folder = $T/share" "link_template = https://other.example.org/{file}"
record "$T/dir2.conf" "After the change"
"$LECTERN" --config "$T/dir2.conf" upload --once >/dev/null 2>&1
check "a template changed later: the earlier link is kept" \
	test "$(sql "select link from recordings where id=3")" = "$link"
check "a template changed later: the next delivery uses the new one" \
	eval '[[ "$(sql "select link from recordings where id=4")" == https://other.example.org/*.opus ]]'
# A template that gives no http(s) URL is refused at load, naming file and line.
lectern_config "$T/bad.conf" "[upload]" "target = folder" "folder = $T/share" \
	"link_template = {room}://x/{file}"
"$LECTERN" --config "$T/bad.conf" recordings >/dev/null 2>"$T/bad.err"
check "a template giving no http(s) URL: refused with FILE:LINE" \
	grep -q "^lectern: $T/bad.conf:[0-9]*: upload.link_template: .*not an http:// or https:// URL" "$T/bad.err"

# kill -9 while a delivery waits for Opencast's ingest answer: after the restart the link and
# the state agree (none while not delivered), and the next attempt stores both.
record "$T/oc.conf" "Killed mid-delivery"
id=$(sql "select max(id) from recordings")
curl -s -X POST "$OC_URL/__double__/stall?seconds=4&path=/ingest/ingest" >/dev/null
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>&1 &
pid=$!
CHILDREN+=($pid)
wait_for 10 "[ \"\$(sql \"select state from recordings where id=$id\")\" = uploading ]"
sleep 1
kill -9 $pid
wait $pid 2>/dev/null
sleep 5   # the stalled answer arrives, to whatever is left of the delivery
check "kill -9 mid-delivery: link and state agree (delivered with its link, or neither)" \
	test "$(sql "select (state='uploaded' and link='$OC_URL/play/'||remote) or
		(state!='uploaded' and link='') from recordings where id=$id")" = 1
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>&1
mp=$(sql "select remote from recordings where id=$id")
check "kill -9 mid-delivery: the next attempt stores the state and the link together" \
	test -n "$mp" -a "$(sql "select state||' '||link from recordings where id=$id")" = \
	"uploaded $OC_URL/play/$mp"

# An id past what a recording keeps: refused at createMediaPackage, before anything is ingested,
# with the reason (not "not a media package").
record "$T/oc.conf" "Longer id"
id=$(sql "select max(id) from recordings")
curl -s -X POST "$OC_URL/__double__/mpid?id=$(printf 'y%.0s' $(seq 1500))" >/dev/null
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>"$T/u5.err"
check "a 1500-character id: not delivered, and the error says why" \
	test "$(sql "select state from recordings where id=$id")" != uploaded -a \
	-n "$(grep 'createMediaPackage: the media package id is longer than the 1023 bytes' "$T/u5.err")"
