# Records reach the collector, none lost: two real rsyslogd, the
# workstation's with dist/rsyslog/crmguard-forward.conf and a collector
# with dist/rsyslog/crmguard-collector.conf, each in a network namespace
# of its own joined by a veth pair, RELP over TLS both ways with a CA
# made here.
# Under a stream of records the collector stops for a while (the
# workstation's queue goes to disk) and starts again: every record
# arrives once, in order, with its fields as RFC 5424 structured data.
. "$(dirname "$0")/lib.bash" || exit 1
checks forward_tls_arrives forward_rfc5424_sd forward_collector_json \
	forward_collector_restart_{none_lost,in_order} forward_queue_saved_on_disk

WS_NS=cgws$$ COL_NS=cgcol$$ WS_IF=cgw$$ COL_IF=cgc$$
WS_IP=10.213.77.1 COL_IP=10.213.77.2
COL_PID= WS_PID=
DOWN=${DOWN:-3000}	# records sent while the collector is away
forward_cleanup() {
	[ -n "${FORWARD_KEEP:-}" ] && cp -r "$T/col/log" "$T/ws.out" "$T/col.out" "$AUTHLOG" "$FORWARD_KEEP"/
	[ -n "$WS_PID" ] && kill "$WS_PID" 2>/dev/null && wait "$WS_PID" 2>/dev/null
	[ -n "$COL_PID" ] && kill "$COL_PID" 2>/dev/null && wait "$COL_PID" 2>/dev/null
	ip netns del "$WS_NS" 2>/dev/null
	ip netns del "$COL_NS" 2>/dev/null
	cleanup
}
trap forward_cleanup EXIT
trap 'exit 1' TERM INT HUP

[ -e /usr/lib/x86_64-linux-gnu/rsyslog/omrelp.so ] ||
	{ fail forward_setup "omrelp missing: rsyslog-relp is not installed (make deps installs it)"; exit 1; }

# The fleet CA, the collector's certificate (the name the workstations
# check) and the workstation's (any the CA signed is let in).
mkdir -p "$T/ca" "$T/ctls" "$T/wtls" "$T/col/log" "$T/ws"
cert() {	# cert DIR CN [SAN]
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
		-keyout "$1/key.pem" -out "$1/req.pem" 2>/dev/null &&
	openssl x509 -req -in "$1/req.pem" -CA "$T/ca/ca.pem" -CAkey "$T/ca/key.pem" -CAcreateserial \
		-days 2 ${3:+-extfile <(printf 'subjectAltName=DNS:%s\n' "$3")} -out "$1/cert.pem" 2>/dev/null &&
	cp "$T/ca/ca.pem" "$1/ca.pem"
}
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=crmguard test CA" \
	-days 2 -keyout "$T/ca/key.pem" -out "$T/ca/ca.pem" 2>/dev/null &&
	cert "$T/ctls" crmguard-collector crmguard-collector && cert "$T/wtls" workstation-1 ||
	{ fail forward_setup "openssl could not make the test CA"; exit 1; }

# The two namespaces and the link between them.
ip netns add "$WS_NS" && ip netns add "$COL_NS" &&
	ip link add "$WS_IF" netns "$WS_NS" type veth peer name "$COL_IF" netns "$COL_NS" &&
	ip -n "$WS_NS" addr add "$WS_IP/30" dev "$WS_IF" && ip -n "$COL_NS" addr add "$COL_IP/30" dev "$COL_IF" &&
	ip -n "$WS_NS" link set "$WS_IF" up && ip -n "$COL_NS" link set "$COL_IF" up &&
	ip -n "$WS_NS" link set lo up && ip -n "$COL_NS" link set lo up ||
	{ fail forward_setup "ip netns/veth setup failed"; exit 1; }

# The shipped snippets, with this test's paths and the collector's address.
sed -e "s|/etc/crmguard/tls/|$T/wtls/|g" -e "s|/etc/crmguard/rsyslog/|$TOP/dist/rsyslog/|g" \
	-e "s|target=\"crmguard-collector\"|target=\"$COL_IP\"|" "$TOP/dist/rsyslog/crmguard-forward.conf" >"$T/ws-forward.conf"
sed -e "s|/etc/crmguard/tls/|$T/ctls/|g" -e "s|/var/log/crmguard/|$T/col/log/|g" \
	"$TOP/dist/rsyslog/crmguard-collector.conf" >"$T/col-collector.conf"
grep -q "$COL_IP" "$T/ws-forward.conf" && ! cat "$T/ws-forward.conf" "$T/col-collector.conf" | grep -v '^#' | grep -q /etc/crmguard ||
	{ fail forward_setup "the snippets changed: the test's substitutions no longer apply"; exit 1; }
cat >"$T/ws.conf" <<CONF
global(workDirectory="$T/ws")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$LOGSOCK" CreatePath="on")
template(name="plain" type="string" string="%syslogtag%%msg%\n")
authpriv.* action(type="omfile" file="$AUTHLOG" template="plain")
include(file="$T/ws-forward.conf")
CONF
cat >"$T/col.conf" <<CONF
global(workDirectory="$T/col")
include(file="$T/col-collector.conf")
CONF

start_collector() {
	ip netns exec "$COL_NS" rsyslogd -n -f "$T/col.conf" -i "$T/col.pid" >>"$T/col.out" 2>&1 &
	COL_PID=$!
	for _ in $(seq 50); do
		ip netns exec "$COL_NS" ss -Hltn "sport = :2514" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
stop_collector() { kill "$COL_PID" && wait "$COL_PID"; COL_PID=; }

start_collector || { fail forward_setup "collector rsyslogd: $(cat "$T/col.out")"; exit 1; }
ip netns exec "$WS_NS" rsyslogd -n -f "$T/ws.conf" -i "$T/ws.pid" >"$T/ws.out" 2>&1 &
WS_PID=$!
for _ in $(seq 50); do [ -S "$LOGSOCK" ] && break; sleep 0.1; done
[ -S "$LOGSOCK" ] || { fail forward_setup "workstation rsyslogd: $(cat "$T/ws.out")"; exit 1; }

# send FROM TO: records seq=FROM..TO as crmguardd writes them (authpriv,
# ident crmguard[PID]), with a path that needs quoting and SD escapes.
send() {
	python3 - "$LOGSOCK" "$1" "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(sys.argv[1])
for i in range(int(sys.argv[2]), int(sys.argv[3]) + 1):
    rec = 'event=open verdict=deny rule=protect:/srv/crm seq=%d pid=%d path="/srv/crm/a \\"b\\" [c] d\\\\e"' % (i, 1000 + i)
    s.send(("<84>%s crmguard[4242]: %s" % (time.strftime("%b %e %H:%M:%S"), rec)).encode())
PY
}
RECEIVED=$T/col/log/$(hostname).log
arrived() { grep -c 'seq=' "$RECEIVED" 2>/dev/null || echo 0; }
# wait_arrived N SECONDS: until the collector holds N records.
wait_arrived() {
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do [ "$(arrived)" -ge "$1" ] && return 0; sleep 0.2; done
	return 1
}

send 1 200
wait_arrived 200 20 && pass forward_tls_arrives || fail forward_tls_arrives "$(arrived) of 200: $(tail -3 "$T/ws.out" "$T/col.out")"

# What a SIEM gets: RFC 5424, the event as MSGID, the fields as structured
# data (escaped as RFC 5424 says), and the collector's JSON of them.
line=$(grep -m1 ' seq=1 ' "$RECEIVED")
want='<84>1 [^ ]+ [^ ]+ crmguard 4242 open \[crmguard@32473 event="open" verdict="deny" rule="protect:/srv/crm" seq="1" pid="1001" path="/srv/crm/a \\"b\\" \[c\\] d\\\\e"\] event=open '
[[ "$line" =~ ^$want ]] && pass forward_rfc5424_sd || fail forward_rfc5424_sd "got '$line'"
json=$(head -1 "$T/col/log/$(hostname).json")
python3 -c 'import json, sys
j = json.loads(sys.argv[1])
c = j["crmguard"]
assert j["app"] == "crmguard" and j["msgid"] == "open" and c["event"] == "open", j
assert c["seq"] == "1" and c["path"] == "/srv/crm/a \"b\" [c] d\\e", c' "$json" 2>"$T/json.err" &&
	pass forward_collector_json || fail forward_collector_json "'$json': $(tail -1 "$T/json.err")"

# check NAME FROM TO [lossy]: records FROM..TO came, their first arrivals
# in order; lossy: both only counted. Repeats are counted, not failed:
# rsyslog 8.2302 resends what was in flight when the collector went away,
# and records carry no number of their own for a collector to drop repeats
# by. A restarted workstation rsyslogd loses what it was retrying at
# shutdown, and takes its saved queue up out of order (lossy).
check() {
	local seqs n distinct first want=$(($3 - $2 + 1))
	seqs=$(sed -n 's/.* seq=\([0-9]*\) .*/\1/p' "$RECEIVED" | awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b')
	n=$(grep -c . <<<"$seqs")
	distinct=$(sort -un <<<"$seqs" | grep -c .)
	first=$(awk '!seen[$1]++' <<<"$seqs")
	if [ -z "${4:-}" ]; then
		[ "$distinct" -eq "$want" ] && pass "${1}_none_lost" ||
			fail "${1}_none_lost" "$distinct of $want arrived; missing: $(comm -13 <(sort <<<"$seqs" | uniq) <(seq "$2" "$3" | sort) | sort -n | head -5 | tr '\n' ' ')"
		sort -nc <<<"$first" 2>"$T/order.err" && pass "${1}_in_order" ||
			fail "${1}_in_order" "first arrivals out of order: $(cat "$T/order.err")"
	fi
	echo "$1: $want sent, $((want - distinct)) lost, $((n - distinct)) arrived twice," \
		"$(awk 'NR > 1 && $1 < last { n++ } { last = $1 } END { print n + 0 }' <<<"$first") out of order"
}
distinct() { sed -n 's/.* seq=\([0-9]*\) .*/\1/p' "$RECEIVED" | sort -un | grep -c .; }
wait_distinct() {	# N SECONDS
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do [ "$(distinct)" -ge "$1" ] && return 0; sleep 0.5; done
	return 1
}
wait_local() {	# until the workstation's own log has record $1
	for _ in $(seq 100); do grep -q " seq=$1 " "$AUTHLOG" && return 0; sleep 0.1; done
	return 1
}

# The collector goes away under the stream for a while, then comes back.
stop_collector
send 201 $((200 + DOWN))
wait_local $((200 + DOWN))
sleep 2
start_collector || { fail forward_collector_restart "$(tail -3 "$T/col.out")"; exit 1; }
A=$((400 + DOWN))
send $((201 + DOWN)) $A
wait_distinct $A 60
sleep 1	# what comes twice comes late
check forward_collector_restart 1 $A

# Again, and the workstation's rsyslogd restarts meanwhile: its queue is
# saved to disk and taken up again.
stop_collector
send $((A + 1)) $((A + 1000))
wait_local $((A + 1000))
kill "$WS_PID" && wait "$WS_PID"
WS_PID=
saved=$(cat "$T/ws"/crmguard-fwd.0* 2>/dev/null | grep -c -a 'seq=')
rm -f "$LOGSOCK"	# the records that follow go to the new rsyslogd
ip netns exec "$WS_NS" rsyslogd -n -f "$T/ws.conf" -i "$T/ws.pid" >>"$T/ws.out" 2>&1 &
WS_PID=$!
[ "$saved" -gt 0 ] && pass forward_queue_saved_on_disk ||
	fail forward_queue_saved_on_disk "$saved records in the queue files: $(ls "$T/ws")"
start_collector || { fail forward_collector_restart "$(tail -3 "$T/col.out")"; exit 1; }
for _ in $(seq 50); do [ -S "$LOGSOCK" ] && break; sleep 0.1; done
B=$((A + 1100))
send $((A + 1001)) $B
wait_distinct $B 60
sleep 1
check forward_workstation_restart $((A + 1)) $B lossy
