# What tests/host/deb.sh needs besides make deb, cached in build/deb (the
# Makefile's deb-fixtures target makes them before the tests run):
# - a throwaway Debian 12 root: debootstrap from the Debian archive once,
#   with what the packages need to install offline (systemd, dkms and
#   Debian's kernel headers), as a tarball; each run unpacks a fresh copy;
# - the packages of a previous version, DEB_PREV_VERSION, built from the
#   same tree once, to upgrade from.
DEBROOT_MIRROR=${DEBROOT_MIRROR:-http://deb.debian.org/debian}
DEBROOT_TAR=$BUILD/deb/bookworm-root.tar

# The packages crmguard's binaries link, as they are named in bookworm.
DEBROOT_PKGS=systemd,systemd-sysv,dkms,openssl,libbpf1,libelf1,zlib1g,libnl-3-200,libnl-genl-3-200,libssl3

# debroot_make: builds $DEBROOT_TAR unless it is there.
debroot_make() {
	local r=$BUILD/deb/bootstrap kver
	[ -s "$DEBROOT_TAR" ] && return 0
	command -v debootstrap >/dev/null || { echo "debootstrap is not installed (make deps installs it)"; return 1; }
	kver=$("$TOP/tests/vm/fetch-kernel" 6.1 "$BUILD/vm/6.1") || return 1
	rm -rf "$r" && mkdir -p "$r"
	debootstrap --variant=minbase --include="$DEBROOT_PKGS" bookworm "$r" "$DEBROOT_MIRROR" \
		>"$BUILD/deb/debootstrap.log" 2>&1 || { tail -5 "$BUILD/deb/debootstrap.log"; return 1; }
	# The headers of the VM tier's kernel, from the security suite too (as
	# the host's apt has it): DKMS builds against them.
	cat >"$r/etc/apt/sources.list" <<SOURCES
deb $DEBROOT_MIRROR bookworm main
deb $DEBROOT_MIRROR bookworm-updates main
deb ${DEBROOT_MIRROR%/debian}/debian-security bookworm-security main
SOURCES
	debroot_mount "$r"
	chroot "$r" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-headers-$kver && apt-get clean" \
		>>"$BUILD/deb/debootstrap.log" 2>&1
	local rc=$?
	debroot_umount "$r"
	[ $rc -eq 0 ] || { tail -5 "$BUILD/deb/debootstrap.log"; return 1; }
	tar -C "$r" -cf "$DEBROOT_TAR.tmp" . && mv "$DEBROOT_TAR.tmp" "$DEBROOT_TAR" && rm -rf "$r"
}

debroot_mount() {
	mount -t proc proc "$1/proc" && mount -t sysfs sys "$1/sys" && mount --bind /dev "$1/dev" &&
		mount -t tmpfs tmpfs "$1/run"
}

debroot_umount() {
	local m
	for m in run dev sys proc; do umount -l "$1/$m" 2>/dev/null; done
}

DEB_PREV_VERSION=0.0.1
DEB_PREV=$BUILD/deb/prev

# deb_previous: builds $DEB_PREV/*_$DEB_PREV_VERSION_*.deb unless they are there.
deb_previous() {
	local version src=$DEB_PREV/src
	[ -e "$DEB_PREV/crmguard_${DEB_PREV_VERSION}_amd64.deb" ] && return 0
	version=$(cat "$TOP/VERSION")
	rm -rf "$DEB_PREV" && mkdir -p "$src"
	(cd "$TOP" && tar --exclude=./build --exclude=./.git -cf - .) | tar -C "$src" -xf -
	echo "$DEB_PREV_VERSION" >"$src/VERSION"
	sed -i "1s/($version)/($DEB_PREV_VERSION)/" "$src/debian/changelog"
	make -s -C "$src" deb >"$BUILD/deb/prev.log" 2>&1 || { tail -5 "$BUILD/deb/prev.log"; return 1; }
	mv "$src/build/deb/"*.deb "$DEB_PREV/" && rm -rf "$src"
}
