# make install: binaries, systemd unit and a default policy under DESTDIR;
# an existing policy is never overwritten.
. "$(dirname "$0")/lib.bash" || exit 1
checks install_{runs,binaries,unit,default_policy_loads,keeps_policy}

D=$T/root
make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr/local >"$T/install.out" 2>&1 ||
	{ fail install_runs "$(tail -5 "$T/install.out")"; exit 1; }
pass install_runs
ok=1
for f in usr/local/sbin/crmguardd usr/local/sbin/ctlx; do [ -x "$D/$f" ] || ok=0; done
[ $ok = 1 ] && pass install_binaries || fail install_binaries "$(find "$D" -type f)"
grep -qx 'ExecStart=/usr/local/sbin/crmguardd -f' "$D/lib/systemd/system/crmguardd.service" &&
	pass install_unit || fail install_unit "$(cat "$D/lib/systemd/system/crmguardd.service")"
"$D/usr/local/sbin/crmguardd" -f -c "$D/etc/crmguard/policy.conf" -s "$T/i.sock" -l "$T/nolog" >"$T/i.out" 2>&1 &
pid=$!
for _ in $(seq 50); do [ -S "$T/i.sock" ] && break; sleep 0.1; done
[ -S "$T/i.sock" ] && [ "$(stat -c %a "$D/etc/crmguard/policy.conf")" = 600 ] &&
	pass install_default_policy_loads || fail install_default_policy_loads "$(cat "$T/i.out")"
kill $pid; wait $pid
echo "protect /srv" >"$D/etc/crmguard/policy.conf"
rm "$D/usr/local/sbin/ctlx"	# put back by a second install that ran through
if ! make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr/local >"$T/install2.out" 2>&1 || [ ! -x "$D/usr/local/sbin/ctlx" ]; then
	fail install_keeps_policy "the second make install failed: $(tail -5 "$T/install2.out")"
elif [ "$(cat "$D/etc/crmguard/policy.conf")" = "protect /srv" ]; then
	pass install_keeps_policy
else
	fail install_keeps_policy "policy was overwritten"
fi
