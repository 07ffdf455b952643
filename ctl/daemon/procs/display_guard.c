// SPDX-License-Identifier: GPL-2.0
/* Loads the display guard (ebpf/display_guard.bpf.c) through its skeleton. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "display_guard.skel.h"
#include "ctl/daemon/procs/display_guard.h"
#include "ebpf/display_guard.h"

struct display_guard {
	struct display_guard_bpf *skel;
	struct bpf_link *links[5];	/* connect4, connect6, connect_unix; sends, receives */
};

/*
 * The root of the cgroup v2 hierarchy, as a descriptor of a mount that
 * is attached nowhere: whatever the machine mounts where, or does not.
 */
static int cgroup2_root(void)
{
	int fs = fsopen("cgroup2", FSOPEN_CLOEXEC), mnt;

	if (fs < 0)
		return -1;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		close(fs);
		return -1;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	close(fs);
	return mnt;
}

/*
 * Is crmguardd in the machine's first cgroup namespace, whose number the
 * kernel fixes (PROC_CGROUP_INIT_INO, include/linux/proc_ns.h)?
 */
static bool first_cgroup_ns(void)
{
	struct stat st;

	return !stat("/proc/self/ns/cgroup", &st) && st.st_ino == 0xEFFFFFFBU;
}

struct display_guard *display_guard_open(int display_fd, int events_fd, int tracked_fd,
					 char *err, size_t errlen)
{
	struct display_guard *g = calloc(1, sizeof(*g));
	struct bpf_program *progs[3];
	int ret = -ENOMEM, cg = -1;
	size_t i;

	if (!g)
		goto fail;
	g->skel = display_guard_bpf__open();
	ret = g->skel ? 0 : -errno;
	if (ret)
		goto fail;
	progs[0] = g->skel->progs.display_connect4;
	progs[1] = g->skel->progs.display_connect6;
	progs[2] = g->skel->progs.display_connect_unix;
	/* the sensor keeps the maps: one map of tainted processes, one stream of records */
	ret = bpf_map__reuse_fd(g->skel->maps.display, display_fd) ?:
	      bpf_map__reuse_fd(g->skel->maps.events, events_fd) ?:
	      bpf_map__reuse_fd(g->skel->maps.tracked, tracked_fd) ?:
	      bpf_program__set_expected_attach_type(progs[2], DISPLAY_GUARD_UNIX_CONNECT) ?:
	      display_guard_bpf__load(g->skel);
	if (ret)
		goto fail;
	/* in a cgroup namespace of its own, its root would be a part of the machine only */
	if (!first_cgroup_ns()) {
		snprintf(err, errlen, "the display guard cannot run in a cgroup namespace of its own: "
			 "its programs would see part of the machine only");
		display_guard_close(g);
		return NULL;
	}
	cg = cgroup2_root();
	if (cg < 0) {
		ret = -errno;
		goto fail;
	}
	for (i = 0; i < 3; i++) {
		g->links[i] = bpf_program__attach_cgroup(progs[i], cg);
		if (!g->links[i]) {
			ret = -errno;
			goto fail;
		}
	}
	g->links[3] = bpf_program__attach(g->skel->progs.display_send);
	g->links[4] = g->links[3] ? bpf_program__attach(g->skel->progs.display_recv) : NULL;
	if (!g->links[4]) {
		ret = -errno;
		goto fail;
	}
	close(cg);
	return g;
fail:
	snprintf(err, errlen, "the display guard (cgroup connect programs, unix sockets' from "
		 "Linux 6.7) cannot run here: %s", strerror(-ret));
	if (cg >= 0)
		close(cg);
	display_guard_close(g);
	return NULL;
}

void display_guard_close(struct display_guard *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < 5; i++)
		bpf_link__destroy(g->links[i]);
	display_guard_bpf__destroy(g->skel);
	free(g);
}

__u64 display_guard_dropped(const struct display_guard *g)
{
	return g ? __atomic_load_n(&g->skel->bss->dropped, __ATOMIC_RELAXED) : 0;
}
