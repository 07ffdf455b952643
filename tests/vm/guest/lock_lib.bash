# Shared by the guest's lock_*.sh scenarios: a CRM database protected in
# mode enforce with sqlite3 allowed, crmguardd on a backend, and the checks
# each refused attempt makes; and, for the clipboard under the lock, a
# tainted shell (clip_lib.bash, which brings host/lib.bash).
. "$(dirname "${BASH_SOURCE[0]}")/clip_lib.bash" || exit 1
DB=$CRM/clients.db

# lock_setup PREFIX BACKEND [LINE...]: the database, the policy (LINEs
# last), crmguardd on BACKEND; fails PREFIX-locked and ends the scenario
# if crmguardd does not start.
lock_setup() {
	local prefix=$1 backend=$2
	shift 2
	make_crm_db "$DB" 100 || exit 1
	printf '%s\n' 'mode enforce' "protect $CRM" 'allow exe /usr/bin/sqlite3' "$@" >"$POLICY"
	BACKEND=$backend
	start_crmguard || { fail "$prefix-locked" "crmguardd: $(cat "$T/daemon.out")"; exit 1; }
}

# lock_took PREFIX STATUS_REGEX CHECK_CMD...: ctlx lock, then `ctlx status`
# matches STATUS_REGEX and CHECK_CMD succeeds (the kernel says locked too),
# and the record follows; else the scenario ends, its setup failed. The
# locked policy is kept in $T/locked.conf.
lock_took() {
	local prefix=$1 regex=$2
	shift 2
	ctlx lock >"$T/lock.out" 2>&1
	if ctlx status | grep -Eq "$regex" && "$@"; then
		pass "$prefix-locked"
	else
		fail "$prefix-locked" "ctlx lock: $(cat "$T/lock.out"); $(ctlx status | head -4)"
		exit 1
	fi
	wait_record 'event=lock verdict=allow action=lock ' 5 >/dev/null && pass "$prefix-lock-record" ||
		fail "$prefix-lock-record" "$(grep lock "$AUTHLOG")"
	cp "$POLICY" "$T/locked.conf"
}

# still_denies NAME: cat, not allowed, is refused and recorded.
still_denies() { expect_denied "$1" "protect:$CRM" cat "$DB"; }

# new_record REGEX COUNT [seconds]: more than COUNT log lines match REGEX.
new_record() {
	local i
	for i in $(seq $((${3:-5} * 10))); do
		[ "$(grep -Ec -- "$1" "$AUTHLOG" 2>/dev/null)" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# refused NAME ACTION_REGEX CMD...: CMD fails with EPERM (umount(8) says
# "must be superuser" for it; ctlx, that the policy is locked): NAME-refused;
# a new lock record with verdict=deny and that action follows: NAME-record;
# cat is still refused: NAME-still-denies.
refused() {
	local name=$1 re="event=lock verdict=deny action=$2" rc before
	shift 2
	before=$(grep -Ec -- "$re" "$AUTHLOG" 2>/dev/null)
	"$@" >"$T/out" 2>&1
	rc=$?
	[ $rc -ne 0 ] && grep -Eq 'locked until reboot|Operation not permitted|must be superuser' "$T/out" &&
		pass "$name-refused" || fail "$name-refused" "exit $rc: $(head -c 300 "$T/out")"
	new_record "$re" "${before:-0}" && pass "$name-record" ||
		fail "$name-record" "no new lock record: $(grep lock "$AUTHLOG" | tail -3)"
	still_denies "$name-still-denies"
}
