// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "ctl/enforcer.h"

static const struct kbackend_ops *const backends[] = { &kbackend_kmod, &kbackend_lsm };

int enforcer_open(struct enforcer *e, const char *want, bool fail_open, char *err, size_t errlen)
{
	char why[256];
	size_t i, len = 0;
	bool any = !strcmp(want, "auto");

	memset(e, 0, sizeof(*e));
	e->fail_open = fail_open;
	if (!any && strcmp(want, "fanotify") && strcmp(want, "kmod") && strcmp(want, "bpf-lsm")) {
		snprintf(err, errlen, "unknown backend '%s': use auto, kmod, bpf-lsm or fanotify", want);
		return -1;
	}
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		const struct kbackend_ops *ops = backends[i];

		if (!any && strcmp(want, ops->name))
			continue;
		e->kb = ops->open(why, sizeof(why));
		if (e->kb) {
			e->ops = ops;
			len += snprintf(e->probe + len, sizeof(e->probe) - len, "%s%s: ready",
					len ? "; " : "", ops->name);
			return 0;
		}
		len += snprintf(e->probe + len, sizeof(e->probe) - len, "%s%s: %s",
				len ? "; " : "", ops->name, why);
		if (len >= sizeof(e->probe))
			len = sizeof(e->probe) - 1;
		if (!any) {
			snprintf(err, errlen, "backend %s is not available: %s", ops->name, why);
			return -1;
		}
	}
	snprintf(e->probe + len, sizeof(e->probe) - len, "%sfanotify: ready", len ? "; " : "");
	return 0;
}

struct rules {
	struct kernel_rule *v;
	size_t n, cap;
	const struct policy *p;
	bool failed;
};

static struct kernel_rule *add(struct rules *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct kernel_rule *v = realloc(r->v, cap * sizeof(*v));

		if (!v) {
			r->failed = true;
			return NULL;
		}
		r->v = v;
		r->cap = cap;
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	return &r->v[r->n++];
}

static void add_inode(void *ctx, const struct watch_item *it)
{
	struct rules *r = ctx;
	struct kernel_rule *k = add(r);

	if (!k)
		return;
	k->type = CRMGUARD_RULE_INODE;
	k->dev = it->dev;
	k->ino = it->ino;
	k->id = it->rule;
	k->flags = (it->dir ? CRMGUARD_F_DIR : 0) |
		   (it->rule >= 0 && r->p->rules[it->rule].audit ? CRMGUARD_F_AUDIT : 0);
	k->mount_fd = it->mount_fd;
	k->fh = it->fh;
}

/*
 * The kernel keeps one rule a uid: the strongest the policy has for it
 * (revoke, then revoke audit, then allow), as decide() lets a revoke win.
 */
static bool weaker_user_rule(const struct policy *p, size_t i)
{
	static const int strength[] = { [RULE_ALLOW_USER] = 1, [RULE_REVOKE_USER] = 2 };
	const struct policy_rule *a = &p->rules[i], *b;
	int sa = strength[a->kind] * 2 + (a->kind == RULE_REVOKE_USER && !a->audit), sb;
	size_t j;

	for (j = 0; j < p->nrules; j++) {
		b = &p->rules[j];
		if (j == i || (b->kind != RULE_ALLOW_USER && b->kind != RULE_REVOKE_USER) ||
		    b->uid != a->uid)
			continue;
		sb = strength[b->kind] * 2 + (b->kind == RULE_REVOKE_USER && !b->audit);
		if (sb > sa || (sb == sa && j < i))
			return true;
	}
	return false;
}

static void add_policy_rules(struct rules *r)
{
	size_t i;

	for (i = 0; i < r->p->nrules; i++) {
		const struct policy_rule *pr = &r->p->rules[i];
		struct kernel_rule *k;

		/* a binary that is not there allows nothing */
		if (pr->kind == RULE_PROTECT || (pr->kind == RULE_ALLOW_EXE && pr->missing) ||
		    ((pr->kind == RULE_ALLOW_USER || pr->kind == RULE_REVOKE_USER) &&
		     weaker_user_rule(r->p, i)) || !(k = add(r)))
			continue;
		k->id = i;
		switch (pr->kind) {
		case RULE_ALLOW_EXE:
			k->type = CRMGUARD_RULE_EXE;
			k->dev = pr->dev;
			k->ino = pr->ino;
			break;
		case RULE_ALLOW_USER:
			k->type = CRMGUARD_RULE_USER;
			k->uid = pr->uid;
			k->user_kind = CRMGUARD_USER_ALLOW;
			break;
		default:
			k->type = CRMGUARD_RULE_USER;
			k->uid = pr->uid;
			k->user_kind = pr->audit ? CRMGUARD_USER_REVOKE_AUDIT : CRMGUARD_USER_REVOKE;
			break;
		}
	}
}

int enforcer_apply(struct enforcer *e, const struct policy *p, const struct watch *w,
		   char *err, size_t errlen)
{
	struct kernel_config cfg = {
		.mode = p->mode == POLICY_ENFORCE ? CRMGUARD_MODE_ENFORCE : CRMGUARD_MODE_AUDIT,
		.fail_open = e->fail_open,
	};
	struct rules r = { .p = p };
	int ret;

	if (!e->ops)
		return 0;
	watch_for_each(w, add_inode, &r);
	add_policy_rules(&r);
	if (r.failed) {
		snprintf(err, errlen, "out of memory building the kernel's rule table");
		ret = -1;
	} else {
		ret = e->ops->replace(e->kb, &cfg, r.v, r.n, err, errlen);
	}
	free(r.v);
	return ret;
}

const char *enforcer_name(const struct enforcer *e)
{
	return e->ops ? e->ops->name : "fanotify";
}

const char *enforcer_limits(const struct enforcer *e)
{
	if (!e->ops)
		return "fanotify permission events answered by crmguardd: if crmguardd stops, "
		       "the kernel lets every access through";
	if (e->fail_open)
		return "in the kernel; fail-open was chosen: if crmguardd stops, "
		       "the kernel lets every access through";
	return "in the kernel: if crmguardd stops, the rules stay in force (fail-closed)";
}

/* Linux release major.minor or later. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	return uname(&u) == 0 && sscanf(u.release, "%d.%d", &ma, &mi) == 2 &&
	       (ma > major || (ma == major && mi >= minor));
}

/*
 * Whatever enforces, no hook sees a page fault: a mapping made before a
 * revoke is ended by killing its process (revoke_end_access()), not by a
 * refusal. fsnotify sees a new mapping of a descriptor
 * opened before only as a pre-content event, which fanotify asks for where
 * the kernel (6.14) and filesystem have them and crmguard.ko never does;
 * and, before 6.14, an open through an overlay mount only as an open of
 * the overlay's own inode. The BPF LSM's hooks see both.
 */
bool enforcer_misses_new_mmap(const struct enforcer *e, const struct watch *w)
{
	return e->ops == &kbackend_kmod || (!e->ops && !watch_has_ranges(w));
}

const char *enforcer_gaps(const struct enforcer *e, const struct watch *w)
{
	bool mmap = enforcer_misses_new_mmap(e, w);
	bool overlay = e->ops != &kbackend_lsm && !kernel_at_least(6, 14);

	if (mmap && overlay)
		return "mmap of a file opened before a revoke or a new rule; "
		       "files opened through an overlay mount";
	if (mmap)
		return "mmap of a file opened before a revoke or a new rule";
	return overlay ? "files opened through an overlay mount" : NULL;
}

int enforcer_fd(const struct enforcer *e)
{
	return e->ops ? e->ops->fd(e->kb) : -1;
}

int enforcer_read(struct enforcer *e, void (*cb)(void *ctx, const struct kernel_verdict *v),
		  void *ctx)
{
	return e->ops ? e->ops->read_verdicts(e->kb, cb, ctx) : 0;
}

bool enforcer_stats(struct enforcer *e, struct kernel_stats *s)
{
	return e->ops && e->ops->stats(e->kb, s) == 0;
}

void enforcer_close(struct enforcer *e)
{
	if (e->ops)
		e->ops->close(e->kb);
	e->ops = NULL;
	e->kb = NULL;
}
