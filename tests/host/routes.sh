# Every route to a protected file's bytes is seen, keyed on the inode:
# each read system call, mmap, sendfile, splice, copy_file_range,
# io_uring, openat2, /proc/PID/fd, hard links, renames, bind mounts and
# files created after the policy was loaded. Unprotected files give nothing.
# Each read is counted: `reads check`.
. "$(dirname "$0")/lib.bash" || exit 1
checks route_{read,pread,readv,preadv2,mmap,sendfile,splice,copy_file_range,openat2,procfd,each_call,io_uring} hardlink_outside bind_mount renamed_inside renamed_out_of_dir created_later created_in_new_subdir reused_inode_number overlay_real_path other_namespace_real_path unprotected_no_record

READVIA=$BUILD/helpers/readvia
mkdir -p "$CRM" "$T/outside"
head -c 50000 /dev/urandom >"$CRM/blob"
head -c 50000 /dev/urandom >"$T/outside/plain"
printf 'mode audit\nreads check\nprotect %s\n' "$CRM" >"$POLICY"
start_crmguard || { fail routes_setup "crmguardd did not start"; exit 1; }

# check NAME VIA FILE [ROUTE]: FILE read through ROUTE gives a summary
# whose via= has VIA and whose bytes cover the file.
check() {
	local name=$1 via=$2 file=$3 route=${4:-read} out pid rec bytes reads size
	"$READVIA" "$route" "$file" >"$T/out" &
	pid=$!
	wait $pid
	size=$(stat -L -c %s "$file")
	rec=$(wait_record "event=close .* pid=$pid .*")
	bytes=$(field "$rec" bytes)
	reads=$(field "$rec" reads)
	if [ -n "$rec" ] && [[ ",$(field "$rec" via)," == *",$via,"* ]] &&
	   [ "$(field "$rec" ino)" = "$(stat -L -c %i "$file")" ] &&
	   [ "$bytes" -ge "$size" ] && [ "$bytes" -le $((size + 4096 * reads)) ]; then
		pass "$name"
	else
		fail "$name" "size=$size record: '$rec'"
	fi
}

check route_read read "$CRM/blob" read
check route_pread pread64 "$CRM/blob" pread
check route_readv readv "$CRM/blob" readv
check route_preadv2 preadv2 "$CRM/blob" preadv2
check route_mmap mmap "$CRM/blob" mmap
check route_sendfile sendfile "$CRM/blob" sendfile
check route_splice splice "$CRM/blob" splice
check route_copy_file_range copy_file_range "$CRM/blob" copy_file_range
check route_openat2 read "$CRM/blob" openat2
check route_procfd read "$CRM/blob" procfd
# One thread, one file, three routes: each read is named by its own
# system call, whatever the thread did before; a second thread too.
/usr/bin/python3 - "$CRM/blob" <<'PY' &
import mmap, os, sys, threading
fd = os.open(sys.argv[1], os.O_RDONLY)
os.pread(fd, 4096, 0)
os.read(fd, 4096)
os.readv(fd, [bytearray(4096)])
t = threading.Thread(target=lambda: os.pread(fd, 4096, 8192))
t.start()
t.join()
PY
pid=$!
wait $pid
rec=$(wait_record "event=close .* pid=$pid ")
[ "$(field "$rec" via)" = read,pread64,readv ] && [ "$(field "$rec" reads)" = 4 ] &&
	pass route_each_call || fail route_each_call "record: '$rec'"
# io_uring reads run in the submitting thread or in an io-wq worker.
"$READVIA" io_uring "$CRM/blob" >/dev/null &
pid=$!
wait $pid
rec=$(wait_record "event=close .* pid=$pid ")
[[ "$(field "$rec" via)" =~ io_uring|other ]] && [ "$(field "$rec" bytes)" -ge 50000 ] &&
	pass route_io_uring || fail route_io_uring "record: '$rec'"

ln "$CRM/blob" "$T/outside/hardlink"
check hardlink_outside read "$T/outside/hardlink"

mkdir "$T/bind"
if mount --bind "$CRM" "$T/bind"; then
	check bind_mount read "$T/bind/blob"
	umount "$T/bind"
else
	fail bind_mount "mount --bind failed"
fi

mv "$CRM/blob" "$CRM/renamed"
check renamed_inside read "$CRM/renamed"
mv "$CRM/renamed" "$T/outside/moved-out"
check renamed_out_of_dir read "$T/outside/moved-out"

head -c 30000 /dev/urandom >"$CRM/created-later"
check created_later read "$CRM/created-later"
mkdir -p "$CRM/new/deeper"
sleep 0.2	# new directories are marked when inotify reports them
head -c 30000 /dev/urandom >"$CRM/new/deeper/file"
check created_in_new_subdir read "$CRM/new/deeper/file"

# ext4 hands a deleted file's inode number to the next new file: that file
# needs a mark of its own too (here read through a hard link outside).
# Until it does: a number that was not reused proves nothing.
reused=
for _ in $(seq 20); do
	echo old >"$CRM/journal"
	sleep 0.3
	ino=$(stat -c %i "$CRM/journal")
	rm "$CRM/journal"
	head -c 20000 /dev/urandom >"$CRM/export.csv"
	[ "$(stat -c %i "$CRM/export.csv")" = "$ino" ] && { reused=$ino; break; }
	rm "$CRM/export.csv"
done
sleep 0.3
if [ -n "$reused" ]; then
	ln "$CRM/export.csv" "$T/outside/export-link"
	check reused_inode_number read "$T/outside/export-link"
else
	fail reused_inode_number "the filesystem gave no deleted file's inode number again in 20 tries"
fi

# Through an overlayfs mount whose lower layer is the protected directory,
# and through a bind mount in another mount namespace: the kernel names
# the file by a mount crmguardd does not have, the record by its real path.
# name_check NAME PATH CMD...: CMD reads PATH; its close record names
# $CRM/created-later.
name_check() {
	local name=$1 path=$2 pid rec
	shift 2
	"$@" >/dev/null &
	pid=$!
	wait $pid
	rec=$(wait_record "event=close .* pid=$pid ")
	if [ "$(field "$rec" path)" = "$CRM/created-later" ] && [[ "$rec" != *path_unreachable* ]] &&
	   [ "$(field "$rec" bytes)" -ge 30000 ]; then
		pass "$name"
	else
		fail "$name" "read $path, record: '$rec'"
	fi
}
mkdir "$T/upper" "$T/work" "$T/merged"
if mount -t overlay overlay -o lowerdir="$CRM",upperdir="$T/upper",workdir="$T/work" "$T/merged"; then
	name_check overlay_real_path "$T/merged/created-later" "$READVIA" read "$T/merged/created-later"
	umount "$T/merged"
else
	fail overlay_real_path "mount -t overlay failed"
fi
name_check other_namespace_real_path "$T/merged/created-later" unshare -m sh -c \
	"mount --bind '$CRM' '$T/merged' && exec '$READVIA' read '$T/merged/created-later'"

# Unprotected: read it a few ways; no record may name it.
for r in read mmap sendfile; do "$READVIA" $r "$T/outside/plain" >/dev/null; done
sleep 0.5
if grep -q "ino=$(stat -c %i "$T/outside/plain") " "$AUTHLOG"; then
	fail unprotected_no_record "$(grep "ino=$(stat -c %i "$T/outside/plain") " "$AUTHLOG" | head -1)"
else
	pass unprotected_no_record
fi
