#!/bin/bash
# crmguardd -F: an admin's explicit choice of fail-open. The in-kernel
# backend refuses while crmguardd runs, and lets everything through once
# it is gone (kill -9); without -F the door stays shut (enforce.sh).
. "$(dirname "$0")/../../host/lib.bash" || exit 1
checks failopen-{kmod,bpf-lsm}-{status-says-so,denies-while-running,open-after-kill}
make_crm_db "$CRM/clients.db" 100 || exit 1
cat >"$POLICY" <<P
mode enforce
protect $CRM
allow exe /usr/bin/sqlite3
P
[ -e /sys/module/crmguard ] || insmod "$BUILD/kmod/crmguard.ko" || { fail failopen-setup "insmod"; exit 1; }
for b in kmod bpf-lsm; do
	rm -f "$CTLSOCK"
	BACKEND=$b start_crmguard -F || { fail "failopen-$b-start" "$(cat "$T/daemon.out")"; continue; }
	ctlx status | grep -q 'fail-open was chosen' && pass "failopen-$b-status-says-so" ||
		fail "failopen-$b-status-says-so" "$(ctlx status)"
	expect_denied "failopen-$b-denies-while-running" "protect:$CRM" cat "$CRM/clients.db"
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	sleep 0.5	# the kernel lets go when crmguardd's netlink socket or links are released
	expect_read "failopen-$b-open-after-kill" "$CRM/clients.db" cat "$CRM/clients.db"
	[ $b = kmod ] && rmmod crmguard
	[ $b = bpf-lsm ] && rm -rf /sys/fs/bpf/crmguard
done
