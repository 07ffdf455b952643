// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ctl/lib/pathwalk.h"

/* Symlinks followed while looking up one path, as the kernel allows. */
#define MAX_HOPS 40

static void up(char *dir)
{
	char *slash = strrchr(dir, '/');

	slash[slash == dir] = 0;
}

static int join(char *out, const char *dir, const char *name)
{
	size_t n = snprintf(out, PATH_MAX, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);

	return n < PATH_MAX ? 0 : -ENAMETOOLONG;
}

int path_walk(const char *path, struct path_end *at)
{
	char todo[PATH_MAX], spliced[PATH_MAX], link[PATH_MAX], here[PATH_MAX];
	char *rest = todo, *name;
	int hops = 0, ret = 0;
	ssize_t n;
	bool last;

	strcpy(at->dir, "/");
	at->name[0] = 0;
	at->want[0] = 0;
	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
		return -ENAMETOOLONG;
	for (;;) {
		rest += strspn(rest, "/");
		name = rest;
		rest += strcspn(rest, "/");
		if (*rest)
			*rest++ = 0;
		rest += strspn(rest, "/");
		last = !*rest;
		if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
			if (!strcmp(name, ".."))
				up(at->dir);
			if (!last)
				continue;
			/* the path ends on the directory reached: name it in its parent */
			strcpy(at->want, at->dir);
			up(at->dir);
			snprintf(at->name, sizeof(at->name), "%s",
				 at->want + strlen(at->dir) + !!strcmp(at->dir, "/"));
			return stat(at->want, &at->st) ? -errno : 0;
		}
		snprintf(at->name, sizeof(at->name), "%s", name);
		if (strlen(name) > NAME_MAX) {
			ret = -ENAMETOOLONG;
			break;
		}
		ret = join(here, at->dir, name);
		if (ret || lstat(here, &at->st)) {
			ret = ret ?: -errno;
			break;
		}
		if (S_ISLNK(at->st.st_mode)) {
			n = ++hops > MAX_HOPS ? -1 : readlink(here, link, sizeof(link) - 1);
			if (n < 0) {
				ret = hops > MAX_HOPS ? -ELOOP : -errno;
				break;
			}
			link[n] = 0;
			if (snprintf(spliced, sizeof(spliced), "%s/%s", link, rest) >= (int)sizeof(spliced)) {
				ret = -ENAMETOOLONG;
				break;
			}
			strcpy(todo, spliced);
			rest = todo;
			if (link[0] == '/')
				strcpy(at->dir, "/");
			continue;
		}
		if (last) {
			strcpy(at->want, here);
			return 0;
		}
		if (!S_ISDIR(at->st.st_mode)) {
			ret = -ENOTDIR;
			break;
		}
		strcpy(at->dir, here);
	}
	/* Not there: the real path it would have. */
	if (join(at->want, at->dir, at->name) == 0 && *rest &&
	    strlen(at->want) + 1 + strlen(rest) < sizeof(at->want)) {
		strcat(at->want, "/");
		strcat(at->want, rest);
	}
	return ret;
}

bool path_beneath(const char *path, const char *above)
{
	size_t n = strlen(above);

	return !strncmp(path, above, n) && (!path[n] || path[n] == '/' || !strcmp(above, "/"));
}

