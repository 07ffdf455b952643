// SPDX-License-Identifier: GPL-2.0
/*
 * Enforcement: one fsnotify group whose inode marks sit on the protected
 * files and directories. The VFS calls cg_handle_event() in the task that
 * opens or reads a marked inode (FS_OPEN_PERM, FS_ACCESS_PERM), and the
 * access fails with the -EPERM it returns. Unmarked inodes never get here:
 * fsnotify looks at the inode's own mask before anything else, so other
 * I/O costs what it cost without the module. A second group marks the
 * allowed binaries and, once locked, crmguardd's (FS_OPEN_PERM only): its
 * handler refuses opening them for write while the module is locked. A
 * third marks the clipboard tools (FS_OPEN_PERM, clip.c), which tainted
 * processes may not run.
 */
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/wait.h>
#include "crmguard.h"

#define CG_EVENTS	(FS_OPEN_PERM | FS_ACCESS_PERM)

static struct fsnotify_group *cg_group, *cg_exe_group, *cg_clip_group;
/*
 * The inode rules, whose marks fsnotify frees: a cache of their own, so
 * that slub_debug can be pointed at them (the VM tier boots with
 * slub_debug=FZPU,crmguard_*) and so that a rule still allocated at unload
 * is reported by kmem_cache_destroy() itself.
 */
static struct kmem_cache *cg_inode_cache;
/* Marks made and not yet freed (cg_free_mark): the module's code is in use until 0. */
static atomic_t cg_nmarks = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(cg_marks_freed);
static DEFINE_PER_CPU(struct cg_stats, cg_stats);

/* The task asking, as the policy sees it (ctl/decide.h struct subject). */
struct cg_subject {
	u32 uid, euid, loginuid;
	u64 exe_dev, exe_ino;
	struct file *exe;	/* a reference, or NULL: the record names it too */
	bool traced;		/* a tracer can make it do anything */
};

/*
 * The device an inode is named by (uapi/crmguard.h): its superblock's,
 * but on btrfs its subvolume's, which only btrfs's getattr knows: btrfs
 * numbers each subvolume's inodes on their own, so the superblock's device
 * and a number may name a file in each. Without a path, or if getattr
 * fails, the superblock's, which no btrfs rule names: nothing is allowed
 * by it, and an inode rule is refused.
 */
u64 cg_dev_of(struct inode *inode, const struct path *path)
{
	struct kstat st;

	if (path && inode->i_sb->s_magic == BTRFS_SUPER_MAGIC &&
	    !vfs_getattr_nosec(path, &st, STATX_INO, AT_STATX_DONT_SYNC))
		return new_encode_dev(st.dev);
	return new_encode_dev(inode->i_sb->s_dev);
}

/*
 * current's executable, with a reference: the record names it even once it
 * is gone. What get_mm_exe_file() does, which modules cannot call: from
 * 6.7 on, files are reused under RCU (SLAB_TYPESAFE_BY_RCU), so only
 * get_file_rcu() on the pointer itself can tell that the file it counted
 * is still mm's; before, a file stayed a file until a grace period after
 * its last reference.
 */
static struct file *cg_exe_file(void)
{
	struct mm_struct *mm = current->mm;
	struct file *exe;

	if (!mm)
		return NULL;
	rcu_read_lock();
#ifdef CG_GET_FILE_RCU_SLOT	/* Kbuild: 6.7 and later */
	exe = get_file_rcu(&mm->exe_file);
#else
	exe = rcu_dereference(mm->exe_file);
	if (exe && !get_file_rcu(exe))
		exe = NULL;
#endif
	rcu_read_unlock();
	return exe;
}

/* Fills s; s->exe is a reference to drop. */
static void cg_subject_of(struct cg_subject *s)
{
	const struct cred *cred = current_cred();
	struct task_struct *t;

	s->uid = from_kuid(&init_user_ns, cred->uid);
	s->euid = from_kuid(&init_user_ns, cred->euid);
	s->loginuid = from_kuid(&init_user_ns, audit_get_loginuid(current));
	s->traced = false;
	s->exe = cg_exe_file();
	if (s->exe) {
		s->exe_dev = cg_dev_of(file_inode(s->exe), &s->exe->f_path);
		s->exe_ino = file_inode(s->exe)->i_ino;
	}
	/* Any traced thread can be made to act for the others. */
	rcu_read_lock();
	for_each_thread(current, t)
		if (READ_ONCE(t->ptrace))
			s->traced = true;
	rcu_read_unlock();
}

/*
 * ctl/decide.c's decide(): a revoked user (real, effective or login uid)
 * is denied; else an allowed user or executable (not traced, not started
 * with a loader variable: exec.c) is allowed, or audited under an
 * audit-only revoke; else the protect rule denies. Mode audit, fail-open
 * with the daemon gone, or an audit-only protect rule turn a deny into
 * audit. *by: the deciding rule.
 */
static u32 cg_decide(u32 flags, u32 rule_id, const struct cg_subject *s, u32 *by)
{
	u32 uids[] = { s->uid, s->euid, s->loginuid };
	bool audit_revoke = false;
	u32 kind, id, audit_by = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(uids); i++) {
		if (!cg_user_rule(uids[i], &kind, &id))
			continue;
		if (kind == CRMGUARD_USER_REVOKE) {
			*by = id;
			return cg_enforcing() ? CRMGUARD_VERDICT_DENY : CRMGUARD_VERDICT_AUDIT;
		}
		if (kind == CRMGUARD_USER_REVOKE_AUDIT && !audit_revoke) {
			audit_revoke = true;
			audit_by = id;
		}
	}
	if ((cg_user_rule(s->uid, &kind, &id) && kind == CRMGUARD_USER_ALLOW) ||
	    (s->exe && !s->traced && cg_exe_rule(file_inode(s->exe), s->exe_dev, s->exe_ino, &id) &&
	     !cg_injected())) {
		*by = audit_revoke ? audit_by : id;
		return audit_revoke ? CRMGUARD_VERDICT_AUDIT : CRMGUARD_VERDICT_ALLOW;
	}
	*by = rule_id;
	if (cg_enforcing() && !(flags & CRMGUARD_F_AUDIT))
		return CRMGUARD_VERDICT_DENY;
	return CRMGUARD_VERDICT_AUDIT;
}

static void cg_count(u32 verdict)
{
	if (verdict == CRMGUARD_VERDICT_ALLOW)
		this_cpu_inc(cg_stats.allow);
	else if (verdict == CRMGUARD_VERDICT_AUDIT)
		this_cpu_inc(cg_stats.audit);
	else
		this_cpu_inc(cg_stats.deny);
}

static void cg_report(u32 mask, u32 verdict, u32 by, const struct cg_subject *s,
		      struct inode *inode, const struct path *path)
{
	struct cg_verdict v = {
		.op = mask & FS_OPEN_PERM ? CRMGUARD_OP_OPEN : CRMGUARD_OP_READ,
		.verdict = verdict,
		.rule_id = by,
		.pid = task_tgid_nr(current),
		.tid = task_pid_nr(current),
		.uid = s->uid,
		.dev = cg_dev_of(inode, path),
		.ino = inode->i_ino,
		.exe_dev = s->exe ? s->exe_dev : 0,
		.exe_ino = s->exe ? s->exe_ino : 0,
		.path = path,
		.exe = s->exe,
	};

	get_task_comm(v.comm, current);
	cg_verdict_send(&v);
}

static int cg_handle_event(struct fsnotify_group *group, u32 mask,
			   const void *data, int data_type, struct inode *dir,
			   const struct qstr *file_name, u32 cookie,
			   struct fsnotify_iter_info *iter_info)
{
	struct fsnotify_mark *mark = fsnotify_iter_inode_mark(iter_info);
	struct inode *inode = fsnotify_data_inode(data, data_type);
	struct cg_inode_rule *r;
	struct cg_subject s;
	u32 verdict, by;
	s64 word;

	/* Opening a directory lists it: free, as with fanotify without FAN_ONDIR. */
	if (!(mask & CG_EVENTS) || (mask & FS_ISDIR) || !inode)
		return 0;
	/* The file's own rule first, else the rule of the directory it is in. */
	if (!mark)
		mark = fsnotify_iter_parent_mark(iter_info);
	if (!mark)
		return 0;
	r = container_of(mark, struct cg_inode_rule, mark);
	word = atomic64_read(&r->word);
	cg_subject_of(&s);
	verdict = cg_decide(cg_word_flags(word), cg_word_id(word), &s, &by);
	cg_count(verdict);
	/* Every open, and reads that were not simply allowed: a CRM reads a lot. */
	if ((mask & FS_OPEN_PERM) || verdict != CRMGUARD_VERDICT_ALLOW)
		cg_report(mask, verdict, by, &s, inode,
			  fsnotify_data_path(data, data_type));
	/* what it reads now is followed, by the module while crmguardd is gone */
	if ((mask & FS_OPEN_PERM) && verdict != CRMGUARD_VERDICT_DENY)
		cg_taint_reader();
	if (s.exe)
		fput(s.exe);
	return verdict == CRMGUARD_VERDICT_DENY ? -EPERM : 0;
}

/*
 * An open of a binary that the lock keeps (cg_mark_exe()): once locked,
 * one for write fails, whoever asks, before O_TRUNC empties the file.
 * FS_OPEN_PERM's data is the opened file's own f_path, so the file and
 * the mode it is opened with are at hand. Unlocked, nothing happens here.
 */
static int cg_exe_event(struct fsnotify_group *group, u32 mask,
			const void *data, int data_type, struct inode *dir,
			const struct qstr *file_name, u32 cookie,
			struct fsnotify_iter_info *iter_info)
{
	const struct path *path = data;
	const struct file *file;
	struct inode *inode;

	if (!cg_locked() || !(mask & FS_OPEN_PERM) || data_type != FSNOTIFY_EVENT_PATH)
		return 0;
	file = container_of(path, struct file, f_path);
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	inode = file_inode(file);
	cg_refused_count();
	pr_notice_ratelimited("locked: refused opening %pD for write (ino %lu) by pid %d (%s, uid %u)\n",
			      file, inode->i_ino, task_tgid_nr(current), current->comm,
			      from_kuid(&init_user_ns, current_uid()));
	cg_refused_send(CRMGUARD_REFUSED_EXE_WRITE, path, cg_dev_of(inode, path), inode->i_ino);
	return -EPERM;
}

struct cg_inode_rule *cg_inode_rule_alloc(void)
{
	return kmem_cache_zalloc(cg_inode_cache, GFP_KERNEL);
}

static void cg_free_mark(struct fsnotify_mark *mark)
{
	kmem_cache_free(cg_inode_cache, container_of(mark, struct cg_inode_rule, mark));
	if (atomic_dec_and_test(&cg_nmarks))
		wake_up(&cg_marks_freed);
}

static const struct fsnotify_ops cg_fsnotify_ops = {
	.handle_event = cg_handle_event,
	.free_mark = cg_free_mark,
};

static const struct fsnotify_ops cg_exe_fsnotify_ops = {
	.handle_event = cg_exe_event,
	.free_mark = cg_free_mark,
};

static const struct fsnotify_ops cg_clip_fsnotify_ops = {
	.handle_event = cg_clip_event,
	.free_mark = cg_free_mark,
};

/* On failure r is freed (through cg_free_mark). */
static int cg_mark(struct cg_inode_rule *r, struct inode *inode,
		   struct fsnotify_group *group, u32 mask)
{
	int err;

	atomic_inc(&cg_nmarks);
	r->inode = inode;
	fsnotify_init_mark(&r->mark, group);
	r->mark.mask = mask;
	err = fsnotify_add_inode_mark(&r->mark, inode, 0);
	if (err)
		fsnotify_put_mark(&r->mark);
	return err;
}

int cg_mark_inode(struct cg_inode_rule *r, struct inode *inode)
{
	u32 mask = CG_EVENTS;

	if (cg_word_flags(atomic64_read(&r->word)) & CRMGUARD_F_DIR)
		mask |= FS_EVENT_ON_CHILD;
	return cg_mark(r, inode, cg_group, mask);
}

/*
 * Opens only: exec opens the binary too, and costs one call of a handler
 * that returns at once while unlocked; its reads cost nothing.
 */
int cg_mark_exe(struct cg_inode_rule *r, struct inode *inode)
{
	return cg_mark(r, inode, cg_exe_group, FS_OPEN_PERM);
}

/* Every open, exec's too (clip.c says why); reads of the tool cost nothing. */
int cg_mark_tool(struct cg_inode_rule *r, struct inode *inode)
{
	return cg_mark(r, inode, cg_clip_group, FS_OPEN_PERM);
}

/*
 * Is r's mark on an inode that lives? An inode that is evicted takes its
 * marks off (the rule still holds its own reference to the mark), but
 * only once the filesystem has freed its number (ext4 does so first), so
 * a new file can have the number while the mark is still on: an inode
 * being freed counts as gone. Under the mark's lock the mark cannot come
 * off, so the inode is not freed while it is looked at.
 */
bool cg_inode_marked(struct cg_inode_rule *r)
{
	bool live;

	spin_lock(&r->mark.lock);
	live = (r->mark.flags & FSNOTIFY_MARK_FLAG_ATTACHED) &&
	       !(READ_ONCE(r->inode->i_state) & (I_FREEING | I_WILL_FREE));
	spin_unlock(&r->mark.lock);
	return live;
}

/* r is freed once no handler can be looking at it. */
void cg_unmark_inode(struct cg_inode_rule *r)
{
	fsnotify_destroy_mark(&r->mark, r->mark.group);
	fsnotify_put_mark(&r->mark);
}

void cg_stats_read(struct cg_stats *s)
{
	const struct cg_stats *c;
	int cpu;

	memset(s, 0, sizeof(*s));
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(&cg_stats, cpu);
		s->allow += READ_ONCE(c->allow);
		s->audit += READ_ONCE(c->audit);
		s->deny += READ_ONCE(c->deny);
		s->lost += READ_ONCE(c->lost);
	}
}

void cg_stat_lost(void)
{
	this_cpu_inc(cg_stats.lost);
}

/*
 * Content priority, as fanotify's access-control groups have: from 6.14 on,
 * a file opened where no such group has marks raises no permission event
 * at all. Set before the first mark, which is when fsnotify counts it.
 */
#ifdef FS_PRIO_1		/* before 6.10 */
#define CG_PRIORITY	FS_PRIO_1
#else
#define CG_PRIORITY	FSNOTIFY_PRIO_CONTENT
#endif

int cg_enforce_init(void)
{
	int err;

	cg_inode_cache = kmem_cache_create("crmguard_inode_rule", sizeof(struct cg_inode_rule),
					   0, 0, NULL);
	if (!cg_inode_cache)
		return -ENOMEM;
	cg_group = fsnotify_alloc_group(&cg_fsnotify_ops, 0);
	if (IS_ERR(cg_group)) {
		err = PTR_ERR(cg_group);
		goto err_cache;
	}
	cg_group->priority = CG_PRIORITY;
	cg_exe_group = fsnotify_alloc_group(&cg_exe_fsnotify_ops, 0);
	if (IS_ERR(cg_exe_group)) {
		err = PTR_ERR(cg_exe_group);
		goto err_group;
	}
	cg_exe_group->priority = CG_PRIORITY;
	cg_clip_group = fsnotify_alloc_group(&cg_clip_fsnotify_ops, 0);
	if (IS_ERR(cg_clip_group)) {
		err = PTR_ERR(cg_clip_group);
		goto err_exe_group;
	}
	cg_clip_group->priority = CG_PRIORITY;
	return 0;

err_exe_group:
	fsnotify_put_group(cg_exe_group);
err_group:
	fsnotify_put_group(cg_group);
err_cache:
	kmem_cache_destroy(cg_inode_cache);
	return err;
}

/*
 * After every mark was destroyed: waits until none can reach the handler
 * or cg_free_mark any more, through fsnotify's exported calls only. A
 * destroyed mark is freed by fsnotify's reaper, after its SRCU grace
 * period, once its last reference goes; another group waiting for its
 * listener (a fanotify permission event on the same inode) holds one on
 * our marks too, for as long as it waits. So: wait until cg_free_mark has
 * seen every mark made, then for the reaper run that called it to return
 * (it drops the marks' hold on their group after cg_free_mark), and put
 * each group's last reference here.
 */
void cg_enforce_exit(void)
{
	wait_event(cg_marks_freed, !atomic_read(&cg_nmarks));
	fsnotify_wait_marks_destroyed();
	fsnotify_put_group(cg_clip_group);
	fsnotify_put_group(cg_exe_group);
	fsnotify_put_group(cg_group);
	kmem_cache_destroy(cg_inode_cache);
}
