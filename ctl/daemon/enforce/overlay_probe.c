// SPDX-License-Identifier: GPL-2.0
/*
 * Whether fsnotify sees an open through an overlay mount as an open of the
 * file beneath it, which fanotify's and crmguard.ko's inode marks sit on.
 * Kernels differ (Debian's 6.1 does not, its 6.12 does), and not by a
 * version one can read off: so it is tried once, in a child of its own
 * mount namespace (a tmpfs over its /run, and an overlay in that: nothing
 * is left behind), with a fanotify open-permission mark on the lower file.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "ctl/daemon/enforce/overlay_probe.h"

#define PROBE_DIR	"/run"

/* In the child: 0 seen, 1 not seen, 2 could not tell. */
static int probe(void)
{
	struct fanotify_event_metadata ev;
	struct fanotify_response answer;
	struct pollfd p;
	pid_t opener;
	int fan, fd, status, seen = 1;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 2;
	if (mount("tmpfs", PROBE_DIR, "tmpfs", 0, "size=64k") ||
	    mkdir(PROBE_DIR "/lower", 0700) || mkdir(PROBE_DIR "/upper", 0700) ||
	    mkdir(PROBE_DIR "/work", 0700) || mkdir(PROBE_DIR "/merged", 0700))
		return 2;
	fd = open(PROBE_DIR "/lower/f", O_CREAT | O_WRONLY, 0600);
	if (fd < 0 || close(fd) ||
	    mount("overlay", PROBE_DIR "/merged", "overlay", 0,
		  "lowerdir=" PROBE_DIR "/lower,upperdir=" PROBE_DIR "/upper,workdir=" PROBE_DIR "/work"))
		return 2;
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY);
	if (fan < 0 || fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, PROBE_DIR "/lower/f"))
		return 2;
	opener = fork();
	if (opener < 0)
		return 2;
	if (!opener) {
		fd = open(PROBE_DIR "/merged/f", O_RDONLY);
		_exit(fd < 0);
	}
	/* Unseen, the open returns at once; seen, it waits for the answer. */
	p = (struct pollfd){ .fd = fan, .events = POLLIN };
	while (waitpid(opener, &status, WNOHANG) == 0) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		if (read(fan, &ev, sizeof(ev)) < (ssize_t)sizeof(ev)) {
			kill(opener, SIGKILL);
			waitpid(opener, &status, 0);
			return 2;
		}
		seen = 0;
		answer = (struct fanotify_response){ .fd = ev.fd, .response = FAN_ALLOW };
		if (write(fan, &answer, sizeof(answer)) != sizeof(answer))
			kill(opener, SIGKILL);
		close(ev.fd);
	}
	return seen;
}

bool overlay_opens_seen(void)
{
	static int known = -1;
	int status;
	pid_t pid;

	if (known >= 0)
		return known;
	pid = fork();
	if (pid == 0)
		_exit(probe());
	/* Could not tell: say it may be missed, as the older kernels do. */
	known = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		WEXITSTATUS(status) == 0;
	return known;
}
