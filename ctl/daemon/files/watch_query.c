// SPDX-License-Identifier: GPL-2.0
/* What the rest of crmguardd asks of the watch. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include "ctl/lib/kident.h"
#include "ctl/lib/pathwalk.h"
#include "ctl/daemon/files/watch_int.h"

int watch_fanotify_fd(const struct watch *w)
{
	return w->fan;
}

int watch_inotify_fd(const struct watch *w)
{
	return w->ino;
}

bool watch_has_ranges(const struct watch *w)
{
	return w->events == FILE_EVENTS_PRE;
}

size_t watch_files(const struct watch *w)
{
	return w->nfiles;
}

size_t watch_dirs(const struct watch *w)
{
	return w->ndirs;
}

unsigned long long watch_marks_made(const struct watch *w)
{
	return w->marks_made;
}

int watch_missing(const struct watch *w, int rule)
{
	return rule >= 0 && (size_t)rule < w->nspots ? w->spots[rule].missing : 0;
}

int watch_rule_of(struct watch *w, int fd, const struct stat *st)
{
	char self[32], path[PATH_MAX], *slash;
	struct node *n;
	struct stat dst;
	ssize_t len;

	n = watch_find(w->files, st->st_dev, st->st_ino);
	if (n)
		return n->rule;
	/*
	 * A new child of a protected directory, seen before inotify told us:
	 * this group marks nothing else. Its directory names the rule if the
	 * path means the same here (another mount namespace's need not);
	 * else the strictest protect rule decides: fail closed.
	 */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	len = readlink(self, path, sizeof(path) - 1);
	path[len > 0 ? len : 0] = 0;
	slash = strrchr(path, '/');
	if (slash)
		*slash = 0;
	n = slash && !stat(slash == path ? "/" : path, &dst) ? watch_find(w->dirs, dst.st_dev, dst.st_ino) : NULL;
	if (S_ISREG(st->st_mode))
		(void)watch_add_file(w, fd, NULL, st, n ? n->rule : w->fallback_rule);
	return n ? n->rule : w->fallback_rule;
}

int watch_covers(const struct watch *w, const char *path)
{
	char dir[PATH_MAX], *slash;
	struct path_end at;
	struct stat st;
	struct node *n;
	size_t i;

	/* A path a rule waits for covers what will be beneath it. */
	path_walk(path, &at);
	for (i = 0; i < w->nspots; i++)
		if (w->spots[i].missing && w->spots[i].want[0] && path_beneath(at.want, w->spots[i].want))
			return i;
	if (stat(path, &st))
		return -1;
	n = watch_find(w->files, st.st_dev, st.st_ino);
	if (!n && S_ISDIR(st.st_mode))
		n = watch_find(w->dirs, st.st_dev, st.st_ino);
	if (n)
		return n->rule;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	*slash = 0;
	if (stat(slash == dir ? "/" : dir, &st))
		return -1;
	n = watch_find(w->dirs, st.st_dev, st.st_ino);
	return n ? n->rule : -1;
}

struct each {
	void (*fn)(void *ctx, const struct watch_item *it);
	void *ctx;
	const struct watch *w;
	bool dir;
};

static void visit(const void *nodep, VISIT which, void *closure)
{
	const struct node *n = *(const struct node *const *)nodep;
	struct each *e = closure;
	struct watch_item it = { n->dev, n->ino, n->rule, e->dir, n->mnt_id, -1, n->fh };

	if (which != postorder && which != leaf)
		return;
	if (n->fh)
		it.mount_fd = e->w->mounts[n->mount].fd;
	e->fn(e->ctx, &it);
}

void watch_for_each(const struct watch *w, void (*fn)(void *ctx, const struct watch_item *it),
		    void *ctx)
{
	struct each e = { fn, ctx, w, false };

	twalk_r(w->files, visit, &e);
	e.dir = true;
	twalk_r(w->dirs, visit, &e);
}

int watch_rule_of_inode(const struct watch *w, dev_t dev, ino_t ino)
{
	struct node *n = watch_find(w->files, dev, ino);

	return n ? n->rule : -1;
}

bool watch_path_of(const struct watch *w, dev_t dev, ino_t ino, char *buf, size_t len)
{
	struct node *n = watch_find(w->files, dev, ino);
	int fd = n && n->fh ? watch_reopen(w, n, O_PATH) : -1;
	char self[32];
	ssize_t got = -1;

	if (fd >= 0) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		got = readlink(self, buf, len - 1);
		close(fd);
	}
	buf[got > 0 ? got : 0] = 0;
	return got > 0;
}

bool watch_trusts_reads(const struct watch *w)
{
	return w->trust;
}
