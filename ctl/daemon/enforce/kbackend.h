/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An in-kernel enforcement backend: crmguard.ko (kbackend_kmod, generic
 * netlink) or the BPF LSM programs (kbackend_lsm, pinned maps). Both hold
 * the rule model of kmod/uapi/crmguard.h and keep enforcing it when
 * crmguardd is gone; crmguardd only programs them and logs their verdicts.
 */
#ifndef CRMGUARD_KBACKEND_H
#define CRMGUARD_KBACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/types.h>
#include "kmod/uapi/crmguard.h"

struct kernel_rule {
	uint32_t type;		/* enum crmguard_rule_type */
	uint64_t dev, ino;	/* INODE, EXE: the kernel's name of the inode (ctl/kident.h) */
	uint64_t st_dev;	/* INODE, EXE: what stat() says of it: the fd must say so too */
	uint32_t uid;		/* USER */
	uint32_t user_kind;	/* USER: enum crmguard_user_kind */
	uint32_t flags;		/* INODE: CRMGUARD_F_* */
	uint32_t id;		/* the policy rule it comes from */
	/*
	 * INODE: how to open it again (open_by_handle_at() through mount_fd),
	 * to hand the module the inode as an O_PATH fd, checked against dev
	 * and ino. Not kept. A rule without one is left out.
	 */
	int mount_fd;
	const struct file_handle *fh;
	/*
	 * EXE: the binary's path, to hand the module an fd of it too, with
	 * which the lock keeps it from being written. Not kept.
	 */
	const char *path;
	/*
	 * INODE: a digest of fh, which tells this file from an earlier one
	 * that had its inode number (ext4 reuses numbers at once; its handles
	 * carry a generation). 0 where not known (a rule read back from the
	 * kernel that this crmguardd has not pushed).
	 */
	uint64_t ident;
};

struct kernel_config {
	uint32_t mode;		/* enum crmguard_mode */
	bool fail_open;		/* no daemon: deny nothing */
	/*
	 * The backend is locked (lock below): replace() then only adds
	 * protected inodes, and asks for no removal and no config, which
	 * the kernel would refuse.
	 */
	bool locked;
};

struct kernel_verdict {
	/*
	 * Not 0: not an access but what the lock refused: a command to
	 * crmguard.ko (enum crmguard_cmd) or an ENFORCE_OP_* of the BPF LSM
	 * (ebpf/enforce.h), with the signal or bpf() command in ino; pid,
	 * uid and comm name who tried.
	 */
	uint32_t refused_cmd;
	uint32_t op;		/* enum crmguard_op */
	uint32_t verdict;	/* enum crmguard_verdict */
	uint32_t rule_id;
	uint32_t pid, tid, uid;
	uint64_t dev, ino;	/* the file */
	uint64_t exe_dev, exe_ino;
	char comm[16];
	char path[4096];	/* d_path of the file; "" if the kernel had none */
	char exe[4096];		/* d_path of the process's executable, or "" */
};

struct kernel_stats {
	uint64_t allow, audit, deny, lost;
	uint32_t rules;
	bool locked;		/* until reboot */
	uint64_t refused;	/* commands the lock refused */
	/*
	 * crmguard.ko's display kprobes (uapi/crmguard.h ATTR_CLIP_PROBES),
	 * and the connections they saw but could not end.
	 */
	uint32_t clip_probes;
	uint64_t clip_missed;
	/*
	 * The locked policy's hash (hex) as the kernel keeps it, which a
	 * crmguardd that takes the lock over holds to; "" where the kernel
	 * keeps none (crmguard.ko, which refuses every change itself).
	 */
	char lock_hash[65];
};

struct kbackend;

struct kbackend_ops {
	const char *name;	/* "kmod", "bpf-lsm" */
	/* Opens the backend, adopting the rules it already holds; NULL and err if absent. */
	struct kbackend *(*open)(char *err, size_t errlen);
	/*
	 * Makes rules[0..n) and cfg the kernel's state: adds what is new
	 * before removing what is gone, so a rule in both sets is never out
	 * of force. On error, says what failed in err.
	 */
	int (*replace)(struct kbackend *b, const struct kernel_config *cfg,
		       const struct kernel_rule *rules, size_t n, char *err, size_t errlen);
	/* The fd to poll for verdicts, and reading those that are there. */
	int (*fd)(struct kbackend *b);
	int (*read_verdicts)(struct kbackend *b,
			     void (*cb)(void *ctx, const struct kernel_verdict *v), void *ctx);
	int (*stats)(struct kbackend *b, struct kernel_stats *s);
	/*
	 * Whether it names a btrfs inode by its subvolume's device, as the
	 * rules do: else inodes of different subvolumes are one to it.
	 */
	bool (*knows_subvolumes)(struct kbackend *b);
	/*
	 * Locks the kernel's rules and mode until reboot (uapi/crmguard.h
	 * CRMGUARD_CMD_LOCK); again is no error. NULL: this backend cannot.
	 * policy_hash: the locked policy's (hex), for lock_hash.
	 */
	int (*lock)(struct kbackend *b, const char *policy_hash, char *err, size_t errlen);
	/*
	 * The clipboard, where the backend holds it through these
	 * (crmguard.ko: uapi/crmguard.h CRMGUARD_CMD_TAINT, _CLIPBOARD_SET);
	 * NULL where it does not (the BPF LSM's programs are clip_lsm.h's).
	 * taint: pid is tainted from now on, its children with it;
	 * clipboard: the mode (enum crmguard_clip_mode), the tools and the
	 * binaries that keep their display connections, as fds.
	 */
	int (*taint)(struct kbackend *b, pid_t pid);
	int (*clipboard)(struct kbackend *b, uint32_t mode, const int *tool_fds, size_t ntools,
			 const int *allow_fds, size_t nallow, char *err, size_t errlen);
	/* Lets go of the backend; the kernel keeps the rules in force. */
	void (*close)(struct kbackend *b);
};

extern const struct kbackend_ops kbackend_kmod;
extern const struct kbackend_ops kbackend_lsm;

#endif
