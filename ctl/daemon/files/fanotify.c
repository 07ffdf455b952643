// SPDX-License-Identifier: GPL-2.0
/*
 * What crmguardd does with each access to a protected file: answer the
 * kernel first, then account the bytes per (process, file), and log one
 * record when the file is opened and one when it is closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "ctl/daemon/fields.h"
#include "ctl/daemon/files/files.h"
#include "ctl/daemon/files/refusals.h"
#include "ctl/lib/decide.h"

#define FAN_EVENT_INFO_TYPE_RANGE 6

struct fan_range {
	struct fanotify_event_info_header hdr;
	__u32 pad;
	__u64 offset;
	__u64 count;
};

/*
 * The system call behind a pre-content event tells a read from a write,
 * and which route the data took. The thread is blocked in it until we
 * answer, so /proc/TID/syscall is exact.
 */
static const struct route {
	long nr;
	const char *name;
	bool read;
} routes[] = {
	{ SYS_read, "read", true },
	{ SYS_pread64, "pread64", true },
	{ SYS_readv, "readv", true },
	{ SYS_preadv, "preadv", true },
	{ SYS_preadv2, "preadv2", true },
	{ SYS_sendfile, "sendfile", true },
	{ SYS_splice, "splice", true },
	{ SYS_copy_file_range, "copy_file_range", true },
	{ SYS_mmap, "mmap", true },
	{ SYS_io_uring_enter, "io_uring", true },
	{ SYS_write, "write", false },
	{ SYS_pwrite64, "pwrite64", false },
	{ SYS_writev, "writev", false },
	{ SYS_pwritev, "pwritev", false },
	{ SYS_pwritev2, "pwritev2", false },
	{ -1, "other", true },	/* io_uring workers, ...: counted as reads */
};
#define ROUTE_OTHER (sizeof(routes) / sizeof(routes[0]) - 1)

static size_t route_of(struct proc_thread *t)
{
	long nr = t ? proctab_thread_syscall(t) : -1;
	size_t i;

	for (i = 0; i < ROUTE_OTHER; i++)
		if (routes[i].nr == nr)
			return i;
	return ROUTE_OTHER;
}

static void emit_close(struct daemon *d, struct proc *p, struct proc_file *f, const char *reason)
{
	char via[256] = "";
	struct record r;
	size_t i, used = 0;

	for (i = 0; i <= ROUTE_OTHER; i++)
		if (f->via & (1u << i))
			used += snprintf(via + used, sizeof(via) - used, "%s%s",
					 used ? "," : "", routes[i].name);
	record_init(&r, "close");
	record_str(&r, "verdict", f->verdict);
	record_str(&r, "rule", f->rule);
	put_file(&r, f->path ? f->path : "", f->path_unreachable, f->dev, f->ino);
	put_proc(&r, p);
	if (watch_has_ranges(d->watch) && !watch_trusts_reads(d->watch))
		record_u64(&r, "bytes", f->bytes);
	record_u64(&r, "reads", f->reads);
	if (f->denied)
		record_u64(&r, "denied", f->denied);
	record_str(&r, "via", used ? via : "none");
	record_str(&r, "reason", reason);
	d->n.close++;
	sink_emit(&d->sink, LOG_LVL_INFO, &r);
	proc_file_del(p, f);
}

/*
 * The process an event's thread belongs to; NULL if it is gone. Only a
 * process that is waiting for our answer is added: a close can come after
 * the exit record that ended the process's entry.
 */
static struct proc *proc_of(pid_t tid, pid_t tgid, bool add)
{
	struct proc *p = proctab_find(tid);

	if (p)
		return p;
	if (!tgid)
		tgid = proctab_tgid_of(tid);
	if (!tgid)
		return NULL;
	return add ? proctab_get(tgid) : proctab_find(tgid);
}

/* The kernel did not take an answer: the thread goes on as the kernel sees fit. */
static void report_response_error(struct daemon *d, int err)
{
	struct record r;

	d->n.response_errors++;
	record_init(&r, "error");
	record_str(&r, "source", "fanotify");
	record_str(&r, "detail", strerror(err));
	record_u64(&r, "total", d->n.response_errors);
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
}

/* One event on a protected file, while its thread waits for the answer. */
struct access {
	const struct fanotify_event_metadata *m;
	struct stat st;
	int rule;		/* the protect rule */
	size_t route;
	struct subject subj;
	struct decision dec;
	char label[256];
	const char *rule_path;	/* the protect rule's path */
	char path[PATH_MAX];	/* filled by path_of() when a record needs it */
	bool path_unreachable;
	bool repeat;		/* its thread was refused a moment ago too */
	/*
	 * Seen after the fact: an in-kernel backend decided and reported the
	 * open. Here it is only summed for the close record.
	 */
	bool observed;
	bool missed;		/* observed, let through, but the policy denies it */
};

/* What /proc/self/fd/FD links to, into buf; its length, or -1. */
static ssize_t fd_path(int fd, char *buf, size_t len)
{
	char self[32];
	ssize_t n;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	n = readlink(self, buf, len - 1);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* Does path name the file st describes? */
static bool names(const char *path, const struct stat *st)
{
	struct stat at;

	return !stat(path, &at) && at.st_dev == st->st_dev && at.st_ino == st->st_ino;
}

/* A directory to open_by_handle_at() through: path if it is one, else its parent. */
static int mount_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char parent[PATH_MAX];
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 || errno != ENOTDIR || !slash)
		return fd;
	snprintf(parent, sizeof(parent), "%.*s", slash > path ? (int)(slash - path) : 1, path);
	return open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/*
 * The file open at fd, looked up by its handle through the mount that the
 * path `through` is on, into buf. Only directories and O_PATH are opened:
 * no open event, so crmguardd never waits on itself.
 */
static bool path_by_handle(int fd, const char *through, char *buf, size_t len)
{
	char raw[sizeof(struct file_handle) + MAX_HANDLE_SZ]
		__attribute__((aligned(__alignof__(struct file_handle))));
	struct file_handle *fh = (void *)raw;
	int mnt_id, mnt, file = -1;
	ssize_t n = -1;

	fh->handle_bytes = MAX_HANDLE_SZ;
	mnt = mount_dir(through);
	if (mnt >= 0 && !name_to_handle_at(fd, "", fh, &mnt_id, AT_EMPTY_PATH))
		file = open_by_handle_at(mnt, fh, O_PATH | O_CLOEXEC);
	if (file >= 0) {
		n = fd_path(file, buf, len);
		close(file);
	}
	if (mnt >= 0)
		close(mnt);
	return n > 0;
}

/*
 * The path of the event's file in crmguardd's mounts. The kernel names it
 * through the mount it was opened on; where that mount is none of ours
 * (an overlayfs layer, another mount namespace) the name is relative to
 * that mount and wrong here. Then the file is looked up by handle through
 * the mount of its rule's path; failing that, the record says
 * path_unreachable beside the kernel's name.
 */
static const char *path_of(struct access *a)
{
	char real[PATH_MAX];

	if (a->path[0])
		return a->path;
	fd_path(a->m->fd, a->path, sizeof(a->path));
	if (names(a->path, &a->st))
		return a->path;
	if (path_by_handle(a->m->fd, a->rule_path, real, sizeof(real)) && names(real, &a->st))
		snprintf(a->path, sizeof(a->path), "%s", real);
	else
		a->path_unreachable = true;
	return a->path;
}

static void log_access(struct daemon *d, const char *event, struct proc *p, struct access *a)
{
	struct record r;

	record_init(&r, event);
	record_str(&r, "verdict", verdict_name(a->dec.verdict));
	record_str(&r, "rule", a->label);
	path_of(a);
	put_file(&r, a->path, a->path_unreachable, a->st.st_dev, a->st.st_ino);
	put_proc(&r, p);
	if ((a->m->mask & (WATCH_PRE | WATCH_ACCESS)) && !a->observed)
		record_str(&r, "via", routes[a->route].name);
	if (a->missed)
		record_str(&r, "detail", "the policy denies this, but the kernel backend had no rule for it yet");
	sink_emit(&d->sink, a->dec.verdict == VERDICT_DENY || a->missed ? LOG_LVL_WARNING : LOG_LVL_INFO, &r);
}

static void on_open(struct daemon *d, struct proc *p, struct access *a)
{
	struct proc_file *f;

	d->n.open++;
	if (a->dec.verdict == VERDICT_DENY && a->observed) {
		/* the kernel had no rule for it (yet): it happened, say so */
		a->dec.verdict = VERDICT_ALLOW;
		a->missed = true;
	}
	if (a->dec.verdict == VERDICT_DENY) {
		struct refusal key = {
			.pid = p->pid, .dev = a->st.st_dev, .ino = a->st.st_ino,
			.exe_dev = a->subj.exe_dev, .exe_ino = a->subj.exe_ino, .event = "open",
			.who = *p, .path = path_of(a), .path_unreachable = a->path_unreachable,
		};

		if (!key.who.exe)
			key.who.exe = "";
		snprintf(key.label, sizeof(key.label), "%s", a->label);
		d->n.deny++;
		refusals_note(&d->sink, &key);
		return;		/* the open failed: nothing to follow */
	}
	f = proc_file_find(p, a->st.st_dev, a->st.st_ino);
	if (f) {
		free(f->path);	/* the close record names the latest way in */
		f->path = strdup(path_of(a));
		snprintf(f->rule, sizeof(f->rule), "%s", a->label);
	} else {
		f = proc_file_add(p, a->st.st_dev, a->st.st_ino, a->label, path_of(a));
	}
	if (f) {
		f->path_unreachable = a->path_unreachable;
		snprintf(f->verdict, sizeof(f->verdict), "%s", verdict_name(a->dec.verdict));
	}
	if (!a->observed || a->missed)	/* else the kernel reported the open itself */
		log_access(d, "open", p, a);
}

static void on_access(struct daemon *d, struct proc *p, struct access *a,
		      const struct fan_range *range)
{
	struct proc_file *f = proc_file_find(p, a->st.st_dev, a->st.st_ino);
	unsigned long long n = 0;
	off_t size = a->st.st_size;

	if (!f) {	/* opened before crmguardd started, or passed over a socket */
		f = proc_file_add(p, a->st.st_dev, a->st.st_ino, a->label, path_of(a));
		if (!f)
			return;
		f->path_unreachable = a->path_unreachable;
	}
	if (a->observed && a->dec.verdict == VERDICT_DENY)
		a->dec.verdict = VERDICT_ALLOW;	/* the kernel let it happen: count it */
	if (!f->verdict[0])
		snprintf(f->verdict, sizeof(f->verdict), "%s", verdict_name(a->dec.verdict));
	if (a->dec.verdict == VERDICT_DENY) {
		d->n.deny++;
		/* One record for the first refusal; the close record counts them all. */
		if (!f->denied++)
			log_access(d, "read", p, a);
		return;
	}
	if (!routes[a->route].read)
		return;
	/* Ranges are whole pages; what lies past the end of the file is not data. */
	if (range && range->offset < (unsigned long long)size)
		n = range->count < size - range->offset ? range->count : size - range->offset;
	f->bytes += n;
	f->reads++;
	if (!a->observed)
		f->via |= 1u << a->route;
	p->tainted = true;
}

static const struct fan_range *range_of(const struct fanotify_event_metadata *m)
{
	const char *info = (const char *)m + m->metadata_len, *end = (const char *)m + m->event_len;
	const struct fanotify_event_info_header *h;

	for (; info + sizeof(*h) <= end; info += h->len) {
		h = (const void *)info;
		if (h->len < sizeof(*h))
			break;
		if (h->info_type == FAN_EVENT_INFO_TYPE_RANGE && h->len >= sizeof(struct fan_range))
			return (const void *)h;
	}
	return NULL;
}

/*
 * Who is asking. An open reads it all from /proc; a read reuses what the
 * thread's last open or first read found, as long as the thread still runs
 * the same binary (one stat): the exec that would change the answer
 * changes /proc/TID/exe. So does an open that what was read less than a
 * second ago refuses (a loop of refused opens): a subject read a moment
 * ago may confirm a refusal, never let anything through.
 */
static bool reuse_subject(const struct daemon *d, const struct access *a,
			  const struct proc_thread *t, unsigned long long now)
{
	if (!t->subj_valid || !proctab_thread_same_exe(t))
		return false;
	if (!(a->m->mask & WATCH_OPEN))
		return true;
	return now - t->read_at < 1000 && decide(&d->policy, a->rule, &t->subj).verdict == VERDICT_DENY;
}

/* Everything the answer depends on, read while the thread still waits. */
static struct proc *judge(struct daemon *d, struct access *a, bool perm)
{
	struct proc_thread *t = proctab_thread(a->m->pid);
	unsigned long long now = proctab_clock_ms();
	struct proc *p;

	/* The route first: reading it proves that t is still the same thread. */
	if ((a->m->mask & (WATCH_PRE | WATCH_ACCESS)) && !a->observed)
		a->route = route_of(t);
	if (t && (reuse_subject(d, a, t, now) || !proctab_thread_read(t, perm)))
		a->subj = t->subj;
	if (!a->subj.tgid) {
		a->dec = decide_unknown(&d->policy, a->rule);
		return NULL;
	}
	a->dec = decide(&d->policy, a->rule, &a->subj);
	if (a->dec.verdict == VERDICT_DENY) {
		/* Refused in the last second already: a loop, answered after the others. */
		a->repeat = t->refused_at && now - t->refused_at < 1000;
		t->refused_at = now;
	}
	p = proc_of(t->tid, a->subj.tgid, perm);
	if (p && (a->m->mask & WATCH_OPEN) && a->dec.verdict != VERDICT_DENY)
		sensor_track(d->sensor, p->pid);
	return p;
}

/*
 * Answers put off until the queue has been read: refusals of threads that
 * were refused a moment ago. A loop of refused opens then waits behind
 * everyone else's accesses, not before them. The event of a put-off
 * answer stays open until the answer is given: the kernel matches an
 * answer to its event by the fd number, which a later event could get.
 */
#define LATER_MAX 64

static struct fanotify_response later[LATER_MAX];
static size_t nlater;

/* Gives the answer, or puts it off (then true). */
static bool answer(struct daemon *d, const struct fanotify_response *resp, bool put_off)
{
	if (put_off && nlater < LATER_MAX) {
		later[nlater++] = *resp;
		return true;
	}
	if (write(watch_fanotify_fd(d->watch), resp, sizeof(*resp)) != sizeof(*resp))
		report_response_error(d, errno);
	return false;
}

static void answer_put_off(struct daemon *d)
{
	size_t i;

	for (i = 0; i < nlater; i++) {
		if (write(watch_fanotify_fd(d->watch), &later[i], sizeof(later[i])) != sizeof(later[i]))
			report_response_error(d, errno);
		close(later[i].fd);
	}
	nlater = 0;
}

/* One event; true if its answer was put off (m->fd stays open until it is given). */
static bool handle(struct daemon *d, const struct fanotify_event_metadata *m)
{
	struct fanotify_response resp = { .fd = m->fd, .response = FAN_ALLOW };
	struct access a = { .m = m, .rule = -1, .route = ROUTE_OTHER };
	struct fanotify_event_metadata seen;
	struct proc_file *f;
	struct proc *p = NULL;
	bool put_off = false, perm;

	/* Observed events are followed as the permission events they stand for. */
	if (m->mask & (WATCH_OPENED | WATCH_READ)) {
		seen = *m;
		seen.event_len = seen.metadata_len;
		seen.mask = (m->mask & WATCH_OPENED ? WATCH_OPEN : 0) |
			    (m->mask & WATCH_READ ? WATCH_ACCESS : 0) | (m->mask & FAN_CLOSE);
		a.m = m = &seen;
		a.observed = true;
	}
	perm = m->mask & (WATCH_OPEN | WATCH_ACCESS | WATCH_PRE);

	if (fstat(m->fd, &a.st) == 0)
		a.rule = watch_rule_of(d->watch, m->fd, &a.st);
	if (a.rule >= 0)
		a.rule_path = d->policy.rules[a.rule].arg;
	/* A file no rule covers (any more) is let be. */
	if (a.rule >= 0 && perm)
		p = judge(d, &a, perm);
	else if (a.rule >= 0)
		p = proc_of(m->pid, 0, false);
	if (a.rule >= 0 && perm && a.dec.verdict == VERDICT_DENY)
		resp.response = FAN_DENY;
	/* Answer first: the thread waits, and logging can wait. */
	if (perm && !a.observed)
		put_off = answer(d, &resp, a.repeat);
	if (!p || a.rule < 0)
		return put_off;
	if (perm)
		rule_label(&d->policy, a.dec.rule, a.label, sizeof(a.label));
	if (m->mask & WATCH_OPEN)
		on_open(d, p, &a);
	if (m->mask & (WATCH_PRE | WATCH_ACCESS))
		on_access(d, p, &a, range_of(m));
	if (m->mask & FAN_CLOSE) {
		f = proc_file_find(p, a.st.st_dev, a.st.st_ino);
		if (f)
			emit_close(d, p, f, "close");
	}
	return put_off;
}

static void report_overflow(struct daemon *d)
{
	struct record r;

	d->n.lost_fanotify++;
	record_init(&r, "lost");
	record_str(&r, "source", "fanotify");
	record_str(&r, "detail", "queue overflow: some close records are missing");
	record_u64(&r, "total", d->n.lost_fanotify);
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
}

void files_read_events(struct daemon *d)
{
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	const struct fanotify_event_metadata *m;
	ssize_t len;
	int batches = 0;

	/* A bounded batch: under a flood, ctlx and the ring buffer get their turn too. */
	while (batches++ < 16 && (len = read(watch_fanotify_fd(d->watch), buf, sizeof(buf))) > 0) {
		for (m = (const void *)buf; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			if (m->vers != FANOTIFY_METADATA_VERSION)
				continue;
			if (m->mask & FAN_Q_OVERFLOW)
				report_overflow(d);
			else if (m->fd >= 0 && handle(d, m))
				continue;	/* answered below: its fd stays open till then */
			if (m->fd >= 0)
				close(m->fd);
		}
	}
	answer_put_off(d);
}

void files_close_all(struct daemon *d, struct proc *p, const char *reason)
{
	while (p->files)
		emit_close(d, p, p->files, reason);
}
