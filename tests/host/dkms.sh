# crmguard.ko through DKMS, as on a desktop after a kernel update: what
# `make install-dkms` puts in /usr/src is added, built for each of the VM
# tier's Debian kernels (CRMGUARD_VM_KERNELS; their headers are unpacked
# in build/vm/KERNEL, never installed) and installed by `dkms
# autoinstall`, which the kernel packages run for each new kernel. dkms works in trees of the test's own: nothing
# lands in /usr/src, /var/lib/dkms or /lib/modules of this machine.
# The module must be the one `make kmod` builds, modprobe must find it by
# name, and a source that does not compile must fail the build.
# The install tree stays in build/vm/KERNEL/dkms: the VM tier loads the
# module from there (tests/vm/guest/dkms.sh).
. "$(dirname "$0")/lib.bash" || exit 1

command -v dkms >/dev/null || { fail dkms_setup "dkms is not installed (make deps installs it)"; exit 1; }
# dkms_kernel KERNEL: all of it for one VM kernel (tests/vm/fetch-kernel).
dkms_kernel() {
	local kernel=$1
	T=$T/$kernel
	mkdir -p "$T"
	kver=$("$TOP/tests/vm/fetch-kernel" "$kernel" "$BUILD/vm/$kernel") || { fail dkms_setup "tests/vm/fetch-kernel $kernel failed"; return 1; }
	kroot=$BUILD/vm/$kernel/root
	ksrc=$kroot/usr/src/linux-headers-$kver
	version=$(cat "$TOP/VERSION")
	arch=$(uname -m)
	make -s -C "$TOP" kmod CRMGUARD_VM_KERNELS="$kernel" >"$T/kmod.out" 2>&1 ||
		{ fail dkms_setup "make kmod: $(tail -5 "$T/kmod.out")"; return 1; }
	KMOD=$BUILD/kmod/$kernel/crmguard.ko
	INST=$BUILD/vm/$kernel/dkms	# the install tree, a / of its own: lib/modules/$kver/...
	rm -rf "$INST"
	mkdir -p "$INST/lib/modules/$kver" "$T/tmp"

	# dk SOURCETREE DKMSTREE ACTION...: dkms on those trees. It signs as on a
	# Debian desktop (the kernel's sign-file), but with a key made in $T.
	dk() {
		local src=$1 tree=$2
		shift 2
		mkdir -p "$tree"
		TMPDIR=$T/tmp sign_file=$(echo "$kroot"/usr/lib/linux-kbuild-*/scripts/sign-file) \
			mok_signing_key=$T/mok.key mok_certificate=$T/mok.pub \
			dkms "$@" --sourcetree "$src" --dkmstree "$tree" --installtree "$INST/lib/modules"
	}

	# The sources, as a package built with DESTDIR would ship them.
	make -s -C "$TOP" install-dkms DESTDIR="$T/root" >"$T/install.out" 2>&1 ||
		{ fail dkms_install_sources "make install-dkms: $(tail -5 "$T/install.out")"; return 1; }
	src=$T/root/usr/src/crmguard-$version
	bad=
	for f in "$TOP"/kmod/*.c "$TOP"/kmod/*.h "$TOP"/kmod/Kbuild "$TOP"/kmod/Makefile "$TOP"/kmod/uapi/crmguard.h; do
		cmp -s "$f" "$src/${f#"$TOP/kmod/"}" || bad="$bad ${f#"$TOP/"}"
	done
	other=$(cd "$T/root" && find . -type f ! -path "./usr/src/crmguard-$version/*")
	if [ -z "$bad" ] && [ -z "$other" ] && grep -qx "PACKAGE_VERSION=\"$version\"" "$src/dkms.conf" &&
		! grep -q "#MODULE_VERSION#" "$src/dkms.conf"; then
		pass dkms_install_sources
	else
		fail dkms_install_sources "differ or missing:$bad; not asked for: $other; dkms.conf: $(grep -v '^#' "$src/dkms.conf" | tr '\n' ' ')"
	fi

	dk "$T/root/usr/src" "$T/dkms" add -m crmguard -v "$version" >"$T/add.out" 2>&1 &&
		pass dkms_add || { fail dkms_add "$(cat "$T/add.out")"; return 1; }
	dk "$T/root/usr/src" "$T/dkms" build -m crmguard -v "$version" -k "$kver" --kernelsourcedir "$ksrc" >"$T/build.out" 2>&1
	rc=$?
	status=$(dk "$T/root/usr/src" "$T/dkms" status -m crmguard 2>&1)
	if [ $rc -eq 0 ] && [ "$status" = "crmguard/$version, $kver, $arch: built" ]; then
		pass dkms_build
	else
		fail dkms_build "exit $rc, status '$status': $(tail -5 "$T/build.out")"
		return 1
	fi

	# What modinfo says: this kernel's vermagic (as its own modules have it),
	# the module's name, license and the project's version.
	ko=$T/dkms/crmguard/$version/$kver/$arch/module/crmguard.ko
	ref=$(find "$kroot/lib/modules/$kver/kernel" -name '*.ko*' | head -1)
	want="crmguard|GPL|$version|$(modinfo -F vermagic "$ref")"
	got="$(modinfo -F name "$ko")|$(modinfo -F license "$ko")|$(modinfo -F version "$ko")|$(modinfo -F vermagic "$ko")"
	[ "$got" = "$want" ] && pass dkms_modinfo || fail dkms_modinfo "got '$got', want '$want'"

	# The same module as make kmod's: the same srcversion (a digest of the .c
	# files and crmguard.h) and, but for the debug information DKMS strips, the
	# build ID (a digest of all, paths included) and DKMS's signature, the same
	# bytes.
	objcopy -g -R .note.gnu.build-id "$KMOD" "$T/kmod.ko" && objcopy -g -R .note.gnu.build-id "$ko" "$T/dkms.ko"
	if [ "$(modinfo -F srcversion "$ko")" = "$(modinfo -F srcversion "$KMOD")" ] && cmp -s "$T/kmod.ko" "$T/dkms.ko"; then
		pass dkms_same_as_make_kmod
	else
		fail dkms_same_as_make_kmod "srcversion $(modinfo -F srcversion "$ko") vs $(modinfo -F srcversion "$KMOD"): $(cmp "$T/kmod.ko" "$T/dkms.ko" 2>&1)"
	fi
	# Signed for Secure Boot, as DKMS does on a Debian desktop (there with
	# /var/lib/dkms/mok.key): the module was not changed by it but appended to.
	[ "$(modinfo -F signer "$ko")" = "DKMS module signing key" ] && pass dkms_signed ||
		fail dkms_signed "signer '$(modinfo -F signer "$ko")': $(grep -i sign "$T/build.out")"

	# A kernel update: the kernel packages run `dkms autoinstall` for the new
	# kernel, which installs what says AUTOINSTALL=yes. depmod as dkms runs it,
	# on the install tree; then modprobe (the unit's ExecStartPre) finds it.
	dk "$T/root/usr/src" "$T/dkms" autoinstall -k "$kver" --kernelsourcedir "$ksrc" --no-depmod >"$T/auto.out" 2>&1
	rc=$?
	status=$(dk "$T/root/usr/src" "$T/dkms" status -m crmguard 2>&1)
	inst=$(find "$INST/lib/modules/$kver" -name crmguard.ko)
	if [ $rc -eq 0 ] && [ "$status" = "crmguard/$version, $kver, $arch: installed" ] && [ -n "$inst" ] && cmp -s "$inst" "$ko"; then
		pass dkms_autoinstall
	else
		fail dkms_autoinstall "exit $rc, status '$status', installed '$inst': $(tail -5 "$T/auto.out")"
	fi
	depmod -b "$INST" "$kver" 2>/dev/null
	probe=$(modprobe -d "$INST" -S "$kver" --show-depends crmguard 2>&1)
	[ "$probe" = "insmod $inst " ] && pass dkms_modprobe_finds_it || fail dkms_modprobe_finds_it "modprobe: '$probe'"

	# A source that does not compile: dkms build fails, and says why.
	mkdir -p "$T/broken-src" && cp -r "$src" "$T/broken-src/"
	echo 'static int cg_broken = cg_not_declared_anywhere;' >>"$T/broken-src/crmguard-$version/main.c"
	dk "$T/broken-src" "$T/dkms-broken" add -m crmguard -v "$version" >"$T/badadd.out" 2>&1
	dk "$T/broken-src" "$T/dkms-broken" build -m crmguard -v "$version" -k "$kver" --kernelsourcedir "$ksrc" >"$T/bad.out" 2>&1
	rc=$?
	status=$(dk "$T/broken-src" "$T/dkms-broken" status -m crmguard 2>&1)
	if [ $rc -ne 0 ] && [ "$status" = "crmguard/$version: added" ] &&
		grep -q "cg_not_declared_anywhere" "$T/dkms-broken/crmguard/$version/build/make.log"; then
		pass dkms_broken_source_fails
	else
		fail dkms_broken_source_fails "exit $rc, status '$status': $(cat "$T/badadd.out") $(tail -5 "$T/bad.out")"
	fi
}

# Each kernel's checks are named NAME@KERNEL; a subshell each, for its own $T.
for kernel in ${CRMGUARD_VM_KERNELS:-6.1}; do
	(
		CHECK_SUFFIX=@$kernel
		checks dkms_{install_sources,add,build,modinfo,same_as_make_kmod,signed,autoinstall,modprobe_finds_it,broken_source_fails}
		dkms_kernel "$kernel"
	)
done
