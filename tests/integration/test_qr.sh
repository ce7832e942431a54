#!/bin/bash
# QR badges through the real binary: `lectern run` under Xvfb, on the check-in screen, with
# the camera's file twin ([camera] source = file) whose picture is replaced frame by frame
# (camera.h). Codes made here with qrencode and ImageMagick (tests/lib/gen_qr_frames.sh:
# noisy 640x480 frames): the roster's email and badge id and three contact cards check their
# people in, one by one; garbage, a web address, binary data, Latin-1 text and an over-long
# card are refused on the screen with their reason; a badge shown again is a duplicate. The
# camera unplugged (the picture removed) turns QR off and says so, plugged back it is picked
# up without a restart; leaving check-in closes it. With a USB camera (/dev/video*), the same
# screen scans through V4L2; without one that check says "skipped: no device".
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/ui.sh" # widget, state

SHOTS="$BUILD/e2e-shots"
mkdir -p "$SHOTS" "$T/shots"
rm -f "$SHOTS"/qr-*.png
WIDGETS="$T/widgets.jsonl"

if ! start_xvfb 800 480; then
	not_ok "an X server for the QR test" "Xvfb did not start"
	exit 0
fi
bash "$TESTS/lib/gen_qr_frames.sh" "$T/qr" quick >"$T/gen.log" 2>&1 ||
	{ not_ok "QR frames made with qrencode and ImageMagick" "$(tail -2 "$T/gen.log")"; exit 0; }

utc() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }
now=$(date +%s)
{
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern tests//EN\r\n'
	printf 'BEGIN:VEVENT\r\nUID:qr@lectern.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\n' \
		"$(utc $((now - 300)))" "$(utc $((now + 3600)))"
	printf 'SUMMARY:Badges at the door\r\nATTENDEE;CN=Alan Turing:mailto:alan@example.org\r\n'
	printf 'END:VEVENT\r\nEND:VCALENDAR\r\n'
} >"$T/cal.ics"
printf 'name,email,badge\nAda Lovelace,ada@example.org,A-1\nBob Badge,bob@example.org,B-0042\n' >"$T/roster.csv"

SPEECH=$(speech_raw 60)
paced_mic "$T/mic.fifo" "$SPEECH"
# start_run NAME CAMERA-LINES...: lectern run with this [camera]; sets pid and win
start_run() {
	local name=$1
	shift
	lectern_config "$T/$name.conf" "[schedule]" "source = ics" "ics = $T/cal.ics" "auto_record = no" \
		"[ui]" "width = 800" "height = 480" "fullscreen = no" "dim_after_min = 0" "shift_min = 0" \
		"[privacy]" "attendance = names" "[checkin]" "roster = $T/roster.csv" "[camera]" "$@"
	rm -f "$WIDGETS"
	LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so" LECTERN_UI_WIDGETS="$WIDGETS" LECTERN_UI_SHOTS="$T/shots" \
		ALSA_CONFIG_PATH=$(alsa_conf "$T/mic.fifo") "$LECTERN" --config "$T/$name.conf" run \
		>"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	CHILDREN+=($pid)
	wait_for 20 '[ "$(state screen)" = home ]' &&
		win=$(xdotool search --sync --onlyvisible --pid "$pid" 2>/dev/null | head -1) && [ -n "$win" ]
}
shown() { grep -q "\"name\":\"$1\"" "$WIDGETS" 2>/dev/null; }
tap() {
	local xy
	xy=$(widget "$1")
	[ -n "$xy" ] && xdotool mousemove --window "$win" $xy click 1
}
keep() { cp "$T/shots/$(state screen).png" "$SHOTS/qr-$1.png" 2>/dev/null; }
# show NAME: the twin's picture becomes the noisy frame of code NAME (a whole file, renamed)
show() {
	cp "$T/qr/frames/$1-noise.pgm" "$T/next.pgm" && mv "$T/next.pgm" "$T/camera.pgm"
}
stored() { sql "select count(*) from checkins where method = 'qr'"; }
last_email() { sql "select email from checkins order by id desc limit 1"; }

# --- the camera twin, frame by frame ---
convert -size 640x480 xc:white -depth 8 "$T/camera.pgm"
if ! start_run twin "source = file" "file = $T/camera.pgm"; then
	not_ok "lectern run comes up with the camera twin" "$(tail -3 "$T/twin.err" | tr '\n' ' ')"
	exit 0
fi
check "no camera is opened outside check-in" bash -c "sleep 1; ! grep -q 'qr: scanning' '$T/twin.err'"
tap checkin
check "the check-in screen says QR badges are on" wait_for 8 'shown qr:on'
keep 1-on
n=0 q=0 # check-ins on the screen, and by QR in the store
# accept NAME EMAIL: the code checks a person in, stored with method qr
accept() {
	show "$1"
	n=$((n + 1)) q=$((q + 1))
	check "QR $1: checked in" wait_for 6 "[ \"\$(state checked_in)\" = $n ] && [ \"\$(stored)\" = $q ]"
	check "QR $1: the store has $2" test "$(last_email)" = "$2"
}
# refuse NAME REASON: refused on the screen, the reason in the log, nobody counted
refuse() {
	show "$1"
	check "QR $1: refused on the screen" wait_for 6 'shown qr:refused'
	check "QR $1: the reason is \"$2\"" grep -q "qr: a code was refused: .*$2" "$T/twin.err"
	check "QR $1: nobody is counted" test "$(state checked_in)" = "$n"
}
refuse garbage "is not a badge"
keep 2-refused
accept email ada@example.org
refuse url "web address"
accept badge bob@example.org
keep 3-badge

# Unplugged: QR is off, said so; the rest of check-in works. Plugged back: on again.
rm "$T/camera.pgm"
check "a camera unplugged turns QR off and the screen says so" wait_for 5 'shown qr:off'
keep 4-off
check "check-in still takes a guest while QR is off" \
	bash -c "$(declare -f widget tap); WIDGETS='$WIDGETS' win='$win'; tap guest"
n=$((n + 1))
check "the guest is counted" wait_for 5 "[ \"\$(state checked_in)\" = $n ]"
convert -size 640x480 xc:white -depth 8 "$T/camera.pgm"
check "the camera plugged back is picked up without a restart" wait_for 8 'shown qr:on'

refuse binary "binary data"
accept mecard ada.lovelace@example.org
refuse latin1 "not valid UTF-8"
accept vcard grace@example.org
refuse overlong "too much for a badge"
accept utf8 zoe@example.org
keep 5-cards
check "cards not on the roster are stored with the card's names" \
	test "$(sql "select group_concat(name, '|') from (select name from checkins where method = 'qr' and email in ('ada.lovelace@example.org', 'zoe@example.org') order by email)")" = "Ada Lovelace|Zoë Ångström"

# The same badge again (out of sight for more than the repeat time): a duplicate.
sleep 3.5
show email
check "a badge shown again is read again" \
	wait_for 6 "[ \"\$(grep -c 'qr: a badge was read (email)' '$T/twin.err')\" = 2 ]"
sleep 0.5
check "the second showing counts nobody" test "$(state checked_in)" = "$n"
keep 6-duplicate
check "the QR check-ins stored: ada, bob, three cards" test "$(stored)" = 5

tap home
check "leaving check-in closes the camera" wait_for 5 "grep -q 'qr: camera closed' '$T/twin.err'"
check "and the QR line goes" wait_for 5 '[ "$(state screen)" = home ] && ! shown qr:on'
kill -TERM "$pid"
wait "$pid"
check "lectern run exits 0 on SIGTERM" test $? -eq 0
check "the run logged no errors" bash -c "! grep -q 'lectern error:' '$T/twin.err'"
check "the log names no one and no code's content" \
	bash -c "! grep -E -i 'lovelace|hopper|ngstr|ada@|bob@|grace@|zoe@|B-0042|hunter2|example.org/agenda' '$T/twin.err'"

# --- no camera at all: QR off, said so ---
if start_run nocam "source = auto" "device = $T/video9"; then
	tap checkin
	check "without a camera QR is off and the screen says so" wait_for 8 'shown qr:off'
	keep 7-nocam
	kill -TERM "$pid"
	wait "$pid"
else
	not_ok "lectern run comes up without a camera" "$(tail -3 "$T/nocam.err" | tr '\n' ' ')"
fi

# --- a USB camera through V4L2, when this machine has one ---
dev=""
for d in /dev/video*; do
	[ -c "$d" ] && v4l2-ctl -d "$d" --all 2>/dev/null | grep -q 'Video Capture' && { dev=$d; break; }
	[ -c "$d" ] && ! command -v v4l2-ctl >/dev/null && { dev=$d; break; }
done
if [ -z "$dev" ]; then
	echo "ok - QR badges through a USB camera (V4L2) # SKIP skipped: no device"
elif start_run v4l2 "source = v4l2" "device = $dev"; then
	tap checkin
	check "QR badges scan through the USB camera $dev" wait_for 10 'shown qr:on'
	check "the camera gives frames" wait_for 5 "grep -q 'qr: scanning for badges with USB camera' '$T/v4l2.err'"
	kill -TERM "$pid"
	wait "$pid"
else
	not_ok "lectern run comes up with the USB camera $dev" "$(tail -3 "$T/v4l2.err" | tr '\n' ' ')"
fi
