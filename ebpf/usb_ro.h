/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read-only USB sticks held by the BPF LSM (usb_ro.bpf.c): the maps
 * crmguardd fills and the refusals the programs put on their ring
 * buffer. Plain structs and defines only, included after vmlinux.h (BPF)
 * or <linux/types.h> (userland).
 */
#ifndef CRMGUARD_USB_RO_H
#define CRMGUARD_USB_RO_H

#include "caller.h"

#define USB_RO_PIN_DIR "/sys/fs/bpf/crmguard/usb"
/* A USB device's name in sysfs: its bus and port path ("1-1", "3-2.4.1"). */
#define USB_RO_PORT_LEN 32
#define USB_RO_MAX 256
/* ro_devs's keys: a userland dev_t, with this bit for a character device */
#define USB_RO_CHAR (1ULL << 63)

/* ro_devs's values */
#define USB_DEV_USB 1		/* a block device behind a USB device */
#define USB_DEV_RO 2		/* of a read-only stick */

/* taint_mode[0]: a tracked process's writes to USB storage */
#define USB_TAINT_OFF 0
#define USB_TAINT_AUDIT 1	/* recorded */
#define USB_TAINT_BLOCK 2	/* refused, EPERM, and recorded */

/* What was refused (or, audit, seen). */
enum usb_ro_what {
	USB_RO_OPEN_WRITE = 1,	/* the block device (or its usbfs node) opened for writing */
	USB_RO_IOCTL = 2,	/* BLKROSET 0, SG_IO, BLKDISCARD, BLKZEROOUT, BLKSECDISCARD */
	USB_RO_MOUNT_RW = 3,	/* a filesystem on it mounted read-write */
	USB_RO_REMOUNT = 4,	/* a filesystem on it remounted */
	USB_TAINT_CREATE = 5,	/* a tracked process made a file on a stick */
	USB_TAINT_OPEN_WRITE = 6,	/* a tracked process opened a file on a stick for writing */
	USB_TAINT_WRITER = 7,	/* a process holding a file on a stick open for writing
				 * opened protected data: name is the stick's file */
};
#define USB_RO_NAME_LEN 256

/* ro_ports's key: the port path, NUL-padded. */
struct usb_ro_port {
	char name[USB_RO_PORT_LEN];
};

struct usb_ro_event {
	__u32 what;		/* enum usb_ro_what */
	__u32 cmd;		/* the ioctl's, for USB_RO_IOCTL */
	__u64 dev;		/* the device refused: as ro_devs's key */
	__u64 ino;		/* taint: the directory made in, or the file opened (writer: on the stick) */
	__u32 audit;		/* taint: seen, not refused (mode audit) */
	char name[USB_RO_NAME_LEN];	/* taint: the name made, or the file's path */
	struct caller who;
};

#endif
