// SPDX-License-Identifier: GPL-2.0
/* Loads the hand-over watch (ebpf/handover.bpf.c) through its skeleton. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "handover.skel.h"
#include "ctl/daemon/ksyms.h"
#include "ctl/daemon/enforce/handover.h"
#include "ctl/daemon/enforce/rulemaps.h"

/* The kernel's functions the programs are loaded by (ksyms_find()). */
enum handover_sym {
	SYM_FGET_TASK, SYM_IA32_GETFD, SYM_SEND_SIGNAL_TASK, SYM_ITER_TASK_NEW, SYM_PTRACE_CHECK, NSYMS
};
static const char *const sym_names[NSYMS] = {
	"fget_task", "__ia32_sys_pidfd_getfd", "bpf_send_signal_task", "bpf_iter_task_new",
	"security_ptrace_access_check",
};

struct handover {
	struct handover_bpf *skel;
	bool sym[NSYMS];	/* which of sym_names the kernel has */
	struct ring_buffer *rb;
	void (*cb)(void *ctx, const struct handover_event *e);
	void *ctx;
	bool btrfs;	/* the programs name btrfs inodes by subvolume */
};

static int on_report(void *ctx, void *data, size_t len)
{
	struct handover *h = ctx;

	if (len >= sizeof(struct handover_event))
		h->cb(h->ctx, data);
	return 0;
}

/*
 * How pidfd_getfd is seen, from the cheapest: inside the call by a
 * trampoline or by a kprobe (where the kernel has the function), with
 * kretprobes on its entries; or by the syscall tracepoint. Attaching to
 * another process, by a trampoline or a kprobe on the ptrace access check
 * as well; with the tracepoint, not at all.
 */
enum getfd_watch { GETFD_FENTRY, GETFD_KPROBE, GETFD_TRACEPOINT };

/* Opens, loads and attaches the programs, pidfd_getfd's as how says; 0 or -errno. */
static int load(struct handover *h, int injected_fd, enum getfd_watch how)
{
	bool kprobe = how != GETFD_TRACEPOINT, inside = kprobe && h->sym[SYM_FGET_TASK];
	int ret;

	handover_bpf__destroy(h->skel);
	h->skel = handover_bpf__open();
	if (!h->skel)
		return -errno;
	bpf_program__set_autoload(h->skel->progs.handover_getfd_enter, inside && how == GETFD_FENTRY);
	bpf_program__set_autoload(h->skel->progs.handover_getfd_take, inside && how == GETFD_KPROBE);
	bpf_program__set_autoload(h->skel->progs.handover_getfd_kprobe, kprobe);
	bpf_program__set_autoload(h->skel->progs.handover_getfd_kprobe32,
				  kprobe && h->sym[SYM_IA32_GETFD]);
	bpf_program__set_autoload(h->skel->progs.handover_getfd, !kprobe);
	bpf_program__set_autoload(h->skel->progs.handover_attach,
				  how == GETFD_FENTRY && h->sym[SYM_PTRACE_CHECK]);
	bpf_program__set_autoload(h->skel->progs.handover_attach_kprobe,
				  how == GETFD_KPROBE && h->sym[SYM_PTRACE_CHECK]);
	/* the processes sharing a killed one's descriptor table: found (6.7) and killed (6.13) */
	h->skel->rodata->can_kill_sharers = h->sym[SYM_SEND_SIGNAL_TASK] &&
					    h->sym[SYM_ITER_TASK_NEW];
	/* the sensor keeps the map: one process, one answer */
	ret = bpf_map__reuse_fd(h->skel->maps.injected, injected_fd);
	ret = ret ?: handover_bpf__load(h->skel);
	return ret ?: handover_bpf__attach(h->skel);
}

/* Does the kernel have kprobes (its perf PMU, or tracefs's kprobe_events)? */
static bool kprobes_there(void)
{
	return !access("/sys/bus/event_source/devices/kprobe/type", R_OK) ||
	       !access("/sys/kernel/tracing/kprobe_events", R_OK);
}

struct handover *handover_open(int injected_fd, char *err, size_t errlen)
{
	struct handover *h = calloc(1, sizeof(*h));
	enum getfd_watch how;
	int ret = -ENOMEM;

	if (!h)
		goto fail;
	h->btrfs = rulemaps_btrfs_described();
	ksyms_find(sym_names, h->sym, NSYMS);
	how = kprobes_there() ? GETFD_FENTRY : GETFD_TRACEPOINT;
	ret = load(h, injected_fd, how);
	/* refused: the next way down; failing too, the first reason is said */
	while (ret && h->skel && how != GETFD_TRACEPOINT)
		ret = load(h, injected_fd, ++how) ? ret : 0;
	if (ret)
		goto fail;
	h->rb = ring_buffer__new(bpf_map__fd(h->skel->maps.handover_events), on_report, h, NULL);
	if (!h->rb) {
		ret = -errno;
		goto fail;
	}
	return h;
fail:
	snprintf(err, errlen, "the hand-over watch (exec, SCM_RIGHTS, pidfd_getfd, ptrace) cannot run "
		 "here: %s; run with -v for libbpf's log", strerror(-ret));
	handover_close(h);
	return NULL;
}

int handover_replace(struct handover *h, const struct kernel_config *cfg,
		     const struct kernel_rule *rules, size_t n, char *err, size_t errlen)
{
	struct enforce_config c = { cfg->mode, 0, getpid() };
	struct rulemaps maps = RULEMAPS_OF(h->skel);
	int ret = rulemaps_replace(&maps, &c, rules, n, false, err, errlen);

	/* every process is judged again, on the rules now in force */
	__atomic_add_fetch(&h->skel->bss->rules_gen, 1, __ATOMIC_RELEASE);
	return ret;
}

bool handover_knows_subvolumes(const struct handover *h)
{
	return h->btrfs;
}

int handover_fd(const struct handover *h)
{
	return ring_buffer__epoll_fd(h->rb);
}

int handover_read(struct handover *h, void (*cb)(void *ctx, const struct handover_event *e),
		  void *ctx)
{
	h->cb = cb;
	h->ctx = ctx;
	return ring_buffer__consume(h->rb);
}

void handover_programs(const struct handover *h, char *buf, size_t len)
{
	struct bpf_program *prog;
	size_t used = 0;

	bpf_object__for_each_program(prog, h->skel->obj)
		if (used < len && bpf_program__autoload(prog))
			used += snprintf(buf + used, len - used, ",%s", bpf_program__section_name(prog));
}

__u64 handover_dropped(const struct handover *h)
{
	return __atomic_load_n(&h->skel->bss->dropped, __ATOMIC_RELAXED);
}

void handover_close(struct handover *h)
{
	if (!h)
		return;
	ring_buffer__free(h->rb);
	handover_bpf__destroy(h->skel);
	free(h);
}
