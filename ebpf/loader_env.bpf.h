/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Does a program that has just been exec'd run with injected code? Its
 * loader will read LD_PRELOAD, LD_AUDIT and LD_LIBRARY_PATH from the
 * environment block the kernel has just built, before any of the program's
 * own code runs: judged here, from a tp_btf/sched_process_exec program, the
 * answer cannot be changed by what that code writes into its memory later.
 * For the BPF programs of ebpf/ (sensor.bpf.c, enforce.bpf.c).
 */
#ifndef CRMGUARD_LOADER_ENV_BPF_H
#define CRMGUARD_LOADER_ENV_BPF_H

#define ENV_STR_READ 256	/* bytes of an environment string read at a time */
#define ENV_MAX_READS 65536	/* more is taken as LD_PRELOAD hidden past the end */

struct env_scan {
	__u64 pos, end;		/* user addresses in the environment block */
	bool preload;
};

/* "LD_PRELOAD=x", "LD_AUDIT=x", "LD_LIBRARY_PATH=x" (empty values inject nothing). */
static __always_inline bool is_var(const char *s, long len, const char *name, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (s[i] != name[i])
			return false;
	return len > n + 1;	/* len counts the NUL */
}

static long scan_env(__u32 i, struct env_scan *c)
{
	char s[ENV_STR_READ];
	long len;

	if (c->pos >= c->end)
		return 1;
	len = bpf_probe_read_user_str(s, sizeof(s), (const void *)c->pos);
	if (len <= 0 || is_var(s, len, "LD_PRELOAD=", 11) || is_var(s, len, "LD_AUDIT=", 9) ||
	    is_var(s, len, "LD_LIBRARY_PATH=", 16)) {
		c->preload = true;	/* an unreadable environment may hide one */
		return 1;
	}
	/* a longer string is read on from where this read stopped */
	c->pos += len < ENV_STR_READ ? len : ENV_STR_READ - 1;
	return 0;
}

/* Call from sched_process_exec: the environment is in place, no code of it has run. */
static __always_inline bool loader_env_injected(struct task_struct *task)
{
	struct env_scan c = {
		.pos = BPF_CORE_READ(task, mm, env_start),
		.end = BPF_CORE_READ(task, mm, env_end),
	};

	bpf_loop(ENV_MAX_READS, scan_env, &c, 0);
	return c.preload || c.pos < c.end;
}

#endif
