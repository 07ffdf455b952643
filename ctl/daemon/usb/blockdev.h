/* SPDX-License-Identifier: GPL-2.0 */
/* What a block device is, read from sysfs (/sys/dev/block): for mount and USB records. */
#ifndef CRMGUARD_DAEMON_USB_BLOCKDEV_H
#define CRMGUARD_DAEMON_USB_BLOCKDEV_H

#include <stddef.h>
#include <sys/types.h>
#include "ctl/lib/record.h"

/* The USB interface ("1-1:1.0") the block device hangs off, "" if none. */
void blockdev_usb(dev_t dev, char *out, size_t len);
/* dev=MAJOR:MINOR, removable, backing_file (a loop device's), and its stick: usb_device, vendor, product, serial */
void blockdev_put(struct record *r, dev_t dev);

#endif
