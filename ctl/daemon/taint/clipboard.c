// SPDX-License-Identifier: GPL-2.0
/* Clipboard tools and display connections of tainted processes (clipboard.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "ctl/daemon/daemon.h"
#include "ctl/daemon/fields.h"
#include "ctl/daemon/taint/clipboard.h"
#include "ctl/daemon/taint/taint.h"

#define TOOLS_MAX 32

static const char *const tool_names[] = { "xclip", "xsel", "wl-copy", "wl-paste", "copyq" };
static const char *const tool_dirs[] = { "/usr/bin", "/bin", "/usr/local/bin" };

static struct tool {
	dev_t dev;
	ino_t ino;
	char path[64];
} tools[TOOLS_MAX];
static size_t ntools;
static int fan = -1;

int clipboard_open(char *err, size_t errlen)
{
	char path[64];
	struct stat st;
	size_t i, j, k;
	int ret = 0;

	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_CLOEXEC);
	if (fan < 0) {
		snprintf(err, errlen, "fanotify_init: %s: clipboard tools are not checked at exec",
			 strerror(errno));
		return -errno;
	}
	for (i = 0; i < sizeof(tool_names) / sizeof(tool_names[0]); i++) {
		for (j = 0; j < sizeof(tool_dirs) / sizeof(tool_dirs[0]) && ntools < TOOLS_MAX; j++) {
			snprintf(path, sizeof(path), "%s/%s", tool_dirs[j], tool_names[i]);
			if (stat(path, &st) || !S_ISREG(st.st_mode))
				continue;
			/* /bin is /usr/bin on a merged /usr: one mark an inode */
			for (k = 0; k < ntools; k++)
				if (tools[k].dev == st.st_dev && tools[k].ino == st.st_ino)
					break;
			if (k < ntools)
				continue;
			if (fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_EXEC_PERM, AT_FDCWD, path)) {
				ret = -errno;
				snprintf(err, errlen, "%s: fanotify_mark: %s: its exec is not checked",
					 path, strerror(errno));
				continue;
			}
			tools[ntools].dev = st.st_dev;
			tools[ntools].ino = st.st_ino;
			snprintf(tools[ntools].path, sizeof(tools[ntools].path), "%s", path);
			ntools++;
		}
	}
	return ret;
}

void clipboard_close(void)
{
	if (fan >= 0)
		close(fan);
	fan = -1;
	ntools = 0;
}

int clipboard_fd(void)
{
	return fan;
}

static const struct tool *tool_of(const struct stat *st)
{
	size_t i;

	for (i = 0; i < ntools; i++)
		if (tools[i].dev == st->st_dev && tools[i].ino == st->st_ino)
			return &tools[i];
	return NULL;
}

/* Is pid's binary one that `clipboard allow exe` names? */
static bool allowed(const struct daemon *d, pid_t pid)
{
	const struct policy_taint *t = &d->policy.taint;
	struct stat exe, st;
	char path[64];
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (!t->nclip_allow || stat(path, &exe))
		return false;
	for (i = 0; i < t->nclip_allow; i++)
		if (!stat(t->clip_allow[i], &st) && st.st_dev == exe.st_dev && st.st_ino == exe.st_ino)
			return true;
	return false;
}

static void emit(struct daemon *d, pid_t pid, const char *channel, const char *what,
		 const char *action, const char *source)
{
	bool block = d->policy.taint.clipboard == CLIPBOARD_BLOCK && strcmp(action, "none");
	struct proc *p = proctab_get(pid);
	struct record r;

	record_init(&r, "clipboard");
	record_str(&r, "verdict", block ? "deny" : "audit");
	record_str(&r, "channel", channel);
	if (what)
		record_str(&r, channel[0] == 'e' ? "tool" : "address", what);
	record_str(&r, "action", block ? action : "none");
	if (p) {
		put_proc(&r, p);
	} else {
		record_i64(&r, "pid", pid);
		record_u64(&r, "tainted", 1);
	}
	if (!p || !taint_source(pid))	/* access_put_proc names it for a tainted one */
		record_str(&r, "taint_source", source);
	d->n.deny += block;
	sink_emit(&d->sink, block ? LOG_LVL_WARNING : LOG_LVL_NOTICE, &r);
}

/* A tainted process at the clipboard in block mode: ended before data reaches it. */
static void end(struct daemon *d, pid_t pid)
{
	if (d->policy.taint.clipboard == CLIPBOARD_BLOCK)
		kill(pid, SIGKILL);
}

bool clipboard_on_tainted(struct daemon *d, pid_t pid, const char *source)
{
	const struct tool *tool;
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (stat(path, &st) || !(tool = tool_of(&st)))
		return false;
	emit(d, pid, "exec", tool->path, "killed", source);
	end(d, pid);
	return true;
}

bool clipboard_on_display(struct daemon *d, pid_t pid, const char *display, const char *source)
{
	if (allowed(d, pid))
		return false;
	emit(d, pid, display, NULL, "killed", source);
	end(d, pid);
	return true;
}

unsigned int clipboard_display_how(const struct daemon *d, pid_t pid)
{
	if (allowed(d, pid))
		return 0;
	return d->policy.taint.clipboard == CLIPBOARD_BLOCK ? SENSOR_DISPLAY_BLOCK : SENSOR_DISPLAY_AUDIT;
}

void clipboard_on_connect(struct daemon *d, const struct sensor_event *e)
{
	const char *source = taint_source(e->pid);
	char addr[sizeof(e->filename) + 1];
	bool x11;

	if (e->exe_dev != AF_UNIX)
		snprintf(addr, sizeof(addr), "tcp:%llu", (unsigned long long)e->exe_ino);
	else if (!e->filename[0])	/* abstract */
		snprintf(addr, sizeof(addr), "@%.107s", e->filename + 1);
	else
		snprintf(addr, sizeof(addr), "%.108s", e->filename);
	x11 = e->exe_dev != AF_UNIX || strstr(addr, "/tmp/.X11-unix/X");
	/* the kernel has killed it already where the map said block */
	emit(d, e->pid, x11 ? "x11" : "wayland", addr,
	     e->exit_code == SENSOR_DISPLAY_BLOCK ? "killed" : "none", source ? source : "");
}

/* One exec of a clipboard tool: refused if what runs it carries taint. */
static void on_exec(struct daemon *d, const struct fanotify_event_metadata *m)
{
	struct fanotify_response resp = { .fd = m->fd, .response = FAN_ALLOW };
	const struct tool *tool = NULL;
	const char *source;
	struct stat st;

	if (!fstat(m->fd, &st))
		tool = tool_of(&st);
	/* forks reported but not read yet: a tainted shell's child is tainted */
	sensor_consume(d->sensor);
	source = tool ? taint_reaches(m->pid) : NULL;
	if (source && d->policy.taint.clipboard == CLIPBOARD_BLOCK)
		resp.response = FAN_DENY;
	if (write(fan, &resp, sizeof(resp)) != sizeof(resp)) {
		struct record r;

		record_init(&r, "error");
		record_str(&r, "source", "clipboard");
		record_str(&r, "detail", strerror(errno));
		sink_emit(&d->sink, LOG_LVL_WARNING, &r);
	}
	if (source)
		emit(d, m->pid, "exec", tool->path, "refused", source);
}

void clipboard_read_events(struct daemon *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	const struct fanotify_event_metadata *m;
	ssize_t len;

	while ((len = read(fan, buf, sizeof(buf))) > 0) {
		for (m = (const void *)buf; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			if (m->fd < 0)
				continue;
			if (m->mask & FAN_OPEN_EXEC_PERM)
				on_exec(d, m);
			close(m->fd);
		}
	}
}
