// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel behaviours of fsnotify that crmguardd must know and cannot read
 * off a version (fsnotify_probe.h). Each probe runs in a child of its own
 * mount namespace, on a tmpfs over its /run: nothing is left behind, and
 * no other mark is on that filesystem.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "ctl/daemon/enforce/fsnotify_probe.h"

#define PROBE_DIR	"/run"

/* Results of a probe: what the child exits with. */
enum { SEEN, NOT_SEEN, UNKNOWN };

/*
 * Waits for child to end, answering (allowing) each permission event on
 * fan meanwhile. SEEN if there was one; UNKNOWN if fan failed.
 */
static int answer_until_exit(int fan, pid_t child)
{
	struct fanotify_event_metadata ev;
	struct fanotify_response answer;
	struct pollfd p = { .fd = fan, .events = POLLIN };
	int status, seen = NOT_SEEN;

	/* Unseen, the access returns at once; seen, it waits for the answer. */
	while (waitpid(child, &status, WNOHANG) == 0) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		if (read(fan, &ev, sizeof(ev)) < (ssize_t)sizeof(ev)) {
			kill(child, SIGKILL);
			waitpid(child, &status, 0);
			return UNKNOWN;
		}
		seen = SEEN;
		answer = (struct fanotify_response){ .fd = ev.fd, .response = FAN_ALLOW };
		if (write(fan, &answer, sizeof(answer)) != sizeof(answer))
			kill(child, SIGKILL);
		close(ev.fd);
	}
	return seen;
}

/* In the child: a private tmpfs on PROBE_DIR holding an empty file f. */
static int fresh_tmpfs(void)
{
	int fd;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", PROBE_DIR, "tmpfs", 0, "size=64k"))
		return -1;
	fd = open(PROBE_DIR "/f", O_CREAT | O_WRONLY, 0600);
	return fd < 0 || write(fd, "x", 1) != 1 || close(fd) ? -1 : 0;
}

static int probe_overlay(void)
{
	pid_t opener;
	int fan, fd;

	if (fresh_tmpfs() ||
	    mkdir(PROBE_DIR "/lower", 0700) || mkdir(PROBE_DIR "/upper", 0700) ||
	    mkdir(PROBE_DIR "/work", 0700) || mkdir(PROBE_DIR "/merged", 0700) ||
	    rename(PROBE_DIR "/f", PROBE_DIR "/lower/f") ||
	    mount("overlay", PROBE_DIR "/merged", "overlay", 0,
		  "lowerdir=" PROBE_DIR "/lower,upperdir=" PROBE_DIR "/upper,workdir=" PROBE_DIR "/work"))
		return UNKNOWN;
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY);
	if (fan < 0 || fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, PROBE_DIR "/lower/f"))
		return UNKNOWN;
	opener = fork();
	if (opener < 0)
		return UNKNOWN;
	if (!opener) {
		fd = open(PROBE_DIR "/merged/f", O_RDONLY);
		_exit(fd < 0);
	}
	return answer_until_exit(fan, opener);
}

static int probe_old_reads(void)
{
	pid_t reader;
	char c;
	int fan, fd;

	if (fresh_tmpfs())
		return UNKNOWN;
	fd = open(PROBE_DIR "/f", O_RDONLY);	/* before any mark */
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY);
	if (fd < 0 || fan < 0 || fanotify_mark(fan, FAN_MARK_ADD, FAN_ACCESS_PERM, AT_FDCWD, PROBE_DIR "/f"))
		return UNKNOWN;
	reader = fork();
	if (reader < 0)
		return UNKNOWN;
	if (!reader)
		_exit(pread(fd, &c, 1, 0) != 1);
	return answer_until_exit(fan, reader);
}

/* Runs fn in a child once; true only if it saw the event. */
static bool once(int *known, int (*fn)(void))
{
	int status;
	pid_t pid;

	if (*known >= 0)
		return *known;
	pid = fork();
	if (pid == 0)
		_exit(fn());
	/* Could not tell: say it may be missed, as the kernels that miss it do. */
	*known = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == SEEN;
	return *known;
}

bool overlay_opens_seen(void)
{
	static int known = -1;

	return once(&known, probe_overlay);
}

bool old_reads_seen(void)
{
	static int known = -1;

	return once(&known, probe_old_reads);
}
