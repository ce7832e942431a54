#!/bin/bash
# The window on a desktop smaller than it (issue 14): the real `lectern run` with its default
# 1280x800 window, and once with an explicit 1920x1080, under an 800x480 Xvfb display (the
# 7" panel's size). The window must fit the display's usable area, not hang over its edges,
# and the home screen must be drawn at that size. The X screen is kept as an artifact in
# $BUILD/e2e-shots/window-fit-800x480.png.
source "$(dirname "$0")/../lib/common.sh"

SHOTS="$BUILD/e2e-shots"
mkdir -p "$SHOTS" "$T/frames"
WIDGETS="$T/widgets.jsonl"

if ! start_xvfb 800 480; then
	not_ok "an X server for the window test" "Xvfb did not start"
	exit 0
fi

state() {
	python3 -c 'import json,sys; print(str(json.loads(open(sys.argv[1]).readline())[sys.argv[2]]).lower())' \
		"$WIDGETS" "$1" 2>/dev/null
}

# run_fit LABEL [ui lines...]: start the appliance, wait for its window, check its geometry.
run_fit() {
	local label=$1
	shift
	rm -f "$WIDGETS"
	lectern_config "$T/lectern.conf" "[audio]" "source = file" "file = $(speech_raw 5)" \
		"[ui]" "fullscreen = no" "dim_after_min = 0" "shift_min = 0" "$@"
	LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so" LECTERN_UI_WIDGETS="$WIDGETS" \
		LECTERN_UI_SHOTS="$T/frames" "$LECTERN" --config "$T/lectern.conf" run \
		>"$T/run-$label.out" 2>"$T/run-$label.err" &
	local pid=$!
	CHILDREN+=($pid)
	check "$label: the home screen comes up" wait_for 20 '[ "$(state screen)" = home ]'
	local win
	win=$(xdotool search --sync --onlyvisible --pid "$pid" 2>/dev/null | head -1)
	check "$label: lectern's window is on the X display" test -n "$win"
	# xwininfo: absolute position and size of the window's client area
	local x y w h
	read -r x y w h < <(xwininfo -id "${win:-0}" 2>/dev/null | awk '
		/Absolute upper-left X/ {x=$NF} /Absolute upper-left Y/ {y=$NF}
		/Width:/ {w=$NF} /Height:/ {h=$NF} END {print x, y, w, h}')
	echo "# $label: window ${w}x${h} at ${x},${y} on an 800x480 screen"
	check "$label: the window lies within the 800x480 screen" \
		test "${x:-9999}" -ge 0 -a "${y:-9999}" -ge 0 -a $((${x:-0} + ${w:-9999})) -le 800 \
		-a $((${y:-0} + ${h:-9999})) -le 480
	check "$label: the window fills the screen it fits (800x480)" test "$w" = 800 -a "$h" = 480
	# The frame the screen drew has the window's size: the layout followed the fitted size.
	check "$label: the home screen was drawn at the window's size" \
		test "$(identify -format '%wx%h' "$T/frames/home.png" 2>/dev/null)" = "${w}x${h}"
	check "$label: the home screen's Start button lies within the window" python3 - "$WIDGETS" "$w" "$h" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()[1:]
w, h = int(sys.argv[2]), int(sys.argv[3])
for line in lines:
    d = json.loads(line)
    if d.get("name") == "start":
        sys.exit(0 if d["x"] >= 0 and d["y"] >= 0 and d["x"] + d["w"] <= w and d["y"] + d["h"] <= h else 1)
sys.exit(1)
PY
	sleep 0.5
	import -window root "$T/screen-$label.png" 2>/dev/null
	kill -TERM "$pid" 2>/dev/null
	wait_for 10 "! kill -0 $pid"
}

run_fit default-size
cp "$T/screen-default-size.png" "$SHOTS/window-fit-800x480.png" 2>/dev/null
check "a screenshot of the 800x480 X screen was taken" test -s "$SHOTS/window-fit-800x480.png"
run_fit explicit-1920x1080 "width = 1920" "height = 1080"

# The X server (the first child) ends with TERM, so that it removes its lock and socket.
kill -TERM "${CHILDREN[0]}" 2>/dev/null
wait "${CHILDREN[0]}" 2>/dev/null
