#!/bin/bash
# crmguard.ko enforces in the kernel: the allowed binary reads, everything
# else is refused at open and at read (through every route readvia knows,
# a hard link, an fd opened before the rule; one opened before any rule
# where this kernel reports its reads, else crmguardd ends its holder), a
# revoked user is refused
# even with the allowed binary, a traced or preloaded allowed binary too,
# and each refusal is multicast as a verdict.
. "$(dirname "$0")/kmod_lib.bash" || exit 1
checks kmod-rules-set kmod-allowed-exe-{reads,all-bytes} kmod-{cat,sqlite3,python,dd,hardlink}-denied kmod-route-{read,pread,readv,preadv2,mmap,sendfile,splice,copy_file_range,openat2,io_uring,procfd}-denied kmod-read-on-fd-before-rule-denied 'kmod-read-on-early-fd-denied|kmod-read-on-early-fd-holder-killed' kmod-revoked-user-denied kmod-other-user-allowed-exe kmod-revoked-user-cat-denied kmod-preloaded-exe-denied kmod-empty-preload-allowed kmod-library-path-exe-denied kmod-audit-lib-exe-denied kmod-lookalike-var-allowed kmod-preload-anywhere-denied kmod-traced-exe-denied kmod-verdict-{deny,names-revoke,read-deny,allow,audit} kmod-dir-{child-denied,child-allowed-exe,new-child-denied,lists,grandchild-free} kmod-audit-mode-allows kmod-audit-rule-enforced-before kmod-audit-rule-allows kmod-revoke-audit-enforced-before kmod-revoke-audit-allows-exe kmod-refused-{rule-extack,dir-extack,keeps-rules,still-denies} kmod-unprotected-file kmod-flush kmod-flushed-allows
kmod_setup
useradd -M -s /usr/sbin/nologin alice && useradd -M -s /usr/sbin/nologin bob || exit 1
trap 'userdel alice; userdel bob; kill "$WATCHER"; cleanup' EXIT
alice=$(id -u alice)
kmod_watch || exit 1
kmod_old_reads kmod-read-on-early-fd-denied || exit 1

# gated NAME FILE: readvia opens FILE and waits on $T/gate.NAME to read it.
gated() {
	mkfifo "$T/gate.$1"
	"$BUILD/helpers/readvia" read "$2" "$T/gate.$1" >"$T/$1.out" 2>&1 &
	GATED_PID=$!
	for _ in $(seq 50); do [ "$(readlink "/proc/$GATED_PID/fd/3")" = "$2" ] && break; sleep 0.1; done
	[ "$(readlink "/proc/$GATED_PID/fd/3")" = "$2" ]
}

# A reader that opened the file before any rule, while no mark was on its
# filesystem; one that opened another file after the first rule, before
# that file's own rule. Both are asked when they read, later.
gated early "$DB" || fail kmod-read-on-early-fd-denied "the early reader did not open $DB: $(cat "$T/early.out")"
early=$GATED_PID
LATE=$CRM/late.db
cp "$DB" "$LATE" && chmod 0644 "$LATE"
kmod_set kmod-rules-set 3 protect="$DB" exe="$READER" revoke="$alice" && pass kmod-rules-set
gated late "$LATE" || fail kmod-read-on-fd-before-rule-denied "the reader did not open $LATE: $(cat "$T/late.out")"
late=$GATED_PID

expect kmod-allowed-exe-reads allowed "$READER" "$DB"
[ "$(wc -c <"$T/out")" -eq "$(stat -c %s "$DB")" ] && pass kmod-allowed-exe-all-bytes ||
	fail kmod-allowed-exe-all-bytes "read $(wc -c <"$T/out") of $(stat -c %s "$DB") bytes"
expect kmod-cat-denied denied cat "$DB"
expect kmod-sqlite3-denied denied sqlite3 "$DB" 'select count(*) from clients'
expect kmod-python-denied denied python3 -c "open('$DB', 'rb').read()"
expect kmod-dd-denied denied dd if="$DB" of=/dev/null
ln "$DB" "$T/hardlink"
expect kmod-hardlink-denied denied cat "$T/hardlink"
for route in read pread readv preadv2 mmap sendfile splice copy_file_range openat2 io_uring procfd; do
	expect "kmod-route-$route-denied" denied "$BUILD/helpers/readvia" "$route" "$DB"
done
rules=(protect="$DB" exe="$READER" revoke="$alice" protect="$LATE")
kmod_set kmod-read-on-fd-before-rule-denied 4 "${rules[@]}"
open_gate late $late
wait $late
rc=$?
[ $rc -eq 2 ] && grep -q 'not permitted' "$T/late.out" && pass kmod-read-on-fd-before-rule-denied ||
	fail kmod-read-on-fd-before-rule-denied "exit $rc: $(head -c 200 "$T/late.out")"
# The early reader: refused where the kernel reports its reads (the probe
# above says); where it does not, crmguardd kills it as it starts (held.c).
if [ "$OLD_READS" = seen ]; then
	open_gate early $early
	wait $early
	rc=$?
	[ $rc -eq 2 ] && grep -q 'not permitted' "$T/early.out" && pass kmod-read-on-early-fd-denied ||
		fail kmod-read-on-early-fd-denied "exit $rc: $(head -c 200 "$T/early.out")"
else
	printf 'mode enforce\nprotect %s\nallow exe %s\n' "$DB" "$READER" >"$POLICY"
	BACKEND=kmod start_crmguard || fail kmod-read-on-early-fd-holder-killed "crmguardd: $(cat "$T/daemon.out")"
	rec=$(wait_record "event=kill verdict=deny rule=protect:$DB .* pid=$early .*reason=held" 10)
	open_gate early $early
	wait $early
	rc=$?
	[ $rc -eq 137 ] && [ -n "$rec" ] && pass kmod-read-on-early-fd-holder-killed ||
		fail kmod-read-on-early-fd-holder-killed "exit $rc, record '$rec': $(head -c 200 "$T/early.out")"
	stop_crmguard
	kmod_set kmod-read-on-early-fd-holder-killed 4 "${rules[@]}"
fi

# The revoke beats the allowed binary; bob, not revoked, reads with it.
expect kmod-revoked-user-denied denied setpriv --reuid=alice --regid=alice --clear-groups "$READER" "$DB"
expect kmod-other-user-allowed-exe allowed setpriv --reuid=bob --regid=bob --clear-groups "$READER" "$DB"
expect kmod-revoked-user-cat-denied denied setpriv --reuid="$alice" --regid="$alice" --clear-groups cat "$DB"

# The allowed binary with foreign code in it: preloaded, or under a tracer.
expect kmod-preloaded-exe-denied denied env LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6 "$READER" "$DB"
expect kmod-empty-preload-allowed allowed env LD_PRELOAD= "$READER" "$DB"
expect kmod-library-path-exe-denied denied env LD_LIBRARY_PATH=/nonexistent "$READER" "$DB"
expect kmod-audit-lib-exe-denied denied env LD_AUDIT=/nonexistent.so "$READER" "$DB"
expect kmod-lookalike-var-allowed allowed env XLD_PRELOAD=/x LD_PRELOADX=/x "$READER" "$DB"
# The module reads the environment 256 bytes at a time: LD_PRELOAD= starts
# 5 + pad bytes in (env -i: nothing before PAD), so these pads put each of
# its bytes on the edge once.
missed=
for pad in $(seq 239 251); do
	env -i PAD="$(printf "%${pad}s" "")" LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6 "$READER" "$DB" \
		>/dev/null 2>"$T/err" || ! grep -Eq "$REFUSED" "$T/err" && missed="$missed $pad"
done
[ -z "$missed" ] && pass kmod-preload-anywhere-denied || fail kmod-preload-anywhere-denied "allowed with padding$missed"
cat >"$T/traced.py" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = os.fork()
if pid == 0:
    libc.ptrace(0, 0, None, None)	# PTRACE_TRACEME
    os.execv(sys.argv[1], sys.argv[1:])
os.waitpid(pid, 0)			# stopped at exec
libc.ptrace(7, pid, None, None)		# PTRACE_CONT
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
PY
expect kmod-traced-exe-denied denied python3 "$T/traced.py" "$READER" "$DB"

# The verdicts: a deny for cat, with who and what.
sleep 0.5
line=$(grep -m1 'op=open verdict=deny rule=1 .*comm=cat ' "$T/verdicts")
[ -n "$line" ] && [[ $line == *"path=$DB"* ]] && [[ $line == *"ino=$(stat -c %i "$DB") "* ]] &&
	pass kmod-verdict-deny || fail kmod-verdict-deny "no deny verdict for cat: $(head -c 400 "$T/verdicts")"
grep -q "op=open verdict=deny rule=3 .*uid=$alice " "$T/verdicts" &&
	pass kmod-verdict-names-revoke || fail kmod-verdict-names-revoke "$(grep "uid=$alice" "$T/verdicts" | head -2)"
grep -q "op=read verdict=deny rule=4 .*comm=readvia .*path=$LATE" "$T/verdicts" &&
	pass kmod-verdict-read-deny || fail kmod-verdict-read-deny "no read deny verdict"
grep -q "op=open verdict=allow rule=2 .*comm=crm-reader" "$T/verdicts" &&
	pass kmod-verdict-allow || fail kmod-verdict-allow "no allow verdict for the reader"

# A directory rule covers its children, new ones too; the directory itself
# lists, and what is further down is not covered.
echo other >"$CRM/other.txt"
mkdir -p "$CRM/sub" && echo deep >"$CRM/sub/deep.txt"
kmod_set kmod-dir-child-denied 2 dir="$CRM" exe="$READER"
expect kmod-dir-child-denied denied cat "$CRM/other.txt"
expect kmod-dir-child-allowed-exe allowed "$READER" "$CRM/other.txt"
expect kmod-dir-new-child-denied denied bash -c "echo x >'$CRM/new.txt'"
expect kmod-dir-lists allowed ls "$CRM"
expect kmod-dir-grandchild-free allowed cat "$CRM/sub/deep.txt"

# Audit: nothing refused, each access reported as audit.
# Each set in between goes back to enforce: were one refused, the
# mode audit before it would let the next check pass on its own.
kmod_set kmod-audit-mode-allows 1 -m audit protect="$DB"
expect kmod-audit-mode-allows audited cat "$DB"
kmod_set kmod-audit-rule-allows 1 protect="$DB" && expect kmod-audit-rule-enforced-before denied cat "$DB"
kmod_set kmod-audit-rule-allows 1 protect-audit="$DB"
expect kmod-audit-rule-allows audited cat "$DB"
kmod_set kmod-revoke-audit-allows-exe 2 protect="$DB" exe="$READER" &&
	expect kmod-revoke-audit-enforced-before denied cat "$DB"
kmod_set kmod-revoke-audit-allows-exe 3 revoke-audit="$alice" exe="$READER" protect="$DB"
expect kmod-revoke-audit-allows-exe audited setpriv --reuid=alice --regid=alice --clear-groups "$READER" "$DB"
sleep 0.5
grep -q "verdict=audit .*uid=$alice .*comm=crm-reader" "$T/verdicts" &&
	pass kmod-verdict-audit || fail kmod-verdict-audit "no audit verdict for alice"

# A rule the module refuses: the client says why, in the module's words,
# naming the file (by one of its names: it has a hard link), and what was
# in force stays in force.
kmod_set kmod-refused-keeps-rules 2 protect="$DB" exe="$READER"
kmodctl set protect="$DB" exe="$READER" dir="$DB" >"$T/refused.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "adding protected inode /.* (dev [0-9]*:[0-9]* ino $(stat -c %i "$DB")): CRMGUARD_F_DIR on a file that is not a directory" "$T/refused.out" &&
	pass kmod-refused-rule-extack || fail kmod-refused-rule-extack "exit $rc: $(cat "$T/refused.out")"
kmodctl set protect="$CRM" >"$T/refused.out" 2>&1
grep -q "not a regular file (a directory needs CRMGUARD_F_DIR)" "$T/refused.out" &&
	pass kmod-refused-dir-extack || fail kmod-refused-dir-extack "$(cat "$T/refused.out")"
rules_are 2 && pass kmod-refused-keeps-rules || fail kmod-refused-keeps-rules "$(kmodctl stats)"
expect kmod-refused-still-denies denied cat "$DB"

# Unrelated files are not the module's business.
expect kmod-unprotected-file allowed cat /etc/passwd
kmodctl set >"$T/set.out" 2>&1 && rules_are 0 && pass kmod-flush || fail kmod-flush "$(cat "$T/set.out"), $(kmodctl stats)"
expect kmod-flushed-allows allowed cat "$DB"
