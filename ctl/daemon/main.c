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
#include "ctl/daemon/commands.h"
#include "ctl/daemon/enforce/verdicts.h"
#include "ctl/daemon/files/files.h"
#include "ctl/daemon/files/refusals.h"
#include "ctl/daemon/heartbeat.h"
#include "ctl/daemon/lock.h"
#include "ctl/daemon/procs/events.h"
#include "ctl/daemon/reload.h"
#include "ctl/daemon/taint/clipboard.h"
#include "ctl/daemon/taint/derived.h"
#include "ctl/daemon/taint/taint.h"
#include "ctl/lib/ctlproto.h"

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
		"                 [-b BACKEND] [-F] [-t STATE]\n"
		"  -b BACKEND    what enforces: auto (default: the best the kernel has),\n"
		"                kmod, bpf-lsm or fanotify\n"
		"  -F            fail-open: if crmguardd stops, the in-kernel backend\n"
		"                lets everything through (default: its rules stay in force)\n"
		"  -c POLICY     policy file (default " DEFAULT_POLICY ")\n"
		"  -f            stay in the foreground and print each record on stdout\n"
		"  -s SOCKET     control socket (default " CTL_SOCKET ")\n"
		"  -l LOGSOCKET  syslog socket (default /dev/log)\n"
		"  -r BYTES      ring buffer size, a power of two (default 262144)\n"
		"  -t STATE      the files protected by taint files (default " DERIVED_STATE ")\n"
		"  -v            print libbpf's messages\n"
		"Exit status: 0 stopped cleanly, 1 usage, 2 could not start.\n");
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
 * What the watch marked since, the in-kernel backend (and the mirror of
 * its table: enforcer_mirror) gets too: at most
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

	stale |= changed && (enforcer_has_rules(&d->enforcer) || d->enforcer.mirror);
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
		sink_emit(&d->sink, LOG_LVL_WARNING, &r);
		break;
	case WATCH_APPEARED:
		record_init(&r, "protected");
		record_str(&r, "rule", rule_label(&d->policy, rule, label, sizeof(label)));
		record_str(&r, "detail", "a new file or directory is at the rule's path: it is protected");
		sink_emit(&d->sink, LOG_LVL_NOTICE, &r);
		break;
	case WATCH_FAILED:
		record_init(&r, "error");
		record_str(&r, "source", "inotify");
		record_str(&r, "rule", rule_label(&d->policy, rule, label, sizeof(label)));
		record_str(&r, "detail", "something new beneath it cannot be protected");
		record_str(&r, "error", watch_strerror(error));
		sink_emit(&d->sink, LOG_LVL_WARNING, &r);
		break;
	}
}

static int add_fd(int ep, int fd, int tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

enum { TAG_FANOTIFY, TAG_INOTIFY, TAG_RINGBUF, TAG_CTL, TAG_KERNEL, TAG_USB, TAG_MOUNT,
       TAG_CLIPBOARD, TAG_DERIVED, TAG_HANDOVER };

/*
 * The watch changes on reload: its descriptors are registered anew. By
 * generation, not by number: a later watch may reuse a freed number.
 */
static int watch_epoll(int ep, const struct daemon *d, unsigned long *gen)
{
	static struct handover *polled;	/* starts and stops with `reads trust` */
	struct handover *h = d->enforcer.handover;

	if (h != polled) {
		if (polled)
			epoll_ctl(ep, EPOLL_CTL_DEL, handover_fd(polled), NULL);
		if (h && add_fd(ep, handover_fd(h), TAG_HANDOVER))
			return -errno;
		polled = h;
	}
	if (*gen == d->watch_gen)
		return 0;
	if (add_fd(ep, watch_fanotify_fd(d->watch), TAG_FANOTIFY) ||
	    add_fd(ep, watch_inotify_fd(d->watch), TAG_INOTIFY))
		return -errno;
	*gen = d->watch_gen;
	return 0;
}

/*
 * What is due: ring-buffer drops not reported yet, and once a second the
 * counts of repeated refusals and the verdicts the kernel lost.
 */
static void report_due(struct daemon *d)
{
	static unsigned long long reported;	/* the second of the last report */
	unsigned long long now = proctab_clock_ms() / 1000;

	if (now != reported) {
		reported = now;
		refusals_report(&d->sink);
		verdicts_report_lost(d);
	}
	procs_report_drops(d);
	handed_report_drops(d);
}

static int run(struct daemon *d)
{
	struct epoll_event evs[8];
	unsigned long gen = 0;
	unsigned long long marked;
	int ep, n, i, due, tdue;
	time_t swept = time(NULL);

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || add_fd(ep, sensor_fd(d->sensor), TAG_RINGBUF) ||
	    add_fd(ep, ctlserver_fd(d->sink.ctl), TAG_CTL) || watch_epoll(ep, d, &gen) ||
	    add_fd(ep, usb_fd(d->usb), TAG_USB) ||
	    (d->mounts && add_fd(ep, mounts_fd(d->mounts), TAG_MOUNT)) ||
	    (enforcer_fd(&d->enforcer) >= 0 && add_fd(ep, enforcer_fd(&d->enforcer), TAG_KERNEL)) ||
	    (clipboard_fd() >= 0 && add_fd(ep, clipboard_fd(), TAG_CLIPBOARD)) ||
	    (derived_fd() >= 0 && add_fd(ep, derived_fd(), TAG_DERIVED))) {
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
		tdue = taint_tick(d);
		if (tdue >= 0 && (due < 0 || tdue < due))
			due = tdue;
		n = epoll_wait(ep, evs, 8, sink_flush(&d->sink) ? 10 : due >= 0 ? due : 1000);
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case TAG_FANOTIFY:
				files_read_events(d);
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
				ctlserver_accept(d->sink.ctl);
				break;
			case TAG_KERNEL:
				enforcer_read(&d->enforcer, verdicts_on_kernel, d);
				break;
			case TAG_USB:
				usb_read_events(d->usb);
				break;
			case TAG_MOUNT:
				mounts_read_events(d->mounts);
				break;
			case TAG_CLIPBOARD:
				clipboard_read_events(d);
				break;
			case TAG_DERIVED:
				derived_read_events(d);
				break;
			case TAG_HANDOVER:
				if (d->enforcer.handover)
					handover_read(d->enforcer.handover, handed_on_report, d);
				break;
			}
		}
		report_due(d);
		heartbeat_tick(d);
		if (time(NULL) - swept >= SWEEP_SECONDS) {
			procs_sweep(d);
			taint_sweep(d);
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
	struct daemon d = { .policy_path = DEFAULT_POLICY, .taint_state = DERIVED_STATE };
	struct sigaction sa = { .sa_handler = on_signal };
	char err[POLICY_ERR_MAX];
	bool foreground = false, verbose = false, fail_open = false;
	unsigned long ringbuf = 0;
	int opt, ret = EXIT_FAIL;

	while ((opt = getopt_long(argc, argv, "b:c:fFs:l:r:t:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b': backend = optarg; break;
		case 'c': d.policy_path = optarg; break;
		case 't': d.taint_state = optarg; break;
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
	logsink_init(&d.sink.log, logsock, foreground);
	if (enforcer_open(&d.enforcer, backend, fail_open, err, sizeof(err))) {
		fprintf(stderr, "crmguardd: %s\n", err);
		goto out;
	}
	/* before the policy: it applies to the sticks present too */
	if (usb_open(&d.usb, USB_DEVICES, true, sink_emit, &d.sink, err, sizeof(err))) {
		fprintf(stderr, "crmguardd: %s\n", err);
		goto out;
	}
	if (derived_open(err, sizeof(err)))
		fprintf(stderr, "crmguardd: %s\n", err);
	lock_start(&d, sock);
	/* before the policy: the USB programs share its map of tracked processes */
	if (sensor_open(&d.sensor, ringbuf, enforcer_sees_display(&d.enforcer), verbose,
			procs_on_sensor, &d, err, sizeof(err))) {
		fprintf(stderr, "crmguardd: %s\n", err);
		goto out;
	}
	proctab_set_injected(injected_at_exec, d.sensor);
	usb_follow(d.usb, sensor_tracked_fd(d.sensor));
	enforcer_mirror(&d.enforcer, usb_rules, d.usb);
	/* before the policy, which gives the kernel's clipboard programs their mode */
	if (clipboard_open(&d, err, sizeof(err)))
		fprintf(stderr, "crmguardd: %s\n", err);
	if (daemon_apply_policy(&d, NULL, 0, NULL, err, sizeof(err))) {
		fprintf(stderr, "crmguardd: %s\n", err);
		goto out;
	}
	fputs(err, stderr);
	/* without it crmguardd still guards; it says what it does not record */
	if (mounts_open(&d.mounts, sink_emit, &d.sink, err, sizeof(err)) ||
	    mounts_want(d.mounts, d.policy.usb.managed, err, sizeof(err))) {
		fprintf(stderr, "crmguardd: %s\n", err);
		daemon_note(&d, LOG_LVL_WARNING, "error", err);
	}
	if (ctlserver_open(&d.sink.ctl, sock, commands_handle, &d, err, sizeof(err))) {
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
	lock_running(&d);
	daemon_note(&d, LOG_LVL_NOTICE, "start", NULL);
	ret = run(&d);
	refusals_report(&d.sink);	/* the refusals counted but not reported yet */
	daemon_note(&d, LOG_LVL_NOTICE, "stop", NULL);
	sink_flush(&d.sink);
out:
	ctlserver_close(d.sink.ctl);
	mounts_close(d.mounts);
	usb_close(d.usb);
	clipboard_close();
	derived_close();
	enforcer_close(&d.enforcer);
	sensor_close(d.sensor);
	watch_free(d.watch);
	policy_free(&d.policy);
	logsink_close(&d.sink.log);
	return ret;
}
