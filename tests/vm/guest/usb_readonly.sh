#!/bin/bash
# Read-only sticks (ctl/daemon/usb/readonly.c, ebpf/usb_ro.bpf.c): a stick
# allowed readonly mounts and reads, and no write reaches it by any way an
# employee with root would try (cp, dd to the device, blockdev --setrw
# first, remount rw, mount rw), also with crmguardd killed; the disk's
# bytes, read past the page cache, are the same after every attempt. A
# readonly stick plugged in while crmguardd runs is never mounted
# read-write, not even in the moment before crmguardd has seen its disk;
# with crmguardd dead, root giving the stick a new disk (deauthorize,
# authorize, probe) gets one no write reaches either.
# Another stick, allowed in full, stays writable beside it.
. "$(dirname "$0")/usb_lib.bash" || exit 1
checks usb-ro-setup usb-ro-status usb-ro-mounts-and-reads usb-ro-cp-refused usb-ro-dd-refused \
	usb-ro-setrw-refused usb-ro-remount-refused usb-ro-mount-rw-refused usb-ro-bytes-unchanged \
	usb-ro-records usb-ro-other-stick-writable usb-ro-daemon-dead usb-ro-hotplug-never-rw \
	usb-ro-rebound-while-dead usb-ro-dead-refusals-recorded

if ! usb_modules; then
	fail usb-ro-setup "modprobe: $(cat "$T/modprobe.err")"
	exit 1
fi
mkdir -p "$CRM"
cat >"$POLICY" <<P
mode enforce
protect $CRM
usb default block
usb allow 46f4:0001 serial CRM-0042
usb allow 46f4:0001 serial PRIVATE-7
usb allow 46f4:0001 serial RO-5 readonly
P
# The sticks may come held by an earlier scenario: the policy gives them back.
if ! start_crmguard; then
	fail usb-ro-setup "$(cat "$T/daemon.out")"
	exit 1
fi
ok=$(wait_dev CRM-0042) && other=$(wait_dev PRIVATE-7) && wait_block "$ok" >/dev/null &&
	wait_block "$other" >/dev/null
blk=$(usb_block "$ok")
# What it holds before it becomes read-only: written while it may be.
if [ -z "$blk" ] || [ -z "$other" ] || ! mount -t vfat "/dev/$blk" "$MNT" 2>"$T/err" ||
   ! echo "client list, quarter 3" >"$MNT/q3.txt" || ! umount "$MNT"; then
	fail usb-ro-setup "sticks ok='$ok' other='$other' disk '$blk', disks: $(disks): $(cat "$T/err")"
	exit 1
fi
# readonly now: the stick is given again, its new disk read-only
if ! ctlx usb allow 46f4:0001 serial CRM-0042 readonly 2>"$T/err" ||
   ! rec=$(wait_record "event=usb action=changed verdict=allow .*serial=CRM-0042 .*policy_verdict=readonly detail=\"read-only: the BPF LSM refuses its writes\"" 10); then
	fail usb-ro-setup "ctlx: $(cat "$T/err"); records: $(grep 'event=usb' "$AUTHLOG" | tail -3)"
	exit 1
fi
ro_ready() { blk=$(usb_block "$ok") && [ "$(blockdev --getro "/dev/$blk" 2>/dev/null)" = 1 ]; }
if within 10 ro_ready; then
	pass usb-ro-setup
else
	fail usb-ro-setup "disk '$blk' of $ok: getro $(blockdev --getro "/dev/$blk" 2>&1), disks: $(disks)"
	exit 1
fi
dev=/dev/$blk
status=$(ctlx status)
[[ "$status" == *"read-only sticks: held by the BPF LSM"* ]] && pass usb-ro-status ||
	fail usb-ro-status "$(grep usb: <<<"$status")"

# bytes of the whole disk, past the page cache
bytes() { dd if="$dev" iflag=direct bs=1M 2>/dev/null | sha256sum; }
before=$(bytes)

# mount(8) finds it write-protected and mounts it read-only; it reads
if mount -t vfat "$dev" "$MNT" 2>"$T/err" && grep -q " $MNT vfat ro," /proc/mounts &&
   [ "$(cat "$MNT/q3.txt")" = "client list, quarter 3" ]; then
	pass usb-ro-mounts-and-reads
else
	fail usb-ro-mounts-and-reads "$(cat "$T/err"); $(grep " $MNT " /proc/mounts)"
fi
echo "client list, quarter 4" >"$T/q4.txt"
if cp "$T/q4.txt" "$MNT/" 2>"$T/err"; then
	fail usb-ro-cp-refused "cp wrote $(ls -l "$MNT/q4.txt")"
elif grep -q "Read-only file system" "$T/err" && [ ! -e "$MNT/q4.txt" ]; then
	pass usb-ro-cp-refused
else
	fail usb-ro-cp-refused "cp failed otherwise: $(cat "$T/err")"
fi

# expect_refused NAME CMD...: CMD ran (it is there) and was refused, EPERM
expect_refused() {
	local name=$1
	shift
	if "$@" 2>"$T/err"; then
		fail "$name" "$* succeeded"
	elif grep -q "Operation not permitted" "$T/err"; then
		pass "$name"
	else
		fail "$name" "$* failed otherwise: $(cat "$T/err")"
	fi
}
expect_refused usb-ro-dd-refused dd if=/dev/zero of="$dev" bs=512 count=1 conv=notrunc,fsync oflag=direct
# root clears the flag first: refused, and the disk stays read-only
if blockdev --setrw "$dev" 2>"$T/err"; then
	fail usb-ro-setrw-refused "blockdev --setrw succeeded: getro $(blockdev --getro "$dev")"
elif grep -q "Operation not permitted" "$T/err" && [ "$(blockdev --getro "$dev")" = 1 ] &&
     ! dd if=/dev/zero of="$dev" bs=512 count=1 conv=notrunc oflag=direct 2>/dev/null; then
	pass usb-ro-setrw-refused
else
	fail usb-ro-setrw-refused "$(cat "$T/err"); getro $(blockdev --getro "$dev")"
fi
if mount -o remount,rw "$MNT" 2>"$T/err"; then
	fail usb-ro-remount-refused "remounted: $(grep " $MNT " /proc/mounts)"
elif grep -q " $MNT vfat ro," /proc/mounts; then
	pass usb-ro-remount-refused
else
	fail usb-ro-remount-refused "$(cat "$T/err"); $(grep " $MNT " /proc/mounts)"
fi
umount "$MNT"
# never read-write: refused, or mount(8) takes it read-only as it does a write-protected disk
# not_rw_mount DEV: mount -o rw DEV did not give a read-write mount
not_rw_mount() {
	mount -o rw -t vfat "$1" "$MNT" 2>"$T/err" || return 0
	grep -q " $MNT vfat ro," /proc/mounts
	local ro=$?
	umount "$MNT"
	return $ro
}
not_rw_mount "$dev" && pass usb-ro-mount-rw-refused ||
	fail usb-ro-mount-rw-refused "mounted read-write: $(cat "$T/err")"

# The other stick, allowed in full: written and read back.
oblk=$(usb_block "$other")
if [ -n "$oblk" ] && mount -t vfat "/dev/$oblk" "$MNT" 2>"$T/err" && echo ok >"$MNT/w.txt" &&
   umount "$MNT" && mount -t vfat "/dev/$oblk" "$MNT" && [ "$(cat "$MNT/w.txt")" = ok ]; then
	pass usb-ro-other-stick-writable
else
	fail usb-ro-other-stick-writable "disk '$oblk': $(cat "$T/err")"
fi
umount "$MNT" 2>/dev/null

# Each refusal left a record naming the stick and who tried.
r1=$(wait_record "event=usb action=write verdict=deny call=open-write reason=readonly rule=usb-allow:46f4:0001:CRM-0042 dev=[0-9:]+ .*serial=CRM-0042 .*exe=/usr/bin/dd " 5)
r2=$(wait_record "event=usb action=write verdict=deny call=ioctl ioctl=BLKROSET reason=readonly .*serial=CRM-0042 .*exe=/usr/sbin/blockdev " 5)
r3=$(wait_record "event=usb action=write verdict=deny call=remount reason=readonly .*serial=CRM-0042 " 5)
[ -n "$r1" ] && [ -n "$r2" ] && [ -n "$r3" ] && pass usb-ro-records ||
	fail usb-ro-records "'$r1' '$r2' '$r3': $(grep 'action=write' "$AUTHLOG" | head -3)"

# crmguardd killed: the pinned programs hold alone.
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
if [ -S "$CTLSOCK" ] && ctlx status >/dev/null 2>&1; then
	fail usb-ro-daemon-dead "crmguardd still answers"
elif ! dd if=/dev/zero of="$dev" bs=512 count=1 conv=notrunc oflag=direct 2>/dev/null &&
     ! blockdev --setrw "$dev" 2>/dev/null && [ "$(blockdev --getro "$dev")" = 1 ] &&
     mount -t vfat "$dev" "$MNT" 2>/dev/null && grep -q " $MNT vfat ro," /proc/mounts &&
     ! mount -o remount,rw "$MNT" 2>/dev/null && ! cp "$T/q4.txt" "$MNT/" 2>/dev/null; then
	pass usb-ro-daemon-dead
else
	fail usb-ro-daemon-dead "getro $(blockdev --getro "$dev"); $(grep " $MNT " /proc/mounts)"
fi
umount "$MNT" 2>/dev/null
after=$(bytes)
[ -n "$before" ] && [ "$before" = "$after" ] && pass usb-ro-bytes-unchanged ||
	fail usb-ro-bytes-unchanged "before $before, after $after"

# Plugged while crmguardd runs: from its first moment, never mounted read-write.
if ! start_crmguard; then
	fail usb-ro-hotplug-never-rw "crmguardd did not start again: $(cat "$T/daemon.out")"
	exit 1
fi
plug hot-ro RO-5
rw=0 tries=0
if ! hot=$(wait_dev RO-5 20); then
	fail usb-ro-hotplug-never-rw "the stick never appeared"
else
	# mount -o rw as soon as its disk is there, again and again
	end=$((SECONDS + 15))
	while [ $SECONDS -lt $end ]; do
		b=$(usb_block "$hot") || continue
		[ -b "/dev/$b" ] || continue
		tries=$((tries + 1))
		if mount -o rw -t vfat "/dev/$b" "$MNT" 2>/dev/null; then
			grep -q " $MNT vfat ro," /proc/mounts || rw=$((rw + 1))
			umount "$MNT"
		fi
		[ "$(blockdev --getro "/dev/$b" 2>/dev/null)" = 1 ] && [ $tries -gt 20 ] && break
	done
	if [ "$tries" -gt 0 ] && [ "$rw" = 0 ] && [ "$(blockdev --getro "/dev/$b")" = 1 ] &&
	   ! dd if=/dev/zero of="/dev/$b" bs=512 count=1 conv=notrunc oflag=direct 2>/dev/null &&
	   mount -t vfat "/dev/$b" "$MNT" 2>"$T/err" && grep -q " $MNT vfat ro," /proc/mounts; then
		pass usb-ro-hotplug-never-rw
		echo "usb-ro-hotplug: $tries read-write mounts tried as the disk came, none took"
	else
		fail usb-ro-hotplug-never-rw "$tries tried, $rw mounted read-write; getro $(blockdev --getro "/dev/$b" 2>&1): $(cat "$T/err")"
	fi
	umount "$MNT" 2>/dev/null
fi

# crmguardd dead; root gives the stick a new disk, which crmguardd never sees.
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
dd_records() { grep -c "event=usb action=write verdict=deny call=open-write reason=readonly .*serial=RO-5 .*exe=/usr/bin/dd " "$AUTHLOG"; }
seen=$(dd_records)
no_disk() { ! usb_block "$hot" >/dev/null; }
fresh_disk() { b=$(usb_block "$hot") && [ -b "/dev/$b" ] && [ "$(blockdev --getro "/dev/$b" 2>/dev/null)" = 0 ]; }
if ! { echo 0 >"$USB/$hot:1.0/authorized" && within 10 no_disk && echo 1 >"$USB/$hot:1.0/authorized" &&
       { echo "$hot:1.0" >/sys/bus/usb/drivers_probe; within 15 fresh_disk; }; }; then
	fail usb-ro-rebound-while-dead "no fresh disk (one crmguardd did not set read-only): '$(usb_block "$hot")', disks: $(disks)"
elif ! dd if=/dev/zero of="/dev/$b" bs=512 count=1 conv=notrunc oflag=direct 2>"$T/err" &&
     grep -q "Operation not permitted" "$T/err" && not_rw_mount "/dev/$b"; then
	pass usb-ro-rebound-while-dead
else
	fail usb-ro-rebound-while-dead "disk $b: $(cat "$T/err")"
fi
# what was refused meanwhile waits in the pinned ring buffer for the next crmguardd
more_records() { [ "$(dd_records)" -gt "$seen" ]; }
if start_crmguard && within 10 more_records; then
	pass usb-ro-dead-refusals-recorded
else
	fail usb-ro-dead-refusals-recorded "$seen such records before, $(dd_records) after: $(grep 'action=write' "$AUTHLOG" | tail -2)"
fi
unplug hot-ro
stop_crmguard
# the programs go with their pins: nothing of this scenario stays in the guest
rm -rf /sys/fs/bpf/crmguard/usb
