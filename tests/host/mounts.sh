#!/bin/bash
# The mount sensor (ebpf/mount.bpf.c, ctl/daemon/usb/mounts.c) on loop
# devices, the host's stand-in for a USB stick: mount(8), a remount read
# only, the new mount API (fsopen/fsconfig/fsmount/move_mount), umount,
# each recorded with the device, its backing file, the filesystem type,
# the mount point and the process; a mount point whose name holds a
# newline and a quote cannot forge a field. Each check first proves the
# mount really happened (findmnt / mountinfo).
. "$(dirname "$0")/lib.bash" || exit 1
checks mount-sensor-off-without-usb mount-sensor-loads mount-recorded mount-remount-recorded \
	umount-recorded mount-new-api-recorded mount-name-forges-nothing
mkdir -p "$CRM"
cat >"$POLICY" <<P
mode audit
protect $CRM
P
if ! start_crmguard; then
	fail mount-sensor-start "$(cat "$T/daemon.out")"
	exit 1
fi
img=$T/stick.img
truncate -s 32M "$img" && mkfs.ext4 -q "$img" || { fail mount-setup "mkfs.ext4 failed"; exit 1; }
loop=$(losetup -f --show "$img") || { fail mount-setup "losetup failed"; exit 1; }
trap 'umount -q "$T"/m* 2>/dev/null; losetup -d "$loop"; cleanup' EXIT
devnum=$(printf '%d:%d' "0x$(stat -c %t "$loop")" "0x$(stat -c %T "$loop")")
mnt=$T/m1
mkdir -p "$mnt"

# No usb line: the sensor's syscall tracepoints, which slow every system
# call, are not attached, and a mount that really happened is not recorded.
mount "$loop" "$mnt" && findmnt -n "$mnt" >/dev/null && umount "$mnt" || fail mount-setup "mount $loop"
sleep 0.5
status=$(ctlx status)
if [[ "$status" == *"mounts:     not recorded: the policy has no usb line"* ]] &&
   ! grep -q "event=mount .*target=$mnt " "$AUTHLOG"; then
	pass mount-sensor-off-without-usb
else
	fail mount-sensor-off-without-usb "$(grep 'mounts:' <<<"$status"); $(grep 'event=mount' "$AUTHLOG" | head -2)"
fi

# A usb line (this machine has no USB: a loop device stands in for a stick)
echo "usb default allow" >>"$POLICY"
ctlx reload >"$T/reload.out" 2>&1 || fail mount-sensor-loads "reload: $(cat "$T/reload.out")"
status=$(ctlx status)
[[ "$status" == *"mounts:     recorded by a BPF sensor"* ]] && pass mount-sensor-loads ||
	fail mount-sensor-loads "$(grep -E 'mounts:|error' <<<"$status" "$T/daemon.out")"

# mount(2) through mount(8), by a process the record names by pid
mount "$loop" "$mnt" &
pid=$!
wait $pid
rec=$(wait_record "event=mount action=mount target=$mnt fstype=ext4 source=$loop dev=$devnum .*backing_file=$img .*pid=$pid .*exe=/usr/bin/mount " 5)
if ! findmnt -n "$mnt" >/dev/null; then
	fail mount-recorded "mount(8) did not mount $loop on $mnt"
elif [ -n "$rec" ]; then
	pass mount-recorded
else
	fail mount-recorded "no record: $(grep 'event=mount' "$AUTHLOG")"
fi

mount -o remount,ro "$mnt" &
pid=$!
wait $pid
rec=$(wait_record "event=mount action=remount target=$mnt .*dev=$devnum .*options=ro .*pid=$pid " 5)
[ "$(findmnt -n -o OPTIONS "$mnt" | cut -d, -f1)" = ro ] && [ -n "$rec" ] && pass mount-remount-recorded ||
	fail mount-remount-recorded "options $(findmnt -n -o OPTIONS "$mnt"), record '$rec'"

umount "$mnt" &
pid=$!
wait $pid
rec=$(wait_record "event=umount action=umount target=$mnt fstype=ext4 source=$loop dev=$devnum .*pid=$pid .*exe=/usr/bin/umount " 5)
! findmnt -n "$mnt" >/dev/null && [ -n "$rec" ] && pass umount-recorded ||
	fail umount-recorded "record '$rec'"

# The new mount API: nothing passes mount(2); move_mount makes it visible.
mnt2=$T/m2
mkdir -p "$mnt2"
python3 - "$loop" "$mnt2" >"$T/newapi.out" 2>&1 <<'PY' &
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
SYS_move_mount, SYS_fsopen, SYS_fsconfig, SYS_fsmount = 429, 430, 431, 432
FSCONFIG_SET_STRING, FSCONFIG_CMD_CREATE, MOVE_MOUNT_F_EMPTY_PATH = 1, 6, 4
def call(*a):
    r = libc.syscall(*a)
    if r < 0:
        sys.exit(f"syscall {a[0]}: {os.strerror(ctypes.get_errno())}")
    return r
fs = call(SYS_fsopen, b"ext4", 0)
call(SYS_fsconfig, fs, FSCONFIG_SET_STRING, b"source", sys.argv[1].encode(), 0)
call(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, None, None, 0)
m = call(SYS_fsmount, fs, 0, 0)
call(SYS_move_mount, m, b"", -100, sys.argv[2].encode(), MOVE_MOUNT_F_EMPTY_PATH)
PY
pid=$!
wait $pid
rc=$?
rec=$(wait_record "event=mount action=move target=$mnt2 fstype=ext4 source=$loop dev=$devnum .*pid=$pid " 5)
if [ $rc -ne 0 ] || ! findmnt -n "$mnt2" >/dev/null; then
	fail mount-new-api-recorded "the new mount API did not mount: $(cat "$T/newapi.out")"
elif [ -n "$rec" ]; then
	pass mount-new-api-recorded
else
	fail mount-new-api-recorded "no record: $(grep 'event=mount' "$AUTHLOG" | tail -2)"
fi
umount "$mnt2"

# A mount point named to forge a field: one record line, and a reader
# of the log (split on spaces outside quotes) gets the name whole in target.
evil="$T/x\" fstype=vfat
event=mount dev=8:1 "
mkdir -p "$evil"
mount "$loop" "$evil"
sleep 1
if ! grep -q "$T/x" /proc/self/mountinfo; then
	fail mount-name-forges-nothing "the mount point with a newline was not mounted"
elif python3 - "$AUTHLOG" "$evil" <<'PY' 2>"$T/err"; then
import re, sys
log, evil = open(sys.argv[1], "rb").read().decode(), sys.argv[2]
field = re.compile(r' ([a-z_]+)=("(?:[^"\\]|\\.)*"|[^ "]*)')
unq = lambda v: re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), v[1:-1]) if v[:1] == '"' else v
found = 0
for line in log.splitlines():
    body = line[line.find("event="):]
    if not body.startswith("event=mount"):
        continue
    f = dict((k, unq(v)) for k, v in field.findall(" " + body))
    assert f.get("dev") != "8:1" and f.get("fstype") != "vfat", line
    found += f.get("target") == evil and f.get("fstype") == "ext4"
assert found == 1, found
PY
	pass mount-name-forges-nothing
else
	fail mount-name-forges-nothing "$(cat "$T/err"; grep -a 'x\\' "$AUTHLOG" | head -2)"
fi
umount "$evil"
