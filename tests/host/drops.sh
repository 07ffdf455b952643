# A flood of sensor records into a full ring buffer: drops are counted and
# reported in a record, and every record is either logged or counted lost.
. "$(dirname "$0")/lib.bash" || exit 1
checks drops_{reported,accounted,in_status}

N=400
mkdir -p "$CRM"
echo data >"$CRM/f"
printf 'mode audit\nprotect %s\n' "$CRM" >"$POLICY"
start_crmguard -r 4096 || { fail drops_setup "crmguardd did not start"; exit 1; }

mkfifo "$T/go"
# Opening the protected file makes this shell a followed process; each
# /bin/true it runs then gives a fork, an exec and an exit record.
bash -c 'exec 3<"$1"; read -r _ <"$2"; for ((i = 0; i < $3; i++)); do /bin/true; done' \
	flood "$CRM/f" "$T/go" $N &
flood=$!
wait_record "event=open .* pid=$flood " >/dev/null || fail drops_setup "no open record"
kill -STOP "$DAEMON_PID"
echo go >"$T/go"
wait $flood
kill -CONT "$DAEMON_PID"

lost=$(wait_record "event=lost source=ringbuf" 10)
[ -n "$lost" ] && pass drops_reported || fail drops_reported "no event=lost record"
sleep 1.5	# the last lost record comes at most a second later
total=$(grep 'event=lost source=ringbuf' "$AUTHLOG" | tail -1 | sed -n 's/.* total=\([0-9]*\).*/\1/p')
logged=$(grep -cE "event=(fork|exec|exit) pid=[0-9]+ ppid=$flood |event=exit pid=$flood " "$AUTHLOG")
expected=$((3 * N + 1))
if [ "$((logged + ${total:-0}))" -eq "$expected" ]; then
	pass drops_accounted
else
	fail drops_accounted "logged $logged + lost ${total:-?} != $expected sent"
fi
status=$(ctlx status -j)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(d["lost"]["ringbuf"] != int(sys.argv[2]))' \
	"$status" "${total:-0}" && pass drops_in_status || fail drops_in_status "$status"
