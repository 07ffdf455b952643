#!/bin/bash
# No client data on a stick (ctl/daemon/usb/readonly.c, ebpf/usb_ro.bpf.c):
# a process that opened protected data, or descends from one, cannot make
# or open for writing a file on a USB stick: the allowed binary copying the
# CRM file, a child of a tainted shell, one forked while crmguardd is dead.
# A process that never touched the data writes to the same stick. In mode
# audit the write goes through and is recorded.
. "$(dirname "$0")/usb_lib.bash" || exit 1
checks usb-taint-setup usb-taint-untainted-writes usb-taint-allowed-copy-refused \
	usb-taint-child-refused usb-taint-records usb-taint-held-writer-refused \
	usb-taint-daemon-dead usb-taint-audit-records

if ! usb_modules; then
	fail usb-taint-setup "modprobe: $(cat "$T/modprobe.err")"
	exit 1
fi
mkdir -p "$CRM"
echo "ACME Ltd,+1 555 0100,renewal in March" >"$CRM/clients.csv"
cat >"$POLICY" <<P
mode enforce
protect $CRM
allow exe /usr/bin/cp
allow exe /usr/bin/bash
usb default block
usb allow 46f4:0001 serial PRIVATE-7
P
if ! start_crmguard; then
	fail usb-taint-setup "$(cat "$T/daemon.out")"
	exit 1
fi
stick=$(wait_dev PRIVATE-7) && blk=$(wait_block "$stick")
if [ -z "$blk" ] || ! mount -t vfat "/dev/$blk" "$MNT" 2>"$T/err" || ! grep -q " $MNT vfat rw," /proc/mounts ||
   [[ "$(ctlx status)" != *"writes to sticks by processes that touched protected data: refused"* ]]; then
	fail usb-taint-setup "stick '$stick' disk '$blk': $(cat "$T/err"); $(ctlx status | grep usb:)"
	exit 1
fi
rm -f "$MNT"/*.csv "$MNT"/*.txt
pass usb-taint-setup

# Never touched the data: writes as usual.
if echo "meeting notes" >"$MNT/notes.txt" && cp /crmguard/VERSION "$MNT/host.txt" &&
   [ "$(cat "$MNT/notes.txt")" = "meeting notes" ]; then
	pass usb-taint-untainted-writes
else
	fail usb-taint-untainted-writes "$(ls -l "$MNT")"
fi

# The allowed binary reads the CRM file and would write it to the stick.
if cp "$CRM/clients.csv" "$MNT/" 2>"$T/err"; then
	fail usb-taint-allowed-copy-refused "cp copied it: $(ls -l "$MNT")"
elif grep -q "Operation not permitted" "$T/err" && [ ! -e "$MNT/clients.csv" ] &&
     cp "$CRM/clients.csv" "$T/copy.csv" 2>/dev/null && [ -s "$T/copy.csv" ]; then
	pass usb-taint-allowed-copy-refused	# (and it may read it: the refusal was the stick's)
else
	fail usb-taint-allowed-copy-refused "$(cat "$T/err"); on the stick: $(ls "$MNT")"
fi

# A shell that read the data; its child writes something else to the stick.
bash -c "read -r line <'$CRM/clients.csv' && [ -n \"\$line\" ] && echo read >'$T/shell.read' &&
	cp /crmguard/VERSION '$MNT/from-child.txt'" 2>"$T/err"
if [ ! -e "$T/shell.read" ]; then
	fail usb-taint-child-refused "the shell never read the CRM file: $(cat "$T/err")"
elif [ ! -e "$MNT/from-child.txt" ] && grep -q "Operation not permitted" "$T/err"; then
	pass usb-taint-child-refused
else
	fail usb-taint-child-refused "$(cat "$T/err"); on the stick: $(ls "$MNT")"
fi

r1=$(wait_record "event=usb action=write verdict=deny call=create reason=tainted name=clients.csv .*serial=PRIVATE-7 .*exe=/usr/bin/cp " 5)
r2=$(wait_record "event=usb action=write verdict=deny call=create reason=tainted name=from-child.txt .*serial=PRIVATE-7 " 5)
[ -n "$r1" ] && [ -n "$r2" ] && pass usb-taint-records ||
	fail usb-taint-records "'$r1' '$r2': $(grep 'reason=tainted' "$AUTHLOG" | head -3)"

# A shell opens a file on the stick for writing first, untainted, then
# reads the CRM file into it through that descriptor: no new open or
# create on the stick to refuse, so the read of the data is.
bash -c "exec 3>'$MNT/export.csv' && echo opened >'$T/held.opened' &&
	while IFS= read -r line; do echo \"\$line\" >&3; done <'$CRM/clients.csv'" 2>"$T/err"
rec=$(wait_record "event=usb action=write verdict=deny call=open-protected reason=writes-to-stick name=export.csv .*serial=PRIVATE-7 .*exe=/usr/bin/bash " 5)
if [ ! -e "$T/held.opened" ] || [ ! -e "$MNT/export.csv" ]; then
	fail usb-taint-held-writer-refused "the shell never opened the stick's file: $(cat "$T/err")"
elif [ ! -s "$MNT/export.csv" ] && grep -q "Operation not permitted" "$T/err" && [ -n "$rec" ]; then
	pass usb-taint-held-writer-refused
else
	fail usb-taint-held-writer-refused "on the stick: $(head -c 100 "$MNT/export.csv"); $(cat "$T/err"); record '$rec'"
fi

# crmguardd dead: a tainted shell's new child is still held.
bash -c "read -r line <'$CRM/clients.csv' && echo read >'$T/dead.read' && sleep 2 &&
	cp /crmguard/VERSION '$MNT/while-dead.txt'" 2>"$T/err" &
shell=$!
sleep 0.5
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
wait $shell
if [ ! -e "$T/dead.read" ]; then
	fail usb-taint-daemon-dead "the shell never read the CRM file: $(cat "$T/err")"
elif [ ! -e "$MNT/while-dead.txt" ] && grep -q "Operation not permitted" "$T/err"; then
	pass usb-taint-daemon-dead
else
	fail usb-taint-daemon-dead "$(cat "$T/err"); on the stick: $(ls "$MNT")"
fi

# mode audit: it goes through, and is recorded. In mode audit the read is
# not held for crmguardd, which learns of it after: the shell waits until
# `ctlx taint list` names it (so the setup is proven) before it writes.
sed -i 's/^mode enforce$/mode audit/' "$POLICY"
if start_crmguard &&
   bash -c "read -r line <'$CRM/clients.csv' || exit 9
	listed() { '$BUILD/ctlx' -s '$CTLSOCK' taint list | grep -q \"^process \$\$\$(printf '\\t')\"; }
	for i in \$(seq 100); do listed && break; sleep 0.1; done
	listed || exit 8
	cp /crmguard/VERSION '$MNT/audited.txt'" 2>"$T/err" &&
   [ -s "$MNT/audited.txt" ] &&
   rec=$(wait_record "event=usb action=write verdict=audit call=create reason=tainted name=audited.txt " 5); then
	pass usb-taint-audit-records
else
	fail usb-taint-audit-records "status $?: $(cat "$T/err"); on the stick: $(ls "$MNT" | tr '\n' ' ');" \
		"$(grep 'reason=tainted' "$AUTHLOG" | tail -2 | tr '\n' ' ')"
fi
rm -f "$MNT"/*
umount "$MNT"
stop_crmguard
rm -rf /sys/fs/bpf/crmguard/usb
