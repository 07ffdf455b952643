/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_OVERLAY_PROBE_H
#define CTL_OVERLAY_PROBE_H
#include <stdbool.h>

/*
 * Whether an open through an overlay mount reaches the inode marks on the
 * file beneath it (fanotify's, crmguard.ko's). Tried once, in a child of
 * its own mount namespace; false where it cannot be told.
 */
bool overlay_opens_seen(void);

#endif
