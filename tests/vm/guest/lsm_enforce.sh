#!/bin/bash
# The BPF LSM backend enforces the policy: only allowed binaries read the
# CRM database; every other tool and route is refused in the kernel.
. "$(dirname "$0")/lsm_lib.bash" || exit 1
make_crm_db "$CRM/clients.db" 3000
DB=$CRM/clients.db
Q='select count(*) from clients'
mkdir -p "$T/bin"
cp "$READVIA" "$T/bin/crm-reader"
cat >"$POLICY" <<P
mode enforce
protect $CRM
allow exe /usr/bin/sqlite3
allow exe $T/bin/crm-reader
P
start_lsmd && pass lsm_loads || { fail lsm_loads "$(cat "$T/lsmd.err")"; exit 1; }
out=$(sqlite3 "$DB" "$Q" 2>&1)
[ "$out" = 3000 ] && pass lsm_allowed_sqlite3_reads || fail lsm_allowed_sqlite3_reads "$out"
lsm_denied lsm_deny_cat "protect:$CRM" cat "$DB"
cat "$LSMD_OUT"
