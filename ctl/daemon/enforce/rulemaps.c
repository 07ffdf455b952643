// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ctl/daemon/enforce/rulemaps.h"

static uint32_t count_keys(const struct bpf_map *map)
{
	char key[64], next[64];
	uint32_t n = 0;
	void *prev = NULL;

	while (bpf_map__get_next_key(map, prev, next, bpf_map__key_size(map)) == 0) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	return n;
}

static int cmp_inode_key(const void *a, const void *b)
{
	const struct enforce_inode_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int cmp_user_key(const void *a, const void *b)
{
	const struct enforce_user_key *x = a, *y = b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return x->kind < y->kind ? -1 : x->kind > y->kind;
}

/* The keys a replace puts in one map: sorted, then looked up while pruning. */
struct keyset {
	struct bpf_map *map;
	void *keys;
	size_t n;
	int (*cmp)(const void *, const void *);
};

static int put_rule(const struct kernel_rule *r, struct keyset *inodes, struct keyset *exes,
		    struct keyset *users, char *err, size_t errlen)
{
	struct enforce_inode_key ikey = { r->dev, r->ino };
	struct enforce_inode ival = { r->flags, r->id };
	struct enforce_user_key ukey = { r->uid, r->user_kind };
	const void *key, *val;
	struct keyset *set;
	size_t len;

	switch (r->type) {
	case CRMGUARD_RULE_INODE:
		if (r->flags & ~(CRMGUARD_F_AUDIT | CRMGUARD_F_DIR))
			goto bad;
		set = inodes, key = &ikey, val = &ival, len = sizeof(ival);
		break;
	case CRMGUARD_RULE_EXE:
		set = exes, key = &ikey, val = &r->id, len = sizeof(r->id);
		break;
	case CRMGUARD_RULE_USER:
		if (r->user_kind < CRMGUARD_USER_ALLOW || r->user_kind > CRMGUARD_USER_REVOKE_AUDIT)
			goto bad;
		set = users, key = &ukey, val = &r->id, len = sizeof(r->id);
		break;
	default:
		goto bad;
	}
	if (bpf_map__update_elem(set->map, key, bpf_map__key_size(set->map), val, len, BPF_ANY)) {
		snprintf(err, errlen, "rule %u: %s: %s%s", r->id, bpf_map__name(set->map), strerror(errno),
			 errno == E2BIG ? " (the map is full: too many rules for the BPF maps)" : "");
		return -errno;
	}
	memcpy((char *)set->keys + set->n++ * bpf_map__key_size(set->map), key,
	       bpf_map__key_size(set->map));
	return 0;
bad:
	snprintf(err, errlen, "rule %u: type %u, user kind %u, flags %#x: not a rule of crmguard.h",
		 r->id, r->type, r->user_kind, r->flags);
	return -EINVAL;
}

/* Deletes what is in set->map but not in set->keys; counts what stays. */
static int prune(struct keyset *set, uint32_t *kept, char *err, size_t errlen)
{
	size_t ksize = bpf_map__key_size(set->map), nstale = 0, cap = 0, i;
	char key[64], next[64], *stale = NULL, *grown;
	void *prev = NULL;
	int ret = 0;

	qsort(set->keys, set->n, ksize, set->cmp);
	while (bpf_map__get_next_key(set->map, prev, next, ksize) == 0) {
		if (bsearch(next, set->keys, set->n, ksize, set->cmp)) {
			(*kept)++;
		} else {
			if (nstale == cap) {
				cap = cap ? 2 * cap : 64;
				grown = realloc(stale, cap * ksize);
				if (!grown) {
					ret = -ENOMEM;
					goto out;
				}
				stale = grown;
			}
			memcpy(stale + nstale++ * ksize, next, ksize);
		}
		memcpy(key, next, ksize);
		prev = key;
	}
	for (i = 0; i < nstale; i++)
		if (bpf_map__delete_elem(set->map, stale + i * ksize, ksize, 0) && errno != ENOENT) {
			ret = -errno;
			break;
		}
out:
	if (ret)
		snprintf(err, errlen, "removing old rules from %s: %s", bpf_map__name(set->map),
			 strerror(-ret));
	free(stale);
	return ret;
}

int rulemaps_replace(const struct rulemaps *m, const struct enforce_config *c,
		     const struct kernel_rule *rules, size_t n, bool locked, char *err, size_t errlen)
{
	struct keyset sets[] = {
		{ m->inodes, NULL, 0, cmp_inode_key },
		{ m->exes, NULL, 0, cmp_inode_key },
		{ m->users, NULL, 0, cmp_user_key },
	};
	uint32_t zero = 0, kept = 0;
	size_t i;
	int ret = 0;

	if (c->mode != CRMGUARD_MODE_AUDIT && c->mode != CRMGUARD_MODE_ENFORCE) {
		snprintf(err, errlen, "mode %u is neither audit nor enforce", c->mode);
		return -EINVAL;
	}
	for (i = 0; i < 3; i++) {
		sets[i].keys = calloc(n ? n : 1, bpf_map__key_size(sets[i].map));
		if (!sets[i].keys) {
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
			goto out;
		}
	}
	/* In reverse, so that of two rules on one key the first stays. */
	for (i = n; i-- > 0;) {
		if (locked && rules[i].type != CRMGUARD_RULE_INODE)
			continue;
		ret = put_rule(&rules[i], &sets[0], &sets[1], &sets[2], err, errlen);
		if (ret)
			goto out;
	}
	if (bpf_map__update_elem(m->config, &zero, sizeof(zero), c, sizeof(*c), BPF_ANY)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", bpf_map__name(m->config), strerror(errno));
		goto out;
	}
	for (i = 0; i < 3 && !ret && !locked; i++)
		ret = prune(&sets[i], &kept, err, errlen);
out:
	for (i = 0; i < 3; i++)
		free(sets[i].keys);
	return ret;
}

uint32_t rulemaps_count(const struct rulemaps *m)
{
	return count_keys(m->inodes) + count_keys(m->exes) + count_keys(m->users);
}

/*
 * Whether the kernel describes btrfs's inodes (its BTF, in vmlinux or in
 * the loaded module): the programs find an inode's subvolume through it
 * (ebpf/inode_dev.bpf.h). Asked before they are loaded, so that a btrfs
 * module loaded meanwhile is said to be missing, never the other way.
 */
bool rulemaps_btrfs_described(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf(), *mod;
	bool found;

	if (!vmlinux)
		return false;
	found = btf__find_by_name_kind(vmlinux, "btrfs_inode", BTF_KIND_STRUCT) >= 0;
	if (!found && (mod = btf__load_module_btf("btrfs", vmlinux))) {
		found = btf__find_by_name_kind(mod, "btrfs_inode", BTF_KIND_STRUCT) >= 0;
		btf__free(mod);
	}
	btf__free(vmlinux);
	return found;
}
