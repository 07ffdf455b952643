// SPDX-License-Identifier: GPL-2.0
#include <string.h>
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

void sink_error(struct sink *s, const char *source, const char *detail, int err)
{
	struct record r;

	record_init(&r, "error");
	record_str(&r, "source", source);
	record_str(&r, "detail", detail ? detail : strerror(err));
	if (detail)
		record_str(&r, "error", strerror(err));
	sink_emit(s, LOG_LVL_WARNING, &r);
}
