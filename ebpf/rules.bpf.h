/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule model of kmod/uapi/crmguard.h in BPF maps, and ctl/lib/decide.c's
 * decide() on them: one layout and one logic for the programs that decide
 * in the kernel. enforce.bpf.c (the BPF LSM) pins the maps, so that the
 * rules outlive crmguardd; handover.bpf.c (the hand-over watch of the
 * fanotify backend) does not. crmguardd fills both alike
 * (ctl/daemon/enforce/rulemaps.c). Included after vmlinux.h, bpf_helpers.h,
 * bpf_core_read.h, crmguard.h, enforce.h and inode_dev.bpf.h, with
 * RULES_PINNING defined (empty, or a __uint(pinning, ...) line).
 */
#ifndef CRMGUARD_RULES_BPF_H
#define CRMGUARD_RULES_BPF_H

#include "kconst.bpf.h"

#define NO_RULE ((__u32)-1)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENFORCE_MAX_INODES);
	__type(key, struct enforce_inode_key);
	__type(value, struct enforce_inode);
	RULES_PINNING
} lsm_inodes SEC(".maps");

/* allowed executables: inode -> rule id */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENFORCE_MAX_EXES);
	__type(key, struct enforce_inode_key);
	__type(value, __u32);
	RULES_PINNING
} lsm_exes SEC(".maps");

/* (uid, kind) -> rule id */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENFORCE_MAX_USERS);
	__type(key, struct enforce_user_key);
	__type(value, __u32);
	RULES_PINNING
} lsm_users SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_config);
	RULES_PINNING
} lsm_config SEC(".maps");

/* The task asking, as decide() sees it (ctl/decide.h struct subject). */
struct subject {
	__u32 uid, euid, loginuid;
	struct enforce_inode_key exe;
	bool traced;
	bool preload;
};

struct decision {
	__u32 verdict;
	__u32 rule_id;
};

/*
 * Hook arguments and the current task are BTF pointers: plain loads of
 * their fields (CO-RE relocated, a fault reads 0) cost far less than
 * BPF_CORE_READ's helper calls, which matters on the read path. Only a
 * btrfs inode's subvolume is read by helper calls (inode_dev.bpf.h).
 */
static __always_inline void inode_key(struct inode *inode, struct enforce_inode_key *key)
{
	struct super_block *sb = inode->i_sb;

	key->dev = inode_dev(inode, sb->s_magic, sb->s_dev);
	key->ino = inode->i_ino;
}

/*
 * The rule protecting file: its own, or its directory's. Directories
 * themselves are not protected: listing one gives no client data.
 */
static __always_inline struct enforce_inode *protecting(struct file *file,
							struct enforce_inode_key *key)
{
	struct inode *inode = file->f_inode, *dir;
	struct enforce_inode_key dkey;
	struct enforce_inode *rule;

	if ((inode->i_mode & S_IFMT) == S_IFDIR)
		return NULL;
	inode_key(inode, key);
	rule = bpf_map_lookup_elem(&lsm_inodes, key);
	if (rule)
		return rule;
	/*
	 * Its directory's device is its own where they share a superblock
	 * (all but an overlay's backing file, whose path is the overlay's):
	 * on btrfs no name of a file is in another subvolume than the file.
	 */
	dir = file->f_path.dentry->d_parent->d_inode;
	if (dir->i_sb == inode->i_sb) {
		dkey.dev = key->dev;
		dkey.ino = dir->i_ino;
	} else {
		inode_key(dir, &dkey);
	}
	rule = bpf_map_lookup_elem(&lsm_inodes, &dkey);
	if (rule && (rule->flags & CRMGUARD_F_DIR))
		return rule;
	return NULL;
}

/* task's credentials and executable; preload is the caller's to set. */
static __always_inline void subject_of(struct task_struct *task, struct subject *s)
{
	s->uid = task->cred->uid.val;
	s->euid = task->cred->euid.val;
	s->loginuid = (__u32)-1;
	if (bpf_core_field_exists(task->loginuid))
		s->loginuid = task->loginuid.val;
	/* kernel threads have no mm: the loads read 0, and exe (0, 0) is nobody's */
	inode_key(task->mm->exe_file->f_inode, &s->exe);
	s->traced = task->ptrace != 0;
	s->preload = false;
}

/* The lowest id of a matching rule: decide() takes the first in the policy. */
static __always_inline void match_user(__u32 uid, __u32 kind, __u32 *best)
{
	struct enforce_user_key key = { .uid = uid, .kind = kind };
	__u32 *id = bpf_map_lookup_elem(&lsm_users, &key);

	if (id && *id < *best)
		*best = *id;
}

static __always_inline void match_revoke(const struct subject *s, __u32 kind, __u32 *best)
{
	match_user(s->uid, kind, best);
	match_user(s->euid, kind, best);
	if (s->loginuid != (__u32)-1)
		match_user(s->loginuid, kind, best);
}

/* ctl/decide.c's decide(), on the maps. */
static __always_inline struct decision decide(const struct enforce_inode *rule,
					      const struct subject *s)
{
	__u32 revoke = NO_RULE, audit_revoke = NO_RULE, allow = NO_RULE, *id;
	struct decision d = { CRMGUARD_VERDICT_AUDIT, rule->rule_id };
	__u32 zero = 0, mode = 0;
	struct enforce_config *cfg;

	cfg = bpf_map_lookup_elem(&lsm_config, &zero);
	if (cfg)
		mode = cfg->mode;
	match_revoke(s, CRMGUARD_USER_REVOKE, &revoke);
	if (revoke != NO_RULE) {
		d.rule_id = revoke;
		if (mode == CRMGUARD_MODE_ENFORCE)
			d.verdict = CRMGUARD_VERDICT_DENY;
		return d;
	}
	match_revoke(s, CRMGUARD_USER_REVOKE_AUDIT, &audit_revoke);
	match_user(s->uid, CRMGUARD_USER_ALLOW, &allow);
	/* a tracer or an injected library can make an allowed binary do anything */
	if (!s->traced && !s->preload) {
		id = bpf_map_lookup_elem(&lsm_exes, &s->exe);
		if (id && *id < allow)
			allow = *id;
	}
	if (allow != NO_RULE && audit_revoke != NO_RULE) {
		d.rule_id = audit_revoke;
		return d;
	}
	if (allow != NO_RULE) {
		d.verdict = CRMGUARD_VERDICT_ALLOW;
		d.rule_id = allow;
		return d;
	}
	if (mode == CRMGUARD_MODE_ENFORCE && !(rule->flags & CRMGUARD_F_AUDIT))
		d.verdict = CRMGUARD_VERDICT_DENY;
	return d;
}

#endif
