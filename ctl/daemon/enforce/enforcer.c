// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include "ctl/daemon/enforce/enforcer.h"
#include "ctl/daemon/enforce/fsnotify_probe.h"
#include "ctl/daemon/enforce/rulemaps.h"

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
	struct kmounts now;		/* /proc/self/mountinfo, read for this table */
	const struct kmounts *before;	/* for the last one */
	bool subvolumes;		/* the backend tells btrfs subvolumes apart */
	struct kernel_alias *aliases;
	size_t naliases, alias_cap;
	bool failed;			/* out of memory */
	char *err;			/* the first file that cannot be named */
	size_t errlen;
	bool refused;
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

/*
 * The mount mnt_id, as this table is made. A mount gone from mountinfo
 * since the last table may still be alive, detached (a lazy umount: the
 * watch's descriptors hold it, and its files may be mounted elsewhere too),
 * and its id is not given to another while it is: what the last table
 * knew of it stands.
 */
static const struct kmount *mount_of(struct rules *r, int mnt_id)
{
	const struct kmount *m = kmounts_find(&r->now, mnt_id);

	if (m || !(m = kmounts_find(r->before, mnt_id)))
		return m;
	if (kmounts_add(&r->now, m))
		r->failed = true;
	return kmounts_find(&r->now, mnt_id);
}

/*
 * Names a file to the kernel, as the kernel names it: *dev. Else -errno:
 * the file's mount id could not be had (mnt_id), or -ESRCH: its mount is
 * not known, -EOPNOTSUPP: btrfs, which the backend cannot tell apart.
 */
static int kernel_dev(struct rules *r, int mnt_id, dev_t st_dev, uint64_t ino, uint64_t *dev)
{
	const struct kmount *m = mnt_id >= 0 ? mount_of(r, mnt_id) : NULL;
	struct kernel_alias *grown;

	if (mnt_id < 0)
		return mnt_id;
	if (!m)
		return -ESRCH;
	if (m->btrfs && !r->subvolumes)
		return -EOPNOTSUPP;
	*dev = kident_dev(m, st_dev);
	if (*dev == st_dev)
		return 0;
	if (r->naliases == r->alias_cap) {
		r->alias_cap = r->alias_cap ? 2 * r->alias_cap : 16;
		grown = realloc(r->aliases, r->alias_cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		r->aliases = grown;
	}
	r->aliases[r->naliases++] = (struct kernel_alias){ *dev, ino, st_dev };
	return 0;
}

/* Why kernel_dev() could not name file, for `what` (the rule): the first error. */
static void refuse(struct rules *r, int why, int mnt_id, const char *what, const char *file)
{
	if (why == -ENOMEM)
		r->failed = true;
	else if (!r->refused && why == -ESRCH)
		snprintf(r->err, r->errlen, "%s: %s: cannot name it to the kernel: its mount "
			 "(id %d) is not in /proc/self/mountinfo", what, file, mnt_id);
	else if (!r->refused && why == -EOPNOTSUPP)
		snprintf(r->err, r->errlen, "%s: %s is on btrfs, whose module was loaded after "
			 "the BPF LSM programs: they cannot tell its subvolumes apart; restart "
			 "crmguardd", what, file);
	else if (!r->refused)
		snprintf(r->err, r->errlen, "%s: %s: cannot name it to the kernel: its mount "
			 "id: %s", what, file, strerror(-why));
	r->refused |= why != -ENOMEM;
}

/* The file an item names, for a message: its path now, else its numbers. */
static const char *item_name(const struct watch_item *it, char *buf, size_t len)
{
	char self[32];
	ssize_t n = -1;
	int fd = it->fh ? open_by_handle_at(it->mount_fd, (struct file_handle *)it->fh,
					    O_PATH | O_CLOEXEC) : -1;

	if (fd >= 0) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		n = readlink(self, buf, len - 1);
		close(fd);
	}
	if (n > 0)
		buf[n] = 0;
	else
		snprintf(buf, len, "inode %llu of device %u:%u", (unsigned long long)it->ino,
			 major(it->dev), minor(it->dev));
	return buf;
}

/* FNV-1a over the handle's type and bytes. */
static uint64_t handle_digest(const struct file_handle *fh)
{
	uint64_t h = 14695981039346656037ULL;
	unsigned int i;

	if (!fh)
		return 0;
	h = (h ^ (uint32_t)fh->handle_type) * 1099511628211ULL;
	for (i = 0; i < fh->handle_bytes; i++)
		h = (h ^ fh->f_handle[i]) * 1099511628211ULL;
	return h ? h : 1;
}

static void add_inode(void *ctx, const struct watch_item *it)
{
	struct rules *r = ctx;
	const struct policy_rule *pr = it->rule >= 0 ? &r->p->rules[it->rule] : NULL;
	char what[PATH_MAX + 64], file[PATH_MAX];
	struct kernel_rule *k;
	uint64_t dev;
	int ret;

	ret = kernel_dev(r, it->mnt_id, it->dev, it->ino, &dev);
	if (ret) {
		if (pr)
			snprintf(what, sizeof(what), "%s:%d: protect %s", pr->file, pr->line, pr->arg);
		else
			snprintf(what, sizeof(what), "protect");
		refuse(r, ret, it->mnt_id, what, item_name(it, file, sizeof(file)));
		return;
	}
	k = add(r);
	if (!k)
		return;
	k->type = CRMGUARD_RULE_INODE;
	k->dev = dev;
	k->st_dev = it->dev;
	k->ino = it->ino;
	k->id = it->rule;
	k->flags = (it->dir ? CRMGUARD_F_DIR : 0) |
		   (it->rule >= 0 && r->p->rules[it->rule].audit ? CRMGUARD_F_AUDIT : 0);
	k->mount_fd = it->mount_fd;
	k->fh = it->fh;
	k->ident = handle_digest(it->fh);
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

/* An allowed binary's device, as the kernel names it. */
static bool exe_dev(struct rules *r, const struct policy_rule *pr, uint64_t *dev)
{
	int ret = kernel_dev(r, pr->mnt_id, pr->dev, pr->ino, dev);
	char what[PATH_MAX + 64];

	if (!ret)
		return true;
	snprintf(what, sizeof(what), "%s:%d: allow exe", pr->file, pr->line);
	refuse(r, ret, pr->mnt_id, what, pr->arg);
	return false;
}

static void add_policy_rules(struct rules *r)
{
	uint64_t dev = 0;
	size_t i;

	for (i = 0; i < r->p->nrules; i++) {
		const struct policy_rule *pr = &r->p->rules[i];
		struct kernel_rule *k;

		/* a binary that is not there allows nothing */
		if (pr->kind == RULE_PROTECT || (pr->kind == RULE_ALLOW_EXE && pr->missing) ||
		    ((pr->kind == RULE_ALLOW_USER || pr->kind == RULE_REVOKE_USER) &&
		     weaker_user_rule(r->p, i)) ||
		    (pr->kind == RULE_ALLOW_EXE && !exe_dev(r, pr, &dev)) || !(k = add(r)))
			continue;
		k->id = i;
		switch (pr->kind) {
		case RULE_ALLOW_EXE:
			k->type = CRMGUARD_RULE_EXE;
			k->dev = dev;
			k->st_dev = pr->dev;
			k->ino = pr->ino;
			k->path = pr->arg;
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

static int cmp_alias(const void *a, const void *b)
{
	const struct kernel_alias *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

int enforcer_apply(struct enforcer *e, const struct policy *p, const struct watch *w,
		   char *err, size_t errlen)
{
	struct kernel_config cfg = {
		.mode = p->mode == POLICY_ENFORCE ? CRMGUARD_MODE_ENFORCE : CRMGUARD_MODE_AUDIT,
		.fail_open = e->fail_open && !e->locked,
		.locked = e->locked,
	};
	struct rules r = { .p = p, .before = &e->mounts, .err = err, .errlen = errlen };
	bool kernel = enforcer_has_rules(e);
	int ret;

	if (!kernel && !e->mirror)
		return 0;
	/* once a table: every file it names is looked up in it */
	ret = kmounts_load(&r.now, err, errlen);
	if (ret)
		return kernel ? ret : (err[0] = 0, 0);
	r.subvolumes = e->ops ? e->ops->knows_subvolumes(e->kb) :
		       e->handover ? handover_knows_subvolumes(e->handover) : e->mirror_subvolumes;
	watch_for_each(w, add_inode, &r);
	add_policy_rules(&r);
	if (!kernel) {
		/* the mirror alone (fanotify decides): what could be named, no error */
		if (!r.failed)
			e->mirror(e->mirror_ctx, r.v, r.n);
		err[0] = 0;
	} else if (r.failed) {
		snprintf(err, errlen, "out of memory building the kernel's rule table");
		ret = -ENOMEM;
	} else if (r.refused) {
		ret = -EINVAL;
	} else if (e->ops) {
		ret = e->ops->replace(e->kb, &cfg, r.v, r.n, err, errlen);
	} else if (e->handover) {
		ret = handover_replace(e->handover, &cfg, r.v, r.n, err, errlen);
	}
	if (!ret && kernel && e->mirror)
		e->mirror(e->mirror_ctx, r.v, r.n);
	if (!ret && kernel) {
		if (r.naliases)
			qsort(r.aliases, r.naliases, sizeof(*r.aliases), cmp_alias);
		free(e->aliases);
		e->aliases = r.aliases;
		e->naliases = r.naliases;
		r.aliases = NULL;
		kmounts_free(&e->mounts);
		e->mounts = r.now;
		r.now = (struct kmounts){ 0 };
	}
	kmounts_free(&r.now);
	free(r.aliases);
	free(r.v);
	return ret;
}

void enforcer_mirror(struct enforcer *e, void (*fn)(void *ctx, const struct kernel_rule *rules,
						    size_t n), void *ctx)
{
	e->mirror = fn;
	e->mirror_ctx = ctx;
	/* a BPF reader names a btrfs inode by its subvolume where the kernel describes it */
	e->mirror_subvolumes = rulemaps_btrfs_described();
}

dev_t enforcer_stat_dev(const struct enforcer *e, uint64_t dev, uint64_t ino)
{
	struct kernel_alias key = { .dev = dev, .ino = ino }, *a;

	a = e->naliases ? bsearch(&key, e->aliases, e->naliases, sizeof(key), cmp_alias) : NULL;
	return a ? a->st_dev : (dev_t)dev;
}

bool enforcer_exe_ambiguous(const struct enforcer *e, const struct policy_rule *r)
{
	const struct kmount *m = kmounts_find(&e->mounts, r->mnt_id);

	return e->ops && r->kind == RULE_ALLOW_EXE && !r->missing && m &&
	       kident_dev(m, r->dev) != r->dev;
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

/*
 * Whatever enforces, no hook sees a page fault: a mapping made before a
 * revoke is ended by killing its process (held_scan()), not by a
 * refusal. fsnotify sees a new mapping of a descriptor
 * opened before only as a pre-content event, which fanotify asks for where
 * the kernel (6.14) and filesystem have them and crmguard.ko never does;
 * and, on some kernels (overlay_opens_seen() tries), an open through an
 * overlay mount only as an open of the overlay's own inode. The BPF LSM's
 * hooks see both.
 */
bool enforcer_misses_new_mmap(const struct enforcer *e, const struct watch *w)
{
	return e->ops == &kbackend_kmod || (!e->ops && !watch_has_ranges(w));
}

/*
 * Newer kernels decide at open whether a file reports its reads to
 * fsnotify at all: one opened while no permission mark was on its
 * filesystem never does, whatever marks come later (old_reads_seen()).
 * The BPF LSM's file_permission sees every read.
 */
bool enforcer_sees_old_reads(const struct enforcer *e)
{
	return e->ops == &kbackend_lsm || old_reads_seen();
}

const char *enforcer_gaps(const struct enforcer *e, const struct watch *w)
{
	static char gaps[256];
	size_t n = 0;

	gaps[0] = 0;
	if (!enforcer_sees_old_reads(e))
		n += snprintf(gaps + n, sizeof(gaps) - n, "%sreads of a file opened before "
			      "crmguardd or before its rule (its holder is ended)", n ? "; " : "");
	if (enforcer_misses_new_mmap(e, w))
		n += snprintf(gaps + n, sizeof(gaps) - n, "%smmap of a file opened before "
			      "a revoke or a new rule", n ? "; " : "");
	if (e->ops != &kbackend_lsm && !overlay_opens_seen())
		n += snprintf(gaps + n, sizeof(gaps) - n, "%sfiles opened through an overlay mount",
			      n ? "; " : "");
	return n ? gaps : NULL;
}

bool enforcer_watch_handovers(struct enforcer *e, bool want, int injected_fd)
{
	e->handover_err[0] = 0;
	if (e->ops || !want) {
		handover_close(e->handover);
		e->handover = NULL;
		return true;
	}
	if (!e->handover)
		e->handover = handover_open(injected_fd, e->handover_err, sizeof(e->handover_err));
	return e->handover != NULL;
}

bool enforcer_has_rules(const struct enforcer *e)
{
	return e->ops || e->handover;
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

bool enforcer_holds_clipboard(const struct enforcer *e)
{
	return e->ops && e->ops->clipboard;
}

/* Are all of probes (CRMGUARD_CLIP_PROBES_*) of crmguard.ko's display probes on? */
static bool display_probes(struct enforcer *e, uint32_t probes)
{
	struct kernel_stats ks;

	return enforcer_holds_clipboard(e) && enforcer_stats(e, &ks) &&
	       (ks.clip_probes & probes) == probes;
}

bool enforcer_sees_display(struct enforcer *e)
{
	return display_probes(e, CRMGUARD_CLIP_PROBES_SEE);
}

bool enforcer_refuses_display(struct enforcer *e)
{
	return display_probes(e, CRMGUARD_CLIP_PROBES_SEE | CRMGUARD_CLIP_PROBES_REFUSE);
}

int enforcer_taint(struct enforcer *e, pid_t pid)
{
	return enforcer_holds_clipboard(e) ? e->ops->taint(e->kb, pid) : -EOPNOTSUPP;
}

int enforcer_clipboard(struct enforcer *e, uint32_t mode, const int *tool_fds, size_t ntools,
		       const int *allow_fds, size_t nallow, char *err, size_t errlen)
{
	if (!enforcer_holds_clipboard(e))
		return -EOPNOTSUPP;
	return e->ops->clipboard(e->kb, mode, tool_fds, ntools, allow_fds, nallow, err, errlen);
}

int enforcer_lock(struct enforcer *e, const char *policy_hash, char *err, size_t errlen)
{
	int ret = e->ops && e->ops->lock ? e->ops->lock(e->kb, policy_hash, err, errlen) : 0;

	e->locked |= !ret;
	return ret;
}

bool enforcer_kernel_locks(const struct enforcer *e)
{
	return e->ops && e->ops->lock;
}

void enforcer_close(struct enforcer *e)
{
	if (e->ops)
		e->ops->close(e->kb);
	handover_close(e->handover);
	e->handover = NULL;
	e->ops = NULL;
	e->kb = NULL;
	kmounts_free(&e->mounts);
	free(e->aliases);
	e->aliases = NULL;
	e->naliases = 0;
}
