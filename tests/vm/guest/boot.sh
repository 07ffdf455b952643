#!/bin/bash
# The guest itself: the sensor's BPF objects, built on the host against the
# host kernel's BTF, load on Debian's kernel (CO-RE), and the daemon logs.
. "$(dirname "$0")/../../host/lib.bash" || exit 1
checks vm-sensor-loads vm-start-record
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
# the clipboard's connect() program: syscall tracepoints, tracefs mounted by crmguardd
grep -q "tracepoint/syscalls/sys_enter_connect" "$T/status" && pass vm-sensor-sees-connect ||
	fail vm-sensor-sees-connect "$(grep bpf "$T/status"); $(sed -n '/BEGIN PROG LOAD LOG/,/failed to load/p' "$T/daemon.out" | head -40)"
