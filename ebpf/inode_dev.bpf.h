/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device an inode is named by in crmguard's rules and records
 * (kmod/uapi/crmguard.h), for the BPF programs: its superblock's, but on
 * btrfs its subvolume's. btrfs numbers the inodes of each subvolume on
 * their own, so the superblock's device and a number name a file in each
 * subvolume that has it; stat() reports a device of each subvolume's own
 * (fs/btrfs/inode.c btrfs_getattr(): the root's anon_dev), and so do we.
 *
 * btrfs's types come from its BTF (vmlinux's if built in, else its
 * module's, which libbpf reads when it loads the programs): loaded with
 * no btrfs there, a program names btrfs inodes by their superblock, and
 * crmguardd, which asks the same before loading, refuses btrfs rules.
 * Included after vmlinux.h and bpf_core_read.h.
 */
#ifndef CRMGUARD_INODE_DEV_BPF_H
#define CRMGUARD_INODE_DEV_BPF_H

#include "kconst.bpf.h"

/* fs/btrfs/ctree.h, fs/btrfs/btrfs_inode.h: what is read of them */
struct btrfs_root___crmguard {
	dev_t anon_dev;
} __attribute__((preserve_access_index));

struct btrfs_inode___crmguard {
	struct btrfs_root___crmguard *root;
	struct inode vfs_inode;
} __attribute__((preserve_access_index));

/* new_encode_dev(): the dev_t of userland, as in st_dev. */
static __always_inline __u64 user_dev(dev_t kdev)
{
	__u32 major = kdev >> 20, minor = kdev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((__u64)(minor & ~0xff) << 12);
}

/*
 * The device of inode, on a superblock whose s_magic and s_dev the caller
 * read (as it reads fields: a BTF pointer's plainly, others by CORE_READ).
 * 0 for an inode of a btrfs subvolume being deleted (it has no device
 * any more): no rule names it.
 */
static __always_inline __u64 inode_dev(struct inode *inode, unsigned long magic, dev_t sb_dev)
{
	struct btrfs_inode___crmguard *bi;
	struct btrfs_root___crmguard *root;

	if (magic != BTRFS_SUPER_MAGIC || !bpf_core_type_exists(struct btrfs_inode___crmguard))
		return user_dev(sb_dev);
	bi = (void *)((unsigned long)inode -
		      bpf_core_field_offset(struct btrfs_inode___crmguard, vfs_inode));
	root = BPF_CORE_READ(bi, root);
	return user_dev(BPF_CORE_READ(root, anon_dev));
}

#endif
