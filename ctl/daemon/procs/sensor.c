// SPDX-License-Identifier: GPL-2.0
/* Loads the process sensor (ebpf/sensor.bpf.c) through its skeleton. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "sensor.skel.h"
#include "ctl/daemon/ksyms.h"
#include "ebpf/enforce.h"
#include "ctl/daemon/procs/display_guard.h"
#include "ctl/daemon/procs/sensor.h"

struct sensor {
	struct sensor_bpf *skel;
	struct ring_buffer *rb;
	sensor_cb cb;
	void *ctx;
	unsigned long long attached;	/* clock ticks since boot, as /proc/PID/stat */
	struct display_guard *guard;	/* refuses display connections, where it runs */
	struct bpf_link *connect;	/* on_connect, where the guard cannot run */
	struct bpf_link *rmmod;		/* on_delete_module, while locked (sensor_watch_rmmod) */
};

#define CONNECT_TP "/sys/kernel/tracing/events/syscalls/sys_enter_connect/id"
#define DELETE_MODULE_TP "/sys/kernel/tracing/events/syscalls/sys_enter_delete_module/id"

/*
 * Is a syscall's tracepoint there to attach to? Its id is in tracefs,
 * which is mounted here if nobody has. (delete_module's is not, on a
 * kernel that cannot unload modules.)
 */
static bool tracepoint_there(const char *id)
{
	if (access(id, R_OK))
		mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	return !access(id, R_OK);
}

static bool libbpf_verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Without -v, failures reach the user as one sentence (explain()). */
	if (!libbpf_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct sensor *s = ctx;

	if (len < sizeof(struct sensor_event))
		return 0;
	return s->cb(s->ctx, data);
}

/* One sentence for the reason BPF could not start, instead of libbpf's log. */
static void explain(int err, char *buf, size_t len)
{
	if (geteuid() != 0)
		snprintf(buf, len, "crmguardd must run as root (it loads BPF programs)");
	else if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		snprintf(buf, len, "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); "
			 "crmguard needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	else if (err == -ENOSYS || err == -EOPNOTSUPP)
		snprintf(buf, len, "this kernel has no BPF support (bpf(2): %s)", strerror(-err));
	else
		snprintf(buf, len, "the kernel refused the BPF sensor (%s); run with -v for libbpf's log",
			 strerror(-err));
}

/* What a process's start time in /proc/PID/stat counts: clock ticks since boot. */
static unsigned long long boot_ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (ts.tv_sec * 1000000000ULL + ts.tv_nsec) / (1000000000ULL / sysconf(_SC_CLK_TCK));
}

/*
 * The BPF LSM's map of tainted processes, where its clipboard programs are
 * pinned: the FIFO programs mark a reader there too, so it is refused
 * before crmguardd has tainted it. Else the sensor's own stays, of one
 * entry. 0 or -errno.
 */
static int share_clip_taint(struct sensor *s)
{
	int fd = bpf_obj_get(ENFORCE_PIN_DIR "/clip_taint"), ret;

	if (fd < 0)
		return bpf_map__set_max_entries(s->skel->maps.clip_taint, 1);
	ret = bpf_map__reuse_fd(s->skel->maps.clip_taint, fd);
	close(fd);
	return ret;
}

/*
 * Where a descriptor passed or taken is installed: receive_fd() since
 * 6.2, __receive_fd() before.
 */
enum receive_fd { RECEIVE_NONE, RECEIVE_FD, RECEIVE_FD_OLD };

/* The functions the trampolines (fentry, fexit) are on: each loaded where the kernel has it. */
enum traced_fn {
	FN_FIFO_OPEN, FN_RECEIVE_FD, FN_RECEIVE_FD_OLD, FN_PTRACE_CHECK, FN_TRACEME, N_TRACED_FNS
};
static const char *const traced_fns[N_TRACED_FNS] = {
	[FN_FIFO_OPEN] = "fifo_open",
	[FN_RECEIVE_FD] = "receive_fd",
	[FN_RECEIVE_FD_OLD] = "__receive_fd",
	[FN_PTRACE_CHECK] = "security_ptrace_access_check",
	[FN_TRACEME] = "security_ptrace_traceme",
};

/*
 * Opens, loads and attaches the programs: on_connect too, with connect;
 * the trampolines, with tramp, on the functions `there` says (traced_fns),
 * a descriptor's receipt on the one received says; 0 or -errno.
 */
static int load(struct sensor *s, size_t ringbuf_size, bool connect, bool tramp, const bool *there,
		enum receive_fd received)
{
	int ret;

	sensor_bpf__destroy(s->skel);
	s->skel = sensor_bpf__open();
	if (!s->skel)
		return -errno;
	bpf_program__set_autoload(s->skel->progs.on_connect, connect);
	/* attached only where the display guard cannot run (watch_display) */
	bpf_program__set_autoattach(s->skel->progs.on_connect, false);
	bpf_program__set_autoload(s->skel->progs.on_delete_module, connect &&
				  tracepoint_there(DELETE_MODULE_TP));
	/* a syscall tracepoint slows every system call: attached only while locked */
	bpf_program__set_autoattach(s->skel->progs.on_delete_module, false);
	bpf_program__set_autoload(s->skel->progs.on_fifo_open, tramp && there[FN_FIFO_OPEN]);
	bpf_program__set_autoload(s->skel->progs.on_fifo_opened, tramp && there[FN_FIFO_OPEN]);
	bpf_program__set_autoload(s->skel->progs.on_fd_received, tramp && there[FN_FIFO_OPEN] &&
				  received == RECEIVE_FD);
	bpf_program__set_autoload(s->skel->progs.on_fd_received_old, tramp && there[FN_FIFO_OPEN] &&
				  received == RECEIVE_FD_OLD);
	bpf_program__set_autoload(s->skel->progs.on_ptrace_access, tramp && there[FN_PTRACE_CHECK]);
	bpf_program__set_autoload(s->skel->progs.on_ptrace_traceme, tramp && there[FN_TRACEME]);
	if (ringbuf_size) {
		ret = bpf_map__set_max_entries(s->skel->maps.events, ringbuf_size);
		if (ret)
			return ret;
	}
	ret = share_clip_taint(s);
	if (ret)
		return ret;
	ret = sensor_bpf__load(s->skel);
	return ret ? ret : sensor_bpf__attach(s->skel);
}

/*
 * Tainted processes' connect() to a display server: refused by the
 * display guard where the kernel has its attach points; else, unless the
 * kernel backend ends them itself (elsewhere), seen by a syscall
 * tracepoint, which kills in block mode and slows every system call;
 * else not seen (sensor_programs() tells which).
 */
static void watch_display(struct sensor *s, bool elsewhere, bool verbose)
{
	char why[256];

	s->guard = display_guard_open(bpf_map__fd(s->skel->maps.display),
				      bpf_map__fd(s->skel->maps.events),
				      bpf_map__fd(s->skel->maps.tracked), why, sizeof(why));
	if (s->guard || elsewhere || !bpf_program__autoload(s->skel->progs.on_connect)) {
		if (!s->guard && verbose)
			fprintf(stderr, "crmguardd: %s; %s\n", why, elsewhere ?
				"the kernel backend ends such connections" :
				"no tracepoint on connect() either");
		return;
	}
	s->connect = bpf_program__attach(s->skel->progs.on_connect);
	if (verbose)
		fprintf(stderr, "crmguardd: %s; %s\n", why, s->connect ?
			"a tracepoint on connect() kills instead" : "the tracepoint on connect() failed too");
}

int sensor_open(struct sensor **out, size_t ringbuf_size, bool display_elsewhere, bool verbose,
		sensor_cb cb, void *ctx, char *err, size_t errlen)
{
	bool connect, there[N_TRACED_FNS];
	enum receive_fd received;
	struct sensor *s;
	int ret;

	libbpf_verbose = verbose;
	libbpf_set_print(print_libbpf);
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->cb = cb;
	s->ctx = ctx;
	/*
	 * without the trampolines if the kernel allows none, then without
	 * the connect() program if it will not have that either
	 */
	connect = tracepoint_there(CONNECT_TP);
	ksyms_find(traced_fns, there, N_TRACED_FNS);
	/* 6.1 has a receive_fd() too, of two arguments, which nothing here calls */
	received = there[FN_RECEIVE_FD_OLD] ? RECEIVE_FD_OLD :
		   there[FN_RECEIVE_FD] ? RECEIVE_FD : RECEIVE_NONE;
	ret = load(s, ringbuf_size, connect, true, there, received);
	if (ret)
		ret = load(s, ringbuf_size, connect, false, there, RECEIVE_NONE);
	if (ret && connect)
		ret = load(s, ringbuf_size, false, false, there, RECEIVE_NONE);
	if (ret)
		goto fail;
	watch_display(s, display_elsewhere, verbose);
	s->attached = boot_ticks();
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_record, s, NULL);
	if (!s->rb) {
		ret = -errno;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	explain(ret, err, errlen);
	sensor_close(s);
	return ret;
}

/* Did tgid start after the programs were attached (a tick later, to be sure)? */
static bool started_since(const struct sensor *s, pid_t tgid)
{
	unsigned long long start;
	char path[64], buf[1024];
	const char *p;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", tgid);
	f = fopen(path, "re");
	n = f ? (ssize_t)fread(buf, 1, sizeof(buf) - 1, f) : -1;
	if (f)
		fclose(f);
	buf[n > 0 ? n : 0] = 0;
	/* after "pid (comm)": state is field 3, starttime field 22 */
	p = strrchr(buf, ')');
	return p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			   "%*d %*d %*d %*d %llu", &start) == 1 && start > s->attached;
}

int sensor_injected(const struct sensor *s, pid_t tgid)
{
	__u32 key = tgid, mark;

	if (!started_since(s, tgid) ||
	    __atomic_load_n(&s->skel->bss->injected_lost, __ATOMIC_RELAXED))
		return -1;
	return !bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.injected), &key, &mark);
}

void sensor_close(struct sensor *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	bpf_link__destroy(s->rmmod);
	bpf_link__destroy(s->connect);
	display_guard_close(s->guard);
	sensor_bpf__destroy(s->skel);
	free(s);
}

int sensor_fd(const struct sensor *s)
{
	return ring_buffer__epoll_fd(s->rb);
}

int sensor_consume(struct sensor *s)
{
	return ring_buffer__consume(s->rb);
}

int sensor_track(struct sensor *s, pid_t tgid)
{
	__u32 key = tgid, val = SENSOR_TRACKED;

	return bpf_map__update_elem(s->skel->maps.tracked, &key, sizeof(key),
				    &val, sizeof(val), BPF_ANY);
}

__u64 sensor_dropped(const struct sensor *s)
{
	return __atomic_load_n(&s->skel->bss->dropped, __ATOMIC_RELAXED) +
	       display_guard_dropped(s->guard);
}

void sensor_programs(const struct sensor *s, char *buf, size_t len)
{
	struct bpf_program *prog;
	size_t used = 0;

	buf[0] = 0;
	bpf_object__for_each_program(prog, s->skel->obj) {
		if (used < len && bpf_program__autoload(prog) &&
		    (prog != s->skel->progs.on_delete_module || s->rmmod) &&
		    (prog != s->skel->progs.on_connect || s->connect))
			used += snprintf(buf + used, len - used, "%s%s", used ? "," : "",
					 bpf_program__section_name(prog));
	}
	if (s->guard && used < len)
		snprintf(buf + used, len - used, "%scgroup/connect4,cgroup/connect6,cgroup/connect_unix,"
			 "tp_btf/sock_send_length,tp_btf/sock_recv_length", used ? "," : "");
}

int sensor_tracked_fd(const struct sensor *s)
{
	return s ? bpf_map__fd(s->skel->maps.tracked) : -1;
}

int sensor_injected_fd(const struct sensor *s)
{
	return s ? bpf_map__fd(s->skel->maps.injected) : -1;
}

int sensor_display(struct sensor *s, pid_t tgid, __u32 how)
{
	__u32 key = tgid;

	if (!how)
		return bpf_map__delete_elem(s->skel->maps.display, &key, sizeof(key), 0);
	return bpf_map__update_elem(s->skel->maps.display, &key, sizeof(key),
				    &how, sizeof(how), BPF_ANY);
}

int sensor_fifo(struct sensor *s, const struct sensor_fifo *key, pid_t writer)
{
	__u32 val = writer;

	if (!s || !bpf_program__autoload(s->skel->progs.on_fifo_opened))
		return 0;
	return bpf_map__update_elem(s->skel->maps.fifos, key, sizeof(*key), &val, sizeof(val),
				    BPF_ANY);
}

void sensor_fifo_drop(struct sensor *s, const struct sensor_fifo *key)
{
	if (s)
		bpf_map__delete_elem(s->skel->maps.fifos, key, sizeof(*key), 0);
}

int sensor_watch_rmmod(struct sensor *s, bool on)
{
	if (!s || !bpf_program__autoload(s->skel->progs.on_delete_module) || on == !!s->rmmod)
		return 0;
	if (!on) {
		bpf_link__destroy(s->rmmod);
		s->rmmod = NULL;
		return 0;
	}
	s->rmmod = bpf_program__attach(s->skel->progs.on_delete_module);
	return s->rmmod ? 0 : -errno;
}

bool sensor_refuses_connect(const struct sensor *s)
{
	return s && s->guard;
}

bool sensor_sees_connect(const struct sensor *s)
{
	return s && (s->guard || s->connect);
}
