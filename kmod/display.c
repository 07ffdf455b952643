// SPDX-License-Identifier: GPL-2.0
/*
 * The display connections of tainted processes (uapi/crmguard.h
 * CRMGUARD_OP_CLIP_CONNECT), whatever LSM the kernel runs. A unix
 * connection is judged at security_unix_stream_connect(), where it has
 * found its server's socket and the name the server bound, so a link, a
 * relative path or a bind mount to it names the same server; a TCP one at
 * security_socket_connect() (ports 6000-6063). Both come after the cgroup
 * connect programs of crmguardd's display guard, which refuse the same
 * calls where they run (Linux 6.7 on, while crmguardd runs): what they
 * refused never gets here. A connection made by another process and handed
 * over (SCM_RIGHTS, pidfd_getfd) is judged as it arrives, at
 * security_file_receive(), by its server's name or port; one a process
 * already holds when the module taints it (taint.c) ends the process.
 *
 * A module cannot be an LSM, but these are the LSM hooks themselves, whose
 * return value the kernel lets BPF change for this purpose (fmod_ret on
 * security_*): in clipboard block, a kretprobe on each makes the hook
 * return -EPERM to a tainted process, so connect() fails before there is a
 * connection, and a handed-over one is never installed. The decision is a
 * kprobe's, at the hook's entry; the kretprobe only carries it out, and
 * has a bounded pool of instances. A TCP connection that no connect()
 * makes (sendto() with MSG_FASTOPEN, which sends data in the same call) is
 * seen by kprobes on tcp_v4_connect() and tcp_v6_connect() as they start,
 * as is a connect() whose kretprobe found no instance free: there the
 * call's own copy of the address is given another family, which they
 * refuse first thing (EAFNOSUPPORT), before a packet is sent. A unix
 * connection or a handed-over one whose kretprobe found no instance free
 * goes through, and its process is ended on its way back to user space
 * (CRMGUARD_VERDICT_KILL).
 *
 * Reporting needs process context: each decision queues a task_work on the
 * task that connected, which runs on its way back to user space, reports
 * the connection and, where the call was not refused, in clipboard block
 * sends SIGKILL; in clipboard audit it only reports. The probes run with
 * preemption off, where PREEMPT_RT allows no allocation and no signal: the
 * works come from a fixed pool. A connection that finds it empty (more than
 * CG_DISPLAY_WORKS at once) is neither refused nor ended; it is counted
 * (CRMGUARD_ATTR_STAT_CLIP_MISSED).
 */
#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kprobes.h>
#include <linux/sched/signal.h>
#include <linux/task_work.h>
#include <linux/un.h>
#include <linux/wait.h>
#include <net/af_unix.h>
#include <net/inet_sock.h>
#include "crmguard.h"

#define CG_DISPLAY_WORKS	64
#define CG_X11_DIR		"/tmp/.X11-unix/X"

/* Where a connection was seen: a kretprobe refuses at the first two. */
enum cg_display_hook {
	CG_HOOK_UNIX,		/* security_unix_stream_connect() */
	CG_HOOK_SOCK,		/* security_socket_connect() */
	CG_HOOK_RECEIVE,	/* security_file_receive() */
	CG_HOOK_TCP,		/* tcp_v4_connect(), tcp_v6_connect() */
};

struct cg_display_work {
	struct callback_head head;
	atomic_t busy;
	struct task_struct *task;	/* that connected; the work is queued on it */
	enum cg_display_hook hook;
	bool block;			/* clipboard block, when it connected */
	bool deciding;			/* its call has not returned: a kretprobe may refuse it */
	bool refused;			/* the call failed: nothing to end */
	char name[UNIX_PATH_MAX + 2];	/* "@" and an abstract name, the path, or "tcp:PORT" */
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

/* A display server, as a connection names it: a unix socket's bound name, or a TCP port. */
struct cg_display_addr {
	const char *path;	/* len bytes of sun_path; NULL: TCP */
	int len;
	u16 port;
};

/* A unix server's socket (held): bound to a display name? Into a. */
static bool cg_unix_display(struct sock *server, struct cg_display_addr *a)
{
	struct unix_address *addr;

	/* pairs with bind()'s release of the address, as unix_getname() reads it */
	addr = smp_load_acquire(&unix_sk(server)->addr);
	if (!addr)
		return false;	/* not bound: no server of a name */
	a->path = addr->name->sun_path;
	a->len = addr->len - offsetof(struct sockaddr_un, sun_path);
	a->port = 0;
	return a->len > 0 && cg_display_name(a->path, a->len);
}

/*
 * A socket held by a descriptor: a stream connection to a display server?
 * Into a. A unix socket's peer is held by it once connected; read without
 * its lock, which sleeps on PREEMPT_RT, where the probes may not.
 */
static bool cg_sock_display(struct socket *sock, struct cg_display_addr *a)
{
	struct sock *sk = sock->sk, *peer;

	if (!sk || sock->type == SOCK_DGRAM)
		return false;
	if (sk->sk_family == AF_UNIX) {
		peer = READ_ONCE(unix_sk(sk)->peer);
		return peer && cg_unix_display(peer, a);
	}
	if (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)
		return false;
	a->path = NULL;
	a->port = ntohs(READ_ONCE(inet_sk(sk)->inet_dport));
	return a->port >= 6000 && a->port < 6064;
}

/* What records and the kernel's log call it: "@" and an abstract name, the path, "tcp:PORT". */
static void cg_display_say(char *buf, size_t size, const struct cg_display_addr *a)
{
	if (!a->path)
		snprintf(buf, size, "tcp:%u", a->port);
	else if (!a->path[0])
		snprintf(buf, size, "@%.*s", a->len - 1, a->path + 1);
	else
		snprintf(buf, size, "%.*s", a->len, a->path);
}

/* In process context, on the way back to user space of the task that connected. */
static void cg_display_run(struct callback_head *head)
{
	struct cg_display_work *w = container_of(head, struct cg_display_work, head);
	struct cg_verdict v = { .op = CRMGUARD_OP_CLIP_CONNECT, .name = w->name };
	const char *how = w->refused ? "refused" : "ended";

	v.verdict = !w->block ? CRMGUARD_VERDICT_AUDIT :
		    w->refused ? CRMGUARD_VERDICT_DENY : CRMGUARD_VERDICT_KILL;
	if (w->block) {
		/* the kernel's log has it too, for while crmguardd is not there to say it */
		pr_notice_ratelimited("clipboard: %s connection of tainted pid %d (%s, uid %u) to %s\n",
				      how, task_tgid_nr(current), current->comm,
				      from_kuid(&init_user_ns, current_uid()), w->name);
		if (!w->refused)
			send_sig(SIGKILL, current, 1);
	}
	v.pid = task_tgid_nr(current);
	v.tid = task_pid_nr(current);
	v.uid = from_kuid(&init_user_ns, current_uid());
	get_task_comm(v.comm, current);
	cg_verdict_send(&v);
	WRITE_ONCE(w->deciding, false);
	atomic_set_release(&w->busy, 0);
	if (atomic_dec_and_test(&cg_works_queued))
		wake_up(&cg_works_idle);
}

/* current's work, seen at hook, whose call has not returned, or NULL. */
static struct cg_display_work *cg_display_deciding(enum cg_display_hook hook)
{
	struct cg_display_work *w;

	for (w = cg_works; w < cg_works + CG_DISPLAY_WORKS; w++) {
		/* deciding first: a work taken since has its task set before it (queue releases) */
		if (smp_load_acquire(&w->deciding) && READ_ONCE(w->task) == current &&
		    w->hook == hook)
			return w;
	}
	return NULL;
}

/*
 * A tainted process enters hook: a work of its still deciding there is
 * from a call that has returned without the kretprobe (it had no instance
 * free). That call was not refused, and this one is not it: it is ended.
 */
static void cg_display_enter(enum cg_display_hook hook)
{
	struct cg_display_work *w = cg_display_deciding(hook);

	if (w)
		WRITE_ONCE(w->deciding, false);
}

/*
 * From a probe at hook: a tainted process's connection to the display
 * server a. Unless its binary keeps its display connection, a work for
 * current, or NULL.
 */
static struct cg_display_work *cg_display_queue(enum cg_display_hook hook,
						const struct cg_display_addr *a)
{
	struct cg_display_work *w = NULL;
	int i;

	if (cg_clip_allowed(current->mm))
		return NULL;
	for (i = 0; i < CG_DISPLAY_WORKS && !w; i++)
		if (!atomic_cmpxchg(&cg_works[i].busy, 0, 1))
			w = &cg_works[i];
	if (!w) {
		atomic64_inc(&cg_works_missed);
		return NULL;
	}
	cg_display_say(w->name, sizeof(w->name), a);
	w->hook = hook;
	w->block = cg_clip_blocking();
	w->refused = false;
	WRITE_ONCE(w->task, current);
	/* pairs with cg_display_deciding(): who reads deciding set reads this task */
	smp_store_release(&w->deciding, true);
	init_task_work(&w->head, cg_display_run);
	atomic_inc(&cg_works_queued);
	if (task_work_add(current, &w->head, TWA_RESUME)) {
		/* exiting: it sends nothing any more */
		WRITE_ONCE(w->deciding, false);
		atomic_set_release(&w->busy, 0);
		atomic_dec(&cg_works_queued);
		return NULL;
	}
	return w;
}

/* security_unix_stream_connect(sock, other, newsk), other locked: the server's socket. */
static int cg_unix_connect(struct kprobe *p, struct pt_regs *regs)
{
	struct cg_display_addr a;

	if (!cg_clip_watching() || !cg_tainted())
		return 0;
	cg_display_enter(CG_HOOK_UNIX);
	if (cg_unix_display((struct sock *)regs_get_kernel_argument(regs, 1), &a))
		cg_display_queue(CG_HOOK_UNIX, &a);
	return 0;
}

/* A TCP address (the kernel's copy, len bytes), seen at hook: a display server's? Its work. */
static struct cg_display_work *cg_tcp_display(enum cg_display_hook hook,
					      const struct sockaddr *sa, int len)
{
	struct cg_display_addr a = { .path = NULL };

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		a.port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		a.port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	else
		return NULL;
	return a.port >= 6000 && a.port < 6064 ? cg_display_queue(hook, &a) : NULL;
}

/* security_socket_connect(sock, address, addrlen): before any stream socket of IP connects. */
static int cg_sock_connect(struct kprobe *p, struct pt_regs *regs)
{
	struct socket *sock = (struct socket *)regs_get_kernel_argument(regs, 0);
	struct sock *sk = sock->sk;

	if (!cg_clip_watching() || sock->type != SOCK_STREAM || !sk ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6) || !cg_tainted())
		return 0;
	cg_display_enter(CG_HOOK_SOCK);
	cg_tcp_display(CG_HOOK_SOCK, (struct sockaddr *)regs_get_kernel_argument(regs, 1),
		       regs_get_kernel_argument(regs, 2));
	return 0;
}

/*
 * security_file_receive(file): a descriptor another process holds is
 * about to be installed (SCM_RIGHTS, pidfd_getfd).
 */
static int cg_receive(struct kprobe *p, struct pt_regs *regs)
{
	struct socket *sock;
	struct cg_display_addr a;

	if (!cg_clip_watching() || !cg_tainted())
		return 0;
	cg_display_enter(CG_HOOK_RECEIVE);
	sock = sock_from_file((struct file *)regs_get_kernel_argument(regs, 0));
	if (sock && cg_sock_display(sock, &a))
		cg_display_queue(CG_HOOK_RECEIVE, &a);
	return 0;
}

/* iterate_fd(): a descriptor of a display connection? Its name into arg. */
static int cg_display_fd(const void *arg, struct file *file, unsigned int fd)
{
	struct socket *sock = sock_from_file(file);
	struct cg_display_addr a;

	if (!sock || !cg_sock_display(sock, &a))
		return 0;
	cg_display_say((char *)arg, UNIX_PATH_MAX + 2, &a);
	return 1;
}

/*
 * From taint.c, in process context: t was just tainted, and a display
 * connection it already holds would carry what it reads next. In clipboard
 * block it is ended, unless its binary keeps its display, and said.
 */
void cg_display_end_holder(struct task_struct *t)
{
	struct cg_verdict v = { .op = CRMGUARD_OP_CLIP_CONNECT, .verdict = CRMGUARD_VERDICT_KILL };
	char name[UNIX_PATH_MAX + 2];
	bool holds;

	if (!cg_clip_blocking())
		return;
	task_lock(t);
	holds = t->mm && t->files && !cg_clip_allowed(t->mm) &&
		iterate_fd(t->files, 0, cg_display_fd, name);
	task_unlock(t);
	if (!holds)
		return;
	send_sig(SIGKILL, t, 1);
	v.pid = task_tgid_nr(t);
	v.tid = task_pid_nr(t);
	v.uid = from_kuid(&init_user_ns, task_uid(t));
	get_task_comm(v.comm, t);
	v.name = name;
	pr_notice_ratelimited("clipboard: ended tainted pid %d (%s, uid %u) holding a connection to %s\n",
			      v.pid, v.comm, v.uid, name);
	cg_verdict_send(&v);
}

/*
 * tcp_v4_connect(sk, uaddr, addr_len) and tcp_v6_connect(), as they start:
 * after security_socket_connect() let a connect() through (seen there,
 * and deciding still if its kretprobe had no instance), or from
 * sendto(MSG_FASTOPEN) (not seen before). Both check the address's family
 * first; uaddr is the call's own copy, which nothing reads after.
 */
static int cg_tcp_connect(struct kprobe *p, struct pt_regs *regs)
{
	struct sockaddr *sa = (struct sockaddr *)regs_get_kernel_argument(regs, 1);
	struct cg_display_work *w;

	if (!cg_clip_watching() || !cg_tainted())
		return 0;
	w = cg_display_deciding(CG_HOOK_SOCK) ?:
	    cg_tcp_display(CG_HOOK_TCP, sa, regs_get_kernel_argument(regs, 2));
	if (!w)
		return 0;
	if (w->block) {
		sa->sa_family = AF_UNSPEC;	/* EAFNOSUPPORT, before a packet is sent */
		w->refused = true;
	}
	WRITE_ONCE(w->deciding, false);
	return 0;
}

/* A kretprobe's entry: only a tainted process's call, in clipboard block, needs its return. */
static int cg_refuse_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return !cg_clip_blocking() || !cg_tainted();
}

struct cg_refusal {
	struct kretprobe rp;
	enum cg_display_hook hook;
};

/* The hook's return: -EPERM where the kprobe at its entry decided so. */
static int cg_refuse(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cg_refusal *r = container_of(get_kretprobe(ri), struct cg_refusal, rp);
	struct cg_display_work *w = cg_display_deciding(r->hook);

	if (!w)
		return 0;
	if (w->block) {
		if (!regs_return_value(regs))
			regs_set_return_value(regs, -EPERM);
		w->refused = true;
	}
	WRITE_ONCE(w->deciding, false);
	return 0;
}

/* In the order of the CRMGUARD_CLIP_PROBE_* bits. */
static struct kprobe cg_probes[] = {
	{ .symbol_name = "security_unix_stream_connect", .pre_handler = cg_unix_connect },
	{ .symbol_name = "tcp_v4_connect", .pre_handler = cg_tcp_connect },
	{ .symbol_name = "tcp_v6_connect", .pre_handler = cg_tcp_connect },
	{ .symbol_name = "security_socket_connect", .pre_handler = cg_sock_connect },
	{ .symbol_name = "security_file_receive", .pre_handler = cg_receive },
};

#define CG_REFUSAL(sym, h) { .hook = (h), .rp = { .kp.symbol_name = (sym), \
	.entry_handler = cg_refuse_entry, .handler = cg_refuse, .maxactive = CG_DISPLAY_WORKS } }
static struct cg_refusal cg_refusals[] = {
	CG_REFUSAL("security_unix_stream_connect", CG_HOOK_UNIX),
	CG_REFUSAL("security_socket_connect", CG_HOOK_SOCK),
	CG_REFUSAL("security_file_receive", CG_HOOK_RECEIVE),
};

static bool cg_probed[ARRAY_SIZE(cg_probes) + ARRAY_SIZE(cg_refusals)];

/* Which probes are on (CRMGUARD_CLIP_PROBE_*: bit i for cg_probed[i]). */
u32 cg_display_probes(void)
{
	u32 on = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(cg_probed); i++)
		on |= cg_probed[i] << i;
	return on;
}

/* Connections neither refused nor ended: no work was free. */
u64 cg_display_missed(void)
{
	return atomic64_read(&cg_works_missed);
}

/* A probe the kernel refuses (no kprobes, a name it lacks) is said, and left out. */
void cg_display_init(void)
{
	int i, n = ARRAY_SIZE(cg_probes), err;

	for (i = 0; i < n; i++) {
		err = register_kprobe(&cg_probes[i]);
		cg_probed[i] = !err;
		if (err)
			pr_warn("clipboard: no kprobe on %s (%d): display connections there are not seen\n",
				cg_probes[i].symbol_name, err);
	}
	for (i = 0; i < ARRAY_SIZE(cg_refusals); i++) {
		err = register_kretprobe(&cg_refusals[i].rp);
		cg_probed[n + i] = !err;
		if (err)
			pr_warn("clipboard: no kretprobe on %s (%d): display connections there are ended, not refused\n",
				cg_refusals[i].rp.kp.symbol_name, err);
	}
}

/* Once no probe runs, every work queued has run: they are this module's code. */
void cg_display_exit(void)
{
	int i, n = ARRAY_SIZE(cg_probes);

	for (i = 0; i < ARRAY_SIZE(cg_refusals); i++)
		if (cg_probed[n + i])
			unregister_kretprobe(&cg_refusals[i].rp);
	for (i = 0; i < n; i++)
		if (cg_probed[i])
			unregister_kprobe(&cg_probes[i]);
	wait_event(cg_works_idle, !atomic_read(&cg_works_queued));
}
