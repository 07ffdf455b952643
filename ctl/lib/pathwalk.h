/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Looking up a path that may not be there (yet): how far it gets, and
 * where it stops. A protect rule's path that is missing is waited for at
 * the place this finds, with inotify.
 */
#ifndef CRMGUARD_PATHWALK_H
#define CRMGUARD_PATHWALK_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

struct path_end {
	char dir[PATH_MAX];	/* the last directory reached: a real path, no symlinks */
	char name[NAME_MAX + 1];	/* the path's last name in it, or the first one missing */
	char want[PATH_MAX];	/* dir/name and the names after it ("" if too long) */
	struct stat st;		/* what dir/name is, when it is there (not a symlink) */
};

/*
 * Looks path (absolute) up one name at a time, as the kernel would,
 * symlinks followed. Returns 0 when it is there, with at->st; else -errno
 * (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, ...), and at says where it
 * stopped. A path that ends on "/" has an empty at->name.
 */
int path_walk(const char *path, struct path_end *at);
/* Is path the same as, or beneath, the path above (both real paths)? */
bool path_beneath(const char *path, const char *above);

#endif
