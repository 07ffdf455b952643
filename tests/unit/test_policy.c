// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/lib/policy.c: policy_parse (good and bad files, exact
 * error messages; mode, protect [audit], allow exe/user, revoke user
 * [audit]), policy_resolve (binaries and users, on this system),
 * policy_load (policy.d/ beside the file), and policy_edit + policy_write
 * on temporary files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "ctl/lib/policy.h"
#include "assert.h"

#define FILE_NAME "pol.conf"
#include "policy_parse.h"

/* Short enough that every path built under it fits its buffer. */
#define DIR_LEN 512
#define PATH_LEN 768
static char tmpdir[256];

/* The `protect target` edit that ctlx protect add|del makes. */
static int edit_protect(const char *path, const char *target, bool add,
			char **text, size_t *len, char *err, size_t errlen)
{
	const char *words[2] = { "protect", target };

	return policy_edit(path, words, 2, add, text, len, err, errlen);
}

/* ---- helpers ---------------------------------------------------------- */

static void path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

static int write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

#define WRITE_LIT(path, lit) write_file(path, lit, sizeof(lit) - 1)

/* The whole file, NUL-terminated, in a malloc()ed buffer; NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(1 << 20);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* A fresh directory under tmpdir for one test. */
static void fresh_dir(char *out, size_t n, const char *name)
{
	path_in(out, n, name);
	mkdir(out, 0755);
}

static void rm_rf(const char *path)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", path);
}

/* ---- policy_parse: good files ------------------------------------------ */

static void parse_comments_blank_crlf(void)
{
	static const char text[] =
		"# crmguard policy\n"
		"\n"
		"mode audit\r\n"
		"   # indented comment\r\n"
		"\r\n"
		"protect /var/lib/crm   # trailing comment\r\n"
		"\t protect\t/srv/crm\t\n"
		"protect /x\r\n";
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, text, err), 0);
	ASSERT_STREQ(err, "");
	ASSERT_EQ(p.mode, POLICY_AUDIT);
	ASSERT_EQ(p.nrules, 3);
	ASSERT_STREQ(p.rules[0].arg, "/var/lib/crm");
	ASSERT_STREQ(p.rules[0].file, FILE_NAME);
	ASSERT_EQ(p.rules[0].line, 6);
	ASSERT_STREQ(p.rules[1].arg, "/srv/crm");
	ASSERT_EQ(p.rules[1].line, 7);
	/* the \r of a CRLF line is not part of the path */
	ASSERT_STREQ(p.rules[2].arg, "/x");
	ASSERT_EQ(p.rules[2].line, 8);
	ASSERT_STREQ(policy_mode_name(p.mode), "audit");
	policy_free(&p);
	ASSERT_EQ(p.nrules, 0);
	ASSERT_TRUE(p.rules == NULL);
}

static void parse_quoted_paths(void)
{
	static const char text[] =
		"protect \"/srv/crm data/clients.db\"\n"
		"protect \"/a \\\"quoted\\\" name\"\n"	/* "/a \"quoted\" name" */
		"protect \"/back\\\\slash\"\n"		/* "/back\\slash" */
		"protect \"/other\\escape\"\n"		/* "/other\escape": kept */
		"protect \"/hash # not a comment\"   # a comment\n"
		"protect \"/crlf quoted\"\r\n"
		"protect \"/tab\there\"\n"
		"  protect   \"/x\"\n";
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, text, err), 0);
	ASSERT_EQ(p.nrules, 8);
	ASSERT_STREQ(p.rules[0].arg, "/srv/crm data/clients.db");
	ASSERT_STREQ(p.rules[1].arg, "/a \"quoted\" name");
	ASSERT_STREQ(p.rules[2].arg, "/back\\slash");
	ASSERT_STREQ(p.rules[3].arg, "/other\\escape");
	ASSERT_STREQ(p.rules[4].arg, "/hash # not a comment");
	ASSERT_STREQ(p.rules[5].arg, "/crlf quoted");
	ASSERT_STREQ(p.rules[6].arg, "/tab\there");
	ASSERT_STREQ(p.rules[7].arg, "/x");
	for (size_t i = 0; i < p.nrules; i++) {
		ASSERT_EQ(p.rules[i].line, (long long)i + 1);
		ASSERT_STREQ(p.rules[i].file, FILE_NAME);
	}
	policy_free(&p);
}

static void parse_several_protect_no_final_newline(void)
{
	static const char text[] = "protect /a\nprotect /b\n\nprotect /c/d e/../f\nmode audit\nprotect /last";
	struct policy p;
	char err[POLICY_ERR_MAX];

	/* an unquoted path with a space is two words: an error on that line */
	ASSERT_EQ(PARSE(&p, text, err), -EINVAL);
	ASSERT_STREQ(err, FILE_NAME ":4: protect takes one path and an optional 'audit' (quote a path with spaces: protect \"/srv/crm data\")");
	policy_free(&p);

	static const char good[] = "protect /a\nprotect /b\n\nprotect /c\nmode audit\nprotect /last";
	ASSERT_EQ(PARSE(&p, good, err), 0);
	ASSERT_EQ(p.nrules, 4);
	ASSERT_STREQ(p.rules[0].arg, "/a");
	ASSERT_EQ(p.rules[0].line, 1);
	ASSERT_STREQ(p.rules[1].arg, "/b");
	ASSERT_EQ(p.rules[1].line, 2);
	ASSERT_STREQ(p.rules[2].arg, "/c");
	ASSERT_EQ(p.rules[2].line, 4);
	ASSERT_STREQ(p.rules[3].arg, "/last");
	ASSERT_EQ(p.rules[3].line, 6);
	policy_free(&p);
}

static void parse_empty_and_comment_only(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(parse(&p, "", 0, err), 0);
	ASSERT_EQ(p.nrules, 0);
	ASSERT_EQ(PARSE(&p, "# nothing\n\n   \n\t\n#protect /x\n", err), 0);
	ASSERT_EQ(p.nrules, 0);
	policy_free(&p);
}

static void parse_appends_and_mode_audit(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "mode audit\nprotect /one\n", err), 0);
	ASSERT_EQ(policy_parse(&p, "second.conf", "protect /two\n", 13, err, sizeof(err)), 0);
	ASSERT_EQ(p.mode, POLICY_AUDIT);
	ASSERT_EQ(p.nrules, 2);
	ASSERT_STREQ(p.rules[0].arg, "/one");
	ASSERT_STREQ(p.rules[0].file, FILE_NAME);
	ASSERT_EQ(p.rules[0].line, 2);
	ASSERT_STREQ(p.rules[1].arg, "/two");
	ASSERT_STREQ(p.rules[1].file, "second.conf");
	ASSERT_EQ(p.rules[1].line, 1);
	policy_free(&p);
}

static void parse_valid_utf8_path(void)
{
	static const char text[] = "protect \"/données clients/日本/😀\"\nprotect /ü\n";
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, text, err), 0);
	ASSERT_EQ(p.nrules, 2);
	ASSERT_STREQ(p.rules[0].arg, "/données clients/日本/😀");
	ASSERT_STREQ(p.rules[1].arg, "/ü");
	policy_free(&p);
}

static void parse_line_of_exactly_max_bytes(void)
{
	static char text[POLICY_LINE_MAX + 2];
	struct policy p;
	char err[POLICY_ERR_MAX];

	/* "protect /aaaa...": exactly POLICY_LINE_MAX bytes, then \n */
	memset(text, 'a', POLICY_LINE_MAX);
	memcpy(text, "protect /", 9);
	text[POLICY_LINE_MAX] = '\n';
	ASSERT_EQ(parse(&p, text, POLICY_LINE_MAX + 1, err), 0);
	ASSERT_EQ(p.nrules, 1);
	ASSERT_EQ(strlen(p.rules[0].arg), POLICY_LINE_MAX - 8);
	policy_free(&p);
}

/* ---- policy_parse: bad files ------------------------------------------- */

static void err_unknown_key_suggestion(void)
{
	EXPECT_ERROR("mode audit\nprotct /x\n",
		     FILE_NAME ":2: unknown key 'protct' (did you mean 'protect'?)");
	EXPECT_ERROR("# c\n\nprotects /x\n",
		     FILE_NAME ":3: unknown key 'protects' (did you mean 'protect'?)");
	EXPECT_ERROR("mdoe audit\n",
		     FILE_NAME ":1: unknown key 'mdoe' (did you mean 'mode'?)");
	EXPECT_ERROR("Protect /x\n",
		     FILE_NAME ":1: unknown key 'Protect' (did you mean 'protect'?)");
}

static void err_unknown_key_no_match(void)
{
	EXPECT_ERROR("xyzzy /x\n",
		     FILE_NAME ":1: unknown key 'xyzzy' (known keys: mode, protect, allow, revoke, reads, heartbeat, taint, clipboard, usb)");
	EXPECT_ERROR("mode audit\r\nwatch /x\r\n",
		     FILE_NAME ":2: unknown key 'watch' (known keys: mode, protect, allow, revoke, reads, heartbeat, taint, clipboard, usb)");
	/* a path without the key */
	EXPECT_ERROR("/var/lib/crm\n",
		     FILE_NAME ":1: unknown key '/var/lib/crm' (known keys: mode, protect, allow, revoke, reads, heartbeat, taint, clipboard, usb)");
	/* longer than the edit-distance table: still a clean message */
	EXPECT_ERROR("protectprotectprotectprotectprotect /x\n",
		     FILE_NAME ":1: unknown key 'protectprotectprotectprotectprotect' (known keys: mode, protect, allow, revoke, reads, heartbeat, taint, clipboard, usb)");
}

static void err_protect_no_path(void)
{
	EXPECT_ERROR("protect\n",
		     FILE_NAME ":1: protect: missing path (for example: protect /var/lib/crm)");
	EXPECT_ERROR("mode audit\nprotect   # nothing\n",
		     FILE_NAME ":2: protect: missing path (for example: protect /var/lib/crm)");
	EXPECT_ERROR("protect \"\"\n",
		     FILE_NAME ":1: protect: missing path (for example: protect /var/lib/crm)");
	EXPECT_ERROR("protect\r\n",
		     FILE_NAME ":1: protect: missing path (for example: protect /var/lib/crm)");
}

static void err_relative_path(void)
{
	EXPECT_ERROR("protect var/lib/crm\n",
		     FILE_NAME ":1: protect: 'var/lib/crm' is not an absolute path");
	EXPECT_ERROR("protect /ok\nprotect \"rel ative\"\n",
		     FILE_NAME ":2: protect: 'rel ative' is not an absolute path");
	EXPECT_ERROR("protect ~/crm\n",
		     FILE_NAME ":1: protect: '~/crm' is not an absolute path");
}

static void err_too_many_words(void)
{
	EXPECT_ERROR("protect /srv/crm data\n",
		     FILE_NAME ":1: protect takes one path and an optional 'audit' (quote a path with spaces: protect \"/srv/crm data\")");
	EXPECT_ERROR("protect /a /b /c /d\n",
		     FILE_NAME ":1: too many words (quote a path with spaces: protect \"/srv/crm data\")");
	EXPECT_ERROR("mode audit now please\n", FILE_NAME ":1: mode takes one word, or two: mode "
		     "audit, mode enforce, or mode enforce locked");
	EXPECT_ERROR("mode\n", FILE_NAME ":1: mode takes one word, or two: mode audit, mode "
		     "enforce, or mode enforce locked");
}

static void err_unterminated_quote(void)
{
	EXPECT_ERROR("protect \"/srv/crm data\n",
		     FILE_NAME ":1: unterminated quote; end the value with \"");
	EXPECT_ERROR("mode audit\nprotect \"/a b\r\n",
		     FILE_NAME ":2: unterminated quote; end the value with \"");
	/* the only closing quote is escaped */
	EXPECT_ERROR("protect \"/a\\\"\n",
		     FILE_NAME ":1: unterminated quote; end the value with \"");
	/* a quote at the very end of the text */
	EXPECT_ERROR("protect \"", FILE_NAME ":1: unterminated quote; end the value with \"");
}

static void err_text_after_quote(void)
{
	EXPECT_ERROR("protect \"/a b\"c\n",
		     FILE_NAME ":1: text right after a closing quote; put a space between words");
	EXPECT_ERROR("protect \"/a\"# comment\n",
		     FILE_NAME ":1: text right after a closing quote; put a space between words");
	EXPECT_ERROR("protect /ok\nprotect \"/a\"\"/b\"\n",
		     FILE_NAME ":2: text right after a closing quote; put a space between words");
}

static void err_long_line(void)
{
	static char text[POLICY_LINE_MAX + 32];
	struct policy p;
	char err[POLICY_ERR_MAX];
	size_t len;

	strcpy(text, "mode audit\n");
	len = strlen(text);
	memset(text + len, 'a', POLICY_LINE_MAX + 1);
	memcpy(text + len, "protect /", 9);
	len += POLICY_LINE_MAX + 1;
	text[len++] = '\n';
	ASSERT_EQ(parse(&p, text, len, err), -EINVAL);
	ASSERT_STREQ(err, FILE_NAME ":2: line is longer than 4096 bytes");
	policy_free(&p);
	/* the same as the last line, without a newline */
	ASSERT_EQ(parse(&p, text, len - 1, err), -EINVAL);
	ASSERT_STREQ(err, FILE_NAME ":2: line is longer than 4096 bytes");
	policy_free(&p);
}

static void err_nul_byte(void)
{
	EXPECT_ERROR("mode audit\nprotect /a\0b\n",
		     FILE_NAME ":2: NUL byte in line; is this a text file?");
	EXPECT_ERROR("\0", FILE_NAME ":1: NUL byte in line; is this a text file?");
	/* a NUL hidden after a comment is still found */
	EXPECT_ERROR("# x\0y\n", FILE_NAME ":1: NUL byte in line; is this a text file?");
}

static void err_not_utf8(void)
{
	/* column is 1-based and counts bytes */
	EXPECT_ERROR("protect /\377x\n",
		     FILE_NAME ":1: byte 0xff at column 10 is not UTF-8; save the file as UTF-8");
	EXPECT_ERROR("mode audit\n# caf\351\n",
		     FILE_NAME ":2: byte 0xe9 at column 6 is not UTF-8; save the file as UTF-8");
	EXPECT_ERROR("\200protect /x\n",
		     FILE_NAME ":1: byte 0x80 at column 1 is not UTF-8; save the file as UTF-8");
	/* a sequence cut short by the end of the line */
	EXPECT_ERROR("protect /a\303\nprotect /b\n",
		     FILE_NAME ":1: byte 0xc3 at column 11 is not UTF-8; save the file as UTF-8");
	/* a sequence cut short by an ASCII byte */
	EXPECT_ERROR("protect /\342\202x\n",
		     FILE_NAME ":1: byte 0xe2 at column 10 is not UTF-8; save the file as UTF-8");
	/* surrogate (U+D800) and beyond U+10FFFF */
	EXPECT_ERROR("protect /\355\240\200\n",
		     FILE_NAME ":1: byte 0xed at column 10 is not UTF-8; save the file as UTF-8");
	EXPECT_ERROR("protect /\364\220\200\200\n",
		     FILE_NAME ":1: byte 0xf4 at column 10 is not UTF-8; save the file as UTF-8");
}

static void err_overlong_utf8(void)
{
	/* '/' (0x2f) encoded in 2, 3 and 4 bytes */
	EXPECT_ERROR("protect /a\300\257b\n",
		     FILE_NAME ":1: byte 0xc0 at column 11 is not UTF-8; save the file as UTF-8");
	EXPECT_ERROR("protect /a\340\200\257b\n",
		     FILE_NAME ":1: byte 0xe0 at column 11 is not UTF-8; save the file as UTF-8");
	EXPECT_ERROR("protect /a\360\200\200\257b\n",
		     FILE_NAME ":1: byte 0xf0 at column 11 is not UTF-8; save the file as UTF-8");
	/* NUL as C0 80 (modified UTF-8) */
	EXPECT_ERROR("protect /a\300\200\n",
		     FILE_NAME ":1: byte 0xc0 at column 11 is not UTF-8; save the file as UTF-8");
}

static void parse_reads(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "protect /x\n", err), 0);
	ASSERT_TRUE(!p.reads_check);
	policy_free(&p);
	ASSERT_EQ(PARSE(&p, "reads check\nprotect /x\n", err), 0);
	ASSERT_TRUE(p.reads_check);
	policy_free(&p);
	ASSERT_EQ(PARSE(&p, "reads check\nreads trust\n", err), 0);
	ASSERT_TRUE(!p.reads_check);
	policy_free(&p);
	EXPECT_ERROR("reads\n", FILE_NAME ":1: reads takes one word: reads check, or reads trust");
	EXPECT_ERROR("reads fast\n", FILE_NAME ":1: reads takes one word: reads check, or reads trust");
}

static void err_mode_unknown(void)
{
	EXPECT_ERROR("mode strict\n",
		     FILE_NAME ":1: unknown mode 'strict' (modes: audit, enforce)");
	EXPECT_ERROR("protect /x\nmode Audit\n",
		     FILE_NAME ":2: unknown mode 'Audit' (modes: audit, enforce)");
}

static void parse_heartbeat(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "protect /x\n", err), 0);
	ASSERT_EQ(p.heartbeat, 0);
	policy_free(&p);
	ASSERT_EQ(PARSE(&p, "protect /x\nheartbeat 60\n", err), 0);
	ASSERT_EQ(p.heartbeat, 60);
	ASSERT_EQ(p.heartbeat_line, 2);
	policy_free(&p);
	ASSERT_EQ(PARSE(&p, "heartbeat 86400\n", err), 0);
	ASSERT_EQ(p.heartbeat, 86400);
	policy_free(&p);
	ASSERT_EQ(PARSE(&p, "heartbeat off\n", err), 0);
	ASSERT_TRUE(p.heartbeat == 0 && p.heartbeat_line == 1);
	policy_free(&p);
	EXPECT_ERROR("heartbeat\n", FILE_NAME ":1: heartbeat takes one word: seconds from 1 to 86400, "
		     "or off (for example: heartbeat 60)");
	EXPECT_ERROR("heartbeat 60 s\n", FILE_NAME ":1: heartbeat takes one word: seconds from 1 to 86400, "
		     "or off (for example: heartbeat 60)");
	EXPECT_ERROR("heartbeat 0\n", FILE_NAME ":1: heartbeat '0' is not seconds from 1 to 86400, "
		     "or off (for example: heartbeat 60)");
	EXPECT_ERROR("heartbeat 86401\n", FILE_NAME ":1: heartbeat '86401' is not seconds from 1 to 86400, "
		     "or off (for example: heartbeat 60)");
	EXPECT_ERROR("heartbeat 99999999999999999999999\n", FILE_NAME ":1: heartbeat '99999999999999999999999' "
		     "is not seconds from 1 to 86400, or off (for example: heartbeat 60)");
	EXPECT_ERROR("heartbeat 1m\n", FILE_NAME ":1: heartbeat '1m' is not seconds from 1 to 86400, "
		     "or off (for example: heartbeat 60)");
	EXPECT_ERROR("heartbeat -5\n", FILE_NAME ":1: heartbeat '-5' is not seconds from 1 to 86400, "
		     "or off (for example: heartbeat 60)");
	EXPECT_ERROR("heartbeat 60\nheartbeat off\n",
		     FILE_NAME ":2: heartbeat is set twice (first at " FILE_NAME ":1); keep one 'heartbeat' line");
	EXPECT_ERROR("heartbeet 60\n", FILE_NAME ":1: unknown key 'heartbeet' (did you mean 'heartbeat'?)");
}

static void err_mode_twice(void)
{
	EXPECT_ERROR("mode audit\nprotect /x\nmode audit\n",
		     FILE_NAME ":3: mode is set twice (first at " FILE_NAME ":1); keep one 'mode' line");
}

static void err_first_error_wins_and_small_buffer(void)
{
	struct policy p = { 0 };
	char buf[32];

	/* line 1 is fine, line 2 and 3 are both bad: line 2 is reported */
	memset(buf, 'Z', sizeof(buf));
	ASSERT_EQ(policy_parse(&p, FILE_NAME, "protect /a\nprotct /b\nalow\n", 26, buf, 10), -EINVAL);
	policy_free(&p);
	/* truncated to the buffer, NUL-terminated, nothing written past it */
	ASSERT_EQ(buf[9], 0);
	ASSERT_EQ(buf[10], 'Z');
	ASSERT_STREQ(buf, FILE_NAME ":");
}

/* ---- policy_load -------------------------------------------------------- */

static void load_policy_d_in_name_order(void)
{
	char dir[DIR_LEN], path[PATH_LEN], d[PATH_LEN], f[PATH_LEN + 64];
	char err[POLICY_ERR_MAX];
	struct policy p;

	fresh_dir(dir, sizeof(dir), "load_order");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	snprintf(d, sizeof(d), "%s/policy.d", dir);
	mkdir(d, 0755);
	ASSERT_EQ(WRITE_LIT(path, "mode audit\nprotect /main\n"), 0);
	/* written out of order: loaded in name order */
	snprintf(f, sizeof(f), "%s/20-b.conf", d);
	ASSERT_EQ(WRITE_LIT(f, "# b\nprotect /b\n"), 0);
	snprintf(f, sizeof(f), "%s/10-a.conf", d);
	ASSERT_EQ(WRITE_LIT(f, "protect /a1\nprotect \"/a 2\"\n"), 0);
	/* not *.conf: ignored, although it would not parse */
	snprintf(f, sizeof(f), "%s/README", d);
	ASSERT_EQ(WRITE_LIT(f, "this is not a policy\n"), 0);
	snprintf(f, sizeof(f), "%s/30-c.conf.bak", d);
	ASSERT_EQ(WRITE_LIT(f, "protect relative\n"), 0);
	/*
	 * More one-rule files, created in a scrambled order, so that the
	 * directory's own order (hash order on ext4, newest first on tmpfs)
	 * is most unlikely to be name order by chance.
	 */
	static const char *const more[] = { "50", "30", "60", "40", "70", "35" };
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		char rule[32];

		snprintf(f, sizeof(f), "%s/%s-x.conf", d, more[i]);
		snprintf(rule, sizeof(rule), "protect /%s\n", more[i]);
		ASSERT_EQ(write_file(f, rule, strlen(rule)), 0);
	}

	ASSERT_EQ(policy_load(&p, path, NULL, 0, err, sizeof(err)), 0);
	ASSERT_EQ(p.nrules, 10);
	ASSERT_STREQ(p.rules[4].arg, "/30");
	ASSERT_STREQ(p.rules[5].arg, "/35");
	ASSERT_STREQ(p.rules[6].arg, "/40");
	ASSERT_STREQ(p.rules[7].arg, "/50");
	ASSERT_STREQ(p.rules[8].arg, "/60");
	ASSERT_STREQ(p.rules[9].arg, "/70");
	ASSERT_STREQ(p.rules[0].arg, "/main");
	ASSERT_STREQ(p.rules[0].file, path);
	ASSERT_EQ(p.rules[0].line, 2);
	snprintf(f, sizeof(f), "%s/10-a.conf", d);
	ASSERT_STREQ(p.rules[1].arg, "/a1");
	ASSERT_STREQ(p.rules[1].file, f);
	ASSERT_EQ(p.rules[1].line, 1);
	ASSERT_STREQ(p.rules[2].arg, "/a 2");
	ASSERT_STREQ(p.rules[2].file, f);
	ASSERT_EQ(p.rules[2].line, 2);
	snprintf(f, sizeof(f), "%s/20-b.conf", d);
	ASSERT_STREQ(p.rules[3].arg, "/b");
	ASSERT_STREQ(p.rules[3].file, f);
	ASSERT_EQ(p.rules[3].line, 2);
	policy_free(&p);

	/* with text given, the file itself is not read but policy.d still is */
	ASSERT_EQ(policy_load(&p, path, "protect /text\n", 14, err, sizeof(err)), 0);
	ASSERT_EQ(p.nrules, 10);
	ASSERT_STREQ(p.rules[0].arg, "/text");
	ASSERT_STREQ(p.rules[0].file, path);
	ASSERT_STREQ(p.rules[1].arg, "/a1");
	ASSERT_STREQ(p.rules[3].arg, "/b");
	policy_free(&p);
	rm_rf(dir);
}

static void load_without_policy_d(void)
{
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX];
	struct policy p;

	fresh_dir(dir, sizeof(dir), "load_nodir");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, "protect /only\n"), 0);
	ASSERT_EQ(policy_load(&p, path, NULL, 0, err, sizeof(err)), 0);
	ASSERT_EQ(p.nrules, 1);
	ASSERT_STREQ(p.rules[0].arg, "/only");
	policy_free(&p);
	rm_rf(dir);
}

static void load_error_in_policy_d_names_file(void)
{
	char dir[DIR_LEN], path[PATH_LEN], d[PATH_LEN], f[PATH_LEN + 64];
	char err[POLICY_ERR_MAX], want[PATH_LEN + 192];
	struct policy p;

	fresh_dir(dir, sizeof(dir), "load_bad_d");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	snprintf(d, sizeof(d), "%s/policy.d", dir);
	mkdir(d, 0755);
	ASSERT_EQ(WRITE_LIT(path, "protect /main\n"), 0);
	snprintf(f, sizeof(f), "%s/10-ok.conf", d);
	ASSERT_EQ(WRITE_LIT(f, "protect /ok\n"), 0);
	snprintf(f, sizeof(f), "%s/20-bad.conf", d);
	ASSERT_EQ(WRITE_LIT(f, "\nprotect relative/path\n"), 0);
	snprintf(f, sizeof(f), "%s/30-ok.conf", d);
	ASSERT_EQ(WRITE_LIT(f, "protect /later\n"), 0);

	ASSERT_EQ(policy_load(&p, path, NULL, 0, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s/20-bad.conf:2: protect: 'relative/path' is not an absolute path", d);
	ASSERT_STREQ(err, want);
	/* on error p is left empty */
	ASSERT_EQ(p.nrules, 0);
	ASSERT_TRUE(p.rules == NULL);
	rm_rf(dir);
}

static void load_missing_file(void)
{
	char path[PATH_LEN], err[POLICY_ERR_MAX], want[PATH_LEN + 128];
	struct policy p;

	path_in(path, sizeof(path), "no-such-policy.conf");
	ASSERT_EQ(policy_load(&p, path, NULL, 0, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	ASSERT_STREQ(err, want);
	ASSERT_EQ(p.nrules, 0);
}

static void load_directory_is_not_a_file(void)
{
	char dir[DIR_LEN], err[POLICY_ERR_MAX], want[PATH_LEN + 128];
	struct policy p;

	fresh_dir(dir, sizeof(dir), "load_isdir.conf");
	ASSERT_EQ(policy_load(&p, dir, NULL, 0, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	ASSERT_STREQ(err, want);
	rm_rf(dir);
}

static void load_error_in_main_file(void)
{
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX], want[PATH_LEN + 192];
	struct policy p;

	fresh_dir(dir, sizeof(dir), "load_bad_main");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, "protect /a\nmode strict\n"), 0);
	ASSERT_EQ(policy_load(&p, path, NULL, 0, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: unknown mode 'strict' (modes: audit, enforce)", path);
	ASSERT_STREQ(err, want);
	ASSERT_EQ(p.nrules, 0);
	ASSERT_TRUE(p.rules == NULL);
	rm_rf(dir);
}

/* ---- policy_edit_protect + policy_write ---------------------------------- */

static void edit_add_path_with_space(void)
{
	static const char orig[] = "# my policy\nmode audit\nprotect /a\n";
	static const char want[] = "# my policy\nmode audit\nprotect /a\nprotect \"/srv/crm data\"\n";
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX];
	struct policy p;
	char *text = NULL, *back;
	size_t len = 0, blen;

	fresh_dir(dir, sizeof(dir), "edit_add");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, orig), 0);
	ASSERT_EQ(edit_protect(path, "/srv/crm data", true, &text, &len, err, sizeof(err)), 0);
	ASSERT_EQ(len, sizeof(want) - 1);
	ASSERT_TRUE(memcmp(text, want, len) == 0);
	/* editing alone does not touch the file */
	back = slurp(path, &blen);
	ASSERT_TRUE(back && blen == sizeof(orig) - 1 && !memcmp(back, orig, blen));
	free(back);

	ASSERT_EQ(policy_write(path, text, len, err, sizeof(err)), 0);
	free(text);
	back = slurp(path, &blen);
	ASSERT_TRUE(back && blen == sizeof(want) - 1 && !memcmp(back, want, blen));
	free(back);
	ASSERT_EQ(policy_load(&p, path, NULL, 0, err, sizeof(err)), 0);
	ASSERT_EQ(p.nrules, 2);
	ASSERT_STREQ(p.rules[1].arg, "/srv/crm data");
	ASSERT_EQ(p.rules[1].line, 4);
	policy_free(&p);
	rm_rf(dir);
}

/* add target, parse the result: the last rule must be exactly target */
static int roundtrip(const char *path, const char *target, const char *want_line, char *why, size_t whylen)
{
	char err[POLICY_ERR_MAX];
	struct policy p = { 0 };
	char *text = NULL;
	size_t len = 0;
	int ok;

	if (WRITE_LIT(path, "mode audit\n")) {
		snprintf(why, whylen, "cannot write %s", path);
		return 0;
	}
	if (edit_protect(path, target, true, &text, &len, err, sizeof(err))) {
		snprintf(why, whylen, "edit failed: %s", err);
		return 0;
	}
	if (want_line && (len != 11 + strlen(want_line) || memcmp(text + 11, want_line, len - 11))) {
		snprintf(why, whylen, "added \"%.*s\", expected \"%s\"", (int)len - 11, text + 11, want_line);
		free(text);
		return 0;
	}
	ok = !policy_parse(&p, "x", text, len, err, sizeof(err)) && p.nrules == 1 &&
	     !strcmp(p.rules[0].arg, target);
	snprintf(why, whylen, "parsed back as \"%s\"", p.nrules ? p.rules[p.nrules - 1].arg : "(nothing)");
	policy_free(&p);
	free(text);
	return ok;
}

static void edit_add_roundtrips(void)
{
	char dir[DIR_LEN], path[PATH_LEN], why[POLICY_ERR_MAX + 64];

	fresh_dir(dir, sizeof(dir), "edit_roundtrip");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	if (!roundtrip(path, "/plain/path", "protect /plain/path\n", why, sizeof(why)))
		FAILF("/plain/path: %s", why);
	if (!roundtrip(path, "/a \"q\" b", "protect \"/a \\\"q\\\" b\"\n", why, sizeof(why)))
		FAILF("quotes: %s", why);
	if (!roundtrip(path, "/back\\slash", "protect \"/back\\\\slash\"\n", why, sizeof(why)))
		FAILF("backslash: %s", why);
	if (!roundtrip(path, "/trailing\\", "protect \"/trailing\\\\\"\n", why, sizeof(why)))
		FAILF("trailing backslash: %s", why);
	if (!roundtrip(path, "/a#b", "protect \"/a#b\"\n", why, sizeof(why)))
		FAILF("hash: %s", why);
	if (!roundtrip(path, "/tab\tname", "protect \"/tab\tname\"\n", why, sizeof(why)))
		FAILF("tab: %s", why);
	if (!roundtrip(path, "/données/日本 😀", NULL, why, sizeof(why)))
		FAILF("utf-8: %s", why);
	rm_rf(dir);
}

static void edit_add_no_final_newline_and_duplicate(void)
{
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX];
	struct policy p = { 0 };
	char *text = NULL;
	size_t len = 0;
	int a = 0, b = 0;

	fresh_dir(dir, sizeof(dir), "edit_nonl");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, "mode audit"), 0);
	ASSERT_EQ(edit_protect(path, "/a", true, &text, &len, err, sizeof(err)), 0);
	ASSERT_EQ(len, 22);
	ASSERT_TRUE(!memcmp(text, "mode audit\nprotect /a\n", 22));
	free(text);

	/* adding a path already there does not give two lines for it */
	ASSERT_EQ(WRITE_LIT(path, "protect /a\nprotect /b\n"), 0);
	ASSERT_EQ(edit_protect(path, "/a", true, &text, &len, err, sizeof(err)), 0);
	ASSERT_EQ(policy_parse(&p, "x", text, len, err, sizeof(err)), 0);
	free(text);
	for (size_t i = 0; i < p.nrules; i++) {
		a += !strcmp(p.rules[i].arg, "/a");
		b += !strcmp(p.rules[i].arg, "/b");
	}
	policy_free(&p);
	ASSERT_EQ(a, 1);
	ASSERT_EQ(b, 1);
	rm_rf(dir);
}

static void edit_add_invalid_target(void)
{
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX], want[PATH_LEN + 192];
	char *text = (char *)"sentinel";
	size_t len = 0;

	fresh_dir(dir, sizeof(dir), "edit_invalid");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, "mode audit\nprotect /a\n"), 0);
	ASSERT_TRUE(edit_protect(path, "relative", true, &text, &len, err, sizeof(err)) < 0);
	ASSERT_TRUE(text == NULL);
	snprintf(want, sizeof(want), "%s:3: protect: 'relative' is not an absolute path", path);
	ASSERT_STREQ(err, want);

	/* a broken file: the error names the file and the broken line */
	ASSERT_EQ(WRITE_LIT(path, "mode audit\nprotct /a\n"), 0);
	text = (char *)"sentinel";
	ASSERT_TRUE(edit_protect(path, "/b", true, &text, &len, err, sizeof(err)) < 0);
	ASSERT_TRUE(text == NULL);
	snprintf(want, sizeof(want), "%s:2: unknown key 'protct' (did you mean 'protect'?)", path);
	ASSERT_STREQ(err, want);
	rm_rf(dir);
}

/*
 * A target with a line break must not be taken as something else:
 * either refused, or stored so that it parses back to the same path.
 */
static void edit_add_target_with_newline(void)
{
	static const char *const targets[] = { "/a\n", "/a\r", "/a\n/b", "/a\nprotect /evil" };
	static const char *const shown_as[] = { "/a\\n", "/a\\r", "/a\\n/b", "/a\\nprotect /evil" };
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX], why[512] = "";
	size_t i, w = 0;

	fresh_dir(dir, sizeof(dir), "edit_newline");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		struct policy p = { 0 };
		char *text = NULL;
		size_t len = 0;
		int ret;

		ASSERT_EQ(WRITE_LIT(path, "mode audit\n"), 0);
		ret = edit_protect(path, targets[i], true, &text, &len, err, sizeof(err));
		if (ret) {	/* refused: fine, if the file is untouched */
			char *back = slurp(path, &len);
			int same = back && len == 11 && !memcmp(back, "mode audit\n", 11);

			free(back);
			if (!same)
				FAILF("refusing target #%zu changed the file", i);
			continue;
		}
		ret = policy_parse(&p, "x", text, len, err, sizeof(err));
		free(text);
		if (ret || p.nrules != 1 || strcmp(p.rules[0].arg, targets[i]))
			w += snprintf(why + w, sizeof(why) - w, "%s'%s' accepted, stored as protect \"%s\"",
				      w ? "; " : "", shown_as[i], p.nrules ? p.rules[0].arg : "(none)");
		policy_free(&p);
		if (w >= sizeof(why))
			break;
	}
	rm_rf(dir);
	if (w)
		FAILF("%s", why);
}

static void edit_del_keeps_other_lines(void)
{
	static const char orig[] =
		"# keep me\r\n"
		"mode audit\n"
		"protect /a   # old rule\n"
		"protect /b\n"
		"\n"
		"  protect \"/a\"\n"
		"protect /a/b\n"
		"#protect /a\n"
		"  \t# end\t\n"
		"protect /a";
	static const char want[] =
		"# keep me\r\n"
		"mode audit\n"
		"protect /b\n"
		"\n"
		"protect /a/b\n"
		"#protect /a\n"
		"  \t# end\t\n";
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX];
	char *text = NULL, *back;
	size_t len = 0, blen;

	fresh_dir(dir, sizeof(dir), "edit_del");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, orig), 0);
	ASSERT_EQ(edit_protect(path, "/a", false, &text, &len, err, sizeof(err)), 0);
	ASSERT_EQ(len, sizeof(want) - 1);
	ASSERT_TRUE(!memcmp(text, want, len));
	ASSERT_EQ(policy_write(path, text, len, err, sizeof(err)), 0);
	free(text);
	back = slurp(path, &blen);
	ASSERT_TRUE(back && blen == sizeof(want) - 1 && !memcmp(back, want, blen));
	free(back);
	rm_rf(dir);
}

static void edit_del_quoted_path_with_space(void)
{
	static const char orig[] = "protect \"/srv/crm data\"\nprotect /srv/other\n";
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX];
	char *text = NULL;
	size_t len = 0;

	fresh_dir(dir, sizeof(dir), "edit_del_q");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, orig), 0);
	ASSERT_EQ(edit_protect(path, "/srv/crm data", false, &text, &len, err, sizeof(err)), 0);
	ASSERT_EQ(len, 19);
	ASSERT_TRUE(!memcmp(text, "protect /srv/other\n", 19));
	free(text);
	rm_rf(dir);
}

static void edit_del_absent_leaves_file(void)
{
	static const char orig[] = "# c\r\nmode audit\nprotect /a/b\nprotect \"/x y\"\n";
	char dir[DIR_LEN], path[PATH_LEN], tmp[PATH_LEN + 8], err[POLICY_ERR_MAX], want[PATH_LEN + 128];
	char *text = (char *)"sentinel", *back;
	size_t len = 0, blen;
	struct stat before, after;

	fresh_dir(dir, sizeof(dir), "edit_del_absent");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, orig), 0);
	ASSERT_EQ(stat(path, &before), 0);
	/* "/a" is only a prefix of "/a/b"; "/x" only a prefix of "/x y" */
	ASSERT_EQ(edit_protect(path, "/a", false, &text, &len, err, sizeof(err)), -ENOENT);
	ASSERT_TRUE(text == NULL);
	snprintf(want, sizeof(want), "%s: no 'protect /a' line to remove", path);
	ASSERT_STREQ(err, want);
	text = (char *)"sentinel";
	ASSERT_EQ(edit_protect(path, "/x", false, &text, &len, err, sizeof(err)), -ENOENT);
	ASSERT_TRUE(text == NULL);
	back = slurp(path, &blen);
	ASSERT_TRUE(back && blen == sizeof(orig) - 1 && !memcmp(back, orig, blen));
	free(back);
	ASSERT_EQ(stat(path, &after), 0);
	ASSERT_EQ(after.st_ino, before.st_ino);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	ASSERT_TRUE(access(tmp, F_OK) != 0);
	rm_rf(dir);
}

static void edit_missing_file(void)
{
	char path[PATH_LEN], err[POLICY_ERR_MAX], want[PATH_LEN + 128];
	char *text = NULL;
	size_t len = 0;

	path_in(path, sizeof(path), "edit-missing.conf");
	ASSERT_EQ(edit_protect(path, "/a", true, &text, &len, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	ASSERT_STREQ(err, want);
}

static void write_keeps_mode(void)
{
	char dir[DIR_LEN], path[PATH_LEN], tmp[PATH_LEN + 8], err[POLICY_ERR_MAX];
	struct stat st;
	char *back;
	size_t blen;

	fresh_dir(dir, sizeof(dir), "write_mode");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, "protect /old\n"), 0);
	ASSERT_EQ(chmod(path, 0640), 0);
	ASSERT_EQ(policy_write(path, "protect /new\n", 13, err, sizeof(err)), 0);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0640);
	back = slurp(path, &blen);
	ASSERT_TRUE(back && blen == 13 && !memcmp(back, "protect /new\n", 13));
	free(back);

	ASSERT_EQ(chmod(path, 0604), 0);
	ASSERT_EQ(policy_write(path, "", 0, err, sizeof(err)), 0);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0604);
	ASSERT_EQ(st.st_size, 0);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	ASSERT_TRUE(access(tmp, F_OK) != 0);
	rm_rf(dir);
}

static void write_into_missing_dir_fails(void)
{
	char path[PATH_LEN], err[POLICY_ERR_MAX], want[PATH_LEN + 128];

	path_in(path, sizeof(path), "no-such-dir/policy.conf");
	ASSERT_EQ(policy_write(path, "x\n", 2, err, sizeof(err)), -EIO);
	snprintf(want, sizeof(want), "%s: cannot write: No such file or directory", path);
	ASSERT_STREQ(err, want);
}

/*
 * A write that fails (here: file size limit) keeps the old file, leaves no
 * .new file, and does not leak the descriptor of the .new file.
 */
static void write_failure_keeps_file_and_fds(void)
{
	char dir[DIR_LEN], path[PATH_LEN], tmp[PATH_LEN + 8], err[POLICY_ERR_MAX];
	struct rlimit old, small;
	char *back;
	size_t blen;
	int fds, ret;

	fresh_dir(dir, sizeof(dir), "write_fail");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, "protect /old\n"), 0);
	ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 0;
	signal(SIGXFSZ, SIG_IGN);
	fds = count_fds();
	ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
	ret = policy_write(path, "protect /new\n", 13, err, sizeof(err));
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	ASSERT_EQ(ret, -EIO);
	ASSERT_CONTAINS(err, "cannot write: File too large");
	back = slurp(path, &blen);
	ASSERT_TRUE(back && blen == 13 && !memcmp(back, "protect /old\n", 13));
	free(back);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	ASSERT_TRUE(access(tmp, F_OK) != 0);
	ASSERT_EQ(count_fds(), fds);
	rm_rf(dir);
}

/* ---- enforcement grammar: mode enforce, audit flag, allow, revoke ------- */

static void parse_mode_enforce(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "# c\nprotect /x\nmode enforce\n", err), 0);
	ASSERT_STREQ(err, "");
	ASSERT_EQ(p.mode, POLICY_ENFORCE);
	ASSERT_STREQ(p.mode_file, FILE_NAME);
	ASSERT_EQ(p.mode_line, 3);
	ASSERT_STREQ(policy_mode_name(p.mode), "enforce");
	ASSERT_EQ(p.nrules, 1);
	policy_free(&p);
	ASSERT_TRUE(p.mode_file == NULL);
	ASSERT_EQ(p.mode, POLICY_AUDIT);

	/* no mode line: audit, and no place it was set */
	ASSERT_EQ(PARSE(&p, "protect /x\n", err), 0);
	ASSERT_EQ(p.mode, POLICY_AUDIT);
	ASSERT_TRUE(p.mode_file == NULL);
	ASSERT_EQ(p.mode_line, 0);
	policy_free(&p);

	EXPECT_ERROR("mode enforce\nmode audit\n",
		     FILE_NAME ":2: mode is set twice (first at " FILE_NAME ":1); keep one 'mode' line");
	EXPECT_ERROR("mode enforce now\n", FILE_NAME ":1: unknown word 'now' after mode enforce "
		     "(only 'locked': mode enforce locked)");
	EXPECT_ERROR("mode Enforce\n", FILE_NAME ":1: unknown mode 'Enforce' (modes: audit, enforce)");
}

static void parse_protect_audit_flag(void)
{
	static const char text[] =
		"protect /x audit\n"
		"protect \"/srv/crm data\" audit   # trial\n"
		"protect /y\n"
		"protect /audit\n"
		"protect \"/z\"\taudit\r\n";
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, text, err), 0);
	ASSERT_EQ(p.nrules, 5);
	ASSERT_EQ(p.rules[0].kind, RULE_PROTECT);
	ASSERT_STREQ(p.rules[0].arg, "/x");
	ASSERT_EQ(p.rules[0].audit, 1);
	ASSERT_EQ(p.rules[0].line, 1);
	ASSERT_STREQ(p.rules[1].arg, "/srv/crm data");
	ASSERT_EQ(p.rules[1].audit, 1);
	ASSERT_EQ(p.rules[1].line, 2);
	ASSERT_STREQ(p.rules[2].arg, "/y");
	ASSERT_EQ(p.rules[2].audit, 0);
	ASSERT_STREQ(p.rules[3].arg, "/audit");
	ASSERT_EQ(p.rules[3].audit, 0);
	ASSERT_STREQ(p.rules[4].arg, "/z");
	ASSERT_EQ(p.rules[4].audit, 1);
	ASSERT_EQ(p.rules[4].line, 5);
	policy_free(&p);

	/* the flag is the word audit, exactly, and only once */
	EXPECT_ERROR("protect /x Audit\n",
		     FILE_NAME ":1: protect takes one path and an optional 'audit' (quote a path with spaces: protect \"/srv/crm data\")");
	EXPECT_ERROR("protect /x audit audit\n",
		     FILE_NAME ":1: protect takes one path and an optional 'audit' (quote a path with spaces: protect \"/srv/crm data\")");
	EXPECT_ERROR("protect audit\n", FILE_NAME ":1: protect: 'audit' is not an absolute path");
	EXPECT_ERROR("protect rel audit\n", FILE_NAME ":1: protect: 'rel' is not an absolute path");
}

static void parse_allow_and_revoke(void)
{
	static const char text[] =
		"mode enforce\n"
		"allow exe /usr/bin/crm\n"
		"allow user bob\n"
		"\n"
		"allow user 1001   # by uid\n"
		"revoke user alice\n"
		"revoke user alice audit\n"
		"\tallow  exe \"/opt/crm app/bin\"\r\n";
	static const struct {
		enum rule_kind kind;
		const char *arg, *kind_name;
		int audit, line;
	} want[] = {
		{ RULE_ALLOW_EXE, "/usr/bin/crm", "allow exe", 0, 2 },
		{ RULE_ALLOW_USER, "bob", "allow user", 0, 3 },
		{ RULE_ALLOW_USER, "1001", "allow user", 0, 5 },
		{ RULE_REVOKE_USER, "alice", "revoke user", 0, 6 },
		{ RULE_REVOKE_USER, "alice", "revoke user", 1, 7 },
		{ RULE_ALLOW_EXE, "/opt/crm app/bin", "allow exe", 0, 8 },
	};
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, text, err), 0);
	ASSERT_STREQ(err, "");
	ASSERT_EQ(p.mode, POLICY_ENFORCE);
	ASSERT_EQ(p.nrules, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < p.nrules; i++) {
		const struct policy_rule *r = &p.rules[i];

		if (r->kind != want[i].kind || strcmp(r->arg, want[i].arg) || r->audit != want[i].audit ||
		    r->line != want[i].line || strcmp(r->file, FILE_NAME) ||
		    strcmp(policy_kind_name(r->kind), want[i].kind_name)) {
			char got[256];

			snprintf(got, sizeof(got), "%s:%d: %s \"%s\"%s (kind %d)", r->file, r->line,
				 policy_kind_name(r->kind), r->arg, r->audit ? " audit" : "", r->kind);
			policy_free(&p);
			FAILF("rule %zu is %s, expected %s \"%s\"%s at line %d", i, got, want[i].kind_name,
			      want[i].arg, want[i].audit ? " audit" : "", want[i].line);
		}
		/* nothing resolved by parsing */
		ASSERT_EQ(r->uid, 0);
		ASSERT_EQ(r->dev, 0);
		ASSERT_EQ(r->ino, 0);
		ASSERT_EQ(r->interpreter, 0);
	}
	ASSERT_STREQ(policy_kind_name(RULE_PROTECT), "protect");
	policy_free(&p);
}

static void err_allow_revoke(void)
{
	EXPECT_ERROR("allow\n",
		     FILE_NAME ":1: allow takes 'exe PATH' or 'user NAME' (for example: allow exe /usr/bin/crm)");
	EXPECT_ERROR("protect /x\nallow group x\n",
		     FILE_NAME ":2: allow takes 'exe PATH' or 'user NAME' (for example: allow exe /usr/bin/crm)");
	EXPECT_ERROR("allow Exe /x\n",
		     FILE_NAME ":1: allow takes 'exe PATH' or 'user NAME' (for example: allow exe /usr/bin/crm)");
	EXPECT_ERROR("allow /usr/bin/crm\n",
		     FILE_NAME ":1: allow takes 'exe PATH' or 'user NAME' (for example: allow exe /usr/bin/crm)");
	EXPECT_ERROR("revoke exe /x\n",
		     FILE_NAME ":1: revoke takes 'user NAME' (for example: revoke user alice)");
	EXPECT_ERROR("revoke\n",
		     FILE_NAME ":1: revoke takes 'user NAME' (for example: revoke user alice)");
	EXPECT_ERROR("revoke alice\n",
		     FILE_NAME ":1: revoke takes 'user NAME' (for example: revoke user alice)");
	EXPECT_ERROR("allow exe relative\n",
		     FILE_NAME ":1: allow exe: 'relative' is not an absolute path");
	EXPECT_ERROR("allow exe \"crm app\"\n",
		     FILE_NAME ":1: allow exe: 'crm app' is not an absolute path");
	EXPECT_ERROR("allow exe /x audit\n",
		     FILE_NAME ":1: allow exe: 'audit' goes on protect and revoke rules only");
	EXPECT_ERROR("allow user bob audit\n",
		     FILE_NAME ":1: allow user: 'audit' goes on protect and revoke rules only");
	EXPECT_ERROR("allow exe\n",
		     FILE_NAME ":1: allow exe: missing path (for example: allow exe /usr/bin/crm)");
	EXPECT_ERROR("allow exe \"\"\n",
		     FILE_NAME ":1: allow exe: missing path (for example: allow exe /usr/bin/crm)");
	EXPECT_ERROR("revoke user\n",
		     FILE_NAME ":1: revoke user: missing user (for example: revoke user alice)");
	EXPECT_ERROR("revoke user \"\" audit\n",
		     FILE_NAME ":1: revoke user: missing user (for example: revoke user alice)");
	EXPECT_ERROR("revoke user a b\n",
		     FILE_NAME ":1: revoke user takes one user and an optional 'audit'");
	EXPECT_ERROR("revoke user alice audit now\n",
		     FILE_NAME ":1: too many words (quote a path with spaces: protect \"/srv/crm data\")");
	EXPECT_ERROR("alow exe /x\n", FILE_NAME ":1: unknown key 'alow' (did you mean 'allow'?)");
	EXPECT_ERROR("revok user alice\n", FILE_NAME ":1: unknown key 'revok' (did you mean 'revoke'?)");
}

/* The example in the message is one of the rule that is missing its user. */
static void err_allow_user_missing_example(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "allow user\n", err), -EINVAL);
	policy_free(&p);
	ASSERT_CONTAINS(err, FILE_NAME ":1: allow user: missing user (for example: allow user ");
}

/* An allow rule takes no 'audit': its too-many-words message must not offer one. */
static void err_allow_too_many_no_audit_offer(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "allow exe /a /b\n", err), -EINVAL);
	policy_free(&p);
	ASSERT_CONTAINS(err, FILE_NAME ":1: allow exe takes one path");
	if (strstr(err, "audit"))
		FAILF("err is \"%s\": it offers 'audit', which allow exe refuses", err);
	ASSERT_EQ(PARSE(&p, "allow user a b\n", err), -EINVAL);
	policy_free(&p);
	ASSERT_CONTAINS(err, FILE_NAME ":1: allow user takes one user");
	if (strstr(err, "audit"))
		FAILF("err is \"%s\": it offers 'audit', which allow user refuses", err);
}

/* ---- policy_resolve ------------------------------------------------------- */

/* Parses text (as FILE_NAME) into a fresh p and resolves it. */
static int resolve(struct policy *p, const char *text, char *err)
{
	int ret;

	memset(p, 0, sizeof(*p));
	err[0] = 0;
	ret = policy_parse(p, FILE_NAME, text, strlen(text), err, POLICY_ERR_MAX);
	if (ret) {
		printf("resolve: does not parse: %s\n", err);
		return 1000;	/* no errno: the test fails on it */
	}
	return policy_resolve(p, err, POLICY_ERR_MAX);
}

/* A file of `mode` named name in dir, path into out; 0 on success. */
static int make_file(char *out, size_t n, const char *dir, const char *name, mode_t mode)
{
	snprintf(out, n, "%s/%s", dir, name);
	if (WRITE_LIT(out, "#!/bin/sh\nexit 0\n"))
		return -1;
	return chmod(out, mode);
}

static void resolve_exe_bin_sh(void)
{
	char err[POLICY_ERR_MAX];
	struct policy p;
	struct stat st;

	ASSERT_EQ(stat("/bin/sh", &st), 0);
	ASSERT_EQ(resolve(&p, "protect /x\nallow exe /bin/sh\n", err), 0);
	ASSERT_STREQ(err, "");
	ASSERT_EQ(p.nrules, 2);
	ASSERT_EQ(p.rules[1].dev, st.st_dev);
	ASSERT_EQ(p.rules[1].ino, st.st_ino);
	ASSERT_EQ(p.rules[1].interpreter, 1);
	/* the path stays as written, even where /bin/sh is a link */
	ASSERT_STREQ(p.rules[1].arg, "/bin/sh");
	/* protect rules are not looked up */
	ASSERT_EQ(p.rules[0].ino, 0);
	ASSERT_EQ(p.rules[0].interpreter, 0);
	policy_free(&p);
}

static void resolve_exe_sqlite3_not_interpreter(void)
{
	char dir[DIR_LEN], f[PATH_LEN], text[PATH_LEN + 32], err[POLICY_ERR_MAX];
	struct policy p;
	struct stat st;

	if (stat("/usr/bin/sqlite3", &st) == 0) {
		ASSERT_EQ(resolve(&p, "allow exe /usr/bin/sqlite3\n", err), 0);
		ASSERT_EQ(p.rules[0].dev, st.st_dev);
		ASSERT_EQ(p.rules[0].ino, st.st_ino);
		ASSERT_EQ(p.rules[0].interpreter, 0);
		policy_free(&p);
	}
	/* whether or not sqlite3 is installed: by its name */
	fresh_dir(dir, sizeof(dir), "resolve_sqlite3");
	ASSERT_EQ(make_file(f, sizeof(f), dir, "sqlite3", 0755), 0);
	ASSERT_EQ(stat(f, &st), 0);
	snprintf(text, sizeof(text), "allow exe %s\n", f);
	ASSERT_EQ(resolve(&p, text, err), 0);
	ASSERT_EQ(p.rules[0].ino, st.st_ino);
	ASSERT_EQ(p.rules[0].interpreter, 0);
	policy_free(&p);
	rm_rf(dir);
}

/* Executables named like interpreters (with a version) are interpreters. */
static void resolve_exe_interpreter_names(void)
{
	static const struct {
		const char *name;
		int interpreter;
	} names[] = {
		{ "python3.11", 1 }, { "python3", 1 }, { "python", 1 }, { "perl5.36", 1 },
		{ "bash", 1 }, { "node", 1 }, { "php8.2", 1 }, { "lua5.4", 1 }, { "env", 1 },
		{ "crm-server", 0 }, { "shred", 0 }, { "python3-crm", 0 }, { "nodejs-app", 0 },
		{ "crm", 0 },
	};
	char dir[DIR_LEN], f[PATH_LEN], text[PATH_LEN + 32], err[POLICY_ERR_MAX];
	struct policy p;
	struct stat st;

	fresh_dir(dir, sizeof(dir), "resolve_interp");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ASSERT_EQ(make_file(f, sizeof(f), dir, names[i].name, 0755), 0);
		ASSERT_EQ(stat(f, &st), 0);
		snprintf(text, sizeof(text), "allow exe %s\n", f);
		ASSERT_EQ(resolve(&p, text, err), 0);
		ASSERT_EQ(p.rules[0].dev, st.st_dev);
		ASSERT_EQ(p.rules[0].ino, st.st_ino);
		if (p.rules[0].interpreter != names[i].interpreter) {
			policy_free(&p);
			FAILF("%s: interpreter is %d, expected %d", names[i].name,
			      !names[i].interpreter, names[i].interpreter);
		}
		policy_free(&p);
	}
	/* executable by group or others only is executable too */
	ASSERT_EQ(make_file(f, sizeof(f), dir, "crm-o", 0601), 0);
	snprintf(text, sizeof(text), "allow exe %s\n", f);
	ASSERT_EQ(resolve(&p, text, err), 0);
	policy_free(&p);
	rm_rf(dir);
}

/*
 * The rule stands for the binary at the end of the path (by inode): a link
 * named crm-server to python3.11 allows python, which runs any script.
 */
static void resolve_exe_link_to_interpreter(void)
{
	char dir[DIR_LEN], f[PATH_LEN], link[PATH_LEN + 16], text[PATH_LEN + 48], err[POLICY_ERR_MAX];
	struct policy p;
	struct stat st;

	fresh_dir(dir, sizeof(dir), "resolve_link");
	ASSERT_EQ(make_file(f, sizeof(f), dir, "python3.11", 0755), 0);
	ASSERT_EQ(stat(f, &st), 0);
	snprintf(link, sizeof(link), "%s/crm-server", dir);
	ASSERT_EQ(symlink("python3.11", link), 0);
	snprintf(text, sizeof(text), "allow exe %s\n", link);
	ASSERT_EQ(resolve(&p, text, err), 0);
	ASSERT_EQ(p.rules[0].ino, st.st_ino);
	ASSERT_EQ(p.rules[0].dev, st.st_dev);
	ASSERT_EQ(p.rules[0].interpreter, 1);
	policy_free(&p);
	rm_rf(dir);
}

/*
 * A binary that is not there (or not a binary) is no error: the rule is
 * marked missing, allows nothing, and the rest of the policy loads.
 */
static bool allows_nothing(const struct policy_rule *r, int why)
{
	return r->missing == why && r->dev == (dev_t)-1 && r->ino == 0 && !r->interpreter;
}

/*
 * text resolves though rule 1 (allow exe) names no usable binary: it
 * allows nothing, for the reason why, said as want; rule 2 (revoke user
 * 42) is resolved all the same.
 */
static void expect_missing_exe(const char *text, int why, const char *want)
{
	char err[POLICY_ERR_MAX], msg[POLICY_ERR_MAX];
	struct policy p;
	int missing;
	bool ok;

	ASSERT_EQ(resolve(&p, text, err), 0);
	ASSERT_STREQ(err, "");
	ok = allows_nothing(&p.rules[1], why) && p.rules[2].uid == 42;
	missing = p.rules[1].missing;
	policy_missing_text(&p.rules[1], missing, msg, sizeof(msg));
	policy_free(&p);
	if (!ok)
		FAILF("rule 1 is missing %d (expected %d), or rule 2 was not resolved", missing, why);
	ASSERT_STREQ(msg, want);
}

static void resolve_exe_not_executable(void)
{
	char dir[DIR_LEN], f[PATH_LEN], text[PATH_LEN + 64], want[PATH_LEN + 192], err[POLICY_ERR_MAX];
	struct policy p;

	fresh_dir(dir, sizeof(dir), "resolve_noexec");
	ASSERT_EQ(make_file(f, sizeof(f), dir, "crm", 0644), 0);
	snprintf(text, sizeof(text), "mode enforce\nprotect /x\n\nallow exe %s\nrevoke user 42\n", f);
	snprintf(want, sizeof(want), FILE_NAME ":4: allow exe %s: not an executable file; it allows "
		 "nothing until a reload finds the binary there", f);
	expect_missing_exe(text, POLICY_EWRONGTYPE, want);

	/* a directory (it has x bits) is not an executable file either */
	snprintf(text, sizeof(text), "allow exe %s\n", dir);
	ASSERT_EQ(resolve(&p, text, err), 0);
	ASSERT_TRUE(allows_nothing(&p.rules[0], POLICY_EWRONGTYPE));
	policy_free(&p);
	rm_rf(dir);
}

static void resolve_exe_missing(void)
{
	char path[PATH_LEN], text[PATH_LEN + 64], want[PATH_LEN + 192], err[POLICY_ERR_MAX];
	struct policy p;

	path_in(path, sizeof(path), "no-such-crm-binary");
	snprintf(text, sizeof(text), "protect /x\nallow exe %s\nrevoke user 42\n", path);
	snprintf(want, sizeof(want), FILE_NAME ":2: allow exe %s: %s; it allows nothing until a "
		 "reload finds the binary there", path, strerror(ENOENT));
	expect_missing_exe(text, ENOENT, want);

	/* a path through a file is ENOTDIR */
	ASSERT_EQ(resolve(&p, "allow exe /etc/passwd/x\n", err), 0);
	ASSERT_TRUE(allows_nothing(&p.rules[0], ENOTDIR));
	policy_free(&p);

	/* a binary that is there is not missing */
	ASSERT_EQ(resolve(&p, "allow exe /bin/sh\n", err), 0);
	ASSERT_EQ(p.rules[0].missing, 0);
	ASSERT_TRUE(p.rules[0].dev != (dev_t)-1);
	policy_free(&p);
}

/* The text for a protect rule whose path is not there (watch.c decides that). */
static void missing_text_protect(void)
{
	char err[POLICY_ERR_MAX], msg[POLICY_ERR_MAX];
	struct policy p;

	ASSERT_EQ(resolve(&p, "mode enforce\nprotect \"/srv/crm data\"\n", err), 0);
	ASSERT_STREQ(policy_missing_text(&p.rules[0], ENOENT, msg, sizeof(msg)),
		     FILE_NAME ":2: protect /srv/crm data: No such file or directory; it is watched "
		     "for, and protected as soon as it is there");
	ASSERT_STREQ(policy_missing_text(&p.rules[0], POLICY_EWRONGTYPE, msg, sizeof(msg)),
		     FILE_NAME ":2: protect /srv/crm data: not a regular file or directory; it is "
		     "watched for, and protected as soon as it is there");
	policy_free(&p);
}

static void resolve_users(void)
{
	static const char text[] =
		"revoke user root\n"
		"revoke user 4242\n"
		"allow user root\n"
		"allow user 1001 \n"
		"revoke user 0\n"
		"revoke user 007 audit\n"
		"revoke user 4294967294\n";
	char err[POLICY_ERR_MAX];
	struct policy p;

	ASSERT_EQ(resolve(&p, text, err), 0);
	ASSERT_STREQ(err, "");
	ASSERT_EQ(p.nrules, 7);
	ASSERT_EQ(p.rules[0].uid, 0);
	ASSERT_EQ(p.rules[1].uid, 4242);
	ASSERT_EQ(p.rules[2].uid, 0);
	ASSERT_EQ(p.rules[3].uid, 1001);
	ASSERT_EQ(p.rules[4].uid, 0);
	ASSERT_EQ(p.rules[5].uid, 7);
	ASSERT_EQ(p.rules[5].audit, 1);
	ASSERT_EQ(p.rules[6].uid, 4294967294u);
	/* the argument stays as written */
	ASSERT_STREQ(p.rules[1].arg, "4242");
	ASSERT_STREQ(p.rules[5].arg, "007");
	policy_free(&p);
}

/* A numeric uid must fit uid_t and not be (uid_t)-1, "no login uid". */
static void resolve_user_numeric_out_of_range(void)
{
	char err[POLICY_ERR_MAX];
	struct policy p;

	ASSERT_EQ(resolve(&p, "revoke user 4294967295\n", err), -ENOENT);
	ASSERT_STREQ(err, FILE_NAME ":1: revoke user 4294967295: no such user (for an account that is gone, write its numeric uid)");
	policy_free(&p);
	ASSERT_EQ(resolve(&p, "revoke user 99999999999999999999999\n", err), -ENOENT);
	ASSERT_STREQ(err, FILE_NAME ":1: revoke user 99999999999999999999999: no such user (for an account that is gone, write its numeric uid)");
	policy_free(&p);
	ASSERT_EQ(resolve(&p, "allow user 12ab\n", err), -ENOENT);
	ASSERT_STREQ(err, FILE_NAME ":1: allow user 12ab: no such user (for an account that is gone, write its numeric uid)");
	policy_free(&p);
}

static void resolve_user_missing(void)
{
	char err[POLICY_ERR_MAX];
	struct policy p;

	ASSERT_EQ(resolve(&p, "mode enforce\nprotect /x\nrevoke user no_such_user_xyz\n", err), -ENOENT);
	ASSERT_STREQ(err, FILE_NAME ":3: revoke user no_such_user_xyz: no such user (for an account that is gone, write its numeric uid)");
	policy_free(&p);
	ASSERT_EQ(resolve(&p, "allow user no_such_user_xyz\n", err), -ENOENT);
	ASSERT_STREQ(err, FILE_NAME ":1: allow user no_such_user_xyz: no such user (for an account that is gone, write its numeric uid)");
	policy_free(&p);
	/* the first bad rule is reported */
	ASSERT_EQ(resolve(&p, "revoke user root\nrevoke user no_such_user_a\nallow exe /no/such/b\n", err), -ENOENT);
	ASSERT_STREQ(err, FILE_NAME ":2: revoke user no_such_user_a: no such user (for an account that is gone, write its numeric uid)");
	policy_free(&p);
}

/* policy_load resolves what policy.conf and policy.d name; a failure empties p. */
static void load_resolves_rules(void)
{
	char dir[DIR_LEN], path[PATH_LEN], d[PATH_LEN], f[PATH_LEN + 64], err[POLICY_ERR_MAX];
	char want[PATH_LEN + 192];
	struct policy p;
	struct stat st;

	ASSERT_EQ(stat("/bin/sh", &st), 0);
	fresh_dir(dir, sizeof(dir), "load_resolve");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	snprintf(d, sizeof(d), "%s/policy.d", dir);
	mkdir(d, 0755);
	ASSERT_EQ(WRITE_LIT(path, "mode enforce\nprotect /x audit\nallow exe /bin/sh\n"), 0);
	snprintf(f, sizeof(f), "%s/10-users.conf", d);
	ASSERT_EQ(WRITE_LIT(f, "revoke user root audit\nallow user 1001\n"), 0);
	ASSERT_EQ(policy_load(&p, path, NULL, 0, err, sizeof(err)), 0);
	ASSERT_EQ(p.mode, POLICY_ENFORCE);
	ASSERT_STREQ(p.mode_file, path);
	ASSERT_EQ(p.nrules, 4);
	ASSERT_EQ(p.rules[0].audit, 1);
	ASSERT_EQ(p.rules[1].dev, st.st_dev);
	ASSERT_EQ(p.rules[1].ino, st.st_ino);
	ASSERT_EQ(p.rules[2].kind, RULE_REVOKE_USER);
	ASSERT_EQ(p.rules[2].uid, 0);
	ASSERT_EQ(p.rules[2].audit, 1);
	ASSERT_STREQ(p.rules[2].file, f);
	ASSERT_EQ(p.rules[3].uid, 1001);
	policy_free(&p);

	ASSERT_EQ(WRITE_LIT(f, "allow user 1001\nrevoke user no_such_user_xyz\n"), 0);
	ASSERT_EQ(policy_load(&p, path, NULL, 0, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s:2: revoke user no_such_user_xyz: no such user "
		 "(for an account that is gone, write its numeric uid)", f);
	ASSERT_STREQ(err, want);
	ASSERT_EQ(p.nrules, 0);
	ASSERT_TRUE(p.rules == NULL);
	ASSERT_TRUE(p.mode_file == NULL);
	ASSERT_EQ(p.mode, POLICY_AUDIT);
	rm_rf(dir);
}

/* ---- policy_edit with allow, revoke, mode ---------------------------------- */

/* len bytes of s into out with \n, \r shown as such: one line in a FAIL message. */
static void escape_nl(char *out, size_t n, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 3 < n; i++) {
		if (s[i] == '\n' || s[i] == '\r') {
			out[o++] = '\\';
			out[o++] = s[i] == '\n' ? 'n' : 'r';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = 0;
}

#define NWORDS(...) (int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))
/* policy_edit(path, {words...}, add) into text/len, message into err (an array). */
#define EDIT(path, add, text, len, err, ...) \
	policy_edit(path, (const char *const[]){ __VA_ARGS__ }, NWORDS(__VA_ARGS__), add, \
		    text, len, err, sizeof(err))

/* Asserts that the edit succeeds and gives exactly the literal want. */
#define EXPECT_EDIT(path, add, want, ...) do { \
	char *_t = NULL, _e[POLICY_ERR_MAX]; \
	size_t _l = 0; \
	int _r = EDIT(path, add, &_t, &_l, _e, __VA_ARGS__); \
	if (_r) FAILF("edit failed (%d): %s", _r, _e); \
	if (_l != sizeof(want) - 1 || memcmp(_t, want, _l)) { \
		char _got[1024], _exp[1024]; \
		escape_nl(_got, sizeof(_got), _t, _l); \
		escape_nl(_exp, sizeof(_exp), want, sizeof(want) - 1); \
		free(_t); \
		FAILF("edit gave \"%s\", expected \"%s\"", _got, _exp); \
	} \
	free(_t); \
} while (0)

/* Asserts that the file at path holds exactly the literal want. */
#define EXPECT_FILE(path, want) do { \
	size_t _l; \
	char *_b = slurp(path, &_l); \
	int _same = _b && _l == sizeof(want) - 1 && !memcmp(_b, want, _l); \
	if (!_same) { \
		char _got[1024], _exp[1024]; \
		escape_nl(_got, sizeof(_got), _b ? _b : "(unreadable)", _b ? _l : 12); \
		escape_nl(_exp, sizeof(_exp), want, sizeof(want) - 1); \
		free(_b); \
		FAILF("%s holds \"%s\", expected \"%s\"", path, _got, _exp); \
	} \
	free(_b); \
} while (0)

static void edit_revoke_add_twice_one_line(void)
{
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX];
	char *text = NULL;
	size_t len = 0;

	fresh_dir(dir, sizeof(dir), "edit_revoke_twice");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, "mode enforce\nprotect /x\n"), 0);
	EXPECT_EDIT(path, true, "mode enforce\nprotect /x\nrevoke user alice\n", "revoke", "user", "alice");
	ASSERT_EQ(EDIT(path, true, &text, &len, err, "revoke", "user", "alice"), 0);
	ASSERT_EQ(policy_write(path, text, len, err, sizeof(err)), 0);
	free(text);
	/* again: still one line for it, at the end */
	EXPECT_EDIT(path, true, "mode enforce\nprotect /x\nrevoke user alice\n", "revoke", "user", "alice");
	/* with the audit flag: replaces the line without */
	EXPECT_EDIT(path, true, "mode enforce\nprotect /x\nrevoke user alice audit\n",
		    "revoke", "user", "alice", "audit");
	/* others' lines stay, also the protect /x one */
	EXPECT_EDIT(path, true, "mode enforce\nprotect /x\nrevoke user alice\nrevoke user bob\n",
		    "revoke", "user", "bob");
	EXPECT_EDIT(path, true, "mode enforce\nprotect /x\nrevoke user alice\nallow exe /usr/bin/crm\n",
		    "allow", "exe", "/usr/bin/crm");
	rm_rf(dir);
}

static void edit_revoke_del_also_audit_line(void)
{
	static const char orig[] =
		"# users\n"
		"revoke user alice audit\n"
		"revoke user bob\n"
		"revoke user \"alice\"   # again\n"
		"# revoke user alice\n"
		"revoke user alice2\n";
	char dir[DIR_LEN], path[PATH_LEN];

	fresh_dir(dir, sizeof(dir), "edit_revoke_del");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, orig), 0);
	EXPECT_EDIT(path, false, "# users\nrevoke user bob\n# revoke user alice\nrevoke user alice2\n",
		    "revoke", "user", "alice");
	/* with the flag given, the same */
	EXPECT_EDIT(path, false, "# users\nrevoke user bob\n# revoke user alice\nrevoke user alice2\n",
		    "revoke", "user", "alice", "audit");
	/* the file itself is not touched by policy_edit */
	EXPECT_FILE(path, orig);
	rm_rf(dir);
}

static void edit_allow_and_revoke_are_different_rules(void)
{
	static const char orig[] =
		"allow user alice\n"
		"revoke user alice\n"
		"allow exe /x\n"
		"protect /x\n";
	char dir[DIR_LEN], path[PATH_LEN];

	fresh_dir(dir, sizeof(dir), "edit_allow_revoke");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, orig), 0);
	EXPECT_EDIT(path, false, "allow user alice\nallow exe /x\nprotect /x\n", "revoke", "user", "alice");
	EXPECT_EDIT(path, false, "revoke user alice\nallow exe /x\nprotect /x\n", "allow", "user", "alice");
	EXPECT_EDIT(path, false, "allow user alice\nrevoke user alice\nprotect /x\n", "allow", "exe", "/x");
	EXPECT_EDIT(path, false, "allow user alice\nrevoke user alice\nallow exe /x\n", "protect", "/x");
	/* adding one keeps the other */
	EXPECT_EDIT(path, true, "revoke user alice\nallow exe /x\nprotect /x\nallow user alice\n",
		    "allow", "user", "alice");
	rm_rf(dir);
}

static void edit_mode_replaces_mode_line(void)
{
	static const char orig[] =
		"# crmguard policy\n"
		"mode audit   # for now\n"
		"protect /x\n"
		"# mode audit\n"
		"revoke user alice\n";
	static const char want[] =
		"# crmguard policy\n"
		"protect /x\n"
		"# mode audit\n"
		"revoke user alice\n"
		"mode enforce\n";
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX];
	struct policy p = { 0 };
	char *text = NULL;
	size_t len = 0;

	fresh_dir(dir, sizeof(dir), "edit_mode");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, orig), 0);
	EXPECT_EDIT(path, true, want, "mode", "enforce");
	ASSERT_EQ(EDIT(path, true, &text, &len, err, "mode", "enforce"), 0);
	ASSERT_EQ(policy_parse(&p, "x", text, len, err, sizeof(err)), 0);
	ASSERT_EQ(p.mode, POLICY_ENFORCE);
	ASSERT_EQ(p.mode_line, 5);
	policy_free(&p);
	ASSERT_EQ(policy_write(path, text, len, err, sizeof(err)), 0);
	free(text);
	EXPECT_FILE(path, want);
	/* and back: still exactly one mode line */
	EXPECT_EDIT(path, true, "# crmguard policy\nprotect /x\n# mode audit\nrevoke user alice\nmode audit\n",
		    "mode", "audit");
	/* a file without one gets one */
	ASSERT_EQ(WRITE_LIT(path, "protect /x\n"), 0);
	EXPECT_EDIT(path, true, "protect /x\nmode enforce\n", "mode", "enforce");
	rm_rf(dir);
}

static void edit_del_absent_rule_names_it(void)
{
	static const char orig[] = "revoke user bob\nallow user alice\n# revoke user alice\n";
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX], want[PATH_LEN + 128];
	char *text = (char *)"sentinel";
	size_t len = 0;

	fresh_dir(dir, sizeof(dir), "edit_del_absent_rule");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, orig), 0);
	ASSERT_EQ(EDIT(path, false, &text, &len, err, "revoke", "user", "alice"), -ENOENT);
	ASSERT_TRUE(text == NULL);
	snprintf(want, sizeof(want), "%s: no 'revoke user alice' line to remove", path);
	ASSERT_STREQ(err, want);
	text = (char *)"sentinel";
	ASSERT_EQ(EDIT(path, false, &text, &len, err, "allow", "exe", "/opt/crm app"), -ENOENT);
	ASSERT_TRUE(text == NULL);
	snprintf(want, sizeof(want), "%s: no 'allow exe \"/opt/crm app\"' line to remove", path);
	ASSERT_STREQ(err, want);
	EXPECT_FILE(path, orig);
	rm_rf(dir);
}

static void edit_word_with_newline_refused(void)
{
	static const char orig[] = "mode enforce\nrevoke user alice\n";
	char dir[DIR_LEN], path[PATH_LEN], err[POLICY_ERR_MAX];
	char *text;
	size_t len = 0;

	fresh_dir(dir, sizeof(dir), "edit_word_nl");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	ASSERT_EQ(WRITE_LIT(path, orig), 0);
	text = (char *)"sentinel";
	ASSERT_EQ(EDIT(path, true, &text, &len, err, "revoke", "user", "bob\nallow user bob"), -EINVAL);
	ASSERT_TRUE(text == NULL);
	ASSERT_STREQ(err, "'bob?allow user bob' has a control character (such as a newline); "
		     "crmguard cannot name it in a policy");
	text = (char *)"sentinel";
	ASSERT_EQ(EDIT(path, false, &text, &len, err, "revoke", "user", "alice\n"), -EINVAL);
	ASSERT_TRUE(text == NULL);
	ASSERT_STREQ(err, "'alice?' has a control character (such as a newline); "
		     "crmguard cannot name it in a policy");
	text = (char *)"sentinel";
	ASSERT_EQ(EDIT(path, true, &text, &len, err, "allow", "exe", "/usr/bin/crm\r"), -EINVAL);
	ASSERT_TRUE(text == NULL);
	text = (char *)"sentinel";
	ASSERT_EQ(EDIT(path, true, &text, &len, err, "mode\nprotect /evil", "enforce"), -EINVAL);
	ASSERT_TRUE(text == NULL);
	EXPECT_FILE(path, orig);
	rm_rf(dir);
}

int main(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%.200s/crmguard-test_policy.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}

	RUN(parse_comments_blank_crlf);
	RUN(parse_quoted_paths);
	RUN(parse_several_protect_no_final_newline);
	RUN(parse_empty_and_comment_only);
	RUN(parse_appends_and_mode_audit);
	RUN(parse_valid_utf8_path);
	RUN(parse_line_of_exactly_max_bytes);

	RUN(err_unknown_key_suggestion);
	RUN(err_unknown_key_no_match);
	RUN(err_protect_no_path);
	RUN(err_relative_path);
	RUN(err_too_many_words);
	RUN(err_unterminated_quote);
	RUN(err_text_after_quote);
	RUN(err_long_line);
	RUN(err_nul_byte);
	RUN(err_not_utf8);
	RUN(err_overlong_utf8);
	RUN(err_mode_unknown);
	RUN(parse_reads);
	RUN(parse_heartbeat);
	RUN(err_mode_twice);
	RUN(err_first_error_wins_and_small_buffer);

	RUN(load_policy_d_in_name_order);
	RUN(load_without_policy_d);
	RUN(load_error_in_policy_d_names_file);
	RUN(load_missing_file);
	RUN(load_directory_is_not_a_file);
	RUN(load_error_in_main_file);

	RUN(edit_add_path_with_space);
	RUN(edit_add_roundtrips);
	RUN(edit_add_no_final_newline_and_duplicate);
	RUN(edit_add_invalid_target);
	RUN(edit_add_target_with_newline);
	RUN(edit_del_keeps_other_lines);
	RUN(edit_del_quoted_path_with_space);
	RUN(edit_del_absent_leaves_file);
	RUN(edit_missing_file);
	RUN(write_keeps_mode);
	RUN(write_into_missing_dir_fails);
	RUN(write_failure_keeps_file_and_fds);

	RUN(parse_mode_enforce);
	RUN(parse_protect_audit_flag);
	RUN(parse_allow_and_revoke);
	RUN(err_allow_revoke);
	RUN(err_allow_user_missing_example);
	RUN(err_allow_too_many_no_audit_offer);

	RUN(resolve_exe_bin_sh);
	RUN(resolve_exe_sqlite3_not_interpreter);
	RUN(resolve_exe_interpreter_names);
	RUN(resolve_exe_link_to_interpreter);
	RUN(resolve_exe_not_executable);
	RUN(resolve_exe_missing);
	RUN(missing_text_protect);
	RUN(resolve_users);
	RUN(resolve_user_numeric_out_of_range);
	RUN(resolve_user_missing);
	RUN(load_resolves_rules);

	RUN(edit_revoke_add_twice_one_line);
	RUN(edit_revoke_del_also_audit_line);
	RUN(edit_allow_and_revoke_are_different_rules);
	RUN(edit_mode_replaces_mode_line);
	RUN(edit_del_absent_rule_names_it);
	RUN(edit_word_with_newline_refused);

	rm_rf(tmpdir);
	return test_failed != 0;
}
