/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crmguard.ko inside: the rule tables (rules.c), the fsnotify group that
 * enforces them (enforce.c), the marks that keep binaries unwritten once
 * locked (exemark.c), what each process was started with and whether it
 * is tainted (exec.c), taint followed while crmguardd is gone (taint.c),
 * the clipboard tools (clip.c) and display connections (display.c), and
 * the generic netlink family that programs them and carries verdicts
 * (genl.c). The ABI is uapi/crmguard.h.
 */
#ifndef CRMGUARD_KMOD_H
#define CRMGUARD_KMOD_H

#include <linux/atomic.h>
#include <linux/fsnotify_backend.h>
#include <linux/netlink.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/types.h>
#include "uapi/crmguard.h"

/* A rule as a message names it (uapi CRMGUARD_ATTR_RULE_*). */
struct cg_rule {
	u32 type;
	u64 dev, ino;
	u32 uid, user_kind, flags, id;
};

/*
 * A protected inode: its fsnotify mark with what the handler needs. The
 * handler reaches it through the mark under fsnotify's SRCU, never through
 * the table, so fsnotify frees it (cg_free_mark) after that grace period.
 */
struct cg_inode_rule {
	struct fsnotify_mark mark;
	struct hlist_node node;		/* in the inode table, under cg_lock */
	u64 dev, ino;
	/*
	 * The inode marked, to tell it from a new one that got its number:
	 * compared, and read under the mark's lock while the mark is on
	 * (cg_inode_marked()), when it cannot be freed.
	 */
	const struct inode *inode;
	/*
	 * The rule's flags and id as one word (cg_word()), replaced as one
	 * under cg_lock: a verdict never pairs one rule's flags with the
	 * id of the rule that replaced it.
	 */
	atomic64_t word;
};

static inline s64 cg_word(u32 flags, u32 id)
{
	return (s64)((u64)flags << 32 | id);
}

static inline u32 cg_word_flags(s64 word)
{
	return (u64)word >> 32;
}

static inline u32 cg_word_id(s64 word)
{
	return (u32)word;
}

/* One access, as the verdict group reports it. */
struct cg_verdict {
	u32 op, verdict, rule_id;
	u32 pid, tid, uid;
	u64 dev, ino;
	u64 exe_dev, exe_ino;
	char comm[TASK_COMM_LEN];
	const struct path *path;
	const char *name;	/* without a path: what stands for it (a display's address) */
	struct file *exe;	/* a reference, or NULL */
};

struct cg_stats {
	u64 allow, audit, deny, lost;
};

/* rules.c: every change holds cg_lock; the handler reads under RCU. */
extern struct mutex cg_lock;
/* file: the inode of an INODE rule; of an EXE rule, or NULL. */
int cg_rule_add(const struct cg_rule *r, struct file *file,
		struct netlink_ext_ack *extack);
int cg_rule_del(const struct cg_rule *r, struct netlink_ext_ack *extack);
void cg_rule_flush(void);
/*
 * Calls fill for every rule from the pos-th on, and stops where fill
 * fails; gen: the tables' generation, which every change bumps.
 */
int cg_rule_walk(unsigned long *pos, unsigned int *gen,
		 int (*fill)(void *ctx, const struct cg_rule *r), void *ctx);
u32 cg_rule_count(void);
bool cg_user_rule(u32 uid, u32 *kind, u32 *id);
/* Under fsnotify's SRCU (in a handler): inode is the binary's, dev and ino name it. */
bool cg_exe_rule(const struct inode *inode, u64 dev, u64 ino, u32 *id);

/* Does the fd a rule came with name the inode (dev, ino) the rule names? */
int cg_file_is(struct file *file, u64 dev, u64 ino, struct netlink_ext_ack *extack);

/*
 * exemark.c, under cg_lock: an allowed binary's mark, into *to: *from's,
 * if it is still on the inode that file names (or no file came: the rule
 * names the same inode), else a new one on file's inode, else none.
 */
int cg_exe_mark_move(struct cg_inode_rule **from, struct file *file, u64 dev, u64 ino,
		     struct cg_inode_rule **to, struct netlink_ext_ack *extack);
/* Does binary inode pass its rule's mark m (or NULL)? Under fsnotify's SRCU. */
bool cg_exe_still(const struct cg_inode_rule *m, const struct inode *inode);
int cg_daemon_exe_mark(struct file *file, struct netlink_ext_ack *extack);
void cg_daemon_exe_unmark(void);
/* Locked: is current the locked crmguardd (its binary, nothing injected)? */
bool cg_daemon_is_current(void);

/* The mode and what a dead daemon means; cg_lock for changes. */
void cg_config_set(u32 mode, int fail_open, u32 portid);
void cg_config_get(u32 *mode, bool *fail_open);
void cg_socket_released(u32 portid);
/* Whether a deny stands: enforce mode and no fail-open daemon gone. */
bool cg_enforcing(void);
/* Whether the daemon that asked for fail-open is gone: nothing is refused. */
bool cg_failed_open(void);
/* Refuses changes from now on: the module is going away. */
void cg_rules_close(void);
int cg_rules_init(void);
/* After cg_rules_close, once no handler runs. */
void cg_rules_exit(void);
/*
 * CRMGUARD_CMD_LOCK (uapi/crmguard.h): until reboot, with crmguardd's
 * binary (daemon_exe, or NULL) kept from being written; and the refusals
 * it made.
 */
int cg_lock_rules(struct file *daemon_exe, struct netlink_ext_ack *extack);
bool cg_locked(void);
void cg_refused_count(void);
u64 cg_refused_read(void);

/* enforce.c */
u64 cg_dev_of(struct inode *inode, const struct path *path);
int cg_enforce_init(void);
void cg_enforce_exit(void);
struct cg_inode_rule *cg_inode_rule_alloc(void);
int cg_mark_inode(struct cg_inode_rule *r, struct inode *inode);
/* A binary that the lock keeps from being written (r->dev, r->ino name it). */
int cg_mark_exe(struct cg_inode_rule *r, struct inode *inode);
/* A clipboard tool, for its exec (clip.c). */
int cg_mark_tool(struct cg_inode_rule *r, struct inode *inode);
bool cg_inode_marked(struct cg_inode_rule *r);
void cg_unmark_inode(struct cg_inode_rule *r);
void cg_stats_read(struct cg_stats *s);
void cg_stat_lost(void);

/*
 * exec.c: whether current's program was started with a library injected
 * through a loader variable, as judged at its exec.
 */
int cg_exec_init(void);
void cg_exec_exit(void);
bool cg_injected(void);
/*
 * Whether current's process is tainted, or t's (a reference); cg_taint()
 * taints process nr (its tgid), or t's.
 */
bool cg_tainted(void);
bool cg_task_tainted(struct task_struct *t);
int cg_taint(pid_t nr);
int cg_taint_task(struct task_struct *t);

/*
 * taint.c: while the socket that set the clipboard is gone (crmguardd
 * is), current, let through at its open of a protected file, is tainted
 * with the holders of its channels.
 */
void cg_clip_owner_set(u32 portid);
void cg_clip_owner_released(u32 portid);
void cg_taint_reader(void);
/*
 * And, whether crmguardd runs or not: at every allowed attach to another
 * process's memory, and at the open of a FIFO a tainted process writes to.
 */
void cg_taint_init(void);
void cg_taint_exit(void);

/* clip.c: the tools' exec by tainted processes */
int cg_clip_event(struct fsnotify_group *group, u32 mask, const void *data, int data_type,
		  struct inode *dir, const struct qstr *file_name, u32 cookie,
		  struct fsnotify_iter_info *iter_info);
int cg_clip_set(u32 mode, struct file **tools, int ntools, struct file **allow, int nallow,
		struct netlink_ext_ack *extack);
void cg_clip_close(void);
/* The mode says to look (audit or block); to refuse (block, and no fail-open daemon gone). */
bool cg_clip_watching(void);
bool cg_clip_blocking(void);
/* Is mm's binary (current's, or a task's under task_lock) one that `clipboard allow exe` names? */
bool cg_clip_allowed(struct mm_struct *mm);

/* display.c: display connections of tainted processes */
void cg_display_init(void);
void cg_display_exit(void);
u32 cg_display_probes(void);
u64 cg_display_missed(void);
/* t (a reference), just tainted by the module: its display connections ended. */
void cg_display_end_holder(struct task_struct *t);

/* genl.c */
int cg_genl_init(void);
void cg_genl_exit(void);
void cg_verdict_send(const struct cg_verdict *v);
/* A CRMGUARD_CMD_REFUSED message: cmd, by current; the binary's path, dev, ino or NULL. */
void cg_refused_send(u32 cmd, const struct path *path, u64 dev, u64 ino);

#endif
