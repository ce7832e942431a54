#!/bin/bash
# Damaged-database drills: lectern.db truncated, filled with random bytes, with bit flips, from
# a future schema, a directory in its place. `lectern record` and `lectern run --headless` keep
# recording, the damaged file is kept aside and said so, and every recording from before the
# damage is rebuilt from the spool: queued ones are delivered (folder target), delivered ones
# are not delivered again, an interrupted one is recovered, one without a sidecar comes back
# from its Opus tags. Read-only commands report the damage and leave the file where it is.
source "$(dirname "$0")/../lib/common.sh"

SPEECH=$(speech_raw 20)
WAV="$T/speech.wav"
sox -t raw -r 48000 -e signed -b 16 -c 1 "$SPEECH" "$WAV"
utc() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }
LOST=0

# damage KIND DB: what the drill does to the database.
damage() {
	local kind=$1 db=$2
	case $kind in
	truncated) truncate -s $(($(stat -c %s "$db") / 2)) "$db" ;;
	random) head -c "$(stat -c %s "$db")" /dev/urandom >"$db" ;;
	bitflips) # every b-tree page's header, past the file header on page 1
		python3 - "$db" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    data = bytearray(f.read())
    for off in range(4096, len(data), 4096):
        for i in range(8):
            data[off + i] ^= 0x5A
    f.seek(0)
    f.write(data)
PY
		;;
	future) sqlite3 "$db" "PRAGMA user_version = 999" ;;
	directory) rm -f "$db" "$db-wal" "$db-shm" && mkdir "$db" && touch "$db/stray" ;;
	esac
}

# damaged KIND DB: the damage is real (the drill would prove nothing otherwise).
damaged() {
	case $1 in
	future) test "$(sqlite3 "$2" "PRAGMA user_version")" = 999 ;;
	directory) test -d "$2" ;;
	*) ! sqlite3 "$2" "PRAGMA quick_check" 2>/dev/null | grep -qx ok ;;
	esac
}

for kind in truncated random bitflips future directory; do
	D="$T/$kind"
	DB="$D/data/lectern.db"
	mkdir -p "$D/share"
	conf="$D/lectern.conf"
	{
		echo "[device]"
		echo "room = Drill Room"
		echo "data_dir = $D/data"
		echo "[audio]"
		echo "source = file"
		echo "file = $WAV"
		echo "[recording]"
		echo "min_free_mb = 1"
		echo "[upload]"
		echo "target = folder"
		echo "folder = $D/share"
		echo "link_template = https://media.example.org/{room}/{year}/{file}"
		echo "[schedule]"
		echo "min_event_s = 1" # the drill's session lasts seconds
		echo "source = ics"
		echo "ics = $D/cal.ics"
		echo "min_event_s = 1" # the drill's session lasts seconds
	} >"$conf"
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern tests//EN\r\nEND:VCALENDAR\r\n' \
		>"$D/cal.ics"
	L() { "$LECTERN" --config "$conf" "$@"; }
	q() { sqlite3 "$DB" "$1"; }
	# titles=state of every recording, by title (a rebuild orders rows by their start)
	rows() { q "select group_concat(r, ', ') from (select title||'='||state r from recordings order by title)"; }
	in_place() { damaged "$kind" "$DB" && ! ls "$D/data" | grep -q damaged-; }

	# Before the damage: one delivered, two waiting (one of them without its sidecar), and
	# one cut off by a kill -9 in the middle of its recording.
	L record --seconds 1 --title "delivered before" >/dev/null 2>>"$D/before.err"
	L upload --once >/dev/null 2>>"$D/before.err"
	L record --seconds 1 --title "queued before" --presenter "Ada" >/dev/null 2>>"$D/before.err"
	L record --seconds 1 --title "no sidecar" --presenter "Grace" >/dev/null 2>>"$D/before.err"
	rm -f "$D/data/spool/$(q "select uid from recordings where title='no sidecar'").json"
	fifo="$D/mic.fifo"
	mkfifo "$fifo"
	pv -q -L 96000 "$SPEECH" >"$fifo" &
	CHILDREN+=($!)
	sed -i 's/^source = file$/source = alsa/' "$conf"
	ALSA_CONFIG_PATH=$(alsa_conf "$fifo") "$LECTERN" --config "$conf" record \
		--title "interrupted" >/dev/null 2>>"$D/before.err" &
	pid=$!
	CHILDREN+=($pid)
	wait_for 10 "[ \"\$(q \"select count(*) from recordings where title='interrupted'\")\" = 1 ]"
	sleep 1.5
	kill -9 $pid
	wait $pid 2>/dev/null
	sed -i 's/^source = alsa$/source = file/' "$conf"
	before=$(rows)
	link=$(q "select link from recordings where title='delivered before'")
	echo "# $kind: before the damage: $before"
	check "$kind: the recordings before the damage are as the drill needs them" \
		test "$before" = "delivered before=uploaded, interrupted=recording, no sidecar=queued, queued before=queued"

	damage "$kind" "$DB"
	check "$kind: the database is really damaged" damaged "$kind" "$DB"

	# A read-only command reports it and leaves it in place (an appliance may hold it).
	L recordings >"$D/ro.out" 2>"$D/ro.err"
	rc=$?
	check "$kind: lectern recordings exits 4 and names the damage" \
		bash -c "test $rc -eq 4 && grep -q 'is damaged' '$D/ro.err'"
	check "$kind: ... and leaves the damaged database where it is" in_place

	# lectern record sets it aside, says so, rebuilds and records.
	L record --seconds 1 --title "during" >"$D/rec.out" 2>"$D/rec.err"
	rc=$?
	aside=$(ls -d "$D"/data/lectern.db.damaged-* 2>/dev/null | head -1)
	check "$kind: lectern record keeps recording (exit $rc)" \
		bash -c "test $rc -eq 0 && grep -q '\[queued\]' '$D/rec.out'"
	check "$kind: the damaged database is kept aside" test -e "$aside"
	check "$kind: the log says so, naming the copy" \
		grep -q "the database was damaged: kept as $aside" "$D/rec.err"
	check "$kind: the fresh database passes its check" \
		test "$(q "PRAGMA quick_check")" = ok
	check "$kind: the recordings came back from the spool" \
		test "$(rows)" = \
		"delivered before=uploaded, during=queued, interrupted=recording, no sidecar=recording, queued before=queued"
	check "$kind: the delivered one's link to watch came back with it" \
		test -n "$link" -a "$(q "select link from recordings where title='delivered before'")" = "$link"
	check "$kind: the one without a sidecar was rebuilt from its Opus tags" \
		test "$(q "select presenter||'|'||room from recordings where title='no sidecar'")" = "Grace|Drill Room"

	# Damaged again: the appliance starts anyway, records on schedule and delivers everything.
	damage "$kind" "$DB"
	now=$(date +%s)
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern tests//EN\r\nBEGIN:VEVENT\r\nUID:drill@lectern.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:scheduled\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
		"$(utc $((now + 2)))" "$(utc $((now + 5)))" >"$D/cal.ics"
	"$LECTERN" --config "$conf" run --headless >"$D/run.out" 2>"$D/run.err" &
	runpid=$!
	CHILDREN+=($runpid)
	wait_for 30 "! kill -0 $runpid || [ \"\$(q \"select count(*) from recordings where state='uploaded'\")\" = 6 ]"
	kill -TERM $runpid
	wait $runpid
	rc=$?
	check "$kind: run --headless starts on the damaged database and exits 0 ($rc)" test $rc -eq 0
	check "$kind: a second copy is kept aside" \
		test "$(ls -d "$D"/data/lectern.db.damaged-* | wc -l)" -eq 2
	check "$kind: the scheduled session was recorded" \
		test "$(q "select count(*) from recordings where title='scheduled' and samples > 48000")" = 1
	check "$kind: the interrupted recording was recovered" \
		test "$(q "select count(*) from recording_history h join recordings r on r.id = h.recording_id where r.title = 'interrupted' and h.reason like 'recovered%'")" = 1
	check "$kind: every recording is delivered ($(rows))" \
		test "$(q "select count(*) from recordings where state != 'uploaded'")" = 0
	check "$kind: the one delivered before the damage was not delivered again" \
		test "$(q "select count(*) from recording_history h join recordings r on r.id = h.recording_id where r.title = 'delivered before' and h.to_state = 'uploading'")" = 0
	delivered=$(find "$D/share" -name '*.opus' | wc -l)
	check "$kind: the share holds each recording once ($delivered files)" test "$delivered" -eq 6
	for f in "$D"/data/spool/*.opus; do
		if ! opusinfo "$f" >/dev/null 2>&1; then
			LOST=$((LOST + 1))
		fi
	done
	LOST=$((LOST + 6 - delivered))
done
echo "# damaged-database drills: recordings lost: $LOST (5 kinds, 6 recordings each)"
check "no recording was lost in any drill" test "$LOST" -eq 0
