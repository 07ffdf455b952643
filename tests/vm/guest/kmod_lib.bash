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

# stat_of KEY: one of the module's counters (allow audit deny lost rules).
stat_of() {
	kmodctl stats | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# Whether the module still holds N rules.
rules_are() {
	[ "$(stat_of rules)" = "$1" ]
}

# expect NAME allowed|denied CMD...: CMD succeeds, or fails saying it may
# not (EPERM; sqlite3 only says it cannot open).
expect() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$want" = allowed ] && [ $rc -eq 0 ]; then
		pass "$name"
	elif [ "$want" = denied ] && [ $rc -ne 0 ] && grep -q 'not permitted\|unable to open' "$T/err"; then
		pass "$name"
	else
		fail "$name" "want $want, exit $rc: $(head -c 300 "$T/err")"
	fi
}

# A kernel log with no warning, oops, leak, locking or stall report
# (tests/vm/kernel-log-bad) since the mark. Debian builds no kernel with
# lockdep: on PREEMPT_RT a sleeping lock taken where the task may not
# sleep shows as "scheduling while atomic" once it has to wait.
dmesg_clean_since() {
	local bad
	bad=$(dmesg | sed -n "/$1/,\$p" | grep -F -f "$TOP/tests/vm/kernel-log-bad" | head -3)
	[ -z "$bad" ] || { echo "$bad" | tr '\n' '|'; return 1; }
}
