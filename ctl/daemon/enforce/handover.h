/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hand-over watch (ebpf/handover.bpf.c): with the fanotify backend and
 * `reads trust`, the kernel kills a program the policy does not allow that
 * comes to hold a descriptor of a protected file (exec, SCM_RIGHTS,
 * pidfd_getfd), from the rules crmguardd gives it here; its reports
 * become records (ctl/daemon/files/handed.c).
 */
#ifndef CRMGUARD_HANDOVER_LOADER_H
#define CRMGUARD_HANDOVER_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "ctl/daemon/enforce/kbackend.h"
#include "ebpf/caller.h"
#include "ebpf/handover.h"

struct handover;

/*
 * Loads and attaches the programs; injected_fd is the process sensor's
 * `injected` map. NULL, and why in err, where the kernel will not have them.
 */
struct handover *handover_open(int injected_fd, char *err, size_t errlen);
/* The rules and mode, as the in-kernel backends get them (enforcer.c). */
int handover_replace(struct handover *h, const struct kernel_config *cfg,
		     const struct kernel_rule *rules, size_t n, char *err, size_t errlen);
/* Whether it names a btrfs inode by its subvolume (kbackend.h knows_subvolumes). */
bool handover_knows_subvolumes(const struct handover *h);
/* The fd to poll, and reading the reports that are there. */
int handover_fd(const struct handover *h);
int handover_read(struct handover *h, void (*cb)(void *ctx, const struct handover_event *e),
		  void *ctx);
/* ",SECTION,SECTION..." of its programs, appended to buf. */
void handover_programs(const struct handover *h, char *buf, size_t len);
/* Reports that found the ring buffer full. */
__u64 handover_dropped(const struct handover *h);
void handover_close(struct handover *h);

#endif
