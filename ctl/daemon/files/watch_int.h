/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The watch's insides, shared by its files: watch.c (the index of
 * protected inodes and their marks, built per policy), watch_follow.c
 * (paths waited for by name, and what inotify reports), watch_query.c
 * (what the rest of crmguardd asks of it).
 */
#ifndef CRMGUARD_WATCH_INT_H
#define CRMGUARD_WATCH_INT_H

#include <limits.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "ctl/daemon/files/watch.h"
#include "ctl/lib/pathwalk.h"

#ifndef FAN_REPORT_TID
#define FAN_REPORT_TID 0x00000100
#endif

#define FILE_EVENTS_PRE	(FAN_OPEN_PERM | WATCH_PRE | FAN_CLOSE)
#define FILE_EVENTS_OLD	(FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_CLOSE)
/* An in-kernel backend decides: the watch only tells what was done. */
#define FILE_EVENTS_SEEN	(FAN_OPEN | FAN_ACCESS | FAN_CLOSE)
/*
 * One mask for every inotify watch (a second inotify_add_watch on the same
 * directory replaces the mask): names that appear, and the directory itself
 * going away. No IN_DONT_FOLLOW: watches are added through /proc/self/fd.
 */
#define DIR_WATCH_MASK	(IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | \
			 IN_EXCL_UNLINK | IN_ONLYDIR)
/* Lookups of one path in a row that found it moving; inotify says the rest. */
#define MAX_ROUNDS 8

/*
 * A protected file or directory. None holds a descriptor: a directory is
 * opened by its file handle when inotify reports in it (wherever it was
 * renamed to), so a tree of any size costs none; the next policy's watch
 * opens files and directories so too, to carry them over (inherit()).
 */
struct node {
	dev_t dev;
	ino_t ino;
	int rule;
	int wd;			/* directories: inotify watch */
	struct file_handle *fh;	/* to open it again; a file may have none */
	int mount;		/* index in watch->mounts, to open fh through */
	int mnt_id;		/* the mount it was found on (kident.h) */
	bool queued;		/* directories: on the scan list */
	struct node *todo;	/* directories: the next one to scan */
};

/*
 * Where a protect rule's path is kept an eye on by name: the directory that
 * holds it, or, while it is not there, the nearest directory on its way that
 * is. What appears there under that name is looked up again: a file saved
 * over the protected one, a directory put back, the path coming into being.
 */
struct spot {
	int rule;
	char *path;		/* as written in the policy */
	int wd;			/* the inotify watch on that directory; -1: none */
	char name[NAME_MAX + 1];	/* the name to wait for there */
	char want[PATH_MAX];	/* the real path it will have (for watch_covers) */
	int missing;		/* why the path is not protected now (errno), or 0 */
	dev_t dev;		/* else what was there, last looked up */
	ino_t ino;
	bool appeared;		/* something new is protected there: to report */
	struct spot *next;	/* more spots on the same inotify watch */
};

/* What an inotify watch number stands for. */
struct slot {
	struct node *dir;	/* a protected directory */
	struct spot *spots;	/* spots in that directory */
};

/* A descriptor on each mount, to open file handles through. */
struct mount {
	int id;
	int fd;
};

struct watch {
	int fan;
	int ino;
	unsigned long long events;	/* FILE_EVENTS_PRE, _OLD or _SEEN */
	bool observe;			/* notification events only: nothing waits on us */
	unsigned long long marks_made;	/* only ever grows: a mark, even on a known inode */
	/* reads trust: the marks ask about opens only (mark() says why) */
	bool trust;
	void *files;	/* tsearch tree of struct node, by (dev, ino) */
	void *dirs;	/* tsearch tree of struct node, by (dev, ino) */
	struct slot *by_wd;
	size_t nfiles, ndirs, wd_cap;
	struct spot *spots;	/* one per rule; used for protect rules */
	size_t nspots;
	struct mount *mounts;
	size_t nmounts;
	struct node *todo;	/* directories whose entries are still to mark */
	int fallback_rule;	/* for an event whose rule cannot be found */
};

/* Shared by the watch's files. */
bool watch_absent(int err);
struct node *watch_find(void *tree, dev_t dev, ino_t ino);
int watch_add_file(struct watch *w, int dirfd, const char *name, const struct stat *st, int rule);
int watch_add_dir(struct watch *w, int parentfd, const char *name, int rule);
int watch_reopen(const struct watch *w, const struct node *n, int flags);
void watch_queue(struct watch *w, struct node *n);
void watch_forget_dir(struct watch *w, struct node *n);
int watch_scan(struct watch *w, int *rule);
int watch_follow_fd(struct watch *w, int fd);
void watch_unfollow_if_unused(struct watch *w, int wd);
int watch_protect(struct watch *w, int rule, const struct path_end *at);
int watch_place(struct watch *w, struct spot *s);

#endif
