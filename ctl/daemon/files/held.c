// SPDX-License-Identifier: GPL-2.0
/*
 * What a policy taking effect finds already held. At start and at each
 * reload (a new rule, a revoke) every descriptor and mapping of a
 * protected file is looked for in /proc and recorded (event=held). A
 * holder that the policy now denies reads no byte more through it:
 *  - the pages of a mapping are read with no call that any backend could
 *    refuse, and no backend can take a mapping back: the holder is killed
 *    (kill record, reason=mapped);
 *  - a descriptor: its reads are refused where the backend sees them.
 *    The BPF LSM sees every read. fsnotify (fanotify, crmguard.ko) decides
 *    at open, from 6.14 on, whether a file will report reads at all: one
 *    opened while none of our marks was on it never will, so there only a
 *    file crmguardd saw opened can be refused. Where reads go unseen, or
 *    a new mapping of the descriptor would (enforcer_misses_new_mmap()),
 *    the holder is killed (reason=held).
 * With `reads trust` and fanotify, reads are not asked about (decided at
 * open): a denied holder of a descriptor is killed (reason=held).
 */
#include <signal.h>
#include <stdlib.h>
#include "ctl/daemon/fields.h"
#include "ctl/daemon/files/files.h"
#include "ctl/daemon/files/holders.h"
#include "ctl/lib/decide.h"

struct held_scan {
	struct daemon *d;
	bool sees_old_reads, misses_new_mmap;
	bool reads_unasked;	/* fanotify with reads trust */
	pid_t pid;		/* whose threads subj[0..n) are */
	struct subject *subj;
	size_t n;
};

/*
 * The verdict on the holder: the worst over its threads, as /proc shows
 * them. A process none of whose threads could be read is judged as an
 * unknown one: denied in enforce.
 */
static struct decision judge_holder(struct held_scan *s, const struct holding *h)
{
	struct decision dec, worst = { VERDICT_ALLOW, h->rule };
	size_t i;

	if (s->pid != h->pid) {
		free(s->subj);
		s->subj = NULL;
		s->n = proctab_threads(h->pid, &s->subj);
		s->pid = h->pid;
	}
	if (!s->n)
		return decide_unknown(&s->d->policy, h->rule);
	for (i = 0; i < s->n; i++) {
		dec = decide(&s->d->policy, h->rule, &s->subj[i]);
		if (dec.verdict > worst.verdict)
			worst = dec;
	}
	return worst;
}

static void emit_held(struct daemon *d, const char *event, const struct proc *p,
		      const struct holding *h, const struct decision *dec, const char *reason)
{
	char label[256];
	struct record r;

	record_init(&r, event);
	record_str(&r, "verdict", verdict_name(dec->verdict));
	record_str(&r, "rule", rule_label(&d->policy, dec->rule, label, sizeof(label)));
	put_file(&r, h->path, false, h->st.st_dev, h->st.st_ino);
	if (p)
		put_proc(&r, p);
	else
		record_i64(&r, "pid", h->pid);
	record_str(&r, "via", held_via_name(h->via));
	if (reason)
		record_str(&r, "reason", reason);
	sink_emit(&d->sink, dec->verdict == VERDICT_DENY ? LOG_LVL_WARNING : LOG_LVL_INFO, &r);
}

/* Did crmguardd see p open the file (so under our marks, reporting its reads)? */
static bool opened_under_watch(struct proc *p, const struct holding *h)
{
	return p && proc_file_find(p, h->st.st_dev, h->st.st_ino);
}

static bool on_holding(void *ctx, const struct holding *h)
{
	struct held_scan *s = ctx;
	struct daemon *d = s->d;
	struct decision dec = judge_holder(s, h);
	struct proc *p = proctab_get(h->pid);	/* for the records, before it is gone */
	const char *end = NULL;

	emit_held(d, "held", p, h, &dec, NULL);
	if (dec.verdict != VERDICT_DENY)
		return true;
	if (h->via == HELD_MAP)
		end = "mapped";
	else if (s->reads_unasked || s->misses_new_mmap ||
		 !(s->sees_old_reads || opened_under_watch(p, h)))
		end = "held";
	if (!end)
		return true;
	if (kill(h->pid, SIGKILL))
		return true;	/* gone already */
	emit_held(d, "kill", p, h, &dec, end);
	return false;
}

/* Every process (pid 0), or pid alone. */
static void scan(struct daemon *d, pid_t pid)
{
	struct held_scan s = {
		.d = d,
		.sees_old_reads = enforcer_sees_old_reads(&d->enforcer),
		.misses_new_mmap = enforcer_misses_new_mmap(&d->enforcer, d->watch),
		.reads_unasked = !d->enforcer.ops && watch_trusts_reads(d->watch),
	};

	if (pid)
		holders_walk_pid(d->watch, pid, on_holding, &s);
	else
		holders_walk(d->watch, on_holding, &s);
	free(s.subj);
}

void held_scan(struct daemon *d)
{
	scan(d, 0);
}

void held_check(struct daemon *d, pid_t pid)
{
	scan(d, pid);
}
