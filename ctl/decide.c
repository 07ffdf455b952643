// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "ctl/decide.h"

static struct decision deny_by(const struct policy *p, int rule)
{
	struct decision d = { VERDICT_AUDIT, rule };

	if (p->mode == POLICY_ENFORCE && !p->rules[rule].audit)
		d.verdict = VERDICT_DENY;
	return d;
}

struct decision decide(const struct policy *p, int protect_rule, const struct subject *s)
{
	const struct policy_rule *r;
	size_t i;

	for (i = 0; i < p->nrules; i++) {
		r = &p->rules[i];
		if (r->kind == RULE_REVOKE_USER &&
		    (r->uid == s->uid || r->uid == s->euid || r->uid == s->loginuid))
			return deny_by(p, i);
	}
	for (i = 0; i < p->nrules; i++) {
		r = &p->rules[i];
		if ((r->kind == RULE_ALLOW_USER && r->uid == s->uid) ||
		    (r->kind == RULE_ALLOW_EXE && r->dev == s->exe_dev && r->ino == s->exe_ino &&
		     !s->preload))
			return (struct decision){ VERDICT_ALLOW, i };
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
