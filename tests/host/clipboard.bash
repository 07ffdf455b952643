# Shared by the clipboard tests (taint_clipboard.sh, taint_wayland.sh), after
# lib.bash: a CRM of 300 clients that sqlite3 may read, `clipboard block`,
# and an Xvfb of their own.

# clipboard_setup FIRST: $DB, $Q, $POLICY; an Xvfb on the first free display
# from :FIRST ($XNUM, $XVFB_PID), up and listening (else it fails).
clipboard_setup() {
	make_crm_db "$CRM/clients.db" 300
	DB=$CRM/clients.db
	Q='select name, phone from clients'
	cat >"$POLICY" <<CONF
mode enforce
protect $CRM
allow exe /usr/bin/sqlite3
clipboard block
CONF
	for XNUM in $(seq "$1" $(($1 + 30))); do [ -e "/tmp/.X11-unix/X$XNUM" ] || break; done
	Xvfb ":$XNUM" -nolisten tcp >"$T/xvfb.out" 2>&1 &
	XVFB_PID=$!
	for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X$XNUM" ] && return 0; sleep 0.1; done
	return 1
}
