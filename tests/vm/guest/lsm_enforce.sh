#!/bin/bash
# The BPF LSM backend enforces the policy in the kernel: only allowed
# binaries read the CRM database; every other tool, copy and route is
# refused; a revoked user is refused even through an allowed binary and on
# descriptors opened before the revoke; audit rules and mode audit report
# instead of denying. The scenario of tests/host/enforce.sh, in the kernel.
. "$(dirname "$0")/lsm_lib.bash" || exit 1
USER_NAME=crmguard-lsm-$$
useradd -M -s /bin/false "$USER_NAME" || { fail lsm_setup "useradd failed"; exit 1; }
trap 'userdel "$USER_NAME" 2>/dev/null; lsm_cleanup' EXIT
AS_USER=(setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --clear-groups)

make_crm_db "$CRM/clients.db" 3000
DB=$CRM/clients.db
Q='select count(*) from clients'
chmod 755 "$T" "$CRM"
chmod 644 "$DB"
mkdir -p "$T/bin" "$T/outside" "$T/later"
cp "$READVIA" "$T/bin/crm-reader"	# the allowed "CRM"; readvia itself is not
cp /usr/bin/sqlite3 "$T/bin/sqlite3-copy"
cp /usr/bin/cat "$T/bin/sqlite3"		# a cat that calls itself sqlite3
chmod 755 "$T/bin" "$T/bin"/*
echo "client list v1" >"$T/later/clients.csv"
policy() {
	cat >"$POLICY" <<P
mode ${MODE:-enforce}
protect $CRM${AUDIT:+ audit}
allow exe /usr/bin/sqlite3
allow exe $T/bin/crm-reader
$*
P
}
policy
start_lsmd && pass lsm_loads || { fail lsm_loads "$(cat "$T/lsmd.err")"; exit 1; }
denied() { expect_denied "$1" "protect:$CRM" "${@:2}"; }

out=$(sqlite3 "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && pass lsm_allowed_sqlite3_reads || fail lsm_allowed_sqlite3_reads "$out"
out=$("${AS_USER[@]}" sqlite3 -readonly "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && pass lsm_allowed_other_user || fail lsm_allowed_other_user "$out"
v=$(wait_record "event=open verdict=allow rule=allow-exe:/usr/bin/sqlite3 path=$DB ")
[ -n "$v" ] && pass lsm_allow_record || fail lsm_allow_verdict "no allow record: $(tail -3 "$LSMD_OUT")"
for r in read mmap sendfile copy_file_range io_uring; do
	out=$("$T/bin/crm-reader" $r "$DB" 2>&1)
	[ "$out" = "$(stat -c %s "$DB")" ] && pass "lsm_allowed_route_$r" || fail "lsm_allowed_route_$r" "$out"
done

denied lsm_deny_cat cat "$DB"
denied lsm_deny_cp cp "$DB" "$T/outside/stolen.db"
[ ! -s "$T/outside/stolen.db" ] && pass lsm_deny_cp_copied_nothing || fail lsm_deny_cp_copied_nothing "stolen.db has data"
denied lsm_deny_python3 python3 -c "open('$DB', 'rb').read()"
denied lsm_deny_sqlite3_copy "$T/bin/sqlite3-copy" "$DB" "$Q"
denied lsm_deny_renamed_cat "$T/bin/sqlite3" "$DB"
for r in read pread readv preadv2 mmap sendfile splice copy_file_range openat2 io_uring procfd; do
	denied "lsm_deny_route_$r" "$READVIA" $r "$DB"
done
ln "$DB" "$T/outside/hardlink.db"
denied lsm_deny_hardlink cat "$T/outside/hardlink.db"
mkdir "$T/bind"
mount --bind "$CRM" "$T/bind" && { denied lsm_deny_bind_mount cat "$T/bind/clients.db"; umount "$T/bind"; }
# a file the CRM makes later is in the directory's rule before lsmd knows it
sqlite3 "$CRM/export.db" "create table t(x); insert into t values ('new client list')"
denied lsm_deny_file_created_later cat "$CRM/export.db"
denied lsm_deny_new_file_in_dir sh -c "echo x >'$CRM/dropped.txt'"
# a tracer could make the allowed binary read for it
python3 - "$DB" >"$T/traced" 2>&1 <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = os.fork()
if pid == 0:
    libc.ptrace(0, 0, None, None)		# PTRACE_TRACEME
    os.execv("/usr/bin/sqlite3", ["sqlite3", sys.argv[1], "select count(*) from clients"])
print(pid, flush=True)
while True:
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status):
        sys.exit(os.WEXITSTATUS(status))
    libc.ptrace(7, pid, None, None)		# PTRACE_CONT
PY
rc=$?
v=$(wait_record "event=open verdict=deny rule=protect:$CRM .* pid=$(head -1 "$T/traced") .* comm=sqlite3$")
[ $rc -ne 0 ] && [ -n "$v" ] && pass lsm_deny_traced_allowed_binary ||
	fail lsm_deny_traced_allowed_binary "exit $rc, record '$v': $(head -c 300 "$T/traced")"

# An injected library runs inside the allowed binary: refused however
# far down the environment it hides; the next exec with a clean one is not.
LIBM=/lib/x86_64-linux-gnu/libm.so.6
denied lsm_deny_preload env LD_PRELOAD=$LIBM sqlite3 "$DB" "$Q"
pad=$(head -c 100000 /dev/zero | tr '\0' x)	# a string may have 128 KiB at most
denied lsm_deny_preload_far env PAD1="$pad" PAD2="$pad" LD_PRELOAD=$LIBM sqlite3 "$DB" "$Q"
denied lsm_deny_library_path env LD_LIBRARY_PATH=/tmp sqlite3 "$DB" "$Q"
out=$(env PAD1="$pad" PAD2="$pad" sqlite3 "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && pass lsm_allowed_big_environment || fail lsm_allowed_big_environment "$out"
out=$(env LD_PRELOAD=$LIBM env -u LD_PRELOAD sqlite3 "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && pass lsm_preload_ends_at_exec || fail lsm_preload_ends_at_exec "$out"
# its threads and children run the injected code too
policy "allow exe /usr/bin/python3.11"
reload_lsmd || fail lsm_reload "$(cat "$T/lsmd.err")"
cat >"$T/threads.py" <<'PY'
import os, sys, threading
def attempt():
    try:
        open(sys.argv[1], "rb").read(16)
        return "ok"
    except OSError as e:
        return "errno%d" % e.errno
res = [attempt()]
t = threading.Thread(target=lambda: res.append(attempt()))
t.start()
t.join()
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(w, attempt().encode())
    os._exit(0)
os.waitpid(pid, 0)
res.append(os.read(r, 16).decode())
print(" ".join(res))
PY
out=$(python3 "$T/threads.py" "$DB" 2>&1)
[ "$out" = "ok ok ok" ] && pass lsm_allowed_threads_children || fail lsm_allowed_threads_children "$out"
out=$(LD_PRELOAD=$LIBM python3 "$T/threads.py" "$DB" 2>&1)
[ "$out" = "errno1 errno1 errno1" ] && pass lsm_deny_preload_threads_children ||
	fail lsm_deny_preload_threads_children "$out"
policy
reload_lsmd

# Descriptors opened before the file was protected: every read is asked.
# gated ROUTE FILE READER [PREFIX...]: READER has opened FILE and waits on a gate
gated() {
	local pid
	mkfifo "$T/gate.$1"
	"${@:4}" "$3" "$1" "$2" "$T/gate.$1" >"$T/reader.$1" 2>&1 &
	pid=$!
	readers+=("$1:$pid")
	for _ in $(seq 100); do
		[ "$(readlink /proc/$pid/fd/3)" = "$2" ] && return
		sleep 0.1
	done
	fail "lsm_gated_$1" "the reader did not open $2: $(cat "$T/reader.$1")"
}
# open_gates RULE: let the readers go; each must be refused by RULE
open_gates() {
	local rp r pid rc v
	for rp in "${readers[@]}"; do	# a reader that died early would block the gate
		timeout 10 bash -c 'echo go >"$1"' - "$T/gate.${rp%%:*}"
	done
	for rp in "${readers[@]}"; do
		r=${rp%%:*} pid=${rp#*:}
		wait "$pid"
		rc=$?
		v=$(wait_record "event=(read|mmap) verdict=deny rule=$1 .* pid=$pid " 3)
		[ $rc -eq 2 ] && [ -n "$v" ] && pass "lsm_${2}_$r" ||
			fail "lsm_${2}_$r" "exit $rc, record '$v': $(cat "$T/reader.$r")"
		rm -f "$T/gate.$r"
	done
	readers=()
}
readers=()
for r in read mmap sendfile splice; do
	gated $r "$T/later/clients.csv" "$READVIA"
done
echo "protect $T/later" >>"$POLICY"
reload_lsmd || fail lsm_reload "$(cat "$T/lsmd.err")"
open_gates "protect:$T/later" fd_opened_before_rule

# A dismissed employee: refused through the allowed binary, and on a
# descriptor opened before the revoke, by every read route.
for r in read pread preadv2 mmap sendfile splice copy_file_range io_uring; do
	gated $r "$DB" "$T/bin/crm-reader" "${AS_USER[@]}"
done
policy "revoke user $USER_NAME"
reload_lsmd || fail lsm_reload "$(cat "$T/lsmd.err")"
open_gates "revoke-user:$USER_NAME" revoke_open_fd
expect_denied lsm_revoked_allowed_binary "revoke-user:$USER_NAME" "${AS_USER[@]}" sqlite3 -readonly "$DB" "$Q"
out=$(sqlite3 "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && pass lsm_revoke_spares_others || fail lsm_revoke_spares_others "$out"
policy "revoke user $USER_NAME audit"
reload_lsmd
out=$("${AS_USER[@]}" sqlite3 -readonly "$DB" "$Q" 2>&1)
v=$(wait_record "event=open verdict=audit rule=revoke-user:$USER_NAME ")
[ "$out" = 3000 ] && [ -n "$v" ] && pass lsm_revoke_audit_reports || fail lsm_revoke_audit_reports "$out / '$v'"

# Rolling out: 'audit' on the rule, then mode audit: reported, not denied.
check_audit() {
	local pid out
	cat "$DB" >"$T/out" 2>&1 &
	pid=$!
	wait $pid
	v=$(wait_record "event=open verdict=audit rule=protect:$CRM .* pid=$pid ")
	cmp -s "$T/out" "$DB" && [ -n "$v" ] && pass "$1" || fail "$1" "cat: $(head -c 100 "$T/out"), record '$v'"
}
AUDIT=1 policy
reload_lsmd
check_audit lsm_audit_rule_reports
MODE=audit policy
reload_lsmd
check_audit lsm_mode_audit_reports

kill "$LSMD_PID" && wait "$LSMD_PID"
LSMD_PID=
s=$(grep '^stats' "$LSMD_OUT")
deny=$(sed -n 's/.* deny=\([0-9]*\).*/\1/p' <<<"$s")
[ "${deny:-0}" -ge 30 ] && [[ "$s" == *" lost=0" ]] && pass lsm_stats || fail lsm_stats "'$s'"
