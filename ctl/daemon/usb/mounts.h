/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mount records from the mount sensor (ebpf/mount.bpf.c): every mount,
 * remount, move and unmount of a filesystem on a block device, with the
 * device (major:minor, and for a USB stick its VID:PID and serial; for a
 * loop device its backing file), filesystem type, mount point and the
 * process. The sensor says who called and when; what the call did is read
 * from the mount table before and after (so fsopen/fsmount/move_mount and
 * mount(2) are told the same way).
 */
#ifndef CRMGUARD_DAEMON_MOUNTS_H
#define CRMGUARD_DAEMON_MOUNTS_H

#include <stddef.h>
#include "ctl/daemon/usb/usb.h"

struct mounts;

/*
 * Loads and attaches the sensor. On failure, err says why and *out is
 * NULL: crmguardd runs on, without mount records (ctlx status says so).
 */
int mounts_open(struct mounts **out, usb_emit_fn emit, struct sink *sink, char *err, size_t errlen);
/* The ring buffer's descriptor, to poll; -1 without a sensor. */
/* Records mounts from now on (on), or no more; 0, or -errno and why. */
int mounts_want(struct mounts *m, bool on, char *err, size_t errlen);
int mounts_fd(const struct mounts *m);
/* Turns the sensor's records into mount records. */
void mounts_read_events(struct mounts *m);
/* For ctlx status: what records mounts here. */
const char *mounts_status(const struct mounts *m, char *buf, size_t len);
void mounts_close(struct mounts *m);

#endif
