# Shared by the clipboard tests (taint_clipboard.sh, taint_wayland.sh), after
# lib.bash: a CRM of 300 clients that sqlite3 may read, `clipboard block`,
# and an Xvfb of their own.

# clipboard_setup FIRST: $DB, $Q, $POLICY; an Xvfb on the first free display
# from :FIRST ($XNUM, $XVFB_PID), up and listening (else it fails).
clipboard_setup() {
	make_crm_db "$CRM/clients.db" 300
	DB=$CRM/clients.db
	Q='select name, phone from clients'
	cat >"$POLICY" <<CONF
mode enforce
protect $CRM
allow exe /usr/bin/sqlite3
clipboard block
CONF
	for XNUM in $(seq "$1" $(($1 + 30))); do [ -e "/tmp/.X11-unix/X$XNUM" ] || break; done
	Xvfb ":$XNUM" -nolisten tcp >"$T/xvfb.out" 2>&1 &
	XVFB_PID=$!
	for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X$XNUM" ] && return 0; sleep 0.1; done
	return 1
}

# Every pipeline that starts with the allowed CRM runs in a subshell of its
# own, ( CRM | ...; crm_status ): the shell that makes a pipeline holds the
# pipe's ends for a moment after it forks, and were the CRM's first read to
# come in that moment, the shell holding the reading end would be tainted,
# and with it all it runs after; that must not be the test's own shell.
# crm_status: the pipeline's statuses into $T/pipestatus (read -ra rc
# <"$T/pipestatus" takes them), and the last as its own.
crm_status() {
	local s=("${PIPESTATUS[@]}")
	echo "${s[*]}" >"$T/pipestatus"
	return "${s[-1]}"
}

# connect_mechanism: how the kernel meets a tainted process's connect() to a
# display server: CONNECT_ACTION=refused (the display guard's cgroup
# programs: EPERM), which must be what runs where the kernel has their
# attach points (its BTF names them), or killed (the sensor's syscall
# tracepoint: SIGKILL on the way back) where it has not; 1 otherwise.
connect_mechanism() {
	local progs
	progs=$(ctlx status | grep '^bpf:')
	if display_guard_expected; then
		[[ $progs == *cgroup/connect_unix*tp_btf/sock_send_length* ]] && CONNECT_ACTION=refused
	else
		[[ $progs == *sys_enter_connect* ]] && CONNECT_ACTION=killed
	fi
}

# connect_stopped STATUS: a client's exit status says it was stopped as
# CONNECT_ACTION says: killed by SIGKILL, or failed on its own (not killed).
connect_stopped() {
	if [ "$CONNECT_ACTION" = killed ]; then
		[ "$1" -eq 137 ]
	else
		[ "$1" -ne 0 ] && [ "$1" -ne 137 ]
	fi
}
