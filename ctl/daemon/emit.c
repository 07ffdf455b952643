// SPDX-License-Identifier: GPL-2.0
#include "ctl/daemon/emit.h"

void sink_emit(struct sink *s, enum log_level level, struct record *r)
{
	const char *line;

	record_seq(r, ++s->seq);
	line = record_line(r);
	logsink_send(&s->log, level, line);
	if (s->ctl)
		ctlserver_broadcast(s->ctl, line);
}

bool sink_flush(struct sink *s)
{
	unsigned long long dropped = s->log.unsent;
	struct record r;

	if (logsink_flush(&s->log) || !dropped)
		return s->log.count > 0;
	s->log.unsent = 0;
	record_init(&r, "lost");
	record_str(&r, "source", "syslog");
	record_u64(&r, "count", dropped);
	record_u64(&r, "total", s->log.unsent_total);
	sink_emit(s, LOG_LVL_WARNING, &r);
	return s->log.count > 0;
}
