#!/bin/bash
# The Debian package and `make install` (issue 14): `make deb` builds it; dpkg-deb shows the
# files, modes, owners, conffiles and dependencies; it installs, reinstalls, removes and
# purges in a scratch root (dpkg --root, maintainer scripts run chrootless with DPKG_ROOT:
# the service user is made in that root's /etc/passwd, the service enabled there, the
# running systemd and udev left alone) and in a chroot (the scripts' live path);
# `make install DESTDIR=` makes the very tree the package holds; the unit passes
# `systemd-analyze verify` (its man pages found) and scores at most 2.0 on `systemd-analyze
# security`; the board profiles' configs, unit drop-ins and asound.conf parse.
source "$(dirname "$0")/../lib/common.sh"

REPO=$(cd "$TESTS/.." && pwd)
ARCH=$(dpkg --print-architecture)
VERSION=$(sed -n 's/^VERSION := //p' "$REPO/Makefile")
DEB="$BUILD/lectern_${VERSION}_${ARCH}.deb"
BOARDS="pc rpi4-touch7 rpi5"

rm -f "$DEB"
check "make deb builds the package" make -C "$REPO" --no-print-directory BUILD="$BUILD" deb
if [ ! -s "$DEB" ]; then
	not_ok "the package file $DEB exists"
	exit 0
fi

# --- what dpkg-deb says --------------------------------------------------------------------
dpkg-deb -c "$DEB" | awk '{ sub(/^\.\//, "", $6); print $1, $2, $6 }' >"$T/contents"
has() { # has MODE OWNER PATH: one line of the listing
	grep -qxF -e "$1 $2 $3" "$T/contents" || { echo "missing: $*" >&2; return 1; }
}
check "the programs: /usr/bin/lectern, lectern-net and lectern-upload, 0755 root" \
	bash -c "$(declare -f has); T=$T; has -rwxr-xr-x root/root usr/bin/lectern &&
		has -rwxr-xr-x root/root usr/bin/lectern-net && has -rwxr-xr-x root/root usr/bin/lectern-upload"
check "the screen plugin in /usr/lib/lectern, 0644" \
	has -rw-r--r-- root/root usr/lib/lectern/lectern-screen-sdl.so
check "/etc/lectern is 0750 (postinst gives it to group lectern), lectern.conf 0644" \
	bash -c "$(declare -f has); T=$T; has drwxr-x--- root/root etc/lectern/ && has -rw-r--r-- root/root etc/lectern/lectern.conf"
check "the unit and the udev rule in Debian 12's /lib" \
	bash -c "$(declare -f has); T=$T; has -rw-r--r-- root/root lib/systemd/system/lectern.service &&
		has -rw-r--r-- root/root lib/udev/rules.d/99-lectern-backlight.rules"
check "the man pages lectern(1) and lectern.conf(5)" \
	bash -c "$(declare -f has); T=$T; has -rw-r--r-- root/root usr/share/man/man1/lectern.1.gz &&
		has -rw-r--r-- root/root usr/share/man/man5/lectern.conf.5.gz"
check "the board profiles under /usr/share/lectern/boards" bash -c "$(declare -f has); T=$T
	for b in $BOARDS; do has -rw-r--r-- root/root usr/share/lectern/boards/\$b/board.conf || exit 1; done
	has -rw-r--r-- root/root usr/share/lectern/boards/rpi5/asound.conf &&
	has -rw-r--r-- root/root usr/share/lectern/boards/rpi4-touch7/udev/60-lectern-gpio.rules"
check "every file and directory is root's" bash -c "! awk '\$2 != \"root/root\"' '$T/contents' | grep -q ."
check "no make-run demo files in the package" bash -c "! grep -E 'room.ics|boards/pc/lectern.conf' '$T/contents'"

field() { dpkg-deb -f "$DEB" "$1"; }
check "control: package lectern, this version and architecture" \
	test "$(field Package) $(field Version) $(field Architecture)" = "lectern $VERSION $ARCH"
DEPENDS=$(field Depends)
echo "# Depends: $DEPENDS"
depends_on() { grep -qE "(^|, )$1( \(|,|$)" <<<"$DEPENDS"; }
check "Depends names the libraries the binaries link (dpkg-shlibdeps) and the rest" bash -c "
	$(declare -f depends_on); DEPENDS='$DEPENDS'
	for p in libc6 libasound2 libsqlite3-0 libcurl4 libsdl2-2.0-0 libsdl2-ttf-2.0-0 libopusenc0 \
		adduser fonts-dejavu-core; do depends_on \$p || { echo \"no \$p\"; exit 1; }; done"
check "Depends carries versions where the libraries' symbols need them" \
	grep -qE 'libc6 \(>= [0-9.]+\)' <<<"$DEPENDS"
dpkg-deb -I "$DEB" >"$T/info"
check "conffiles: /etc/lectern/lectern.conf" \
	test "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles)" = /etc/lectern/lectern.conf
check "maintainer scripts postinst, prerm, postrm (executable)" bash -c "
	for s in postinst prerm postrm; do grep -qE \"^ +[0-9]+ bytes, +[0-9]+ lines +\\* +\$s \" '$T/info' || exit 1; done"

# --- the man pages ---------------------------------------------------------------------------
mkdir -p "$T/x"
dpkg-deb -x "$DEB" "$T/x"
if command -v man >/dev/null; then
	MANWIDTH=200 man -l "$T/x/usr/share/man/man1/lectern.1.gz" 2>/dev/null >"$T/man1"
	MANWIDTH=200 man -l "$T/x/usr/share/man/man5/lectern.conf.5.gz" 2>/dev/null >"$T/man5"
	check "lectern(1) renders: commands, exit status, files" bash -c "
		grep -q '^NAME' '$T/man1' && grep -q 'lectern - meeting-room kiosk' '$T/man1' &&
		grep -q '^EXIT STATUS' '$T/man1' && grep -q '/etc/lectern/lectern.conf' '$T/man1'"
	# Every key of the option table (the sample) has its entry in lectern.conf(5).
	"$LECTERN" config sample | awk '/^[a-z_]+ = /{print $1}' >"$T/keys"
	missing=$(while read -r k; do grep -qE "^ +$k = " "$T/man5" || echo "$k"; done <"$T/keys")
	check "lectern.conf(5) lists every key of \`lectern config sample\` ($(wc -l <"$T/keys"))" \
		test -z "$missing" -a -s "$T/keys"
fi

# --- make install DESTDIR: the same tree ----------------------------------------------------
check "make install DESTDIR=… runs" make -C "$REPO" --no-print-directory BUILD="$BUILD" \
	DESTDIR="$T/inst" install
tree() { (cd "$1" && find . -printf '%M %u:%g %s %p\n' | sort); }
check "make install's tree equals the package's data tree (paths, modes, owners, sizes)" \
	diff <(tree "$T/inst") <(tree "$T/x")
check "… and the files' contents" diff -r "$T/inst" "$T/x"

# --- install, reinstall, remove, purge in a scratch root --------------------------------------
R="$T/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" "$R/etc"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
# A base system's groups, without render (an older image): postinst must skip it.
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:*:19000:0:99999:7:::\n' >"$R/etc/shadow"
printf 'root:x:0:\naudio:x:29:\nvideo:x:44:\ninput:x:101:\n' >"$R/etc/group"
printf 'root:*::\naudio:*::\nvideo:*::\ninput:*::\n' >"$R/etc/gshadow"
chmod 0600 "$R/etc/shadow" "$R/etc/gshadow"
dpkgr() { dpkg --root="$R" --force-script-chrootless --force-depends --log="$T/dpkg.log" "$@"; }
[ "$(id -u)" = 0 ] || dpkgr() { dpkg --root="$R" --force-not-root --force-script-chrootless \
	--force-depends --log="$T/dpkg.log" "$@"; }
status() { dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${db:Status-Abbrev}' lectern 2>/dev/null | tr -d ' '; }

check "dpkg installs it into a scratch root (maintainer scripts chrootless)" dpkgr -i "$DEB"
cp "$T/check.log" "$T/install.log"
check "the package is installed and configured there (ii)" test "$(status)" = ii
check "postinst leaves the running systemd and udev alone in a foreign root, and says so" \
	grep -q 'not touching udev or the running systemd' "$T/install.log"
check "… and enables the service in that root (deb-systemd-helper with DPKG_ROOT)" \
	test "$(readlink "$R/etc/systemd/system/multi-user.target.wants/lectern.service")" = \
	/lib/systemd/system/lectern.service
if [ "$(id -u)" = 0 ]; then
	check "postinst made the system user lectern (home /var/lib/lectern, no login)" \
		grep -qE '^lectern:x:[0-9]+:[0-9]+:[^:]*:/var/lib/lectern:/usr/sbin/nologin$' "$R/etc/passwd"
	check "… in the groups audio, video and input" bash -c "
		for g in audio video input; do grep -qE \"^\$g:x:[0-9]+:(.*,)?lectern(,|\$)\" '$R/etc/group' || exit 1; done"
	check "… and skipped render, which this root lacks, saying so" \
		grep -q 'group render does not exist here: skipped' "$T/install.log"
	gid=$(awk -F: '$1 == "lectern" { print $3 }' "$R/etc/group")
	uid=$(awk -F: '$1 == "lectern" { print $3 }' "$R/etc/passwd")
	check "/etc/lectern is 0750 root:lectern" test "$(stat -c '%a %u:%g' "$R/etc/lectern")" = "750 0:$gid"
	check "/var/lib/lectern is 0750 lectern:lectern" \
		test "$(stat -c '%a %u:%g' "$R/var/lib/lectern")" = "750 $uid:$gid"
	check "a reinstall (upgrade path) configures again without a second user" \
		bash -c "$(declare -f dpkgr); R='$R' T='$T'; dpkgr -i '$DEB' && test \$(grep -c '^lectern:' '$R/etc/passwd') = 1"
else
	echo "# not root: useradd cannot write the scratch root's passwd; user checks skipped"
	check "postinst says it could not make the user" grep -q 'user lectern not created' "$T/install.log"
fi

# What the appliance and provisioning leave behind: data, a secrets file.
mkdir -p "$R/var/lib/lectern/spool"
echo data >"$R/var/lib/lectern/lectern.db"
echo secret >"$R/etc/lectern/secrets"
mkdir -p "$R/etc/systemd/system/lectern.service.d"
printf "# Written by lectern provision (test)\n[Service]\nReadWritePaths=-/srv/share\n" >"$R/etc/systemd/system/lectern.service.d/paths.conf"
echo "room = Edited" >>"$R/etc/lectern/lectern.conf"
check "dpkg removes it" dpkgr -r lectern
check "remove: the programs are gone" test ! -e "$R/usr/bin/lectern" -a ! -e "$R/usr/bin/lectern-net" -a \
	! -e "$R/usr/bin/lectern-upload" -a ! -e "$R/lib/systemd/system/lectern.service"
check "remove: the data and the edited configuration stay (rc)" bash -c "
	test -s '$R/var/lib/lectern/lectern.db' && grep -q Edited '$R/etc/lectern/lectern.conf' &&
	test -s '$R/etc/lectern/secrets' && test \"\$(dpkg-query --admindir='$R/var/lib/dpkg' -W -f='\${db:Status-Abbrev}' lectern | tr -d ' ')\" = rc"
check "dpkg purges it" dpkgr -P lectern
check "purge: the service's enablement is gone" \
	test ! -e "$R/etc/systemd/system/multi-user.target.wants/lectern.service" -a \
	! -L "$R/etc/systemd/system/multi-user.target.wants/lectern.service"
check "purge: configuration, secrets, provision's drop-in and data are gone" \
	test ! -e "$R/etc/lectern" -a ! -e "$R/var/lib/lectern" -a ! -e "$R/var/cache/lectern" -a \
	! -e "$R/etc/systemd/system/lectern.service.d"
# (no file or link of it; deb-systemd-helper leaves the shared systemd directories, empty)
check "purge: nothing of the package is left in the root" bash -c "
	! find '$R' -path '$R/var/lib/dpkg' -prune -o \( -type f -o -type l \) -print |
		grep -vE '^$R/etc/(passwd|group|shadow|gshadow)-?\$'"
check "purge: dpkg no longer knows the package" test -z "$(status)"

# --- the same in a chroot: the maintainer scripts' live path ---------------------------------
# dpkg --root without chrootless runs the scripts inside the root, as on a real system being
# installed: adduser, deb-systemd-helper (enable, mask, purge), no systemd running. The root
# is this system's /usr under an overlay (writes land in $T) in a private mount namespace.
chroot_run() {
	local C="$T/c"
	mkdir -p "$C/usr" "$T/c-up" "$T/c-work"
	mount -t overlay overlay -o "lowerdir=/usr,upperdir=$T/c-up,workdir=$T/c-work" "$C/usr" || return 1
	local d
	for d in bin lib lib32 lib64 sbin; do [ -L "/$d" ] && ln -s "usr/$d" "$C/$d"; done
	mkdir -p "$C/etc" "$C/dev" "$C/tmp" "$C/run" "$C/var/lib/dpkg/info" "$C/var/lib/dpkg/updates" \
		"$C/var/lib/dpkg/triggers"
	touch "$C/var/lib/dpkg/status" "$C/var/lib/dpkg/available" "$C/dev/null"
	mount --bind /dev/null "$C/dev/null" || return 1
	cp /etc/login.defs /etc/adduser.conf /etc/nsswitch.conf "$C/etc/" 2>/dev/null
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$C/etc/passwd"
	printf 'root:*:19000:0:99999:7:::\n' >"$C/etc/shadow"
	printf 'root:x:0:\naudio:x:29:\nvideo:x:44:\ninput:x:101:\nrender:x:105:\n' >"$C/etc/group"
	printf 'root:*::\naudio:*::\nvideo:*::\ninput:*::\nrender:*::\n' >"$C/etc/gshadow"
	chmod 0600 "$C/etc/shadow" "$C/etc/gshadow"
	local dp="dpkg --root=$C --force-depends --log=$T/c-dpkg.log"
	$dp -i "$DEB" >"$T/c-install.log" 2>&1 || return 1
	mkdir -p "$T/c-after-install"
	cp "$C/etc/passwd" "$C/etc/group" "$T/c-after-install/"
	stat -c '%a %u:%g' "$C/etc/lectern" "$C/var/lib/lectern" >"$T/c-after-install/modes" 2>&1
	readlink "$C/etc/systemd/system/multi-user.target.wants/lectern.service" >"$T/c-after-install/wants" 2>&1
	$dp -i "$DEB" >"$T/c-reinstall.log" 2>&1 || return 1
	echo data >"$C/var/lib/lectern/lectern.db"
	$dp -r lectern >"$T/c-remove.log" 2>&1 || return 1
	test -s "$C/var/lib/lectern/lectern.db" && echo kept >"$T/c-after-remove-data"
	$dp -P lectern >"$T/c-purge.log" 2>&1 || return 1
	(cd "$C" && find etc/lectern var/lib/lectern var/cache/lectern etc/systemd var/lib/systemd \
		-name '*lectern*' 2>/dev/null) >"$T/c-after-purge"
	return 0
}
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	export -f chroot_run
	export T DEB
	if unshare -m bash -c chroot_run 2>"$T/c-setup.err"; then
		ok "dpkg installs, reinstalls, removes and purges it in a chroot (scripts run inside)"
		check "chroot: adduser made the system user lectern, in audio, video, render, input" bash -c "
			grep -qE '^lectern:x:[0-9]+:[0-9]+:[^:]*:/var/lib/lectern:/usr/sbin/nologin\$' '$T/c-after-install/passwd' &&
			for g in audio video render input; do grep -qE \"^\$g:x:[0-9]+:(.*,)?lectern(,|\$)\" '$T/c-after-install/group' || exit 1; done"
		# numeric: the chroot's ids, not this system's names
		cuid=$(awk -F: '$1 == "lectern" { print $3 }' "$T/c-after-install/passwd")
		cgid=$(awk -F: '$1 == "lectern" { print $3 }' "$T/c-after-install/group")
		check "chroot: /etc/lectern 0750 root:lectern, /var/lib/lectern 0750 lectern:lectern" \
			test "$(tr '\n' ' ' <"$T/c-after-install/modes")" = "750 0:$cgid 750 $cuid:$cgid "
		check "chroot: the service is enabled (multi-user.target.wants) without systemd running" \
			test "$(cat "$T/c-after-install/wants")" = /lib/systemd/system/lectern.service
		check "chroot: no script complained (no PAM, chfn or systemctl errors)" bash -c "
			! grep -iE 'error|fail|critical' '$T/c-install.log' '$T/c-reinstall.log' '$T/c-remove.log' '$T/c-purge.log'"
		check "chroot: remove keeps the data" test -f "$T/c-after-remove-data"
		check "chroot: purge leaves nothing of lectern (config, data, enablement)" \
			test ! -s "$T/c-after-purge"
	else
		echo "# chroot section not run: $(tail -2 "$T/c-setup.err" | tr '\n' ' ')"
		not_ok "dpkg installs it in a chroot" "$(tail -5 "$T"/c-*.log 2>/dev/null | tr '\n' ' ')"
	fi
else
	echo "ok - dpkg in a chroot # SKIP needs root and mount namespaces (unshare -m)"
fi

# --- the unit ---------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	# A root holding the installed tree, the targets the unit names and /bin/kill: verify
	# checks that ExecStart's program exists there and runs `man` for Documentation=
	# (MANPATH: the pages just installed).
	V="$T/inst"
	mkdir -p "$V/bin"
	cp /bin/kill "$V/bin/"
	cp -n /lib/systemd/system/*.target "$V/lib/systemd/system/" 2>/dev/null
	verify() { MANPATH="$V/usr/share/man" systemd-analyze verify --root="$V" "$@" >"$T/verify.out" 2>&1 && ! grep -q . "$T/verify.out"; }
	check "systemd-analyze verify passes on the unit (program and man pages found)" \
		verify /lib/systemd/system/lectern.service
	sed 's/^Documentation=.*/Documentation=man:lectern-nosuch(8)/' "$V/lib/systemd/system/lectern.service" \
		>"$V/lib/systemd/system/lectern-bad.service"
	check "… and fails on a unit naming a man page that does not exist" \
		bash -c "! MANPATH='$V/usr/share/man' systemd-analyze verify --root='$V' /lib/systemd/system/lectern-bad.service"
	rm -f "$V/lib/systemd/system/lectern-bad.service"
	for b in $BOARDS; do
		d="$REPO/board/$b/lectern.service.d"
		[ -d "$d" ] || continue
		mkdir -p "$V/etc/systemd/system/lectern.service.d"
		cp "$d"/*.conf "$V/etc/systemd/system/lectern.service.d/"
		check "systemd-analyze verify passes with the $b profile's unit drop-in" \
			verify /lib/systemd/system/lectern.service
		rm -rf "$V/etc/systemd/system/lectern.service.d"
	done
	score=$(systemd-analyze security --offline=true --root="$V" lectern.service 2>/dev/null |
		sed -n 's/.*Overall exposure level for lectern.service: \([0-9.]*\).*/\1/p')
	echo "# figures: systemd-analyze security --offline=true --root=DESTDIR lectern.service: ${score:-?}"
	check "systemd-analyze security: exposure at most 2.0 (${score:-none})" \
		python3 -c "import sys; sys.exit(0 if float('${score:-99}') <= 2.0 else 1)"
	check "the unit keeps Type=notify and the watchdog" bash -c "
		grep -qx 'Type=notify' '$REPO/board/lectern.service' && grep -qE '^WatchdogSec=[1-9]' '$REPO/board/lectern.service'"
else
	echo "not ok - systemd-analyze verify on the unit # SKIP systemd-analyze not installed"
fi

# --- the unit's system call filter against what lectern does ---------------------------------
# strace lists the calls lectern makes recording (alsa-lib), delivering (folder target) and
# running the appliance, as an unprivileged user as the service is: each must be in what
# the unit allows (its SystemCallFilter= lines, less what ProtectClock= and
# ProtectKernelModules= take), or the service would meet EPERM where this run succeeded.
if command -v strace >/dev/null && command -v systemd-analyze >/dev/null && [ "$(id -u)" = 0 ]; then
	python3 - "$REPO/board/lectern.service" >"$T/allowed" <<'PY'
import subprocess, sys
def expand(name):
    if not name.startswith("@"):
        return {name}
    out = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True,
                         text=True, check=True).stdout.splitlines()[1:]
    calls = set()
    for line in (l.strip() for l in out):
        if line.startswith("@"):
            calls |= expand(line)
        elif line and not line.startswith("#"):
            calls.add(line)
    return calls
# The unit's own SystemCallFilter= lines (allow lists, then ~deny lists), and the sets its
# Protect*= settings take away.
allow, deny = set(), set()
for line in open(sys.argv[1]):
    key, _, value = line.strip().partition("=")
    if key == "SystemCallFilter":
        names = value.lstrip("~").split()
        (deny if value.startswith("~") else allow).update(*(expand(n) for n in names))
    elif key == "ProtectClock" and value == "yes":
        deny |= expand("@clock")
    elif key == "ProtectKernelModules" and value == "yes":
        deny |= expand("@module")
print("\n".join(sorted(allow - deny)))
PY
	S="$T/sc"
	mkdir -p "$S/out"
	lectern_config "$S/lectern.conf" "[upload]" "target = folder" "folder = $S/out"
	sed -i "s|^data_dir = .*|data_dir = $S/data|" "$S/lectern.conf"
	head -c 192000 "$(speech_raw 5)" >"$S/mic.raw"
	sed "s|infile \".*\"|infile \"$S/mic.raw\"|" "$(alsa_conf /dev/null)" >"$S/asound.conf"
	chown -R 65534:65534 "$S"
	chmod 0711 "$T" # nobody passes through to $S
	as_service() { # the command under strace as user nobody, without root's groups
		ALSA_CONFIG_PATH="$S/asound.conf" strace -f -qq -o "$S/trace.$1" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "${@:2}"
	}
	as_service record timeout 20 "$LECTERN" --config "$S/lectern.conf" record --seconds 1 >"$S/record.out" 2>&1
	as_service upload timeout 20 "$LECTERN" --config "$S/lectern.conf" upload --once >"$S/upload.out" 2>&1
	as_service run timeout -s TERM 4 "$LECTERN" --config "$S/lectern.conf" run --headless >"$S/run.out" 2>&1
	check "traced as the service would run: a recording made and delivered" \
		bash -c "ls '$S/out'/*/*/*/*.opus >/dev/null 2>&1"
	# The calls after setpriv's execve of timeout/lectern (setpriv's own setresuid is systemd's).
	for f in "$S"/trace.*; do
		awk '/execve\("[^"]*(timeout|lectern)/ { on = 1 } on' "$f"
	done | sed -nE 's/^[0-9]+ +([a-z_0-9]+)\(.*/\1/p' | sort -u >"$S/used"
	outside=$(comm -23 "$S/used" "$T/allowed" | tr '\n' ' ')
	echo "# figures: lectern recording, delivering and running made $(wc -l <"$S/used") distinct system calls"
	check "every system call lectern made is one the unit's filter allows (${outside:-none outside})" \
		bash -c "test -z '$outside' && ls '$S/out'/*/*/*/*.opus && grep -qx fdatasync '$S/used'"
else
	echo "ok - the unit's system call filter against what lectern does # SKIP needs strace, systemd-analyze and root"
fi

# --- the board profiles ---------------------------------------------------------------------
# [gpio] belongs to the GPIO module; a build without it checks the profiles without that section.
gpio_known=no
"$LECTERN" help config 2>/dev/null | grep -qE '^ +gpio\.' && gpio_known=yes
for b in $BOARDS; do
	conf="$REPO/board/$b/board.conf"
	if [ $gpio_known = no ]; then
		awk '/^\[/{skip = ($0 == "[gpio]")} !skip' "$conf" >"$T/$b.conf"
		conf="$T/$b.conf"
	fi
	check "board $b: board.conf passes lectern config check (gpio keys known: $gpio_known)" \
		"$LECTERN" --config "$conf" config check
done
check "board rpi5: asound.conf parses and defines lectern_mic (arecord -L)" bash -c "
	ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:'$REPO/board/rpi5/asound.conf' arecord -L 2>'$T/alsa.err' |
		grep -qx lectern_mic && ! grep -q . '$T/alsa.err'"
