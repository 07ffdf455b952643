/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What crmguardd knows of the processes it follows: who they are, and per
 * protected file what they read through which routes, until they close it.
 */
#ifndef CRMGUARD_PROCTAB_H
#define CRMGUARD_PROCTAB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "ctl/lib/decide.h"

struct proc_file {
	dev_t dev;
	ino_t ino;
	char rule[256];			/* the rule that decided its open */
	char verdict[8];		/* of its open: allow, audit */
	char *path;
	bool path_unreachable;		/* path is the kernel's name, which names nothing here */
	unsigned long long bytes;	/* content handed over: reads and mappings */
	unsigned long long reads;	/* read calls and mappings */
	unsigned long long denied;	/* reads refused (revoked after open...) */
	unsigned int via;		/* bit i: route i of access.c was used */
	struct proc_file *next;
};

struct proc {
	pid_t pid;
	pid_t ppid;
	uid_t uid;
	uint32_t loginuid;		/* (uint32_t)-1: not set */
	char comm[16];
	char *exe;
	dev_t exe_dev;			/* the inode of exe, to see an exec nobody reported */
	ino_t exe_ino;
	bool tainted;			/* read protected data, or a child of one that did */
	struct proc_file *files;
};

struct proc *proctab_find(pid_t pid);
/* Finds pid, or adds it from /proc (NULL if it is gone). */
struct proc *proctab_get(pid_t pid);
/*
 * Adds a child of parent after fork. Without a parent: from /proc, or if
 * pid is gone an empty entry for the caller to fill.
 */
struct proc *proctab_fork(pid_t pid, const struct proc *parent);
void proctab_set_exe(struct proc *p, const char *exe);
void proctab_del(struct proc *p);
size_t proctab_count(void);
/* The pids in the table that no longer run, in a malloc()ed array. */
size_t proctab_gone(pid_t **pids);
/* Reads a small /proc file into buf, NUL-terminated; its length, or -1. */
ssize_t proctab_read(const char *path, char *buf, size_t len);
/* The thread group of thread tid, from /proc; 0 if it is gone. */
pid_t proctab_tgid_of(pid_t tid);
/*
 * Who each thread of process pid is, from /proc (preload filled in), in a
 * malloc()ed array; their number, 0 if none could be read.
 */
size_t proctab_threads(pid_t pid, struct subject **subj);
/* Does pid run with LD_PRELOAD, LD_AUDIT or LD_LIBRARY_PATH set? */
bool proctab_preload(pid_t pid);
/*
 * What proctab_preload() asks first: fn says, as the environment was at
 * exec, 1 injected, 0 not, or -1 cannot tell. Then, and without fn, the
 * environment is read from /proc: what the process's own code may have
 * rewritten since.
 */
void proctab_set_injected(int (*fn)(void *ctx, pid_t pid), void *ctx);

/*
 * A thread that asks about protected files: who it is, as its last open or
 * its first read found it, and its /proc/TID/syscall held open.
 */
struct proc_thread {
	pid_t tid;
	struct subject subj;
	bool subj_valid;
	unsigned long long read_at;	/* when subj was read from /proc (proctab_clock_ms) */
	unsigned long long refused_at;	/* when it was last refused; 0: never */
	int syscall;			/* -1: could not be opened */
	unsigned long long used;	/* when it last asked */
};

/* Milliseconds of a monotonic clock, coarse (a tick): for ages of a second. */
unsigned long long proctab_clock_ms(void);
/* The entry of thread tid, made (knowing nothing yet) if it has none; NULL for tid <= 0. */
struct proc_thread *proctab_thread(pid_t tid);
/*
 * The system call t is blocked in, -1 if unknown. If t's thread is gone,
 * t starts over as the entry of whatever thread now has its number.
 */
long proctab_thread_syscall(struct proc_thread *t);
/*
 * Reads who t is from /proc into t->subj. With add, its process gets an
 * entry if it has none: from the same reads when t is its main thread.
 */
int proctab_thread_read(struct proc_thread *t, bool add);
/* Does t still run the executable its subject names? (it may have exec'd) */
bool proctab_thread_same_exe(const struct proc_thread *t);
/* The threads of tgid must read who they are again (it exec'd). */
void proctab_thread_forget(pid_t tgid);

struct proc_file *proc_file_find(struct proc *p, dev_t dev, ino_t ino);
struct proc_file *proc_file_add(struct proc *p, dev_t dev, ino_t ino, const char *rule,
				const char *path);
/* Unlinks f from p and frees it. */
void proc_file_del(struct proc *p, struct proc_file *f);

#endif
