/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is a connect() address a display server's: X11 (/tmp/.X11-unix/X*, its
 * abstract twin, TCP port 6000-6063) or Wayland (a path component that
 * starts with "wayland-")? Shared by the sensor's connect tracepoint
 * (sensor.bpf.c), the display guard (display_guard.bpf.c) and the
 * clipboard's LSM hooks (clip_lsm.bpf.c). The address a client gives can
 * name the server's socket another way (a symbolic or hard link, a
 * relative path, a bind mount): display_peer() asks of the address the
 * server bound instead, where a program has the peer. Included after
 * vmlinux.h and bpf_core_read.h.
 */
#ifndef CRMGUARD_DISPLAY_BPF_H
#define CRMGUARD_DISPLAY_BPF_H

#include "kconst.bpf.h"

#define X11_DIR "/tmp/.X11-unix/X"
/* What of a sockaddr is read: its family and a unix path (108) with room. */
#define DISPLAY_ADDR_LEN 120

/*
 * A caller's address length, at most DISPLAY_ADDR_LEN: the mask changes
 * nothing, and puts the bound on the register the compiler passes on,
 * which the verifier needs to see.
 */
static __always_inline __u32 display_addr_len(__u64 len)
{
	_Static_assert(DISPLAY_ADDR_LEN <= 0x7f, "the mask below keeps the bound");
	if (len > DISPLAY_ADDR_LEN)
		len = DISPLAY_ADDR_LEN;
	return len & 0x7f;
}

/* Does path hold a component that starts with "wayland-"? (i < 100) */
static __always_inline bool wayland_at(const char *path, int i)
{
	return path[i] == '/' && path[i + 1] == 'w' && path[i + 2] == 'a' && path[i + 3] == 'y' &&
	       path[i + 4] == 'l' && path[i + 5] == 'a' && path[i + 6] == 'n' &&
	       path[i + 7] == 'd' && path[i + 8] == '-';
}

/* Is the unix socket address path (abstract: from path[1]) an X11 or Wayland one? */
static __always_inline bool display_path(const char *path)
{
	const char *x = X11_DIR;
	bool x11 = true;
	int i;

	if (!path[0])
		path++;
#pragma unroll
	for (i = 0; i < sizeof(X11_DIR) - 1; i++)
		x11 &= path[i] == x[i];
	if (x11)
		return true;
	/* unrolled: Linux 6.1 refuses this loop's back-edge (a fall-through) */
#pragma unroll
	for (i = 0; i < 98; i++) {
		if (!path[i])
			return false;
		if (wayland_at(path, i))
			return true;
	}
	return false;
}

/* The port of an AF_INET or AF_INET6 address, from network order. */
static __always_inline __u16 display_port(const char *addr)
{
	return (__u16)(__u8)addr[2] << 8 | (__u8)addr[3];
}

/* addr: DISPLAY_ADDR_LEN bytes of a sockaddr, zeros past its length. */
static __always_inline bool display_addr(const char *addr)
{
	__u16 family = *(__u16 *)addr, port = display_port(addr);

	if (family == AF_UNIX)
		return display_path(addr + 2);
	return (family == AF_INET || family == AF_INET6) && port >= 6000 && port < 6064;
}

/*
 * Is the unix socket peer (the server end a client connected to) bound
 * to a display server's address? The name is the one the server gave
 * bind(), however the client named it; addr (DISPLAY_ADDR_LEN bytes,
 * zeroed) gets it as a sockaddr.
 */
static __always_inline bool display_peer(struct sock *peer, char *addr)
{
	struct unix_address *ua = BPF_CORE_READ((struct unix_sock *)peer, addr);
	__u32 len;

	if (!ua)
		return false;	/* not bound: no server of a name */
	len = display_addr_len(BPF_CORE_READ(ua, len));
	if (bpf_probe_read_kernel(addr, len, &ua->name))
		return false;
	return display_addr(addr);
}

#endif
