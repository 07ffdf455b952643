// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the taint and clipboard keys (ctl/lib/policy_taint.c),
 * through policy_parse as crmguardd, ctlx and the fuzzer reach them:
 * good lines, every refusal with its exact message, and the exclusions.
 */
#include "ctl/lib/policy.h"
#include "assert.h"

#define FILE_NAME "pol.conf"
#include "policy_parse.h"

static void test_taint_defaults(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "protect /var/lib/crm\n", err), 0);
	ASSERT_TRUE(!p.taint.files);
	ASSERT_EQ(p.taint.clipboard, CLIPBOARD_AUDIT);
	ASSERT_EQ(p.taint.nexclude, 0);
	ASSERT_EQ(p.taint.nclip_allow, 0);
	policy_free(&p);
}

static void test_taint_keys(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "taint files yes\ntaint exclude /var/log/crm\n"
			"taint exclude \"/var/cache/crm app\"\nclipboard block\n"
			"clipboard allow exe /usr/bin/crm-gui\n", err), 0);
	ASSERT_TRUE(p.taint.files);
	ASSERT_EQ(p.taint.files_line, 1);
	ASSERT_EQ(p.taint.clipboard, CLIPBOARD_BLOCK);
	ASSERT_EQ(p.taint.clipboard_line, 4);
	ASSERT_EQ(p.taint.nexclude, 2);
	ASSERT_STREQ(p.taint.exclude[1], "/var/cache/crm app");
	ASSERT_EQ(p.taint.nclip_allow, 1);
	ASSERT_STREQ(p.taint.clip_allow[0], "/usr/bin/crm-gui");
	ASSERT_EQ(p.nrules, 0);
	ASSERT_STREQ(clipboard_mode_name(p.taint.clipboard), "block");
	policy_free(&p);
	ASSERT_EQ(PARSE(&p, "taint files no\nclipboard audit\n", err), 0);
	ASSERT_TRUE(!p.taint.files && p.taint.clipboard == CLIPBOARD_AUDIT);
	policy_free(&p);
}

static void test_taint_errors(void)
{
	EXPECT_ERROR("taint\n", FILE_NAME ":1: taint takes 'files yes|no' or 'exclude PATH' "
		     "(for example: taint files yes)");
	EXPECT_ERROR("taint file yes\n", FILE_NAME ":1: taint takes 'files yes|no' or "
		     "'exclude PATH' (for example: taint files yes)");
	EXPECT_ERROR("taint files maybe\n", FILE_NAME ":1: taint files takes one word: "
		     "taint files yes, or taint files no");
	EXPECT_ERROR("taint files\n", FILE_NAME ":1: taint files takes one word: "
		     "taint files yes, or taint files no");
	EXPECT_ERROR("taint files yes\n\ntaint files no\n", FILE_NAME ":3: taint files is set "
		     "twice (first at " FILE_NAME ":1); keep one 'taint files' line");
	EXPECT_ERROR("taint exclude\n", FILE_NAME ":1: taint exclude: missing path "
		     "(for example: taint exclude /var/log/crm)");
	EXPECT_ERROR("taint exclude \"\"\n", FILE_NAME ":1: taint exclude: missing path "
		     "(for example: taint exclude /var/log/crm)");
	EXPECT_ERROR("taint exclude var/log\n", FILE_NAME ":1: taint exclude: 'var/log' is "
		     "not an absolute path");
	EXPECT_ERROR("taint exclude /a /b\n", FILE_NAME ":1: taint exclude takes one path "
		     "(quote a path with spaces: taint exclude \"/srv/crm data\")");
	EXPECT_ERROR("tiant files yes\n", FILE_NAME ":1: unknown key 'tiant' (did you mean 'taint'?)");
}

static void test_clipboard_errors(void)
{
	EXPECT_ERROR("clipboard\n", FILE_NAME ":1: clipboard takes 'audit', 'block' or "
		     "'allow exe PATH' (for example: clipboard block)");
	EXPECT_ERROR("clipboard deny\n", FILE_NAME ":1: clipboard takes 'audit', 'block' or "
		     "'allow exe PATH' (for example: clipboard block)");
	EXPECT_ERROR("clipboard block\nclipboard audit\n", FILE_NAME ":2: clipboard is set "
		     "twice (first at " FILE_NAME ":1); keep one 'clipboard' line");
	EXPECT_ERROR("clipboard allow user bob\n", FILE_NAME ":1: clipboard allow takes "
		     "'exe PATH' (for example: clipboard allow exe /usr/bin/crm-gui)");
	EXPECT_ERROR("clipboard allow exe\n", FILE_NAME ":1: clipboard allow exe: missing path "
		     "(for example: clipboard allow exe /usr/bin/crm-gui)");
	EXPECT_ERROR("clipboard allow exe crm\n", FILE_NAME ":1: clipboard allow exe: 'crm' "
		     "is not an absolute path");
	EXPECT_ERROR("clipboard allow exe /a b\n", FILE_NAME ":1: too many words (quote a path "
		     "with spaces: protect \"/srv/crm data\")");
	EXPECT_ERROR("clipbaord block\n", FILE_NAME ":1: unknown key 'clipbaord' "
		     "(did you mean 'clipboard'?)");
}

static void test_taint_excluded(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "taint exclude /var/log/crm/\ntaint exclude /tmp/x.csv\n", err), 0);
	ASSERT_TRUE(policy_taint_excluded(&p.taint, "/var/log/crm"));
	ASSERT_TRUE(policy_taint_excluded(&p.taint, "/var/log/crm/a.log"));
	ASSERT_TRUE(!policy_taint_excluded(&p.taint, "/var/log/crmx/a.log"));
	ASSERT_TRUE(policy_taint_excluded(&p.taint, "/tmp/x.csv"));
	ASSERT_TRUE(!policy_taint_excluded(&p.taint, "/tmp/x.csv2"));
	ASSERT_TRUE(!policy_taint_excluded(&p.taint, "/tmp"));
	policy_free(&p);
}

int main(void)
{
	RUN(test_taint_defaults);
	RUN(test_taint_keys);
	RUN(test_taint_errors);
	RUN(test_clipboard_errors);
	RUN(test_taint_excluded);
	return test_failed != 0;
}
