/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What enforces the policy. At start crmguardd probes the kernel, best
 * first: crmguard.ko, then the BPF LSM, then fanotify permission events
 * that crmguardd answers itself. An in-kernel backend holds the policy as
 * a rule table (kmod/uapi/crmguard.h) and keeps it in force without
 * crmguardd (fail-closed), unless the admin chose fail-open; its verdicts
 * come back here to be logged.
 */
#ifndef CRMGUARD_ENFORCER_H
#define CRMGUARD_ENFORCER_H

#include <stdbool.h>
#include <stdio.h>
#include "ctl/daemon/enforce/handover.h"
#include "ctl/daemon/enforce/kbackend.h"
#include "ctl/lib/kident.h"
#include "ctl/lib/policy.h"
#include "ctl/daemon/files/watch.h"

/* An inode the kernel names by another device than stat() does. */
struct kernel_alias {
	uint64_t dev, ino;	/* the kernel's name */
	dev_t st_dev;
};

struct enforcer {
	const struct kbackend_ops *ops;	/* NULL: fanotify, answered by crmguardd */
	struct kbackend *kb;
	/*
	 * fanotify with `reads trust`: the hand-over watch, which gets the
	 * same rule table as an in-kernel backend; NULL: none (`reads check`,
	 * or the kernel would not have it).
	 */
	struct handover *handover;
	char handover_err[256];	/* why it is not there, if it was wanted */
	bool fail_open;
	bool locked;		/* until reboot: rules only added, no config (lock.h) */
	char probe[512];	/* what each backend said at start */
	struct kmounts mounts;	/* as the last rule table was made */
	struct kernel_alias *aliases;	/* the last rule table's, by (dev, ino) */
	size_t naliases;
	/* handed each rule table the kernel took (enforcer_mirror) */
	void (*mirror)(void *ctx, const struct kernel_rule *rules, size_t n);
	void *mirror_ctx;
	bool mirror_subvolumes;	/* its programs' inode names, with no backend to ask */
};

/*
 * want: "auto" (the best the kernel has), "kmod", "bpf-lsm" or
 * "fanotify". A backend asked for by name that is not there is an error.
 */
int enforcer_open(struct enforcer *e, const char *want, bool fail_open, char *err, size_t errlen);
/*
 * Hands the kernel backend the rules of p over the inodes w marked, each
 * named as the kernel names it (ctl/kident.h). A file it cannot name so
 * is an error that names the file.
 */
int enforcer_apply(struct enforcer *e, const struct policy *p, const struct watch *w,
		   char *err, size_t errlen);
/*
 * fn gets each rule table the kernel takes from enforcer_apply() (no
 * fh: only what names the rules), also where no kernel backend takes one
 * (fanotify): a reader of the same rules, such as the USB programs, which
 * mark a process that opens protected data.
 */
void enforcer_mirror(struct enforcer *e, void (*fn)(void *ctx, const struct kernel_rule *rules,
						    size_t n), void *ctx);
/*
 * The st_dev of the inode that a verdict names (dev, ino) in the kernel's
 * terms, if the rules had it under another device; else dev. crmguardd's
 * tables and records go by stat().
 */
dev_t enforcer_stat_dev(const struct enforcer *e, uint64_t dev, uint64_t ino);
/*
 * Whether the kernel backend may take another file for allowed binary r:
 * its filesystem numbers files of different devices alike (an overlay
 * whose layers are on other filesystems), and the kernel names them by
 * the filesystem's device.
 */
bool enforcer_exe_ambiguous(const struct enforcer *e, const struct policy_rule *r);
const char *enforcer_name(const struct enforcer *e);
/* One sentence: what happens to enforcement if crmguardd stops. */
const char *enforcer_limits(const struct enforcer *e);
/* What the enforcer cannot refuse on this kernel, or NULL. */
const char *enforcer_gaps(const struct enforcer *e, const struct watch *w);
/* Is a new mapping of a descriptor opened before a revoke or rule let through unseen? */
bool enforcer_misses_new_mmap(const struct enforcer *e, const struct watch *w);
/* Are reads through a descriptor opened before crmguardd, or before the rule, seen? */
bool enforcer_sees_old_reads(const struct enforcer *e);
/*
 * The fanotify backend: starts (want) or stops the hand-over watch, whose
 * programs share the process sensor's injected map (injected_fd). Started,
 * it gets the rules at the next enforcer_apply(). false: wanted but it
 * cannot run here (why in e->handover_err).
 */
bool enforcer_watch_handovers(struct enforcer *e, bool want, int injected_fd);
/* Does the kernel hold a rule table (an in-kernel backend, or the hand-over watch)? */
bool enforcer_has_rules(const struct enforcer *e);
/* The fd to poll for the kernel's verdicts, or -1. */
int enforcer_fd(const struct enforcer *e);
int enforcer_read(struct enforcer *e, void (*cb)(void *ctx, const struct kernel_verdict *v),
		  void *ctx);
/* The kernel's counters; false with fanotify. */
bool enforcer_stats(struct enforcer *e, struct kernel_stats *s);
/*
 * Locks the kernel backend until reboot where it can be locked (crmguard.ko,
 * the BPF LSM), which keeps policy_hash where it can (kernel_stats.lock_hash);
 * from then on enforcer_apply() only adds protected inodes. 0, or why not in err.
 */
int enforcer_lock(struct enforcer *e, const char *policy_hash, char *err, size_t errlen);
/* Does the kernel itself hold the lock (else only crmguardd does)? */
bool enforcer_kernel_locks(const struct enforcer *e);
/* The clipboard in the backend (kbackend.h taint, clipboard); false, -EOPNOTSUPP where it is not. */
bool enforcer_holds_clipboard(const struct enforcer *e);
int enforcer_taint(struct enforcer *e, pid_t pid);
/* Does the backend see tainted processes' display connections itself (crmguard.ko's kprobes)? */
bool enforcer_sees_display(struct enforcer *e);
/* ... and refuse them with EPERM (its kretprobes on the LSM hooks), not only end them? */
bool enforcer_refuses_display(struct enforcer *e);
int enforcer_clipboard(struct enforcer *e, uint32_t mode, const int *tool_fds, size_t ntools,
		       const int *allow_fds, size_t nallow, char *err, size_t errlen);
/* Lets go of the kernel backend, which keeps enforcing. */
void enforcer_close(struct enforcer *e);

#endif
