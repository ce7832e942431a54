#!/bin/bash
# Hostile roster files through `lectern config check` (the same loader as the check-in screen):
# a spreadsheet's BOM, CRLF and semicolons; binary garbage; 50 MB; 100k rows; control
# characters. Each is said with FILE:LINE or what was refused, a bounded number of lines, in
# bounded time and memory, and no row's content (names) is printed.
source "$(dirname "$0")/../lib/common.sh"

R="$T/rosters"
mkdir -p "$R"
conf() { lectern_config "$T/c.conf" "[checkin]" "roster = $1"; }
run_check() { # FILE -> $T/out: config check's stderr; $T/time: "seconds KB"
	conf "$1"
	/usr/bin/time -f "%e %M" -o "$T/time" "$LECTERN" --config "$T/c.conf" config check \
		>/dev/null 2>"$T/out"
}
under() { # SECONDS MAX_KB: the last run stayed within both
	read -r s kb <"$T/time"
	awk -v s="$s" -v kb="$kb" -v ms="$1" -v mk="$2" 'BEGIN { exit !(s <= ms && kb <= mk) }'
}

printf '\xEF\xBB\xBFname;email;badge\r\nAda Semicolon;ada.semi@example.org;B1\r\n"Hopper; Grace";grace.semi@example.org;\r\n' >"$R/semi.csv"
run_check "$R/semi.csv"
check "semicolons, BOM, CRLF: loaded without a problem" bash -c "! grep -q roster '$T/out'"

printf 'name;email;badge\r\nJos\xe9 M\xfcller;jose@example.org;B1\r\n\x93Bob\x94 Sm\xeeth;bob@example.org;\r\n' >"$R/excel1252.csv"
run_check "$R/excel1252.csv"
check "Excel's Windows-1252 CSV: read as that, said once, no bad row" \
	bash -c "test \$(grep -c 'excel1252.csv is not UTF-8: read as Windows-1252' '$T/out') -eq 1 && ! grep -q 'row skipped' '$T/out'"
check "... without a name in what it says" bash -c "! grep -qE 'Jos|Bob|example.org' '$T/out'"

head -c 3000000 /dev/urandom >"$R/garbage.csv"
run_check "$R/garbage.csv"
check "3 MB of binary garbage: at most 21 lines about it, FILE:LINE and the rest counted" \
	bash -c "test \$(grep -c 'garbage.csv' '$T/out') -le 21 && grep -q 'garbage.csv:[0-9]*: not UTF-8 text' '$T/out' && grep -q 'more bad rows not listed' '$T/out'"
check "... in bounded time and memory" under 5 100000

head -c 52428800 /dev/zero | tr '\0' 'a' >"$R/huge.csv"
run_check "$R/huge.csv"
check "50 MB: only its first 8 MB are read, and it says so" \
	grep -q 'huge.csv: larger than 8 MB: only its start is read' "$T/out"
check "... in bounded time and memory" under 5 100000

python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write("Person %d,p%d@example.org,B%d\n" % (i, i, i))' "$R/big.csv"
run_check "$R/big.csv"
check "100k rows: the first 2000 kept, the line where it stopped said" \
	grep -q 'big.csv:2001: the roster is full' "$T/out"
check "... in bounded time and memory" under 5 100000

printf 'Ev\x01il Ctl-Name,e@example.org,\nBad \xff\xfe Ctl-Name,b@example.org,\nEsc \x1b[31mCtl-Name,esc@example.org,\nRTL \xe2\x80\x8fCtl-Name,r@example.org,\n' >"$R/ctl.csv"
run_check "$R/ctl.csv"
check "control characters and invalid UTF-8: refused with FILE:LINE" \
	bash -c "grep -q 'ctl.csv:1: a control character' '$T/out' && grep -q 'ctl.csv:2: not UTF-8 text' '$T/out' && grep -q 'ctl.csv:3: a control character' '$T/out' && ! grep -q 'ctl.csv:4' '$T/out'"
check "no row's content is printed" bash -c "! grep -qE 'Ctl-Name|Semicolon|example.org' '$T/out'"
