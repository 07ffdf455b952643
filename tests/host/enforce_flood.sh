# Under a flood of denied opens from many processes crmguardd keeps
# answering, the machine stays usable, and the counters match what happened.
. "$(dirname "$0")/lib.bash" || exit 1

WORKERS=16
mkdir -p "$CRM"
echo "client list" >"$CRM/clients.csv"
printf 'mode enforce\nprotect %s\n' "$CRM" >"$POLICY"
start_crmguard || { fail flood_setup "crmguardd did not start"; exit 1; }
before=$(ctlx status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"]["deny"])')
[ -n "$before" ] || { fail flood_setup "no status"; exit 1; }

pids=()
for w in $(seq $WORKERS); do
	# Each worker tries to open the file until told to stop (or 20000
	# times), and counts.
	python3 -c '
import os, sys
tries = denied = 0
while not os.path.exists(sys.argv[2]) and tries < 20000:
    tries += 1
    try:
        open(sys.argv[1], "rb").close()
    except PermissionError:
        denied += 1
print(tries, denied)' "$CRM/clients.csv" "$T/stop" >"$T/worker.$w" &
	pids+=($!)
done

deny_count() { ctlx status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"]["deny"])'; }
for _ in $(seq 100); do
	[ $(($(deny_count) - before)) -ge 1000 ] && break
	sleep 0.1
done
# While it floods: crmguardd answers ctlx, other work goes on.
start=$(date +%s%N)
timeout 10 "$BUILD/ctlx" -s "$CTLSOCK" status >/dev/null && pass flood_ctlx_answers ||
	fail flood_ctlx_answers "ctlx status got no answer within 10 s"
timeout 10 sha256sum /etc/passwd "$BUILD/crmguardd" >/dev/null && pass flood_machine_usable ||
	fail flood_machine_usable "an unrelated command did not finish within 10 s"
running=0
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=$((running + 1)); done
[ $running -gt 0 ] && pass flood_checked_during_flood ||
	fail flood_checked_during_flood "the flood was over before the checks"
echo "ctlx+other work during the flood: $((($(date +%s%N) - start) / 1000000)) ms" >&2

touch "$T/stop"
wait "${pids[@]}"
expected=0 total=0
for w in $(seq $WORKERS); do
	read -r tries denied <"$T/worker.$w"
	expected=$((expected + tries)) total=$((total + denied))
done
echo "$WORKERS workers, $expected opens" >&2
[ "$total" -eq "$expected" ] && pass flood_all_denied || fail flood_all_denied "$total of $expected opens refused"
after=$(deny_count)
[ $((after - before)) -eq "$expected" ] && pass flood_counter_matches ||
	fail flood_counter_matches "deny counter moved by $((after - before)), expected $expected"
# Repeated refusals share records: each says how many it stands for (count=),
# and the counts add up to the refusals, none lost, none twice.
pattern="event=open verdict=deny .* pid=($(IFS='|'; echo "${pids[*]}")) "
for _ in $(seq 300); do
	logged=$(grep -E "$pattern" "$AUTHLOG" | sed -n 's/.* count=\([0-9]*\) .*/\1/p' |
		 awk '{ s += $1 } END { print s + 0 }')
	[ "$logged" -ge "$expected" ] && break
	sleep 0.1
done
records=$(grep -cE "$pattern" "$AUTHLOG")
missing=$(grep -E "$pattern" "$AUTHLOG" | grep -vc " count=[0-9]* ")
echo "$records deny records for $expected refusals" >&2
[ "$logged" -eq "$expected" ] && [ "$missing" -eq 0 ] && pass flood_every_deny_logged ||
	fail flood_every_deny_logged "the counts of $records deny records ($missing without count=) add up to $logged, not $expected refusals"
