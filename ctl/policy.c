// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ctl/policy.h"
#include "ctl/utf8.h"

#define MAX_ARGS 4

static const char *const keys[] = { "mode", "protect" };

struct line_ctx {
	const char *file;
	int line;
	char *err;
	size_t errlen;
};

static int fail(const struct line_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s:%d: ", c->file, c->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, tmp;
	size_t row[32];

	if (la >= 32 || lb >= 32)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

/*
 * Splits one line into words in place. A word is bare or "quoted" with
 * \" and \\ escapes. Returns the number of words or a negative error.
 */
static int split(const struct line_ctx *c, char *s, char **argv)
{
	int argc = 0;
	char *out;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			return argc;
		if (argc == MAX_ARGS)
			return fail(c, "too many words (quote a path with spaces: protect \"/srv/crm data\")");
		argv[argc++] = out = s;
		if (*s != '"') {
			while (*s && *s != ' ' && *s != '\t')
				s++;
			if (*s)
				*s++ = 0;
			continue;
		}
		for (s++; *s != '"'; s++) {
			if (!*s)
				return fail(c, "unterminated quote; end the value with \"");
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			*out++ = *s;
		}
		*out = 0;
		s++;
		if (*s && *s != ' ' && *s != '\t')
			return fail(c, "text right after a closing quote; put a space between words");
	}
}

static int unknown_key(const struct line_ctx *c, const char *key)
{
	size_t i, best = 0, d, bestd = 99;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		d = edit_distance(key, keys[i]);
		if (d < bestd)
			bestd = d, best = i;
	}
	if (bestd <= 2)
		return fail(c, "unknown key '%s' (did you mean '%s'?)", key, keys[best]);
	return fail(c, "unknown key '%s' (known keys: mode, protect)", key);
}

static int parse_line(struct policy *p, const struct line_ctx *c, char *s, bool *mode_seen)
{
	char *argv[MAX_ARGS];
	struct policy_rule *r;
	int argc;

	argc = split(c, s, argv);
	if (argc <= 0)
		return argc;
	if (!strcmp(argv[0], "mode")) {
		if (argc != 2)
			return fail(c, "mode takes one word: mode audit");
		if (strcmp(argv[1], "audit"))
			return fail(c, "unknown mode '%s' (this version has: audit)", argv[1]);
		if (*mode_seen)
			return fail(c, "mode is set twice; keep one 'mode' line");
		*mode_seen = true;
		p->mode = POLICY_AUDIT;
		return 0;
	}
	if (strcmp(argv[0], "protect"))
		return unknown_key(c, argv[0]);
	if (argc < 2 || !argv[1][0])
		return fail(c, "protect: missing path (for example: protect /var/lib/crm)");
	if (argc > 2)
		return fail(c, "protect takes one path (quote a path with spaces: protect \"/srv/crm data\")");
	if (argv[1][0] != '/')
		return fail(c, "protect: '%s' is not an absolute path", argv[1]);
	r = realloc(p->rules, (p->nrules + 1) * sizeof(*r));
	if (!r)
		return fail(c, "out of memory");
	p->rules = r;
	r = &p->rules[p->nrules];
	r->path = strdup(argv[1]);
	r->file = strdup(c->file);
	r->line = c->line;
	if (!r->path || !r->file) {
		free(r->path);
		free(r->file);
		return fail(c, "out of memory");
	}
	p->nrules++;
	return 0;
}

int policy_parse(struct policy *p, const char *file, const char *text, size_t len,
		 char *err, size_t errlen)
{
	struct line_ctx c = { file, 0, err, errlen };
	char buf[POLICY_LINE_MAX + 1];
	bool mode_seen = false;
	size_t pos = 0, n, bad;
	const char *nl;
	int ret;

	while (pos < len) {
		c.line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = (nl ? (size_t)(nl - text) : len) - pos;
		if (n > POLICY_LINE_MAX)
			return fail(&c, "line is longer than %d bytes", POLICY_LINE_MAX);
		if (memchr(text + pos, 0, n))
			return fail(&c, "NUL byte in line; is this a text file?");
		bad = utf8_invalid_at(text + pos, n);
		if (bad < n)
			return fail(&c, "byte 0x%02x at column %zu is not UTF-8; save the file as UTF-8",
				    (unsigned char)text[pos + bad], bad + 1);
		memcpy(buf, text + pos, n);
		buf[n] = 0;
		if (n && buf[n - 1] == '\r')
			buf[n - 1] = 0;
		ret = parse_line(p, &c, buf, &mode_seen);
		if (ret)
			return ret;
		pos += n + 1;
	}
	return 0;
}

static int read_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		ret = -EINVAL;
		goto out;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	n = read(fd, buf, st.st_size);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ret = -errno;
		goto out;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

static int parse_file(struct policy *p, const char *path, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int ret;

	ret = read_file(path, &text, &len, err, errlen);
	if (ret)
		return ret;
	ret = policy_parse(p, path, text, len, err, errlen);
	free(text);
	return ret;
}

static int conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".conf");
}

int policy_load(struct policy *p, const char *path, const char *text, size_t len,
		char *err, size_t errlen)
{
	struct dirent **names = NULL;
	char dir[4096], file[4096 + 256];
	int i, n, ret;

	memset(p, 0, sizeof(*p));
	if (text)
		ret = policy_parse(p, path, text, len, err, errlen);
	else
		ret = parse_file(p, path, err, errlen);
	if (ret)
		goto out;
	snprintf(dir, sizeof(dir), "%.*s/policy.d",
		 (int)(strrchr(path, '/') ? strrchr(path, '/') - path : 1),
		 strrchr(path, '/') ? path : ".");
	n = scandir(dir, &names, conf_filter, alphasort);
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", dir, names[i]->d_name);
		if (!ret)
			ret = parse_file(p, file, err, errlen);
		free(names[i]);
	}
	free(names);
out:
	if (ret)
		policy_free(p);
	return ret;
}

void policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nrules; i++) {
		free(p->rules[i].path);
		free(p->rules[i].file);
	}
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

const char *policy_mode_name(enum policy_mode m)
{
	return m == POLICY_AUDIT ? "audit" : "?";
}

/* Appends `protect target` to text, quoted when it is not one bare word. */
static int append_protect(char **text, size_t *len, const char *target)
{
	size_t need = strlen(target) * 2 + 16;
	char *s = realloc(*text, *len + need), *o;
	const char *t;
	bool quote = strpbrk(target, " \t\"\\#") != NULL;

	if (!s)
		return -ENOMEM;
	*text = s;
	o = s + *len;
	if (*len && s[*len - 1] != '\n')
		*o++ = '\n';
	o += sprintf(o, "protect %s", quote ? "\"" : "");
	for (t = target; *t; t++) {
		if (quote && (*t == '"' || *t == '\\'))
			*o++ = '\\';
		*o++ = *t;
	}
	o += sprintf(o, "%s\n", quote ? "\"" : "");
	*len = o - s;
	return 0;
}

/* Removes every line whose rule is `protect target`; counts them in *removed. */
static void drop_protect(char *text, size_t *len, const char *target, int *removed)
{
	struct policy one;
	char scratch[POLICY_ERR_MAX];
	size_t pos = 0, n;
	char *nl;

	while (pos < *len) {
		nl = memchr(text + pos, '\n', *len - pos);
		n = (nl ? (size_t)(nl - text) + 1 : *len) - pos;
		memset(&one, 0, sizeof(one));
		if (!policy_parse(&one, "", text + pos, n, scratch, sizeof(scratch)) &&
		    one.nrules == 1 && !strcmp(one.rules[0].path, target)) {
			memmove(text + pos, text + pos + n, *len - pos - n);
			*len -= n;
			(*removed)++;
		} else {
			pos += n;
		}
		policy_free(&one);
	}
}

int policy_write(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	char tmp[4096 + 16];
	struct stat st;
	int fd, saved;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	if (!stat(path, &st))
		fchmod(fd, st.st_mode & 07777);
	if (write(fd, text, len) != (ssize_t)len || fsync(fd))
		goto fail;
	saved = close(fd);
	fd = -1;
	if (saved || rename(tmp, path))
		goto fail;
	return 0;
fail:
	saved = errno;
	snprintf(err, errlen, "%s: cannot write: %s", path, strerror(saved));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -EIO;
}

int policy_edit_protect(const char *path, const char *target, bool add,
			char **text, size_t *len, char *err, size_t errlen)
{
	struct policy check = { 0 };
	int ret, removed = 0;

	for (const char *c = target; *c; c++) {
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f) {
			snprintf(err, errlen, "'%s' has a control character (a newline...): "
				 "rename it before protecting it", target);
			return -EINVAL;
		}
	}
	ret = read_file(path, text, len, err, errlen);
	if (ret)
		return ret;
	drop_protect(*text, len, target, &removed);
	if (!add && !removed) {
		snprintf(err, errlen, "%s: no 'protect %s' line to remove", path, target);
		ret = -ENOENT;
		goto out;
	}
	if (add) {
		ret = append_protect(text, len, target);
		if (ret)
			goto out;
	}
	ret = policy_parse(&check, path, *text, *len, err, errlen);
	policy_free(&check);
out:
	if (ret) {
		free(*text);
		*text = NULL;
	}
	return ret;
}
