/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process sensor's `injected` map (sensor.bpf.c keeps it), which the
 * hand-over watch (handover.bpf.c) is given too: whether a process runs a
 * library injected through the loader's variables. Included after
 * vmlinux.h and bpf_helpers.h.
 */
#ifndef CRMGUARD_INJECTED_BPF_H
#define CRMGUARD_INJECTED_BPF_H

/*
 * tgid -> SENSOR_INJECTED: the process's last exec had a loader variable
 * set (or an environment too big or unreadable to tell), or it is the child
 * of such a process. An entry lives as long as its process: the exit of
 * its last thread, or a clean exec, removes it, so a reused pid starts
 * without one.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} injected SEC(".maps");

#endif
