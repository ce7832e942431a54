#!/bin/sh
# Install the Debian packages a make target needs, only those missing.
# Usage: board/deps.sh GROUP...   (groups: build run test bench)
# Runs apt-get as root, or through sudo; says exactly what to install otherwise.
set -eu

pkgs_build="build-essential pkg-config libasound2-dev libopus-dev libopusenc-dev libogg-dev
 libsqlite3-dev libinih-dev libsystemd-dev libical-dev libcurl4-openssl-dev libjson-c-dev
 libxml2-dev libssl-dev
 ca-certificates tzdata"
pkgs_run="espeak-ng sox alsa-utils"
pkgs_test="libcmocka-dev opus-tools espeak-ng sox pv sqlite3 python3 time nginx curl openssl clang
 libclang-rt-14-dev"
pkgs_bench="opus-tools espeak-ng sox time valgrind bc"

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
# A fresh machine has no package lists yet; refresh them once if the install cannot find a package.
if ! $sudo apt-get install -y -q --no-install-recommends $missing; then
	$sudo apt-get update -q
	$sudo apt-get install -y -q --no-install-recommends $missing
fi
