#!/bin/bash
# The real appliance with its screen, end to end: `lectern run` under Xvfb with the microphone
# played through alsa-lib's file plugin; xdotool taps Start recording, a short press on Stop
# does nothing, a 1.5 s hold stops; the recording lands in the store and the spool, and the
# home screen counts it as waiting for upload. The screen is the freshly built plugin
# ($BUILD/lectern-screen-sdl.so, through LECTERN_SCREEN): this is the proof that it loads and
# works. Each step's frame is kept under $BUILD/e2e-shots/ as an artifact.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/ui.sh" # widget, state

SHOTS="$BUILD/e2e-shots"
rm -rf "$SHOTS"
mkdir -p "$SHOTS" "$T/frames"
WIDGETS="$T/widgets.jsonl"

if ! start_xvfb 1280 800; then
	not_ok "an X server for the screen test" "Xvfb did not start"
	exit 0
fi

utc() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }
now=$(date +%s)
{
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lectern tests//EN\r\n'
	printf 'BEGIN:VEVENT\r\nUID:now@lectern.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\n' \
		"$(utc $((now - 600)))" "$(utc $((now + 1800)))"
	printf 'SUMMARY:Лекция: как мы записываем каждую сессию\r\nORGANIZER;CN=Анастасия Кузнецова:mailto:a@example.org\r\n'
	printf 'ATTENDEE;CN=Zoë Ångström:mailto:z@example.org\r\nATTENDEE;CN=Γιώργος Παπαδόπουλος:mailto:g@example.org\r\n'
	printf 'END:VEVENT\r\n'
	printf 'BEGIN:VEVENT\r\nUID:weekly@lectern.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Brown bag: SQLite internals\r\nEND:VEVENT\r\n' \
		"$(utc $((now + 86400 * 2)))" "$(utc $((now + 86400 * 2 + 3600)))"
	printf 'END:VCALENDAR\r\n'
} >"$T/cal.ics"

SPEECH=$(speech_raw 60)
paced_mic "$T/mic.fifo" "$SPEECH"
# auto_record = no: the session is on, but only the presenter's tap starts a recording.
lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "ics = $T/cal.ics" "auto_record = no" \
	"[ui]" "width = 1280" "height = 800" "fullscreen = no" "dim_after_min = 0" "shift_min = 0" \
	"pin = 2580"
LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so" LECTERN_UI_WIDGETS="$WIDGETS" LECTERN_UI_SHOTS="$T/frames" \
	ALSA_CONFIG_PATH=$(alsa_conf "$T/mic.fifo") "$LECTERN" --config "$T/lectern.conf" run \
	>"$T/run.out" 2>"$T/run.err" &
pid=$!
CHILDREN+=($pid)

# keep NAME: this step's frame as an artifact
keep() { cp "$T/frames/$(state screen).png" "$SHOTS/$1.png" 2>/dev/null; }

check "the screen comes up on the home screen" wait_for 20 '[ "$(state screen)" = home ]'
win=$(xdotool search --sync --onlyvisible --pid "$pid" 2>/dev/null | head -1)
check "lectern's window is on the X display" test -n "$win"
check "the home screen has Start recording and Check in" \
	bash -c "[ -n \"\$(grep '\"start\"' '$WIDGETS')\" ] && [ -n \"\$(grep '\"checkin\"' '$WIDGETS')\" ]"
keep 1-home

tap() { # tap NAME: click the centre of a widget of the current frame
	local xy
	xy=$(widget "$1")
	[ -n "$xy" ] || return 1
	xdotool mousemove --window "$win" $xy click 1
}
hold() { # hold NAME SECONDS
	local xy
	xy=$(widget "$1")
	[ -n "$xy" ] || return 1
	xdotool mousemove --window "$win" $xy mousedown 1 sleep "$2" mouseup 1
}

# A press shows at once (the button lights up: a new frame), and sliding off cancels it.
frames0=$(state frames)
xy=$(widget checkin)
xdotool mousemove --window "$win" $xy mousedown 1
check "a press redraws at once, before the finger lifts (frame $frames0 -> $(sleep 0.3; state frames))" \
	wait_for 2 '[ "$(state frames)" -gt "$frames0" ]'
xdotool mousemove --window "$win" 5 5 mouseup 1
sleep 0.5
check "sliding off a button before lifting does nothing" test "$(state screen)" = home

check "tapping Start recording opens the recording screen" \
	bash -c "$(declare -f widget state tap); WIDGETS='$WIDGETS' win='$win'; tap start"
check "the recording screen shows a recording" wait_for 5 '[ "$(state screen)" = recording ] && [ "$(state recording)" = true ]'
check "a recording row exists while recording" wait_for 5 '[ "$(sql "select state from recordings")" = recording ]'
sleep 3
keep 2-recording
check "the log measured tap-to-record" grep -q "tap-to-record:" "$T/run.err"

hold stop 0.4
sleep 1
check "a short press on Stop does not stop the recording" \
	test "$(sql "select state from recordings")" = recording
check "a 1.6 s hold on Stop stops it" hold stop 1.6
check "the screen goes home when the recording is stopped" \
	wait_for 8 '[ "$(state screen)" = home ] && [ "$(state recording)" = false ]'
check "the recording is queued in the store" wait_for 5 '[ "$(sql "select state from recordings")" = queued ]'
check "its title is the session's (in Cyrillic)" \
	test "$(sql "select title from recordings")" = "Лекция: как мы записываем каждую сессию"
path=$(sql "select path from recordings")
check "the file is in the spool and decodes to at least 3 s" \
	bash -c "test -s '$path' && [ \$(opusdec --quiet --rate 48000 '$path' - 2>/dev/null | wc -c) -ge $((3 * 96000)) ]"
check "the home screen counts it as waiting for upload" wait_for 5 '[ "$(state queue_waiting)" = 1 ]'
keep 3-home-queued

check "Check in opens the check-in screen" \
	bash -c "$(declare -f widget state tap); WIDGETS='$WIDGETS' win='$win'; tap checkin"
check "the check-in screen is shown" wait_for 5 '[ "$(state screen)" = checkin ]'
keep 4-checkin

# Settings behind the PIN (2580: the sample 1234 opens nothing), submitted with OK: the camera
# preview and the live meter.
tapwait() { # tap NAME, then wait until the screen is SCREEN
	local xy
	xy=$(widget "$1")
	[ -n "$xy" ] || return 1
	xdotool mousemove --window "$win" $xy click 1
	wait_for 5 "[ \"\$(state screen)\" = $2 ]"
}
check "Home, then Settings asks for the PIN" bash -c "$(declare -f widget state tapwait wait_for); \
	WIDGETS='$WIDGETS' win='$win'; tapwait home home && tapwait settings pin"
check "the PIN 2580 and OK open the settings" bash -c "$(declare -f widget state tapwait wait_for); \
	WIDGETS='$WIDGETS' win='$win'; tapwait pin:2 pin && tapwait pin:5 pin && tapwait pin:8 pin && tapwait pin:0 pin && tapwait pin:ok settings"
sleep 1.5
keep 5-settings

kill -TERM "$pid"
wait "$pid"
rc=$?
check "lectern run exits 0 on SIGTERM" test "$rc" -eq 0
check "the run logged no errors" bash -c "! grep -q 'lectern error:' '$T/run.err'"
