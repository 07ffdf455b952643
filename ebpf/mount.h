/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records the mount sensor (mount.bpf.c) puts on its ring buffer: one
 * for each mount(2), umount2(2) and move_mount(2) call that returned,
 * with what the caller asked for. Shared by the BPF side and crmguardd:
 * plain structs and defines only, included after vmlinux.h (BPF) or
 * <linux/types.h> (userland).
 */
#ifndef CRMGUARD_MOUNT_H
#define CRMGUARD_MOUNT_H

#define MOUNT_COMM_LEN 16
#define MOUNT_PATH_LEN 256
#define MOUNT_TYPE_LEN 32
/* The caller's binary: up to MOUNT_EXE_DEPTH names, leaf first, each ending in '/'. */
#define MOUNT_EXE_LEN 512
#define MOUNT_EXE_DEPTH 12

enum mount_call {
	MOUNT_CALL_MOUNT = 1,	/* mount(source, target, fstype, flags, data) */
	MOUNT_CALL_UMOUNT = 2,	/* umount2(target, flags) */
	MOUNT_CALL_MOVE = 3,	/* move_mount(): target is where it went (fsmount, open_tree) */
};

struct mount_event {
	__u32 call;
	__u32 pid;		/* thread group id */
	__u32 uid;
	__s32 ret;		/* the call's return: 0, or -errno */
	__u64 flags;		/* MS_* for mount, MNT_* for umount2, MOVE_MOUNT_* */
	__u64 exe_dev;		/* the caller's binary: userland dev_t encoding (inode_dev.bpf.h) */
	__u64 exe_ino;		/* (it may be gone when crmguardd reads the record) */
	char comm[MOUNT_COMM_LEN];
	char source[MOUNT_PATH_LEN];
	char target[MOUNT_PATH_LEN];
	char fstype[MOUNT_TYPE_LEN];
	char exe[MOUNT_EXE_LEN];	/* "mount/bin/usr/": names from its filesystem's root */
};

#endif
