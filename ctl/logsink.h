/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sends records to syslog (facility authpriv, ident crmguard) over a
 * non-blocking datagram socket: crmguardd never waits on the syslog daemon.
 * A record that cannot be sent is counted, and the count is reported in a
 * record of its own once syslog takes records again.
 */
#ifndef CRMGUARD_LOGSINK_H
#define CRMGUARD_LOGSINK_H

#include <stdbool.h>

enum log_level { LOG_LVL_WARNING = 4, LOG_LVL_NOTICE = 5, LOG_LVL_INFO = 6 };

struct logsink {
	const char *socket_path;	/* /dev/log */
	int fd;
	bool echo;			/* also print each record on stdout (-f) */
	unsigned long long unsent;	/* records syslog did not take, not yet reported */
	unsigned long long unsent_total;
};

void logsink_init(struct logsink *ls, const char *socket_path, bool echo);
/* Returns 0 if syslog took the record. */
int logsink_send(struct logsink *ls, enum log_level level, const char *line);
void logsink_close(struct logsink *ls);

#endif
