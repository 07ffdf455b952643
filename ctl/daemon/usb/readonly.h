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

/* Loads and attaches the programs (or takes over the pinned ones); NULL and why if it cannot. */
struct usb_ro *usb_ro_open(usb_emit_fn emit, struct sink *sink, char *why, size_t len);
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
 * Makes the maps name exactly the read-only sticks present (the usb
 * state's interfaces whose verdict is readonly and that are not held)
 * with their usbfs and block device nodes, and sets their disks read-only.
 */
void usb_ro_sync(struct usb_ro *ro, const struct usb *u);
void usb_ro_close(struct usb_ro *ro);

#endif
