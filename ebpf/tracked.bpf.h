/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tgid -> SENSOR_TRACKED: processes that opened protected data, were
 * tainted, or descend from one. The process sensor (sensor.bpf.c) owns it:
 * crmguardd fills it, the sensor follows forks and exits; the USB programs
 * (usb_ro.bpf.c) are given the same map and follow forks too. Included
 * after vmlinux.h and bpf_helpers.h.
 */
#ifndef CRMGUARD_TRACKED_BPF_H
#define CRMGUARD_TRACKED_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} tracked SEC(".maps");

#endif
