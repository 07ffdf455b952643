/* SPDX-License-Identifier: GPL-2.0 */
/* Who may touch protected data: the policy applied to one process. */
#ifndef CRMGUARD_DECIDE_H
#define CRMGUARD_DECIDE_H

#include <stdbool.h>
#include <sys/types.h>
#include "ctl/lib/policy.h"

enum verdict { VERDICT_ALLOW, VERDICT_AUDIT, VERDICT_DENY };

/* The process asking, as the kernel sees it while it waits for the answer. */
struct subject {
	pid_t tgid;
	uid_t uid, euid;
	uid_t loginuid;		/* (uid_t)-1: not set */
	dev_t exe_dev;
	ino_t exe_ino;
	bool preload;		/* runs with LD_PRELOAD, LD_AUDIT or LD_LIBRARY_PATH */
	bool traced;		/* under ptrace: its tracer can make it do anything */
};

struct decision {
	enum verdict verdict;
	int rule;		/* index in policy->rules */
};

/*
 * A revoked user (real, effective or login uid) is denied; else an allowed
 * user or binary is allowed; else the protect rule denies. Mode audit turns
 * every deny into audit. A protect rule flagged `audit` only logs what it
 * would deny (a revoke still denies); a revoke flagged `audit` denies
 * nothing and logs, as audit, the accesses it would deny.
 */
struct decision decide(const struct policy *p, int protect_rule, const struct subject *s);
/* What to answer when the process cannot be known: deny in enforce. */
struct decision decide_unknown(const struct policy *p, int protect_rule);
const char *verdict_name(enum verdict v);
/* "protect:/var/lib/crm", "revoke-user:alice" ... into buf. */
const char *rule_label(const struct policy *p, int rule, char *buf, size_t len);

#endif
