#!/bin/bash
# Attendance delivered with the recording and reported: check-ins stored while offline go
# with the recording to a WebDAV share (real nginx) and to the strict Opencast double (an
# attendance/csv attachment in the ingested media package, the count in the episode catalog);
# a check-in after the delivery rewrites the WebDAV sidecar and is reported for Opencast;
# in `count` mode no name reaches an upload or a log; `lectern attendance` and `lectern stats`
# on a seeded store, their CSV and JSON read back with Python's csv and json modules.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

SPEECH=$(speech_raw 10)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
PY=${SERVERS_PYTHON:-/usr/bin/python3}
MONTH=$(date +%Y/%m)
# The people of these tests: distinctive, so that a grep finds them wherever they went.
ZOE='Zoë Quixotic-Attendee'
ZOE_MAIL='zoe.quixotic@example.org'
WALKIN='Walter Walkin-Visitor'
LATE='Lateef Latecomer-Person'

record() { # CONFIG TITLE -> the new recording's id
	"$LECTERN" --config "$1" record --seconds 2 --title "$2" --presenter "Ada Presenter" \
		>/dev/null 2>>"$T/lectern.log"
	sql "select max(id) from recordings"
}
# The check-in API (attendance.h) as the check-in screen calls it, from a test tool.
CHECKIN="$BUILD/tests/tools/checkin"
[ -x "$CHECKIN" ] || { not_ok "the check-in tool is built (make unit builds $CHECKIN)"; exit 1; }
# checkin KEY METHOD [NAME [EMAIL]]: one check-in to an ad-hoc session, stored in names mode
# (whatever the configuration says: a store written before a switch of mode).
checkin() {
	"$CHECKIN" "$T/data/lectern.db" names "${1#adhoc:}" "$2" ${3:+"$3" "${4:-}"} \
		>/dev/null 2>>"$T/lectern.log"
}
session_of() { sql "select 'adhoc:' || uid from recordings where id=$1"; }

# WebDAV: offline check-in, then delivery -----------------------------------------------------
mkdir -p "$T/dav/lectern"
lectern_config "$T/dav.conf" "[upload]" "target = webdav" "url = http://127.0.0.1:9/lectern" \
	"backoff_min_s = 60" "[privacy]" "attendance = names"
id=$(record "$T/dav.conf" "WebDAV talk")
key=$(session_of "$id")
checkin "$key" tap "$ZOE" "$ZOE_MAIL"
checkin "$key" walkin "$WALKIN" ""
checkin "$key" guest "" ""
"$LECTERN" --config "$T/dav.conf" upload --once >/dev/null 2>>"$T/lectern.log"
check "offline: the check-ins are stored while the share cannot be reached" \
	test "$(sql "select state || count(*) from recordings, checkins where recordings.id=$id")" = queued3
start_nginx "$T/dav" || { not_ok "nginx starts"; exit 1; }
sed -i "s|127.0.0.1:9|127.0.0.1:$NGINX_PORT|" "$T/dav.conf"
"$LECTERN" --config "$T/dav.conf" retry "$id" >/dev/null 2>&1
"$LECTERN" --config "$T/dav.conf" upload --once >"$T/dav.out" 2>>"$T/lectern.log"
side="$T/dav/lectern/Test Room/$MONTH/$(basename "$(sql "select path from recordings where id=$id")").json"
check "WebDAV: the recording is delivered once the share is back" grep -q '^1 uploaded' "$T/dav.out"
check "WebDAV: the sidecar carries the count and, in names mode, who came, how and when" \
	"$PY" - "$side" "$key" "$ZOE" "$ZOE_MAIL" "$WALKIN" <<'PY'
import json, sys
side, key, zoe, mail, walkin = sys.argv[1:]
a = json.load(open(side))["attendance"]
assert a["session"] == key and a["count"] == 3, a
assert a["by_method"] == {"tap": 1, "walkin": 1, "guest": 1}, a
c = a["checkins"]
assert [x["method"] for x in c] == ["tap", "walkin", "guest"], c
assert c[0]["name"] == zoe and c[0]["email"] == mail, c[0]
assert c[1]["name"] == walkin and "email" not in c[1], c[1]
assert "name" not in c[2] and c[2]["checked_in_at"][:4].isdigit(), c[2]
PY
check "WebDAV: the session keeps the count it went out with" \
	test "$(sql "select delivered_count || ':' || (delivered_ms > 0) from checkin_sessions where key='$key'")" = "3:1"

# A check-in after the delivery: the sidecar is sent again ------------------------------------
checkin "$key" walkin "$LATE" ""
"$LECTERN" --config "$T/dav.conf" attendance >"$T/late-before.txt" 2>&1
check "late check-in: lectern attendance says 1 after delivery until it is sent" \
	grep -q '4 checked in (1 after delivery)' "$T/late-before.txt"
"$LECTERN" --config "$T/dav.conf" upload --once >/dev/null 2>"$T/late.err"
check "late check-in: upload --once rewrites the WebDAV sidecar with the new count and name" \
	"$PY" - "$side" "$LATE" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["attendance"]
assert a["count"] == 4 and a["checkins"][-1]["name"] == sys.argv[2], a
PY
check "late check-in: the session now keeps 4, and the log says the sidecar went again" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' \"select delivered_count from checkin_sessions where key='$key'\")\" = 4 && grep -q 'sidecar sent again' '$T/late.err'"
"$LECTERN" --config "$T/dav.conf" upload --once >/dev/null 2>"$T/again.err"
check "late check-in: nothing is sent again once it is up to date" \
	bash -c "! grep -q 'sidecar sent again' '$T/again.err'"
cat "$T/late.err" "$T/again.err" >>"$T/lectern.log"
# The appliance's uploader thread does the same by itself.
"$LECTERN" --config "$T/dav.conf" run --headless >/dev/null 2>"$T/run.err" &
runpid=$!
CHILDREN+=($runpid)
sleep 1
checkin "$key" tap "Rudi Runner" ""
wait_for 20 "grep -q 'Rudi Runner' '$side'"
kill -TERM $runpid
wait $runpid
check "late check-in while lectern run is up: its uploader rewrites the sidecar by itself" \
	"$PY" -c 'import json,sys; a=json.load(open(sys.argv[1]))["attendance"]; assert a["count"] == 5, a' "$side"
cat "$T/run.err" >>"$T/lectern.log" # searched for every name below
stop_nginx

# Opencast: an attachment in the media package, the count in the catalog ---------------------
rm -rf "$T/data"
printf 'oc secret\n' >"$T/oc.pw"
chmod 600 "$T/oc.pw"
start_opencast_double --digest --user agent --password 'oc secret' --log "$T/oc.log" \
	--store "$T/oc-store" || { not_ok "the Opencast double starts"; exit 1; }
oc_conf() { # FILE MODE
	lectern_config "$1" "[upload]" "target = opencast" "user = agent" \
		"password_file = $T/oc.pw" "auth = digest" "backoff_min_s = 60" \
		"[opencast]" "url = $OC_URL" "agent = room-412" "workflow = schedule-and-upload" \
		"[privacy]" "attendance = $2"
}
oc_conf "$T/oc.conf" names
id=$(record "$T/oc.conf" "Opencast talk")
key=$(session_of "$id")
checkin "$key" qr "$ZOE" "$ZOE_MAIL"
checkin "$key" tap "$WALKIN" ""
checkin "$key" guest "" ""
"$LECTERN" --config "$T/oc.conf" upload --once >"$T/oc.out" 2>>"$T/lectern.log"
mp=$(sql "select remote from recordings where id=$id")
check "Opencast: delivered" grep -q '^1 uploaded' "$T/oc.out"
check "Opencast: addAttachment between addTrack and ingest, flavor attendance/csv, BODY last" \
	"$PY" - "$T/oc.log" <<'PY'
import json, sys
ok = [json.loads(l) for l in open(sys.argv[1]) if '"status": 200' in l]
paths = [r["path"] for r in ok]
assert paths[-3:] == ["/ingest/addTrack", "/ingest/addAttachment",
                      "/ingest/ingest/schedule-and-upload"], paths
a = ok[-2]
assert a["parts"] == ["flavor", "mediaPackage", "BODY"], a["parts"]
assert a["fields"]["flavor"] == "attendance/csv", a["fields"]
assert a["file"]["name"] == "attendance.csv" and a["file"]["type"] == "text/csv", a["file"]
PY
check "Opencast: the ingested media package holds the attachment, and its CSV who came" \
	"$PY" - "$T/oc-store/$mp" "$ZOE" "$ZOE_MAIL" "$WALKIN" <<'PY'
import csv, io, sys, xml.etree.ElementTree as ET
d, zoe, mail, walkin = sys.argv[1:]
NS = "{http://mediapackage.opencastproject.org}"
mp = ET.parse(d + "/ingested.xml").getroot()
att = [a for a in mp.iter(NS + "attachment") if a.get("type") == "attendance/csv"]
assert len(att) == 1 and att[0].find(NS + "mimetype").text == "text/csv", ET.tostring(mp)
raw = open(d + "/attendance.csv", "rb").read()
assert raw.endswith(b"\r\n"), raw
rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
assert rows[0] == ["name", "email", "method", "checked_in_at"], rows
assert [r[:3] for r in rows[1:]] == [[zoe, mail, "qr"], [walkin, "", "tap"], ["", "", "guest"]], rows
PY
check "Opencast: the episode catalog's dcterms:description has the count" \
	"$PY" - "$T/oc.log" <<'PY'
import json, sys, xml.etree.ElementTree as ET
ok = [json.loads(l) for l in open(sys.argv[1]) if '"status": 200' in l]
c = [r for r in ok if r["path"] == "/ingest/addDCCatalog"][-1]
dc = ET.fromstring(c["fields"]["dublinCore"])
d = [e.text for e in dc.findall("{http://purl.org/dc/terms/}description")]
assert d == ["Attendance: 3 checked in"], d
PY
check "Opencast: the session keeps the count it went out with" \
	test "$(sql "select delivered_count from checkin_sessions where key='$key'")" = 3
lines=$(wc -l <"$T/oc.log")
checkin "$key" walkin "$LATE" ""
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>>"$T/lectern.log"
check "Opencast, late check-in: no update is sent (the ingested package is the archive's)" \
	test "$(wc -l <"$T/oc.log")" -eq "$lines"
"$LECTERN" --config "$T/oc.conf" attendance --json >"$T/oc-att.json"
check "Opencast, late check-in: lectern attendance reports it as after delivery" \
	"$PY" - "$T/oc-att.json" "$key" <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
s = [x for x in s if x["session"] == sys.argv[2]][0]
assert s["count"] == 4 and s["delivered_count"] == 3 and s["after_delivery"] == 1, s
PY
id=$(record "$T/oc.conf" "Nobody checked in")
lines=$(wc -l <"$T/oc.log")
"$LECTERN" --config "$T/oc.conf" upload --once >/dev/null 2>>"$T/lectern.log"
check "a session without check-in: no attachment, no count in the catalog" \
	"$PY" - "$T/oc.log" "$lines" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1]).readlines()[int(sys.argv[2]):]]
paths = [r["path"] for r in reqs if r["status"] == 200]
assert "/ingest/addAttachment" not in paths and paths[-1].startswith("/ingest/ingest/"), paths
c = [r for r in reqs if r["path"] == "/ingest/addDCCatalog" and r["status"] == 200][-1]
assert "description" not in c["fields"]["dublinCore"], c
PY

# Privacy: `count` mode sends no name, whatever the store still holds --------------------------
# A store written in names mode, delivered after a switch to count: only numbers leave.
oc_conf "$T/count.conf" count
id=$(record "$T/count.conf" "Counted talk")
key=$(session_of "$id")
checkin "$key" tap "$ZOE" "$ZOE_MAIL"
checkin "$key" walkin "$WALKIN" ""
"$LECTERN" --config "$T/count.conf" upload --once >/dev/null 2>>"$T/lectern.log"
mp=$(sql "select remote from recordings where id=$id")
check "count mode: the attachment has a row per check-in, method and time, no name or e-mail" \
	"$PY" - "$T/oc-store/$mp/attendance.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert rows[0] == ["name", "email", "method", "checked_in_at"], rows
assert [r[:3] for r in rows[1:]] == [["", "", "tap"], ["", "", "walkin"]], rows
PY
check "count mode: no name or e-mail in anything the double received or logged" \
	bash -c "! grep -rqF -e '$ZOE' -e '$ZOE_MAIL' -e '$WALKIN' '$T/oc-store/$mp' '$T/oc.log'"

# Privacy through the check-in API: `count` mode, real check-ins, both targets -----------------
# The names are typed at the door (the check-in tool calls attendance.h as the screen does);
# afterwards they are nowhere: not in the database (file, WAL), the spool, any log, the WebDAV
# share or what the Opencast double received and logged.
rm -rf "$T/data"
mkdir -p "$T/dav2/lectern"
start_nginx "$T/dav2" || { not_ok "nginx starts"; exit 1; }
lectern_config "$T/pdav.conf" "[upload]" "target = webdav" \
	"url = http://127.0.0.1:$NGINX_PORT/lectern" "[privacy]" "attendance = count"
oc_conf "$T/poc.conf" count
people_in() { # RECORDING_ID: three people and a guest, through the API
	local uid
	uid=$(sql "select uid from recordings where id=$1")
	"$CHECKIN" "$T/data/lectern.db" count "$uid" tap "$ZOE" "$ZOE_MAIL" &&
		"$CHECKIN" "$T/data/lectern.db" count "$uid" walkin "$WALKIN" "" &&
		"$CHECKIN" "$T/data/lectern.db" count "$uid" qr "$LATE" "late@example.org" &&
		"$CHECKIN" "$T/data/lectern.db" count "$uid" guest
} >/dev/null 2>>"$T/lectern.log"
dav_id=$(record "$T/pdav.conf" "Private WebDAV talk")
check "count mode: the check-in API takes the three people and a guest" people_in "$dav_id"
"$LECTERN" --config "$T/pdav.conf" upload --once >/dev/null 2>>"$T/lectern.log"
oc_id=$(record "$T/poc.conf" "Private Opencast talk")
people_in "$oc_id"
"$LECTERN" --config "$T/poc.conf" upload --once >/dev/null 2>>"$T/lectern.log"
"$LECTERN" --config "$T/poc.conf" attendance >>"$T/lectern.log" 2>&1
"$LECTERN" --config "$T/poc.conf" stats >>"$T/lectern.log" 2>&1
oc_mp=$(sql "select remote from recordings where id=$oc_id")
check "count mode: both delivered with their count of 4 (the search below looks at real uploads)" \
	bash -c "grep -rq '\"count\":4' '$T/dav2/lectern' && test \$(grep -c ',,' '$T/oc-store/$oc_mp/attendance.csv') -eq 4 && \
	test \"\$(sqlite3 '$T/data/lectern.db' 'select group_concat(delivered_count) from checkin_sessions')\" = 4,4"
stop_nginx
everywhere() { # TEXT: found in the database, spool, logs or uploads
	grep -rqF -- "$1" "$T/data" "$T/lectern.log" "$T/dav2" "$NGINX_DIR" \
		"$T/oc-store/$oc_mp" "$T/oc.log" "$T"/oc-double.* 2>/dev/null
}
# The search finds what is there (a title, the session's key, a count in an upload).
check "count mode: the search does find what was stored and sent" \
	bash -c "$(declare -f everywhere); T='$T' NGINX_DIR='$NGINX_DIR' oc_mp='$oc_mp'; \
		everywhere 'Private WebDAV talk' && everywhere \"adhoc:\$(sqlite3 '$T/data/lectern.db' 'select uid from recordings where id=$oc_id')\" && everywhere 'Attendance: 4 checked in'"
for who in "$ZOE" "$ZOE_MAIL" "$WALKIN" "$LATE" "late@example.org"; do
	check "count mode: '$who' is in no database file, spool, log or upload" \
		bash -c "$(declare -f everywhere); T='$T' NGINX_DIR='$NGINX_DIR' oc_mp='$oc_mp'; ! everywhere '$who'"
done
stop_opencast_double
check "no name in any log of lectern, in any mode" \
	bash -c "! grep -qF -e '$ZOE' -e '$ZOE_MAIL' -e '$WALKIN' -e '$LATE' -e 'Rudi Runner' '$T/lectern.log'"
# `none`: nothing about attendance at all.
mkdir -p "$T/share" # the share is there: lectern makes only what is inside it
lectern_config "$T/none.conf" "[upload]" "target = folder" "folder = $T/share" \
	"[privacy]" "attendance = none"
id=$(record "$T/none.conf" "Unreported talk")
checkin "$(session_of "$id")" tap "$ZOE" "$ZOE_MAIL"
"$LECTERN" --config "$T/none.conf" upload --once >/dev/null 2>>"$T/lectern.log"
check "none mode: the folder sidecar says attendance null" \
	"$PY" -c 'import json,sys,glob; f=[json.load(open(p)) for p in glob.glob(sys.argv[1]+"/**/*.json", recursive=True)]; assert len(f)==1 and f[0]["attendance"] is None, f' "$T/share"

# Reports on a seeded store --------------------------------------------------------------------
rm -rf "$T/data"
lectern_config "$T/rep.conf" "[privacy]" "attendance = names"
"$LECTERN" --config "$T/rep.conf" queue >/dev/null 2>&1
day() { date -d "$1 12:00" +%s; }
seed_session() { # KEY DATE TITLE PRESENTER
	sql "insert into checkin_sessions(key, title, presenter, start_s)
	     values('$1', '$3', '$4', $(day "$2"))"
}
seed_checkins() { # KEY DATE PEOPLE... (one check-in each; "" a guest)
	local key=$1 at=$(($(day "$2") * 1000)) p
	shift 2
	for p in "$@"; do
		at=$((at + 60000))
		sql "insert into checkins(session_key, method, person, name, email, at_ms)
		     values('$key', '$([ -n "$p" ] && echo tap || echo guest)', lower('$p'), '$p', '', $at)"
	done
}
seed_session w1@a 2026-09-07 "Opus, codecs" "Ada Presenter"
seed_checkins w1@a 2026-09-07 "Ann" "Ben" ""
seed_session w2@a 2026-09-14 "SQLite" "Ada Presenter"
seed_checkins w2@a 2026-09-14 "Ann" "Cid" "Dee" "" ""
seed_session w3@a 2026-09-21 '"Quotes", and commas' 'Bob "B" Builder'
seed_checkins w3@a 2026-09-21 "Ann" "Ben" "Cid" "Dee" "Eve" "Fay" ""
# A session recorded by hand without check-in, presenter typed on the recording screen.
sql "insert into recordings(uid, path, title, presenter, state, started_ms, updated_ms)
     values('hand', '/nowhere/hand.opus', 'Hand talk', 'Carl Typed', 'queued',
            $(($(day 2026-09-22) * 1000)), 0)"
# Outside the term.
seed_session old@a 2026-06-01 "Old" "Ada Presenter"
seed_checkins old@a 2026-06-01 "Ann"

"$LECTERN" --config "$T/rep.conf" attendance --from 2026-09-01 --to 2026-09-30 --csv >"$T/att.csv"
check "attendance --csv: RFC 4180 that Python's csv reads, a row per session in the dates" \
	"$PY" - "$T/att.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert [r["title"] for r in rows] == ["Opus, codecs", "SQLite", '"Quotes", and commas',
                                      "Hand talk"], rows
assert [r["count"] for r in rows] == ["3", "5", "7", "0"], rows
assert rows[0]["names"] == "Ann; Ben" and rows[0]["presenter"] == "Ada Presenter", rows[0]
assert rows[2]["presenter"] == 'Bob "B" Builder', rows[2]
assert rows[3]["checkin"] == "no" and rows[3]["presenter"] == "Carl Typed", rows[3]
assert rows[0]["date"].startswith("2026-09-07T12:00:00"), rows[0]
PY
"$LECTERN" --config "$T/rep.conf" attendance --json >"$T/att.json"
check "attendance --json: one object per session, names where stored" \
	"$PY" - "$T/att.json" <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert [x["session"] for x in s] == ["old@a", "w1@a", "w2@a", "w3@a", "adhoc:hand"], s
assert [n["name"] for n in s[1]["names"]] == ["Ann", "Ben"], s[1]
assert s[1]["count"] == 3 and s[1]["delivered_count"] is None, s[1]
PY
"$LECTERN" --config "$T/rep.conf" stats --term 2026-09-01..2026-09-30 --json >"$T/stats.json"
check "stats --json: held, recorded, mean, median, weeks, returning, presenters" \
	"$PY" - "$T/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["sessions_held"] == 4 and s["sessions_recorded"] == 1, s
assert s["sessions_with_checkin"] == 3 and s["checkins"] == 15, s
assert s["checkins_per_session"] == {"mean": 5.0, "median": 5.0}, s
# 2026-09-07 is the Monday of ISO week 37; the hand-made recording shares week 39
assert [(w["week"], w["sessions"], w["checkins"]) for w in s["weeks"]] == \
    [("2026-W37", 1, 3), ("2026-W38", 1, 5), ("2026-W39", 2, 7)], s
assert s["trend_per_week"] == 2.0, s   # 3, 5, 7 a week apart
# Ann at 3 sessions, Ben, Cid and Dee at 2, Eve and Fay at 1 (the June one is outside)
assert s["returning"] == {"people": 6, "returning": 4}, s
assert s["presenters"] == [{"presenter": "Ada Presenter", "sessions": 2},
                           {"presenter": "Bob \"B\" Builder", "sessions": 1},
                           {"presenter": "Carl Typed", "sessions": 1}], s
PY
"$LECTERN" --config "$T/rep.conf" stats --term 2026-09-01..2026-09-30 --csv >"$T/stats.csv"
check "stats --csv: Python's csv reads it, the same figures" \
	"$PY" - "$T/stats.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
total = [r for r in rows if r["section"] == "total"][0]
assert (total["sessions"], total["recorded"], total["checkins"], total["mean"],
        total["median"], total["people"], total["returning"]) == \
    ("4", "1", "15", "5.000", "5.000", "6", "4"), total
assert [r["name"] for r in rows if r["section"] == "week"] == \
    ["2026-W37", "2026-W38", "2026-W39"], rows
p = {r["name"]: r["sessions"] for r in rows if r["section"] == "presenter"}
assert p == {"Ada Presenter": "2", 'Bob "B" Builder': "1", "Carl Typed": "1"}, p
PY
"$LECTERN" --config "$T/rep.conf" stats --term 2030-01-01..2030-02-01 --json >"$T/stats-empty.json"
check "stats over a term without sessions: zero, as JSON (no sort of an empty list)" \
	grep -q '"sessions_held":0' "$T/stats-empty.json"
sed -i 's/attendance = names/attendance = count/' "$T/rep.conf"
"$LECTERN" --config "$T/rep.conf" attendance --json >"$T/att-count.json"
"$LECTERN" --config "$T/rep.conf" stats --json >"$T/stats-count.json"
check "count mode: the reports show no names, and no returning attendees" \
	bash -c "! grep -q '\"names\"\\|Ann\\|Ben' '$T/att-count.json' && grep -q '\"returning\":null' '$T/stats-count.json'"
"$LECTERN" --config "$T/rep.conf" attendance --from=2026-09-14 --to 2026-09-14 --json >"$T/one.json"
check "attendance --from=D --to D: one day, both ends included" \
	test "$(grep -c '"session":"w2@a"' "$T/one.json")/$(wc -l <"$T/one.json")" = 1/1
for bad in "--from 2026-02-30" "--to 26-1-1" "--from yesterday"; do
	"$LECTERN" --config "$T/rep.conf" attendance $bad >/dev/null 2>"$T/bad.err"
	rc=$?
	check "attendance $bad: exit 2 naming the option and the value" \
		bash -c "test $rc -eq 2 && grep -qF -- \"${bad%% *}: '${bad#* }'\" '$T/bad.err'"
done
for bad in "2026-09-01" "2026-09-01..2026-13-01" "2026-09-30..2026-09-01"; do
	"$LECTERN" --config "$T/rep.conf" stats --term "$bad" >/dev/null 2>"$T/bad.err"
	rc=$?
	check "stats --term $bad: exit 2 naming --term" \
		bash -c "test $rc -eq 2 && grep -q -- '--term' '$T/bad.err'"
done
# Without --term: the current term, by [ui] term_start as the screen's cards count it. A term
# that began today holds today's session only; --term .. holds everything kept.
seed_session today@a "$(date +%F)" "Today" "Ada Presenter"
seed_checkins today@a "$(date +%F)" "" ""
printf '[ui]\nterm_start = %s\n' "$(date +%m-%d)" >>"$T/rep.conf"
"$LECTERN" --config "$T/rep.conf" stats --json >"$T/stats-term.json"
"$LECTERN" --config "$T/rep.conf" stats --term .. --json >"$T/stats-all.json"
check "stats without --term: the current term from [ui] term_start, as the screen counts" \
	"$PY" - "$T/stats-term.json" "$T/stats-all.json" "$(date +%F)" <<'PY'
import json, sys
s, a = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert s["from"] == sys.argv[3] and s["to"] == "", s
assert s["sessions_held"] == 1 and s["checkins"] == 2, s
assert s["presenters"] == [{"presenter": "Ada Presenter", "sessions": 1}], s
assert a["from"] == "" and a["sessions_held"] == 6, a
PY
