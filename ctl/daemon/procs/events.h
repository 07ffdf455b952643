/* SPDX-License-Identifier: GPL-2.0 */
/* The process sensor's records, as the daemon takes them. */
#ifndef CRMGUARD_PROCS_EVENTS_H
#define CRMGUARD_PROCS_EVENTS_H

#include "ctl/daemon/daemon.h"

/* One ring-buffer record of the process sensor (a sensor_fn). */
int procs_on_sensor(void *ctx, const struct sensor_event *e);
/* Ends the entries of processes that are gone without an exit record. */
void procs_sweep(struct daemon *d);
/* A record of the ring-buffer records dropped since the last one, if any. */
void procs_report_drops(struct daemon *d);

#endif
