# Shared by the guest's clipboard_*.sh scenarios: a shell tainted by a
# read of the CRM file that, round after round, tries the clipboard in
# children forked at that moment (so, also while crmguardd is dead).
. "$(dirname "${BASH_SOURCE[0]}")/../../host/lib.bash" || exit 1

# clip_policy [LINE...]: the CRM file, and a policy that protects it,
# lets bash read it (a shell that reads it is tainted), says `clipboard
# block`, and has LINEs after.
clip_policy() {
	mkdir -p "$CRM"
	echo "ACME Ltd,+1 555 0100,renewal in March" >"$CRM/clients.csv"
	printf '%s\n' "mode enforce" "protect $CRM" "allow exe /usr/bin/bash" "clipboard block" "$@" >"$POLICY"
}

# tainted_shell "ROUND..." BODY: starts it in the background (its pid in
# TAINTED_SHELL): it reads $CRM/clients.csv, then for each round waits
# for $T/go.ROUND, runs BODY (shell text, with $round set) and writes
# $T/done.ROUND. Functions BODY calls must be exported.
tainted_shell() {
	T=$T bash -c "read -r line <'$CRM/clients.csv' && [ -n \"\$line\" ] || exit 9
		echo read >'$T/shell.read'
		for round in $1; do
			until [ -e '$T/go.'\$round ]; do sleep 0.1; done
			$2
			echo done >'$T/done.'\$round
		done" 2>"$T/shell.err" &
	TAINTED_SHELL=$!
}

# round NAME: runs it; false if the shell did not finish it in 20 s.
round() {
	touch "$T/go.$1"
	for _ in $(seq 200); do [ -e "$T/done.$1" ] && return 0; sleep 0.1; done
	return 1
}

# shell_tainted CHECK: passes once crmguardd lists the shell as tainted, else fails and ends the scenario.
shell_tainted() {
	local i
	for i in $(seq 100); do
		[ -e "$T/shell.read" ] && ctlx taint list | grep -q "^process $TAINTED_SHELL$(printf '\t')" &&
			{ pass "$1"; return 0; }
		sleep 0.1
	done
	fail "$1" "shell $TAINTED_SHELL: $(cat "$T/shell.err"); $(ctlx taint list 2>&1 | head -5)"
	exit 1
}

# kill_daemon: crmguardd killed (-9), as a crash or an admin would; its pid in KILLED_PID.
kill_daemon() {
	KILLED_PID=$DAEMON_PID
	kill -9 "$KILLED_PID"
	wait "$KILLED_PID" 2>/dev/null
	DAEMON_PID=
}
