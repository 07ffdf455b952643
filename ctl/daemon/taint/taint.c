// SPDX-License-Identifier: GPL-2.0
/* Taint through pipes, FIFOs and unix sockets (taint.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ctl/lib/ctlproto.h"
#include "ctl/daemon/daemon.h"
#include "ctl/daemon/fields.h"
#include "ctl/daemon/taint/clipboard.h"
#include "ctl/daemon/taint/derived.h"
#include "ctl/daemon/taint/ipc.h"
#include "ctl/daemon/taint/taint.h"

struct tproc {
	pid_t pid;
	unsigned long long start;	/* ipc_start_time(): with pid, the key */
	char *source;
	time_t since;
	const char *via;		/* read, fork, pipe, fifo, socket, ptrace */
	pid_t from;			/* the tainted process it came from; 0: none */
	unsigned long long due;		/* a holder of both ends: when to look again; 0: tainted */
	bool reported;			/* a clipboard record names it already */
	time_t exited;			/* its exit record came then; 0: runs */
};

/* A channel end from which what a tainted process wrote can be read. */
struct tobj {
	struct ipc_end end;
	char *source;
	time_t since;
	pid_t from;
};

static struct tproc *procs;
static size_t nprocs;
static struct tobj *objs;
static size_t nobjs;

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void drop_proc(size_t i)
{
	free(procs[i].source);
	procs[i] = procs[--nprocs];
}

/* The entry under pid's number, whether or not that is still the same process. */
static struct tproc *slot(pid_t pid)
{
	size_t i;

	for (i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

/*
 * The entry of pid if it is the same process still, or gone but not yet
 * reported gone (or pending, with pending). An entry whose pid another
 * process has now is left to the sweep.
 */
static struct tproc *find(pid_t pid, bool pending)
{
	struct tproc *t = slot(pid);
	unsigned long long start;

	if (!t || (t->due && !pending))
		return NULL;
	start = ipc_start_time(pid);
	return !start || start == t->start ? t : NULL;
}

static void set_reported(pid_t pid)
{
	struct tproc *t = slot(pid);

	if (t)
		t->reported = true;
}

static bool same_end(const struct ipc_end *a, const struct ipc_end *b)
{
	return a->kind == b->kind && a->ino == b->ino && a->dev == b->dev;
}

static struct tobj *find_obj(const struct ipc_end *e)
{
	size_t i;

	for (i = 0; i < nobjs; i++)
		if (same_end(&objs[i].end, e))
			return &objs[i];
	return NULL;
}

/* The sensor's key of a pipe or FIFO (ebpf/sensor.h). */
static struct sensor_fifo fifo_of(const struct ipc_end *e)
{
	return (struct sensor_fifo){ .dev = e->dev, .ino = e->ino };
}

/*
 * e can now carry data from `from`: true if that is news. A pipe or FIFO
 * is handed to the sensor too, which reports who opens it from now on.
 */
static bool add_obj(struct daemon *d, const struct ipc_end *e, const struct tproc *from)
{
	struct sensor_fifo key = fifo_of(e);
	struct tobj *o;

	if (find_obj(e))
		return false;
	o = realloc(objs, (nobjs + 1) * sizeof(*o));
	if (!o)
		return false;
	objs = o;
	o = &objs[nobjs];
	o->end = *e;
	o->source = strdup(from->source);
	if (!o->source)
		return false;
	o->since = time(NULL);
	o->from = from->pid;
	nobjs++;
	if (e->kind != IPC_SOCKET)
		sensor_fifo(d->sensor, &key, from->pid);
	return true;
}

static void emit_taint(struct daemon *d, const struct tproc *t)
{
	struct proc *p = proctab_get(t->pid);
	struct record r;

	record_init(&r, "taint");
	if (p) {
		put_proc(&r, p);
	} else {
		record_i64(&r, "pid", t->pid);
		record_str(&r, "taint_source", t->source);
	}
	record_str(&r, "via", t->via);
	if (t->from)
		record_i64(&r, "from", t->from);
	sink_emit(&d->sink, LOG_LVL_NOTICE, &r);
}

/*
 * Makes pid tainted (or, with due, a holder to look at again then).
 * NULL if it already was, or is gone: a process that has exited since
 * the kernel reported it (crmguardd was behind, or stopped) is recorded,
 * and its entry kept as an exited one's, for the records about it that
 * are still to come.
 */
static struct tproc *add(struct daemon *d, pid_t pid, const char *source, const char *via,
			 pid_t from, unsigned long long due)
{
	unsigned long long start = ipc_start_time(pid);
	struct tproc *t = slot(pid), *grown;
	char *copy = strdup(source);
	struct proc *p;

	if ((!start && due) || !copy || (t && t->start == start && (!t->due || due))) {
		free(copy);
		return NULL;
	}
	if (!t) {
		grown = realloc(procs, (nprocs + 1) * sizeof(*grown));
		if (!grown) {
			free(copy);
			return NULL;
		}
		procs = grown;
		t = &procs[nprocs++];
		t->source = NULL;
	}
	free(t->source);	/* a pending entry, or a gone process's */
	t->pid = pid;
	t->start = start;
	t->source = copy;
	t->since = time(NULL);
	t->via = via;
	t->from = from;
	t->due = due;
	t->reported = false;
	t->exited = start ? 0 : time(NULL);
	if (due)
		return NULL;
	if (start) {
		/* its forks and execs are reported from now on, and its display connections */
		sensor_track(d->sensor, pid);
		sensor_display(d->sensor, pid, clipboard_display_how(d, pid));
		clipboard_taint(d, pid);
		p = proctab_get(pid);
		if (p)
			p->tainted = true;
	}
	if (strcmp(via, "fork"))
		emit_taint(d, t);
	return start ? t : NULL;
}

/* Does one of ends[0..n) listen for connections (a server of many clients)? */
static bool serves(const struct ipc_end *ends, size_t n, const struct unix_table *ut)
{
	const struct unix_sock *s;
	size_t i;

	for (i = 0; i < n; i++)
		if (ends[i].kind == IPC_SOCKET && (s = unix_table_find(ut, ends[i].ino)) && s->listening)
			return true;
	return false;
}

/*
 * Marks what the tainted processes in q[0..n) can write to; true if any is
 * news. Not through a display connection: the display server is where the
 * clipboard channel ends (clipboard.h), not a process that passes data on.
 * Nor, from a server that was sent tainted data (a logger, a bus), to all
 * its other clients: what it passes on it sends through pipes or files.
 */
static bool mark_ends(struct daemon *d, pid_t *q, size_t n, struct unix_table *ut)
{
	struct ipc_end *ends, peer;
	const struct unix_sock *s;
	bool news = false, relay;
	size_t i, j, m;
	struct tproc *t;
	const char *display;

	for (i = 0; i < n; i++) {
		t = find(q[i], false);
		if (!t)
			continue;
		m = ipc_ends(q[i], &ends);
		relay = strcmp(t->via, "read") && strcmp(t->via, "fork");
		for (j = 0; j < m; j++) {
			if (ends[j].kind != IPC_SOCKET) {
				if (ends[j].writes)
					news |= add_obj(d, &ends[j], t);
				continue;
			}
			if (!ut->socks && unix_table_read(ut))
				continue;
			display = ipc_display_of(ut, ends[j].ino);
			if (display && !t->reported && clipboard_on_display(d, q[i], display, t->source))
				t->reported = true;
			s = unix_table_find(ut, ends[j].ino);
			if (display || !s || !s->peer || (relay && serves(ends, m, ut)))
				continue;
			peer = ends[j];
			peer.ino = s->peer;
			news |= add_obj(d, &peer, t);
		}
		free(ends);
	}
	return news;
}

/* Does pid hold the writing end of the pipe or FIFO that ends[k] reads? */
static bool holds_both(const struct ipc_end *ends, size_t n, size_t k)
{
	size_t i;

	if (ends[k].kind == IPC_SOCKET)
		return false;
	for (i = 0; i < n; i++)
		if (same_end(&ends[i], &ends[k]) && ends[i].writes)
			return true;
	return false;
}

/*
 * Taints every process that holds the reading end of a tainted channel,
 * and appends the new ones to *q. A holder of both ends is looked at again
 * later instead.
 */
static void taint_holders(struct daemon *d, pid_t **q, size_t *n)
{
	struct ipc_end *wanted = malloc((nobjs ?: 1) * sizeof(*wanted)), *ends;
	struct ipc_holder *h = NULL;
	ssize_t got = -ENOMEM;
	size_t i, j, k, m;
	struct tobj *o;
	pid_t *grown;

	for (i = 0; wanted && i < nobjs; i++)
		wanted[i] = objs[i].end;
	if (wanted)
		got = ipc_holders(wanted, nobjs, &h);
	free(wanted);
	if (got < 0) {
		sink_error(&d->sink, "taint", "the channels of tainted data cannot be followed to "
			   "their readers", -got);
		return;
	}
	ends = malloc((got ?: 1) * sizeof(*ends));
	/* h[] comes in pid order: i..j are one process's descriptors of tainted channels */
	for (i = 0; ends && i < (size_t)got; i = j) {
		for (j = i, m = 0; j < (size_t)got && h[j].pid == h[i].pid; j++)
			ends[m++] = h[j].end;
		if (find(h[i].pid, false))
			continue;
		for (k = 0; k < m; k++) {
			o = ends[k].reads ? find_obj(&ends[k]) : NULL;
			if (!o)
				continue;
			if (holds_both(ends, m, k)) {
				add(d, h[i].pid, o->source, ipc_kind_name(o->end.kind), o->from,
				    now_ms() + TAINT_RECHECK_MS);
				continue;
			}
			if (!add(d, h[i].pid, o->source, ipc_kind_name(o->end.kind), o->from, 0))
				break;
			grown = realloc(*q, (*n + 1) * sizeof(**q));
			if (grown) {
				*q = grown;
				(*q)[(*n)++] = h[i].pid;
			}
			if (clipboard_on_tainted(d, h[i].pid, o->source))
				set_reported(h[i].pid);
			break;
		}
	}
	free(ends);
	free(h);
}

/*
 * Taints the tracer of each of the processes q[done..*n), which it
 * attached to before they were tainted (the sensor reports attaching
 * to a tainted one), and appends the new ones to *q.
 */
static void taint_tracers(struct daemon *d, pid_t **q, size_t *n, size_t done)
{
	struct tproc *t;
	pid_t tracer, *grown;
	char *source;
	size_t i;

	for (i = done; i < *n; i++) {
		tracer = ipc_tracer((*q)[i]);
		t = tracer ? find((*q)[i], false) : NULL;
		if (!t || find(tracer, false) || !(source = strdup(t->source)))
			continue;
		/* add() may move procs */
		if (add(d, tracer, source, "ptrace", (*q)[i], 0) &&
		    (grown = realloc(*q, (*n + 1) * sizeof(**q)))) {
			*q = grown;
			(*q)[(*n)++] = tracer;
			if (clipboard_on_tainted(d, tracer, source))
				set_reported(tracer);
		}
		free(source);
	}
}

/*
 * Follows the taint of the tainted processes q[done..n) (q malloc()ed,
 * freed here) through every channel, as far as it goes now.
 */
static void spread_queue(struct daemon *d, pid_t *q, size_t n, size_t done)
{
	struct unix_table ut = { 0 };
	size_t was;

	while (done < n) {
		taint_tracers(d, &q, &n, done);
		was = n;
		if (!mark_ends(d, q + done, n - done, &ut))
			break;
		done = was;
		taint_holders(d, &q, &n);
		unix_table_free(&ut);	/* new holders may have new peers */
	}
	unix_table_free(&ut);
	free(q);
}

/* Follows the taint of pid through every channel, as far as it goes now. */
static void spread(struct daemon *d, pid_t pid)
{
	pid_t *q = malloc(sizeof(*q));

	if (!q)
		return;
	q[0] = pid;
	spread_queue(d, q, 1, 0);
}

void taint_on_read(struct daemon *d, pid_t pid, const char *source)
{
	/* tainted already (a child of a tainted one): what it feeds now is followed too */
	if (!find(pid, false)) {
		if (!add(d, pid, source, "read", 0, 0))
			return;
		if (clipboard_on_tainted(d, pid, source))
			set_reported(pid);
	}
	spread(d, pid);
}

void taint_on_fork(struct daemon *d, pid_t parent, pid_t child)
{
	struct tproc *t = find(parent, false);
	char *source = t ? strdup(t->source) : NULL;	/* add() may move procs */

	if (source)
		add(d, child, source, "fork", parent, 0);
	free(source);
}

void taint_on_exec(struct daemon *d, pid_t pid)
{
	if (!find(pid, false))
		return;
	/* a binary `clipboard allow exe` names may keep its display */
	sensor_display(d->sensor, pid, clipboard_display_how(d, pid));
	spread(d, pid);
}

/* pid reads what `from` wrote, from source, through via: tainted, and what it feeds. */
static void taint_reader(struct daemon *d, pid_t pid, const char *source, const char *via,
			 pid_t from)
{
	char *copy = strdup(source);	/* add() may move procs and objs */

	if (copy && add(d, pid, copy, via, from, 0)) {
		if (clipboard_on_tainted(d, pid, copy))
			set_reported(pid);
		spread(d, pid);
	}
	free(copy);
}

void taint_on_receive(struct daemon *d, pid_t pid, pid_t from, const char *via)
{
	/* the sender may have exited since: its entry stays a while (TAINT_EXIT_GRACE) */
	struct tproc *t = find(from, true);

	if (t && !t->due && !find(pid, false))
		taint_reader(d, pid, t->source, via, from);
}

/* Channels without a tainted writer that are not asked about again at once. */
#define TAINT_NONE_KEPT 64

/* Is any process tainted (not only a holder to look at again)? */
static bool any_tainted(void)
{
	size_t i;

	for (i = 0; i < nprocs; i++)
		if (!procs[i].due && !procs[i].exited)
			return true;
	return false;
}

/*
 * A tainted process that holds e to write; NULL if none does. Each answer
 * is one pass over every descriptor of the machine, so a channel found
 * without one is not asked about again for a second (a reopen through
 * /proc repeated, by anyone): one that a writer taints after is in objs
 * by then (its first read marks what it writes to), and those come first.
 */
static struct tproc *tainted_writer(const struct ipc_end *e)
{
	static struct { struct ipc_end end; time_t at; } none[TAINT_NONE_KEPT];
	static unsigned int next;
	struct ipc_holder *h = NULL;
	struct tproc *t = NULL;
	time_t now = time(NULL);
	ssize_t i, got;

	if (!any_tainted())
		return NULL;
	for (i = 0; i < TAINT_NONE_KEPT; i++)
		if (same_end(&none[i].end, e) && now - none[i].at < 1)
			return NULL;
	got = ipc_holders(e, 1, &h);
	for (i = 0; i < got && !t; i++)
		if (h[i].end.writes)
			t = find(h[i].pid, false);
	free(h);
	if (!t) {
		none[next % TAINT_NONE_KEPT].end = *e;
		none[next++ % TAINT_NONE_KEPT].at = now;
	}
	return t;
}

void taint_on_fifo(struct daemon *d, pid_t pid, pid_t from, const struct ipc_end *e)
{
	struct tproc *t;
	struct tobj *o;
	pid_t *q;
	size_t n = 1;

	if (e->writes) {
		/* a tainted writer's new channel: its readers now (the later ones come reported) */
		t = find(pid, false);
		if (!t || !add_obj(d, e, t) || !(q = malloc(sizeof(*q))))
			return;
		q[0] = pid;
		taint_holders(d, &q, &n);
		spread_queue(d, q, n, 1);
		return;
	}
	if (find(pid, false))
		return;
	o = find_obj(e);
	if (o) {
		taint_reader(d, pid, o->source, ipc_kind_name(e->kind), o->from);
		return;
	}
	/*
	 * a writer the sensor tracks, tainted or not, exited a moment ago
	 * perhaps; or none (a pipe reopened through /proc): who writes it now
	 */
	t = from ? find(from, true) : NULL;
	if (!t || t->due)
		t = tainted_writer(e);
	if (t)
		taint_reader(d, pid, t->source, ipc_kind_name(e->kind), t->pid);
}

void taint_policy_changed(struct daemon *d)
{
	size_t i;

	derived_apply(d);
	clipboard_policy(d);
	for (i = 0; d->sensor && i < nprocs; i++)
		if (!procs[i].due)
			sensor_display(d->sensor, procs[i].pid, clipboard_display_how(d, procs[i].pid));
}

/*
 * Kept a little while: what it wrote and closed as it exited is reported
 * after its exit record, and still names its source (no other process can
 * have its pid and start time).
 */
void taint_on_exit(pid_t pid)
{
	struct tproc *t = slot(pid);

	if (t)
		t->exited = time(NULL);
}

const char *taint_source(pid_t pid)
{
	struct tproc *t = find(pid, false);

	return t ? t->source : NULL;
}

const char *taint_reaches(pid_t pid)
{
	struct ipc_end *ends;
	const char *source = taint_source(pid);
	struct tobj *o;
	size_t i, m;

	if (source || !nobjs)
		return source;
	m = ipc_ends(pid, &ends);
	for (i = 0; i < m && !source; i++) {
		o = ends[i].reads ? find_obj(&ends[i]) : NULL;
		if (o)
			source = o->source;
	}
	free(ends);
	return source;
}

int taint_tick(struct daemon *d)
{
	unsigned long long now = now_ms(), next = 0;
	struct ipc_end *ends;
	struct tobj *o;
	size_t i, j, m;
	pid_t pid;

	for (i = 0; i < nprocs; i++) {
		if (!procs[i].due)
			continue;
		if (procs[i].due > now) {
			if (!next || procs[i].due < next)
				next = procs[i].due;
			continue;
		}
		pid = procs[i].pid;
		m = ipc_start_time(pid) == procs[i].start ? ipc_ends(pid, &ends) : 0;
		if (!m)
			ends = NULL;
		for (j = 0, o = NULL; j < m && !o; j++)
			o = ends[j].reads ? find_obj(&ends[j]) : NULL;
		if (o && add(d, pid, o->source, ipc_kind_name(o->end.kind), o->from, 0)) {
			if (clipboard_on_tainted(d, pid, o->source))
				set_reported(pid);
			spread(d, pid);
		} else {
			drop_proc(i);	/* it let go of the reading end */
		}
		free(ends);
		i = (size_t)-1;	/* the table changed under us: from the start */
	}
	return next ? (int)(next - now) : -1;
}

void taint_sweep(struct daemon *d)
{
	struct sensor_fifo key;
	struct ipc_end *wanted;
	struct ipc_holder *h = NULL;
	ssize_t got = -1;
	bool *held;
	size_t i;
	struct tobj *o;

	for (i = 0; i < nprocs; i++)
		if ((procs[i].exited && time(NULL) - procs[i].exited >= TAINT_EXIT_GRACE) ||
		    (!procs[i].exited && ipc_start_time(procs[i].pid) != procs[i].start))
			drop_proc(i--);
	if (!nobjs)
		return;
	held = calloc(nobjs, sizeof(*held));
	wanted = malloc(nobjs * sizeof(*wanted));
	for (i = 0; wanted && i < nobjs; i++)
		wanted[i] = objs[i].end;
	if (held && wanted)
		got = ipc_holders(wanted, nobjs, &h);
	free(wanted);
	if (got < 0)
		goto out;
	for (i = 0; i < (size_t)got; i++) {
		o = find_obj(&h[i].end);
		if (o)
			held[o - objs] = true;
	}
	free(h);
	/* a channel nobody holds any more carries nothing: it goes */
	for (i = nobjs; i-- > 0;) {
		if (held[i])
			continue;
		key = fifo_of(&objs[i].end);
		if (objs[i].end.kind != IPC_SOCKET)
			sensor_fifo_drop(d->sensor, &key);
		free(objs[i].source);
		objs[i] = objs[--nobjs];
	}
out:
	free(held);
}

int taint_list(struct daemon *d, bool json, FILE *out)
{
	const char *state = d->taint_state;
	struct proc *p;
	size_t i, shown = 0;

	taint_sweep(d);
	if (json)
		fputs("{\"processes\":[", out);
	for (i = 0; i < nprocs; i++) {
		if (procs[i].due || procs[i].exited)
			continue;
		p = proctab_get(procs[i].pid);
		if (json) {
			fprintf(out, "%s{\"pid\":%d,\"exe\":", shown++ ? "," : "", procs[i].pid);
			json_str(out, p && p->exe ? p->exe : "");
			fputs(",\"source\":", out);
			json_str(out, procs[i].source);
			fprintf(out, ",\"via\":\"%s\",\"from\":%d,\"since\":%lld}", procs[i].via,
				procs[i].from, (long long)procs[i].since);
		} else {
			fprintf(out, "process %d\t%s\tsource %s\tvia %s", procs[i].pid,
				p && p->exe ? p->exe : "?", procs[i].source, procs[i].via);
			if (procs[i].from)
				fprintf(out, " from %d", procs[i].from);
			fprintf(out, "\tsince %lld\n", (long long)procs[i].since);
		}
	}
	if (json)
		fputs("],\"channels\":[", out);
	for (i = 0; i < nobjs; i++) {
		if (json) {
			fprintf(out, "%s{\"kind\":\"%s\",\"ino\":%llu,\"source\":", i ? "," : "",
				ipc_kind_name(objs[i].end.kind), (unsigned long long)objs[i].end.ino);
			json_str(out, objs[i].source);
			fprintf(out, ",\"from\":%d,\"since\":%lld}", objs[i].from, (long long)objs[i].since);
		} else {
			fprintf(out, "channel %s:[%llu]\tsource %s\tfrom %d\tsince %lld\n",
				ipc_kind_name(objs[i].end.kind), (unsigned long long)objs[i].end.ino,
				objs[i].source, objs[i].from, (long long)objs[i].since);
		}
	}
	if (json)
		fputs("],\"files\":[", out);
	derived_list(state, json, out);
	if (json)
		fputs("]}\n", out);
	return 0;
}
