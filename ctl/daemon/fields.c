// SPDX-License-Identifier: GPL-2.0
/* The fields every channel's records share: who did it, and to which file. */
#include <pwd.h>
#include <stdio.h>
#include <sys/sysmacros.h>
#include "ctl/daemon/fields.h"

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
	record_i64(r, "pid", p->pid);
	record_i64(r, "ppid", p->ppid);
	put_user(r, p->uid);
	if (p->loginuid != (uint32_t)-1)
		record_u64(r, "loginuid", p->loginuid);
	record_str(r, "exe", p->exe);
	record_str(r, "comm", p->comm);
	record_u64(r, "tainted", p->tainted);
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
