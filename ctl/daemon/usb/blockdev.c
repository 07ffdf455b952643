// SPDX-License-Identifier: GPL-2.0
/* What a block device is, read from sysfs: see blockdev.h. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include "ctl/daemon/usb/blockdev.h"
#include "ctl/lib/usbdev.h"

#define FIELD_MAX 512

/* A sysfs attribute of the block device dev (or of the disk a partition is on). */
static void block_attr(dev_t dev, const char *attr, char *out, size_t len)
{
	char path[128], raw[PATH_MAX];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s", major(dev), minor(dev), attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/../%s", major(dev), minor(dev), attr);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd >= 0) {
		n = read(fd, raw, sizeof(raw));
		close(fd);
	}
	usbdev_attr(raw, n > 0 ? n : 0, out, len);
}

/* The USB interface ("1-1:1.0") the block device hangs off, "" if none. */
void blockdev_usb(dev_t dev, char *out, size_t len)
{
	char link[64], real[PATH_MAX], *part, *save = NULL;

	out[0] = 0;
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	if (!realpath(link, real))
		return;
	for (part = strtok_r(real, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		const char *colon = strchr(part, ':');

		/* BUS-PORT[.PORT]:CONFIG.INTERFACE */
		if (part[0] >= '1' && part[0] <= '9' && colon && memchr(part, '-', colon - part) &&
		    strchr(colon, '.'))
			snprintf(out, len, "%s", part);
	}
}

/* The device's identity: major:minor, removable, its USB stick, its loop file. */
void blockdev_put(struct record *r, dev_t dev)
{
	char num[32], intf[64], attr[FIELD_MAX], path[128];
	int d;

	snprintf(num, sizeof(num), "%u:%u", major(dev), minor(dev));
	record_str(r, "dev", num);
	block_attr(dev, "removable", attr, sizeof(attr));
	if (attr[0])
		record_str(r, "removable", attr);
	block_attr(dev, "loop/backing_file", attr, sizeof(attr));
	if (attr[0])
		record_str(r, "backing_file", attr);
	blockdev_usb(dev, intf, sizeof(intf));
	if (!intf[0])
		return;
	record_str(r, "usb_device", intf);
	d = strcspn(intf, ":");
	static const char *const keys[][2] = {
		{ "idVendor", "vendor" }, { "idProduct", "product" }, { "serial", "serial" },
	};
	for (size_t k = 0; k < 3; k++) {
		char raw[FIELD_MAX];
		ssize_t n = -1;
		int fd;

		snprintf(path, sizeof(path), "/sys/bus/usb/devices/%.*s/%s", d, intf, keys[k][0]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, raw, sizeof(raw));
			close(fd);
		}
		usbdev_attr(raw, n > 0 ? n : 0, attr, sizeof(attr));
		record_str(r, keys[k][1], attr);
	}
}
