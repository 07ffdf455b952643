#!/bin/bash
# Lock until reboot with crmguard.ko: once `ctlx lock` took, every way
# root has to loosen the policy is refused, and each attempt leaves its
# record in syslog: ctlx mode audit, ctlx allow add, a reload of an
# edited policy, a change sent to the module over netlink without
# crmguardd, rmmod, and kill -9 of crmguardd (the kernel keeps enforcing;
# the next crmguardd records that the one before ended, keeps the lock,
# and will not start on an edited policy), and writing the allowed binary
# in place (cp over it, dd conv=notrunc) or crmguardd's own binary, and a
# clipboard sent to the module that would loosen it (a lower mode, a tool
# fewer, an allowed binary more): with crmguardd killed, the module alone
# still refuses a tainted shell's exec of the tool. After each, a program
# that is not allowed is still refused. crmguardd started again pushes
# the same clipboard, which the module takes, and so it takes one with a
# tool more. Before the lock, the allowed binary is written as ever. The
# module stays locked: tests/vm/init runs lock_*.sh last.
. "$(dirname "$0")/lock_lib.bash" || exit 1
checks lock-kmod-exe-write-unlocked lock-kmod-{locked,lock-record,policy-written} \
	lock-kmod-{mode,allow,reload,netlink,rmmod}-{refused,record,still-denies} \
	lock-kmod-exe-allowed lock-kmod-exe-{cp,dd}-{refused,record,still-denies} lock-kmod-exe-unchanged \
	lock-kmod-daemon-exe-{copy-runs,refused,record,still-denies,unchanged} lock-kmod-exe-renamed-over-denied \
	lock-kmod-mode-file-unchanged lock-kmod-reload-policy-unchanged lock-kmod-netlink-rules-unchanged \
	lock-kmod-netlink-{kernel-log,counted} lock-kmod-kill-{still-denies,restart-record,restart-locked} \
	lock-kmod-edited-{start-refused,start-record,still-denies} lock-kmod-follows-new-file \
	lock-kmod-forced-rmmod-recorded lock-kmod-clip-tainted \
	lock-kmod-clip-{mode,tools,allow}-{refused,record,still-denies} lock-kmod-clip-kernel-log \
	lock-kmod-clip-dead-eperm lock-kmod-clip-holder-not-daemon lock-kmod-clip-restart-taken \
	lock-kmod-clip-{same,tighter}-taken
KMODCTL=$BUILD/helpers/kmodctl
[ -e /sys/module/crmguard ] || insmod "$BUILD/kmod/crmguard.ko" ||
	{ fail lock-kmod-locked "insmod failed"; exit 1; }
# The clipboard: a tool crmguardd finds at start (a copy: the tool is
# known by its inode) and one it does not know; a CSV the shell reads to
# be tainted (bash may read it, as a CRM would).
TOOL=/usr/bin/xclip TOOL2=/usr/bin/crm-tool2
TAINTED_SHELL=
finish() {
	[ -z "$TAINTED_SHELL" ] || kill "$TAINTED_SHELL" 2>/dev/null
	rm -f "$TOOL" "$TOOL2"
	cleanup
}
trap finish EXIT
cp /usr/bin/env "$TOOL" && cp /usr/bin/env "$TOOL2" || { fail lock-kmod-locked "no tools"; exit 1; }
mkdir -p "$CRM" && echo "ACME Ltd,+1 555 0100,renewal in March" >"$CRM/clients.csv"
lock_setup lock-kmod kmod 'allow exe /usr/bin/bash' 'clipboard block'
# Unlocked, the mark on the allowed binary changes nothing: it is written
# in place (its own bytes back). Its rule went to the module with an fd at
# start, and no binary's rule can reach a locked module: the mark that
# refuses below is the one that was on it here.
EXE=/usr/bin/sqlite3
EXE_INO=$(stat -c %i "$EXE")
cp "$EXE" "$T/exe.orig"
if dd if="$T/exe.orig" of="$EXE" conv=notrunc status=none 2>"$T/out" &&
   [ "$(stat -c %i "$EXE")" = "$EXE_INO" ] && cmp -s "$EXE" "$T/exe.orig"; then
	pass lock-kmod-exe-write-unlocked
else
	fail lock-kmod-exe-write-unlocked "$(cat "$T/out"); inode $(stat -c %i "$EXE") (was $EXE_INO)"
fi
# The setup: the lock took, in crmguardd and in the kernel.
kernel_locked() { "$KMODCTL" stats | grep -q ' locked=1 '; }
lock_took lock-kmod '^locked: *until reboot: crmguard.ko' kernel_locked
grep -qx 'mode enforce locked' "$POLICY" && pass lock-kmod-policy-written || fail lock-kmod-policy-written "$(cat "$POLICY")"

refused lock-kmod-mode '"ctlx add mode audit"' ctlx mode audit
cmp -s "$POLICY" "$T/locked.conf" && pass lock-kmod-mode-file-unchanged || fail lock-kmod-mode-file-unchanged "$(cat "$POLICY")"
refused lock-kmod-allow '"ctlx add allow exe /usr/bin/cat"' ctlx allow add exe /usr/bin/cat

echo "allow exe /usr/bin/cat" >>"$POLICY"
refused lock-kmod-reload 'reload' ctlx reload
ctlx status | grep -q '^policy: .*mode enforce, 3 rules' && pass lock-kmod-reload-policy-unchanged ||
	fail lock-kmod-reload-policy-unchanged "$(ctlx status | head -3)"
cp "$T/locked.conf" "$POLICY"

# Root without crmguardd: the module's own client asks for audit mode and
# fewer rules; the module refuses, and crmguardd records what it multicast.
rules=$("$KMODCTL" stats | sed -n 's/.* rules=\([0-9]*\).*/\1/p')
refused lock-kmod-netlink 'rule-(add|del) .*comm=kmodctl' "$KMODCTL" set -m audit protect="$DB"
[ "$("$KMODCTL" stats | sed -n 's/.* rules=\([0-9]*\).*/\1/p')" = "$rules" ] &&
	pass lock-kmod-netlink-rules-unchanged || fail lock-kmod-netlink-rules-unchanged "$rules: $("$KMODCTL" stats)"
dmesg | grep -Eq 'crmguard: locked: refused rule-(add|del) from pid [0-9]+ \(kmodctl, uid 0\)' &&
	pass lock-kmod-netlink-kernel-log || fail lock-kmod-netlink-kernel-log "$(dmesg | grep crmguard | tail -5)"
"$KMODCTL" stats | grep -Eq ' refused=[1-9]' && pass lock-kmod-netlink-counted ||
	fail lock-kmod-netlink-counted "$("$KMODCTL" stats)"

# The clipboard: the module's mode, tools and allowed binaries only
# tighten. Each loosening is refused, and the tainted shell's children,
# forked once crmguardd is killed below, are still refused the tool by the
# module alone; they run both tools each round.
tainted_shell "dead tighter" "for t in '$TOOL' '$TOOL2'; do
			\$t >/dev/null 2>'$T/'\${t##*/}.\$round.err
			echo \$? >'$T/'\${t##*/}.\$round.rc
		done"
shell_tainted lock-kmod-clip-tainted
refused lock-kmod-clip-allow 'clipboard-set .*comm=kmodctl' "$KMODCTL" clipboard block tool="$TOOL" allow=/usr/bin/cat
refused lock-kmod-clip-tools 'clipboard-set .*comm=kmodctl' "$KMODCTL" clipboard block
refused lock-kmod-clip-mode 'clipboard-set .*comm=kmodctl' "$KMODCTL" clipboard audit tool="$TOOL"
dmesg | grep -Eq 'crmguard: locked: refused clipboard-set from pid [0-9]+ \(kmodctl, uid 0\)' &&
	pass lock-kmod-clip-kernel-log || fail lock-kmod-clip-kernel-log "$(dmesg | grep crmguard | tail -5)"
# tool_refused TOOL ROUND: the shell's child failed to run it, with EPERM.
tool_refused() {
	[ "$(cat "$T/$1.$2.rc" 2>/dev/null)" != 0 ] && grep -q 'Operation not permitted' "$T/$1.$2.err"
}

rmmod crmguard >"$T/out" 2>&1
rc=$?
[ $rc -ne 0 ] && [ -e /sys/module/crmguard ] && pass lock-kmod-rmmod-refused ||
	fail lock-kmod-rmmod-refused "exit $rc: $(cat "$T/out")"
wait_record 'event=lock verdict=deny action=rmmod module=crmguard ' 5 >/dev/null && pass lock-kmod-rmmod-record ||
	fail lock-kmod-rmmod-record "$(grep lock "$AUTHLOG" | tail -3)"
still_denies lock-kmod-rmmod-still-denies

# The allowed binary written in place keeps its inode, which the rule
# names: refused at the open, before O_TRUNC empties it.
sqlite3 "$DB" 'select count(*) from sqlite_master' >"$T/out" 2>&1 && [ "$(stat -c %i "$EXE")" = "$EXE_INO" ] &&
	pass lock-kmod-exe-allowed || { fail lock-kmod-exe-allowed "sqlite3 cannot read $DB: $(cat "$T/out")"; exit 1; }
refused lock-kmod-exe-cp "exe-write path=$EXE dev=[0-9]+ ino=$EXE_INO " cp /usr/bin/cat "$EXE"
refused lock-kmod-exe-dd "exe-write path=$EXE dev=[0-9]+ ino=$EXE_INO " dd if=/usr/bin/cat of="$EXE" conv=notrunc
cmp -s "$EXE" "$T/exe.orig" && [ "$(stat -c %i "$EXE")" = "$EXE_INO" ] &&
	sqlite3 "$DB" 'select count(*) from sqlite_master' >/dev/null &&
	pass lock-kmod-exe-unchanged || fail lock-kmod-exe-unchanged "$(cmp "$EXE" "$T/exe.orig" 2>&1)"

# kill -9: the kernel still refuses with nobody to ask; a crmguardd started
# again says the one before ended, and holds the lock.
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
rm -f "$CTLSOCK"
expect_eperm lock-kmod-kill-still-denies cat "$DB"
if round dead && tool_refused xclip dead; then
	pass lock-kmod-clip-dead-eperm
else
	fail lock-kmod-clip-dead-eperm "status $(cat "$T/xclip.dead.rc" 2>&1): $(cat "$T/xclip.dead.err" "$T/shell.err" 2>&1)"
fi
# Another root process sends a clipboard the lock takes (the same) and
# holds its socket: it does not stand for crmguardd, so the module goes on
# following taint by itself. A new allowed reader of the file taints the
# next command of its pipeline, whose exec of the tool is refused.
"$KMODCTL" clipboard -w block tool="$TOOL" >"$T/holder.out" 2>&1 &
holder=$!
for _ in $(seq 50); do grep -q '^ready' "$T/holder.out" && break; sleep 0.1; done
bash -c "sleep 0.3; read -r line <'$DB'; echo x; sleep 1" |
	bash -c "sleep 0.5; exec '$TOOL' >/dev/null 2>'$T/holder.err'; exit 9"
rc=${PIPESTATUS[1]}
if ! grep -q '^ready' "$T/holder.out" || ! kill -0 "$holder" 2>/dev/null; then
	fail lock-kmod-clip-holder-not-daemon "kmodctl holding a clipboard: $(cat "$T/holder.out")"
elif [ "$rc" = 126 ] && grep -q 'Operation not permitted' "$T/holder.err"; then
	pass lock-kmod-clip-holder-not-daemon
else
	fail lock-kmod-clip-holder-not-daemon "the tool's exec: status $rc, $(cat "$T/holder.err")"
fi
kill "$holder"
wait "$holder" 2>/dev/null
clip_refused=$(grep -Ec 'action=clipboard-set .*comm=crmguardd|event=error source=clipboard' "$AUTHLOG")
start_crmguard || fail lock-kmod-kill-restart-record "crmguardd: $(cat "$T/daemon.out")"
wait_record 'event=lock verdict=audit action=daemon-ended ' 5 >/dev/null && pass lock-kmod-kill-restart-record ||
	fail lock-kmod-kill-restart-record "$(grep lock "$AUTHLOG" | tail -3)"
ctlx status | grep -q '^locked:' && pass lock-kmod-kill-restart-locked || fail lock-kmod-kill-restart-locked "$(ctlx status | head -4)"
# its clipboard, the locked one, went to the module at start without a word against it
[ "$(grep -Ec 'action=clipboard-set .*comm=crmguardd|event=error source=clipboard' "$AUTHLOG")" = "$clip_refused" ] &&
	pass lock-kmod-clip-restart-taken ||
	fail lock-kmod-clip-restart-taken "$(grep -E 'clipboard-set|source=clipboard' "$AUTHLOG" | tail -3)"

# Edited while crmguardd was stopped: it will not start on that policy.
stop_crmguard
rm -f "$CTLSOCK"
sed -i 's/^mode enforce locked$/mode audit/' "$POLICY"
if ! start_crmguard 2>/dev/null && grep -q 'locked until reboot' "$T/daemon.out"; then
	pass lock-kmod-edited-start-refused
else
	fail lock-kmod-edited-start-refused "$(cat "$T/daemon.out")"
fi
DAEMON_PID=
wait_record 'event=lock verdict=deny action=start ' 5 >/dev/null && pass lock-kmod-edited-start-record ||
	fail lock-kmod-edited-start-record "$(grep lock "$AUTHLOG" | tail -3)"
expect_eperm lock-kmod-edited-still-denies cat "$DB"

# Locked rules still grow: a file saved later in a protected subdirectory is followed.
cp "$T/locked.conf" "$POLICY"
start_crmguard || fail lock-kmod-follows-new-file "crmguardd: $(cat "$T/daemon.out")"
mkdir "$CRM/sub"
sleep 1	# the new directory's rule reaches the kernel within 0.1 s
if sqlite3 "$CRM/sub/new.db" "create table t(x); insert into t values('v2')" && [ -s "$CRM/sub/new.db" ]; then
	expect_denied lock-kmod-follows-new-file "protect:$CRM" cat "$CRM/sub/new.db"
else
	fail lock-kmod-follows-new-file "the allowed sqlite3 could not write $CRM/sub/new.db"
fi

# crmguardd's own binary, as the lock took it: a crmguardd run from a copy
# records the refusal (the binary itself, while it runs, is ETXTBSY to a
# writer before the module is asked).
DAEMON_EXE=$BUILD/crmguardd
DAEMON_INO=$(stat -c %i "$DAEMON_EXE")
cp "$DAEMON_EXE" "$T/crmguardd.orig"
stop_crmguard
mkdir -p "$T/copy" && cp "$DAEMON_EXE" "$T/copy/crmguardd"
if BUILD=$T/copy start_crmguard && [ "$(stat -c %i "/proc/$DAEMON_PID/exe")" != "$DAEMON_INO" ]; then
	pass lock-kmod-daemon-exe-copy-runs
else
	fail lock-kmod-daemon-exe-copy-runs "crmguardd from $T/copy: $(cat "$T/daemon.out")"
fi
refused lock-kmod-daemon-exe "exe-write path=$DAEMON_EXE dev=[0-9]+ ino=$DAEMON_INO " \
	dd if=/dev/zero of="$DAEMON_EXE" bs=1 count=1 conv=notrunc
cmp -s "$DAEMON_EXE" "$T/crmguardd.orig" && pass lock-kmod-daemon-exe-unchanged ||
	fail lock-kmod-daemon-exe-unchanged "$(cmp "$DAEMON_EXE" "$T/crmguardd.orig" 2>&1)"

# Renamed over (not refused): the same bytes, a new inode, which no rule
# allows while locked. Last: sqlite3 reads nothing after it.
cp "$EXE" /usr/bin/.sqlite3.new && mv /usr/bin/.sqlite3.new "$EXE"
if [ "$(stat -c %i "$EXE")" != "$EXE_INO" ] && cmp -s "$EXE" "$T/exe.orig"; then
	expect_denied lock-kmod-exe-renamed-over-denied "protect:$CRM" sqlite3 "$DB" 'select count(*) from sqlite_master'
else
	fail lock-kmod-exe-renamed-over-denied "mv over $EXE: inode $(stat -c %i "$EXE") (was $EXE_INO)"
fi

# A clipboard that loosens nothing is taken: the same again, and one with
# a tool more, whose exec by the tainted shell the module refuses from
# then on (crmguardd does not know that tool).
"$KMODCTL" clipboard block tool="$TOOL" >"$T/out" 2>&1 && pass lock-kmod-clip-same-taken ||
	fail lock-kmod-clip-same-taken "$(cat "$T/out")"
if ! "$KMODCTL" clipboard block tool="$TOOL" tool="$TOOL2" >"$T/out" 2>&1; then
	fail lock-kmod-clip-tighter-taken "$(cat "$T/out")"
elif round tighter && tool_refused xclip tighter && tool_refused crm-tool2 tighter; then
	pass lock-kmod-clip-tighter-taken
else
	fail lock-kmod-clip-tighter-taken "$(cat "$T"/*.tighter.rc "$T"/*.tighter.err "$T/shell.err" 2>&1)"
fi

# What root can still do where the kernel has CONFIG_MODULE_FORCE_UNLOAD
# (Debian's; README says so): rmmod -f unloads the locked module. Either
# way the attempt is recorded, and an unload is in the kernel log.
rmmod -f crmguard >"$T/out" 2>&1
if wait_record 'event=lock verdict=audit action=rmmod module=crmguard forced=1 ' 5 >/dev/null &&
   { [ -e /sys/module/crmguard ] || dmesg | grep -q 'crmguard: locked, yet unloaded by force by pid'; }; then
	pass lock-kmod-forced-rmmod-recorded
else
	fail lock-kmod-forced-rmmod-recorded "$(cat "$T/out"); $(grep lock "$AUTHLOG" | tail -2); $(dmesg | grep crmguard | tail -2)"
fi
echo "lock-kmod: crmguard.ko after rmmod -f: $([ -e /sys/module/crmguard ] && echo loaded || echo unloaded)"
