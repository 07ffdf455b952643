#!/bin/bash
# The guest itself: the sensor's BPF objects, built on the host against the
# host kernel's BTF, load on Debian's kernel (CO-RE), and the daemon logs.
. "$(dirname "$0")/../../host/lib.bash" || exit 1
checks vm-sensor-loads vm-start-record vm-sensor-sees-connect vm-probe-kmod vm-probe-bpf-lsm
cat >"$POLICY" <<P
mode enforce
protect $CRM
P
mkdir -p "$CRM"
# -v: libbpf says why a program does not load (below)
if start_crmguard -v && ctlx status >"$T/status"; then
	pass vm-sensor-loads
else
	fail vm-sensor-loads "$(cat "$T/daemon.out")"
fi
rec=$(wait_record 'event=start' 5)
[ -n "$rec" ] && pass vm-start-record || fail vm-start-record "no start record: $(head -c 300 "$AUTHLOG")"
# the clipboard's connect() watch: the display guard where the kernel has its
# attach points (6.12), else the syscall tracepoint, tracefs mounted by crmguardd (6.1)
want=tracepoint/syscalls/sys_enter_connect
! display_guard_expected || want=cgroup/connect_unix
grep -q "$want" "$T/status" && pass vm-sensor-sees-connect ||
	fail vm-sensor-sees-connect "want $want: $(grep bpf "$T/status"); $(sed -n '/BEGIN PROG LOAD LOG/,/failed to load/p' "$T/daemon.out" | head -40)"

# What crmguardd's backend probe finds on this kernel (-b auto), with
# crmguard.ko loaded and without it (bpf is in the guest's lsm=): the
# best backend that is ready enforces, and `ctlx status` says what it
# cannot see. The vm-probe lines are what README's table of kernels says.
# probe NAME WANT: the enforcer is WANT.
probe() {
	stop_crmguard
	rm -f "$CTLSOCK"
	if ! BACKEND=auto start_crmguard || ! ctlx status >"$T/status"; then
		fail "$1" "crmguardd -b auto did not start: $(cat "$T/daemon.out")"
		return
	fi
	grep '^system:\|^enforcer:\|^backends:\|^not seen:' "$T/status" | sed "s/^/vm-probe: $2 /"
	grep -q "^enforcer:   $2:" "$T/status" && pass "$1" || fail "$1" "want $2: $(tr '\n' ' ' <"$T/status")"
}
echo "vm-probe: kernel $(uname -r)$(uname -v | grep -o ' PREEMPT_RT')"
if insmod "$BUILD/kmod/crmguard.ko" 2>"$T/insmod.err"; then
	probe vm-probe-kmod kmod
	stop_crmguard
	rmmod crmguard
else
	fail vm-probe-kmod "insmod: $(cat "$T/insmod.err")"
fi
probe vm-probe-bpf-lsm bpf-lsm
stop_crmguard
rm -rf /sys/fs/bpf/crmguard
