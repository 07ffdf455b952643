// SPDX-License-Identifier: GPL-2.0
/*
 * preadloop: the load that bench/read-cost times.
 *
 *   preadloop pread FILE N        N pread(4 KiB, offset 0) on one open FILE
 *   preadloop pages FILE N        N pread(4 KiB) at pseudo-random 4 KiB pages
 *                                 of FILE, like SQLite reading its b-tree pages
 *   preadloop tpages FILE N       the same from a thread other than the main
 *                                 one, like a CRM server's worker threads
 *   preadloop fdlink FILE N       N readlink() of /proc/self/fd/FD, FD an open
 *                                 FILE: the kernel takes the file with
 *                                 fget_task(), as pidfd_getfd() does
 *   preadloop openclose N FILE... N open(O_RDONLY)+close(), cycling over FILEs
 *   preadloop denied N FILE       N open(O_RDONLY) of FILE that must each be
 *                                 refused (EPERM or EACCES, as fanotify's
 *                                 FAN_DENY gives): the cost of a refusal. Fails
 *                                 at once if an open succeeds. bench/read-cost
 *                                 runs it from a copy of this binary, which
 *                                 'allow exe' of this one does not cover.
 *   preadloop hold KIND DIR       no load: holds one kind of watch on DIR and the
 *                                 files in it until killed, answering any
 *                                 permission event with "allow". KIND:
 *                                 inotify  an inotify watch on DIR (IN_CREATE...)
 *                                 perm     fanotify FAN_CLASS_CONTENT, FAN_OPEN_PERM
 *                                 pre      fanotify FAN_CLASS_PRE_CONTENT,
 *                                          FAN_OPEN_PERM|FAN_PRE_ACCESS|FAN_CLOSE
 *                                          (what crmguardd marks, nothing else)
 *                                 Prints "ready" once the marks are in place.
 *
 * The file is read once before timing, so every timed read comes from the
 * page cache. The N operations are timed in 10 batches (after a warm-up of
 * N/10 that is not timed). Prints one line:
 *
 *   MIN_NS MEAN_NS
 *
 * MIN_NS is nanoseconds per operation in the fastest batch, MEAN_NS over
 * all N. A batch that an interrupt or another task got in the way of is
 * slower, never faster, so the minimum is the steadier number.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#ifndef FAN_PRE_ACCESS
#define FAN_PRE_ACCESS 0x00100000
#endif

#define BATCHES 10
#define BLOCK 4096

static char buf[BLOCK] __attribute__((aligned(BLOCK)));

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "preadloop: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
	exit(1);
}

/* xorshift64: the same page sequence on every run. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct load {
	int fd;
	uint64_t pages;		/* pages mode: pages in the file */
	uint64_t seed;
	char **files;		/* openclose mode */
	int nfiles, next;
};

static void op_pread(struct load *l)
{
	if (pread(l->fd, buf, BLOCK, 0) != BLOCK)
		die("pread", NULL);
}

static void op_pages(struct load *l)
{
	off_t off = (off_t)(rnd(&l->seed) % l->pages) * BLOCK;

	if (pread(l->fd, buf, BLOCK, off) <= 0)
		die("pread", NULL);
}

static void op_fdlink(struct load *l)
{
	char link[32], target[256];

	snprintf(link, sizeof(link), "/proc/self/fd/%d", l->fd);
	if (readlink(link, target, sizeof(target)) <= 0)
		die("readlink", link);
}

static void op_openclose(struct load *l)
{
	const char *f = l->files[l->next];
	int fd = open(f, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open", f);
	close(fd);
	if (++l->next == l->nfiles)
		l->next = 0;
}

static void op_denied(struct load *l)
{
	const char *f = l->files[0];
	int fd = open(f, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		fprintf(stderr, "preadloop: open %s: allowed, but it should have been refused\n", f);
		exit(1);
	}
	if (errno != EPERM && errno != EACCES)
		die("open", f);
}

static void run(void (*op)(struct load *), struct load *l, long n)
{
	long per = n / BATCHES, b, i;
	uint64_t t0, t, total = 0, best = UINT64_MAX;

	if (per < 1)
		per = 1;
	for (i = 0; i < per; i++)	/* warm-up, not timed */
		op(l);
	for (b = 0; b < BATCHES; b++) {
		t0 = now_ns();
		for (i = 0; i < per; i++)
			op(l);
		t = now_ns() - t0;
		total += t;
		if (t < best)
			best = t;
	}
	printf("%.1f %.1f\n", (double)best / per, (double)total / (per * BATCHES));
}

static int open_file(const char *path, struct load *l)
{
	struct stat st;
	off_t off;

	l->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (l->fd < 0 || fstat(l->fd, &st))
		die("open", path);
	if (st.st_size < BLOCK) {
		fprintf(stderr, "preadloop: %s: smaller than %d bytes\n", path, BLOCK);
		exit(1);
	}
	l->pages = (uint64_t)st.st_size / BLOCK;
	for (off = 0; off + BLOCK <= st.st_size; off += BLOCK)	/* into the page cache */
		if (pread(l->fd, buf, BLOCK, off) != BLOCK)
			die("pread", path);
	return 0;
}

static void usage(void);

static void mark(int fan, unsigned long long mask, const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fanotify_mark(fan, FAN_MARK_ADD, mask, AT_FDCWD, path))
		die("fanotify_mark", path);
}

/* Marks DIR (for its children) and each regular file in it, as crmguardd does. */
static int hold_fanotify(const char *dir, bool pre)
{
	unsigned long long mask = FAN_OPEN_PERM | (pre ? FAN_PRE_ACCESS | FAN_CLOSE : 0);
	struct dirent *de;
	DIR *d;
	int fan;

	fan = fanotify_init((pre ? FAN_CLASS_PRE_CONTENT : FAN_CLASS_CONTENT) | FAN_CLOEXEC,
			    O_RDONLY | O_CLOEXEC);
	if (fan < 0)
		die("fanotify_init", NULL);
	/* Open the directory before marking it: our own open would wait for us. */
	d = opendir(dir);
	if (!d)
		die("opendir", dir);
	mark(fan, mask | FAN_EVENT_ON_CHILD, dir, ".");
	while ((de = readdir(d)))
		if (de->d_type == DT_REG)
			mark(fan, mask, dir, de->d_name);
	closedir(d);
	return fan;
}

static int hold(const char *kind, const char *dir)
{
	char ev[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	const struct fanotify_event_metadata *m;
	struct fanotify_response r;
	ssize_t len;
	int fd;

	if (!strcmp(kind, "inotify")) {
		fd = inotify_init1(IN_CLOEXEC);
		if (fd < 0 || inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR) < 0)
			die("inotify", dir);
		printf("ready\n");
		fflush(stdout);
		pause();
		return 0;
	}
	if (strcmp(kind, "perm") && strcmp(kind, "pre"))
		usage();
	fd = hold_fanotify(dir, !strcmp(kind, "pre"));
	printf("ready\n");
	fflush(stdout);
	while ((len = read(fd, ev, sizeof(ev))) > 0 || (len < 0 && errno == EINTR)) {
		for (m = (const void *)ev; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			if (m->fd < 0)
				continue;
			if (m->mask & (FAN_OPEN_PERM | FAN_PRE_ACCESS)) {
				r.fd = m->fd;
				r.response = FAN_ALLOW;
				if (write(fd, &r, sizeof(r)) != sizeof(r))
					die("fanotify response", NULL);
			}
			close(m->fd);
		}
	}
	die("fanotify read", NULL);
	return 1;
}

struct thread_load {
	void (*op)(struct load *);
	struct load *l;
	long n;
};

static void *run_thread(void *arg)
{
	struct thread_load *t = arg;

	run(t->op, t->l, t->n);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: preadloop pread FILE N\n"
		"       preadloop pages FILE N\n"
		"       preadloop tpages FILE N\n"
		"       preadloop fdlink FILE N\n"
		"       preadloop openclose N FILE...\n"
		"       preadloop denied N FILE\n"
		"       preadloop hold inotify|perm|pre DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct load l = { .fd = -1, .seed = 0x9e3779b97f4a7c15ull };
	long n;

	if (argc < 4)
		usage();
	if (!strcmp(argv[1], "pread") || !strcmp(argv[1], "pages") || !strcmp(argv[1], "fdlink")) {
		if (argc != 4 || (n = atol(argv[3])) <= 0)
			usage();
		open_file(argv[2], &l);
		run(!strcmp(argv[1], "pread") ? op_pread : !strcmp(argv[1], "pages") ? op_pages : op_fdlink,
		    &l, n);
		close(l.fd);
	} else if (!strcmp(argv[1], "tpages")) {
		struct thread_load t = { op_pages, &l, 0 };
		pthread_t thread;

		if (argc != 4 || (t.n = atol(argv[3])) <= 0)
			usage();
		open_file(argv[2], &l);
		errno = pthread_create(&thread, NULL, run_thread, &t);
		if (errno)
			die("pthread_create", NULL);
		pthread_join(thread, NULL);
		close(l.fd);
	} else if (!strcmp(argv[1], "hold")) {
		if (argc != 4)
			usage();
		return hold(argv[2], argv[3]);
	} else if (!strcmp(argv[1], "openclose") || !strcmp(argv[1], "denied")) {
		if ((n = atol(argv[2])) <= 0 || (!strcmp(argv[1], "denied") && argc != 4))
			usage();
		l.files = argv + 3;
		l.nfiles = argc - 3;
		run(!strcmp(argv[1], "denied") ? op_denied : op_openclose, &l, n);
	} else {
		usage();
	}
	return 0;
}
