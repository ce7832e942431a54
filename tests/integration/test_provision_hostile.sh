#!/bin/bash
# `lectern provision` against what a hostile (or hurried) administrator gives it: room names
# and URLs the configuration cannot hold or the service cannot use are refused naming why;
# password files that are a FIFO nobody writes to (bounded wait), a directory, empty; a re-run
# against a hand-edited file (CRLF, comments after values, no final line end) changes only the
# room's line, byte for byte; --dry-run touches no file (mtimes); a read-only root is refused
# with exit 4 and nothing half-written; kill -9 at random moments (bounded drill) always
# leaves the old or the new configuration, loading, never new secrets beside the old one.
source "$(dirname "$0")/../lib/common.sh"

R="$T/root"
CONF="$R/etc/lectern/lectern.conf"
mkdir -p "$R/etc/lectern" "$R/srv/share"
printf 'pw-one\n' >"$T/pw1"
printf 'pw-two\r\n' >"$T/pw2" # CRLF: the line end is not part of the password

# prov NAME ARGS...: run provision under $R, output in $T/NAME.out / .err, exit code in $T/NAME.rc
prov() {
	local name=$1
	shift
	"$LECTERN" provision --root "$R" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	echo $? >"$T/$name.rc"
}
rc_is() { [ "$(cat "$T/$1.rc")" = "$2" ]; }
err_has() { grep -qF -- "$2" "$T/$1.err"; }
nothing_in_root() { [ -z "$(find "$R" -type f)" ]; }

# --- values the configuration cannot hold --------------------------------------------------
prov nl --room "$(printf 'Room\n[upload]')" --no-check
check "a room with a line end is refused (exit 2)" rc_is nl 2
check "... shown escaped, naming why" err_has nl "'Room\\n[upload]' cannot be written to the configuration: it has a line end"
prov sp --room ' Lead' --no-check
check "a room with a leading space is refused, naming the space" err_has sp "starts or ends with a space"
prov semi --room 'A ; B' --no-check
check "a room with ' ;' is refused as a comment" err_has semi "starts a comment"
prov utf --room "$(printf 'Caf\xe9')" --no-check
check "a room that is not UTF-8 is refused, the byte shown as \\xe9" err_has utf "'Caf\\xe9'"
check "... naming UTF-8" err_has utf "not valid UTF-8"
prov space --room A --target webdav --url 'https://dav.example/a b' --no-check
check "a URL with a space is refused, naming where" err_has space "--url has a space at character 22"
prov ftpcal --room A --calendar 'ftp://cal.example/room.ics' --no-check
check "an ftp:// calendar is refused" err_has ftpcal "not an http:// or https:// URL"
prov relcal --room A --calendar 'room.ics' --no-check
check "a relative calendar file is refused" err_has relcal "an absolute file"
check "none of these wrote anything" nothing_in_root
"$LECTERN" provision --root "$T/no-such-root" --room A --no-check >/dev/null 2>"$T/noroot.err"
check "a --root that does not exist is refused, not created" \
	bash -c "grep -q 'no-such-root: No such file' '$T/noroot.err' && [ ! -e '$T/no-such-root' ]"

# --- a configuration lectern run would refuse is not called good -----------------------------
mkdir -p "$R/etc/lectern"
printf '[device]\nroom = A\nthis line is neither a key nor a section\n' >"$CONF"
cp "$CONF" "$T/syntax.conf"
prov syntax --room B --pin 2468 --no-check
check "a configuration with a syntax error: refused (exit 2), naming its line as config check does" \
	bash -c "[ \"\$(cat '$T/syntax.rc')\" = 2 ] && grep -q '^lectern: /etc/lectern/lectern.conf:3: syntax error' '$T/syntax.err'"
check "... and left as it was" cmp "$T/syntax.conf" "$CONF"
{ printf '[device]\nroom = A\n'; for i in $(seq 1 8000); do echo "# filler comment line number $i"; done; } >"$CONF"
prov big256 --room B --no-check
check "a 270 KB configuration (config_load's limit is 256 KiB): refused by that limit" \
	err_has big256 "larger than 256 KiB"
rm -rf "$R/etc"

# --- a configuration too large to be one is not taken for a missing one ----------------------
mkdir -p "$R/etc/lectern"
{ echo '[device]'; for i in $(seq 1 40000); do echo "# filler comment line number $i, kept"; done; } >"$CONF"
cp "$CONF" "$T/big.conf"
prov big --room A --no-check
check "a 1.7 MB configuration: refused (exit 2), saying it is too large" \
	bash -c "[ \"\$(cat '$T/big.rc')\" = 2 ] && grep -q 'File too large' '$T/big.err'"
check "... and left as it was (not replaced by a new one)" cmp "$T/big.conf" "$CONF"
rm -rf "$R/etc"

# --- password files ---------------------------------------------------------------------------
mkfifo "$T/fifo"
start=$(date +%s)
prov fifo --room A --user u --password-file "$T/fifo" --no-check
took=$(($(date +%s) - start))
echo "# a FIFO nobody writes to: provision gave up after ${took} s"
check "a password FIFO nobody writes to: refused within 15 s" [ "$took" -le 15 ]
check "... saying so (exit 2)" bash -c "[ \"\$(cat '$T/fifo.rc')\" = 2 ] && grep -q 'nothing came from the password file' '$T/fifo.err'"
(sleep 1; echo 'pw-late' >"$T/fifo") &
CHILDREN+=($!)
prov fifolate --room A --user u --password-file "$T/fifo" --target folder --url /srv/share --no-check
check "a FIFO written a second later is read" grep -qx 'pw-late' "$R/etc/lectern/upload.password"
rm -rf "$R/etc"
mkdir -p "$T/adir" "$R/etc"
prov dir --room A --user u --password-file "$T/adir" --no-check
check "a password 'file' that is a directory is refused as one" err_has dir "is a directory"
: >"$T/empty"
prov empty --room A --user u --password-file "$T/empty" --no-check
check "an empty password file is refused" err_has empty "no password in"
check "... nothing written" nothing_in_root

# --- a re-run against a hand-edited file --------------------------------------------------------
mkdir -p "$R/etc/lectern"
printf '# mine\r\n[upload]\r\ntarget = none ; keep\r\n\r\n[device]\r\nroom = Old   ; the old name\r\n' >"$CONF"
printf '[recording]\r\nbitrate_kbps=24' >>"$CONF"
printf '# mine\r\n[upload]\r\ntarget = none ; keep\r\n\r\n[device]\r\nroom = New   ; the old name\r\n' >"$T/want.conf"
printf '[recording]\r\nbitrate_kbps=24' >>"$T/want.conf"
prov rerun --room New --no-check
check "a re-run on a CRLF file without a final line end changes the room's line only (cmp)" \
	cmp "$T/want.conf" "$CONF"

# --- --dry-run writes nothing -------------------------------------------------------------------
rm -rf "$R/etc"
prov first --room Old --pin 2468 --user u --password-file "$T/pw1" --target folder --url /srv/share \
	--no-check
check "a first provision with a folder target works" bash -c "grep -q 'room = Old' '$CONF' && [ -f '$R/etc/systemd/system/lectern.service.d/paths.conf' ]"
sleep 1.1 # mtimes have a resolution of their own: a second apart at least
snapshot() { find "$R" -printf '%p %T@ %m %s\n' | sort; }
snapshot >"$T/before.ls"
prov dry --room New --pin 1357 --user u2 --password-file "$T/pw2" --target webdav \
	--url https://dav.example/x --dry-run
snapshot >"$T/after.ls"
check "--dry-run lists the changes" grep -q 'room: Old -> New' "$T/dry.out"
check "--dry-run changed no file, mode or mtime under the root" cmp "$T/before.ls" "$T/after.ls"

# --- a read-only root ----------------------------------------------------------------------------
if [ "$(id -u)" = 0 ] && mkdir -p "$T/ro" && mount --bind "$R" "$T/ro" 2>/dev/null; then
	if mount -o remount,bind,ro "$T/ro" 2>/dev/null; then
		snapshot >"$T/before.ls"
		"$LECTERN" provision --root "$T/ro" --room New --pin 1357 --user u2 --password-file "$T/pw2" \
			--no-check >"$T/ro.out" 2>"$T/ro.err" </dev/null
		echo $? >"$T/ro.rc"
		snapshot >"$T/after.ls"
		check "a read-only root: exit 4" rc_is ro 4
		check "... naming the file and the cause" err_has ro "Read-only file system"
		check "... saying nothing was written" err_has ro "nothing was written"
		check "... and nothing was (no file, no temporary file)" cmp "$T/before.ls" "$T/after.ls"
	else
		echo "ok - read-only root # SKIP cannot remount read-only here"
	fi
	umount "$T/ro"
else
	echo "ok - read-only root # SKIP needs root and bind mounts"
fi

# --- kill -9 at random moments ---------------------------------------------------------------------
# Each round: restore the old root, start a provision that changes every file, kill it after
# 0-30 ms. The configuration must be the old or the new one and load (its secret paths mapped
# into the root); its password and PIN files must be those of the same generation.
cp -a "$R" "$T/snap"
mapped_loads() {
	sed "s#= /etc/lectern/#= $R/etc/lectern/#" "$CONF" >"$T/mapped.conf"
	"$LECTERN" --config "$T/mapped.conf" config check >/dev/null 2>&1
}
old_n=0 new_n=0 bad=0
for i in $(seq 1 30); do
	rm -rf "$R"
	cp -a "$T/snap" "$R"
	"$LECTERN" provision --root "$R" --room "New $i" --pin 1357 --user u2 --password-file "$T/pw2" \
		--target webdav --url https://dav.example/x --no-check >/dev/null 2>&1 </dev/null &
	pid=$!
	sleep "0.0$((RANDOM % 3))$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pw=$(cat "$R/etc/lectern/upload.password")
	if cmp -s "$CONF" "$T/snap/etc/lectern/lectern.conf" && [ "$pw" = pw-one ] &&
		cmp -s "$R/etc/lectern/pin.hash" "$T/snap/etc/lectern/pin.hash"; then
		old_n=$((old_n + 1))
	elif grep -q "room = New $i" "$CONF" && [ "$pw" = pw-two ] &&
		! cmp -s "$R/etc/lectern/pin.hash" "$T/snap/etc/lectern/pin.hash"; then
		new_n=$((new_n + 1))
	else
		bad=$((bad + 1))
		echo "# round $i: a mix: $(grep room "$CONF"), password $pw"
	fi
	mapped_loads || { bad=$((bad + 1)); echo "# round $i: the configuration does not load"; }
done
echo "# kill drill: $old_n old, $new_n new, $bad broken of 30"
check "kill -9 at random moments: always the old or the new files, loading" [ "$bad" = 0 ]

# --- the Prometheus file's directory is writable under ProtectSystem=strict ------------------
rm -rf "$R"
mkdir -p "$R/etc/lectern"
printf '[health]\nprometheus_file = /var/lib/prometheus/node-exporter/lectern.prom\n' >"$CONF"
prov prom --room P --no-check
check "[health] prometheus_file outside the state directory gets its ReadWritePaths=" \
	grep -qx 'ReadWritePaths=-/var/lib/prometheus/node-exporter' \
	"$R/etc/systemd/system/lectern.service.d/paths.conf"

# --- nothing outside the root: no temporary files in /tmp, even when killed -------------------
# In a private mount namespace: $T seen at /var/tmp, and a directory of it as /tmp (on the
# disk, not a tmpfs: fsync takes as long as on a real /tmp), so other programs' files do not
# count.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	rm -rf "$R"
	mkdir -p "$R/etc" "$R/srv/share" "$T/private-tmp"
	unshare -m bash -c '
		mount --bind "$1" /var/tmp && mount --bind /var/tmp/private-tmp /tmp || exit 1
		"$0" provision --root /var/tmp/root --room D --pin 2468 --user u \
			--password-file /var/tmp/pw1 --dry-run >/dev/null 2>/var/tmp/dry.err ||
			{ echo "dry run failed: $(cat /var/tmp/dry.err)"; exit 1; }
		for i in 05 1 15 2 25 3 35 4 5 6 8; do
			"$0" provision --root /var/tmp/root --room "K $i" --pin 2468 --user u \
				--password-file /var/tmp/pw1 --no-check >/dev/null 2>&1 </dev/null &
			sleep "0.0$i"
			kill -9 $! 2>/dev/null
			wait $! 2>/dev/null
		done
		ls -A /tmp' "$LECTERN" "$T" >"$T/private-tmp.ls" 2>&1
	echo "# left in a private /tmp: $(tr '\n' ' ' <"$T/private-tmp.ls")"
	check "--dry-run and killed runs leave nothing in /tmp" test ! -s "$T/private-tmp.ls"
	check "... and the last run wrote a configuration (the runs did run)" grep -q 'room = K' "$CONF"
else
	echo "ok - nothing in /tmp # SKIP needs root and unshare -m"
fi

# --- --password-stdin on a terminal: asked for, not echoed, the terminal restored -------------
# (a pseudo-terminal from Python's pty module: ECHO read from its settings, as a shell sees them)
cat >"$T/on_tty.py" <<'PYEOF'
import os, pty, select, sys, termios, time
mode, args = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(args[0], args)
out = b""
def read_for(secs):
    global out
    end = time.time() + secs
    while time.time() < end:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return
            if not d:
                return
            out += d
read_for(2)
echo_while = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
os.write(fd, b"\x03" if mode == "interrupt" else b"typed-Secret-42\n")
read_for(5)
os.waitpid(pid, 0)
echo_after = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
print("prompt" if b"(not shown)" in out else "no-prompt",
      "echo-while" if echo_while else "quiet-while",
      "secret-shown" if b"typed-Secret-42" in out else "secret-hidden",
      "echo-after" if echo_after else "blind-after")
PYEOF
rm -rf "$R"
mkdir -p "$R/etc"
/usr/bin/python3 "$T/on_tty.py" type "$LECTERN" provision --root "$R" --room T --user u --password-stdin \
	--no-check >"$T/pty-type.out" 2>&1
echo "# typed: $(cat "$T/pty-type.out")"
check "--password-stdin on a terminal: a prompt, no echo, echo back after" \
	grep -qx 'prompt quiet-while secret-hidden echo-after' "$T/pty-type.out"
check "... and the typed password is the one written" grep -qx 'typed-Secret-42' "$R/etc/lectern/upload.password"
/usr/bin/python3 "$T/on_tty.py" interrupt "$LECTERN" provision --root "$R" --room T --user u \
	--password-stdin --no-check >"$T/pty-int.out" 2>&1
echo "# Ctrl-C: $(cat "$T/pty-int.out")"
check "... Ctrl-C at the prompt leaves the terminal echoing" grep -q 'echo-after$' "$T/pty-int.out"
