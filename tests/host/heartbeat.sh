# The heartbeat (policy: heartbeat N): a record every N seconds with the
# backend, the policy hash and the counters; `ctlx status -j` carries the
# same fields. The hash follows what the policy says, not its comments;
# `heartbeat off` stops them; a bad value is refused and changes nothing.
# `beat` counts heartbeats; `seq`, which ends every record, counts records.
. "$(dirname "$0")/lib.bash" || exit 1
checks heartbeat_records heartbeat_interval heartbeat_status_same_fields heartbeat_hash_follows_policy \
	heartbeat_hash_ignores_comments heartbeat_bad_value_refused heartbeat_off heartbeat_seq_counts_records

mkdir -p "$CRM"
echo data >"$CRM/f"
printf 'mode audit\nprotect %s\nheartbeat 1\n' "$CRM" >"$POLICY"
start_crmguard || { fail heartbeat_setup "crmguardd did not start"; exit 1; }

beats() { grep -c '^crmguard\[[0-9]*\]: event=heartbeat ' "$AUTHLOG"; }
# The fields of a record as KEY=VALUE lines (the heartbeat's are bare words).
fields() { tr ' ' '\n' <<<"${1#*: }"; }

first=$(wait_record 'event=heartbeat beat=1 ' 4)
cat "$CRM/f" >/dev/null	# an open the next heartbeats count
second=$(wait_record 'event=heartbeat beat=3 ' 4)
if [ -n "$first" ] && [ -n "$second" ] &&
	[ "$(field "$first" backend)" = "$BACKEND" ] && [ "$(field "$first" interval)" = 1 ] &&
	[[ "$(field "$first" policy_hash)" =~ ^[0-9a-f]{64}$ ]] && [ "$(field "$second" open)" -ge 1 ]; then
	pass heartbeat_records
else
	fail heartbeat_records "first '$first', third '$second'"
fi

# Once a second: in 3 more seconds, 2 to 4 more (the loop wakes each second).
n=$(beats)
sleep 3
d=$(($(beats) - n))
[ "$d" -ge 2 ] && [ "$d" -le 4 ] && pass heartbeat_interval || fail heartbeat_interval "$d records in 3 s"

# ctlx status -j: the same keys as the record, the same backend and hash.
status_hb() {
	ctlx status -j | python3 -c 'import json, sys
hb = json.load(sys.stdin)["heartbeat"]
print("\n".join("%s=%s" % kv for kv in hb.items()))'
}
rec=$(grep 'event=heartbeat ' "$AUTHLOG" | tail -1)
st=$(status_hb)
want_keys=$(fields "$rec" | grep -v '^event=' | cut -d= -f1)
if [ -n "$st" ] && [ "$(cut -d= -f1 <<<"$st")" = "$want_keys" ] &&
	grep -qx "backend=$(field "$rec" backend)" <<<"$st" &&
	grep -qx "policy_hash=$(field "$rec" policy_hash)" <<<"$st" &&
	grep -qx "mode=audit" <<<"$st" && grep -qx "rules=1" <<<"$st"; then
	pass heartbeat_status_same_fields
else
	fail heartbeat_status_same_fields "status '$(tr '\n' ' ' <<<"$st")', record '$rec'"
fi
hash=$(sed -n 's/^policy_hash=//p' <<<"$st")

# A comment changes nothing; a rule changes the hash, in status and in
# the next heartbeat.
printf '# the CRM\nmode audit\n\nprotect %s   # its files\nheartbeat 1\n' "$CRM" >"$POLICY"
ctlx reload >/dev/null 2>&1
h2=$(status_hb | sed -n 's/^policy_hash=//p')
[ -n "$h2" ] && [ "$h2" = "$hash" ] && pass heartbeat_hash_ignores_comments ||
	fail heartbeat_hash_ignores_comments "$hash before, '$h2' after"
printf 'mode audit\nprotect %s\nheartbeat 1\nrevoke user nobody\n' "$CRM" >"$POLICY"
ctlx reload >/dev/null 2>&1
h3=$(status_hb | sed -n 's/^policy_hash=//p')
beat=$(status_hb | sed -n 's/^beat=//p')
rec=$(wait_record "event=heartbeat beat=$((beat + 1)) " 3)
if [ -n "$h3" ] && [ "$h3" != "$hash" ] && [ "$(field "$rec" policy_hash)" = "$h3" ] &&
	[ "$(field "$rec" rules)" = 2 ]; then
	pass heartbeat_hash_follows_policy
else
	fail heartbeat_hash_follows_policy "$hash before, '$h3' after; record '$rec'"
fi

# A bad interval: refused with file and line, the heartbeat goes on.
printf 'mode audit\nprotect %s\nheartbeat 0\n' "$CRM" >"$POLICY"
out=$(ctlx reload 2>&1)
rc=$?
n=$(beats)
sleep 2.2
if [ $rc -eq 2 ] && [[ "$out" == *"policy.conf:3: heartbeat '0' is not seconds from 1 to 86400, or off"* ]] &&
	[ "$(beats)" -gt "$n" ]; then
	pass heartbeat_bad_value_refused
else
	fail heartbeat_bad_value_refused "exit $rc: $out; $n then $(beats) records"
fi

# heartbeat off: no more of them.
printf 'mode audit\nprotect %s\nheartbeat off\n' "$CRM" >"$POLICY"
ctlx reload >/dev/null 2>&1
sleep 0.3	# one sent just before the reload may still be on its way
n=$(beats)
sleep 2.5
if [ "$(beats)" -eq "$n" ] && [ "$(status_hb | sed -n 's/^interval=//p')" = 0 ]; then
	pass heartbeat_off
else
	fail heartbeat_off "$n then $(beats) records"
fi

# Every record ends in seq=N: 1, 2, 3... in the order syslog got them, with
# no gap (syslog dropped none), and status -j says the last one given.
recs=$(grep '^crmguard\[[0-9]*\]: event=' "$AUTHLOG")
seqs=$(sed -n 's/.* seq=\([0-9]*\)\( truncated=1\)\{0,1\}$/\1/p' <<<"$recs")
n=$(grep -c . <<<"$recs")
last=$(status_hb | sed -n 's/^seq=//p')
if [ "$n" -gt 5 ] && [ "$(grep -c . <<<"$seqs")" -eq "$n" ] && [ "$seqs" = "$(seq "$n")" ] &&
	[ -n "$last" ] && [ "$last" -ge "$n" ]; then
	pass heartbeat_seq_counts_records
else
	fail heartbeat_seq_counts_records "$n records, seqs $(head -3 <<<"$seqs" | tr '\n' ' ')... $(tail -1 <<<"$seqs"), status seq '$last'"
fi
