// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/daemon/enforce/kmod_msg.c: crmguard.ko's messages built and read
 * back (rules, verdicts, stats), refused when malformed, the text of an
 * extended ack, and the plan replace() follows. No socket, no module.
 */
#include <errno.h>
#include <stdlib.h>
#include <linux/genetlink.h>
#include <netlink/genl/genl.h>
#include "ctl/daemon/enforce/kmod_msg.h"
#include "assert.h"

#define FAMILY 0x20

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, 0, 0, FAMILY, 0, 0, cmd, CRMGUARD_GENL_VERSION);
	return msg;
}

static const struct kernel_rule rules[] = {
	{ .type = CRMGUARD_RULE_INODE, .dev = 0x801, .ino = 1ULL << 40, .flags = CRMGUARD_F_DIR, .id = 3 },
	{ .type = CRMGUARD_RULE_EXE, .dev = 0xfd00, .ino = 77, .id = 4 },
	{ .type = CRMGUARD_RULE_USER, .uid = 1001, .user_kind = CRMGUARD_USER_REVOKE, .id = 5 },
};

static void rule_round_trip(void)
{
	struct kernel_rule r;
	struct nl_msg *msg;
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		msg = new_msg(CRMGUARD_CMD_RULE_GET);
		ASSERT_EQ(kmod_msg_put_rule(msg, &rules[i], 9), 0);
		ASSERT_EQ(kmod_msg_parse_rule(nlmsg_hdr(msg), &r), 0);
		nlmsg_free(msg);
		ASSERT_EQ(r.type, rules[i].type);
		ASSERT_EQ(r.dev, rules[i].dev);
		ASSERT_EQ(r.ino, rules[i].ino);
		ASSERT_EQ(r.uid, rules[i].uid);
		ASSERT_EQ(r.user_kind, rules[i].user_kind);
		ASSERT_EQ(r.flags, rules[i].flags);
		ASSERT_EQ(r.id, rules[i].id);
	}
}

/* An INODE rule carries its fd; a delete carries the key and nothing else. */
static void rule_add_and_delete_attributes(void)
{
	struct nlattr *tb[CRMGUARD_ATTR_MAX + 1];
	struct nl_msg *msg = new_msg(CRMGUARD_CMD_RULE_ADD);

	ASSERT_EQ(kmod_msg_put_rule(msg, &rules[0], 9), 0);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(msg), 0, tb, CRMGUARD_ATTR_MAX, NULL), 0);
	ASSERT_TRUE(tb[CRMGUARD_ATTR_RULE_FD] != NULL);
	ASSERT_EQ(nla_get_u32(tb[CRMGUARD_ATTR_RULE_FD]), 9);
	nlmsg_free(msg);
	msg = new_msg(CRMGUARD_CMD_RULE_DEL);
	ASSERT_EQ(kmod_msg_put_rule_key(msg, &rules[2]), 0);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(msg), 0, tb, CRMGUARD_ATTR_MAX, NULL), 0);
	nlmsg_free(msg);
	ASSERT_TRUE(tb[CRMGUARD_ATTR_RULE_UID] && tb[CRMGUARD_ATTR_RULE_TYPE]);
	ASSERT_TRUE(!tb[CRMGUARD_ATTR_RULE_ID] && !tb[CRMGUARD_ATTR_RULE_USER_KIND]);
}

/* An EXE rule carries the binary's fd where there is one (for the lock), else none. */
static void exe_rule_fd_if_any(void)
{
	struct nlattr *tb[CRMGUARD_ATTR_MAX + 1];
	struct nl_msg *msg = new_msg(CRMGUARD_CMD_RULE_ADD);

	ASSERT_EQ(kmod_msg_put_rule(msg, &rules[1], 12), 0);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(msg), 0, tb, CRMGUARD_ATTR_MAX, NULL), 0);
	ASSERT_TRUE(tb[CRMGUARD_ATTR_RULE_FD] != NULL);
	ASSERT_EQ(nla_get_u32(tb[CRMGUARD_ATTR_RULE_FD]), 12);
	ASSERT_TRUE(!tb[CRMGUARD_ATTR_RULE_FLAGS]);
	nlmsg_free(msg);
	msg = new_msg(CRMGUARD_CMD_RULE_ADD);
	ASSERT_EQ(kmod_msg_put_rule(msg, &rules[1], -1), 0);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(msg), 0, tb, CRMGUARD_ATTR_MAX, NULL), 0);
	nlmsg_free(msg);
	ASSERT_TRUE(!tb[CRMGUARD_ATTR_RULE_FD]);
	ASSERT_TRUE(tb[CRMGUARD_ATTR_RULE_DEV] && tb[CRMGUARD_ATTR_RULE_INO]);
}

/*
 * CLIPBOARD_SET: the mode, the tools' fds in order inside ATTR_CLIP_TOOLS,
 * flagged nested as the kernel's strict checks want, the allowed binaries'
 * in ATTR_CLIP_ALLOW; an empty list, no nest (libnl leaves it out; the
 * module takes that).
 */
static void clipboard_attributes(void)
{
	static const int fds[] = { 7, 3, 12 };
	struct nlattr *tb[CRMGUARD_ATTR_MAX + 1], *a;
	struct nl_msg *msg = new_msg(CRMGUARD_CMD_CLIPBOARD_SET);
	int rem, n = 0;

	ASSERT_EQ(kmod_msg_put_clipboard(msg, CRMGUARD_CLIP_BLOCK, fds, 3, fds + 1, 1), 0);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(msg), 0, tb, CRMGUARD_ATTR_MAX, NULL), 0);
	ASSERT_EQ(nla_get_u32(tb[CRMGUARD_ATTR_CLIP_MODE]), CRMGUARD_CLIP_BLOCK);
	ASSERT_TRUE(tb[CRMGUARD_ATTR_CLIP_TOOLS] && (tb[CRMGUARD_ATTR_CLIP_TOOLS]->nla_type & NLA_F_NESTED));
	nla_for_each_nested(a, tb[CRMGUARD_ATTR_CLIP_TOOLS], rem) {
		ASSERT_EQ(nla_type(a), CRMGUARD_ATTR_RULE_FD);
		ASSERT_TRUE(n < 3);
		ASSERT_EQ(nla_get_u32(a), (uint32_t)fds[n]);
		n++;
	}
	ASSERT_EQ(n, 3);
	ASSERT_EQ(nla_get_u32(nla_data(tb[CRMGUARD_ATTR_CLIP_ALLOW])), 3);
	ASSERT_EQ(nla_len(tb[CRMGUARD_ATTR_CLIP_ALLOW]), NLA_HDRLEN + 4);
	nlmsg_free(msg);
	msg = new_msg(CRMGUARD_CMD_CLIPBOARD_SET);
	ASSERT_EQ(kmod_msg_put_clipboard(msg, CRMGUARD_CLIP_AUDIT, NULL, 0, NULL, 0), 0);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(msg), 0, tb, CRMGUARD_ATTR_MAX, NULL), 0);
	ASSERT_EQ(nla_get_u32(tb[CRMGUARD_ATTR_CLIP_MODE]), CRMGUARD_CLIP_AUDIT);
	ASSERT_TRUE(!tb[CRMGUARD_ATTR_CLIP_TOOLS] && !tb[CRMGUARD_ATTR_CLIP_ALLOW]);
	nlmsg_free(msg);
}

/* What an otherwise whole EXE rule message has wrong. */
enum rule_flaw { RULE_WHOLE, RULE_NO_ID, RULE_TYPE_U16, RULE_TYPE_UNKNOWN };

static struct nl_msg *exe_rule_msg(enum rule_flaw flaw)
{
	struct nl_msg *msg = new_msg(CRMGUARD_CMD_RULE_GET);
	uint16_t type16 = CRMGUARD_RULE_EXE;

	if (flaw == RULE_TYPE_U16)
		nla_put(msg, CRMGUARD_ATTR_RULE_TYPE, sizeof(type16), &type16);
	else
		nla_put_u32(msg, CRMGUARD_ATTR_RULE_TYPE, flaw == RULE_TYPE_UNKNOWN ? 9 : CRMGUARD_RULE_EXE);
	if (flaw != RULE_NO_ID)
		nla_put_u32(msg, CRMGUARD_ATTR_RULE_ID, 1);
	nla_put_u64(msg, CRMGUARD_ATTR_RULE_DEV, 1);
	nla_put_u64(msg, CRMGUARD_ATTR_RULE_INO, 1);
	return msg;
}

static struct nl_msg *user_rule_msg(bool with_uid)
{
	struct nl_msg *msg = new_msg(CRMGUARD_CMD_RULE_GET);

	nla_put_u32(msg, CRMGUARD_ATTR_RULE_TYPE, CRMGUARD_RULE_USER);
	nla_put_u32(msg, CRMGUARD_ATTR_RULE_ID, 1);
	nla_put_u32(msg, CRMGUARD_ATTR_RULE_USER_KIND, 1);
	if (with_uid)
		nla_put_u32(msg, CRMGUARD_ATTR_RULE_UID, 1000);
	return msg;
}

/*
 * Each message is refused for the one flaw it has: the same message
 * without it parses, so a check that went missing would show.
 */
static void rule_malformed_refused(void)
{
	static const enum rule_flaw flaws[] = { RULE_NO_ID, RULE_TYPE_U16, RULE_TYPE_UNKNOWN };
	struct kernel_rule r;
	struct nl_msg *msg;
	size_t i;

	msg = exe_rule_msg(RULE_WHOLE);
	ASSERT_EQ(kmod_msg_parse_rule(nlmsg_hdr(msg), &r), 0);
	nlmsg_free(msg);
	for (i = 0; i < sizeof(flaws) / sizeof(flaws[0]); i++) {
		msg = exe_rule_msg(flaws[i]);
		if (kmod_msg_parse_rule(nlmsg_hdr(msg), &r) != -1)
			FAILF("flaw #%zu: taken", i);
		nlmsg_free(msg);
	}
	msg = user_rule_msg(true);
	ASSERT_EQ(kmod_msg_parse_rule(nlmsg_hdr(msg), &r), 0);
	nlmsg_free(msg);
	/* a user rule without its uid */
	msg = user_rule_msg(false);
	ASSERT_EQ(kmod_msg_parse_rule(nlmsg_hdr(msg), &r), -1);
	nlmsg_free(msg);
}

static struct nl_msg *verdict_msg(bool with_pid, const char *comm)
{
	struct nl_msg *msg = new_msg(CRMGUARD_CMD_VERDICT);

	nla_put_u32(msg, CRMGUARD_ATTR_EV_OP, CRMGUARD_OP_READ);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_VERDICT, CRMGUARD_VERDICT_DENY);
	nla_put_u32(msg, CRMGUARD_ATTR_RULE_ID, 12);
	nla_put_u64(msg, CRMGUARD_ATTR_RULE_DEV, 0x801);
	nla_put_u64(msg, CRMGUARD_ATTR_RULE_INO, 4242);
	if (with_pid)
		nla_put_u32(msg, CRMGUARD_ATTR_EV_PID, 100);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_TID, 101);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_UID, 1002);
	nla_put_u64(msg, CRMGUARD_ATTR_EV_EXE_DEV, 0x802);
	nla_put_u64(msg, CRMGUARD_ATTR_EV_EXE_INO, 99);
	nla_put_string(msg, CRMGUARD_ATTR_EV_COMM, comm);
	nla_put_string(msg, CRMGUARD_ATTR_EV_PATH, "/var/lib/crm/clients db");
	return msg;
}

static void verdict_round_trip(void)
{
	struct nl_msg *msg = verdict_msg(true, "a-very-long-command-name");
	struct kernel_verdict v;

	ASSERT_EQ(kmod_msg_parse_verdict(nlmsg_hdr(msg), &v), 0);
	nlmsg_free(msg);
	ASSERT_EQ(v.op, CRMGUARD_OP_READ);
	ASSERT_EQ(v.verdict, CRMGUARD_VERDICT_DENY);
	ASSERT_EQ(v.rule_id, 12);
	ASSERT_EQ(v.dev, 0x801);
	ASSERT_EQ(v.ino, 4242);
	ASSERT_EQ(v.pid, 100);
	ASSERT_EQ(v.tid, 101);
	ASSERT_EQ(v.uid, 1002);
	ASSERT_EQ(v.exe_dev, 0x802);
	ASSERT_EQ(v.exe_ino, 99);
	ASSERT_STREQ(v.comm, "a-very-long-com");
	ASSERT_STREQ(v.path, "/var/lib/crm/clients db");
}

static void verdict_without_pid_refused(void)
{
	struct nl_msg *msg = verdict_msg(false, "cat");
	struct kernel_verdict v;

	ASSERT_EQ(kmod_msg_parse_verdict(nlmsg_hdr(msg), &v), -1);
	nlmsg_free(msg);
}

static void stats_round_trip(void)
{
	struct nl_msg *msg = new_msg(CRMGUARD_CMD_STATS_GET);
	struct kernel_config cfg = { .mode = CRMGUARD_MODE_AUDIT, .fail_open = true }, got;
	struct kernel_stats s;

	kmod_msg_put_config(msg, &cfg);
	nla_put_u64(msg, CRMGUARD_ATTR_STAT_ALLOW, 1);
	nla_put_u64(msg, CRMGUARD_ATTR_STAT_AUDIT, 2);
	nla_put_u64(msg, CRMGUARD_ATTR_STAT_DENY, 3);
	nla_put_u64(msg, CRMGUARD_ATTR_STAT_LOST, 1ULL << 33);
	nla_put_u32(msg, CRMGUARD_ATTR_STAT_RULES, 5);
	ASSERT_EQ(kmod_msg_parse_stats(nlmsg_hdr(msg), &s, &got), 0);
	nlmsg_free(msg);
	ASSERT_EQ(s.allow, 1);
	ASSERT_EQ(s.audit, 2);
	ASSERT_EQ(s.deny, 3);
	ASSERT_EQ(s.lost, 1ULL << 33);
	ASSERT_EQ(s.rules, 5);
	ASSERT_TRUE(!s.locked);		/* a module from before the lock says nothing of it */
	ASSERT_EQ(s.refused, 0);
	ASSERT_EQ(s.clip_probes, 0);	/* nor one from before the display probes */
	ASSERT_EQ(got.mode, CRMGUARD_MODE_AUDIT);
	ASSERT_TRUE(got.fail_open);
}

/* A STATS_GET reply of an enforcing module with nothing counted, rules rules; more to add. */
static struct nl_msg *stats_msg(uint32_t rules)
{
	struct nl_msg *msg = new_msg(CRMGUARD_CMD_STATS_GET);
	struct kernel_config cfg = { .mode = CRMGUARD_MODE_ENFORCE };

	kmod_msg_put_config(msg, &cfg);
	nla_put_u64(msg, CRMGUARD_ATTR_STAT_ALLOW, 0);
	nla_put_u64(msg, CRMGUARD_ATTR_STAT_AUDIT, 0);
	nla_put_u64(msg, CRMGUARD_ATTR_STAT_DENY, 0);
	nla_put_u64(msg, CRMGUARD_ATTR_STAT_LOST, 0);
	nla_put_u32(msg, CRMGUARD_ATTR_STAT_RULES, rules);
	return msg;
}

/* The display probes that are on, and the connections they could not end. */
static void stats_clipboard_probes(void)
{
	struct nl_msg *msg = stats_msg(0);
	struct kernel_config got;
	struct kernel_stats s;

	nla_put_u32(msg, CRMGUARD_ATTR_CLIP_PROBES, CRMGUARD_CLIP_PROBE_UNIX | CRMGUARD_CLIP_PROBE_TCP6);
	nla_put_u64(msg, CRMGUARD_ATTR_STAT_CLIP_MISSED, 9);
	ASSERT_EQ(kmod_msg_parse_stats(nlmsg_hdr(msg), &s, &got), 0);
	nlmsg_free(msg);
	ASSERT_EQ(s.clip_probes, CRMGUARD_CLIP_PROBE_UNIX | CRMGUARD_CLIP_PROBE_TCP6);
	ASSERT_EQ(s.clip_missed, 9);
}

/*
 * An NLMSG_ERROR as the kernel builds it: capped (or with the request
 * echoed), then the TLVs. tlv_msg/offs/miss: 0 or NULL leaves one out.
 */
static size_t error_msg(char *buf, struct nlmsghdr *sent, bool capped, int error,
			const char *tlv_msg, uint32_t offs, uint32_t miss)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e));
	struct nlattr *a;

	memset(buf, 0, 8192);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = (capped ? NLM_F_CAPPED : 0) | (tlv_msg || offs || miss ? NLM_F_ACK_TLVS : 0);
	e->error = error;
	e->msg = *sent;
	if (!capped) {
		memcpy(buf + len, (char *)sent + NLMSG_HDRLEN, sent->nlmsg_len - NLMSG_HDRLEN);
		len += NLMSG_ALIGN(sent->nlmsg_len - NLMSG_HDRLEN);
	}
	if (tlv_msg) {
		a = (struct nlattr *)(buf + len);
		a->nla_type = NLMSGERR_ATTR_MSG;
		a->nla_len = NLA_HDRLEN + strlen(tlv_msg) + 1;
		strcpy(buf + len + NLA_HDRLEN, tlv_msg);
		len += NLA_ALIGN(a->nla_len);
	}
	if (offs) {
		a = (struct nlattr *)(buf + len);
		a->nla_type = NLMSGERR_ATTR_OFFS;
		a->nla_len = NLA_HDRLEN + 4;
		memcpy(buf + len + NLA_HDRLEN, &offs, 4);
		len += NLA_ALIGN(a->nla_len);
	}
	if (miss) {
		a = (struct nlattr *)(buf + len);
		a->nla_type = NLMSGERR_ATTR_MISS_TYPE;
		a->nla_len = NLA_HDRLEN + 4;
		memcpy(buf + len + NLA_HDRLEN, &miss, 4);
		len += NLA_ALIGN(a->nla_len);
	}
	nlh->nlmsg_len = len;
	return len;
}

/* The offset of the attribute of that type in a request. */
static uint32_t offset_of(struct nl_msg *msg, int type)
{
	struct nlattr *tb[CRMGUARD_ATTR_MAX + 1];

	genlmsg_parse(nlmsg_hdr(msg), 0, tb, CRMGUARD_ATTR_MAX, NULL);
	return (char *)tb[type] - (char *)nlmsg_hdr(msg);
}

/* A locked module's stats, and a command it refused, multicast. */
static void lock_stats_and_refusal(void)
{
	struct nl_msg *msg = stats_msg(2);
	struct kernel_config got;
	struct kernel_stats s;
	struct kernel_verdict v;

	nla_put_u8(msg, CRMGUARD_ATTR_LOCKED, 1);
	nla_put_u64(msg, CRMGUARD_ATTR_STAT_REFUSED, 7);
	ASSERT_EQ(kmod_msg_parse_stats(nlmsg_hdr(msg), &s, &got), 0);
	nlmsg_free(msg);
	ASSERT_TRUE(s.locked);
	ASSERT_EQ(s.refused, 7);

	msg = new_msg(CRMGUARD_CMD_REFUSED);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_CMD, CRMGUARD_CMD_RULE_DEL);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_PID, 300);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_UID, 0);
	nla_put_string(msg, CRMGUARD_ATTR_EV_COMM, "kmodctl");
	ASSERT_EQ(kmod_msg_parse_refused(nlmsg_hdr(msg), &v), 0);
	nlmsg_free(msg);
	ASSERT_EQ(v.refused_cmd, CRMGUARD_CMD_RULE_DEL);
	ASSERT_EQ(v.pid, 300);
	ASSERT_STREQ(v.comm, "kmodctl");
	ASSERT_EQ(v.ino, 0);

	/* an open for write of an allowed binary: which one */
	msg = new_msg(CRMGUARD_CMD_REFUSED);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_CMD, CRMGUARD_REFUSED_EXE_WRITE);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_PID, 301);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_UID, 0);
	nla_put_string(msg, CRMGUARD_ATTR_EV_COMM, "cp");
	nla_put_u64(msg, CRMGUARD_ATTR_RULE_DEV, 0xfd00);
	nla_put_u64(msg, CRMGUARD_ATTR_RULE_INO, 77);
	nla_put_string(msg, CRMGUARD_ATTR_EV_PATH, "/usr/bin/sqlite3");
	ASSERT_EQ(kmod_msg_parse_refused(nlmsg_hdr(msg), &v), 0);
	nlmsg_free(msg);
	ASSERT_EQ(v.refused_cmd, CRMGUARD_REFUSED_EXE_WRITE);
	ASSERT_EQ(v.pid, 301);
	ASSERT_EQ(v.dev, 0xfd00);
	ASSERT_EQ(v.ino, 77);
	ASSERT_STREQ(v.path, "/usr/bin/sqlite3");
	ASSERT_STREQ(v.comm, "cp");

	/* without the command it names nothing */
	msg = new_msg(CRMGUARD_CMD_REFUSED);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_PID, 300);
	nla_put_u32(msg, CRMGUARD_ATTR_EV_UID, 0);
	ASSERT_EQ(kmod_msg_parse_refused(nlmsg_hdr(msg), &v), -1);
	nlmsg_free(msg);
}

static void ext_ack_names_attribute(void)
{
	struct nl_msg *sent = new_msg(CRMGUARD_CMD_RULE_ADD);
	char buf[8192] __attribute__((aligned(8))), text[256];
	uint32_t off;

	kmod_msg_put_rule(sent, &rules[2], -1);
	off = offset_of(sent, CRMGUARD_ATTR_RULE_UID);
	error_msg(buf, nlmsg_hdr(sent), true, -EINVAL, "integer out of range", off, 0);
	kmod_msg_ext_ack((struct nlmsghdr *)buf, nlmsg_hdr(sent), text, sizeof(text));
	ASSERT_STREQ(text, "integer out of range, attribute RULE_UID");
	/* The same with the request echoed before the TLVs. */
	error_msg(buf, nlmsg_hdr(sent), false, -EINVAL, "integer out of range", off, 0);
	kmod_msg_ext_ack((struct nlmsghdr *)buf, nlmsg_hdr(sent), text, sizeof(text));
	nlmsg_free(sent);
	ASSERT_STREQ(text, "integer out of range, attribute RULE_UID");
}

static void ext_ack_missing_attribute(void)
{
	struct nl_msg *sent = new_msg(CRMGUARD_CMD_RULE_ADD);
	char buf[8192] __attribute__((aligned(8))), text[256];

	error_msg(buf, nlmsg_hdr(sent), true, -EINVAL, "an attribute this rule type needs is missing",
		  0, CRMGUARD_ATTR_RULE_FD);
	kmod_msg_ext_ack((struct nlmsghdr *)buf, nlmsg_hdr(sent), text, sizeof(text));
	nlmsg_free(sent);
	ASSERT_STREQ(text, "an attribute this rule type needs is missing, missing attribute RULE_FD");
}

static void ext_ack_without_tlvs_is_strerror(void)
{
	struct nl_msg *sent = new_msg(CRMGUARD_CMD_RULE_FLUSH);
	char buf[8192] __attribute__((aligned(8))), text[256];

	error_msg(buf, nlmsg_hdr(sent), true, -EPERM, NULL, 0, 0);
	kmod_msg_ext_ack((struct nlmsghdr *)buf, nlmsg_hdr(sent), text, sizeof(text));
	nlmsg_free(sent);
	ASSERT_STREQ(text, "Operation not permitted");
}

/* Offsets past the request, an unterminated message, a cut-off error: no crash, no lie. */
static void ext_ack_hostile(void)
{
	struct nl_msg *sent = new_msg(CRMGUARD_CMD_RULE_ADD);
	char buf[8192] __attribute__((aligned(8))), text[256];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	size_t len;

	error_msg(buf, nlmsg_hdr(sent), true, -EINVAL, "bad", 60000, 0);
	kmod_msg_ext_ack(nlh, nlmsg_hdr(sent), text, sizeof(text));
	ASSERT_STREQ(text, "bad");
	len = error_msg(buf, nlmsg_hdr(sent), true, -EINVAL, "abcd", 0, 0);
	buf[len - 4] = 'x';	/* the NUL of "abcd" (padded to 8) */
	buf[len - 3] = 'x';
	buf[len - 2] = 'x';
	buf[len - 1] = 'x';
	kmod_msg_ext_ack(nlh, nlmsg_hdr(sent), text, sizeof(text));
	ASSERT_STREQ(text, "Invalid argument");
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	kmod_msg_ext_ack(nlh, nlmsg_hdr(sent), text, sizeof(text));
	nlmsg_free(sent);
	ASSERT_STREQ(text, "truncated error message");
}

static bool has(const size_t *v, size_t n, size_t x)
{
	while (n--)
		if (v[n] == x)
			return true;
	return false;
}

static void plan_adds_changed_and_new_deletes_gone(void)
{
	struct kernel_rule have[3] = { rules[0], rules[1], rules[2] }, want[3];
	size_t add[3], del[3], nadd, ndel;

	want[0] = rules[0];			/* the same */
	want[1] = rules[1];
	want[1].id = 40;			/* changed id */
	want[2] = rules[0];
	want[2].ino = 5;			/* new */
	ASSERT_EQ(kmod_plan(have, 3, want, 3, add, &nadd, del, &ndel), 0);
	ASSERT_EQ(nadd, 2);
	ASSERT_TRUE(has(add, nadd, 1) && has(add, nadd, 2));
	ASSERT_EQ(ndel, 1);
	ASSERT_EQ(del[0], 2);			/* the user rule is gone */
}

static void plan_flag_and_kind_changes_are_adds(void)
{
	struct kernel_rule have[2] = { rules[0], rules[2] }, want[2] = { rules[0], rules[2] };
	size_t add[2], del[2], nadd, ndel;

	want[0].flags |= CRMGUARD_F_AUDIT;
	want[1].user_kind = CRMGUARD_USER_ALLOW;
	ASSERT_EQ(kmod_plan(have, 2, want, 2, add, &nadd, del, &ndel), 0);
	ASSERT_EQ(nadd, 2);
	ASSERT_EQ(ndel, 0);
}

/*
 * A new file under an old inode number (ext4): the kernel reports the key
 * as there, but it is another file's rule until the new one is pushed.
 * Rules read back have no ident until kmod_keep_idents() gives them the
 * pushed ones': the first push after a start sends every inode rule once.
 */
static void plan_readds_a_new_file_under_an_old_number(void)
{
	struct kernel_rule have[2] = { rules[0], rules[2] }, want[2] = { rules[0], rules[2] };
	size_t add[2], del[2], nadd, ndel;

	want[0].ident = 7;
	ASSERT_EQ(kmod_plan(have, 2, want, 2, add, &nadd, del, &ndel), 0);
	ASSERT_EQ(nadd, 1);			/* read back: not known to be this file */
	ASSERT_EQ(add[0], 0);
	kmod_keep_idents(have, 2, want, 2);
	ASSERT_EQ(have[0].ident, 7);
	ASSERT_EQ(kmod_plan(have, 2, want, 2, add, &nadd, del, &ndel), 0);
	ASSERT_EQ(nadd, 0);			/* pushed, and the same file */
	want[0].ident = 8;			/* saved over: a new file, the same number */
	ASSERT_EQ(kmod_plan(have, 2, want, 2, add, &nadd, del, &ndel), 0);
	ASSERT_EQ(nadd, 1);
	ASSERT_EQ(ndel, 0);
}

static void plan_same_set_in_any_order_is_nothing(void)
{
	enum { N = 1000 };
	struct kernel_rule *have = calloc(N, sizeof(*have)), *want = calloc(N, sizeof(*want));
	size_t *add = calloc(N, sizeof(*add)), *del = calloc(N, sizeof(*del)), nadd, ndel, i;

	for (i = 0; i < N; i++) {
		have[i] = rules[i % 3];
		have[i].ino += i;
		have[i].uid += i;
		want[N - 1 - i] = have[i];
	}
	ASSERT_EQ(kmod_plan(have, N, want, N, add, &nadd, del, &ndel), 0);
	ASSERT_EQ(nadd, 0);
	ASSERT_EQ(ndel, 0);
	ASSERT_EQ(kmod_plan(have, N, want, 0, add, &nadd, del, &ndel), 0);
	ASSERT_EQ(ndel, N);
	ASSERT_EQ(kmod_plan(have, 0, want, N, add, &nadd, del, &ndel), 0);
	ASSERT_EQ(nadd, N);
	free(have);
	free(want);
	free(add);
	free(del);
}

int main(void)
{
	RUN(rule_round_trip);
	RUN(rule_add_and_delete_attributes);
	RUN(exe_rule_fd_if_any);
	RUN(clipboard_attributes);
	RUN(rule_malformed_refused);
	RUN(verdict_round_trip);
	RUN(verdict_without_pid_refused);
	RUN(stats_round_trip);
	RUN(stats_clipboard_probes);
	RUN(lock_stats_and_refusal);
	RUN(ext_ack_names_attribute);
	RUN(ext_ack_missing_attribute);
	RUN(ext_ack_without_tlvs_is_strerror);
	RUN(ext_ack_hostile);
	RUN(plan_adds_changed_and_new_deletes_gone);
	RUN(plan_flag_and_kind_changes_are_adds);
	RUN(plan_readds_a_new_file_under_an_old_number);
	RUN(plan_same_set_in_any_order_is_nothing);
	return test_failed ? 1 : 0;
}
