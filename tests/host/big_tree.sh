# A protected tree costs crmguardd no descriptor per directory: 3231
# directories (one chain 200 deep) are protected by a crmguardd that may
# open 128 files, through a reload too, and what is put deep inside later
# is protected.
. "$(dirname "$0")/lib.bash" || exit 1
checks big_tree_{all_dirs,few_descriptors,wide_file,deep_file,new_deep_dir,reload,after_reload}

LIMIT=128
mkdir -p "$CRM" "$T/staging"
(cd "$CRM" && mkdir -p d{1..30}/e{1..100} && mkdir -p "$(printf 'x/%.0s' {1..200})")
DEEP=$CRM/$(printf 'x/%.0s' {1..200})
echo "client list" >"$CRM/d30/e100/list.csv"
echo "client list" >"$DEEP/list.csv"
ndirs=$(find "$CRM" -type d | wc -l)
printf 'mode enforce\nprotect %s\n' "$CRM" >"$POLICY"

old=$(ulimit -Sn)
ulimit -Sn $LIMIT
start_crmguard
started=$?
ulimit -Sn "$old"
[ $started -eq 0 ] || { fail big_tree_setup "crmguardd did not start under ulimit -n $LIMIT"; exit 1; }

dirs=$(ctlx status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["protected_dirs"])')
[ "$dirs" = "$ndirs" ] && pass big_tree_all_dirs || fail big_tree_all_dirs "$dirs of $ndirs directories"
# Besides its BPF programs, maps and links, a fixed number whatever the policy.
fds=$(ls -l "/proc/$DAEMON_PID/fd" | grep -vc 'anon_inode:\(bpf\|btf\)')
[ "$fds" -lt $((LIMIT / 2)) ] && pass big_tree_few_descriptors ||
	fail big_tree_few_descriptors "$fds descriptors (not BPF objects) open for $ndirs directories"

expect_denied big_tree_wide_file '[^ ]+' cat "$CRM/d30/e100/list.csv"
expect_denied big_tree_deep_file '[^ ]+' cat "$DEEP/list.csv"

# Put in later, deep down: a new directory with a file in it.
mkdir "$T/staging/new"
echo "client list" >"$T/staging/new/list.csv"
mv "$T/staging/new" "$DEEP/new"
for _ in $(seq 50); do
	dirs=$(ctlx status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["protected_dirs"])')
	[ "$dirs" -gt "$ndirs" ] && break
	sleep 0.1
done
expect_denied big_tree_new_deep_dir '[^ ]+' cat "$DEEP/new/list.csv"

# A reload builds a second watch beside the first: still within the limit.
ctlx reload && kill -0 "$DAEMON_PID" && pass big_tree_reload || fail big_tree_reload "reload failed"
expect_denied big_tree_after_reload '[^ ]+' cat "$DEEP/new/list.csv"
