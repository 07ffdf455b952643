// SPDX-License-Identifier: GPL-2.0
/* Read-only sticks held by the BPF LSM: see readonly.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ctl/daemon/enforce/bpf_lsm.h"
#include "ctl/daemon/enforce/rulemaps.h"
#include "ctl/daemon/fields.h"
#include "ctl/daemon/usb/blockdev.h"
#include "ctl/daemon/usb/readonly.h"
#include "ctl/daemon/usb/usb_int.h"
#include "ebpf/enforce.h"
#include "ebpf/usb_ro.h"
#include "usb_ro.skel.h"

#define MAX_PROGS 8
#define MAX_NODES (USB_RO_MAX * 16)

struct usb_ro {
	struct usb_ro_bpf *skel;
	struct bpf_link *links[MAX_PROGS];
	size_t nlinks;
	struct ring_buffer *rb;
	usb_emit_fn emit;
	struct sink *sink;
	const struct usb *u;	/* for the rule a refusal names: set by usb_ro_read */
};

/* The device nodes of the sticks present (ro_devs's keys and values), and the read-only ones' disks. */
struct nodes {
	__u64 dev[MAX_NODES];
	__u8 flags[MAX_NODES];
	size_t n;
	char disk[USB_RO_MAX][NAME_MAX_USB];	/* sdb: set read-only */
	size_t ndisks;
};

static const char *const what_name[] = {
	[USB_RO_OPEN_WRITE] = "open-write", [USB_RO_IOCTL] = "ioctl",
	[USB_RO_MOUNT_RW] = "mount-rw", [USB_RO_REMOUNT] = "remount",
	[USB_TAINT_CREATE] = "create", [USB_TAINT_OPEN_WRITE] = "open-write",
	[USB_TAINT_WRITER] = "open-protected",
};

static const char *ioctl_name(__u32 cmd)
{
	switch (cmd) {
	case BLKROSET: return "BLKROSET";
	case BLKDISCARD: return "BLKDISCARD";
	case BLKSECDISCARD: return "BLKSECDISCARD";
	case BLKZEROOUT: return "BLKZEROOUT";
	default: return "SG_IO";
	}
}

/* The rule that made the stick at port path port read-only. */
static const char *rule_of(const struct usb *u, const char *port)
{
	size_t i, n = strlen(port);

	for (i = 0; u && port[0] && i < u->nintf; i++)
		if (!strncmp(u->intf[i].name, port, n) && u->intf[i].name[n] == ':')
			return u->intf[i].rule;
	return "";
}

static int on_refusal(void *ctx, void *data, size_t len)
{
	struct usb_ro *ro = ctx;
	const struct usb_ro_event *e = data;
	char port[USB_RO_PORT_LEN + 1], intf[64];
	struct record r;
	dev_t dev;

	if (len < sizeof(*e) || e->what < USB_RO_OPEN_WRITE || e->what > USB_TAINT_WRITER)
		return 0;
	dev = e->dev & ~USB_RO_CHAR;
	blockdev_usb(dev, intf, sizeof(intf));
	snprintf(port, sizeof(port), "%.*s", (int)strcspn(intf, ":"), intf);
	record_init(&r, "usb");
	record_str(&r, "action", "write");
	record_str(&r, "verdict", e->audit ? "audit" : "deny");
	record_str(&r, "call", what_name[e->what]);
	if (e->what == USB_RO_IOCTL)
		record_str(&r, "ioctl", ioctl_name(e->cmd));
	if (e->what >= USB_TAINT_CREATE) {
		/* protected data, not the stick's verdict: the process is what is held */
		record_str(&r, "reason", e->what == USB_TAINT_WRITER ? "writes-to-stick" : "tainted");
		record_bytes(&r, e->what == USB_TAINT_OPEN_WRITE ? "path" : "name", e->name,
			     strnlen(e->name, sizeof(e->name)));
	} else {
		record_str(&r, "reason", "readonly");
		record_str(&r, "rule", rule_of(ro->u, port));
	}
	if (e->dev & USB_RO_CHAR)
		record_u64(&r, "chardev", 1);
	blockdev_put(&r, dev);
	put_caller(&r, &e->who);
	ro->emit(ro->sink, LOG_LVL_WARNING, &r);
	return 0;
}

bool usb_ro_pinned(void)
{
	return access(USB_RO_PIN_DIR "/ro_ports", F_OK) == 0;
}

struct usb_ro *usb_ro_open(usb_emit_fn emit, struct sink *sink, int tracked, char *why, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = USB_RO_PIN_DIR);
	struct usb_ro *ro;
	int ret;

	if (bpf_lsm_active(why, len) || bpf_lsm_pin_dir(ENFORCE_PIN_DIR, why, len) ||
	    bpf_lsm_pin_dir(USB_RO_PIN_DIR, why, len))
		return NULL;
	ro = calloc(1, sizeof(*ro));
	if (!ro) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	ro->emit = emit;
	ro->sink = sink;
	ro->skel = usb_ro_bpf__open_opts(&opts);
	ret = ro->skel ? 0 : -errno;
	if (!ret && tracked >= 0)
		ret = bpf_map__reuse_fd(ro->skel->maps.tracked, tracked);
	if (!ret)
		ret = usb_ro_bpf__load(ro->skel);
	if (ret) {
		snprintf(why, len, "loading ebpf/usb_ro.bpf.c: %s (maps of another version pinned in %s? "
			 "remove them and start again)", strerror(-ret), USB_RO_PIN_DIR);
		goto fail;
	}
	/* each link pinned over the last daemon's: a stick marked read-only never stops being so */
	if (bpf_lsm_attach_all(ro->skel->obj, USB_RO_PIN_DIR, true, ro->links, MAX_PROGS, &ro->nlinks,
			       why, len))
		goto fail;
	ro->rb = ring_buffer__new(bpf_map__fd(ro->skel->maps.ro_refusals), on_refusal, ro, NULL);
	if (!ro->rb) {
		snprintf(why, len, "the read-only programs' ring buffer: %s", strerror(errno));
		goto fail;
	}
	return ro;
fail:
	usb_ro_close(ro);
	return NULL;
}

int usb_ro_rules(struct usb_ro *ro, const struct kernel_rule *rules, size_t n, char *err, size_t errlen)
{
	/* the programs read lsm_inodes only: the config is there for the layout's sake */
	struct enforce_config c = { .mode = CRMGUARD_MODE_ENFORCE };
	struct rulemaps maps = RULEMAPS_OF(ro->skel);

	return rulemaps_replace(&maps, &c, rules, n, false, err, errlen);
}

void usb_ro_taint(struct usb_ro *ro, unsigned int mode)
{
	__u32 zero = 0, m = mode;

	bpf_map_update_elem(bpf_map__fd(ro->skel->maps.taint_mode), &zero, &m, BPF_ANY);
}

int usb_ro_fd(const struct usb_ro *ro)
{
	return ro ? ring_buffer__epoll_fd(ro->rb) : -1;
}

void usb_ro_read(struct usb_ro *ro, const struct usb *u)
{
	if (!ro)
		return;
	ro->u = u;
	ring_buffer__consume(ro->rb);
}

static struct usb_ro_port port_key(const char *port)
{
	struct usb_ro_port key;

	memset(&key, 0, sizeof(key));
	snprintf(key.name, sizeof(key.name), "%s", port);
	return key;
}

int usb_ro_mark(struct usb_ro *ro, const char *port)
{
	struct usb_ro_port key = port_key(port);
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(ro->skel->maps.ro_ports), &key, &one, BPF_ANY))
		return -errno;
	return 0;
}

bool usb_ro_marked(const struct usb_ro *ro, const char *port)
{
	struct usb_ro_port key = port_key(port);
	__u8 one;

	return !bpf_map_lookup_elem(bpf_map__fd(ro->skel->maps.ro_ports), &key, &one);
}

/* "8:16" in the sysfs file path, as a userland dev_t; 0 if none. */
static __u64 dev_file(const char *path)
{
	unsigned int ma, mi;
	FILE *f = fopen(path, "re");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%u:%u", &ma, &mi);
	fclose(f);
	return n == 2 ? makedev(ma, mi) : 0;
}

static void add_node(struct nodes *s, __u64 dev, __u8 flags)
{
	if (!(dev & ~USB_RO_CHAR) || s->n == MAX_NODES)
		return;
	s->dev[s->n] = dev;
	s->flags[s->n++] = flags;
}

/* sysfs files matching pattern, each a device's dev: added (char: USB_RO_CHAR). */
static void add_devs(struct nodes *s, const char *pattern, __u64 chr, __u8 flags)
{
	glob_t g;
	size_t i;

	if (glob(pattern, 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++)
		add_node(s, dev_file(g.gl_pathv[i]) | chr, flags);
	globfree(&g);
}

/*
 * The interface's disks and partitions (the programs name them as the
 * kernel adds them: here for one there before the programs were loaded
 * or the stick named read-only); a read-only one's SCSI generic nodes,
 * sg and bsg (named here only), and its disks, to set read-only.
 */
static void add_scsi_nodes(struct nodes *s, const char *root, const char *intf, bool ro)
{
	__u8 flags = USB_DEV_USB | (ro ? USB_DEV_RO : 0);
	char pattern[512], dev[512];
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s/%s/host*/target*/*/block/*/dev", root, intf);
	add_devs(s, pattern, 0, flags);
	snprintf(pattern, sizeof(pattern), "%s/%s/host*/target*/*/block/*/*/partition", root, intf);
	if (!glob(pattern, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++) {
			snprintf(dev, sizeof(dev), "%.*s/dev",
				 (int)(strrchr(g.gl_pathv[i], '/') - g.gl_pathv[i]), g.gl_pathv[i]);
			add_node(s, dev_file(dev), flags);
		}
		globfree(&g);
	}
	if (!ro)
		return;
	snprintf(pattern, sizeof(pattern), "%s/%s/host*/target*/*/scsi_generic/*/dev", root, intf);
	add_devs(s, pattern, USB_RO_CHAR, flags);
	snprintf(pattern, sizeof(pattern), "%s/%s/host*/target*/*/bsg/*/dev", root, intf);
	add_devs(s, pattern, USB_RO_CHAR, flags);
	snprintf(pattern, sizeof(pattern), "%s/%s/host*/target*/*/block/*", root, intf);
	if (glob(pattern, 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc && s->ndisks < USB_RO_MAX; i++)
		snprintf(s->disk[s->ndisks++], NAME_MAX_USB, "%s", strrchr(g.gl_pathv[i], '/') + 1);
	globfree(&g);
}

static bool has_node(const struct nodes *s, __u64 dev)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->dev[i] == dev)
			return true;
	return false;
}

static bool is_ro_port(const struct usb *u, const char *port)
{
	size_t i, n = strlen(port);

	for (i = 0; i < u->nintf; i++)
		if (u->intf[i].verdict == USB_READONLY && !u->intf[i].held &&
		    !strncmp(u->intf[i].name, port, n) && u->intf[i].name[n] == ':')
			return true;
	return false;
}

/* Sets the disk read-only: the kernel then refuses writes and read-write opens itself. */
static void set_ro(struct usb_ro *ro, const char *disk)
{
	char path[64];
	int fd, on = 1, was = 0, ret = 0;

	snprintf(path, sizeof(path), "/dev/%s", disk);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, BLKROGET, &was) || (!was && ioctl(fd, BLKROSET, &on)))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret) {
		struct record r;

		record_init(&r, "error");
		record_str(&r, "source", "usb");
		record_str(&r, "device", path);
		record_str(&r, "detail", "cannot set the read-only stick's disk read-only (BLKROSET); "
			   "its writes are still refused by the BPF LSM");
		record_str(&r, "error", strerror(-ret));
		ro->emit(ro->sink, LOG_LVL_WARNING, &r);
	}
}

/* (after the scan, the uevents' changes, and on a block device's arrival) */
void usb_ro_sync(struct usb_ro *ro, const struct usb *u)
{
	int ports = bpf_map__fd(ro->skel->maps.ro_ports), devs = bpf_map__fd(ro->skel->maps.ro_devs);
	struct usb_ro_port key, next;
	char path[512], port[NAME_MAX_USB];
	struct nodes *s = calloc(1, sizeof(*s));
	__u64 dev, ndev;
	bool more, ro_stick;
	size_t i;

	if (!s)
		return;
	for (i = 0; i < u->nintf; i++) {
		if (u->intf[i].held)
			continue;
		ro_stick = u->intf[i].verdict == USB_READONLY;
		add_scsi_nodes(s, u->root, u->intf[i].name, ro_stick);
		if (!ro_stick)
			continue;
		snprintf(port, sizeof(port), "%.*s", (int)strcspn(u->intf[i].name, ":"), u->intf[i].name);
		usb_ro_mark(ro, port);
		snprintf(path, sizeof(path), "%s/%s/dev", u->root, port);
		/* usbfs: /dev/bus/usb/BBB/DDD */
		add_node(s, dev_file(path) | USB_RO_CHAR, USB_DEV_USB | USB_DEV_RO);
	}
	for (i = 0; i < s->n; i++)
		bpf_map_update_elem(devs, &s->dev[i], &s->flags[i], BPF_ANY);
	/* then what is there no more goes: the next key is taken before one is deleted */
	for (more = !bpf_map_get_next_key(ports, NULL, &next); more;) {
		key = next;
		more = !bpf_map_get_next_key(ports, &key, &next);
		if (!is_ro_port(u, key.name))
			bpf_map_delete_elem(ports, &key);
	}
	for (more = !bpf_map_get_next_key(devs, NULL, &ndev); more;) {
		dev = ndev;
		more = !bpf_map_get_next_key(devs, &dev, &ndev);
		if (!has_node(s, dev))
			bpf_map_delete_elem(devs, &dev);
	}
	for (i = 0; i < s->ndisks; i++)
		set_ro(ro, s->disk[i]);
	free(s);
}

void usb_ro_close(struct usb_ro *ro)
{
	size_t i;

	if (!ro)
		return;
	/* the pins keep the programs and their maps in force */
	for (i = 0; i < ro->nlinks; i++)
		bpf_link__destroy(ro->links[i]);
	ring_buffer__free(ro->rb);
	usb_ro_bpf__destroy(ro->skel);
	free(ro);
}
