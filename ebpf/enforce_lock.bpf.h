/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lock until reboot, for the BPF LSM (struct enforce_lock): once
 * crmguardd set it, the programs refuse, to everyone, root included, what
 * would take them or their rules away, and report each refusal:
 *  - the pins and their BPF filesystem (unlink, rename, rmdir, umount);
 *  - links (BPF_LINK_DETACH, BPF_LINK_UPDATE);
 *  - a writable descriptor of the programs' maps, and of the clipboard's
 *    (clip_maps.bpf.h), but to crmguardd;
 *  - signals and ptrace to crmguardd;
 *  - writing an allowed binary or crmguardd's own (lsm_lock_daemon) in
 *    place: the rules name it by its inode, and new code in it would be
 *    allowed too. Opening it for write or with O_TRUNC, truncate(2),
 *    unlinking it or renaming it away or over it.
 * crmguardd is the task that runs the binary the lock recorded, neither
 * traced nor started with a library injected: the one that set the lock,
 * or one started after it stopped, which takes the lock over with its
 * first writable descriptor of a map (lsm_lock.daemon_tgid follows it).
 * Included once, at the end of enforce.bpf.c: its maps, count() and
 * inode_key() are the enforcer's.
 */
#ifndef CRMGUARD_ENFORCE_LOCK_BPF_H
#define CRMGUARD_ENFORCE_LOCK_BPF_H

#include "kconst.bpf.h"

#include "clip_lsm.h"
#include "clip_maps.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_lock_daemon);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsm_lock_daemon SEC(".maps");

static __always_inline struct enforce_lock *locked(void)
{
	__u32 zero = 0;
	struct enforce_lock *l = bpf_map_lookup_elem(&lsm_lock, &zero);

	return l && l->locked ? l : NULL;
}

/* what: the signal, the bpf() command, or with dev the inode refused. */
static __always_inline int refuse(struct enforce_lock *l, __u32 op, __u64 dev, __u64 what)
{
	struct enforce_verdict *e;
	__u64 id = bpf_get_current_pid_tgid();

	__sync_fetch_and_add(&l->refused, 1);
	e = bpf_ringbuf_reserve(&lsm_verdicts, sizeof(*e), 0);
	if (!e) {
		count(ENFORCE_STAT_LOST);
		return -EPERM;
	}
	__builtin_memset(e, 0, offsetof(struct enforce_verdict, comm));
	e->op = op;
	e->verdict = CRMGUARD_VERDICT_DENY;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = bpf_get_current_uid_gid();
	e->dev = dev;
	e->ino = what;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->path[0] = 0;
	e->exe[0][0] = 0;
	bpf_ringbuf_submit(e, 0);
	return -EPERM;
}

static __always_inline bool is_pin_dir(const struct enforce_lock *l, struct inode *inode)
{
	return inode && inode->i_ino == l->pin_ino && inode->i_sb->s_dev == l->pin_dev;
}

/* A pin removed or renamed, or the directory itself. */
static __always_inline int pin_change(struct inode *dir, struct dentry *dentry)
{
	struct enforce_lock *l = locked();

	if (l && (is_pin_dir(l, dir) || is_pin_dir(l, dentry->d_inode)))
		return refuse(l, ENFORCE_OP_UNPIN, 0, 0);
	return 0;
}

/* An allowed binary, or crmguardd's: the lock's daemon keeps what it ran. */
static __always_inline bool exe_guarded(struct inode *inode, struct enforce_inode_key *key)
{
	struct enforce_lock_daemon *ld;
	__u32 zero = 0;

	if (!inode)
		return false;
	inode_key(inode, key);
	if (bpf_map_lookup_elem(&lsm_exes, key))
		return true;
	ld = bpf_map_lookup_elem(&lsm_lock_daemon, &zero);
	return ld && ld->exe.ino == key->ino && ld->exe.dev == key->dev;
}

/* inode written, truncated, unlinked or replaced: refused if it is a guarded binary. */
static __always_inline int exe_change(struct inode *inode)
{
	struct enforce_inode_key key;
	struct enforce_lock *l = locked();

	if (l && exe_guarded(inode, &key))
		return refuse(l, ENFORCE_OP_EXE_WRITE, key.dev, key.ino);
	return 0;
}

SEC("lsm/inode_unlink")
int BPF_PROG(crm_inode_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	return ret ?: pin_change(dir, dentry) ?: exe_change(dentry->d_inode);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(crm_inode_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	return ret ?: pin_change(dir, dentry);
}

SEC("lsm/inode_rename")
int BPF_PROG(crm_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry)
{
	return pin_change(old_dir, old_dentry) ?: pin_change(new_dir, new_dentry) ?:
	       exe_change(old_dentry->d_inode) ?: exe_change(new_dentry->d_inode);
}

/*
 * A second program on file_open, apart from the enforcer's: opens for
 * write or with O_TRUNC only (exec and reads leave at once).
 */
SEC("lsm/file_open")
int BPF_PROG(crm_lock_file_open, struct file *file, int ret)
{
	if (ret || (!(file->f_mode & FMODE_WRITE) && !(file->f_flags & O_TRUNC)))
		return ret;
	return exe_change(file->f_inode);
}

/* truncate(2); on 6.1 also ftruncate() and O_TRUNC (later kernels: file_truncate). */
SEC("lsm/path_truncate")
int BPF_PROG(crm_lock_path_truncate, const struct path *path, int ret)
{
	return ret ?: exe_change(path->dentry->d_inode);
}

/* Unmounting the BPF filesystem would drop the pins, and the links with them. */
SEC("lsm/sb_umount")
int BPF_PROG(crm_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	struct enforce_lock *l = locked();

	if (ret || !l || mnt->mnt_sb->s_dev != l->pin_dev)
		return ret;
	return refuse(l, ENFORCE_OP_UMOUNT, 0, 0);
}

/*
 * A link cannot be told apart by its fd here: no link on the machine is
 * detached or given another program while locked. (The hook's arguments
 * past cmd changed across kernels: only cmd is read.)
 */
SEC("lsm/bpf")
int BPF_PROG(crm_bpf, int cmd)
{
	struct enforce_lock *l;

	if (cmd != BPF_LINK_DETACH && cmd != BPF_LINK_UPDATE)
		return 0;
	l = locked();
	return l ? refuse(l, ENFORCE_OP_BPF, 0, cmd) : 0;
}

/*
 * Is the current task crmguardd as the lock knows it: running the binary
 * that set the lock, not traced (a tracer can make it do anything), not
 * started with a library injected?
 */
static __always_inline bool lock_daemon(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct enforce_lock_daemon *ld;
	struct enforce_inode_key exe;
	__u32 zero = 0, *flag;

	ld = bpf_map_lookup_elem(&lsm_lock_daemon, &zero);
	if (!ld || !ld->exe.ino || task->ptrace)
		return false;
	inode_key(task->mm->exe_file->f_inode, &exe);
	if (exe.dev != ld->exe.dev || exe.ino != ld->exe.ino)
		return false;
	flag = bpf_task_storage_get(&lsm_preload, task, NULL, 0);
	return !flag || !*flag;
}

/*
 * The maps the lock keeps: the programs' rules, config, the lock,
 * counters, the injected-library flags, and the ring buffer (its reader
 * must write where it read up to: another reader would take records away
 * from crmguardd); and the clipboard's mode, tools, allowed binaries,
 * tainted processes, ring buffer and count of lost records: a writer could
 * loosen the clipboard, untaint a process or hide a loss.
 */
static __always_inline bool kept_map(const void *m)
{
	return m == &lsm_inodes || m == &lsm_exes || m == &lsm_users || m == &lsm_config ||
	       m == &lsm_lock || m == &lsm_lock_daemon || m == &lsm_verdicts ||
	       m == &lsm_stats || m == &lsm_preload || m == &clip_taint || m == &clip_tools ||
	       m == &clip_allow || m == &clip_mode || m == &clip_events || m == &clip_lost;
}

/*
 * A descriptor of a kept map that can write. Only crmguardd gets one: the
 * one that set the lock kept its own; a crmguardd started after it
 * stopped takes the lock over here, before it can read or write a map, so
 * that no signal or ptrace reaches it from then on. Read-only descriptors
 * stay for all.
 */
SEC("lsm/bpf_map")
int BPF_PROG(crm_bpf_map, struct bpf_map *map, fmode_t fmode, int ret)
{
	struct enforce_lock *l;

	if (ret || !(fmode & FMODE_WRITE))
		return ret;
	l = locked();
	if (!l || !kept_map(map))
		return 0;
	if (lock_daemon()) {
		l->daemon_tgid = bpf_get_current_pid_tgid() >> 32;
		return 0;
	}
	return refuse(l, ENFORCE_OP_MAP_WRITE, 0, 0);
}

/* crmguardd takes SIGHUP (reload) and harmless signals only. */
SEC("lsm/task_kill")
int BPF_PROG(crm_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	struct enforce_lock *l = locked();

	if (ret || !l || p->tgid != l->daemon_tgid)
		return ret;
	if (sig == 0 || sig == SIGHUP || sig == SIGCHLD || sig == SIGCONT || sig == SIGURG ||
	    sig == SIGWINCH)
		return 0;
	/*
	 * The service manager (PID 1) stops it: systemctl stop, a package
	 * upgrade, shutdown. The programs and their pins stay, and so does
	 * the lock; crmguardd records its stop.
	 */
	if ((sig == SIGTERM || sig == SIGKILL) && (bpf_get_current_pid_tgid() >> 32) == 1)
		return 0;
	return refuse(l, ENFORCE_OP_KILL, 0, sig);
}

/* Attaching (ptrace, /proc/PID/mem, pidfd_getfd) to crmguardd; reading /proc stays. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(crm_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	struct enforce_lock *l = locked();

	if (ret || !l || !(mode & PTRACE_MODE_ATTACH) || child->tgid != l->daemon_tgid ||
	    (bpf_get_current_pid_tgid() >> 32) == l->daemon_tgid)
		return ret;
	return refuse(l, ENFORCE_OP_PTRACE, 0, 0);
}
#endif
