/* SPDX-License-Identifier: GPL-2.0 */
/* Loads ebpf/sensor.bpf.c and hands its ring-buffer records to a callback. */
#ifndef CRMGUARD_CTL_SENSOR_H
#define CRMGUARD_CTL_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "ebpf/sensor.h"

struct sensor;
typedef int (*sensor_cb)(void *ctx, const struct sensor_event *e);

/*
 * ringbuf_size: bytes, a power of two of at least one page; 0 for default.
 * display_elsewhere: the kernel backend ends tainted processes' display
 * connections (enforcer_sees_display()): no syscall tracepoint for them.
 */
int sensor_open(struct sensor **out, size_t ringbuf_size, bool display_elsewhere, bool verbose,
		sensor_cb cb, void *ctx, char *err, size_t errlen);
void sensor_close(struct sensor *s);
int sensor_fd(const struct sensor *s);
int sensor_consume(struct sensor *s);
int sensor_track(struct sensor *s, pid_t tgid);
/* The map of tracked processes (SENSOR_TRACKED), for the USB programs to share; -1 if none. */
int sensor_tracked_fd(const struct sensor *s);
/* The `injected` map (ebpf/injected.bpf.h), for the hand-over watch; -1 without a sensor. */
int sensor_injected_fd(const struct sensor *s);
/* How tgid's connect() to a display server is met (SENSOR_DISPLAY_*; 0: not). */
int sensor_display(struct sensor *s, pid_t tgid, __u32 how);
/* Is a display connection in the `display` map refused (EPERM), not killed? */
bool sensor_refuses_connect(const struct sensor *s);
/* Is it seen at all (refused, or killed by the tracepoint)? */
bool sensor_sees_connect(const struct sensor *s);
/*
 * A pipe or FIFO that carries what writer, tainted, wrote: a process that
 * opens it to read from now on is tracked, and reported (SENSOR_FIFO).
 * 0, or -errno; 0 also where the kernel has no FIFO programs.
 */
int sensor_fifo(struct sensor *s, const struct sensor_fifo *key, pid_t writer);
/* It carries nothing any more (nobody holds it). */
void sensor_fifo_drop(struct sensor *s, const struct sensor_fifo *key);
/*
 * Records delete_module() calls (lock.c: refused rmmod of a locked
 * crmguard.ko) from now on, or no more: a syscall tracepoint, attached
 * only while locked. 0 or -errno.
 */
int sensor_watch_rmmod(struct sensor *s, bool on);
__u64 sensor_dropped(const struct sensor *s);
/*
 * Does tgid run injected code (LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH), as
 * its environment said at exec? 1 yes, 0 no; -1 cannot tell: it started
 * before the programs were attached (or their map was full).
 */
int sensor_injected(const struct sensor *s, pid_t tgid);
/* Writes "name,name,..." of the attached programs into buf. */
void sensor_programs(const struct sensor *s, char *buf, size_t len);

#endif
