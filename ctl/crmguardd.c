// SPDX-License-Identifier: GPL-2.0
/*
 * crmguardd: the auditor. Loads the sensors, watches what the policy
 * protects, logs every access to syslog and answers ctlx.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include "ctl/ctlproto.h"
#include "ctl/daemon.h"

#define DEFAULT_POLICY "/etc/crmguard/policy.conf"
#define USB_DEVICES "/sys/bus/usb/devices"
#define SWEEP_SECONDS 10

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: crmguardd [-f] [-v] [-c POLICY] [-s SOCKET] [-l LOGSOCKET] [-r BYTES]\n"
		"                 [-b BACKEND] [-F]\n"
		"  -b BACKEND    what enforces: auto (default: the best the kernel has),\n"
		"                kmod, bpf-lsm or fanotify\n"
		"  -F            fail-open: if crmguardd stops, the in-kernel backend\n"
		"                lets everything through (default: its rules stay in force)\n"
		"  -c POLICY     policy file (default " DEFAULT_POLICY ")\n"
		"  -f            stay in the foreground and print each record on stdout\n"
		"  -s SOCKET     control socket (default " CTL_SOCKET ")\n"
		"  -l LOGSOCKET  syslog socket (default /dev/log)\n"
		"  -r BYTES      ring buffer size, a power of two (default 262144)\n"
		"  -v            print libbpf's messages\n"
		"Exit status: 0 stopped cleanly, 1 usage, 2 could not start.\n");
}

void daemon_emit(struct daemon *d, enum log_level level, struct record *r)
{
	const char *line = record_line(r);

	logsink_send(&d->log, level, line);
	if (d->ctl)
		ctlserver_broadcast(d->ctl, line);
}

/* The USB channel's records (a usb_emit_fn). */
static void usb_emit(void *ctx, enum log_level level, struct record *r)
{
	daemon_emit(ctx, level, r);
}

void daemon_note(struct daemon *d, enum log_level level, const char *event, const char *msg)
{
	struct record r;

	record_init(&r, event);
	record_str(&r, "policy", d->policy_path);
	record_str(&r, "mode", policy_mode_name(d->policy.mode));
	record_u64(&r, "rules", d->policy.nrules);
	if (msg)
		record_str(&r, "error", msg);
	daemon_emit(d, level, &r);
}

/*
 * One warning: a record, and a line in text (for whoever asked for the
 * change) while it fits there; the records have them all.
 */
static void warn(struct daemon *d, const char *rule, const char *detail, char *text, size_t len)
{
	struct record r;
	size_t used = strlen(text);

	record_init(&r, "warning");
	record_str(&r, "rule", rule);
	record_str(&r, "detail", detail);
	daemon_emit(d, LOG_LVL_WARNING, &r);
	if (used + strlen(detail) + sizeof("warning: \n") + sizeof(" (more in the log)") < len)
		snprintf(text + used, len - used, "warning: %s\n", detail);
	else if (!strstr(text, "(more in the log)"))
		snprintf(text + used, len - used, "warning: ... (more in the log)\n");
}

/*
 * A stick allowed by model alone: every stick of that model is allowed,
 * and identical sticks without a serial cannot be told apart.
 */
static void warn_usb_rules(struct daemon *d, char *text, size_t len)
{
	const struct usb_policy *u = &d->policy.usb;
	char msg[POLICY_ERR_MAX], label[512];
	size_t i;

	for (i = 0; i < u->nrules; i++) {
		if (u->rules[i].serial || u->rules[i].verdict == USB_BLOCK)
			continue;
		snprintf(msg, sizeof(msg), "%s:%d: usb allow %04x:%04x names no serial: every stick "
			 "of this model is allowed, and identical sticks cannot be told apart; add "
			 "'serial SERIAL' (ctlx usb list shows it)", u->rules[i].file, u->rules[i].line,
			 u->rules[i].vid, u->rules[i].pid);
		warn(d, policy_usb_label(u, i, label, sizeof(label)), msg, text, len);
	}
}

/*
 * What the running policy asks but cannot have: an allowed interpreter
 * allows every script it is given; an allowed binary that is not there
 * allows nothing; a protected path that is not there is waited for.
 */
static void warn_rules(struct daemon *d, char *text, size_t len)
{
	const struct policy_rule *r;
	char msg[POLICY_ERR_MAX], label[256];
	size_t i;
	int why;

	text[0] = 0;
	for (i = 0; i < d->policy.nrules; i++) {
		r = &d->policy.rules[i];
		if (r->interpreter) {
			snprintf(msg, sizeof(msg), "%s:%d: allow exe %s runs any script it is given: "
				 "every script run by it may read protected files; allow the CRM's "
				 "own binary instead", r->file, r->line, r->arg);
			warn(d, rule_label(&d->policy, i, label, sizeof(label)), msg, text, len);
		}
		if (enforcer_exe_ambiguous(&d->enforcer, r)) {
			snprintf(msg, sizeof(msg), "%s:%d: allow exe %s: stat() shows it on another "
				 "device than its filesystem's (an overlay over other filesystems): "
				 "%s names it by the filesystem's device and its inode number, which "
				 "a file of another layer may have too, and would allow that file; "
				 "keep the CRM's binary off such an overlay", r->file, r->line, r->arg,
				 enforcer_name(&d->enforcer));
			warn(d, rule_label(&d->policy, i, label, sizeof(label)), msg, text, len);
		}
		why = r->missing ?: watch_missing(d->watch, i);
		if (why)
			warn(d, rule_label(&d->policy, i, label, sizeof(label)),
			     policy_missing_text(r, why, msg, sizeof(msg)), text, len);
	}
	warn_usb_rules(d, text, len);
}

/*
 * crmguardd answers the kernel for protected files from the same thread
 * that reads these: if one of them were protected, it would wait on itself.
 */
static int check_own_files(const struct daemon *d, const struct policy *p,
			   const struct watch *w, char *err, size_t errlen)
{
	const char *slash = strrchr(d->policy_path, '/');
	char dropins[4096];
	const char *own[] = { d->policy_path, dropins, "/etc/passwd", "/etc/group",
			      "/etc/nsswitch.conf" };
	size_t i;
	int rule;

	snprintf(dropins, sizeof(dropins), "%.*s/policy.d",
		 slash ? (int)(slash - d->policy_path) : 1, slash ? d->policy_path : ".");
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		rule = watch_covers(w, own[i]);
		if (rule < 0)
			continue;
		snprintf(err, errlen, "%s:%d: protect %s covers %.200s, which crmguardd reads "
			 "itself; protect the CRM's files only", p->rules[rule].file,
			 p->rules[rule].line, p->rules[rule].arg, own[i]);
		return -EINVAL;
	}
	return 0;
}

/*
 * Makes (path, text) the running policy, or changes nothing. With text
 * NULL the file is read; else text becomes the file once it has worked.
 * On success err holds the warnings, a line each ("warning: ..."), or "".
 */
int daemon_apply_policy(struct daemon *d, const char *text, size_t len, char *err, size_t errlen)
{
	struct policy np;
	struct watch *nw;
	int ret;

	ret = policy_load(&np, d->policy_path, text, len, err, errlen);
	if (ret)
		return ret;
	ret = watch_build(&nw, &np, d->watch, d->enforcer.ops != NULL, err, errlen);
	if (ret)
		goto drop_policy;
	ret = check_own_files(d, &np, nw, err, errlen);
	if (ret)
		goto drop_watch;
	ret = enforcer_apply(&d->enforcer, &np, nw, err, errlen);
	if (ret)
		goto restore_kernel;
	access_check_held(&np, nw);
	if (text) {
		ret = policy_write(d->policy_path, text, len, err, errlen);
		if (ret)
			goto restore_kernel;
	}
	if (d->watch)
		access_read_events(d);	/* answer the old group before it goes */
	watch_free(d->watch);
	policy_free(&d->policy);
	d->watch = nw;
	d->watch_gen++;
	d->policy = np;
	if (d->usb)
		usb_apply(d->usb, &d->policy);
	warn_rules(d, err, errlen);
	revoke_end_access(d);
	return 0;
restore_kernel:
	/* the kernel may have some of the new rules already: give it back the old */
	if (d->watch) {
		char again[POLICY_ERR_MAX];

		enforcer_apply(&d->enforcer, &d->policy, d->watch, again, sizeof(again));
	}
drop_watch:
	watch_free(nw);
drop_policy:
	policy_free(&np);
	return ret;
}

int daemon_reload(struct daemon *d, FILE *err)
{
	char msg[POLICY_ERR_MAX];

	if (daemon_apply_policy(d, NULL, 0, msg, sizeof(msg))) {
		daemon_note(d, LOG_LVL_WARNING, "reload", msg);
		if (err)
			fprintf(err, "ctlx: %s\nthe running policy is unchanged\n", msg);
		return EXIT_FAIL;
	}
	if (err)
		fputs(msg, err);
	daemon_note(d, LOG_LVL_NOTICE, "reload", NULL);
	return EXIT_OK;
}

/* What the watch saw while following the protected directories. */
#define KERNEL_PUSH_MS 100

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * What the watch marked since, the in-kernel backend gets too: at most
 * every KERNEL_PUSH_MS, as a CRM that makes a journal file a transaction
 * would otherwise have the whole table compared each time. A file right in
 * a protected directory is the kernel's from the start (CRMGUARD_F_DIR);
 * only deeper ones and files saved over a protected one wait. Returns how
 * long until the next push is due, or -1 if none is.
 */
static int kernel_follow(struct daemon *d, bool changed)
{
	static unsigned long long pushed;
	static bool stale;
	char err[POLICY_ERR_MAX];

	stale |= changed && d->enforcer.ops;
	if (!stale)
		return -1;
	if (now_ms() - pushed < KERNEL_PUSH_MS)
		return KERNEL_PUSH_MS - (now_ms() - pushed);
	pushed = now_ms();
	if (enforcer_apply(&d->enforcer, &d->policy, d->watch, err, sizeof(err))) {
		daemon_note(d, LOG_LVL_WARNING, "error", err);
		return KERNEL_PUSH_MS;	/* stale still: again, later */
	}
	stale = false;
	return -1;
}

static void on_watch_news(void *ctx, enum watch_news news, int rule, int error)
{
	/* inotify overflows, over every watch since start */
	static unsigned long long overflows;
	struct daemon *d = ctx;
	char label[256];
	struct record r;

	switch (news) {
	case WATCH_OVERFLOW:
		record_init(&r, "lost");
		record_str(&r, "source", "inotify");
		record_str(&r, "detail", "queue overflow: every protected directory was scanned "
			   "again and what was not marked is now");
		record_u64(&r, "total", ++overflows);
		daemon_emit(d, LOG_LVL_WARNING, &r);
		break;
	case WATCH_APPEARED:
		record_init(&r, "protected");
		record_str(&r, "rule", rule_label(&d->policy, rule, label, sizeof(label)));
		record_str(&r, "detail", "a new file or directory is at the rule's path: it is protected");
		daemon_emit(d, LOG_LVL_NOTICE, &r);
		break;
	case WATCH_FAILED:
		record_init(&r, "error");
		record_str(&r, "source", "inotify");
		record_str(&r, "rule", rule_label(&d->policy, rule, label, sizeof(label)));
		record_str(&r, "detail", "something new beneath it cannot be protected");
		record_str(&r, "error", watch_strerror(error));
		daemon_emit(d, LOG_LVL_WARNING, &r);
		break;
	}
}

static int add_fd(int ep, int fd, int tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

enum { TAG_FANOTIFY, TAG_INOTIFY, TAG_RINGBUF, TAG_CTL, TAG_KERNEL, TAG_USB };

/*
 * The watch changes on reload: its descriptors are registered anew. By
 * generation, not by number: a later watch may reuse a freed number.
 */
static int watch_epoll(int ep, const struct daemon *d, unsigned long *gen)
{
	if (*gen == d->watch_gen)
		return 0;
	if (add_fd(ep, watch_fanotify_fd(d->watch), TAG_FANOTIFY) ||
	    add_fd(ep, watch_inotify_fd(d->watch), TAG_INOTIFY))
		return -errno;
	*gen = d->watch_gen;
	return 0;
}

static int run(struct daemon *d)
{
	struct epoll_event evs[8];
	unsigned long gen = 0;
	unsigned long long marked;
	int ep, n, i, due;
	time_t swept = time(NULL);

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || add_fd(ep, sensor_fd(d->sensor), TAG_RINGBUF) ||
	    add_fd(ep, ctlserver_fd(d->ctl), TAG_CTL) || watch_epoll(ep, d, &gen) ||
	    add_fd(ep, usb_fd(d->usb), TAG_USB) ||
	    (enforcer_fd(&d->enforcer) >= 0 && add_fd(ep, enforcer_fd(&d->enforcer), TAG_KERNEL))) {
		fprintf(stderr, "crmguardd: epoll: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	while (!stop_requested) {
		if (reload_requested) {
			reload_requested = 0;
			daemon_reload(d, NULL);
		}
		if (watch_epoll(ep, d, &gen))
			break;
		/* While syslog is behind, come back soon to hand it the rest. */
		due = kernel_follow(d, false);
		n = epoll_wait(ep, evs, 8, logsink_flush(&d->log) ? 10 : due >= 0 ? due : 1000);
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case TAG_FANOTIFY:
				access_read_events(d);
				break;
			case TAG_INOTIFY:
				marked = watch_marks_made(d->watch);
				watch_follow(d->watch, on_watch_news, d);
				kernel_follow(d, marked != watch_marks_made(d->watch));
				break;
			case TAG_RINGBUF:
				sensor_consume(d->sensor);
				break;
			case TAG_CTL:
				ctlserver_accept(d->ctl);
				break;
			case TAG_KERNEL:
				enforcer_read(&d->enforcer, access_on_verdict, d);
				break;
			case TAG_USB:
				usb_read_events(d->usb);
				break;
			}
		}
		access_report_drops(d);
		if (time(NULL) - swept >= SWEEP_SECONDS) {
			access_sweep(d);
			swept = time(NULL);
		}
	}
	close(ep);
	return EXIT_OK;
}

/* For proctab: LD_PRELOAD and the like as the environment was at exec. */
static int injected_at_exec(void *sensor, pid_t pid)
{
	return sensor_injected(sensor, pid);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	const char *sock = CTL_SOCKET, *logsock = "/dev/log", *backend = "auto";
	struct daemon d = { .policy_path = DEFAULT_POLICY };
	struct sigaction sa = { .sa_handler = on_signal };
	char err[POLICY_ERR_MAX];
	bool foreground = false, verbose = false, fail_open = false;
	unsigned long ringbuf = 0;
	int opt, ret = EXIT_FAIL;

	while ((opt = getopt_long(argc, argv, "b:c:fFs:l:r:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b': backend = optarg; break;
		case 'c': d.policy_path = optarg; break;
		case 'f': foreground = true; break;
		case 'F': fail_open = true; break;
		case 's': sock = optarg; break;
		case 'l': logsock = optarg; break;
		case 'r': ringbuf = strtoul(optarg, NULL, 0); break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc || (ringbuf && (ringbuf < 4096 || (ringbuf & (ringbuf - 1))))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "crmguardd: must run as root (it loads BPF programs and fanotify marks)\n");
		return EXIT_FAIL;
	}
	d.started = time(NULL);
	logsink_init(&d.log, logsock, foreground);
	if (enforcer_open(&d.enforcer, backend, fail_open, err, sizeof(err))) {
		fprintf(stderr, "crmguardd: %s\n", err);
		goto out;
	}
	/* before the policy: it applies to the sticks present too */
	if (usb_open(&d.usb, USB_DEVICES, usb_emit, &d, err, sizeof(err))) {
		fprintf(stderr, "crmguardd: %s\n", err);
		goto out;
	}
	if (daemon_apply_policy(&d, NULL, 0, err, sizeof(err))) {
		fprintf(stderr, "crmguardd: %s\n", err);
		goto out;
	}
	fputs(err, stderr);
	if (sensor_open(&d.sensor, ringbuf, verbose, access_on_sensor, &d, err, sizeof(err))) {
		fprintf(stderr, "crmguardd: %s\n", err);
		goto out;
	}
	proctab_set_injected(injected_at_exec, d.sensor);
	if (ctlserver_open(&d.ctl, sock, commands_handle, &d, err, sizeof(err))) {
		fprintf(stderr, "crmguardd: %s\n", err);
		goto out;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!foreground && daemon(0, 0)) {
		fprintf(stderr, "crmguardd: cannot go to the background: %s\n", strerror(errno));
		goto out;
	}
	/* the BPF LSM knows crmguardd by its pid, which daemon() changed */
	if (!foreground && enforcer_apply(&d.enforcer, &d.policy, d.watch, err, sizeof(err)))
		daemon_note(&d, LOG_LVL_WARNING, "error", err);
	daemon_note(&d, LOG_LVL_NOTICE, "start", NULL);
	ret = run(&d);
	access_stop(&d);	/* the refusals counted but not reported yet */
	daemon_note(&d, LOG_LVL_NOTICE, "stop", NULL);
out:
	ctlserver_close(d.ctl);
	usb_close(d.usb);
	enforcer_close(&d.enforcer);
	sensor_close(d.sensor);
	watch_free(d.watch);
	policy_free(&d.policy);
	logsink_close(&d.log);
	return ret;
}
