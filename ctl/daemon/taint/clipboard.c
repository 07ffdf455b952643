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
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/fanotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "ctl/daemon/daemon.h"
#include "ctl/daemon/fields.h"
#include "ctl/daemon/taint/clip_lsm.h"
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
static struct clip_lsm *held;	/* the BPF LSM holds the refusals */
static bool held_kmod;		/* crmguard.ko holds the tools' */
static bool held_kmod_connect;	/* and sees display connections (all its kprobes are on) */
static bool held_kmod_refuse;	/* and refuses them (its kretprobes are on too) */
static char held_why[256];	/* why it does not, where it could */
static __u64 held_lost;		/* its records reported lost */
static int ep = -1;		/* fan and held's ring buffer */

static void on_kernel(void *ctx, const struct clip_event *e);

/*
 * The clipboard tools on this system, each marked where fanotify is there:
 * for every open, not only exec's, since the dynamic loader run by hand
 * (ld.so /usr/bin/xclip) and a copy open the binary as a file.
 */
static int find_tools(char *err, size_t errlen)
{
	char path[64];
	struct stat st;
	size_t i, j, k;
	int ret = 0;

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
			if (fan >= 0 && fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, path)) {
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

static int poll_add(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	return fd < 0 ? 0 : epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int clipboard_open(struct daemon *d, char *err, size_t errlen)
{
	int ret = 0;

	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_CLOEXEC);
	if (fan < 0) {
		ret = -errno;
		snprintf(err, errlen, "fanotify_init: %s: clipboard tools are not checked at exec",
			 strerror(errno));
	}
	ret = find_tools(err, errlen) ?: ret;
	/* where the BPF LSM holds the file rules, it holds these too */
	if (d->enforcer.ops == &kbackend_lsm) {
		held = clip_lsm_open(d->enforcer.fail_open, on_kernel, d, held_why, sizeof(held_why));
		if (!held) {
			ret = -EOPNOTSUPP;
			snprintf(err, errlen, "the BPF LSM does not hold the clipboard (%s): crmguardd "
				 "does, while it runs", held_why);
		}
	}
	held_kmod = enforcer_holds_clipboard(&d->enforcer);
	held_kmod_connect = enforcer_sees_display(&d->enforcer);
	held_kmod_refuse = enforcer_refuses_display(&d->enforcer);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || poll_add(fan) || (held && poll_add(clip_lsm_fd(held)))) {
		ret = -errno;
		snprintf(err, errlen, "clipboard: epoll: %s", strerror(errno));
	}
	return ret;
}

void clipboard_close(void)
{
	if (fan >= 0)
		close(fan);
	if (ep >= 0)
		close(ep);
	clip_lsm_close(held);	/* its pins keep the refusals in force */
	held = NULL;
	held_kmod = held_kmod_connect = held_kmod_refuse = false;
	fan = ep = -1;
	ntools = 0;
}

int clipboard_fd(void)
{
	return ep;
}

void clipboard_mechanism(const struct daemon *d, char *buf, size_t len)
{
	const char *connect = sensor_refuses_connect(d->sensor) ?
			      "cgroup connect programs (refuse with EPERM)" :
			      sensor_sees_connect(d->sensor) ?
			      "a tracepoint on connect() (kills the process)" :
			      "connect() to a display server is not seen";

	if (held)
		snprintf(buf, len, "the BPF LSM: connect() to a display server and clipboard tool "
			 "exec of tainted processes refused in the kernel, also while crmguardd is stopped");
	else if (held_kmod_connect)
		snprintf(buf, len, "crmguard.ko: clipboard tool exec of tainted processes refused, "
			 "their display connections %s, in the kernel, also while crmguardd is "
			 "stopped%s", held_kmod_refuse ?
			 "refused (EPERM, kretprobes on the LSM hooks; SIGKILL where that fails)" :
			 "ended (SIGKILL, kprobes)", sensor_refuses_connect(d->sensor) ?
			 "; crmguardd: cgroup connect programs refuse them first (EPERM)" : "");
	else if (held_kmod)
		snprintf(buf, len, "crmguard.ko: clipboard tool exec of tainted processes refused in "
			 "the kernel, also while crmguardd is stopped; crmguardd: %s, not while it is "
			 "stopped", connect);
	else
		snprintf(buf, len, "crmguardd: fanotify on the tools' exec, %s; not while crmguardd "
			 "is stopped%s%s%s", connect,
			 held_why[0] ? " (BPF LSM: " : "", held_why, held_why[0] ? ")" : "");
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

static void error(struct daemon *d, const char *detail, int err)
{
	sink_error(&d->sink, "clipboard", detail, err);
}

/*
 * The flows let through in mode audit, until their process exits: its
 * exit record from the sensor carries the bytes it read and wrote in its
 * life, and an `action=ended` record gives them. A tool's are the data it
 * took to (or from) the clipboard; a program's with a display connection
 * are all it read and wrote, the display's share among them. The oldest
 * slot is taken over when all are in use (a lost exit record frees none).
 */
#define FLOWS_MAX 256
static struct flow {
	pid_t pid;
	char channel[16];
	char what[128];
} flows[FLOWS_MAX];
static size_t next_flow;

static void flow_add(pid_t pid, const char *channel, const char *what)
{
	struct flow *f;
	size_t i;

	for (i = 0; i < FLOWS_MAX; i++)
		if (flows[i].pid == pid)
			return;	/* its first channel names it */
	f = &flows[next_flow++ % FLOWS_MAX];
	f->pid = pid;
	snprintf(f->channel, sizeof(f->channel), "%s", channel);
	snprintf(f->what, sizeof(f->what), "%s", what ? what : "");
}

/*
 * One event=clipboard record; who: the kernel's view of the process, for
 * one crmguardd may not know (any more). source may be NULL: tainted before
 * this crmguardd started.
 */
static void put(struct daemon *d, pid_t pid, const struct caller *who, const char *channel,
		const char *what, bool deny, const char *action, const char *source)
{
	struct proc *p = proctab_get(pid);
	struct record r;

	record_init(&r, "clipboard");
	record_str(&r, "verdict", deny ? "deny" : "audit");
	record_str(&r, "channel", channel);
	if (what)
		record_str(&r, channel[0] == 'e' ? "tool" : "address", what);
	record_str(&r, "action", action);
	if (p) {
		put_proc(&r, p);
	} else {
		if (who)
			put_caller(&r, who);
		else
			record_i64(&r, "pid", pid);
		record_u64(&r, "tainted", 1);
	}
	if (source && (!p || !taint_source(pid)))	/* put_proc names it for a tainted one */
		record_str(&r, "taint_source", source);
	d->n.deny += deny;
	sink_emit(&d->sink, deny ? LOG_LVL_WARNING : LOG_LVL_NOTICE, &r);
	if (!deny)
		flow_add(pid, channel, what);
}

void clipboard_on_fork(pid_t parent, pid_t child)
{
	size_t i;

	for (i = 0; i < FLOWS_MAX; i++)
		if (flows[i].pid == parent) {
			struct flow f = flows[i];	/* flow_add may take its slot */

			flow_add(child, f.channel, f.what);
			return;
		}
}

void clipboard_on_exit(struct daemon *d, const struct sensor_event *e)
{
	struct proc *p = proctab_get(e->pid);
	struct record r;
	size_t i;

	for (i = 0; i < FLOWS_MAX && flows[i].pid != (pid_t)e->pid; i++)
		;
	if (i == FLOWS_MAX || !e->pid)
		return;
	record_init(&r, "clipboard");
	record_str(&r, "verdict", "audit");
	record_str(&r, "channel", flows[i].channel);
	if (flows[i].what[0])
		record_str(&r, flows[i].channel[0] == 'e' ? "tool" : "address", flows[i].what);
	record_str(&r, "action", "ended");
	if (p)
		put_proc(&r, p);
	else
		record_i64(&r, "pid", e->pid);
	record_u64(&r, "bytes_read", e->rchar);
	record_u64(&r, "bytes_written", e->wchar);
	sink_emit(&d->sink, LOG_LVL_NOTICE, &r);
	flows[i].pid = 0;
}

static void emit(struct daemon *d, pid_t pid, const char *channel, const char *what,
		 const char *action, const char *source)
{
	bool block = d->policy.taint.clipboard == CLIPBOARD_BLOCK && strcmp(action, "none");

	put(d, pid, NULL, channel, what, block, block ? action : "none", source);
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
	/*
	 * the kernel refuses (or, audit, reports) the connection itself: the
	 * BPF LSM, or the display guard where it runs; else crmguard.ko ends
	 * it, where its probes are on, and the sensor's tracepoint need not
	 */
	if (held || allowed(d, pid) || (held_kmod_connect && !sensor_refuses_connect(d->sensor)))
		return 0;
	return d->policy.taint.clipboard == CLIPBOARD_BLOCK ? SENSOR_DISPLAY_BLOCK : SENSOR_DISPLAY_AUDIT;
}

/* A display address as records name it: "tcp:PORT", "@NAME" (abstract) or the path; x11 or wayland. */
static const char *display_name(__u64 family, __u64 port, const char *path, char *out, size_t len)
{
	if (family != AF_UNIX)
		snprintf(out, len, "tcp:%llu", (unsigned long long)port);
	else if (!path[0])	/* abstract */
		snprintf(out, len, "@%.107s", path + 1);
	else
		snprintf(out, len, "%.108s", path);
	return family != AF_UNIX || strstr(out, "/tmp/.X11-unix/X") ? "x11" : "wayland";
}

void clipboard_on_connect(struct daemon *d, const struct sensor_event *e)
{
	const char *source = taint_source(e->pid), *channel;
	char addr[sizeof(e->filename) + 1];

	channel = display_name(e->exe_dev, e->exe_ino, e->filename, addr, sizeof(addr));
	/* the kernel has refused the connect(), or killed it, where the map said block */
	emit(d, e->pid, channel, addr, e->exit_code == SENSOR_DISPLAY_AUDIT ? "none" :
	     e->exit_code == SENSOR_DISPLAY_BLOCK && sensor_refuses_connect(d->sensor) ? "refused" :
	     "killed", source ? source : "");
}

/* The BPF LSM refused (or, audit, saw) a tainted process's connect() or tool exec. */
static void on_kernel(void *ctx, const struct clip_event *e)
{
	struct daemon *d = ctx;
	struct stat st = { .st_dev = e->tool.dev, .st_ino = e->tool.ino };
	struct proc *p = proctab_get(e->who.pid);
	const struct tool *tool;
	char addr[CLIP_ADDR_LEN + 16];
	const char *channel = "exec", *what = addr;

	if (e->what == CLIP_EXEC) {
		tool = tool_of(&st);
		snprintf(addr, sizeof(addr), "%s", tool ? tool->path : "?");
	} else {
		channel = display_name(e->family, e->port, e->addr, addr, sizeof(addr));
	}
	if (p)
		p->tainted = true;	/* the kernel's word: it may be from before this crmguardd */
	put(d, e->who.pid, &e->who, channel, what, !e->audit, e->audit ? "none" : "refused",
	    taint_source(e->who.pid));
}

/*
 * Was the same process's open of the same tool just recorded? A shell
 * whose exec of a tool is refused opens the binary once more, to say why:
 * one attempt, one record (both opens are refused).
 */
static bool said_lately(pid_t pid, const char *tool)
{
	static struct {
		pid_t pid;
		char tool[64];
		time_t at;
	} last;
	time_t now = time(NULL);

	if (last.pid == pid && now - last.at < 2 && !strcmp(last.tool, tool))
		return true;
	last.pid = pid;
	last.at = now;
	snprintf(last.tool, sizeof(last.tool), "%s", tool);
	return false;
}

void clipboard_on_kmod(struct daemon *d, const struct kernel_verdict *v)
{
	struct caller who = { .pid = v->pid, .uid = v->uid };
	struct proc *p = proctab_get(v->pid);
	bool audit = v->verdict == CRMGUARD_VERDICT_AUDIT;
	const char *channel = "exec";

	memcpy(who.comm, v->comm, sizeof(who.comm));
	if (p)
		p->tainted = true;	/* the kernel's word: it may be from before this crmguardd */
	if (v->op == CRMGUARD_OP_CLIP_CONNECT)	/* the address, as display_name() writes it */
		channel = !strncmp(v->path, "tcp:", 4) || strstr(v->path, "/tmp/.X11-unix/X") ?
			  "x11" : "wayland";
	else if (said_lately(v->pid, v->path))
		return;
	put(d, v->pid, &who, channel, v->path, !audit,
	    audit ? "none" : v->verdict == CRMGUARD_VERDICT_KILL ? "killed" : "refused",
	    taint_source(v->pid));
}

void clipboard_taint(struct daemon *d, pid_t pid)
{
	int ret;

	if (held && clip_lsm_taint(held, pid))
		error(d, "the kernel's map of tainted processes is full: a tainted process is not "
		      "held there", errno);
	/* (a process that has exited since needs no mark) */
	if (held_kmod && (ret = enforcer_taint(&d->enforcer, pid)) && ret != -ESRCH)
		error(d, "crmguard.ko did not take a tainted process: its clipboard tools are "
		      "refused by crmguardd only", -ret);
}

/*
 * crmguard.ko's clipboard: the mode and, as fds, the tools that are still
 * the ones found, and the binaries `clipboard allow exe` names. Locked,
 * the module takes the same again (a restart, a reload), or more; it
 * refuses one that would loosen its own (a binary replaced on disk since
 * the lock, a tool another sender added), keeps its own, and tells the
 * verdict group, whence the `event=lock` record.
 */
static void push_kmod(struct daemon *d)
{
	const struct policy_taint *t = &d->policy.taint;
	int fds[TOOLS_MAX], allow[CRMGUARD_CLIP_ALLOW_MAX], ret;
	size_t i, n = 0, nallow = 0;
	char err[512];
	struct stat st;

	for (i = 0; i < ntools; i++) {
		fds[n] = open(tools[i].path, O_PATH | O_CLOEXEC);
		if (fds[n] < 0)
			continue;
		if (!fstat(fds[n], &st) && st.st_dev == tools[i].dev && st.st_ino == tools[i].ino)
			n++;
		else
			close(fds[n]);
	}
	for (i = 0; i < t->nclip_allow && nallow < CRMGUARD_CLIP_ALLOW_MAX; i++)
		if ((allow[nallow] = open(t->clip_allow[i], O_PATH | O_CLOEXEC)) >= 0)
			nallow++;
	if (i < t->nclip_allow)
		error(d, "crmguard.ko takes 32 `clipboard allow exe` binaries: the others' display "
		      "connections are ended", E2BIG);
	ret = enforcer_clipboard(&d->enforcer, t->clipboard == CLIPBOARD_BLOCK ? CRMGUARD_CLIP_BLOCK :
				 CRMGUARD_CLIP_AUDIT, fds, n, allow, nallow, err, sizeof(err));
	if (ret == -EPERM && d->locked)
		snprintf(err + strlen(err), sizeof(err) - strlen(err), "; it keeps its own, which "
			 "this one would loosen, until reboot");
	if (ret)
		error(d, err, -ret);
	while (n)
		close(fds[--n]);
	while (nallow)
		close(allow[--nallow]);
}

/* The inodes of the binaries `clipboard allow exe` names that are there. */
static size_t allowed_inodes(const struct daemon *d, struct clip_inode *v, size_t max)
{
	const struct policy_taint *t = &d->policy.taint;
	struct stat st;
	size_t i, n = 0;

	for (i = 0; i < t->nclip_allow && n < max; i++)
		if (!stat(t->clip_allow[i], &st))
			v[n++] = (struct clip_inode){ st.st_dev, st.st_ino };
	return n;
}

void clipboard_policy(struct daemon *d)
{
	struct clip_inode tv[TOOLS_MAX], av[CLIP_MAX_EXES];
	size_t i, nallow;

	if (held_kmod)
		push_kmod(d);
	if (!held)
		return;
	for (i = 0; i < ntools; i++)
		tv[i] = (struct clip_inode){ tools[i].dev, tools[i].ino };
	nallow = allowed_inodes(d, av, CLIP_MAX_EXES);
	if (clip_lsm_set(held, d->policy.taint.clipboard == CLIPBOARD_BLOCK ? CLIP_BLOCK : CLIP_AUDIT,
			 tv, ntools, av, nallow))
		error(d, "the kernel did not take the clipboard policy whole (its tools, allowed "
		      "binaries or mode)", errno);
}

/* One open of a clipboard tool (its exec, mostly): refused if what opens it carries taint. */
static void on_tool_open(struct daemon *d, const struct fanotify_event_metadata *m)
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
	if (write(fan, &resp, sizeof(resp)) != sizeof(resp))
		error(d, NULL, errno);
	if (source && !said_lately(m->pid, tool->path))
		emit(d, m->pid, "exec", tool->path, "refused", source);
}

/* Kernel records lost since the last look: said, never silent. */
static void report_lost(struct daemon *d)
{
	__u64 lost = clip_lsm_lost(held);
	struct record r;

	if (lost == held_lost)
		return;
	record_init(&r, "lost");
	record_str(&r, "source", "clipboard");
	record_u64(&r, "count", lost - held_lost);
	record_u64(&r, "total", lost);
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
	held_lost = lost;
}

void clipboard_read_events(struct daemon *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	const struct fanotify_event_metadata *m;
	ssize_t len;

	if (held) {
		clip_lsm_read(held);
		report_lost(d);
	}
	while (fan >= 0 && (len = read(fan, buf, sizeof(buf))) > 0) {
		for (m = (const void *)buf; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			if (m->fd < 0)
				continue;
			if (m->mask & FAN_OPEN_PERM)
				on_tool_open(d, m);
			close(m->fd);
		}
	}
}
