// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/kident.c: reading /proc/PID/mountinfo (optional
 * fields or none, escaped mount points, btrfs and overlay, big device
 * numbers, lines out of order, lines it must refuse: with their number,
 * and leaving the table it had), the kernel's device of a file on each,
 * adding a mount kept from an earlier table, and, on this machine, its own
 * mountinfo and the mount id of a file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include "ctl/lib/kident.h"
#include "assert.h"

/* As a 6.1 kernel writes it: btrfs on / with subvolumes, an overlay, a bind mount. */
static const char sample[] =
	"23 1 0:21 / / rw,relatime shared:1 - btrfs /dev/vda2 rw,space_cache=v2,subvolid=256,subvol=/root\n"
	"25 23 0:5 / /dev rw,nosuid shared:2 - devtmpfs devtmpfs rw,size=4096k\n"
	"61 23 0:21 /home /home rw,relatime shared:30 - btrfs /dev/vda2 rw,subvolid=257,subvol=/home\n"
	"102 23 0:48 / /var/lib/docker/overlay2/x/merged rw,relatime - overlay overlay "
	"rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
	"99 23 259:1048575 /srv/crm /mnt/CRM\\040data rw master:7 propagate_from:7 - ext4 /dev/nvme0n1p3 rw\n"
	"30 23 4095:3 / /big rw - xfs /dev/sdz1 rw\n";

static void parse_sample(void)
{
	char err[256] = "";
	struct kmounts m = { 0 };
	const struct kmount *k;

	ASSERT_EQ(kmounts_parse(&m, sample, err, sizeof(err)), 0);
	ASSERT_EQ(m.n, 6);
	k = kmounts_find(&m, 23);
	ASSERT_TRUE(k && k->dev == makedev(0, 21) && k->btrfs);
	k = kmounts_find(&m, 61);
	ASSERT_TRUE(k && k->dev == makedev(0, 21) && k->btrfs);
	k = kmounts_find(&m, 25);
	ASSERT_TRUE(k && k->dev == makedev(0, 5) && !k->btrfs);
	k = kmounts_find(&m, 102);
	ASSERT_TRUE(k && k->dev == makedev(0, 48) && !k->btrfs);
	/* optional fields, an escaped space, a minor past 8 bits */
	k = kmounts_find(&m, 99);
	ASSERT_TRUE(k && major(k->dev) == 259 && minor(k->dev) == 1048575);
	k = kmounts_find(&m, 30);
	ASSERT_TRUE(k && major(k->dev) == 4095 && minor(k->dev) == 3);
	ASSERT_TRUE(!kmounts_find(&m, 24) && !kmounts_find(&m, 0) && !kmounts_find(&m, 1000));
	kmounts_free(&m);
}

/* The kernel's device: the superblock's, but a btrfs subvolume's own (what stat() says). */
static void kernel_dev(void)
{
	struct kmount btrfs = { 23, makedev(0, 21), true }, overlay = { 102, makedev(0, 48), false };

	ASSERT_EQ(kident_dev(&btrfs, makedev(0, 33)), makedev(0, 33));
	ASSERT_EQ(kident_dev(&overlay, makedev(0, 49)), makedev(0, 48));
	ASSERT_EQ(kident_dev(&overlay, makedev(0, 48)), makedev(0, 48));
}

static void no_optional_fields_and_no_newline(void)
{
	char err[256] = "";
	struct kmounts m = { 0 };

	ASSERT_EQ(kmounts_parse(&m, "7 1 8:1 / / rw - ext4 /dev/sda1 rw", err, sizeof(err)), 0);
	ASSERT_TRUE(m.n == 1 && m.v[0].id == 7 && m.v[0].dev == makedev(8, 1) && !m.v[0].btrfs);
	/* an empty table is one: crmguardd then finds no mount and says which file */
	ASSERT_EQ(kmounts_parse(&m, "", err, sizeof(err)), 0);
	ASSERT_TRUE(m.n == 0 && !kmounts_find(&m, 7));
	kmounts_free(&m);
}

/* A "-" or "btrfs" in a mount point is not the separator or the type. */
static void separator_is_a_field_of_its_own(void)
{
	char err[256] = "";
	struct kmounts m = { 0 };

	ASSERT_EQ(kmounts_parse(&m, "8 1 8:2 / /a\\040-\\040btrfs rw shared:3 - ext4 /dev/sda2 rw\n"
				"9 1 8:3 /- /- rw - btrfs /dev/sda3 rw\n", err, sizeof(err)), 0);
	ASSERT_TRUE(m.n == 2 && !kmounts_find(&m, 8)->btrfs && kmounts_find(&m, 9)->btrfs);
	kmounts_free(&m);
}

/* Refused, with the line's number; the table it had stays. */
#define EXPECT_REFUSED(text, why) do { \
	char _err[256] = ""; \
	ASSERT_EQ(kmounts_parse(&m, text, _err, sizeof(_err)), -EINVAL); \
	ASSERT_CONTAINS(_err, why); \
	ASSERT_TRUE(m.n == 1 && m.v[0].id == 7); \
} while (0)

static void refused(void)
{
	char err[256] = "";
	struct kmounts m = { 0 };

	ASSERT_EQ(kmounts_parse(&m, "7 1 8:1 / / rw - ext4 /dev/sda1 rw\n", err, sizeof(err)), 0);
	EXPECT_REFUSED("7 1 8:1 / / rw - ext4 /dev/sda1 rw\n8 1 8:2 / /x rw ext4 /dev/sda2 rw\n",
		       "line 2: no \"- FSTYPE\"");
	EXPECT_REFUSED("8 1 8:2 / /x rw -\n", "line 1: no \"- FSTYPE\"");
	EXPECT_REFUSED("x8 1 8:2 / /x rw - ext4 /dev/sda2 rw\n", "line 1: the mount id");
	EXPECT_REFUSED("-8 1 8:2 / /x rw - ext4 /dev/sda2 rw\n", "the mount id");
	EXPECT_REFUSED("8 1 8.2 / /x rw - ext4 /dev/sda2 rw\n", "no MAJOR:MINOR");
	EXPECT_REFUSED("8 1 8:x / /x rw - ext4 /dev/sda2 rw\n", "MAJOR:MINOR is not");
	EXPECT_REFUSED("8 1 4096:0 / /x rw - ext4 /dev/sda2 rw\n", "MAJOR:MINOR is not");
	EXPECT_REFUSED("8 1 0:1048576 / /x rw - ext4 /dev/sda2 rw\n", "MAJOR:MINOR is not");
	EXPECT_REFUSED("8 1 8:2 / /x rw - ext4 /dev/sda2 rw\n\n", "line 2:");
	EXPECT_REFUSED("8 1 8:2 / /x rw - ext4 a\n8 1 8:3 / /y rw - ext4 b\n", "mount id 8 is there twice");
	kmounts_free(&m);
}

/* A mount the last table had: added in order, never over one of the same id. */
static void add_keeps_order(void)
{
	char err[256] = "";
	struct kmounts m = { 0 };
	struct kmount gone = { 50, makedev(0, 77), true }, again = { 23, makedev(0, 1), false };

	ASSERT_EQ(kmounts_parse(&m, sample, err, sizeof(err)), 0);
	ASSERT_EQ(kmounts_add(&m, &gone), 0);
	ASSERT_EQ(kmounts_add(&m, &again), 0);
	ASSERT_EQ(m.n, 7);
	for (size_t i = 1; i < m.n; i++)
		ASSERT_TRUE(m.v[i - 1].id < m.v[i].id);
	ASSERT_TRUE(kmounts_find(&m, 50) && kmounts_find(&m, 50)->dev == makedev(0, 77));
	ASSERT_TRUE(kmounts_find(&m, 23)->dev == makedev(0, 21));
	kmounts_free(&m);
	ASSERT_EQ(kmounts_add(&m, &gone), 0);
	ASSERT_TRUE(m.n == 1 && kmounts_find(&m, 50));
	kmounts_free(&m);
}

/* This process's own table, and the mount of a file in it. */
static void this_machine(void)
{
	char err[256] = "";
	struct kmounts m = { 0 };
	const struct kmount *k;
	struct stat st;
	int id, fd;

	ASSERT_EQ(kmounts_load(&m, err, sizeof(err)), 0);
	ASSERT_TRUE(m.n > 0);
	id = kident_mount_id(AT_FDCWD, "/proc/self/mountinfo", 0);
	ASSERT_TRUE(id >= 0);
	k = kmounts_find(&m, id);
	/* procfs: stat() says its superblock's device */
	ASSERT_TRUE(k && !stat("/proc/self/mountinfo", &st) && kident_dev(k, st.st_dev) == st.st_dev);
	fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(kident_mount_id(fd, "", AT_EMPTY_PATH), id);
	ASSERT_EQ(kident_mount_id(fd, "self", AT_SYMLINK_NOFOLLOW), id);
	ASSERT_EQ(kident_mount_id(fd, "no-such-file", 0), -ENOENT);
	close(fd);
	kmounts_free(&m);
}

int main(void)
{
	RUN(parse_sample);
	RUN(kernel_dev);
	RUN(no_optional_fields_and_no_newline);
	RUN(separator_is_a_field_of_its_own);
	RUN(refused);
	RUN(add_keeps_order);
	RUN(this_machine);
	return test_failed ? 1 : 0;
}
