#!/bin/bash
# Scan to watch, transcripts asked for: a delivered recording's link is stored (Opencast's
# player URL with the media package id; a WebDAV share's and a folder's from link_template)
# and shown by `lectern recordings --json`; a failed delivery stores none. [opencast]
# workflow_config and [device] language reach the Opencast double in the ingest and the
# Dublin Core (the language as it was when the recording started; a scheduled event's own
# configuration and language win); the sidecar carries language and tags. Bad keys are
# refused at load with FILE:LINE.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

SPEECH=$(speech_raw 10)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
PY=${SERVERS_PYTHON:-/usr/bin/python3}

record() { # CONFIG TITLE
	"$LECTERN" --config "$1" record --seconds 2 --title "$2" >/dev/null 2>&1
}
# json_py 'python assertions': `recs` = `lectern recordings --json` of CONFIG, by id
json_py() {
	"$LECTERN" --config "$1" recordings --json >"$T/recs.json" || return 1
	shift
	"$PY" - "$T/recs.json" "$@" <<PY
import json, sys
recs = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
args = sys.argv[2:]
$(cat)
PY
}
# oc_py 'python assertions': `reqs` = the double's log since line $MARK, `ok` its 200s
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

# Opencast: a manual recording -----------------------------------------------------------------
start_opencast_double --log "$T/oc.log" --store "$T/oc-store" ||
	{ not_ok "the Opencast double starts"; exit 1; }
oc_conf() { # FILE LANGUAGE [extra lines]
	local file=$1 lang=$2
	shift 2
	lectern_config "$file" "[device]" "language = $lang" "[upload]" "target = opencast" \
		"backoff_min_s = 60" "timeout_s = 20" "[opencast]" "url = $OC_URL" \
		"workflow = schedule-and-upload" \
		"workflow_config = transcribe=true, straightToPublishing=false" "$@"
}
oc_conf "$T/oc.conf" de-CH
# The same box after its language setting changed: what was recorded keeps its own.
oc_conf "$T/oc-fr.conf" fr
record "$T/oc.conf" "Manual talk"
sql "update recordings set tags='opus,Кодеки' where id=1"
check "the language is stored with the recording at its start" \
	test "$(sql "select language from recordings where id=1")" = de-CH
mark
"$LECTERN" --config "$T/oc-fr.conf" upload --once >"$T/oc1.out" 2>"$T/oc1.err"
mp=$(sql "select remote from recordings where id=1")
check "Opencast: delivered, the link is player_url's default with the media package id" \
	test -n "$mp" -a "$(sql "select state||' '||link from recordings where id=1")" = \
	"uploaded $OC_URL/play/$mp"
check "Opencast: recordings --json shows link and language" \
	json_py "$T/oc.conf" "$OC_URL/play/$mp" <<'PY'
assert recs[1]["link"] == args[0], recs[1]
assert recs[1]["language"] == "de-CH", recs[1]
assert recs[1]["tags"] == "opus,Кодеки", recs[1]
PY
check "Opencast: workflow_config arrives as the ingest's workflow configuration (manual)" \
	oc_py <<'PY'
i = [r for r in ok if r["path"].startswith("/ingest/ingest/")]
assert len(i) == 1, i
assert i[0]["workflow_config"] == {"transcribe": "true", "straightToPublishing": "false"}, i[0]
assert i[0]["parts"] == ["mediaPackage", "transcribe", "straightToPublishing"], i[0]["parts"]
PY
check "Opencast: the generated DC has dcterms:language as at the start, and the tags as subjects" \
	oc_py <<'PY'
c = [r for r in ok if r["path"] == "/ingest/addDCCatalog"]
assert len(c) == 1, c
assert c[0]["dc"]["language"] == ["de-CH"], c[0]["dc"]
assert c[0]["dc"]["subject"] == ["opus", "Кодеки"], c[0]["dc"]
assert c[0]["dc"]["title"] == ["Manual talk"], c[0]["dc"]
PY

# A player of one's own: the id URL-encoded into the query -----------------------------------
oc_conf "$T/oc-player.conf" en \
	"player_url = https://tube.example.org/paella7/ui/watch.html?id={id}&from=lectern"
record "$T/oc-player.conf" "Second talk"
"$LECTERN" --config "$T/oc-player.conf" upload --once >/dev/null 2>&1
mp2=$(sql "select remote from recordings where id=2")
check "Opencast: a configured player_url gives its link" \
	test "$(sql "select link from recordings where id=2")" = \
	"https://tube.example.org/paella7/ui/watch.html?id=$mp2&from=lectern"
oc_conf "$T/oc-nolink.conf" en "player_url ="
record "$T/oc-nolink.conf" "Third talk"
"$LECTERN" --config "$T/oc-nolink.conf" upload --once >/dev/null 2>&1
check "Opencast: an empty player_url delivers without a link" \
	test "$(sql "select state||'|'||link from recordings where id=3")" = "uploaded|"

# A delivery that fails stores no link ---------------------------------------------------------
record "$T/oc.conf" "Unlucky talk"
# As if an earlier attempt had left one: a failed attempt must not leave any link behind.
sql "update recordings set link='https://stale.example.org/x' where id=4"
curl -s -X POST "$OC_URL/__double__/fail?status=500&count=1&path=/ingest/ingest/" >/dev/null
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>&1
check "Opencast: ingest failing: queued again, no link stored, none shown" \
	json_py "$T/oc.conf" <<'PY'
assert recs[4]["state"] == "queued", recs[4]
assert recs[4]["link"] == "", recs[4]
PY
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>&1
mp4=$(sql "select remote from recordings where id=4")
check "Opencast: delivered at the next attempt, with its link" \
	test "$(sql "select state||' '||link from recordings where id=4")" = "uploaded $OC_URL/play/$mp4"

# A scheduled recording: the calendar's configuration and language win -------------------------
record "$T/oc.conf" "Scheduled talk"
uid="e7a1c0de-0000-4000-8000-000000000005"
cat >"$T/episode.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<dublincore xmlns="http://www.opencastproject.org/xsd/1.0/dublincore/" xmlns:dcterms="http://purl.org/dc/terms/">
  <dcterms:title>Scheduled brown bag</dcterms:title>
  <dcterms:identifier>$uid</dcterms:identifier>
</dublincore>
XML
sed 's|<dcterms:identifier>|<dcterms:language>fr</dcterms:language><dcterms:identifier>|' \
	"$T/episode.xml" >"$T/episode-fr.xml"
# As the calendar leaves it (schedule.c): workflow, its configuration with the prefix
# stripped, the episode catalog.
sql "update recordings set event_key='$uid@1772366400', workflow='fast',
	workflow_config='straightToPublishing=true
flagForCutting=false', episode_dc=readfile('$T/episode.xml') where id=5"
mark
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>&1
check "scheduled: the calendar's configuration wins, workflow_config fills in the rest" \
	oc_py "$uid" <<'PY'
i = [r for r in ok if r["path"].startswith("/ingest/ingest/")]
assert len(i) == 1 and i[0]["path"] == "/ingest/ingest/fast", i
assert i[0]["workflow_config"] == {"straightToPublishing": "true", "flagForCutting": "false",
                                   "transcribe": "true"}, i[0]["workflow_config"]
assert i[0]["fields"]["workflowInstanceId"] == args[0], i[0]["fields"]
PY
check "scheduled: the calendar's catalog, with dcterms:language added" \
	oc_py "$uid" <<'PY'
c = [r for r in ok if r["path"] == "/ingest/addDCCatalog"][0]
assert c["dc"]["identifier"] == [args[0]], c["dc"]
assert c["dc"]["title"] == ["Scheduled brown bag"], c["dc"]
assert c["dc"]["language"] == ["de-CH"], c["dc"]
PY
mp5=$(sql "select remote from recordings where id=5")
check "scheduled: delivered with its link" \
	test "$(sql "select link from recordings where id=5")" = "$OC_URL/play/$mp5"
record "$T/oc.conf" "Scheduled in French"
sql "update recordings set event_key='$uid@1772366401', episode_dc=readfile('$T/episode-fr.xml')
	where id=6"
mark
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>&1
check "scheduled: a catalog that names its language keeps it (and no second one)" \
	oc_py <<'PY'
c = [r for r in ok if r["path"] == "/ingest/addDCCatalog"][0]
assert c["dc"]["language"] == ["fr"], c["dc"]
PY

# The database lost: the spool's sidecars bring back link and language with the rest.
printf 'not a database' >"$T/data/lectern.db"
rm -f "$T/data/lectern.db-wal" "$T/data/lectern.db-shm"
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>&1
check "rebuilt from the spool: the delivered recording keeps its link and language" \
	json_py "$T/oc.conf" "$OC_URL/play/$mp" <<'PY'
r = [r for r in recs.values() if r["title"] == "Manual talk"]
assert len(r) == 1 and r[0]["state"] == "uploaded", recs
assert r[0]["link"] == args[0] and r[0]["language"] == "de-CH", r[0]
PY
stop_opencast_double

# WebDAV on nginx: the link opens the delivered file -------------------------------------------
rm -rf "$T/data"
mkdir -p "$T/dav/lectern"
start_nginx "$T/dav" || { not_ok "nginx starts"; exit 1; }
# The share is also served read-only over HTTP here, as a media server would serve it.
lectern_config "$T/dav.conf" "[device]" "language = en" "[upload]" "target = webdav" \
	"url = http://127.0.0.1:$NGINX_PORT/lectern" "backoff_min_s = 60" \
	"link_template = http://127.0.0.1:$NGINX_PORT/lectern/{room}/{year}/{month}/{file}"
record "$T/dav.conf" "WebDAV talk"
sql "update recordings set tags='talk,q&a' where id=1"
"$LECTERN" --config "$T/dav.conf" upload --once >/dev/null 2>"$T/dav.err"
src=$(sql "select path from recordings where id=1")
link=$(sql "select link from recordings where id=1")
check "WebDAV: the link is the template's, each part URL-encoded" \
	test "$link" = "http://127.0.0.1:$NGINX_PORT/lectern/Test%20Room/$(date +%Y/%m)/$(basename "$src")"
check "WebDAV: the link opens exactly the delivered recording" \
	bash -c "curl -sf -o '$T/fetched.opus' '$link' && cmp '$src' '$T/fetched.opus'"
check "WebDAV: recordings --json shows the link" \
	json_py "$T/dav.conf" "$link" <<'PY'
assert recs[1]["link"] == args[0] and recs[1]["language"] == "en", recs[1]
PY
check "WebDAV: the sidecar carries the language and the tags" \
	"$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))
assert s["language"] == "en", s
assert s["tags"] == ["talk", "q&a"], s' "$T/dav/lectern/Test Room/$(date +%Y/%m)/$(basename "$src").json"
# A share that refuses: nothing delivered, no link.
lectern_config "$T/davbad.conf" "[upload]" "target = webdav" \
	"url = http://127.0.0.1:$NGINX_PORT/no-such-share" "backoff_min_s = 60" \
	"link_template = http://127.0.0.1:$NGINX_PORT/{room}/{file}"
record "$T/davbad.conf" "Refused talk"
sql "update recordings set link='https://stale.example.org/x' where id=2"
"$LECTERN" --config "$T/davbad.conf" upload --once >/dev/null 2>&1
check "WebDAV: a refused delivery stores no link" \
	test "$(sql "select state||'|'||attempts||'|'||link from recordings where id=2")" = "queued|1|"
stop_nginx

# A folder, and no template -------------------------------------------------------------------
rm -rf "$T/data"
mkdir -p "$T/share" # the share is there: lectern makes only what is inside it
lectern_config "$T/folder.conf" "[device]" "room = Hörsaal 4/12" "[upload]" "target = folder" \
	"folder = $T/share" "link_template = https://media.example.org/rooms/{room}/{uid}?f={file}"
record "$T/folder.conf" "Folder talk"
"$LECTERN" --config "$T/folder.conf" upload --once >/dev/null 2>&1
uid=$(sql "select uid from recordings where id=1")
check "folder: the room as its folder on the share (UTF-8 and '/' encoded), uid and file" \
	test "$(sql "select link from recordings where id=1")" = \
	"https://media.example.org/rooms/H%C3%B6rsaal%204-12/$uid?f=$uid.opus"
lectern_config "$T/folder0.conf" "[upload]" "target = folder" "folder = $T/share"
record "$T/folder0.conf" "No template"
"$LECTERN" --config "$T/folder0.conf" upload --once >/dev/null 2>&1
check "folder: without link_template, delivered without a link" \
	test "$(sql "select state||'|'||link from recordings where id=2")" = "uploaded|"

# Bad keys are refused at load, with file, line and key ----------------------------------------
# refused WANT-REGEX: `config check` of $T/bad.conf fails with exit 2 and that message.
refused() {
	"$LECTERN" --config "$T/bad.conf" config check >/dev/null 2>"$T/bad.err"
	local rc=$?
	[ $rc -eq 2 ] && grep -qE "$1" "$T/bad.err" || { echo "exit $rc: $(cat "$T/bad.err")"; false; }
}
bad_conf() { # NAME WANT-REGEX LINES...
	local name=$1 want=$2
	shift 2
	printf '%s\n' "[device]" "room = R" "data_dir = $T/cfgdata" "$@" >"$T/bad.conf"
	check "config: $name" refused "$want"
}
bad_conf "unknown placeholder in link_template" \
	"^lectern: $T/bad.conf:5: upload.link_template: unknown placeholder \{week\}" \
	"[upload]" "link_template = https://h/{room}/{week}"
bad_conf "link_template that gives no URL" \
	"^lectern: $T/bad.conf:5: upload.link_template: gives '/srv/" \
	"[upload]" "link_template = /srv/{file}"
bad_conf "player_url with an unknown placeholder" \
	"^lectern: $T/bad.conf:8: opencast.player_url: unknown placeholder \{uid\}" \
	"[upload]" "target = opencast" "[opencast]" "url = https://oc.example.org" \
	"player_url = {url}/play/{uid}"
bad_conf "language that is not a tag" \
	"^lectern: $T/bad.conf:4: device.language: 'English' is not a language tag" \
	"language = English"
bad_conf "language with an underscore" \
	"^lectern: $T/bad.conf:4: device.language: 'en_US' is not a language tag" \
	"language = en_US"
bad_conf "workflow_config that is not key=value" \
	"^lectern: $T/bad.conf:5: opencast.workflow_config: 'transcribe' is not key=value" \
	"[opencast]" "workflow_config = straightToPublishing=true, transcribe"
