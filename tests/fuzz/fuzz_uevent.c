// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as a kernel uevent (netlink message or
 * sysfs uevent file) for uevent_parse, and as a sysfs attribute for
 * usbdev_attr. Besides memory errors (ASan) and undefined behaviour
 * (UBSan), it aborts when the result breaks what the parser promises:
 *  - success: every string field NUL-terminated within its size and free
 *    of control characters; a netlink message has an action and
 *    an absolute devpath; what PRODUCT= and INTERFACE= give is exactly
 *    what printing the values back in the kernel's formats and parsing
 *    that again gives;
 *  - failure: -EINVAL, and nothing else;
 *  - usbdev_attr: at most outlen - 1 bytes, NUL-terminated, no NUL inside.
 * Build: make fuzz; run: build/fuzz/fuzz_uevent -max_total_time=60
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl/lib/usbdev.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_uevent: %s\n", what);
		abort();
	}
}

static void check_str(const char *s, size_t cap, const char *what)
{
	const char *nul = memchr(s, 0, cap);

	check(nul != NULL, what);
	for (; s < nul; s++)
		check((unsigned char)*s >= 0x20 && *s != 0x7f, what);
}

/* The identity fields, printed back as the kernel prints them, parse to themselves. */
static void check_roundtrip(const struct uevent *ev)
{
	struct uevent again;
	char text[64];
	int n = 0;

	if (ev->has_product)
		n += snprintf(text + n, sizeof(text) - n, "PRODUCT=%x/%x/0\n", ev->vid, ev->pid);
	if (ev->has_interface)
		n += snprintf(text + n, sizeof(text) - n, "INTERFACE=%d/%d/%d\n", ev->cls, ev->subcls,
			      ev->proto);
	check(uevent_parse(text, n, &again) == 0, "kernel-format fields do not parse back");
	check(again.has_product == ev->has_product && again.has_interface == ev->has_interface &&
	      again.vid == ev->vid && again.pid == ev->pid && again.cls == ev->cls &&
	      again.subcls == ev->subcls && again.proto == ev->proto, "fields parse back to others");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct uevent ev;
	char attr[16];
	size_t n;
	int ret;

	memset(&ev, 'Z', sizeof(ev));
	ret = uevent_parse(buf, size, &ev);
	check(ret == 0 || ret == -EINVAL, "unexpected return");
	if (!ret) {
		check_str(ev.action, sizeof(ev.action), "action");
		check_str(ev.devpath, sizeof(ev.devpath), "devpath");
		check_str(ev.subsystem, sizeof(ev.subsystem), "subsystem");
		check_str(ev.devtype, sizeof(ev.devtype), "devtype");
		check_str(ev.driver, sizeof(ev.driver), "driver");
		if (ev.action[0])
			check(ev.devpath[0] == '/', "netlink message without an absolute devpath");
		check_roundtrip(&ev);
	}
	n = usbdev_attr(buf, size, attr, sizeof(attr));
	check(n < sizeof(attr) && attr[n] == 0 && strlen(attr) == n, "attribute not cut right");
	return 0;
}
