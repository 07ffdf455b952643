// SPDX-License-Identifier: GPL-2.0
/*
 * The mount sensor: each mount(2), umount2(2) and move_mount(2) (how
 * fsopen/fsmount and open_tree mounts become visible), with what was asked
 * and what the kernel answered. The syscall tracepoints run for these
 * calls only: nothing on the read path. crmguardd adds the device, its
 * USB identity and the process from the mount table and /proc.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "inode_dev.bpf.h"
#include "caller.bpf.h"
#include "mount.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} mount_events SEC(".maps");

/* The call in flight, by thread, from its entry to its exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct mount_event);
} inflight SEC(".maps");

/* Room to build an entry: too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mount_event);
} scratch SEC(".maps");

/* Records the ring buffer had no room for; crmguardd reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

static int enter(__u32 call, const char *source, const char *target, const char *fstype,
		 __u64 flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = id, zero = 0;
	struct mount_event *e = bpf_map_lookup_elem(&scratch, &zero);

	if (!e)
		return 0;
	caller_fill(&e->who);
	e->call = call;
	e->ret = 0;
	e->flags = flags;
	e->source[0] = e->target[0] = e->fstype[0] = 0;
	if (source)
		bpf_probe_read_user_str(e->source, sizeof(e->source), source);
	if (target)
		bpf_probe_read_user_str(e->target, sizeof(e->target), target);
	if (fstype)
		bpf_probe_read_user_str(e->fstype, sizeof(e->fstype), fstype);
	bpf_map_update_elem(&inflight, &tid, e, BPF_ANY);
	return 0;
}

static int leave(long ret)
{
	__u32 tid = bpf_get_current_pid_tgid(), zero = 0;
	struct mount_event *e = bpf_map_lookup_elem(&inflight, &tid), *out;
	__u64 *n;

	if (!e)
		return 0;
	out = bpf_ringbuf_reserve(&mount_events, sizeof(*out), 0);
	if (!out) {
		n = bpf_map_lookup_elem(&dropped, &zero);
		if (n)
			__sync_fetch_and_add(n, 1);
		bpf_map_delete_elem(&inflight, &tid);
		return 0;
	}
	bpf_probe_read_kernel(out, sizeof(*out), e);
	out->ret = ret;
	bpf_ringbuf_submit(out, 0);
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

/*
 * The syscalls:sys_enter_* and sys_exit_* records are struct
 * syscall_trace_enter and syscall_trace_exit (kernel/trace/trace.h): the
 * common fields, the syscall's number as an int, then the arguments or the
 * result. Not raw_syscalls' struct trace_event_raw_sys_enter, whose number
 * is a long: the two line up only where the common fields take 8 bytes.
 * PREEMPT_RT's take 12 (preempt_lazy_count), and there that struct would
 * read each argument one slot off and the result past the record's end,
 * which the kernel refuses to attach.
 */
SEC("tracepoint/syscalls/sys_enter_mount")
int mount_enter(struct syscall_trace_enter *ctx)
{
	return enter(MOUNT_CALL_MOUNT, (const char *)ctx->args[0], (const char *)ctx->args[1],
		     (const char *)ctx->args[2], ctx->args[3]);
}

SEC("tracepoint/syscalls/sys_exit_mount")
int mount_exit(struct syscall_trace_exit *ctx)
{
	return leave(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_umount")
int umount_enter(struct syscall_trace_enter *ctx)
{
	return enter(MOUNT_CALL_UMOUNT, NULL, (const char *)ctx->args[0], NULL, ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_exit_umount")
int umount_exit(struct syscall_trace_exit *ctx)
{
	return leave(ctx->ret);
}

/* move_mount(from_dfd, from_path, to_dfd, to_path, flags) */
SEC("tracepoint/syscalls/sys_enter_move_mount")
int move_mount_enter(struct syscall_trace_enter *ctx)
{
	return enter(MOUNT_CALL_MOVE, NULL, (const char *)ctx->args[3], NULL, ctx->args[4]);
}

SEC("tracepoint/syscalls/sys_exit_move_mount")
int move_mount_exit(struct syscall_trace_exit *ctx)
{
	return leave(ctx->ret);
}
