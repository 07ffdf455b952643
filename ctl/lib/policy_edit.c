// SPDX-License-Identifier: GPL-2.0
/*
 * ctlx's changes to the policy file: a line added or the lines of a rule
 * taken out, the result parsed before it replaces the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ctl/lib/policy.h"

/* Appends words as one policy line, each quoted when it is not a bare word. */
static int append_line(char **text, size_t *len, const char *const *words, int n)
{
	size_t need = 2, i;
	char *s, *o;
	int w;

	for (w = 0; w < n; w++)
		need += strlen(words[w]) * 2 + 3;
	s = realloc(*text, *len + need);
	if (!s)
		return -ENOMEM;
	*text = s;
	o = s + *len;
	if (*len && s[*len - 1] != '\n')
		*o++ = '\n';
	for (w = 0; w < n; w++) {
		bool quote = !words[w][0] || strpbrk(words[w], " \t\"\\#");

		if (w)
			*o++ = ' ';
		if (quote)
			*o++ = '"';
		for (i = 0; words[w][i]; i++) {
			if (quote && (words[w][i] == '"' || words[w][i] == '\\'))
				*o++ = '\\';
			*o++ = words[w][i];
		}
		if (quote)
			*o++ = '"';
	}
	*o++ = '\n';
	*len = o - s;
	return 0;
}

/* Does the one-line policy `one` state the same thing as `want`, audit flag aside? */
static bool same_rule(const struct policy *one, const struct policy *want)
{
	if (want->usb.managed)
		return one->usb.managed && policy_usb_same(&one->usb, &want->usb);
	if (!want->mode_line && !want->nrules)
		return false;
	if (want->mode_line)
		return one->mode_line != 0;
	return one->nrules == 1 && want->nrules == 1 && one->rules[0].kind == want->rules[0].kind &&
	       !strcmp(one->rules[0].arg, want->rules[0].arg);
}

/* Removes every line that states what want states; counts them in *removed. */
static void drop_lines(char *text, size_t *len, const struct policy *want, int *removed)
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
		    same_rule(&one, want)) {
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
	errno = EIO;	/* a short write sets none */
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

int policy_edit(const char *path, const char *const *words, int n, bool add,
		char **text, size_t *len, char *err, size_t errlen)
{
	struct policy want = { 0 }, check = { 0 };
	char line[POLICY_LINE_MAX + 1], scratch[POLICY_ERR_MAX];
	size_t llen = 0;
	int ret, removed = 0, w;
	char *shown = NULL;

	*text = NULL;
	for (w = 0; w < n; w++) {
		for (const char *c = words[w]; *c; c++) {
			if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f) {
				snprintf(err, errlen, "'%.200s' has a control character (such as a newline); "
					 "crmguard cannot name it in a policy", words[w]);
				for (char *e = err; *e; e++)
					if ((unsigned char)*e < 0x20)
						*e = '?';
				return -EINVAL;
			}
		}
	}
	ret = append_line(&shown, &llen, words, n);
	if (ret)
		return ret;
	snprintf(line, sizeof(line), "%.*s", (int)llen - 1, shown);
	/* A rule that does not parse matches no line; the whole file says why below. */
	policy_parse(&want, path, shown, llen, scratch, sizeof(scratch));
	free(shown);
	ret = policy_read_file(path, text, len, err, errlen);
	if (ret)
		goto out;
	drop_lines(*text, len, &want, &removed);
	if (!add && !removed) {
		snprintf(err, errlen, "%s: no '%s' line to remove", path, line);
		ret = -ENOENT;
		goto out;
	}
	if (add) {
		ret = append_line(text, len, words, n);
		if (ret)
			goto out;
	}
	ret = policy_parse(&check, path, *text, *len, err, errlen);
out:
	policy_free(&check);
	policy_free(&want);
	if (ret) {
		free(*text);
		*text = NULL;
	}
	return ret;
}
