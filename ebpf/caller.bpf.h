/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fills a struct caller (caller.h) from the current task. Included after
 * vmlinux.h, bpf_core_read.h and inode_dev.bpf.h.
 */
#ifndef CRMGUARD_CALLER_BPF_H
#define CRMGUARD_CALLER_BPF_H

#include "caller.h"

/*
 * The names from the binary up to its filesystem's root, leaf first
 * ("mount/bin/usr/"): tracepoint programs may not call bpf_d_path, and
 * a short-lived caller is gone before crmguardd could read /proc.
 */
static void caller_exe_names(struct caller *c, struct dentry *d)
{
	struct dentry *parent;
	__u32 off = 0;
	long n;
	int i;

	c->exe[0] = 0;
	for (i = 0; i < CALLER_EXE_DEPTH && d; i++) {
		parent = BPF_CORE_READ(d, d_parent);
		if (parent == d)
			break;
		n = bpf_probe_read_kernel_str(c->exe + (off & (CALLER_EXE_LEN / 2 - 1)),
					      CALLER_EXE_LEN / 2, BPF_CORE_READ(d, d_name.name));
		if (n <= 1)
			break;
		off = (off & (CALLER_EXE_LEN / 2 - 1)) + n;
		if (off >= CALLER_EXE_LEN / 2)
			break;	/* no room for another name: the path is cut */
		c->exe[(off - 1) & (CALLER_EXE_LEN - 1)] = '/';
		c->exe[off & (CALLER_EXE_LEN - 1)] = 0;
		d = parent;
	}
}

/* task, the current one or another (read as data: it may be exiting). */
static void caller_fill_task(struct caller *c, struct task_struct *task)
{
	struct inode *inode = BPF_CORE_READ(task, mm, exe_file, f_inode);

	c->pid = BPF_CORE_READ(task, tgid);
	c->uid = BPF_CORE_READ(task, cred, uid.val);
	c->exe_dev = inode ? inode_dev(inode, BPF_CORE_READ(inode, i_sb, s_magic),
				       BPF_CORE_READ(inode, i_sb, s_dev)) : 0;
	c->exe_ino = inode ? BPF_CORE_READ(inode, i_ino) : 0;
	BPF_CORE_READ_STR_INTO(&c->comm, task, comm);
	caller_exe_names(c, BPF_CORE_READ(task, mm, exe_file, f_path.dentry));
}

static void caller_fill(struct caller *c)
{
	caller_fill_task(c, (struct task_struct *)bpf_get_current_task());
}

#endif
