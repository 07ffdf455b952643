/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lock until reboot: `mode enforce locked` in the policy, or `ctlx
 * lock`, which writes it. Once in force, crmguardd takes no other policy
 * until reboot (a reload or ctlx change that would change what the policy
 * says is refused, and recorded), and the kernel backend is locked too
 * where it can be: crmguard.ko refuses every change that would loosen its
 * rules, whoever asks, and cannot be unloaded. A marker beside the control
 * socket (on /run: gone at reboot) holds the locked policy's hash and the
 * pid of the crmguardd that holds the lock, so that a crmguardd started
 * again keeps the lock and records that the one before it ended.
 */
#ifndef CRMGUARD_LOCK_H
#define CRMGUARD_LOCK_H

#include <stddef.h>
#include "ctl/daemon/daemon.h"

/* Before the first policy: takes over a lock of this boot (the kernel's or the marker's). */
void lock_start(struct daemon *d, const char *sock);
/*
 * Whether np may become the running policy: while locked, only if it says
 * what the locked one says (its hash); else a record, and why in err. how:
 * what asked ("start", "reload", or the ctlx command). hash: np's, to keep.
 */
int lock_check(struct daemon *d, const struct policy *np, const char *how, char hash[65],
	       char *err, size_t errlen);
/* After a policy took effect: locks if it says locked and nothing is yet. */
int lock_engage(struct daemon *d, char *err, size_t errlen);
/* Once crmguardd runs as itself (after daemon()): the marker names it. */
void lock_running(struct daemon *d);
/* A command of the kernel that the lock refused (kernel_verdict.refused_cmd). */
void lock_kernel_refused(struct daemon *d, const struct kernel_verdict *v);
/* The sensor saw delete_module(): for a locked crmguard.ko, a refused unload. */
void lock_on_rmmod(struct daemon *d, const struct sensor_event *e);
/* For ctlx status: "" if not locked. */
const char *lock_status(const struct daemon *d);

#endif
