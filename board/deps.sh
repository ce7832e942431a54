#!/bin/sh
# Install the Debian packages a make target needs, only those missing.
# Usage: board/deps.sh GROUP...   (groups: build run test bench)
# Runs apt-get as root, or through sudo; says exactly what to install otherwise.
set -eu

pkgs_build="build-essential pkg-config libasound2-dev libv4l-dev libopus-dev libopusenc-dev libopusfile-dev libogg-dev
 libsqlite3-dev libinih-dev libsystemd-dev libical-dev libcurl4-openssl-dev libjson-c-dev
 libxml2-dev libssl-dev nettle-dev libsdl2-dev libsdl2-ttf-dev libpng-dev libzbar-dev libqrencode-dev libfribidi-dev libgpiod-dev fonts-dejavu-core
 ca-certificates tzdata scdoc"
pkgs_run="espeak-ng sox alsa-utils"
pkgs_test="libcmocka-dev opus-tools espeak-ng sox pv sqlite3 python3 time nginx curl openssl clang
 libclang-rt-14-dev xvfb xdotool x11-utils libfaketime python3-icalendar
 python3-recurring-ical-events zbar-tools qrencode imagemagick strace
 apache2 apache2-utils lighttpd lighttpd-mod-webdav"
pkgs_bench="opus-tools espeak-ng sox time valgrind bc xvfb xdotool x11-utils nginx curl pv sqlite3
 python3 qrencode imagemagick zbar-tools"

want=""
for group in "$@"; do
	case "$group" in
	build) want="$want $pkgs_build" ;;
	run) want="$want $pkgs_run" ;;
	test) want="$want $pkgs_test" ;;
	bench) want="$want $pkgs_bench" ;;
	*) echo "deps.sh: unknown group '$group' (build, run, test, bench)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "Installing missing packages:$missing"
if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "deps.sh: need root to install:$missing" >&2
	echo "deps.sh: run as root: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The tests start their own nginx, apache2 and lighttpd on free loopback ports; the packages
# must not start the system ones (port 80 may be taken, and a failed start fails the install).
# policy-rc.d is Debian's switch for that, and it is only ours while we install.
policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy" &&
		own_policy=1
fi
# A fresh machine has no package lists yet; refresh them once if the install cannot find a package.
rc=0
if ! $sudo apt-get install -y -q --no-install-recommends $missing; then
	$sudo apt-get update -q
	$sudo apt-get install -y -q --no-install-recommends $missing || rc=$?
fi
[ -n "$own_policy" ] && $sudo rm -f "$policy"
exit $rc
