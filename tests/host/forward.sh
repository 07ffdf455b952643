# Records reach the collector, none lost: two real rsyslogd, the
# workstation's with dist/rsyslog/crmguard-forward.conf and a collector
# with dist/rsyslog/crmguard-collector.conf, each in a network namespace
# of its own joined by a veth pair, RELP over TLS both ways with a CA
# made here.
# Under a stream of records the collector stops for a while (the
# workstation's queue goes to disk) and starts again: every record
# arrives, with its fields as RFC 5424 structured data, and the
# collector's PostgreSQL store (dist/rsyslog/crmguard-store.sql) holds
# each once, in order. RELP sends some twice; the store drops the copies
# by their key (host, pid, seq, the workstation's time). Then the
# workstation's rsyslogd restarts too: what it loses, the store lists by
# the gaps in seq. Last, a real crmguardd's records, each once.
. "$(dirname "$0")/lib.bash" || exit 1
. "$(dirname "$0")/pg.bash" || exit 1
checks forward_tls_arrives forward_rfc5424_sd forward_collector_json forward_store_key \
	forward_collector_restart_{none_lost,in_order,store_none_lost,store_none_twice,store_in_order} \
	forward_queue_saved_on_disk forward_workstation_restart_store_{none_twice,lists_missing} \
	forward_crmguardd_records_stored

WS_NS=cgws$$ COL_NS=cgcol$$ WS_IF=cgw$$ COL_IF=cgc$$
WS_IP=10.213.77.1 COL_IP=10.213.77.2
COL_PID= WS_PID=
DOWN=${DOWN:-3000}	# records sent while the collector is away
forward_cleanup() {
	[ -n "${FORWARD_KEEP:-}" ] && cp -r "$T/col/log" "$T/ws.out" "$T/col.out" "$AUTHLOG" "$FORWARD_KEEP"/
	[ -n "$WS_PID" ] && kill "$WS_PID" 2>/dev/null && wait "$WS_PID" 2>/dev/null
	[ -n "$COL_PID" ] && kill "$COL_PID" 2>/dev/null && wait "$COL_PID" 2>/dev/null
	stop_pg
	ip netns del "$WS_NS" 2>/dev/null
	ip netns del "$COL_NS" 2>/dev/null
	cleanup
}
trap forward_cleanup EXIT
trap 'exit 1' TERM INT HUP

for m in omrelp:rsyslog-relp ompgsql:rsyslog-pgsql; do
	[ -e "/usr/lib/x86_64-linux-gnu/rsyslog/${m%:*}.so" ] ||
		{ fail forward_setup "${m%:*} missing: ${m#*:} is not installed (make deps installs it)"; exit 1; }
done

# The collector's store: a PostgreSQL of the test's own, with the role
# and database the collector's snippet names, and the shipped schema.
start_pg 2>"$T/pgstart.err" || { fail forward_setup "$(cat "$T/pgstart.err")"; exit 1; }
PGDB=postgres pg -c 'create role crmguard login' -c 'create database crmguard owner crmguard' >"$T/pgsetup.out" 2>&1 &&
	PGDB=crmguard pg -c 'set role crmguard' -f "$TOP/dist/rsyslog/crmguard-store.sql" >>"$T/pgsetup.out" 2>&1 ||
	{ fail forward_setup "the store's schema: $(cat "$T/pgsetup.out")"; exit 1; }
sql() { PGDB=crmguard pg -c "$1"; }

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
	-e "s|host=/var/run/postgresql|host=$PGSOCK|" "$TOP/dist/rsyslog/crmguard-collector.conf" >"$T/col-collector.conf"
grep -q "$COL_IP" "$T/ws-forward.conf" && grep -q "host=$PGSOCK" "$T/col-collector.conf" &&
	! cat "$T/ws-forward.conf" "$T/col-collector.conf" | grep -v '^#' | grep -q '/etc/crmguard\|/var/run/postgresql' ||
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
# ident crmguard[4242], seq last), with a path that needs quoting and SD
# escapes.
send() {
	python3 - "$LOGSOCK" "$1" "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(sys.argv[1])
for i in range(int(sys.argv[2]), int(sys.argv[3]) + 1):
    rec = 'event=open verdict=deny rule=protect:/srv/crm pid=%d path="/srv/crm/a \\"b\\" [c] d\\\\e" seq=%d' % (1000 + i, i)
    s.send(("<84>%s crmguard[4242]: %s" % (time.strftime("%b %e %H:%M:%S"), rec)).encode())
PY
}
RECEIVED=$T/col/log/$(hostname).log
arrived() { grep -c ' seq=' "$RECEIVED" 2>/dev/null || echo 0; }
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
line=$(grep -m1 ' seq=1$' "$RECEIVED")
want='<84>1 [^ ]+ [^ ]+ crmguard 4242 open \[crmguard@32473 event="open" verdict="deny" rule="protect:/srv/crm" pid="1001" path="/srv/crm/a \\"b\\" \[c\\] d\\\\e" seq="1"\] event=open '
[[ "$line" =~ ^$want ]] && pass forward_rfc5424_sd || fail forward_rfc5424_sd "got '$line'"
json=$(head -1 "$T/col/log/$(hostname).json")
python3 -c 'import json, sys
j = json.loads(sys.argv[1])
c = j["crmguard"]
assert j["app"] == "crmguard" and j["msgid"] == "open" and c["event"] == "open", j
assert c["seq"] == "1" and c["path"] == "/srv/crm/a \"b\" [c] d\\e", c' "$json" 2>"$T/json.err" &&
	pass forward_collector_json || fail forward_collector_json "'$json': $(tail -1 "$T/json.err")"

# The store: the key the collector found in the message, the record whole.
HOST=$(hostname)
WHERE="host = '$HOST' and procid = 4242"
stored() { sql "select count(distinct seq) from crmguard_record where $WHERE"; }
wait_stored() {	# N SECONDS: until the store holds N distinct records
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do [ "$(stored)" -ge "$1" ] && return 0; sleep 0.5; done
	return 1
}
wait_stored 200 20
row=$(sql "select event, reported > now() - interval '5 minutes', record from crmguard_record where $WHERE and seq = 1")
[ "$row" = "open|t|${line#*seq=\"1\"\] }" ] && [ "$(stored)" -eq 200 ] && pass forward_store_key ||
	fail forward_store_key "$(stored) of 200 stored; seq 1: '$row'"

# check NAME FROM TO [lossy]: what came to the collector's file, FROM..TO:
# each record, the first arrivals in order; lossy: both only counted.
# Copies are counted, not failed: rsyslog 8.2302 resends what was in flight
# when the collector went away. A restarted workstation rsyslogd loses what
# it was retrying at shutdown, and takes its saved queue up out of order.
check() {
	local seqs n distinct first want=$(($3 - $2 + 1))
	seqs=$(sed -n 's/.* seq=\([0-9]*\)$/\1/p' "$RECEIVED" | awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b')
	n=$(grep -c . <<<"$seqs")
	distinct=$(sort -un <<<"$seqs" | grep -c .)
	first=$(awk '!seen[$1]++' <<<"$seqs")
	if [ -z "${4:-}" ]; then
		[ "$distinct" -eq "$want" ] && pass "${1}_none_lost" ||
			fail "${1}_none_lost" "$distinct of $want arrived; missing: $(comm -13 <(sort <<<"$seqs" | uniq) <(seq "$2" "$3" | sort) | sort -n | head -5 | tr '\n' ' ')"
		sort -nc <<<"$first" 2>"$T/order.err" && pass "${1}_in_order" ||
			fail "${1}_in_order" "first arrivals out of order: $(cat "$T/order.err")"
	fi
	echo "$1: file: $want sent, $((want - distinct)) lost, $((n - distinct)) arrived twice," \
		"$(awk 'NR > 1 && $1 < last { n++ } { last = $1 } END { print n + 0 }' <<<"$first") out of order"
}
# check_store NAME FROM TO [lossy]: the same in the store, in arrival order
# (id): each record once, in order; lossy: each once, the rest counted.
check_store() {
	local r want=$(($3 - $2 + 1))
	r=$(sql "select count(*), count(distinct seq), count(*) filter (where seq < prev) from
		(select seq, lag(seq) over (order by id) as prev from crmguard_record
		 where $WHERE and seq between $2 and $3) s")
	IFS='|' read -r n distinct back <<<"$r"
	if [ -z "${4:-}" ]; then
		[ "$distinct" -eq "$want" ] && pass "${1}_store_none_lost" || fail "${1}_store_none_lost" "$distinct of $want stored"
		[ "$back" -eq 0 ] && pass "${1}_store_in_order" || fail "${1}_store_in_order" "$back stored after a later one"
	fi
	[ "$n" -eq "$distinct" ] && pass "${1}_store_none_twice" || fail "${1}_store_none_twice" "$n rows for $distinct records"
	echo "$1: store: $want sent, $((want - distinct)) lost, $((n - distinct)) twice, $back out of order"
}
distinct() { sed -n 's/.* seq=\([0-9]*\)$/\1/p' "$RECEIVED" | sort -un | grep -c .; }
wait_distinct() {	# N SECONDS
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do [ "$(distinct)" -ge "$1" ] && return 0; sleep 0.5; done
	return 1
}
wait_local() {	# until the workstation's own log has record $1
	for _ in $(seq 100); do grep -q " seq=$1$" "$AUTHLOG" && return 0; sleep 0.1; done
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
wait_stored $A 30
sleep 1	# what comes twice comes late
check forward_collector_restart 1 $A
check_store forward_collector_restart 1 $A

# Again, and the workstation's rsyslogd restarts meanwhile: its queue is
# saved to disk and taken up again.
stop_collector
send $((A + 1)) $((A + 1000))
wait_local $((A + 1000))
kill "$WS_PID" && wait "$WS_PID"
WS_PID=
saved=$(cat "$T/ws"/crmguard-fwd.0* 2>/dev/null | grep -c -a ' seq=')
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
wait_stored $B 30
sleep 1
check forward_workstation_restart $((A + 1)) $B lossy
check_store forward_workstation_restart $((A + 1)) $B lossy
# Whatever was lost, the store names it: its gaps in seq are the records
# that never came.
missing=$(comm -13 <(sql "select seq from crmguard_record where $WHERE" | sort -u) <(seq 1 "$B" | sort) | sort -n)
listed=$(sql "select generate_series(first, last) from crmguard_missing where $WHERE order by 1")
[ "$listed" = "$missing" ] && pass forward_workstation_restart_store_lists_missing ||
	fail forward_workstation_restart_store_lists_missing "missing: $(head -20 <<<"$missing" | tr '\n' ' '); listed: $(head -20 <<<"$listed" | tr '\n' ' ')"
echo "forward_workstation_restart: the store lists as missing: $(tr '\n' ' ' <<<"${listed:-none}")"

# A real crmguardd: its records (start, opens, heartbeats, stop) reach the
# store, each once, numbered from 1 with no gap.
mkdir -p "$CRM"
echo data >"$CRM/f"
printf 'mode audit\nprotect %s\nheartbeat 1\n' "$CRM" >"$POLICY"
RSYSLOG_PID=$WS_PID	# crmguardd logs to the workstation's rsyslogd
if start_crmguard; then
	pid=$DAEMON_PID
	for _ in 1 2 3; do cat "$CRM/f" >/dev/null; sleep 0.7; done
	stop_crmguard
	RSYSLOG_PID=
	n=$(grep -c "^crmguard\[$pid\]: event=" "$AUTHLOG")
	WHERE="host = '$HOST' and procid = $pid"
	wait_stored "$n" 20
	r=$(sql "select count(*), count(distinct seq), min(seq), max(seq), count(*) filter (where event = 'open') from crmguard_record where $WHERE")
	diff <(grep "^crmguard\[$pid\]: event=" "$AUTHLOG" | sed 's/^[^ ]* //') \
		<(sql "select record from crmguard_record where $WHERE order by seq") >"$T/real.diff"
	[ "$n" -gt 5 ] && [ "$r" = "$n|$n|1|$n|3" ] && [ ! -s "$T/real.diff" ] && pass forward_crmguardd_records_stored ||
		fail forward_crmguardd_records_stored "$n records logged; stored (rows|distinct|min|max|opens): $r; $(head -4 "$T/real.diff")"
else
	fail forward_crmguardd_records_stored "crmguardd did not start: $(cat "$T/daemon.out")"
fi
