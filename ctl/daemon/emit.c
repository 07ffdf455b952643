// SPDX-License-Identifier: GPL-2.0
#include "ctl/daemon/emit.h"

void sink_emit(struct sink *s, enum log_level level, struct record *r)
{
	const char *line = record_line(r);

	logsink_send(&s->log, level, line);
	if (s->ctl)
		ctlserver_broadcast(s->ctl, line);
}
