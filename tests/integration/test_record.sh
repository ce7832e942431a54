#!/bin/bash
# lectern record through real alsa-lib (its file plugin replays generated speech): the output
# is valid Ogg Opus, holds exactly the captured samples, and *is* the input audio.
source "$(dirname "$0")/../lib/common.sh"

SPEECH=$(speech_raw 10)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
lectern_config "$T/lectern.conf"

# 10 s at 48 kHz mono through ALSA -----------------------------------------------------------
out="$T/talk.opus"
"$LECTERN" --config "$T/lectern.conf" record --out "$out" --seconds 10 --title "Brown bag: Ogg" \
	--presenter "Ада Лавлейс" >"$T/rec.out" 2>"$T/rec.err"
rc=$?
check "record exits 0 after --seconds" test $rc -eq 0
check "output is Ogg Opus that opusinfo accepts" opusinfo "$out"
samples=$(opus_samples "$out")
check "decoded sample count equals captured count (480000)" test "$samples" -eq 480000
head -c $((480000 * 2)) "$SPEECH" >"$T/ref.raw"
check "decoded audio matches the input (correlation >= 0.9)" \
	python3 "$TESTS/lib/pcmcompare.py" "$T/ref.raw" "$T/decoded.raw" --min 0.9
opusinfo "$out" >"$T/info.txt" 2>&1
check "tags carry title, presenter, room, date and encoder" \
	bash -c "grep -q 'TITLE=Brown bag: Ogg' '$T/info.txt' && grep -q 'ARTIST=Ада Лавлейс' '$T/info.txt' \
	&& grep -q 'LOCATION=Test Room' '$T/info.txt' && grep -q 'DATE=20' '$T/info.txt' \
	&& grep -q 'ENCODER=lectern' '$T/info.txt'"
check "store has it queued with its sample count" \
	test "$(sql "select state||','||samples||','||path from recordings")" = "queued,480000,$out"
check "the finished file's SHA-256 is stored when it is finalized" \
	test "$(sql "select sha256 from recordings where id=1")" = "$(sha256sum "$out" | cut -c1-64)"
check "every transition is in the history (recording, finalizing, queued)" \
	test "$(sql "select group_concat(to_state) from recording_history")" = "recording,finalizing,queued"
check "no personal data in the log" bash -c "! grep -q 'Лавлейс\|Brown bag' '$T/rec.err'"
check "summary names the file and duration" grep -q "Recorded 10.00 s .* to $out" "$T/rec.out"

# A title that is not UTF-8 (a Latin-1 terminal) is refused before anything is recorded.
before=$(sql "select count(*) from recordings")
"$LECTERN" --config "$T/lectern.conf" record --seconds 1 --title "$(printf 'Caf\xe9')" \
	>"$T/latin1.out" 2>"$T/latin1.err"
check "a --title that is not UTF-8 is refused (exit 2, says which option) and nothing is recorded" \
	bash -c "test $? -eq 2 && grep -q -- '--title is not UTF-8' '$T/latin1.err' &&
		test \"\$(sqlite3 '$T/data/lectern.db' 'select count(*) from recordings')\" = '$before'"

# default path: the spool, named by uid ----------------------------------------------------------
"$LECTERN" --config "$T/lectern.conf" record --seconds 1 >"$T/rec2.out" 2>&1
spooled=$(sql "select path from recordings where id = 2")
check "without --out the recording goes to SPOOL/<uid>.opus" \
	bash -c "[[ '$spooled' == '$T/data/spool/'*.opus ]] && test -s '$spooled'"

# a device that offers 44.1 kHz stereo is converted and downmixed -------------------------------
STEREO=$(speech_raw 4 44100 2)
lectern_config "$T/lectern441.conf" "[audio]" "rate = 44100" "channels = 2"
ALSA_CONFIG_PATH=$(alsa_conf "$STEREO") "$LECTERN" --config "$T/lectern441.conf" record \
	--out "$T/stereo441.opus" --seconds 4 >/dev/null 2>"$T/stereo.err"
check "44.1 kHz stereo device: recorded" test $? -eq 0
check "44.1 kHz stereo device: file says input rate 44100 and is mono" \
	bash -c "opusinfo '$T/stereo441.opus' | grep -q 'Original sample rate: 44100' && opusinfo '$T/stereo441.opus' | grep -q 'Channels: 1'"
check "44.1 kHz stereo device: 4 s of audio (192000 samples at 48 kHz)" \
	test "$(opus_samples "$T/stereo441.opus")" -eq 192000
sox -t raw -r 44100 -c 2 -b 16 -e signed "$STEREO" -t raw -c 1 "$T/ref441.raw" remix 1-2 2>/dev/null
opusdec --quiet --rate 44100 "$T/stereo441.opus" "$T/dec441.raw" 2>/dev/null
check "44.1 kHz stereo device: the audio survives resampling and downmix" \
	python3 "$TESTS/lib/pcmcompare.py" "$T/ref441.raw" "$T/dec441.raw" --min 0.8 --max-lag 3

# 16 kHz mono ---------------------------------------------------------------------------------
S16K=$(speech_raw 3 16000 1)
lectern_config "$T/lectern16.conf" "[audio]" "rate = 16000"
ALSA_CONFIG_PATH=$(alsa_conf "$S16K") "$LECTERN" --config "$T/lectern16.conf" record \
	--out "$T/s16k.opus" --seconds 3 >/dev/null 2>&1
check "16 kHz device: 3 s recorded (144000 samples at 48 kHz)" \
	test "$(opus_samples "$T/s16k.opus")" -eq 144000

# the file twin ends when its file ends ---------------------------------------------------------
sox -t raw -r 48000 -c 1 -b 16 -e signed "$SPEECH" "$T/short.wav" trim 0 2.5
"$LECTERN" --config "$T/lectern.conf" record --file "$T/short.wav" --out "$T/short.opus" \
	--seconds 60 >"$T/short.out" 2>&1
check "file source: exits 0 when the source ends" test $? -eq 0
check "file source: all 2.5 s recorded (120000 samples)" test "$(opus_samples "$T/short.opus")" -eq 120000
check "file source: reason says the source ended" \
	test "$(sql "select reason from recordings where path = '$T/short.opus'")" = "the audio source ended"
