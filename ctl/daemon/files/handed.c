// SPDX-License-Identifier: GPL-2.0
/*
 * What the hand-over watch (ebpf/handover.bpf.c) reports: a program the
 * policy does not allow came to hold a descriptor of a protected file by
 * exec, SCM_RIGHTS or pidfd_getfd, or came to control a process that
 * holds one (ptrace and the like: holder= that process, fd= its
 * descriptor). Denied, the kernel killed it before it ran on: a `kill`
 * record (reason= the route). In audit: a `held` record (from= the
 * route). The process is named as the kernel saw it: by the time this is
 * read, a killed one is gone.
 *
 * A process sharing the taker's descriptor table (taker=) holds the
 * descriptor too, and is killed with it. Where the kernel could not
 * (before 6.13 no BPF program can signal another process: the taker's
 * report says its table is shared; or the signal failed: killed 0), the
 * processes are looked through here as at a reload (held.c), and a holder
 * the policy denies is killed then, a moment late.
 */
#include <limits.h>
#include <stdio.h>
#include "ctl/daemon/fields.h"
#include "ctl/daemon/files/files.h"

static const char *route_name(__u32 route)
{
	return route == HANDOVER_EXEC ? "exec" : route == HANDOVER_RECVMSG ? "scm_rights" :
	       route == HANDOVER_GETFD ? "pidfd_getfd" : route == HANDOVER_ATTACH ? "ptrace" : "other";
}

void handed_on_report(void *ctx, const struct handover_event *e)
{
	struct daemon *d = ctx;
	bool deny = e->verdict == CRMGUARD_VERDICT_DENY;
	/* the kernel names inodes its way; the records, as stat() does */
	dev_t dev = enforcer_stat_dev(&d->enforcer, e->dev, e->ino);
	struct caller who = e->who;
	char path[PATH_MAX], label[256];
	struct record r;

	if (e->rule_id < d->policy.nrules)
		rule_label(&d->policy, e->rule_id, label, sizeof(label));
	else	/* a rule of a policy that has been replaced since */
		snprintf(label, sizeof(label), "kernel-rule:%u", e->rule_id);
	who.exe_dev = enforcer_stat_dev(&d->enforcer, who.exe_dev, who.exe_ino);
	record_init(&r, e->killed ? "kill" : "held");
	record_str(&r, "verdict", deny ? "deny" : "audit");
	record_str(&r, "rule", label);
	put_file(&r, watch_path_of(d->watch, dev, e->ino, path, sizeof(path)) ? path : "", false,
		 dev, e->ino);
	put_caller_seen(&r, &who);
	record_i64(&r, "ppid", e->ppid);
	if (e->loginuid != (__u32)-1)
		record_u64(&r, "loginuid", e->loginuid);
	record_str(&r, "via", "fd");
	record_i64(&r, "fd", e->fd);
	record_str(&r, e->killed ? "reason" : "from", route_name(e->route));
	if (e->taker)
		record_i64(&r, "taker", e->taker);
	if (e->holder)
		record_i64(&r, "holder", e->holder);
	d->n.deny += deny;
	sink_emit(&d->sink, deny ? LOG_LVL_WARNING : LOG_LVL_INFO, &r);
	if (deny && !e->killed && e->taker)
		held_check(d, e->who.pid);
	else if (e->shared)
		held_scan(d);
}

void handed_report_drops(struct daemon *d)
{
	static unsigned long long reported;
	unsigned long long now = d->enforcer.handover ? handover_dropped(d->enforcer.handover) : 0;
	struct record r;

	if (now <= reported)
		return;
	record_init(&r, "lost");
	record_str(&r, "source", "handover");
	record_u64(&r, "count", now - reported);
	record_u64(&r, "total", now);
	reported = now;
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
}
