// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for `mode enforce locked` (ctl/lib/policy.c): the line, every
 * refusal with its exact message, and `ctlx lock`'s edit of the file
 * (policy_edit with mode enforce locked), which replaces the mode line.
 */
#include <stdlib.h>
#include <unistd.h>
#include "ctl/lib/policy.h"
#include "assert.h"

#define FILE_NAME "pol.conf"
#include "policy_parse.h"

static void test_locked_line(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "protect /x\nmode enforce locked\n", err), 0);
	ASSERT_EQ(p.mode, POLICY_ENFORCE);
	ASSERT_TRUE(p.locked);
	ASSERT_EQ(p.mode_line, 2);
	policy_free(&p);
	ASSERT_EQ(PARSE(&p, "mode enforce\n", err), 0);
	ASSERT_TRUE(!p.locked);
	policy_free(&p);
	ASSERT_EQ(PARSE(&p, "protect /x\n", err), 0);
	ASSERT_TRUE(!p.locked);
	policy_free(&p);
}

static void test_locked_errors(void)
{
	EXPECT_ERROR("mode audit locked\n", FILE_NAME ":1: mode audit cannot be locked: a locked "
		     "policy enforces (mode enforce locked)");
	EXPECT_ERROR("mode enforce lock\n", FILE_NAME ":1: unknown word 'lock' after mode enforce "
		     "(only 'locked': mode enforce locked)");
	EXPECT_ERROR("mode locked\n", FILE_NAME ":1: unknown mode 'locked' (modes: audit, enforce)");
	EXPECT_ERROR("mode enforce locked now\n", FILE_NAME ":1: mode takes one word, or two: "
		     "mode audit, mode enforce, or mode enforce locked");
	EXPECT_ERROR("mode enforce\nmode enforce locked\n", FILE_NAME ":2: mode is set twice "
		     "(first at " FILE_NAME ":1); keep one 'mode' line");
}

/* ctlx lock writes `mode enforce locked` in place of the mode line. */
static void test_lock_edit(void)
{
	const char *words[] = { "mode", "enforce", "locked" };
	char dir[] = "/tmp/crmguard-test-lock-XXXXXX", path[64], err[POLICY_ERR_MAX];
	static const char before[] = "mode audit\nprotect /x\n";
	static const char want[] = "protect /x\nmode enforce locked\n";
	char *text = NULL, got[128];
	size_t len = 0;
	FILE *f;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	f = fopen(path, "w");
	ASSERT_TRUE(f && fwrite(before, 1, sizeof(before) - 1, f) == sizeof(before) - 1);
	fclose(f);
	ASSERT_EQ(policy_edit(path, words, 3, true, &text, &len, err, sizeof(err)), 0);
	unlink(path);
	rmdir(dir);
	snprintf(got, sizeof(got), "%.*s", (int)len, text ? text : "");
	free(text);
	ASSERT_STREQ(got, want);
}

int main(void)
{
	RUN(test_locked_line);
	RUN(test_locked_errors);
	RUN(test_lock_edit);
	return test_failed != 0;
}
