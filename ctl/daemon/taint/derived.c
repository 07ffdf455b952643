// SPDX-License-Identifier: GPL-2.0
/* Files written by tainted processes become protected (derived.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include "ctl/daemon/daemon.h"
#include "ctl/daemon/fields.h"
#include "ctl/daemon/reload.h"
#include "ctl/daemon/taint/derived.h"
#include "ctl/daemon/taint/taint.h"
#include "ctl/lib/ctlproto.h"

static int fan = -1;

/* The state file's text, malloc()ed, NUL-terminated beyond len; NULL if none. */
static char *read_state(const char *state, size_t *len)
{
	char *buf = NULL, *grown;
	size_t cap = 0;
	ssize_t n;
	int fd = open(state, O_RDONLY | O_CLOEXEC);

	*len = 0;
	if (fd < 0)
		return NULL;
	for (;;) {
		if (cap - *len < 4096) {
			cap = cap ? 2 * cap : 8192;
			grown = realloc(buf, cap + 1);
			if (!grown)
				break;
			buf = grown;
		}
		n = read(fd, buf + *len, cap - *len);
		if (n <= 0)
			break;
		*len += n;
	}
	close(fd);
	if (buf)
		buf[*len] = 0;
	return buf;
}

/* Calls fn for each (path, source) pair of the state file; stops at fn's non-zero. */
static int each(const char *state, int (*fn)(void *ctx, const char *path, const char *src, int n),
		void *ctx)
{
	size_t len, pos = 0;
	char *text = read_state(state, &len);
	const char *path, *src;
	int n = 0, ret = 0;

	while (text && !ret && pos < len) {
		path = text + pos;
		pos += strlen(path) + 1;
		src = pos < len ? text + pos : "";
		pos += strlen(src) + 1;
		ret = fn(ctx, path, src, ++n);
	}
	free(text);
	return ret;
}

struct add_ctx {
	struct policy *p;
	const char *state;
	char *err;
	size_t errlen;
};

static int add_rule(void *ctx, const char *path, const char *src, int n)
{
	struct add_ctx *c = ctx;
	struct policy_rule *r;

	if (path[0] != '/' || policy_taint_excluded(&c->p->taint, path))
		return 0;	/* excluded since: free again */
	r = realloc(c->p->rules, (c->p->nrules + 1) * sizeof(*r));
	if (!r)
		goto oom;
	c->p->rules = r;
	r = &c->p->rules[c->p->nrules];
	memset(r, 0, sizeof(*r));
	r->kind = RULE_PROTECT;
	r->arg = strdup(path);
	r->file = strdup(c->state);
	r->line = n;
	r->mnt_id = -1;
	if (!r->arg || !r->file) {
		free(r->arg);
		free(r->file);
		goto oom;
	}
	c->p->nrules++;
	return 0;
oom:
	snprintf(c->err, c->errlen, "%s: out of memory", c->state);
	return -ENOMEM;
}

int derived_add_rules(struct policy *p, const char *state, char *err, size_t errlen)
{
	struct add_ctx c = { p, state, err, errlen };

	return p->taint.files ? each(state, add_rule, &c) : 0;
}

/* Marks every local filesystem mounted here (one mark a filesystem). */
static void mark_filesystems(void)
{
	static const char *const types[] = { "ext4", "ext3", "ext2", "xfs", "btrfs", "tmpfs",
					     "f2fs", "vfat", "exfat", "ntfs3" };
	struct mntent *m;
	size_t i;
	FILE *f = setmntent("/proc/self/mounts", "re");

	while (f && (m = getmntent(f))) {
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcmp(m->mnt_type, types[i]))
				break;
		if (i < sizeof(types) / sizeof(types[0]))
			fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_CLOSE_WRITE,
				      AT_FDCWD, m->mnt_dir);
	}
	if (f)
		endmntent(f);
}

int derived_open(char *err, size_t errlen)
{
	fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK,
			    O_RDONLY | O_CLOEXEC | O_LARGEFILE);
	if (fan < 0) {
		snprintf(err, errlen, "fanotify_init: %s: taint files is not followed", strerror(errno));
		return -errno;
	}
	return 0;
}

void derived_close(void)
{
	if (fan >= 0)
		close(fan);
	fan = -1;
}

void derived_apply(struct daemon *d)
{
	static bool marked;

	if (fan < 0 || d->policy.taint.files == marked)
		return;
	if (d->policy.taint.files)
		mark_filesystems();
	else	/* every filesystem mark of the group goes */
		fanotify_mark(fan, FAN_MARK_FLUSH | FAN_MARK_FILESYSTEM, 0, AT_FDCWD, "/");
	marked = d->policy.taint.files;
}

int derived_fd(void)
{
	return fan;
}

static int is_listed(void *ctx, const char *path, const char *src, int n)
{
	return !strcmp(path, ctx);
}

/* Appends (path, source) to the state file, making its directory if need be. */
static int remember(const char *state, const char *path, const char *source)
{
	char dir[PATH_MAX];
	int fd, ok;

	if (each(state, is_listed, (void *)path))
		return 0;
	snprintf(dir, sizeof(dir), "%s", state);
	if (strrchr(dir, '/') && strrchr(dir, '/') != dir) {
		*strrchr(dir, '/') = 0;
		mkdir(dir, 0700);
	}
	fd = open(state, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ok = write(fd, path, strlen(path) + 1) == (ssize_t)strlen(path) + 1 &&
	     write(fd, source, strlen(source) + 1) == (ssize_t)strlen(source) + 1;
	close(fd);
	return ok ? 0 : -EIO;
}

static void on_written(struct daemon *d, const struct fanotify_event_metadata *m)
{
	const char *source = taint_source(m->pid);
	char link[64], path[PATH_MAX], msg[POLICY_ERR_MAX];
	struct proc *p;
	struct record r;
	struct stat st;
	ssize_t n;
	int ret;

	if (!source || fstat(m->fd, &st) || !S_ISREG(st.st_mode))
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", m->fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return;
	path[n] = 0;
	if (path[0] != '/' || strchr(path, '\n') || strstr(path, " (deleted)") ||
	    policy_taint_excluded(&d->policy.taint, path) || watch_covers(d->watch, path) >= 0)
		return;
	ret = remember(d->taint_state, path, source);
	if (!ret)
		ret = daemon_apply_policy(d, NULL, 0, NULL, msg, sizeof(msg));
	record_init(&r, ret ? "error" : "protected");
	record_str(&r, "reason", "taint");
	record_str(&r, "path", path);
	p = proctab_get(m->pid);
	if (p)
		put_proc(&r, p);
	else
		record_i64(&r, "pid", m->pid);
	if (!p || !taint_source(m->pid))
		record_str(&r, "taint_source", source);
	if (ret)
		record_str(&r, "error", ret < 0 ? strerror(-ret) : msg);
	sink_emit(&d->sink, ret ? LOG_LVL_WARNING : LOG_LVL_NOTICE, &r);
}

void derived_read_events(struct daemon *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	const struct fanotify_event_metadata *m;
	ssize_t len;

	while (fan >= 0 && (len = read(fan, buf, sizeof(buf))) > 0) {
		for (m = (const void *)buf; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			if (m->fd < 0)
				continue;
			if (m->pid != getpid())	/* the state file */
				on_written(d, m);
			close(m->fd);
		}
	}
}

struct list_ctx {
	bool json;
	FILE *out;
};

static int list_one(void *ctx, const char *path, const char *src, int n)
{
	struct list_ctx *c = ctx;

	if (!c->json) {
		fprintf(c->out, "file %s\tsource %s\n", path, src);
		return 0;
	}
	fputs(n > 1 ? ",{\"path\":" : "{\"path\":", c->out);
	json_str(c->out, path);
	fputs(",\"source\":", c->out);
	json_str(c->out, src);
	fputc('}', c->out);
	return 0;
}

void derived_list(const char *state, bool json, FILE *out)
{
	struct list_ctx c = { json, out };

	each(state, list_one, &c);
}
