// SPDX-License-Identifier: GPL-2.0
/*
 * What each process was started with. An allowed binary is not trusted
 * when a loader variable (LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH, set and
 * not empty) put foreign code in it. That is judged once, at exec, when
 * the new program's environment is in place and none of its code has run:
 * an injected library can overwrite its own environment block before
 * main(), so what the block says later proves nothing.
 *
 * Three tracepoints, found by name (modules may not use their symbols):
 * sched_process_exec judges the environment, sched_process_fork hands the
 * verdict to a new process, sched_process_exit drops it with the last
 * thread. Threads share their process's record. The enforcement handler
 * looks the record up under RCU.
 *
 * The record also carries the clipboard's taint (uapi/crmguard.h
 * CRMGUARD_CMD_TAINT): set when crmguardd names the process, handed to
 * each child at fork, kept across exec, gone with the process; the key
 * below keeps a new process that gets the pid from inheriting it.
 *
 * A process started before the module has no record: its environment is
 * read at each access, as before, which an injected library can fool by
 * scrubbing it. Such a process is one whose start time (/proc/PID/stat,
 * field 22) is before the load time the module logs; it is judged at exec
 * from its next exec on.
 *
 * The probes run with preemption off, where PREEMPT_RT allows neither an
 * allocation (even GFP_ATOMIC) nor a spinlock_t or a local_bh_disable()
 * (which rhashtable's bucket locks take). So records come from a pool
 * that a work item fills with GFP_KERNEL ahead of need, the table is a
 * fixed array of hlist buckets read under RCU, and what changes it holds
 * a raw spinlock, which spins on RT too.
 */
#include <linux/atomic.h>
#include <linux/binfmts.h>
#include <linux/hash.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/rculist.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/threads.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <trace/events/sched.h>
#include "crmguard.h"

/*
 * How much environment is read through for a loader variable; past that
 * the process is not trusted. At exec it is read once, with preemption
 * off (tracepoint probes run so): 256 KiB is far more than any real
 * environment and still a short stretch. At each access (processes from
 * before the module) it is crmguardd's bound.
 */
#define CG_ENV_EXEC_MAX	(256 * 1024)
#define CG_ENV_LIVE_MAX	65536

static unsigned int proc_max = 1 << 18;
module_param(proc_max, uint, 0444);
MODULE_PARM_DESC(proc_max,
		 "processes whose exec the module keeps a record of; those it has no room for are not trusted (default 262144)");

enum cg_proc_state {
	CG_PROC_CLEAN,
	CG_PROC_INJECTED,
	CG_PROC_UNKNOWN,	/* a child of a process from before the module */
};

/*
 * The key: the process's tgid and the start time of its thread group
 * leader. A pid is only reused once its process is gone, and the new one
 * starts later, so a record that outlived its process (none should: the
 * last thread's exit drops it) can never be taken for a new process's.
 * Both stay put for the life of the process: a thread that execs takes
 * over the leader's pid and its start time (de_thread()). start_boottime
 * is what /proc/PID/stat shows, so the load time can be compared with it.
 */
struct cg_proc_key {
	u64 start;
	pid_t tgid;
};

struct cg_proc {
	struct hlist_node node;	/* in its bucket, or in the pool's free list */
	struct cg_proc_key key;
	u32 state;		/* enum cg_proc_state; WRITE_ONCE at exec */
	bool tainted;		/* WRITE_ONCE: only ever set */
	struct rcu_head rcu;
};

/*
 * The table: lookups walk a bucket under RCU; a change holds the lock of
 * the bucket's stripe. 4096 buckets: a handful of processes in each on a
 * busy machine, 64 on average at the default bound.
 */
#define CG_PROC_BITS	12
#define CG_LOCK_BITS	6
static struct hlist_head cg_procs[1 << CG_PROC_BITS];
static raw_spinlock_t cg_proc_locks[1 << CG_LOCK_BITS];
static atomic_t cg_nprocs = ATOMIC_INIT(0);
/* Boot time from which every new process gets a record; U64_MAX until then. */
static u64 cg_epoch = U64_MAX;

static u32 cg_bucket(const struct cg_proc_key *key)
{
	return hash_64(key->start ^ hash_64(key->tgid, 64), CG_PROC_BITS);
}

static raw_spinlock_t *cg_proc_lock(const struct cg_proc_key *key)
{
	return &cg_proc_locks[cg_bucket(key) & (ARRAY_SIZE(cg_proc_locks) - 1)];
}

/*
 * The pool the probes take records from. A work item grows it a chunk at
 * a time, with GFP_KERNEL, while fewer than CG_POOL_LOW are free: a burst
 * of forks between two of its runs finds records. It holds proc_max and a
 * chunk at most (a record that a process left waits out a grace period
 * before it is free again), and never shrinks: its size is what the
 * busiest moment took, bounded. The lock is also taken in RCU callbacks,
 * which may run in softirq: irqsave.
 */
#define CG_POOL_CHUNK	1024
#define CG_POOL_LOW	512

struct cg_chunk {
	struct list_head list;
	struct cg_proc procs[];
};

static struct {
	raw_spinlock_t lock;
	struct hlist_head free;
	unsigned int nfree, nmade;
	struct list_head chunks;	/* the work item's (and init's and exit's) */
} cg_pool = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(cg_pool.lock),
	.chunks = LIST_HEAD_INIT(cg_pool.chunks),
};

static void cg_pool_fill(struct work_struct *work);
static DECLARE_WORK(cg_pool_work, cg_pool_fill);

static unsigned int cg_pool_cap(void)
{
	return proc_max + CG_POOL_CHUNK;
}

/* nmade changes here only: the work item does not run twice at once. */
static void cg_pool_fill(struct work_struct *work)
{
	unsigned long flags;
	struct cg_chunk *c;
	unsigned int i, n;

	while (READ_ONCE(cg_pool.nfree) < CG_POOL_LOW) {
		n = min_t(unsigned int, CG_POOL_CHUNK, cg_pool_cap() - cg_pool.nmade);
		if (!n)
			return;
		c = kvmalloc(struct_size(c, procs, n), GFP_KERNEL);
		if (!c)
			return;
		list_add(&c->list, &cg_pool.chunks);
		raw_spin_lock_irqsave(&cg_pool.lock, flags);
		for (i = 0; i < n; i++)
			hlist_add_head(&c->procs[i].node, &cg_pool.free);
		cg_pool.nfree += n;
		cg_pool.nmade += n;
		raw_spin_unlock_irqrestore(&cg_pool.lock, flags);
	}
}

/* A free record, or NULL; asks for more while few are left. */
static struct cg_proc *cg_pool_take(void)
{
	struct cg_proc *p = NULL;
	unsigned long flags;
	bool low;

	raw_spin_lock_irqsave(&cg_pool.lock, flags);
	if (!hlist_empty(&cg_pool.free)) {
		p = hlist_entry(cg_pool.free.first, struct cg_proc, node);
		hlist_del(&p->node);
		cg_pool.nfree--;
	}
	low = cg_pool.nfree < CG_POOL_LOW && cg_pool.nmade < cg_pool_cap();
	raw_spin_unlock_irqrestore(&cg_pool.lock, flags);
	if (low)
		schedule_work(&cg_pool_work);
	return p;
}

/* p is in no bucket, and no lookup that found it there is still running. */
static void cg_pool_put(struct cg_proc *p)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&cg_pool.lock, flags);
	hlist_add_head(&p->node, &cg_pool.free);
	cg_pool.nfree++;
	raw_spin_unlock_irqrestore(&cg_pool.lock, flags);
}

static void cg_proc_reuse(struct rcu_head *rcu)
{
	cg_pool_put(container_of(rcu, struct cg_proc, rcu));
}

/* Under RCU or the key's lock. */
static struct cg_proc *cg_proc_find(const struct cg_proc_key *key)
{
	struct cg_proc *p;

	hlist_for_each_entry_rcu(p, &cg_procs[cg_bucket(key)], node,
				 lockdep_is_held(cg_proc_lock(key)))
		if (p->key.start == key->start && p->key.tgid == key->tgid)
			return p;
	return NULL;
}

#define CG_VAR(s)	{ s, sizeof(s) - 1 }
static const struct {
	const char *name;
	size_t len;
} cg_loader_vars[] = { CG_VAR("LD_PRELOAD="), CG_VAR("LD_AUDIT="), CG_VAR("LD_LIBRARY_PATH=") };
#define CG_ALL_VARS	(BIT(ARRAY_SIZE(cg_loader_vars)) - 1)

/*
 * Reads an environment block a piece at a time: in each NUL-ended entry,
 * which loader variables the bytes so far still match (live) and how far
 * in it is (pos). A variable matched up to its '=' and a byte after it:
 * found. An entry that matches none is skipped to its end.
 */
struct cg_env_scan {
	size_t pos;
	unsigned int live;
	bool found;
};

static void cg_env_feed(struct cg_env_scan *e, const char *p, size_t n)
{
	const char *end = p + n, *nul;
	size_t j;

	while (p < end && !e->found) {
		if (!e->live) {
			nul = memchr(p, 0, end - p);
			if (!nul)
				return;
			p = nul;
		}
		if (!*p) {
			e->pos = 0;
			e->live = CG_ALL_VARS;
			p++;
			continue;
		}
		for (j = 0; j < ARRAY_SIZE(cg_loader_vars); j++) {
			if (!(e->live & BIT(j)))
				continue;
			if (e->pos == cg_loader_vars[j].len)
				e->found = true;
			else if (cg_loader_vars[j].name[e->pos] != *p)
				e->live &= ~BIT(j);
		}
		e->pos++;
		p++;
	}
}

/*
 * Whether current's environment block sets a loader variable, as
 * /proc/PID/environ would show it. What cannot be read through (more than
 * max bytes, or a piece that cannot be read) is not trusted. nofault: in
 * atomic context, where a page that is not there cannot be brought in.
 */
static bool cg_env_injected(size_t max, bool nofault)
{
	struct cg_env_scan e = { .live = CG_ALL_VARS };
	struct mm_struct *mm = current->mm;
	unsigned long start, end, n, left;
	char buf[256];

	if (!mm)
		return false;
	/*
	 * At exec (nofault) the mm is new and only current has it, and the
	 * new program cannot have moved its environment (prctl PR_SET_MM) yet:
	 * no lock, which would sleep on PREEMPT_RT with preemption off.
	 */
	if (nofault) {
		start = mm->env_start;
		end = mm->env_end;
	} else {
		spin_lock(&mm->arg_lock);
		start = mm->env_start;
		end = mm->env_end;
		spin_unlock(&mm->arg_lock);
	}
	if (end > start && end - start > max)
		return true;
	for (; start < end && !e.found; start += n) {
		n = min(end - start, sizeof(buf));
		if (nofault)
			left = copy_from_user_nofault(buf, (const void __user *)start, n) ? n : 0;
		else
			left = copy_from_user(buf, (const void __user *)start, n);
		if (left)
			return true;
		cg_env_feed(&e, buf, n);
	}
	return e.found;
}

static struct cg_proc_key cg_key_of(struct task_struct *t)
{
	struct cg_proc_key key = {
		.start = t->group_leader->start_boottime,
		.tgid = t->tgid,
	};

	return key;
}

/*
 * Under RCU: the state of t's process, what having no record means
 * included; and, if tainted is not NULL, whether it is tainted.
 */
static u32 cg_proc_state(struct task_struct *t, bool *tainted)
{
	struct cg_proc_key key = cg_key_of(t);
	struct cg_proc *p;

	p = cg_proc_find(&key);
	if (tainted)
		*tainted = p && READ_ONCE(p->tainted);
	if (p)
		return READ_ONCE(p->state);
	/* From before the module: its environment is all there is to go by. */
	if (key.start <= READ_ONCE(cg_epoch))
		return CG_PROC_UNKNOWN;
	/* Started since, with no room for its record: not trusted. */
	return CG_PROC_INJECTED;
}

/*
 * Records the state of a process that has no record yet; if it has one,
 * sets it. Beyond proc_max records, none is made (and the process is not
 * trusted) unless over: a process from before the module at its first
 * exec, which would otherwise be left to the weaker check of its live
 * environment, or a tainted one's child, which would lose the taint.
 * That makes one record at most per process that was running at load
 * time, so the table stays bounded (a tainted parent's children are few).
 */
static void cg_proc_add(const struct cg_proc_key *key, u32 state, bool tainted, bool over)
{
	raw_spinlock_t *lock = cg_proc_lock(key);
	struct cg_proc *p, *old;
	long err = -ENOSPC;

	if (atomic_inc_return(&cg_nprocs) > proc_max && !over)
		goto fail;
	/* The pool is empty: the work item has not caught up with forks. */
	err = -ENOMEM;
	p = cg_pool_take();
	if (!p)
		goto fail;
	p->key = *key;
	p->state = state;
	p->tainted = tainted;
	raw_spin_lock(lock);
	old = cg_proc_find(key);
	if (old)
		WRITE_ONCE(old->state, state);
	else
		hlist_add_head_rcu(&p->node, &cg_procs[cg_bucket(key)]);
	raw_spin_unlock(lock);
	if (!old)
		return;
	/* No lookup has seen p. */
	cg_pool_put(p);
	atomic_dec(&cg_nprocs);
	return;
fail:
	atomic_dec(&cg_nprocs);
	pr_warn_ratelimited("no record for process %d (error %ld, %u records at most): %s\n",
			    key->tgid, err, proc_max, over ? "its live environment is checked" :
			    "not trusted until it execs");
}

/*
 * The new program is in place (current is p) and has not run yet. The
 * probe runs with preemption off, so the environment, which exec has
 * just written, is read without faulting pages in.
 */
static void cg_on_exec(void *data, struct task_struct *p, pid_t old_pid,
		       struct linux_binprm *bprm)
{
	struct cg_proc_key key = cg_key_of(current);
	u32 state = CG_PROC_CLEAN;
	struct cg_proc *r;

	if (cg_env_injected(CG_ENV_EXEC_MAX, true))
		state = CG_PROC_INJECTED;
	rcu_read_lock();
	r = cg_proc_find(&key);
	if (r)
		WRITE_ONCE(r->state, state);
	rcu_read_unlock();
	if (!r)
		cg_proc_add(&key, state, false, key.start <= READ_ONCE(cg_epoch));
}

/*
 * Before the child first runs: it runs its parent's code, so it takes its
 * parent's state. A new thread has its process's record already.
 */
static void cg_on_fork(void *data, struct task_struct *parent, struct task_struct *child)
{
	struct cg_proc_key key = cg_key_of(child);
	bool tainted;
	u32 state;

	if (!thread_group_leader(child) || (child->flags & PF_KTHREAD))
		return;
	rcu_read_lock();
	state = cg_proc_state(parent, &tainted);
	rcu_read_unlock();
	cg_proc_add(&key, state, tainted, tainted);
}

/*
 * Every thread passes here (current is p) once it counts no more in
 * signal->live; the last one sees 0 and drops the record. Two threads
 * that exit together may both see 0: only one finds it, under the lock.
 * The record goes back to the pool once no lookup can be looking at it.
 */
static void cg_on_exit(void *data, struct task_struct *p)
{
	struct cg_proc_key key;
	raw_spinlock_t *lock;
	struct cg_proc *r;

	if ((p->flags & PF_KTHREAD) || atomic_read(&p->signal->live))
		return;
	key = cg_key_of(p);
	lock = cg_proc_lock(&key);
	raw_spin_lock(lock);
	r = cg_proc_find(&key);
	if (r)
		hlist_del_rcu(&r->node);
	raw_spin_unlock(lock);
	if (r) {
		atomic_dec(&cg_nprocs);
		call_rcu(&r->rcu, cg_proc_reuse);
	}
}

bool cg_injected(void)
{
	u32 state;

	rcu_read_lock();
	state = cg_proc_state(current, NULL);
	rcu_read_unlock();
	if (state == CG_PROC_UNKNOWN)
		return cg_env_injected(CG_ENV_LIVE_MAX, false);
	return state != CG_PROC_CLEAN;
}

bool cg_task_tainted(struct task_struct *t)
{
	bool tainted;

	rcu_read_lock();
	cg_proc_state(t, &tainted);
	rcu_read_unlock();
	return tainted;
}

bool cg_tainted(void)
{
	return cg_task_tainted(current);
}

/*
 * Taints t's process (t: a reference): its record is made if it has none
 * (a process from before the module, or one with no room for it), unless
 * it is exiting: checked under its bucket's lock, which its exit probe
 * takes to drop the record, so no record outlives its process.
 */
int cg_taint_task(struct task_struct *t)
{
	struct cg_proc_key key = cg_key_of(t);
	struct cg_proc *p, *r;
	raw_spinlock_t *lock;
	int err = 0;
	u32 state;

	p = cg_pool_take();
	rcu_read_lock();
	state = cg_proc_state(t, NULL);
	rcu_read_unlock();
	lock = cg_proc_lock(&key);
	raw_spin_lock(lock);
	r = cg_proc_find(&key);
	if (r) {
		WRITE_ONCE(r->tainted, true);
	} else if (!atomic_read(&t->signal->live)) {
		err = -ESRCH;
	} else if (!p) {
		err = -ENOMEM;	/* the pool is empty: the work item has not caught up */
	} else {
		p->key = key;
		p->state = state;
		p->tainted = true;
		hlist_add_head_rcu(&p->node, &cg_procs[cg_bucket(&key)]);
		atomic_inc(&cg_nprocs);
		p = NULL;
	}
	raw_spin_unlock(lock);
	if (p)
		cg_pool_put(p);
	return err;
}

/* Taints process nr, a tgid of the caller's pid namespace. */
int cg_taint(pid_t nr)
{
	struct task_struct *t;
	int err;

	rcu_read_lock();
	t = pid_task(find_vpid(nr), PIDTYPE_TGID);
	if (t && !(t->flags & PF_KTHREAD))
		get_task_struct(t);
	else
		t = NULL;
	rcu_read_unlock();
	if (!t)
		return -ESRCH;
	err = cg_taint_task(t);
	put_task_struct(t);
	return err;
}

/* In the order they are attached: nothing is recorded that exit would not drop. */
static struct {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool on;
} cg_tps[] = {
	{ "sched_process_exit", cg_on_exit },
	{ "sched_process_fork", cg_on_fork },
	{ "sched_process_exec", cg_on_exec },
};

static void cg_tp_find(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(cg_tps); i++)
		if (!strcmp(tp->name, cg_tps[i].name))
			cg_tps[i].tp = tp;
}

/* Detaches what is attached; then no probe runs any more. */
static void cg_tp_detach(void)
{
	int i;

	for (i = ARRAY_SIZE(cg_tps) - 1; i >= 0; i--) {
		if (cg_tps[i].on)
			WARN_ON(tracepoint_probe_unregister(cg_tps[i].tp, cg_tps[i].probe, NULL));
		cg_tps[i].on = false;
	}
	tracepoint_synchronize_unregister();
}

/*
 * Once no probe runs and no enforcement handler looks records up: the
 * records still in the table go with the pool, after the ones on their
 * way back to it (RCU callbacks, which are this module's code).
 */
static void cg_procs_free(void)
{
	struct cg_chunk *c, *tmp;
	struct hlist_node *n;
	struct cg_proc *p;
	unsigned int held = 0;
	int i;

	cancel_work_sync(&cg_pool_work);
	rcu_barrier();
	for (i = 0; i < ARRAY_SIZE(cg_procs); i++) {
		hlist_for_each_entry_safe(p, n, &cg_procs[i], node) {
			hlist_del(&p->node);
			atomic_dec(&cg_nprocs);
			held++;
		}
	}
	/* The pool's own leak check: every record made is in the table or free. */
	WARN(held + cg_pool.nfree != cg_pool.nmade,
	     "process records: %u made, %u in the table, %u free: %d lost\n",
	     cg_pool.nmade, held, cg_pool.nfree, (int)(cg_pool.nmade - held - cg_pool.nfree));
	WARN_ON(atomic_read(&cg_nprocs));
	list_for_each_entry_safe(c, tmp, &cg_pool.chunks, list)
		kvfree(c);
}

int cg_exec_init(void)
{
	u64 epoch, sec;
	int i, err;
	u32 nsec, usec;

	/* The probes must have the prototypes the tracepoints call them with. */
	check_trace_callback_type_sched_process_exec(cg_on_exec);
	check_trace_callback_type_sched_process_fork(cg_on_fork);
	check_trace_callback_type_sched_process_exit(cg_on_exit);

	for_each_kernel_tracepoint(cg_tp_find, NULL);
	for (i = 0; i < ARRAY_SIZE(cg_tps); i++) {
		if (!cg_tps[i].tp) {
			pr_err("no tracepoint %s in this kernel\n", cg_tps[i].name);
			return -ENOENT;
		}
	}
	if (proc_max > PID_MAX_LIMIT) {
		pr_err("proc_max=%u: more than the processes a kernel can have (%lu)\n",
		       proc_max, (unsigned long)PID_MAX_LIMIT);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(cg_proc_locks); i++)
		raw_spin_lock_init(&cg_proc_locks[i]);
	cg_pool_fill(NULL);
	if (!cg_pool.nfree)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(cg_tps); i++) {
		err = tracepoint_probe_register(cg_tps[i].tp, cg_tps[i].probe, NULL);
		if (err) {
			pr_err("cannot attach to tracepoint %s: %d\n", cg_tps[i].name, err);
			goto err_detach;
		}
		cg_tps[i].on = true;
	}
	/*
	 * Once the tracepoint calls that began before the probes were
	 * attached have returned, every fork from now on reaches cg_on_fork():
	 * a process that started after the epoch and has no record was
	 * refused one, and is not trusted.
	 */
	synchronize_rcu();
	epoch = ktime_get_boottime_ns();
	WRITE_ONCE(cg_epoch, epoch);
	sec = div_u64_rem(epoch, NSEC_PER_SEC, &nsec);
	usec = nsec / NSEC_PER_USEC;
	pr_info("loader variables judged at exec from %llu.%06u s after boot; processes started before are checked on their live environment\n",
		sec, usec);
	return 0;

err_detach:
	cg_tp_detach();
	cg_procs_free();
	return err;
}

/* Once no enforcement handler can run: nothing looks records up any more. */
void cg_exec_exit(void)
{
	cg_tp_detach();
	cg_procs_free();
}
