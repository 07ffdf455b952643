# ctlx: status in text and JSON, live events, help and exit codes.
. "$(dirname "$0")/lib.bash" || exit 1
checks ctlx_{down_exit_2,status_text,json,events_follow,usage_exit_1,unknown_exit_1,help_each_command,no_stale_processes,change_prints_warnings,change_quiet_without_warnings}

mkdir -p "$CRM"
echo data >"$CRM/f"
printf 'mode audit\nprotect %s\n' "$CRM" >"$POLICY"

out=$(ctlx status 2>&1)
[ $? -eq 2 ] && [[ "$out" == *"crmguardd is not running"* ]] && pass ctlx_down_exit_2 ||
	fail ctlx_down_exit_2 "$out"
start_crmguard || { fail ctlx_setup "crmguardd did not start"; exit 1; }

out=$(ctlx status)
[ $? -eq 0 ] && [[ "$out" == *"mode audit, 1 rules"* ]] && [[ "$out" == *"tp_btf/sched_process_exec"* ]] &&
	pass ctlx_status_text || fail ctlx_status_text "$out"
python3 - "$(ctlx status -j)" "$(ctlx protect list -j)" "$CRM" <<'PY' && pass ctlx_json || fail ctlx_json "bad JSON"
import json, sys
s, l = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert s["running"] and s["mode"] == "audit" and s["protected_dirs"] == 1 and s["protected_files"] == 1, s
assert "tp_btf/sched_process_exit" in s["programs"], s
assert l == [{"rule": "protect", "arg": sys.argv[3], "audit": False, "file": sys.argv[3].rsplit("/", 1)[0] + "/policy.conf", "line": 2}], l
PY

ctlx events >"$T/events" &
follower=$!
sleep 0.5
cat "$CRM/f" >/dev/null &
pid=$!
wait $pid
sleep 0.5
kill $follower
grep -q "^event=open .* pid=$pid " "$T/events" && grep -q "^event=close .* pid=$pid " "$T/events" &&
	pass ctlx_events_follow || fail ctlx_events_follow "$(cat "$T/events")"

ctlx protect >/dev/null 2>&1; [ $? -eq 1 ] && pass ctlx_usage_exit_1 || fail ctlx_usage_exit_1 "protect without args"
ctlx frobnicate >/dev/null 2>&1; [ $? -eq 1 ] && pass ctlx_unknown_exit_1 || fail ctlx_unknown_exit_1 ""
ok=1
for c in status protect reload events; do
	ctlx $c -h | grep -q "^usage: ctlx $c" || ok=0
done
[ $ok = 1 ] && pass ctlx_help_each_command || fail ctlx_help_each_command ""

# Processes that ended leave nothing behind in crmguardd: gone by the next
# sweep (main.c SWEEP_SECONDS, 10 s) at the latest; a leak stays for good.
for i in $(seq 150); do
	n=$(ctlx status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["processes"])')
	[ "$n" = 0 ] && break
	sleep 0.1
done
[ "$n" = 0 ] && pass ctlx_no_stale_processes || fail ctlx_no_stale_processes "$n processes still followed"

# A change that loads a risky rule succeeds, and says why it is risky.
out=$(ctlx allow add exe /usr/bin/python3 2>&1)
rc=$?
[ $rc -eq 0 ] && [[ "$out" == "warning: $POLICY:3: allow exe /usr/bin/python3 runs any script it is given"* ]] &&
	wait_record "event=warning rule=allow-exe:/usr/bin/python3 " >/dev/null &&
	pass ctlx_change_prints_warnings || fail ctlx_change_prints_warnings "exit $rc: $out"
out=$(ctlx allow del exe /usr/bin/python3 2>&1)
[ $? -eq 0 ] && [ -z "$out" ] && pass ctlx_change_quiet_without_warnings ||
	fail ctlx_change_quiet_without_warnings "$out"
