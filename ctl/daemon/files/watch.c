// SPDX-License-Identifier: GPL-2.0
/*
 * The index of protected inodes and their fanotify marks, built anew for
 * each policy and handed what the last one had marked.
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

/* Errors that mean "not there (any more)", as opposed to "cannot watch". */
bool watch_absent(int err)
{
	return err == ENOENT || err == ENOTDIR || err == ELOOP || err == ESTALE ||
	       err == ENAMETOOLONG || err == POLICY_EWRONGTYPE;
}

const char *watch_strerror(int err)
{
	if (err == ENOSPC)
		return "no inotify watches left (raise the sysctl fs.inotify.max_user_watches)";
	if (err == EOPNOTSUPP)
		return "its filesystem has no file handles, which crmguardd needs to follow "
		       "directories (keep the CRM data on ext4, xfs, btrfs or tmpfs)";
	return strerror(err);
}

static int cmp_node(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

struct node *watch_find(void *tree, dev_t dev, ino_t ino)
{
	struct node key = { .dev = dev, .ino = ino };
	struct node **n = tfind(&key, &tree, cmp_node);

	return n ? *n : NULL;
}

static struct node *insert(void **tree, const struct stat *st, int rule, size_t *count)
{
	struct node *n = calloc(1, sizeof(*n)), **slot;

	if (!n)
		return NULL;
	n->dev = st->st_dev;
	n->ino = st->st_ino;
	n->rule = rule;
	n->wd = -1;
	n->mnt_id = -1;
	slot = tsearch(n, tree, cmp_node);
	if (!slot) {
		free(n);
		return NULL;
	}
	if (*slot != n) {
		free(n);	/* already there: the first rule that reached it wins */
		return *slot;
	}
	(*count)++;
	return n;
}

static void free_node(void *p)
{
	struct node *n = p;

	free(n->fh);
	free(n);
}

/* Marks name in dirfd, or with name NULL what dirfd is open on. */
static int mark(struct watch *w, int dirfd, const char *name, bool dir)
{
	unsigned long long mask = w->events | (dir ? FAN_EVENT_ON_CHILD : 0);
	unsigned int flags = FAN_MARK_ADD | FAN_MARK_DONT_FOLLOW | (dir ? FAN_MARK_ONLYDIR : 0);
	const char *path = name;
	int at = dirfd;
	char self[32];

	/*
	 * reads trust: opens only. The kernel settles at open whether a
	 * file will report its reads (FMODE_NONOTIFY_HSM): opened under a
	 * mark without FAN_PRE_ACCESS, a read of it costs what a read of any
	 * file on the filesystem costs. The hand-over watch (ebpf/handover.bpf.c)
	 * stands in for the read checks; a holder revoked since is ended (held.c).
	 */
	if (w->trust && !w->observe)
		mask &= FAN_OPEN_PERM | FAN_CLOSE | FAN_EVENT_ON_CHILD;
	/* fanotify_mark() takes no O_PATH descriptor: its /proc link leads there too */
	if (!name) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", dirfd);
		path = self;
		at = AT_FDCWD;
		flags &= ~FAN_MARK_DONT_FOLLOW;
	}
	if (fanotify_mark(w->fan, flags, mask, at, path) == 0) {
		w->marks_made++;
		return 0;
	}
	if (errno == EINVAL && w->events == FILE_EVENTS_PRE) {
		/* No pre-content events here (kernel < 6.14, or this filesystem). */
		w->events = FILE_EVENTS_OLD;
		return mark(w, dirfd, name, dir);
	}
	return -errno;
}

/*
 * The index in w->mounts of mount id, to open file handles through. A mount
 * seen the first time is opened through dirfd, if that is a directory on it
 * (O_PATH will do: it is opened again, as open_by_handle_at() takes no
 * O_PATH descriptor); else -EXDEV.
 */
static int mount_of(struct watch *w, int id, int dirfd)
{
	char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ]
		__attribute__((aligned(__alignof__(struct file_handle))));
	struct file_handle *fh = (struct file_handle *)buf;
	struct mount *grown;
	int i, fd, dir_id;

	for (i = 0; i < (int)w->nmounts; i++)
		if (w->mounts[i].id == id)
			return i;
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(dirfd, "", fh, &dir_id, AT_EMPTY_PATH))
		return -errno;
	if (dir_id != id)
		return -EXDEV;
	grown = realloc(w->mounts, (w->nmounts + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	w->mounts = grown;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w->mounts[i] = (struct mount){ id, fd };
	w->nmounts++;
	return i;
}

/*
 * Gives n the file handle of name in dirfd (with name NULL, of what dirfd
 * is open on), to open it again later wherever it went. *other (if not
 * NULL) says if n had the handle of another file: a deleted one with the
 * same inode number. On error n is as it was.
 */
static int take_handle(struct watch *w, struct node *n, int dirfd, const char *name, bool *other)
{
	char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ]
		__attribute__((aligned(__alignof__(struct file_handle))));
	struct file_handle *fh = (struct file_handle *)buf, *copy;
	int id, m;

	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(dirfd, name ?: "", fh, &id, name ? 0 : AT_EMPTY_PATH))
		return -errno;
	m = mount_of(w, id, dirfd);
	if (m < 0)
		return m;
	if (other)
		*other = n->fh && (n->fh->handle_type != fh->handle_type ||
				   n->fh->handle_bytes != fh->handle_bytes ||
				   memcmp(n->fh->f_handle, fh->f_handle, fh->handle_bytes));
	copy = malloc(sizeof(*fh) + fh->handle_bytes);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, fh, sizeof(*fh) + fh->handle_bytes);
	free(n->fh);
	n->fh = copy;
	n->mount = m;
	n->mnt_id = id;
	return 0;
}

int watch_add_file(struct watch *w, int dirfd, const char *name, const struct stat *st, int rule)
{
	bool other = false;
	struct node *n;
	int ret;

	/* Mark even a known (dev, ino): a deleted file's number comes back. */
	ret = mark(w, dirfd, name, false);
	if (ret)
		return ret;
	n = insert(&w->files, st, rule, &w->nfiles);
	if (!n)
		return -ENOMEM;
	/*
	 * The handle carries the protection over to the next policy's watch
	 * (inherit()): without one (no handles on this filesystem, a file that
	 * is a mount point) it is protected until then. It also tells a new
	 * file from the deleted one whose inode number it got, and whose rule
	 * is not its rule. Its mount comes with it; without one, ask.
	 */
	ret = take_handle(w, n, dirfd, name, &other);
	if (!ret && other)
		n->rule = rule;
	if (ret)
		n->mnt_id = kident_mount_id(dirfd, name ?: "", name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH);
	return 0;
}

/* Has inotify report on the directory open at fd: its watch number, or -errno. */
int watch_follow_fd(struct watch *w, int fd)
{
	struct slot *grown;
	char self[32];
	size_t cap;
	int wd;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(w->ino, self, DIR_WATCH_MASK);
	if (wd < 0)
		return -errno;
	if ((size_t)wd >= w->wd_cap) {
		cap = (size_t)wd * 2 + 16;
		grown = realloc(w->by_wd, cap * sizeof(*grown));
		if (!grown) {
			inotify_rm_watch(w->ino, wd);
			return -ENOMEM;
		}
		memset(grown + w->wd_cap, 0, (cap - w->wd_cap) * sizeof(*grown));
		w->by_wd = grown;
		w->wd_cap = cap;
	}
	return wd;
}

/* A watch that stands for nothing any more is dropped. */
void watch_unfollow_if_unused(struct watch *w, int wd)
{
	if (wd >= 0 && !w->by_wd[wd].dir && !w->by_wd[wd].spots)
		inotify_rm_watch(w->ino, wd);
}

/* Opens the directory n again, wherever it is now; -ESTALE once it is gone. */
int watch_reopen(const struct watch *w, const struct node *n, int flags)
{
	int fd = open_by_handle_at(w->mounts[n->mount].fd, n->fh, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

void watch_queue(struct watch *w, struct node *n)
{
	if (n->queued)
		return;
	n->queued = true;
	n->todo = w->todo;
	w->todo = n;
}

/* A directory that is gone (also off the scan list: it may go while on it). */
void watch_forget_dir(struct watch *w, struct node *n)
{
	struct node **pp;

	if (n->queued) {
		for (pp = &w->todo; *pp != n; pp = &(*pp)->todo)
			;
		*pp = n->todo;
	}
	tdelete(n, &w->dirs, cmp_node);
	free_node(n);
	w->ndirs--;
}

/*
 * Marks the directory name (in parentfd) and its children, and has inotify
 * report on it; its entries are marked by watch_scan(). A directory known by
 * (dev, ino) but not by its inotify watch is a new one with a reused number.
 */
int watch_add_dir(struct watch *w, int parentfd, const char *name, int rule)
{
	struct node *n;
	struct stat st;
	int fd, wd, ret;

	fd = openat(parentfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = fstat(fd, &st) ? -errno : mark(w, fd, ".", true);
	if (ret)
		goto out;
	wd = watch_follow_fd(w, fd);
	ret = wd < 0 ? wd : 0;
	if (ret)
		goto out;
	n = watch_find(w->dirs, st.st_dev, st.st_ino);
	if (n && n->wd == wd)
		goto out;	/* known */
	if (!n)
		n = insert(&w->dirs, &st, rule, &w->ndirs);
	ret = n ? take_handle(w, n, fd, NULL, NULL) : -ENOMEM;
	if (ret) {
		if (n && n->wd < 0)
			watch_forget_dir(w, n);
		watch_unfollow_if_unused(w, wd);
		goto out;
	}
	if (n->wd >= 0)
		w->by_wd[n->wd].dir = NULL;
	n->rule = rule;
	n->wd = wd;
	w->by_wd[wd].dir = n;
	watch_queue(w, n);
out:
	close(fd);
	return ret;
}

/*
 * Marks the entries of the directories on the scan list, adding their
 * subdirectories to it: one directory open at a time, however deep the
 * tree. Entries that go away meanwhile are skipped. Returns the first
 * error, with its rule in *rule.
 */
int watch_scan(struct watch *w, int *rule)
{
	struct dirent *de;
	struct node *n;
	struct stat st;
	int fd, ret, first = 0;
	DIR *d;

	while ((n = w->todo)) {
		w->todo = n->todo;
		n->queued = false;
		fd = watch_reopen(w, n, O_RDONLY | O_DIRECTORY);
		d = fd >= 0 ? fdopendir(fd) : NULL;
		if (!d) {
			ret = fd < 0 ? fd : -errno;
			if (fd >= 0)
				close(fd);
			goto next;
		}
		ret = 0;
		while (!ret && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
				continue;	/* gone meanwhile */
			if (S_ISREG(st.st_mode))
				ret = watch_add_file(w, fd, de->d_name, &st, n->rule);
			else if (S_ISDIR(st.st_mode))
				ret = watch_add_dir(w, fd, de->d_name, n->rule);
			if (watch_absent(-ret))
				ret = 0;
		}
		closedir(d);
next:
		if (ret && !watch_absent(-ret) && !first) {
			first = ret;
			*rule = n->rule;
		}
	}
	return first;
}

/* Protects what at found: a file, or a directory and all beneath it. */
int watch_protect(struct watch *w, int rule, const struct path_end *at)
{
	int dirfd, ret;

	if (S_ISDIR(at->st.st_mode))
		return watch_add_dir(w, AT_FDCWD, at->want, rule);
	if (!S_ISREG(at->st.st_mode))
		return -POLICY_EWRONGTYPE;
	dirfd = open(at->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	ret = watch_add_file(w, dirfd, at->name, &at->st, rule);
	close(dirfd);
	return ret;
}

/* Carrying a watch's protected inodes over to the next one. */
struct heir {
	struct watch *w;
	const struct watch *prev;
	const int *rule_of;	/* a rule of prev's policy -> the same rule in w's, or -1 */
	void *const *tree;	/* in w: &w->files or &w->dirs */
	int err, rule;		/* the first error, and its rule in w */
};

static void inherit_node(const void *nodep, VISIT which, void *closure)
{
	const struct node *n = *(const struct node *const *)nodep;
	struct heir *h = closure;
	bool dir = h->tree == &h->w->dirs;
	struct stat st;
	int fd, rule, ret;

	if ((which != postorder && which != leaf) || h->err || !n->fh ||
	    (rule = h->rule_of[n->rule]) < 0 || watch_find(*h->tree, n->dev, n->ino))
		return;
	/* O_PATH: no fanotify event, though prev still marks it */
	fd = open_by_handle_at(h->prev->mounts[n->mount].fd, n->fh, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return;		/* gone */
	if (dir) {
		ret = watch_add_dir(h->w, fd, ".", rule);
	} else {
		/* the file's new handle opens through its mount: w must know it */
		(void)mount_of(h->w, h->prev->mounts[n->mount].id, h->prev->mounts[n->mount].fd);
		ret = fstat(fd, &st) ? -errno : watch_add_file(h->w, fd, NULL, &st, rule);
	}
	close(fd);
	if (ret && !watch_absent(-ret)) {
		h->err = ret;
		h->rule = rule;
	}
}

/*
 * What prev protects under a rule that p still has stays protected,
 * wherever it went since: a folder moved away from its protected path, a
 * file renamed out of a protected directory. Removing the rule ends it.
 * Returns the first error, with its rule in *rule.
 */
static int inherit(struct watch *w, const struct policy *p, const struct watch *prev, int *rule)
{
	struct heir h = { .w = w, .prev = prev };
	size_t i, j;
	int *rule_of;

	rule_of = malloc((prev->nspots + 1) * sizeof(*rule_of));
	if (!rule_of)
		return -ENOMEM;
	for (j = 0; j < prev->nspots; j++) {
		rule_of[j] = -1;
		for (i = 0; i < p->nrules && prev->spots[j].path && rule_of[j] < 0; i++)
			if (p->rules[i].kind == RULE_PROTECT && !strcmp(p->rules[i].arg, prev->spots[j].path))
				rule_of[j] = i;
	}
	h.rule_of = rule_of;
	h.tree = &w->dirs;
	twalk_r(prev->dirs, inherit_node, &h);
	h.tree = &w->files;
	twalk_r(prev->files, inherit_node, &h);
	free(rule_of);
	*rule = h.rule;
	return h.err ?: watch_scan(w, rule);
}

int watch_build(struct watch **out, const struct policy *p, const struct watch *prev,
		bool observe, char *err, size_t errlen)
{
	const struct policy_rule *r;
	struct watch *w;
	size_t i;
	int ret, rule;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->trust = !p->reads_check;
	w->observe = observe;
	/* observing with reads trust: no event a read */
	w->events = !observe ? FILE_EVENTS_PRE :
		    w->trust ? FILE_EVENTS_SEEN & ~FAN_ACCESS : FILE_EVENTS_SEEN;
	w->fallback_rule = -1;
	w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	/* Unlimited queue: a full queue would let permission events through. */
	w->fan = fanotify_init((observe ? FAN_CLASS_NOTIF : FAN_CLASS_PRE_CONTENT) |
			       FAN_CLOEXEC | FAN_NONBLOCK |
			       FAN_REPORT_TID | FAN_UNLIMITED_MARKS | FAN_UNLIMITED_QUEUE,
			       O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
	if (w->fan < 0 || w->ino < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", w->fan < 0 ? "fanotify" : "inotify",
			 errno == EPERM ? "not permitted (crmguardd must run as root)"
					: strerror(errno));
		goto fail;
	}
	w->spots = calloc(p->nrules, sizeof(*w->spots));
	if (p->nrules && !w->spots) {
		ret = -ENOMEM;
		goto fail;
	}
	w->nspots = p->nrules;
	for (i = 0; i < p->nrules; i++) {
		w->spots[i].rule = i;
		w->spots[i].wd = -1;
	}
	for (i = 0; i < p->nrules; i++) {
		r = &p->rules[i];
		if (r->kind != RULE_PROTECT)
			continue;
		rule = i;
		w->spots[i].path = strdup(r->arg);
		ret = w->spots[i].path ? watch_place(w, &w->spots[i]) : -ENOMEM;
		ret = ret ?: watch_scan(w, &rule);
		if (ret) {
			r = &p->rules[rule];
			snprintf(err, errlen, "%s:%d: protect %s: cannot watch it: %s",
				 r->file, r->line, r->arg, watch_strerror(-ret));
			goto fail;
		}
		if (w->fallback_rule < 0 || (p->rules[w->fallback_rule].audit && !r->audit))
			w->fallback_rule = i;
	}
	ret = prev ? inherit(w, p, prev, &rule) : 0;
	if (ret) {
		r = &p->rules[rule];
		snprintf(err, errlen, "%s:%d: protect %s: cannot keep protecting what it protected: %s",
			 r->file, r->line, r->arg, watch_strerror(-ret));
		goto fail;
	}
	*out = w;
	return 0;
fail:
	watch_free(w);
	return ret;
}

void watch_free(struct watch *w)
{
	size_t i;

	if (!w)
		return;
	/* Closing the group drops its marks; pending permission events are allowed. */
	if (w->fan >= 0)
		close(w->fan);
	if (w->ino >= 0)
		close(w->ino);
	for (i = 0; i < w->nmounts; i++)
		close(w->mounts[i].fd);
	for (i = 0; i < w->nspots; i++)
		free(w->spots[i].path);
	tdestroy(w->files, free_node);
	tdestroy(w->dirs, free_node);
	free(w->mounts);
	free(w->spots);
	free(w->by_wd);
	free(w);
}
