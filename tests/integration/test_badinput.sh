#!/bin/bash
# Bad input gets a clear error naming what was wrong and where, the documented exit code,
# and never damages what is already recorded.
source "$(dirname "$0")/../lib/common.sh"

SPEECH=$(speech_raw 10)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
lectern_config "$T/lectern.conf"

# A good recording first: nothing below may damage it.
"$LECTERN" --config "$T/lectern.conf" record --out "$T/keep.opus" --seconds 2 >/dev/null 2>&1
keep_sum=$(sha256sum <"$T/keep.opus")
check "the recording and the database (attendees' names) are the service user's alone" \
	test "$(stat -c %a "$T/keep.opus" "$T/data/lectern.db")" = "$(printf '600\n600')"

# expect_error NAME EXIT_CODE MESSAGE_REGEX COMMAND...
expect_error() {
	local name=$1 code=$2 re=$3
	shift 3
	"$@" >"$T/e.out" 2>"$T/e.err"
	local rc=$?
	if [ $rc -ne "$code" ]; then
		not_ok "$name" "exit $rc, wanted $code: $(head -c 300 "$T/e.err")"
	elif ! grep -Eq -- "$re" "$T/e.err"; then
		not_ok "$name" "message was: $(head -c 300 "$T/e.err")"
	else
		ok "$name"
	fi
}

# Configuration files: FILE:LINE: KEY: what is wrong, exit 2 --------------------------------
bad() { # NAME EXPECTED_REGEX LINES...
	local name=$1 re=$2
	shift 2
	printf '%s\n' "$@" >"$T/bad.conf"
	expect_error "bad config: $name" 2 "$re" "$LECTERN" --config "$T/bad.conf" config check
}
bad "unknown key" "^lectern: $T/bad.conf:3: device.colour: unknown key$" \
	"[device]" "room = A" "colour = blue"
bad "unknown section" "^lectern: $T/bad.conf:3: speakers.volume: unknown section \[speakers\]$" \
	"# comment" "[speakers]" "volume = 3"
bad "out of range" "^lectern: $T/bad.conf:4: recording.bitrate_kbps: 9999 is out of range \(6 to 510\)$" \
	"[device]" "room = A" "[recording]" "bitrate_kbps = 9999"
bad "not a number" "^lectern: $T/bad.conf:2: recording.complexity: 'high' is not a whole number$" \
	"[recording]" "complexity = high"
bad "bad choice" "^lectern: $T/bad.conf:3: recording.frame_ms: '7' is not one of: 2.5 5 10 20 40 60$" \
	"[recording]" "" "frame_ms = 7"
bad "syntax" "^lectern: $T/bad.conf:2: syntax error" "[device]" "this line has no equals sign"
bad "key outside a section" "^lectern: $T/bad.conf:1: room: key outside any \[section\]$" "room = A"
bad "file source without a file" "^lectern: $T/bad.conf.*audio.file: source = file needs a file" \
	"[audio]" "source = file"
bad "upload window" "^lectern: $T/bad.conf:3: upload.window: '7pm-7am' is not a time range like 19:00-07:00$" \
	"[upload]" "target = none" "window = 7pm-7am"
bad "webdav without a URL" "^lectern: $T/bad.conf.*upload.url: target = webdav needs an http:// or https:// URL" \
	"[upload]" "target = webdav" "url = ftp://example.org/"
bad "unknown upload target" "^lectern: $T/bad.conf:2: upload.target: 'ftp' is not one of: none folder webdav opencast$" \
	"[upload]" "target = ftp"
bad "opencast without a URL" "^lectern: $T/bad.conf.*opencast.url: .*opencast needs the server's URL" \
	"[upload]" "target = opencast"
bad "missing password file" "^lectern: $T/bad.conf:5: upload.password_file: cannot read '$T/missing.pw': No such file" \
	"[upload]" "target = webdav" "url = https://dav.example.org/" "user = rec" "password_file = $T/missing.pw"
printf 'secret\n' >"$T/open.pw"
chmod 0644 "$T/open.pw"
bad "password file readable by others" \
	"^lectern: $T/bad.conf:5: upload.password_file: '$T/open.pw' is readable by others \(mode 0644\): chmod 0600 it$" \
	"[upload]" "target = webdav" "url = https://dav.example.org/" "user = rec" "password_file = $T/open.pw"
lectern_config "$T/open.conf" "[schedule]" "user = r" "password_file = $T/open.pw"
expect_error "a password file readable by others also stops the appliance's start" 2 \
	"schedule.password_file: '$T/open.pw' is readable by others" \
	"$LECTERN" --config "$T/open.conf" record --seconds 1
chmod 0640 "$T/open.pw"
bad "Basic auth over plain http://" \
	"^lectern: $T/bad.conf:3: upload.url: \[upload\] auth = basic over plain http:// sends the password readable" \
	"[upload]" "target = webdav" "url = http://dav.example.org/" "user = rec" "password_file = $T/open.pw"
printf '[upload]\ntarget = webdav\nurl = http://dav.example.org/\nuser = rec\npassword_file = %s\nallow_insecure_auth = yes\n' \
	"$T/open.pw" >"$T/insecure.conf"
check "allow_insecure_auth = yes: accepted (group-readable 0640 password file), with a warning" \
	bash -c "'$LECTERN' --config '$T/insecure.conf' config check 2>&1 | grep -q 'sent readable over plain http://'"
bad "user without a password file" "^lectern: $T/bad.conf:3: schedule.user: a user needs password_file" \
	"[schedule]" "source = none" "user = reader"
bad "night range" "^lectern: $T/bad.conf:2: ui.night: 'late' is not a time range" "[ui]" "night = late"
bad "rotation" "^lectern: $T/bad.conf:2: ui.rotation: must be 0, 90, 180 or 270, not 45" "[ui]" "rotation = 45"
bad "PIN" "^lectern: $T/bad.conf:2: ui.pin: a PIN is up to 8 digits" "[ui]" "pin = abcd"
bad "empty room" "^lectern: $T/bad.conf:2: device.room: must not be empty" "[device]" "room ="
expect_error "missing config file" 2 "^lectern: $T/none.conf: cannot open: No such file" \
	"$LECTERN" --config "$T/none.conf" record --seconds 1
printf '[recording]\nbitrate_kbps = 0\n' >"$T/bad-bitrate.conf"
expect_error "bad config stops record too, before touching anything" 2 "bitrate_kbps" \
	"$LECTERN" --config "$T/bad-bitrate.conf" record --seconds 1
expect_error "bad config via LECTERN_CONFIG" 2 "^lectern: $T/bad-bitrate.conf:2: recording.bitrate_kbps" \
	env LECTERN_CONFIG="$T/bad-bitrate.conf" "$LECTERN" record --seconds 1
# Not text, or not a file: refused before anything is applied (a NUL once hid the next line).
printf '[recording]\n# note\0 NUL\nmin_free_mb = 5000\n' >"$T/nul.conf"
expect_error "NUL byte in a comment: refused with its line" 2 \
	"^lectern: $T/nul.conf:2: holds a NUL byte: this is not a text file$" \
	"$LECTERN" --config "$T/nul.conf" record --seconds 1
expect_error "a directory as --config: refused, not the built-in defaults" 2 \
	"^lectern: $T: is a directory" "$LECTERN" --config "$T" config check
expect_error "/dev/zero as --config: refused at once" 2 "^lectern: /dev/zero: is not a regular file" \
	timeout 10 "$LECTERN" --config /dev/zero config check
mkfifo "$T/fifo.conf"
expect_error "a FIFO as --config: refused at once" 2 "^lectern: $T/fifo.conf: is not a regular file" \
	timeout 10 "$LECTERN" --config "$T/fifo.conf" config check
check "the sample config passes its own check" "$LECTERN" --config "$TESTS/../board/lectern.conf" config check

# The room's roster: bad rows are warnings with FILE:LINE and what is wrong (check-in loads the
# rest), a roster that cannot be read an error naming its path.
printf 'name,email,badge\nAda Lovelace,ada@example.org,B-1\nbroken row,nope,\n"unclosed,x@example.org,\nGrace Hopper,grace@example.org,B-2\n' \
	>"$T/roster.csv"
printf '[checkin]\nroster = %s\n' "$T/roster.csv" >"$T/roster.conf"
"$LECTERN" --config "$T/roster.conf" config check >"$T/roster.out" 2>"$T/roster.err"
rc=$?
check "config check: roster rows in error are warnings naming FILE:LINE and what is wrong" \
	bash -c "test $rc -eq 0 && grep -q ': OK$' '$T/roster.out' &&
	grep -qx 'lectern: warning: roster: $T/roster.csv:3: the e-mail address is not one (name@domain); row skipped' '$T/roster.err' &&
	grep -qx 'lectern: warning: roster: $T/roster.csv:4: a quote is not closed; row skipped' '$T/roster.err' &&
	test \$(grep -c 'warning: roster:' '$T/roster.err') -eq 2 && ! grep -q 'Ada\|Grace' '$T/roster.err'"
printf '[checkin]\nroster = %s\n' "$T/no-roster.csv" >"$T/roster.conf"
expect_error "config check: a missing roster is an error naming its path" 2 \
	"^lectern: $T/roster.conf: checkin.roster: $T/no-roster.csv: cannot read it: No such file" \
	"$LECTERN" --config "$T/roster.conf" config check
printf '[checkin]\nroster = %s\n' "$T" >"$T/roster.conf"
expect_error "config check: a roster that cannot be read (a directory) is an error naming it" 2 \
	"^lectern: $T/roster.conf: checkin.roster: $T: cannot read it: Is a directory" \
	"$LECTERN" --config "$T/roster.conf" config check

# Devices -------------------------------------------------------------------------------------
expect_error "missing ALSA device: exit 3 and what to do" 3 "microphone 'nosuchpcm' not found.*arecord -L" \
	"$LECTERN" --config "$T/lectern.conf" record --device nosuchpcm --seconds 1
printf 'not audio' >"$T/bad.wav"
expect_error "not a WAV file: exit 3" 3 "not a WAV file" \
	"$LECTERN" --config "$T/lectern.conf" record --file "$T/bad.wav" --seconds 1
sox -n -r 48000 -b 24 -c 1 "$T/24bit.wav" synth 1 sine 440
expect_error "unsupported sample format: exit 3 naming it" 3 "not 16-bit PCM \(format 1, 24 bits\)" \
	"$LECTERN" --config "$T/lectern.conf" record --file "$T/24bit.wav" --seconds 1
expect_error "missing audio file: exit 3" 3 "cannot open audio file $T/nothere.wav" \
	"$LECTERN" --config "$T/lectern.conf" record --file "$T/nothere.wav" --seconds 1
lectern_config "$T/auto.conf"
sed -i 's/^source = alsa$/source = auto\ndevice = nosuchpcm/' "$T/auto.conf"
expect_error "auto source, no microphone and no demo file: exit 3" 3 "no microphone found" \
	"$LECTERN" --config "$T/auto.conf" record --seconds 1
sox -t raw -r 48000 -c 1 -b 16 -e signed "$SPEECH" "$T/demo.wav" trim 0 1
sed -i "s|^device = nosuchpcm$|device = nosuchpcm\nfile = $T/demo.wav|" "$T/auto.conf"
"$LECTERN" --config "$T/auto.conf" record --out "$T/auto.opus" --seconds 1 >/dev/null 2>"$T/auto.err"
check "auto source without a microphone says it uses the demo file, and records" \
	bash -c "grep -q 'no microphone found: using the audio file' '$T/auto.err' && opusinfo '$T/auto.opus'"

# Storage -------------------------------------------------------------------------------------
lectern_config "$T/spool.conf" "[device]" "spool_dir = /proc/lectern-spool"
expect_error "unwritable spool: exit 4 naming the key and path" 4 \
	"spool_dir /proc/lectern-spool is not a writable directory" \
	"$LECTERN" --config "$T/spool.conf" record --seconds 1
expect_error "existing output file: refused, exit 2" 2 "already exists; lectern never overwrites" \
	"$LECTERN" --config "$T/lectern.conf" record --out "$T/keep.opus" --seconds 1
lectern_config "$T/full.conf"
sed -i 's/^min_free_mb = 1$/min_free_mb = 1000000/' "$T/full.conf"
expect_error "free space below the floor at the start: exit 4, said as storage" 4 \
	"cannot start: Storage is almost full" \
	"$LECTERN" --config "$T/full.conf" record --seconds 1
expect_error "--out into a directory that does not exist: exit 2 naming it" 2 \
	"--out $T/nowhere/x.opus: the directory $T/nowhere: No such file" \
	"$LECTERN" --config "$T/lectern.conf" record --out "$T/nowhere/x.opus" --seconds 1

# Command line --------------------------------------------------------------------------------
expect_error "bad --seconds" 2 "--seconds 'soon' must be a whole number" \
	"$LECTERN" --config "$T/lectern.conf" record --seconds soon
expect_error "bad --bitrate" 2 "--bitrate '1' must be 6 to 510" \
	"$LECTERN" --config "$T/lectern.conf" record --bitrate 1
expect_error "unknown command" 2 "unknown command 'fly'" "$LECTERN" fly
expect_error "unknown option" 2 "unknown option '--fast'" "$LECTERN" --fast run
# The commands' shared parsers (cli_flags, cmd_parse_format) refuse before anything is opened.
expect_error "run: an argument it does not take" 2 "^lectern: run: unexpected argument 'now'$" \
	timeout 20 "$LECTERN" --config "$T/lectern.conf" run now
expect_error "status: an option it does not know" 2 "unrecognized option '--fast'" \
	timeout 20 "$LECTERN" --config "$T/lectern.conf" status --fast
expect_error "doctor: an argument after --json" 2 "^lectern: doctor: unexpected argument 'x'$" \
	timeout 20 "$LECTERN" --config "$T/lectern.conf" doctor --json x
check "status --help: its usage on stdout, exit 0" \
	bash -c "timeout 20 '$LECTERN' status --help >'$T/h.out' && grep -q '^Usage: lectern status \[--json\]$' '$T/h.out'"
expect_error "stats: --csv and --json together" 2 "^lectern stats: --csv and --json: one or the other$" \
	"$LECTERN" --config "$T/lectern.conf" stats --csv --json
expect_error "attendance: --json and --csv together" 2 \
	"^lectern attendance: --csv and --json: one or the other$" \
	"$LECTERN" --config "$T/lectern.conf" attendance --json --csv

# Nothing was corrupted -------------------------------------------------------------------------
check "the earlier recording is byte-identical" test "$(sha256sum <"$T/keep.opus")" = "$keep_sum"
check "the store passes SQLite's integrity check" test "$(sql "pragma integrity_check")" = ok
check "the earlier recording is still queued" \
	test "$(sql "select state from recordings where path='$T/keep.opus'")" = queued
