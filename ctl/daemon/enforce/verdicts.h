/* SPDX-License-Identifier: GPL-2.0 */
/* The in-kernel backend's verdicts, as records. */
#ifndef CRMGUARD_VERDICTS_H
#define CRMGUARD_VERDICTS_H

#include "ctl/daemon/daemon.h"

/* One verdict of the in-kernel backend (an enforcer_read callback). */
void verdicts_on_kernel(void *ctx, const struct kernel_verdict *v);
/* A record of the verdicts the kernel counted but could not hand over, if any are new. */
void verdicts_report_lost(struct daemon *d);

#endif
