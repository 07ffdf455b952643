// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "ctl/lib/kident.h"

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

static int cmp_id(const void *a, const void *b)
{
	const struct kmount *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* A whole decimal number, no sign, no more than max. */
static bool number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*end && !errno && *out <= max;
}

/*
 * "ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE
 * SOURCE SUPEROPTIONS" (proc(5)); spaces within a field are written \040.
 * line is cut into its fields.
 */
static const char *parse_line(char *line, struct kmount *m)
{
	char *field[64], *f, *save, *colon;
	unsigned long id, major, minor;
	int n = 0, dash;

	for (f = strtok_r(line, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		if (n == (int)(sizeof(field) / sizeof(field[0])))
			return "too many fields";
		field[n++] = f;
	}
	for (dash = 6; dash < n && strcmp(field[dash], "-"); dash++)
		;
	if (n < 6 || dash + 1 >= n)
		return "no \"- FSTYPE\" after the first six fields";
	if (!number(field[0], 0x7fffffff, &id))
		return "the mount id is not a number";
	colon = strchr(field[2], ':');
	if (!colon)
		return "no MAJOR:MINOR in the third field";
	*colon = 0;
	/* the kernel's dev_t: 12-bit major, 20-bit minor */
	if (!number(field[2], 0xfff, &major) || !number(colon + 1, 0xfffff, &minor))
		return "MAJOR:MINOR is not two numbers a device can have";
	m->id = id;
	m->dev = makedev(major, minor);
	m->btrfs = !strcmp(field[dash + 1], "btrfs");
	return NULL;
}

int kmounts_parse(struct kmounts *m, const char *text, char *err, size_t errlen)
{
	char *copy = strdup(text), *line, *next;
	struct kmounts t = { 0 };
	struct kmount *grown;
	const char *why;
	size_t cap = 0, i;
	int lineno = 0, ret = -ENOMEM;

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	for (line = copy; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? (*next = 0, next + 1) : line + strlen(line);
		lineno++;
		if (t.n == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(t.v, cap * sizeof(*grown));
			if (!grown) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			t.v = grown;
		}
		why = parse_line(line, &t.v[t.n]);
		if (why) {
			snprintf(err, errlen, "line %d: %s", lineno, why);
			ret = -EINVAL;
			goto out;
		}
		t.n++;
	}
	if (t.n)
		qsort(t.v, t.n, sizeof(*t.v), cmp_id);
	for (i = 1; i < t.n; i++) {
		if (t.v[i].id == t.v[i - 1].id) {
			snprintf(err, errlen, "mount id %d is there twice", t.v[i].id);
			ret = -EINVAL;
			goto out;
		}
	}
	kmounts_free(m);
	*m = t;
	t.v = NULL;
	ret = 0;
out:
	free(t.v);
	free(copy);
	return ret;
}

int kmounts_load(struct kmounts *m, char *err, size_t errlen)
{
	static const char path[] = "/proc/self/mountinfo";
	char *text = NULL, *grown, why[256];
	size_t len = 0, cap = 0;
	ssize_t n = 1;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s (is /proc mounted?)", path, strerror(errno));
		return ret;
	}
	while (n > 0) {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 16384;
			grown = realloc(text, cap);
			if (!grown) {
				n = -1;
				errno = ENOMEM;
				break;
			}
			text = grown;
		}
		n = read(fd, text + len, cap - len - 1);
		if (n > 0)
			len += n;
	}
	if (n < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	} else {
		text[len] = 0;
		ret = kmounts_parse(m, text, why, sizeof(why));
		if (ret)
			snprintf(err, errlen, "%s: %s", path, why);
	}
	close(fd);
	free(text);
	return ret;
}

void kmounts_free(struct kmounts *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

const struct kmount *kmounts_find(const struct kmounts *m, int id)
{
	struct kmount key = { .id = id };

	return m->n ? bsearch(&key, m->v, m->n, sizeof(*m->v), cmp_id) : NULL;
}

int kmounts_add(struct kmounts *m, const struct kmount *k)
{
	struct kmount *grown;
	size_t i;

	if (kmounts_find(m, k->id))
		return 0;
	grown = realloc(m->v, (m->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	m->v = grown;
	for (i = m->n; i > 0 && m->v[i - 1].id > k->id; i--)
		m->v[i] = m->v[i - 1];
	m->v[i] = *k;
	m->n++;
	return 0;
}

dev_t kident_dev(const struct kmount *m, dev_t st_dev)
{
	return m->btrfs ? st_dev : m->dev;
}

/* Before Linux 5.8 statx() has no mount id; a descriptor's fdinfo has it (3.15). */
static int mount_id_of_fd(int fd)
{
	char path[64], buf[1024], *s;
	ssize_t n;
	int info, id;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info = open(path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return -errno;
	n = read(info, buf, sizeof(buf) - 1);
	close(info);
	if (n < 0)
		return -EIO;
	buf[n] = 0;
	s = strstr(buf, "\nmnt_id:");
	return s && sscanf(s + 8, "%d", &id) == 1 && id >= 0 ? id : -ENOTSUP;
}

int kident_mount_id(int dirfd, const char *name, int flags)
{
	struct statx stx;
	int fd, id;

	if (statx(dirfd, name, flags | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx))
		return -errno;
	if (stx.stx_mask & STATX_MNT_ID)
		return (int)stx.stx_mnt_id;
	if ((flags & AT_EMPTY_PATH) && !*name)
		return mount_id_of_fd(dirfd);
	fd = openat(dirfd, name, O_PATH | O_CLOEXEC | (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd < 0)
		return -errno;
	id = mount_id_of_fd(fd);
	close(fd);
	return id;
}
