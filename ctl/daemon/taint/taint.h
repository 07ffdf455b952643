/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Taint: which processes hold protected data, and which pipes, FIFOs and
 * unix sockets carry it, followed at the rare events only (the first read
 * of protected data, fork, exec, exit): no BPF program on the read path.
 *
 * A process is tainted when it reads protected data (the source: the file),
 * when its parent is tainted at fork, and when it holds the reading end of
 * a channel a tainted process can write to: a pipe or FIFO that it holds
 * open for writing, or the peer of a unix socket it holds; and when it
 * traces a tainted process (ptrace), or reads its memory. That holder is
 * found when the writer is tainted, before its read is answered, so the
 * data cannot be ahead of the taint, and the writer exiting first changes
 * nothing. A process that holds both ends of such a pipe (a shell between
 * its forks) is looked at again TAINT_RECHECK_MS later. An entry is keyed
 * by (pid, start time): a reused pid starts clean. It ends with its process.
 */
#ifndef CRMGUARD_TAINT_H
#define CRMGUARD_TAINT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "ctl/daemon/taint/ipc.h"

#define TAINT_RECHECK_MS 200
/* Seconds an exited process's entry is kept for late records about it. */
#define TAINT_EXIT_GRACE 5

struct daemon;

/* pid reads protected data from source (its first read): taint it and what it feeds. */
void taint_on_read(struct daemon *d, pid_t pid, const char *source);
void taint_on_fork(struct daemon *d, pid_t parent, pid_t child);
/* A tainted process exec'd: what it holds now is followed too. */
void taint_on_exec(struct daemon *d, pid_t pid);
/*
 * What `from` holds reached pid through via: "socket", it received on a
 * unix socket that from sent on; "ptrace", either can read the other's
 * memory (SENSOR_ATTACHED). Tainted with from's taint, if any.
 */
void taint_on_receive(struct daemon *d, pid_t pid, pid_t from, const char *via);
/*
 * pid opened a pipe or FIFO after a tainted process's first read (the
 * sensor: SENSOR_FIFO): to write it, a tracked process, whose taint
 * then reaches the channel's readers; or to read it, one that carries
 * what from, a tracked process, wrote.
 */
void taint_on_fifo(struct daemon *d, pid_t pid, pid_t from, const struct ipc_end *e);
void taint_on_exit(pid_t pid);
/* The clipboard mode or its allowed binaries may have changed. */
void taint_policy_changed(struct daemon *d);
/* The file pid's taint comes from; NULL if pid is not tainted. */
const char *taint_source(pid_t pid);
/*
 * Is pid tainted, or does it hold the reading end of a tainted channel?
 * The source then (the channel's, if pid is not tainted itself).
 */
const char *taint_reaches(pid_t pid);
/* Re-checks that are due; ms until the next one, -1 if none. */
int taint_tick(struct daemon *d);
/* Forgets processes that are gone and channels nobody holds. */
void taint_sweep(struct daemon *d);
/* ctlx taint list [-j]: the tainted processes, and the derived files (derived.h) */
int taint_list(struct daemon *d, bool json, FILE *out);

#endif
