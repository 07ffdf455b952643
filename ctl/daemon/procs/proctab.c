// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ctl/daemon/procs/proctab.h"

static void *procs;
static size_t nprocs;

static int cmp_pid(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

struct proc *proctab_find(pid_t pid)
{
	struct proc key = { .pid = pid }, **p = tfind(&key, &procs, cmp_pid);

	return p ? *p : NULL;
}

static struct proc *insert(struct proc *p)
{
	if (!tsearch(p, &procs, cmp_pid)) {
		free(p);
		return NULL;
	}
	nprocs++;
	return p;
}

ssize_t proctab_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

static const char *status_field(const char *status, const char *name)
{
	const char *s = strstr(status, name);

	return s ? s + strlen(name) : NULL;
}

pid_t proctab_tgid_of(pid_t tid)
{
	char path[64], status[2048];
	const char *s;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (proctab_read(path, status, sizeof(status)) < 0)
		return 0;
	s = status_field(status, "\nTgid:");
	return s ? (pid_t)strtol(s, NULL, 10) : 0;
}

/* What /proc says of a thread: its status, and its login uid. */
struct ids {
	char status[2048];
	uint32_t loginuid;	/* (uint32_t)-1: not set */
};

static int read_ids(pid_t tid, struct ids *ids)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (proctab_read(path, ids->status, sizeof(ids->status)) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/loginuid", tid);
	ids->loginuid = proctab_read(path, buf, sizeof(buf)) <= 0 ? (uint32_t)-1 : strtoul(buf, NULL, 10);
	return 0;
}

/* Who thread tid is, from its ids and its executable (preload left false). */
static int subject_from(pid_t tid, const struct ids *ids, struct subject *subj)
{
	const char *s;
	struct stat st;
	char path[64], *end;

	s = status_field(ids->status, "\nTgid:");
	subj->tgid = s ? strtol(s, NULL, 10) : 0;
	s = status_field(ids->status, "\nUid:");
	if (!s || !subj->tgid)
		return -1;
	subj->uid = strtoul(s, &end, 10);
	subj->euid = strtoul(end, NULL, 10);
	s = status_field(ids->status, "\nTracerPid:");
	subj->traced = s && strtol(s, NULL, 10) != 0;
	subj->loginuid = ids->loginuid;
	snprintf(path, sizeof(path), "/proc/%d/exe", tid);
	if (stat(path, &st))
		return -1;
	subj->exe_dev = st.st_dev;
	subj->exe_ino = st.st_ino;
	subj->preload = false;
	return 0;
}

static int read_subject(pid_t tid, struct subject *subj)
{
	struct ids ids;

	return read_ids(tid, &ids) ?: subject_from(tid, &ids, subj);
}

size_t proctab_threads(pid_t pid, struct subject **subj)
{
	char path[64];
	struct subject *grown;
	struct dirent *de;
	size_t n = 0, cap = 0;
	bool preload = proctab_preload(pid);
	DIR *task;

	*subj = NULL;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	task = opendir(path);
	while (task && (de = readdir(task))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap * 2 + 4;
			grown = realloc(*subj, cap * sizeof(**subj));
			if (!grown)
				break;
			*subj = grown;
		}
		if (read_subject(atoi(de->d_name), &(*subj)[n]) == 0)
			(*subj)[n++].preload = preload;
	}
	if (task)
		closedir(task);
	return n;
}

static int (*injected)(void *ctx, pid_t pid);
static void *injected_ctx;

void proctab_set_injected(int (*fn)(void *ctx, pid_t pid), void *ctx)
{
	injected = fn;
	injected_ctx = ctx;
}

bool proctab_preload(pid_t pid)
{
	static const char *const vars[] = { "LD_PRELOAD=", "LD_AUDIT=", "LD_LIBRARY_PATH=" };
	char path[64], env[65536];
	int known = injected ? injected(injected_ctx, pid) : -1;
	ssize_t got;
	size_t n, i, j;

	if (known >= 0)
		return known;

	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	got = proctab_read(path, env, sizeof(env));
	if (got >= (ssize_t)sizeof(env) - 1)
		return true;	/* too much to read: someone may hide LD_PRELOAD past it */
	n = got > 0 ? got : 0;
	for (i = 0; i < n; i += strnlen(env + i, n - i) + 1)
		for (j = 0; j < sizeof(vars) / sizeof(vars[0]); j++)
			if (!strncmp(env + i, vars[j], strlen(vars[j])) &&
			    env[i + strlen(vars[j])] != 0)
				return true;
	return false;
}

/* Fills p from the ids of its main thread and its executable. */
static void proc_fill(struct proc *p, const struct ids *ids)
{
	char path[64], exe[PATH_MAX];
	const char *s;
	struct stat st;
	ssize_t n;

	p->loginuid = ids->loginuid;
	s = status_field(ids->status, "\nPPid:");
	p->ppid = s ? strtol(s, NULL, 10) : 0;
	s = status_field(ids->status, "\nUid:");
	p->uid = s ? strtoul(s, NULL, 10) : (uid_t)-1;
	s = status_field(ids->status, "Name:\t");
	if (s)
		snprintf(p->comm, sizeof(p->comm), "%.*s", (int)strcspn(s, "\n"), s);
	snprintf(path, sizeof(path), "/proc/%d/exe", p->pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	proctab_set_exe(p, exe);
	if (!stat(path, &st)) {
		p->exe_dev = st.st_dev;
		p->exe_ino = st.st_ino;
	}
}

/* A new entry for process pid, from the ids of its main thread. */
static struct proc *proc_from(pid_t pid, const struct ids *ids)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	proc_fill(p, ids);
	return insert(p);
}

struct proc *proctab_get(pid_t pid)
{
	struct proc *p = proctab_find(pid);
	struct ids ids;

	if (p || read_ids(pid, &ids))
		return p;
	return proc_from(pid, &ids);
}

/*
 * Threads that asked about protected files lately, the least recently seen
 * replaced first. Each keeps its /proc/TID/syscall open: reading it again
 * costs one pread instead of a path walk, and the read fails (ESRCH) once
 * the thread is gone, even if a new thread has its number since, so an
 * entry proves on each read that it still speaks of the same thread.
 */
#define THREADS_MAX 128

static struct proc_thread threads[THREADS_MAX];
static unsigned long long threads_clock;

/* Makes t the entry of thread tid, knowing nothing of it yet. */
static void thread_open(struct proc_thread *t, pid_t tid)
{
	char path[64];

	if (t->tid && t->syscall >= 0)
		close(t->syscall);
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	snprintf(path, sizeof(path), "/proc/%d/syscall", tid);
	t->syscall = open(path, O_RDONLY | O_CLOEXEC);
}

unsigned long long proctab_clock_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	return now.tv_sec * 1000ULL + now.tv_nsec / 1000000;
}

struct proc_thread *proctab_thread(pid_t tid)
{
	struct proc_thread *t, *oldest = threads;

	if (tid <= 0)
		return NULL;
	for (t = threads; t < threads + THREADS_MAX; t++) {
		if (t->tid == tid)
			break;
		if (t->used < oldest->used)
			oldest = t;
	}
	if (t == threads + THREADS_MAX) {
		t = oldest;
		thread_open(t, tid);
	}
	t->used = ++threads_clock;
	return t;
}

static ssize_t read_syscall(const struct proc_thread *t, char *buf, size_t len)
{
	ssize_t n = t->syscall >= 0 ? pread(t->syscall, buf, len - 1, 0) : -1;

	if (n >= 0)
		buf[n] = 0;
	return n;
}

long proctab_thread_syscall(struct proc_thread *t)
{
	char buf[128], *end;
	long nr;

	if (read_syscall(t, buf, sizeof(buf)) < 0) {
		thread_open(t, t->tid);	/* gone, or another thread has its number */
		if (read_syscall(t, buf, sizeof(buf)) < 0)
			return -1;
	}
	nr = strtol(buf, &end, 10);
	return end == buf ? -1 : nr;	/* "running": no number to give */
}

int proctab_thread_read(struct proc_thread *t, bool add)
{
	struct proc *p;
	struct ids ids;

	t->subj_valid = false;
	if (read_ids(t->tid, &ids) || subject_from(t->tid, &ids, &t->subj))
		return -1;
	t->subj.preload = proctab_preload(t->subj.tgid);
	t->subj_valid = true;
	t->read_at = proctab_clock_ms();
	p = proctab_find(t->subj.tgid);
	if (!p && add && t->subj.tgid == t->tid)
		proc_from(t->tid, &ids);
	/* It exec'd and no exec record said so (it was not followed): say what it runs now. */
	if (p && (p->exe_dev != t->subj.exe_dev || p->exe_ino != t->subj.exe_ino) &&
	    (t->subj.tgid == t->tid || !read_ids(t->subj.tgid, &ids)))
		proc_fill(p, &ids);
	return 0;
}

bool proctab_thread_same_exe(const struct proc_thread *t)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", t->tid);
	return !stat(path, &st) && st.st_dev == t->subj.exe_dev && st.st_ino == t->subj.exe_ino;
}

void proctab_thread_forget(pid_t tgid)
{
	struct proc_thread *t;

	for (t = threads; t < threads + THREADS_MAX; t++)
		if (t->tid && t->subj.tgid == tgid)
			t->subj_valid = false;
}

struct proc *proctab_fork(pid_t pid, const struct proc *parent)
{
	struct proc *p = proctab_find(pid);

	if (p)
		return p;
	if (!parent && (p = proctab_get(pid)))
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (parent) {
		*p = *parent;
		p->ppid = parent->pid;
		p->files = NULL;	/* what the parent opened it reports itself */
	} else {
		p->loginuid = (uint32_t)-1;
	}
	p->pid = pid;
	p->exe = strdup(parent && parent->exe ? parent->exe : "");
	return insert(p);
}

void proctab_set_exe(struct proc *p, const char *exe)
{
	free(p->exe);
	p->exe = strdup(exe);
}

void proctab_del(struct proc *p)
{
	while (p->files)
		proc_file_del(p, p->files);
	tdelete(p, &procs, cmp_pid);
	nprocs--;
	free(p->exe);
	free(p);
}

size_t proctab_count(void)
{
	return nprocs;
}

struct gone {
	pid_t *pids;
	size_t n;
};

static void collect_gone(const void *node, VISIT which, void *closure)
{
	const struct proc *p = *(struct proc *const *)node;
	struct gone *g = closure;
	char path[64];

	if (which != postorder && which != leaf)
		return;
	snprintf(path, sizeof(path), "/proc/%d", p->pid);
	if (access(path, F_OK) == 0)
		return;
	g->pids[g->n++] = p->pid;
}

size_t proctab_gone(pid_t **pids)
{
	struct gone g = { calloc(nprocs + 1, sizeof(pid_t)), 0 };

	if (g.pids)
		twalk_r(procs, collect_gone, &g);
	*pids = g.pids;
	return g.n;
}

struct proc_file *proc_file_find(struct proc *p, dev_t dev, ino_t ino)
{
	struct proc_file *f;

	for (f = p->files; f; f = f->next)
		if (f->dev == dev && f->ino == ino)
			return f;
	return NULL;
}

struct proc_file *proc_file_add(struct proc *p, dev_t dev, ino_t ino, const char *rule,
				const char *path)
{
	struct proc_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->dev = dev;
	f->ino = ino;
	snprintf(f->rule, sizeof(f->rule), "%s", rule);
	f->path = strdup(path);
	f->next = p->files;
	p->files = f;
	return f;
}

void proc_file_del(struct proc *p, struct proc_file *f)
{
	struct proc_file **pp;

	for (pp = &p->files; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	free(f->path);
	free(f);
}
