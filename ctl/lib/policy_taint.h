/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy keys that follow protected data out of the CRM:
 *
 *	taint files yes			# a file a tainted process writes is protected
 *	taint exclude /var/log/crm	# ... except beneath this path
 *	clipboard block			# or audit (the default): tainted data to the
 *					# display server or a clipboard tool
 *	clipboard allow exe /usr/bin/crm-gui	# keeps its display connection
 */
#ifndef CRMGUARD_POLICY_TAINT_H
#define CRMGUARD_POLICY_TAINT_H

#include <stdbool.h>
#include <stddef.h>

enum clipboard_mode { CLIPBOARD_AUDIT, CLIPBOARD_BLOCK };

struct policy_taint {
	bool files;			/* taint files yes */
	int files_line;			/* where it was set; 0: default no */
	enum clipboard_mode clipboard;
	int clipboard_line;		/* where it was set; 0: default audit */
	char *set_file[2];		/* the files of files_line, clipboard_line */
	char **exclude;			/* taint exclude PATH, as written */
	size_t nexclude;
	char **clip_allow;		/* clipboard allow exe PATH, as written */
	size_t nclip_allow;
};

/*
 * One `taint ...` or `clipboard ...` line, split into argv, into t. On
 * error: -EINVAL and "FILE:LINE: why" in err.
 */
int policy_taint_parse(struct policy_taint *t, const char *file, int line, int argc,
		       char **argv, char *err, size_t errlen);
void policy_taint_free(struct policy_taint *t);
const char *clipboard_mode_name(enum clipboard_mode m);
/* Is path taint-excluded (equal to or beneath an exclude PATH)? */
bool policy_taint_excluded(const struct policy_taint *t, const char *path);

#endif
