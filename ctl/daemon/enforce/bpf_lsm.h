/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What crmguard's BPF LSM programs share (the file rules' and the
 * read-only sticks'): whether the kernel runs the BPF LSM, and links that
 * outlive crmguardd, pinned in a folder of the BPF filesystem, each new
 * daemon's link put in the last one's place without a moment when the
 * hook is empty.
 */
#ifndef CRMGUARD_DAEMON_BPF_LSM_H
#define CRMGUARD_DAEMON_BPF_LSM_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/libbpf.h>

#define BPF_LSM_PIN_PATH_MAX 128	/* a folder, "/new_link_" and a program name */

/* 0, or -EOPNOTSUPP and why: the LSMs the kernel runs must include "bpf" (lsm=). */
int bpf_lsm_active(char *err, size_t errlen);
/* Makes dir (0700) and checks that it is on a BPF filesystem. */
int bpf_lsm_pin_dir(const char *dir, char *err, size_t errlen);
/* dir/link_PROGRAM: where prog's link is pinned. */
void bpf_lsm_pin_path(const char *dir, const struct bpf_program *prog, char *buf, size_t len);
/*
 * Pins link at bpf_lsm_pin_path(), in place of the link pinned there, if
 * any: through a new name (bpffs takes no dots) and a rename, so both are
 * attached until the old pin goes. Returns 0 or -errno.
 */
int bpf_lsm_pin_link(const char *dir, const struct bpf_program *prog, struct bpf_link *link);
/*
 * Attaches every program of obj into links[0..max), *n of them: each
 * pinned in dir over the last daemon's (pin), so the hook is never empty;
 * or held by this daemon only, and the last one's pin let go. 0, or -errno
 * and what failed in err; the links attached so far are in links.
 */
int bpf_lsm_attach_all(struct bpf_object *obj, const char *dir, bool pin, struct bpf_link **links,
		       size_t max, size_t *n, char *err, size_t errlen);

#endif
