#!/bin/bash
# The hand-over watch (tests/host/handover.sh) on Debian's kernels, with
# fanotify: where the kernel has what it needs (its BTF names the
# sock_recv_length tracepoint: 6.12), every route is stopped, pidfd_getfd
# seen by a kprobe inside the call and kretprobes, not the syscall
# tracepoint, and stopped by the kprobe alone when more calls than the
# kretprobes can follow are in flight; where it has not (6.1), crmguardd
# checks every read instead, and ctlx status says why.
if grep -qa btf_trace_sock_recv_length /sys/kernel/btf/vmlinux; then
	CRMGUARD_BACKEND=fanotify bash "$(dirname "$0")/../../host/handover.sh"
	exit
fi
. "$(dirname "$0")/../../host/lib.bash" || exit 1
checks handover-vm-reads-checked
BACKEND=fanotify
printf 'mode enforce\nprotect %s\n' "$CRM" >"$POLICY"
start_crmguard || { fail handover-vm-reads-checked "crmguardd did not start"; exit 1; }
st=$(ctlx status)
grep -q '^reads: *check.*reads trust cannot be had here: the hand-over watch' <<<"$st" &&
	pass handover-vm-reads-checked || fail handover-vm-reads-checked "$st"
