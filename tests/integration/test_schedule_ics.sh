#!/bin/bash
# The calendar, checked against expectations worked out by hand: `lectern schedule --json` on real
# ICS fixtures (Google, Outlook, Apple, Nextcloud, Thunderbird, Opencast exports; DST, Windows
# zone names, floating times, all-day events, RDATE/EXDATE/overrides, folding, non-Latin text,
# broken files), one run per row of tests/fixtures/ics/cases.tsv; then a 10 MB calendar under a
# time limit, the plain (non-JSON) listing, and a calendar fetched over HTTP.
source "$(dirname "$0")/../lib/common.sh"

ICS="$TESTS/fixtures/ics"
CMP="$TESTS/lib/jsonl_compare.py"
lectern_config "$T/lectern.conf"

# schedule TZ OUT ERR ARGS...: lectern schedule under TZ, bounded in time; exit code in RC
schedule() {
	local tz=$1 out=$2 err=$3
	shift 3
	TZ="$tz" timeout --kill-after=5 30 "$LECTERN" --config "$T/lectern.conf" schedule "$@" \
		</dev/null >"$out" 2>"$err"
	RC=$?
}

# report NAME PROBLEMS...: ok when there are no problems, else not ok with them and the diff
report() {
	local name=$1 diff=$2
	shift 2
	if [ $# -eq 0 ]; then
		ok "$name"
	else
		local why=$1 p
		shift
		for p in "$@"; do why+="; $p"; done
		not_ok "$name" "$why"
		[ -s "$diff" ] && head -60 "$diff" | sed 's/^/# /'
	fi
	return 0
}

check "jsonl_compare.py passes its own self-test" python3 "$CMP" --self-test

# The cases ----------------------------------------------------------------------------------
[ -s "$ICS/cases.tsv" ] || not_ok "cases.tsv present" "$ICS/cases.tsv missing"
while IFS=$'\t' read -r -u 3 name ics tz from days expected code words; do
	case "$name" in '' | '#'*) continue ;; esac
	args=(--ics "$ICS/$ics" --from "$from")
	[ "$days" != - ] && args+=(--days "$days")
	schedule "$tz" "$T/$name.out" "$T/$name.err" "${args[@]}" --json
	problems=()
	: >"$T/$name.diff"
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		problems+=("timed out after 30 s")
	elif [ "$RC" -ne "$code" ]; then
		problems+=("exit $RC, wanted $code")
	fi
	if [ "$expected" != - ]; then
		python3 "$CMP" "$ICS/$expected" "$T/$name.out" >"$T/$name.diff" 2>&1 </dev/null ||
			problems+=("output differs from $expected")
	elif [ -s "$T/$name.out" ]; then
		problems+=("printed on stdout although it must fail: $(head -c 120 "$T/$name.out" | tr '\n' ' ')")
	fi
	if [ "$words" != - ]; then
		IFS=, read -ra must <<<"$words"
		for w in "${must[@]}"; do
			grep -qiF -- "$w" "$T/$name.err" || problems+=("stderr lacks '$w'")
		done
	elif grep -qi skipped "$T/$name.err"; then
		problems+=("a good calendar, yet stderr says something was skipped")
	fi
	[ ${#problems[@]} -gt 0 ] && [ -s "$T/$name.err" ] &&
		problems+=("stderr: $(head -c 300 "$T/$name.err" | tr '\n' ' ')")
	report "schedule $name ($ics, TZ=$tz, --from $from --days $days)" "$T/$name.diff" "${problems[@]}"
done 3<"$ICS/cases.tsv"

# A 10 MB calendar: 20,000 events with folded descriptions, within a time limit ---------------
# gen_big_ics.py: 8 events a day from 2026-01-05, 09:00-16:45 Berlin; 7 days from 2 March hold
# 56 occurrences, big-00448 first and big-00503 last.
python3 "$TESTS/lib/gen_big_ics.py" "$T/big.ics"
big_size=$(stat -c %s "$T/big.ics" 2>/dev/null || echo 0)
t0=$(date +%s%N)
TZ=Europe/Berlin timeout --kill-after=5 60 "$LECTERN" --config "$T/lectern.conf" schedule \
	--ics "$T/big.ics" --from 2026-03-02 --days 7 --json </dev/null >"$T/big.out" 2>"$T/big.err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# 10 MB calendar ($big_size bytes): lectern schedule took $ms ms"
problems=()
[ "$big_size" -ge 9000000 ] || problems+=("generated calendar is only $big_size bytes")
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	problems+=("did not finish within 60 s")
elif [ $rc -ne 0 ]; then
	problems+=("exit $rc: $(head -c 300 "$T/big.err" | tr '\n' ' ')")
else
	verdict=$(python3 - "$T/big.out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
uids = [r["uid"] for r in rows]
want = [f"big-{i:05d}@lectern.test" for i in range(448, 504)]
if uids != want:
    print(f"{len(rows)} occurrences (wanted 56, big-00448 .. big-00503 in order); "
          f"first {uids[:1]}, last {uids[-1:]}")
elif rows[0]["start"] != "2026-03-02T09:00:00+01:00" or rows[-1]["end"] != "2026-03-08T16:45:00+01:00":
    print(f"times wrong: first start {rows[0]['start']}, last end {rows[-1]['end']}")
PY
	) || verdict="output is not JSON lines: $(head -c 200 "$T/big.out")"
	[ -z "$verdict" ] || problems+=("$verdict")
fi
report "a 10 MB calendar (20,000 events) lists the 56 occurrences of one week within 60 s" "" "${problems[@]}"

# Plain listing: one line per occurrence, each with its title -----------------------------------
schedule Europe/Berlin "$T/plain.out" "$T/plain.err" --ics "$ICS/weekly_brownbag.ics" --from 2026-03-01 --days 80
problems=()
[ "$RC" -eq 0 ] || problems+=("exit $RC: $(head -c 300 "$T/plain.err" | tr '\n' ' ')")
verdict=$(python3 - "$ICS/expected/brownbag_full.jsonl" "$T/plain.out" <<'PY'
import json, sys
titles = [json.loads(l)["title"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
lines = [l for l in open(sys.argv[2], encoding="utf-8", errors="replace").read().splitlines() if l.strip()]
if len(lines) != len(titles):
    print(f"{len(lines)} lines, wanted one per occurrence ({len(titles)})")
else:
    for n, (t, l) in enumerate(zip(titles, lines), 1):
        if t not in l:
            print(f"line {n} lacks the title {t!r}: {l!r}")
            break
PY
)
[ -z "$verdict" ] || problems+=("$verdict")
report "plain schedule of the brown bag: one line per occurrence with its title, in order" "" "${problems[@]}"

# A Windows-1252 export (RFC 5545 says UTF-8): plain and JSON listings are UTF-8 with the names
# as typed, the encoding is said once for the calendar, and never with a name in it.
schedule Europe/Berlin "$T/cp1252.out" "$T/cp1252.err" --ics "$ICS/windows_1252.ics" --from 2026-12-01 --days 2
problems=()
[ "$RC" -eq 0 ] || problems+=("exit $RC: $(head -c 300 "$T/cp1252.err" | tr '\n' ' ')")
verdict=$(python3 - "$T/cp1252.out" "$T/cp1252.err" <<'PY'
import sys
try:
    out = open(sys.argv[1], "rb").read().decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit(print(f"the plain listing is not UTF-8 at byte {e.start}"))
if "Caf\u00e9 talk \u2014 Jos\u00e9 M\u00fcller" not in out:
    print(f"no line 'Caf\u00e9 talk \u2014 Jos\u00e9 M\u00fcller': {out[:200]!r}")
err = open(sys.argv[2], "rb").read().decode("utf-8", "replace")
said = err.count("read as Windows-1252")
if said != 1:
    print(f"'read as Windows-1252' said {said} times, wanted once for the calendar")
for name in ("Jos", "M\u00fcller", "Fran", "Caf", "Budget"):
    if name in err:
        print(f"stderr names {name!r} (privacy)")
PY
)
[ -z "$verdict" ] || problems+=("$verdict")
report "a Windows-1252 calendar lists UTF-8 text, says so once and names nobody" "" "${problems[@]}"

# The same calendar fetched over HTTP ------------------------------------------------------------
python3 -u -m http.server --bind 127.0.0.1 --directory "$ICS" 0 </dev/null >"$T/http.log" 2>&1 &
http_pid=$!
CHILDREN+=("$http_pid")
if wait_for 10 "grep -q 'port [0-9]' '$T/http.log'"; then
	port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$T/http.log" | head -1)
	url="http://127.0.0.1:$port/weekly_brownbag.ics"
	no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost \
		schedule Europe/Berlin "$T/url.out" "$T/url.err" --ics "$url" --from 2026-03-01 --days 80 --json
	problems=()
	[ "$RC" -eq 0 ] || problems+=("exit $RC: $(head -c 300 "$T/url.err" | tr '\n' ' ')")
	python3 "$CMP" "$ICS/expected/brownbag_full.jsonl" "$T/url.out" >"$T/url.diff" 2>&1 </dev/null ||
		problems+=("output differs from expected/brownbag_full.jsonl")
	report "schedule --ics URL gives the same occurrences as the file" "$T/url.diff" "${problems[@]}"
else
	not_ok "schedule --ics URL gives the same occurrences as the file" \
		"the test's HTTP server did not start: $(head -c 200 "$T/http.log")"
fi
kill "$http_pid" 2>/dev/null
wait "$http_pid" 2>/dev/null || true

# Worst cases (issue 10): time and peak memory bounded, the real session still listed ----------
# (a sanitizer build's own memory is not the appliance's)
RSS_LIMIT=$([ -n "${SANITIZER_LOGS:-}" ] && echo 1048576 || echo 65536)
# measure NAME ARGS...: lectern schedule; sets RC, SECS and KB (its peak RSS)
measure() {
	local name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$T/$name.time" timeout --kill-after=5 60 "$LECTERN" \
		--config "$T/lectern.conf" schedule "$@" --json </dev/null >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
	read -r SECS KB < <(tail -1 "$T/$name.time")
}

# 20 events repeating every second or minute from 1 March, and one real talk on 5 March.
python3 "$TESTS/lib/gen_worst_ics.py" storm "$T/storm.ics"
TZ=UTC measure storm --ics "$T/storm.ics" --from 2026-03-04 --days 7
rows=$(wc -l <"$T/storm.out")
echo "# SECONDLY storm (20 events + 1 talk, 7 days): $rows occurrences, $SECS s, peak RSS $KB KB"
problems=()
[ "$RC" -eq 0 ] || problems+=("exit $RC: $(head -c 300 "$T/storm.err" | tr '\n' ' ')")
grep -q '"uid":"real-talk@lectern.test"' "$T/storm.out" || problems+=("the real talk is not listed")
[ "$rows" -le 20000 ] || problems+=("$rows occurrences, over the calendar's 20000")
[ "${KB:-9999999}" -lt "$RSS_LIMIT" ] || problems+=("peak RSS $KB KB, over $((RSS_LIMIT / 1024)) MB")
grep -q "over 2000 occurrences" "$T/storm.err" || problems+=("no warning about the capped events")
report "a FREQ=SECONDLY storm is bounded (rows, memory) and the real talk is still listed" "" "${problems[@]}"

# A 50 MB line (a DESCRIPTION without folding): dropped with a warning, fast, small.
python3 "$TESTS/lib/gen_worst_ics.py" long "$T/long.ics"
TZ=UTC measure long --ics "$T/long.ics" --from 2026-03-02 --days 1
echo "# a 50 MB line: $SECS s, peak RSS $KB KB"
problems=()
[ "$RC" -eq 0 ] || problems+=("exit $RC: $(head -c 300 "$T/long.err" | tr '\n' ' ')")
grep -q '"title":"Real talk","presenter":"","location":"Room 1"' "$T/long.out" ||
	problems+=("the event is not listed with its location: $(head -c 200 "$T/long.out")")
grep -q "line 9 is over 64 KiB" "$T/long.err" || problems+=("no warning naming line 9")
[ "${KB:-9999999}" -lt "$RSS_LIMIT" ] || problems+=("peak RSS $KB KB, over $((RSS_LIMIT / 1024)) MB")
awk -v s="${SECS:-99}" 'BEGIN { exit !(s < 10) }' || problems+=("took $SECS s (2 s expected, 10 allowed on a loaded machine)")
report "a 50 MB content line is dropped with a warning naming it, in bounded time and memory" "" "${problems[@]}"
rm -f "$T/long.ics"

# A recording made on schedule from a Windows-1252 calendar carries its title and presenter as
# UTF-8 into the store, the Ogg file's tags and the spool's sidecar --------------------------
utc() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }
now=$(date +%s)
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:cp1252@lectern.test\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Caf\xe9 talk \x80\r\nORGANIZER;CN=Jos\xe9 M\xfcller:mailto:jose@x.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
	"$(utc $((now + 2)))" "$(utc $((now + 6)))" >"$T/rec1252.ics"
lectern_config "$T/rec.conf" "[schedule]" "source = ics" "ics = $T/rec1252.ics"
paced_mic "$T/rec.fifo" "$(speech_raw 20)"
ALSA_CONFIG_PATH=$(alsa_conf "$T/rec.fifo") "$LECTERN" --config "$T/rec.conf" run --headless \
	>"$T/rec.out" 2>"$T/rec.err" &
rec_pid=$!
CHILDREN+=("$rec_pid")
wait_for 20 "[ \"\$(sql \"select count(*) from recordings where state='queued'\")\" = 1 ]"
kill -TERM "$rec_pid" 2>/dev/null
wait "$rec_pid" 2>/dev/null
want=$(printf 'Caf\xc3\xa9 talk \xe2\x82\xac|Jos\xc3\xa9 M\xc3\xbcller')
check "a recording from a Windows-1252 event: its title and presenter are UTF-8 in the store" \
	test "$(sql "select title||'|'||presenter from recordings")" = "$want"
path=$(sql "select path from recordings")
check "... and in the Ogg file's tags" \
	bash -c "opusinfo '$path' | grep -qF 'TITLE=$(printf 'Caf\xc3\xa9 talk \xe2\x82\xac')'"
sidecar=$(grep -rlF 'cp1252@lectern.test' "$T/data" --include='*.json' 2>/dev/null | head -1)
check "... and in its sidecar (found: ${sidecar:-none})" python3 - "${sidecar:-/nonexistent}" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
assert (d["title"], d["presenter"]) == ("Caf\u00e9 talk \u20ac", "Jos\u00e9 M\u00fcller"), d
PY
