#!/bin/bash
# crmguard.ko as DKMS built and installed it for this kernel (by
# tests/host/dkms.sh, in /lib/modules/KVER/updates here): `modprobe
# crmguard`, as the systemd unit runs it, loads it by name, with the
# project's version, and its netlink family answers. Unloaded at the end:
# the other scenarios load build/kmod's.
. "$(dirname "$0")/../../host/lib.bash" || exit 1
checks vm-dkms-{installed,modprobe,family-answers,unloads}
ko=$(find "/lib/modules/$(uname -r)/updates" -name crmguard.ko 2>/dev/null)
if [ -z "$ko" ]; then
	fail vm-dkms-installed "no crmguard.ko of DKMS in /lib/modules/$(uname -r)/updates (tests/host/dkms.sh installs it for the VM tier)"
	exit 1
fi
pass vm-dkms-installed
[ ! -e /sys/module/crmguard ] || rmmod crmguard
want=$(cat "$TOP/VERSION")
if modprobe crmguard 2>"$T/modprobe.err" && [ "$(cat /sys/module/crmguard/version)" = "$want" ]; then
	pass vm-dkms-modprobe
else
	fail vm-dkms-modprobe "$ko: $(cat "$T/modprobe.err"), version '$(cat /sys/module/crmguard/version 2>&1)', want '$want'"
fi
"$BUILD/helpers/kmodctl" stats >"$T/stats" 2>&1 && pass vm-dkms-family-answers ||
	fail vm-dkms-family-answers "kmodctl stats: $(cat "$T/stats")"
rmmod crmguard && pass vm-dkms-unloads || fail vm-dkms-unloads "rmmod crmguard failed"
