// SPDX-License-Identifier: GPL-2.0
/*
 * The clipboard tools (uapi/crmguard.h CRMGUARD_CMD_CLIPBOARD_SET): an
 * FS_OPEN_PERM mark of enforce.c's third group on each, whose handler
 * refuses, or reports, every open of one by a tainted process (exec.c
 * keeps the taint): an exec, and the ways around a check at exec that
 * open the binary as a file: the dynamic loader run by hand (ld.so
 * /usr/bin/xclip maps what it opened) and a copy to run under another
 * name. Marks and mode change under cg_lock; the handler reads the mode
 * once and reaches the tool through its path.
 *
 * And the binaries `clipboard allow exe` names, which keep their display
 * connections (display.c): held as files, and compared by inode with the
 * process's binary, under RCU.
 *
 * Once locked (uapi/crmguard.h CRMGUARD_CMD_LOCK), the clipboard only
 * tightens, as the rules only grow: a new one that would lower the mode,
 * leave out a tool whose mark is on, or allow a binary the one in force
 * does not is refused whole.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "crmguard.h"

struct cg_allowed {
	int n;
	struct file *files[];
};

static struct cg_inode_rule *cg_tools[CRMGUARD_CLIP_TOOLS_MAX];
static struct cg_allowed __rcu *cg_allow;
static u32 cg_clip_mode = CRMGUARD_CLIP_OFF;

bool cg_clip_watching(void)
{
	return READ_ONCE(cg_clip_mode) != CRMGUARD_CLIP_OFF;
}

bool cg_clip_blocking(void)
{
	return READ_ONCE(cg_clip_mode) == CRMGUARD_CLIP_BLOCK && !cg_failed_open();
}

bool cg_clip_allowed(struct mm_struct *mm)
{
	const struct cg_allowed *a;
	const struct file *exe;
	bool found = false;
	int i;

	if (!mm)
		return false;
	rcu_read_lock();
	a = rcu_dereference(cg_allow);
	exe = rcu_dereference(mm->exe_file);
	for (i = 0; a && exe && i < a->n && !found; i++)
		found = file_inode(a->files[i]) == file_inode(exe);
	rcu_read_unlock();
	return found;
}

/* Once no reader can see a (after a grace period). */
static void cg_allowed_free(struct cg_allowed *a)
{
	int i;

	for (i = 0; a && i < a->n; i++)
		fput(a->files[i]);
	kfree(a);
}

/* A new set of allowed binaries, each file with a reference of its own; ERR_PTR on failure. */
static struct cg_allowed *cg_allowed_new(struct file **files, int n,
					 struct netlink_ext_ack *extack)
{
	struct cg_allowed *a;
	int i;

	for (i = 0; i < n; i++) {
		if (!S_ISREG(file_inode(files[i])->i_mode)) {
			NL_SET_ERR_MSG(extack, "an allowed binary is not a regular file");
			return ERR_PTR(-EINVAL);
		}
	}
	a = kmalloc(struct_size(a, files, n), GFP_KERNEL);
	if (!a)
		return ERR_PTR(-ENOMEM);
	a->n = n;
	for (i = 0; i < n; i++)
		a->files[i] = get_file(files[i]);
	return a;
}

/*
 * An open of a marked tool; for an exec, the process that asks still runs
 * its old program, none of the tool's. FS_OPEN_PERM's data is the opened
 * file's own f_path.
 */
int cg_clip_event(struct fsnotify_group *group, u32 mask, const void *data, int data_type,
		  struct inode *dir, const struct qstr *file_name, u32 cookie,
		  struct fsnotify_iter_info *iter_info)
{
	const struct path *path = data;
	u32 mode = READ_ONCE(cg_clip_mode);
	struct cg_verdict v = { .op = CRMGUARD_OP_CLIP_EXEC, .path = path };
	struct inode *inode;
	bool refuse, exec;

	if (!(mask & FS_OPEN_PERM) || data_type != FSNOTIFY_EVENT_PATH ||
	    mode == CRMGUARD_CLIP_OFF || !cg_tainted())
		return 0;
	inode = d_backing_inode(path->dentry);
	refuse = mode == CRMGUARD_CLIP_BLOCK && !cg_failed_open();
	/* the kernel's log has it too, for while crmguardd is not there to say it */
	exec = container_of(path, struct file, f_path)->f_flags & __FMODE_EXEC;
	if (refuse)
		pr_notice_ratelimited("clipboard: refused %s of %pd (ino %lu) by tainted pid %d (%s, uid %u)\n",
				      exec ? "exec" : "opening", path->dentry, inode->i_ino,
				      task_tgid_nr(current), current->comm,
				      from_kuid(&init_user_ns, current_uid()));
	v.verdict = refuse ? CRMGUARD_VERDICT_DENY : CRMGUARD_VERDICT_AUDIT;
	v.pid = task_tgid_nr(current);
	v.tid = task_pid_nr(current);
	v.uid = from_kuid(&init_user_ns, current_uid());
	v.dev = cg_dev_of(inode, path);
	v.ino = inode->i_ino;
	get_task_comm(v.comm, current);
	cg_verdict_send(&v);
	return refuse ? -EPERM : 0;
}

/* Under cg_lock: the live mark among tools[] on file's inode, taken out of tools[], or NULL. */
static struct cg_inode_rule *cg_tool_take(struct cg_inode_rule **tools, struct file *file)
{
	struct cg_inode_rule *r;
	int i;

	for (i = 0; i < CRMGUARD_CLIP_TOOLS_MAX; i++) {
		r = tools[i];
		if (r && r->inode == file_inode(file) && cg_inode_marked(r)) {
			tools[i] = NULL;
			return r;
		}
	}
	return NULL;
}

/* Under cg_lock: a new mark on file's tool, into *out. */
static int cg_tool_mark(struct file *file, struct cg_inode_rule **out)
{
	struct inode *inode = file_inode(file);
	struct cg_inode_rule *r;
	int err;

	if (!S_ISREG(inode->i_mode))
		return -EINVAL;
	r = cg_inode_rule_alloc();
	if (!r)
		return -ENOMEM;
	r->dev = cg_dev_of(inode, &file->f_path);
	r->ino = inode->i_ino;
	err = cg_mark_tool(r, inode);
	if (!err)
		*out = r;
	return err;	/* on failure fsnotify frees r */
}

/* Under cg_lock: is a tool whose mark is on not among files[0..n)? */
static bool cg_tool_left_out(struct file **files, int n)
{
	int i, j;

	for (i = 0; i < CRMGUARD_CLIP_TOOLS_MAX; i++) {
		if (!cg_tools[i] || !cg_inode_marked(cg_tools[i]))
			continue;
		for (j = 0; j < n && file_inode(files[j]) != cg_tools[i]->inode; j++)
			;
		if (j == n)
			return true;
	}
	return false;
}

/* Under cg_lock: is one of allow[0..nallow) a binary not allowed now? */
static bool cg_allowed_more(struct file **allow, int nallow)
{
	const struct cg_allowed *a = rcu_dereference_protected(cg_allow,
							       lockdep_is_held(&cg_lock));
	int i, j;

	for (i = 0; i < nallow; i++) {
		for (j = 0; a && j < a->n && file_inode(a->files[j]) != file_inode(allow[i]); j++)
			;
		if (!a || j == a->n)
			return true;
	}
	return false;
}

/*
 * Under cg_lock: -EPERM, with the reason in extack, if the new clipboard
 * would loosen the one in force; else 0. A tool whose inode is gone has
 * no mark left: it protects nothing, and may be left out.
 */
static int cg_clip_loosens(u32 mode, struct file **files, int n, struct file **allow,
			   int nallow, struct netlink_ext_ack *extack)
{
	if (mode < cg_clip_mode)
		NL_SET_ERR_MSG(extack,
			       "crmguard.ko is locked until reboot: its clipboard mode stays");
	else if (cg_tool_left_out(files, n))
		NL_SET_ERR_MSG(extack,
			       "crmguard.ko is locked until reboot: its clipboard tools stay");
	else if (cg_allowed_more(allow, nallow))
		NL_SET_ERR_MSG(extack,
			       "crmguard.ko is locked until reboot: no more binaries allowed");
	else
		return 0;
	return -EPERM;
}

/*
 * The tools become files[0..n), the allowed binaries allow[0..nallow) and
 * the mode is mode, whole or not at all: a tool in both sets keeps its mark
 * throughout. Locked, -EPERM (and nothing changes) if that loosens it.
 */
int cg_clip_set(u32 mode, struct file **files, int n, struct file **allow, int nallow,
		struct netlink_ext_ack *extack)
{
	struct cg_inode_rule *old[CRMGUARD_CLIP_TOOLS_MAX], *now[CRMGUARD_CLIP_TOOLS_MAX] = {};
	bool made[CRMGUARD_CLIP_TOOLS_MAX] = {};
	struct cg_allowed *a = cg_allowed_new(allow, nallow, extack);
	int i, err = PTR_ERR_OR_ZERO(a);

	if (err)
		return err;
	mutex_lock(&cg_lock);
	if (cg_locked()) {
		err = cg_clip_loosens(mode, files, n, allow, nallow, extack);
		if (err)
			goto out;
	}
	memcpy(old, cg_tools, sizeof(old));
	for (i = 0; i < n && !err; i++) {
		now[i] = cg_tool_take(old, files[i]);
		if (!now[i]) {
			err = cg_tool_mark(files[i], &now[i]);
			made[i] = !err;
		}
	}
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(extack, "a clipboard tool is named twice");
		else
			NL_SET_ERR_MSG(extack, "fsnotify refused a clipboard tool (not a file?)");
		for (i = 0; i < n; i++)
			if (made[i])
				cg_unmark_inode(now[i]);
		goto out;
	}
	for (i = 0; i < CRMGUARD_CLIP_TOOLS_MAX; i++)
		if (old[i])
			cg_unmark_inode(old[i]);
	memcpy(cg_tools, now, sizeof(now));
	a = rcu_replace_pointer(cg_allow, a, lockdep_is_held(&cg_lock));
	WRITE_ONCE(cg_clip_mode, mode);
out:
	mutex_unlock(&cg_lock);
	/* the set that is not in force now: the old one, or on failure the new */
	synchronize_rcu();
	cg_allowed_free(a);
	return err;
}

/* Under cg_lock, as the module goes, once display.c's probes are off: every tool's mark. */
void cg_clip_close(void)
{
	int i;

	for (i = 0; i < CRMGUARD_CLIP_TOOLS_MAX; i++) {
		if (cg_tools[i])
			cg_unmark_inode(cg_tools[i]);
		cg_tools[i] = NULL;
	}
	WRITE_ONCE(cg_clip_mode, CRMGUARD_CLIP_OFF);
	cg_allowed_free(rcu_replace_pointer(cg_allow, NULL, lockdep_is_held(&cg_lock)));
}
