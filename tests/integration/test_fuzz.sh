#!/bin/bash
# A short libFuzzer run over the calendar ingestion path, seeded with the ICS fixtures
# (`make fuzz` runs longer). Any crash, sanitizer report, leak or 10 s hang fails it.
source "$(dirname "$0")/../lib/common.sh"

FUZZ="$BUILD/fuzz/fuzz_calendar"
if [ ! -x "$FUZZ" ]; then
	not_ok "calendar fuzzer builds" "$FUZZ is missing"
	exit 0
fi
mkdir -p "$T/corpus"
cp "$TESTS"/fixtures/ics/*.ics "$T/corpus/" 2>/dev/null
# The sanitizer options of `make asan` are for our own processes, not for libFuzzer's.
env -u ASAN_OPTIONS -u UBSAN_OPTIONS "$FUZZ" -max_total_time="${FUZZ_SECONDS:-20}" \
	-max_len=65536 -timeout=10 -rss_limit_mb=1024 -artifact_prefix="$T/" "$T/corpus" \
	>"$T/fuzz.log" 2>&1
rc=$?
runs=$(grep -o 'Done [0-9]* runs' "$T/fuzz.log" | grep -o '[0-9]*')
echo "# $runs inputs in ${FUZZ_SECONDS:-20} s"
if [ $rc -ne 0 ]; then
	grep -m5 -A10 'ERROR\|SUMMARY' "$T/fuzz.log" | sed 's/^/# /'
	mkdir -p "$BUILD/fuzz/crashes"
	cp "$T"/crash-* "$T"/leak-* "$T"/timeout-* "$BUILD/fuzz/crashes/" 2>/dev/null
fi
check "calendar ingestion survives fuzzing: no crash, leak or hang (exit $rc)" test $rc -eq 0
check "the fuzzer actually ran inputs" test "${runs:-0}" -gt 100
