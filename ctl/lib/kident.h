/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An inode as the in-kernel backends name it (kmod/uapi/crmguard.h): the
 * device of its superblock, and its inode number; on btrfs, the device of
 * its subvolume instead, as btrfs numbers each subvolume's inodes on their
 * own. crmguardd keeps files by what stat() says (st_dev, st_ino): for
 * fanotify, in its tables and in the records. The two differ where stat()
 * reports another device than the superblock's: on btrfs (the subvolume's,
 * which is the kernel's name there too), and on overlayfs for a file of a
 * lower layer on another filesystem (that layer's). The superblock's
 * device is the "major:minor" that /proc/self/mountinfo prints for the
 * file's mount, which statx(STATX_MNT_ID) names: the mount table is read
 * once, and each file costs a lookup in it.
 */
#ifndef CRMGUARD_KIDENT_H
#define CRMGUARD_KIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct kmount {
	int id;		/* the mount id: mountinfo's first field, statx's stx_mnt_id */
	dev_t dev;	/* its superblock's device */
	bool btrfs;
};

/* The mounts of crmguardd's mount namespace, sorted by id. */
struct kmounts {
	struct kmount *v;
	size_t n;
};

/*
 * Parses the text of a /proc/PID/mountinfo into m (which it replaces; m
 * starts zeroed). A line it cannot read is an error, with its number in
 * err: the table decides which files the kernel protects.
 */
int kmounts_parse(struct kmounts *m, const char *text, char *err, size_t errlen);
/* Reads /proc/self/mountinfo into m. */
int kmounts_load(struct kmounts *m, char *err, size_t errlen);
void kmounts_free(struct kmounts *m);
const struct kmount *kmounts_find(const struct kmounts *m, int id);
/* Adds k to m, unless m has its id already. 0, or -ENOMEM. */
int kmounts_add(struct kmounts *m, const struct kmount *k);
/* The kernel's device of a file on mount m whose st_dev is st_dev. */
dev_t kident_dev(const struct kmount *m, dev_t st_dev);
/*
 * The mount id of name in dirfd (flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH
 * for dirfd itself), or -errno.
 */
int kident_mount_id(int dirfd, const char *name, int flags);

#endif
