# Nothing held escapes: descriptors and mappings of a protected file that
# processes hold before crmguardd starts, or before a rule covers the file,
# are recorded (event=held), and a holder that the policy denies reads no
# byte more through them, by any route: refused where the backend sees
# reads through an old descriptor (the BPF LSM), else killed before it
# reads (kill record, reason=held; a mapping: reason=mapped). The allowed
# CRM keeps its descriptor; in audit nothing is ended.
. "$(dirname "$0")/lib.bash" || exit 1
ROUTES=(read sendfile copy_file_range mmap)
checks held_record_{before_start_read,before_start_mapped,crm_before_start} \
	"${ROUTES[@]/#/before_start_}" before_start_mapped crm_before_start_reads \
	held_record_before_rule before_rule before_rule_mapped \
	held_record_audit_holder audit_holder_reads

READVIA=$BUILD/helpers/readvia
make_crm_db "$CRM/clients.db" 3000
DB=$CRM/clients.db
SIZE=$(stat -c %s "$DB")
mkdir -p "$T/bin" "$T/later"
cp "$READVIA" "$T/bin/crm-reader"	# the allowed "CRM"; readvia itself is not allowed
echo "client list, exported" >"$T/later/export.csv"
cat >"$POLICY" <<CONF
mode enforce
protect $CRM
allow exe $T/bin/crm-reader
CONF

# hold NAME ROUTE FILE [CMD]: CMD (readvia) opens FILE, maps it for
# `mapped`, and waits on its gate; returns once /proc shows it holding
# FILE that way. Its pid in HOLDER[NAME].
declare -A HOLDER
hold() {
	local name=$1 route=$2 file=$3 cmd=${4:-$READVIA} pid
	mkfifo "$T/gate.$name"
	"$cmd" "$route" "$file" "$T/gate.$name" >"$T/reader.$name" 2>&1 &
	pid=$!
	HOLDER[$name]=$pid
	for _ in $(seq 100); do
		if [ "$route" = mapped ]; then
			grep -q " $file\$" "/proc/$pid/maps" 2>/dev/null && return 0
		else
			[ "$(readlink "/proc/$pid/fd/3")" = "$file" ] && return 0
		fi
		sleep 0.1
	done
	fail "${name}_setup" "the reader does not hold $file ($route): $(cat "$T/reader.$name")"
	return 1
}

# release NAME: lets the holder read; its exit status, and what it read in $T/reader.NAME.
release() {
	open_gate "$1" "${HOLDER[$1]}"
	wait "${HOLDER[$1]}"
}

# ended NAME RULE REASON: the holder was killed before it read a byte, with its record.
ended() {
	local pid=${HOLDER[$1]} rec rc
	rec=$(wait_record "event=kill verdict=deny rule=$2 .* pid=$pid .*reason=$3" 5)
	release "$1"
	rc=$?
	if [ $rc -eq 137 ] && [ -n "$rec" ] && [ ! -s "$T/reader.$1" ]; then
		pass "$1"
	else
		fail "$1" "exit $rc, kill record '$rec', read: $(cat "$T/reader.$1")"
	fi
}

# refused NAME RULE: the holder lives, and its reads are refused with a record.
refused() {
	local pid=${HOLDER[$1]} rec rc
	release "$1"
	rc=$?
	rec=$(wait_record "event=(read|mmap) verdict=deny rule=$2 .* pid=$pid " 5)
	if [ $rc -eq 2 ] && [ -n "$rec" ]; then
		pass "$1"
	else
		fail "$1" "exit $rc, deny record '$rec', read: $(cat "$T/reader.$1")"
	fi
}

# A descriptor's reads are refused where the backend sees reads through
# one opened before it; elsewhere its holder is ended.
fd_denied() {
	if [ "$BACKEND" = bpf-lsm ]; then refused "$1" "$2"; else ended "$1" "$2" held; fi
}

# held_record NAME VERDICT VIA: the record of what NAME held when the policy took effect.
held_record() {
	local rec
	rec=$(wait_record "event=held verdict=$2 rule=[^ ]+ path=[^ ]+ .* pid=${HOLDER[$1]} .*via=$3" 5)
	[ -n "$rec" ] && pass "held_record_$1" || fail "held_record_$1" "no held record: $(grep "event=held" "$AUTHLOG")"
}

# Held before crmguardd starts: by routes a thief would pick, and by the CRM.
for r in "${ROUTES[@]}"; do
	hold "before_start_$r" "$r" "$DB" || exit 1
done
hold before_start_mapped mapped "$DB" || exit 1
hold crm_before_start read "$DB" "$T/bin/crm-reader" || exit 1
start_crmguard || { fail held_setup "crmguardd did not start"; exit 1; }

held_record before_start_read deny fd
held_record before_start_mapped deny mmap
held_record crm_before_start allow fd
for r in "${ROUTES[@]}"; do
	fd_denied "before_start_$r" "protect:$CRM"
done
ended before_start_mapped "protect:$CRM" mapped
release crm_before_start
rc=$?
[ $rc -eq 0 ] && [ "$(cat "$T/reader.crm_before_start")" = "$SIZE" ] && pass crm_before_start_reads ||
	fail crm_before_start_reads "exit $rc, read: $(cat "$T/reader.crm_before_start") of $SIZE"

# Held before a new protect rule covers the file.
hold before_rule read "$T/later/export.csv" || exit 1
hold before_rule_mapped mapped "$T/later/export.csv" || exit 1
ctlx protect add "$T/later/export.csv" >/dev/null || fail before_rule_setup "ctlx protect add failed"
held_record before_rule deny fd
fd_denied before_rule "protect:$T/later/export.csv"
ended before_rule_mapped "protect:$T/later/export.csv" mapped

# In audit, what is held is recorded and left alone.
ctlx mode audit >/dev/null || fail audit_setup "ctlx mode audit failed"
hold audit_holder read "$DB" || exit 1
ctlx reload >/dev/null || fail audit_setup "ctlx reload failed"
held_record audit_holder audit fd
release audit_holder
rc=$?
[ $rc -eq 0 ] && [ "$(cat "$T/reader.audit_holder")" = "$SIZE" ] && pass audit_holder_reads ||
	fail audit_holder_reads "exit $rc, read: $(cat "$T/reader.audit_holder")"
