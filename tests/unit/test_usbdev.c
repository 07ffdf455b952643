// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/lib/usbdev.c: kernel uevents as netlink sends them
 * and as sysfs `uevent` files hold them (captured from Debian's 6.1 kernel
 * with a QEMU usb-storage stick), malformed ones, and sysfs attributes.
 */
#include <errno.h>
#include "ctl/lib/usbdev.h"
#include "assert.h"

#define MSG(lit) lit, sizeof(lit) - 1

static void uevent_netlink_interface(void)
{
	struct uevent ev;

	ASSERT_EQ(uevent_parse(MSG("add@/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:1.0\0"
				   "ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:1.0\0"
				   "SUBSYSTEM=usb\0DEVTYPE=usb_interface\0PRODUCT=46f4/1/0\0TYPE=0/0/0\0"
				   "INTERFACE=8/6/80\0MODALIAS=usb:v46F4p0001d0000dc00dsc00dp00ic08isc06ip50in00\0"
				   "SEQNUM=1234\0"), &ev), 0);
	ASSERT_STREQ(ev.action, "add");
	ASSERT_STREQ(ev.devpath, "/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:1.0");
	ASSERT_STREQ(usbdev_name(ev.devpath), "1-1:1.0");
	ASSERT_STREQ(ev.subsystem, "usb");
	ASSERT_STREQ(ev.devtype, "usb_interface");
	ASSERT_TRUE(ev.has_product && ev.has_interface);
	ASSERT_EQ(ev.vid, 0x46f4);
	ASSERT_EQ(ev.pid, 1);
	ASSERT_EQ(ev.cls, USB_CLASS_MASS_STORAGE);
	ASSERT_EQ(ev.subcls, 6);
	ASSERT_EQ(ev.proto, 80);
}

static void uevent_netlink_bind(void)
{
	struct uevent ev;

	ASSERT_EQ(uevent_parse(MSG("bind@/devices/x/usb1/1-1/1-1:1.0\0ACTION=bind\0"
				   "DEVPATH=/devices/x/usb1/1-1/1-1:1.0\0SUBSYSTEM=usb\0"
				   "DEVTYPE=usb_interface\0DRIVER=usb-storage\0PRODUCT=46f4/1/0\0"
				   "INTERFACE=8/6/80\0"), &ev), 0);
	ASSERT_STREQ(ev.action, "bind");
	ASSERT_STREQ(ev.driver, "usb-storage");
}

static void uevent_sysfs_file(void)
{
	struct uevent ev;

	ASSERT_EQ(uevent_parse(MSG("MAJOR=189\nMINOR=1\nDEVNAME=bus/usb/001/002\nDEVTYPE=usb_device\n"
				   "DRIVER=usb\nPRODUCT=46f4/1/0\nTYPE=0/0/0\nBUSNUM=001\nDEVNUM=002\n"), &ev), 0);
	ASSERT_STREQ(ev.action, "");
	ASSERT_STREQ(ev.devtype, "usb_device");
	ASSERT_TRUE(ev.has_product && !ev.has_interface);
	ASSERT_EQ(ev.vid, 0x46f4);
	ASSERT_EQ(ev.pid, 1);
	/* bcdDevice of four digits, upper-case hex */
	ASSERT_EQ(uevent_parse(MSG("PRODUCT=FFFF/ABCD/0100\n"), &ev), 0);
	ASSERT_EQ(ev.vid, 0xffff);
	ASSERT_EQ(ev.pid, 0xabcd);
}

/* What must not be taken: each would describe another device, or none. */
static void uevent_malformed(void)
{
	struct uevent ev;

	ASSERT_EQ(uevent_parse(MSG("PRODUCT=146f4/1/0\n"), &ev), -EINVAL);
	ASSERT_EQ(uevent_parse(MSG("PRODUCT=46f4/1\n"), &ev), -EINVAL);
	ASSERT_EQ(uevent_parse(MSG("PRODUCT=46f4/1/0/\n"), &ev), -EINVAL);
	ASSERT_EQ(uevent_parse(MSG("PRODUCT=46f4//0\n"), &ev), -EINVAL);
	ASSERT_EQ(uevent_parse(MSG("PRODUCT=-1/1/0\n"), &ev), -EINVAL);
	ASSERT_EQ(uevent_parse(MSG("INTERFACE=256/6/80\n"), &ev), -EINVAL);
	ASSERT_EQ(uevent_parse(MSG("INTERFACE=8/6/8a\n"), &ev), -EINVAL);
	ASSERT_EQ(uevent_parse(MSG("INTERFACE=8/6\n"), &ev), -EINVAL);
	/* the header and ACTION= / DEVPATH= disagree */
	ASSERT_EQ(uevent_parse(MSG("add@/devices/a\0ACTION=remove\0"), &ev), -EINVAL);
	ASSERT_EQ(uevent_parse(MSG("add@/devices/a\0DEVPATH=/devices/b\0"), &ev), -EINVAL);
	/* ACTION=add then a longer ACTION=addx: not the same */
	ASSERT_EQ(uevent_parse(MSG("add@/devices/a\0ACTION=addx\0"), &ev), -EINVAL);
	ASSERT_EQ(uevent_parse(MSG("add@relative\0ACTION=add\0"), &ev), -EINVAL);
	ASSERT_EQ(uevent_parse(MSG("@/devices/a\0"), &ev), -EINVAL);
	/* udev's re-broadcast, not the kernel's */
	ASSERT_EQ(uevent_parse(MSG("libudev\0\xfe\xed\xca\xfe"), &ev), -EINVAL);
	/* too long for its field: not cut to fit */
	ASSERT_EQ(uevent_parse(MSG("DEVTYPE=usb_interface_usb_interface_usb_interface\n"), &ev), -EINVAL);
	/* a NUL inside a sysfs file's known value */
	ASSERT_EQ(uevent_parse(MSG("DEVTYPE=usb\0_device\n"), &ev), -EINVAL);
}

static void uevent_unknown_keys_skipped(void)
{
	struct uevent ev;

	ASSERT_EQ(uevent_parse(MSG("NOT A FIELD\nX=\nDEVTYPE=usb_device\n\n"), &ev), 0);
	ASSERT_STREQ(ev.devtype, "usb_device");
	ASSERT_EQ(uevent_parse(MSG(""), &ev), 0);
	ASSERT_TRUE(!ev.has_product);
}

static void attr_strings(void)
{
	char out[8];

	ASSERT_EQ(usbdev_attr(MSG("1-0000:00:04.0-1\n"), out, sizeof(out)), 7);
	ASSERT_STREQ(out, "1-0000:");
	ASSERT_EQ(usbdev_attr(MSG("a\"b\n"), out, sizeof(out)), 3);
	ASSERT_STREQ(out, "a\"b");
	/* only the one newline sysfs adds goes */
	ASSERT_EQ(usbdev_attr(MSG("a\n\n"), out, sizeof(out)), 2);
	ASSERT_STREQ(out, "a\n");
	ASSERT_EQ(usbdev_attr(MSG("a\0b\n"), out, sizeof(out)), 1);
	ASSERT_EQ(usbdev_attr(MSG("\n"), out, sizeof(out)), 0);
	ASSERT_STREQ(out, "");
}

int main(void)
{
	RUN(uevent_netlink_interface);
	RUN(uevent_netlink_bind);
	RUN(uevent_sysfs_file);
	RUN(uevent_malformed);
	RUN(uevent_unknown_keys_skipped);
	RUN(attr_strings);
	return test_failed != 0;
}
