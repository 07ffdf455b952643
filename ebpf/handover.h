/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hand-over watch (handover.bpf.c): what it puts on its ring buffer
 * when a program the policy does not allow comes to hold a descriptor of a
 * protected file, or to control a process that holds one. Shared by the BPF side and crmguardd
 * (ctl/daemon/enforce/handover.c): plain structs and defines only,
 * included after vmlinux.h (BPF) or <linux/types.h> (userland).
 */
#ifndef CRMGUARD_HANDOVER_H
#define CRMGUARD_HANDOVER_H

#define HANDOVER_RINGBUF_SIZE (256 * 1024)
/* Descriptors looked at per process, at most: bpf_loop()'s limit. */
#define HANDOVER_MAX_FDS (1 << 23)
/* Processes sharing a killed one's descriptor table killed with it, at most (a power of 2). */
#define HANDOVER_MAX_SHARERS 16
/* Audit records of one (process, file) in this many seconds: one. */
#define HANDOVER_AUDIT_SECONDS 60

/* How the descriptor came to the process. */
enum handover_route {
	HANDOVER_EXEC = 1,	/* inherited: the process exec'd a program holding it */
	HANDOVER_RECVMSG = 2,	/* received in SCM_RIGHTS (recvmsg, recvmmsg) */
	HANDOVER_GETFD = 3,	/* taken from another process with pidfd_getfd() */
	HANDOVER_ATTACH = 4,	/* another process's, which it attached to (ptrace,
				 * /proc/PID/mem, process_vm_readv: the kernel's ptrace
				 * access check in attach mode) and can make read it */
};

/* After caller.h. */
struct handover_event {
	__u32 route;		/* enum handover_route */
	__u32 verdict;		/* enum crmguard_verdict: DENY (killed) or AUDIT */
	__u32 rule_id;		/* the rule that decided */
	__u32 ppid;
	__u32 loginuid;		/* (__u32)-1 where unset */
	__s32 fd;		/* the descriptor's number in the process */
	__u32 killed;		/* 1: SIGKILL was sent before it ran on */
	__u32 taker;		/* 0, or the process that took the descriptor, whose
				 * descriptor table this one shares: killed with it
				 * (killed 0: the kernel could not, crmguardd is to) */
	__u32 shared;		/* killed, and another process shares its descriptor
				 * table, which the kernel could not kill (before
				 * 6.13): crmguardd is to look for it */
	__u32 holder;		/* HANDOVER_ATTACH: the process whose descriptor fd is */
	__u64 dev, ino;		/* the file, in the rules' terms (inode_dev.bpf.h) */
	struct caller who;	/* the process, as it runs now (after exec: the new program) */
};

#endif
