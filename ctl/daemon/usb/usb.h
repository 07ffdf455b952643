/* SPDX-License-Identifier: GPL-2.0 */
/*
 * USB mass storage: which sticks may be used, held by the kernel's own USB
 * authorization (Documentation/usb/authorization.rst).
 *
 * With `usb` lines in the policy and mode enforce, every root hub gets
 * interface_authorized_default=0: the kernel binds no driver to an
 * interface of a device that arrives, whether crmguardd is running or
 * not. crmguardd then authorizes what may be used: every interface that
 * is not mass storage (keyboards, mice, webcams), and the mass-storage
 * interfaces the policy allows. A blocked stick never gets a driver, so
 * never a block device; one that is there already is taken back (its
 * interface deauthorized: usb-storage lets it go and its disk disappears).
 * A driver that takes a held interface anyway (someone wrote 1 to its
 * `authorized`) is seen in the uevent and the interface taken back.
 *
 * Devices are followed through the kernel's uevents (a NETLINK_KOBJECT_UEVENT
 * socket, kernel messages only) and a scan of sysfs at start and reload.
 */
#ifndef CRMGUARD_DAEMON_USB_H
#define CRMGUARD_DAEMON_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "ctl/daemon/enforce/kbackend.h"
#include "ctl/daemon/logsink.h"
#include "ctl/lib/policy.h"
#include "ctl/lib/record.h"

struct usb;
struct sink;

/* Where a record goes: sink_emit (emit.h), or a test's own. */
typedef void (*usb_emit_fn)(struct sink *sink, enum log_level level, struct record *r);

/*
 * sysroot: the folder of USB devices (/sys/bus/usb/devices; another for
 * tests). Opens the uevent socket first, so that nothing that happens
 * after the first scan is missed. lsm: readonly sticks may be held by the
 * BPF LSM (readonly.h), where the kernel runs it; else they are held whole.
 */
int usb_open(struct usb **out, const char *sysroot, bool lsm, usb_emit_fn emit, struct sink *sink,
	     char *err, size_t errlen);
/*
 * The process sensor's map of tracked processes (sensor_tracked_fd):
 * their writes to sticks are refused (mode enforce) or recorded (audit)
 * where the BPF LSM holds read-only sticks. Before the first usb_apply.
 */
void usb_follow(struct usb *u, int tracked_fd);
/*
 * The rule table the kernel backend took (enforcer_mirror()): the
 * read-only programs mark a process that opens a file it protects as
 * tracked at once, and refuse it one if it holds a stick's file open for
 * writing.
 */
void usb_rules(void *ctx, const struct kernel_rule *rules, size_t n);
/* What to poll: the uevent socket and the read-only programs' refusals; -1 if nothing. */
int usb_fd(const struct usb *u);
/* Reads the uevents that are there and acts on each. */
void usb_read_events(struct usb *u);
/* One uevent (netlink form), as usb_read_events acts on it. */
void usb_on_uevent(struct usb *u, const char *buf, size_t len);
/*
 * Makes p the policy USB follows: sets the root hubs' default, then
 * decides every interface present. p must stay where it is until the next
 * call (the daemon's running policy).
 */
void usb_apply(struct usb *u, const struct policy *p);
/* One line for ctlx status: what holds the line, on this kernel. */
const char *usb_mechanism(const struct usb *u, char *buf, size_t len);
/* ctlx usb list [-j]: the mass-storage interfaces present. */
void usb_list(const struct usb *u, bool json, FILE *out);
/* ctlx usb generate: `usb allow` rules for the sticks present. */
void usb_generate(const struct usb *u, FILE *out);
void usb_close(struct usb *u);

#endif
