#!/bin/bash
# The hand-over watch (tests/host/handover.sh) on Debian's kernels, with
# fanotify: where it loads (6.12: pidfd_getfd seen by a kretprobe, not
# the syscall tracepoint), every route is stopped; where it cannot (6.1
# has no sock_recv_length tracepoint), crmguardd checks every read
# instead, and ctlx status says why.
. "$(dirname "$0")/../../host/lib.bash" || exit 1
BACKEND=fanotify
printf 'mode enforce\nprotect %s\n' "$CRM" >"$POLICY"
start_crmguard || { checks handover-vm-setup; fail handover-vm-setup "crmguardd did not start"; exit 1; }
st=$(ctlx status)
stop_crmguard
if grep -q '^reads: *trust' <<<"$st"; then
	CRMGUARD_BACKEND=fanotify exec bash "$(dirname "$0")/../../host/handover.sh"
fi
checks handover-vm-reads-checked
grep -q '^reads: *check.*reads trust cannot be had here: the hand-over watch' <<<"$st" &&
	pass handover-vm-reads-checked || fail handover-vm-reads-checked "$st"
