// SPDX-License-Identifier: GPL-2.0
/*
 * The hand-over watch of the fanotify backend under `reads trust`.
 *
 * There crmguardd decides at open (FAN_OPEN_PERM) and is not asked about
 * reads: an allowed CRM reads at the kernel's speed. What a decision at
 * open leaves open is a descriptor that an allowed process hands to a
 * program the policy does not allow. The ways a descriptor changes hands
 * are rare events, and they are watched here instead of every read:
 *  - exec: the new program inherits every descriptor not closed on exec;
 *  - a receive on a unix socket (recvmsg, recvmmsg, io_uring): SCM_RIGHTS
 *    installs descriptors another process sent;
 *  - pidfd_getfd: a process takes a copy of another's descriptor;
 *  - attaching to another process (ptrace, /proc/PID/mem,
 *    process_vm_readv): the attacher can make the holder read through its
 *    descriptors, and read what it read, so it is judged on the holder's
 *    descriptors as if they were handed to it.
 * (An open of /proc/PID/fd/N is an open of the file itself: fanotify asks
 * crmguardd about it as about any other.) After each, if the process is
 * one the policy does not allow, its descriptor table is searched for
 * protected files: the kernel installed the descriptor before the
 * tracepoint and offers no tracepoint to refuse it, so a process the policy
 * denies is killed (SIGKILL, sent by bpf_send_signal() before it returns to
 * user space: the exec'd program runs none of its code, the receiver
 * returns from no call) and reported, and so is any other process sharing
 * its descriptor table (clone(CLONE_FILES) without CLONE_THREAD: the
 * descriptor is in its table too; exec unshares a table, so it runs the
 * same program); in audit (the mode, or the rule's
 * flag) it is reported once a minute and left alone. Where the kernel has
 * kprobes, pidfd_getfd is judged inside the call as well, before the kernel
 * takes the file (below).
 *
 * The decision is decide() of rules.bpf.h on the maps crmguardd fills as
 * it fills the BPF LSM's, so the kernel needs crmguardd for nothing here:
 * users (allowed, revoked, by uid, euid and loginuid), allowed binaries
 * by inode, tracing and injected libraries, the mode and the rules' audit
 * flags, exactly as crmguardd decides an open.
 *
 * What it costs: nothing on reads and writes of files. sched_process_exec:
 * a look at the new program's credentials and executable; the descriptor
 * table is searched only for a program the policy does not allow.
 * sock_recv_length: the socket's family; the table is searched only after
 * a receive on a unix socket by a process the policy does not allow.
 * pidfd_getfd: a trampoline (else a kprobe) inside the call (which a read
 * of a /proc/PID/fd link passes too: a look at the call's number) and
 * kretprobes on the system call's entries where the kernel has kprobes;
 * else the raw sys_exit tracepoint (no tracepoint inside the call sees it), which, like any
 * syscall tracepoint, puts every system call on the machine on the
 * kernel's slow path (docs/BENCHMARKS.md). Attaching: a trampoline (else a
 * kprobe) on the kernel's ptrace access check, a look at the mode for the
 * reads of /proc/PID/stat and the like that call it too; the holder's table
 * is searched only for an attacher the policy does not allow. Where the
 * kernel has no kprobes, attaching is not watched.
 */
#include "vmlinux.h"
#include "kconst.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
/* vmlinux.h has the types <linux/types.h> would bring, for the host's arch. */
#define _LINUX_TYPES_H
#include "../kmod/uapi/crmguard.h"
#include "enforce.h"
#include "caller.h"
#include "handover.h"
#include "inode_dev.bpf.h"
#include "caller.bpf.h"
#include "loader_env.bpf.h"
#define RULES_PINNING		/* crmguardd's own: they go with it, as fanotify's marks do */
#include "rules.bpf.h"
#include "injected.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Since 6.2: a kernel pointer read as data, looked at through its BTF type. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
/*
 * Since 6.7, every task; since 6.13, a signal to another process than the
 * current one. Where the kernel lacks one, crmguardd says so before load
 * (kill_sharers below) and the verifier drops the calls as dead code.
 */
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type,
				__u64 value) __weak __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __weak __ksym;
extern void bpf_task_release(struct task_struct *p) __weak __ksym;
const volatile bool can_kill_sharers = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HANDOVER_RINGBUF_SIZE);
} handover_events SEC(".maps");

struct audit_key {
	__u32 tgid;
	__u32 entry;	/* judged at pidfd_getfd's entry (fd -1): a record apart */
	struct enforce_inode_key file;
};

/* (process, file) -> when its audit record was last sent (ns) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct audit_key);
	__type(value, __u64);
} audited SEC(".maps");

/* Records that found the ring buffer full; crmguardd reports them. */
__u64 dropped = 0;
/* Counts crmguardd's rule pushes: a verdict kept from before one is stale. */
__u32 rules_gen = 0;

/*
 * tgid -> the verdict on the process, as decide() gave it, kept while its
 * credentials, login uid, executable and the rules stay the same (and it
 * is not traced): the receives of a process are judged once, not at each
 * call. Its loader variables change only at exec, which judges afresh.
 */
struct judged {
	__u64 cred, exe;	/* task->cred and its executable's inode, as pointers */
	__u32 gen;		/* rules_gen then */
	__u32 allowed;
	struct subject s;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct judged);
} judged SEC(".maps");

struct scan {
	struct subject s;	/* the process, which the policy does not allow */
	__u32 tgid, ppid;
	struct file **fds;
	unsigned long *open_fds;
	__u64 word;		/* what is left to look at of the word of open_fds at hand */
	__u32 base;		/* the descriptor of its bit 0 */
	__u32 route;
	bool killed;
	/* the first file it was killed for, for the processes sharing its table */
	struct enforce_inode rule;
	struct enforce_inode_key file;
	int fd;
	__u32 holder;		/* HANDOVER_ATTACH: whose table is searched */
};

/* The lowest set bit's index, by de Bruijn multiplication (BPF has no ctz). */
#define DE_BRUIJN 0x03f79d71b4cb0a89ULL
static const __u8 de_bruijn_bit[64] = {
	0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4,
	62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
	63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
	46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6,
};

/* Does the policy speak to this process at all? Not before one is pushed, never to crmguardd. */
static __always_inline bool policy_on(struct task_struct *task)
{
	__u32 zero = 0;
	struct enforce_config *cfg = bpf_map_lookup_elem(&lsm_config, &zero);

	return cfg && cfg->mode && cfg->daemon_tgid != task->tgid;
}

/*
 * Is task allowed to read protected files, whichever? The verdict ALLOW
 * does not depend on the file's rule (decide() asks the rule for its id and
 * audit flag only when it denies). At exec the loader variables are read
 * from the new environment (the sensor's map may not have them yet), and
 * only when the binary is an allowed one: otherwise they change nothing.
 */
static __always_inline bool allowed(struct task_struct *task, struct subject *s, bool at_exec)
{
	struct enforce_inode any = { 0, 0 };
	__u32 tgid = task->tgid;

	subject_of(task, s);
	if (at_exec)
		s->preload = bpf_map_lookup_elem(&lsm_exes, &s->exe) && loader_env_injected(task);
	else
		s->preload = bpf_map_lookup_elem(&injected, &tgid) != NULL;
	return decide(&any, s).verdict == CRMGUARD_VERDICT_ALLOW;
}

/* allowed(), kept in `judged` between exec and a change of credentials or rules. */
static __always_inline bool judge(struct task_struct *task, struct subject *s, bool at_exec)
{
	__u64 cred = (__u64)task->cred, exe = (__u64)task->mm->exe_file->f_inode;
	struct judged *j, now = { .cred = cred, .exe = exe, .gen = rules_gen };
	__u32 tgid = task->tgid;

	j = bpf_map_lookup_elem(&judged, &tgid);
	/* (the login uid is set apart from the credentials, once) */
	if (!at_exec && !task->ptrace && j && j->gen == now.gen && j->cred == cred &&
	    j->exe == exe && (!bpf_core_field_exists(task->loginuid) ||
			      j->s.loginuid == task->loginuid.val)) {
		*s = j->s;
		return j->allowed;
	}
	now.allowed = allowed(task, s, at_exec);
	now.s = *s;
	bpf_map_update_elem(&judged, &tgid, &now, BPF_ANY);
	return now.allowed;
}

/*
 * An audit record for (process, file) is due: none in the last
 * HANDOVER_AUDIT_SECONDS. The one of pidfd_getfd's entry (fd -1) keeps
 * its own time: the record with the number, after the call, still comes.
 */
static __always_inline bool audit_due(__u32 tgid, const struct enforce_inode_key *file, int fd)
{
	struct audit_key key = { .tgid = tgid, .entry = fd < 0, .file = *file };
	__u64 now = bpf_ktime_get_ns(), *last = bpf_map_lookup_elem(&audited, &key);

	if (last && now - *last < HANDOVER_AUDIT_SECONDS * 1000000000ULL)
		return false;
	bpf_map_update_elem(&audited, &key, &now, BPF_ANY);
	return true;
}

/*
 * Does another process share task's descriptor table (clone(CLONE_FILES)
 * without CLONE_THREAD)? Each task on a table holds a reference to it:
 * more than task's threads are one of another's (or, for a moment, of a
 * thread being made: a search that finds no other).
 */
static __always_inline bool table_shared(struct task_struct *task)
{
	return task->files->count.counter > task->signal->nr_threads;
}

/*
 * sc's process holds file as descriptor fd: killed or not. task: that
 * process where it is not the current one (which took the file, taker).
 */
static __always_inline void report(struct scan *sc, struct decision d,
				   const struct enforce_inode_key *file, int fd, bool killed,
				   struct task_struct *task, __u32 taker)
{
	struct handover_event *e;

	e = bpf_ringbuf_reserve(&handover_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return;
	}
	e->route = sc->route;
	e->verdict = d.verdict;
	e->rule_id = d.rule_id;
	e->ppid = sc->ppid;
	e->loginuid = sc->s.loginuid;
	e->fd = fd;
	e->killed = killed;
	e->taker = taker;
	e->holder = sc->holder;
	e->shared = killed && !task && !can_kill_sharers && table_shared(bpf_get_current_task_btf());
	e->dev = file->dev;
	e->ino = file->ino;
	if (task)
		caller_fill_task(&e->who, task);
	else
		caller_fill(&e->who);
	bpf_ringbuf_submit(e, 0);
}

/*
 * Could file be protected at all? Every protected file carries a fanotify
 * mark of crmguardd's, or (made a moment ago) its directory does: a file
 * whose inode and directory carry no mark of anyone's is not one, and is
 * passed over without a look into the maps.
 */
static __always_inline bool marked(struct file *file)
{
	if (!bpf_core_field_exists(file->f_inode->i_fsnotify_marks))
		return true;
	return file->f_inode->i_fsnotify_marks ||
	       file->f_path.dentry->d_parent->d_inode->i_fsnotify_marks;
}

/*
 * Is the rule still the file's? The maps name files by (device, inode
 * number), and a protected file that was deleted leaves its number to the
 * next file made on the filesystem: only one carrying a mark, as crmguardd
 * gives each protected file (or, matched by its directory, whose directory
 * carries one), is the protected file.
 */
static __always_inline bool still_protected(struct file *file, const struct enforce_inode *rule)
{
	if (!bpf_core_field_exists(file->f_inode->i_fsnotify_marks))
		return true;
	if (rule->flags & CRMGUARD_F_DIR)
		return file->f_path.dentry->d_parent->d_inode->i_fsnotify_marks;
	return file->f_inode->i_fsnotify_marks;
}

/*
 * raw, descriptor fd of the process (-1: not given one yet): protected,
 * readable, and denied to it? Then killed (once) or, in audit, reported.
 * (One open for writing only hands over nothing: reading through it takes
 * an open of /proc/PID/fd/N, which is decided.)
 */
static __always_inline void look_at_file(struct scan *sc, struct file *raw, int fd)
{
	struct enforce_inode_key key;
	struct enforce_inode *rule;
	struct file *file;
	struct decision d;

	if (!raw)
		return;
	file = bpf_rdonly_cast(raw, bpf_core_type_id_kernel(struct file));
	if (!(file->f_mode & FMODE_READ) || !marked(file))
		return;
	rule = protecting(file, &key);
	if (!rule || !still_protected(file, rule))
		return;
	d = decide(rule, &sc->s);
	if (d.verdict == CRMGUARD_VERDICT_ALLOW)
		return;
	if (d.verdict == CRMGUARD_VERDICT_DENY) {
		if (!sc->killed) {
			bpf_send_signal(SIGKILL);
			sc->rule = *rule;
			sc->file = key;
			sc->fd = fd;
		}
		sc->killed = true;
	} else if (!audit_due(sc->tgid, &key, fd)) {
		return;
	}
	report(sc, d, &key, fd, d.verdict == CRMGUARD_VERDICT_DENY, NULL, 0);
}

/* The next open descriptor of the word at hand; called once per bit set, 1 ends the word. */
static long look_at(__u32 i, void *ctx)
{
	struct scan *sc = ctx;
	struct file *raw = NULL;
	__u32 fd;

	if (!sc->word)
		return 1;
	fd = sc->base + de_bruijn_bit[(((sc->word & -sc->word) * DE_BRUIJN) >> 58) & 63];
	sc->word &= sc->word - 1;
	if (!bpf_probe_read_kernel(&raw, sizeof(raw), &sc->fds[fd]))
		look_at_file(sc, raw, fd);
	return 0;
}

/* A word of open_fds: its descriptors, if any is open. */
static long look_at_word(__u32 w, void *ctx)
{
	struct scan *sc = ctx;

	if (bpf_probe_read_kernel(&sc->word, sizeof(sc->word), &sc->open_fds[w]))
		return 1;
	sc->base = w * 64;
	if (sc->word)
		bpf_loop(64, look_at, sc, 0);
	return 0;
}

/*
 * Has task, the current one, a fatal signal pending (sent by an earlier
 * look, at pidfd_getfd's entry, say)? Then it runs no code of its own again.
 */
static __always_inline bool dying(struct task_struct *task)
{
	return task->pending.signal.sig[0] & (1UL << (SIGKILL - 1));
}

/*
 * Is task, the current one, to be looked at: one the policy does not
 * allow? Then sc is set up for it.
 */
static __always_inline bool suspect(struct task_struct *task, struct scan *sc, __u32 route)
{
	sc->tgid = task->tgid;
	sc->ppid = task->real_parent->tgid;
	sc->route = route;
	sc->killed = false;
	return policy_on(task) && !dying(task) && !judge(task, &sc->s, route == HANDOVER_EXEC);
}

/* The processes on a killed taker's table, each by a thread of it. */
struct sharers {
	struct scan *sc;	/* the taker's */
	struct files_struct *files;
	__u32 taker;
	__u32 n;
	__u32 tid[HANDOVER_MAX_SHARERS];
};

/*
 * The i-th of them: killed where the policy denies it the file. (Looked at
 * here, out of the search over every task, so that the verifier goes
 * through this once, not at each step of that loop.)
 */
static long kill_sharer(__u32 i, void *ctx)
{
	struct sharers *sh = ctx;
	struct task_struct *t;
	struct decision d;
	struct scan other;
	bool killed = false;

	if (i >= sh->n)
		return 1;
	/* (sh->n is at most that: a mask the compiler keeps, for the verifier) */
	barrier_var(i);
	t = bpf_task_from_pid(sh->tid[i & (HANDOVER_MAX_SHARERS - 1)]);
	if (!t)
		return 0;	/* gone already */
	other.ppid = t->real_parent->tgid;
	other.route = sh->sc->route;
	if (t->files == sh->files && policy_on(t) && !judge(t, &other.s, false)) {
		d = decide(&sh->sc->rule, &other.s);
		if (d.verdict == CRMGUARD_VERDICT_DENY) {
			killed = !bpf_send_signal_task(t, SIGKILL, PIDTYPE_TGID, 0);
			report(&other, d, &sh->sc->file, sh->sc->fd, killed, t, sh->taker);
		}
	}
	bpf_task_release(t);
	return 0;
}

/*
 * task, the current one, was killed for sc->file: the descriptor is in the
 * table of every other process sharing it too (the first
 * HANDOVER_MAX_SHARERS), which is killed as well where the policy denies
 * it the file, by the kernel before task returns to user space, as task's
 * own threads are. (Before 6.13 a BPF program can signal no other
 * process: task's report says its table is shared, and crmguardd looks
 * through every process's descriptors, a moment later.) A function of its
 * own, called only where the kernel can kill them: the verifier bounds the
 * stack of a chain of calls to 512 bytes, and this search's, inlined into
 * the programs, took handover_exec's frame with the loader's environment
 * scan (loader_env.bpf.h) over it (6.12; from 6.13 x86 gives each large
 * frame a stack of its own, and bounds frames one by one).
 */
static __noinline void kill_sharers(struct scan *sc, struct task_struct *task)
{
	struct sharers sh = { .sc = sc, .files = task->files, .taker = task->tgid };
	struct bpf_iter_task it;
	struct task_struct *t;
	__u32 last = task->tgid;

	if (!table_shared(task))
		return;
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_THREADS);
	/* a process's threads come one after another: each process once */
	while (sh.n < HANDOVER_MAX_SHARERS && (t = bpf_iter_task_next(&it))) {
		if (t->files != sh.files || t->tgid == last || t->tgid == task->tgid)
			continue;
		last = t->tgid;
		sh.tid[sh.n++ & (HANDOVER_MAX_SHARERS - 1)] = t->pid;
	}
	bpf_iter_task_destroy(&it);
	bpf_loop(sh.n, kill_sharer, &sh, 0);
}

/*
 * After a hand-over to task (the current one), over the whole descriptor
 * table of owner: task's own, or (attached) its holder's.
 */
static __always_inline int search(struct task_struct *task, struct task_struct *owner, __u32 route)
{
	struct scan sc = {};
	struct fdtable *fdt;
	__u32 max;

	if (!suspect(task, &sc, route))
		return 0;
	if (owner != task)
		sc.holder = BPF_CORE_READ(owner, tgid);
	fdt = BPF_CORE_READ(owner, files, fdt);
	sc.fds = BPF_CORE_READ(fdt, fd);
	sc.open_fds = BPF_CORE_READ(fdt, open_fds);
	max = BPF_CORE_READ(fdt, max_fds);
	bpf_loop((max < HANDOVER_MAX_FDS ? max : HANDOVER_MAX_FDS) / 64, look_at_word, &sc, 0);
	if (sc.killed && can_kill_sharers && owner == task)
		kill_sharers(&sc, task);
	return 0;
}

/* After exec: the new program's environment and descriptors are in place, none of its code has run. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(handover_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	return search(task, task, HANDOVER_EXEC);
}

/*
 * After every recvmsg, recvmmsg, recv and read of a socket, io_uring's too
 * (sock_recvmsg()): a unix socket's SCM_RIGHTS descriptors are installed
 * by then. The family is the kernel's; the control buffer the process
 * passed is its own, and could be changed under us by another thread.
 */
SEC("tp_btf/sock_recv_length")
int BPF_PROG(handover_recv, struct sock *sk, int ret, int flags)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (ret < 0 || sk->__sk_common.skc_family != AF_UNIX)
		return 0;
	return search(task, task, HANDOVER_RECVMSG);
}

#define NR_PIDFD_GETFD 438	/* the same on every architecture, and for 32-bit x86 */
#define X32_SYSCALL_BIT 0x40000000

/* The number of the system call regs were saved at the entry of. */
static __always_inline long syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->orig_ax & ~X32_SYSCALL_BIT;
#elif defined(__TARGET_ARCH_arm64)
	return regs->syscallno;
#else
#error "the syscall number of struct pt_regs on this architecture"
#endif
}

/*
 * pidfd_getfd where the kernel has kprobes: nothing but that call pays
 * for it (and, for a look at the call's number, a read of a
 * /proc/PID/fd link). First inside the call, where the kernel takes the
 * holder's file (fget_task(), whichever entry the call came by): the pidfd
 * is resolved, the holder's exec_update_lock is held and its ptrace rights
 * are granted by then, and the taker is judged on the file the descriptor
 * names before it is taken: killed, it returns from the call to die. (Not
 * at the call's entry: there a thread of the taker could still put another
 * pidfd under the number, and the holder's table could change while the
 * call sleeps on that lock, through an exec.) A kprobe has no bound on the
 * calls it sees at once.
 *
 * Then at the call's return, by kretprobes on its two entries, the 64-bit
 * one and, where the kernel runs 32-bit code, the int 0x80 one (crmguardd
 * attaches that one where the kernel has it): over the taker's whole
 * table, as after the other routes (passing over a taker killed already).
 * Those see a thread of the holder putting another file under the number
 * between the look above and the kernel's own, a moment later. But a
 * kretprobe has a bounded pool of instances (max(10, 2 * possible CPUs)
 * calls in flight), and calls beyond it, asleep on a holder's
 * exec_update_lock say, return unseen: a descriptor gets past both only by
 * that race won while the pool is used up.
 *
 * The look inside the call is a trampoline (fentry) where the kernel
 * allows one, which a read of a /proc/PID/fd link pays far less for than a
 * kprobe (docs/BENCHMARKS.md); else a kprobe.
 */
static __always_inline int getfd_take(struct task_struct *holder, unsigned int fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *raw = NULL;
	struct fdtable *fdt;
	struct scan sc = {};

	if (syscall_nr((struct pt_regs *)bpf_task_pt_regs(task)) != NR_PIDFD_GETFD ||
	    !suspect(task, &sc, HANDOVER_GETFD))
		return 0;
	fdt = BPF_CORE_READ(holder, files, fdt);
	if (fd < BPF_CORE_READ(fdt, max_fds) &&
	    !bpf_probe_read_kernel(&raw, sizeof(raw), &BPF_CORE_READ(fdt, fd)[fd]))
		look_at_file(&sc, raw, -1);
	if (sc.killed && can_kill_sharers)
		kill_sharers(&sc, task);
	return 0;
}

SEC("fentry/fget_task")
int BPF_PROG(handover_getfd_enter, struct task_struct *holder, unsigned int fd)
{
	return getfd_take(holder, fd);
}

SEC("kprobe/fget_task")
int BPF_KPROBE(handover_getfd_take, struct task_struct *holder, unsigned int fd)
{
	return getfd_take(holder, fd);
}

SEC("kretsyscall/pidfd_getfd")
int BPF_KRETPROBE(handover_getfd_kprobe, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return ret < 0 ? 0 : search(task, task, HANDOVER_GETFD);
}

SEC("kretprobe/__ia32_sys_pidfd_getfd")
int BPF_KRETPROBE(handover_getfd_kprobe32, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return ret < 0 ? 0 : search(task, task, HANDOVER_GETFD);
}

/*
 * Where it has none: the exit of every system call, whose number says
 * which. Not the syscalls:sys_exit_pidfd_getfd record, which x86 leaves
 * out for a call made through the 32-bit entry (int 0x80) that a 64-bit
 * process can use too. Any program here puts every system call on the
 * machine on the kernel's slow path; it has no bound on the calls it sees.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(handover_getfd, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (syscall_nr(regs) != NR_PIDFD_GETFD || ret < 0)
		return 0;
	return search(task, task, HANDOVER_GETFD);
}

/*
 * Attaching to another process, allowed by the kernel's ptrace access
 * check (at its end, after the credentials: the LSMs' hook) in attach
 * mode: the attacher is judged on the holder's descriptors, and killed
 * before it returns to user space (a process_vm_readv() copies nothing
 * once it is: the pages are not taken with a fatal signal pending). Its
 * PTRACE_TRACEME counterpart, where the holder makes its parent its
 * tracer, is the holder's own doing. The trampoline sees the check's
 * answer; the kprobe, where the kernel allows no trampoline, sees the call,
 * which only the LSMs (Yama's scope, say) can refuse after that point.
 * A kernel thread has no system call, and no policy speaks to it.
 */
/* pidfd_getfd() passes the check too: judged above, on the one descriptor it takes. */
static __always_inline int attach(struct task_struct *child, unsigned int mode)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (!(mode & PTRACE_MODE_ATTACH) ||
	    syscall_nr((struct pt_regs *)bpf_task_pt_regs(task)) == NR_PIDFD_GETFD)
		return 0;
	return search(task, child, HANDOVER_ATTACH);
}

SEC("fexit/security_ptrace_access_check")
int BPF_PROG(handover_attach, struct task_struct *child, unsigned int mode, int ret)
{
	return ret ? 0 : attach(child, mode);
}

SEC("kprobe/security_ptrace_access_check")
int BPF_KPROBE(handover_attach_kprobe, struct task_struct *child, unsigned int mode)
{
	return attach(child, mode);
}
