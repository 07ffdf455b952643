// SPDX-License-Identifier: GPL-2.0
/*
 * The marks that keep binaries from being written once the module is
 * locked (uapi/crmguard.h): one on each allowed binary whose rule came
 * with an fd, held by the rule (rules.c), and one on the binary of the
 * crmguardd that locked it. enforce.c's second group carries them and
 * refuses the writes. Every change holds cg_lock.
 */
#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/rcupdate.h>
#include "crmguard.h"

/* Once locked: the mark on crmguardd's binary, or NULL. */
static struct cg_inode_rule *cg_daemon_exe;

/* A mark on the binary that file names (dev, ino), into *out; on failure *out is left. */
static int cg_exe_mark_new(struct file *file, u64 dev, u64 ino, struct cg_inode_rule **out)
{
	struct cg_inode_rule *r;
	int err;

	if (!S_ISREG(file_inode(file)->i_mode))
		return -EINVAL;
	r = cg_inode_rule_alloc();
	if (!r)
		return -ENOMEM;
	r->dev = dev;
	r->ino = ino;
	err = cg_mark_exe(r, file_inode(file));
	if (!err)
		*out = r;
	return err;
}

int cg_exe_mark_move(struct cg_inode_rule **from, struct file *file, u64 dev, u64 ino,
		     struct cg_inode_rule **to, struct netlink_ext_ack *extack)
{
	struct cg_inode_rule *old = from ? *from : NULL;
	int err;

	if (old && (!file || (cg_inode_marked(old) && old->inode == file_inode(file)))) {
		*to = old;
		WRITE_ONCE(*from, NULL);
		return 0;
	}
	if (!file)
		return 0;
	/* gone with its inode, whose number file's has now: off before the new one */
	if (old) {
		cg_unmark_inode(old);
		WRITE_ONCE(*from, NULL);
	}
	err = cg_exe_mark_new(file, dev, ino, to);
	if (err)
		NL_SET_ERR_MSG(extack, "fsnotify refused a mark on the binary (not a file?)");
	return err;
}

/*
 * Locked, a binary that its rule marked is allowed as that very inode
 * only: unlinked or renamed over, it loses its mark, and its number may
 * go to a new file at once (ext4 does so), which must not run as allowed;
 * no rule can be added for it until reboot. A mark stays in memory until
 * fsnotify's SRCU grace period after it was destroyed, and the handler
 * that asks runs under that SRCU. Unlocked, the rule allows by number,
 * as crmguardd's own decisions do.
 */
bool cg_exe_still(const struct cg_inode_rule *m, const struct inode *inode)
{
	return !m || !cg_locked() ||
	       (m->inode == inode && (READ_ONCE(m->mark.flags) & FSNOTIFY_MARK_FLAG_ATTACHED));
}

/*
 * The first crmguardd binary the lock is given; one that is an allowed
 * binary too has its rule's mark already (fsnotify takes one mark of a
 * group on an inode), which the lock keeps until reboot as well.
 */
int cg_daemon_exe_mark(struct file *file, struct netlink_ext_ack *extack)
{
	struct inode *inode = file_inode(file);
	int err;

	if (cg_daemon_exe)
		return 0;
	err = cg_exe_mark_new(file, cg_dev_of(inode, &file->f_path), inode->i_ino,
			      &cg_daemon_exe);
	if (err == -EEXIST)
		return 0;
	if (err)
		NL_SET_ERR_MSG(extack, "fsnotify refused a mark on crmguardd's binary");
	return err;
}

/*
 * Locked: does current run the locked crmguardd's binary, that very inode
 * (marked still, as cg_exe_still() asks of an allowed binary), with no
 * library injected? Only such a process stands for crmguardd. Unlocked,
 * any sender does; locked without a binary, any that runs clean.
 */
bool cg_daemon_is_current(void)
{
	const struct file *exe;
	bool is;

	if (!cg_locked())
		return true;
	mutex_lock(&cg_lock);	/* cg_daemon_exe stays */
	rcu_read_lock();
	exe = current->mm ? rcu_dereference(current->mm->exe_file) : NULL;
	is = exe && cg_exe_still(cg_daemon_exe, file_inode(exe));
	rcu_read_unlock();
	mutex_unlock(&cg_lock);
	return is && !cg_injected();
}

void cg_daemon_exe_unmark(void)
{
	if (cg_daemon_exe)
		cg_unmark_inode(cg_daemon_exe);
	cg_daemon_exe = NULL;
}
