# The Debian packages (make deb) on a throwaway Debian 12 root: install
# the previous version, edit the policy, upgrade, boot it, remove, purge.
# The unit is enabled and starts at boot, DKMS builds and installs the
# module for the root's kernel headers (and the upgrade's version
# replaces the old), the edited
# conffile survives the upgrade, the rsyslog snippets are there as
# examples, remove takes away the BPF LSM's pins, purge leaves the file
# list as it was before the install, and does not fail where the pins
# cannot go (locked until reboot).
. "$(dirname "$0")/lib.bash" || exit 1
. "$(dirname "$0")/debroot.bash" || exit 1
checks deb_build_lintian deb_install_previous deb_unit_enabled deb_dkms_builds_module \
	deb_policy_root_only deb_binaries_run deb_service_starts_at_boot deb_upgrade \
	deb_upgrade_keeps_edited_policy deb_upgrade_dkms_replaces_module deb_upgrade_unit_still_enabled \
	deb_remove_keeps_conffile deb_purge_leaves_nothing deb_rsyslog_examples deb_remove_unpins \
	deb_purge_pins_locked_no_failure

R=$T/root
deb_cleanup() {
	umount "$R/sys/fs/bpf" 2>/dev/null
	debroot_umount "$R"
	cleanup
}
trap deb_cleanup EXIT
trap 'exit 1' TERM INT HUP

version=$(cat "$TOP/VERSION")
DEBS=$BUILD/deb
PREV=$DEB_PREV
prev_version=$DEB_PREV_VERSION

make -s -C "$TOP" deb >"$T/deb.out" 2>&1 || { fail deb_build "make deb: $(tail -5 "$T/deb.out")"; exit 1; }
lintian --fail-on error "$DEBS/crmguard_${version}_amd64.changes" >"$T/lintian.out" 2>&1 &&
	! grep -q '^E: ' "$T/lintian.out" && pass deb_build_lintian ||
	fail deb_build_lintian "$(grep '^E: ' "$T/lintian.out" | head -3)"
deb_previous >"$T/prev.out" 2>&1 || { fail deb_setup "the previous version: $(cat "$T/prev.out")"; exit 1; }
debroot_make >"$T/debroot.out" 2>&1 || { fail deb_setup "debootstrap: $(tail -5 "$T/debroot.out")"; exit 1; }
mkdir -p "$R" && tar -C "$R" -xf "$DEBROOT_TAR" && debroot_mount "$R" ||
	{ fail deb_setup "cannot unpack $DEBROOT_TAR"; exit 1; }
kver=$(ls "$R/lib/modules")
mkdir -p "$R/tmp/debs" && cp "$DEBS"/crmguard*_"$version"_*.deb "$PREV"/crmguard*_"$prev_version"_*.deb "$R/tmp/debs/"
in_root() { chroot "$R" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }
apt_local() { in_root apt-get -y -q --no-install-recommends "$@" >>"$T/apt.out" 2>&1; }

# What is there before: files, not the package manager's own state, logs,
# the mounts or /tmp (the packages sit there).
files() {
	(cd "$R" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \
		-o -path ./var/lib/dpkg -o -path ./var/lib/apt -o -path ./var/cache -o -path ./var/log \) -prune -o -print) |
		sort
}
files >"$T/before"

apt_local install "./tmp/debs/crmguard_${prev_version}_amd64.deb" "./tmp/debs/crmguard-dkms_${prev_version}_all.deb"
st=$(in_root dpkg-query -W -f='${Version} ${db:Status-Abbrev}\n' crmguard crmguard-dkms 2>&1 | tr '\n' ' ')
[ "$st" = "$prev_version ii  $prev_version ii  " ] && pass deb_install_previous ||
	{ fail deb_install_previous "'$st': $(tail -5 "$T/apt.out")"; exit 1; }
en=$(in_root systemctl is-enabled crmguardd.service 2>&1)
[ "$en" = enabled ] && [ -L "$R/etc/systemd/system/multi-user.target.wants/crmguardd.service" ] &&
	pass deb_unit_enabled || fail deb_unit_enabled "is-enabled: '$en'"
dk=$(in_root dkms status -m crmguard 2>&1)
ko=$(find "$R/lib/modules/$kver" -name 'crmguard.ko*' | head -1)
[ "$dk" = "crmguard/$prev_version, $kver, x86_64: installed" ] && [ -n "$ko" ] &&
	[ "$(modinfo -F version "$ko")" = "$prev_version" ] && pass deb_dkms_builds_module ||
	fail deb_dkms_builds_module "dkms status '$dk', module '$ko': $(grep -i -A3 'error\|fail' "$T/apt.out" | head -5)"
[ "$(stat -c %a "$R/etc/crmguard/policy.conf")" = 600 ] && pass deb_policy_root_only ||
	fail deb_policy_root_only "mode $(stat -c %a "$R/etc/crmguard/policy.conf")"

# The rsyslog snippets, as examples a fleet installs (docs/FLEET.md).
ex=$R/usr/share/crmguard/rsyslog
[ -s "$ex/crmguard-forward.conf" ] && [ -s "$ex/crmguard-collector.conf" ] && [ -s "$ex/crmguard.rulebase" ] &&
	[ -s "$ex/crmguard-store.sql" ] && pass deb_rsyslog_examples || fail deb_rsyslog_examples "$(ls "$ex" 2>&1)"

# The packaged binaries run on Debian 12's libraries.
out=$(in_root ctlx -h 2>&1 | head -1)
[[ "$out" == "usage: ctlx "* ]] && pass deb_binaries_run || fail deb_binaries_run "$out"

# The admin's edit, then the upgrade.
echo 'protect "/srv/crm data"	# edited on this workstation' >>"$R/etc/crmguard/policy.conf"
edited=$(cat "$R/etc/crmguard/policy.conf")
apt_local install "./tmp/debs/crmguard_${version}_amd64.deb" "./tmp/debs/crmguard-dkms_${version}_all.deb"
st=$(in_root dpkg-query -W -f='${Version} ${db:Status-Abbrev}\n' crmguard crmguard-dkms 2>&1 | tr '\n' ' ')
[ "$st" = "$version ii  $version ii  " ] && pass deb_upgrade || fail deb_upgrade "'$st': $(tail -5 "$T/apt.out")"
[ "$(cat "$R/etc/crmguard/policy.conf")" = "$edited" ] && [ ! -e "$R/etc/crmguard/policy.conf.dpkg-new" ] &&
	pass deb_upgrade_keeps_edited_policy ||
	fail deb_upgrade_keeps_edited_policy "$(diff <(echo "$edited") "$R/etc/crmguard/policy.conf")"
dk=$(in_root dkms status -m crmguard 2>&1)
ko=$(find "$R/lib/modules/$kver" -name 'crmguard.ko*' | head -1)
[ "$dk" = "crmguard/$version, $kver, x86_64: installed" ] && [ "$(modinfo -F version "$ko")" = "$version" ] &&
	[ ! -e "$R/usr/src/crmguard-$prev_version" ] && pass deb_upgrade_dkms_replaces_module ||
	fail deb_upgrade_dkms_replaces_module "dkms status '$dk', module '$ko'"
[ "$(in_root systemctl is-enabled crmguardd.service 2>&1)" = enabled ] && pass deb_upgrade_unit_still_enabled ||
	fail deb_upgrade_unit_still_enabled "$(in_root systemctl is-enabled crmguardd.service 2>&1)"

# A boot: systemd in a container on this root (systemd-nspawn; crmguardd
# needs bpf and fanotify, which nspawn filters by default) starts what
# the package enabled; a unit of the test's own records what it sees and
# powers off.
cat >"$R/etc/systemd/system/cgcheck.service" <<'UNIT'
[Unit]
After=crmguardd.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'sleep 3; { systemctl is-active crmguardd; ctlx status; journalctl -b -u crmguardd --no-pager; } >/root/boot.out 2>&1; systemctl poweroff'
UNIT
ln -s /etc/systemd/system/cgcheck.service "$R/etc/systemd/system/multi-user.target.wants/cgcheck.service"
files >"$T/preboot"
debroot_umount "$R"
timeout 120 systemd-nspawn -q -D "$R" -b --private-network --register=no --keep-unit --capability=all \
	--system-call-filter='bpf perf_event_open fanotify_init fanotify_mark' -M "cg$$" >"$T/boot.out" 2>&1
rm -f "$R/etc/systemd/system/cgcheck.service" "$R/etc/systemd/system/multi-user.target.wants/cgcheck.service"
debroot_mount "$R"
files | comm -13 "$T/preboot" - >"$T/boot-added"
if [ "$(head -1 "$R/root/boot.out" 2>/dev/null)" = active ] && grep -q '^crmguardd: *running' "$R/root/boot.out" &&
	grep -q "crmguard\[[0-9]*\]: event=start policy=/etc/crmguard/policy.conf" "$R/root/boot.out"; then
	pass deb_service_starts_at_boot
else
	fail deb_service_starts_at_boot "$(head -5 "$R/root/boot.out" 2>&1 | tr '\n' ' ') $(tail -3 "$T/boot.out")"
fi
rm -f "$R/root/boot.out"
# What the boot wrote is systemd's, not the packages' (said if not).
grep crmguard "$T/boot-added" && fail deb_boot_files "the boot left $(grep crmguard "$T/boot-added" | tr '\n' ' ')"

# remove: the programs and the module go, the edited policy stays. The
# BPF LSM's pins go too (a BPF filesystem of the test's own, with a map
# pinned where crmguardd pins its maps).
mount -t bpf bpf "$R/sys/fs/bpf" && mkdir "$R/sys/fs/bpf/crmguard" &&
	bpftool map create "$R/sys/fs/bpf/crmguard/lsm_rules" type array key 4 value 4 entries 1 name cgtest ||
	fail deb_setup "could not pin a map in $R/sys/fs/bpf/crmguard"
apt_local remove crmguard crmguard-dkms
[ ! -e "$R/sys/fs/bpf/crmguard" ] && pass deb_remove_unpins ||
	fail deb_remove_unpins "$(ls -R "$R/sys/fs/bpf" | tr '\n' ' ')"
umount "$R/sys/fs/bpf"
if [ ! -e "$R/usr/sbin/crmguardd" ] && [ -z "$(find "$R/lib/modules/$kver" -name 'crmguard.ko*')" ] &&
	[ -z "$(in_root dkms status -m crmguard 2>&1)" ] && [ "$(cat "$R/etc/crmguard/policy.conf")" = "$edited" ]; then
	pass deb_remove_keeps_conffile
else
	fail deb_remove_keeps_conffile "crmguardd $(ls "$R/usr/sbin/crmguardd" 2>&1), dkms '$(in_root dkms status -m crmguard 2>&1)'"
fi

# purge: nothing of it is left. DKMS's own signing key (made at its first
# build, for every DKMS module), depmod's indexes of the kernel and what
# systemd wrote at the boot stay.
# Pins that cannot be removed (here: on a read-only filesystem) fail
# nothing, and the admin is told.
mount -t tmpfs tmpfs "$R/sys/fs/bpf" && mkdir "$R/sys/fs/bpf/crmguard" && touch "$R/sys/fs/bpf/crmguard/link_x" &&
	mount -o remount,ro "$R/sys/fs/bpf" || fail deb_setup "could not make read-only pins"
: >"$T/apt.out"
apt_local purge crmguard crmguard-dkms
rc=$?
[ $rc -eq 0 ] && [ -e "$R/sys/fs/bpf/crmguard/link_x" ] &&
	grep -q 'crmguard: /sys/fs/bpf/crmguard could not be removed' "$T/apt.out" && pass deb_purge_pins_locked_no_failure ||
	fail deb_purge_pins_locked_no_failure "exit $rc: $(tail -3 "$T/apt.out")"
umount "$R/sys/fs/bpf"
files | grep -v -e "^./var/lib/dkms/mok\.\(key\|pub\)$" -e "^./usr/lib/modules/$kver/modules\.[a-z.]*$" |
	grep -vxF -f "$T/boot-added" >"$T/after"
left=$(diff "$T/before" "$T/after" | grep '^[<>]')
st=$(in_root dpkg-query -W -f='${db:Status-Abbrev}\n' crmguard crmguard-dkms 2>&1 | tr '\n' ' ')
[ -z "$left" ] && [[ "$st" != *ii* && "$st" != *rc* ]] && pass deb_purge_leaves_nothing ||
	fail deb_purge_leaves_nothing "status '$st'; differs: $(head -8 <<<"$left" | tr '\n' ' ')"
