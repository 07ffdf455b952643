#!/bin/bash
# The enforcement scenarios of the host tier (enforce.sh, held.sh),
# enforced by the BPF LSM. Its pinned programs and maps go afterwards:
# they outlive crmguardd by design.
host=$(dirname "$0")/../../host
CRMGUARD_BACKEND=bpf-lsm bash "$host/enforce.sh"
rc=$?
CRMGUARD_BACKEND=bpf-lsm bash "$host/held.sh" || rc=1
rm -rf /sys/fs/bpf/crmguard
exit $rc
