// SPDX-License-Identifier: GPL-2.0
/* USB mass storage held by the kernel's USB authorization: see usb.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include "ctl/daemon/usb/readonly.h"
#include "ctl/daemon/usb/usb.h"
#include "ctl/daemon/usb/usb_int.h"
#include "ctl/lib/usbdev.h"
#include "ebpf/usb_ro.h"

/* room for a burst of hot-plug events; a lost one is made up by a rescan */
#define UEVENT_RCVBUF (1 << 20)

/* ---- sysfs ------------------------------------------------------------- */

/* root/dev/attr as a string (its newline gone), "" if it cannot be read. */
static size_t read_attr(const struct usb *u, const char *dev, const char *attr, char *out, size_t len)
{
	char path[512], raw[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", u->root, dev, attr);
	out[0] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, raw, sizeof(raw));
	close(fd);
	return n > 0 ? usbdev_attr(raw, n, out, len) : 0;
}

static int write_attr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void emit_error(struct usb *u, const char *what, const char *dev, int err)
{
	struct record r;

	record_init(&r, "error");
	record_str(&r, "source", "usb");
	record_str(&r, "device", dev);
	record_str(&r, "detail", what);
	record_str(&r, "error", strerror(-err));
	u->emit(u->sink, LOG_LVL_WARNING, &r);
}

/*
 * (De)authorizes one interface. Authorizing does not bind a driver by
 * itself: drivers_probe asks the bus to find one.
 */
static int authorize(struct usb *u, const char *name, bool yes)
{
	char path[512];
	int ret;

	snprintf(path, sizeof(path), "%s/%s/authorized", u->root, name);
	ret = write_attr(path, yes ? "1" : "0");
	if (!ret && yes) {
		snprintf(path, sizeof(path), "%s/../drivers_probe", u->root);
		write_attr(path, name);	/* EEXIST-like errors when a driver took it already */
	}
	if (ret)
		emit_error(u, yes ? "cannot authorize the interface" : "cannot deauthorize the interface",
			   name, ret);
	return ret;
}

/* The driver bound to root/name, "" if none. */
static void driver_of(const struct usb *u, const char *name, char *out, size_t len)
{
	char path[512], link[512];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/driver", u->root, name);
	n = readlink(path, link, sizeof(link) - 1);
	out[0] = 0;
	if (n > 0) {
		link[n] = 0;
		snprintf(out, len, "%s", usbdev_name(link));
	}
}

static bool storage_driver(const char *driver)
{
	return !strcmp(driver, "usb-storage") || !strcmp(driver, "uas");
}

/* ---- decisions ---------------------------------------------------------- */

static struct usb_intf *find(struct usb *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->nintf; i++)
		if (!strcmp(u->intf[i].name, name))
			return &u->intf[i];
	return NULL;
}

static void drop(struct usb *u, struct usb_intf *it)
{
	*it = u->intf[--u->nintf];
}

/* The sticks that may be used: allow, and readonly where the BPF LSM holds it (readonly.h). */
static bool usable(const struct usb *u, const struct usb_intf *it)
{
	return !u->hold || it->verdict == USB_ALLOW || (it->verdict == USB_READONLY && u->ro);
}

static void emit_intf(struct usb *u, const struct usb_intf *it, const char *action,
		      const char *detail)
{
	char id[8];
	struct record r;
	const char *verdict;

	if (it->verdict == USB_ALLOW || (it->verdict == USB_READONLY && !it->held))
		verdict = "allow";
	else
		verdict = u->hold ? "deny" : "audit";
	record_init(&r, "usb");
	record_str(&r, "action", action);
	record_str(&r, "verdict", verdict);
	record_str(&r, "rule", it->rule);
	record_str(&r, "device", it->name);
	snprintf(id, sizeof(id), "%04x", it->vid);
	record_str(&r, "vendor", id);
	snprintf(id, sizeof(id), "%04x", it->pid);
	record_str(&r, "product", id);
	if (it->has_serial)
		record_str(&r, "serial", it->serial);
	else
		record_str(&r, "serial_none", "1");
	record_str(&r, "manufacturer", it->manufacturer);
	record_str(&r, "product_name", it->product);
	snprintf(id, sizeof(id), "%02x", it->cls);
	record_str(&r, "class", id);
	record_str(&r, "policy_verdict", usb_verdict_name(it->verdict));
	if (detail)
		record_str(&r, "detail", detail);
	u->emit(u->sink, it->verdict == USB_ALLOW ? LOG_LVL_NOTICE : LOG_LVL_WARNING, &r);
}

/* Reads what sysfs says of interface name (of device dev) into it, and decides it. */
static void judge(struct usb *u, struct usb_intf *it, const char *name)
{
	char dev[NAME_MAX_USB], num[16];
	struct usb_match m;
	uint16_t vid = 0, pid = 0;
	size_t n;

	memset(it, 0, sizeof(*it));
	snprintf(it->name, sizeof(it->name), "%s", name);
	snprintf(dev, sizeof(dev), "%.*s", (int)strcspn(name, ":"), name);
	read_attr(u, dev, "idVendor", num, sizeof(num));
	vid = strtoul(num, NULL, 16);
	read_attr(u, dev, "idProduct", num, sizeof(num));
	pid = strtoul(num, NULL, 16);
	it->vid = vid;
	it->pid = pid;
	n = read_attr(u, dev, "serial", it->serial, sizeof(it->serial));
	it->has_serial = n > 0;
	read_attr(u, dev, "manufacturer", it->manufacturer, sizeof(it->manufacturer));
	read_attr(u, dev, "product", it->product, sizeof(it->product));
	read_attr(u, name, "bInterfaceClass", num, sizeof(num));
	it->cls = strtoul(num, NULL, 16);
	driver_of(u, name, it->driver, sizeof(it->driver));
	if (!u->policy->usb.managed) {
		/* the usb lines are gone: what crmguardd held is given back */
		it->verdict = USB_ALLOW;
		snprintf(it->rule, sizeof(it->rule), "none");
		return;
	}
	m = policy_usb_match(&u->policy->usb, vid, pid, it->has_serial ? it->serial : NULL);
	it->verdict = m.verdict;
	policy_usb_label(&u->policy->usb, m.rule, it->rule, sizeof(it->rule));
}

static bool is_storage(const struct usb *u, const char *name)
{
	char num[16], driver[64];

	read_attr(u, name, "bInterfaceClass", num, sizeof(num));
	if (strtoul(num, NULL, 16) == USB_CLASS_MASS_STORAGE)
		return true;
	/* usb-storage takes some vendor-class devices too (its unusual_devs) */
	driver_of(u, name, driver, sizeof(driver));
	return storage_driver(driver);
}

/* What a record of a readonly stick says of how it is held. */
static const char *readonly_note(const struct usb *u, char *buf, size_t len)
{
	if (u->ro)
		return "read-only: the BPF LSM refuses its writes";
	snprintf(buf, len, "readonly cannot be held here (%s): the stick is held whole, as blocked",
		 u->ro_why);
	return buf;
}

/*
 * Interface `name` is there (at start, on reload, on arrival or when a
 * driver took it): authorizes it or takes it back, and records a
 * mass-storage one when it is new or its verdict changed.
 */
static void decide_intf(struct usb *u, const char *name, const char *action)
{
	struct usb_intf now, *old = find(u, name);
	char authorized[8], port[NAME_MAX_USB], note[512];
	bool want, changed;

	if (!is_storage(u, name)) {
		/* not decided by usb rules: usable as if crmguard were not there */
		read_attr(u, name, "authorized", authorized, sizeof(authorized));
		if (u->managing && !strcmp(authorized, "0"))
			authorize(u, name, true);
		return;
	}
	judge(u, &now, name);
	want = usable(u, &now);
	read_attr(u, name, "authorized", authorized, sizeof(authorized));
	if (want && now.verdict == USB_READONLY && u->hold) {
		/* named read-only before a driver may take it; one used read-write is given again */
		snprintf(port, sizeof(port), "%.*s", (int)strcspn(name, ":"), name);
		if (!strcmp(authorized, "1") && (old ? old->verdict != USB_READONLY || old->held :
						  !usb_ro_marked(u->ro, port)))
			authorize(u, name, false), strcpy(authorized, "0");
		if (usb_ro_mark(u->ro, port))
			want = false;
	} else if (want && old && old->verdict == USB_READONLY && !old->held &&
		   !strcmp(authorized, "1")) {
		/* read-only no more: given again, so that the disk comes back writable */
		authorize(u, name, false), strcpy(authorized, "0");
	}
	now.held = !want;
	if (strcmp(authorized, want ? "1" : "0"))
		authorize(u, name, want);
	changed = !old || old->verdict != now.verdict || strcmp(old->rule, now.rule) ||
		  old->held != now.held;
	if (!strcmp(action, "bind") && !want) {
		emit_intf(u, &now, action, "a driver took an interface the policy holds "
			  "(someone authorized it): taken back");
	} else if (changed) {
		emit_intf(u, &now, old ? "changed" : action, now.verdict == USB_READONLY && u->hold ?
			  readonly_note(u, note, sizeof(note)) : NULL);
	}
	if (!old) {
		struct usb_intf *grown = realloc(u->intf, (u->nintf + 1) * sizeof(*grown));

		if (!grown)
			return;
		u->intf = grown;
		old = &u->intf[u->nintf++];
	}
	*old = now;
}

/*
 * A device the kernel left unauthorized as a whole (usbcore.authorized_default=0
 * on the kernel command line, which closes the window from boot to
 * crmguardd's start): authorized, so that its interfaces appear and are
 * decided one by one, each under the root hub's default.
 */
static void authorize_device(struct usb *u, const char *name)
{
	char authorized[8], path[1024];
	int ret;

	read_attr(u, name, "authorized", authorized, sizeof(authorized));
	if (strcmp(authorized, "0"))
		return;
	snprintf(path, sizeof(path), "%s/%s/authorized", u->root, name);
	ret = write_attr(path, "1");
	if (ret)
		emit_error(u, "cannot authorize the device", name, ret);
}

/* The root hubs' default for new interfaces: 0 while crmguardd holds the line. */
static void set_hub_defaults(struct usb *u, const char *only)
{
	char path[1024];
	struct dirent *e;
	DIR *dir;
	int ret;

	dir = opendir(u->root);
	if (!dir)
		return;
	if (!only)
		u->hubs = 0;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "usb", 3) || (only && strcmp(e->d_name, only)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/interface_authorized_default", u->root, e->d_name);
		ret = write_attr(path, u->hold ? "0" : "1");
		if (ret)
			emit_error(u, "cannot set the root hub's interface_authorized_default",
				   e->d_name, ret);
		else
			u->hubs += u->hold;
	}
	closedir(dir);
}

/* Every interface present, decided again (start, reload, lost events). */
static void scan(struct usb *u, const char *action)
{
	struct dirent *e;
	DIR *dir;
	size_t i;

	dir = opendir(u->root);
	u->nobus = !dir && errno == ENOENT;
	if (!dir) {
		if (!u->nobus)
			emit_error(u, "cannot list the USB devices", u->root, -errno);
		return;
	}
	while ((e = readdir(dir))) {
		if (strchr(e->d_name, ':'))
			decide_intf(u, e->d_name, action);
		else if (e->d_name[0] != '.' && strncmp(e->d_name, "usb", 3))
			authorize_device(u, e->d_name);
	}
	closedir(dir);
	/* what went while nobody listened */
	for (i = 0; i < u->nintf;) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", u->root, u->intf[i].name);
		if (access(path, F_OK)) {
			emit_intf(u, &u->intf[i], "remove", NULL);
			drop(u, &u->intf[i]);
		} else {
			i++;
		}
	}
	if (u->ro)
		usb_ro_sync(u->ro, u);
}

/* The read-only programs get the protected inodes; an error is recorded. */
static void give_rules(struct usb *u)
{
	char why[512];
	int ret = usb_ro_rules(u->ro, u->rules, u->nrules, why, sizeof(why));

	if (ret)
		emit_error(u, why, "usb_ro", ret);
}

/*
 * The read-only programs, once the policy speaks of sticks (or the last
 * daemon's are pinned, to be taken over): loaded once, kept.
 */
static void load_ro(struct usb *u)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (u->ro || !u->lsm || (!u->managing && !usb_ro_pinned()))
		return;
	u->ro = usb_ro_open(u->emit, u->sink, u->tracked, u->ro_why, sizeof(u->ro_why));
	if (u->ro && epoll_ctl(u->ep, EPOLL_CTL_ADD, usb_ro_fd(u->ro), &ev))
		emit_error(u, "cannot poll the read-only programs' refusals", "usb_ro", -errno);
	if (u->ro)
		give_rules(u);
}

void usb_rules(void *ctx, const struct kernel_rule *rules, size_t n)
{
	struct usb *u = ctx;
	struct kernel_rule *v;
	size_t i, k = 0;

	v = realloc(u->rules, (n ? n : 1) * sizeof(*v));
	if (!v) {
		emit_error(u, "out of memory for the protected inodes: processes that open "
			   "them are tracked once crmguardd learns of it", "usb_ro", -ENOMEM);
		return;
	}
	for (i = 0; i < n; i++) {
		if (rules[i].type != CRMGUARD_RULE_INODE)
			continue;
		v[k] = rules[i];
		v[k].fh = NULL;	/* not kept past this call */
		k++;
	}
	u->rules = v;
	u->nrules = k;
	if (u->ro)
		give_rules(u);
}

void usb_apply(struct usb *u, const struct policy *p)
{
	u->policy = p;
	u->hold = p->usb.managed && p->mode == POLICY_ENFORCE;
	u->managing = p->usb.managed || u->defaulted;
	load_ro(u);
	if (u->ro)
		usb_ro_taint(u->ro, !p->usb.managed ? USB_TAINT_OFF :
			     p->mode == POLICY_ENFORCE ? USB_TAINT_BLOCK : USB_TAINT_AUDIT);
	if (!u->managing)
		return;	/* USB is left alone, as it was before crmguard */
	/* first the default, so that nothing arriving during the scan is missed */
	set_hub_defaults(u, NULL);
	u->defaulted = u->hold;
	scan(u, "present");
}

void usb_on_uevent(struct usb *u, const char *buf, size_t len)
{
	struct uevent ev;
	const char *name;
	struct usb_intf *it;

	if (uevent_parse(buf, len, &ev))
		return;
	/* a disk or partition of a read-only stick: named to the programs, set read-only */
	if (!strcmp(ev.subsystem, "block") && !strcmp(ev.action, "add") && u->ro) {
		usb_ro_sync(u->ro, u);
		return;
	}
	if (strcmp(ev.subsystem, "usb"))
		return;
	name = usbdev_name(ev.devpath);
	if (!strcmp(ev.devtype, "usb_device") && !strcmp(ev.action, "add")) {
		if (!strncmp(name, "usb", 3) && u->defaulted)
			set_hub_defaults(u, name);	/* a new host controller */
		else if (strncmp(name, "usb", 3) && u->managing && strlen(name) < NAME_MAX_USB)
			authorize_device(u, name);
		return;
	}
	if (strcmp(ev.devtype, "usb_interface") || !strchr(name, ':') || strlen(name) >= NAME_MAX_USB)
		return;
	if (!strcmp(ev.action, "remove")) {
		it = find(u, name);
		if (it) {
			emit_intf(u, it, "remove", NULL);
			drop(u, it);
			if (u->ro)
				usb_ro_sync(u->ro, u);
		}
		return;
	}
	if (!u->managing)
		return;
	if (!strcmp(ev.action, "add") ||
	    (!strcmp(ev.action, "bind") && storage_driver(ev.driver)))
		decide_intf(u, name, ev.action);
}

void usb_read_events(struct usb *u)
{
	char buf[8192];
	struct sockaddr_nl from;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			      .msg_iovlen = 1 };
	ssize_t n;

	for (;;) {
		msg.msg_namelen = sizeof(from);
		n = recvmsg(u->nl, &msg, MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			struct record r;

			record_init(&r, "lost");
			record_str(&r, "source", "uevent");
			record_str(&r, "detail", "uevent queue overflow: every USB device was decided again");
			record_u64(&r, "total", ++u->lost);
			u->emit(u->sink, LOG_LVL_WARNING, &r);
			if (u->policy)
				scan(u, "present");
			continue;
		}
		if (n <= 0)
			break;
		/* the kernel's own messages only: a process sends from a port id of its own */
		if (from.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC) || !u->policy)
			continue;
		usb_on_uevent(u, buf, n);
	}
	usb_ro_read(u->ro, u);
}

int usb_open(struct usb **out, const char *sysroot, bool lsm, usb_emit_fn emit, struct sink *sink,
	     char *err, size_t errlen)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct epoll_event ev = { .events = EPOLLIN };
	int size = UEVENT_RCVBUF;
	struct usb *u;

	*out = NULL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	snprintf(u->root, sizeof(u->root), "%s", sysroot);
	u->emit = emit;
	u->sink = sink;
	u->lsm = lsm;
	u->tracked = -1;
	snprintf(u->ro_why, sizeof(u->ro_why), "%s", lsm ? "the BPF LSM programs are not loaded" :
		 "crmguardd was started without the BPF LSM");
	u->ep = epoll_create1(EPOLL_CLOEXEC);
	u->nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (u->nl < 0 || bind(u->nl, (struct sockaddr *)&sa, sizeof(sa)) || u->ep < 0 ||
	    epoll_ctl(u->ep, EPOLL_CTL_ADD, u->nl, &ev)) {
		snprintf(err, errlen, "USB: cannot listen to the kernel's uevents: %s", strerror(errno));
		usb_close(u);
		return -EIO;
	}
	if (setsockopt(u->nl, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(u->nl, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	*out = u;
	return 0;
}

void usb_follow(struct usb *u, int tracked_fd)
{
	u->tracked = tracked_fd;
}

int usb_fd(const struct usb *u)
{
	return u ? u->ep : -1;
}

const char *usb_mechanism(const struct usb *u, char *buf, size_t len)
{
	size_t held = 0, i;

	for (i = 0; i < u->nintf; i++)
		held += u->intf[i].held;
	if (!u->policy || !u->policy->usb.managed)
		snprintf(buf, len, "not managed (no usb line in the policy): USB is left as it is");
	else if (u->nobus)
		snprintf(buf, len, "no USB on this kernel (%s is not there): nothing to hold", u->root);
	else if (!u->hold)
		snprintf(buf, len, "mode audit: sticks are recorded, none is held");
	else if (!u->hubs)
		snprintf(buf, len, "NOT HELD: no root hub took interface_authorized_default=0 "
			 "(no USB here, or sysfs refused it; see the error records)");
	else
		snprintf(buf, len, "held by the kernel's USB authorization: interface_authorized_default=0 "
			 "on %zu root hub%s, so a stick plugged in while crmguardd is down gets no "
			 "driver; %zu mass-storage interface%s present, %zu held; read-only sticks: %s%s",
			 u->hubs, u->hubs == 1 ? "" : "s", u->nintf, u->nintf == 1 ? "" : "s", held,
			 u->ro ? "held by the BPF LSM, pinned in " USB_RO_PIN_DIR " (they stay read-only "
			 "while crmguardd is down); writes to sticks by processes that touched "
			 "protected data: refused" : "held whole, as blocked: ", u->ro ? "" : u->ro_why);
	return buf;
}

void usb_close(struct usb *u)
{
	if (!u)
		return;
	if (u->nl >= 0)
		close(u->nl);
	if (u->ep >= 0)
		close(u->ep);
	usb_ro_close(u->ro);
	free(u->intf);
	free(u->rules);
	free(u);
}
