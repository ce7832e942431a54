# ui.sh — reading the screen plugin's widget list in the screen tests (bash). Source it after
# common.sh; set WIDGETS to the file given to lectern as LECTERN_UI_WIDGETS (one JSON line of
# the frame's state, then one line per widget, rewritten each frame).
#
#   widget NAME   "X Y": the window coordinates of the centre of widget NAME in the last frame
#                 (nothing when it is not on screen)
#   state KEY     the first line's value of KEY, lowercase (screen, recording, frames, ...)
#
# Both read $WIDGETS when called, so `bash -c "$(declare -f widget state ...); WIDGETS=..."`
# carries them into a check's shell.

widget() {
	python3 - "$WIDGETS" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8").read().splitlines()[1:]:
    w = json.loads(line)
    if w.get("name") == sys.argv[2]:
        print(w["x"] + w["w"] // 2, w["y"] + w["h"] // 2)
        break
PY
}

state() {
	python3 -c 'import json,sys; print(str(json.loads(open(sys.argv[1]).readline())[sys.argv[2]]).lower())' \
		"$WIDGETS" "$1" 2>/dev/null
}
