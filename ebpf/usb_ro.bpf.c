// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only USB sticks, held by the BPF LSM. crmguardd names each stick
 * whose verdict is readonly in ro_ports (by its port path) before it lets
 * the kernel bind a driver to it. From then on the kernel does the rest:
 *
 * - each block device the stick gets (its disk, each partition) is named
 *   in ro_devs as the kernel adds it (bdev_add), before anyone can open
 *   it: the device tree is walked up from it to its USB device;
 * - opening one of those for writing is refused (dd, cp to /dev/sdb), and
 *   a filesystem on one mounted read-write, or remounted;
 * - so are BLKROSET 0 (blockdev --setrw: crmguardd sets the disk
 *   read-only, which the kernel enforces on every write), SG_IO (raw SCSI
 *   WRITE commands, which root may send on a descriptor opened
 *   read-only) and the discard and zero-out ioctls.
 *
 * crmguardd adds the stick's usbfs node and its SCSI generic nodes (sg,
 * bsg) to ro_devs when it sees them, and drops what went. Nothing here
 * runs on reads and writes: file_open, file_ioctl and the mount hooks end
 * at once for what is not named. Pinned with their maps (USB_RO_PIN_DIR),
 * they outlive crmguardd.
 *
 * Where USB writes of tainted processes are held (taint_mode), an open of
 * protected data (the kernel backend's rules, which crmguardd mirrors in
 * lsm_inodes) marks its process tracked then and there, before it can
 * write anything, whichever backend decides the open; and a process that
 * already holds a file on a stick open for writing gets no protected data
 * at all (a shell's `> /media/stick/x` before the CRM's query runs).
 */
#include "vmlinux.h"
#include "kconst.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
/* vmlinux.h has the types <linux/types.h> would bring, for the host's arch. */
#define _LINUX_TYPES_H
#include "../kmod/uapi/crmguard.h"
#include "enforce.h"
#include "inode_dev.bpf.h"
#include "caller.bpf.h"
#include "sensor.h"
#include "usb_ro.h"
/* the rule table, crmguardd's copy of the kernel backend's: held while it is dead */
#define RULES_PINNING __uint(pinning, LIBBPF_PIN_BY_NAME);
#include "rules.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* descriptors a protected open looks through for a stick's file open for writing */
#define FDS_MAX 4096
#define BLKROSET 0x125d
#define BLKDISCARD 0x1277
#define BLKSECDISCARD 0x127d
#define BLKZEROOUT 0x127f
#define SG_IO 0x2285
/* partition, disk, SCSI device, target, host, USB interface, USB device: and room */
#define WALK_DEPTH 10

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, USB_RO_MAX);
	__type(key, struct usb_ro_port);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ro_ports SEC(".maps");

/*
 * Device nodes -> USB_DEV_*: every block device behind a USB device
 * (named as the kernel adds it), and a read-only stick's usbfs, sg and bsg
 * nodes (userland dev_t, USB_RO_CHAR for a character device).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, USB_RO_MAX * 16);
	__type(key, __u64);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ro_devs SEC(".maps");

/* the sensor's, handed over by crmguardd; forks followed here too, to hold while it is dead */
#include "tracked.bpf.h"

/* [0]: what to do with a tracked process's write to a stick: USB_TAINT_* */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} taint_mode SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ro_refusals SEC(".maps");

/* Inline: the verifier follows a reserved record within one function only. */
static __always_inline struct usb_ro_event *report(__u32 what, __u64 dev, __u32 cmd)
{
	struct usb_ro_event *e = bpf_ringbuf_reserve(&ro_refusals, sizeof(*e), 0);

	if (!e)
		return NULL;	/* a lost record is counted by nobody */
	e->what = what;
	e->cmd = cmd;
	e->dev = dev;
	e->ino = 0;
	e->audit = 0;
	e->name[0] = 0;
	caller_fill(&e->who);
	return e;
}

static __always_inline int refuse(__u32 what, __u64 dev, __u32 cmd, int err)
{
	struct usb_ro_event *e = report(what, dev, cmd);

	if (e)
		bpf_ringbuf_submit(e, 0);
	return err;
}

/* A device node of a read-only stick: its ro_devs key, 0 if not one. */
static __u64 ro_node(struct inode *inode)
{
	umode_t mode = BPF_CORE_READ(inode, i_mode) & S_IFMT;
	__u8 *flags;
	__u64 dev;

	if (mode != S_IFBLK && mode != S_IFCHR)
		return 0;
	dev = user_dev(BPF_CORE_READ(inode, i_rdev)) | (mode == S_IFCHR ? USB_RO_CHAR : 0);
	flags = bpf_map_lookup_elem(&ro_devs, &dev);
	return flags && (*flags & USB_DEV_RO) ? dev : 0;
}

/*
 * What to do with the current process's create or write open on the
 * filesystem of inode on: USB_TAINT_OFF unless the process is tracked and
 * that filesystem is on a USB device.
 */
static __u32 taint_mode_of(struct inode *on)
{
	__u32 zero = 0, tgid = bpf_get_current_pid_tgid() >> 32, *mode;
	__u64 dev = user_dev(BPF_CORE_READ(on, i_sb, s_dev));
	__u8 *flags;

	mode = bpf_map_lookup_elem(&taint_mode, &zero);
	if (!mode || *mode == USB_TAINT_OFF || !bpf_map_lookup_elem(&tracked, &tgid))
		return USB_TAINT_OFF;
	flags = bpf_map_lookup_elem(&ro_devs, &dev);
	return flags && (*flags & USB_DEV_USB) ? *mode : USB_TAINT_OFF;
}

/* The record of such a write, its name still to fill in; NULL if there is no room. */
static __always_inline struct usb_ro_event *taint_report(__u32 what, struct inode *on, __u32 mode)
{
	struct usb_ro_event *e = report(what, user_dev(BPF_CORE_READ(on, i_sb, s_dev)), 0);

	if (e) {
		e->audit = mode == USB_TAINT_AUDIT;
		e->ino = BPF_CORE_READ(on, i_ino);
	}
	return e;
}

/* Is f a regular file on a USB stick, open for writing? */
static __always_inline bool stick_writer(struct file *f)
{
	__u64 dev;
	__u8 *flags;

	if (!f || !(BPF_CORE_READ(f, f_mode) & FMODE_WRITE) ||
	    (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFREG)
		return false;
	dev = user_dev(BPF_CORE_READ(f, f_inode, i_sb, s_dev));
	flags = bpf_map_lookup_elem(&ro_devs, &dev);
	return flags && (*flags & USB_DEV_USB);
}

struct fd_walk {
	struct file **fds;
	unsigned int max;
	struct file *found;
};

static long fd_step(__u64 i, void *ctx)
{
	struct fd_walk *w = ctx;
	struct file *f = NULL;

	if (i >= w->max)
		return 1;
	bpf_probe_read_kernel(&f, sizeof(f), &w->fds[i]);
	if (!stick_writer(f))
		return 0;
	w->found = f;
	return 1;
}

/* A file on a stick the current process holds open for writing, or NULL. */
static __always_inline struct file *held_stick_writer(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct fd_walk w = { .fds = BPF_CORE_READ(fdt, fd), .max = BPF_CORE_READ(fdt, max_fds) };

	bpf_loop(FDS_MAX, fd_step, &w, 0);
	return w.found;
}

/*
 * An open of protected data, where tainted writes to sticks are held: the
 * process is tracked from now on, and one that holds a file on a stick
 * open for writing is refused the data.
 */
static __always_inline int protected_open(struct file *file)
{
	__u32 zero = 0, tgid = bpf_get_current_pid_tgid() >> 32, mark = SENSOR_TRACKED, *mode;
	struct enforce_inode_key key;
	struct usb_ro_event *e;
	struct file *writer;

	mode = bpf_map_lookup_elem(&taint_mode, &zero);
	if (!mode || *mode == USB_TAINT_OFF || !protecting(file, &key))
		return 0;
	bpf_map_update_elem(&tracked, &tgid, &mark, BPF_ANY);
	writer = held_stick_writer();
	if (!writer)
		return 0;
	e = taint_report(USB_TAINT_WRITER, BPF_CORE_READ(writer, f_inode), *mode);
	if (e) {
		/* its name: bpf_d_path() takes only the hook's own file */
		bpf_probe_read_kernel_str(e->name, sizeof(e->name),
					  BPF_CORE_READ(writer, f_path.dentry, d_name.name));
		bpf_ringbuf_submit(e, 0);
	}
	return *mode == USB_TAINT_AUDIT ? 0 : -EPERM;
}

SEC("lsm/file_open")
int BPF_PROG(ro_file_open, struct file *file)
{
	struct inode *inode;
	__u64 dev;
	int ret;

	if (file->f_mode & FMODE_READ) {
		ret = protected_open(file);
		if (ret)
			return ret;
	}
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	inode = file->f_inode;
	if ((inode->i_mode & S_IFMT) == S_IFREG) {
		__u32 mode = taint_mode_of(inode);
		struct usb_ro_event *e;

		if (mode == USB_TAINT_OFF)
			return 0;
		e = taint_report(USB_TAINT_OPEN_WRITE, inode, mode);
		if (e) {
			bpf_d_path((struct path *)&file->f_path, e->name, sizeof(e->name));
			bpf_ringbuf_submit(e, 0);
		}
		return mode == USB_TAINT_AUDIT ? 0 : -EPERM;
	}
	dev = ro_node(inode);
	return dev ? refuse(USB_RO_OPEN_WRITE, dev, 0, -EPERM) : 0;
}

/* A file made on a stick by a tracked process: before it is there, empty or not. */
SEC("lsm/inode_create")
int BPF_PROG(ro_inode_create, struct inode *dir, struct dentry *dentry, umode_t imode)
{
	__u32 mode = taint_mode_of(dir);
	struct usb_ro_event *e;

	if (mode == USB_TAINT_OFF)
		return 0;
	e = taint_report(USB_TAINT_CREATE, dir, mode);
	if (e) {
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), BPF_CORE_READ(dentry, d_name.name));
		bpf_ringbuf_submit(e, 0);
	}
	return mode == USB_TAINT_AUDIT ? 0 : -EPERM;
}

/* The sensor's fork rule, here too: it holds while crmguardd is dead. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(ro_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid, mark = SENSOR_TRACKED;

	if (ptgid != ctgid && bpf_map_lookup_elem(&tracked, &ptgid))
		bpf_map_update_elem(&tracked, &ctgid, &mark, BPF_ANY);
	return 0;
}

SEC("lsm/file_ioctl")
int BPF_PROG(ro_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg)
{
	int value = 0;
	__u64 dev;

	if (cmd != BLKROSET && cmd != SG_IO && cmd != BLKDISCARD && cmd != BLKSECDISCARD &&
	    cmd != BLKZEROOUT)
		return 0;
	dev = ro_node(BPF_CORE_READ(file, f_inode));
	if (!dev)
		return 0;
	/* setting it read-only (crmguardd does) is fine; what cannot be read is refused */
	if (cmd == BLKROSET && !bpf_probe_read_user(&value, sizeof(value), (void *)arg) && value)
		return 0;
	return refuse(USB_RO_IOCTL, dev, cmd, -EPERM);
}

#define USB_DEVICE_TYPE "usb_device"	/* drivers/usb/core/usb.c usb_device_type */

static bool is_usb_device(const char *type)
{
	static const char want[] = USB_DEVICE_TYPE;
	int i;

	for (i = 0; i < sizeof(want); i++)
		if (type[i] != want[i])
			return false;
	return true;
}

/*
 * Is block device bdev on a USB device (USB_DEV_USB), a read-only stick
 * (and USB_DEV_RO)? Up the device tree to a device of type "usb_device",
 * whose name is its port path; 0 if there is none.
 */
static __u8 ro_stick(struct block_device *bdev)
{
	struct usb_ro_port key = {};
	struct device *d = &bdev->bd_device;
	char type[sizeof(USB_DEVICE_TYPE)];
	const char *name;
	int i;

	for (i = 0; i < WALK_DEPTH && d; i++) {
		name = BPF_CORE_READ(d, type, name);
		if (name && bpf_probe_read_kernel_str(type, sizeof(type), name) == sizeof(type) &&
		    is_usb_device(type)) {
			name = BPF_CORE_READ(d, kobj.name);
			if (bpf_probe_read_kernel_str(key.name, sizeof(key.name), name) > 0 &&
			    bpf_map_lookup_elem(&ro_ports, &key))
				return USB_DEV_USB | USB_DEV_RO;
			return USB_DEV_USB;
		}
		d = BPF_CORE_READ(d, parent);
	}
	return 0;
}

/* A disk or partition being added: it cannot be opened before this returns. */
SEC("fentry/bdev_add")
int BPF_PROG(ro_bdev_add, struct block_device *bdev, dev_t dev)
{
	__u64 udev = user_dev(dev);
	__u8 flags = ro_stick(bdev);

	if (flags)
		bpf_map_update_elem(&ro_devs, &udev, &flags, BPF_ANY);
	return 0;
}

/* A filesystem on a read-only stick's block device, s_dev its device: 0 if not one. */
static __u64 ro_sb(struct super_block *sb)
{
	__u8 *flags;
	__u64 dev;

	if (!BPF_CORE_READ(sb, s_bdev))
		return 0;
	dev = user_dev(BPF_CORE_READ(sb, s_dev));
	flags = bpf_map_lookup_elem(&ro_devs, &dev);
	return flags && (*flags & USB_DEV_RO) ? dev : 0;
}

/* EACCES, as the kernel answers for a write-protected disk: mount(8) then mounts it read-only. */
SEC("lsm/sb_kern_mount")
int BPF_PROG(ro_sb_kern_mount, struct super_block *sb)
{
	__u64 dev;

	if (BPF_CORE_READ(sb, s_flags) & SB_RDONLY)
		return 0;
	dev = ro_sb(sb);
	return dev ? refuse(USB_RO_MOUNT_RW, dev, 0, -EACCES) : 0;
}

/* The hook does not say what the remount asks for: none is let through. */
SEC("lsm/sb_remount")
int BPF_PROG(ro_sb_remount, struct super_block *sb, void *mnt_opts)
{
	__u64 dev = ro_sb(sb);

	return dev ? refuse(USB_RO_REMOUNT, dev, 0, -EACCES) : 0;
}
