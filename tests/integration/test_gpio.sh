#!/bin/bash
# The GPIO panel in lectern run, through its file twin ([gpio] chip = file): a short press on
# the button starts a recording and lights the REC LED, a short press while recording does
# nothing, holding the button 1.5 s stops it and the LED goes out. (gpio-sim, which would let
# libgpiod itself be driven, is not in this kernel: the twin stands in for the lines; the
# debounce, long press and blinking are unit-tested on an injected clock in test_gpio.c.)
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

if [ -d /sys/kernel/config/gpio-sim ] || [ -d /sys/module/gpio_sim ]; then
	echo "# gpio-sim: present, not used yet: twin only"
else
	echo "ok - gpio-sim: libgpiod's own lines # SKIP gpio-sim: not available, twin only"
fi
SPEECH=$(speech_raw 30)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
lectern_config "$T/lectern.conf" "[gpio]" "chip = file" "rec_led = $T/led" "button = $T/button"
echo 0 >"$T/button"
led() { cat "$T/led" 2>/dev/null; }
state() { sql "select group_concat(state) from recordings" 2>/dev/null; }
press() { # SECONDS, then released long enough to count (the debounce is 30 ms)
	echo 1 >"$T/button"
	sleep "$1"
	echo 0 >"$T/button"
	sleep 0.2
}

"$LECTERN" --config "$T/lectern.conf" run --headless >"$T/run.out" 2>"$T/run.err" &
RUN=$!
CHILDREN+=($RUN)
check "run opens the panel and says which" wait_for 10 "grep -q 'gpio: file twin: REC LED $T/led, button $T/button' '$T/run.err'"
check "idle: the REC LED is off" wait_for 5 "test \"\$(led)\" = 0"
press 2
check "a long press while idle starts nothing" test -z "$(state)"
press 0.2
check "a short press starts a recording" wait_for 3 "test \"\$(state)\" = recording"
check "recording: the REC LED is lit" wait_for 2 "test \"\$(led)\" = 1"
press 0.2
sleep 0.5
check "a short press while recording does not stop it" test "$(state)" = recording
echo 1 >"$T/button"
sleep 1
check "held 1 s: still recording (the stop needs 1.5 s)" test "$(state)" = recording
check "held 1.5 s: the recording stops while the button is still held" \
	wait_for 3 "test \"\$(state)\" = queued"
echo 0 >"$T/button"
check "stopped: the REC LED goes out" wait_for 2 "test \"\$(led)\" = 0"
check "the log says who stopped it" grep -q "stopped with the button" "$T/run.err"
kill -HUP "$RUN"
wait_for 5 "grep -q 'configuration reloaded' '$T/run.err'"
press 0.2
check "after SIGHUP the panel is back: a short press starts the next recording" \
	wait_for 3 "test \"\$(state)\" = queued,recording"
check "... and lights the LED" wait_for 2 "test \"\$(led)\" = 1"
stop_pid "$RUN"
check "after run ends the LED is off" test "$(led)" = 0
