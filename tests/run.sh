#!/bin/bash
# Runs the whole suite and ends with "N passed, N failed".
#   unit tests: cmocka binaries in $BUILD/tests/unit, TAP output
#   integration: tests/integration/test_*.sh, TAP-style "ok - name" / "not ok - name"
# Every test file runs under a time limit so that a hang fails instead of stalling CI.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export LECTERN_BIN=$(realpath "${LECTERN_BIN:-$BUILD/lectern}")
export BUILD=$(realpath "$BUILD")
export LECTERN_TEST_ROOT=$(pwd)/tests
ONLY=${1:-}

passed=0
failed=0
failures=()

count() { # name-prefix, output
	local prefix=$1 line
	while IFS= read -r line; do
		case "$line" in
		"not ok"*) failed=$((failed + 1)); failures+=("$prefix: ${line#not ok }"); echo "  $line" ;;
		"ok"*) passed=$((passed + 1)); echo "  $line" ;;
		"#"*) echo "  $line" ;;
		esac
	done
}

run_file() { # label, limit seconds, command...
	local label=$1 limit=$2
	shift 2
	local out rc
	echo "== $label"
	out=$(timeout --kill-after=10 "$limit" "$@" 2>"$BUILD/tests/$(basename "$label").stderr")
	rc=$?
	count "$label" <<<"$out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
		# Died or timed out without saying which test: count it as one failure.
		failed=$((failed + 1))
		failures+=("$label: exited $rc without a report (see $BUILD/tests/$(basename "$label").stderr)")
		echo "  not ok - $label exited $rc"
		tail -5 "$BUILD/tests/$(basename "$label").stderr" | sed 's/^/  # /'
	fi
}

mkdir -p "$BUILD/tests"
for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d|*.o) continue ;; esac
	[ -n "$ONLY" ] && [[ "$t" != *"$ONLY"* ]] && continue
	CMOCKA_MESSAGE_OUTPUT=TAP run_file "unit/$(basename "$t")" 120 "$t"
done
for t in tests/integration/test_*.sh; do
	[ -n "$ONLY" ] && [[ "$t" != *"$ONLY"* ]] && continue
	run_file "${t#tests/}" 300 bash "$t"
done

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
	echo
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
