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
#include "kconst.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
/* vmlinux.h has the types <linux/types.h> would bring, for the host's arch. */
#define _LINUX_TYPES_H
#include "../kmod/uapi/crmguard.h"
#include "enforce.h"
#include "inode_dev.bpf.h"
#include "loader_env.bpf.h"
#define RULES_PINNING __uint(pinning, LIBBPF_PIN_BY_NAME);
#include "rules.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, ENFORCE_RINGBUF_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsm_verdicts SEC(".maps");

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

static __always_inline void get_subject(struct subject *s)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 *flag;

	subject_of(task, s);
	flag = bpf_task_storage_get(&lsm_preload, task, NULL, 0);
	s->preload = flag && *flag;
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
