/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRMGUARD_REFUSALS_H
#define CRMGUARD_REFUSALS_H

#include <stdbool.h>
#include <sys/types.h>
#include "ctl/daemon/emit.h"
#include "ctl/daemon/procs/proctab.h"

/*
 * Refusals of one kind (open, read, mmap) of one file by one process
 * running one binary, under one rule. The first is logged at once with
 * count=1; those that follow it are counted, and each second that saw
 * some gets a record with their count. So a loop of refused opens costs a
 * record a second, and the counts of the deny records add up to the
 * refusals, whether crmguardd refused them (fanotify) or the kernel did.
 */
struct refusal {
	pid_t pid;
	dev_t dev, exe_dev;
	ino_t ino, exe_ino;
	const char *event;	/* a static name */
	char label[256];	/* the rule that refused */
	struct proc who;	/* a copy for the records; exe its own, no files */
	bool who_from_kernel;	/* put_kernel_proc(), not put_proc() */
	const char *backend;	/* the in-kernel backend that refused; NULL: crmguardd */
	const char *path;
	bool path_unreachable;
	unsigned long long count;	/* refused since the last record */
	struct refusal *next;
};

/* One refusal. key: the refusal, with who.exe and path borrowed from the caller. */
void refusals_note(struct sink *s, struct refusal *key);
/* The counts of refusals since their last record; call it once a second, and at the end. */
void refusals_report(struct sink *s);

#endif
