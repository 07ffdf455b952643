/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `taint files yes`: a regular file that a tainted process closes after
 * writing becomes protected itself (an export, and so its copies), unless
 * a `taint exclude` path covers it. Seen through fanotify FAN_CLOSE_WRITE
 * on the filesystems of the machine's mounts (a notification, not a
 * permission event: writers do not wait), only while the policy says so.
 * The derived files are kept in a state file (NUL-separated path, source
 * pairs) and come back as protect rules at every policy load, restarts
 * included.
 */
#ifndef CRMGUARD_TAINT_DERIVED_H
#define CRMGUARD_TAINT_DERIVED_H

#include <stdbool.h>
#include <stdio.h>

#define DERIVED_STATE "/var/lib/crmguard/taint.state"

struct daemon;
struct policy;

/* Adds a protect rule to p for each derived file in state (if p says taint files yes). */
int derived_add_rules(struct policy *p, const char *state, char *err, size_t errlen);
/* The fanotify group for written files (no marks yet); -errno and why in err. */
int derived_open(char *err, size_t errlen);
void derived_close(void);
/* Watches for files written by tainted processes while d's policy says so. */
void derived_apply(struct daemon *d);
/* The fanotify descriptor to poll; -1 if none. */
int derived_fd(void);
void derived_read_events(struct daemon *d);
/* The derived files, for ctlx taint list: text lines, or JSON array items. */
void derived_list(const char *state, bool json, FILE *out);

#endif
