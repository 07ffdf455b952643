/* SPDX-License-Identifier: GPL-2.0 */
/* The fields every channel's records share: who did it, and to which file. */
#ifndef CRMGUARD_FIELDS_H
#define CRMGUARD_FIELDS_H

#include <sys/types.h>
#include <linux/types.h>
#include "ctl/daemon/procs/proctab.h"
#include "ctl/lib/record.h"
#include "ebpf/caller.h"

/* pid, ppid, uid and user name, loginuid, exe, comm, tainted: as /proc showed them */
void put_proc(struct record *r, const struct proc *p);
/* A process /proc no longer has (or never showed us), as the kernel named it. */
void put_kernel_proc(struct record *r, const struct proc *p);
/* A caller a BPF program saw (ebpf/caller.h): as /proc shows it while it runs, else as the program named it. */
void put_caller(struct record *r, const struct caller *c);
/* The same, always as the program named it (/proc may show what the process ran before). */
void put_caller_seen(struct record *r, const struct caller *c);
/* path, dev, ino; unreachable: path is the kernel's name, which names nothing here */
void put_file(struct record *r, const char *path, bool unreachable, dev_t dev, ino_t ino);

#endif
