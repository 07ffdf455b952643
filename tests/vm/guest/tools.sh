#!/bin/bash
# The guest has what the host tests use: a user can be made and dropped,
# python3 runs, sqlite3 answers.
. "$(dirname "$0")/../../host/lib.bash" || exit 1
checks vm-useradd vm-python3 vm-sqlite3
useradd -M -s /usr/sbin/nologin vmcheck && id vmcheck >/dev/null && userdel vmcheck &&
	pass vm-useradd || fail vm-useradd "useradd/userdel failed"
out=$(python3 -c 'import os, sys; print(sys.version_info[0])' 2>&1)
[ "$out" = 3 ] && pass vm-python3 || fail vm-python3 "$out"
make_crm_db "$CRM/clients.db" 10 && [ "$(sqlite3 "$CRM/clients.db" 'select count(*) from clients')" = 10 ] &&
	pass vm-sqlite3 || fail vm-sqlite3 "sqlite3 failed"
