/* SPDX-License-Identifier: GPL-2.0 */
/* The running policy, replaced whole or not at all. */
#ifndef CRMGUARD_RELOAD_H
#define CRMGUARD_RELOAD_H

#include <stdio.h>
#include "ctl/daemon/daemon.h"

/* A record about the daemon itself (start, stop, reload), with error if not NULL. */
void daemon_note(struct daemon *d, enum log_level level, const char *event, const char *error);
/*
 * Makes the policy file (with text as its new contents if not NULL) the
 * running policy, or changes nothing and says why in err. how: what asks,
 * for the record of a change the lock refuses (NULL: a reload, or the start).
 */
int daemon_apply_policy(struct daemon *d, const char *text, size_t len, const char *how,
			char *err, size_t errlen);
/* Re-reads the policy; on error writes why to err (if not NULL), exit code. */
int daemon_reload(struct daemon *d, FILE *err);

#endif
