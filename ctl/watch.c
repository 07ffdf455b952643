// SPDX-License-Identifier: GPL-2.0
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
#include "ctl/watch.h"

#ifndef FAN_REPORT_TID
#define FAN_REPORT_TID 0x00000100
#endif

#define FILE_EVENTS_PRE	(FAN_OPEN_PERM | WATCH_PRE | FAN_CLOSE)
#define FILE_EVENTS_OLD	(FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_CLOSE)
#ifndef FAN_MARK_IGNORE
#define FAN_MARK_IGNORE	0x00000400
#endif
/* no IN_DONT_FOLLOW: the watch is added through the /proc/self/fd magic link */
#define DIR_WATCH_MASK	(IN_CREATE | IN_MOVED_TO | IN_EXCL_UNLINK | IN_ONLYDIR)

struct node {
	dev_t dev;
	ino_t ino;
	int rule;
	int wd;		/* directories: inotify watch */
	int dirfd;	/* directories: O_PATH, so a renamed directory still works */
	char *only;	/* the parent of a protected file: watch this name only */
	struct node *next;	/* more parents on the same inotify watch */
};

struct watch {
	int fan;
	int ino;
	unsigned long long events;	/* FILE_EVENTS_PRE or FILE_EVENTS_OLD */
	/*
	 * reads trust: the read events are in the marks but also in their
	 * ignore masks. A file opened under such a mark can still be made to
	 * report its reads (the kernel decides that at open), and until then
	 * its reads cost no round trip.
	 */
	bool trust;
	void *files;	/* tsearch tree of struct node, by (dev, ino) */
	void *dirs;	/* tsearch tree of struct node, by (dev, ino) */
	struct node **by_wd;
	size_t nfiles, ndirs, wd_cap;
	int fallback_rule;	/* for an event whose rule cannot be found */
};

static int cmp_node(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static struct node *find(void *tree, dev_t dev, ino_t ino)
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
	n->dirfd = -1;
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

static int mark(struct watch *w, int dirfd, const char *name, bool dir)
{
	unsigned long long mask = w->events | (dir ? FAN_EVENT_ON_CHILD : 0);

	/* reads trust: a directory's children are asked about opens only. */
	if (dir && w->trust)
		mask &= FAN_OPEN_PERM | FAN_CLOSE | FAN_EVENT_ON_CHILD;
	unsigned int flags = FAN_MARK_ADD | FAN_MARK_DONT_FOLLOW | (dir ? FAN_MARK_ONLYDIR : 0);

	if (fanotify_mark(w->fan, flags, mask, dirfd, name) == 0) {
		/*
		 * Ignore masks add up over a file's marks: a directory's would
		 * hide its children's reads for good, so only files carry one.
		 */
		if (!w->trust || dir)
			return 0;
		flags |= FAN_MARK_IGNORE | FAN_MARK_IGNORED_SURV_MODIFY;
		mask = w->events & ~(FAN_OPEN_PERM | FAN_CLOSE);
		return fanotify_mark(w->fan, flags, mask, dirfd, name) ? -errno : 0;
	}
	if (errno == EINVAL && w->events == FILE_EVENTS_PRE) {
		/* No pre-content events here (kernel < 6.14, or this filesystem). */
		w->events = FILE_EVENTS_OLD;
		return mark(w, dirfd, name, dir);
	}
	return -errno;
}

static int add_file(struct watch *w, int dirfd, const char *name, const struct stat *st, int rule)
{
	int ret;

	/* Mark even a known (dev, ino): a deleted file's number comes back. */
	ret = mark(w, dirfd, name, false);
	if (ret)
		return ret;
	return insert(&w->files, st, rule, &w->nfiles) ? 0 : -ENOMEM;
}

static int add_dir(struct watch *w, int parentfd, const char *name, const struct stat *st,
		   int rule, char *err, size_t errlen);

/* Marks every file and directory beneath the directory open at fd. */
static int walk(struct watch *w, int fd, int rule, char *err, size_t errlen)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = 0, dupfd;

	dupfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dupfd < 0)
		return -errno;
	d = fdopendir(dupfd);
	if (!d) {
		close(dupfd);
		return -errno;
	}
	while (!ret && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;	/* gone meanwhile */
		if (S_ISREG(st.st_mode))
			ret = add_file(w, fd, de->d_name, &st, rule);
		else if (S_ISDIR(st.st_mode))
			ret = add_dir(w, fd, de->d_name, &st, rule, err, errlen);
	}
	closedir(d);
	return ret;
}

/* Has inotify report on n's directory; n->dirfd is open. */
static int follow_dir(struct watch *w, struct node *n)
{
	struct node **grown;
	char self[32];

	snprintf(self, sizeof(self), "/proc/self/fd/%d", n->dirfd);
	n->wd = inotify_add_watch(w->ino, self, DIR_WATCH_MASK);
	if (n->wd < 0)
		return -errno;
	if ((size_t)n->wd >= w->wd_cap) {
		size_t cap = (size_t)n->wd * 2 + 16;

		grown = realloc(w->by_wd, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		memset(grown + w->wd_cap, 0, (cap - w->wd_cap) * sizeof(*grown));
		w->by_wd = grown;
		w->wd_cap = cap;
	}
	n->next = w->by_wd[n->wd];
	w->by_wd[n->wd] = n;
	return 0;
}

/*
 * A protected file's directory is not protected, but a file saved there
 * under the same name (written aside, then renamed over it) is the same
 * document: it gets the file's mark. Until inotify says so it has none.
 */
static int follow_name(struct watch *w, const char *path, int rule)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	snprintf(dir, sizeof(dir), "%.*s", slash > path ? (int)(slash - path) : 1, path);
	n->rule = rule;
	n->only = strdup(slash + 1);
	n->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!n->only || n->dirfd < 0 || follow_dir(w, n)) {
		if (n->dirfd >= 0)
			close(n->dirfd);
		free(n->only);
		free(n);
		return -errno;
	}
	return 0;
}

static int add_dir(struct watch *w, int parentfd, const char *name, const struct stat *st,
		   int rule, char *err, size_t errlen)
{
	struct node *n;
	int ret;

	if (find(w->dirs, st->st_dev, st->st_ino))
		return 0;
	n = insert(&w->dirs, st, rule, &w->ndirs);
	if (!n)
		return -ENOMEM;
	n->dirfd = openat(parentfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (n->dirfd < 0)
		return -errno;
	ret = mark(w, n->dirfd, ".", true);
	if (ret)
		return ret;
	ret = follow_dir(w, n);
	if (ret)
		return ret;
	return walk(w, n->dirfd, rule, err, errlen);
}

static int add_rule(struct watch *w, const struct policy_rule *r, int rule, char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct stat st;
	int ret;

	/* The path named in the policy itself may be a symlink: follow it. */
	if (!realpath(r->arg, real) || stat(real, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s:%d: protect %s: %s", r->file, r->line, r->arg, strerror(errno));
		return ret;
	}
	if (S_ISDIR(st.st_mode))
		ret = add_dir(w, AT_FDCWD, real, &st, rule, err, errlen);
	else if (S_ISREG(st.st_mode))
		ret = add_file(w, AT_FDCWD, real, &st, rule) ?: follow_name(w, real, rule);
	else {
		snprintf(err, errlen, "%s:%d: protect %s: not a regular file or directory",
			 r->file, r->line, r->arg);
		return -EINVAL;
	}
	if (ret)
		snprintf(err, errlen, "%s:%d: protect %s: cannot watch it: %s",
			 r->file, r->line, r->arg, strerror(-ret));
	return ret;
}

int watch_build(struct watch **out, const struct policy *p, char *err, size_t errlen)
{
	struct watch *w;
	size_t i;
	int ret;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->events = FILE_EVENTS_PRE;
	w->trust = p->reads_trust;
	w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	/* Unlimited queue: a full queue would let permission events through. */
	w->fan = fanotify_init(FAN_CLASS_PRE_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK |
			       FAN_REPORT_TID | FAN_UNLIMITED_MARKS | FAN_UNLIMITED_QUEUE,
			       O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
	if (w->fan < 0 || w->ino < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", w->fan < 0 ? "fanotify" : "inotify",
			 errno == EPERM ? "not permitted (crmguardd must run as root)"
					: strerror(errno));
		goto fail;
	}
	w->fallback_rule = -1;
	for (i = 0; i < p->nrules; i++) {
		if (p->rules[i].kind != RULE_PROTECT)
			continue;
		ret = add_rule(w, &p->rules[i], i, err, errlen);
		if (ret)
			goto fail;
		if (w->fallback_rule < 0 || (p->rules[w->fallback_rule].audit && !p->rules[i].audit))
			w->fallback_rule = i;
	}
	*out = w;
	return 0;
fail:
	watch_free(w);
	return ret;
}

static void free_dir(void *p)
{
	struct node *n = p;

	if (n->dirfd >= 0)
		close(n->dirfd);
	free(n);
}

void watch_free(struct watch *w)
{
	struct node *n, *next;
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->wd_cap; i++) {
		for (n = w->by_wd[i]; n; n = next) {
			next = n->next;
			if (n->only) {	/* parents of files live only here */
				close(n->dirfd);
				free(n->only);
				free(n);
			}
		}
	}
	/* Closing the group drops its marks; pending permission events are allowed. */
	if (w->fan >= 0)
		close(w->fan);
	if (w->ino >= 0)
		close(w->ino);
	tdestroy(w->files, free);
	tdestroy(w->dirs, free_dir);
	free(w->by_wd);
	free(w);
}

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

int watch_rule_of(struct watch *w, int fd, const struct stat *st)
{
	char self[32], path[PATH_MAX], *slash;
	struct node *n;
	struct stat dst;
	ssize_t len;

	n = find(w->files, st->st_dev, st->st_ino);
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
	n = slash && !stat(slash == path ? "/" : path, &dst) ? find(w->dirs, dst.st_dev, dst.st_ino) : NULL;
	if (S_ISREG(st->st_mode))
		(void)add_file(w, fd, NULL, st, n ? n->rule : w->fallback_rule);
	return n ? n->rule : w->fallback_rule;
}

int watch_covers(const struct watch *w, const char *path)
{
	char dir[PATH_MAX], *slash;
	struct stat st;
	struct node *n;

	if (stat(path, &st))
		return -1;
	n = find(w->files, st.st_dev, st.st_ino);
	if (!n && S_ISDIR(st.st_mode))
		n = find(w->dirs, st.st_dev, st.st_ino);
	if (n)
		return n->rule;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	*slash = 0;
	if (stat(slash == dir ? "/" : dir, &st))
		return -1;
	n = find(w->dirs, st.st_dev, st.st_ino);
	return n ? n->rule : -1;
}

struct each {
	void (*fn)(void *ctx, dev_t dev, ino_t ino, int rule, bool dir);
	void *ctx;
	bool dir;
};

static void visit(const void *nodep, VISIT which, void *closure)
{
	const struct node *n = *(const struct node *const *)nodep;
	struct each *e = closure;

	if (which == postorder || which == leaf)
		e->fn(e->ctx, n->dev, n->ino, n->rule, e->dir);
}

void watch_for_each(const struct watch *w,
		    void (*fn)(void *ctx, dev_t dev, ino_t ino, int rule, bool dir), void *ctx)
{
	struct each e = { fn, ctx, false };

	twalk_r(w->files, visit, &e);
	e.dir = true;
	twalk_r(w->dirs, visit, &e);
}

int watch_rule_of_inode(const struct watch *w, dev_t dev, ino_t ino)
{
	struct node *n = find(w->files, dev, ino);

	return n ? n->rule : -1;
}

int watch_check_reads(struct watch *w, const char *path)
{
	unsigned long long reads = w->events & ~(FAN_OPEN_PERM | FAN_CLOSE);

	return fanotify_mark(w->fan, FAN_MARK_REMOVE | FAN_MARK_IGNORE, reads, AT_FDCWD, path) ?
	       -errno : 0;
}

bool watch_trusts_reads(const struct watch *w)
{
	return w->trust;
}

void watch_follow(struct watch *w)
{
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	struct stat st;
	struct node *dir;
	char scratch[256];
	ssize_t len;
	char *p;

	while ((len = read(w->ino, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->wd < 0 || (size_t)ev->wd >= w->wd_cap || !w->by_wd[ev->wd] || !ev->len)
				continue;
			for (dir = w->by_wd[ev->wd]; dir; dir = dir->next) {
				if ((dir->only && strcmp(dir->only, ev->name)) ||
				    fstatat(dir->dirfd, ev->name, &st, AT_SYMLINK_NOFOLLOW))
					continue;
				if (S_ISREG(st.st_mode))
					add_file(w, dir->dirfd, ev->name, &st, dir->rule);
				else if (S_ISDIR(st.st_mode) && !dir->only)
					add_dir(w, dir->dirfd, ev->name, &st, dir->rule, scratch, sizeof(scratch));
			}
		}
	}
}
