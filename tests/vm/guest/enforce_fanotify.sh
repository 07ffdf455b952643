#!/bin/bash
# The enforcement scenarios of the host tier, on Debian's 6.1 kernel,
# enforced by fanotify permission events (no pre-content events there).
CRMGUARD_BACKEND=fanotify exec bash "$(dirname "$0")/../../host/enforce.sh"
