// SPDX-License-Identifier: GPL-2.0
/*
 * The display connections of tainted processes (uapi/crmguard.h
 * CRMGUARD_OP_CLIP_CONNECT): kprobes where connect() has found its server,
 * whatever LSM the kernel runs. For a unix socket that is
 * security_unix_stream_connect(), with the server's socket at hand and
 * the name it bound, so a link, a relative path or a bind mount to it
 * names the same server; for TCP, tcp_v4_connect() and tcp_v6_connect()
 * (ports 6000-6063). Both come after the cgroup connect programs of
 * crmguardd's display guard, which refuse the same calls with EPERM where
 * they run (Linux 6.7 on, while crmguardd runs): what they refused never
 * gets here.
 *
 * A kprobe cannot make the call fail. A tainted process that connects to
 * a display server is ended instead, on its way back to user space, before
 * it can send a byte: the probe queues a task_work on it, which runs there
 * in process context, reports the connection and, in clipboard block,
 * sends SIGKILL; in clipboard audit it only reports. The probes run with
 * preemption off, where PREEMPT_RT allows no allocation and no signal:
 * the works come from a fixed pool. A connection that finds the pool
 * empty (more than CG_DISPLAY_WORKS at once, on the way back) is not
 * ended; it is counted (CRMGUARD_ATTR_STAT_CLIP_MISSED).
 */
#include <linux/cred.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kprobes.h>
#include <linux/sched/signal.h>
#include <linux/task_work.h>
#include <linux/un.h>
#include <linux/wait.h>
#include <net/af_unix.h>
#include "crmguard.h"

#define CG_DISPLAY_WORKS	64
#define CG_X11_DIR		"/tmp/.X11-unix/X"

struct cg_display_work {
	struct callback_head head;
	atomic_t busy;
	u16 port;		/* TCP; 0: a unix socket, named by name */
	char name[UNIX_PATH_MAX + 2];	/* "@" and an abstract name, or the path */
};

static struct cg_display_work cg_works[CG_DISPLAY_WORKS];
/* Works queued and not yet run: the module's code is in use until 0. */
static atomic_t cg_works_queued = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(cg_works_idle);
static atomic64_t cg_works_missed = ATOMIC64_INIT(0);

/* Is a unix socket's name (len bytes of sun_path) an X11 or Wayland server's? */
static bool cg_display_name(const char *path, int len)
{
	int i;

	if (len > 0 && !path[0]) {	/* abstract: the name follows, NULs and all */
		path++;
		len--;
	} else {
		len = strnlen(path, len);
	}
	if (len >= sizeof(CG_X11_DIR) - 1 && !memcmp(path, CG_X11_DIR, sizeof(CG_X11_DIR) - 1))
		return true;
	for (i = 0; i + 9 <= len; i++)
		if (path[i] == '/' && !memcmp(path + i + 1, "wayland-", 8))
			return true;
	return false;
}

/* In process context, on the way back to user space of the task that connected. */
static void cg_display_run(struct callback_head *head)
{
	struct cg_display_work *w = container_of(head, struct cg_display_work, head);
	struct cg_verdict v = { .op = CRMGUARD_OP_CLIP_CONNECT, .name = w->name };
	bool block = cg_clip_blocking();

	/* the binary `clipboard allow exe` names keeps its display connection */
	if (cg_clip_watching() && !cg_clip_allowed()) {
		if (block) {
			pr_notice_ratelimited("clipboard: ended tainted pid %d (%s, uid %u) at its connection to %s\n",
					      task_tgid_nr(current), current->comm,
					      from_kuid(&init_user_ns, current_uid()), w->name);
			send_sig(SIGKILL, current, 1);
		}
		v.verdict = block ? CRMGUARD_VERDICT_DENY : CRMGUARD_VERDICT_AUDIT;
		v.pid = task_tgid_nr(current);
		v.tid = task_pid_nr(current);
		v.uid = from_kuid(&init_user_ns, current_uid());
		get_task_comm(v.comm, current);
		cg_verdict_send(&v);
	}
	atomic_set_release(&w->busy, 0);
	if (atomic_dec_and_test(&cg_works_queued))
		wake_up(&cg_works_idle);
}

/* From a probe: a work for current, with the server's name or port. */
static void cg_display_queue(const char *path, int len, u16 port)
{
	struct cg_display_work *w = NULL;
	int i;

	for (i = 0; i < CG_DISPLAY_WORKS && !w; i++)
		if (!atomic_cmpxchg(&cg_works[i].busy, 0, 1))
			w = &cg_works[i];
	if (!w) {
		atomic64_inc(&cg_works_missed);
		return;
	}
	w->port = port;
	if (port)
		snprintf(w->name, sizeof(w->name), "tcp:%u", port);
	else if (len > 0 && !path[0])
		snprintf(w->name, sizeof(w->name), "@%.*s", len - 1, path + 1);
	else
		snprintf(w->name, sizeof(w->name), "%.*s", len, path);
	init_task_work(&w->head, cg_display_run);
	atomic_inc(&cg_works_queued);
	if (task_work_add(current, &w->head, TWA_RESUME)) {
		/* exiting: it sends nothing any more */
		atomic_set_release(&w->busy, 0);
		atomic_dec(&cg_works_queued);
	}
}

/* security_unix_stream_connect(sock, other, newsk), other locked: the server's socket. */
static int cg_unix_connect(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *other = (struct sock *)regs_get_kernel_argument(regs, 1);
	struct unix_address *addr;
	int len;

	if (!cg_clip_watching() || !cg_tainted())
		return 0;
	/* pairs with bind()'s release of the address, as unix_getname() reads it */
	addr = smp_load_acquire(&unix_sk(other)->addr);
	if (!addr)
		return 0;	/* not bound: no server of a name */
	len = addr->len - offsetof(struct sockaddr_un, sun_path);
	if (len > 0 && cg_display_name(addr->name->sun_path, len))
		cg_display_queue(addr->name->sun_path, len, 0);
	return 0;
}

/* tcp_v4_connect(sk, uaddr, addr_len) and tcp_v6_connect(): the address is the kernel's copy. */
static int cg_tcp_connect(struct kprobe *p, struct pt_regs *regs)
{
	struct sockaddr *sa = (struct sockaddr *)regs_get_kernel_argument(regs, 1);
	int len = regs_get_kernel_argument(regs, 2);
	u16 port;

	if (!cg_clip_watching() || !cg_tainted())
		return 0;
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		port = ntohs(((struct sockaddr_in *)sa)->sin_port);
	else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		port = ntohs(((struct sockaddr_in6 *)sa)->sin6_port);
	else
		return 0;
	if (port >= 6000 && port < 6064)
		cg_display_queue(NULL, 0, port);
	return 0;
}

static struct kprobe cg_probes[] = {
	{ .symbol_name = "security_unix_stream_connect", .pre_handler = cg_unix_connect },
	{ .symbol_name = "tcp_v4_connect", .pre_handler = cg_tcp_connect },
	{ .symbol_name = "tcp_v6_connect", .pre_handler = cg_tcp_connect },
};

static bool cg_probed[ARRAY_SIZE(cg_probes)];

/* Which probes are on (CRMGUARD_CLIP_PROBE_*: bit i for cg_probes[i]); connections missed. */
u32 cg_display_probes(void)
{
	u32 on = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(cg_probes); i++)
		on |= cg_probed[i] << i;
	return on;
}

u64 cg_display_missed(void)
{
	return atomic64_read(&cg_works_missed);
}

/* A probe the kernel refuses (no kprobes, a name it lacks) is said, and left out. */
void cg_display_init(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(cg_probes); i++) {
		err = register_kprobe(&cg_probes[i]);
		cg_probed[i] = !err;
		if (err)
			pr_warn("clipboard: no kprobe on %s (%d): display connections there are not seen\n",
				cg_probes[i].symbol_name, err);
	}
}

/* Once no probe runs, every work queued has run: they are this module's code. */
void cg_display_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(cg_probes); i++)
		if (cg_probed[i])
			unregister_kprobe(&cg_probes[i]);
	wait_event(cg_works_idle, !atomic_read(&cg_works_queued));
}
