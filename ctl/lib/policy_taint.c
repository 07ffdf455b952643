// SPDX-License-Identifier: GPL-2.0
/* The taint and clipboard keys of the policy (policy_taint.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl/lib/policy_taint.h"

static int fail(const char *file, int line, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s:%d: ", file, line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int add_path(char ***list, size_t *n, const char *path)
{
	char **l = realloc(*list, (*n + 1) * sizeof(*l));

	if (!l)
		return -ENOMEM;
	*list = l;
	l[*n] = strdup(path);
	if (!l[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* A once-only setting: remembers where it was set, refuses it a second time. */
static int set_once(struct policy_taint *t, int which, int *at, const char *key,
		    const char *file, int line, char *err, size_t errlen)
{
	if (*at)
		return fail(file, line, err, errlen, "%s is set twice (first at %s:%d); keep one "
			    "'%s' line", key, t->set_file[which], *at, key);
	free(t->set_file[which]);
	t->set_file[which] = strdup(file);
	if (!t->set_file[which])
		return fail(file, line, err, errlen, "out of memory");
	*at = line;
	return 0;
}

static int path_arg(const char *what, const char *example, int argc, int want, char **argv,
		    const char *file, int line, char *err, size_t errlen)
{
	if (argc < want || !argv[want - 1][0])
		return fail(file, line, err, errlen, "%s: missing path (for example: %s)", what, example);
	if (argc > want)
		return fail(file, line, err, errlen, "%s takes one path (quote a path with spaces: "
			    "%s \"/srv/crm data\")", what, what);
	if (argv[want - 1][0] != '/')
		return fail(file, line, err, errlen, "%s: '%s' is not an absolute path", what,
			    argv[want - 1]);
	return 0;
}

/* taint files yes|no, taint exclude PATH */
static int parse_taint(struct policy_taint *t, const char *file, int line, int argc,
		       char **argv, char *err, size_t errlen)
{
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "files")) {
		if (argc != 3 || (strcmp(argv[2], "yes") && strcmp(argv[2], "no")))
			return fail(file, line, err, errlen, "taint files takes one word: "
				    "taint files yes, or taint files no");
		ret = set_once(t, 0, &t->files_line, "taint files", file, line, err, errlen);
		if (!ret)
			t->files = !strcmp(argv[2], "yes");
		return ret;
	}
	if (argc >= 2 && !strcmp(argv[1], "exclude")) {
		ret = path_arg("taint exclude", "taint exclude /var/log/crm", argc, 3, argv,
			       file, line, err, errlen);
		if (!ret && add_path(&t->exclude, &t->nexclude, argv[2]))
			ret = fail(file, line, err, errlen, "out of memory");
		return ret;
	}
	return fail(file, line, err, errlen, "taint takes 'files yes|no' or 'exclude PATH' "
		    "(for example: taint files yes)");
}

/* clipboard audit|block, clipboard allow exe PATH */
static int parse_clipboard(struct policy_taint *t, const char *file, int line, int argc,
			   char **argv, char *err, size_t errlen)
{
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "allow")) {
		if (argc < 3 || strcmp(argv[2], "exe"))
			return fail(file, line, err, errlen, "clipboard allow takes 'exe PATH' "
				    "(for example: clipboard allow exe /usr/bin/crm-gui)");
		ret = path_arg("clipboard allow exe", "clipboard allow exe /usr/bin/crm-gui",
			       argc, 4, argv, file, line, err, errlen);
		if (!ret && add_path(&t->clip_allow, &t->nclip_allow, argv[3]))
			ret = fail(file, line, err, errlen, "out of memory");
		return ret;
	}
	if (argc != 2 || (strcmp(argv[1], "audit") && strcmp(argv[1], "block")))
		return fail(file, line, err, errlen, "clipboard takes 'audit', 'block' or "
			    "'allow exe PATH' (for example: clipboard block)");
	ret = set_once(t, 1, &t->clipboard_line, "clipboard", file, line, err, errlen);
	if (!ret)
		t->clipboard = !strcmp(argv[1], "block") ? CLIPBOARD_BLOCK : CLIPBOARD_AUDIT;
	return ret;
}

int policy_taint_parse(struct policy_taint *t, const char *file, int line, int argc,
		       char **argv, char *err, size_t errlen)
{
	if (!strcmp(argv[0], "taint"))
		return parse_taint(t, file, line, argc, argv, err, errlen);
	return parse_clipboard(t, file, line, argc, argv, err, errlen);
}

void policy_taint_free(struct policy_taint *t)
{
	size_t i;

	for (i = 0; i < t->nexclude; i++)
		free(t->exclude[i]);
	for (i = 0; i < t->nclip_allow; i++)
		free(t->clip_allow[i]);
	free(t->exclude);
	free(t->clip_allow);
	free(t->set_file[0]);
	free(t->set_file[1]);
	memset(t, 0, sizeof(*t));
}

const char *clipboard_mode_name(enum clipboard_mode m)
{
	return m == CLIPBOARD_BLOCK ? "block" : "audit";
}

bool policy_taint_excluded(const struct policy_taint *t, const char *path)
{
	size_t i, n;

	for (i = 0; i < t->nexclude; i++) {
		n = strlen(t->exclude[i]);
		while (n > 1 && t->exclude[i][n - 1] == '/')
			n--;
		if (!strncmp(path, t->exclude[i], n) &&
		    (path[n] == '/' || !path[n] || (n == 1 && path[0] == '/')))
			return true;
	}
	return false;
}
