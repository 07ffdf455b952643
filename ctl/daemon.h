/* SPDX-License-Identifier: GPL-2.0 */
/* crmguardd's state, shared by its parts. */
#ifndef CRMGUARD_DAEMON_H
#define CRMGUARD_DAEMON_H

#include <time.h>
#include "ctl/ctlserver.h"
#include "ctl/daemon/usb/usb.h"
#include "ctl/decide.h"
#include "ctl/enforcer.h"
#include "ctl/logsink.h"
#include "ctl/policy.h"
#include "ctl/proctab.h"
#include "ctl/record.h"
#include "ctl/sensor.h"
#include "ctl/watch.h"

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
	struct policy policy;
	struct watch *watch;
	unsigned long watch_gen;	/* counts the watches made, from 1 */
	struct sensor *sensor;
	struct enforcer enforcer;
	struct logsink log;
	struct ctlserver *ctl;
	struct usb *usb;
	struct counters n;
	time_t started;
};

/* Sends a finished record to syslog and to `ctlx events` followers. */
void daemon_emit(struct daemon *d, enum log_level level, struct record *r);
/* A record about the daemon itself (start, stop, reload), with error if not NULL. */
void daemon_note(struct daemon *d, enum log_level level, const char *event, const char *error);
/*
 * Makes the policy file (with text as its new contents if not NULL) the
 * running policy, or changes nothing and says why in err.
 */
int daemon_apply_policy(struct daemon *d, const char *text, size_t len, char *err, size_t errlen);
/* Re-reads the policy; on error writes why to err (if not NULL), exit code. */
int daemon_reload(struct daemon *d, FILE *err);

/* commands.c: one ctlx request (a ctl_handler). */
int commands_handle(void *ctx, int argc, char **argv, FILE *out, FILE *err, bool *follow);

/* access.c: fanotify events on protected files. */
void access_read_events(struct daemon *d);
/* access.c: ring-buffer records of the process sensor. */
int access_on_sensor(void *ctx, const struct sensor_event *e);
/* access.c: with reads trust, read checks on every open file p now denies its holder. */
void access_check_held(const struct policy *p, struct watch *w);
/* access.c: a record's fields for a process, and for a file (unreachable: path_unreachable=1) */
void access_put_proc(struct record *r, const struct proc *p);
void access_put_file(struct record *r, const char *path, bool unreachable, dev_t dev, ino_t ino);
/* revoke.c: ends what a revoke cannot refuse (mappings; held files where mmap is not seen). */
void revoke_end_access(struct daemon *d);
/* access.c: a verdict of the in-kernel backend (an enforcer_read callback). */
void access_on_verdict(void *ctx, const struct kernel_verdict *v);
/* access.c: ends the entries of processes that are gone without an exit record. */
void access_sweep(struct daemon *d);
/*
 * access.c: reports what is due: ring-buffer drops not reported yet, and
 * once a second the counts of repeated refusals. Call it at least each second.
 */
void access_report_drops(struct daemon *d);
/* access.c: on the way out, reports the refusals counted but not reported yet. */
void access_stop(struct daemon *d);

#endif
