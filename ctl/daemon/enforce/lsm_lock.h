/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF LSM's lock until reboot, as crmguardd sees it from outside the
 * programs (ebpf/enforce_lock.bpf.h): whether the pins are locked and by
 * which crmguardd, and the inode of crmguardd's own binary, which the
 * lock records.
 */
#ifndef CRMGUARD_DAEMON_LSM_LOCK_H
#define CRMGUARD_DAEMON_LSM_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "ebpf/enforce.h"

/* Reads the pinned lsm_lock (read-only: allowed even when locked) into l; is it locked? */
bool lsm_pins_locked(struct enforce_lock *l);
/*
 * Does the crmguardd that holds the lock l still run (its pid runs this
 * binary)? Then this one must not start: its first writable descriptor
 * of a map would take the lock, and the programs' protection, from it.
 */
bool lsm_lock_holder_runs(const struct enforce_lock *l);
/* crmguardd's own binary, named as the programs name an inode (ctl/lib/kident.h). */
int lsm_own_exe(struct enforce_inode_key *key, char *err, size_t errlen);

#endif
