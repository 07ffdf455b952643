// SPDX-License-Identifier: GPL-2.0
/* What the running kernel offers BPF programs to attach to (ksyms.h). */
#include <stdio.h>
#include <string.h>
#include "ctl/daemon/ksyms.h"

void ksyms_find(const char *const *names, bool *there, size_t n)
{
	char line[256], sym[200];
	size_t i, left = n;
	FILE *f = fopen("/proc/kallsyms", "re");

	memset(there, 0, n * sizeof(*there));
	while (f && left && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %199s", sym) != 1)
			continue;
		for (i = 0; i < n; i++)
			if (!there[i] && !strcmp(sym, names[i])) {
				there[i] = true;
				left--;
			}
	}
	if (f)
		fclose(f);
}
