# Shared by the guest's usb_*.sh scenarios: the USB modules, the sticks
# the host gave the guest (tests/vm/run: serials CRM-0042 and PRIVATE-7 at
# boot; more plugged on request through tests/vm/hotplug), and ways to see
# whether a stick is there and usable, read from sysfs as lsusb does.
. "$(dirname "${BASH_SOURCE[0]}")/../../host/lib.bash" || exit 1
# run again with another file backend (usb_backends.sh): its checks say which
[ "$BACKEND" = fanotify ] || CHECK_SUFFIX=_$BACKEND
USB=/sys/bus/usb/devices
MNT=$T/mnt
mkdir -p "$MNT"

usb_modules() {
	modprobe -a xhci-pci usb-storage sd_mod vfat nls_ascii nls_cp437 2>"$T/modprobe.err"
}

# usb_dev SERIAL: the USB device (1-1 ...) of the QEMU stick with SERIAL.
usb_dev() {
	local d
	for d in "$USB"/*; do
		[ -f "$d/serial" ] && [ "$(cat "$d/idVendor")" = 46f4 ] &&
			[ "$(cat "$d/serial")" = "$1" ] && { basename "$d"; return 0; }
	done
	return 1
}

# within SECONDS CMD...: CMD's output once it succeeds, tried every 0.1 s.
within() {
	local i
	for i in $(seq $(($1 * 10))); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

# usb_block DEV: its block device (sda ...), if it has one.
usb_block() {
	local b
	for b in "$USB/$1:1.0"/host*/target*/*/block/*; do
		[ -e "$b" ] && { basename "$b"; return 0; }
	done
	return 1
}

# wait_dev SERIAL [seconds], wait_block DEV [seconds]
wait_dev() { within "${2:-10}" usb_dev "$1"; }
wait_block() { within "${2:-10}" usb_block "$1"; }

# no_block_for DEV SECONDS: true if DEV has no block device the whole time.
no_block_for() {
	local i
	for i in $(seq $(($2 * 10))); do
		usb_block "$1" >/dev/null && return 1
		sleep 0.1
	done
	return 0
}

# The host plugs and unplugs (tests/vm/hotplug reads these lines).
plug() { echo "add $1 $2" >/dev/ttyS2; }
unplug() { echo "del $1" >/dev/ttyS2; }
stty -F /dev/ttyS2 raw -echo 2>/dev/null

# The sd* nodes of every SCSI disk there now (devtmpfs makes them).
disks() { ls /sys/block | grep '^sd' || true; }
