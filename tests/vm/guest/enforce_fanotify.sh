#!/bin/bash
# The enforcement scenarios of the host tier (enforce.sh, held.sh), on
# Debian's 6.1 kernel, enforced by fanotify permission events (no
# pre-content events there).
host=$(dirname "$0")/../../host
CRMGUARD_BACKEND=fanotify bash "$host/enforce.sh"
rc=$?
CRMGUARD_BACKEND=fanotify bash "$host/held.sh" || rc=1
exit $rc
