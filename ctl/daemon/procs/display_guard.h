/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loads the display guard (ebpf/display_guard.bpf.c): cgroup connect
 * programs that refuse a tainted process's connect() to a display server.
 */
#ifndef CRMGUARD_CTL_DISPLAY_GUARD_H
#define CRMGUARD_CTL_DISPLAY_GUARD_H

#include <stddef.h>
#include <linux/types.h>

struct display_guard;

/*
 * Attached to the root of the cgroup v2 hierarchy, with the sensor's
 * `display`, `events` and `tracked` maps; NULL (err says why) where the
 * kernel lacks an attach point (unix sockets: Linux 6.7) or cgroup v2.
 * It also reports the first receive on a unix socket that a tracked
 * process sent on (SENSOR_RECEIVED).
 */
struct display_guard *display_guard_open(int display_fd, int events_fd, int tracked_fd,
					 char *err, size_t errlen);
void display_guard_close(struct display_guard *g);
/* Records the ring buffer had no room for. */
__u64 display_guard_dropped(const struct display_guard *g);

#endif
