/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF LSM enforcer (enforce.bpf.c): the keys and values of its maps,
 * pinned under ENFORCE_PIN_DIR, and the verdicts it puts on its ring
 * buffer. Shared by the BPF side and ctl/kbackend_lsm.c: plain structs and
 * defines only, included after vmlinux.h (BPF) or <linux/types.h>
 * (userland). Flags, kinds, modes, ops and verdicts are those of
 * kmod/uapi/crmguard.h: the rule model is the kernel module's.
 */
#ifndef CRMGUARD_ENFORCE_H
#define CRMGUARD_ENFORCE_H

#define ENFORCE_PIN_DIR "/sys/fs/bpf/crmguard"

/* Map sizes: a pinned map keeps its size, so these are fixed. */
#define ENFORCE_MAX_INODES 65536	/* protected files and directories */
#define ENFORCE_MAX_EXES 4096
#define ENFORCE_MAX_USERS 4096
#define ENFORCE_RINGBUF_SIZE (1 << 20)

#define ENFORCE_COMM_LEN 16
#define ENFORCE_PATH_LEN 4096

/* Index of the per-CPU counters in the lsm_stats map. */
enum enforce_stat {
	ENFORCE_STAT_ALLOW,
	ENFORCE_STAT_AUDIT,
	ENFORCE_STAT_DENY,
	ENFORCE_STAT_LOST,	/* verdicts that found the ring buffer full */
	ENFORCE_NSTATS,
};

/*
 * lsm_inodes and lsm_exes: an inode as the rules of kmod/uapi/crmguard.h
 * name it (its device as in inode_dev.bpf.h, and its number).
 */
struct enforce_inode_key {
	__u64 dev;
	__u64 ino;
};

/* lsm_inodes: a protected file, or a directory whose children are. */
struct enforce_inode {
	__u32 flags;		/* CRMGUARD_F_* */
	__u32 rule_id;
};

/* lsm_users: a user rule; a uid may be in several (allowed and revoked). */
struct enforce_user_key {
	__u32 uid;
	__u32 kind;		/* enum crmguard_user_kind */
};

/* lsm_config[0]. mode 0: no policy pushed yet, nothing is denied. */
struct enforce_config {
	__u32 mode;		/* enum crmguard_mode */
	__u32 fail_open;	/* 1: the links are not pinned (userland's choice) */
	__u32 daemon_tgid;	/* crmguardd: fanotify opens each event's file for it */
};

/*
 * lsm_lock[0]: the lock until reboot (ctl/daemon/lock.h), set once by
 * crmguardd through the descriptors it holds; from then on the programs
 * refuse what would take them or their rules away (enforce.bpf.c).
 */
struct enforce_lock {
	__u32 locked;
	__u32 daemon_tgid;	/* crmguardd: no signal but SIGHUP, no ptrace */
	__u64 pin_dev;		/* ENFORCE_PIN_DIR: its superblock's s_dev (kernel dev_t) */
	__u64 pin_ino;
	__u64 refused;		/* what the programs refused since */
};

/*
 * lsm_lock_daemon[0]: the crmguardd that set the lock, as the lock knows
 * it from then on: its executable, which nobody may write until reboot and
 * which a later crmguardd must run to take the lock over, and the locked
 * policy's hash (hex, as in the lock's marker), the only policy such a
 * crmguardd takes.
 */
#define ENFORCE_HASH_HEX 65
struct enforce_lock_daemon {
	struct enforce_inode_key exe;
	char policy_hash[ENFORCE_HASH_HEX];
};

/*
 * The lock's refusals, as enforce_verdict.op past enum crmguard_op, with
 * verdict DENY, the refused task's pid, tid, uid and comm, and in ino the
 * signal (KILL) or the bpf() command (BPF); EXE_WRITE names the binary in
 * dev and ino.
 */
#define ENFORCE_OP_UNPIN 0x100		/* unlink, rename or rmdir in the pin directory */
#define ENFORCE_OP_UMOUNT 0x101		/* unmounting the pins' BPF filesystem */
#define ENFORCE_OP_BPF 0x102		/* BPF_LINK_DETACH or BPF_LINK_UPDATE, on any link */
#define ENFORCE_OP_MAP_WRITE 0x103	/* a writable descriptor of a map, but to crmguardd */
#define ENFORCE_OP_KILL 0x104		/* a signal to crmguardd */
#define ENFORCE_OP_PTRACE 0x105		/* ptrace, /proc/PID/mem, pidfd_getfd on crmguardd */
/* opening for write, truncating, unlinking or renaming over an allowed binary or crmguardd's */
#define ENFORCE_OP_EXE_WRITE 0x106

/*
 * One decision. Opens and mmaps are all reported; reads only when they are
 * not allowed (an allowed CRM's every read would flood the ring).
 */
#define ENFORCE_EXE_DEPTH 8
#define ENFORCE_EXE_NAME 64

struct enforce_verdict {
	__u32 op;		/* enum crmguard_op */
	__u32 verdict;		/* enum crmguard_verdict */
	__u32 rule_id;
	__u32 pid;		/* thread group id */
	__u32 tid;
	__u32 uid;
	__u64 dev, ino;		/* the file */
	__u64 exe_dev, exe_ino;
	char comm[ENFORCE_COMM_LEN];
	char path[ENFORCE_PATH_LEN];	/* opens and mmaps; "" for reads */
	/*
	 * The executable's path, its last components first ([0] is its own
	 * name), up to the root of its filesystem: bpf_d_path() may not be
	 * used on it. Unused components are "".
	 */
	char exe[ENFORCE_EXE_DEPTH][ENFORCE_EXE_NAME];
};

#endif
