// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* qsort_r */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include "ctl/daemon/enforce/kmod_msg.h"

#define U32(t)	[t] = { .type = NLA_U32, .maxlen = 4 }
#define U64(t)	[t] = { .type = NLA_U64, .maxlen = 8 }

/* What the module sends; a reply that does not fit is not read. */
static struct nla_policy kmod_policy[CRMGUARD_ATTR_MAX + 1] = {
	U32(CRMGUARD_ATTR_RULE_TYPE), U64(CRMGUARD_ATTR_RULE_DEV), U64(CRMGUARD_ATTR_RULE_INO),
	U32(CRMGUARD_ATTR_RULE_UID), U32(CRMGUARD_ATTR_RULE_USER_KIND),
	U32(CRMGUARD_ATTR_RULE_FLAGS), U32(CRMGUARD_ATTR_RULE_ID), U32(CRMGUARD_ATTR_MODE),
	[CRMGUARD_ATTR_FAIL_OPEN] = { .type = NLA_U8, .maxlen = 1 },
	U64(CRMGUARD_ATTR_STAT_ALLOW), U64(CRMGUARD_ATTR_STAT_AUDIT), U64(CRMGUARD_ATTR_STAT_DENY),
	U64(CRMGUARD_ATTR_STAT_LOST), U32(CRMGUARD_ATTR_STAT_RULES),
	U32(CRMGUARD_ATTR_EV_OP), U32(CRMGUARD_ATTR_EV_VERDICT), U32(CRMGUARD_ATTR_EV_PID),
	U32(CRMGUARD_ATTR_EV_TID), U32(CRMGUARD_ATTR_EV_UID),
	U64(CRMGUARD_ATTR_EV_EXE_DEV), U64(CRMGUARD_ATTR_EV_EXE_INO),
	[CRMGUARD_ATTR_EV_COMM] = { .type = NLA_STRING },
	[CRMGUARD_ATTR_EV_PATH] = { .type = NLA_STRING },
	[CRMGUARD_ATTR_EV_EXE] = { .type = NLA_STRING },
	U32(CRMGUARD_ATTR_RULE_FD),
	[CRMGUARD_ATTR_LOCKED] = { .type = NLA_U8, .maxlen = 1 },
	U64(CRMGUARD_ATTR_STAT_REFUSED), U32(CRMGUARD_ATTR_EV_CMD), U32(CRMGUARD_ATTR_CLIP_MODE),
	[CRMGUARD_ATTR_CLIP_TOOLS] = { .type = NLA_NESTED },
	[CRMGUARD_ATTR_CLIP_ALLOW] = { .type = NLA_NESTED },
	U32(CRMGUARD_ATTR_CLIP_PROBES), U64(CRMGUARD_ATTR_STAT_CLIP_MISSED),
};

static const char *const attr_names[CRMGUARD_ATTR_MAX + 1] = {
	[CRMGUARD_ATTR_RULE_TYPE] = "RULE_TYPE", [CRMGUARD_ATTR_RULE_DEV] = "RULE_DEV",
	[CRMGUARD_ATTR_RULE_INO] = "RULE_INO", [CRMGUARD_ATTR_RULE_UID] = "RULE_UID",
	[CRMGUARD_ATTR_RULE_USER_KIND] = "RULE_USER_KIND", [CRMGUARD_ATTR_RULE_FLAGS] = "RULE_FLAGS",
	[CRMGUARD_ATTR_RULE_ID] = "RULE_ID", [CRMGUARD_ATTR_MODE] = "MODE",
	[CRMGUARD_ATTR_FAIL_OPEN] = "FAIL_OPEN", [CRMGUARD_ATTR_STAT_ALLOW] = "STAT_ALLOW",
	[CRMGUARD_ATTR_STAT_AUDIT] = "STAT_AUDIT", [CRMGUARD_ATTR_STAT_DENY] = "STAT_DENY",
	[CRMGUARD_ATTR_STAT_LOST] = "STAT_LOST", [CRMGUARD_ATTR_STAT_RULES] = "STAT_RULES",
	[CRMGUARD_ATTR_EV_OP] = "EV_OP", [CRMGUARD_ATTR_EV_VERDICT] = "EV_VERDICT",
	[CRMGUARD_ATTR_EV_PID] = "EV_PID", [CRMGUARD_ATTR_EV_TID] = "EV_TID",
	[CRMGUARD_ATTR_EV_UID] = "EV_UID", [CRMGUARD_ATTR_EV_EXE_DEV] = "EV_EXE_DEV",
	[CRMGUARD_ATTR_EV_EXE_INO] = "EV_EXE_INO", [CRMGUARD_ATTR_EV_COMM] = "EV_COMM",
	[CRMGUARD_ATTR_EV_PATH] = "EV_PATH", [CRMGUARD_ATTR_PAD] = "PAD",
	[CRMGUARD_ATTR_EV_EXE] = "EV_EXE",
	[CRMGUARD_ATTR_RULE_FD] = "RULE_FD", [CRMGUARD_ATTR_LOCKED] = "LOCKED",
	[CRMGUARD_ATTR_STAT_REFUSED] = "STAT_REFUSED", [CRMGUARD_ATTR_EV_CMD] = "EV_CMD",
	[CRMGUARD_ATTR_CLIP_MODE] = "CLIP_MODE", [CRMGUARD_ATTR_CLIP_TOOLS] = "CLIP_TOOLS",
	[CRMGUARD_ATTR_CLIP_ALLOW] = "CLIP_ALLOW", [CRMGUARD_ATTR_CLIP_PROBES] = "CLIP_PROBES",
	[CRMGUARD_ATTR_STAT_CLIP_MISSED] = "STAT_CLIP_MISSED",
};

const char *kmod_msg_attr_name(int type)
{
	return type > 0 && type <= CRMGUARD_ATTR_MAX && attr_names[type] ? attr_names[type] : "unknown";
}

int kmod_msg_put_rule_key(struct nl_msg *msg, const struct kernel_rule *r)
{
	if (nla_put_u32(msg, CRMGUARD_ATTR_RULE_TYPE, r->type))
		return -1;
	if (r->type == CRMGUARD_RULE_USER)
		return nla_put_u32(msg, CRMGUARD_ATTR_RULE_UID, r->uid) ? -1 : 0;
	return nla_put_u64(msg, CRMGUARD_ATTR_RULE_DEV, r->dev) ||
	       nla_put_u64(msg, CRMGUARD_ATTR_RULE_INO, r->ino) ? -1 : 0;
}

int kmod_msg_put_rule(struct nl_msg *msg, const struct kernel_rule *r, int fd)
{
	if (kmod_msg_put_rule_key(msg, r) || nla_put_u32(msg, CRMGUARD_ATTR_RULE_ID, r->id))
		return -1;
	if (r->type == CRMGUARD_RULE_USER)
		return nla_put_u32(msg, CRMGUARD_ATTR_RULE_USER_KIND, r->user_kind) ? -1 : 0;
	if (r->type == CRMGUARD_RULE_INODE)
		return nla_put_u32(msg, CRMGUARD_ATTR_RULE_FLAGS, r->flags) ||
		       nla_put_u32(msg, CRMGUARD_ATTR_RULE_FD, fd) ? -1 : 0;
	return fd >= 0 && nla_put_u32(msg, CRMGUARD_ATTR_RULE_FD, fd) ? -1 : 0;
}

int kmod_msg_put_config(struct nl_msg *msg, const struct kernel_config *cfg)
{
	return nla_put_u32(msg, CRMGUARD_ATTR_MODE, cfg->mode) ||
	       nla_put_u8(msg, CRMGUARD_ATTR_FAIL_OPEN, cfg->fail_open) ? -1 : 0;
}

/* A list of fds nested in attribute type (libnl leaves an empty one out). */
static int put_fds(struct nl_msg *msg, int type, const int *fds, size_t n)
{
	struct nlattr *list = nla_nest_start(msg, type);
	size_t i;

	if (!list)
		return -1;
	for (i = 0; i < n; i++)
		if (nla_put_u32(msg, CRMGUARD_ATTR_RULE_FD, fds[i]))
			return -1;
	return nla_nest_end(msg, list) ? -1 : 0;
}

int kmod_msg_put_clipboard(struct nl_msg *msg, uint32_t mode, const int *tool_fds, size_t ntools,
			   const int *allow_fds, size_t nallow)
{
	return nla_put_u32(msg, CRMGUARD_ATTR_CLIP_MODE, mode) ||
	       put_fds(msg, CRMGUARD_ATTR_CLIP_TOOLS, tool_fds, ntools) ||
	       put_fds(msg, CRMGUARD_ATTR_CLIP_ALLOW, allow_fds, nallow) ? -1 : 0;
}

/* The attributes of a message of the family, each as the policy says, all of need[] there. */
static int parse(struct nlmsghdr *nlh, struct nlattr **tb, const int *need)
{
	if (genlmsg_parse(nlh, 0, tb, CRMGUARD_ATTR_MAX, kmod_policy) < 0)
		return -1;
	for (; *need; need++)
		if (!tb[*need])
			return -1;
	return 0;
}

static uint64_t u64_or_0(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static uint32_t u32_or_0(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

int kmod_msg_parse_rule(struct nlmsghdr *nlh, struct kernel_rule *r)
{
	static const int need[] = { CRMGUARD_ATTR_RULE_TYPE, CRMGUARD_ATTR_RULE_ID, 0 };
	struct nlattr *tb[CRMGUARD_ATTR_MAX + 1];

	if (parse(nlh, tb, need))
		return -1;
	*r = (struct kernel_rule){
		.type = nla_get_u32(tb[CRMGUARD_ATTR_RULE_TYPE]),
		.dev = u64_or_0(tb[CRMGUARD_ATTR_RULE_DEV]),
		.ino = u64_or_0(tb[CRMGUARD_ATTR_RULE_INO]),
		.uid = u32_or_0(tb[CRMGUARD_ATTR_RULE_UID]),
		.user_kind = u32_or_0(tb[CRMGUARD_ATTR_RULE_USER_KIND]),
		.flags = u32_or_0(tb[CRMGUARD_ATTR_RULE_FLAGS]),
		.id = nla_get_u32(tb[CRMGUARD_ATTR_RULE_ID]),
	};
	if (r->type == CRMGUARD_RULE_USER)
		return tb[CRMGUARD_ATTR_RULE_UID] && tb[CRMGUARD_ATTR_RULE_USER_KIND] ? 0 : -1;
	if (r->type == CRMGUARD_RULE_INODE || r->type == CRMGUARD_RULE_EXE)
		return tb[CRMGUARD_ATTR_RULE_DEV] && tb[CRMGUARD_ATTR_RULE_INO] ? 0 : -1;
	return -1;
}

int kmod_msg_parse_verdict(struct nlmsghdr *nlh, struct kernel_verdict *v)
{
	static const int need[] = {
		CRMGUARD_ATTR_EV_OP, CRMGUARD_ATTR_EV_VERDICT, CRMGUARD_ATTR_RULE_ID,
		CRMGUARD_ATTR_RULE_DEV, CRMGUARD_ATTR_RULE_INO, CRMGUARD_ATTR_EV_PID,
		CRMGUARD_ATTR_EV_TID, CRMGUARD_ATTR_EV_UID, 0
	};
	struct nlattr *tb[CRMGUARD_ATTR_MAX + 1];

	if (parse(nlh, tb, need))
		return -1;
	memset(v, 0, sizeof(*v));
	v->op = nla_get_u32(tb[CRMGUARD_ATTR_EV_OP]);
	v->verdict = nla_get_u32(tb[CRMGUARD_ATTR_EV_VERDICT]);
	v->rule_id = nla_get_u32(tb[CRMGUARD_ATTR_RULE_ID]);
	v->dev = nla_get_u64(tb[CRMGUARD_ATTR_RULE_DEV]);
	v->ino = nla_get_u64(tb[CRMGUARD_ATTR_RULE_INO]);
	v->pid = nla_get_u32(tb[CRMGUARD_ATTR_EV_PID]);
	v->tid = nla_get_u32(tb[CRMGUARD_ATTR_EV_TID]);
	v->uid = nla_get_u32(tb[CRMGUARD_ATTR_EV_UID]);
	v->exe_dev = u64_or_0(tb[CRMGUARD_ATTR_EV_EXE_DEV]);
	v->exe_ino = u64_or_0(tb[CRMGUARD_ATTR_EV_EXE_INO]);
	if (tb[CRMGUARD_ATTR_EV_COMM])
		snprintf(v->comm, sizeof(v->comm), "%s", nla_get_string(tb[CRMGUARD_ATTR_EV_COMM]));
	if (tb[CRMGUARD_ATTR_EV_PATH])
		snprintf(v->path, sizeof(v->path), "%s", nla_get_string(tb[CRMGUARD_ATTR_EV_PATH]));
	if (tb[CRMGUARD_ATTR_EV_EXE])
		snprintf(v->exe, sizeof(v->exe), "%s", nla_get_string(tb[CRMGUARD_ATTR_EV_EXE]));
	return 0;
}

int kmod_msg_parse_refused(struct nlmsghdr *nlh, struct kernel_verdict *v)
{
	static const int need[] = { CRMGUARD_ATTR_EV_CMD, CRMGUARD_ATTR_EV_PID,
				    CRMGUARD_ATTR_EV_UID, 0 };
	struct nlattr *tb[CRMGUARD_ATTR_MAX + 1];

	if (parse(nlh, tb, need))
		return -1;
	memset(v, 0, sizeof(*v));
	v->refused_cmd = nla_get_u32(tb[CRMGUARD_ATTR_EV_CMD]);
	v->pid = nla_get_u32(tb[CRMGUARD_ATTR_EV_PID]);
	v->tid = v->pid;
	v->uid = nla_get_u32(tb[CRMGUARD_ATTR_EV_UID]);
	if (tb[CRMGUARD_ATTR_EV_COMM])
		snprintf(v->comm, sizeof(v->comm), "%s", nla_get_string(tb[CRMGUARD_ATTR_EV_COMM]));
	/* CRMGUARD_REFUSED_EXE_WRITE: the binary */
	v->dev = u64_or_0(tb[CRMGUARD_ATTR_RULE_DEV]);
	v->ino = u64_or_0(tb[CRMGUARD_ATTR_RULE_INO]);
	if (tb[CRMGUARD_ATTR_EV_PATH])
		snprintf(v->path, sizeof(v->path), "%s", nla_get_string(tb[CRMGUARD_ATTR_EV_PATH]));
	return v->refused_cmd ? 0 : -1;
}

int kmod_msg_parse_stats(struct nlmsghdr *nlh, struct kernel_stats *s, struct kernel_config *cfg)
{
	static const int need[] = {
		CRMGUARD_ATTR_MODE, CRMGUARD_ATTR_FAIL_OPEN, CRMGUARD_ATTR_STAT_ALLOW,
		CRMGUARD_ATTR_STAT_AUDIT, CRMGUARD_ATTR_STAT_DENY, CRMGUARD_ATTR_STAT_LOST,
		CRMGUARD_ATTR_STAT_RULES, 0
	};
	struct nlattr *tb[CRMGUARD_ATTR_MAX + 1];

	if (parse(nlh, tb, need))
		return -1;
	s->allow = nla_get_u64(tb[CRMGUARD_ATTR_STAT_ALLOW]);
	s->audit = nla_get_u64(tb[CRMGUARD_ATTR_STAT_AUDIT]);
	s->deny = nla_get_u64(tb[CRMGUARD_ATTR_STAT_DENY]);
	s->lost = nla_get_u64(tb[CRMGUARD_ATTR_STAT_LOST]);
	s->rules = nla_get_u32(tb[CRMGUARD_ATTR_STAT_RULES]);
	/* a module from before the lock sends neither */
	s->locked = tb[CRMGUARD_ATTR_LOCKED] && nla_get_u8(tb[CRMGUARD_ATTR_LOCKED]);
	s->refused = u64_or_0(tb[CRMGUARD_ATTR_STAT_REFUSED]);
	s->clip_probes = u32_or_0(tb[CRMGUARD_ATTR_CLIP_PROBES]);
	s->clip_missed = u64_or_0(tb[CRMGUARD_ATTR_STAT_CLIP_MISSED]);
	cfg->mode = nla_get_u32(tb[CRMGUARD_ATTR_MODE]);
	cfg->fail_open = nla_get_u8(tb[CRMGUARD_ATTR_FAIL_OPEN]);
	return 0;
}

/* The type of the attribute at byte off of the request, or 0 (none starts there: attributes are aligned). */
static int attr_at(const struct nlmsghdr *sent, uint32_t off)
{
	const struct nlattr *a;

	if (!sent || off < NLMSG_HDRLEN || off % NLA_ALIGNTO || off > sent->nlmsg_len ||
	    sent->nlmsg_len - off < sizeof(*a))
		return 0;
	a = (const void *)((const char *)sent + off);
	return a->nla_type & NLA_TYPE_MASK;
}

void kmod_msg_ext_ack(const struct nlmsghdr *nlh, const struct nlmsghdr *sent, char *buf, size_t len)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e));
	const char *text = NULL;
	int bad = 0, missing = 0;

	if (nlh->nlmsg_len < off) {
		snprintf(buf, len, "truncated error message");
		return;
	}
	/* The request comes back too unless the socket asked for capped acks. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off <= nlh->nlmsg_len &&
	    !nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		       nlh->nlmsg_len - off, NULL)) {
		/* a message that ends in its attribute and says something */
		if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0 &&
		    memchr(nla_data(tb[NLMSGERR_ATTR_MSG]), 0, nla_len(tb[NLMSGERR_ATTR_MSG])) &&
		    *nla_get_string(tb[NLMSGERR_ATTR_MSG]))
			text = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
		if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) >= 4)
			bad = attr_at(sent, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
		if (tb[NLMSGERR_ATTR_MISS_TYPE] && nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4)
			missing = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	}
	if (!text)	/* (INT_MIN has no negation: no errno is that) */
		text = e->error > INT_MIN ? strerror(-e->error) : "unknown error";
	snprintf(buf, len, "%s%s%s%s%s", text,
		 bad ? ", attribute " : "", bad ? kmod_msg_attr_name(bad) : "",
		 missing ? ", missing attribute " : "", missing ? kmod_msg_attr_name(missing) : "");
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

int kmod_rule_key_cmp(const struct kernel_rule *a, const struct kernel_rule *b)
{
	if (a->type != b->type)
		return cmp_u64(a->type, b->type);
	if (a->type == CRMGUARD_RULE_USER)
		return cmp_u64(a->uid, b->uid);
	return a->dev != b->dev ? cmp_u64(a->dev, b->dev) : cmp_u64(a->ino, b->ino);
}

/* Whether the kernel's rule a already is b (the key is the same). */
/* An INODE rule for another file under the same number is a change too. */
static bool rule_same(const struct kernel_rule *a, const struct kernel_rule *b)
{
	return a->id == b->id &&
	       (a->type != CRMGUARD_RULE_USER || a->user_kind == b->user_kind) &&
	       (a->type != CRMGUARD_RULE_INODE || (a->flags == b->flags && a->ident == b->ident));
}

static int by_key(const void *x, const void *y, void *rules)
{
	const struct kernel_rule *r = rules;

	return kmod_rule_key_cmp(&r[*(const size_t *)x], &r[*(const size_t *)y]);
}

static size_t *sorted(const struct kernel_rule *r, size_t n)
{
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	size_t i;

	if (!idx)
		return NULL;
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), by_key, (void *)r);
	return idx;
}

int kmod_plan(const struct kernel_rule *have, size_t nhave,
	      const struct kernel_rule *want, size_t nwant,
	      size_t *add, size_t *nadd, size_t *del, size_t *ndel)
{
	size_t *h = sorted(have, nhave), *w = sorted(want, nwant);
	size_t i = 0, j = 0;
	int c, ret = -1;

	if (!h || !w)
		goto out;
	*nadd = *ndel = 0;
	while (i < nhave || j < nwant) {
		c = i == nhave ? 1 : j == nwant ? -1 : kmod_rule_key_cmp(&have[h[i]], &want[w[j]]);
		if (c < 0) {
			del[(*ndel)++] = h[i++];
		} else if (c > 0) {
			add[(*nadd)++] = w[j++];
		} else {
			if (!rule_same(&have[h[i]], &want[w[j]]))
				add[(*nadd)++] = w[j];
			i++;
			j++;
		}
	}
	ret = 0;
out:
	free(h);
	free(w);
	return ret;
}

void kmod_keep_idents(struct kernel_rule *have, size_t nhave,
		      const struct kernel_rule *want, size_t nwant)
{
	size_t *h = sorted(have, nhave), *w = sorted(want, nwant);
	size_t i = 0, j = 0;
	int c;

	while (h && w && i < nhave && j < nwant) {
		c = kmod_rule_key_cmp(&have[h[i]], &want[w[j]]);
		if (!c)
			have[h[i]].ident = want[w[j]].ident;
		i += c <= 0;
		j += c >= 0;
	}
	free(h);
	free(w);
}
