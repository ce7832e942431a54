# Shared helpers for integration tests (bash). Source it first thing.
# Each test prints "ok - name" or "not ok - name"; diagnostics go to stderr or "# " lines.
set -u
LECTERN=${LECTERN_BIN:?run through tests/run.sh or set LECTERN_BIN}
TESTS=${LECTERN_TEST_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$(pwd)/build}
FIXTURES="$BUILD/fixtures"
mkdir -p "$FIXTURES"
T=$(mktemp -d "${TMPDIR:-/tmp}/lectern-test.XXXXXX")
trap 'cleanup_children; [ -n "${KEEP_TMP:-}" ] || rm -rf "$T"' EXIT

CHILDREN=()
GROUPS_TO_KILL=()
cleanup_children() {
	local p i
	# Xvfb removes its lock and socket on TERM; killed, it leaves them for the next test.
	if [ -n "${XVFB_PID:-}" ] && kill -TERM "$XVFB_PID" 2>/dev/null; then
		for i in $(seq 20); do kill -0 "$XVFB_PID" 2>/dev/null || break; sleep 0.05; done
	fi
	for p in "${CHILDREN[@]:-}"; do
		[ -n "$p" ] && kill -9 "$p" 2>/dev/null
	done
	for p in "${GROUPS_TO_KILL[@]:-}"; do
		[ -n "$p" ] && kill -9 -- "-$p" 2>/dev/null
	done
	return 0
}

# paced_mic FIFO RAWFILE: a microphone in real time — RAWFILE (48 kHz mono S16) is fed into
# FIFO at its own pace, again each time a reader opens the FIFO (an appliance probes its
# microphone at start, then opens it again to record). Killed with the test.
paced_mic() {
	mkfifo "$1"
	setsid bash -c 'while [ -p "$0" ]; do pv -q -L 96000 "$1" >"$0" 2>/dev/null; done' "$1" "$2" \
		</dev/null >/dev/null 2>&1 &
	GROUPS_TO_KILL+=($!)
}

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1${2:+ # $2}"; }
# check NAME COMMAND...: ok if the command succeeds.
check() {
	local name=$1
	shift
	if "$@" >>"$T/check.log" 2>&1; then ok "$name"; else not_ok "$name" "$(tail -3 "$T/check.log" | tr '\n' ' ')"; fi
}

# speech_raw SECONDS RATE CHANNELS -> path of a raw S16LE file of spoken English that long
# (espeak-ng, looped with sox), cached under build/fixtures.
speech_raw() {
	local secs=$1 rate=${2:-48000} ch=${3:-1}
	local out="$FIXTURES/speech-${secs}s-${rate}-${ch}.raw"
	if [ ! -s "$out" ]; then
		local base="$FIXTURES/speech-base.wav"
		if [ ! -s "$base" ]; then
			espeak-ng -s 160 -w "$base.tmp.wav" "Welcome to this week's brown bag session. \
Today we talk about recording every session, so that nobody has to be in charge of a \
laptop. The quick brown fox jumps over the lazy dog, and peer learning happens every \
Tuesday at noon in the big meeting room." && mv "$base.tmp.wav" "$base"
		fi
		sox "$base" -r "$rate" -c "$ch" -b 16 -e signed -t raw "$out.tmp" repeat 200 trim 0 "$secs" \
			&& mv "$out.tmp" "$out"
	fi
	echo "$out"
}

# alsa_conf INFILE -> path of an ALSA config whose "default" capture device replays INFILE
# through alsa-lib's own file plugin (no sound card needed). Select it with ALSA_CONFIG_PATH.
alsa_conf() {
	local infile=$1 conf="$T/asound-$RANDOM.conf"
	cat >"$conf" <<CONF
pcm.null { type null }
pcm.!default {
	type file
	slave.pcm "null"
	file "/dev/null"
	infile "$infile"
	format "raw"
}
CONF
	echo "$conf"
}

# lectern_config PATH [extra INI lines...]: a config with its data in $T.
lectern_config() {
	local path=$1
	shift
	{
		echo "[device]"
		echo "room = Test Room"
		echo "data_dir = $T/data"
		echo "[audio]"
		echo "source = alsa"
		echo "[schedule]"
		echo "min_event_s = 1" # the tests' sessions last seconds
		echo "[recording]"
		echo "min_free_mb = 1"
		printf '%s\n' "$@"
	} >"$path"
}

# opus_samples FILE -> decoded sample count at 48 kHz (opusdec trims pre-skip and end).
opus_samples() {
	opusdec --quiet --rate 48000 "$1" "$T/decoded.raw" 2>/dev/null || { echo -1; return; }
	echo $(($(stat -c %s "$T/decoded.raw") / 2))
}

# sql QUERY: run against the test store.
sql() { sqlite3 "$T/data/lectern.db" "$1"; }

# wait_for SECONDS 'SHELL CONDITION': poll (re-evaluating the condition) until it holds.
wait_for() {
	local limit=$1 cond=$2
	local end=$((SECONDS + limit))
	while [ $SECONDS -lt $end ]; do
		eval "$cond" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# start_xvfb WIDTH HEIGHT: a private X server (no TCP) for the screen; sets DISPLAY.
start_xvfb() {
	local n
	for n in $(seq 91 240); do
		# Taken while the process its lock names lives; a stale lock and socket (an Xvfb
		# that was killed) are cleared by the next Xvfb itself.
		if [ -e "/tmp/.X$n-lock" ]; then
			kill -0 "$(tr -dc 0-9 <"/tmp/.X$n-lock")" 2>/dev/null && continue
		elif [ -e "/tmp/.X11-unix/X$n" ]; then
			continue
		fi
		Xvfb ":$n" -screen 0 "${1}x${2}x24" -nolisten tcp -noreset >"$T/xvfb.log" 2>&1 &
		XVFB_PID=$!
		CHILDREN+=($!)
		export DISPLAY=":$n"
		# ours, not a server another test started on the same number at the same moment
		if wait_for 10 "xdpyinfo -display :$n" && kill -0 "$XVFB_PID" 2>/dev/null; then
			return 0
		fi
	done
	echo "# no Xvfb display could be started: $(tail -2 "$T/xvfb.log")" >&2
	return 1
}
