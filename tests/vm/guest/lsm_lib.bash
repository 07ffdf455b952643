# Shared by the BPF LSM scenarios (lsm_*.sh). lsmd (tests/helpers/lsmd.c)
# plays crmguardd's part for the backend: it pushes $POLICY into the pinned
# maps and writes a record a verdict where lib.bash's wait_record and
# expect_denied look for the daemon's.
. "$(dirname "${BASH_SOURCE[0]}")/../../host/lib.bash" || exit 1
LSMD_OUT=$AUTHLOG
LSMD_PID=
PINS=/sys/fs/bpf/crmguard
READVIA=$BUILD/helpers/readvia

# The pinned links would go on denying in the scenarios that follow.
lsm_cleanup() {
	[ -n "$LSMD_PID" ] && kill "$LSMD_PID" 2>/dev/null && wait "$LSMD_PID" 2>/dev/null
	rm -rf "$PINS"
	cleanup
}
trap lsm_cleanup EXIT

# start_lsmd [lsmd options]: returns once the policy is in the kernel.
start_lsmd() {
	local ready
	ready=$(grep -c '^ready' "$LSMD_OUT" 2>/dev/null)
	"$BUILD/helpers/lsmd" -c "$POLICY" "$@" >>"$LSMD_OUT" 2>"$T/lsmd.err" &
	LSMD_PID=$!
	for _ in $(seq 300); do
		[ "$(grep -c '^ready' "$LSMD_OUT")" -gt "${ready:-0}" ] && return 0
		kill -0 "$LSMD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "lsmd did not start: $(cat "$T/lsmd.err")" >&2
	return 1
}

# reload_lsmd: lsmd re-reads $POLICY; returns once it is in the kernel.
reload_lsmd() {
	local n
	n=$(grep -c '^reloaded' "$LSMD_OUT")
	kill -HUP "$LSMD_PID"
	for _ in $(seq 100); do
		[ "$(grep -c '^reloaded' "$LSMD_OUT")" -gt "$n" ] && return 0
		sleep 0.1
	done
	echo "lsmd did not reload: $(cat "$T/lsmd.err")" >&2
	return 1
}

kill9_lsmd() {
	kill -9 "$LSMD_PID" && wait "$LSMD_PID" 2>/dev/null
	LSMD_PID=
}
