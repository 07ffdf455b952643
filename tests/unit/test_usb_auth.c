// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/daemon/usb/usb.c against a made-up sysfs tree (a
 * folder of devices with the attribute files the kernel has): which
 * interfaces get authorized or taken back, the root hubs' default, the
 * records (read back with an independent parser), a hostile serial, a
 * driver that takes a held interface, removal, mode audit, and a policy
 * without usb lines touching nothing. The kernel side of the same is
 * tested in the VM tier (tests/vm/guest/usb_*.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ctl/daemon/usb/usb.h"
#include "assert.h"
#include "recparse.h"

static char root[256];
static char records[16][RECORD_MAX];
static int nrecords;

static void catch_record(struct sink *sink, enum log_level level, struct record *r)
{
	if (nrecords < 16)
		snprintf(records[nrecords++], RECORD_MAX, "%s", record_line(r));
}

static void put(const char *dev, const char *attr, const char *val, size_t n)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/devices/%s", root, dev);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/devices/%s/%s", root, dev, attr);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, val, n) != (ssize_t)n)
		abort();
	close(fd);
}

#define PUT(dev, attr, lit) put(dev, attr, lit, sizeof(lit) - 1)

static const char *get(const char *dev, const char *attr)
{
	static char val[64];
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/devices/%s/%s", root, dev, attr);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, val, sizeof(val) - 1);
	if (fd >= 0)
		close(fd);
	val[n > 0 ? n : 0] = 0;
	val[strcspn(val, "\n")] = 0;
	return val;
}

/*
 * usb1: a root hub. 1-1: the allowed stick (held now, as when it came
 * while crmguardd was down). 1-2: a stick of the same model with another
 * serial, authorized (there before crmguardd started). 1-3: a keyboard,
 * held by the root hub's default.
 */
static void make_tree(void)
{
	char path[512];

	snprintf(root, sizeof(root), "%s/crmguard-test_usb.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(root))
		abort();
	snprintf(path, sizeof(path), "%s/devices", root);
	mkdir(path, 0755);
	PUT("usb1", "interface_authorized_default", "1\n");
	PUT("1-1", "idVendor", "46f4\n");
	PUT("1-1", "idProduct", "0001\n");
	PUT("1-1", "serial", "GOOD\n");
	PUT("1-1", "product", "QEMU USB HARDDRIVE\n");
	PUT("1-1:1.0", "bInterfaceClass", "08\n");
	PUT("1-1:1.0", "authorized", "0\n");
	PUT("1-2", "idVendor", "46f4\n");
	PUT("1-2", "idProduct", "0001\n");
	PUT("1-2", "serial", "OTHER\n");
	PUT("1-2:1.0", "bInterfaceClass", "08\n");
	PUT("1-2:1.0", "authorized", "1\n");
	PUT("1-3", "idVendor", "0627\n");
	PUT("1-3", "idProduct", "0001\n");
	PUT("1-3:1.0", "bInterfaceClass", "03\n");
	PUT("1-3:1.0", "authorized", "0\n");
	/* 1-4: left unauthorized as a whole (usbcore.authorized_default=0) */
	PUT("1-4", "idVendor", "46f4\n");
	PUT("1-4", "authorized", "0\n");
	snprintf(path, sizeof(path), "%s/drivers_probe", root);
	close(open(path, O_WRONLY | O_CREAT, 0644));
}

static void remove_tree(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		printf("could not remove %s\n", root);
}

static int load(struct policy *p, const char *text)
{
	char err[POLICY_ERR_MAX];

	memset(p, 0, sizeof(*p));
	return policy_parse(p, "pol.conf", text, strlen(text), err, sizeof(err));
}

/* The value of key in record i, "" if it has none; NULL if the record does not parse. */
static const char *val(int i, const char *key)
{
	static struct recfield f[32];
	const char *why;
	int n, k;

	n = recparse(records[i], strlen(records[i]), f, 32, &why);
	if (n < 0)
		return NULL;
	for (k = 0; k < n; k++)
		if (!strcmp(f[k].key, key))
			return f[k].val;
	return "";
}

static struct usb *start(const struct policy *p)
{
	char err[256];
	char devices[300];
	struct usb *u;

	nrecords = 0;
	snprintf(devices, sizeof(devices), "%s/devices", root);
	if (usb_open(&u, devices, false, catch_record, NULL, err, sizeof(err)))
		return NULL;
	usb_apply(u, p);
	return u;
}

static void usb_enforce_holds_blocked_authorizes_rest(void)
{
	struct policy p;
	struct usb *u;
	char status[512];

	make_tree();
	ASSERT_EQ(load(&p, "mode enforce\nusb default block\nusb allow 46f4:0001 serial GOOD\n"), 0);
	u = start(&p);
	ASSERT_TRUE(u != NULL);
	ASSERT_STREQ(get("usb1", "interface_authorized_default"), "0");
	ASSERT_STREQ(get("1-1:1.0", "authorized"), "1");
	ASSERT_STREQ(get("1-2:1.0", "authorized"), "0");
	ASSERT_STREQ(get("1-3:1.0", "authorized"), "1");	/* the keyboard */
	ASSERT_STREQ(get("1-4", "authorized"), "1");	/* its interfaces come, and are decided */
	ASSERT_EQ(nrecords, 2);
	for (int i = 0; i < 2; i++) {
		bool good = !strcmp(val(i, "serial"), "GOOD");

		ASSERT_STREQ(val(i, "event"), "usb");
		ASSERT_STREQ(val(i, "action"), "present");
		ASSERT_STREQ(val(i, "vendor"), "46f4");
		ASSERT_STREQ(val(i, "product"), "0001");
		ASSERT_STREQ(val(i, "class"), "08");
		ASSERT_STREQ(val(i, "verdict"), good ? "allow" : "deny");
		ASSERT_STREQ(val(i, "rule"), good ? "usb-allow:46f4:0001:GOOD" : "usb-default:block");
		ASSERT_STREQ(val(i, "device"), good ? "1-1:1.0" : "1-2:1.0");
	}
	ASSERT_CONTAINS(usb_mechanism(u, status, sizeof(status)),
			"held by the kernel's USB authorization: interface_authorized_default=0 on 1 root hub");
	ASSERT_CONTAINS(status, "2 mass-storage interfaces present, 1 held");
	/* a reload that changes nothing records nothing */
	usb_apply(u, &p);
	ASSERT_EQ(nrecords, 2);
	usb_close(u);
	policy_free(&p);
	remove_tree();
}

/* Someone writes 1 to a held interface's authorized; usb-storage takes it. */
static void usb_bind_of_held_interface_taken_back(void)
{
	static const char bind[] = "bind@/devices/pci0000:00/usb1/1-2/1-2:1.0\0ACTION=bind\0"
		"DEVPATH=/devices/pci0000:00/usb1/1-2/1-2:1.0\0SUBSYSTEM=usb\0DEVTYPE=usb_interface\0"
		"DRIVER=usb-storage\0PRODUCT=46f4/1/0\0INTERFACE=8/6/80\0";
	static const char rm[] = "remove@/devices/pci0000:00/usb1/1-2/1-2:1.0\0ACTION=remove\0"
		"DEVPATH=/devices/pci0000:00/usb1/1-2/1-2:1.0\0SUBSYSTEM=usb\0DEVTYPE=usb_interface\0"
		"PRODUCT=46f4/1/0\0INTERFACE=8/6/80\0";
	struct policy p;
	struct usb *u;

	make_tree();
	ASSERT_EQ(load(&p, "mode enforce\nusb allow 46f4:0001 serial GOOD\n"), 0);
	u = start(&p);
	ASSERT_TRUE(u != NULL);
	ASSERT_STREQ(get("1-2:1.0", "authorized"), "0");
	PUT("1-2:1.0", "authorized", "1\n");
	usb_on_uevent(u, bind, sizeof(bind) - 1);
	ASSERT_STREQ(get("1-2:1.0", "authorized"), "0");
	ASSERT_EQ(nrecords, 3);
	ASSERT_STREQ(val(2, "action"), "bind");
	ASSERT_STREQ(val(2, "verdict"), "deny");
	ASSERT_CONTAINS(val(2, "detail"), "taken back");
	/* the stick goes: a record with what was known of it */
	usb_on_uevent(u, rm, sizeof(rm) - 1);
	ASSERT_EQ(nrecords, 4);
	ASSERT_STREQ(val(3, "action"), "remove");
	ASSERT_STREQ(val(3, "serial"), "OTHER");
	/* a message that does not parse is no event */
	usb_on_uevent(u, "remove@/x\0ACTION=add\0", 21);
	ASSERT_EQ(nrecords, 4);
	usb_close(u);
	policy_free(&p);
	remove_tree();
}

/* A serial with a quote, a newline and a byte that is not UTF-8 forges no field. */
static void usb_hostile_serial_forges_nothing(void)
{
	static const char serial[] = "X\" verdict=allow rule=x\nevent=usb \xff\n";
	struct policy p;
	struct usb *u;
	int i, mine = -1;

	make_tree();
	put("1-2", "serial", serial, sizeof(serial) - 1);
	ASSERT_EQ(load(&p, "mode enforce\nusb default block\n"), 0);
	u = start(&p);
	ASSERT_TRUE(u != NULL);
	for (i = 0; i < nrecords; i++)
		if (!strcmp(val(i, "device") ?: "", "1-2:1.0"))
			mine = i;
	ASSERT_TRUE(mine >= 0);
	ASSERT_TRUE(!strchr(records[mine], '\n'));
	ASSERT_STREQ(val(mine, "verdict"), "deny");
	/* the serial as read, its last newline gone, whole in one field */
	ASSERT_STREQ(val(mine, "serial"), "X\" verdict=allow rule=x\nevent=usb \xff");
	ASSERT_STREQ(get("1-2:1.0", "authorized"), "0");
	usb_close(u);
	policy_free(&p);
	remove_tree();
}

static void usb_audit_holds_nothing(void)
{
	struct policy p;
	struct usb *u;
	char status[512];

	make_tree();
	ASSERT_EQ(load(&p, "mode audit\nusb default block\n"), 0);
	u = start(&p);
	ASSERT_TRUE(u != NULL);
	ASSERT_STREQ(get("usb1", "interface_authorized_default"), "1");
	ASSERT_STREQ(get("1-1:1.0", "authorized"), "1");
	ASSERT_STREQ(get("1-2:1.0", "authorized"), "1");
	ASSERT_EQ(nrecords, 2);
	ASSERT_STREQ(val(0, "verdict"), "audit");
	ASSERT_CONTAINS(usb_mechanism(u, status, sizeof(status)), "mode audit");
	usb_close(u);
	policy_free(&p);
	remove_tree();
}

/* No usb line: crmguard touches no USB attribute, and says so. */
static void usb_unmanaged_touches_nothing(void)
{
	struct policy p;
	struct usb *u;
	char status[512];

	make_tree();
	ASSERT_EQ(load(&p, "mode enforce\nprotect /crm\n"), 0);
	u = start(&p);
	ASSERT_TRUE(u != NULL);
	ASSERT_STREQ(get("usb1", "interface_authorized_default"), "1");
	ASSERT_STREQ(get("1-1:1.0", "authorized"), "0");
	ASSERT_STREQ(get("1-3:1.0", "authorized"), "0");
	ASSERT_STREQ(get("1-4", "authorized"), "0");
	ASSERT_EQ(nrecords, 0);
	ASSERT_CONTAINS(usb_mechanism(u, status, sizeof(status)), "not managed");
	usb_close(u);
	policy_free(&p);
	remove_tree();
}

/* The usb lines go on reload: what crmguardd held is given back. */
static void usb_lines_removed_release(void)
{
	struct policy p, q;
	struct usb *u;

	make_tree();
	ASSERT_EQ(load(&p, "mode enforce\nusb default block\n"), 0);
	ASSERT_EQ(load(&q, "mode enforce\n"), 0);
	u = start(&p);
	ASSERT_TRUE(u != NULL);
	ASSERT_STREQ(get("1-1:1.0", "authorized"), "0");
	usb_apply(u, &q);
	ASSERT_STREQ(get("usb1", "interface_authorized_default"), "1");
	ASSERT_STREQ(get("1-1:1.0", "authorized"), "1");
	ASSERT_STREQ(get("1-2:1.0", "authorized"), "1");
	usb_close(u);
	policy_free(&p);
	policy_free(&q);
	remove_tree();
}

/* Without the BPF LSM a readonly stick cannot be held read-only: it is held whole, and says why. */
static void usb_readonly_without_lsm_held_whole(void)
{
	struct policy p;
	struct usb *u;
	int found = 0;

	make_tree();
	ASSERT_EQ(load(&p, "mode enforce\nusb default block\nusb allow 46f4:0001 serial GOOD readonly\n"), 0);
	u = start(&p);
	ASSERT_TRUE(u != NULL);
	ASSERT_STREQ(get("1-1:1.0", "authorized"), "0");
	ASSERT_EQ(nrecords, 2);
	for (int i = 0; i < 2; i++) {
		if (strcmp(val(i, "serial"), "GOOD"))
			continue;
		found++;
		ASSERT_STREQ(val(i, "verdict"), "deny");
		ASSERT_STREQ(val(i, "policy_verdict"), "readonly");
		ASSERT_CONTAINS(val(i, "detail"), "held whole, as blocked");
		ASSERT_CONTAINS(val(i, "detail"), "without the BPF LSM");
	}
	ASSERT_EQ(found, 1);
	usb_close(u);
	policy_free(&p);
	remove_tree();
}

int main(void)
{
	RUN(usb_enforce_holds_blocked_authorizes_rest);
	RUN(usb_bind_of_held_interface_taken_back);
	RUN(usb_hostile_serial_forges_nothing);
	RUN(usb_audit_holds_nothing);
	RUN(usb_unmanaged_touches_nothing);
	RUN(usb_lines_removed_release);
	RUN(usb_readonly_without_lsm_held_whole);
	return test_failed != 0;
}
