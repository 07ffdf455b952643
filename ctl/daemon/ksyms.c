// SPDX-License-Identifier: GPL-2.0
/* What the running kernel offers BPF programs to attach to (ksyms.h). */
#include <stdio.h>
#include <string.h>
#include "ctl/daemon/ksyms.h"

bool ksym_there(const char *name)
{
	char line[256], sym[200];
	bool there = false;
	FILE *f = fopen("/proc/kallsyms", "re");

	while (f && !there && fgets(line, sizeof(line), f))
		there = sscanf(line, "%*s %*s %199s", sym) == 1 && !strcmp(sym, name);
	if (f)
		fclose(f);
	return there;
}
