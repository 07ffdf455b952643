/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sends records to syslog (facility authpriv, ident crmguard) over a
 * non-blocking datagram socket: crmguardd never waits on the syslog daemon.
 * What syslog cannot take at once (a burst fills a unix datagram queue
 * within a dozen records) waits in a queue, in order, bounded in bytes.
 * A record that does not fit there is counted; the sink (emit.h) reports
 * the count in a record of its own once syslog takes records again.
 */
#ifndef CRMGUARD_LOGSINK_H
#define CRMGUARD_LOGSINK_H

#include <stdbool.h>

enum log_level { LOG_LVL_WARNING = 4, LOG_LVL_NOTICE = 5, LOG_LVL_INFO = 6 };

struct logsink {
	const char *socket_path;	/* /dev/log */
	int fd;
	bool echo;			/* also print each record on stdout (-f) */
	char **queue;			/* ring of pending messages */
	size_t head, count, cap, queued_bytes;
	unsigned long long unsent;	/* records dropped, not yet reported (by emit.c) */
	unsigned long long unsent_total;
};

void logsink_init(struct logsink *ls, const char *socket_path, bool echo);
/* Returns 0 if the record was sent or queued, -1 if it was dropped. */
int logsink_send(struct logsink *ls, enum log_level level, const char *line);
/*
 * Sends what is queued, as far as syslog takes it; true if some is left.
 * Records sent meanwhile wait behind it while unsent is not 0.
 */
bool logsink_flush(struct logsink *ls);
void logsink_close(struct logsink *ls);

#endif
