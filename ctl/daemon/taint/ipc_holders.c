// SPDX-License-Identifier: GPL-2.0
/* Every process's descriptors of some channels, through ebpf/holders.bpf.c (ipc.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ctl/daemon/taint/ipc.h"
#include "ebpf/holders.h"
#include "holders.skel.h"

/* Loaded at the first question and kept: a question is then one pass of the iterator. */
static struct holders_bpf *skel;
static struct bpf_link *holders_link;

static int load(void)
{
	int ret;

	if (holders_link)
		return 0;
	skel = holders_bpf__open_and_load();
	if (!skel)
		return -errno;
	holders_link = bpf_program__attach_iter(skel->progs.holders, NULL);
	if (holders_link)
		return 0;
	ret = -errno;
	holders_bpf__destroy(skel);
	skel = NULL;
	return ret;
}

static struct holders_key key_of(const struct ipc_end *e)
{
	struct holders_key k = { .dev = e->dev, .ino = e->ino, .kind = e->kind };

	return k;
}

/* Appends the records of one read of the iterator to *out; 0 or -errno. */
static int collect(int it, struct ipc_holder **out, size_t *n)
{
	struct holders_rec r[64];
	struct ipc_holder *grown, *h;
	ssize_t len;
	size_t i;

	while ((len = read(it, r, sizeof(r))) > 0) {
		grown = realloc(*out, (*n + len / sizeof(r[0])) * sizeof(**out));
		if (!grown)
			return -ENOMEM;
		*out = grown;
		for (i = 0; i < len / sizeof(r[0]); i++) {
			h = &(*out)[(*n)++];
			h->pid = r[i].tgid;
			h->end.kind = r[i].key.kind;
			h->end.dev = r[i].key.dev;
			h->end.ino = r[i].key.ino;
			/* a socket carries both ways, as ipc_ends() has it */
			h->end.reads = r[i].reads || h->end.kind == IPC_SOCKET;
			h->end.writes = r[i].writes || h->end.kind == IPC_SOCKET;
		}
	}
	return len < 0 ? -errno : 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct ipc_holder *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* One pass of the iterator over wanted[0..n), n <= HOLDERS_MAX_WANTED; 0 or -errno. */
static int pass(const struct ipc_end *wanted, size_t n, struct ipc_holder **out, size_t *got)
{
	struct holders_key k;
	__u32 one = 1;
	int ret = 0, it;
	size_t i;

	for (i = 0; !ret && i < n; i++) {
		k = key_of(&wanted[i]);
		ret = bpf_map__update_elem(skel->maps.wanted, &k, sizeof(k), &one, sizeof(one), BPF_ANY);
	}
	it = ret ? -1 : bpf_iter_create(bpf_link__fd(holders_link));
	if (!ret && it < 0)
		ret = -errno;
	if (it >= 0) {
		ret = collect(it, out, got);
		close(it);
	}
	/* the next pass asks about its own channels only */
	for (i = 0; i < n; i++) {
		k = key_of(&wanted[i]);
		bpf_map__delete_elem(skel->maps.wanted, &k, sizeof(k), 0);
	}
	return ret;
}

ssize_t ipc_holders(const struct ipc_end *wanted, size_t n, struct ipc_holder **out)
{
	size_t off, got = 0;
	int ret;

	*out = NULL;
	ret = load();
	for (off = 0; !ret && off < n; off += HOLDERS_MAX_WANTED)
		ret = pass(wanted + off, n - off < HOLDERS_MAX_WANTED ? n - off : HOLDERS_MAX_WANTED,
			   out, &got);
	if (ret) {
		free(*out);
		*out = NULL;
		return ret;
	}
	/* each pass comes in pid order; more than one, merged */
	if (n > HOLDERS_MAX_WANTED)
		qsort(*out, got, sizeof(**out), by_pid);
	return got;
}
