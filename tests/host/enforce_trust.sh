# enforce.sh again, with `reads trust`: decisions at open, and read checks
# only on files held by a process revoked since.
READS=trust exec bash "$(dirname "$0")/enforce.sh"
