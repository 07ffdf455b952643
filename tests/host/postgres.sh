# A real PostgreSQL 15 cluster as the protected CRM store, in mode enforce
# with the postgres binary as the only allowed exe: the server keeps
# answering SQL, fresh backends read the table from disk and are allowed,
# while cp -r, tar and cat of the data directory by root are refused and
# carry nothing away.
. "$(dirname "$0")/lib.bash" || exit 1
checks pg_{count_after_protect,insert_after_protect,fresh_backend_scan,backend_allow_record,backend_read_from_disk,deny_cp_r,cp_r_copied_nothing,deny_tar,tar_carries_no_clients,deny_cat_table,cat_table_got_nothing,deny_cat_names_rule,still_serving,server_only_allowed,clean_shutdown}

. "$(dirname "$0")/pg.bash" || exit 1
DATA=$PGDATA_DIR
N=5000
trap 'stop_pg; cleanup' EXIT

mkdir -p "$T/outside"
# shared_buffers far below the table's size: scans read the table with read calls
start_pg -c shared_buffers=1MB -c autovacuum=off 2>"$T/pgstart.err" ||
	{ fail pg_setup "$(cat "$T/pgstart.err")"; exit 1; }

pg >"$T/load.out" 2>&1 <<SQL || { fail pg_setup "load failed: $(cat "$T/load.out")"; exit 1; }
create table clients(id serial primary key, name text, phone text, email text, notes text);
insert into clients(name, phone, email, notes)
	select 'Client ' || i, '+1-555-' || lpad(i::text, 4, '0'), 'client' || i || '@example.com',
	       'Account notes for client ' || i || ': ' || repeat('renewal due, ', 12)
	from generate_series(1, $N) i;
checkpoint;
SQL
REL=$(pg -c "select pg_relation_filepath('clients')")
RELSIZE=$(pg -c "select pg_relation_size('clients')")
TABLE=$DATA/$REL
[ -s "$TABLE" ] || { fail pg_setup "no table file at '$TABLE'"; exit 1; }

# reads check: the backend's reads are counted (pg_backend_read_from_disk)
cat >"$POLICY" <<CONF
mode enforce
reads check
protect $DATA
allow exe $PGEXE
CONF
start_crmguard || { fail pg_setup "crmguardd did not start"; exit 1; }

# The server answers after protection.
out=$(pg -c 'select count(*) from clients' 2>&1)
[ "$out" = $N ] && pass pg_count_after_protect || fail pg_count_after_protect "$out"
out=$(pg -c "insert into clients(name, phone, email, notes)
	values ('Client new', '+1-555-9999', 'new@example.com', 'signed today')" -c 'select count(*) from clients' 2>&1)
[ "$out" = $((N + 1)) ] && pass pg_insert_after_protect || fail pg_insert_after_protect "$out"

# A fresh backend (it opens the table file after crmguardd started) scans
# the table, much larger than shared_buffers, so it reads it from disk.
out=$(pg -c 'discard all' -c 'select pg_backend_pid()' \
	-c 'select count(*), count(distinct email) from clients' 2>&1)
bpid=$(head -1 <<<"$out")
[ "$(tail -1 <<<"$out")" = "$((N + 1))|$((N + 1))" ] && pass pg_fresh_backend_scan ||
	fail pg_fresh_backend_scan "$out"
# its open is allowed by the postgres rule, and its reads of the table file
# (summed at close or exit) cover most of it
PGRULE="rule=allow-exe:$PGEXE"
rec=$(wait_record "event=open verdict=allow $PGRULE path=$TABLE .* pid=$bpid ")
if [ -n "$rec" ] && [ "$(field "$rec" exe)" = "$PGEXE" ]; then
	pass pg_backend_allow_record
else
	fail pg_backend_allow_record "backend $bpid, record '$rec'"
fi
rec=$(wait_record "event=close verdict=allow $PGRULE path=$TABLE .* pid=$bpid ")
bytes=$(field "$rec" bytes)
if [ -n "$rec" ] && [ "${bytes:-0}" -ge $((RELSIZE / 2)) ] && [[ "$(field "$rec" via)" == *pread* ]]; then
	pass pg_backend_read_from_disk
else
	fail pg_backend_read_from_disk "table $RELSIZE bytes, backend $bpid, record '$rec'"
fi

denied() { expect_denied "$1" "protect:$DATA" "${@:2}"; }

# Root copying the data directory away gets nothing.
denied pg_deny_cp_r cp -r "$DATA" "$T/outside/copy"
leaked=$(find "$T/outside/copy" -type f -size +0 2>/dev/null | head -3)
if [ -z "$leaked" ] && [ ! -s "$T/outside/copy/$REL" ]; then
	pass pg_cp_r_copied_nothing
else
	fail pg_cp_r_copied_nothing "non-empty files in the copy: $leaked"
fi
denied pg_deny_tar tar -cf - "$DATA"
if [ -e "$T/out" ] && ! grep -qa '@example\.com' "$T/out"; then
	pass pg_tar_carries_no_clients
else
	fail pg_tar_carries_no_clients "the tar stream has client data"
fi
denied pg_deny_cat_table cat "$TABLE"
[ ! -s "$T/out" ] && pass pg_cat_table_got_nothing || fail pg_cat_table_got_nothing "cat printed $(stat -c %s "$T/out") bytes"
rec=$(grep -m1 "event=open verdict=deny .*path=$TABLE .*exe=/usr/bin/cat " "$AUTHLOG")
[ "$(field "$rec" rule)" = "protect:$DATA" ] && [ "$(field "$rec" uid)" = 0 ] &&
	pass pg_deny_cat_names_rule || fail pg_deny_cat_names_rule "'$rec'"

# Still serving, and none of the server's own accesses was refused.
out=$(pg -c 'select count(*) from clients' 2>&1)
[ "$out" = $((N + 1)) ] && pass pg_still_serving || fail pg_still_serving "$out"
rec=$(grep -m1 "verdict=deny .*exe=$PGEXE " "$AUTHLOG")
n=$(grep -c "verdict=allow $PGRULE .*exe=$PGEXE " "$AUTHLOG")
[ -z "$rec" ] && [ "$n" -ge 2 ] && pass pg_server_only_allowed ||
	fail pg_server_only_allowed "$n allow records, deny: '$rec'"

# A clean shutdown, its checkpoint written under protection.
stop_pg
rc=$?
[ $rc -eq 0 ] && grep -q 'database system is shut down' "$T/pg.log" && pass pg_clean_shutdown ||
	fail pg_clean_shutdown "exit $rc: $(tail -3 "$T/pg.log")"
