// SPDX-License-Identifier: GPL-2.0
/*
 * The heartbeat: with `heartbeat N` in the policy, a record every N
 * seconds that says crmguardd runs, what enforces, which policy it holds
 * and its counters. A collector that stops getting them from a workstation
 * knows that its agent stopped or its forwarding broke. `beat` counts the
 * heartbeats; `seq`, as in every record, the records (emit.h). `ctlx
 * status -j` carries the same fields, under "heartbeat".
 */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "ctl/lib/ctlproto.h"
#include "ctl/daemon/daemon.h"
#include "ctl/daemon/heartbeat.h"

#define HASH_HEX POLICY_HASH_HEX

struct field {
	const char *key;
	const char *str;		/* NULL: the field is num */
	unsigned long long num;
};

/*
 * SHA-256 over the policy as parsed: mode (and locked), reads, heartbeat, then each
 * rule's kind, argument and audit flag in order, each ended by a NUL
 * (no argument holds one). Comments, layout and file names do not change
 * it; every change of what the policy says does.
 */
void policy_hash(const struct policy *p, char hex[HASH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char head[64];
	size_t k;
	int n;

	hex[0] = 0;
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	n = snprintf(head, sizeof(head), "mode %s%s%creads %s%cheartbeat %u",
		     policy_mode_name(p->mode), p->locked ? " locked" : "", 0, p->reads_check ? "check" : "trust", 0, p->heartbeat);
	EVP_DigestUpdate(ctx, head, n + 1);
	for (k = 0; k < p->nrules; k++) {
		const struct policy_rule *r = &p->rules[k];
		const char *kind = policy_kind_name(r->kind);

		EVP_DigestUpdate(ctx, kind, strlen(kind) + 1);
		EVP_DigestUpdate(ctx, r->arg, strlen(r->arg) + 1);
		EVP_DigestUpdate(ctx, r->audit ? "audit" : "", r->audit ? 6 : 1);
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen))
		goto out;
	for (i = 0; i < mdlen && 2 * i + 2 < HASH_HEX; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
out:
	EVP_MD_CTX_free(ctx);
}

/* As many as collect() gives at most. */
#define MAX_FIELDS 17

#define NUM(k, v) ((struct field){ .key = (k), .num = (v) })
#define STR(k, v) ((struct field){ .key = (k), .str = (v) })

/* The fields of a heartbeat, in order; returns how many. */
static size_t collect(struct daemon *d, struct field *f, char hash[HASH_HEX])
{
	struct kernel_stats ks = { 0 };
	size_t n = 0;

	policy_hash(&d->policy, hash);
	f[n++] = NUM("beat", d->heartbeats);
	f[n++] = NUM("interval", d->policy.heartbeat);
	f[n++] = STR("backend", enforcer_name(&d->enforcer));
	f[n++] = STR("mode", policy_mode_name(d->policy.mode));
	f[n++] = STR("policy_hash", hash);
	f[n++] = NUM("rules", d->policy.nrules);
	f[n++] = NUM("uptime", (unsigned long long)(time(NULL) - d->started));
	f[n++] = NUM("open", d->n.open);
	f[n++] = NUM("deny", d->n.deny);
	f[n++] = NUM("exec", d->n.exec);
	f[n++] = NUM("lost_ringbuf", d->n.lost_ringbuf);
	f[n++] = NUM("lost_fanotify", d->n.lost_fanotify);
	f[n++] = NUM("lost_syslog", d->sink.log.unsent_total);
	f[n++] = NUM("response_errors", d->n.response_errors);
	if (enforcer_stats(&d->enforcer, &ks)) {
		f[n++] = NUM("kernel_deny", ks.deny);
		f[n++] = NUM("kernel_lost", ks.lost);
		if (enforcer_holds_clipboard(&d->enforcer))
			f[n++] = NUM("kernel_display_missed", ks.clip_missed);
	}
	return n;
}

void heartbeat_tick(struct daemon *d)
{
	struct field f[MAX_FIELDS];
	char hash[HASH_HEX];
	struct timespec ts;
	struct record r;
	size_t n, i;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!d->policy.heartbeat || !d->heartbeat_last) {
		/* the first one an interval after start, or after it was turned on */
		d->heartbeat_last = ts.tv_sec;
		return;
	}
	if (ts.tv_sec - d->heartbeat_last < (time_t)d->policy.heartbeat)
		return;
	d->heartbeat_last = ts.tv_sec;
	d->heartbeats++;
	n = collect(d, f, hash);
	record_init(&r, "heartbeat");
	for (i = 0; i < n; i++) {
		if (f[i].str)
			record_str(&r, f[i].key, f[i].str);
		else
			record_u64(&r, f[i].key, f[i].num);
	}
	sink_emit(&d->sink, LOG_LVL_INFO, &r);
}

void heartbeat_json(struct daemon *d, FILE *out)
{
	struct field f[MAX_FIELDS];
	char hash[HASH_HEX];
	size_t n, i;

	n = collect(d, f, hash);
	fputs("{", out);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s\"%s\":", i ? "," : "", f[i].key);
		if (f[i].str)
			json_str(out, f[i].str);
		else
			fprintf(out, "%llu", f[i].num);
	}
	/* what every record ends with: here the last record's number */
	fprintf(out, ",\"seq\":%llu}", d->sink.seq);
}
