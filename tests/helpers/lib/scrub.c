// SPDX-License-Identifier: GPL-2.0
/*
 * An injected library that covers its tracks: loaded through LD_PRELOAD,
 * it overwrites the names of the loader variables in the process's own
 * environment block before main() runs, so that /proc/PID/environ, and
 * anything else that reads the environment later, shows none. The tests
 * check that an allowed binary it was injected into is still refused.
 */
#include <string.h>

extern char **environ;

__attribute__((constructor)) static void scrub(void)
{
	static const char *const names[] = { "LD_PRELOAD=", "LD_AUDIT=", "LD_LIBRARY_PATH=" };
	char **e;
	size_t i;

	for (e = environ; *e; e++)
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strncmp(*e, names[i], strlen(names[i])))
				memset(*e, 'X', strlen(names[i]) - 1);
}
