#!/bin/bash
# In the VM (bench/vm-cost boots it): what crmguard.ko's rule lock costs
# everyone else. Every generic netlink socket on the machine that closes
# passes the module's netlink notifier, while rule changes (a replace of
# 400 protect rules, each asking the filesystem for its inode's device)
# hold the lock, here in a loop. Closes are timed idle and under that
# loop; the figures count only if the loop really ran (400 rules in the
# module at the end) and every close returned.
. "$(dirname "$0")/../../tests/vm/guest/kmod_lib.bash" || exit 1
kmod_setup
mkdir -p "$CRM/many"
rules=()
for i in $(seq 400); do
	echo "$i" >"$CRM/many/f$i"
	rules+=("protect=$CRM/many/f$i")
done

# closes N: times N bind+close of a generic netlink socket; prints
# "p50 p99 max" in microseconds.
closes() {
	python3 -c '
import socket, sys, time
n = int(sys.argv[1]); t = []
for _ in range(n):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    s.bind((0, 0))
    a = time.perf_counter_ns(); s.close(); t.append(time.perf_counter_ns() - a)
t.sort()
print(t[n // 2] // 1000, t[n * 99 // 100] // 1000, t[-1] // 1000)
' "$1"
}

idle=$(closes 2000) || { echo "bench: genl socket close: no figures: python3 failed"; exit 1; }
(while :; do kmodctl set "${rules[@]}" >/dev/null 2>&1 || exit 1; done) &
flood=$!
sleep 1
busy=$(closes 2000)
rc=$?
sets=$(stat_of rules)
kill $flood 2>/dev/null
alive=$?
wait $flood 2>/dev/null
if [ $rc -eq 0 ] && [ $alive -eq 0 ] && [ "$sets" = 400 ]; then
	echo "bench: genl socket close, p50/p99/max us: idle $idle; under a 400-rule replace loop $busy"
else
	echo "bench: genl socket close: no figures: closes exit $rc ($busy), loop alive $alive, rules '$sets'"
fi
kmodctl set >/dev/null
rmmod crmguard
