/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The channels between processes that taint follows, as /proc and
 * sock_diag show them: pipes, FIFOs and unix sockets (socket pairs too),
 * and the TCP sockets that reach an X server.
 */
#ifndef CRMGUARD_TAINT_IPC_H
#define CRMGUARD_TAINT_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum ipc_kind { IPC_PIPE, IPC_FIFO, IPC_SOCKET };

/* One end of a channel a process holds. */
struct ipc_end {
	enum ipc_kind kind;
	dev_t dev;		/* FIFO: its filesystem; 0 for pipes and sockets */
	ino_t ino;
	bool reads;		/* opened for reading (a socket always) */
	bool writes;		/* opened for writing (a socket always) */
};

/* One end of a channel, and the process that holds it. */
struct ipc_holder {
	pid_t pid;
	struct ipc_end end;
};

/*
 * Every descriptor of the channels wanted[0..n) that any process holds, in
 * pid order, in a malloc()ed array: their number, or -errno. One pass of a
 * BPF iterator over every process's descriptors (ebpf/holders.bpf.c) for
 * each HOLDERS_MAX_WANTED channels (ebpf/holders.h).
 */
ssize_t ipc_holders(const struct ipc_end *wanted, size_t n, struct ipc_holder **out);

/* The ends pid holds, in a malloc()ed array; their number (0: none, or gone). */
size_t ipc_ends(pid_t pid, struct ipc_end **ends);
const char *ipc_kind_name(enum ipc_kind k);

/* Unix sockets of the machine: each one's peer and, for a bound one, its name. */
struct unix_sock {
	ino_t ino;
	ino_t peer;		/* 0: none */
	bool listening;
	char name[108];		/* "" unnamed; abstract names start with '@' */
};
struct unix_table {
	struct unix_sock *socks;	/* sorted by ino */
	size_t n;
};

/* Dumps every unix socket through NETLINK_SOCK_DIAG; 0 or -errno. */
int unix_table_read(struct unix_table *t);
const struct unix_sock *unix_table_find(const struct unix_table *t, ino_t ino);
void unix_table_free(struct unix_table *t);

/*
 * Which display server the socket ino reaches, if any: "x11" (a peer named
 * /tmp/.X11-unix/X*, or @ that name, or TCP to port 6000-6063), "wayland"
 * (a peer named .../wayland-*), or NULL.
 */
const char *ipc_display_of(const struct unix_table *t, ino_t ino);

/* The start time of pid (clock ticks since boot, /proc/PID/stat field 22); 0 if gone. */
unsigned long long ipc_start_time(pid_t pid);
/* The process that traces pid (/proc/PID/status TracerPid); 0 if none, or gone. */
pid_t ipc_tracer(pid_t pid);

#endif
