// SPDX-License-Identifier: GPL-2.0
/* The BPF LSM's lock, seen from crmguardd: see lsm_lock.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "ctl/daemon/enforce/bpf_lsm.h"
#include "ctl/daemon/enforce/lsm_lock.h"
#include "ctl/lib/kident.h"

bool lsm_pins_locked(struct enforce_lock *l)
{
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	char path[BPF_LSM_PIN_PATH_MAX];
	__u32 zero = 0;
	int fd;

	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "%s/lsm_lock", ENFORCE_PIN_DIR);
	fd = bpf_obj_get_opts(path, &ro);
	if (fd < 0)
		return false;
	if (bpf_map_lookup_elem(fd, &zero, l))
		l->locked = 0;
	close(fd);
	return l->locked;
}

bool lsm_lock_holder_runs(const struct enforce_lock *l)
{
	struct stat self, holder;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%u/exe", l->daemon_tgid);
	return l->daemon_tgid && l->daemon_tgid != (__u32)getpid() && !stat(path, &holder) &&
	       !stat("/proc/self/exe", &self) && holder.st_dev == self.st_dev &&
	       holder.st_ino == self.st_ino;
}

int lsm_own_exe(struct enforce_inode_key *key, char *err, size_t errlen)
{
	struct kmounts mounts = { 0 };
	const struct kmount *m;
	struct stat st;
	int fd, id, ret = 0;

	fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "/proc/self/exe: %s", strerror(errno));
		goto out;
	}
	id = kident_mount_id(fd, "", AT_EMPTY_PATH);
	ret = id < 0 ? id : kmounts_load(&mounts, err, errlen);
	m = ret ? NULL : kmounts_find(&mounts, id);
	if (!m) {
		if (!ret || id < 0)
			snprintf(err, errlen, "/proc/self/exe: its mount (%d) is not in "
				 "/proc/self/mountinfo", id);
		ret = ret ?: -ENOENT;
		goto out;
	}
	key->dev = kident_dev(m, st.st_dev);
	key->ino = st.st_ino;
out:
	if (fd >= 0)
		close(fd);
	kmounts_free(&mounts);
	return ret;
}
