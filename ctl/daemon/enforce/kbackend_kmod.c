// SPDX-License-Identifier: GPL-2.0
/*
 * kbackend_kmod: crmguard.ko, programmed over generic netlink with
 * libnl-3. One socket for requests, each ACKed, an error carrying the
 * module's extack text; another that only follows the verdict group, so
 * that verdicts never get in the way of a request's answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>
#include "ctl/daemon/enforce/kbackend.h"
#include "ctl/daemon/enforce/kmod_msg.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
/* Verdicts a read_verdicts() call takes at most: the daemon has other work too. */
#define VERDICT_BATCH	1024

struct kbackend {
	struct nl_sock *req, *ev;
	int family;
	struct kernel_rule *have;	/* the module's rules (paths not kept) */
	size_t nhave, cap;
	void (*cb)(void *ctx, const struct kernel_verdict *v);
	void *cb_ctx;
	int nread;
};

/* One request's outcome, written by the callbacks. */
struct reply {
	int err;		/* 1 while waiting, then 0 or -errno */
	bool malformed;
	char *text;
	size_t len;
	struct nl_msg *sent;
	int (*valid)(struct nlmsghdr *nlh, void *arg);
	void *arg;
};

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct reply *r = arg;

	r->err = e->error < 0 ? e->error : -EPROTO;
	kmod_msg_ext_ack((struct nlmsghdr *)e - 1, nlmsg_hdr(r->sent), r->text, r->len);
	return NL_STOP;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	((struct reply *)arg)->err = 0;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;

	if (!r->valid || r->valid(nlmsg_hdr(msg), r->arg))
		r->malformed = true;
	return NL_OK;
}

static struct nl_msg *new_msg(struct kbackend *b, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, b->family, 0, flags, cmd,
				CRMGUARD_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/*
 * Sends msg (and frees it), reads until its ack, error or the end of the
 * dump; valid() takes each reply. 0, or -errno with the reason in err.
 */
static int transact(struct kbackend *b, struct nl_msg *msg,
		    int (*valid)(struct nlmsghdr *nlh, void *arg), void *arg,
		    char *err, size_t errlen)
{
	struct reply r = { .err = 1, .text = err, .len = errlen, .sent = msg,
			   .valid = valid, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = -NLE_NOMEM;

	if (!cb)
		goto out;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	ret = nl_send_auto(b->req, msg);
	while (ret >= 0 && r.err > 0)
		ret = nl_recvmsgs(b->req, cb);
out:
	if (ret == -NLE_DUMP_INTR) {
		r.err = -EAGAIN;
		snprintf(err, errlen, "the rules changed while they were read");
	} else if (r.err > 0) {
		r.err = -EIO;
		snprintf(err, errlen, "netlink: %s", nl_geterror(ret));
	} else if (!r.err && r.malformed) {
		r.err = -EBADMSG;
		snprintf(err, errlen, "crmguard.ko sent a reply this crmguardd cannot read");
	}
	nl_cb_put(cb);
	nlmsg_free(msg);
	return r.err;
}

/* The rule, for a message; fd (if not -1) names the file, which is named too. */
static const char *describe(const struct kernel_rule *r, int fd, char *buf, size_t len)
{
	static const char *const kinds[] = { "?", "allow", "revoke", "revoke-audit" };
	char self[32], path[PATH_MAX];
	ssize_t n = -1;

	if (r->type == CRMGUARD_RULE_USER) {
		snprintf(buf, len, "user %u %s", r->uid, kinds[r->user_kind <= 3 ? r->user_kind : 0]);
		return buf;
	}
	if (fd >= 0) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		n = readlink(self, path, sizeof(path) - 1);
	}
	path[n > 0 ? n : 0] = 0;
	snprintf(buf, len, "%s %s%sdev %u:%u ino %llu%s",
		 r->type == CRMGUARD_RULE_EXE ? "allowed exe" : "protected inode",
		 path, path[0] ? " (" : "", major(r->dev), minor(r->dev),
		 (unsigned long long)r->ino, path[0] ? ")" : "");
	return buf;
}

/*
 * A protected inode travels as an O_PATH fd (no open event, no read right
 * needed). -ESTALE: the file is gone, or its number is another file's now.
 */
static int inode_fd(const struct kernel_rule *r, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (!r->fh)
		return -ESTALE;
	fd = open_by_handle_at(r->mount_fd, (struct file_handle *)r->fh, O_PATH | O_CLOEXEC);
	if (fd < 0 && (errno == ESTALE || errno == ENOENT))
		return -ESTALE;
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	if (st.st_dev != r->st_dev || st.st_ino != r->ino) {
		close(fd);
		snprintf(err, errlen, "the path names another inode now (replaced since the policy was read)");
		return -ESTALE;
	}
	return fd;
}

/*
 * An allowed binary travels with an O_PATH fd too, which the module marks
 * so that the lock keeps the binary from being written. -1 if its path
 * names another file now (replaced since the policy was read): the rule
 * allows the inode it names all the same, as it did before, but the
 * module cannot keep it unwritten (nothing can open it by that path).
 */
static int exe_fd(const struct kernel_rule *r)
{
	struct stat st;
	int fd = r->path ? open(r->path, O_PATH | O_CLOEXEC) : -1;

	if (fd >= 0 && (fstat(fd, &st) || st.st_dev != r->st_dev || st.st_ino != r->ino)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int rule_request(struct kbackend *b, const struct kernel_rule *r, bool add,
			char *err, size_t errlen)
{
	char why[512], what[PATH_MAX + 64];
	struct nl_msg *msg;
	int fd = -1, ret = -ENOMEM;

	why[0] = 0;
	if (add && r->type == CRMGUARD_RULE_EXE)
		fd = exe_fd(r);
	if (add && r->type == CRMGUARD_RULE_INODE) {
		fd = inode_fd(r, why, sizeof(why));
		if (fd == -ESTALE)
			return 0;	/* gone since the watch saw it: nothing to protect */
		if (fd < 0) {
			ret = fd;
			goto out;
		}
	}
	msg = new_msg(b, add ? CRMGUARD_CMD_RULE_ADD : CRMGUARD_CMD_RULE_DEL, NLM_F_ACK);
	if (msg && !(add ? kmod_msg_put_rule(msg, r, fd) : kmod_msg_put_rule_key(msg, r)))
		ret = transact(b, msg, NULL, NULL, why, sizeof(why));
	else
		nlmsg_free(msg);
out:
	if (ret == -ENOMEM && !why[0])
		snprintf(why, sizeof(why), "out of memory");
	if (ret)
		snprintf(err, errlen, "crmguard.ko: %s %s: %s", add ? "adding" : "removing",
			 describe(r, fd, what, sizeof(what)), why);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int keep_rule(struct nlmsghdr *nlh, void *arg)
{
	struct kbackend *b = arg;
	struct kernel_rule *more;

	if (b->nhave == b->cap) {
		more = reallocarray(b->have, b->cap ? 2 * b->cap : 64, sizeof(*more));
		if (!more)
			return -1;
		b->have = more;
		b->cap = b->cap ? 2 * b->cap : 64;
	}
	return kmod_msg_parse_rule(nlh, &b->have[b->nhave++]) ? (b->nhave--, -1) : 0;
}

/* What the module holds now: a restarted daemon starts from it. */
static int adopt(struct kbackend *b, char *err, size_t errlen)
{
	char why[256] = "out of memory";
	struct nl_msg *msg;
	int ret, tries = 0;

	/* A change by another client during the dump: read it all again. */
	do {
		b->nhave = 0;
		msg = new_msg(b, CRMGUARD_CMD_RULE_GET, NLM_F_DUMP);
		ret = msg ? transact(b, msg, keep_rule, b, why, sizeof(why)) : -ENOMEM;
	} while (ret == -EAGAIN && ++tries < 3);
	if (ret)
		snprintf(err, errlen, "crmguard.ko: reading its rules: %s", why);
	return ret;
}

static void kmod_close(struct kbackend *b)
{
	if (!b)
		return;
	nl_socket_free(b->ev);
	nl_socket_free(b->req);
	free(b->have);
	free(b);
}

static int on_verdict(struct nl_msg *msg, void *arg)
{
	struct kbackend *b = arg;
	struct kernel_verdict v;

	uint8_t cmd = genlmsg_hdr(nlmsg_hdr(msg))->cmd;

	if ((cmd == CRMGUARD_CMD_VERDICT && !kmod_msg_parse_verdict(nlmsg_hdr(msg), &v)) ||
	    (cmd == CRMGUARD_CMD_REFUSED && !kmod_msg_parse_refused(nlmsg_hdr(msg), &v))) {
		b->nread++;
		b->cb(b->cb_ctx, &v);
	}
	return NL_OK;
}

static int connect_sockets(struct kbackend *b, char *err, size_t errlen)
{
	struct nl_cache *cache = NULL;
	struct genl_family *fam;
	int one = 1, grp, ver, ret;

	b->req = nl_socket_alloc();
	b->ev = nl_socket_alloc();
	if (!b->req || !b->ev || genl_connect(b->req) || genl_connect(b->ev)) {
		snprintf(err, errlen, "generic netlink: cannot open a socket");
		return -1;
	}
	/* Errors come back with the module's reason and without our request. */
	setsockopt(nl_socket_get_fd(b->req), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(b->req), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	b->family = genl_ctrl_resolve(b->req, CRMGUARD_GENL_NAME);
	if (b->family < 0) {
		snprintf(err, errlen, "no generic netlink family %s: crmguard.ko is not loaded",
			 CRMGUARD_GENL_NAME);
		return -1;
	}
	if (genl_ctrl_alloc_cache(b->req, &cache) == 0 &&
	    (fam = genl_ctrl_search_by_name(cache, CRMGUARD_GENL_NAME))) {
		ver = genl_family_get_version(fam);
		genl_family_put(fam);
		if (ver != CRMGUARD_GENL_VERSION) {
			nl_cache_free(cache);
			snprintf(err, errlen, "crmguard.ko speaks version %d of %s, this crmguardd %d",
				 ver, CRMGUARD_GENL_NAME, CRMGUARD_GENL_VERSION);
			return -1;
		}
	}
	nl_cache_free(cache);
	grp = genl_ctrl_resolve_grp(b->req, CRMGUARD_GENL_NAME, CRMGUARD_MCGRP_VERDICT);
	nl_socket_disable_seq_check(b->ev);
	nl_socket_modify_cb(b->ev, NL_CB_VALID, NL_CB_CUSTOM, on_verdict, b);
	ret = grp < 0 ? grp : nl_socket_add_membership(b->ev, grp);
	if (ret) {
		snprintf(err, errlen, "crmguard.ko: joining its %s group: %s",
			 CRMGUARD_MCGRP_VERDICT, nl_geterror(ret));
		return -1;
	}
	nl_socket_set_nonblocking(b->ev);
	nl_socket_set_buffer_size(b->ev, 4 << 20, 0);
	return 0;
}

static struct kbackend *kmod_open(char *err, size_t errlen)
{
	struct kbackend *b = calloc(1, sizeof(*b));

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (connect_sockets(b, err, errlen) || adopt(b, err, errlen)) {
		kmod_close(b);
		return NULL;
	}
	return b;
}

static int config_request(struct kbackend *b, const struct kernel_config *cfg,
			  char *err, size_t errlen)
{
	struct nl_msg *msg = new_msg(b, CRMGUARD_CMD_CONFIG_SET, NLM_F_ACK);
	char why[256];
	int ret = -ENOMEM;

	snprintf(why, sizeof(why), "out of memory");
	if (msg && !kmod_msg_put_config(msg, cfg))
		ret = transact(b, msg, NULL, NULL, why, sizeof(why));
	else
		nlmsg_free(msg);
	if (ret)
		snprintf(err, errlen, "crmguard.ko: setting mode %u fail-open %d: %s",
			 cfg->mode, cfg->fail_open, why);
	return ret;
}

/*
 * What a locked module takes (uapi/crmguard.h CRMGUARD_CMD_LOCK): a new
 * protected inode, not an audit one. The rest is not asked for, rather
 * than refused again at each push: an allowed binary replaced on disk
 * (a new inode) stays unallowed until reboot.
 */
static bool lock_takes(const struct kbackend *b, const struct kernel_rule *r)
{
	size_t i;

	if (r->type != CRMGUARD_RULE_INODE || (r->flags & CRMGUARD_F_AUDIT))
		return false;
	for (i = 0; i < b->nhave; i++)
		if (!kmod_rule_key_cmp(&b->have[i], r))
			return false;
	return true;
}

/* After a failure, what the module holds is read again for the next try. */
static int kmod_replace(struct kbackend *b, const struct kernel_config *cfg,
			const struct kernel_rule *rules, size_t n, char *err, size_t errlen)
{
	size_t *add = malloc((n ? n : 1) * sizeof(*add));
	size_t *del = malloc((b->nhave ? b->nhave : 1) * sizeof(*del));
	size_t nadd, ndel, i;
	char ignored[256];
	int ret = -ENOMEM;

	snprintf(err, errlen, "out of memory");
	if (!add || !del || kmod_plan(b->have, b->nhave, rules, n, add, &nadd, del, &ndel))
		goto out;
	for (i = 0, ret = 0; i < nadd && !ret; i++)
		if (!cfg->locked || lock_takes(b, &rules[add[i]]))
			ret = rule_request(b, &rules[add[i]], true, err, errlen);
	/* locked: a rule gone from the policy or the disk stays till reboot */
	for (i = 0; i < ndel && !ret && !cfg->locked; i++) {
		ret = rule_request(b, &b->have[del[i]], false, err, errlen);
		if (ret == -ENOENT)
			ret = 0;
	}
	if (!ret && !cfg->locked)
		ret = config_request(b, cfg, err, errlen);
out:
	free(add);
	free(del);
	if (adopt(b, ret ? ignored : err, ret ? sizeof(ignored) : errlen) && !ret)
		ret = -EIO;
	if (!ret)
		kmod_keep_idents(b->have, b->nhave, rules, n);
	return ret;
}

static int kmod_fd(struct kbackend *b)
{
	return nl_socket_get_fd(b->ev);
}

static int kmod_read_verdicts(struct kbackend *b,
			      void (*cb)(void *ctx, const struct kernel_verdict *v), void *ctx)
{
	int ret;

	b->cb = cb;
	b->cb_ctx = ctx;
	b->nread = 0;
	do {
		ret = nl_recvmsgs_report(b->ev, nl_socket_get_cb(b->ev));
		/* A full socket buffer: the module counted what it could not send. */
		if (ret == -NLE_NOMEM)
			ret = 1;
	} while (ret > 0 && b->nread < VERDICT_BATCH);
	return ret < 0 && ret != -NLE_AGAIN ? -1 : b->nread;
}

static int stats_reply(struct nlmsghdr *nlh, void *arg)
{
	struct kernel_config cfg;

	return kmod_msg_parse_stats(nlh, arg, &cfg);
}

static int kmod_stats(struct kbackend *b, struct kernel_stats *s)
{
	struct nl_msg *msg = new_msg(b, CRMGUARD_CMD_STATS_GET, NLM_F_ACK);
	char why[256];

	return msg ? transact(b, msg, stats_reply, s, why, sizeof(why)) : -ENOMEM;
}

/* crmguard.ko names a btrfs inode by its subvolume (kmod/enforce.c cg_dev_of()). */
static bool kmod_knows_subvolumes(struct kbackend *b)
{
	return true;
}

/* With crmguardd's own binary, which the locked module keeps from being written. */
static int kmod_lock(struct kbackend *b, const char *policy_hash, char *err, size_t errlen)
{
	struct nl_msg *msg = new_msg(b, CRMGUARD_CMD_LOCK, NLM_F_ACK);
	int fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	char why[256] = "out of memory";
	int ret = -ENOMEM;

	if (fd < 0) {
		ret = -errno;
		snprintf(why, sizeof(why), "/proc/self/exe: %s", strerror(errno));
		nlmsg_free(msg);
	} else if (msg && !nla_put_u32(msg, CRMGUARD_ATTR_RULE_FD, fd)) {
		ret = transact(b, msg, NULL, NULL, why, sizeof(why));
	} else {
		nlmsg_free(msg);
	}
	if (ret)
		snprintf(err, errlen, "crmguard.ko: locking: %s", why);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int kmod_taint(struct kbackend *b, pid_t pid)
{
	struct nl_msg *msg = new_msg(b, CRMGUARD_CMD_TAINT, NLM_F_ACK);
	char why[256];

	if (!msg || nla_put_u32(msg, CRMGUARD_ATTR_EV_PID, pid)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return transact(b, msg, NULL, NULL, why, sizeof(why));
}

static int kmod_clipboard(struct kbackend *b, uint32_t mode, const int *tool_fds, size_t ntools,
			  const int *allow_fds, size_t nallow, char *err, size_t errlen)
{
	struct nl_msg *msg = new_msg(b, CRMGUARD_CMD_CLIPBOARD_SET, NLM_F_ACK);
	char why[256] = "out of memory";
	int ret = -ENOMEM;

	if (msg && !kmod_msg_put_clipboard(msg, mode, tool_fds, ntools, allow_fds, nallow))
		ret = transact(b, msg, NULL, NULL, why, sizeof(why));
	else
		nlmsg_free(msg);
	if (ret)
		snprintf(err, errlen, "crmguard.ko: setting the clipboard: %s", why);
	return ret;
}

const struct kbackend_ops kbackend_kmod = {
	.name = "kmod",
	.open = kmod_open,
	.replace = kmod_replace,
	.fd = kmod_fd,
	.read_verdicts = kmod_read_verdicts,
	.stats = kmod_stats,
	.knows_subvolumes = kmod_knows_subvolumes,
	.lock = kmod_lock,
	.taint = kmod_taint,
	.clipboard = kmod_clipboard,
	.close = kmod_close,
};
