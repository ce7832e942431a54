#!/bin/bash
# The systemd watchdog: lectern run says READY=1 and pets WATCHDOG=1 well within WATCHDOG_USEC
# on a NOTIFY_SOCKET this test owns (tests/lib/notify_observer.py plays systemd), and a run
# whose main loop stalls (the test hook LECTERN_TEST_STOP_WATCHDOG_AFTER) stops petting, which
# the observer notices as systemd would (no WATCHDOG=1 within the interval).
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

SPEECH=$(speech_raw 10)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
lectern_config "$T/lectern.conf"
USEC=1000000 # 1 s: run pets every 0.5 s

# observe NAME MAX_SECONDS [env...]: start the observer and a headless run under it.
observe() {
	local name=$1 max=$2
	shift 2
	: >"$T/$name.log"
	"$SERVERS_PYTHON" "$TESTS/lib/notify_observer.py" "$T/$name.sock" "$T/$name.log" "$USEC" \
		"$max" &
	OBS=$!
	CHILDREN+=("$OBS")
	wait_for 5 "grep -q LISTENING '$T/$name.log'"
	env NOTIFY_SOCKET="$T/$name.sock" WATCHDOG_USEC=$USEC "$@" \
		"$LECTERN" --config "$T/lectern.conf" run --headless >"$T/$name.out" 2>"$T/$name.err" &
	RUN=$!
	CHILDREN+=("$RUN")
}
pets() { grep -c ' WATCHDOG=1$' "$T/$1.log"; }

# a healthy run ------------------------------------------------------------------------------
observe healthy 20
check "run says READY=1 on the service's socket" wait_for 10 "grep -q 'READY=1' '$T/healthy.log'"
sleep 3.2
check "run pets the watchdog about twice an interval ($(pets healthy) pets in ~3 s)" \
	test "$(pets healthy)" -ge 5
first=$(awk '/READY=1/ {r=$1} / WATCHDOG=1$/ && r != "" {print ($1 - r < 1.0) ? "yes" : "no"; exit}' \
	"$T/healthy.log")
check "the first pet comes no later than READY=1 plus the interval" test "$first" = yes
gap=$(awk '/ WATCHDOG=1$/ {if (p != "" && $1 - p > m) m = $1 - p; p = $1} END {printf "%.3f", m}' \
	"$T/healthy.log")
check "no gap between pets reaches WATCHDOG_USEC (largest ${gap} s)" \
	awk -v g="$gap" 'BEGIN {exit !(g < 1.0)}'
check "the observer never saw the watchdog expire" bash -c "! grep -q EXPIRED '$T/healthy.log'"
kill -TERM "$RUN"
check "run stops on SIGTERM and says STOPPING=1" wait_for 10 "grep -q 'STOPPING=1' '$T/healthy.log'"
wait "$RUN"
check "run exits 0 after SIGTERM" test $? -eq 0
wait "$OBS" 2>/dev/null

# a main loop that stalls after 3 pets -------------------------------------------------------
observe stalled 20 LECTERN_TEST_STOP_WATCHDOG_AFTER=3
check "stalled: run says READY=1" wait_for 10 "grep -q 'READY=1' '$T/stalled.log'"
check "stalled: the observer reports the watchdog expired (as systemd would restart it)" \
	wait_for 6 "grep -q EXPIRED '$T/stalled.log'"
check "stalled: exactly the 3 pets before the stall came ($(pets stalled))" test "$(pets stalled)" -eq 3
late=$(awk '/ WATCHDOG=1$/ {p=$1} /EXPIRED/ {print ($1 - p >= 1.0) ? "yes" : "no"; exit}' \
	"$T/stalled.log")
check "stalled: the expiry follows the last pet by more than the interval" test "$late" = yes
check "stalled: the process is still alive (hung, not crashed): only the watchdog catches it" \
	kill -0 "$RUN"
check "stalled: the log says the test hook stalled the loop" \
	grep -q "test hook: the main loop stalls" "$T/stalled.err"
kill -TERM "$RUN"
wait "$RUN"
check "stalled: SIGTERM still ends it cleanly" test $? -eq 0
wait "$OBS" 2>/dev/null

# Only the main loop pets: no other thread could keep a hung appliance looking alive.
check "WATCHDOG=1 is sent from cmd_run.c's main loop only" \
	test "$(grep -rl 'WATCHDOG=1' "$TESTS/../firmware" | xargs -n1 basename)" = cmd_run.c
