// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the policy's `usb` lines (ctl/lib/policy_usb.c) through
 * policy_parse: the default, allow/block rules with serial and readonly,
 * first match wins, exact error messages, and policy_edit of usb lines.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "ctl/lib/policy.h"
#include "assert.h"

#define FILE_NAME "pol.conf"
#include "policy_parse.h"

static void usb_absent_leaves_usb_alone(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(PARSE(&p, "mode enforce\nprotect /crm\n", err), 0);
	ASSERT_TRUE(!p.usb.managed);
	ASSERT_EQ(p.usb.nrules, 0);
	policy_free(&p);
}

static void usb_rules_parse(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];
	const struct usb_rule *r;

	ASSERT_EQ(PARSE(&p, "usb default readonly\n"
			    "usb allow 46F4:0001 serial \"CRM 0042\"\n"
			    "usb allow 0781:5581 serial 4C53 readonly\n"
			    "usb block 0781:5581\n"
			    "usb allow 1234:abcd readonly serial x\n", err), 0);
	ASSERT_TRUE(p.usb.managed);
	ASSERT_EQ(p.usb.def, USB_READONLY);
	ASSERT_EQ(p.usb.def_line, 1);
	ASSERT_EQ(p.usb.nrules, 4);
	ASSERT_EQ(p.nrules, 0);
	r = &p.usb.rules[0];
	ASSERT_EQ(r->verdict, USB_ALLOW);
	ASSERT_EQ(r->vid, 0x46f4);
	ASSERT_EQ(r->pid, 1);
	ASSERT_STREQ(r->serial, "CRM 0042");
	ASSERT_STREQ(r->file, FILE_NAME);
	ASSERT_EQ(r->line, 2);
	ASSERT_EQ(p.usb.rules[1].verdict, USB_READONLY);
	ASSERT_EQ(p.usb.rules[2].verdict, USB_BLOCK);
	ASSERT_TRUE(p.usb.rules[2].serial == NULL);
	ASSERT_EQ(p.usb.rules[3].verdict, USB_READONLY);
	ASSERT_STREQ(p.usb.rules[3].serial, "x");
	policy_free(&p);
	ASSERT_TRUE(!p.usb.managed && !p.usb.rules);
}

/* Rules and no `usb default`: what they do not name is blocked. */
static void usb_default_is_block(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX];
	struct usb_match m;

	ASSERT_EQ(PARSE(&p, "usb allow 46f4:0001 serial A\n", err), 0);
	m = policy_usb_match(&p.usb, 0x46f4, 1, "B");
	ASSERT_EQ(m.verdict, USB_BLOCK);
	ASSERT_EQ(m.rule, -1);
	policy_free(&p);
}

static void usb_first_match_wins(void)
{
	struct policy p;
	char err[POLICY_ERR_MAX], label[128];
	struct usb_match m;

	ASSERT_EQ(PARSE(&p, "usb default allow\n"
			    "usb allow 46f4:0001 serial GOOD\n"
			    "usb block 46f4:0001\n"
			    "usb allow 46f4:0001 serial BAD\n", err), 0);
	m = policy_usb_match(&p.usb, 0x46f4, 1, "GOOD");
	ASSERT_EQ(m.verdict, USB_ALLOW);
	ASSERT_EQ(m.rule, 0);
	ASSERT_STREQ(policy_usb_label(&p.usb, m.rule, label, sizeof(label)), "usb-allow:46f4:0001:GOOD");
	/* the block comes first: the later allow never matches */
	m = policy_usb_match(&p.usb, 0x46f4, 1, "BAD");
	ASSERT_EQ(m.verdict, USB_BLOCK);
	ASSERT_EQ(m.rule, 1);
	ASSERT_STREQ(policy_usb_label(&p.usb, m.rule, label, sizeof(label)), "usb-block:46f4:0001");
	/* no serial at all: only rules without one match */
	m = policy_usb_match(&p.usb, 0x46f4, 1, NULL);
	ASSERT_EQ(m.rule, 1);
	/* a serial that is a prefix of the rule's is another serial */
	m = policy_usb_match(&p.usb, 0x46f4, 1, "GOO");
	ASSERT_EQ(m.rule, 1);
	/* the last rule can never decide; the first two can */
	ASSERT_EQ(policy_usb_shadowed_by(&p.usb, 2), 1);
	ASSERT_EQ(policy_usb_shadowed_by(&p.usb, 1), -1);
	ASSERT_EQ(policy_usb_shadowed_by(&p.usb, 0), -1);
	/* another model: the default */
	m = policy_usb_match(&p.usb, 0x46f4, 2, "GOOD");
	ASSERT_EQ(m.verdict, USB_ALLOW);
	ASSERT_EQ(m.rule, -1);
	ASSERT_STREQ(policy_usb_label(&p.usb, -1, label, sizeof(label)), "usb-default:allow");
	policy_free(&p);
}

static void usb_errors(void)
{
	EXPECT_ERROR("usb\n", FILE_NAME ":1: usb takes default, allow or block (for example: usb default block)");
	EXPECT_ERROR("usb alow 46f4:0001\n", FILE_NAME ":1: usb: unknown word 'alow' (did you mean 'allow'?)");
	EXPECT_ERROR("usb permit 46f4:0001\n",
		     FILE_NAME ":1: usb: unknown word 'permit' (usb takes default, allow or block)");
	EXPECT_ERROR("usb default\n", FILE_NAME ":1: usb default takes one word: block, readonly or allow");
	EXPECT_ERROR("usb default blok\n",
		     FILE_NAME ":1: usb default: unknown verdict 'blok' (did you mean 'block'?)");
	EXPECT_ERROR("usb default deny\n",
		     FILE_NAME ":1: usb default: unknown verdict 'deny' (verdicts: block, readonly, allow)");
	EXPECT_ERROR("usb default block\n\nusb default allow\n",
		     FILE_NAME ":3: usb default is set twice (first at " FILE_NAME ":1); keep one 'usb default' line");
	EXPECT_ERROR("usb allow\n",
		     FILE_NAME ":1: usb allow: missing VID:PID (for example: usb allow 46f4:0001 serial CRM-0042)");
	EXPECT_ERROR("usb block 46f4-0001\n",
		     FILE_NAME ":1: usb block: '46f4-0001' is not VID:PID (four hex digits each, for example 46f4:0001; ctlx usb list shows them)");
	EXPECT_ERROR("usb allow 46f4:001\n",
		     FILE_NAME ":1: usb allow: '46f4:001' is not VID:PID (four hex digits each, for example 46f4:0001; ctlx usb list shows them)");
	EXPECT_ERROR("usb allow 46g4:0001\n",
		     FILE_NAME ":1: usb allow: '46g4:0001' is not VID:PID (four hex digits each, for example 46f4:0001; ctlx usb list shows them)");
	EXPECT_ERROR("usb allow 46f4:0001 serial\n",
		     FILE_NAME ":1: usb allow: 'serial' needs a value (for example: serial CRM-0042)");
	EXPECT_ERROR("usb allow 46f4:0001 serial \"\"\n",
		     FILE_NAME ":1: usb allow: empty serial (write 'serial' only with a value; ctlx usb list shows it)");
	EXPECT_ERROR("usb allow 46f4:0001 serial \"a\tb\"\n",
		     FILE_NAME ":1: usb allow: serial has a control character at byte 2; no rule can name it");
	EXPECT_ERROR("usb allow 46f4:0001 serial a serial\n",
		     FILE_NAME ":1: usb allow: serial is given twice");
	EXPECT_ERROR("usb allow 46f4:0001 readonly readonly\n",
		     FILE_NAME ":1: usb allow: readonly is given twice");
	EXPECT_ERROR("usb block 46f4:0001 readonly\n",
		     FILE_NAME ":1: usb block: 'readonly' goes on allow rules only (usb allow VID:PID readonly)");
	EXPECT_ERROR("usb allow 46f4:0001 serail X\n",
		     FILE_NAME ":1: usb allow: unknown word 'serail' (did you mean 'serial'?)");
	EXPECT_ERROR("usb block 46f4:0001 sticky\n",
		     FILE_NAME ":1: usb block: unknown word 'sticky' (after VID:PID: serial SERIAL)");
	EXPECT_ERROR("usb allow 46f4:0001 serial a readonly extra\n",
		     FILE_NAME ":1: too many words (quote a path with spaces: protect \"/srv/crm data\")");
	EXPECT_ERROR("ubs default block\n", FILE_NAME ":1: unknown key 'ubs' (did you mean 'usb'?)");
	/* only usb lines take six words */
	EXPECT_ERROR("protect /a /b /c /d\n",
		     FILE_NAME ":1: too many words (quote a path with spaces: protect \"/srv/crm data\")");
}

/* A serial of the longest kind is taken; one byte more is refused. */
static void usb_serial_length(void)
{
	char text[USB_SERIAL_MAX + 64], err[POLICY_ERR_MAX];
	struct policy p;
	int n;

	n = snprintf(text, sizeof(text), "usb allow 46f4:0001 serial ");
	memset(text + n, 'S', USB_SERIAL_MAX);
	strcpy(text + n + USB_SERIAL_MAX, "\n");
	ASSERT_EQ(parse(&p, text, strlen(text), err), 0);
	ASSERT_EQ(strlen(p.usb.rules[0].serial), USB_SERIAL_MAX);
	policy_free(&p);
	strcpy(text + n + USB_SERIAL_MAX, "S\n");
	ASSERT_EQ(parse(&p, text, strlen(text), err), -EINVAL);
	ASSERT_CONTAINS(err, ":1: usb allow: serial is longer than 384 bytes");
	policy_free(&p);
}

/* ctlx usb allow|block: a new verdict for a device replaces its old line. */
static void usb_edit_replaces_same_device(void)
{
	char path[] = "/tmp/crmguard-test_policy_usb.XXXXXX", err[POLICY_ERR_MAX];
	const char *block[] = { "usb", "block", "46f4:0001", "serial", "S1" };
	const char *def[] = { "usb", "default", "allow" };
	const char *text = "usb default block\nusb allow 46f4:0001 serial S1\nusb allow 46f4:0001 serial S2\n";
	char *out = NULL;
	size_t len;
	int fd = mkstemp(path);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
	close(fd);
	ASSERT_EQ(policy_edit(path, block, 5, true, &out, &len, err, sizeof(err)), 0);
	ASSERT_STREQ(out, "usb default block\nusb allow 46f4:0001 serial S2\nusb block 46f4:0001 serial S1\n");
	ASSERT_EQ(policy_write(path, out, len, err, sizeof(err)), 0);
	free(out);
	ASSERT_EQ(policy_edit(path, def, 3, true, &out, &len, err, sizeof(err)), 0);
	ASSERT_STREQ(out, "usb allow 46f4:0001 serial S2\nusb block 46f4:0001 serial S1\nusb default allow\n");
	free(out);
	/* a rule that is not there cannot be removed */
	block[4] = "S3";
	ASSERT_EQ(policy_edit(path, block, 5, false, &out, &len, err, sizeof(err)), -ENOENT);
	ASSERT_CONTAINS(err, "no 'usb block 46f4:0001 serial S3' line to remove");
	unlink(path);
}

int main(void)
{
	RUN(usb_absent_leaves_usb_alone);
	RUN(usb_rules_parse);
	RUN(usb_default_is_block);
	RUN(usb_first_match_wins);
	RUN(usb_errors);
	RUN(usb_serial_length);
	RUN(usb_edit_replaces_same_device);
	return test_failed != 0;
}
