#!/bin/bash
# The Opencast target and the capture agent against the strict Opencast double (Digest with
# X-Requested-Auth): the whole ingest conversation in order, the track byte-identical, the
# Dublin Core, recording and agent states; a wrong password, a 503 on ingest, discovery failing
# after a success, and a kill -9 mid-addTrack.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

SPEECH=$(speech_raw 60)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
PY=${SERVERS_PYTHON:-/usr/bin/python3}
utc() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }
b64() { base64 -w 60 | sed '2,$s/^/ /'; }

printf 'oc secret\n' >"$T/oc.pw"
printf 'not it\n' >"$T/bad.pw"
chmod 600 "$T/oc.pw" "$T/bad.pw"
start_opencast_double --digest --user agent --password 'oc secret' --log "$T/oc.log" \
	--store "$T/oc-store" || { not_ok "the Opencast double starts"; exit 1; }

conf() { # FILE PASSWORD_FILE [extra lines]
	local file=$1 pw=$2
	shift 2
	lectern_config "$file" "[upload]" "target = opencast" "user = agent" "password_file = $pw" \
		"auth = digest" "backoff_min_s = 60" "timeout_s = 20" \
		"[opencast]" "url = $OC_URL" "agent = room-412" "workflow = schedule-and-upload" "$@"
}
# oc_py 'python assertions': run with `reqs` = the double's log since line $MARK
oc_py() {
	"$PY" - "$T/oc.log" "${MARK:-0}" "$@" <<PY
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1]).readlines()[int(sys.argv[2]):]]
ok = [r for r in reqs if r["status"] == 200]
args = sys.argv[3:]
$(cat)
PY
}
mark() { MARK=0; [ -f "$T/oc.log" ] && MARK=$(wc -l <"$T/oc.log"); }

# A manual recording with upload --once ------------------------------------------------------
conf "$T/oc.conf" "$T/oc.pw"
mark
"$LECTERN" --config "$T/oc.conf" record --seconds 3 --title 'Ünïcode & <tags> "talk"' \
	--presenter 'Zoë Müller' >/dev/null 2>&1
sql "update recordings set tags='opus,Кодеки' where id=1"
src=$(sql "select path from recordings where id=1")
"$LECTERN" --config "$T/oc.conf" upload --once >"$T/u1.out" 2>"$T/u1.err"
check "manual: upload --once exits 0 and the job is uploaded" \
	bash -c "grep -q '^1 uploaded, 0 failed' '$T/u1.out' && test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=1')\" = uploaded"
check "manual: the conversation, in order: discovery, createMediaPackage, addDCCatalog, addTrack, ingest" \
	oc_py <<'PY'
paths = [r["path"] for r in ok]
want = ["/services/available.json", "/ingest/createMediaPackage", "/ingest/addDCCatalog",
        "/ingest/addTrack", "/ingest/ingest/schedule-and-upload"]
assert paths == want, paths
assert "org.opencastproject.ingest" in ok[0]["query"], ok[0]
assert all(r["headers"].get("X-Requested-Auth") == "Digest" for r in reqs), reqs
assert all(r["user"] == "agent" for r in ok), ok
PY
check "manual: the digest conversation meets one 401 challenge, not one per call" \
	oc_py <<'PY'
challenges = [r for r in reqs if r["status"] == 401]
assert len(challenges) <= 1, [(r["method"], r["path"]) for r in challenges]
assert len(ok) == 5, len(ok)
PY
check "manual: addTrack sends flavor and mediaPackage before BODY (audio/ogg, the file's name)" \
	oc_py "$(basename "$src")" <<'PY'
t = [r for r in ok if r["path"] == "/ingest/addTrack"][0]
assert t["parts"] == ["flavor", "mediaPackage", "BODY"], t["parts"]
assert t["fields"]["flavor"] == "presenter/source", t["fields"]
assert t["file"]["name"] == args[0] and t["file"]["type"] == "audio/ogg", t["file"]
PY
mp=$(sql "select remote from recordings where id=1")
check "manual: the track arrived byte-identical, remote = the media package id" \
	cmp "$src" "$T/oc-store/$mp/$(basename "$src")"
check "manual: the generated Dublin Core has title, creator, subjects, spatial, temporal" \
	oc_py <<'PY'
import xml.etree.ElementTree as ET
c = [r for r in ok if r["path"] == "/ingest/addDCCatalog"][0]
assert c["fields"]["flavor"] == "dublincore/episode", c["fields"]
dc = ET.fromstring(c["fields"]["dublinCore"])
T = "{http://purl.org/dc/terms/}"
get = lambda k: [e.text for e in dc.findall(T + k)]
assert get("title") == ['Ünïcode & <tags> "talk"'], get("title")
assert get("creator") == ["Zoë Müller"], get("creator")
assert get("subject") == ["opus", "Кодеки"], get("subject")
assert get("spatial") == ["Test Room"], get("spatial")
assert get("temporal")[0].startswith("start=") and "scheme=W3C-DTF;" in get("temporal")[0]
assert get("created"), dc
PY
check "manual: ingest has no workflowInstanceId and no recording state is posted" \
	oc_py <<'PY'
i = [r for r in ok if r["path"].startswith("/ingest/ingest/")][0]
assert i["parts"] == ["mediaPackage"], i["parts"]
assert not [r for r in reqs if r["path"].startswith("/capture-admin/recordings/")]
PY

# Wrong password: not uploaded, a clear error, the file kept ---------------------------------
conf "$T/bad.conf" "$T/bad.pw"
"$LECTERN" --config "$T/oc.conf" record --seconds 2 --title "Second" >/dev/null 2>&1
"$LECTERN" --config "$T/bad.conf" upload --once >/dev/null 2>"$T/bad.err"
rc=$?
check "wrong password: exit 1, the job queued with an authentication error, the file kept" \
	bash -c "test $rc -eq 1 && test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=2')\" = queued && \
	sqlite3 '$T/data/lectern.db' 'select last_error from recordings where id=2' | grep -q 'refused the credentials' && \
	test -s \"\$(sqlite3 '$T/data/lectern.db' 'select path from recordings where id=2')\""
check "wrong password: the password is in no message" \
	bash -c "! grep -q 'not it' '$T/bad.err' && ! sqlite3 '$T/data/lectern.db' 'select last_error from recordings' | grep -q 'not it'"

# 503 on ingest, then success on retry: exactly one ingest -----------------------------------
mark
curl -s -X POST "$OC_URL/__double__/fail?status=503&count=1&path=/ingest/ingest/" >/dev/null
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>"$T/503.err"
check "503 on ingest: the job is queued again with the status in its error" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=2')\" = queued && \
	sqlite3 '$T/data/lectern.db' 'select last_error from recordings where id=2' | grep -q '503'"
"$LECTERN" --config "$T/oc.conf" retry 2 >/dev/null 2>&1
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>"$T/retry.err"
check "503 on ingest: retry then upload --once delivers it, ingested once (a fresh media package)" \
	oc_py "$(sql "select remote from recordings where id=2")" <<'PY'
ing = [r for r in ok if r["path"].startswith("/ingest/ingest/")]
assert len(ing) == 1 and ing[0]["mp"] == args[0], (ing, args)
creates = [r for r in ok if r["path"] == "/ingest/createMediaPackage"]
assert len(creates) == 2 and creates[0]["mp"] != creates[1]["mp"], creates
PY

# Discovery fails after a success: the old ingest URL is used --------------------------------
"$LECTERN" --config "$T/oc.conf" record --seconds 2 --title "Third" >/dev/null 2>&1
mark
curl -s -X POST "$OC_URL/__double__/services?shape=empty" >/dev/null
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>"$T/disc.err"
curl -s -X POST "$OC_URL/__double__/services?shape=object" >/dev/null
check "discovery failing: the ingest URL found before is used, and the log says so" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=3')\" = uploaded && \
	grep -q 'using the ingest service found before' '$T/disc.err'"

# kill -9 of upload --once in the middle of addTrack, then a rerun: exactly one ingest --------
conf "$T/slow.conf" "$T/oc.pw" "[upload]" "max_kbps = 64"
"$LECTERN" --config "$T/oc.conf" record --seconds 20 --title "Long talk" >/dev/null 2>&1
id=$(sql "select max(id) from recordings")
src=$(sql "select path from recordings where id=$id")
mark
"$LECTERN" --config "$T/slow.conf" upload --once >/dev/null 2>&1 &
pid=$!
wait_for 15 '[ "$(sql "select sent_bytes > 0 from recordings where id=$id")" = 1 ]'
kill -9 $pid
wait $pid 2>/dev/null
check "killed mid-addTrack: the store says uploading" \
	test "$(sql "select state from recordings where id=$id")" = uploading
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>"$T/rerun.err"
mp=$(sql "select remote from recordings where id=$id")
check "after the kill: delivered, byte-identical" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=$id')\" = uploaded && \
	cmp '$src' '$T/oc-store/$mp/$(basename "$src")'"
check "after the kill: the cut addTrack was refused, and exactly one ingest, of the rerun's media package" \
	oc_py "$mp" <<'PY'
ing = [r for r in ok if r["path"].startswith("/ingest/ingest/")]
assert len(ing) == 1 and ing[0]["mp"] == args[0], ing
tracks = [r for r in reqs if r["path"] == "/ingest/addTrack" and r["status"] != 401]
assert len(tracks) == 2 and tracks[0]["status"] != 200 and tracks[1]["status"] == 200, tracks
PY

# A scheduled recording in `lectern run --headless`: states, workflow, agent ----------------
stop_opencast_double
rm -rf "$T/data"
now=$(date +%s)
uid="e7a1c0de-0000-4000-8000-$(printf '%012d' "$now")"
cat >"$T/episode.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<dublincore xmlns="http://www.opencastproject.org/xsd/1.0/dublincore/" xmlns:dcterms="http://purl.org/dc/terms/">
  <dcterms:title>Scheduled brown bag</dcterms:title>
  <dcterms:creator>Grace Hopper</dcterms:creator>
  <dcterms:identifier>$uid</dcterms:identifier>
  <dcterms:isPartOf>series-42</dcterms:isPartOf>
  <dcterms:spatial>room-412</dcterms:spatial>
</dublincore>
XML
printf 'event.title=Scheduled brown bag\norg.opencastproject.workflow.definition=fast\norg.opencastproject.workflow.config.straightToPublishing=true\norg.opencastproject.workflow.config.flagForCutting=false\ncapture.device.names=defaults\n' >"$T/agent.properties"
{
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Opencast//Opencast Calendar Service, Version 1.0//EN\r\n'
	printf 'BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Scheduled brown bag\r\nUID:%s\r\nLOCATION:room-412\r\n' \
		"$(utc $((now - 2)))" "$(utc $((now + 12)))" "$uid"
	printf 'ATTACH;FMTTYPE=application/xml;VALUE=BINARY;ENCODING=BASE64;X-APPLE-FILENAME=episode.xml:%s\r\n' "$(base64 -w0 "$T/episode.xml")"
	printf 'ATTACH;FMTTYPE=application/text;VALUE=BINARY;ENCODING=BASE64;X-APPLE-FILENAME=org.opencastproject.capture.agent.properties:%s\r\n' "$(base64 -w0 "$T/agent.properties")"
	printf 'END:VEVENT\r\nEND:VCALENDAR\r\n'
} >"$T/oc.ics"
start_opencast_double --digest --user agent --password 'oc secret' --log "$T/oc.log" \
	--store "$T/oc-store" --calendar "$T/oc.ics" --services-shape array
mark
lectern_config "$T/run.conf" "[schedule]" "source = opencast" "user = agent" \
	"password_file = $T/oc.pw" "auth = digest" "timeout_s = 5" \
	"[upload]" "target = opencast" "backoff_min_s = 60" \
	"[opencast]" "url = $OC_URL" "agent = room-412" "state_s = 5"
paced_mic "$T/mic.fifo" "$SPEECH"
ALSA_CONFIG_PATH=$(alsa_conf "$T/mic.fifo") "$LECTERN" --config "$T/run.conf" run --headless \
	>"$T/run.out" 2>"$T/run.err" &
pid=$!
CHILDREN+=($pid)
wait_for 60 '[ "$(sql "select state from recordings where id=1" 2>/dev/null)" = uploaded ]'
sleep 1.5 # the agent notices the upload's end within a second
kill -TERM $pid
wait $pid
rc=$?
check "scheduled: run --headless recorded the event, uploaded it and exited 0 on SIGTERM" \
	bash -c "test $rc -eq 0 && test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings where id=1')\" = uploaded"
check "scheduled: ingest to the calendar's workflow with workflowInstanceId = the event UID and its configuration" \
	oc_py "$uid" <<'PY'
ing = [r for r in ok if r["path"].startswith("/ingest/ingest/")]
assert len(ing) == 1, ing
i = ing[0]
assert i["path"] == "/ingest/ingest/fast", i["path"]
assert i["fields"].get("workflowInstanceId") == args[0], i["fields"]
assert i["fields"].get("straightToPublishing") == "true", i["fields"]
assert i["fields"].get("flagForCutting") == "false", i["fields"]
PY
check "scheduled: the calendar's episode catalog is the one sent" \
	oc_py "$uid" <<'PY'
c = [r for r in ok if r["path"] == "/ingest/addDCCatalog"][0]
assert "Grace Hopper" in c["fields"]["dublinCore"] and args[0] in c["fields"]["dublinCore"], c
PY
check "scheduled: recording states capturing, capture_finished, uploading, upload_finished, in order" \
	oc_py "$uid" <<'PY'
st = [r["fields"]["state"] for r in ok if r["path"] == "/capture-admin/recordings/" + args[0]]
assert st == ["capturing", "capture_finished", "uploading", "upload_finished"], st
order = [r["path"] for r in ok if r["path"].startswith(("/ingest/", "/capture-admin/rec"))]
assert order.index("/capture-admin/recordings/" + args[0]) < order.index("/ingest/createMediaPackage")
PY
check "scheduled: capabilities posted at start (Java properties with capture.device.names)" \
	oc_py <<'PY'
c = [r for r in ok if r["path"] == "/capture-admin/agents/room-412/configuration"]
assert len(c) == 1 and "capture.device.names" in c[0]["properties"], c
PY
check "scheduled: agent states with an address: idle, capturing, uploading, idle, offline last" \
	oc_py <<'PY'
a = [r for r in reqs if r["path"] == "/capture-admin/agents/room-412" and r["status"] != 401]
assert all(r["status"] == 200 and r["fields"]["address"] for r in a), a
st = [r["fields"]["state"] for r in a]
dedup = [s for i, s in enumerate(st) if i == 0 or st[i - 1] != s]
assert dedup[0] == "idle" and dedup[-1] == "offline", st
for s in ("capturing", "uploading"):
    assert s in dedup, st
assert dedup.index("capturing") < dedup.index("uploading") < len(dedup) - 1, st
PY
check "scheduled: the capture-admin service was found through the registry (array shape)" \
	oc_py <<'PY'
q = [r["query"] for r in ok if r["path"] == "/services/available.json"]
assert any("capture.admin" in x for x in q) and any("ingest" in x for x in q), q
PY
stop_opencast_double
