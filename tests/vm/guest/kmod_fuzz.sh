#!/bin/bash
# Hostile netlink: thousands of defective and random messages to the
# crmguard family, each answered with an error; nothing they carry changes
# the rules; a process without CAP_NET_ADMIN (root without capabilities,
# or nobody) changes nothing and cannot follow the verdicts; the kernel
# logs no warning or oops.
. "$(dirname "$0")/kmod_lib.bash" || exit 1
checks kmod-fuzz-{all-errors,random-seed,rules-unchanged,still-denies,exe-still-reads,kernel-log-clean} kmod-nocaps-{root-refused,kmodctl-refused,rules-unchanged,still-denies} kmod-nobody-refused
kmod_setup
FUZZ=$BUILD/helpers/genl_fuzz
mark="crmguard-fuzz-$$"
echo "$mark" >/dev/kmsg
kmod_set kmod-fuzz-rules 2 protect="$DB" exe="$READER" && kmod_watch || exit 1

out=$("$FUZZ" -n 3000 -s 7 "$DB" 2>&1)
rc=$?
[ $rc -eq 0 ] && [[ $out == *"errors=4000 "* ]] && pass kmod-fuzz-all-errors ||
	fail kmod-fuzz-all-errors "exit $rc: $(echo "$out" | head -c 600)"
out=$("$FUZZ" -n 1500 -s "$RANDOM" "$DB" 2>&1)
rc=$?
[ $rc -eq 0 ] && pass kmod-fuzz-random-seed || fail kmod-fuzz-random-seed "exit $rc: $(echo "$out" | head -c 600)"
rules_are 2 && pass kmod-fuzz-rules-unchanged || fail kmod-fuzz-rules-unchanged "$(kmodctl stats)"
expect kmod-fuzz-still-denies denied cat "$DB"
expect kmod-fuzz-exe-still-reads allowed "$READER" "$DB"

# Without CAP_NET_ADMIN: root with its capabilities dropped, and nobody.
nocaps=(setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all)
out=$("${nocaps[@]}" "$FUZZ" -u "$DB" 2>&1)
rc=$?
[ $rc -eq 0 ] && [[ $out == *"refused=10 "* ]] && pass kmod-nocaps-root-refused ||
	fail kmod-nocaps-root-refused "exit $rc: $out"
out=$("${nocaps[@]}" --reuid=65534 --regid=65534 --clear-groups "$FUZZ" -u "$DB" 2>&1)
rc=$?
[ $rc -eq 0 ] && [[ $out == *"refused=10 "* ]] && pass kmod-nobody-refused ||
	fail kmod-nobody-refused "exit $rc: $out"
"${nocaps[@]}" "$KMODCTL" set >"$T/nocaps.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q 'not permitted' "$T/nocaps.out" && pass kmod-nocaps-kmodctl-refused ||
	fail kmod-nocaps-kmodctl-refused "exit $rc: $(cat "$T/nocaps.out")"
rules_are 2 && pass kmod-nocaps-rules-unchanged || fail kmod-nocaps-rules-unchanged "$(kmodctl stats)"
expect kmod-nocaps-still-denies denied cat "$DB"

bad=$(dmesg_clean_since "$mark") && pass kmod-fuzz-kernel-log-clean || fail kmod-fuzz-kernel-log-clean "$bad"
kmodctl set >/dev/null
