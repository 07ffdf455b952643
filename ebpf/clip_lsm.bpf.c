// SPDX-License-Identifier: GPL-2.0
/*
 * The clipboard channels of tainted processes, held by the BPF LSM so that
 * the refusals outlive crmguardd: a tainted process's connect() to a
 * display server (display.bpf.h), and its exec of a clipboard tool
 * (xclip, xsel, wl-copy, wl-paste, copyq: the inodes crmguardd names in
 * clip_tools) or any other open of one (the dynamic loader run on it by
 * hand, a copy of it), are refused with EPERM in `clipboard block`,
 * recorded only in `clipboard audit`. A binary named in clip_allow
 * (`clipboard allow exe`) keeps its display connection.
 *
 * Which processes are tainted is crmguardd's to say (ctl/daemon/taint):
 * it names each in clip_taint as it taints it. From then on the kernel
 * keeps the set: a child is tainted at fork, a process that attaches to
 * a tainted one (ptrace and the like) or that one attaches to is tainted,
 * an exiting process leaves it, here, also while crmguardd is dead. The map is the clipboard's own
 * (clip_maps.bpf.h), not the sensor's, so that it lives on, pinned,
 * across restarts.
 *
 * Nothing here runs on reads or writes: fork, exit, connect, send, the
 * ptrace access check, and open, where a process that is not tainted costs a look at the mode and
 * one at clip_taint.
 */
#include "vmlinux.h"
#include "kconst.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "inode_dev.bpf.h"
#include "caller.bpf.h"
#include "display.bpf.h"
#include "clip_lsm.h"
#include "clip_maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The mode if the current process is tainted and the policy speaks; else CLIP_OFF. */
static __always_inline __u32 tainted_mode(void)
{
	__u32 zero = 0, tgid = bpf_get_current_pid_tgid() >> 32, *mode;

	mode = bpf_map_lookup_elem(&clip_mode, &zero);
	if (!mode || *mode == CLIP_OFF || !bpf_map_lookup_elem(&clip_taint, &tgid))
		return CLIP_OFF;
	return *mode;
}

static __always_inline void inode_key(struct inode *inode, struct clip_inode *key)
{
	key->dev = inode_dev(inode, BPF_CORE_READ(inode, i_sb, s_magic),
			     BPF_CORE_READ(inode, i_sb, s_dev));
	key->ino = BPF_CORE_READ(inode, i_ino);
}

/* Inline: the verifier follows a reserved record within one function only. */
static __always_inline struct clip_event *report(__u32 what, __u32 mode)
{
	struct clip_event *e = bpf_ringbuf_reserve(&clip_events, sizeof(*e), 0);
	__u32 zero = 0;
	__u64 *lost;

	if (!e) {
		lost = bpf_map_lookup_elem(&clip_lost, &zero);
		if (lost)
			__sync_fetch_and_add(lost, 1);
		return NULL;
	}
	e->what = what;
	e->audit = mode == CLIP_AUDIT;
	e->family = 0;
	e->port = 0;
	e->tool.dev = 0;
	e->tool.ino = 0;
	e->addr[0] = 0;
	caller_fill(&e->who);
	return e;
}

/*
 * A tainted process's connection to the display server at addr (a
 * sockaddr, display.bpf.h): recorded, and refused in block mode, unless
 * its binary may keep its display (clip_allow).
 */
static __always_inline int meet_display(__u32 mode, const char *addr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct clip_inode exe;
	struct clip_event *e;

	inode_key(BPF_CORE_READ(task, mm, exe_file, f_inode), &exe);
	if (bpf_map_lookup_elem(&clip_allow, &exe))
		return 0;
	e = report(CLIP_CONNECT, mode);
	if (e) {
		e->family = *(__u16 *)addr;
		e->port = display_port(addr);
		if (e->family == AF_UNIX)
			__builtin_memcpy(e->addr, addr + 2, CLIP_ADDR_LEN);
		bpf_ringbuf_submit(e, 0);
	}
	return mode == CLIP_BLOCK ? -EPERM : 0;
}

/* A TCP connection to address (the kernel's copy, addrlen bytes): to an X server's port? */
static __always_inline int meet_tcp(__u32 mode, const void *address, int addrlen)
{
	char addr[DISPLAY_ADDR_LEN] = {};
	__u16 family;

	if (addrlen < 4 || bpf_probe_read_kernel(addr, 4, address))
		return 0;
	family = *(__u16 *)addr;
	if ((family != AF_INET && family != AF_INET6) || !display_addr(addr))
		return 0;
	return meet_display(mode, addr);
}

/* TCP to an X server's port; a unix socket is met below, by the name its server bound. */
SEC("lsm/socket_connect")
int BPF_PROG(clip_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	__u32 mode;

	if (ret)
		return ret;
	mode = tainted_mode();
	return mode == CLIP_OFF ? 0 : meet_tcp(mode, address, addrlen);
}

/*
 * A unix stream connection, once the kernel has found the server's
 * socket: decided on the address that socket was bound to, so a link, a
 * relative path or a bind mount to a display socket is the display.
 */
SEC("lsm/unix_stream_connect")
int BPF_PROG(clip_unix_connect, struct sock *sock, struct sock *other, struct sock *newsk, int ret)
{
	char addr[DISPLAY_ADDR_LEN] = {};
	__u32 mode;

	if (ret)
		return ret;
	mode = tainted_mode();
	if (mode == CLIP_OFF || !display_peer(other, addr))
		return 0;
	return meet_display(mode, addr);
}

/*
 * A send on a unix socket connected to a display server that the process
 * did not connect itself (handed over with SCM_RIGHTS, taken with
 * pidfd_getfd, or connected before the taint): refused before a byte
 * leaves. And a TCP fast open, sendto() with MSG_FASTOPEN, which connects
 * and sends in one call without socket_connect.
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(clip_send, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	char addr[DISPLAY_ADDR_LEN] = {};
	struct sock *sk, *peer;
	__u16 family;
	__u32 mode;

	if (ret)
		return ret;
	mode = tainted_mode();
	sk = sock->sk;
	if (mode == CLIP_OFF || !sk)
		return 0;
	family = sk->__sk_common.skc_family;
	if ((family == AF_INET || family == AF_INET6) && (msg->msg_flags & MSG_FASTOPEN))
		return meet_tcp(mode, msg->msg_name, msg->msg_namelen);
	if (family != AF_UNIX)
		return 0;
	peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
	if (!peer || !display_peer(peer, addr))
		return 0;
	return meet_display(mode, addr);
}

/*
 * Any open of a tool's binary: its exec (which opens it before anything
 * runs), the dynamic loader run on it by hand, which opens it as a file
 * and maps it, and a copy of it, which reads it.
 */
SEC("lsm/file_open")
int BPF_PROG(clip_tool, struct file *file, int ret)
{
	struct clip_inode tool;
	struct clip_event *e;
	__u32 mode;

	if (ret)
		return ret;
	mode = tainted_mode();
	if (mode == CLIP_OFF)
		return 0;
	inode_key(file->f_inode, &tool);
	if (!bpf_map_lookup_elem(&clip_tools, &tool))
		return 0;
	e = report(CLIP_EXEC, mode);
	if (e) {
		e->tool = tool;
		bpf_ringbuf_submit(e, 0);
	}
	return mode == CLIP_BLOCK ? -EPERM : 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(clip_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid, *mark;

	if (ptgid == ctgid)
		return 0;	/* a new thread */
	mark = bpf_map_lookup_elem(&clip_taint, &ptgid);
	if (mark)
		bpf_map_update_elem(&clip_taint, &ctgid, mark, BPF_ANY);
	return 0;
}

/*
 * Access to another process's memory, allowed (ptrace: attach, or a
 * child's PTRACE_TRACEME; process_vm_readv, /proc/PID/mem, pidfd_getfd):
 * either side can read and write the other's from then on, so a tainted
 * one taints the other.
 */
static __always_inline void clip_attached(__u32 a, __u32 b)
{
	__u32 *mark;

	if (a == b)
		return;
	mark = bpf_map_lookup_elem(&clip_taint, &a);
	if (mark) {
		bpf_map_update_elem(&clip_taint, &b, mark, BPF_NOEXIST);
		return;
	}
	mark = bpf_map_lookup_elem(&clip_taint, &b);
	if (mark)
		bpf_map_update_elem(&clip_taint, &a, mark, BPF_NOEXIST);
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(clip_ptrace_access, struct task_struct *child, unsigned int mode, int ret)
{
	if (!ret && (mode & PTRACE_MODE_ATTACH))
		clip_attached(bpf_get_current_pid_tgid() >> 32, child->tgid);
	return ret;
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(clip_ptrace_traceme, struct task_struct *parent, int ret)
{
	if (!ret)
		clip_attached(bpf_get_current_pid_tgid() >> 32, parent->tgid);
	return ret;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(clip_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid;

	/* do_exit() has already counted this thread out of signal->live */
	if (BPF_CORE_READ(task, signal, live.counter) == 0)
		bpf_map_delete_elem(&clip_taint, &tgid);
	return 0;
}
