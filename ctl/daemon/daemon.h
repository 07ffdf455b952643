/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crmguardd's state, shared by its parts. The parts hand their records
 * to the sink (emit.h); nothing here calls back into main.c.
 */
#ifndef CRMGUARD_DAEMON_H
#define CRMGUARD_DAEMON_H

#include <time.h>
#include "ctl/daemon/emit.h"
#include "ctl/daemon/enforce/enforcer.h"
#include "ctl/daemon/files/watch.h"
#include "ctl/daemon/procs/proctab.h"
#include "ctl/daemon/procs/sensor.h"
#include "ctl/daemon/usb/mounts.h"
#include "ctl/daemon/usb/usb.h"
#include "ctl/lib/decide.h"
#include "ctl/lib/policy.h"

struct counters {
	unsigned long long open, close, exec, fork, exit;
	unsigned long long deny;		/* opens and reads refused */
	unsigned long long response_errors;	/* answers the kernel did not take */
	unsigned long long lost_fanotify;	/* fanotify queue overflows */
	unsigned long long lost_ringbuf;	/* ring-buffer records dropped */
	unsigned long long lost_kernel;		/* verdicts the kernel could not hand over */
	bool lost_kernel_read;			/* lost_kernel has been read once */
};

struct daemon {
	const char *policy_path;
	const char *taint_state;	/* derived files (taint/derived.h) */
	struct policy policy;
	struct watch *watch;
	unsigned long watch_gen;	/* counts the watches made, from 1 */
	struct sensor *sensor;
	struct enforcer enforcer;
	struct sink sink;	/* syslog and `ctlx events` */
	struct usb *usb;	/* USB mass storage */
	struct mounts *mounts;	/* mount records; NULL if the sensor did not load */
	struct counters n;
	time_t started;
	unsigned long long heartbeats;		/* heartbeat records sent */
	bool locked;			/* until reboot (lock.h) */
	char policy_hash[65];		/* the running policy's (heartbeat.h), hex */
	char lock_marker[4096];		/* lock.h: beside the control socket */
	int lock_from;			/* lock.h: the crmguardd whose lock this one took over */
	time_t heartbeat_last;			/* CLOCK_MONOTONIC seconds of the last */
};

#endif
