// SPDX-License-Identifier: GPL-2.0
/* Pipes, FIFOs and sockets held by processes, and unix socket peers (ipc.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "ctl/daemon/taint/ipc.h"

const char *ipc_kind_name(enum ipc_kind k)
{
	static const char *const names[] = { "pipe", "fifo", "socket" };

	return names[k];
}

/* The access mode of fd in pid's /proc/PID/fdinfo, O_RDONLY if it cannot tell. */
static int fd_accmode(pid_t pid, const char *fd)
{
	char path[320], buf[256], *flags;
	unsigned long v = 0;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return O_RDONLY;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	buf[n > 0 ? n : 0] = 0;
	flags = strstr(buf, "flags:");
	if (flags)
		v = strtoul(flags + 6, NULL, 8);
	return v & O_ACCMODE;
}

size_t ipc_ends(pid_t pid, struct ipc_end **ends)
{
	struct ipc_end e, *arr = NULL, *grown;
	char dir[64], path[320], link[64];
	unsigned long long ino;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	ssize_t len;
	int mode;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		goto out;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		memset(&e, 0, sizeof(e));
		if (sscanf(link, "pipe:[%llu]", &ino) == 1) {
			e.kind = IPC_PIPE;
		} else if (sscanf(link, "socket:[%llu]", &ino) == 1) {
			e.kind = IPC_SOCKET;
		} else if (link[0] == '/' && !stat(path, &st) && S_ISFIFO(st.st_mode)) {
			/* a long path was cut by link[]: stat() names it whole */
			e.kind = IPC_FIFO;
			e.dev = st.st_dev;
			ino = st.st_ino;
		} else {
			continue;
		}
		e.ino = ino;
		mode = e.kind == IPC_SOCKET ? O_RDWR : fd_accmode(pid, de->d_name);
		e.reads = mode != O_WRONLY;
		e.writes = mode != O_RDONLY;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(arr, cap * sizeof(*arr));
			if (!grown)
				break;
			arr = grown;
		}
		arr[n++] = e;
	}
	closedir(d);
out:
	*ends = arr;
	return n;
}

static int cmp_sock(const void *a, const void *b)
{
	const struct unix_sock *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int add_sock(struct unix_table *t, size_t *cap, const struct unix_diag_msg *m, size_t len)
{
	struct unix_sock *s, *grown;
	struct rtattr *a;
	unsigned int alen = len - NLMSG_ALIGN(sizeof(*m));

	if (t->n == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		grown = realloc(t->socks, *cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		t->socks = grown;
	}
	s = &t->socks[t->n++];
	memset(s, 0, sizeof(*s));
	s->ino = m->udiag_ino;
	s->listening = m->udiag_state == 10;	/* TCP_LISTEN */
	for (a = (struct rtattr *)((char *)m + NLMSG_ALIGN(sizeof(*m))); RTA_OK(a, alen);
	     a = RTA_NEXT(a, alen)) {
		size_t n = RTA_PAYLOAD(a);

		if (a->rta_type == UNIX_DIAG_PEER && n >= sizeof(__u32)) {
			s->peer = *(__u32 *)RTA_DATA(a);
		} else if (a->rta_type == UNIX_DIAG_NAME && n > 0) {
			n = n < sizeof(s->name) - 1 ? n : sizeof(s->name) - 1;
			memcpy(s->name, RTA_DATA(a), n);
			if (!s->name[0])
				s->name[0] = '@';	/* abstract: the name after a NUL */
			/* an abstract name may hold NULs: they end it here */
		}
	}
	return 0;
}

int unix_table_read(struct unix_table *t)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} rq = {
		.nlh = { .nlmsg_len = sizeof(rq), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = AF_UNIX, .udiag_states = -1,
			 .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER },
	};
	static char buf[32768] __attribute__((aligned(4)));
	struct nlmsghdr *h;
	size_t cap = 0;
	ssize_t n;
	int fd, ret = 0;

	memset(t, 0, sizeof(*t));
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (send(fd, &rq, sizeof(rq), 0) != sizeof(rq)) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				ret = -EPROTO;
				goto out;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
				continue;
			ret = add_sock(t, &cap, NLMSG_DATA(h), h->nlmsg_len - NLMSG_HDRLEN);
			if (ret)
				goto out;
		}
	}
out:
	close(fd);
	if (!ret)
		qsort(t->socks, t->n, sizeof(*t->socks), cmp_sock);
	return ret;
}

const struct unix_sock *unix_table_find(const struct unix_table *t, ino_t ino)
{
	struct unix_sock key = { .ino = ino };

	return t->n ? bsearch(&key, t->socks, t->n, sizeof(key), cmp_sock) : NULL;
}

void unix_table_free(struct unix_table *t)
{
	free(t->socks);
	memset(t, 0, sizeof(*t));
}

/* Is ino a TCP socket connected to port 6000-6063 (X display :0 to :63)? */
static bool tcp_to_x(ino_t ino)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	unsigned long long sino;
	unsigned int port;
	char line[512];
	bool found = false;
	size_t i;
	FILE *f;

	for (i = 0; i < 2 && !found; i++) {
		f = fopen(files[i], "re");
		if (!f)
			continue;
		while (!found && fgets(line, sizeof(line), f)) {
			/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
			if (sscanf(line, "%*s %*s %*[0-9A-Fa-f]:%x %*s %*s %*s %*s %*s %*s %llu",
				   &port, &sino) == 2 && sino == ino)
				found = port >= 6000 && port < 6064;
		}
		fclose(f);
	}
	return found;
}

const char *ipc_display_of(const struct unix_table *t, ino_t ino)
{
	const struct unix_sock *s = unix_table_find(t, ino), *peer;
	const char *name, *base;

	if (!s)
		return tcp_to_x(ino) ? "x11" : NULL;
	peer = s->peer ? unix_table_find(t, s->peer) : NULL;
	if (!peer || !peer->name[0])
		return NULL;
	name = peer->name + (peer->name[0] == '@');
	if (!fnmatch("/tmp/.X11-unix/X*", name, 0))
		return "x11";
	base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	if (!fnmatch("wayland-*", base, 0) && fnmatch("*.lock", base, 0))
		return "wayland";
	return NULL;
}

unsigned long long ipc_start_time(pid_t pid)
{
	unsigned long long start = 0;
	char path[64], buf[1024];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	/* after "pid (comm)": state is field 3, starttime field 22 */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu", &start) != 1)
		return 0;
	return start;
}

pid_t ipc_tracer(pid_t pid)
{
	char path[64], line[128];
	int tracer = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			break;
	fclose(f);
	return tracer;
}
