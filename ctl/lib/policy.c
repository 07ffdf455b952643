// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <pwd.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ctl/lib/kident.h"
#include "ctl/lib/policy.h"
#include "ctl/lib/utf8.h"

#define MAX_ARGS 4
/* usb allow VID:PID serial SERIAL readonly */
#define MAX_USB_ARGS 6

static const char *const keys[] = { "mode", "protect", "allow", "revoke", "reads", "heartbeat",
				     "taint", "clipboard", "usb" };

struct line_ctx {
	const char *file;
	int line;
	char *err;
	size_t errlen;
};

int policy_vfail(const char *file, int line, char *err, size_t errlen, const char *fmt, va_list ap)
{
	int n = snprintf(err, errlen, "%s:%d: ", file, line);

	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
	return -EINVAL;
}

static int fail(const struct line_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_vfail(c->file, c->line, c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

size_t policy_word_distance(const char *a, const char *b)
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
		if (argc == MAX_USB_ARGS)
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
		d = policy_word_distance(key, keys[i]);
		if (d < bestd)
			bestd = d, best = i;
	}
	if (bestd <= 2)
		return fail(c, "unknown key '%s' (did you mean '%s'?)", key, keys[best]);
	return fail(c, "unknown key '%s' (known keys: mode, protect, allow, revoke, reads, "
		    "heartbeat, taint, clipboard, usb)", key);
}

static int add_rule(struct policy *p, const struct line_ctx *c, enum rule_kind kind,
		    const char *arg, bool audit)
{
	struct policy_rule *r = realloc(p->rules, (p->nrules + 1) * sizeof(*r));

	if (!r)
		return fail(c, "out of memory");
	p->rules = r;
	r = &p->rules[p->nrules];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->audit = audit;
	r->arg = strdup(arg);
	r->file = strdup(c->file);
	r->line = c->line;
	if (!r->arg || !r->file) {
		free(r->arg);
		free(r->file);
		return fail(c, "out of memory");
	}
	p->nrules++;
	return 0;
}

/* mode audit | mode enforce | mode enforce locked (until reboot); set once. */
static int parse_mode(struct policy *p, const struct line_ctx *c, int argc, char **argv)
{
	if (argc != 2 && argc != 3)
		return fail(c, "mode takes one word, or two: mode audit, mode enforce, or mode "
			    "enforce locked");
	if (!strcmp(argv[1], "audit"))
		p->mode = POLICY_AUDIT;
	else if (!strcmp(argv[1], "enforce"))
		p->mode = POLICY_ENFORCE;
	else
		return fail(c, "unknown mode '%s' (modes: audit, enforce)", argv[1]);
	if (argc == 3 && strcmp(argv[2], "locked"))
		return fail(c, "unknown word '%s' after mode %s (only 'locked': mode enforce locked)",
			    argv[2], argv[1]);
	if (argc == 3 && p->mode != POLICY_ENFORCE)
		return fail(c, "mode audit cannot be locked: a locked policy enforces (mode enforce "
			    "locked)");
	if (p->mode_line)
		return fail(c, "mode is set twice (first at %s:%d); keep one 'mode' line",
			    p->mode_file, p->mode_line);
	p->locked = argc == 3;
	p->mode_file = strdup(c->file);
	p->mode_line = c->line;
	return p->mode_file ? 0 : fail(c, "out of memory");
}

/* heartbeat SECONDS | heartbeat off; set once, like mode. */
static int parse_heartbeat(struct policy *p, const struct line_ctx *c, int argc, char **argv)
{
	unsigned long n = 0;
	const char *s;

	if (argc != 2)
		return fail(c, "heartbeat takes one word: seconds from 1 to %d, or off (for example: heartbeat 60)",
			    POLICY_HEARTBEAT_MAX);
	if (strcmp(argv[1], "off")) {
		for (s = argv[1]; *s >= '0' && *s <= '9' && n <= POLICY_HEARTBEAT_MAX; s++)
			n = n * 10 + (*s - '0');
		if (*s || s == argv[1] || !n || n > POLICY_HEARTBEAT_MAX)
			return fail(c, "heartbeat '%s' is not seconds from 1 to %d, or off (for example: heartbeat 60)",
				    argv[1], POLICY_HEARTBEAT_MAX);
	}
	if (p->heartbeat_line)
		return fail(c, "heartbeat is set twice (first at %s:%d); keep one 'heartbeat' line",
			    p->heartbeat_file, p->heartbeat_line);
	p->heartbeat = n;
	p->heartbeat_file = strdup(c->file);
	p->heartbeat_line = c->line;
	return p->heartbeat_file ? 0 : fail(c, "out of memory");
}

/*
 * protect PATH [audit]
 * allow exe PATH | allow user NAME|UID
 * revoke user NAME|UID [audit]
 */
static int parse_line(struct policy *p, const struct line_ctx *c, char *s)
{
	char *words[MAX_USB_ARGS], **argv = words;
	enum rule_kind kind;
	const char *what;
	bool audit;
	int argc, want;

	argc = split(c, s, words);
	if (argc <= 0)
		return argc;
	if (!strcmp(argv[0], "usb"))
		return policy_usb_parse(&p->usb, c->file, c->line, argc, argv, c->err, c->errlen);
	if (argc > MAX_ARGS)
		return fail(c, "too many words (quote a path with spaces: protect \"/srv/crm data\")");
	if (!strcmp(argv[0], "mode"))
		return parse_mode(p, c, argc, argv);
	if (!strcmp(argv[0], "heartbeat"))
		return parse_heartbeat(p, c, argc, argv);
	if (!strcmp(argv[0], "reads")) {
		if (argc != 2 || (strcmp(argv[1], "check") && strcmp(argv[1], "trust")))
			return fail(c, "reads takes one word: reads check, or reads trust");
		p->reads_check = !strcmp(argv[1], "check");
		return 0;
	}
	if (!strcmp(argv[0], "taint") || !strcmp(argv[0], "clipboard"))
		return policy_taint_parse(&p->taint, c->file, c->line, argc, argv, c->err, c->errlen);
	if (!strcmp(argv[0], "protect")) {
		kind = RULE_PROTECT, what = "protect", want = 2;
	} else if (!strcmp(argv[0], "allow") || !strcmp(argv[0], "revoke")) {
		bool allow = argv[0][0] == 'a';

		if (argc < 2 || (strcmp(argv[1], "user") && (!allow || strcmp(argv[1], "exe"))))
			return fail(c, allow ? "allow takes 'exe PATH' or 'user NAME' (for example: allow exe /usr/bin/crm)"
					     : "revoke takes 'user NAME' (for example: revoke user alice)");
		if (!allow)
			kind = RULE_REVOKE_USER, what = "revoke user";
		else if (argv[1][0] == 'e')
			kind = RULE_ALLOW_EXE, what = "allow exe";
		else
			kind = RULE_ALLOW_USER, what = "allow user";
		argc--, argv++;	/* now like protect: argv[1] is the path or user */
		want = 2;
	} else {
		return unknown_key(c, argv[0]);
	}
	audit = argc == want + 1 && !strcmp(argv[want], "audit");
	if (audit && (kind == RULE_ALLOW_EXE || kind == RULE_ALLOW_USER))
		return fail(c, "%s: 'audit' goes on protect and revoke rules only", what);
	static const char *const example[] = {
		[RULE_PROTECT] = "protect /var/lib/crm", [RULE_ALLOW_EXE] = "allow exe /usr/bin/crm",
		[RULE_ALLOW_USER] = "allow user crmbackup", [RULE_REVOKE_USER] = "revoke user alice",
	};
	bool is_path = kind == RULE_PROTECT || kind == RULE_ALLOW_EXE;
	bool takes_audit = kind == RULE_PROTECT || kind == RULE_REVOKE_USER;

	if (argc < want || !argv[1][0])
		return fail(c, "%s: missing %s (for example: %s)", what, is_path ? "path" : "user",
			    example[kind]);
	if (argc > want + audit)
		return fail(c, "%s takes one %s%s%s", what, is_path ? "path" : "user",
			    takes_audit ? " and an optional 'audit'" : "",
			    is_path ? " (quote a path with spaces: protect \"/srv/crm data\")" : "");
	if ((kind == RULE_PROTECT || kind == RULE_ALLOW_EXE) && argv[1][0] != '/')
		return fail(c, "%s: '%s' is not an absolute path", what, argv[1]);
	return add_rule(p, c, kind, argv[1], audit);
}

int policy_parse(struct policy *p, const char *file, const char *text, size_t len,
		 char *err, size_t errlen)
{
	struct line_ctx c = { file, 0, err, errlen };
	char buf[POLICY_LINE_MAX + 2];	/* a full line, its \r, and the NUL */
	size_t pos = 0, n, bad;
	const char *nl;
	int ret;

	while (pos < len) {
		c.line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = (nl ? (size_t)(nl - text) : len) - pos;
		if (n - (n && text[pos + n - 1] == '\r') > POLICY_LINE_MAX)
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
		ret = parse_line(p, &c, buf);
		if (ret)
			return ret;
		pos += n + 1;
	}
	return 0;
}

int policy_read_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
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
	char *text = NULL;
	size_t len = 0;
	int ret;

	ret = policy_read_file(path, &text, &len, err, errlen);
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
	if (!ret)
		ret = policy_resolve(p, err, errlen);
out:
	if (ret)
		policy_free(p);
	return ret;
}

void policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nrules; i++) {
		free(p->rules[i].arg);
		free(p->rules[i].file);
	}
	free(p->rules);
	free(p->mode_file);
	policy_taint_free(&p->taint);
	free(p->heartbeat_file);
	policy_usb_free(&p->usb);
	memset(p, 0, sizeof(*p));
}

const char *policy_mode_name(enum policy_mode m)
{
	return m == POLICY_ENFORCE ? "enforce" : "audit";
}

const char *policy_kind_name(enum rule_kind k)
{
	static const char *const names[] = {
		[RULE_PROTECT] = "protect", [RULE_ALLOW_EXE] = "allow exe",
		[RULE_ALLOW_USER] = "allow user", [RULE_REVOKE_USER] = "revoke user",
	};

	return names[k];
}

const char *policy_missing_text(const struct policy_rule *r, int why, char *buf, size_t len)
{
	bool exe = r->kind == RULE_ALLOW_EXE;
	const char *reason = why != POLICY_EWRONGTYPE ? strerror(why) :
			     exe ? "not an executable file" : "not a regular file or directory";

	snprintf(buf, len, "%s:%d: %s %s: %s; %s", r->file, r->line, policy_kind_name(r->kind),
		 r->arg, reason, exe ? "it allows nothing until a reload finds the binary there" :
		 "it is watched for, and protected as soon as it is there");
	return buf;
}

/* Programs that run whatever script they are given. */
static bool is_interpreter(const char *path)
{
	static const char *const names[] = {
		"python", "perl", "ruby", "node", "nodejs", "php", "java", "lua", "tclsh", "wish",
		"Rscript", "R", "bash", "sh", "dash", "zsh", "ksh", "mksh", "fish", "csh", "tcsh",
		"busybox", "env", "awk", "gawk", "mawk", "pwsh",
	};
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		/* python3, python3.11, perl5.36, php8.2, lua5.4 ... */
		if (!strncmp(base, names[i], n) && strspn(base + n, "0123456789.") == strlen(base + n))
			return true;
	}
	return false;
}

static int resolve_user(struct policy_rule *r, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[4096], *end;
	unsigned long uid;

	uid = strtoul(r->arg, &end, 10);
	if (r->arg[0] >= '0' && r->arg[0] <= '9' && !*end && uid < (uid_t)-1) {
		r->uid = uid;
		return 0;
	}
	if (getpwnam_r(r->arg, &pw, buf, sizeof(buf), &res) == 0 && res) {
		r->uid = pw.pw_uid;
		return 0;
	}
	snprintf(err, errlen, "%s:%d: %s %s: no such user (for an account that is gone, "
		 "write its numeric uid)", r->file, r->line, policy_kind_name(r->kind), r->arg);
	return -ENOENT;
}

/*
 * By inode: a copy of the binary elsewhere is not it; a link to it is.
 * A binary that is not there now allows nothing, and is no error: a
 * revoke must not wait for a CRM to be reinstalled.
 */
static void resolve_exe(struct policy_rule *r)
{
	char real[PATH_MAX];
	struct stat st;

	if (stat(r->arg, &st))
		r->missing = errno;
	else if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		r->missing = POLICY_EWRONGTYPE;
	if (r->missing) {
		/* stat() gives no such device number (12 + 20 bits): no binary matches */
		r->dev = (dev_t)-1;
		r->ino = 0;
		r->mnt_id = -r->missing;
		return;
	}
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->mnt_id = kident_mount_id(AT_FDCWD, r->arg, 0);
	/* Judge the binary itself, not a link with a harmless name. */
	r->interpreter = is_interpreter(realpath(r->arg, real) ? real : r->arg);
}

int policy_resolve(struct policy *p, char *err, size_t errlen)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < p->nrules && !ret; i++) {
		if (p->rules[i].kind == RULE_ALLOW_EXE)
			resolve_exe(&p->rules[i]);
		else if (p->rules[i].kind != RULE_PROTECT)
			ret = resolve_user(&p->rules[i], err, errlen);
	}
	return ret;
}
