/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one sink for crmguardd's records: every channel (files, processes,
 * kernel verdicts, USB, clipboard) hands its finished records here, and
 * never to the main loop.
 */
#ifndef CRMGUARD_EMIT_H
#define CRMGUARD_EMIT_H

#include "ctl/daemon/ctlserver.h"
#include "ctl/daemon/logsink.h"
#include "ctl/lib/record.h"

struct sink {
	struct logsink log;	/* syslog (and stdout in the foreground) */
	struct ctlserver *ctl;	/* `ctlx events` followers; NULL until it is open */
};

/* Sends a finished record to syslog and to `ctlx events` followers. */
void sink_emit(struct sink *s, enum log_level level, struct record *r);

#endif
