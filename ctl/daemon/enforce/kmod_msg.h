/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crmguard.ko's generic netlink messages (kmod/uapi/crmguard.h), built and
 * read apart from any socket so that they can be tested without the module:
 * rule, config and verdict attributes, the extended ack of an error, and
 * the plan that turns the kernel's rule set into the wanted one.
 */
#ifndef CRMGUARD_KMOD_MSG_H
#define CRMGUARD_KMOD_MSG_H

#include <stddef.h>
#include <netlink/msg.h>
#include "ctl/daemon/enforce/kbackend.h"

/* RULE_ADD attributes of r; fd names the inode of an INODE rule, or an EXE's (else -1). */
int kmod_msg_put_rule(struct nl_msg *msg, const struct kernel_rule *r, int fd);
/* RULE_DEL attributes: what names the rule. */
int kmod_msg_put_rule_key(struct nl_msg *msg, const struct kernel_rule *r);
int kmod_msg_put_config(struct nl_msg *msg, const struct kernel_config *cfg);
/* CLIPBOARD_SET attributes: the mode, each tool and each allowed binary as an fd. */
int kmod_msg_put_clipboard(struct nl_msg *msg, uint32_t mode, const int *tool_fds, size_t ntools,
			   const int *allow_fds, size_t nallow);

/* A genl message of the family into r, v or s: 0, or -1 if malformed. */
int kmod_msg_parse_rule(struct nlmsghdr *nlh, struct kernel_rule *r);
int kmod_msg_parse_verdict(struct nlmsghdr *nlh, struct kernel_verdict *v);
/* CRMGUARD_CMD_REFUSED into v (refused_cmd, pid, uid, comm; a binary's dev, ino, path). */
int kmod_msg_parse_refused(struct nlmsghdr *nlh, struct kernel_verdict *v);
int kmod_msg_parse_stats(struct nlmsghdr *nlh, struct kernel_stats *s,
			 struct kernel_config *cfg);

/*
 * The text of an NLMSG_ERROR for a person: the kernel's extack message (or
 * strerror) and, where the kernel points at an attribute of sent (the
 * request, NULL if unknown) or says one is missing, its name.
 */
void kmod_msg_ext_ack(const struct nlmsghdr *err, const struct nlmsghdr *sent,
		      char *buf, size_t len);
const char *kmod_msg_attr_name(int type);

/* Rules with the same key name the same kernel rule. */
int kmod_rule_key_cmp(const struct kernel_rule *a, const struct kernel_rule *b);
/*
 * What replace() sends to make have[] into want[]: add[] (indexes into
 * want, new or changed rules) and del[] (indexes into have, keys that are
 * gone); each array as long as its input. Returns -1 if out of memory.
 */
int kmod_plan(const struct kernel_rule *have, size_t nhave,
	      const struct kernel_rule *want, size_t nwant,
	      size_t *add, size_t *nadd, size_t *del, size_t *ndel);
/*
 * After want[] was pushed and have[] read back from the kernel: each rule
 * of have takes the ident of want's rule with its key, which the kernel
 * does not report.
 */
void kmod_keep_idents(struct kernel_rule *have, size_t nhave,
		      const struct kernel_rule *want, size_t nwant);

#endif
