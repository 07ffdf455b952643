// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "crmguard" (uapi/crmguard.h): rule and
 * config commands, all for CAP_NET_ADMIN only, each with a strict policy
 * of its own; the "verdict" multicast group; and the netlink notifier
 * that notices the fail-open socket closing.
 */
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/threads.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "crmguard.h"

/*
 * The verdicts name users, files and programs: the group is for
 * CAP_NET_ADMIN only. A kernel without GENL_MCAST_CAP_NET_ADMIN (it came
 * with 6.6, and went back into the stable series Debian's 6.1 follows)
 * lets any user join, and offers a family no call at join time to refuse
 * one: no module for it.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "this kernel lets any user join the verdict group (no GENL_MCAST_CAP_NET_ADMIN): update it"
#endif

static struct genl_family cg_family;

/* (uid_t)-1 is "no uid" (an unset loginuid): no rule may name it. */
static struct netlink_range_validation cg_uid_range = { .max = U32_MAX - 1 };
static struct netlink_range_validation cg_fd_range = { .max = INT_MAX };

/* Both rule commands; cg_rule_parse() then says which attribute each needs and takes. */
static const struct nla_policy cg_rule_policy[CRMGUARD_ATTR_MAX + 1] = {
	[CRMGUARD_ATTR_RULE_TYPE] = NLA_POLICY_RANGE(NLA_U32, CRMGUARD_RULE_INODE,
						     CRMGUARD_RULE_USER),
	[CRMGUARD_ATTR_RULE_DEV] = { .type = NLA_U64 },
	[CRMGUARD_ATTR_RULE_INO] = NLA_POLICY_MIN(NLA_U64, 1),
	[CRMGUARD_ATTR_RULE_UID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cg_uid_range),
	[CRMGUARD_ATTR_RULE_USER_KIND] = NLA_POLICY_RANGE(NLA_U32, CRMGUARD_USER_ALLOW,
							  CRMGUARD_USER_REVOKE_AUDIT),
	[CRMGUARD_ATTR_RULE_FLAGS] = NLA_POLICY_MASK(NLA_U32, CRMGUARD_F_AUDIT | CRMGUARD_F_DIR),
	[CRMGUARD_ATTR_RULE_ID] = { .type = NLA_U32 },
	[CRMGUARD_ATTR_RULE_FD] = NLA_POLICY_FULL_RANGE(NLA_U32, &cg_fd_range),
};

static const struct nla_policy cg_lock_policy[CRMGUARD_ATTR_MAX + 1] = {
	[CRMGUARD_ATTR_RULE_FD] = NLA_POLICY_FULL_RANGE(NLA_U32, &cg_fd_range),
};

static struct netlink_range_validation cg_pid_range = { .min = 1, .max = PID_MAX_LIMIT };

static const struct nla_policy cg_taint_policy[CRMGUARD_ATTR_MAX + 1] = {
	[CRMGUARD_ATTR_EV_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cg_pid_range),
};

static const struct nla_policy cg_clip_policy[CRMGUARD_ATTR_MAX + 1] = {
	[CRMGUARD_ATTR_CLIP_MODE] = NLA_POLICY_MAX(NLA_U32, CRMGUARD_CLIP_BLOCK),
	[CRMGUARD_ATTR_CLIP_TOOLS] = { .type = NLA_NESTED },
	[CRMGUARD_ATTR_CLIP_ALLOW] = { .type = NLA_NESTED },
};

static const struct nla_policy cg_config_policy[CRMGUARD_ATTR_MAX + 1] = {
	[CRMGUARD_ATTR_MODE] = NLA_POLICY_RANGE(NLA_U32, CRMGUARD_MODE_AUDIT,
						CRMGUARD_MODE_ENFORCE),
	[CRMGUARD_ATTR_FAIL_OPEN] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* An attribute set: one bit per attribute, so at most 64 attributes. */
static_assert(CRMGUARD_ATTR_MAX < 64, "attribute sets are u64: widen cg_rule_attrs");
#define A(x)	BIT_ULL(CRMGUARD_ATTR_RULE_##x)
/* Which attributes each rule type needs and may carry, to add and to delete. */
static const struct {
	u64 add_need, add_may, del_need;
} cg_rule_attrs[] = {
	[CRMGUARD_RULE_INODE] = { A(DEV) | A(INO) | A(FD), A(FLAGS) | A(ID), A(DEV) | A(INO) },
	[CRMGUARD_RULE_EXE] = { A(DEV) | A(INO), A(ID) | A(FD), A(DEV) | A(INO) },
	[CRMGUARD_RULE_USER] = { A(UID) | A(USER_KIND), A(ID), A(UID) },
};

static int cg_rule_parse(struct genl_info *info, bool add, struct cg_rule *r)
{
	struct netlink_ext_ack *ack = info->extack;
	struct nlattr **tb = info->attrs;
	u64 need, may;
	int i;

	if (!tb[CRMGUARD_ATTR_RULE_TYPE]) {
		NL_SET_ERR_MSG(ack, "CRMGUARD_ATTR_RULE_TYPE is missing");
		NL_SET_ERR_ATTR_MISS(ack, NULL, CRMGUARD_ATTR_RULE_TYPE);
		return -EINVAL;
	}
	r->type = nla_get_u32(tb[CRMGUARD_ATTR_RULE_TYPE]);
	need = add ? cg_rule_attrs[r->type].add_need : cg_rule_attrs[r->type].del_need;
	may = need | A(TYPE) | (add ? cg_rule_attrs[r->type].add_may : 0);
	for (i = 1; i <= CRMGUARD_ATTR_MAX; i++) {
		if (tb[i] && !(may & BIT_ULL(i))) {
			NL_SET_ERR_MSG_ATTR(ack, tb[i], "attribute not for this rule or command");
			return -EINVAL;
		}
		if (!tb[i] && (need & BIT_ULL(i))) {
			NL_SET_ERR_MSG(ack, "an attribute this rule type needs is missing");
			NL_SET_ERR_ATTR_MISS(ack, NULL, i);
			return -EINVAL;
		}
	}
	r->dev = tb[CRMGUARD_ATTR_RULE_DEV] ? nla_get_u64(tb[CRMGUARD_ATTR_RULE_DEV]) : 0;
	r->ino = tb[CRMGUARD_ATTR_RULE_INO] ? nla_get_u64(tb[CRMGUARD_ATTR_RULE_INO]) : 0;
	r->uid = tb[CRMGUARD_ATTR_RULE_UID] ? nla_get_u32(tb[CRMGUARD_ATTR_RULE_UID]) : 0;
	r->user_kind = tb[CRMGUARD_ATTR_RULE_USER_KIND] ?
		       nla_get_u32(tb[CRMGUARD_ATTR_RULE_USER_KIND]) : 0;
	r->flags = tb[CRMGUARD_ATTR_RULE_FLAGS] ? nla_get_u32(tb[CRMGUARD_ATTR_RULE_FLAGS]) : 0;
	r->id = tb[CRMGUARD_ATTR_RULE_ID] ? nla_get_u32(tb[CRMGUARD_ATTR_RULE_ID]) : 0;
	return 0;
}

#undef A

static int cg_put_binary(struct sk_buff *skb, const struct path *path, u64 dev, u64 ino)
{
	char *buf = __getname();
	const char *name = "";
	int err;

	if (buf) {
		name = d_path(path, buf, PATH_MAX);
		if (IS_ERR(name))
			name = "";
	}
	err = nla_put_u64_64bit(skb, CRMGUARD_ATTR_RULE_DEV, dev, CRMGUARD_ATTR_PAD) ||
	      nla_put_u64_64bit(skb, CRMGUARD_ATTR_RULE_INO, ino, CRMGUARD_ATTR_PAD) ||
	      nla_put_string(skb, CRMGUARD_ATTR_EV_PATH, name) ? -EMSGSIZE : 0;
	if (buf)
		__putname(buf);
	return err;
}

/* Also from the exe marks' handler, in the task that opens the binary, which may sleep. */
void cg_refused_send(u32 cmd, const struct path *path, u64 dev, u64 ino)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&cg_family, &init_net, 0))
		return;
	skb = genlmsg_new(path ? 256 + PATH_MAX : 128, GFP_KERNEL);
	hdr = skb ? genlmsg_put(skb, 0, 0, &cg_family, 0, CRMGUARD_CMD_REFUSED) : NULL;
	if (!hdr || nla_put_u32(skb, CRMGUARD_ATTR_EV_CMD, cmd) ||
	    nla_put_u32(skb, CRMGUARD_ATTR_EV_PID, task_tgid_nr(current)) ||
	    nla_put_u32(skb, CRMGUARD_ATTR_EV_UID, from_kuid(&init_user_ns, current_uid())) ||
	    nla_put_string(skb, CRMGUARD_ATTR_EV_COMM, current->comm) ||
	    (path && cg_put_binary(skb, path, dev, ino))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&cg_family, skb, 0, 0, GFP_KERNEL);
}

/*
 * A command the lock does not let through, whoever sent it: counted,
 * logged with the sender, and told to the verdict group. The doit runs
 * in the sender's task. A clipboard's extack says already what it would
 * loosen (clip.c).
 */
static int cg_refuse(struct genl_info *info)
{
	static const char *const names[] = {
		[CRMGUARD_CMD_RULE_ADD] = "rule-add", [CRMGUARD_CMD_RULE_DEL] = "rule-del",
		[CRMGUARD_CMD_RULE_FLUSH] = "rule-flush", [CRMGUARD_CMD_CONFIG_SET] = "config-set",
		[CRMGUARD_CMD_CLIPBOARD_SET] = "clipboard-set",
	};
	u8 cmd = info->genlhdr->cmd;

	cg_refused_count();
	pr_notice_ratelimited("locked: refused %s from pid %d (%s, uid %u)\n",
			      cmd < ARRAY_SIZE(names) && names[cmd] ? names[cmd] : "?",
			      task_tgid_nr(current), current->comm,
			      from_kuid(&init_user_ns, current_uid()));
	cg_refused_send(cmd, NULL, 0, 0);
	if (cmd != CRMGUARD_CMD_CLIPBOARD_SET)
		NL_SET_ERR_MSG(info->extack, "crmguard.ko is locked until reboot: rules only grow");
	return -EPERM;
}

/* ATTR_RULE_FD's file, with a reference, into *file; NULL if none came. */
static int cg_fd_file(struct genl_info *info, struct file **file)
{
	struct nlattr *fd_attr = info->attrs[CRMGUARD_ATTR_RULE_FD];

	*file = NULL;
	if (!fd_attr)
		return 0;
	/* doit runs in the sender's task: the fd is one of its files (O_PATH will do). */
	*file = fget_raw(nla_get_u32(fd_attr));
	if (*file)
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, fd_attr, "not an open fd of the sender");
	return -EBADF;
}

static int cg_rule_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct file *file;
	struct cg_rule r;
	int err;

	err = cg_rule_parse(info, true, &r);
	if (err)
		return err;
	/* A protected inode more only tightens: files made later stay followed. */
	if (cg_locked() && (r.type != CRMGUARD_RULE_INODE || (r.flags & CRMGUARD_F_AUDIT)))
		return cg_refuse(info);
	err = cg_fd_file(info, &file);
	if (err)
		return err;
	err = cg_rule_add(&r, file, info->extack);
	if (file)
		fput(file);
	/* only the lock refuses an add so: one that would change a rule */
	return err == -EPERM ? cg_refuse(info) : err;
}

static int cg_rule_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct cg_rule r;
	int err;

	err = cg_rule_parse(info, false, &r);
	if (err)
		return err;
	return cg_locked() ? cg_refuse(info) : cg_rule_del(&r, info->extack);
}

static int cg_rule_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (cg_locked())
		return cg_refuse(info);
	cg_rule_flush();
	return 0;
}

/* fd: crmguardd's binary, for it to stay as it is (uapi/crmguard.h). */
static int cg_lock_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct file *file;
	int err;

	err = cg_fd_file(info, &file);
	if (err)
		return err;
	err = cg_lock_rules(file, info->extack);
	if (file)
		fput(file);
	return err;
}

static int cg_taint_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *pid = info->attrs[CRMGUARD_ATTR_EV_PID];
	int err;

	if (!pid) {
		NL_SET_ERR_MSG(info->extack, "CRMGUARD_ATTR_EV_PID is missing");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, CRMGUARD_ATTR_EV_PID);
		return -EINVAL;
	}
	/* doit runs in the sender's task: the pid is one of its namespace's */
	err = cg_taint(nla_get_u32(pid));
	if (err == -ESRCH)
		NL_SET_ERR_MSG_ATTR(info->extack, pid, "no such process (it may have exited)");
	else if (err)
		NL_SET_ERR_MSG(info->extack, "no room for the process's record");
	return err;
}

/*
 * The files of a list (ATTR_CLIP_TOOLS, _ALLOW; absent: none), each an
 * ATTR_RULE_FD of the sender's, with a reference, into files[max]: how
 * many, or -errno (none taken then).
 */
static int cg_clip_files(struct nlattr *list, struct file **files, int max,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int n = 0, rem;

	if (!list)
		return 0;
	nla_for_each_nested(a, list, rem) {
		if (n == max) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many tools or allowed binaries");
			goto fail;
		}
		if (nla_type(a) != CRMGUARD_ATTR_RULE_FD || nla_len(a) != sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "a clipboard list holds u32 RULE_FDs only");
			goto fail;
		}
		files[n] = fget_raw(nla_get_u32(a));
		if (!files[n]) {
			NL_SET_ERR_MSG_ATTR(extack, a, "not an open fd of the sender");
			while (n)
				fput(files[--n]);
			return -EBADF;
		}
		n++;
	}
	return n;
fail:
	while (n)
		fput(files[--n]);
	return -EINVAL;
}

static int cg_clip_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *mode = info->attrs[CRMGUARD_ATTR_CLIP_MODE];
	struct file *tools[CRMGUARD_CLIP_TOOLS_MAX], *allow[CRMGUARD_CLIP_ALLOW_MAX];
	int ntools, nallow, err;

	if (!mode) {
		NL_SET_ERR_MSG(info->extack, "CRMGUARD_ATTR_CLIP_MODE is missing");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, CRMGUARD_ATTR_CLIP_MODE);
		return -EINVAL;
	}
	ntools = cg_clip_files(info->attrs[CRMGUARD_ATTR_CLIP_TOOLS], tools,
			       CRMGUARD_CLIP_TOOLS_MAX, info->extack);
	if (ntools < 0)
		return ntools;
	nallow = cg_clip_files(info->attrs[CRMGUARD_ATTR_CLIP_ALLOW], allow,
			       CRMGUARD_CLIP_ALLOW_MAX, info->extack);
	err = nallow < 0 ? nallow :
	      cg_clip_set(nla_get_u32(mode), tools, ntools, allow, nallow, info->extack);
	/*
	 * the sender follows taint from now on; once its socket closes, the
	 * module does. Locked, only crmguardd stands so: another root process
	 * that sends a clipboard the lock takes (a tighter one) and holds its
	 * socket open must not stop the module's own following.
	 */
	if (!err && cg_daemon_is_current())
		cg_clip_owner_set(info->snd_portid);
	/* only the lock refuses a clipboard so: one that would loosen it */
	else if (err == -EPERM)
		cg_refuse(info);
	while (ntools)
		fput(tools[--ntools]);
	while (nallow > 0)
		fput(allow[--nallow]);
	return err;
}

static int cg_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *mode = info->attrs[CRMGUARD_ATTR_MODE];
	struct nlattr *fail_open = info->attrs[CRMGUARD_ATTR_FAIL_OPEN];

	if (!mode && !fail_open) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: give ATTR_MODE or ATTR_FAIL_OPEN");
		return -EINVAL;
	}
	if (cg_locked())
		return cg_refuse(info);
	cg_config_set(mode ? nla_get_u32(mode) : 0, fail_open ? nla_get_u8(fail_open) : -1,
		      info->snd_portid);
	return 0;
}

static int cg_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct cg_stats st;
	struct sk_buff *msg;
	bool fail_open;
	void *hdr;
	u32 mode;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &cg_family, 0, CRMGUARD_CMD_STATS_GET);
	if (!hdr)
		goto nospace;
	cg_config_get(&mode, &fail_open);
	cg_stats_read(&st);
	if (nla_put_u32(msg, CRMGUARD_ATTR_MODE, mode) ||
	    nla_put_u8(msg, CRMGUARD_ATTR_FAIL_OPEN, fail_open) ||
	    nla_put_u64_64bit(msg, CRMGUARD_ATTR_STAT_ALLOW, st.allow, CRMGUARD_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, CRMGUARD_ATTR_STAT_AUDIT, st.audit, CRMGUARD_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, CRMGUARD_ATTR_STAT_DENY, st.deny, CRMGUARD_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, CRMGUARD_ATTR_STAT_LOST, st.lost, CRMGUARD_ATTR_PAD) ||
	    nla_put_u32(msg, CRMGUARD_ATTR_STAT_RULES, cg_rule_count()) ||
	    nla_put_u8(msg, CRMGUARD_ATTR_LOCKED, cg_locked()) ||
	    nla_put_u64_64bit(msg, CRMGUARD_ATTR_STAT_REFUSED, cg_refused_read(),
			      CRMGUARD_ATTR_PAD) ||
	    nla_put_u32(msg, CRMGUARD_ATTR_CLIP_PROBES, cg_display_probes()) ||
	    nla_put_u64_64bit(msg, CRMGUARD_ATTR_STAT_CLIP_MISSED, cg_display_missed(),
			      CRMGUARD_ATTR_PAD))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int cg_put_rule(struct sk_buff *skb, const struct cg_rule *r)
{
	if (nla_put_u32(skb, CRMGUARD_ATTR_RULE_TYPE, r->type) ||
	    nla_put_u32(skb, CRMGUARD_ATTR_RULE_ID, r->id))
		return -EMSGSIZE;
	if (r->type == CRMGUARD_RULE_USER)
		return nla_put_u32(skb, CRMGUARD_ATTR_RULE_UID, r->uid) ||
		       nla_put_u32(skb, CRMGUARD_ATTR_RULE_USER_KIND, r->user_kind) ?
		       -EMSGSIZE : 0;
	if (nla_put_u64_64bit(skb, CRMGUARD_ATTR_RULE_DEV, r->dev, CRMGUARD_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, CRMGUARD_ATTR_RULE_INO, r->ino, CRMGUARD_ATTR_PAD))
		return -EMSGSIZE;
	if (r->type == CRMGUARD_RULE_INODE)
		return nla_put_u32(skb, CRMGUARD_ATTR_RULE_FLAGS, r->flags) ? -EMSGSIZE : 0;
	return 0;
}

struct cg_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int cg_dump_one(void *ctx, const struct cg_rule *r)
{
	struct cg_dump *d = ctx;
	void *hdr;

	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid, d->cb->nlh->nlmsg_seq,
			  &cg_family, NLM_F_MULTI, CRMGUARD_CMD_RULE_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(d->cb, hdr);
	if (cg_put_rule(d->skb, r)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

static int cg_rule_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct cg_dump d = { .skb = skb, .cb = cb };
	int err;

	err = cg_rule_walk(&cb->args[0], &cb->seq, cg_dump_one, &d);
	/* A full skb with rules in it: the next part goes on from args[0]. */
	if (err && !(err == -EMSGSIZE && skb->len))
		return err;
	return skb->len;
}

static const struct genl_ops cg_ops[] = {
	{
		.cmd = CRMGUARD_CMD_RULE_ADD,
		.doit = cg_rule_add_doit,
		.policy = cg_rule_policy,
		.maxattr = CRMGUARD_ATTR_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CRMGUARD_CMD_RULE_DEL,
		.doit = cg_rule_del_doit,
		.policy = cg_rule_policy,
		.maxattr = CRMGUARD_ATTR_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	/* No policy: the core then rejects every attribute. */
	{
		.cmd = CRMGUARD_CMD_RULE_FLUSH,
		.doit = cg_rule_flush_doit,
		.flags = GENL_ADMIN_PERM,
	},
	/* The rules name the binaries that may read: not for everyone either. */
	{
		.cmd = CRMGUARD_CMD_RULE_GET,
		.dumpit = cg_rule_dumpit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CRMGUARD_CMD_CONFIG_SET,
		.doit = cg_config_doit,
		.policy = cg_config_policy,
		.maxattr = CRMGUARD_ATTR_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CRMGUARD_CMD_STATS_GET,
		.doit = cg_stats_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CRMGUARD_CMD_LOCK,
		.doit = cg_lock_doit,
		.policy = cg_lock_policy,
		.maxattr = CRMGUARD_ATTR_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CRMGUARD_CMD_TAINT,
		.doit = cg_taint_doit,
		.policy = cg_taint_policy,
		.maxattr = CRMGUARD_ATTR_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CRMGUARD_CMD_CLIPBOARD_SET,
		.doit = cg_clip_doit,
		.policy = cg_clip_policy,
		.maxattr = CRMGUARD_ATTR_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group cg_mcgrps[] = {
	{ .name = CRMGUARD_MCGRP_VERDICT, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family cg_family __ro_after_init = {
	.name = CRMGUARD_GENL_NAME,
	.version = CRMGUARD_GENL_VERSION,
	.maxattr = CRMGUARD_ATTR_MAX,
	.module = THIS_MODULE,
	.ops = cg_ops,
	.n_ops = ARRAY_SIZE(cg_ops),
	/*
	 * .resv_start_op stays 0: every command gets the strict checks of
	 * its header and flags, and one without a policy takes no attribute.
	 */
	.mcgrps = cg_mcgrps,
	.n_mcgrps = ARRAY_SIZE(cg_mcgrps),
};

static int cg_put_verdict(struct sk_buff *skb, const struct cg_verdict *v, const char *path,
			  const char *exe)
{
	if (nla_put_u32(skb, CRMGUARD_ATTR_EV_OP, v->op) ||
	    nla_put_u32(skb, CRMGUARD_ATTR_EV_VERDICT, v->verdict) ||
	    nla_put_u32(skb, CRMGUARD_ATTR_RULE_ID, v->rule_id) ||
	    nla_put_u64_64bit(skb, CRMGUARD_ATTR_RULE_DEV, v->dev, CRMGUARD_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, CRMGUARD_ATTR_RULE_INO, v->ino, CRMGUARD_ATTR_PAD) ||
	    nla_put_u32(skb, CRMGUARD_ATTR_EV_PID, v->pid) ||
	    nla_put_u32(skb, CRMGUARD_ATTR_EV_TID, v->tid) ||
	    nla_put_u32(skb, CRMGUARD_ATTR_EV_UID, v->uid) ||
	    nla_put_u64_64bit(skb, CRMGUARD_ATTR_EV_EXE_DEV, v->exe_dev, CRMGUARD_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, CRMGUARD_ATTR_EV_EXE_INO, v->exe_ino, CRMGUARD_ATTR_PAD) ||
	    nla_put_string(skb, CRMGUARD_ATTR_EV_COMM, v->comm) ||
	    nla_put_string(skb, CRMGUARD_ATTR_EV_PATH, path) ||
	    nla_put_string(skb, CRMGUARD_ATTR_EV_EXE, exe))
		return -EMSGSIZE;
	return 0;
}

/*
 * Called from the permission hook, which may sleep (fanotify waits for
 * its listener there too). Nobody listening, no memory, or a listener's
 * full socket: the verdict is lost and counted.
 */
void cg_verdict_send(const struct cg_verdict *v)
{
	struct sk_buff *skb = NULL;
	const char *path = "", *exe = "";
	char *buf, *ebuf;
	void *hdr;

	if (!genl_has_listeners(&cg_family, &init_net, 0)) {
		cg_stat_lost();
		return;
	}
	buf = __getname();
	if (buf && v->path) {
		path = d_path(v->path, buf, PATH_MAX);
		if (IS_ERR(path))
			path = "";
	} else if (v->name) {
		path = v->name;
	}
	ebuf = __getname();
	if (ebuf && v->exe) {
		exe = d_path(&v->exe->f_path, ebuf, PATH_MAX);
		if (IS_ERR(exe))
			exe = "";
	}
	skb = genlmsg_new(512 + strlen(path) + strlen(exe), GFP_KERNEL | __GFP_NOWARN);
	hdr = skb ? genlmsg_put(skb, 0, 0, &cg_family, 0, CRMGUARD_CMD_VERDICT) : NULL;
	if (!hdr || cg_put_verdict(skb, v, path, exe)) {
		nlmsg_free(skb);
		cg_stat_lost();
	} else {
		genlmsg_end(skb, hdr);
		if (genlmsg_multicast(&cg_family, skb, 0, 0, GFP_KERNEL))
			cg_stat_lost();
	}
	if (buf)
		__putname(buf);
	if (ebuf)
		__putname(ebuf);
}

static int cg_netlink_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    net_eq(n->net, &init_net)) {
		cg_socket_released(n->portid);
		cg_clip_owner_released(n->portid);
	}
	return NOTIFY_DONE;
}

static struct notifier_block cg_netlink_nb = {
	.notifier_call = cg_netlink_event,
};

int cg_genl_init(void)
{
	int err;

	err = netlink_register_notifier(&cg_netlink_nb);
	if (err)
		return err;
	err = genl_register_family(&cg_family);
	if (err)
		netlink_unregister_notifier(&cg_netlink_nb);
	return err;
}

void cg_genl_exit(void)
{
	genl_unregister_family(&cg_family);
	netlink_unregister_notifier(&cg_netlink_nb);
}
