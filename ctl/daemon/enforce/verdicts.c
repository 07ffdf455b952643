// SPDX-License-Identifier: GPL-2.0
/* What the in-kernel backend decided, and what it could not hand over, as records. */
#include <string.h>
#include "ctl/daemon/daemon.h"
#include "ctl/daemon/fields.h"
#include "ctl/daemon/files/refusals.h"
#include "ctl/daemon/enforce/verdicts.h"
#include "ctl/daemon/lock.h"
#include "ctl/daemon/taint/clipboard.h"

/*
 * Verdicts the kernel counted but could not hand to crmguardd: it was
 * behind, or not running. The first reading tells of those lost before.
 */
void verdicts_report_lost(struct daemon *d)
{
	struct kernel_stats ks;
	struct record r;
	bool first;

	if (!enforcer_stats(&d->enforcer, &ks))
		return;
	/* (a smaller count: the module was loaded again) */
	first = !d->n.lost_kernel_read || ks.lost < d->n.lost_kernel;
	d->n.lost_kernel_read = true;
	if (ks.lost == d->n.lost_kernel)
		return;
	record_init(&r, "lost");
	record_str(&r, "source", "kernel");
	if (!first)
		record_u64(&r, "count", ks.lost - d->n.lost_kernel);
	record_u64(&r, "total", ks.lost);
	record_str(&r, "backend", enforcer_name(&d->enforcer));
	d->n.lost_kernel = ks.lost;
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
}

/*
 * The in-kernel backend's verdicts: opens, and reads and mappings it did
 * not simply allow (the watch observes the rest, for the close record).
 * The process may be gone by now, or run another binary: then what the
 * kernel said about it stands in for what /proc would say.
 */
void verdicts_on_kernel(void *ctx, const struct kernel_verdict *v)
{
	static const char *const ops[] = {
		[CRMGUARD_OP_OPEN] = "open", [CRMGUARD_OP_READ] = "read", [CRMGUARD_OP_MMAP] = "mmap",
	};
	struct daemon *d = ctx;
	bool deny = v->verdict == CRMGUARD_VERDICT_DENY;
	const char *event = v->op && v->op <= CRMGUARD_OP_MMAP ? ops[v->op] : "access";
	/* the kernel names inodes its way; crmguardd's tables and records, as stat() does */
	dev_t dev = enforcer_stat_dev(&d->enforcer, v->dev, v->ino);
	dev_t exe_dev = enforcer_stat_dev(&d->enforcer, v->exe_dev, v->exe_ino);
	struct proc *p, gone = { .pid = v->pid, .uid = v->uid, .exe = (char *)v->exe,
				 .exe_dev = exe_dev, .exe_ino = v->exe_ino };
	char label[256];	/* as long as a refusal's */
	struct proc_file *f;
	struct record r;

	if (v->refused_cmd) {
		lock_kernel_refused(d, v);
		return;
	}
	if (v->op == CRMGUARD_OP_CLIP_EXEC || v->op == CRMGUARD_OP_CLIP_CONNECT) {
		clipboard_on_kmod(d, v);
		return;
	}
	if (v->verdict == CRMGUARD_VERDICT_ALLOW && v->op != CRMGUARD_OP_OPEN)
		return;
	d->n.deny += deny;
	p = proctab_get(v->pid);
	if (p && v->exe_ino && (p->exe_dev != exe_dev || p->exe_ino != v->exe_ino)) {
		proctab_del(p);		/* it ran another binary since it was read */
		p = proctab_get(v->pid);
		if (p && (p->exe_dev != exe_dev || p->exe_ino != v->exe_ino))
			p = NULL;
	}
	/* One record for a process's first refused read; its close record counts them all. */
	f = p && v->op == CRMGUARD_OP_READ ? proc_file_find(p, dev, v->ino) : NULL;
	if (f && f->denied++)
		return;
	if (v->rule_id < d->policy.nrules)
		rule_label(&d->policy, v->rule_id, label, sizeof(label));
	else	/* a rule of a policy that has been replaced since */
		snprintf(label, sizeof(label), "kernel-rule:%u", v->rule_id);
	memcpy(gone.comm, v->comm, sizeof(gone.comm));
	if (deny) {
		struct refusal key = {
			.pid = v->pid, .dev = dev, .ino = v->ino, .exe_dev = exe_dev,
			.exe_ino = v->exe_ino, .event = event, .who = p ? *p : gone,
			.who_from_kernel = !p, .backend = enforcer_name(&d->enforcer),
			.path = v->path, .path_unreachable = !v->path[0],
		};

		if (!key.who.exe)
			key.who.exe = "";
		memcpy(key.label, label, sizeof(key.label));
		refusals_note(&d->sink, &key);
		return;
	}
	record_init(&r, event);
	record_str(&r, "verdict", verdict_name(v->verdict == CRMGUARD_VERDICT_AUDIT ?
						VERDICT_AUDIT : VERDICT_ALLOW));
	record_str(&r, "rule", label);
	put_file(&r, v->path, !v->path[0], dev, v->ino);
	if (p)
		put_proc(&r, p);
	else
		put_kernel_proc(&r, &gone);
	record_str(&r, "backend", enforcer_name(&d->enforcer));
	sink_emit(&d->sink, LOG_LVL_INFO, &r);
}
