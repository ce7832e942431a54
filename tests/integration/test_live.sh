#!/bin/bash
# Real-time recording (speech paced through a FIFO by pv, as a microphone would deliver it):
# SIGINT/SIGTERM stop cleanly, SIGUSR1/SIGUSR2 pause and resume, the TTY shows a level meter,
# a silent microphone raises the low-audio warning.
source "$(dirname "$0")/../lib/common.sh"

SPEECH=$(speech_raw 20)
lectern_config "$T/lectern.conf"

# start_paced NAME [SOURCE]: FIFO fed in real time (48 kHz * 2 bytes/s); sets ALSA_CONFIG_PATH
start_paced() {
	local fifo="$T/$1.fifo"
	mkfifo "$fifo"
	pv -q -L 96000 "${2:-$SPEECH}" >"$fifo" &
	CHILDREN+=($!)
	export ALSA_CONFIG_PATH=$(alsa_conf "$fifo")
}

# SIGINT after ~2 s -------------------------------------------------------------------------
start_paced int
"$LECTERN" --config "$T/lectern.conf" record --out "$T/int.opus" >"$T/int.out" 2>"$T/int.err" &
pid=$!
sleep 2
kill -INT $pid
wait $pid
rc=$?
check "SIGINT stops the recording and exits 0" test $rc -eq 0
check "SIGINT: the file is complete Ogg Opus" opusinfo "$T/int.opus"
n=$(opus_samples "$T/int.opus")
check "SIGINT: about 2 s recorded ($n samples)" test "$n" -gt 72000 -a "$n" -lt 130000
check "SIGINT: queued in the store" test "$(sql "select state from recordings where id=1")" = queued

# SIGTERM too --------------------------------------------------------------------------------
start_paced term
"$LECTERN" --config "$T/lectern.conf" record --out "$T/term.opus" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
check "SIGTERM stops cleanly and exits 0" test $? -eq 0
check "SIGTERM: the file is complete Ogg Opus" opusinfo "$T/term.opus"

# pause for ~2 s in the middle: paused time is not recorded -----------------------------------
start_paced pause
"$LECTERN" --config "$T/lectern.conf" record --out "$T/pause.opus" >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -USR1 $pid
sleep 2
kill -USR2 $pid
sleep 1.5
kill -INT $pid
wait $pid
n=$(opus_samples "$T/pause.opus")
check "pause: 6.5 s wall clock with 2 s paused gives ~3 s of audio ($n samples)" \
	test "$n" -gt 110000 -a "$n" -lt 190000
check "pause: the history shows paused and recording again" \
	test "$(sql "select group_concat(to_state) from recording_history where recording_id=3")" \
	= "recording,paused,recording,finalizing,queued"

# the level meter and elapsed time on a terminal ----------------------------------------------
start_paced tty
script -qec "'$LECTERN' --config '$T/lectern.conf' record --out '$T/tty.opus' --seconds 2" \
	/dev/null >"$T/tty.out" 2>&1
check "on a TTY: elapsed time and level meter are shown" \
	bash -c "grep -a -q 'REC    00:00:01 \[[#-]*\] *-[0-9.]* dBFS peak' '$T/tty.out'"
check "on a TTY: the meter moves with speech (some bars lit)" grep -a -q '\[#' "$T/tty.out"

# a muted microphone raises the low-audio alarm ------------------------------------------------
head -c $((96000 * 4)) /dev/zero >"$T/silence.raw"
lectern_config "$T/quiet.conf" "low_audio_seconds = 1"
start_paced quiet "$T/silence.raw"
"$LECTERN" --config "$T/quiet.conf" record --out "$T/quiet.opus" --seconds 3 >/dev/null 2>"$T/quiet.err"
check "silence for longer than low_audio_seconds warns that the microphone may be muted" \
	grep -q "is the microphone muted" "$T/quiet.err"
# the same settings with speech: a warning here would be a false alarm
start_paced loud
"$LECTERN" --config "$T/quiet.conf" record --out "$T/loud.opus" --seconds 3 >/dev/null 2>"$T/loud.err"
check "a speaking microphone does not warn (same low_audio_seconds = 1)" \
	bash -c "! grep -q 'muted' '$T/loud.err'"
