#!/bin/bash
# usbcore.authorized_default=0 (here as the module's option) closes the
# window from boot to crmguardd's start: every stick comes up without a
# driver; crmguardd authorizes the devices, and their interfaces are
# decided one by one, so a blocked stick never has a disk, not for a
# moment. Runs on whatever sticks the VM has (two at boot, and the one
# usb_authorize.sh plugged while crmguardd was dead, if it ran before).
. "$(dirname "$0")/usb_lib.bash" || exit 1
checks usb-bootwindow-setup usb-bootwindow-blocked-never-disk usb-bootwindow-allowed-gets-disk

# USB from scratch, as at boot with usbcore.authorized_default=0
for m in uas usb_storage xhci_pci xhci_hcd usbcore; do
	[ ! -e "/sys/module/$m" ] || rmmod "$m" 2>>"$T/rmmod.err"
done
if [ -e /sys/module/usbcore ] || ! modprobe usbcore authorized_default=0 2>"$T/modprobe.err" ||
   ! usb_modules; then
	fail usb-bootwindow-setup "usbcore not reloaded: $(cat "$T/rmmod.err" "$T/modprobe.err" 2>/dev/null)" \
		"usbcore holders: $(ls /sys/module/usbcore/holders 2>/dev/null | tr '\n' ' ')"
	exit 1
fi
sticks() { grep -l 46f4 "$USB"/*/idVendor 2>/dev/null | wc -l; }
two_sticks() { [ "$(sticks)" -ge 2 ]; }
within 20 two_sticks
sleep 2	# the stick usb_authorize.sh plugged, if it ran, may come later
# one look at the sticks for both counts
list=$(grep -l 46f4 "$USB"/*/idVendor)
n=$(grep -c . <<<"$list")
held=$(for f in $list; do cat "$(dirname "$f")/authorized"; done | grep -c 0)
if [ "$n" -ge 2 ] && [ "$held" = "$n" ] && [ -z "$(disks)" ]; then
	pass usb-bootwindow-setup
else
	fail usb-bootwindow-setup "$n sticks, $held unauthorized, disks: $(disks)"
	exit 1
fi

# From crmguardd's start on: is there ever a disk of a stick other than
# CRM-0042? Polled, and counted in the kernel's log (which misses none).
attached() { dmesg | grep -c 'Attached SCSI'; }
before=$(attached)
(
	# builtins but sleep: a process per look would slow the guest down
	while :; do
		for b in /sys/block/sd*; do
			[ -e "$b" ] || continue
			read -r s <"$b/device/../../../../serial" 2>/dev/null || s=?
			[ "$s" = CRM-0042 ] || echo "${b##*/} $s"
		done
		sleep 0.1
	done
) >"$T/seen" &
watcher=$!
mkdir -p "$CRM"
cat >"$POLICY" <<P
mode enforce
protect $CRM
usb allow 46f4:0001 serial CRM-0042
P
if ! start_crmguard; then
	kill $watcher
	fail usb-bootwindow-start "$(cat "$T/daemon.out")"
	exit 1
fi
ok=$(wait_dev CRM-0042 10)
if [ -n "$ok" ] && wait_block "$ok" 15 >/dev/null; then
	pass usb-bootwindow-allowed-gets-disk
else
	fail usb-bootwindow-allowed-gets-disk "ok='$ok' disks: $(disks): $(grep event=usb "$AUTHLOG")"
fi
no=$(wait_dev PRIVATE-7 10)
rec=$(wait_record "event=usb action=(present|add) verdict=deny .*serial=PRIVATE-7 " 10)
sleep 2
kill $watcher
wait $watcher 2>/dev/null
if [ -n "$no" ] && [ -n "$rec" ] && [ "$(cat "$USB/$no/authorized")" = 1 ] &&
   [ "$(cat "$USB/$no:1.0/authorized")" = 0 ] && [ ! -s "$T/seen" ] &&
   [ "$(attached)" -eq $((before + 1)) ]; then
	pass usb-bootwindow-blocked-never-disk
else
	fail usb-bootwindow-blocked-never-disk "no='$no' record '$rec', disks seen: $(sort -u "$T/seen" | head -3)," \
		"disks attached since the start: $(($(attached) - before)) (1 expected)"
fi
stop_crmguard
