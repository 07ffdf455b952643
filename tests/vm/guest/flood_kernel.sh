#!/bin/bash
# The host tier's flood of refused opens, refused in the kernel: by
# crmguard.ko, then by the BPF LSM. Their rules outlive crmguardd by
# design, so each goes afterwards.
top=$(dirname "$0")/../../..
for b in kmod bpf-lsm; do
	if [ $b = kmod ] && ! insmod "$top/build/kmod/crmguard.ko"; then
		echo "kmod-flood:FAIL:insmod failed"
		continue
	fi
	CRMGUARD_BACKEND=$b bash "$top/tests/host/enforce_flood.sh" >"/tmp/flood.$b" 2>&1
	rc=$?
	sed "s/^flood_/$b-flood_/" "/tmp/flood.$b"
	[ $rc -eq 0 ] || grep -q ':FAIL' "/tmp/flood.$b" || echo "$b-flood:FAIL:exited with status $rc"
	[ $b = kmod ] && rmmod crmguard
	rm -rf /sys/fs/bpf/crmguard
done
