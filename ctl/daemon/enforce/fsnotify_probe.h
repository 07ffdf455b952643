/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What fsnotify (fanotify's and crmguard.ko's inode marks) sees on this
 * kernel, where kernels differ and not by a version one can read off:
 * each is tried once, in a child of its own mount namespace with a tmpfs
 * over its /run, and is false where it cannot be told.
 */
#ifndef CTL_FSNOTIFY_PROBE_H
#define CTL_FSNOTIFY_PROBE_H
#include <stdbool.h>

/*
 * Does an open through an overlay mount reach the marks on the file
 * beneath it? Debian's 6.1 does not, its 6.12 does.
 */
bool overlay_opens_seen(void);
/*
 * Are reads through a descriptor opened while no permission mark was on
 * its filesystem seen by a mark added later? Debian's 6.1 sees them; from
 * 6.14 upstream (and Debian's 6.12) the kernel decides at open that such a
 * file reports no access at all.
 */
bool old_reads_seen(void);

#endif
