// SPDX-License-Identifier: GPL-2.0
/*
 * Taint followed by the module itself while crmguardd is gone (the socket
 * that handed it the clipboard closed): crmguardd follows taint through
 * pipes, FIFOs and sockets as data moves (ctl/daemon/taint), and names
 * each process it taints (CRMGUARD_CMD_TAINT); without it, nobody would,
 * and a CRM started then would pipe its rows to a clipboard tool freely.
 *
 * So, while it is gone and the clipboard is watched: a process that opens
 * a protected file and is let through (the allowed CRM) is tainted at that
 * open, and so is every process that then can read what it writes: holds
 * for reading a pipe or FIFO it holds for writing, or holds the other end
 * of a unix socket it holds. In a shell pipeline, that is the next
 * command (or, before that one is forked, the shell, whose children then
 * inherit it). A process so tainted that already holds a connection to a
 * display server is ended (display.c), as crmguardd ends it. That is the
 * moment crmguardd follows too; what it does besides (a channel made
 * later, the reader of data sent after the writer exited) waits for it to
 * be back.
 *
 * And, whether crmguardd runs or not, at once, before crmguardd has heard
 * of it (it follows too, and names it): memory, a process that the kernel
 * lets read and write another's (ptrace, /proc/PID/mem, process_vm_readv)
 * has what that one holds, and a tainted one taints the other; and a FIFO
 * a tainted process opens to write taints who opens it to read, before
 * and after.
 */
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <net/af_unix.h>
#include "crmguard.h"

#define CG_CHANNELS	16	/* a process's channels looked at */
#define CG_HOLDERS	64	/* processes tainted for one open */

/* The portid of the socket that last set the clipboard; gone: none is open. */
static u32 cg_clip_owner;
static bool cg_clip_owner_gone = true;

struct cg_channels {
	const struct inode *inodes[CG_CHANNELS];
	int n;
};

void cg_clip_owner_set(u32 portid)
{
	WRITE_ONCE(cg_clip_owner, portid);
	WRITE_ONCE(cg_clip_owner_gone, false);
}

void cg_clip_owner_released(u32 portid)
{
	if (!READ_ONCE(cg_clip_owner_gone) && READ_ONCE(cg_clip_owner) == portid)
		WRITE_ONCE(cg_clip_owner_gone, true);
}

/*
 * A channel of current's: a pipe or FIFO it can write to (not one it only
 * reads, nor the stderr it shares with its siblings: their holders write),
 * or the other end of a unix socket.
 */
static int cg_channel_of(const void *arg, struct file *file, unsigned int fd)
{
	struct cg_channels *c = (struct cg_channels *)arg;
	struct inode *inode = file_inode(file);
	struct socket *sock;
	struct sock *peer;

	if (c->n == CG_CHANNELS)
		return 1;
	if (S_ISFIFO(inode->i_mode)) {
		if (file->f_mode & FMODE_WRITE)
			c->inodes[c->n++] = inode;
	} else if (S_ISSOCK(inode->i_mode)) {
		sock = sock_from_file(file);
		if (!sock || !sock->sk || sock->sk->sk_family != AF_UNIX)
			return 0;
		peer = unix_peer_get(sock->sk);
		if (!peer)
			return 0;
		/* compared, never followed: the peer may go once put */
		if (peer->sk_socket)
			c->inodes[c->n++] = SOCK_INODE(peer->sk_socket);
		sock_put(peer);
	}
	return 0;
}

/* Does a descriptor of the process looked at read one of the channels? */
static int cg_holds(const void *arg, struct file *file, unsigned int fd)
{
	const struct cg_channels *c = arg;
	int i;

	for (i = 0; i < c->n; i++)
		if (file_inode(file) == c->inodes[i] && (file->f_mode & FMODE_READ))
			return 1;
	return 0;
}

/*
 * From the enforcement handler, in the task that opens a protected file
 * and is let through; it may sleep.
 */
void cg_taint_reader(void)
{
	struct task_struct *holders[CG_HOLDERS], *p;
	struct cg_channels c = { .n = 0 };
	bool missed = false;
	int n = 0, i;

	if (!READ_ONCE(cg_clip_owner_gone) || !cg_clip_watching() || cg_tainted())
		return;
	cg_taint_task(current);
	cg_display_end_holder(current);
	if (current->files)
		iterate_fd(current->files, 0, cg_channel_of, &c);
	if (!c.n)
		return;
	rcu_read_lock();
	for_each_process(p) {
		if (same_thread_group(p, current) || (p->flags & PF_KTHREAD))
			continue;
		task_lock(p);
		if (p->files && iterate_fd(p->files, 0, cg_holds, &c)) {
			if (n < CG_HOLDERS)
				holders[n++] = get_task_struct(p);
			else
				missed = true;
		}
		task_unlock(p);
	}
	rcu_read_unlock();
	for (i = 0; i < n; i++) {
		cg_taint_task(holders[i]);
		cg_display_end_holder(holders[i]);
		put_task_struct(holders[i]);
	}
	if (missed)
		pr_warn_ratelimited("clipboard: more than %d processes hold the channels of pid %d: the others are not tainted\n",
				    CG_HOLDERS, task_tgid_nr(current));
}

/*
 * security_ptrace_access_check(child, mode), the end of the kernel's
 * ptrace access check (after the credentials: only an LSM can refuse
 * after this point), in attach mode: current can read and write child's
 * memory, either way round. (A PTRACE_TRACEME, the tracee's own doing,
 * is left to crmguardd; and, for one tainted here that holds a display
 * connection already, its end.)
 */
static int cg_ptrace_access(struct kprobe *p, struct pt_regs *regs)
{
	struct task_struct *child = (struct task_struct *)regs_get_kernel_argument(regs, 0);
	bool mine, its;

	if (!(regs_get_kernel_argument(regs, 1) & PTRACE_MODE_ATTACH) || !cg_clip_watching() ||
	    same_thread_group(child, current))
		return 0;
	mine = cg_tainted();
	its = cg_task_tainted(child);
	if (mine != its)
		cg_taint_task(mine ? child : current);
	return 0;
}

static struct kprobe cg_ptrace_probe = {
	.symbol_name = "security_ptrace_access_check", .pre_handler = cg_ptrace_access,
};

static bool cg_ptrace_probed;

/*
 * FIFOs (and pipes reopened through /proc/PID/fd: fifo_open() too) a
 * tainted process opened to write, the last CG_FIFOS of them, by device
 * and inode number. One written by an untainted process since stays in:
 * its readers are tainted all the same (more, never less).
 */
#define CG_FIFOS	256

static struct cg_fifo {
	dev_t dev;
	unsigned long ino;
} cg_fifos[CG_FIFOS];
static unsigned int cg_fifos_next;
static DEFINE_RAW_SPINLOCK(cg_fifos_lock);

static struct cg_fifo cg_fifo_of(const struct inode *inode)
{
	return (struct cg_fifo){ .dev = inode->i_sb->s_dev, .ino = inode->i_ino };
}

static bool cg_fifo_find(const struct cg_fifo *f)
{
	unsigned long flags;
	bool found = false;
	int i;

	raw_spin_lock_irqsave(&cg_fifos_lock, flags);
	for (i = 0; i < CG_FIFOS && !found; i++)
		found = cg_fifos[i].ino == f->ino && cg_fifos[i].dev == f->dev;
	raw_spin_unlock_irqrestore(&cg_fifos_lock, flags);
	return found;
}

static void cg_fifo_add(const struct cg_fifo *f)
{
	unsigned long flags;

	if (cg_fifo_find(f))
		return;
	raw_spin_lock_irqsave(&cg_fifos_lock, flags);
	cg_fifos[cg_fifos_next++ % CG_FIFOS] = *f;
	raw_spin_unlock_irqrestore(&cg_fifos_lock, flags);
}

/*
 * fifo_open(inode, filp), as it starts: a tainted writer's FIFO is noted
 * before its open wakes a reader waiting in its own; a reader of a noted
 * one is tainted before it can read. A reader that came first, waiting in
 * its open, is looked at again as the open returns (1: no need to).
 */
static int cg_fifo_open(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct file *filp = (struct file *)regs_get_kernel_argument(regs, 1);
	struct cg_fifo *f = (struct cg_fifo *)ri->data;

	if (!cg_clip_watching())
		return 1;
	*f = cg_fifo_of((struct inode *)regs_get_kernel_argument(regs, 0));
	if (cg_tainted()) {
		if (filp->f_mode & FMODE_WRITE)
			cg_fifo_add(f);
		return 1;
	}
	if (!(filp->f_mode & FMODE_READ))
		return 1;
	if (!cg_fifo_find(f))
		return 0;
	cg_taint_task(current);
	return 1;
}

static int cg_fifo_opened(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (!regs_return_value(regs) && cg_fifo_find((struct cg_fifo *)ri->data) && !cg_tainted())
		cg_taint_task(current);
	return 0;
}

/*
 * A reader waiting in its open holds an instance: past CG_FIFO_WAITERS of
 * them at once, a reader that came first is crmguardd's to find, a moment
 * after its open.
 */
#define CG_FIFO_WAITERS	512

static struct kretprobe cg_fifo_probe = {
	.kp.symbol_name = "fifo_open", .entry_handler = cg_fifo_open, .handler = cg_fifo_opened,
	.data_size = sizeof(struct cg_fifo), .maxactive = CG_FIFO_WAITERS,
};

static bool cg_fifo_probed;

void cg_taint_init(void)
{
	int err = register_kprobe(&cg_ptrace_probe);

	cg_ptrace_probed = !err;
	if (err)
		pr_warn("clipboard: no kprobe on %s (%d): taint is not followed into another process's memory\n",
			cg_ptrace_probe.symbol_name, err);
	err = register_kretprobe(&cg_fifo_probe);
	cg_fifo_probed = !err;
	if (err)
		pr_warn("clipboard: no kretprobe on fifo_open (%d): taint through a FIFO opened later waits for crmguardd\n",
			err);
}

void cg_taint_exit(void)
{
	if (cg_fifo_probed)
		unregister_kretprobe(&cg_fifo_probe);
	if (cg_ptrace_probed)
		unregister_kprobe(&cg_ptrace_probe);
}
