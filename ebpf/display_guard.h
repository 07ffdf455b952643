/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The display guard (display_guard.bpf.c) writes the sensor's records
 * (sensor.h) into the sensor's ring buffer; this is what else both sides
 * share.
 */
#ifndef CRMGUARD_DISPLAY_GUARD_H
#define CRMGUARD_DISPLAY_GUARD_H

/*
 * BPF_CGROUP_UNIX_CONNECT (Linux 6.7), which the uapi headers of older
 * distributions do not name; an attach type's number is ABI.
 */
#define DISPLAY_GUARD_UNIX_CONNECT 49

#endif
