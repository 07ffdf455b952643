// SPDX-License-Identifier: GPL-2.0
/*
 * Who holds a channel that carries tainted data: an iterator over every
 * descriptor of every process (iter/task_file; threads that share their
 * descriptor table are visited once) that writes a record for each one of
 * a pipe, FIFO or socket crmguardd put in `wanted`. It runs only when
 * crmguardd reads it (ctl/daemon/taint/ipc_holders.c), in one pass in the
 * kernel, instead of two system calls per descriptor through /proc.
 */
#include "vmlinux.h"
#include "kconst.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "inode_dev.bpf.h"
#include "holders.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HOLDERS_MAX_WANTED);
	__type(key, struct holders_key);
	__type(value, __u32);
} wanted SEC(".maps");

SEC("iter/task_file")
int holders(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct holders_rec r = {};
	struct inode *inode;
	struct super_block *sb;
	umode_t fmt;

	if (!task || !file)
		return 0;
	inode = file->f_inode;
	if (!inode)
		return 0;
	fmt = inode->i_mode & S_IFMT;
	if (fmt == S_IFSOCK) {
		r.key.kind = HOLDERS_SOCKET;
	} else if (fmt == S_IFIFO) {
		sb = inode->i_sb;
		r.key.kind = sb->s_magic == PIPEFS_MAGIC ? HOLDERS_PIPE : HOLDERS_FIFO;
		if (r.key.kind == HOLDERS_FIFO)
			r.key.dev = inode_dev(inode, sb->s_magic, sb->s_dev);
	} else {
		return 0;
	}
	r.key.ino = inode->i_ino;
	if (!bpf_map_lookup_elem(&wanted, &r.key))
		return 0;
	r.tgid = task->tgid;
	r.fd = ctx->fd;
	r.reads = !!(file->f_mode & FMODE_READ);
	r.writes = !!(file->f_mode & FMODE_WRITE);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
