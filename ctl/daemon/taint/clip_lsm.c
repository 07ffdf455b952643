// SPDX-License-Identifier: GPL-2.0
/* Clipboard refusals held by the BPF LSM: see clip_lsm.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ctl/daemon/enforce/bpf_lsm.h"
#include "ctl/daemon/enforce/lsm_lock.h"
#include "ctl/daemon/taint/clip_lsm.h"
#include "ebpf/enforce.h"
#include "clip_lsm.skel.h"

#define MAX_PROGS 8	/* clip_lsm.bpf.c's programs */

struct clip_lsm {
	struct clip_lsm_bpf *skel;
	struct bpf_link *links[MAX_PROGS];
	size_t nlinks;
	struct ring_buffer *rb;
	clip_lsm_fn cb;
	void *ctx;
};

static int on_record(void *ctx, void *data, size_t len)
{
	struct clip_lsm *c = ctx;

	if (len >= sizeof(struct clip_event))
		c->cb(c->ctx, data);
	return 0;
}

struct clip_lsm *clip_lsm_open(bool fail_open, clip_lsm_fn cb, void *ctx, char *why, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = ENFORCE_PIN_DIR);
	struct enforce_lock l;
	struct clip_lsm *c;
	int ret;

	if (bpf_lsm_active(why, len) || bpf_lsm_pin_dir(ENFORCE_PIN_DIR, why, len))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	c->cb = cb;
	c->ctx = ctx;
	c->skel = clip_lsm_bpf__open_opts(&opts);
	ret = c->skel ? clip_lsm_bpf__load(c->skel) : -errno;
	if (ret) {
		snprintf(why, len, "loading ebpf/clip_lsm.bpf.c: %s (maps of another version pinned in %s? "
			 "remove its clip_* and start again)", strerror(-ret), ENFORCE_PIN_DIR);
		goto fail;
	}
	/*
	 * Locked (a crmguardd that takes the lock over): the pinned links keep
	 * the locked programs in force over the maps this one now shares, as
	 * the enforcer's do (kbackend_lsm.c), and the lock lets no pin be
	 * renamed over or removed.
	 */
	if (!lsm_pins_locked(&l) &&
	    bpf_lsm_attach_all(c->skel->obj, ENFORCE_PIN_DIR, !fail_open, c->links, MAX_PROGS,
			       &c->nlinks, why, len))
		goto fail;
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.clip_events), on_record, c, NULL);
	if (!c->rb) {
		snprintf(why, len, "the clipboard programs' ring buffer: %s", strerror(errno));
		goto fail;
	}
	return c;
fail:
	clip_lsm_close(c);
	return NULL;
}

void clip_lsm_close(struct clip_lsm *c)
{
	size_t i;

	if (!c)
		return;
	/* a pinned link stays in force through its pin */
	for (i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	ring_buffer__free(c->rb);
	clip_lsm_bpf__destroy(c->skel);
	free(c);
}

int clip_lsm_fd(const struct clip_lsm *c)
{
	return ring_buffer__epoll_fd(c->rb);
}

void clip_lsm_read(struct clip_lsm *c)
{
	ring_buffer__consume(c->rb);
}

__u64 clip_lsm_lost(const struct clip_lsm *c)
{
	__u32 zero = 0;
	__u64 lost = 0;

	bpf_map__lookup_elem(c->skel->maps.clip_lost, &zero, sizeof(zero), &lost, sizeof(lost), 0);
	return lost;
}

int clip_lsm_taint(struct clip_lsm *c, pid_t pid)
{
	__u32 key = pid, one = 1;

	return bpf_map_update_elem(bpf_map__fd(c->skel->maps.clip_taint), &key, &one, BPF_ANY) ? -errno : 0;
}

static bool has(const struct clip_inode *v, size_t n, const struct clip_inode *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].dev == k->dev && v[i].ino == k->ino)
			return true;
	return false;
}

/* Makes map hold v[0..n): adds, then deletes the rest (the next key taken before). */
static int sync_set(struct bpf_map *map, const struct clip_inode *v, size_t n)
{
	int fd = bpf_map__fd(map), ret = 0;
	struct clip_inode key, next;
	__u32 one = 1;
	bool more;
	size_t i;

	for (i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, &v[i], &one, BPF_ANY))
			ret = -errno;
	for (more = !bpf_map_get_next_key(fd, NULL, &next); more;) {
		key = next;
		more = !bpf_map_get_next_key(fd, &key, &next);
		if (!has(v, n, &key))
			bpf_map_delete_elem(fd, &key);
	}
	return ret;
}

int clip_lsm_set(struct clip_lsm *c, __u32 mode, const struct clip_inode *tools, size_t ntools,
		 const struct clip_inode *allow, size_t nallow)
{
	__u32 zero = 0;
	int ret;

	/* the allowed first: a binary newly allowed is never refused for the change */
	ret = sync_set(c->skel->maps.clip_allow, allow, nallow);
	ret = sync_set(c->skel->maps.clip_tools, tools, ntools) ?: ret;
	if (bpf_map_update_elem(bpf_map__fd(c->skel->maps.clip_mode), &zero, &mode, BPF_ANY))
		ret = -errno;
	return ret;
}
