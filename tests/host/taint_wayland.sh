# The clipboard on Wayland: a real weston and real wl-copy and wl-paste, with
# sqlite3 as the allowed CRM. weston runs on its X11 backend (on an Xvfb):
# its headless backend has no seat, and without one no client can set a
# selection. Client rows piped into wl-copy are stopped in `clipboard
# block`; plain text goes through.
. "$(dirname "$0")/lib.bash" || exit 1
. "$(dirname "$0")/clipboard.bash" || exit 1
checks wayland_exec_refused wayland_pipe_stopped wayland_copy_connect_stopped \
	wayland_plain_text_through wayland_plain_after

clipboard_setup 100 || { kill $XVFB_PID; fail wayland_setup "Xvfb did not start: $(cat "$T/xvfb.out")"; exit 1; }
export XDG_RUNTIME_DIR=$T/run WAYLAND_DISPLAY=wayland-crm
mkdir -m 700 "$XDG_RUNTIME_DIR"
DISPLAY=:$XNUM weston --backend=x11-backend.so --socket="$WAYLAND_DISPLAY" --idle-time=0 \
	>"$T/weston.out" 2>&1 &
WESTON_PID=$!
trap 'kill $WESTON_PID $XVFB_PID 2>/dev/null; cleanup' EXIT
unset DISPLAY	# the clients below speak Wayland only
for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" ] && break; sleep 0.1; done
start_crmguard || { fail wayland_setup "crmguardd did not start"; exit 1; }

# set_clip TEXT: the selection holds TEXT (proven by reading it back).
set_clip() {
	echo "$1" | wl-copy 2>/dev/null
	[ "$(timeout 5 wl-paste 2>/dev/null)" = "$1" ]
}
clip_has_clients() { timeout 5 wl-paste 2>/dev/null | grep -q 'Client [0-9]'; }

if set_clip "plain text $$"; then
	pass wayland_plain_text_through
else
	fail wayland_plain_text_through "weston: $(tail -3 "$T/weston.out"); paste: $(timeout 5 wl-paste 2>&1)"
	exit 1
fi

set_clip "marker-1" || fail wayland_exec_setup "cannot set the marker"
( sqlite3 "$DB" "$Q" 2>/dev/null | (sleep 0.5; exec wl-copy) 2>"$T/err1"; crm_status )
rc=$?
rec=$(wait_record "event=clipboard verdict=deny channel=exec tool=/usr/bin/wl-copy action=refused .*taint_source=$DB" 3)
if [ $rc -ne 0 ] && grep -q "Operation not permitted" "$T/err1" && [ -n "$rec" ] &&
   [ "$(timeout 5 wl-paste)" = marker-1 ]; then
	pass wayland_exec_refused
else
	fail wayland_exec_refused "exit $rc, '$(cat "$T/err1")', record '$rec', paste '$(timeout 5 wl-paste 2>&1 | head -2)'"
fi

( sqlite3 "$DB" "$Q" 2>/dev/null | wl-copy 2>/dev/null; crm_status )
rec=$(wait_record "event=clipboard verdict=deny channel=exec tool=/usr/bin/wl-copy action=(refused|killed) " 3)
sleep 0.3
[ -n "$rec" ] && ! clip_has_clients && pass wayland_pipe_stopped ||
	fail wayland_pipe_stopped "record '$rec', paste '$(timeout 5 wl-paste 2>&1 | head -2)'"

# a copy of wl-copy, run after the taint: its connect() to the compositor is
# met in the kernel (refused, or killed where only the tracepoint runs)
cp /usr/bin/wl-copy "$T/wc"
if connect_mechanism; then
	( sqlite3 "$DB" "$Q" 2>/dev/null | (sleep 0.5; exec "$T/wc") 2>/dev/null; crm_status )
	read -ra rc <"$T/pipestatus"
	rec=$(wait_record "event=clipboard verdict=deny channel=wayland address=$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY action=$CONNECT_ACTION .*exe=$T/wc " 3)
	[ -n "$rec" ] && connect_stopped "${rc[1]}" && ! clip_has_clients && pass wayland_copy_connect_stopped ||
		fail wayland_copy_connect_stopped "$CONNECT_ACTION: exits ${rc[*]}, record '$rec'"
else
	fail wayland_copy_connect_stopped "not the mechanism this kernel allows (the display guard where its BTF names its attach points): $(ctlx status | grep bpf)"
fi

# still plain text goes through afterwards
set_clip "after $$" && pass wayland_plain_after || fail wayland_plain_after "$(timeout 5 wl-paste 2>&1)"
