# Under a flood of denied opens from many processes crmguardd keeps
# answering, the machine stays usable, and the counters match what happened.
# With an in-kernel backend (CRMGUARD_BACKEND, as the VM tier runs it) the
# kernel refuses and counts; what it could not hand to crmguardd it counts
# as lost, and the records account for the rest.
. "$(dirname "$0")/lib.bash" || exit 1
checks flood_{ctlx_answers,machine_usable,checked_during_flood,all_denied,counter_matches,every_deny_logged,records_summed} "flood_lost_logged|flood_nothing_lost"

WORKERS=16
mkdir -p "$CRM"
echo "client list" >"$CRM/clients.csv"
printf 'mode enforce\nprotect %s\n' "$CRM" >"$POLICY"
start_crmguard || { fail flood_setup "crmguardd did not start"; exit 1; }
# counter deny|lost: the refusals counted, and those no record can tell of
counter() {
	ctlx status -j | python3 -c '
import json, sys
s = json.load(sys.stdin)
k = s.get("kernel")
if k:
    print(k[sys.argv[1]])
else:
    print(s["events"]["deny"] if sys.argv[1] == "deny" else 0)' "$1"
}
before=$(counter deny) lost_before=$(counter lost)
[ -n "$before" ] && [ -n "$lost_before" ] || { fail flood_setup "no status"; exit 1; }

pids=()
for w in $(seq $WORKERS); do
	# Each worker tries to open the file until told to stop (or for 60 s:
	# an in-kernel backend refuses 20000 opens before the checks below are
	# done), and counts.
	python3 -c '
import os, sys, time
tries = denied = 0
end = time.monotonic() + 60
while not (tries % 256 == 0 and (os.path.exists(sys.argv[2]) or time.monotonic() > end)):
    tries += 1
    try:
        open(sys.argv[1], "rb").close()
    except PermissionError:
        denied += 1
print(tries, denied)' "$CRM/clients.csv" "$T/stop" >"$T/worker.$w" &
	pids+=($!)
done

for _ in $(seq 100); do
	[ $(($(counter deny) - before)) -ge 1000 ] && break
	sleep 0.1
done
# While it floods: crmguardd answers ctlx, other work goes on.
start=${EPOCHREALTIME/./}
timeout 10 "$BUILD/ctlx" -s "$CTLSOCK" status >/dev/null && pass flood_ctlx_answers ||
	fail flood_ctlx_answers "ctlx status got no answer within 10 s"
timeout 10 sha256sum /etc/passwd "$BUILD/crmguardd" >/dev/null && pass flood_machine_usable ||
	fail flood_machine_usable "an unrelated command did not finish within 10 s"
running=0
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=$((running + 1)); done
[ $running -gt 0 ] && pass flood_checked_during_flood ||
	fail flood_checked_during_flood "the flood was over before the checks"
echo "ctlx+other work during the flood: $(((${EPOCHREALTIME/./} - start) / 1000)) ms" >&2

touch "$T/stop"
wait "${pids[@]}"
expected=0 total=0
for w in $(seq $WORKERS); do
	read -r tries denied <"$T/worker.$w"
	expected=$((expected + tries)) total=$((total + denied))
done
echo "$WORKERS workers, $expected opens" >&2
[ "$total" -eq "$expected" ] && pass flood_all_denied || fail flood_all_denied "$total of $expected opens refused"
after=$(counter deny) lost=$(($(counter lost) - lost_before))
[ $((after - before)) -eq "$expected" ] && pass flood_counter_matches ||
	fail flood_counter_matches "deny counter moved by $((after - before)), expected $expected"
# Repeated refusals share records: each says how many it stands for (count=),
# and the counts add up to the refusals, none twice, none missing but those
# counted lost.
pattern="event=open verdict=deny .* pid=($(IFS='|'; echo "${pids[*]}")) "
for _ in $(seq 300); do
	logged=$(grep -E "$pattern" "$AUTHLOG" | sed -n 's/.* count=\([0-9]*\) .*/\1/p' |
		 awk '{ s += $1 } END { print s + 0 }')
	[ $((logged + lost)) -ge "$expected" ] && break
	sleep 0.1
done
records=$(grep -cE "$pattern" "$AUTHLOG")
missing=$(grep -E "$pattern" "$AUTHLOG" | grep -vc " count=[0-9]* ")
echo "$records deny records for $expected refusals, $lost lost" >&2
[ $((logged + lost)) -eq "$expected" ] && [ "$missing" -eq 0 ] && pass flood_every_deny_logged ||
	fail flood_every_deny_logged "the counts of $records deny records ($missing without count=) add up to $logged, with $lost lost, not $expected refusals"
# Summed, not one each: a record a second or so for each worker.
[ "$records" -lt $((expected / 4)) ] && pass flood_records_summed ||
	fail flood_records_summed "$records records for $expected refusals"
# What the kernel could not hand to crmguardd is told in records of its own.
if [ "$lost" -gt 0 ]; then
	for _ in $(seq 30); do
		told=$(grep "event=lost source=kernel " "$AUTHLOG" | sed -n 's/.* count=\([0-9]*\) .*/\1/p' |
		       awk '{ s += $1 } END { print s + 0 }')
		[ "$told" -ge "$lost" ] && break
		sleep 0.1
	done
	[ "$told" -eq "$lost" ] && pass flood_lost_logged ||
		fail flood_lost_logged "lost records count $told, the kernel $lost"
else
	pass flood_nothing_lost	# every refusal has its record: flood_every_deny_logged
fi
