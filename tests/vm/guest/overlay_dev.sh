#!/bin/bash
# A file protected through an overlay whose lower layer is another
# filesystem (ext4 under a tmpfs upper layer, xino off as by default):
# stat() shows such a file with a device of its layer's, while the kernel
# names it by the overlay's. With fanotify and the BPF LSM, cat is refused,
# the allowed binary reads, the record names the file as stat() does, and
# no rule is refused; an allowed binary on such an overlay gets a warning.
# crmguard.ko is not run: this overlay has no file
# handles (nfs_export off), and crmguardd hands it files opened by handle.
. "$(dirname "$0")/../../host/lib.bash" || exit 1
checks overlay_dev_differs overlay_dev_{fanotify,bpf-lsm}_{allowed,cat,record_dev,no_rule_refused} overlay_dev_exe_warned
modprobe loop && modprobe ext4 && modprobe overlay || { fail overlay_dev_setup "modprobe"; exit 1; }
L=$T/lower M=$T/merged
mkdir "$L" "$T/up" "$M" && truncate -s 32M "$T/ext4.img" && mkfs.ext4 -q -F "$T/ext4.img" &&
	mount -o loop "$T/ext4.img" "$L" && mount -t tmpfs tmpfs "$T/up" &&
	mkdir "$L/crm" "$L/bin" "$T/up/upper" "$T/up/work" && echo "client list, in the lower layer" >"$L/crm/clients.csv" &&
	cp "$BUILD/helpers/readvia" "$L/bin/crm-reader" &&
	mount -t overlay overlay -o "lowerdir=$L,upperdir=$T/up/upper,workdir=$T/up/work,xino=off" "$M" ||
	{ fail overlay_dev_setup "the overlay would not mount"; exit 1; }
trap 'umount "$M"; umount "$T/up"; umount "$L"; cleanup' EXIT
F=$M/crm/clients.csv
# the case: not the overlay's device (mountinfo's MAJOR:MINOR of its mount)
ovl=$(awk -v m="$M" '$5 == m { print $3 }' /proc/self/mountinfo)
[ -n "$ovl" ] && [ "$(stat -c '%Hd:%Ld' "$F")" != "$ovl" ] && pass overlay_dev_differs ||
	fail overlay_dev_differs "stat $(stat -c '%Hd:%Ld' "$F"), overlay '$ovl'"
cp "$BUILD/helpers/readvia" "$T/crm-reader"
printf 'mode enforce\nprotect %s\nallow exe %s\n' "$F" "$T/crm-reader" >"$POLICY"
for b in fanotify bpf-lsm; do
	rm -f "$CTLSOCK"
	: >"$AUTHLOG"
	BACKEND=$b start_crmguard || { fail "overlay_dev_${b}_start" "$(cat "$T/daemon.out")"; continue; }
	out=$("$T/crm-reader" read "$F" 2>&1)
	[ "$out" = "$(stat -c %s "$F")" ] && pass "overlay_dev_${b}_allowed" || fail "overlay_dev_${b}_allowed" "$out"
	expect_denied "overlay_dev_${b}_cat" '[^ ]+' cat "$F"
	rec=$(grep -E "event=open verdict=deny .*path=$F " "$AUTHLOG" | tail -1)
	[ "$(field "$rec" dev)" = "$(stat -c '%Hd:%Ld' "$F")" ] && pass "overlay_dev_${b}_record_dev" ||
		fail "overlay_dev_${b}_record_dev" "want dev=$(stat -c '%Hd:%Ld' "$F"), record '$rec'"
	bad=$(grep -E 'event=(error|warning)' "$AUTHLOG"; grep -iE 'error|warning|refus' "$T/daemon.out")
	[ -z "$bad" ] && pass "overlay_dev_${b}_no_rule_refused" || fail "overlay_dev_${b}_no_rule_refused" "$bad"
	stop_crmguard
	rm -rf /sys/fs/bpf/crmguard
done
# An allowed binary from that lower layer: files of the two layers share
# inode numbers, and the kernel names them by the overlay's device. Said.
printf 'mode enforce\nprotect %s\nallow exe %s\n' "$F" "$M/bin/crm-reader" >"$POLICY"
rm -f "$CTLSOCK"
if BACKEND=bpf-lsm start_crmguard; then
	grep -q "allow exe $M/bin/crm-reader: stat() shows it on another device than its filesystem's" "$T/daemon.out" &&
		pass overlay_dev_exe_warned || fail overlay_dev_exe_warned "$(cat "$T/daemon.out")"
	stop_crmguard
else
	fail overlay_dev_exe_warned "$(cat "$T/daemon.out")"
fi
rm -rf /sys/fs/bpf/crmguard
