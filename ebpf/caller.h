/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who made a call, as a BPF program saw it (caller.bpf.h fills it):
 * records of short-lived processes (mount(8), dd) are written after they
 * are gone, so the program keeps what /proc would have said. Plain structs
 * and defines, included after vmlinux.h (BPF) or <linux/types.h> (userland).
 */
#ifndef CRMGUARD_CALLER_H
#define CRMGUARD_CALLER_H

#define CALLER_COMM_LEN 16
/* The binary: up to CALLER_EXE_DEPTH names, leaf first, each ending in '/'. */
#define CALLER_EXE_LEN 512
#define CALLER_EXE_DEPTH 12

struct caller {
	__u32 pid;		/* thread group id */
	__u32 uid;
	__u64 exe_dev;		/* the binary: userland dev_t encoding (inode_dev.bpf.h) */
	__u64 exe_ino;		/* (it may be gone when crmguardd reads the record) */
	char comm[CALLER_COMM_LEN];
	char exe[CALLER_EXE_LEN];	/* "mount/bin/usr/": names from its filesystem's root */
};

#endif
