/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * crmguard's kernel ABI: the generic netlink family "crmguard", version 1,
 * spoken by crmguard.ko and crmguardd. The BPF LSM backend keeps the same
 * rules in BPF maps, so the rule model below is the one for every in-kernel
 * backend.
 *
 * The kernel holds a rule table:
 *  - protected inodes (CRMGUARD_RULE_INODE): a regular file, or a directory
 *    whose direct children are protected (CRMGUARD_F_DIR; opening the
 *    directory itself, to list it, is not refused), each with the id of
 *    the policy rule that protects it and an audit flag;
 *  - allowed executables (CRMGUARD_RULE_EXE), by inode;
 *  - users (CRMGUARD_RULE_USER): allowed, revoked, or revoked in audit only;
 *  - the mode (audit or enforce) and what a dead daemon means (fail-closed
 *    by default in enforce).
 * An open or read of a protected inode is decided as crmguardd decides it
 * (ctl/decide.h): a revoked user (real, effective or login uid) is denied;
 * else an allowed user or executable (not ptraced, and not started with a
 * library injected by LD_PRELOAD, LD_AUDIT or LD_LIBRARY_PATH) is allowed;
 * else denied, or only reported where the mode or the rule says audit.
 *
 * Inodes are named by a device number, in the new_encode_dev() form of
 * st_dev, and the inode number. The device is the superblock's (s_dev, the
 * MAJOR:MINOR that /proc/PID/mountinfo shows for the inode's mounts), but
 * on btrfs the inode's subvolume's (as stat() reports it): btrfs numbers
 * each subvolume's inodes on their own, so the superblock's device and a
 * number can name a file in each subvolume. On most filesystems that is
 * st_dev; not on overlayfs for a file of a lower layer on another
 * filesystem, which stat() shows with a device of that layer's. Adding a
 * protected inode also hands the kernel an fd of it (CRMGUARD_ATTR_RULE_FD,
 * O_PATH will do), so that the kernel need not find an inode by its
 * number; the fd must name that dev and ino.
 *
 * Every command needs CAP_NET_ADMIN, dumps and stats included (the rules
 * say which binaries to hijack), and so does joining the verdict group
 * where the kernel can gate it. Verdicts are multicast for every open of
 * a protected file and for every read that was not simply allowed.
 *
 * CRMGUARD_CMD_LOCK locks the module until reboot, as `auditctl -e 2`
 * locks the audit rules: mode enforce, fail-open off, and the module
 * holds a reference to itself, so that it cannot be unloaded. From then
 * on every command that would loosen the rules fails with EPERM, whoever
 * sends it: RULE_DEL, RULE_FLUSH, CONFIG_SET, and RULE_ADD of anything
 * but a new protected inode without CRMGUARD_F_AUDIT (files created or
 * saved later under a protected directory are still followed; a rule
 * there keeps its flags and id); and CLIPBOARD_SET that would loosen the
 * clipboard (below): a lower mode, a tool left out (whose inode is still
 * there), or a binary allowed that is not now. One that loosens nothing
 * is taken: the same again (a crmguardd started again), a tool more.
 * TAINT only adds taint, and stays open. LOCK again is no error. Each refusal is counted (ATTR_STAT_REFUSED), logged by the
 * kernel with the sender's pid and comm, and multicast on the verdict
 * group as a CRMGUARD_CMD_REFUSED message.
 *
 * Code written into an allowed binary would run as allowed: an EXE rule
 * may hand the kernel an fd of the binary too (ATTR_RULE_FD, which must
 * name its dev and ino), and LOCK one of crmguardd's own binary. Once
 * locked, opening either for write (O_WRONLY, O_RDWR, O_TRUNC) fails with
 * EPERM, whoever asks; each such open is counted and multicast like a
 * refused command, as CRMGUARD_REFUSED_EXE_WRITE. Unlocked, such an open
 * goes through. A binary replaced by rename or unlink is another inode,
 * which no rule allows; truncate(2) by path opens nothing and is not seen.
 *
 * The clipboard: crmguardd names each process it taints (a process that
 * read protected data, or data that came from one) with
 * CRMGUARD_CMD_TAINT; the module keeps that mark on the process for its
 * life, across exec, and gives it to every child forked from then on,
 * also while crmguardd is dead. CRMGUARD_CMD_CLIPBOARD_SET hands it the
 * clipboard tools (xclip, wl-copy, ...; fds, as ATTR_RULE_FD inside
 * ATTR_CLIP_TOOLS) and the mode: a tainted process's exec of one, or any
 * open of its binary (the loader run by hand, a copy), is multicast as a
 * VERDICT with op CRMGUARD_OP_CLIP_EXEC (the tool's dev, ino and path),
 * and in CRMGUARD_CLIP_BLOCK refused with EPERM, unless the daemon that
 * asked for fail-open is gone. A tainted process's connection to a
 * display server (a unix socket whose server bound an X11 or Wayland
 * name, TCP ports 6000-6063) is multicast as a VERDICT with op
 * CRMGUARD_OP_CLIP_CONNECT (ATTR_EV_PATH: the address) and, in
 * CRMGUARD_CLIP_BLOCK, refused with EPERM: kprobes see it at the LSM
 * hooks security_unix_stream_connect() and security_socket_connect(), and
 * kretprobes there make them fail; so, at security_file_receive(), is a
 * display connection handed to a tainted process (SCM_RIGHTS, pidfd_getfd). A connection they could not refuse (no
 * kretprobe instance free; a TCP connection made by sendto() with
 * MSG_FASTOPEN, seen at tcp_v4_connect()/tcp_v6_connect()) ends its
 * process with SIGKILL before it is back in user space: verdict
 * CRMGUARD_VERDICT_KILL. ATTR_CLIP_PROBES says which probes are on. The
 * binaries ATTR_CLIP_ALLOW
 * names (fds, as the tools) keep their display connections. While the
 * socket that sent the last CLIPBOARD_SET is closed (crmguardd is gone),
 * the module taints by itself a process let through at its open of a
 * protected file, with the readers of the pipes and FIFOs it writes to and
 * the other ends of its unix sockets, and ends such a reader that holds a
 * display connection. Once locked, the clipboard only tightens (above),
 * and only a sender that runs the locked crmguardd's binary (with no
 * library injected) becomes that socket: another's set is taken, if it
 * loosens nothing, without it.
 */
#ifndef _UAPI_CRMGUARD_H
#define _UAPI_CRMGUARD_H

#include <linux/types.h>

#define CRMGUARD_GENL_NAME	"crmguard"
#define CRMGUARD_GENL_VERSION	1
#define CRMGUARD_MCGRP_VERDICT	"verdict"

enum crmguard_cmd {
	CRMGUARD_CMD_UNSPEC,
	CRMGUARD_CMD_RULE_ADD,		/* ATTR_RULE_*: adds or replaces a rule */
	CRMGUARD_CMD_RULE_DEL,		/* ATTR_RULE_* that names the rule */
	CRMGUARD_CMD_RULE_FLUSH,	/* no attribute: every rule goes */
	CRMGUARD_CMD_RULE_GET,		/* dump: one RULE_GET message a rule */
	CRMGUARD_CMD_CONFIG_SET,	/* ATTR_MODE and/or ATTR_FAIL_OPEN */
	CRMGUARD_CMD_STATS_GET,		/* reply: ATTR_MODE, ATTR_FAIL_OPEN, ATTR_STAT_* */
	/*
	 * Multicast on "verdict": ATTR_EV_*, and ATTR_RULE_DEV/INO (the
	 * file) and ATTR_RULE_ID (the deciding rule).
	 */
	CRMGUARD_CMD_VERDICT,
	CRMGUARD_CMD_LOCK,		/* ATTR_RULE_FD (crmguardd's binary) or none: locked until reboot */
	/*
	 * Multicast on "verdict": a command the lock refused: ATTR_EV_CMD,
	 * and ATTR_EV_PID, ATTR_EV_UID and ATTR_EV_COMM of its sender; for
	 * CRMGUARD_REFUSED_EXE_WRITE also ATTR_RULE_DEV and ATTR_RULE_INO of
	 * the binary and ATTR_EV_PATH.
	 */
	CRMGUARD_CMD_REFUSED,
	CRMGUARD_CMD_TAINT,		/* ATTR_EV_PID: that process is tainted */
	/* ATTR_CLIP_MODE, ATTR_CLIP_TOOLS, ATTR_CLIP_ALLOW (absent: none): replaces all three */
	CRMGUARD_CMD_CLIPBOARD_SET,
	__CRMGUARD_CMD_MAX,
};
#define CRMGUARD_CMD_MAX (__CRMGUARD_CMD_MAX - 1)

/*
 * ATTR_EV_CMD of a REFUSED message that is no command: an open for write
 * of an allowed binary or crmguardd's. The BPF LSM's lock reports the same
 * refusal under the same number (ebpf/enforce.h ENFORCE_OP_EXE_WRITE).
 */
#define CRMGUARD_REFUSED_EXE_WRITE	0x106

enum crmguard_rule_type {
	CRMGUARD_RULE_INODE = 1,	/* protected file or directory */
	CRMGUARD_RULE_EXE,		/* allowed executable */
	CRMGUARD_RULE_USER,		/* allowed or revoked user */
};

enum crmguard_user_kind {
	CRMGUARD_USER_ALLOW = 1,
	CRMGUARD_USER_REVOKE,
	CRMGUARD_USER_REVOKE_AUDIT,	/* logs what a revoke would deny */
};

/* CRMGUARD_ATTR_RULE_FLAGS */
#define CRMGUARD_F_AUDIT	(1U << 0)	/* this protect rule only reports */
#define CRMGUARD_F_DIR		(1U << 1)	/* its direct children are protected */

enum crmguard_mode {
	CRMGUARD_MODE_AUDIT = 1,
	CRMGUARD_MODE_ENFORCE,
};

/* CRMGUARD_ATTR_EV_OP: what was asked */
enum crmguard_op {
	CRMGUARD_OP_OPEN = 1,
	CRMGUARD_OP_READ,
	CRMGUARD_OP_MMAP,
	CRMGUARD_OP_CLIP_EXEC,		/* a tainted process's exec (or open) of a clipboard tool */
	CRMGUARD_OP_CLIP_CONNECT,	/* a tainted process's connection to a display server */
};

/* CRMGUARD_ATTR_CLIP_MODE */
enum crmguard_clip_mode {
	CRMGUARD_CLIP_OFF,		/* nothing seen */
	CRMGUARD_CLIP_AUDIT,		/* reported */
	CRMGUARD_CLIP_BLOCK,		/* refused (EPERM) and reported */
};
#define CRMGUARD_CLIP_TOOLS_MAX	32
#define CRMGUARD_CLIP_ALLOW_MAX	32
/* ATTR_CLIP_PROBES: each display probe that is on */
#define CRMGUARD_CLIP_PROBE_UNIX	(1U << 0)	/* security_unix_stream_connect */
#define CRMGUARD_CLIP_PROBE_TCP4	(1U << 1)	/* tcp_v4_connect */
#define CRMGUARD_CLIP_PROBE_TCP6	(1U << 2)	/* tcp_v6_connect */
#define CRMGUARD_CLIP_PROBE_SOCK	(1U << 3)	/* security_socket_connect */
#define CRMGUARD_CLIP_PROBE_RECEIVE	(1U << 4)	/* security_file_receive */
#define CRMGUARD_CLIP_REFUSE_UNIX	(1U << 5)	/* kretprobes: security_unix_stream_connect */
#define CRMGUARD_CLIP_REFUSE_SOCK	(1U << 6)	/* security_socket_connect */
#define CRMGUARD_CLIP_REFUSE_RECEIVE	(1U << 7)	/* security_file_receive */
/* every display connection seen; and refused, not ended; a handed-over one refused too */
#define CRMGUARD_CLIP_PROBES_SEE	0x7U
#define CRMGUARD_CLIP_PROBES_REFUSE	0xf8U

/* CRMGUARD_ATTR_EV_VERDICT */
enum crmguard_verdict {
	CRMGUARD_VERDICT_ALLOW = 1,
	CRMGUARD_VERDICT_AUDIT,
	CRMGUARD_VERDICT_DENY,
	CRMGUARD_VERDICT_KILL,		/* could not be refused: the process was ended */
};

enum crmguard_attr {
	CRMGUARD_ATTR_UNSPEC,
	CRMGUARD_ATTR_RULE_TYPE,	/* u32, enum crmguard_rule_type */
	CRMGUARD_ATTR_RULE_DEV,		/* u64: INODE, EXE */
	CRMGUARD_ATTR_RULE_INO,		/* u64: INODE, EXE */
	CRMGUARD_ATTR_RULE_UID,		/* u32: USER */
	CRMGUARD_ATTR_RULE_USER_KIND,	/* u32, enum crmguard_user_kind: USER */
	CRMGUARD_ATTR_RULE_FLAGS,	/* u32, CRMGUARD_F_*: INODE */
	CRMGUARD_ATTR_RULE_ID,		/* u32: the policy rule, echoed in verdicts */
	CRMGUARD_ATTR_MODE,		/* u32, enum crmguard_mode */
	/* u8: 1: when the socket that set it closes (the daemon died), deny nothing */
	CRMGUARD_ATTR_FAIL_OPEN,
	CRMGUARD_ATTR_STAT_ALLOW,	/* u64 */
	CRMGUARD_ATTR_STAT_AUDIT,	/* u64 */
	CRMGUARD_ATTR_STAT_DENY,	/* u64 */
	CRMGUARD_ATTR_STAT_LOST,	/* u64: verdicts not multicast */
	CRMGUARD_ATTR_STAT_RULES,	/* u32 */
	CRMGUARD_ATTR_EV_OP,		/* u32, enum crmguard_op */
	CRMGUARD_ATTR_EV_VERDICT,	/* u32, enum crmguard_verdict */
	CRMGUARD_ATTR_EV_PID,		/* u32: tgid */
	CRMGUARD_ATTR_EV_TID,		/* u32 */
	CRMGUARD_ATTR_EV_UID,		/* u32 */
	CRMGUARD_ATTR_EV_EXE_DEV,	/* u64 */
	CRMGUARD_ATTR_EV_EXE_INO,	/* u64 */
	CRMGUARD_ATTR_EV_COMM,		/* string */
	/* string: the file as the kernel names it (d_path), for the record */
	CRMGUARD_ATTR_EV_PATH,
	CRMGUARD_ATTR_PAD,
	/*
	 * u32: an fd of the sender's that names the inode (O_PATH will do):
	 * RULE_ADD of an INODE (needed) or an EXE; LOCK: crmguardd's binary
	 */
	CRMGUARD_ATTR_RULE_FD,
	/* string: VERDICT: the asking process's executable (d_path) */
	CRMGUARD_ATTR_EV_EXE,
	CRMGUARD_ATTR_LOCKED,		/* u8: STATS_GET: 1 once locked */
	CRMGUARD_ATTR_STAT_REFUSED,	/* u64: commands the lock refused */
	CRMGUARD_ATTR_EV_CMD,		/* u32: REFUSED: the command, enum crmguard_cmd */
	CRMGUARD_ATTR_CLIP_MODE,	/* u32, enum crmguard_clip_mode */
	/* nested: one ATTR_RULE_FD per tool, CRMGUARD_CLIP_TOOLS_MAX at most */
	CRMGUARD_ATTR_CLIP_TOOLS,
	/* nested: one ATTR_RULE_FD per allowed binary, CRMGUARD_CLIP_ALLOW_MAX at most */
	CRMGUARD_ATTR_CLIP_ALLOW,
	/* u32: STATS_GET: the display kprobes on, CRMGUARD_CLIP_PROBE_* */
	CRMGUARD_ATTR_CLIP_PROBES,
	/* u64: display connections neither refused nor ended (no work left) */
	CRMGUARD_ATTR_STAT_CLIP_MISSED,
	__CRMGUARD_ATTR_MAX,
};
#define CRMGUARD_ATTR_MAX (__CRMGUARD_ATTR_MAX - 1)

#endif /* _UAPI_CRMGUARD_H */
