#!/bin/bash
# The enforcement scenarios of the host tier, enforced by crmguard.ko.
# The module goes afterwards: its rules outlive crmguardd by design.
ko=$(dirname "$0")/../../../build/kmod/crmguard.ko
[ -e /sys/module/crmguard ] || insmod "$ko" || { echo "enforce_kmod:FAIL:insmod $ko"; exit 1; }
CRMGUARD_BACKEND=kmod bash "$(dirname "$0")/../../host/enforce.sh"
rc=$?
rmmod crmguard
exit $rc
