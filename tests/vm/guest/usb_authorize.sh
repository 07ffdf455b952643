#!/bin/bash
# USB sticks held by the kernel's USB authorization (ctl/daemon/usb):
# a stick the policy does not allow has no block device and cannot be
# mounted, whether it was there before crmguardd started, is plugged in
# while it runs, or while it is dead; root writing 1 to its `authorized`
# gets it taken back; a stick allowed by serial mounts, reads and writes.
# Each check first proves the stick is there (sysfs, as lsusb reads it).
. "$(dirname "$0")/usb_lib.bash" || exit 1
checks usb-setup usb-hub-default-held usb-held-at-start usb-allowed-by-serial usb-mount-recorded \
	usb-status-says-what-holds usb-list-json usb-generate usb-root-authorize-taken-back \
	usb-hotplug-running usb-ctlx-wrote-policy usb-allowed-by-ctlx usb-remove-record \
	usb-hotplug-daemon-dead usb-restart-records-held

if ! usb_modules; then
	fail usb-setup "modprobe: $(cat "$T/modprobe.err")"
	exit 1
fi
ok=$(wait_dev CRM-0042) && no=$(wait_dev PRIVATE-7) && wait_block "$ok" >/dev/null &&
	wait_block "$no" >/dev/null
if [ -z "$ok" ] || [ -z "$no" ] || ! usb_block "$no" >/dev/null; then
	fail usb-setup "the boot sticks are not both there with a disk: ok='$ok' no='$no' disks: $(disks)"
	exit 1
fi
# Usable before crmguardd: what follows is its doing.
noblk=$(usb_block "$no")
if mount -t vfat "/dev/$noblk" "$MNT" 2>"$T/err" && umount "$MNT"; then
	pass usb-setup
else
	fail usb-setup "the stick does not mount before crmguardd: $(cat "$T/err")"
	exit 1
fi

mkdir -p "$CRM"
cat >"$POLICY" <<P
mode enforce
protect $CRM
usb default block
usb allow 46f4:0001 serial CRM-0042
P
if ! start_crmguard; then
	fail usb-start "$(cat "$T/daemon.out")"
	exit 1
fi

# There before the start: taken back, its disk gone.
rec=$(wait_record "event=usb action=present verdict=deny rule=usb-default:block .*serial=PRIVATE-7 " 5)
if [ -n "$rec" ] && usb_dev PRIVATE-7 >/dev/null && [ "$(cat "$USB/$no:1.0/authorized")" = 0 ] &&
   no_block_for "$no" 1 && [ ! -e "/dev/$noblk" ] &&
   ! mount -t vfat "/dev/$noblk" "$MNT" 2>/dev/null &&
   wait_record "event=mount action=mount result=error error=ENOENT target=$MNT fstype=vfat source=/dev/$noblk " 5 >/dev/null; then
	pass usb-held-at-start
else
	fail usb-held-at-start "record '$rec', authorized $(cat "$USB/$no:1.0/authorized"), disks: $(disks)"
	umount "$MNT" 2>/dev/null
fi
[ "$(cat "$USB/usb1/interface_authorized_default" 2>/dev/null)" = 0 ] && pass usb-hub-default-held ||
	fail usb-hub-default-held "usb1 interface_authorized_default: $(cat "$USB/usb1/interface_authorized_default")"

# Allowed by serial: mount, write, read back after a remount.
rec=$(wait_record "event=usb action=present verdict=allow rule=usb-allow:46f4:0001:CRM-0042 .*serial=CRM-0042 " 5)
okblk=$(usb_block "$ok")
if [ -n "$rec" ] && [ -n "$okblk" ] && mount -t vfat "/dev/$okblk" "$MNT" 2>"$T/err" &&
   echo "clients summary" >"$MNT/report.txt" && umount "$MNT" &&
   mount -t vfat "/dev/$okblk" "$MNT" && [ "$(cat "$MNT/report.txt")" = "clients summary" ]; then
	pass usb-allowed-by-serial
else
	fail usb-allowed-by-serial "record '$rec', disk '$okblk': $(cat "$T/err")"
fi
umount "$MNT" 2>/dev/null
# The mount sensor names the stick the mounts were of, on Debian's kernel too.
rec=$(wait_record "event=mount action=mount target=$MNT fstype=vfat source=/dev/$okblk .*usb_device=$ok:1.0 vendor=46f4 product=0001 serial=CRM-0042 .*exe=/usr/bin/mount " 5)
rec2=$(wait_record "event=umount action=umount target=$MNT fstype=vfat .*serial=CRM-0042 " 5)
[ -n "$rec" ] && [ -n "$rec2" ] && pass usb-mount-recorded ||
	fail usb-mount-recorded "records '$rec' '$rec2': $(grep -E 'event=(u?mount|error)' "$AUTHLOG" | head -3)"

status=$(ctlx status)
[[ "$status" == *"usb:        held by the kernel's USB authorization"* ]] && pass usb-status-says-what-holds ||
	fail usb-status-says-what-holds "$(grep usb: <<<"$status")"
if ctlx usb list -j >"$T/list.json" && python3 -c '
import json, sys
l = {d["serial"]: d for d in json.load(open(sys.argv[1]))}
assert l["PRIVATE-7"]["held"] and l["PRIVATE-7"]["block"] == "", l
assert not l["CRM-0042"]["held"] and l["CRM-0042"]["block"].startswith("sd"), l
' "$T/list.json" 2>"$T/err"; then
	pass usb-list-json
else
	fail usb-list-json "$(cat "$T/list.json" "$T/err")"
fi
ctlx usb generate | grep -qx 'usb allow 46f4:0001 serial "PRIVATE-7"' && pass usb-generate ||
	fail usb-generate "$(ctlx usb generate)"

# Root authorizes the held interface by hand and asks the bus for a
# driver: usb-storage takes it, and crmguardd takes it back on the bind
# uevent (authorizing alone binds nothing: the kernel probes no driver).
echo 1 >"$USB/$no:1.0/authorized"
echo "$no:1.0" >/sys/bus/usb/drivers_probe
rec=$(wait_record "event=usb action=bind verdict=deny .*serial=PRIVATE-7 .*taken back" 5)
sleep 1
if [ -n "$rec" ] && [ "$(cat "$USB/$no:1.0/authorized")" = 0 ] && ! usb_block "$no" >/dev/null; then
	pass usb-root-authorize-taken-back
else
	fail usb-root-authorize-taken-back "record '$rec', authorized $(cat "$USB/$no:1.0/authorized"), disks: $(disks)"
fi

# Plugged in while crmguardd runs: there, but no disk.
plug hot-live HOT-9
if ! dev=$(wait_dev HOT-9 20); then
	fail usb-hotplug-running "the stick never appeared: $(tail -5 "$AUTHLOG")"
else
	rec=$(wait_record "event=usb action=add verdict=deny rule=usb-default:block .*serial=HOT-9 " 5)
	if [ -n "$rec" ] && no_block_for "$dev" 3 && [ "$(cat "$USB/$dev:1.0/authorized")" = 0 ]; then
		pass usb-hotplug-running
	else
		fail usb-hotplug-running "record '$rec', authorized $(cat "$USB/$dev:1.0/authorized"), disks: $(disks)"
	fi
	# allowed now: it gets its disk without being plugged again
	if ctlx usb allow 46f4:0001 serial HOT-9 2>"$T/err" &&
	   rec=$(wait_record "event=usb action=changed verdict=allow .*serial=HOT-9 " 5) &&
	   wait_block "$dev" 10 >/dev/null && mount -t vfat "/dev/$(usb_block "$dev")" "$MNT" 2>>"$T/err" && umount "$MNT"; then
		pass usb-allowed-by-ctlx
	else
		fail usb-allowed-by-ctlx "record '$rec', disks: $(disks): $(cat "$T/err")"
	fi
	grep -q '^usb allow 46f4:0001 serial HOT-9$' "$POLICY" && pass usb-ctlx-wrote-policy ||
		fail usb-ctlx-wrote-policy "$(cat "$POLICY")"
	unplug hot-live
	rec=$(wait_record "event=usb action=remove .*serial=HOT-9 " 10)
	[ -n "$rec" ] && ! usb_dev HOT-9 >/dev/null && pass usb-remove-record ||
		fail usb-remove-record "record '$rec'"
fi

# crmguardd dead: a stick plugged in now stays without a driver.
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
plug hot-dead DEAD-1
if ! dev=$(wait_dev DEAD-1 20); then
	fail usb-hotplug-daemon-dead "the stick never appeared"
elif no_block_for "$dev" 5 && [ "$(cat "$USB/$dev:1.0/authorized")" = 0 ] &&
     [ ! -e "$USB/$dev:1.0/driver" ]; then
	pass usb-hotplug-daemon-dead
else
	fail usb-hotplug-daemon-dead "authorized $(cat "$USB/$dev:1.0/authorized"), disks: $(disks)"
fi
# and crmguardd, back, records it and keeps it held
if start_crmguard && rec=$(wait_record "event=usb action=present verdict=deny .*serial=DEAD-1 " 5) &&
   no_block_for "$dev" 2; then
	pass usb-restart-records-held
else
	fail usb-restart-records-held "record '$rec', disks: $(disks)"
fi
stop_crmguard
