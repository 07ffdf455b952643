/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who holds which protected file, as /proc shows it: descriptors travel
 * without an open that crmguardd would see (inherited across exec, passed
 * with SCM_RIGHTS, taken with pidfd_getfd), can be older than crmguardd
 * or than the rule, and a mapping outlives its descriptor.
 */
#ifndef CRMGUARD_HOLDERS_H
#define CRMGUARD_HOLDERS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "ctl/daemon/files/watch.h"

enum held_via { HELD_MAP, HELD_FD };

/* One protected file one process holds, one way. */
struct holding {
	pid_t pid;
	enum held_via via;
	int rule;		/* the protect rule that covers the file */
	struct stat st;		/* the file, as stat() sees it */
	char link[320];		/* /proc/PID/fd/N or /proc/PID/map_files/START-END */
	char path[PATH_MAX];	/* where /proc says it is now */
};

/* Returns false to skip the rest of that process (it was ended, say). */
typedef bool holding_fn(void *ctx, const struct holding *h);

/*
 * Each process but crmguardd: each protected file it maps, then each one
 * it holds open, once per file and way.
 */
void holders_walk(const struct watch *w, holding_fn *fn, void *ctx);
/* The same for one process (none for crmguardd). */
void holders_walk_pid(const struct watch *w, pid_t pid, holding_fn *fn, void *ctx);
const char *held_via_name(enum held_via via);

#endif
