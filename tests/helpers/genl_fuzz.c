// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz: malformed and random messages to crmguard.ko's generic
 * netlink family, over a raw socket so that anything can be sent.
 *
 *   genl_fuzz [-n COUNT] [-s SEED] PATH
 *	COUNT messages, each a valid request (PATH is the file a protect
 *	rule names) with one defect drawn at random: unknown command,
 *	reserved header bits, stray flags, unknown or misplaced attribute,
 *	wrong length, value out of range, missing attribute, cut-off
 *	attribute, bad or wrong fd, a dump of a doit, clipboard tools that
 *	or allowed binaries that are not files (or too many), a taint of
 *	no process. Each must come
 *	back as an error. Then COUNT/3 random bodies, each of which must be
 *	answered.
 *   genl_fuzz -u PATH
 *	for a process without CAP_NET_ADMIN: the same requests without
 *	defects (flush, config, add, delete, dump, stats, taint, clipboard)
 *	must all fail with EPERM, and the verdict group must not let it in.
 * Prints one summary line. Exit status: 0 as expected, 1 usage, 2 not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include "kmod/uapi/crmguard.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct msg {
	char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len;
};

static int family, sock;
static unsigned int seq;
static struct stat target;
static int target_fd, pipe_fd;

static struct nlmsghdr *hdr(struct msg *m)
{
	return (struct nlmsghdr *)m->buf;
}

static void start(struct msg *m, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *g = (void *)(m->buf + NLMSG_HDRLEN);

	memset(m, 0, sizeof(*m));
	hdr(m)->nlmsg_type = family;
	hdr(m)->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g->cmd = cmd;
	g->version = CRMGUARD_GENL_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

static void put(struct msg *m, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (void *)(m->buf + m->len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(a->nla_len);
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_u64(struct msg *m, uint16_t type, uint64_t v)
{
	put(m, type, &v, sizeof(v));
}

/* A list (ATTR_CLIP_TOOLS, _ALLOW) holding n attributes of that type, each one of fds[]. */
static void put_list(struct msg *m, uint16_t list, uint16_t type, const int *fds, int n)
{
	struct nlattr *nest = (void *)(m->buf + m->len);
	int i;

	nest->nla_type = list | NLA_F_NESTED;
	m->len += NLA_HDRLEN;
	for (i = 0; i < n; i++)
		put_u32(m, type, fds[i]);
	nest->nla_len = m->len - ((char *)nest - m->buf);
}

/* The valid requests the defects are made in; kind picks one. */
static void valid_request(struct msg *m, unsigned int kind, uint32_t uid)
{
	switch (kind) {
	case 0:
		start(m, CRMGUARD_CMD_RULE_ADD, 0);
		put_u32(m, CRMGUARD_ATTR_RULE_TYPE, CRMGUARD_RULE_INODE);
		put_u64(m, CRMGUARD_ATTR_RULE_DEV, target.st_dev);
		put_u64(m, CRMGUARD_ATTR_RULE_INO, target.st_ino);
		put_u32(m, CRMGUARD_ATTR_RULE_FD, target_fd);
		put_u32(m, CRMGUARD_ATTR_RULE_ID, 77);
		break;
	case 1:
		start(m, CRMGUARD_CMD_RULE_ADD, 0);
		put_u32(m, CRMGUARD_ATTR_RULE_TYPE, CRMGUARD_RULE_USER);
		put_u32(m, CRMGUARD_ATTR_RULE_UID, uid);
		put_u32(m, CRMGUARD_ATTR_RULE_USER_KIND, CRMGUARD_USER_ALLOW);
		break;
	case 2:
		start(m, CRMGUARD_CMD_RULE_DEL, 0);
		put_u32(m, CRMGUARD_ATTR_RULE_TYPE, CRMGUARD_RULE_INODE);
		put_u64(m, CRMGUARD_ATTR_RULE_DEV, target.st_dev);
		put_u64(m, CRMGUARD_ATTR_RULE_INO, target.st_ino);
		break;
	case 3:
		start(m, CRMGUARD_CMD_CONFIG_SET, 0);
		put_u32(m, CRMGUARD_ATTR_MODE, CRMGUARD_MODE_AUDIT);
		put(m, CRMGUARD_ATTR_FAIL_OPEN, "\1", 1);
		break;
	case 4:
		start(m, CRMGUARD_CMD_RULE_FLUSH, 0);
		break;
	case 5:
		start(m, CRMGUARD_CMD_STATS_GET, 0);
		break;
	case 6:
		start(m, CRMGUARD_CMD_RULE_GET, NLM_F_DUMP);
		break;
	case 7:
		start(m, CRMGUARD_CMD_TAINT, 0);
		put_u32(m, CRMGUARD_ATTR_EV_PID, getpid());
		break;
	default:
		start(m, CRMGUARD_CMD_CLIPBOARD_SET, 0);
		put_u32(m, CRMGUARD_ATTR_CLIP_MODE, CRMGUARD_CLIP_AUDIT);
		put_list(m, CRMGUARD_ATTR_CLIP_TOOLS, CRMGUARD_ATTR_RULE_FD, &target_fd, 1);
		break;
	}
}

static uint32_t rnd(void)
{
	return (uint32_t)random();
}

/* The first attribute of m of that type, or NULL. */
static struct nlattr *find(struct msg *m, uint16_t type)
{
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
	struct nlattr *a;

	for (; off < m->len; off += NLA_ALIGN(a->nla_len)) {
		a = (void *)(m->buf + off);
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	}
	return NULL;
}

/* Drops the attribute of that type from m. */
static void drop(struct msg *m, uint16_t type)
{
	struct nlattr *a = find(m, type);
	size_t off, n;

	if (!a)
		return;
	off = (char *)a - m->buf;
	n = NLA_ALIGN(a->nla_len);
	memmove(m->buf + off, m->buf + off + n, m->len - off - n);
	m->len -= n;
}

static void set_u32(struct nlattr *a, uint32_t v)
{
	memcpy((char *)a + NLA_HDRLEN, &v, sizeof(v));
}

/* One defect in a valid request, drawn at random. Returns its name. */
static const char *defect(struct msg *m, uint32_t uid)
{
	struct genlmsghdr *g = (void *)(m->buf + NLMSG_HDRLEN);
	static const uint16_t stray[] = { 0x100, 0x200, 0x400, 0x800 };
	/* An attribute, a request it belongs in, and values its policy refuses. */
	static const struct {
		uint16_t type;
		unsigned int request;
		uint32_t bad[3];
	} ranges[] = {
		{ CRMGUARD_ATTR_RULE_TYPE, 1, { 0, 4, 0xffffffff } },
		{ CRMGUARD_ATTR_RULE_USER_KIND, 1, { 0, 4, 1000 } },
		{ CRMGUARD_ATTR_RULE_UID, 1, { 0xffffffff, 0xffffffff, 0xffffffff } },
		{ CRMGUARD_ATTR_RULE_FD, 0, { 0x80000000, 0xffffffff, 0x80000001 } },
		{ CRMGUARD_ATTR_MODE, 3, { 0, 3, 0xffffffff } },
	};
	static const uint16_t needed[] = {
		CRMGUARD_ATTR_RULE_TYPE, CRMGUARD_ATTR_RULE_DEV, CRMGUARD_ATTR_RULE_INO,
		CRMGUARD_ATTR_RULE_FD,
	};
	static const uint16_t misplaced[] = {
		CRMGUARD_ATTR_RULE_UID, CRMGUARD_ATTR_RULE_USER_KIND, CRMGUARD_ATTR_MODE,
		CRMGUARD_ATTR_EV_PID,
	};
	static const uint8_t doits[] = {
		CRMGUARD_CMD_RULE_ADD, CRMGUARD_CMD_RULE_DEL, CRMGUARD_CMD_RULE_FLUSH,
		CRMGUARD_CMD_CONFIG_SET, CRMGUARD_CMD_STATS_GET,
	};
	int fds[CRMGUARD_CLIP_TOOLS_MAX + 1];
	unsigned int i;
	struct nlattr *a;
	uint64_t zero = 0;

	switch (rnd() % 16) {
	case 0:
		valid_request(m, rnd() % 7, uid);
		g->cmd = rnd() % 2 ? 0 : CRMGUARD_CMD_VERDICT + rnd() % 249;
		/* the one command without attributes that succeeds: it would lock the module */
		if (g->cmd == CRMGUARD_CMD_LOCK)
			g->cmd = CRMGUARD_CMD_REFUSED;
		return "unknown command";
	case 1:
		valid_request(m, rnd() % 7, uid);
		g->reserved = 1 + rnd() % 0xffff;
		return "reserved header bits";
	case 2:
		valid_request(m, rnd() % 6, uid);
		hdr(m)->nlmsg_flags |= stray[rnd() % 4];
		return "stray nlmsg flags";
	case 3:
		valid_request(m, rnd() % 4, uid);
		put_u32(m, rnd() % 2 ? 0 : CRMGUARD_ATTR_MAX + 1 + rnd() % 1000, rnd());
		return "unknown attribute";
	case 4:
		i = rnd() % (sizeof(ranges) / sizeof(ranges[0]));
		valid_request(m, ranges[i].request, uid);
		set_u32(find(m, ranges[i].type), ranges[i].bad[rnd() % 3]);
		return "value out of range";
	case 5:
		valid_request(m, 0, uid);
		drop(m, CRMGUARD_ATTR_RULE_DEV);
		put(m, CRMGUARD_ATTR_RULE_DEV, &zero, 1 + rnd() % 7);
		return "wrong length";
	case 6:
		valid_request(m, 0, uid);
		drop(m, needed[rnd() % 4]);
		return "missing attribute";
	case 7:
		valid_request(m, 0, uid);
		put_u32(m, misplaced[rnd() % 4], 1);
		return "attribute of another rule type or command";
	case 8:
		valid_request(m, 0, uid);
		a = find(m, CRMGUARD_ATTR_RULE_ID);
		a->nla_len = rnd() % 2 ? rnd() % NLA_HDRLEN : 0x1000 + rnd() % 0xf000;
		return "cut-off attribute";
	case 9:
		valid_request(m, 0, uid);
		set_u32(find(m, CRMGUARD_ATTR_RULE_FD), rnd() % 2 ? 1000 + rnd() % 1000 : (uint32_t)pipe_fd);
		return "fd that is not the rule's file";
	case 10:
		valid_request(m, 0, uid);
		a = find(m, CRMGUARD_ATTR_RULE_INO);
		*(uint64_t *)((char *)a + NLA_HDRLEN) += 1 + rnd() % 1000;
		return "key that is not the fd's file";
	case 11:
		valid_request(m, rnd() % 6, uid);
		hdr(m)->nlmsg_flags |= NLM_F_DUMP;
		g->cmd = doits[rnd() % 5];
		return "dump of a doit";
	case 12:
		valid_request(m, 4 + rnd() % 3, uid);
		put_u32(m, 1 + rnd() % CRMGUARD_ATTR_MAX, rnd());
		return "attribute to a command that takes none";
	case 13:
		valid_request(m, 3, uid);
		drop(m, CRMGUARD_ATTR_MODE);
		drop(m, CRMGUARD_ATTR_FAIL_OPEN);
		return "config with nothing to set";
	case 14:
		valid_request(m, 8, uid);
		switch (rnd() % 6) {
		case 0:
			set_u32(find(m, CRMGUARD_ATTR_CLIP_MODE), CRMGUARD_CLIP_BLOCK + 1 + rnd() % 100);
			return "clipboard mode out of range";
		case 5:
			/* after the tools: nothing of either may stay */
			put_list(m, CRMGUARD_ATTR_CLIP_ALLOW, CRMGUARD_ATTR_RULE_FD, &pipe_fd, 1);
			return "clipboard allowed binary that is no file";
		case 1:
			drop(m, CRMGUARD_ATTR_CLIP_MODE);
			return "clipboard without its mode";
		case 2:
			/* the first is marked, then taken back when the second fails */
			drop(m, CRMGUARD_ATTR_CLIP_TOOLS);
			fds[0] = target_fd;
			fds[1] = rnd() % 2 ? pipe_fd : (int)(1000 + rnd() % 1000);
			put_list(m, CRMGUARD_ATTR_CLIP_TOOLS, CRMGUARD_ATTR_RULE_FD, fds, 2);
			return "clipboard tool that is no file";
		case 3:
			drop(m, CRMGUARD_ATTR_CLIP_TOOLS);
			put_list(m, CRMGUARD_ATTR_CLIP_TOOLS, CRMGUARD_ATTR_RULE_ID, &target_fd, 1);
			return "clipboard tools of another attribute";
		default:
			drop(m, CRMGUARD_ATTR_CLIP_TOOLS);
			for (i = 0; i <= CRMGUARD_CLIP_TOOLS_MAX; i++)
				fds[i] = target_fd;
			put_list(m, CRMGUARD_ATTR_CLIP_TOOLS, CRMGUARD_ATTR_RULE_FD, fds, CRMGUARD_CLIP_TOOLS_MAX + 1);
			return "too many clipboard tools";
		}
	default:
		valid_request(m, 7, uid);
		switch (rnd() % 3) {
		case 0:
			set_u32(find(m, CRMGUARD_ATTR_EV_PID), 0);
			return "taint of pid 0";
		case 1:
			/* beyond any pid_max (PID_MAX_LIMIT), or out of the policy's range */
			set_u32(find(m, CRMGUARD_ATTR_EV_PID), rnd() % 2 ? 4194304 : 0x80000000 + rnd());
			return "taint of no process";
		default:
			drop(m, CRMGUARD_ATTR_EV_PID);
			return "taint of nobody";
		}
	}
}

/* Sends m; 0 for an ack, -errno for an error, 1 if no answer came. */
static int send_msg(struct msg *m)
{
	char buf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	ssize_t n;

	hdr(m)->nlmsg_len = m->len;
	hdr(m)->nlmsg_seq = ++seq;
	if (send(sock, m->buf, m->len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0)
			return errno == EAGAIN ? 1 : -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
		}
	}
}

static void dump(const char *why, struct msg *m, int ret)
{
	size_t i;

	fprintf(stderr, "genl_fuzz: %s: answer %d to", why, ret);
	for (i = 0; i < m->len; i++)
		fprintf(stderr, " %02x", (unsigned char)m->buf[i]);
	fprintf(stderr, "\n");
}

static int fuzz(int count)
{
	int i, ret, errors = 0, acks = 0, bad = 0;
	const char *what;
	struct msg m;
	size_t len;

	for (i = 0; i < count; i++) {
		what = defect(&m, 60000 + rnd() % 1000);
		ret = send_msg(&m);
		if (ret < 0) {
			errors++;
		} else if (bad++ < 5) {
			dump(what, &m, ret);
		}
	}
	/* Random bodies behind a sound netlink header: answered, whatever they say. */
	for (i = 0; i < count / 3; i++) {
		start(&m, 0, 0);
		len = rnd() % 256;
		m.len = NLMSG_HDRLEN;
		while (m.len < NLMSG_HDRLEN + len)
			m.buf[m.len++] = rnd();
		/* never CRMGUARD_CMD_LOCK, which a bare genl header would make succeed */
		if (len && (uint8_t)m.buf[NLMSG_HDRLEN] == CRMGUARD_CMD_LOCK)
			m.buf[NLMSG_HDRLEN] = CRMGUARD_CMD_REFUSED;
		ret = send_msg(&m);
		if (ret == 1 && bad++ < 5)
			dump("random body", &m, ret);
		ret == 0 ? acks++ : errors++;
	}
	printf("defective=%d random=%d errors=%d acks=%d unexpected=%d\n",
	       count, count / 3, errors, acks, bad);
	return bad ? 2 : 0;
}

/* Without CAP_NET_ADMIN: nothing goes through, the verdict group stays shut. */
static int unprivileged(void)
{
	int i, ret, refused = 0, bad = 0, grp;
	struct nl_sock *nl;
	struct msg m;

	for (i = 0; i < 9; i++) {
		valid_request(&m, i, getuid());
		ret = send_msg(&m);
		if (ret == -EPERM)
			refused++;
		else if (bad++ < 7)
			dump("allowed without CAP_NET_ADMIN", &m, ret);
	}
	nl = nl_socket_alloc();
	grp = nl && !genl_connect(nl) ?
	      genl_ctrl_resolve_grp(nl, CRMGUARD_GENL_NAME, CRMGUARD_MCGRP_VERDICT) : -1;
	if (grp < 0 || !nl_socket_add_membership(nl, grp)) {
		fprintf(stderr, "genl_fuzz: joined the verdict group without CAP_NET_ADMIN\n");
		bad++;
	} else {
		refused++;
	}
	nl_socket_free(nl);
	printf("refused=%d unexpected=%d\n", refused, bad);
	return bad ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 5 };
	int c, count = 3000, one = 1, fds[2];
	bool unpriv = false;
	struct nl_sock *nl;

	srandom(1);
	while ((c = getopt(argc, argv, "n:s:u")) != -1) {
		if (c == 'n')
			count = atoi(optarg);
		else if (c == 's')
			srandom(atoi(optarg));
		else if (c == 'u')
			unpriv = true;
		else
			return 1;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: genl_fuzz [-n COUNT] [-s SEED] [-u] PATH\n");
		return 1;
	}
	target_fd = open(argv[optind], O_PATH | O_CLOEXEC);
	if (target_fd < 0 || fstat(target_fd, &target) || pipe(fds)) {
		perror(argv[optind]);
		return 1;
	}
	pipe_fd = fds[0];
	nl = nl_socket_alloc();
	family = nl && !genl_connect(nl) ? genl_ctrl_resolve(nl, CRMGUARD_GENL_NAME) : -1;
	nl_socket_free(nl);
	if (family < 0) {
		fprintf(stderr, "genl_fuzz: no genl family %s: crmguard.ko not loaded\n",
			CRMGUARD_GENL_NAME);
		return 2;
	}
	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sock < 0 || setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		perror("netlink socket");
		return 2;
	}
	setsockopt(sock, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(sock, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return unpriv ? unprivileged() : fuzz(count);
}
