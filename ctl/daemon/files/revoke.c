// SPDX-License-Identifier: GPL-2.0
/*
 * What a revoke cannot refuse, it ends. The pages of a mapping are read
 * with no call any backend could refuse, and no backend can take a mapping
 * back; where the backend does not see a new mapping of a descriptor
 * opened before (enforcer_misses_new_mmap()), a held descriptor is as good
 * as a mapping. So once a policy with an enforcing revoke is in force, a
 * process that a revoke denies such a file is killed, with a kill record.
 */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ctl/daemon/fields.h"
#include "ctl/daemon/files/files.h"
#include "ctl/lib/decide.h"

static bool policy_revokes(const struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == RULE_REVOKE_USER && !p->rules[i].audit)
			return p->mode == POLICY_ENFORCE;
	return false;
}

/* The revoke that denies some thread of the process (subj[0..n)) the file st, or -1. */
static int revoke_of(const struct daemon *d, const struct stat *st,
		     const struct subject *subj, size_t n)
{
	int rule = watch_rule_of_inode(d->watch, st->st_dev, st->st_ino);
	struct decision dec;
	size_t i;

	for (i = 0; rule >= 0 && i < n; i++) {
		dec = decide(&d->policy, rule, &subj[i]);
		if (dec.verdict == VERDICT_DENY && d->policy.rules[dec.rule].kind == RULE_REVOKE_USER)
			return dec.rule;
	}
	return -1;
}

/* A protected file pid maps that a revoke denies it: the revoke, the file in *st and path. */
static int revoked_mapping(const struct daemon *d, pid_t pid, const struct subject *subj,
			   size_t n, struct stat *st, char *path, size_t len)
{
	char name[64], line[PATH_MAX + 128];
	unsigned long start, end, ino, last = 0;
	int rule = -1, at;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%d/maps", pid);
	f = fopen(name, "re");
	while (f && rule < 0 && fgets(line, sizeof(line), f)) {
		/* start-end perms offset dev inode path: files only, once each */
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %n", &start, &end, &ino, &at) < 3 ||
		    !ino || ino == last)
			continue;
		last = ino;
		/* map_files: the file itself, as stat() sees it, whatever its path now */
		snprintf(name, sizeof(name), "/proc/%d/map_files/%lx-%lx", pid, start, end);
		if (stat(name, st))
			continue;
		rule = revoke_of(d, st, subj, n);
		if (rule >= 0)
			snprintf(path, len, "%.*s", (int)strcspn(line + at, "\n"), line + at);
	}
	if (f)
		fclose(f);
	return rule;
}

/* A protected file pid holds open that a revoke denies it, as revoked_mapping(). */
static int revoked_descriptor(const struct daemon *d, pid_t pid, const struct subject *subj,
			      size_t n, struct stat *st, char *path, size_t len)
{
	char dir[64], link[320];
	struct dirent *de;
	int rule = -1;
	ssize_t got;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	fds = opendir(dir);
	while (fds && rule < 0 && (de = readdir(fds))) {
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(link, st))
			continue;
		rule = revoke_of(d, st, subj, n);
		if (rule >= 0) {
			got = readlink(link, path, len - 1);
			path[got > 0 ? got : 0] = '\0';
		}
	}
	if (fds)
		closedir(fds);
	return rule;
}

static void emit_kill(struct daemon *d, const struct proc *p, pid_t pid, int rule,
		      const char *path, const struct stat *st, const char *reason)
{
	char label[256];
	struct record r;

	record_init(&r, "kill");
	record_str(&r, "verdict", "deny");
	record_str(&r, "rule", rule_label(&d->policy, rule, label, sizeof(label)));
	put_file(&r, path, false, st->st_dev, st->st_ino);
	if (p)
		put_proc(&r, p);
	else
		record_i64(&r, "pid", pid);
	record_str(&r, "reason", reason);
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
}

void revoke_end_access(struct daemon *d)
{
	bool held = enforcer_misses_new_mmap(&d->enforcer, d->watch);
	const char *reason;
	struct subject *subj;
	char path[PATH_MAX];
	struct dirent *de;
	struct proc *p;
	struct stat st;
	DIR *proc;
	pid_t pid;
	size_t n;
	int rule;

	if (!policy_revokes(&d->policy))
		return;
	proc = opendir("/proc");
	while (proc && (de = readdir(proc))) {
		pid = atoi(de->d_name);
		if (pid <= 0 || pid == getpid())
			continue;
		subj = NULL;
		n = proctab_threads(pid, &subj);
		reason = "mapped";
		rule = n ? revoked_mapping(d, pid, subj, n, &st, path, sizeof(path)) : -1;
		if (rule < 0 && n && held) {
			rule = revoked_descriptor(d, pid, subj, n, &st, path, sizeof(path));
			reason = "held";
		}
		free(subj);
		if (rule < 0)
			continue;
		p = proctab_get(pid);	/* for the record, before it is gone */
		if (!kill(pid, SIGKILL))
			emit_kill(d, p, pid, rule, path, &st, reason);
	}
	if (proc)
		closedir(proc);
}
