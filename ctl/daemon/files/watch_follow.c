// SPDX-License-Identifier: GPL-2.0
/*
 * Keeping up with the file system: a protected path waited for by name
 * where it is (or where it stops while it is not there), and what inotify
 * reports in protected directories: new entries marked, a file saved over
 * a protected one protected again.
 */
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

/* Moves s's inotify watch to the directory at->dir, for at->name. */
static int move_spot(struct watch *w, struct spot *s, const struct path_end *at)
{
	struct spot **pp;
	int fd, wd;

	fd = open(at->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	wd = watch_follow_fd(w, fd);
	close(fd);
	if (wd < 0)
		return wd;
	snprintf(s->name, sizeof(s->name), "%s", at->name);
	if (wd == s->wd)
		return 0;
	if (s->wd >= 0) {
		for (pp = &w->by_wd[s->wd].spots; *pp != s; pp = &(*pp)->next)
			;
		*pp = s->next;
		watch_unfollow_if_unused(w, s->wd);
	}
	s->wd = wd;
	s->next = w->by_wd[wd].spots;
	w->by_wd[wd].spots = s;
	return 0;
}

static bool same_place(int a, const struct path_end *x, int b, const struct path_end *y)
{
	return a == b && !strcmp(x->dir, y->dir) && !strcmp(x->name, y->name) &&
	       (a || (x->st.st_dev == y->st.st_dev && x->st.st_ino == y->st.st_ino));
}

/*
 * Looks up s's path again: protects what is there, and waits by name where
 * it is or where it stops. Whatever moved before inotify watched that spot
 * is caught by looking once more. Returns 0, or an error that is not just
 * "not there" (s->missing says that).
 */
int watch_place(struct watch *w, struct spot *s)
{
	struct path_end at, again;
	int found, ret, round;

	found = path_walk(s->path, &at);
	for (round = 0; round < MAX_ROUNDS; round++) {
		ret = found ?: watch_protect(w, s->rule, &at);
		if (ret && !watch_absent(-ret))
			return ret;
		s->missing = -ret;
		if (!ret) {
			s->dev = at.st.st_dev;
			s->ino = at.st.st_ino;
		}
		if (at.name[0]) {	/* "/" is never replaced */
			ret = move_spot(w, s, &at);
			if (ret && !watch_absent(-ret))
				return ret;
		}
		snprintf(s->want, sizeof(s->want), "%s", at.want);
		ret = path_walk(s->path, &again);
		if (same_place(found, &at, ret, &again))
			break;
		found = ret;
		at = again;
	}
	return 0;
}

/* Something appeared in the protected directory n: mark it. */
static int dir_entry(struct watch *w, struct node *n, const char *name)
{
	struct stat st;
	int fd, ret = 0;

	fd = watch_reopen(w, n, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return fd;
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW))
		ret = -errno;
	else if (S_ISREG(st.st_mode))
		ret = watch_add_file(w, fd, name, &st, n->rule);
	else if (S_ISDIR(st.st_mode))
		ret = watch_add_dir(w, fd, name, n->rule);
	close(fd);
	return ret;
}

/*
 * Looks s's path up again, and notes if something new is protected there:
 * after its name was created or moved in, or if it was not there before,
 * or was another inode.
 */
static void relocate(struct watch *w, struct spot *s, bool created,
		     watch_report_fn *report, void *ctx)
{
	int was = s->missing, ret;
	dev_t dev = s->dev;
	ino_t ino = s->ino;

	ret = watch_place(w, s);
	if (ret)
		report(ctx, WATCH_FAILED, s->rule, -ret);
	else if (!s->missing && (created || was || s->dev != dev || s->ino != ino))
		s->appeared = true;
}

static void queue_dir(const void *nodep, VISIT which, void *closure)
{
	if (which == postorder || which == leaf)
		watch_queue(closure, *(struct node *const *)nodep);
}

/* Events were lost: look every path up again, and queue every directory. */
static void rescan(struct watch *w, watch_report_fn *report, void *ctx)
{
	size_t i;

	for (i = 0; i < w->nspots; i++)
		if (w->spots[i].path)
			relocate(w, &w->spots[i], false, report, ctx);
	twalk_r(w->dirs, queue_dir, w);
}

/*
 * One inotify event. (w->by_wd may move while it is handled: a new
 * directory's watch can grow it.)
 */
static void follow_event(struct watch *w, const struct inotify_event *ev,
			 watch_report_fn *report, void *ctx)
{
	struct node *dir = w->by_wd[ev->wd].dir;
	struct spot *s, *next;
	int ret;

	if (ev->len && dir) {
		ret = dir_entry(w, dir, ev->name);
		if (ret && !watch_absent(-ret))
			report(ctx, WATCH_FAILED, dir->rule, -ret);
	}
	/* The directory is gone: a new one may get its inode number. */
	if ((ev->mask & IN_IGNORED) && dir) {
		w->by_wd[ev->wd].dir = NULL;
		watch_forget_dir(w, dir);
	}
	/* a name appeared where a spot waits, or its directory went */
	for (s = w->by_wd[ev->wd].spots; s; s = next) {
		next = s->next;
		if (!ev->len || !strcmp(s->name, ev->name))
			relocate(w, s, ev->len, report, ctx);
	}
}

void watch_follow(struct watch *w, watch_report_fn *report, void *ctx)
{
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	bool overflow = false;
	ssize_t len;
	size_t i;
	char *p;
	int ret, rule;

	while ((len = read(w->ino, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				overflow = true;
			else if (ev->wd >= 0 && (size_t)ev->wd < w->wd_cap)
				follow_event(w, ev, report, ctx);
		}
	}
	if (overflow)
		rescan(w, report, ctx);
	ret = watch_scan(w, &rule);
	if (ret)
		report(ctx, WATCH_FAILED, rule, -ret);
	/* Said once all beneath is marked: whatever comes later is followed. */
	for (i = 0; i < w->nspots; i++) {
		if (w->spots[i].appeared)
			report(ctx, WATCH_APPEARED, i, 0);
		w->spots[i].appeared = false;
	}
	if (overflow)
		report(ctx, WATCH_OVERFLOW, -1, 0);
}
