#!/bin/bash
# The rules live in the kernel: a kill -9 of the user-space side that
# pushed them leaves them in force (fail-closed), a restarted one adopts
# them with no gap, and only a side that asked for fail-open opens the
# door when it dies.
. "$(dirname "$0")/kmod_lib.bash" || exit 1
kmod_setup

# start_side [kmodctl set options]: a long-lived side that pushed the rules.
start_side() {
	"$KMODCTL" set -w "$@" protect="$DB" exe="$READER" >"$T/side.out" 2>&1 &
	side=$!
	for _ in $(seq 50); do
		grep -q '^ready' "$T/side.out" && return 0
		sleep 0.1
	done
	echo "kmodctl did not get ready: $(cat "$T/side.out")" >&2
	return 1
}

start_side || exit 1
expect kmod-side-alive-denies denied cat "$DB"
kill -9 $side
wait $side 2>/dev/null
expect kmod-killed-side-still-denies denied cat "$DB"
expect kmod-killed-side-exe-still-reads allowed "$READER" "$DB"
rules_are 2 && pass kmod-killed-side-rules-kept || fail kmod-killed-side-rules-kept "$(kmodctl stats)"

# Nobody follows the verdicts now: a refusal is counted, and so is its lost verdict.
deny=$(stat_of deny) lost=$(stat_of lost)
cat "$DB" >/dev/null 2>&1
deny2=$(stat_of deny) lost2=$(stat_of lost)
[ "$deny2" -eq $((deny + 1)) ] && [ "$lost2" -eq $((lost + 1)) ] && pass kmod-stats-deny-and-lost ||
	fail kmod-stats-deny-and-lost "deny $deny -> $deny2, lost $lost -> $lost2"

# A restart while a loop keeps trying: every try refused, the rules adopted, not doubled.
(for _ in $(seq 200); do cat "$DB" >/dev/null 2>&1 && echo leaked; done) >"$T/loop.out" &
loop=$!
start_side || exit 1
wait $loop
[ ! -s "$T/loop.out" ] && pass kmod-restart-no-gap || fail kmod-restart-no-gap "$(grep -c leaked "$T/loop.out") reads got through"
rules_are 2 && pass kmod-restart-adopts || fail kmod-restart-adopts "$(kmodctl stats)"
kill -9 $side
wait $side 2>/dev/null

# Fail-open: refused while its side lives, let through (as audit) once it is killed.
start_side -o || exit 1
expect kmod-fail-open-alive-denies denied cat "$DB"
kill -9 $side
wait $side 2>/dev/null
sleep 0.2
expect kmod-fail-open-dead-allows allowed cat "$DB"
dmesg | grep -q 'fail-open closed' && pass kmod-fail-open-logged || fail kmod-fail-open-logged "no kernel message"
# A new side that asks for fail-closed shuts the door again.
start_side || exit 1
expect kmod-fail-closed-again-denies denied cat "$DB"
kill -9 $side
wait $side 2>/dev/null
expect kmod-fail-closed-killed-denies denied cat "$DB"
kmodctl set >/dev/null
