#!/bin/bash
# crmguard.ko unloads and reloads while loops open and read protected
# files (refused, allowed, and reads on an fd opened before the rule),
# also while crmguardd's fanotify group waits on the same files: no
# crash, no warning, and a reloaded module starts with no rule.
. "$(dirname "$0")/kmod_lib.bash" || exit 1
checks kmod-unload-{slub-debug,reload,reload-dir,with-fanotify,idle,kernel-log-clean} kmod-reload-idle
kmod_setup

# The setup of the leak and corruption checks: the module's caches are
# checked by slub_debug (tests/vm/run), so that kmem_cache_destroy at each
# rmmod reports a rule left behind, and a use after free shows.
debug_off=
for c in crmguard_inode_rule crmguard_keyed_rule; do
	for f in sanity_checks red_zone poison store_user; do
		[ "$(cat "/sys/kernel/slab/$c/$f" 2>/dev/null)" = 1 ] || debug_off="$debug_off $c/$f"
	done
done
[ -z "$debug_off" ] && pass kmod-unload-slub-debug ||
	fail kmod-unload-slub-debug "slub_debug is off for:$debug_off (kernel command line: $(cat /proc/cmdline))"
mark="crmguard-unload-$$"
echo "$mark" >/dev/kmsg

# Reads through an fd opened before any rule, until killed.
python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
open(sys.argv[2], "w").close()
while True:
    try:
        os.pread(fd, 4096, 0)
    except PermissionError:
        pass
' "$DB" "$T/opened" &
loops=$!
for _ in $(seq 100); do [ -e "$T/opened" ] && break; sleep 0.1; done
[ -e "$T/opened" ] || { fail kmod-unload-early-fd "the early reader could not open $DB"; exit 1; }
(while :; do cat "$DB" >/dev/null 2>&1; done) &
loops="$loops $!"
(while :; do "$READER" "$DB" >/dev/null 2>&1; done) &
loops="$loops $!"

# cycle NAME PROBE RULE...: RULE... refuse cat PROBE; unload and reload
# under the loops; then nothing refuses it.
cycle() {
	local name=$1 probe=$2 i ok=1
	shift 2
	for i in 1 2 3; do
		if ! kmodctl set "$@" >"$T/set.out" 2>&1; then
			fail "$name" "round $i: kmodctl set: $(cat "$T/set.out")"
			return
		fi
		sleep 0.3
		cat "$probe" >/dev/null 2>&1 && { fail "$name" "round $i: not enforcing before rmmod"; return; }
		if ! rmmod crmguard 2>"$T/rmmod.err"; then
			fail "$name" "round $i: rmmod: $(cat "$T/rmmod.err")"
			return
		fi
		[ ! -e /sys/module/crmguard ] || ok=0
		cat "$probe" >/dev/null 2>&1 || { fail "$name" "round $i: still refused after rmmod"; return; }
		insmod "$KO" || { fail "$name" "round $i: insmod failed"; return; }
		rules_are 0 || { fail "$name" "round $i: stale rules after reload: $(kmodctl stats)"; return; }
		cat "$probe" >/dev/null 2>&1 || { fail "$name" "round $i: refused by a fresh module"; return; }
	done
	[ $ok -eq 1 ] && pass "$name" || fail "$name" "the module was still there after rmmod"
}

echo other >"$CRM/other.txt"
cycle kmod-unload-reload "$DB" protect="$DB" exe="$READER"
cycle kmod-unload-reload-dir "$CRM/other.txt" dir="$CRM" exe="$READER"

# crmguardd's fanotify group on the same file: while it waits for its
# daemon, fsnotify pins our directory mark too. The daemon refuses cat
# $DB itself; the module's probe is the other file.
cat >"$POLICY" <<P
mode enforce
protect $DB
allow exe $READER
P
if start_crmguard; then
	cycle kmod-unload-with-fanotify "$CRM/other.txt" dir="$CRM" exe="$READER"
	stop_crmguard
else
	fail kmod-unload-with-fanotify "crmguardd did not start: $(cat "$T/daemon.out")"
fi

kill $loops
wait $loops 2>/dev/null
rmmod crmguard && [ ! -e /sys/module/crmguard ] && pass kmod-unload-idle || fail kmod-unload-idle "rmmod failed"
insmod "$KO" && rules_are 0 && pass kmod-reload-idle || fail kmod-reload-idle "$(kmodctl stats 2>&1)"
bad=$(dmesg_clean_since "$mark") && pass kmod-unload-kernel-log-clean || fail kmod-unload-kernel-log-clean "$bad"
