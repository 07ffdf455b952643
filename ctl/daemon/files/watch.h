/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The file sensor: fanotify inode marks on everything a policy protects.
 *
 * Every protected file carries a mark of its own, so that hard links,
 * bind mounts, renames (even out of a protected directory) and
 * /proc/PID/fd all lead to the same marked inode. Protected directories
 * carry a mark for their children too, so that a file created after the
 * policy was loaded is seen from its first open; inotify tells when to
 * give it a mark of its own, and when a new subdirectory needs marks.
 * Files without a mark pay nothing. Directories hold no descriptors (their
 * file handles open them when inotify reports in them), so a tree of any
 * size fits any descriptor limit. Each policy gets a watch of its own: a
 * reload builds a new one and drops the old one only once it works.
 *
 * A protect rule's path is also watched by name, in its directory: what
 * appears there (a file saved over the protected one, a directory put
 * back) is protected. A path that is not there is no error: inotify
 * waits for it on the nearest directory on its way that is, and it is
 * protected when it appears. If inotify's queue overflows, every path is
 * looked up and every protected directory scanned again.
 */
#ifndef CRMGUARD_WATCH_H
#define CRMGUARD_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include "ctl/lib/policy.h"

/* Events a watch reports (fanotify masks). */
#define WATCH_OPEN	0x00010000	/* FAN_OPEN_PERM */
#define WATCH_ACCESS	0x00020000	/* FAN_ACCESS_PERM: read, no range */
#define WATCH_PRE	0x00100000	/* FAN_PRE_ACCESS: read/mmap/write, with range */
/* ... or, from a watch that observes, the same after the fact: */
#define WATCH_OPENED	0x00000020	/* FAN_OPEN */
#define WATCH_READ	0x00000001	/* FAN_ACCESS */

struct watch;

/*
 * A watch on what p protects. With prev (the running watch, or NULL), what
 * prev protects under a rule that p still has stays protected wherever it
 * went: moved away from the rule's path, it is protected all the same.
 * observe: an in-kernel backend enforces; the watch gets notification
 * events (WATCH_OPENED, WATCH_READ, close) that nobody waits on.
 */
int watch_build(struct watch **out, const struct policy *p, const struct watch *prev,
		bool observe, char *err, size_t errlen);
void watch_free(struct watch *w);
int watch_fanotify_fd(const struct watch *w);
int watch_inotify_fd(const struct watch *w);
/* true where the kernel reports byte ranges (fanotify pre-content events) */
bool watch_has_ranges(const struct watch *w);
size_t watch_files(const struct watch *w);
size_t watch_dirs(const struct watch *w);
/* Marks made so far: a change in it is something new to tell the kernel backend. */
unsigned long long watch_marks_made(const struct watch *w);
/*
 * Why the path of protect rule `rule` is not protected (an errno, or
 * POLICY_EWRONGTYPE; it is watched for), or 0, as last looked up.
 */
int watch_missing(const struct watch *w, int rule);
/* err (positive) in words, with what to do about the usual ones. */
const char *watch_strerror(int err);
/*
 * The rule that protects the file behind an event (fd, st), or -1. A file
 * that was only reached through its directory's mark gets its own mark here.
 */
int watch_rule_of(struct watch *w, int fd, const struct stat *st);
/* reads trust: decided at open, read calls not checked (watch.c mark()). */
bool watch_trusts_reads(const struct watch *w);
/* Calls fn for every marked file and directory, with the rule that marked it. */
struct watch_item {
	dev_t dev;			/* what stat() says */
	ino_t ino;
	int rule;
	bool dir;
	int mnt_id;			/* the mount it was found on (kident.h); < 0: unknown */
	int mount_fd;			/* open_by_handle_at(mount_fd, fh) reaches it */
	const struct file_handle *fh;	/* NULL: no handle on this filesystem */
};
void watch_for_each(const struct watch *w, void (*fn)(void *ctx, const struct watch_item *it),
		    void *ctx);
/* The rule of a file that has a mark of its own, or -1. */
int watch_rule_of_inode(const struct watch *w, dev_t dev, ino_t ino);
/* The path of a file that has a mark of its own, as it is now, into buf; false if none. */
bool watch_path_of(const struct watch *w, dev_t dev, ino_t ino, char *buf, size_t len);
/* The rule that covers the file or directory at path, or waits for it, or -1. */
int watch_covers(const struct watch *w, const char *path);
/* What watch_follow() tells crmguardd, for the log. */
enum watch_news {
	WATCH_OVERFLOW,		/* inotify lost events: all was looked up and marked again */
	WATCH_APPEARED,		/* a new file or directory at protect rule `rule`'s path is protected */
	WATCH_FAILED,		/* something new under `rule` could not be watched: error */
};
typedef void watch_report_fn(void *ctx, enum watch_news news, int rule, int error);
/*
 * Marks what inotify says was created in or moved into protected
 * directories, and protects rule paths that appear.
 */
void watch_follow(struct watch *w, watch_report_fn *report, void *ctx);

#endif
