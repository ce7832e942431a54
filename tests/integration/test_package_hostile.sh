#!/bin/bash
# Installing as an administrator really does it: `make install DESTDIR=` into a path with a
# space, twice (the second changes nothing and keeps the edited configuration); `make deb`
# from a checkout whose path has a space; postinst run twice (idempotent: one user, the same
# modes); purge after `lectern provision` wrote its secrets and drop-in: all of lectern's gone,
# a drop-in the administrator wrote under the same name kept.
source "$(dirname "$0")/../lib/common.sh"

REPO=$(cd "$TESTS/.." && pwd)
ARCH=$(dpkg --print-architecture)
VERSION=$(sed -n 's/^VERSION := //p' "$REPO/Makefile")
snapshot() { find "$1" -printf '%p|%m|%s|%T@\n' | sort; }

# --- make install DESTDIR= with a space, twice -----------------------------------------------------
D="$T/dest dir"
check "make install into a DESTDIR with a space" \
	make -C "$REPO" --no-print-directory BUILD="$BUILD" install DESTDIR="$D"
check "... installed the programs and the configuration there" \
	test -x "$D/usr/bin/lectern" -a -f "$D/etc/lectern/lectern.conf"
check "... nothing outside it (no '$T/dest' without the space)" test ! -e "$T/dest"
echo "room = Edited" >>"$D/etc/lectern/lectern.conf"
sleep 1.1
snapshot "$D" >"$T/before"
check "make install again" make -C "$REPO" --no-print-directory BUILD="$BUILD" install DESTDIR="$D"
snapshot "$D" | cut -d'|' -f1-3 >"$T/after.short"
cut -d'|' -f1-3 "$T/before" >"$T/before.short"
check "... the same files, modes and sizes" cmp "$T/before.short" "$T/after.short"
snapshot "$D" >"$T/after"
check "... the edited configuration kept, untouched (same mtime)" \
	bash -c "[ -n \"\$(grep -F '$D/etc/lectern/lectern.conf|' '$T/before')\" ] &&
		[ \"\$(grep -F '$D/etc/lectern/lectern.conf|' '$T/before')\" = \"\$(grep -F '$D/etc/lectern/lectern.conf|' '$T/after')\" ] &&
		grep -q Edited '$D/etc/lectern/lectern.conf'"

# --- make deb from a checkout at a path with a space -----------------------------------------------
S="$T/check out/lectern"
mkdir -p "$S"
(cd "$REPO" && tar --exclude=./build --exclude=./build-asan --exclude=./build-dev --exclude=./.git \
	-cf - .) | (cd "$S" && tar -xf -)
cp -a "$BUILD" "$S/build" # built already: make only packs
rm -f "$S/build/"*.deb
check "make deb in a checkout whose path has a space" \
	make -C "$S" --no-print-directory BUILD=build deb
DEB="$S/build/lectern_${VERSION}_${ARCH}.deb"
check "... the package is there and lists the program" bash -c "dpkg-deb -c '$DEB' | grep -q ' ./usr/bin/lectern\$'"

# --- postinst twice, purge after provision -------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
	echo "ok - postinst and purge # SKIP needs root (useradd into a scratch root)"
	exit 0
fi
R="$T/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" "$R/etc"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:*:19000:0:99999:7:::\n' >"$R/etc/shadow"
printf 'root:x:0:\naudio:x:29:\nvideo:x:44:\ninput:x:101:\n' >"$R/etc/group"
printf 'root:*::\naudio:*::\nvideo:*::\ninput:*::\n' >"$R/etc/gshadow"
chmod 0600 "$R/etc/shadow" "$R/etc/gshadow"
dpkgr() { dpkg --root="$R" --force-script-chrootless --force-depends --log="$T/dpkg.log" "$@"; }
check "dpkg installs it into a scratch root" dpkgr -i "$DEB"
state() { stat -c '%n %a %u:%g' "$R/etc/lectern" "$R/var/lib/lectern"; grep -c '^lectern:' "$R/etc/passwd"; grep lectern "$R/etc/group"; }
state >"$T/state1"
DPKG_ROOT="$R" sh "$R/var/lib/dpkg/info/lectern.postinst" configure "$VERSION" >"$T/pi2.log" 2>&1
check "postinst run again exits 0" test $? = 0
state >"$T/state2"
check "... one user, the same groups, owners and modes" cmp "$T/state1" "$T/state2"

# provision writes its secrets, PIN hash and drop-in into that root
printf 'pw\n' >"$T/pw"
"$LECTERN" provision --root "$R" --room "Purge Room" --pin 2468 --user u --password-file "$T/pw" \
	--target folder --url /srv/share --no-check >"$T/prov.out" 2>&1
check "provision wrote its secrets and drop-in in the root" test -f "$R/etc/lectern/upload.password" -a \
	-f "$R/etc/lectern/pin.hash" -a -f "$R/etc/systemd/system/lectern.service.d/paths.conf"
check "... owned by the service user (0600)" bash -c "[ \"\$(stat -c '%a %U' '$R/etc/lectern/upload.password')\" = '600 $(awk -F: '$1 == "lectern" { print $3 }' "$R/etc/passwd")' ] || [ \"\$(stat -c '%a %u' '$R/etc/lectern/upload.password')\" = '600 $(awk -F: '$1 == "lectern" { print $3 }' "$R/etc/passwd")' ]"
# an administrator's own drop-in beside it
printf '[Service]\nEnvironment=LECTERN_LOG=debug\n' >"$R/etc/systemd/system/lectern.service.d/debug.conf"
check "dpkg purges it" dpkgr -P lectern
check "purge: the secrets, the PIN hash, the configuration are gone" test ! -e "$R/etc/lectern"
check "purge: provision's drop-in is gone, the administrator's stays" \
	test ! -e "$R/etc/systemd/system/lectern.service.d/paths.conf" -a \
	-f "$R/etc/systemd/system/lectern.service.d/debug.conf"

# an administrator's own paths.conf (not provision's) survives a purge too
check "dpkg installs it again" dpkgr -i "$DEB"
printf '[Service]\nReadWritePaths=/srv/mine\n' >"$R/etc/systemd/system/lectern.service.d/paths.conf"
check "dpkg purges it again" dpkgr -P lectern
check "purge: a paths.conf provision did not write is kept" \
	grep -q '/srv/mine' "$R/etc/systemd/system/lectern.service.d/paths.conf"
