// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "ctl/lib/decide.h"

static struct decision deny_by(const struct policy *p, int rule)
{
	struct decision d = { VERDICT_AUDIT, rule };

	if (p->mode == POLICY_ENFORCE && !p->rules[rule].audit)
		d.verdict = VERDICT_DENY;
	return d;
}

static bool revoked(const struct policy_rule *r, const struct subject *s)
{
	return r->kind == RULE_REVOKE_USER &&
	       (r->uid == s->uid || r->uid == s->euid || r->uid == s->loginuid);
}

struct decision decide(const struct policy *p, int protect_rule, const struct subject *s)
{
	const struct policy_rule *r;
	int audit_revoke = -1;
	size_t i;

	/* A revoke denies, whatever else says yes; one flagged audit only speaks up. */
	for (i = 0; i < p->nrules; i++) {
		r = &p->rules[i];
		if (revoked(r, s) && !r->audit)
			return deny_by(p, i);
		if (revoked(r, s) && audit_revoke < 0)
			audit_revoke = i;
	}
	for (i = 0; i < p->nrules; i++) {
		r = &p->rules[i];
		if ((r->kind == RULE_ALLOW_USER && r->uid == s->uid) ||
		    (r->kind == RULE_ALLOW_EXE && r->dev == s->exe_dev && r->ino == s->exe_ino &&
		     !s->preload && !s->traced)) {
			if (audit_revoke >= 0)
				return (struct decision){ VERDICT_AUDIT, audit_revoke };
			return (struct decision){ VERDICT_ALLOW, i };
		}
	}
	return deny_by(p, protect_rule);
}

struct decision decide_unknown(const struct policy *p, int protect_rule)
{
	return deny_by(p, protect_rule);
}

const char *verdict_name(enum verdict v)
{
	return v == VERDICT_ALLOW ? "allow" : v == VERDICT_DENY ? "deny" : "audit";
}

const char *rule_label(const struct policy *p, int rule, char *buf, size_t len)
{
	const struct policy_rule *r = &p->rules[rule];
	const char *k = policy_kind_name(r->kind);

	snprintf(buf, len, "%.*s%s%s:%s", (int)strcspn(k, " "), k,
		 k[strcspn(k, " ")] ? "-" : "", k[strcspn(k, " ")] ? k + strcspn(k, " ") + 1 : "",
		 r->arg);
	return buf;
}
