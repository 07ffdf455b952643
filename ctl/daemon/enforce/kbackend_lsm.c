// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF LSM backend: loads ebpf/enforce.bpf.c and keeps the rule model
 * of kmod/uapi/crmguard.h in its maps.
 *
 * What outlives crmguardd sits under ENFORCE_PIN_DIR: the maps (lsm_*),
 * always, and the links (link_<program>) unless fail-open. A pinned link
 * keeps its program, and through it the maps, in force with no process
 * holding them, so a killed daemon leaves the door shut. With fail-open
 * the links are held by the daemon's descriptors only and go with it: a
 * dead daemon denies nothing, and nothing in the kernel has to judge
 * whether the daemon is alive.
 *
 * A new daemon adopts that state: libbpf reuses the pinned maps (rules,
 * counters and verdicts not read yet), the programs are attached next to
 * the pinned links, and each new link is renamed over the old one's pin.
 * The old program runs until the new one does: no moment goes unguarded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "enforce.skel.h"
#include "ctl/daemon/enforce/bpf_lsm.h"
#include "ctl/daemon/enforce/kbackend.h"
#include "ctl/daemon/enforce/lsm_lock.h"
#include "ctl/daemon/enforce/rulemaps.h"
#include "ebpf/enforce.h"

#define MAX_PROGS 24

struct kbackend {
	struct enforce_bpf *skel;
	struct bpf_program *progs[MAX_PROGS];
	struct bpf_link *links[MAX_PROGS];
	size_t nprogs;
	struct ring_buffer *rb;
	void (*cb)(void *ctx, const struct kernel_verdict *v);
	void *ctx;
	struct kernel_verdict v;	/* a path long: one, reused */
	__u64 *percpu;			/* a counter's value on each CPU */
	int ncpus;
	uint32_t nrules;
	bool btrfs;			/* the programs name btrfs inodes by subvolume */
};

static int pin_links(struct kbackend *b, bool pin, char *err, size_t errlen)
{
	char path[BPF_LSM_PIN_PATH_MAX];
	size_t i;
	int ret;

	for (i = 0; i < b->nprogs; i++) {
		bpf_lsm_pin_path(ENFORCE_PIN_DIR, b->progs[i], path, sizeof(path));
		if (pin)
			ret = bpf_lsm_pin_link(ENFORCE_PIN_DIR, b->progs[i], b->links[i]);
		else
			ret = unlink(path) && errno != ENOENT ? -errno : 0;
		if (ret) {
			snprintf(err, errlen, "%s %s: %s", pin ? "pinning" : "unpinning", path,
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Were the links of the last daemon pinned (fail-closed)? */
static bool links_pinned(const struct kbackend *b)
{
	char path[BPF_LSM_PIN_PATH_MAX];
	size_t i;

	for (i = 0; i < b->nprogs; i++) {
		bpf_lsm_pin_path(ENFORCE_PIN_DIR, b->progs[i], path, sizeof(path));
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

/*
 * The executable's path from its components, last first. Past the depth
 * the program walks it starts with "..."; it is the path within the
 * executable's filesystem (/usr mounted apart gives /bin/cat).
 */
static void exe_path(const struct enforce_verdict *e, char *buf, size_t len)
{
	size_t used = 0;
	int i, top = -1;

	for (i = 0; i < ENFORCE_EXE_DEPTH && e->exe[i][0]; i++)
		top = i;
	buf[0] = 0;
	if (top == ENFORCE_EXE_DEPTH - 1)
		used = snprintf(buf, len, "...");
	for (i = top; i >= 0 && used < len; i--)
		used += snprintf(buf + used, len - used, "/%.*s", ENFORCE_EXE_NAME, e->exe[i]);
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct kbackend *b = ctx;
	const struct enforce_verdict *e = data;
	struct kernel_verdict *v = &b->v;

	if (len < sizeof(*e))
		return 0;
	/* a refusal of the lock: who, and the signal or command */
	v->refused_cmd = e->op >= ENFORCE_OP_UNPIN ? e->op : 0;
	v->op = e->op;
	v->verdict = e->verdict;
	v->rule_id = e->rule_id;
	v->pid = e->pid;
	v->tid = e->tid;
	v->uid = e->uid;
	v->dev = e->dev;
	v->ino = e->ino;
	v->exe_dev = e->exe_dev;
	v->exe_ino = e->exe_ino;
	snprintf(v->comm, sizeof(v->comm), "%.*s", (int)sizeof(e->comm), e->comm);
	snprintf(v->path, sizeof(v->path), "%.*s", (int)sizeof(e->path), e->path);
	exe_path(e, v->exe, sizeof(v->exe));
	b->cb(b->ctx, v);
	return 0;
}

static void lsm_close(struct kbackend *b)
{
	size_t i;

	if (!b)
		return;
	/* closes the descriptors: a pinned link stays in force through its pin */
	for (i = 0; i < b->nprogs; i++)
		bpf_link__destroy(b->links[i]);
	ring_buffer__free(b->rb);
	enforce_bpf__destroy(b->skel);
	free(b->percpu);
	free(b);
}

static void explain_load(int ret, char *err, size_t errlen)
{
	char path[BPF_LSM_PIN_PATH_MAX];
	struct enforce_lock l;

	snprintf(path, sizeof(path), "%s/lsm_inodes", ENFORCE_PIN_DIR);
	if (ret == -EPERM && lsm_pins_locked(&l))
		snprintf(err, errlen, "the BPF LSM is locked until reboot by a crmguardd that ended: "
			 "its programs keep enforcing the locked rules, and only a crmguardd of the "
			 "same binary may take them over, neither traced nor started with a library "
			 "injected (LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH)");
	else if (ret == -EPERM || ret == -EACCES)
		snprintf(err, errlen, "the kernel refused the BPF LSM programs (%s): run as root; "
			 "some kernels allow no LSM programs at all", strerror(-ret));
	else if (access(path, F_OK) == 0)
		snprintf(err, errlen, "loading the BPF LSM programs failed (%s); if the maps pinned in %s "
			 "are another crmguard version's, remove them (rm -r %s) and start again",
			 strerror(-ret), ENFORCE_PIN_DIR, ENFORCE_PIN_DIR);
	else
		snprintf(err, errlen, "loading the BPF LSM programs failed (%s); run with -v for libbpf's log",
			 strerror(-ret));
}

static int attach(struct kbackend *b, char *err, size_t errlen)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, b->skel->obj) {
		if (b->nprogs == MAX_PROGS) {
			snprintf(err, errlen, "enforce.bpf.c has more than %d programs", MAX_PROGS);
			return -E2BIG;
		}
		b->progs[b->nprogs] = prog;
		b->links[b->nprogs] = bpf_program__attach(prog);
		if (!b->links[b->nprogs]) {
			int ret = -errno;

			snprintf(err, errlen, "attaching %s: %s", bpf_program__section_name(prog),
				 strerror(-ret));
			return ret;
		}
		b->nprogs++;
	}
	return 0;
}

static struct kbackend *lsm_open(char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = ENFORCE_PIN_DIR);
	struct enforce_lock l;
	struct kbackend *b;
	bool locked;
	int ret;

	if (bpf_lsm_active(err, errlen) || bpf_lsm_pin_dir(ENFORCE_PIN_DIR, err, errlen))
		return NULL;
	locked = lsm_pins_locked(&l);
	if (locked && lsm_lock_holder_runs(&l)) {
		snprintf(err, errlen, "the BPF LSM is locked until reboot by crmguardd (pid %u), "
			 "which runs: one crmguardd at a time", l.daemon_tgid);
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->btrfs = rulemaps_btrfs_described();
	b->skel = enforce_bpf__open_opts(&opts);
	ret = b->skel ? enforce_bpf__load(b->skel) : -errno;
	if (ret) {
		explain_load(ret, err, errlen);
		goto fail;
	}
	/*
	 * Locked: the pinned links keep the locked programs, which the lock
	 * will not let go, in force over the maps this one now shares; its
	 * own would decide and record every access twice.
	 */
	if (!locked && attach(b, err, errlen))
		goto fail;
	/* the last daemon's fail-closed pins now hold our links */
	if (links_pinned(b) && pin_links(b, true, err, errlen))
		goto fail;
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.lsm_verdicts), on_record, b, NULL);
	b->ncpus = libbpf_num_possible_cpus();
	b->percpu = b->ncpus > 0 ? calloc(b->ncpus, sizeof(*b->percpu)) : NULL;
	if (!b->rb || !b->percpu) {
		snprintf(err, errlen, "ring buffer or counters of the BPF LSM: %s", strerror(errno));
		goto fail;
	}
	b->nrules = rulemaps_count(&(struct rulemaps)RULEMAPS_OF(b->skel));
	return b;
fail:
	lsm_close(b);
	return NULL;
}

/* Sets lsm_lock: locked, this crmguardd, and the pin directory (kernel dev_t). */
static int lock_map(struct kbackend *b, char *err, size_t errlen)
{
	struct enforce_lock l = { 0 };
	struct stat st;
	__u32 zero = 0;

	/* the count of refusals goes on */
	bpf_map__lookup_elem(b->skel->maps.lsm_lock, &zero, sizeof(zero), &l, sizeof(l), 0);
	l.locked = 1;
	l.daemon_tgid = getpid();
	if (stat(ENFORCE_PIN_DIR, &st)) {
		snprintf(err, errlen, "%s: %s", ENFORCE_PIN_DIR, strerror(errno));
		return -errno;
	}
	l.pin_dev = (__u64)major(st.st_dev) << 20 | minor(st.st_dev);
	l.pin_ino = st.st_ino;
	if (bpf_map__update_elem(b->skel->maps.lsm_lock, &zero, sizeof(zero), &l, sizeof(l), BPF_ANY)) {
		snprintf(err, errlen, "lsm_lock: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int lsm_replace(struct kbackend *b, const struct kernel_config *cfg,
		       const struct kernel_rule *rules, size_t n, char *err, size_t errlen)
{
	struct enforce_config c = { cfg->mode, cfg->fail_open, getpid() };
	struct rulemaps maps = RULEMAPS_OF(b->skel);
	int ret;

	/* locked: rules only grow, the pins stay, and the lock knows this crmguardd */
	ret = rulemaps_replace(&maps, &c, rules, n, cfg->locked, err, errlen);
	if (!ret)
		ret = cfg->locked ? lock_map(b, err, errlen) : pin_links(b, !cfg->fail_open, err, errlen);
	b->nrules = rulemaps_count(&maps);
	return ret;
}

static int lsm_fd(struct kbackend *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

static int lsm_read_verdicts(struct kbackend *b,
			     void (*cb)(void *ctx, const struct kernel_verdict *v), void *ctx)
{
	b->cb = cb;
	b->ctx = ctx;
	return ring_buffer__consume(b->rb);
}

static int lsm_stats(struct kbackend *b, struct kernel_stats *s)
{
	__u64 sum[ENFORCE_NSTATS] = { 0 };
	struct enforce_lock_daemon ld = { 0 };
	struct enforce_lock lock = { 0 };
	__u32 k, zero = 0;
	int cpu;

	if (bpf_map__lookup_elem(b->skel->maps.lsm_lock, &zero, sizeof(zero), &lock, sizeof(lock), 0))
		return -errno;
	for (k = 0; k < ENFORCE_NSTATS; k++) {
		if (bpf_map__lookup_elem(b->skel->maps.lsm_stats, &k, sizeof(k), b->percpu,
					 b->ncpus * sizeof(*b->percpu), 0))
			return -errno;
		for (cpu = 0; cpu < b->ncpus; cpu++)
			sum[k] += b->percpu[cpu];
	}
	s->allow = sum[ENFORCE_STAT_ALLOW];
	s->audit = sum[ENFORCE_STAT_AUDIT];
	s->deny = sum[ENFORCE_STAT_DENY];
	s->lost = sum[ENFORCE_STAT_LOST];
	s->rules = b->nrules;
	s->locked = lock.locked;
	s->refused = lock.refused;
	if (bpf_map__lookup_elem(b->skel->maps.lsm_lock_daemon, &zero, sizeof(zero), &ld,
				 sizeof(ld), 0))
		return -errno;
	snprintf(s->lock_hash, sizeof(s->lock_hash), "%.*s", (int)sizeof(ld.policy_hash),
		 ld.policy_hash);
	return 0;
}

/*
 * The links pinned first (a fail-open crmguardd's were not): the pins are
 * what the lock keeps. Then what the lock knows of this crmguardd, whose
 * binary nobody may write from then on and whose successor must run it.
 */
static int lsm_lock(struct kbackend *b, const char *policy_hash, char *err, size_t errlen)
{
	struct enforce_lock_daemon ld = { 0 };
	__u32 zero = 0;
	int ret;

	ret = pin_links(b, true, err, errlen) ?: lsm_own_exe(&ld.exe, err, errlen);
	if (ret)
		return ret;
	snprintf(ld.policy_hash, sizeof(ld.policy_hash), "%s", policy_hash);
	if (bpf_map__update_elem(b->skel->maps.lsm_lock_daemon, &zero, sizeof(zero), &ld,
				 sizeof(ld), BPF_ANY)) {
		snprintf(err, errlen, "lsm_lock_daemon: %s", strerror(errno));
		return -errno;
	}
	return lock_map(b, err, errlen);
}

static bool lsm_knows_subvolumes(struct kbackend *b)
{
	return b->btrfs;
}

const struct kbackend_ops kbackend_lsm = {
	.name = "bpf-lsm",
	.open = lsm_open,
	.replace = lsm_replace,
	.fd = lsm_fd,
	.read_verdicts = lsm_read_verdicts,
	.stats = lsm_stats,
	.knows_subvolumes = lsm_knows_subvolumes,
	.lock = lsm_lock,
	.close = lsm_close,
};
