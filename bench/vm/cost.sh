#!/bin/bash
# In the VM (bench/vm-cost boots it): what each enforcement backend costs
# on Debian's 6.1 kernel, as ratios to no crmguard in the same run.
# Arms: base (no crmguardd), fanotify, kmod (crmguard.ko), bpf-lsm; each
# with the same policy (a protected directory, preadloop allowed) and
# `reads check`; each also with `reads trust` (-trust, the default), where
# crmguardd asks for no event per read (on fanotify: its hand-over watch
# runs instead); and with a USB
# stick plugged in and mounted under `usb default readonly` (-usb), where
# the BPF LSM programs that keep a stick read-only and tainted processes
# off it see every open, against the same programs with the sticks held
# unusable (`usb default block`, -nostick): what plugging one in changes.
# Workloads: 4 KiB pread loop, open+close loop and readlink() of its
# /proc/self/fd link (fdlink: the kernel's fget_task(), which the
# hand-over watch probes for pidfd_getfd) on an unprotected file of the
# same filesystem; pread loop on the protected file by the allowed
# binary, with its small environment and with 8 KB of it (crm-env8k: what
# a backend that reads the environment at each access pays for it). Arms
# alternate over ROUNDS rounds; each figure is the best batch.
# TCG emulates the CPU: the ratios say more than the nanoseconds.
. "$(dirname "$0")/../../tests/vm/guest/usb_lib.bash" || exit 1
LOOP=$BUILD/bench/preadloop
ROUNDS=${ROUNDS:-3}
N=${N:-20000}
make_crm_db "$CRM/clients.db" 2000 || exit 1
head -c 1048576 /dev/urandom >"$T/plain.dat"
PAD=$(head -c 8192 /dev/zero | tr '\0' x)
usb_modules || { echo "bench: modprobe: $(cat "$T/modprobe.err")"; exit 1; }
# The stick the VM boots with (tests/vm/run), mounted read-only managed.
stick_mounted() {
	local dev blk
	dev=$(wait_dev CRM-0042) && blk=$(wait_block "$dev") && mount -t vfat -o ro "/dev/$blk" "$MNT" &&
		grep -q " $MNT vfat " /proc/mounts
}

arm_up() {
	printf 'mode enforce\nprotect %s\nallow exe %s\n' "$CRM" "$LOOP" >"$POLICY"
	[[ $1 == *-trust ]] || echo "reads check" >>"$POLICY"
	[[ $1 == *-usb ]] && echo "usb default readonly" >>"$POLICY"
	# the same programs, but the sticks held unusable: as if none were plugged in
	[[ $1 == *-nostick ]] && echo "usb default block" >>"$POLICY"
	case $1 in
	base) ;;
	kmod*) insmod "$BUILD/kmod/crmguard.ko" && BACKEND=kmod start_crmguard ;;
	*) b=${1%-trust} && b=${b%-usb} && BACKEND=${b%-nostick} start_crmguard ;;
	esac || return 1
	[[ $1 != *-usb ]] || stick_mounted
}

arm_down() {
	[ "$1" = base ] && return
	[[ $1 != *-usb ]] || umount "$MNT"
	stop_crmguard
	case $1 in
	kmod*) rmmod crmguard ;;
	bpf-lsm*) rm -rf /sys/fs/bpf/crmguard ;;
	esac
	rm -rf /sys/fs/bpf/crmguard/usb
}

# best ARM WORKLOAD NS: keeps the lowest ns per operation seen
declare -A best
keep() { [ -z "${best[$1]:-}" ] || [ "$2" -lt "${best[$1]}" ] && best[$1]=$2; }

arms=(base fanotify fanotify-trust fanotify-nostick fanotify-usb kmod kmod-trust bpf-lsm bpf-lsm-trust
      bpf-lsm-nostick bpf-lsm-usb)
for round in $(seq "$ROUNDS"); do
	for a in "${arms[@]}"; do
		arm_up "$a" || { echo "bench: arm $a did not start: $(cat "$T/daemon.out" 2>/dev/null)"; exit 1; }
		keep "$a pread" "$("$LOOP" pread "$T/plain.dat" "$N" | cut -d' ' -f1)"
		keep "$a openclose" "$("$LOOP" openclose "$N" "$T/plain.dat" | cut -d' ' -f1)"
		keep "$a fdlink" "$("$LOOP" fdlink "$T/plain.dat" "$N" | cut -d' ' -f1)"
		keep "$a crm" "$("$LOOP" pages "$CRM/clients.db" "$N" | cut -d' ' -f1)"
		keep "$a crm-env8k" "$(env PAD="$PAD" "$LOOP" pages "$CRM/clients.db" "$N" | cut -d' ' -f1)"
		arm_down "$a"
	done
done
line=$(printf 'bench: %-28s' "workload (ns, ratio to base)")
for a in "${arms[@]}"; do line+=$(printf ' %13s' "$a"); done
echo "$line"
for w in pread openclose fdlink crm crm-env8k; do
	line=$(printf 'bench: %-28s' "$w")
	for a in "${arms[@]}"; do
		line+=$(printf ' %8d %4.2f' "${best[$a $w]}" "$(echo "${best[$a $w]} ${best[base $w]}" | awk '{ printf "%.2f", $1 / $2 }')")
	done
	echo "$line"
done
