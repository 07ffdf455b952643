/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's constants the BPF programs use that vmlinux.h does not
 * carry (it has types and enums, not macros): one place for all of them,
 * as the kernel's uapi headers give them. Included after vmlinux.h.
 */
#ifndef CRMGUARD_KCONST_BPF_H
#define CRMGUARD_KCONST_BPF_H

/* errno */
#define EPERM 1
#define ENOMEM 12
#define EACCES 13

/* signals */
#define SIGHUP 1
#define SIGKILL 9
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGURG 23
#define SIGWINCH 28

/* an inode's type, in i_mode */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000

/* how a file was opened, in f_mode; what is asked of an inode */
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define MAY_READ 0x4
#define O_TRUNC 01000

/* what a filesystem is, in s_magic; how it is mounted, in s_flags */
#define PIPEFS_MAGIC 0x50495045
#define BTRFS_SUPER_MAGIC 0x9123683E
#define SB_RDONLY 1

/* socket families and flags */
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define MSG_FASTOPEN 0x20000000

/* the mode of a ptrace access check (PTRACE_MODE_ATTACH: ptrace itself, /proc/PID/mem, ...) */
#define PTRACE_MODE_ATTACH 0x02

#endif
