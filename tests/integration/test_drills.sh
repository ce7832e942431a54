#!/bin/bash
# Drills kept as tests: what a hostile room does to the appliance, with the figures it gives.
#  - kill -9 at random points of `lectern record`, then a restart: every part playable, at most
#    1 s lost per kill, every part with audio queued and delivered once to a folder target;
#  - kill -9 at random points of `lectern run --headless` recording a scheduled session: the
#    same, and after each kill the rest of the session is recorded as a new part;
#  - the wall clock stepped forward and back by an hour during a recording (libfaketime): the
#    duration and the file stay right.
# The first kill of each drill falls before the first Ogg page (0.05-0.5 s), the second within
# the first second. DRILL_KILLS kill points each (4 in `make test`, 20 in `make drills`);
# DRILL_SEED replays a draw (the seed is printed).
source "$(dirname "$0")/../lib/common.sh"

KILLS=${DRILL_KILLS:-4}
SEED=${DRILL_SEED:-$(($(date +%s%N) / 1000 % 1000000))}
RANDOM=$SEED
echo "# drills: $KILLS kill points each, seed $SEED (replay: DRILL_SEED=$SEED DRILL_KILLS=$KILLS)"

SPEECH=$(speech_raw 120)
now_ms() { date +%s%3N; }

# kill_point I MAX_MS -> seconds ("1.234") into a part at which kill I strikes
kill_point() {
	local ms
	case $1 in
	1) ms=$((50 + RANDOM % 450)) ;;
	2) ms=$((500 + RANDOM % 500)) ;;
	*) ms=$((50 + RANDOM % ($2 - 50))) ;;
	esac
	printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# figures VALUES...: "M ms, max X ms": the median and the largest of whole milliseconds
figures() {
	local sorted=($(printf '%s\n' "$@" | sort -n))
	local n=${#sorted[@]}
	echo "${sorted[$((n / 2))]} ms, max ${sorted[$((n - 1))]} ms"
}

# settle CONFIG: `lectern run --headless` until nothing waits to be recovered or uploaded
settle() {
	"$LECTERN" --config "$1" run --headless >>"$T/settle.out" 2>>"$T/settle.err" &
	local pid=$!
	CHILDREN+=($pid)
	wait_for 60 '[ "$(sql "select count(*) from recordings where state not in ('"'uploaded','failed'"')")" = 0 ]'
	kill -TERM $pid
	wait $pid
}

# delivered_once PARTS SHARE: each part with audio uploaded, byte-identical at its remote
# path, and the share holds exactly one file per part.
delivered_once() {
	local id src dst
	for id in $1; do
		src=$(sql "select path from recordings where id=$id")
		dst=$(sql "select remote from recordings where id=$id")
		[ "$(sql "select state from recordings where id=$id")" = uploaded ] || return 1
		cmp "$src" "$dst" || return 1
	done
	[ "$(find "$2" -name '*.opus' | wc -l)" -eq "$(wc -w <<<"$1")" ]
}

# part_verdict ID RAN_MS LABEL: the checks on one killed part. A part killed before its first
# page (about 0.5 s of audio) holds none: it ends failed, never delivered, and what it lost is
# still at most 1 s. Counts into PLAYABLE, WITH_AUDIO (ids), EMPTY, LOSSES.
drill_reset() {
	PLAYABLE=0
	EMPTY=0
	LOSSES=()
	WITH_AUDIO=""
}
part_verdict() {
	local id=$1 ran=$2 label=$3 path n stored state
	path=$(sql "select path from recordings where id=$id")
	state=$(sql "select state from recordings where id=$id")
	n=$(opus_samples "$path")
	stored=$(sql "select samples from recordings where id=$id")
	local lost=$((ran - n / 48))
	LOSSES+=($lost)
	echo "# $label: killed ${ran} ms into part $id, kept $((n / 48)) ms, lost $lost ms ($state)"
	check "$label: part $id lost at most 1 s (${lost} ms)" test "$lost" -le 1000
	if [ "$n" -gt 0 ]; then
		WITH_AUDIO="$WITH_AUDIO $id"
		opusinfo "$path" >/dev/null 2>&1 && PLAYABLE=$((PLAYABLE + 1))
		check "$label: part $id is playable, its last page marked end of stream" \
			bash -c "opusinfo '$path' >'$T/info' 2>&1 && ! grep -qi 'EOS not set\|without EOS\|Hole in data' '$T/info'"
		check "$label: part $id's stored duration is its audio ($stored vs $n)" \
			test "$stored" -eq "$n"
		check "$label: part $id's repaired file's SHA-256 is stored" \
			test "$(sql "select sha256 from recordings where id=$id")" = "$(sha256sum "$path" | cut -c1-64)"
	else
		EMPTY=$((EMPTY + 1))
		check "$label: part $id, killed before its first page, is failed for want of audio" \
			test "$state" = failed
	fi
}
# drill_figures NAME: one line for BENCHMARKS.md
drill_figures() {
	echo "$1: $PLAYABLE/$(wc -w <<<"$WITH_AUDIO") parts with audio playable ($EMPTY killed before the first page: no audio, failed), loss median $(figures "${LOSSES[@]}")"
}

# --- kill -9 of `lectern record` -------------------------------------------------------------
drill_reset
mkdir -p "$T/share-rec" "$T/share-run" # the shares are there: lectern makes only what is inside
lectern_config "$T/rec.conf" "[upload]" "target = folder" "folder = $T/share-rec"
for i in $(seq 1 "$KILLS"); do
	fifo="$T/rec$i.fifo"
	mkfifo "$fifo"
	pv -q -L 96000 "$SPEECH" >"$fifo" &
	CHILDREN+=($!)
	ALSA_CONFIG_PATH=$(alsa_conf "$fifo") "$LECTERN" --config "$T/rec.conf" record \
		--out "$T/rec$i.opus" >/dev/null 2>"$T/rec$i.err" &
	pid=$!
	wait_for 5 '[ "$(sql "select count(*) from recordings where id=$i")" = 1 ]'
	sleep "$(kill_point "$i" 4000)"
	kill -9 $pid
	killed=$(now_ms)
	wait $pid 2>/dev/null
	RAN[$i]=$((killed - $(sql "select started_ms from recordings where id=$i")))
	STATE[$i]=$(sql "select state from recordings where id=$i")
done
check "record kills: the store still says recording after each kill" \
	test "$(printf '%s\n' "${STATE[@]}" | sort -u)" = recording
settle "$T/rec.conf"
check "record kills: each recovery is logged with the recording's id" \
	test "$(grep -c 'recording [0-9]* recovered\|recording [0-9]*: interrupted and not recoverable' "$T/settle.err")" -eq "$KILLS"
for i in $(seq 1 "$KILLS"); do
	part_verdict "$i" "${RAN[$i]}" "record kill $i"
done
check "record kills: every part with audio is delivered to the folder exactly once" \
	delivered_once "$WITH_AUDIO" "$T/share-rec"
echo "# figures: $(drill_figures "record: $KILLS kills")"

# --- kill -9 of `lectern run --headless` recording a scheduled session ------------------------
rm -rf "$T/data"
drill_reset
GAPS=()
utc() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }
start=$(($(date +%s) + 2))
end=$((start + 4 + 5 * KILLS)) # each kill: up to 3 s into a part, then a restart
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern drills//EN\r\nBEGIN:VEVENT\r\nUID:drill@lectern.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Kill drill\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
	"$(utc $start)" "$(utc $end)" >"$T/drill.ics"
lectern_config "$T/run.conf" "[schedule]" "source = ics" "ics = $T/drill.ics" "postroll_s = 0" \
	"[upload]" "target = folder" "folder = $T/share-run"
paced_mic "$T/mic.fifo" "$SPEECH"
export ALSA_CONFIG_PATH=$(alsa_conf "$T/mic.fifo")
start_run() {
	"$LECTERN" --config "$T/run.conf" run --headless >>"$T/run.out" 2>>"$T/run.err" &
	RUNPID=$!
	CHILDREN+=($RUNPID)
}
recording_part() { sql "select coalesce(max(id), 0) from recordings where state = 'recording'"; }
start_run
last=0
killed=0
PARTS=()
for i in $(seq 1 "$KILLS"); do
	if ! wait_for $((end - $(date +%s) + 5)) '[ "$(recording_part)" -gt $last ]'; then
		not_ok "run kill $i: a new part is recording after the restart" "the session ended first"
		break
	fi
	id=$(recording_part)
	started=$(sql "select started_ms from recordings where id=$id")
	[ $killed -gt 0 ] && GAPS+=($((started - killed)))
	sleep "$(kill_point "$i" 3000)"
	kill -9 $RUNPID
	killed=$(now_ms)
	wait $RUNPID 2>/dev/null
	PARTS+=("$id:$((killed - started))")
	last=$id
	start_run
done
check "run: after the last kill the rest of the session is recorded as a new part" \
	wait_for 10 '[ "$(recording_part)" -gt $last ]'
final=$(recording_part)
[ "$final" -gt "$last" ] && GAPS+=($(($(sql "select started_ms from recordings where id=$final") - killed)))
wait_for $((end - $(date +%s) + 10)) '[ "$(sql "select state from recordings where id=$final")" != recording ]'
check "run: the last part ran to the session's end" \
	test "$(sql "select count(*) from recording_history where recording_id = $final and to_state = 'finalizing' and reason in ('the session ended', 'maximum duration reached')")" = 1
kept_to=$(sql "select (started_ms + samples / 48) / 1000 from recordings where id = $final")
check "run: the last part's audio reaches the session's end ($kept_to vs $end)" \
	test "${kept_to:-0}" -ge $((end - 2))
kill -TERM $RUNPID
wait $RUNPID
settle "$T/run.conf"
for p in "${PARTS[@]}"; do
	part_verdict "${p%%:*}" "${p#*:}" "run kill ${p%%:*}"
done
check "run: the last part is playable and uploaded" \
	bash -c "opusinfo '$(sql "select path from recordings where id=$final")' && test '$(sql "select state from recordings where id=$final")' = uploaded"
check "run: every part of the session with audio is delivered to the folder exactly once" \
	delivered_once "$WITH_AUDIO $final" "$T/share-run"
check "run: every part belongs to the session" \
	test "$(sql "select count(*) from recordings where event_key != 'drill@lectern.test@$start'")" = 0
echo "# figures: $(drill_figures "run: ${#PARTS[@]} kills"), restart gap median $(figures "${GAPS[@]}")"
for g in "${GAPS[@]}"; do
	check "run: a new part within 5 s of a kill (${g} ms)" test "$g" -le 5000
done

# --- the wall clock stepped during a recording -------------------------------------------------
# Only the wall clock moves, as when NTP or a person steps it: the monotonic clock does not.
clock_drill() {
	local pid n span
	rm -rf "$T/data"
	lectern_config "$T/clock.conf"
	mkfifo "$T/clock.fifo"
	pv -q -L 96000 "$SPEECH" >"$T/clock.fifo" &
	CHILDREN+=($!)
	echo "+0" >"$T/clock.rc"
	# (under make asan, ASan's runtime is not first in the preload list: tell it that is fine)
	ALSA_CONFIG_PATH=$(alsa_conf "$T/clock.fifo") LD_PRELOAD="$FAKETIME_LIB" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		FAKETIME_TIMESTAMP_FILE="$T/clock.rc" FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
		"$LECTERN" --config "$T/clock.conf" record --out "$T/clock.opus" --seconds 6 \
		>"$T/clock.out" 2>"$T/clock.err" &
	pid=$!
	sleep 2
	echo "+1h" >"$T/clock.rc"
	sleep 2
	echo "-1h" >"$T/clock.rc"
	wait $pid
	check "clock stepped +1 h then -1 h: the recording ends normally" test $? -eq 0
	check "clock stepped: the file is playable" opusinfo "$T/clock.opus"
	n=$(opus_samples "$T/clock.opus")
	check "clock stepped: the file holds the 6 s asked for ($n samples)" test "$n" -eq $((6 * 48000))
	check "clock stepped: the stored duration is the file's" \
		test "$(sql "select samples from recordings")" -eq "$n"
	span=$(sql "select ended_ms - started_ms from recordings")
	check "clock stepped: start to end is the 6 s that passed, not an hour off (${span} ms)" \
		test "$span" -ge 5500 -a "$span" -le 9000
}
FAKETIME_LIB=$(find /usr/lib -name libfaketimeMT.so.1 2>/dev/null | head -1)
if [ -n "$FAKETIME_LIB" ]; then
	clock_drill
else
	echo "ok - clock stepped during a recording # SKIP libfaketime is not installed"
fi
echo "# drills: done"
