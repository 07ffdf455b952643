/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the policy parser's tests: parse a string literal into a fresh
 * policy, and check the exact error a bad one gets. Include after
 * ctl/lib/policy.h and assert.h, with FILE_NAME defined.
 */
#ifndef CRMGUARD_TEST_POLICY_PARSE_H
#define CRMGUARD_TEST_POLICY_PARSE_H

#include <errno.h>

/* policy_parse on len bytes of text (may hold NUL bytes) into a fresh p. */
static int parse(struct policy *p, const char *text, size_t len, char *err)
{
	memset(p, 0, sizeof(*p));
	err[0] = 0;
	return policy_parse(p, FILE_NAME, text, len, err, POLICY_ERR_MAX);
}

#define PARSE(p, lit, err) parse(p, lit, sizeof(lit) - 1, err)

/* The error policy_parse gives for the string literal lit (must fail). */
#define EXPECT_ERROR(lit, want) do { \
	struct policy _p; \
	char _err[POLICY_ERR_MAX]; \
	int _ret = PARSE(&_p, lit, _err); \
	policy_free(&_p); \
	ASSERT_EQ(_ret, -EINVAL); \
	ASSERT_STREQ(_err, want); \
} while (0)

#endif
