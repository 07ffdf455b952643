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

#include "caller.h"

#define MOUNT_PATH_LEN 256
#define MOUNT_TYPE_LEN 32

enum mount_call {
	MOUNT_CALL_MOUNT = 1,	/* mount(source, target, fstype, flags, data) */
	MOUNT_CALL_UMOUNT = 2,	/* umount2(target, flags) */
	MOUNT_CALL_MOVE = 3,	/* move_mount(): target is where it went (fsmount, open_tree) */
};

struct mount_event {
	__u32 call;
	__s32 ret;		/* the call's return: 0, or -errno */
	__u64 flags;		/* MS_* for mount, MNT_* for umount2, MOVE_MOUNT_* */
	struct caller who;
	char source[MOUNT_PATH_LEN];
	char target[MOUNT_PATH_LEN];
	char fstype[MOUNT_TYPE_LEN];
};

#endif
