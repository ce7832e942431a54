#!/bin/bash
# The command line a newcomer and IT staff meet: help, version, the sample config, and the
# appliance's main loop under signals.
source "$(dirname "$0")/../lib/common.sh"

check "lectern help lists the commands" bash -c "'$LECTERN' help | grep -q 'record \[OPTIONS\]'"
check "lectern version prints a version" bash -c "'$LECTERN' version | grep -Eq '^lectern [0-9]+\.[0-9]+'"
check "lectern help config lists every key" bash -c "'$LECTERN' help config | grep -q 'recording.low_audio_seconds'"
check "board/lectern.conf is exactly what the option table documents (no drift)" \
	diff <("$LECTERN" config sample) "$TESTS/../board/lectern.conf"
check "the make-run profile is valid" "$LECTERN" --config "$TESTS/../board/pc/lectern.conf" config check
check "--config is accepted after the command too" \
	bash -c "'$LECTERN' config check --config '$TESTS/../board/pc/lectern.conf' | grep -q 'pc/lectern.conf: OK'"

lectern_config "$T/lectern.conf"
"$LECTERN" --config "$T/lectern.conf" run --headless >"$T/run.out" 2>"$T/run.err" &
pid=$!
wait_for 10 'grep -q "stop with SIGTERM" "$T/run.err"'
check "run --headless starts and says how to stop it" grep -q "stop with SIGTERM" "$T/run.err"
check "run --headless says when no microphone is usable" grep -q "no usable microphone" "$T/run.err"
check "run --headless created the store with its schema" test "$(sql "pragma user_version")" -ge 1
printf '[device]\nroom = Renamed\ndata_dir = %s/data\n' "$T" >"$T/lectern.conf"
kill -HUP $pid
wait_for 10 'grep -q "configuration reloaded" "$T/run.err"'
check "SIGHUP reloads the configuration" grep -q "configuration reloaded" "$T/run.err"
printf '[device]\nroom = \n' >"$T/lectern.conf"
kill -HUP $pid
wait_for 10 'grep -q "keeping the running one" "$T/run.err"'
check "a bad configuration on SIGHUP is reported and the running one kept" \
	bash -c "grep -q 'device.room: must not be empty' '$T/run.err' && grep -q 'keeping the running one' '$T/run.err'"
check "still running after a bad reload" kill -0 $pid
kill -TERM $pid
wait $pid
check "SIGTERM ends run --headless with exit 0" test $? -eq 0

# With a microphone (the ALSA file plugin standing in) it names the device instead.
export ALSA_CONFIG_PATH=$(alsa_conf "$(speech_raw 2)")
lectern_config "$T/mic.conf"
"$LECTERN" --config "$T/mic.conf" run --headless >/dev/null 2>"$T/mic.err" &
pid=$!
wait_for 10 'grep -q "stop with SIGTERM" "$T/mic.err"'
kill -TERM $pid
wait $pid
check "run --headless names the microphone it will record from" grep -q "microphone: ALSA default" "$T/mic.err"

# Only `lectern run` carries the screen, as a plugin: no command links SDL, SDL_ttf or libpng.
check "the lectern binary links no SDL, SDL_ttf or libpng (ldd)" \
	bash -c "ldd '$LECTERN' >'$T/ldd' && ! grep -Eiq 'libSDL|libpng' '$T/ldd'"

# run_screen NAME ENV... : `lectern run` (not --headless) with ENV; its stderr in $T/NAME.err
run_screen() {
	local name=$1
	shift
	env "$@" "$LECTERN" --config "$T/lectern.conf" run >/dev/null 2>"$T/$name.err" &
	local p=$!
	wait_for 10 "grep -q 'stop with SIGTERM' '$T/$name.err'"
	kill -TERM $p
	wait $p
	echo "exit $?" >>"$T/$name.err"
}
lectern_config "$T/lectern.conf"
run_screen missing LECTERN_SCREEN="$T/no-such-plugin.so"
check "without its plugin, run says why and runs headless" \
	grep -q "no screen (the screen plugin did not load: $T/no-such-plugin.so: .*; install it .*): running headless" \
	"$T/missing.err"
check "the reason is also in the log and run ends with exit 0" \
	bash -c "grep -q 'lectern warn: no screen (the screen plugin did not load' '$T/missing.err' && grep -q '^exit 0' '$T/missing.err'"
# Plugins of our own making: one without the entry, one of another build (same entry, another
# ABI).
printf 'int not_a_screen;\n' >"$T/other.c"
printf '#include "lectern/screen.h"\nstatic const struct screen_ops o = {.abi = SCREEN_ABI + 1};\n%s\n' \
	'const struct screen_ops *lectern_screen_sdl(void) { return &o; }' >"$T/old.c"
if cc -shared -fPIC -o "$T/other.so" "$T/other.c" &&
	cc -shared -fPIC -I"$TESTS/../include" -o "$T/old.so" "$T/old.c"; then
	run_screen notplugin LECTERN_SCREEN="$T/other.so"
	check "a library that is not a screen plugin is refused by name" \
		grep -q "other.so is not a lectern screen plugin: it has no lectern_screen_sdl): running headless" \
		"$T/notplugin.err"
	run_screen oldabi LECTERN_SCREEN="$T/old.so"
	check "a plugin of another build is refused, with both ABIs" \
		grep -q "old.so was built for another version of lectern (screen ABI [0-9]*, view 0 bytes; this one has" \
		"$T/oldabi.err"
else
	not_ok "plugins for the refusal tests" "cc failed"
fi
if [ -f "$BUILD/lectern-screen-sdl.so" ]; then
	# SDL falls back on its offscreen driver when it finds no display: that is no screen.
	run_screen nodisplay -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER \
		LECTERN_SCREEN="$BUILD/lectern-screen-sdl.so"
	check "the real plugin without a display: headless, and says so" \
		grep -q "no screen (no display for the screen.*): running headless" "$T/nodisplay.err"
fi

# make install puts the plugin exactly where the binary looks for it (-o all: install what is
# built, never rebuild here).
if make -s -C "$TESTS/.." -o all BUILD="$BUILD" DESTDIR="$T/root" install >"$T/install.out" 2>&1; then
	plugin=$(cd "$T/root" && find . -name lectern-screen-sdl.so | sed 's/^\.//')
	check "make install puts the plugin where lectern run looks for it ($plugin)" \
		bash -c "[ -n '$plugin' ] && grep -qaF '$plugin' '$LECTERN'"
else
	not_ok "make install DESTDIR=..." "$(tail -1 "$T/install.out")"
fi
