// SPDX-License-Identifier: GPL-2.0
/*
 * The display guard: cgroup connect programs (IPv4, IPv6 and, from Linux
 * 6.7, unix sockets) attached to the root of the cgroup v2 hierarchy, so
 * they see every connect() on the machine. A tainted process that the
 * `display` map names (crmguardd fills it, the sensor follows its forks)
 * connecting to an X11 or Wayland display server (display.bpf.h) is
 * recorded and, in block mode, refused: connect() fails with EPERM before
 * a byte can reach the server.
 *
 * And, on the same sends and their receives, the unix connections a
 * tracked process writes to, whenever they were made: crmguardd follows
 * its taint to whoever reads them.
 *
 * A connect() names the server's socket by the client's address, which a
 * link, a relative path or a bind mount can spell another way; before the
 * connection is made no program here knows where it leads. So a tainted
 * process's first send on a unix socket whose server is bound to a display
 * server's address (display_peer()) ends it in block mode (SIGKILL, before
 * it returns from the send): a clipboard client's first message is the
 * protocol's greeting, never a selection's data.
 *
 * What it costs: a map lookup per connect() call and per socket send and receive,
 * nothing for any other system call; the sensor's syscall tracepoint
 * (sensor.bpf.c), which it replaces where it runs, puts every system call
 * on the kernel's slow path. crmguardd loads it only on kernels that have
 * all its attach points, the sensor's tracepoint otherwise.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "display_guard.h"
#include "display.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#include "sensor_event.bpf.h"
#include "tracked.bpf.h"

/*
 * The receiving ends of unix connections a tracked process has sent on
 * (the kernel's struct sock, which an accept() keeps), with the sender's
 * tgid: whoever receives there first is reported, then the entry goes.
 * An end never read from ages out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u32);
} sent SEC(".maps");

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/* 1 lets the connect() go on, 0 refuses it (EPERM). */
static __always_inline int meet(__u32 how, const char *addr)
{
	if (!display_addr(addr))
		return 1;
	display_record(how, addr);
	return how != SENSOR_DISPLAY_BLOCK;
}

static __always_inline __u32 *tainted(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return bpf_map_lookup_elem(&display, &tgid);
}

/* An inet address as the sockaddr's first bytes (display.bpf.h): family, then the port in network order. */
static __always_inline int meet_inet(struct bpf_sock_addr *ctx, __u16 family)
{
	char addr[DISPLAY_ADDR_LEN] = {};
	__u16 port = ctx->user_port;	/* network order, in the low 16 bits */
	__u32 *how = tainted();

	if (!how)
		return 1;
	*(__u16 *)addr = family;
	__builtin_memcpy(addr + 2, &port, sizeof(port));
	return meet(*how, addr);
}

SEC("cgroup/connect4")
int display_connect4(struct bpf_sock_addr *ctx)
{
	return meet_inet(ctx, AF_INET);
}

SEC("cgroup/connect6")
int display_connect6(struct bpf_sock_addr *ctx)
{
	return meet_inet(ctx, AF_INET6);
}

/*
 * Loaded with expected attach type DISPLAY_GUARD_UNIX_CONNECT (libbpf of
 * Debian 12 knows no section name for it). The address is the kernel's
 * copy of the caller's, its length the caller's: the bytes past it are
 * not the caller's, and stay zero here.
 */
SEC("cgroup/connect4")
int display_connect_unix(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_addr_kern *sa = bpf_cast_to_kern_ctx(ctx);
	char addr[DISPLAY_ADDR_LEN] = {};
	__u32 *how = tainted(), len;

	if (!how)
		return 1;
	len = display_addr_len(sa->uaddrlen);
	if (bpf_probe_read_kernel(addr, len, sa->uaddr))
		return 1;
	return meet(*how, addr);
}

/*
 * After a send on a unix socket:
 *  - by a tainted process in block mode, on one whose server is a display
 *    server, however the connect() named it: killed on its way back (what
 *    the display guard refused at connect() never gets here), with a
 *    record whose address is the server's own;
 *  - by a tracked process (tainted, or the CRM): the other end is noted,
 *    so that its reader is reported (below), also on a connection made
 *    after the taint, before the server accepted it, or with the sender
 *    gone by then.
 */
SEC("tp_btf/sock_send_length")
int BPF_PROG(display_send, struct sock *sk, int ret, int flags)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, *how;
	char addr[DISPLAY_ADDR_LEN] = {};
	struct sock *peer;
	__u64 key;

	if (sk->__sk_common.skc_family != AF_UNIX)
		return 0;
	peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
	how = tainted();
	if (how && *how == SENSOR_DISPLAY_BLOCK && peer && display_peer(peer, addr)) {
		bpf_send_signal(9);	/* SIGKILL */
		display_record(SENSOR_DISPLAY_KILLED, addr);
		return 0;
	}
	if (ret <= 0 || !peer || !bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	key = (__u64)peer;
	bpf_map_update_elem(&sent, &key, &tgid, BPF_ANY);
	return 0;
}

/* A receive at the other end of a tracked process's send: the reader is reported, once. */
SEC("tp_btf/sock_recv_length")
int BPF_PROG(display_recv, struct sock *sk, int ret, int flags)
{
	__u64 key = (__u64)sk;
	struct sensor_event *e;
	__u32 *from;

	if (ret <= 0 || sk->__sk_common.skc_family != AF_UNIX)
		return 0;
	from = bpf_map_lookup_elem(&sent, &key);
	if (!from)
		return 0;
	e = reserve(SENSOR_RECEIVED, bpf_get_current_task_btf());
	if (e) {
		e->ppid = *from;	/* the sender */
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&sent, &key);
	return 0;
}
