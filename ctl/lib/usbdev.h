/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel says of a USB device: uevents (from the netlink socket,
 * or a sysfs `uevent` file) and sysfs string attributes (serial,
 * manufacturer, product). All of it is untrusted: a device chooses its
 * strings, and its descriptors reach these fields.
 */
#ifndef CRMGUARD_USBDEV_H
#define CRMGUARD_USBDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The interface class of mass storage (usb-storage, uas). */
#define USB_CLASS_MASS_STORAGE 8

struct uevent {
	char action[16];	/* add, remove, bind, unbind, change...; "" in a sysfs file */
	char devpath[256];	/* /devices/pci0000:00/.../1-1/1-1:1.0 */
	char subsystem[32];
	char devtype[32];	/* usb_device, usb_interface */
	char driver[64];	/* bind: the driver that took it */
	bool has_product;	/* PRODUCT=vid/pid/bcd (hex) */
	uint16_t vid, pid;
	bool has_interface;	/* INTERFACE=class/subclass/protocol (decimal) */
	uint8_t cls, subcls, proto;
};

/*
 * Parses len bytes: either a kernel netlink message ("ACTION@DEVPATH" then
 * NUL-separated KEY=VALUE) or the text of a sysfs uevent file (KEY=VALUE
 * lines). Unknown keys are skipped. A known key whose value does not fit,
 * holds a control character or is malformed, a header that disagrees with ACTION= or DEVPATH=, or a
 * message from udev rather than the kernel, is an error (-EINVAL): better
 * no event than one for another device.
 */
int uevent_parse(const char *buf, size_t len, struct uevent *ev);

/*
 * A sysfs string attribute as read (n bytes, with its newline) into out
 * (NUL-terminated, at most outlen - 1 bytes): the final newline goes;
 * NUL bytes, which sysfs strings cannot hold, end it. Returns its length.
 */
size_t usbdev_attr(const char *raw, size_t n, char *out, size_t outlen);

/* The last part of a devpath: "1-1:1.0", "1-1", "usb1". */
const char *usbdev_name(const char *devpath);

#endif
