# A PostgreSQL 15 cluster of a test's own, owned by postgres, reached on a
# unix socket only: for tests/host/postgres.sh (the protected CRM store)
# and tests/host/forward.sh (the collector's store). Source after lib.bash.
PGBIN=/usr/lib/postgresql/15/bin
PGEXE=$PGBIN/postgres
PGDATA_DIR=$T/pgdata
PGSOCK=$T/pgsock
PG_PID=

AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups)

pg() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$PGSOCK" -U postgres -d "${PGDB:-postgres}" "$@"; }

# start_pg [-c SETTING]...: initdb and start the postmaster (PG_PID), its
# log in $T/pg.log; says why on stderr and returns 1 if it did not start.
start_pg() {
	[ -x "$PGEXE" ] && id postgres >/dev/null 2>&1 ||
		{ echo "no $PGEXE or no user postgres: install postgresql (make deps)" >&2; return 1; }
	chmod 755 "$T"
	mkdir -p "$PGDATA_DIR" "$PGSOCK"
	chown postgres:postgres "$PGDATA_DIR" "$PGSOCK"
	chmod 700 "$PGDATA_DIR"
	(cd "$T" && "${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust --no-locale -E UTF8 -N) \
		>"$T/initdb.out" 2>&1 || { echo "initdb failed: $(tail -5 "$T/initdb.out")" >&2; return 1; }
	(cd "$T" && exec "${AS_PG[@]}" "$PGEXE" -D "$PGDATA_DIR" -k "$PGSOCK" -c listen_addresses='' \
		-c logging_collector=off "$@") >"$T/pg.log" 2>&1 &
	PG_PID=$!
	for _ in $(seq 300); do
		PGDB=postgres pg -c 'select 1' >/dev/null 2>&1 && break
		kill -0 "$PG_PID" 2>/dev/null || break
		sleep 0.1
	done
	PGDB=postgres pg -c 'select 1' >/dev/null 2>&1 || { echo "postgres did not start: $(tail -5 "$T/pg.log")" >&2; return 1; }
	# the exec in the subshell: $! is the postmaster
	[ "$(readlink "/proc/$PG_PID/exe")" = "$PGEXE" ] ||
		{ echo "pid $PG_PID is $(readlink "/proc/$PG_PID/exe"), not the postmaster" >&2; return 1; }
}

# stop_pg: fast shutdown (SIGINT to the postmaster); its exit status, or 124
# if it had to be killed.
stop_pg() {
	local rc=124
	[ -n "$PG_PID" ] || return 0
	kill -INT "$PG_PID" 2>/dev/null
	for _ in $(seq 150); do
		pg_exited && break
		sleep 0.1
	done
	if pg_exited; then
		wait "$PG_PID"
		rc=$?
	else
		kill -QUIT "$PG_PID" 2>/dev/null
		sleep 1
		kill -KILL "$PG_PID" 2>/dev/null
		wait "$PG_PID" 2>/dev/null
	fi
	PG_PID=
	return $rc
}
# gone, reaped by bash already, or a zombie until waited for
pg_exited() { [ ! -e "/proc/$PG_PID" ] || [ "$(awk '{print $3}' "/proc/$PG_PID/stat" 2>/dev/null)" = Z ]; }
