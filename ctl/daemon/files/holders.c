// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctl/daemon/files/holders.h"

/* Files of one process already handed on: each file once per way. */
#define SEEN_MAX 64

struct seen {
	dev_t dev[SEEN_MAX];
	ino_t ino[SEEN_MAX];
	size_t n;
};

/* Adds st to s; false if it was there. Past SEEN_MAX, a file may come twice. */
static bool first_time(struct seen *s, const struct stat *st)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
			return false;
	if (s->n < SEEN_MAX) {
		s->dev[s->n] = st->st_dev;
		s->ino[s->n++] = st->st_ino;
	}
	return true;
}

/* h->link names a file of h->pid: hands it to fn if a protect rule covers it. */
static bool offer(const struct watch *w, struct holding *h, struct seen *s,
		  holding_fn *fn, void *ctx)
{
	if (stat(h->link, &h->st))
		return true;
	h->rule = watch_rule_of_inode(w, h->st.st_dev, h->st.st_ino);
	if (h->rule < 0 || !first_time(s, &h->st))
		return true;
	return fn(ctx, h);
}

static bool walk_maps(const struct watch *w, struct holding *h, holding_fn *fn, void *ctx)
{
	char name[64], line[PATH_MAX + 128];
	unsigned long start, end, ino;
	struct seen s = { .n = 0 };
	bool go_on = true;
	FILE *f;
	int at;

	snprintf(name, sizeof(name), "/proc/%d/maps", h->pid);
	f = fopen(name, "re");
	while (f && go_on && fgets(line, sizeof(line), f)) {
		/* start-end perms offset dev inode path: files only */
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %n", &start, &end, &ino, &at) < 3 || !ino)
			continue;
		h->via = HELD_MAP;
		/* map_files: the file itself, as stat() sees it, wherever it is now */
		snprintf(h->link, sizeof(h->link), "/proc/%d/map_files/%lx-%lx", h->pid, start, end);
		snprintf(h->path, sizeof(h->path), "%.*s", (int)strcspn(line + at, "\n"), line + at);
		go_on = offer(w, h, &s, fn, ctx);
	}
	if (f)
		fclose(f);
	return go_on;
}

static void walk_fds(const struct watch *w, struct holding *h, holding_fn *fn, void *ctx)
{
	struct seen s = { .n = 0 };
	bool go_on = true;
	struct dirent *de;
	char dir[64];
	ssize_t got;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", h->pid);
	fds = opendir(dir);
	while (fds && go_on && (de = readdir(fds))) {
		if (de->d_name[0] == '.')
			continue;
		h->via = HELD_FD;
		snprintf(h->link, sizeof(h->link), "%s/%s", dir, de->d_name);
		got = readlink(h->link, h->path, sizeof(h->path) - 1);
		h->path[got > 0 ? got : 0] = '\0';
		go_on = offer(w, h, &s, fn, ctx);
	}
	if (fds)
		closedir(fds);
}

void holders_walk_pid(const struct watch *w, pid_t pid, holding_fn *fn, void *ctx)
{
	struct holding h = { .pid = pid };

	if (pid > 0 && pid != getpid() && walk_maps(w, &h, fn, ctx))
		walk_fds(w, &h, fn, ctx);
}

void holders_walk(const struct watch *w, holding_fn *fn, void *ctx)
{
	struct dirent *de;
	DIR *proc;

	proc = opendir("/proc");
	while (proc && (de = readdir(proc)))
		holders_walk_pid(w, atoi(de->d_name), fn, ctx);
	if (proc)
		closedir(proc);
}

const char *held_via_name(enum held_via via)
{
	return via == HELD_MAP ? "mmap" : "fd";
}
