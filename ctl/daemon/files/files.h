/* SPDX-License-Identifier: GPL-2.0 */
/* The file channel: accesses to protected files, as fanotify and /proc show them. */
#ifndef CRMGUARD_FILES_H
#define CRMGUARD_FILES_H

#include "ctl/daemon/daemon.h"

/* fanotify.c: the events on protected files waiting in the queue, answered and logged. */
void files_read_events(struct daemon *d);
/* fanotify.c: a close record (with its byte count) for each file p holds; reason: close, exit. */
void files_close_all(struct daemon *d, struct proc *p, const char *reason);
/* held.c: with reads trust, read checks on every open file p now denies its holder. */
void held_check_reads(const struct policy *p, struct watch *w);
/* revoke.c: ends what a revoke cannot refuse (mappings; held files where mmap is not seen). */
void revoke_end_access(struct daemon *d);

#endif
