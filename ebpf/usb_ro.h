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

/* What was refused. */
enum usb_ro_what {
	USB_RO_OPEN_WRITE = 1,	/* the block device (or its usbfs node) opened for writing */
	USB_RO_IOCTL = 2,	/* BLKROSET 0, SG_IO, BLKDISCARD, BLKZEROOUT, BLKSECDISCARD */
	USB_RO_MOUNT_RW = 3,	/* a filesystem on it mounted read-write */
	USB_RO_REMOUNT = 4,	/* a filesystem on it remounted */
};

/* ro_ports's key: the port path, NUL-padded. */
struct usb_ro_port {
	char name[USB_RO_PORT_LEN];
};

struct usb_ro_event {
	__u32 what;		/* enum usb_ro_what */
	__u32 cmd;		/* the ioctl's, for USB_RO_IOCTL */
	__u64 dev;		/* the device refused: as ro_devs's key */
	struct caller who;
};

#endif
