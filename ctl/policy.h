/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy: /etc/crmguard/policy.conf, then policy.d/ *.conf in name order.
 * One rule a line, `#` starts a comment, arguments with spaces in "quotes":
 *
 *	mode audit
 *	protect /var/lib/crm
 *	protect "/srv/crm data/clients.db"
 */
#ifndef CRMGUARD_POLICY_H
#define CRMGUARD_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#define POLICY_LINE_MAX 4096
#define POLICY_ERR_MAX 1024

enum policy_mode { POLICY_AUDIT };

struct policy_rule {
	char *path;		/* protect PATH: absolute */
	char *file;		/* where the rule was written */
	int line;
};

struct policy {
	enum policy_mode mode;
	struct policy_rule *rules;
	size_t nrules;
};

/* Parses text (len bytes) named `file` in messages, appending to p. */
int policy_parse(struct policy *p, const char *file, const char *text, size_t len,
		 char *err, size_t errlen);
/*
 * Reads path (or, if text is not NULL, takes text as its contents) and the
 * policy.d/ beside it into a fresh p. On error p is left empty.
 */
int policy_load(struct policy *p, const char *path, const char *text, size_t len,
		char *err, size_t errlen);
void policy_free(struct policy *p);
const char *policy_mode_name(enum policy_mode m);

/*
 * The text of the file at path with a `protect target` line added (add) or
 * every such line removed; other lines and comments are kept. Checks that
 * the result parses. *text is malloc()ed.
 */
int policy_edit_protect(const char *path, const char *target, bool add,
			char **text, size_t *len, char *err, size_t errlen);
/* Replaces the file at path with text, atomically, keeping its mode. */
int policy_write(const char *path, const char *text, size_t len, char *err, size_t errlen);

#endif
