/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iterator of channel holders (holders.bpf.c): which channels it is
 * asked about, and what it writes of each descriptor of one. Plain structs
 * only, included after vmlinux.h (BPF) or <linux/types.h> (userland).
 */
#ifndef CRMGUARD_HOLDERS_H
#define CRMGUARD_HOLDERS_H

#define HOLDERS_MAX_WANTED 4096

/* Kinds, as enum ipc_kind (ctl/daemon/taint/ipc.h) numbers them. */
#define HOLDERS_PIPE 0
#define HOLDERS_FIFO 1
#define HOLDERS_SOCKET 2

/* A channel: a FIFO by its filesystem's device (as st_dev) and number; a pipe or socket by its number, dev 0. */
struct holders_key {
	__u64 dev;
	__u64 ino;
	__u32 kind;
	__u32 pad;
};

/* One descriptor of a wanted channel. */
struct holders_rec {
	__u32 tgid;
	__u32 fd;
	__u32 reads, writes;	/* the descriptor was opened for reading, for writing */
	struct holders_key key;
};

#endif
