/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read-only sticks, held by the BPF LSM (ebpf/usb_ro.bpf.c): a stick whose
 * verdict is readonly is named to the programs by its port path before
 * its interface is authorized, and its block devices as they appear, each
 * disk then set read-only (BLKROSET). The programs and their maps are
 * pinned (USB_RO_PIN_DIR): they hold with crmguardd dead, and the next
 * crmguardd takes them over. Where the BPF LSM is not active, there are
 * none, and usb.c holds a readonly stick whole, as blocked.
 */
#ifndef CRMGUARD_DAEMON_USB_READONLY_H
#define CRMGUARD_DAEMON_USB_READONLY_H

#include <stdbool.h>
#include <stddef.h>
#include "ctl/daemon/usb/usb.h"

struct usb_ro;

/*
 * Loads and attaches the programs (or takes over the pinned ones); NULL and
 * why if it cannot. tracked: the process sensor's map of processes that
 * touched protected data (sensor_tracked_fd), -1 for none.
 */
struct usb_ro *usb_ro_open(usb_emit_fn emit, struct sink *sink, int tracked, char *why, size_t len);
/* What tracked processes' creates and write opens on sticks get: USB_TAINT_OFF, _AUDIT, _BLOCK. */
void usb_ro_taint(struct usb_ro *ro, unsigned int mode);
/* The protected files and directories, as the kernel backend has them; 0 or -errno and why. */
int usb_ro_rules(struct usb_ro *ro, const struct kernel_rule *rules, size_t n, char *err, size_t errlen);
/* Are the last daemon's programs still pinned (so this one must take them over)? */
bool usb_ro_pinned(void);
/* The refusals' ring buffer, to poll. */
int usb_ro_fd(const struct usb_ro *ro);
/* A deny record for each refusal there, naming the rule of u's that made the stick read-only. */
void usb_ro_read(struct usb_ro *ro, const struct usb *u);
/* Names the stick at port path port ("1-1") read-only; 0 or -errno. */
int usb_ro_mark(struct usb_ro *ro, const char *port);
/* Is it named so (by this daemon, or by the last one, whose maps are pinned)? */
bool usb_ro_marked(const struct usb_ro *ro, const char *port);
/*
 * Makes the maps name exactly the sticks present (the usb state's
 * interfaces that are not held) with their block devices, and the
 * read-only ones (verdict readonly) with their usbfs and SCSI generic
 * nodes; sets the read-only ones' disks read-only.
 */
void usb_ro_sync(struct usb_ro *ro, const struct usb *u);
void usb_ro_close(struct usb_ro *ro);

#endif
