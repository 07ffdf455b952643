// SPDX-License-Identifier: GPL-2.0
/*
 * Repeated refusals folded into one record a second with a count: a loop
 * of refused opens costs a record a second, not one record per refusal.
 */
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include "ctl/daemon/fields.h"
#include "ctl/daemon/files/refusals.h"

#define REFUSALS_MAX 1024	/* past that, each refusal has a record of its own */

static void *refusals;			/* tsearch tree, by the key fields */
static struct refusal *refusal_list;
static size_t nrefusals;

static int cmp_num(unsigned long long a, unsigned long long b)
{
	return (a > b) - (a < b);
}

static int cmp_refusal(const void *a, const void *b)
{
	const struct refusal *x = a, *y = b;

	return cmp_num(x->pid, y->pid) ?: cmp_num(x->dev, y->dev) ?: cmp_num(x->ino, y->ino) ?:
	       cmp_num(x->exe_dev, y->exe_dev) ?: cmp_num(x->exe_ino, y->exe_ino) ?:
	       strcmp(x->event, y->event) ?: strcmp(x->label, y->label);
}

static void free_refusal(struct refusal *f)
{
	free(f->who.exe);
	free((char *)f->path);
	free(f);
}

static void emit_refusal(struct sink *s, const struct refusal *f)
{
	struct record r;

	record_init(&r, f->event);
	record_str(&r, "verdict", "deny");
	record_str(&r, "rule", f->label);
	record_u64(&r, "count", f->count);
	put_file(&r, f->path, f->path_unreachable, f->dev, f->ino);
	if (f->who_from_kernel)
		put_kernel_proc(&r, &f->who);
	else
		put_proc(&r, &f->who);
	if (f->backend)
		record_str(&r, "backend", f->backend);
	sink_emit(s, LOG_LVL_WARNING, &r);
}

void refusals_note(struct sink *s, struct refusal *key)
{
	struct refusal **found = tfind(key, &refusals, cmp_refusal), *f;

	if (found) {
		(*found)->count++;
		return;
	}
	key->count = 1;
	emit_refusal(s, key);
	if (nrefusals >= REFUSALS_MAX || !(f = malloc(sizeof(*f))))
		return;		/* the next one has a record of its own */
	*f = *key;
	f->count = 0;
	f->who.files = NULL;
	f->who.exe = strdup(key->who.exe);
	f->path = strdup(key->path);
	if (!f->who.exe || !f->path || !tsearch(f, &refusals, cmp_refusal)) {
		free_refusal(f);
		return;
	}
	f->next = refusal_list;
	refusal_list = f;
	nrefusals++;
}

/* A quiet one is forgotten. */
void refusals_report(struct sink *s)
{
	struct refusal **pp = &refusal_list, *f;

	while ((f = *pp)) {
		if (f->count) {
			emit_refusal(s, f);
			f->count = 0;
			pp = &f->next;
			continue;
		}
		*pp = f->next;
		tdelete(f, &refusals, cmp_refusal);
		free_refusal(f);
		nrefusals--;
	}
}
