// SPDX-License-Identifier: GPL-2.0
/*
 * The process sensor's records (fork, exec, exit): the process table kept
 * up to date, a record for each, and the close records of a process that
 * ends.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "ctl/daemon/daemon.h"
#include "ctl/daemon/fields.h"
#include "ctl/daemon/files/files.h"
#include "ctl/daemon/lock.h"
#include "ctl/daemon/procs/events.h"
#include "ctl/daemon/taint/clipboard.h"
#include "ctl/daemon/taint/taint.h"

static void emit_proc(struct daemon *d, const char *event, struct proc *p, const struct sensor_event *e)
{
	struct record r;

	record_init(&r, event);
	put_proc(&r, p);
	if (e->type == SENSOR_EXIT && WIFSIGNALED(e->exit_code)) {
		record_i64(&r, "signal", WTERMSIG(e->exit_code));
		if (WCOREDUMP(e->exit_code))
			record_u64(&r, "core", 1);
	} else if (e->type == SENSOR_EXIT) {
		record_i64(&r, "code", WEXITSTATUS(e->exit_code));
	}
	if (e->type == SENSOR_EXIT) {
		record_u64(&r, "bytes_read", e->rchar);
		record_u64(&r, "bytes_written", e->wchar);
	}
	sink_emit(&d->sink, LOG_LVL_INFO, &r);
}

/*
 * The process a sensor record is about. If it is gone from /proc and we
 * missed its fork (a full ring buffer), the record itself must do.
 */
static struct proc *proc_of_record(const struct sensor_event *e)
{
	struct proc *p = proctab_get(e->pid);

	if (p)
		return p;
	p = proctab_fork(e->pid, NULL);
	if (!p)
		return NULL;
	p->ppid = e->ppid;
	p->uid = e->uid;
	p->loginuid = e->loginuid;
	snprintf(p->comm, sizeof(p->comm), "%s", e->comm);
	return p;
}

int procs_on_sensor(void *ctx, const struct sensor_event *e)
{
	struct daemon *d = ctx;
	char path[64], exe[PATH_MAX];
	struct proc *p;
	struct stat st;
	ssize_t n;

	switch (e->type) {
	case SENSOR_FORK:
		/* a parent swept away while crmguardd was behind: the record names it */
		p = proctab_find(e->ppid) ? proctab_fork(e->pid, proctab_find(e->ppid)) :
					    proc_of_record(e);
		if (!p)
			break;
		taint_on_fork(d, e->ppid, e->pid);
		clipboard_on_fork(e->ppid, e->pid);
		d->n.fork++;
		emit_proc(d, "fork", p, e);
		break;
	case SENSOR_EXEC:
		p = proc_of_record(e);
		if (!p)
			break;
		/* /proc/PID/exe if the process still runs that binary, else what it asked for */
		snprintf(path, sizeof(path), "/proc/%u/exe", e->pid);
		n = readlink(path, exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = 0;
		if (n <= 0 || stat(path, &st) || st.st_ino != e->exe_ino) {
			snprintf(exe, sizeof(exe), "%s", e->filename);
			/* the kernel's name of the inode: stat()'s where the rules say it */
			st.st_dev = enforcer_stat_dev(&d->enforcer, e->exe_dev, e->exe_ino);
		}
		proctab_set_exe(p, exe);
		p->exe_dev = st.st_dev;
		p->exe_ino = e->exe_ino;
		proctab_thread_forget(p->pid);
		snprintf(p->comm, sizeof(p->comm), "%s", e->comm);
		p->uid = e->uid;
		p->loginuid = e->loginuid;
		taint_on_exec(d, p->pid);
		d->n.exec++;
		emit_proc(d, "exec", p, e);
		break;
	case SENSOR_EXIT:
		p = proc_of_record(e);
		if (!p)
			break;
		files_close_all(d, p, "exit");
		d->n.exit++;
		emit_proc(d, "exit", p, e);
		clipboard_on_exit(d, e);
		taint_on_exit(p->pid);
		proctab_del(p);
		break;
	case SENSOR_DISPLAY:
		clipboard_on_connect(d, e);
		break;
	case SENSOR_RECEIVED:
		taint_on_receive(d, e->pid, e->ppid, "socket");
		break;
	case SENSOR_ATTACHED:
		taint_on_receive(d, e->pid, e->ppid, "ptrace");
		break;
	case SENSOR_FIFO:
		taint_on_fifo(d, e->pid, e->ppid, &(struct ipc_end){
			.kind = e->exit_code & SENSOR_FIFO_PIPE ? IPC_PIPE : IPC_FIFO,
			.dev = e->exe_dev, .ino = e->exe_ino,
			.writes = e->exit_code & SENSOR_FIFO_WRITES,
			.reads = !(e->exit_code & SENSOR_FIFO_WRITES) });
		break;
	case SENSOR_RMMOD:
		lock_on_rmmod(d, e);
		break;
	}
	return 0;
}

/* Processes whose exit record was lost still get their close records. */
void procs_sweep(struct daemon *d)
{
	struct proc *p;
	pid_t *dead;
	size_t i, n;

	n = proctab_gone(&dead);
	for (i = 0; i < n; i++) {
		p = proctab_find(dead[i]);
		if (!p)
			continue;
		files_close_all(d, p, "exit");
		proctab_del(p);
	}
	free(dead);
}

/* Ring-buffer records the sensor had to drop, not reported yet. */
void procs_report_drops(struct daemon *d)
{
	unsigned long long now = sensor_dropped(d->sensor);
	struct record r;

	if (now == d->n.lost_ringbuf)
		return;
	record_init(&r, "lost");
	record_str(&r, "source", "ringbuf");
	record_u64(&r, "count", now - d->n.lost_ringbuf);
	record_u64(&r, "total", now);
	d->n.lost_ringbuf = now;
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
}
