#!/bin/bash
# CRM data and the CRM itself on btrfs, with every backend. stat() there
# names a file by its subvolume's device, not the superblock's, and each
# subvolume numbers its inodes from 256 on its own: a file in another
# subvolume can have the number of a protected file, or of the allowed
# binary. So: a database in a subvolume and one at the top level are
# protected; the allowed binary, itself on btrfs, reads them; cat, hard
# links and copies of the binary (one elsewhere, one in another subvolume
# with the allowed binary's inode number) are refused with a deny record;
# files in another subvolume with the protected ones' numbers are not
# protected; and no rule is refused on the way to the kernel. First, the
# BPF LSM started before btrfs was loaded: it cannot tell subvolumes apart,
# and a btrfs file is refused by name rather than left unprotected.
. "$(dirname "$0")/../../host/lib.bash" || exit 1
checks btrfs_same_numbers_in_subvolumes btrfs_bpf-lsm_before_btrfs btrfs_{fanotify,kmod,bpf-lsm}_{allowed_subvolume,allowed_top_level,cat_crm,copy_elsewhere_crm,copy_same_ino_crm,cat_topcrm,copy_elsewhere_topcrm,copy_same_ino_topcrm,hard_link_subvolume,hard_link_top_level,record_dev,other_subvolume_free,no_rule_refused} btrfs_{kmod,bpf-lsm}_kernel_rules
modprobe loop || { fail btrfs_setup "modprobe loop"; exit 1; }
early=
if [ -e /sys/module/btrfs ]; then
	fail btrfs_bpf-lsm_before_btrfs "btrfs was loaded before this scenario: nothing to check"
else
	echo "not on btrfs" >"$T/elsewhere.csv"
	printf 'mode enforce\nprotect %s\n' "$T/elsewhere.csv" >"$POLICY"
	BACKEND=bpf-lsm start_crmguard && early=$DAEMON_PID ||
		fail btrfs_bpf-lsm_before_btrfs "$(cat "$T/daemon.out")"
fi
modprobe btrfs || { fail btrfs_setup "modprobe btrfs"; exit 1; }
B=$T/btrfs
truncate -s 256M "$T/btrfs.img" && mkfs.btrfs -q -f "$T/btrfs.img" >/dev/null && mkdir "$B" &&
	mount -o loop "$T/btrfs.img" "$B" || { fail btrfs_setup "a btrfs image would not mount"; exit 1; }
trap 'umount "$B"; cleanup' EXIT
# In each subvolume the first new inode is number 257: the CRM data, the
# CRM, a user's documents and a copy of the CRM all start there.
for s in crm apps home tools; do
	btrfs -q subvolume create "$B/$s" >/dev/null || { fail btrfs_setup "btrfs subvolume create $s"; exit 1; }
done
mkdir "$B/crm/db" && echo "client list, in a subvolume" >"$B/crm/db/clients.csv" && mkdir "$B/crm/pub"
mkdir "$B/home/docs" && echo "a user's own notes" >"$B/home/docs/notes.txt"
mkdir "$B/topcrm" && echo "client list, at the top level" >"$B/topcrm/clients.csv" && mkdir "$B/pub"
ln "$B/crm/db/clients.csv" "$B/crm/pub/clients-link.csv"
ln "$B/topcrm/clients.csv" "$B/pub/clients-link.csv"
cp "$BUILD/helpers/readvia" "$B/apps/crm-reader"	# the CRM: allowed
cp "$B/apps/crm-reader" "$B/tools/crm-copy"		# the same bytes, not allowed
cp "$B/apps/crm-reader" "$T/crm-copy"
ino() { stat -c %i "$1"; }
[ "$(ino "$B/apps/crm-reader")" = "$(ino "$B/tools/crm-copy")" ] &&
	[ "$(ino "$B/crm/db")" = "$(ino "$B/home/docs")" ] &&
	[ "$(ino "$B/crm/db/clients.csv")" = "$(ino "$B/home/docs/notes.txt")" ] &&
	[ "$(stat -c %d "$B/crm")" != "$(stat -c %d "$B/home")" ] &&
	pass btrfs_same_numbers_in_subvolumes ||
	fail btrfs_same_numbers_in_subvolumes "$(stat -c '%n %d:%i' "$B"/*/crm-* "$B"/crm/db "$B"/home/docs \
		"$B"/crm/db/clients.csv "$B"/home/docs/notes.txt | tr '\n' ' ')"
if [ -n "$early" ]; then
	out=$(ctlx protect add "$B/crm/db" 2>&1)
	rc=$?
	# the first file refused, by one of its names (clients.csv has two)
	[ $rc -eq 2 ] && [[ "$out" == *"protect $B/crm/db: $B/crm/"*" is on btrfs, whose module was loaded after the BPF LSM programs"* ]] &&
		pass btrfs_bpf-lsm_before_btrfs || fail btrfs_bpf-lsm_before_btrfs "exit $rc: $out"
	stop_crmguard
	rm -rf /sys/fs/bpf/crmguard
fi
cat >"$POLICY" <<P
mode enforce
protect $B/crm/db
protect $B/topcrm
allow exe $B/apps/crm-reader
P
[ -e /sys/module/crmguard ] || insmod "$BUILD/kmod/crmguard.ko" || { fail btrfs_setup "insmod"; exit 1; }

# reads NAME FILE: the allowed binary reads all of FILE.
reads() {
	local out size
	size=$(stat -c %s "$2")
	out=$("$B/apps/crm-reader" read "$2" 2>&1)
	[ "$out" = "$size" ] && pass "$1" || fail "$1" "read $out of $size bytes; $(tail -3 "$T/daemon.out")"
}

# dev_in_record NAME FILE: the last deny record for FILE names its dev as stat() does.
dev_in_record() {
	local rec want
	rec=$(grep -E "event=open verdict=deny .*path=$2 " "$AUTHLOG" | tail -1)
	want=$(stat -c '%Hd:%Ld' "$2")
	[ "$(field "$rec" dev)" = "$want" ] && [ "$(field "$rec" ino)" = "$(ino "$2")" ] &&
		pass "$1" || fail "$1" "want dev=$want ino=$(ino "$2"), record '$rec'"
}

for b in fanotify kmod bpf-lsm; do
	rm -f "$CTLSOCK"
	: >"$AUTHLOG"
	BACKEND=$b start_crmguard || { fail "btrfs_${b}_start" "$(cat "$T/daemon.out")"; continue; }
	sleep 0.3
	reads "btrfs_${b}_allowed_subvolume" "$B/crm/db/clients.csv"
	reads "btrfs_${b}_allowed_top_level" "$B/topcrm/clients.csv"
	for f in crm/db/clients.csv topcrm/clients.csv; do
		n=${f%%/*}
		expect_denied "btrfs_${b}_cat_$n" '[^ ]+' cat "$B/$f"
		expect_denied "btrfs_${b}_copy_elsewhere_$n" '[^ ]+' "$T/crm-copy" read "$B/$f"
		expect_denied "btrfs_${b}_copy_same_ino_$n" '[^ ]+' "$B/tools/crm-copy" read "$B/$f"
	done
	expect_denied "btrfs_${b}_hard_link_subvolume" '[^ ]+' cat "$B/crm/pub/clients-link.csv"
	expect_denied "btrfs_${b}_hard_link_top_level" '[^ ]+' cat "$B/pub/clients-link.csv"
	dev_in_record "btrfs_${b}_record_dev" "$B/crm/db/clients.csv"
	# the same numbers in another subvolume are other files
	out=$(cat "$B/home/docs/notes.txt" 2>&1)
	[ "$out" = "a user's own notes" ] && pass "btrfs_${b}_other_subvolume_free" ||
		fail "btrfs_${b}_other_subvolume_free" "$out"
	status=$(ctlx status 2>&1)
	if [ "$b" != fanotify ]; then
		rules=$(ctlx status -j | sed -n 's/.*"kernel":{"rules":\([0-9]*\).*/\1/p')
		# crm/db, its file, its hard link's directory is not protected: 2 dirs, 2 files, 1 exe
		[ "${rules:-0}" -ge 5 ] && pass "btrfs_${b}_kernel_rules" ||
			fail "btrfs_${b}_kernel_rules" "kernel rules: '${rules}'; $status"
	fi
	bad=$(grep -E 'event=(error|warning)' "$AUTHLOG"; grep -iE 'error|warning|refus' "$T/daemon.out")
	[ -z "$bad" ] && pass "btrfs_${b}_no_rule_refused" || fail "btrfs_${b}_no_rule_refused" "$bad"
	stop_crmguard
	rm -rf /sys/fs/bpf/crmguard
done
rmmod crmguard
