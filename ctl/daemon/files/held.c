// SPDX-License-Identifier: GPL-2.0
/*
 * With `reads trust`, reads are not checked: except on the descriptors of
 * protected files that the policy now denies their holder (a revoke).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ctl/daemon/files/files.h"
#include "ctl/lib/decide.h"

/*
 * Would some thread of the process, as /proc shows them in subj[0..n), be
 * denied reads of a file under rule? A process none of whose threads could
 * be read is judged as an unknown one: fail closed.
 */
static bool holder_denied(const struct policy *p, int rule, const struct subject *subj, size_t n)
{
	size_t i;

	if (!n)
		return decide_unknown(p, rule).verdict == VERDICT_DENY;
	for (i = 0; i < n; i++)
		if (decide(p, rule, &subj[i]).verdict == VERDICT_DENY)
			return true;
	return false;
}

/* Marks for read checks the protected files pid holds that p now denies it. */
static void check_holder(const struct policy *p, struct watch *w, const char *pid)
{
	struct subject *subj = NULL;
	char dir[64], link[320];
	bool known = false;
	struct dirent *de;
	struct stat st;
	size_t n = 0;
	DIR *fds;
	int rule;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	fds = opendir(dir);
	while (fds && (de = readdir(fds))) {
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(link, &st))
			continue;
		rule = watch_rule_of_inode(w, st.st_dev, st.st_ino);
		if (rule < 0)
			continue;
		if (!known) {	/* who it is, once, at its first protected file */
			n = proctab_threads(atoi(pid), &subj);
			known = true;
		}
		if (holder_denied(p, rule, subj, n))
			watch_check_reads(w, link);
	}
	if (fds)
		closedir(fds);
	free(subj);
}

/*
 * Every descriptor of a protected file, whoever holds it: descriptors
 * travel without an open that crmguardd would see (a child inherits them,
 * pidfd_getfd takes them, SCM_RIGHTS passes them), and one open file can
 * outlive the close that ended its process's entry. So /proc, not proctab.
 */
void held_check_reads(const struct policy *p, struct watch *w)
{
	struct dirent *de;
	DIR *proc;

	if (!watch_trusts_reads(w))
		return;
	proc = opendir("/proc");
	while (proc && (de = readdir(proc))) {
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9' && atoi(de->d_name) != getpid())
			check_holder(p, w, de->d_name);
	}
	if (proc)
		closedir(proc);
}
