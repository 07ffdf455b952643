/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy: /etc/crmguard/policy.conf, then policy.d/ *.conf in name order.
 * One rule a line, `#` starts a comment, arguments with spaces in "quotes":
 *
 *	mode enforce			# or audit: log what would be denied
 *	mode enforce locked		# and no change until reboot (README)
 *	protect /var/lib/crm		# a file, or a directory and all beneath it
 *	protect "/srv/crm data" audit	# this one only logs, even in enforce
 *	allow exe /usr/bin/crm-server	# this binary (by inode) may read
 *	allow user crmbackup		# this user's processes may read
 *	revoke user alice		# denied everything, live processes too
 *	reads check			# every read decided too (see README)
 *	heartbeat 60			# a health record every 60 s (off: none)
 *	taint ..., clipboard ...	# see ctl/lib/policy_taint.h
 *	usb allow 46f4:0001 serial CRM-0042	# USB sticks: lib/policy_usb.h
 */
#ifndef CRMGUARD_POLICY_H
#define CRMGUARD_POLICY_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "ctl/lib/policy_taint.h"
#include "ctl/lib/policy_usb.h"

#define POLICY_LINE_MAX 4096
#define POLICY_ERR_MAX 1024
/* A path that is there, but not the kind of file its rule needs. */
#define POLICY_EWRONGTYPE ENOEXEC
/* A day: a workstation silent for longer is not watched. */
#define POLICY_HEARTBEAT_MAX 86400

enum policy_mode { POLICY_AUDIT, POLICY_ENFORCE };

enum rule_kind { RULE_PROTECT, RULE_ALLOW_EXE, RULE_ALLOW_USER, RULE_REVOKE_USER };

struct policy_rule {
	enum rule_kind kind;
	char *arg;		/* the path or user as written */
	bool audit;		/* log what this rule would deny, deny nothing */
	/* filled by policy_resolve(): */
	uid_t uid;		/* user rules */
	dev_t dev;		/* allow exe: the binary's inode, as stat() names it */
	ino_t ino;
	int mnt_id;		/* allow exe: the mount it is on (kident.h); < 0: unknown */
	bool interpreter;	/* allow exe: it runs any script it is given */
	/*
	 * allow exe: why the binary cannot be used (an errno, or
	 * POLICY_EWRONGTYPE), 0 if it can. Such a rule allows nothing: its
	 * (dev, ino) is one that no file has.
	 */
	int missing;
	char *file;		/* where the rule was written */
	int line;
};

struct policy {
	enum policy_mode mode;
	/*
	 * mode enforce locked: once in force, the kernel's rules and mode
	 * take no change until reboot, and crmguardd takes no other policy.
	 */
	bool locked;
	/*
	 * reads trust (the default, false here): decided at open; a process
	 * allowed then reads unasked, and a descriptor handed to a program the
	 * policy does not allow ends that program (the backend's hand-over
	 * watch). reads check: every read is decided and counted too, a round
	 * trip to crmguardd each on the fanotify backend.
	 */
	bool reads_check;
	char *mode_file;	/* where mode was set; NULL: default audit */
	int mode_line;
	unsigned int heartbeat;	/* seconds between heartbeat records; 0: none */
	char *heartbeat_file;	/* where heartbeat was set; NULL: default off */
	int heartbeat_line;
	struct policy_rule *rules;
	size_t nrules;
	struct policy_taint taint;
	struct usb_policy usb;	/* the `usb` lines */
};

/* Parses text (len bytes) named `file` in messages, appending to p. No I/O. */
int policy_parse(struct policy *p, const char *file, const char *text, size_t len,
		 char *err, size_t errlen);
/*
 * Looks up the binaries and users that rules name. A user that does not
 * exist is an error; a binary that is not there is not (the disk changes
 * under a policy): its rule is marked missing and allows nothing.
 */
int policy_resolve(struct policy *p, char *err, size_t errlen);
/*
 * Reads path (or, if text is not NULL, takes text as its contents) and the
 * policy.d/ beside it into a fresh p, and resolves it. On error p is empty.
 */
int policy_load(struct policy *p, const char *path, const char *text, size_t len,
		char *err, size_t errlen);
void policy_free(struct policy *p);
const char *policy_mode_name(enum policy_mode m);
/* "FILE:LINE: " and the message into err, for the parsers of each key; -EINVAL. */
int policy_vfail(const char *file, int line, char *err, size_t errlen, const char *fmt, va_list ap);
/* How many one-letter edits make a into b (for "did you mean"); 99 if either is long. */
size_t policy_word_distance(const char *a, const char *b);
/* "protect", "allow exe", "allow user", "revoke user" */
const char *policy_kind_name(enum rule_kind k);
/*
 * "FILE:LINE: protect PATH: why; what happens now", for a rule whose path
 * is not there (why: an errno, or POLICY_EWRONGTYPE), into buf.
 */
const char *policy_missing_text(const struct policy_rule *r, int why, char *buf, size_t len);

/* The whole file at path, NUL-ended, into *out (malloc()ed); on error, why in err. */
int policy_read_file(const char *path, char **out, size_t *len, char *err, size_t errlen);

/*
 * policy_edit.c: the text of the file at path with the rule `words` (e.g. {"revoke",
 * "user", "alice"}) added (add) or removed: every line that states the
 * same thing goes, other lines and comments stay as they are; an added
 * rule comes last. `mode X` replaces any mode line. The result must parse.
 * *text is malloc()ed.
 */
int policy_edit(const char *path, const char *const *words, int n, bool add,
		char **text, size_t *len, char *err, size_t errlen);
/* Replaces the file at path with text, atomically, keeping its mode. */
int policy_write(const char *path, const char *text, size_t len, char *err, size_t errlen);

#endif
