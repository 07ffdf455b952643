/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny test harness: each TEST prints `name:PASS` or `name:FAIL:why`;
 * tests/run counts those lines. ASSERT_* return from the test on failure
 * and print the values they compared.
 */
#ifndef CRMGUARD_TEST_ASSERT_H
#define CRMGUARD_TEST_ASSERT_H

#include <stdio.h>
#include <string.h>

static int test_failed;

#define FAILF(fmt, ...) do { \
	printf("%s:FAIL:%s:%d: " fmt "\n", __func__, __FILE__, __LINE__, __VA_ARGS__); \
	test_failed++; \
	return; \
} while (0)

#define ASSERT_TRUE(c) do { if (!(c)) FAILF("%s is false", #c); } while (0)
#define ASSERT_EQ(a, b) do { \
	long long _a = (a), _b = (b); \
	if (_a != _b) FAILF("%s == %lld, expected %lld", #a, _a, _b); \
} while (0)
#define ASSERT_STREQ(a, b) do { \
	const char *_a = (a), *_b = (b); \
	if (!_a || strcmp(_a, _b)) FAILF("%s is \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b); \
} while (0)
#define ASSERT_CONTAINS(hay, needle) do { \
	const char *_h = (hay), *_n = (needle); \
	if (!_h || !strstr(_h, _n)) FAILF("%s is \"%s\", expected it to contain \"%s\"", #hay, _h ? _h : "(null)", _n); \
} while (0)

#define RUN(test) do { \
	int _before = test_failed; \
	test(); \
	if (test_failed == _before) printf("%s:PASS\n", #test); \
} while (0)

#endif
