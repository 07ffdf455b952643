/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clipboard's maps (clip_lsm.h), pinned by name under ENFORCE_PIN_DIR
 * with the file rules': defined once, here, for clip_lsm.bpf.c, whose
 * programs use them, and for enforce.bpf.c, whose lock keeps a writable
 * descriptor of them from anyone but crmguardd as it keeps the rule maps'
 * (enforce_lock.bpf.h). Whichever object loads first makes them, the
 * other takes the pins over: both name the same maps. Included after
 * vmlinux.h, <bpf/bpf_helpers.h> and clip_lsm.h.
 */
#ifndef CRMGUARD_CLIP_MAPS_BPF_H
#define CRMGUARD_CLIP_MAPS_BPF_H

/* tgid -> 1: tainted processes */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CLIP_MAX_TAINTED);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} clip_taint SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CLIP_MAX_EXES);
	__type(key, struct clip_inode);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} clip_tools SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CLIP_MAX_EXES);
	__type(key, struct clip_inode);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} clip_allow SEC(".maps");

/* [0]: CLIP_OFF, CLIP_AUDIT or CLIP_BLOCK */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} clip_mode SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} clip_events SEC(".maps");

/*
 * [0]: records that found clip_events full, counted since the pin was
 * made (so also while crmguardd was away); crmguardd reports them.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} clip_lost SEC(".maps");

#endif
