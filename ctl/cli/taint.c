// SPDX-License-Identifier: GPL-2.0
/* ctlx taint: what crmguardd follows of protected data (ctl/daemon/taint/). */
#include <string.h>
#include "ctl/cli/taint.h"

const char taint_args[] = "list";
const char taint_help[] = "tainted processes (pid, exe, source, since) and the channels "
			  "that carry protected data";

bool taint_args_fit(int n, char **w)
{
	return n == 1 && !strcmp(w[0], "list");
}
