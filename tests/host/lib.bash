# Shared by the host integration tests: a private rsyslogd, a crmguardd
# on a test policy, and pass/fail lines for tests/run.
# Each test file sources this, calls start_crmguard, then its checks.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$TOP/build
T=$(mktemp -d /var/tmp/crmguard-test.XXXXXX) || exit 1	# a real disk: pre-content events need one
LOGSOCK=$T/log.sock
AUTHLOG=$T/auth.log
CTLSOCK=$T/ctl.sock
POLICY=$T/policy.conf
CRM=$T/crm
DAEMON_PID=
RSYSLOG_PID=
# What enforces (crmguardd -b): the VM tier runs the same tests once a backend.
BACKEND=${CRMGUARD_BACKEND:-fanotify}

# Each name is CHECK_PREFIX NAME CHECK_SUFFIX: a script run once per
# backend or mode sets them, and its checks keep distinct names.
CHECK_PREFIX= CHECK_SUFFIX=
pass() { echo "$CHECK_PREFIX$1$CHECK_SUFFIX:PASS"; }
fail() { echo "$CHECK_PREFIX$1$CHECK_SUFFIX:FAIL:${*:2}"; }
# checks NAME...: the checks this script reports, said before its setup:
# tests/run counts each one it never reports as failed, so a script that
# dies half-way fails. A|B: one of A and B (what this kernel can see).
checks() {
	local c alt out
	for c; do
		out=
		for alt in ${c//|/ }; do out+="${out:+|}$CHECK_PREFIX$alt$CHECK_SUFFIX"; done
		echo "$out:CHECK"
	done
}

# display_guard_expected: has this kernel the attach points of crmguardd's
# display guard (cgroup connect_unix, sock_send_length: its BTF names them,
# Linux 6.7 and later)? There it must run; elsewhere a syscall tracepoint.
display_guard_expected() {
	grep -qa BPF_CGROUP_UNIX_CONNECT /sys/kernel/btf/vmlinux &&
		grep -qa btf_trace_sock_send_length /sys/kernel/btf/vmlinux
}

# CRMGUARD_TEST_KEEP=DIR keeps each test's logs there, to look into a failure.
cleanup() {
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
	[ -n "$RSYSLOG_PID" ] && kill "$RSYSLOG_PID" 2>/dev/null
	if [ -n "${CRMGUARD_TEST_KEEP:-}" ]; then
		mkdir -p "$CRMGUARD_TEST_KEEP"
		cp "$AUTHLOG" "$CRMGUARD_TEST_KEEP/$(basename "$0" .sh).auth.log" 2>/dev/null
		cp "$T/daemon.out" "$CRMGUARD_TEST_KEEP/$(basename "$0" .sh).daemon.out" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# rsyslogd of its own: reads $LOGSOCK, writes authpriv.* to $AUTHLOG.
start_rsyslog() {
	cat >"$T/rsyslog.conf" <<CONF
global(workDirectory="$T")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$LOGSOCK" CreatePath="on")
template(name="plain" type="string" string="%syslogtag%%msg%\n")
authpriv.* action(type="omfile" file="$AUTHLOG" template="plain")
CONF
	rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslog.pid" >"$T/rsyslog.out" 2>&1 &
	RSYSLOG_PID=$!
	for _ in $(seq 50); do [ -S "$LOGSOCK" ] && return 0; sleep 0.1; done
	echo "rsyslogd did not start: $(cat "$T/rsyslog.out")" >&2
	return 1
}

# A SQLite CRM database with a few thousand made-up clients.
make_crm_db() {
	mkdir -p "$(dirname "$1")"
	sqlite3 "$1" "create table clients(id integer primary key, name text, phone text, email text);
		with recursive n(i) as (select 1 union all select i + 1 from n where i < ${2:-3000})
		insert into clients(name, phone, email)
		select 'Client ' || i, '+1-555-' || printf('%04d', i), 'client' || i || '@example.com' from n;"
}

# start_crmguard [extra crmguardd options]: policy from $POLICY.
start_crmguard() {
	[ -n "$RSYSLOG_PID" ] || start_rsyslog || return 1
	rm -f "$CTLSOCK"	# a killed daemon's: started means this one listens
	"$BUILD/crmguardd" -f -c "$POLICY" -s "$CTLSOCK" -l "$LOGSOCK" -b "$BACKEND" "$@" >"$T/daemon.out" 2>&1 &
	DAEMON_PID=$!
	# 30 s: under emulation (the VM tier) loading the hand-over watch alone takes 5 s or more
	for _ in $(seq 300); do
		[ -S "$CTLSOCK" ] && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "crmguardd did not start: $(cat "$T/daemon.out")" >&2
	return 1
}

stop_crmguard() {
	kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

ctlx() { "$BUILD/ctlx" -s "$CTLSOCK" "$@"; }

# wait_record REGEX [seconds]: the first log line matching REGEX.
wait_record() {
	local i
	for i in $(seq $((${2:-5} * 10))); do
		grep -E -m1 -- "$1" "$AUTHLOG" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# field LINE KEY: the value of KEY= in a record (bare values only).
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

# Refusals are EPERM: what a refused tool says (sqlite3 says only that it
# cannot open the database). Any other failure (no such file, a missing
# binary) is not a refusal.
REFUSED='Operation not permitted|unable to open database'

# expect_denied NAME RULE CMD...: CMD fails with EPERM, and a deny record
# for its pid names RULE (an extended regex, e.g. 'protect:/x' or '[^ ]+'
# for any). What CMD printed stays in $T/out, its errors in $T/err.
expect_denied() {
	local name=$1 rule=$2 pid rc rec
	shift 2
	"$@" >"$T/out" 2>"$T/err" &
	pid=$!
	wait $pid
	rc=$?
	rec=$(wait_record "event=(open|read) verdict=deny rule=$rule .* pid=$pid " 3)
	if [ $rc -ne 0 ] && grep -Eq "$REFUSED" "$T/err" && [ -n "$rec" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, record '$rec', output: $(head -c 300 "$T/out" "$T/err")"
	fi
}

# expect_eperm NAME CMD...: CMD fails with EPERM, where no record can
# follow (crmguardd is not running; the kernel refuses alone).
expect_eperm() {
	local name=$1 rc
	shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -ne 0 ] && grep -Eq "$REFUSED" "$T/err"; then
		pass "$name"
	else
		fail "$name" "exit $rc, want EPERM: $(head -c 300 "$T/out" "$T/err")"
	fi
}

# expect_read NAME FILE CMD...: CMD succeeds and prints FILE, every byte.
expect_read() {
	local name=$1 file=$2
	shift 2
	if "$@" >"$T/out" 2>"$T/err" && cmp -s "$T/out" "$file"; then
		pass "$name"
	else
		fail "$name" "read $(wc -c <"$T/out") of $(stat -c %s "$file") bytes: $(head -c 300 "$T/err")"
	fi
}

# Reads on a descriptor opened before a rule changed.
# gated_reader ROUTE FILE CMD...: CMD ROUTE FILE GATE (readvia, or a copy
# of it) in the background; returns once it holds FILE open, waiting on
# its gate. open_gates RULE NAME: lets them all read; each must be refused
# by RULE (NAME_ROUTE), or, where `ctlx status` says such reads or a new
# mapping are not seen, its holder ended before it reads (NAME_ROUTE_holder_killed).
GATED=()
# held_checks NAME ROUTE...: the names open_gates NAME reports, for checks.
held_checks() {
	local r
	for r in "${@:2}"; do
		echo "${1}_$r|${1}_${r}_holder_killed"
	done
}
gated_reader() {
	local pid
	mkfifo "$T/gate.$1"
	"${@:3}" "$1" "$2" "$T/gate.$1" >"$T/reader.$1" 2>&1 &
	pid=$!
	GATED+=("$1:$pid")
	for _ in $(seq 100); do
		[ "$(readlink "/proc/$pid/fd/3")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# open_gate NAME PID: lets gated_reader NAME go on, unless its process is
# gone (killed, say): a FIFO nobody reads would block the writer.
open_gate() {
	for _ in $(seq 100); do
		echo go | dd of="$T/gate.$1" oflag=nonblock status=none 2>/dev/null && return
		[ -e "/proc/$2" ] && [ "$(cut -d' ' -f3 "/proc/$2/stat" 2>/dev/null)" != Z ] || return
		sleep 0.1
	done
}

open_gates() {
	local rp r pid rc rec
	for rp in "${GATED[@]}"; do
		open_gate "${rp%%:*}" "${rp#*:}"
	done
	for rp in "${GATED[@]}"; do
		r=${rp%%:*} pid=${rp#*:}
		wait "$pid"
		rc=$?
		rec=
		[ $rc -eq 137 ] || rec=$(wait_record "event=(read|mmap) verdict=deny rule=$1 .* pid=$pid " 3)
		if [ $rc -eq 2 ] && [ -n "$rec" ]; then
			pass "${2}_$r"
		elif [ $rc -eq 137 ] && [[ "$(ctlx status)" == *"opened before"* ]] &&
		     rec=$(wait_record "event=kill verdict=deny rule=$1 .* pid=$pid .*reason=held" 3); then
			# its reads, or a new mapping of it, would not be seen (held.c)
			pass "${2}_${r}_holder_killed"
		else
			fail "${2}_$r" "exit $rc, record '$rec': $(cat "$T/reader.$r")"
		fi
		rm -f "$T/gate.$r"
	done
	GATED=()
}
