// SPDX-License-Identifier: GPL-2.0
/*
 * The rule tables. Allowed executables and users are looked up by the
 * enforcement handler on every access to a protected inode, so they live
 * in RCU hash tables; protected inodes are found by the handler through
 * their fsnotify marks, so their table only serves changes and dumps.
 * Every change holds cg_lock (genl_mutex already serializes the netlink
 * ops; the lock also covers the netlink notifier and module exit).
 */
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include "crmguard.h"

#define CG_HASH_BITS	10
/* Enough for any policy; a bound so that a bug in userland cannot eat memory. */
#define CG_MAX_RULES	65536

/* An allowed executable (a = dev, b = ino) or a user rule (a = uid). */
struct cg_keyed {
	struct hlist_node node;
	struct rcu_head rcu;
	u64 a, b;
	u32 kind, id;
	/* EXE: the mark that keeps the binary from being written once locked, or NULL */
	struct cg_inode_rule *exe;
};

/* Serializes every change of rules and config. */
DEFINE_MUTEX(cg_lock);
static struct hlist_head cg_inodes[1 << CG_HASH_BITS];
static struct hlist_head cg_exes[1 << CG_HASH_BITS];
static struct hlist_head cg_users[1 << CG_HASH_BITS];
/* A cache of their own, as the inode rules have (enforce.c says why). */
static struct kmem_cache *cg_keyed_cache;
static u32 cg_nrules;
static unsigned int cg_gen;
static bool cg_closed;

static struct {
	u32 mode;
	bool fail_open;
	u32 owner;		/* the socket that asked for fail-open */
	bool owner_gone;
	bool locked;		/* until reboot: set once, never cleared */
} cg_cfg = { .mode = CRMGUARD_MODE_ENFORCE };
static atomic64_t cg_refused = ATOMIC64_INIT(0);
static bool cg_enforce_now = true;
static bool cg_open_now;	/* fail-open, and its daemon gone */

static u32 cg_hash(u64 a, u64 b)
{
	return hash_64(a ^ hash_64(b, 64), CG_HASH_BITS);
}

static void cg_key_of(const struct cg_rule *r, u64 *a, u64 *b)
{
	*a = r->type == CRMGUARD_RULE_USER ? r->uid : r->dev;
	*b = r->type == CRMGUARD_RULE_USER ? 0 : r->ino;
}

static struct hlist_head *cg_keyed_table(u32 type)
{
	return type == CRMGUARD_RULE_EXE ? cg_exes : cg_users;
}

static struct cg_keyed *cg_keyed_find(struct hlist_head *tbl, u64 a, u64 b)
{
	struct cg_keyed *k;

	hlist_for_each_entry(k, &tbl[cg_hash(a, b)], node)
		if (k->a == a && k->b == b)
			return k;
	return NULL;
}

static struct cg_inode_rule *cg_inode_find(u64 dev, u64 ino)
{
	struct cg_inode_rule *r;

	hlist_for_each_entry(r, &cg_inodes[cg_hash(dev, ino)], node)
		if (r->dev == dev && r->ino == ino)
			return r;
	return NULL;
}

static int cg_table_full(struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG(extack, "rule table full (" __stringify(CG_MAX_RULES) " rules)");
	return -ENOSPC;
}

static void cg_inode_del(struct cg_inode_rule *r)
{
	hlist_del(&r->node);
	cg_unmark_inode(r);
}

int cg_file_is(struct file *file, u64 dev, u64 ino, struct netlink_ext_ack *extack)
{
	struct inode *inode = file_inode(file);

	if (cg_dev_of(inode, &file->f_path) != dev || inode->i_ino != ino) {
		NL_SET_ERR_MSG(extack, "the fd names another inode than dev and ino (replaced?)");
		return -ESTALE;
	}
	return 0;
}

static int cg_inode_add(const struct cg_rule *rule, struct file *file, bool full,
			struct netlink_ext_ack *extack)
{
	struct inode *inode = file_inode(file);
	bool dir = rule->flags & CRMGUARD_F_DIR;
	struct cg_inode_rule *r;
	int err;

	err = cg_file_is(file, rule->dev, rule->ino, extack);
	if (err)
		return err;
	/* Directory opens are free (listing); only a directory has children. */
	if (dir && !S_ISDIR(inode->i_mode)) {
		NL_SET_ERR_MSG(extack, "CRMGUARD_F_DIR on a file that is not a directory");
		return -ENOTDIR;
	}
	if (!dir && !S_ISREG(inode->i_mode)) {
		NL_SET_ERR_MSG(extack, "not a regular file (a directory needs CRMGUARD_F_DIR)");
		return -EINVAL;
	}
	r = cg_inode_find(rule->dev, rule->ino);
	if (r && cg_inode_marked(r) && r->inode == inode) {
		/* locked: a rule's flags and id stay (the id names it in verdicts) */
		if (cg_cfg.locked && atomic64_read(&r->word) != cg_word(rule->flags, rule->id))
			return -EPERM;
		atomic64_set(&r->word, cg_word(rule->flags, rule->id));
		return 0;
	}
	/*
	 * A rule whose inode is gone, or going: fsnotify took the mark off
	 * when the inode was evicted (or will in a moment), and the
	 * filesystem (ext4 does at once) gave its number to this new file. It
	 * is this file's rule now, with a mark on this inode; the table does
	 * not grow.
	 */
	if (r) {
		cg_inode_del(r);
		cg_nrules--;
	}
	if (full && !r)
		return cg_table_full(extack);
	r = cg_inode_rule_alloc();
	if (!r)
		return -ENOMEM;
	r->dev = rule->dev;
	r->ino = rule->ino;
	atomic64_set(&r->word, cg_word(rule->flags, rule->id));
	err = cg_mark_inode(r, inode);
	if (err) {
		NL_SET_ERR_MSG(extack, "fsnotify refused a mark on the inode");
		return err;
	}
	hlist_add_head(&r->node, &cg_inodes[cg_hash(r->dev, r->ino)]);
	return 1;
}

/* call_rcu, not kfree_rcu: rcu_barrier() in cg_rules_exit waits for it. */
static void cg_keyed_free(struct rcu_head *rcu)
{
	kmem_cache_free(cg_keyed_cache, container_of(rcu, struct cg_keyed, rcu));
}

static int cg_keyed_add(const struct cg_rule *rule, struct file *file, bool full,
			struct netlink_ext_ack *extack)
{
	struct hlist_head *tbl = cg_keyed_table(rule->type);
	struct cg_keyed *k, *old;
	u64 a, b;
	int err;

	cg_key_of(rule, &a, &b);
	if (file) {
		err = cg_file_is(file, a, b, extack);
		if (err)
			return err;
	}
	old = cg_keyed_find(tbl, a, b);
	if (!old && full)
		return cg_table_full(extack);
	k = kmem_cache_zalloc(cg_keyed_cache, GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	k->a = a;
	k->b = b;
	k->kind = rule->user_kind;
	k->id = rule->id;
	err = cg_exe_mark_move(old ? &old->exe : NULL, file, a, b, &k->exe, extack);
	if (err) {
		kmem_cache_free(cg_keyed_cache, k);
		return err;
	}
	if (old) {
		hlist_replace_rcu(&old->node, &k->node);
		call_rcu(&old->rcu, cg_keyed_free);
		return 0;
	}
	hlist_add_head_rcu(&k->node, &tbl[cg_hash(k->a, k->b)]);
	return 1;
}

/* Adds or replaces; file names the inode of an INODE rule, or an EXE's (or NULL). */
int cg_rule_add(const struct cg_rule *r, struct file *file,
		struct netlink_ext_ack *extack)
{
	bool full;
	int ret;

	mutex_lock(&cg_lock);
	if (cg_closed) {
		ret = -ESHUTDOWN;
		goto out;
	}
	full = cg_nrules >= CG_MAX_RULES;
	if (r->type == CRMGUARD_RULE_INODE)
		ret = cg_inode_add(r, file, full, extack);
	else
		ret = cg_keyed_add(r, file, full, extack);
	if (ret > 0)
		cg_nrules++;
	if (ret >= 0)
		cg_gen++;
out:
	mutex_unlock(&cg_lock);
	return ret < 0 ? ret : 0;
}

static void cg_keyed_del(struct cg_keyed *k)
{
	if (k->exe)
		cg_unmark_inode(k->exe);
	hlist_del_rcu(&k->node);
	call_rcu(&k->rcu, cg_keyed_free);
}

int cg_rule_del(const struct cg_rule *r, struct netlink_ext_ack *extack)
{
	struct cg_inode_rule *ir = NULL;
	struct cg_keyed *k = NULL;
	u64 a, b;

	cg_key_of(r, &a, &b);
	mutex_lock(&cg_lock);
	if (r->type == CRMGUARD_RULE_INODE)
		ir = cg_inode_find(a, b);
	else
		k = cg_keyed_find(cg_keyed_table(r->type), a, b);
	if (ir)
		cg_inode_del(ir);
	if (k)
		cg_keyed_del(k);
	if (ir || k) {
		cg_nrules--;
		cg_gen++;
	}
	mutex_unlock(&cg_lock);
	if (!ir && !k) {
		NL_SET_ERR_MSG(extack, "no such rule");
		return -ENOENT;
	}
	return 0;
}

static void cg_rule_flush_locked(void)
{
	struct cg_inode_rule *r;
	struct cg_keyed *k;
	struct hlist_node *tmp;
	int i;

	hash_for_each_safe(cg_inodes, i, tmp, r, node)
		cg_inode_del(r);
	hash_for_each_safe(cg_exes, i, tmp, k, node)
		cg_keyed_del(k);
	hash_for_each_safe(cg_users, i, tmp, k, node)
		cg_keyed_del(k);
	cg_nrules = 0;
	cg_gen++;
}

void cg_rule_flush(void)
{
	mutex_lock(&cg_lock);
	cg_rule_flush_locked();
	mutex_unlock(&cg_lock);
}

void cg_rules_close(void)
{
	mutex_lock(&cg_lock);
	cg_closed = true;
	cg_rule_flush_locked();
	cg_daemon_exe_unmark();
	cg_clip_close();
	mutex_unlock(&cg_lock);
}

int cg_rules_init(void)
{
	cg_keyed_cache = kmem_cache_create("crmguard_keyed_rule", sizeof(struct cg_keyed),
					   0, 0, NULL);
	return cg_keyed_cache ? 0 : -ENOMEM;
}

void cg_rules_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(cg_keyed_cache);
}

struct cg_walk {
	unsigned long n, *pos;
	int (*fill)(void *ctx, const struct cg_rule *r);
	void *ctx;
};

static int cg_walk_one(struct cg_walk *w, const struct cg_rule *r)
{
	int err;

	if (w->n++ < *w->pos)
		return 0;
	err = w->fill(w->ctx, r);
	if (!err)
		(*w->pos)++;
	return err;
}

static struct cg_rule cg_keyed_rule(u32 type, const struct cg_keyed *k)
{
	struct cg_rule r = { .type = type, .user_kind = k->kind, .id = k->id };

	if (type == CRMGUARD_RULE_USER) {
		r.uid = k->a;
	} else {
		r.dev = k->a;
		r.ino = k->b;
	}
	return r;
}

/*
 * Dumps go on from a position: rules are few (a policy's worth), so
 * skipping what earlier parts sent costs little; a change in between
 * bumps the generation and the dump is flagged inconsistent.
 */
int cg_rule_walk(unsigned long *pos, unsigned int *gen,
		 int (*fill)(void *ctx, const struct cg_rule *r), void *ctx)
{
	struct cg_walk w = { .pos = pos, .fill = fill, .ctx = ctx };
	struct cg_inode_rule *ir;
	struct cg_rule r;
	struct cg_keyed *k;
	int i, err = 0;
	s64 word;

	mutex_lock(&cg_lock);
	*gen = cg_gen;
	hash_for_each(cg_inodes, i, ir, node) {
		/*
		 * A rule whose inode was evicted protects nothing: left out, so
		 * that a new file with its number is added again (cg_inode_add).
		 */
		if (!cg_inode_marked(ir))
			continue;
		word = atomic64_read(&ir->word);
		r = (struct cg_rule){ .type = CRMGUARD_RULE_INODE, .dev = ir->dev,
				      .ino = ir->ino, .flags = cg_word_flags(word),
				      .id = cg_word_id(word) };
		err = cg_walk_one(&w, &r);
		if (err)
			goto out;
	}
	hash_for_each(cg_exes, i, k, node) {
		r = cg_keyed_rule(CRMGUARD_RULE_EXE, k);
		err = cg_walk_one(&w, &r);
		if (err)
			goto out;
	}
	hash_for_each(cg_users, i, k, node) {
		r = cg_keyed_rule(CRMGUARD_RULE_USER, k);
		err = cg_walk_one(&w, &r);
		if (err)
			goto out;
	}
out:
	mutex_unlock(&cg_lock);
	return err;
}

u32 cg_rule_count(void)
{
	return READ_ONCE(cg_nrules);
}

bool cg_user_rule(u32 uid, u32 *kind, u32 *id)
{
	struct cg_keyed *k;
	bool found = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(k, &cg_users[cg_hash(uid, 0)], node) {
		if (k->a == uid) {
			*kind = k->kind;
			*id = k->id;
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

bool cg_exe_rule(const struct inode *inode, u64 dev, u64 ino, u32 *id)
{
	struct cg_keyed *k;
	bool found = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(k, &cg_exes[cg_hash(dev, ino)], node) {
		if (k->a == dev && k->b == ino && cg_exe_still(READ_ONCE(k->exe), inode)) {
			*id = k->id;
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static void cg_config_update(void)
{
	WRITE_ONCE(cg_open_now, cg_cfg.fail_open && cg_cfg.owner_gone);
	WRITE_ONCE(cg_enforce_now, cg_cfg.mode == CRMGUARD_MODE_ENFORCE && !cg_open_now);
}

/*
 * mode 0 and fail_open < 0 leave those as they are. The socket that asks
 * for fail-open owns that promise: when it closes (the daemon died), denies
 * stop; a restarted daemon asking again takes it over.
 */
void cg_config_set(u32 mode, int fail_open, u32 portid)
{
	mutex_lock(&cg_lock);
	if (mode)
		cg_cfg.mode = mode;
	if (fail_open >= 0) {
		cg_cfg.fail_open = fail_open;
		WRITE_ONCE(cg_cfg.owner, portid);
		cg_cfg.owner_gone = false;
	}
	cg_config_update();
	mutex_unlock(&cg_lock);
}

void cg_config_get(u32 *mode, bool *fail_open)
{
	mutex_lock(&cg_lock);
	*mode = cg_cfg.mode;
	*fail_open = cg_cfg.fail_open;
	mutex_unlock(&cg_lock);
}

/*
 * Every generic netlink socket on the machine that closes comes here,
 * and cg_lock is held across rule adds and dumps, which may ask the
 * filesystem (cg_dev_of()): only the fail-open socket's close waits for
 * it. owner changes only under cg_lock, by a message from the socket that
 * becomes it, which cannot be closing meanwhile.
 */
void cg_socket_released(u32 portid)
{
	if (READ_ONCE(cg_cfg.owner) != portid)
		return;
	mutex_lock(&cg_lock);
	if (cg_cfg.fail_open && cg_cfg.owner == portid && !cg_cfg.owner_gone) {
		cg_cfg.owner_gone = true;
		cg_config_update();
		pr_info("the socket that set fail-open closed: denying nothing\n");
	}
	mutex_unlock(&cg_lock);
}

bool cg_enforcing(void)
{
	return READ_ONCE(cg_enforce_now);
}

bool cg_failed_open(void)
{
	return READ_ONCE(cg_open_now);
}

/*
 * Locks the rules until reboot: enforce, no fail-open, and a reference
 * to the module that is never put, so that it cannot be unloaded; and
 * crmguardd's binary stays unwritable as the allowed ones do.
 */
int cg_lock_rules(struct file *daemon_exe, struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&cg_lock);
	if (cg_closed) {
		err = -ESHUTDOWN;
		goto out;
	}
	if (daemon_exe) {
		err = cg_daemon_exe_mark(daemon_exe, extack);
		if (err)
			goto out;
	}
	if (!cg_cfg.locked) {
		cg_cfg.locked = true;
		cg_cfg.mode = CRMGUARD_MODE_ENFORCE;
		cg_cfg.fail_open = false;
		cg_config_update();
		__module_get(THIS_MODULE);
		pr_notice("locked until reboot by pid %d (%s): rules only grow, no unload\n",
			  task_tgid_nr(current), current->comm);
	}
out:
	mutex_unlock(&cg_lock);
	return err;
}

/* Only goes from false to true, so a reader that saw true may rely on it. */
bool cg_locked(void)
{
	return READ_ONCE(cg_cfg.locked);
}

void cg_refused_count(void)
{
	atomic64_inc(&cg_refused);
}

u64 cg_refused_read(void)
{
	return atomic64_read(&cg_refused);
}
