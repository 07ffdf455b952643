#!/bin/bash
# A file protected by its own name, saved over again and again (written
# aside, renamed over it), on ext4, which hands a deleted file's inode
# number to the next new file: every version is refused, with every
# backend. A backend that keeps a rule for the old file under that number
# must not take it for the new one.
. "$(dirname "$0")/../../host/lib.bash" || exit 1
checks saved_over_{fanotify,kmod,bpf-lsm}_{v{1..12},replaced,inode_reused}
modprobe loop && modprobe ext4 || { fail saved_over_setup "modprobe loop ext4"; exit 1; }
truncate -s 32M "$T/ext4.img" && mkfs.ext4 -q -F "$T/ext4.img" && mkdir "$T/ext" &&
	mount -o loop "$T/ext4.img" "$T/ext" || { fail saved_over_setup "an ext4 image would not mount"; exit 1; }
trap 'umount "$T/ext"; cleanup' EXIT
F=$T/ext/crm/clients.csv
mkdir "$T/ext/crm" && echo "client list v0" >"$F"
printf 'mode enforce\nprotect %s\nallow exe /usr/bin/cp\n' "$F" >"$POLICY"
# a module of its own: none left loaded by an earlier scenario, with its rules and mode
{ [ ! -e /sys/module/crmguard ] || rmmod crmguard; } && insmod "$BUILD/kmod/crmguard.ko" ||
	{ fail saved_over_setup "rmmod/insmod crmguard"; exit 1; }
for b in fanotify kmod bpf-lsm; do
	rm -f "$CTLSOCK"
	BACKEND=$b start_crmguard || { fail "saved_over_$b" "$(cat "$T/daemon.out")"; continue; }
	seen=" $(stat -c %i "$F") " reused= replaced=0
	# twelve saves: a number is reused about every other one, and the
	# rule of the file going and the new one's push can meet in any order
	for i in $(seq 12); do
		prev=$(stat -c %i "$F")
		echo "client list v$i" >"$T/v$i"
		cp "$T/v$i" "$T/ext/crm/.clients.csv.tmp"	# the CRM saves
		mv "$T/ext/crm/.clients.csv.tmp" "$F"
		# The new version is protected once inotify reported it and (kernel
		# backends) its rule was pushed, a moment later (README: Limits):
		# wait until a read is refused, at most 5 s. A rule left for the
		# old file under the reused number (the bug this is about) never
		# lets that happen, and the check below fails.
		for _ in $(seq 50); do
			head -c1 "$F" >/dev/null 2>&1 || break
			sleep 0.1
		done
		ino=$(stat -c %i "$F")
		# the file was replaced: a new inode, the new size, no temporary left
		[ "$ino" != "$prev" ] && [ "$(stat -c %s "$F")" = "$(stat -c %s "$T/v$i")" ] &&
			[ ! -e "$T/ext/crm/.clients.csv.tmp" ] && replaced=$((replaced + 1))
		[[ "$seen" == *" $ino "* ]] && [ "$ino" != "$prev" ] && reused=$ino
		seen+="$ino "
		expect_denied "saved_over_${b}_v$i" '[^ ]+' cat "$F"
	done
	[ $replaced = 12 ] && pass "saved_over_${b}_replaced" ||
		fail "saved_over_${b}_replaced" "$replaced of 12 saves replaced the file; inodes:$seen"
	# the case this is about: a number of an earlier version came back (ext4 does so at once)
	[ -n "$reused" ] && pass "saved_over_${b}_inode_reused" || fail "saved_over_${b}_inode_reused" "inodes:$seen"
	stop_crmguard
	rm -rf /sys/fs/bpf/crmguard
done
rmmod crmguard
