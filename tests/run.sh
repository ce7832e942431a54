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
skipped=0
failures=()

count() { # name-prefix, output
	local prefix=$1 line
	while IFS= read -r line; do
		case "$line" in
		*"# SKIP"*) skipped=$((skipped + 1)); echo "  $line" ;;
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
	local started=$SECONDS
	out=$(timeout --kill-after=10 "$limit" "$@" 2>"$BUILD/tests/$(basename "$label").stderr")
	rc=$?
	count "$label" <<<"$out"
	echo "  # $((SECONDS - started)) s"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
		# Died or timed out without saying which test: count it as one failure.
		failed=$((failed + 1))
		failures+=("$label: exited $rc without a report (see $BUILD/tests/$(basename "$label").stderr)")
		echo "  not ok - $label exited $rc"
		tail -5 "$BUILD/tests/$(basename "$label").stderr" | sed 's/^/  # /'
	fi
}

mkdir -p "$BUILD/tests"
# Under `make asan`, every process's sanitizer report lands in one directory; any report is a
# failure even when the process's exit code was not what a test looked at.
if [ -n "${SANITIZER_LOGS:-}" ]; then
	rm -rf "$SANITIZER_LOGS"
	mkdir -p "$SANITIZER_LOGS"
	export ASAN_OPTIONS="log_path=$SANITIZER_LOGS/asan:detect_leaks=1"
	export UBSAN_OPTIONS="log_path=$SANITIZER_LOGS/ubsan:print_stacktrace=1:halt_on_error=1"
	export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp:print_suppressions=0"
fi
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

if [ -n "${SANITIZER_LOGS:-}" ]; then
	echo "== sanitizer reports"
	reports=$(find "$SANITIZER_LOGS" -type f -size +0 | sort)
	if [ -n "$reports" ]; then
		failed=$((failed + 1))
		failures+=("sanitizers: reports in $SANITIZER_LOGS")
		echo "  not ok - sanitizer reports:"
		head -40 $reports | sed 's/^/  # /'
	else
		passed=$((passed + 1))
		echo "  ok - no AddressSanitizer, LeakSanitizer or UBSan report from any process"
	fi
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
	echo
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
