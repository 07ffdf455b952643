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
	unsigned long long seq;	/* the last record's number: records since start */
};

/*
 * Numbers a finished record (`seq=N`, from 1 at start, one a record, also
 * for one syslog drops: that leaves a gap the collector sees) and sends it
 * to syslog and to `ctlx events` followers.
 */
void sink_emit(struct sink *s, enum log_level level, struct record *r);
/*
 * An `error` record: what went wrong (`source`, the channel), what it
 * means (`detail`), and strerror(err) as `error`; without a detail, the
 * detail is strerror(err).
 */
void sink_error(struct sink *s, const char *source, const char *detail, int err);
/*
 * Hands syslog what waits for it, then a `lost source=syslog` record for
 * what it dropped; true if some is still waiting.
 */
bool sink_flush(struct sink *s);

#endif
