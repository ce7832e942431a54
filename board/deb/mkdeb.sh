#!/bin/sh
# mkdeb.sh ROOT VERSION ARCH OUT.deb: the Debian package of the tree in ROOT (made by `make
# install DESTDIR=ROOT`: the package's data is exactly that tree). Adds DEBIAN/ (control with
# the shared-library dependencies dpkg-shlibdeps finds, conffiles, md5sums, the maintainer
# scripts beside this file), sets the modes dpkg-deb takes as they are, and builds with
# every file root's (postinst gives /etc/lectern to group lectern once that exists).
set -eu
root=$1 version=$2 arch=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)

# Without dpkg-dev (dpkg-shlibdeps), or if it fails: the Debian 12 packages of the libraries
# the build links (pkg-config list of the Makefile), named by hand. Keep in step with it.
fallback="libasound2, libc6, libcurl4, libical3, libinih1, libjson-c5, libnettle8, libogg0,
 libopus0, libopusenc0, libopusfile0, libpng16-16, libsdl2-2.0-0, libsdl2-ttf-2.0-0,
 libsqlite3-0, libssl3, libsystemd0, libv4l-0, libxml2"
# Not found through the ELF files: the fonts the screen loads, the postinst's adduser.
extra="adduser, fonts-dejavu-core"

# Modes: directories 0755 (whatever the builder's umask), /etc/lectern 0750.
find "$root" -type d -exec chmod 0755 {} +
[ -d "$root/etc/lectern" ] && chmod 0750 "$root/etc/lectern"
rm -rf "$root/DEBIAN"
mkdir -m 0755 "$root/DEBIAN"

elves=$(find "$root/usr/bin" "$root/usr/lib" -type f \( -perm -u+x -o -name '*.so*' \) 2>/dev/null |
	while read -r f; do [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$f"; done)
depends=""
if command -v dpkg-shlibdeps >/dev/null 2>&1 && [ -n "$elves" ]; then
	# dpkg-shlibdeps wants a source tree: a debian/control and the package's files under
	# debian/PACKAGE.
	work=$(mktemp -d)
	mkdir "$work/debian"
	printf 'Source: lectern\n\nPackage: lectern\nArchitecture: any\n' >"$work/debian/control"
	ln -s "$(cd "$root" && pwd)" "$work/debian/lectern"
	rel=$(echo "$elves" | sed "s|^$root|debian/lectern|")
	# shellcheck disable=SC2086 # one argument per file
	if line=$(cd "$work" && dpkg-shlibdeps -O $rel 2>"$work/err"); then
		depends=${line#shlibs:Depends=}
	else
		echo "mkdeb: dpkg-shlibdeps failed ($(tail -1 "$work/err")): the fixed list" >&2
	fi
	rm -rf "$work"
fi
[ -n "$depends" ] || depends=$(echo "$fallback" | tr -d '\n')
depends="$depends, $extra"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" \
	-e "s|@DEPENDS@|$depends|" "$here/control" >"$root/DEBIAN/control"
(cd "$root" && find etc -type f 2>/dev/null | sed 's|^|/|' | sort) >"$root/DEBIAN/conffiles"
[ -s "$root/DEBIAN/conffiles" ] || rm -f "$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
	xargs md5sum) >"$root/DEBIAN/md5sums"
for s in postinst prerm postrm; do
	install -m 0755 "$here/$s" "$root/DEBIAN/$s"
done
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
[ -f "$root/DEBIAN/conffiles" ] && chmod 0644 "$root/DEBIAN/conffiles"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "mkdeb: $out"
