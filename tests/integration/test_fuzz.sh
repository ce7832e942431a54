#!/bin/bash
# libFuzzer runs over every parser of outside input, one target after the other, each seeded
# with its fixtures (tests/fixtures/...) and seeds (tests/fuzz/seeds/NAME/, which also keep
# every input that once found a bug). Any crash, sanitizer report, leak or 10 s hang fails.
# FUZZ_SECONDS per target: 6 in `make test` (under a minute for the eight), longer in
# `make fuzz`.
# Corpus, crash files and log of each target stay in $BUILD/fuzz/NAME/, never in the checkout.
source "$(dirname "$0")/../lib/common.sh"

SECONDS_EACH=${FUZZ_SECONDS:-6}

# NAME SEED-DIR...: fuzz one target.
fuzz() {
	local name=$1 bin="$BUILD/fuzz/fuzz_$1" dir="$BUILD/fuzz/$1"
	shift
	if [ ! -x "$bin" ]; then
		not_ok "$name fuzzer builds" "$bin is missing"
		return
	fi
	mkdir -p "$dir/corpus"
	# The sanitizer options of `make asan` are for our own processes, not for libFuzzer's.
	env -u ASAN_OPTIONS -u UBSAN_OPTIONS "$bin" -max_total_time="$SECONDS_EACH" \
		-max_len=65536 -timeout=10 -rss_limit_mb=1024 -artifact_prefix="$dir/" \
		"$dir/corpus" "$@" >"$dir/fuzz.log" 2>&1
	local rc=$? runs
	# "Done N runs" at the end; a run that stopped at a finding only has its last "#N" line.
	runs=$(grep -o 'Done [0-9]* runs' "$dir/fuzz.log" | grep -o '[0-9]*')
	[ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$dir/fuzz.log" | tail -1 | tr -d '#')
	echo "# $name: ${runs:-0} inputs in $SECONDS_EACH s"
	if [ $rc -ne 0 ]; then
		grep -m5 -A10 'ERROR\|SUMMARY' "$dir/fuzz.log" | sed 's/^/# /'
		ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null | sed 's/^/# kept: /'
	fi
	check "$name: no crash, leak or hang under fuzzing (exit $rc, log $dir/fuzz.log)" \
		test $rc -eq 0
	check "$name: the fuzzer actually ran inputs" test "${runs:-0}" -gt 100
}

SEEDS="$TESTS/fuzz/seeds"
fuzz calendar "$TESTS/fixtures/ics" "$SEEDS/calendar"
fuzz config "$TESTS/fixtures/config" "$SEEDS/config"
fuzz registry "$SEEDS/registry"
fuzz mediapackage "$SEEDS/mediapackage"
fuzz properties "$SEEDS/properties"
fuzz http "$SEEDS/http"
fuzz roster "$SEEDS/roster"
fuzz badge "$SEEDS/badge"
