/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clipboard refusals held by the BPF LSM (ebpf/clip_lsm.bpf.c), where
 * the BPF LSM enforces the file rules: a tainted process's connect() to a
 * display server and its exec of a clipboard tool are refused with EPERM
 * in the kernel, also while crmguardd is dead. crmguardd names the tainted
 * processes, the tools and the allowed binaries; the kernel follows forks
 * and exits. The maps, and the links unless fail-open, are pinned beside
 * the file rules' (ENFORCE_PIN_DIR), and a new crmguardd takes them over.
 */
#ifndef CRMGUARD_DAEMON_CLIP_LSM_H
#define CRMGUARD_DAEMON_CLIP_LSM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "ebpf/clip_lsm.h"

struct clip_lsm;

typedef void (*clip_lsm_fn)(void *ctx, const struct clip_event *e);

/*
 * Loads the programs and attaches them, but under the lock, whose pinned
 * links keep the locked ones; NULL and why if the kernel will not.
 */
struct clip_lsm *clip_lsm_open(bool fail_open, clip_lsm_fn cb, void *ctx, char *why, size_t len);
void clip_lsm_close(struct clip_lsm *c);
/* The fd to poll for records, and reading those that are there. */
int clip_lsm_fd(const struct clip_lsm *c);
void clip_lsm_read(struct clip_lsm *c);
/* Records that found the ring buffer full, since load. */
__u64 clip_lsm_lost(const struct clip_lsm *c);
/* pid is tainted: its exit takes it out, its children come in at fork. */
int clip_lsm_taint(struct clip_lsm *c, pid_t pid);
/*
 * The policy: mode (CLIP_AUDIT, CLIP_BLOCK), the clipboard tools and the
 * binaries `clipboard allow exe` names. What is new goes in before what
 * is gone goes out. 0, or -errno.
 */
int clip_lsm_set(struct clip_lsm *c, __u32 mode, const struct clip_inode *tools, size_t ntools,
		 const struct clip_inode *allow, size_t nallow);

#endif
