// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "ctl/lib/usbdev.h"

/*
 * Copies a value of n bytes into a field of size cap, or fails if it does
 * not fit or holds a control character (which the kernel never writes in
 * these fields).
 */
static int set(char *field, size_t cap, const char *v, size_t n)
{
	size_t i;

	if (n >= cap)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return -EINVAL;
	memcpy(field, v, n);
	field[n] = 0;
	return 0;
}

/* Up to `digits` digits of base 10 or 16, all of v; the value in *out, at most max. */
static int number(const char **v, const char *end, int base, int digits, unsigned int max,
		  unsigned int *out)
{
	unsigned int n = 0;
	int i;

	for (i = 0; *v < end && i < digits; i++, (*v)++) {
		char c = **v;
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			break;
		n = n * base + d;
	}
	if (!i || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

/* "a/b/c": three numbers, each of base and at most max, slash-separated, nothing after. */
static int triple(const char *v, size_t n, int base, int digits, unsigned int max,
		  unsigned int out[3])
{
	const char *end = v + n;
	int i;

	for (i = 0; i < 3; i++) {
		if (i && (v == end || *v++ != '/'))
			return -EINVAL;
		if (number(&v, end, base, digits, max, &out[i]))
			return -EINVAL;
	}
	return v == end ? 0 : -EINVAL;
}

static int field(struct uevent *ev, const char *kv, size_t n)
{
	const char *eq = memchr(kv, '=', n);
	size_t klen, vlen;
	const char *v;
	unsigned int t[3];

	if (!eq)
		return 0;	/* not KEY=VALUE: nothing this parser needs */
	klen = eq - kv;
	v = eq + 1;
	vlen = n - klen - 1;
#define KEY(name) (klen == sizeof(name) - 1 && !memcmp(kv, name, klen))
	if (KEY("ACTION")) {
		if (ev->action[0] && (strlen(ev->action) != vlen || memcmp(ev->action, v, vlen)))
			return -EINVAL;
		return set(ev->action, sizeof(ev->action), v, vlen);
	}
	if (KEY("DEVPATH")) {
		if (ev->devpath[0] && (strlen(ev->devpath) != vlen || memcmp(ev->devpath, v, vlen)))
			return -EINVAL;
		return set(ev->devpath, sizeof(ev->devpath), v, vlen);
	}
	if (KEY("SUBSYSTEM"))
		return set(ev->subsystem, sizeof(ev->subsystem), v, vlen);
	if (KEY("DEVTYPE"))
		return set(ev->devtype, sizeof(ev->devtype), v, vlen);
	if (KEY("DRIVER"))
		return set(ev->driver, sizeof(ev->driver), v, vlen);
	if (KEY("PRODUCT")) {
		/* "%x/%x/%x": idVendor, idProduct, bcdDevice */
		if (triple(v, vlen, 16, 4, 0xffff, t))
			return -EINVAL;
		ev->vid = t[0];
		ev->pid = t[1];
		ev->has_product = true;
		return 0;
	}
	if (KEY("INTERFACE")) {
		/* "%d/%d/%d": bInterfaceClass, SubClass, Protocol */
		if (triple(v, vlen, 10, 3, 255, t))
			return -EINVAL;
		ev->cls = t[0];
		ev->subcls = t[1];
		ev->proto = t[2];
		ev->has_interface = true;
		return 0;
	}
#undef KEY
	return 0;
}

int uevent_parse(const char *buf, size_t len, struct uevent *ev)
{
	const char *p = buf, *end = buf + len, *at, *stop;
	char sep = '\n';
	size_t n;

	memset(ev, 0, sizeof(*ev));
	/* udev's own messages start "libudev\0"; only the kernel's are taken */
	if (len >= 8 && !memcmp(buf, "libudev", 8))
		return -EINVAL;
	stop = memchr(buf, 0, len);
	at = memchr(buf, '@', stop ? (size_t)(stop - buf) : len);
	if (stop && at) {
		/* a netlink message: "ACTION@DEVPATH\0KEY=VALUE\0..." */
		if (set(ev->action, sizeof(ev->action), buf, at - buf) ||
		    set(ev->devpath, sizeof(ev->devpath), at + 1, stop - at - 1))
			return -EINVAL;
		p = stop + 1;
		sep = 0;
	}
	while (p < end) {
		stop = memchr(p, sep, end - p);
		n = (stop ? stop : end) - p;
		if (n && field(ev, p, n))
			return -EINVAL;
		p += n + 1;
	}
	/* an event (a netlink message always is one) names its device */
	if ((sep == 0 || ev->action[0]) && (!ev->action[0] || ev->devpath[0] != '/'))
		return -EINVAL;
	return 0;
}

size_t usbdev_attr(const char *raw, size_t n, char *out, size_t outlen)
{
	const char *nul = memchr(raw, 0, n);

	if (!outlen)
		return 0;
	if (nul)
		n = nul - raw;
	if (n && raw[n - 1] == '\n')
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, raw, n);
	out[n] = 0;
	return n;
}

const char *usbdev_name(const char *devpath)
{
	const char *slash = strrchr(devpath, '/');

	return slash ? slash + 1 : devpath;
}
