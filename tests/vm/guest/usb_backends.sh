#!/bin/bash
# No client data on a stick (usb_taint.sh), with crmguard.ko and with the
# BPF LSM deciding the file rules; usb_taint.sh runs with fanotify. The
# stick is kept from tainted processes by the same programs either way
# (ebpf/usb_ro.bpf.c); what changes is how a read of protected data
# taints its reader, which must be before its next write. The module and
# the pins go afterwards: they outlive crmguardd by design.
here=$(dirname "$0")
ko=$here/../../../build/kmod/crmguard.ko
rc=0
[ -e /sys/module/crmguard ] || insmod "$ko" || { echo "usb_backends:FAIL:insmod $ko"; exit 1; }
CRMGUARD_BACKEND=kmod bash "$here/usb_taint.sh" || rc=1
rmmod crmguard
CRMGUARD_BACKEND=bpf-lsm bash "$here/usb_taint.sh" || rc=1
rm -rf /sys/fs/bpf/crmguard
exit $rc
