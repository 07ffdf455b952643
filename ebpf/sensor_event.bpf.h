/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process sensor's ring buffer and its records (sensor.h), for the
 * programs that write them: the sensor (sensor.bpf.c) and the display
 * guard (display_guard.bpf.c), which is handed the sensor's map. Included
 * after vmlinux.h, bpf_helpers.h and bpf_core_read.h.
 */
#ifndef CRMGUARD_SENSOR_EVENT_BPF_H
#define CRMGUARD_SENSOR_EVENT_BPF_H

#include "sensor.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);	/* resized by crmguardd */
} events SEC(".maps");

/* Records that found the ring buffer full; crmguardd reports them. */
__u64 dropped = 0;

/* A record of task's, its other fields zero; NULL (counted) if the ring buffer is full. */
static __always_inline struct sensor_event *reserve(__u32 type, struct task_struct *task)
{
	struct sensor_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return NULL;
	}
	e->type = type;
	e->pid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	e->loginuid = (__u32)-1;
	if (bpf_core_field_exists(task->loginuid))
		e->loginuid = BPF_CORE_READ(task, loginuid.val);
	e->exit_code = 0;
	e->exe_dev = 0;
	e->exe_ino = 0;
	e->rchar = 0;
	e->wchar = 0;
	e->filename[0] = 0;
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	return e;
}

/*
 * tgid -> SENSOR_DISPLAY_*: tainted processes, filled by crmguardd,
 * inherited on fork by the sensor, read by whichever program meets their
 * connect() calls.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} display SEC(".maps");

/* Records a tainted process's connect() to the display server at addr (display.bpf.h). */
static __always_inline void display_record(__u32 how, const char *addr)
{
	struct sensor_event *e = reserve(SENSOR_DISPLAY, bpf_get_current_task_btf());
	__u16 family = *(__u16 *)addr;

	if (!e)
		return;
	e->exit_code = how;
	e->exe_dev = family;
	e->exe_ino = display_port(addr);
	if (family == AF_UNIX)
		__builtin_memcpy(e->filename, addr + 2, 108);
	bpf_ringbuf_submit(e, 0);
}

#endif
