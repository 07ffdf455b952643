// SPDX-License-Identifier: GPL-2.0
/*
 * Process context for crmguardd: exec, fork and exit of the processes it
 * tracks (those that opened a protected file, and their children).
 *
 * And, for every process, whether it runs injected code (the `injected`
 * map): crmguardd does not trust an allowed binary that does.
 *
 * And, where the display guard (display_guard.bpf.c) cannot run, connect()
 * of the tainted processes crmguardd names in the `display` map to an X11
 * or Wayland display server: a tracepoint on that one system call, where
 * the kernel has tracefs (crmguardd mounts it). It is attached only then.
 *
 * File access itself is seen through fanotify inode marks (ctl/daemon/files/):
 * on the kernels we run on, any BPF program on the read path costs ~10% of
 * every read on the machine, while an inode mark costs nothing for files
 * that carry none. These programs run on exec, fork and exit only, and on
 * the open of a FIFO and the receipt of a descriptor (the taint that a
 * pipe or FIFO carries, got after the first read), and the kernel's
 * check of access to another process's memory (ptrace and the like).
 */
#include "vmlinux.h"
#include "kconst.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sensor.h"
#include "clip_lsm.h"
#include "inode_dev.bpf.h"
#include "loader_env.bpf.h"
#include "display.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#include "sensor_event.bpf.h"

#include "tracked.bpf.h"

#include "injected.bpf.h"

/* Injected processes the full `injected` map could not take. */
__u64 injected_lost = 0;

static __always_inline void mark_injected(__u32 tgid)
{
	__u32 mark = SENSOR_INJECTED;

	if (bpf_map_update_elem(&injected, &tgid, &mark, BPF_ANY))
		__sync_fetch_and_add(&injected_lost, 1);
}

static __always_inline bool is_tracked(__u32 tgid)
{
	return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct sensor_event *e;
	struct inode *inode;

	if (loader_env_injected(task))
		mark_injected(tgid);
	else
		bpf_map_delete_elem(&injected, &tgid);
	if (!is_tracked(tgid))
		return 0;
	e = reserve(SENSOR_EXEC, task);
	if (!e)
		return 0;
	inode = BPF_CORE_READ(bprm, file, f_inode);
	e->exe_dev = inode_dev(inode, BPF_CORE_READ(inode, i_sb, s_magic),
			       BPF_CORE_READ(inode, i_sb, s_dev));
	e->exe_ino = BPF_CORE_READ(inode, i_ino);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u32 mark = SENSOR_TRACKED, *shown;
	struct sensor_event *e;

	if (ptgid == ctgid)
		return 0;	/* a new thread */
	if (bpf_map_lookup_elem(&injected, &ptgid))
		mark_injected(ctgid);	/* it runs the injected code too */
	if (!is_tracked(ptgid))
		return 0;	/* nobody we follow */
	bpf_map_update_elem(&tracked, &ctgid, &mark, BPF_ANY);
	shown = bpf_map_lookup_elem(&display, &ptgid);
	if (shown)
		bpf_map_update_elem(&display, &ctgid, shown, BPF_ANY);
	e = reserve(SENSOR_FORK, child);
	if (!e)
		return 0;
	e->ppid = ptgid;	/* real_parent may differ under CLONE_PARENT */
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct sensor_event *e;

	/* do_exit() has already counted this thread out of signal->live. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	bpf_map_delete_elem(&injected, &tgid);
	if (!is_tracked(tgid))
		return 0;
	bpf_map_delete_elem(&tracked, &tgid);
	bpf_map_delete_elem(&display, &tgid);
	e = reserve(SENSOR_EXIT, task);
	if (!e)
		return 0;
	e->exit_code = BPF_CORE_READ(task, exit_code);
	/* its own, and what its threads that exited before it left in signal */
	if (bpf_core_field_exists(task->ioac)) {
		e->rchar = BPF_CORE_READ(task, ioac.rchar) + BPF_CORE_READ(task, signal, ioac.rchar);
		e->wchar = BPF_CORE_READ(task, ioac.wchar) + BPF_CORE_READ(task, signal, ioac.wchar);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * Channels opened after the first protected read: a FIFO (or a pipe
 * reopened through /proc/PID/fd) -> the tgid of the tracked process that
 * opened it to write, or of the tainted writer crmguardd found holding it.
 * crmguardd drops a channel nobody holds any more; LRU: a full map forgets
 * the oldest, not the newest.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct sensor_fifo);
	__type(value, __u32);
} fifos SEC(".maps");

/*
 * The BPF LSM's tainted processes (clip_maps.bpf.h), where it holds the
 * clipboard: crmguardd hands the pinned map over before load; else one of
 * the sensor's own, of one entry, that nothing reads.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CLIP_MAX_TAINTED);
	__type(key, __u32);
	__type(value, __u32);
} clip_taint SEC(".maps");

/*
 * What `from` (in `tracked`) holds can reach `to` now: `to` is tracked
 * from now on, and held from the display as `from` is (the display guard,
 * or the BPF LSM, refuses its connect() before crmguardd has heard of it).
 */
static __always_inline void follow(__u32 from, __u32 to)
{
	__u32 mark = SENSOR_TRACKED, *shown, one = 1;

	bpf_map_update_elem(&tracked, &to, &mark, BPF_NOEXIST);
	shown = bpf_map_lookup_elem(&display, &from);
	if (shown)
		bpf_map_update_elem(&display, &to, shown, BPF_NOEXIST);
	if (bpf_map_lookup_elem(&clip_taint, &from))
		bpf_map_update_elem(&clip_taint, &to, &one, BPF_NOEXIST);
}

/* The FIFO (or pipe) inode is as `fifos` keys it; false if it is neither. */
static __always_inline bool fifo_key(struct inode *inode, struct sensor_fifo *key, bool *pipe)
{
	struct super_block *sb;
	unsigned long magic;

	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFIFO)
		return false;
	sb = BPF_CORE_READ(inode, i_sb);
	magic = BPF_CORE_READ(sb, s_magic);
	*pipe = magic == PIPEFS_MAGIC;
	key->dev = *pipe ? 0 : inode_dev(inode, magic, BPF_CORE_READ(sb, s_dev));
	key->ino = BPF_CORE_READ(inode, i_ino);
	return true;
}

static __always_inline void fifo_record(struct sensor_fifo *key, bool pipe, bool writes, __u32 from)
{
	struct sensor_event *e = reserve(SENSOR_FIFO, bpf_get_current_task_btf());

	if (!e)
		return;
	e->ppid = from;
	e->exe_dev = key->dev;
	e->exe_ino = key->ino;
	e->exit_code = (writes ? SENSOR_FIFO_WRITES : 0) | (pipe ? SENSOR_FIFO_PIPE : 0);
	bpf_ringbuf_submit(e, 0);
}

/* A tracked process can write to the pipe or FIFO inode from now on: in `fifos`, and reported. */
static __always_inline void fifo_writer(struct inode *inode)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct sensor_fifo key;
	bool pipe;

	if (!is_tracked(tgid) || !fifo_key(inode, &key, &pipe))
		return;
	bpf_map_update_elem(&fifos, &key, &tgid, BPF_ANY);
	fifo_record(&key, pipe, true, tgid);
}

/*
 * Current can read the pipe or FIFO inode from now on. One of `fifos`:
 * current follows its writer, and is reported, for crmguardd to taint it.
 * Any other pipe is reported too: one that a tainted process made after
 * its first read is not in `fifos` (nothing sees a pipe made), and
 * crmguardd asks who writes it. (A FIFO not in `fifos` has no tainted writer: a tainted
 * process that holds one to write has put it there, by its open, or
 * crmguardd has, at its first read.)
 */
static __always_inline void fifo_reader(struct inode *inode)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, *from;
	struct sensor_fifo key;
	bool pipe;

	if (!fifo_key(inode, &key, &pipe))
		return;
	from = bpf_map_lookup_elem(&fifos, &key);
	if (!from) {
		if (pipe)
			fifo_record(&key, true, false, 0);
		return;
	}
	if (*from == tgid)
		return;
	follow(*from, tgid);
	fifo_record(&key, pipe, false, *from);
}

/*
 * Every open of a FIFO, and the reopen of a pipe through /proc/PID/fd,
 * passes fifo_open(), and nothing else does: these programs cost no other
 * call. A writer is seen as its open starts, before it wakes a reader
 * waiting in its own open; a reader as its open returns, before it can
 * read a byte, so also one that waited for the writer.
 */
SEC("fentry/fifo_open")
int BPF_PROG(on_fifo_open, struct inode *inode, struct file *filp)
{
	if (filp->f_mode & FMODE_WRITE)
		fifo_writer(inode);
	return 0;
}

SEC("fexit/fifo_open")
int BPF_PROG(on_fifo_opened, struct inode *inode, struct file *filp, int ret)
{
	if (!ret && (filp->f_mode & FMODE_READ))
		fifo_reader(inode);
	return 0;
}

/*
 * A descriptor received ready-made: passed with SCM_RIGHTS, or taken with
 * pidfd_getfd(). Each passes the kernel's receive_fd() (__receive_fd()
 * before 6.2: crmguardd loads the program of the one there is), a rare
 * call: a pipe or FIFO end that arrives is as one opened.
 */
static __always_inline void fd_received(struct file *file, int ret)
{
	struct inode *inode = file->f_inode;

	if (ret < 0)
		return;
	if (file->f_mode & FMODE_WRITE)
		fifo_writer(inode);
	if (file->f_mode & FMODE_READ)
		fifo_reader(inode);
}

SEC("fexit/receive_fd")
int BPF_PROG(on_fd_received, struct file *file, int *ufd, unsigned int o_flags, int ret)
{
	fd_received(file, ret);
	return 0;
}

SEC("fexit/__receive_fd")
int BPF_PROG(on_fd_received_old, struct file *file, int *ufd, unsigned int o_flags, int ret)
{
	fd_received(file, ret);
	return 0;
}

/*
 * Access to another process's memory: ptrace (attach, or a child's
 * PTRACE_TRACEME), process_vm_readv() and _writev(), /proc/PID/mem,
 * pidfd_getfd(). Each is allowed by the kernel's ptrace access check in
 * its attach mode, and from then on either side can read and write what
 * the other holds: a process that meets a tracked one this way follows
 * it, and is reported, for crmguardd to taint it. The checks are the
 * LSM's (security_ptrace_*), rare calls; a check that refuses (the
 * credentials, Yama, an LSM) lets nothing through.
 */
static __always_inline void attached(struct task_struct *a, struct task_struct *b)
{
	__u32 ta = BPF_CORE_READ(a, tgid), tb = BPF_CORE_READ(b, tgid);
	struct sensor_event *e;
	bool by_a = is_tracked(ta);

	if (ta == tb || by_a == is_tracked(tb))
		return;		/* itself, both followed already, or neither */
	follow(by_a ? ta : tb, by_a ? tb : ta);
	e = reserve(SENSOR_ATTACHED, by_a ? b : a);
	if (!e)
		return;
	e->ppid = by_a ? ta : tb;
	bpf_ringbuf_submit(e, 0);
}

SEC("fexit/security_ptrace_access_check")
int BPF_PROG(on_ptrace_access, struct task_struct *child, unsigned int mode, int ret)
{
	if (!ret && (mode & PTRACE_MODE_ATTACH))
		attached(bpf_get_current_task_btf(), child);
	return 0;
}

SEC("fexit/security_ptrace_traceme")
int BPF_PROG(on_ptrace_traceme, struct task_struct *parent, int ret)
{
	if (!ret)
		attached(parent, bpf_get_current_task_btf());
	return 0;
}

/*
 * Where the kernel has no cgroup connect programs for unix sockets (before
 * 6.7; display_guard.bpf.c), this tracepoint, a syscalls: record, not
 * raw_syscalls' (mount.bpf.c says why). It cannot refuse the call: in
 * block mode the process is killed on its way back from connect().
 */
SEC("tracepoint/syscalls/sys_enter_connect")
int on_connect(struct syscall_trace_enter *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, *how, len;
	char addr[DISPLAY_ADDR_LEN] = {};

	how = bpf_map_lookup_elem(&display, &tgid);
	if (!how)
		return 0;
	/* the caller's length: what follows is not its address (an abstract name has no NUL) */
	len = display_addr_len(ctx->args[2]);
	if (bpf_probe_read_user(addr, len, (void *)ctx->args[1]))
		return 0;
	if (!display_addr(addr))
		return 0;
	if (*how == SENSOR_DISPLAY_BLOCK)
		bpf_send_signal(9);	/* SIGKILL: it dies on its way back from connect() */
	display_record(*how, addr);
	return 0;
}

/*
 * Every delete_module() call: a rare one, and the kernel logs nothing when
 * it refuses one (a module in use), so crmguardd records the attempts
 * on a locked crmguard.ko.
 */
SEC("tracepoint/syscalls/sys_enter_delete_module")
int on_delete_module(struct syscall_trace_enter *ctx)
{
	struct sensor_event *e;

	e = reserve(SENSOR_RMMOD, (struct task_struct *)bpf_get_current_task_btf());
	if (!e)
		return 0;
	if (bpf_probe_read_user_str(e->filename, 64, (void *)ctx->args[0]) < 0)
		e->filename[0] = 0;
	e->exit_code = ctx->args[1];
	bpf_ringbuf_submit(e, 0);
	return 0;
}
