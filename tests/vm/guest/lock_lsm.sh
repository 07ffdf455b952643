#!/bin/bash
# Lock until reboot with the BPF LSM: once `ctlx lock` took, root cannot
# take the programs or their rules away, and each attempt leaves its record
# in syslog: ctlx mode audit and a reload of an edited policy (crmguardd
# refuses), rm -r of the pins, renaming one, unmounting the BPF filesystem,
# a writable descriptor of a rule map or of a clipboard map (its mode,
# tools, allowed binaries, tainted processes, records, count of lost
# records), detaching a pinned
# link, kill -9 and
# kill -STOP of crmguardd, and writing the allowed binary in place (cp over
# it, dd conv=notrunc, truncate, mv over it, rm) (the programs refuse).
# After each, a program that is not allowed is still refused. Then PID 1
# stops crmguardd, as the service manager may: its binary stays
# unwritable, and a crmguardd started again on it takes the lock over,
# records what was refused meanwhile and what is refused from then on.
# It cannot be stopped afterwards, and the pins stay: tests/vm/init runs
# lock_*.sh last.
. "$(dirname "$0")/lock_lib.bash" || exit 1
checks lock-lsm-{locked,lock-record} \
	lock-lsm-{mode,reload,unpin,rename,umount,map-write,link-detach,kill,stop}-{refused,record,still-denies} \
	lock-lsm-clip-{mode,tools,allow,taint,events,lost}-{refused,record,still-denies} \
	lock-lsm-map-read-allowed lock-lsm-clip-map-read-allowed lock-lsm-kill-daemon-alive lock-lsm-counted \
	lock-lsm-exe-allowed lock-lsm-exe-{cp,dd,truncate,mv,rm}-{refused,record,still-denies} \
	lock-lsm-exe-unchanged lock-lsm-pid1-stop lock-lsm-stopped-still-denies \
	lock-lsm-daemon-exe-{refused,unchanged,record} lock-lsm-takeover-{status,record,denies,clipboard} \
	lock-lsm-takeover-{unpin,kill,ring}-{refused,record,still-denies} lock-lsm-second-refused
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
# the clipboard's maps are the programs' as much as the rules'
for m in mode tools allow taint events lost; do
	refused "lock-lsm-clip-$m" 'map-write' bpf_obj "$PINS/clip_$m"
done
bpf_obj "$PINS/clip_mode" ro >"$T/out" 2>&1 && pass lock-lsm-clip-map-read-allowed ||
	fail lock-lsm-clip-map-read-allowed "$(cat "$T/out")"
refused lock-lsm-link-detach 'bpf-link' bpf_obj "$PINS/link_crm_file_open" detach

refused lock-lsm-kill 'kill signal=9' kill -9 "$DAEMON_PID"
sleep 0.5
kill -0 "$DAEMON_PID" && ctlx status >/dev/null && pass lock-lsm-kill-daemon-alive ||
	fail lock-lsm-kill-daemon-alive "crmguardd is gone"
refused lock-lsm-stop 'kill signal=19' kill -STOP "$DAEMON_PID"
# the programs counted each refusal (rm -r tries every pin)
n=$(ctlx status -j | sed -n 's/.*"kernel":{[^}]*"refused":\([0-9]*\).*/\1/p')
[ "${n:-0}" -ge 8 ] && pass lock-lsm-counted || fail lock-lsm-counted "refused: '$n'"

# The allowed binary written in place keeps its inode, which the rule names.
EXE=/usr/bin/sqlite3
sum=$(sha256sum <"$EXE")
sqlite3 "$DB" 'select count(*) from sqlite_master' >"$T/out" 2>&1 && pass lock-lsm-exe-allowed ||
	{ fail lock-lsm-exe-allowed "sqlite3 cannot read $DB: $(cat "$T/out")"; exit 1; }
cp /usr/bin/cat /usr/bin/.crm-other
refused lock-lsm-exe-cp "exe-write path=$EXE " cp /usr/bin/cat "$EXE"
refused lock-lsm-exe-dd "exe-write path=$EXE " dd if=/usr/bin/cat of="$EXE" conv=notrunc
refused lock-lsm-exe-truncate "exe-write path=$EXE " truncate -s 0 "$EXE"
refused lock-lsm-exe-mv "exe-write path=$EXE " mv /usr/bin/.crm-other "$EXE"
refused lock-lsm-exe-rm "exe-write path=$EXE " rm -f "$EXE"
rm -f /usr/bin/.crm-other
[ "$(sha256sum <"$EXE")" = "$sum" ] && sqlite3 "$DB" 'select count(*) from sqlite_master' >/dev/null &&
	pass lock-lsm-exe-unchanged || fail lock-lsm-exe-unchanged "$(sha256sum "$EXE") (was $sum)"

# PID 1 stops crmguardd (systemctl stop, shutdown): the programs let it,
# keep enforcing, and keep its binary from being written.
old=$DAEMON_PID
echo "TERM $old" >/run/vmtest-pid1
for _ in $(seq 100); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$old" 2>/dev/null; then
	fail lock-lsm-pid1-stop "crmguardd (pid $old) still runs after PID 1's SIGTERM"
	exit 1
fi
wait "$old" 2>/dev/null
pass lock-lsm-pid1-stop
DAEMON_PID=
expect_eperm lock-lsm-stopped-still-denies cat "$DB"
dsum=$(sha256sum <"$BUILD/crmguardd")
cp /usr/bin/cat "$BUILD/crmguardd" >"$T/out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'Operation not permitted' "$T/out" && pass lock-lsm-daemon-exe-refused ||
	fail lock-lsm-daemon-exe-refused "exit $rc: $(cat "$T/out")"
[ "$(sha256sum <"$BUILD/crmguardd")" = "$dsum" ] && pass lock-lsm-daemon-exe-unchanged ||
	{ fail lock-lsm-daemon-exe-unchanged "crmguardd's binary changed"; exit 1; }

# Started again on the same binary: it takes the lock over.
start_crmguard || { fail lock-lsm-takeover-status "crmguardd: $(cat "$T/daemon.out")"; exit 1; }
ctlx status | grep -q "^locked: .*taken over from crmguardd (pid $old)" && pass lock-lsm-takeover-status ||
	fail lock-lsm-takeover-status "$(ctlx status | head -5)"
wait_record 'event=lock verdict=audit action=takeover ' 5 >/dev/null && pass lock-lsm-takeover-record ||
	fail lock-lsm-takeover-record "$(grep lock "$AUTHLOG" | tail -3)"
# what was refused while no crmguardd ran waited in the pinned ring buffer
wait_record 'event=lock verdict=deny action=exe-write path=crmguardd .*comm=cp ' 5 >/dev/null &&
	pass lock-lsm-daemon-exe-record || fail lock-lsm-daemon-exe-record "$(grep exe-write "$AUTHLOG" | tail -3)"
still_denies lock-lsm-takeover-denies
# the clipboard's programs, pinned, stay; the new crmguardd takes their maps, no pin of its own
if ctlx status | grep -q '^clipboard: *the BPF LSM' && ! ls "$PINS" | grep -q '^new_'; then
	pass lock-lsm-takeover-clipboard
else
	fail lock-lsm-takeover-clipboard "$(ctlx status | grep '^clipboard:'); $(ls "$PINS" | grep '^new_'); $(grep -E 'action=unpin .*comm=crmguardd' "$AUTHLOG" | tail -2)"
fi
refused lock-lsm-takeover-unpin 'unpin' rm "$PINS/link_crm_file_open"
refused lock-lsm-takeover-kill 'kill signal=9' kill -9 "$DAEMON_PID"
# nobody else reads the records: the ring buffer is the new crmguardd's
refused lock-lsm-takeover-ring 'map-write' bpf_obj "$PINS/lsm_verdicts"
# one crmguardd at a time: another would take the lock from this one
"$BUILD/crmguardd" -f -c "$POLICY" -s "$T/second.sock" -l "$LOGSOCK" -b bpf-lsm >"$T/out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "which runs: one crmguardd at a time" "$T/out" && kill -0 "$DAEMON_PID" &&
	pass lock-lsm-second-refused || fail lock-lsm-second-refused "exit $rc: $(cat "$T/out")"
# crmguardd cannot be stopped any more: the harness leaves it to the poweroff
DAEMON_PID=
