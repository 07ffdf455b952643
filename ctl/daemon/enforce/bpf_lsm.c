// SPDX-License-Identifier: GPL-2.0
/* What the BPF LSM programs share: see bpf_lsm.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include "ctl/daemon/enforce/bpf_lsm.h"

#define LSM_LIST "/sys/kernel/security/lsm"

/* The LSMs the kernel runs must include "bpf" (lsm= on its command line). */
int bpf_lsm_active(char *err, size_t errlen)
{
	char list[512] = "", copy[512], *tok, *save;
	FILE *f = fopen(LSM_LIST, "r");
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s (is securityfs mounted on /sys/kernel/security?)",
			 LSM_LIST, strerror(-ret));
		return ret;
	}
	if (!fgets(list, sizeof(list), f))
		list[0] = 0;
	fclose(f);
	list[strcspn(list, "\n")] = 0;
	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, "bpf"))
			return 0;
	snprintf(err, errlen, "the BPF LSM is not active (%s: \"%s\"); boot with lsm=%s,bpf",
		 LSM_LIST, list, list);
	return -EOPNOTSUPP;
}

int bpf_lsm_pin_dir(const char *dir, char *err, size_t errlen)
{
	struct statfs fs;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s (is the BPF filesystem mounted: "
			 "mount -t bpf bpf /sys/fs/bpf?)", dir, strerror(errno));
		return -errno;
	}
	if (statfs(dir, &fs) || fs.f_type != BPF_FS_MAGIC) {
		snprintf(err, errlen, "%s is not on a BPF filesystem; mount -t bpf bpf /sys/fs/bpf", dir);
		return -ENOTDIR;
	}
	return 0;
}

static void link_path(const char *dir, const struct bpf_program *prog, const char *prefix,
		      char *buf, size_t len)
{
	snprintf(buf, len, "%s/%slink_%s", dir, prefix, bpf_program__name(prog));
}

void bpf_lsm_pin_path(const char *dir, const struct bpf_program *prog, char *buf, size_t len)
{
	link_path(dir, prog, "", buf, len);
}

int bpf_lsm_pin_link(const char *dir, const struct bpf_program *prog, struct bpf_link *link)
{
	char tmp[BPF_LSM_PIN_PATH_MAX], path[BPF_LSM_PIN_PATH_MAX];
	int ret = 0;

	link_path(dir, prog, "new_", tmp, sizeof(tmp));
	bpf_lsm_pin_path(dir, prog, path, sizeof(path));
	unlink(tmp);
	if (bpf_obj_pin(bpf_link__fd(link), tmp))
		return -errno;
	if (rename(tmp, path)) {
		ret = -errno;
		unlink(tmp);
	}
	return ret;
}

int bpf_lsm_attach_all(struct bpf_object *obj, const char *dir, bool pin, struct bpf_link **links,
		       size_t max, size_t *n, char *err, size_t errlen)
{
	char path[BPF_LSM_PIN_PATH_MAX];
	struct bpf_program *prog;
	int ret;

	bpf_object__for_each_program(prog, obj) {
		if (*n == max) {
			snprintf(err, errlen, "%s has more than %zu programs", bpf_object__name(obj), max);
			return -E2BIG;
		}
		links[*n] = bpf_program__attach(prog);
		ret = links[*n] ? 0 : -errno;
		if (!ret && pin) {
			ret = bpf_lsm_pin_link(dir, prog, links[(*n)++]);
		} else if (!ret) {
			(*n)++;
			bpf_lsm_pin_path(dir, prog, path, sizeof(path));
			ret = unlink(path) && errno != ENOENT ? -errno : 0;
		}
		if (ret) {
			snprintf(err, errlen, "attaching and pinning %s: %s",
				 bpf_program__section_name(prog), strerror(-ret));
			return ret;
		}
	}
	return 0;
}
