# Shared by the guest's kmod_*.sh scenarios: crmguard.ko loaded, a CRM
# database, an allowed reader (a copy of cat, so that cat itself is not
# allowed) and kmodctl, the daemon's own netlink client.
. "$(dirname "${BASH_SOURCE[0]}")/../../host/lib.bash" || exit 1
KO=$BUILD/kmod/crmguard.ko
KMODCTL=$BUILD/helpers/kmodctl
READER=$T/crm-reader
DB=$CRM/clients.db

# Not for the background: $! would be a subshell, not kmodctl.
kmodctl() { "$KMODCTL" "$@"; }

# kmod_setup: loads the module (once) and makes the files; fails the scenario if it cannot.
kmod_setup() {
	if [ ! -e /sys/module/crmguard ] && ! insmod "$KO" 2>"$T/insmod.err"; then
		fail "$(basename "$0" .sh)-load" "insmod $KO: $(cat "$T/insmod.err")"
		exit 1
	fi
	make_crm_db "$DB" 200 || exit 1
	chmod 0755 "$T" "$CRM"
	chmod 0644 "$DB"
	cp /usr/bin/cat "$READER"
	chmod 0755 "$READER"
}

# kmod_watch: (re)starts `kmodctl watch` into $VERDICTS, after each load
# of the module; returns once it listens. `expect ... denied` needs it.
VERDICTS=$T/verdicts
WATCHER=
trap '[ -z "$WATCHER" ] || kill "$WATCHER" 2>/dev/null; cleanup' EXIT
kmod_watch() {
	[ -z "$WATCHER" ] || kill "$WATCHER" 2>/dev/null
	"$KMODCTL" watch >"$VERDICTS" 2>&1 &
	WATCHER=$!
	for _ in $(seq 50); do
		grep -q '^ready' "$VERDICTS" && return 0
		sleep 0.1
	done
	fail "$(basename "$0" .sh)-watch" "kmodctl watch did not start: $(cat "$VERDICTS")"
	return 1
}

# stat_of KEY: one of the module's counters (allow audit deny lost rules).
stat_of() {
	kmodctl stats | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# Whether the module still holds N rules.
rules_are() {
	[ "$(stat_of rules)" = "$1" ]
}

# verdict_since N KIND: a verdict=KIND line past the first N lines of
# $VERDICTS, within 3 s (the module multicasts them as it decides).
verdict_since() {
	for _ in $(seq 30); do
		tail -n +$(($1 + 1)) "$VERDICTS" | grep -q " verdict=$2 " && return 0
		sleep 0.1
	done
	return 1
}

# expect NAME allowed|denied|audited CMD...: CMD succeeds; or fails with
# EPERM and the module multicast a deny verdict meanwhile; or succeeds and
# the module multicast an audit verdict (what it would have refused).
expect() {
	local name=$1 want=$2 rc seen
	shift 2
	seen=$(wc -l <"$VERDICTS")
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$want" = allowed ] && [ $rc -eq 0 ]; then
		pass "$name"
	elif [ "$want" = audited ] && [ $rc -eq 0 ] && verdict_since "$seen" audit; then
		pass "$name"
	elif [ "$want" = denied ] && [ $rc -ne 0 ] && grep -Eq "$REFUSED" "$T/err" &&
	     verdict_since "$seen" deny; then
		pass "$name"
	else
		fail "$name" "want $want, exit $rc, verdicts: $(tail -n +$((seen + 1)) "$VERDICTS" | head -c 200): $(head -c 300 "$T/err")"
	fi
}

# kmod_set NAME COUNT RULE...: kmodctl set RULE... succeeds and the
# module then holds COUNT rules; otherwise NAME fails and so does the
# caller's return status.
kmod_set() {
	local name=$1 count=$2
	shift 2
	if kmodctl set "$@" >"$T/set.out" 2>&1 && rules_are "$count"; then
		return 0
	fi
	fail "$name" "kmodctl set $*: $(cat "$T/set.out"), $(kmodctl stats)"
	return 1
}

# A kernel log with no warning, oops, leak, locking or stall report
# (tests/vm/kernel-log-bad) since the mark. Debian builds no kernel with
# lockdep or KASAN: slub_debug checks the module's own caches (tests/vm/run),
# the module checks its process pool at unload, and on PREEMPT_RT a
# sleeping lock taken where the task may not sleep shows as "scheduling
# while atomic" once it has to wait.
dmesg_clean_since() {
	local bad
	bad=$(dmesg | sed -n "/$1/,\$p" | grep -F -f "$TOP/tests/vm/kernel-log-bad" | head -3)
	[ -z "$bad" ] || { echo "$bad" | tr '\n' '|'; return 1; }
}

# kmod_old_reads NAME: sets OLD_READS to seen or unseen: whether this kernel reports to
# crmguard.ko the reads through a descriptor opened while no permission
# mark was on the file's filesystem, as crmguardd's probe finds it (`ctlx
# status` names what its backend does not see). Asked of a crmguardd on
# the kmod backend whose one rule is on a filesystem of its own (a tmpfs
# here), so that no mark is left where the scenario's files are; the
# module's rules are flushed afterwards. NAME fails if it cannot tell.
kmod_old_reads() {
	local dir=$T/probe-fs status=
	mkdir -p "$dir" && mount -t tmpfs probe "$dir" && echo x >"$dir/f" &&
		printf 'mode enforce\nprotect %s\n' "$dir/f" >"$POLICY" &&
		BACKEND=kmod start_crmguard && status=$(ctlx status)
	stop_crmguard
	rm -f "$CTLSOCK"
	# before the umount: a rule whose inode is gone is no longer listed
	kmodctl set >/dev/null 2>&1
	umount "$dir"
	if [[ $status != *"enforcer:   kmod:"* ]] || ! rules_are 0; then
		fail "$1" "no status from crmguardd -b kmod, or its rules left: $status $(cat "$T/daemon.out") $(kmodctl stats)"
		return 1
	fi
	OLD_READS=seen
	[[ $status != *"not seen:"*"reads of a file opened before"* ]] || OLD_READS=unseen
}
