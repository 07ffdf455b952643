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
 * File access itself is seen through fanotify inode marks (ctl/watch.c):
 * on the kernels we run on, any BPF program on the read path costs ~10% of
 * every read on the machine, while an inode mark costs nothing for files
 * that carry none. These programs run on exec, fork and exit only.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sensor.h"
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
