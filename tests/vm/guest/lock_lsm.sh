#!/bin/bash
# Lock until reboot with the BPF LSM: once `ctlx lock` took, root cannot
# take the programs or their rules away, and each attempt leaves its record
# in syslog: ctlx mode audit and a reload of an edited policy (crmguardd
# refuses), rm -r of the pins, renaming one, unmounting the BPF filesystem,
# a writable descriptor of a rule map, detaching a pinned link, kill -9 and
# kill -STOP of crmguardd (the programs refuse). After each, a program that
# is not allowed is still refused. crmguardd cannot be stopped afterwards,
# and the pins stay: tests/vm/init runs lock_*.sh last.
. "$(dirname "$0")/lock_lib.bash" || exit 1
checks lock-lsm-{locked,lock-record} \
	lock-lsm-{mode,reload,unpin,rename,umount,map-write,link-detach,kill,stop}-{refused,record,still-denies} \
	lock-lsm-map-read-allowed lock-lsm-kill-daemon-alive lock-lsm-counted
PINS=/sys/fs/bpf/crmguard
lock_setup lock-lsm bpf-lsm

# bpf_obj PATH [ro] [detach]: BPF_OBJ_GET of a pin, read-write unless
# ro; with detach, BPF_LINK_DETACH of what it got. Exit 0 if all worked.
bpf_obj() {
	python3 - "$@" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
path = ctypes.create_string_buffer(sys.argv[1].encode())
attr = (ctypes.c_uint32 * 8)()
ctypes.c_uint64.from_buffer(attr, 0).value = ctypes.addressof(path)
attr[3] = 8 if "ro" in sys.argv[2:] else 0	# BPF_F_RDONLY
fd = libc.syscall(321, 7, attr, 16)	# bpf(BPF_OBJ_GET)
if fd >= 0 and "detach" in sys.argv[2:]:
	det = (ctypes.c_uint32 * 8)(fd)
	fd = libc.syscall(321, 34, det, 4)	# BPF_LINK_DETACH
if fd < 0:
	print("bpf: " + os.strerror(ctypes.get_errno()))
	sys.exit(2)
PY
}

# The setup: the lock took, in crmguardd and in the programs' map.
kernel_locked() { ctlx status -j | grep -q '"kernel":{[^}]*"locked":true'; }
lock_took lock-lsm '^locked: *until reboot: the BPF LSM' kernel_locked

refused lock-lsm-mode '"ctlx add mode audit"' ctlx mode audit
echo "allow exe /usr/bin/cat" >>"$POLICY"
refused lock-lsm-reload 'reload' ctlx reload
cp "$T/locked.conf" "$POLICY"

refused lock-lsm-unpin 'unpin' rm -r "$PINS"
refused lock-lsm-rename 'unpin' mv "$PINS/link_crm_file_open" "$PINS/gone"
refused lock-lsm-umount 'umount' umount /sys/fs/bpf
refused lock-lsm-map-write 'map-write' bpf_obj "$PINS/lsm_exes"
bpf_obj "$PINS/lsm_exes" ro >"$T/out" 2>&1 && pass lock-lsm-map-read-allowed ||
	fail lock-lsm-map-read-allowed "$(cat "$T/out")"
refused lock-lsm-link-detach 'bpf-link' bpf_obj "$PINS/link_crm_file_open" detach

refused lock-lsm-kill 'kill signal=9' kill -9 "$DAEMON_PID"
sleep 0.5
kill -0 "$DAEMON_PID" && ctlx status >/dev/null && pass lock-lsm-kill-daemon-alive ||
	fail lock-lsm-kill-daemon-alive "crmguardd is gone"
refused lock-lsm-stop 'kill signal=19' kill -STOP "$DAEMON_PID"
# the programs counted each refusal (rm -r tries every pin)
n=$(ctlx status -j | sed -n 's/.*"kernel":{[^}]*"refused":\([0-9]*\).*/\1/p')
[ "${n:-0}" -ge 8 ] && pass lock-lsm-counted || fail lock-lsm-counted "refused: '$n'"
# crmguardd cannot be stopped any more: the harness leaves it to the poweroff
DAEMON_PID=
