#!/bin/bash
# The enforcement scenarios of the host tier (enforce.sh, held.sh),
# enforced by crmguard.ko. The module goes afterwards: its rules outlive
# crmguardd by design.
ko=$(dirname "$0")/../../../build/kmod/crmguard.ko
host=$(dirname "$0")/../../host
[ -e /sys/module/crmguard ] || insmod "$ko" || { echo "enforce_kmod:FAIL:insmod $ko"; exit 1; }
CRMGUARD_BACKEND=kmod bash "$host/enforce.sh"
rc=$?
CRMGUARD_BACKEND=kmod bash "$host/held.sh" || rc=1
rmmod crmguard
exit $rc
