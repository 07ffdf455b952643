/* SPDX-License-Identifier: GPL-2.0 */
/* The file channel: accesses to protected files, as fanotify and /proc show them. */
#ifndef CRMGUARD_FILES_H
#define CRMGUARD_FILES_H

#include "ctl/daemon/daemon.h"

/* fanotify.c: the events on protected files waiting in the queue, answered and logged. */
void files_read_events(struct daemon *d);
/* fanotify.c: a close record (with its byte count) for each file p holds; reason: close, exit. */
void files_close_all(struct daemon *d, struct proc *p, const char *reason);
/*
 * held.c: every descriptor and mapping of a protected file that a process
 * holds, recorded; a holder the running policy denies is refused its
 * reads, or killed where they cannot be refused. After each policy change.
 */
void held_scan(struct daemon *d);
/* held.c: the same for one process (pid > 0). */
void held_check(struct daemon *d, pid_t pid);
/*
 * handed.c: a report of the hand-over watch (ctl/daemon/enforce/handover.h)
 * as a record; and a `lost source=handover` record for the reports dropped.
 */
void handed_on_report(void *ctx, const struct handover_event *e);
void handed_report_drops(struct daemon *d);

#endif
