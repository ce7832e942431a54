#!/bin/bash
# Recovery at start: a recording a kill left open (state `recording`, its file cut mid-page
# without end-of-stream) is closed at its last good page by `lectern run --headless`, its
# duration computed from the file, and queued; a second pass changes nothing; a recording
# whose file vanished ends failed with the reason. Kills at random points of real-time
# recordings are drilled in test_drills.sh.
source "$(dirname "$0")/../lib/common.sh"

SPEECH=$(speech_raw 30)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
lectern_config "$T/lectern.conf"

# What a kill leaves: the row still `recording`, the file ending in a partial page.
"$LECTERN" --config "$T/lectern.conf" record --out "$T/cut.opus" --seconds 3 >/dev/null 2>&1
full=$(opus_samples "$T/cut.opus")
truncate -s $(($(stat -c %s "$T/cut.opus") - 700)) "$T/cut.opus"
sql "update recordings set state = 'recording', samples = 0, bytes = 0, ended_ms = 0, sha256 = '' where id = 1"
"$LECTERN" --config "$T/lectern.conf" run --headless >"$T/run.out" 2>"$T/run.err" &
runpid=$!
wait_for 10 '[ "$(sql "select state from recordings where id=1")" = queued ]'
kill -TERM $runpid
wait $runpid
check "run --headless exits 0 on SIGTERM" test $? -eq 0
check "recovery queued the interrupted recording" \
	test "$(sql "select state from recordings where id=1")" = queued
check "the recovered file is valid Ogg Opus" opusinfo "$T/cut.opus"
check "its last page is marked end of stream" \
	bash -c "! opusinfo '$T/cut.opus' 2>&1 | grep -qi 'EOS not set\|without EOS\|Hole in data'"
n=$(opus_samples "$T/cut.opus")
check "what precedes the cut is kept ($n of $full samples)" \
	test "$n" -gt $((full - 48000)) -a "$n" -lt "$full"
check "the stored duration equals the decodable audio" \
	test "$(sql "select samples from recordings where id=1")" -eq "$n"
check "the repaired file's SHA-256 is stored" \
	test "$(sql "select sha256 from recordings where id=1")" = "$(sha256sum "$T/cut.opus" | cut -c1-64)"
check "recovery is logged with the recording id" grep -q "recording 1 recovered" "$T/run.err"

# A second recovery pass finds nothing to do and changes nothing.
before=$(sql "select group_concat(state||samples||bytes) from recordings")
"$LECTERN" --config "$T/lectern.conf" run --headless >/dev/null 2>"$T/again.err" &
runpid=$!
sleep 1
kill -TERM $runpid
wait $runpid
check "a second start recovers nothing and changes nothing" \
	test "$(sql "select group_concat(state||samples||bytes) from recordings")" = "$before"

# A recording whose file vanished is marked failed, not lost silently.
sql "insert into recordings(uid,path,state,started_ms,updated_ms) values('gone','$T/missing.opus','recording',1,1)"
"$LECTERN" --config "$T/lectern.conf" run --headless >/dev/null 2>"$T/gone.err" &
runpid=$!
gone_state() { sql "select state from recordings where uid='gone'"; }
wait_for 10 '[ "$(gone_state)" = failed ]'
kill -TERM $runpid
wait $runpid
check "a recording whose file is missing ends failed with the reason" \
	bash -c "test \"\$(sqlite3 '$T/data/lectern.db' \"select state from recordings where uid='gone'\")\" = failed && \
	sqlite3 '$T/data/lectern.db' \"select reason from recordings where uid='gone'\" | grep -q 'not recoverable'"
