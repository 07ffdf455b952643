// SPDX-License-Identifier: GPL-2.0
/* Mount records from the mount sensor: see mounts.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include "ctl/daemon/fields.h"
#include "ctl/daemon/usb/blockdev.h"
#include "ctl/daemon/usb/mounts.h"
#include "ctl/lib/usbdev.h"
#include "ebpf/mount.h"
#include "mount.skel.h"

#define TRACEFS "/sys/kernel/tracing"
#define FIELD_MAX 512

/* One mount of a block device, as /proc/self/mountinfo shows it. */
struct mnt {
	int id;
	dev_t dev;
	char target[FIELD_MAX], fstype[64], source[FIELD_MAX];
	bool ro;
};

struct mounts {
	struct mount_bpf *skel;
	struct ring_buffer *rb;
	usb_emit_fn emit;
	struct sink *sink;
	struct mnt *v;		/* the mount table after the last call seen */
	size_t n;
	unsigned long long dropped;	/* reported so far */
	bool on;		/* attached: the policy speaks of USB (mounts_want) */
};

/* A mountinfo field in place: ends it, decodes the kernel's \ooo escapes; the next one. */
static char *field(char *s, char **out)
{
	char *o = s, *r = s;

	*out = s;
	while (*r && *r != ' ') {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*o++ = (r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0');
			r += 4;
		} else {
			*o++ = *r++;
		}
	}
	if (*r)
		r++;
	*o = 0;
	return r;
}

/*
 * "36 35 98:0 /root /mnt rw,noatime shared:1 - vfat /dev/sdb rw,..." into
 * m; false if the line is not one, or not a block device's.
 */
static bool parse_line(char *line, struct mnt *m)
{
	char *f[6], *s = line, *opt;
	unsigned int maj, min;
	int i;

	for (i = 0; i < 6; i++)
		s = field(s, &f[i]);
	if (sscanf(f[0], "%d", &m->id) != 1 || sscanf(f[2], "%u:%u", &maj, &min) != 2 || !maj)
		return false;
	m->dev = makedev(maj, min);
	snprintf(m->target, sizeof(m->target), "%s", f[4]);
	m->ro = !strncmp(f[5], "ro", 2) && (!f[5][2] || f[5][2] == ',');
	do	/* the optional fields, up to "-" */
		s = field(s, &opt);
	while (*opt && strcmp(opt, "-"));
	s = field(s, &opt);
	snprintf(m->fstype, sizeof(m->fstype), "%s", opt);
	field(s, &opt);
	snprintf(m->source, sizeof(m->source), "%s", opt);
	return true;
}

/* The block-device mounts of crmguardd's mount namespace. */
static int load_table(struct mnt **out, size_t *n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0, len = 0;
	struct mnt m, *v = NULL, *grown;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = 0;
		if (!parse_line(line, &m))
			continue;
		grown = realloc(v, (len + 1) * sizeof(*v));
		if (!grown)
			break;
		v = grown;
		v[len++] = m;
	}
	free(line);
	fclose(f);
	*out = v;
	*n = len;
	return 0;
}

static const struct mnt *find(const struct mnt *v, size_t n, int id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].id == id)
			return &v[i];
	return NULL;
}

static void emit_mount(struct mounts *m, const char *event, const char *action,
		       const struct mnt *t, const struct mount_event *e)
{
	struct record r;

	record_init(&r, event);
	record_str(&r, "action", action);
	record_str(&r, "target", t->target);
	record_str(&r, "fstype", t->fstype);
	record_str(&r, "source", t->source);
	blockdev_put(&r, t->dev);
	record_str(&r, "options", t->ro ? "ro" : "rw");
	put_caller(&r, &e->who);
	m->emit(m->sink, LOG_LVL_NOTICE, &r);
}

/* A call that failed: what was asked, when it names a device node. */
static void emit_failed(struct mounts *m, const struct mount_event *e)
{
	struct record r;
	struct stat st;

	if (e->call != MOUNT_CALL_MOUNT || strncmp(e->source, "/dev/", 5))
		return;
	record_init(&r, "mount");
	record_str(&r, "action", (e->flags & MS_REMOUNT) ? "remount" : "mount");
	record_str(&r, "result", "error");
	record_str(&r, "error", strerrorname_np(-e->ret) ?: "unknown");
	record_str(&r, "target", e->target);
	record_str(&r, "fstype", e->fstype);
	record_str(&r, "source", e->source);
	if (!stat(e->source, &st) && S_ISBLK(st.st_mode))
		blockdev_put(&r, st.st_rdev);
	put_caller(&r, &e->who);
	m->emit(m->sink, LOG_LVL_WARNING, &r);
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct mount_event *e = data;
	struct mounts *m = ctx;
	struct mnt *now;
	const struct mnt *was;
	size_t n, i;

	if (len < sizeof(*e))
		return 0;
	if (e->ret) {
		emit_failed(m, e);
		return 0;
	}
	if (load_table(&now, &n))
		return 0;
	for (i = 0; i < n; i++) {
		was = find(m->v, m->n, now[i].id);
		if (!was)
			emit_mount(m, "mount", e->call == MOUNT_CALL_MOVE ? "move" : "mount", &now[i], e);
		else if (was->ro != now[i].ro)
			emit_mount(m, "mount", "remount", &now[i], e);
	}
	for (i = 0; i < m->n; i++)
		if (!find(now, n, m->v[i].id))
			emit_mount(m, "umount", "umount", &m->v[i], e);
	free(m->v);
	m->v = now;
	m->n = n;
	return 0;
}

/* libbpf attaches syscall tracepoints through tracefs: mount it where nobody has. */
static void need_tracefs(void)
{
	if (access(TRACEFS "/events", F_OK) && access("/sys/kernel/debug/tracing/events", F_OK))
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
}

int mounts_open(struct mounts **out, usb_emit_fn emit, struct sink *sink, char *err, size_t errlen)
{
	struct mounts *m;
	int ret;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->emit = emit;
	m->sink = sink;
	need_tracefs();
	m->skel = mount_bpf__open_and_load();
	ret = m->skel ? 0 : -errno;
	if (!ret) {
		m->rb = ring_buffer__new(bpf_map__fd(m->skel->maps.mount_events), on_event, m, NULL);
		ret = m->rb ? 0 : -errno;
	}
	if (!ret)
		ret = load_table(&m->v, &m->n);
	if (ret) {
		snprintf(err, errlen, "mount records: the kernel refused the mount sensor (%s); "
			 "run with -v for libbpf's log", strerror(-ret));
		mounts_close(m);
		return ret;
	}
	*out = m;
	return 0;
}

/*
 * Attached only while the policy speaks of USB: a syscall tracepoint puts
 * every system call of the machine on the kernel's slow path, a cost that
 * is paid for the USB channel only (docs/BENCHMARKS.md). The table is read
 * again at attach, so that what changed meanwhile is not taken for news.
 */
int mounts_want(struct mounts *m, bool on, char *err, size_t errlen)
{
	struct mnt *v;
	size_t n;
	int ret;

	if (!m || on == m->on)
		return 0;
	if (!on) {
		mount_bpf__detach(m->skel);
		m->on = false;
		return 0;
	}
	ret = mount_bpf__attach(m->skel);
	if (!ret && !(ret = load_table(&v, &n))) {
		free(m->v);
		m->v = v;
		m->n = n;
	}
	if (ret) {
		mount_bpf__detach(m->skel);
		snprintf(err, errlen, "mount records: the kernel refused the mount sensor's "
			 "tracepoints (%s); run with -v for libbpf's log", strerror(-ret));
		return ret;
	}
	m->on = true;
	return 0;
}

int mounts_fd(const struct mounts *m)
{
	return m ? ring_buffer__epoll_fd(m->rb) : -1;
}

void mounts_read_events(struct mounts *m)
{
	__u32 zero = 0;
	__u64 dropped = 0;
	struct record r;

	ring_buffer__consume(m->rb);
	if (bpf_map__lookup_elem(m->skel->maps.dropped, &zero, sizeof(zero), &dropped,
				 sizeof(dropped), 0) || dropped == m->dropped)
		return;
	record_init(&r, "lost");
	record_str(&r, "source", "mount");
	record_u64(&r, "count", dropped - m->dropped);
	record_u64(&r, "total", dropped);
	m->emit(m->sink, LOG_LVL_WARNING, &r);
	m->dropped = dropped;
}

const char *mounts_status(const struct mounts *m, char *buf, size_t len)
{
	if (!m)
		snprintf(buf, len, "not recorded: the mount sensor did not load (see the start's error record)");
	else if (!m->on)
		snprintf(buf, len, "not recorded: the policy has no usb line (the mount sensor's "
			 "tracepoints would slow every system call)");
	else
		snprintf(buf, len, "recorded by a BPF sensor (syscall tracepoints on mount, umount2, "
			 "move_mount); %zu block-device mounts now", m->n);
	return buf;
}

void mounts_close(struct mounts *m)
{
	if (!m)
		return;
	ring_buffer__free(m->rb);
	mount_bpf__destroy(m->skel);
	free(m->v);
	free(m);
}
