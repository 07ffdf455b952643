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
#include "ctl/kbackend.h"
#include "ctl/policy.h"
#include "ctl/watch.h"

struct enforcer {
	const struct kbackend_ops *ops;	/* NULL: fanotify, answered by crmguardd */
	struct kbackend *kb;
	bool fail_open;
	char probe[512];	/* what each backend said at start */
};

/*
 * want: "auto" (the best the kernel has), "kmod", "bpf-lsm" or
 * "fanotify". A backend asked for by name that is not there is an error.
 */
int enforcer_open(struct enforcer *e, const char *want, bool fail_open, char *err, size_t errlen);
/* Hands the kernel backend the rules of p over the inodes w marked. */
int enforcer_apply(struct enforcer *e, const struct policy *p, const struct watch *w,
		   char *err, size_t errlen);
const char *enforcer_name(const struct enforcer *e);
/* One sentence: what happens to enforcement if crmguardd stops. */
const char *enforcer_limits(const struct enforcer *e);
/* What the enforcer cannot refuse on this kernel, or NULL. */
const char *enforcer_gaps(const struct enforcer *e, const struct watch *w);
/* Is a new mapping of a descriptor opened before a revoke or rule let through unseen? */
bool enforcer_misses_new_mmap(const struct enforcer *e, const struct watch *w);
/* The fd to poll for the kernel's verdicts, or -1. */
int enforcer_fd(const struct enforcer *e);
int enforcer_read(struct enforcer *e, void (*cb)(void *ctx, const struct kernel_verdict *v),
		  void *ctx);
/* The kernel's counters; false with fanotify. */
bool enforcer_stats(struct enforcer *e, struct kernel_stats *s);
/* Lets go of the kernel backend, which keeps enforcing. */
void enforcer_close(struct enforcer *e);

#endif
