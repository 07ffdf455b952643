// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF LSM backend: enforces the rule model of kmod/uapi/crmguard.h in
 * the kernel, from maps that crmguardd fills (ctl/kbackend_lsm.c) and pins
 * under /sys/fs/bpf/crmguard, so that the rules outlive the daemon.
 *
 * Every way to the bytes of a file passes one of three hooks:
 *  - file_open: open, openat2, /proc/PID/fd reopens, open_by_handle_at,
 *    exec; on the inode, so hard links and bind mounts change nothing;
 *  - file_permission (MAY_READ, from rw_verify_area and remap_verify_area):
 *    read, readv, pread, preadv2, aio, io_uring, sendfile, splice,
 *    copy_file_range and FICLONE/FIDEDUPE, on descriptors opened before a
 *    rule or a revoke, inherited across exec or passed over a socket;
 *  - mmap_file: new mappings. Pages of a mapping made before a revoke are
 *    not asked about again (no hook sees a page fault).
 * A decision is crmguardd's (ctl/decide.c), on the task doing the access.
 * Whether that task runs with LD_PRELOAD, LD_AUDIT or LD_LIBRARY_PATH is
 * read from its environment when it executes (the environment it runs
 * with, not what it may have written over since) and inherited by its
 * threads and children.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
/* vmlinux.h has the types <linux/types.h> would bring, for the host's arch. */
#define _LINUX_TYPES_H
#include "../kmod/uapi/crmguard.h"
#include "enforce.h"
#include "inode_dev.bpf.h"
#include "loader_env.bpf.h"

#define EPERM 1
#define ENOMEM 12
#define FMODE_WRITE 0x2
#define PTRACE_MODE_ATTACH 0x02
#define SIGHUP 1
#define SIGKILL 9
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGURG 23
#define SIGWINCH 28
#define MAY_READ 0x4
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define NO_RULE ((__u32)-1)

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, ENFORCE_RINGBUF_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsm_verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENFORCE_MAX_INODES);
	__type(key, struct enforce_inode_key);
	__type(value, struct enforce_inode);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsm_inodes SEC(".maps");

/* allowed executables: inode -> rule id */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENFORCE_MAX_EXES);
	__type(key, struct enforce_inode_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsm_exes SEC(".maps");

/* (uid, kind) -> rule id */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENFORCE_MAX_USERS);
	__type(key, struct enforce_user_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsm_users SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsm_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ENFORCE_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsm_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_lock);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsm_lock SEC(".maps");

/* 1: the task's program was started with a library injected (LD_PRELOAD ...). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsm_preload SEC(".maps");

/* The task asking, as decide() sees it (ctl/decide.h struct subject). */
struct subject {
	__u32 uid, euid, loginuid;
	struct enforce_inode_key exe;
	bool traced;
	bool preload;
};

struct decision {
	__u32 verdict;
	__u32 rule_id;
};

/*
 * Hook arguments and the current task are BTF pointers: plain loads of
 * their fields (CO-RE relocated, a fault reads 0) cost far less than
 * BPF_CORE_READ's helper calls, which matters on the read path. Only a
 * btrfs inode's subvolume is read by helper calls (inode_dev.bpf.h).
 */
static __always_inline void inode_key(struct inode *inode, struct enforce_inode_key *key)
{
	struct super_block *sb = inode->i_sb;

	key->dev = inode_dev(inode, sb->s_magic, sb->s_dev);
	key->ino = inode->i_ino;
}

/*
 * The rule protecting file: its own, or its directory's. Directories
 * themselves are not protected: listing one gives no client data.
 */
static __always_inline struct enforce_inode *protecting(struct file *file,
							struct enforce_inode_key *key)
{
	struct inode *inode = file->f_inode, *dir;
	struct enforce_inode_key dkey;
	struct enforce_inode *rule;

	if ((inode->i_mode & S_IFMT) == S_IFDIR)
		return NULL;
	inode_key(inode, key);
	rule = bpf_map_lookup_elem(&lsm_inodes, key);
	if (rule)
		return rule;
	/*
	 * Its directory's device is its own where they share a superblock
	 * (all but an overlay's backing file, whose path is the overlay's):
	 * on btrfs no name of a file is in another subvolume than the file.
	 */
	dir = file->f_path.dentry->d_parent->d_inode;
	if (dir->i_sb == inode->i_sb) {
		dkey.dev = key->dev;
		dkey.ino = dir->i_ino;
	} else {
		inode_key(dir, &dkey);
	}
	rule = bpf_map_lookup_elem(&lsm_inodes, &dkey);
	if (rule && (rule->flags & CRMGUARD_F_DIR))
		return rule;
	return NULL;
}

static __always_inline void get_subject(struct subject *s)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 *flag;

	s->uid = task->cred->uid.val;
	s->euid = task->cred->euid.val;
	s->loginuid = (__u32)-1;
	if (bpf_core_field_exists(task->loginuid))
		s->loginuid = task->loginuid.val;
	/* kernel threads have no mm: the loads read 0, and exe (0, 0) is nobody's */
	inode_key(task->mm->exe_file->f_inode, &s->exe);
	s->traced = task->ptrace != 0;
	flag = bpf_task_storage_get(&lsm_preload, task, NULL, 0);
	s->preload = flag && *flag;
}

/* The lowest id of a matching rule: decide() takes the first in the policy. */
static __always_inline void match_user(__u32 uid, __u32 kind, __u32 *best)
{
	struct enforce_user_key key = { .uid = uid, .kind = kind };
	__u32 *id = bpf_map_lookup_elem(&lsm_users, &key);

	if (id && *id < *best)
		*best = *id;
}

static __always_inline void match_revoke(const struct subject *s, __u32 kind, __u32 *best)
{
	match_user(s->uid, kind, best);
	match_user(s->euid, kind, best);
	if (s->loginuid != (__u32)-1)
		match_user(s->loginuid, kind, best);
}

/* ctl/decide.c's decide(), on the maps. */
static __always_inline struct decision decide(const struct enforce_inode *rule,
					      const struct subject *s)
{
	__u32 revoke = NO_RULE, audit_revoke = NO_RULE, allow = NO_RULE, *id;
	struct decision d = { CRMGUARD_VERDICT_AUDIT, rule->rule_id };
	__u32 zero = 0, mode = 0;
	struct enforce_config *cfg;

	cfg = bpf_map_lookup_elem(&lsm_config, &zero);
	if (cfg)
		mode = cfg->mode;
	match_revoke(s, CRMGUARD_USER_REVOKE, &revoke);
	if (revoke != NO_RULE) {
		d.rule_id = revoke;
		if (mode == CRMGUARD_MODE_ENFORCE)
			d.verdict = CRMGUARD_VERDICT_DENY;
		return d;
	}
	match_revoke(s, CRMGUARD_USER_REVOKE_AUDIT, &audit_revoke);
	match_user(s->uid, CRMGUARD_USER_ALLOW, &allow);
	/* a tracer or an injected library can make an allowed binary do anything */
	if (!s->traced && !s->preload) {
		id = bpf_map_lookup_elem(&lsm_exes, &s->exe);
		if (id && *id < allow)
			allow = *id;
	}
	if (allow != NO_RULE && audit_revoke != NO_RULE) {
		d.rule_id = audit_revoke;
		return d;
	}
	if (allow != NO_RULE) {
		d.verdict = CRMGUARD_VERDICT_ALLOW;
		d.rule_id = allow;
		return d;
	}
	if (mode == CRMGUARD_MODE_ENFORCE && !(rule->flags & CRMGUARD_F_AUDIT))
		d.verdict = CRMGUARD_VERDICT_DENY;
	return d;
}

static __always_inline void count(__u32 stat)
{
	__u64 *n = bpf_map_lookup_elem(&lsm_stats, &stat);

	if (n)
		__sync_fetch_and_add(n, 1);	/* a preempted program shares the CPU's slot */
}

/* A verdict record, reserved and filled but for its path; NULL if the ring is full. */
/* The current executable's name and its directories', for the record. */
static __always_inline void exe_names(struct enforce_verdict *e)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct dentry *dentry = BPF_CORE_READ(task, mm, exe_file, f_path.dentry), *parent;
	int i;

	for (i = 0; i < ENFORCE_EXE_DEPTH; i++)
		e->exe[i][0] = 0;
	for (i = 0; i < ENFORCE_EXE_DEPTH && dentry; i++) {
		parent = BPF_CORE_READ(dentry, d_parent);
		if (parent == dentry)	/* the root's name is not a component */
			break;
		bpf_probe_read_kernel_str(e->exe[i], ENFORCE_EXE_NAME, BPF_CORE_READ(dentry, d_name.name));
		dentry = parent;
	}
}

static __always_inline struct enforce_verdict *
record(__u32 op, struct decision d, const struct enforce_inode_key *file, const struct subject *s)
{
	struct enforce_verdict *e;
	__u64 id = bpf_get_current_pid_tgid();

	e = bpf_ringbuf_reserve(&lsm_verdicts, sizeof(*e), 0);
	if (!e) {
		count(ENFORCE_STAT_LOST);
		return NULL;
	}
	e->op = op;
	e->verdict = d.verdict;
	e->rule_id = d.rule_id;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = s->uid;
	e->dev = file->dev;
	e->ino = file->ino;
	e->exe_dev = s->exe.dev;
	e->exe_ino = s->exe.ino;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->path[0] = 0;
	exe_names(e);
	return e;
}

static __always_inline int answer(struct decision d)
{
	count(d.verdict == CRMGUARD_VERDICT_ALLOW ? ENFORCE_STAT_ALLOW :
	      d.verdict == CRMGUARD_VERDICT_DENY ? ENFORCE_STAT_DENY : ENFORCE_STAT_AUDIT);
	return d.verdict == CRMGUARD_VERDICT_DENY ? -EPERM : 0;
}

/* Opens and mmaps: decided, reported with the path (bpf_d_path is allowed on these hooks). */
static __always_inline int decide_with_path(struct file *file, __u32 op)
{
	struct enforce_inode_key key;
	struct enforce_inode *rule;
	struct enforce_verdict *e;
	struct subject s;
	struct decision d;

	rule = protecting(file, &key);
	if (!rule)
		return 0;
	get_subject(&s);
	d = decide(rule, &s);
	e = record(op, d, &key, &s);
	if (e) {
		/* f_path is const since 6.x; the helper only reads it */
		if (bpf_d_path((struct path *)&file->f_path, e->path, sizeof(e->path)) < 0)
			e->path[0] = 0;
		bpf_ringbuf_submit(e, 0);
	}
	return answer(d);
}

SEC("lsm/file_open")
int BPF_PROG(crm_file_open, struct file *file, int ret)
{
	__u32 zero = 0;
	struct enforce_config *cfg = bpf_map_lookup_elem(&lsm_config, &zero);

	if (ret)
		return ret;
	/* crmguardd's fanotify watch: the kernel opens each event's file for it */
	if (cfg && cfg->daemon_tgid && cfg->daemon_tgid == bpf_get_current_pid_tgid() >> 32)
		return 0;
	return decide_with_path(file, CRMGUARD_OP_OPEN);
}

SEC("lsm/mmap_file")
int BPF_PROG(crm_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret || !file)
		return ret;
	return decide_with_path(file, CRMGUARD_OP_MMAP);
}

/* Runs on every read and write on the machine: leaves early for all but protected reads. */
SEC("lsm/file_permission")
int BPF_PROG(crm_file_permission, struct file *file, int mask, int ret)
{
	struct enforce_inode_key key;
	struct enforce_inode *rule;
	struct enforce_verdict *e;
	struct subject s;
	struct decision d;

	if (ret || !(mask & MAY_READ))
		return ret;
	rule = protecting(file, &key);
	if (!rule)
		return 0;
	get_subject(&s);
	d = decide(rule, &s);
	if (d.verdict != CRMGUARD_VERDICT_ALLOW) {
		e = record(CRMGUARD_OP_READ, d, &key, &s);
		if (e)
			bpf_ringbuf_submit(e, 0);
	}
	return answer(d);
}

/* After exec: the new program's environment is in place, none of its code has run. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(crm_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	bool preload = loader_env_injected(task);
	__u32 *flag;

	/* storage only for the injected, and to clear an earlier program's flag */
	flag = bpf_task_storage_get(&lsm_preload, task, NULL,
				    preload ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (flag)
		*flag = preload;
	return 0;
}

/* Threads and children run the injected code too. */
SEC("lsm/task_alloc")
int BPF_PROG(crm_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	__u32 *parent, *child;

	if (ret)
		return ret;
	parent = bpf_task_storage_get(&lsm_preload, bpf_get_current_task_btf(), NULL, 0);
	if (!parent || !*parent)
		return 0;
	child = bpf_task_storage_get(&lsm_preload, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!child)
		return -ENOMEM;	/* rather no child than one that would pass for clean */
	*child = 1;
	return 0;
}

/* The lock until reboot: its programs (and its map of crmguardd itself). */
#include "enforce_lock.bpf.h"
