#!/bin/bash
# The enforcement scenarios of the host tier, enforced by the BPF LSM.
# Its pinned programs and maps go afterwards: they outlive crmguardd by design.
CRMGUARD_BACKEND=bpf-lsm bash "$(dirname "$0")/../../host/enforce.sh"
rc=$?
rm -rf /sys/fs/bpf/crmguard
exit $rc
