/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule model of kmod/uapi/crmguard.h in the BPF maps of
 * ebpf/rules.bpf.h (lsm_inodes, lsm_exes, lsm_users, lsm_config): filled
 * alike for the BPF LSM (kbackend_lsm.c, pinned) and for the hand-over
 * watch of the fanotify backend (handover.c).
 */
#ifndef CRMGUARD_RULEMAPS_H
#define CRMGUARD_RULEMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "ctl/daemon/enforce/kbackend.h"
#include "ebpf/enforce.h"

struct bpf_map;

struct rulemaps {
	struct bpf_map *inodes, *exes, *users, *config;
};

/* The maps of a skeleton whose object includes rules.bpf.h. */
#define RULEMAPS_OF(skel) { (skel)->maps.lsm_inodes, (skel)->maps.lsm_exes, \
			    (skel)->maps.lsm_users, (skel)->maps.lsm_config }

/*
 * Puts rules[0..n) and c in the maps: what is new or changed first, so
 * that no rule in both the old and the new set is ever out of force; then
 * takes out what is not among rules. locked (until reboot, as crmguard.ko
 * is): only protected files are put, nothing is taken out, and the allowed
 * binaries and users stay those of the lock (a binary put at an allowed
 * path since, through a directory renamed away, is not allowed). On error,
 * what failed in err.
 */
int rulemaps_replace(const struct rulemaps *m, const struct enforce_config *c,
		     const struct kernel_rule *rules, size_t n, bool locked, char *err, size_t errlen);
/*
 * Whether the kernel describes btrfs's inodes (its BTF, in vmlinux or in
 * its module): the programs find an inode's subvolume through it
 * (ebpf/inode_dev.bpf.h). Ask before loading them.
 */
bool rulemaps_btrfs_described(void);
/* The rules in the maps. */
uint32_t rulemaps_count(const struct rulemaps *m);

#endif
