// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include "ctl/lib/ctlproto.h"
#include "ctl/daemon/ctlserver.h"

#define MAX_FOLLOWERS 64

struct ctlserver {
	int fd;
	char path[108];
	ctl_handler handler;
	void *ctx;
	int followers[MAX_FOLLOWERS];
	size_t nfollowers;
};

static int make_parent_dir(const char *path)
{
	char dir[108], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int ctlserver_open(struct ctlserver **out, const char *path, ctl_handler h, void *ctx,
		   char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctlserver *s;
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: control socket path too long", path);
		return -ENAMETOOLONG;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	s->handler = h;
	s->ctx = ctx;
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ret = make_parent_dir(path);
	if (s->fd < 0 || ret)
		goto fail;
	/* A socket left by a crashed daemon: refuse if someone still answers. */
	if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		snprintf(err, errlen, "%s: another crmguardd is running", path);
		close(s->fd);
		free(s);
		return -EADDRINUSE;
	}
	close(s->fd);
	unlink(path);
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, 0600) || listen(s->fd, 16))
		goto fail;
	*out = s;
	return 0;
fail:
	ret = -errno;
	snprintf(err, errlen, "%s: cannot open the control socket: %s", path, strerror(errno));
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return ret;
}

void ctlserver_close(struct ctlserver *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nfollowers; i++)
		close(s->followers[i]);
	close(s->fd);
	unlink(s->path);
	free(s);
}

int ctlserver_fd(const struct ctlserver *s)
{
	return s->fd;
}

static void reply(int fd, enum ctl_msg type, char *buf, size_t len)
{
	if (len)
		ctl_send(fd, type, buf, len, 0);
	free(buf);
}

static bool serve(struct ctlserver *s, int fd)
{
	struct timeval tv = { .tv_sec = 1 };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char buf[CTL_MSG_MAX], *argv[CTL_MAX_ARGS], *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	bool follow = false;
	FILE *out, *err;
	ssize_t n;
	int argc, code;

	/* Read the request first: closing on unread data would reset the reply. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, buf, sizeof(buf), 0);
	/* The file mode keeps others out; the peer's credentials decide. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) || cred.uid != 0) {
		static const char msg[] = "crmguardd: permission denied: only root may control crmguard\n";

		ctl_send(fd, CTL_ERR, msg, sizeof(msg) - 1, 0);
		ctl_send_exit(fd, EXIT_FAIL);
		return false;
	}
	argc = n > 0 ? ctl_split(buf, n, argv, CTL_MAX_ARGS) : -1;
	if (argc <= 0)
		return false;
	out = open_memstream(&obuf, &olen);
	err = open_memstream(&ebuf, &elen);
	if (!out || !err) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		return false;
	}
	code = s->handler(s->ctx, argc, argv, out, err, &follow);
	fclose(out);
	fclose(err);
	reply(fd, CTL_OUT, obuf, olen);
	reply(fd, CTL_ERR, ebuf, elen);
	if (follow && code == EXIT_OK && s->nfollowers < MAX_FOLLOWERS) {
		s->followers[s->nfollowers++] = fd;
		return true;
	}
	ctl_send_exit(fd, code);
	return false;
}

void ctlserver_accept(struct ctlserver *s)
{
	int fd;

	while ((fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (!serve(s, fd))
			close(fd);
	}
}

void ctlserver_broadcast(struct ctlserver *s, const char *line)
{
	size_t i = 0;

	while (i < s->nfollowers) {
		if (ctl_send(s->followers[i], CTL_OUT, line, strlen(line), MSG_DONTWAIT) == 0) {
			i++;
			continue;
		}
		close(s->followers[i]);
		s->followers[i] = s->followers[--s->nfollowers];
	}
}

size_t ctlserver_followers(const struct ctlserver *s)
{
	return s->nfollowers;
}
