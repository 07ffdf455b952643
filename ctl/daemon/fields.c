// SPDX-License-Identifier: GPL-2.0
/* The fields every channel's records share: who did it, and to which file. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "ctl/daemon/fields.h"
#include "ctl/daemon/taint/taint.h"

static void put_user(struct record *r, uid_t uid)
{
	static uid_t cached_uid = (uid_t)-1;
	static char cached[64];
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (uid != cached_uid) {
		if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
			snprintf(cached, sizeof(cached), "%s", pw.pw_name);
		else
			snprintf(cached, sizeof(cached), "%u", uid);
		cached_uid = uid;
	}
	record_u64(r, "uid", uid);
	record_str(r, "user", cached);
}

void put_proc(struct record *r, const struct proc *p)
{
	const char *source = taint_source(p->pid);

	record_i64(r, "pid", p->pid);
	record_i64(r, "ppid", p->ppid);
	put_user(r, p->uid);
	if (p->loginuid != (uint32_t)-1)
		record_u64(r, "loginuid", p->loginuid);
	record_str(r, "exe", p->exe);
	record_str(r, "comm", p->comm);
	record_u64(r, "tainted", p->tainted || source);
	if (source)
		record_str(r, "taint_source", source);
}

void put_file(struct record *r, const char *path, bool unreachable, dev_t dev, ino_t ino)
{
	char num[32];

	record_str(r, "path", path);
	if (unreachable)
		record_u64(r, "path_unreachable", 1);
	snprintf(num, sizeof(num), "%u:%u", major(dev), minor(dev));
	record_str(r, "dev", num);
	record_u64(r, "ino", ino);
}

/* As the kernel named it: the process may be gone. */
void put_kernel_proc(struct record *r, const struct proc *p)
{
	char num[32];

	record_i64(r, "pid", p->pid);
	put_user(r, p->uid);
	if (p->exe[0]) {
		record_str(r, "exe", p->exe);
	} else {	/* the kernel could not name it: its inode */
		snprintf(num, sizeof(num), "%u:%u", major(p->exe_dev), minor(p->exe_dev));
		record_str(r, "exe_dev", num);
		record_u64(r, "exe_ino", p->exe_ino);
	}
	record_str(r, "comm", p->comm);
}

/* "mount/bin/usr/" (the BPF program's names, leaf first) as "/usr/bin/mount". */
static void exe_path(const struct caller *c, char *out, size_t len)
{
	char names[CALLER_EXE_LEN + 1], *slash, *name;
	size_t used = 0, n;

	memcpy(names, c->exe, CALLER_EXE_LEN);
	names[CALLER_EXE_LEN] = 0;
	out[0] = 0;
	while (names[0] && (slash = strrchr(names, '/'))) {
		*slash = 0;
		slash = strrchr(names, '/');
		name = slash ? slash + 1 : names;
		n = strlen(name);
		if (used + 1 + n >= len)
			break;	/* cut where it does not fit: the leaf stays out */
		out[used++] = '/';
		memcpy(out + used, name, n + 1);
		used += n;
		if (!slash)
			break;
		slash[1] = 0;
	}
}

void put_caller(struct record *r, const struct caller *c)
{
	struct proc *p = proctab_get(c->pid);

	/* a short-lived caller is often gone, or a zombie without exe, by now */
	if (p && p->exe && p->exe[0])
		put_proc(r, p);
	else
		put_caller_seen(r, c);
}

void put_caller_seen(struct record *r, const struct caller *c)
{
	char exe[CALLER_EXE_LEN + 1];
	struct proc gone = { .pid = c->pid, .uid = c->uid, .exe = "", .exe_dev = c->exe_dev,
			     .exe_ino = c->exe_ino };

	memcpy(gone.comm, c->comm, sizeof(gone.comm));
	gone.comm[sizeof(gone.comm) - 1] = 0;
	exe_path(c, exe, sizeof(exe));
	gone.exe = exe;
	put_kernel_proc(r, &gone);
}
