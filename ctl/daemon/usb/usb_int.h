/* SPDX-License-Identifier: GPL-2.0 */
/* usb.c's state, shared with usb_list.c (what ctlx usb list and generate print). */
#ifndef CRMGUARD_DAEMON_USB_INT_H
#define CRMGUARD_DAEMON_USB_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "ctl/daemon/usb/usb.h"

#define NAME_MAX_USB 32
#define LABEL_MAX 512

/* One mass-storage interface present, as crmguardd decided it. */
struct usb_intf {
	char name[NAME_MAX_USB];	/* 1-1:1.0 */
	uint16_t vid, pid;
	bool has_serial;
	char serial[USB_SERIAL_MAX + 1];
	char manufacturer[128], product[128];
	char driver[64];
	unsigned int cls;
	enum usb_verdict verdict;
	char rule[LABEL_MAX];
	bool held;			/* deauthorized by crmguardd */
};

struct usb {
	char root[256];
	int nl;
	int ep;				/* usb_fd(): nl, and the read-only programs' ring buffer */
	bool lsm;			/* may load the BPF LSM's read-only programs (not in tests) */
	struct usb_ro *ro;		/* they are loaded: readonly sticks are usable */
	char ro_why[256];		/* why they are not */
	int tracked;			/* the sensor's map of tracked processes, -1: none */
	usb_emit_fn emit;
	struct sink *sink;
	const struct policy *policy;
	bool hold;			/* mode enforce with usb lines: the root hubs default to 0 */
	bool defaulted;			/* crmguardd set the root hubs' default: unset it when hold ends */
	bool managing;			/* crmguardd (de)authorizes interfaces now */
	bool nobus;			/* this kernel has no USB (no sysroot) */
	size_t hubs;			/* root hubs whose default is crmguardd's */
	unsigned long long lost;	/* uevent socket overflows */
	struct usb_intf *intf;
	size_t nintf;
	struct kernel_rule *rules;	/* the kernel's protected inodes (usb_rules) */
	size_t nrules;
};

#endif
