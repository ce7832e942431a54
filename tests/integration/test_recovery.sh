#!/bin/bash
# Kill drill: kill -9 the recorder at several points of a real-time recording; after restart
# `lectern run --headless` closes each file at its last good page (playable, at most ~1 s
# lost), computes its duration and queues it.
source "$(dirname "$0")/../lib/common.sh"

SPEECH=$(speech_raw 30)
lectern_config "$T/lectern.conf"
now_ms() { date +%s%3N; }

id=0
for kill_at in 1.3 3.7 6.2; do
	id=$((id + 1))
	fifo="$T/kill$id.fifo"
	mkfifo "$fifo"
	pv -q -L 96000 "$SPEECH" >"$fifo" &
	CHILDREN+=($!)
	ALSA_CONFIG_PATH=$(alsa_conf "$fifo") "$LECTERN" --config "$T/lectern.conf" record \
		--out "$T/kill$id.opus" >/dev/null 2>"$T/kill$id.err" &
	pid=$!
	wait_for 5 '[ "$(sql "select count(*) from recordings where id=$id")" = 1 ]'
	sleep "$kill_at"
	kill -9 $pid
	killed_ms=$(now_ms)
	wait $pid 2>/dev/null
	started_ms=$(sql "select started_ms from recordings where id=$id")
	check "kill at ${kill_at}s: the store still says recording" \
		test "$(sql "select state from recordings where id=$id")" = recording

	"$LECTERN" --config "$T/lectern.conf" run --headless >"$T/run$id.out" 2>"$T/run$id.err" &
	runpid=$!
	wait_for 10 '[ "$(sql "select state from recordings where id=$id")" = queued ]'
	check "kill at ${kill_at}s: recovery queued it" \
		test "$(sql "select state from recordings where id=$id")" = queued
	kill -TERM $runpid
	wait $runpid
	check "kill at ${kill_at}s: run --headless exits 0 on SIGTERM" test $? -eq 0
	check "kill at ${kill_at}s: the recovered file is valid Ogg Opus" opusinfo "$T/kill$id.opus"
	check "kill at ${kill_at}s: its last page is marked end of stream" \
		bash -c "! opusinfo '$T/kill$id.opus' 2>&1 | grep -qi 'EOS not set\|without EOS\|Hole in data'"
	n=$(opus_samples "$T/kill$id.opus")
	stored=$(sql "select samples from recordings where id=$id")
	check "kill at ${kill_at}s: stored duration equals the decodable audio ($stored vs $n)" \
		test "$n" -eq "$stored"
	# Audio flows from the moment the row exists; at most ~1 s may be lost (pages every 0.5 s,
	# plus the ALSA period and the encoder's look-ahead).
	lost_ms=$((killed_ms - started_ms - n / 48))
	echo "# kill at ${kill_at}s: ran $((killed_ms - started_ms)) ms, kept $((n / 48)) ms, lost $lost_ms ms"
	check "kill at ${kill_at}s: lost at most 1.2 s (lost ${lost_ms} ms)" test "$lost_ms" -le 1200
	check "kill at ${kill_at}s: something was kept" test "$n" -gt 0
	check "kill at ${kill_at}s: the repaired file's SHA-256 is stored" \
		test "$(sql "select sha256 from recordings where id=$id")" = "$(sha256sum "$T/kill$id.opus" | cut -c1-64)"
	check "kill at ${kill_at}s: recovery is logged with the recording id" \
		grep -q "recording $id recovered" "$T/run$id.err"
done

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
