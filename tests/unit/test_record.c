// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/record.c (record lines, quoting, truncation) and
 * json_str from ctl/ctlproto.c. Lines are checked byte for byte, and also
 * read back with tests/unit/recparse.h, a reader that knows nothing of
 * record.c, to make sure no value can end early or forge a field.
 */
#include <limits.h>
#include <stdlib.h>
#include "ctl/lib/ctlproto.h"
#include "ctl/lib/record.h"
#include "assert.h"
#include "jsoncheck.h"
#include "recparse.h"

static struct recfield fields[64];

/* A record `event=t KEY=<val>` with val given as n bytes. */
static const char *one(struct record *r, const char *key, const char *val, size_t n)
{
	record_init(r, "t");
	record_bytes(r, key, val, n);
	return record_line(r);
}

#define ONE_LIT(r, lit) one(r, "k", lit, sizeof(lit) - 1)

/* The line read back must have exactly `event` and `k`, k decoding to val. */
#define ASSERT_ROUNDTRIP(r, want_val, want_n) do { \
	const char *_why; \
	int _nf = recparse((r)->buf, (r)->len, fields, 64, &_why); \
	if (_nf < 0) FAILF("line does not read back: %s", _why); \
	ASSERT_EQ(_nf, 2); \
	ASSERT_STREQ(fields[0].key, "event"); \
	ASSERT_STREQ(fields[1].key, "k"); \
	ASSERT_EQ(fields[1].vlen, (want_n)); \
	ASSERT_TRUE(memcmp(fields[1].val, (want_val), (want_n)) == 0); \
} while (0)

/* Expects `event=t k=<want>` for the literal value lit, and a clean read back. */
#define EXPECT_VALUE(lit, want) do { \
	struct record _r; \
	const char *_line = ONE_LIT(&_r, lit); \
	ASSERT_STREQ(_line, "event=t k=" want); \
	ASSERT_EQ(strlen(_line), _r.len); \
	ASSERT_ROUNDTRIP(&_r, lit, sizeof(lit) - 1); \
} while (0)

/* ---- formatting --------------------------------------------------------- */

static void record_bare_values(void)
{
	struct record r;

	record_init(&r, "open");
	record_str(&r, "verdict", "audit");
	record_str(&r, "path", "/var/lib/crm/clients.db");
	record_str(&r, "comm", "bash");
	record_str(&r, "odd", "a._-/:,+@%~Z9");
	ASSERT_STREQ(record_line(&r),
		     "event=open verdict=audit path=/var/lib/crm/clients.db comm=bash odd=a._-/:,+@%~Z9");
	ASSERT_EQ(r.len, strlen(r.buf));
}

static void record_empty_and_null(void)
{
	struct record r;

	record_init(&r, "x");
	record_str(&r, "a", "");
	record_str(&r, "b", NULL);
	record_bytes(&r, "c", "ignored", 0);
	ASSERT_STREQ(record_line(&r), "event=x a=\"\" b=\"\" c=\"\"");
}

static void record_spaces_quotes_backslashes(void)
{
	EXPECT_VALUE("/srv/crm data", "\"/srv/crm data\"");
	EXPECT_VALUE("say \"hi\"", "\"say \\\"hi\\\"\"");
	EXPECT_VALUE("C:\\dir\\", "\"C:\\\\dir\\\\\"");
	EXPECT_VALUE("a=b", "\"a=b\"");
	EXPECT_VALUE("#x", "\"#x\"");
	EXPECT_VALUE("'", "\"'\"");
}

static void record_newlines_tabs(void)
{
	EXPECT_VALUE("a\nb", "\"a\\nb\"");
	EXPECT_VALUE("a\tb", "\"a\\tb\"");
	EXPECT_VALUE("\r\n", "\"\\x0d\\n\"");
	EXPECT_VALUE("x\nevent=forged", "\"x\\nevent=forged\"");
}

static void record_control_bytes(void)
{
	EXPECT_VALUE("\x01", "\"\\x01\"");
	EXPECT_VALUE("\x1b[31mred", "\"\\x1b[31mred\"");
	EXPECT_VALUE("del\x7f", "\"del\\x7f\"");
	EXPECT_VALUE("\x1f\x08", "\"\\x1f\\x08\"");
	/* NUL inside a value that also needs quotes */
	EXPECT_VALUE("a b\0c", "\"a b\\x00c\"");
}

/* A NUL byte in an otherwise bare value must be escaped, not copied raw. */
static void record_nul_in_bare_value(void)
{
	struct record r;

	one(&r, "k", "ab\0cd", 5);
	if (r.len != strlen(r.buf))
		FAILF("raw NUL in the record: the line reads as \"%s\" (%zu bytes) but has %zu",
		      r.buf, strlen(r.buf), r.len);
	ASSERT_STREQ(r.buf, "event=t k=\"ab\\x00cd\"");
}

static void record_invalid_utf8(void)
{
	EXPECT_VALUE("\xff", "\"\\xff\"");
	EXPECT_VALUE("/a\xfe\xff", "\"/a\\xfe\\xff\"");
	EXPECT_VALUE("caf\xe9", "\"caf\\xe9\"");		/* Latin-1 */
	EXPECT_VALUE("\x80x", "\"\\x80x\"");		/* lone continuation */
	EXPECT_VALUE("a\xc3", "\"a\\xc3\"");		/* cut at the end */
	EXPECT_VALUE("\xe2\x82x", "\"\\xe2\\x82x\"");	/* cut by ASCII */
	EXPECT_VALUE("\xc0\xaf", "\"\\xc0\\xaf\"");	/* overlong '/' */
	EXPECT_VALUE("\xe0\x80\xaf", "\"\\xe0\\x80\\xaf\"");
	EXPECT_VALUE("\xed\xa0\x80", "\"\\xed\\xa0\\x80\"");	/* surrogate */
	EXPECT_VALUE("\xf4\x90\x80\x80", "\"\\xf4\\x90\\x80\\x80\"");	/* > U+10FFFF */
}

static void record_valid_utf8_kept(void)
{
	EXPECT_VALUE("/données", "\"/données\"");
	EXPECT_VALUE("日本語", "\"日本語\"");
	EXPECT_VALUE("😀 x", "\"😀 x\"");
	EXPECT_VALUE("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF */
	EXPECT_VALUE("\xc2\x80", "\"\xc2\x80\"");	/* U+0080 */
	/* valid then invalid */
	EXPECT_VALUE("é\xff", "\"é\\xff\"");
}

static void record_forged_field(void)
{
	static const char evil[] = "/x\" verdict=allow rule=\"";
	struct record r;
	const char *why;
	int n;

	record_init(&r, "open");
	record_str(&r, "verdict", "audit");
	record_str(&r, "path", evil);
	record_str(&r, "comm", "cat");
	ASSERT_STREQ(record_line(&r),
		     "event=open verdict=audit path=\"/x\\\" verdict=allow rule=\\\"\" comm=cat");
	n = recparse(r.buf, r.len, fields, 64, &why);
	if (n < 0)
		FAILF("line does not read back: %s", why);
	ASSERT_EQ(n, 4);
	ASSERT_STREQ(fields[0].key, "event");
	ASSERT_STREQ(fields[1].key, "verdict");
	ASSERT_STREQ(fields[1].val, "audit");
	ASSERT_STREQ(fields[2].key, "path");
	ASSERT_STREQ(fields[2].val, evil);
	ASSERT_STREQ(fields[3].key, "comm");
	ASSERT_STREQ(fields[3].val, "cat");
}

static void record_forged_field_backslash(void)
{
	/* a value ending in a backslash must not escape its closing quote */
	static const char *const evil[] = {
		"/x\\", "/x\\\\\"", "/x\\\" verdict=allow", "x\\\nverdict=allow", "\" x=\"",
	};
	size_t i;

	for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		struct record r;
		const char *why;
		int n;

		record_init(&r, "open");
		record_str(&r, "path", evil[i]);
		record_str(&r, "verdict", "audit");
		record_line(&r);
		n = recparse(r.buf, r.len, fields, 64, &why);
		if (n < 0)
			FAILF("value #%zu: line does not read back: %s: %s", i, why, r.buf);
		ASSERT_EQ(n, 3);
		ASSERT_STREQ(fields[1].key, "path");
		ASSERT_STREQ(fields[1].val, evil[i]);
		ASSERT_STREQ(fields[2].key, "verdict");
		ASSERT_STREQ(fields[2].val, "audit");
	}
}

/* ---- truncation --------------------------------------------------------- */

static void record_long_value_truncated(void)
{
	static char big[RECORD_MAX * 2];
	struct record r;
	const char *line, *why;
	int n;

	memset(big, 'a', sizeof(big) - 1);
	record_init(&r, "open");
	record_str(&r, "verdict", "audit");
	record_str(&r, "path", big);
	record_str(&r, "after", "x");	/* who did it still gets in after a huge path */
	line = record_line(&r);
	ASSERT_STREQ(line, "event=open verdict=audit after=x truncated=1");
	ASSERT_EQ(r.len, strlen(line));
	n = recparse(r.buf, r.len, fields, 64, &why);
	ASSERT_EQ(n, 4);
	ASSERT_STREQ(fields[3].key, "truncated");
	ASSERT_STREQ(fields[3].val, "1");
	/* record_line again gives the same line, with one truncated=1 */
	ASSERT_STREQ(record_line(&r), "event=open verdict=audit after=x truncated=1");
}

static void record_quoted_value_grows_past_end(void)
{
	/* 2500 control bytes are 10000 bytes once escaped */
	static char ctl[2500];
	struct record r;

	memset(ctl, 0x01, sizeof(ctl));
	record_init(&r, "open");
	record_bytes(&r, "path", ctl, sizeof(ctl));
	ASSERT_STREQ(record_line(&r), "event=open truncated=1");
}

static void record_many_fields_no_half_field(void)
{
	char val[101], key[16];
	struct record r;
	const char *line, *why;
	int i, n;

	memset(val, 'v', 100);
	val[100] = 0;
	record_init(&r, "open");
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "f%d", i);
		record_str(&r, key, val);
	}
	line = record_line(&r);
	ASSERT_TRUE(r.len < RECORD_MAX);
	ASSERT_EQ(strlen(line), r.len);
	/* more than 64 fields: read with a bigger table */
	{
		static struct recfield many[256];

		n = recparse(r.buf, r.len, many, 256, &why);
		if (n < 0)
			FAILF("line does not read back: %s", why);
		ASSERT_TRUE(n > 50 && n < 201);
		ASSERT_STREQ(many[0].key, "event");
		for (i = 1; i < n - 1; i++) {
			snprintf(key, sizeof(key), "f%d", i - 1);
			ASSERT_STREQ(many[i].key, key);
			ASSERT_STREQ(many[i].val, val);
		}
		ASSERT_STREQ(many[n - 1].key, "truncated");
		ASSERT_STREQ(many[n - 1].val, "1");
	}
}

static void record_fits_exactly_or_not(void)
{
	static char big[RECORD_MAX];
	struct record r;
	size_t fit = 0, lo = 0, hi = sizeof(big) - 1;

	/* find the longest bare value that still fits, by bisection */
	memset(big, 'a', sizeof(big) - 1);
	while (lo <= hi) {
		size_t mid = (lo + hi) / 2;

		one(&r, "k", big, mid);
		if (strstr(r.buf, "truncated=1")) {
			hi = mid - 1;
		} else {
			fit = mid;
			lo = mid + 1;
		}
	}
	ASSERT_TRUE(fit > RECORD_MAX - 100);
	one(&r, "k", big, fit);
	ASSERT_EQ(r.len, strlen("event=t k=") + fit);
	ASSERT_TRUE(r.len < RECORD_MAX);
	ASSERT_ROUNDTRIP(&r, big, fit);
	one(&r, "k", big, fit + 1);
	ASSERT_STREQ(r.buf, "event=t truncated=1");
}

/* ---- numbers ------------------------------------------------------------ */

static void record_numbers(void)
{
	struct record r;

	record_init(&r, "n");
	record_u64(&r, "zero", 0);
	record_u64(&r, "pid", 4242);
	record_u64(&r, "max", ULLONG_MAX);
	record_i64(&r, "neg", -1);
	record_i64(&r, "min", LLONG_MIN);
	record_i64(&r, "big", LLONG_MAX);
	ASSERT_STREQ(record_line(&r),
		     "event=n zero=0 pid=4242 max=18446744073709551615 neg=-1 "
		     "min=-9223372036854775808 big=9223372036854775807");
}

/* ---- json_str ----------------------------------------------------------- */

static char *json(const char *s)
{
	static char out[1024];
	FILE *f = fmemopen(out, sizeof(out), "w");

	if (!f)
		return NULL;
	json_str(f, s);
	fclose(f);
	return out;
}

#define EXPECT_JSON(in, want) do { \
	const char *_j = json(in), *_bad; \
	ASSERT_STREQ(_j, want); \
	_bad = json_check(_j, strlen(_j), NULL, NULL); \
	if (_bad) FAILF("%s is not valid JSON: %s", _j, _bad); \
} while (0)

static void json_plain_and_quotes(void)
{
	EXPECT_JSON("", "\"\"");
	EXPECT_JSON("/var/lib/crm", "\"/var/lib/crm\"");
	EXPECT_JSON("say \"hi\"", "\"say \\\"hi\\\"\"");
	EXPECT_JSON("C:\\dir\\", "\"C:\\\\dir\\\\\"");
	EXPECT_JSON("a/b", "\"a/b\"");
}

static void json_control_bytes(void)
{
	EXPECT_JSON("a\nb", "\"a\\u000ab\"");
	EXPECT_JSON("\t\r\x01\x1f", "\"\\u0009\\u000d\\u0001\\u001f\"");
	EXPECT_JSON("\x7f", "\"\\u007f\"");
	EXPECT_JSON("\x1b[0m", "\"\\u001b[0m\"");
}

static void json_invalid_utf8(void)
{
	/* bytes that are not UTF-8 come out as \u00XX: valid JSON */
	EXPECT_JSON("\xff", "\"\\u00ff\"");
	EXPECT_JSON("caf\xe9", "\"caf\\u00e9\"");
	EXPECT_JSON("a\xc3", "\"a\\u00c3\"");
	EXPECT_JSON("\xe2\x82x", "\"\\u00e2\\u0082x\"");
	EXPECT_JSON("\xc0\xaf", "\"\\u00c0\\u00af\"");
	EXPECT_JSON("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
}

static void json_valid_utf8_kept(void)
{
	EXPECT_JSON("/données/日本/😀", "\"/données/日本/😀\"");
	EXPECT_JSON("é\xff", "\"é\\u00ff\"");
}

/* Text that is valid UTF-8 decodes back to itself. */
static void json_decodes_back(void)
{
	static const char *const in[] = {
		"", "plain", "say \"hi\"", "C:\\dir\\", "a\nb\tc\r\x01\x1f\x7f",
		"/données/日本/😀", "\xf4\x8f\xbf\xbf",
	};
	char out[1024];
	size_t i, n;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		const char *j = json(in[i]), *bad;

		ASSERT_TRUE(j != NULL);
		bad = json_check(j, strlen(j), out, &n);
		if (bad)
			FAILF("#%zu: %s is not valid JSON: %s", i, j, bad);
		if (n != strlen(in[i]) || memcmp(out, in[i], n))
			FAILF("#%zu: %s decodes to \"%.*s\"", i, j, (int)n, out);
	}
}

int main(void)
{
	RUN(record_bare_values);
	RUN(record_empty_and_null);
	RUN(record_spaces_quotes_backslashes);
	RUN(record_newlines_tabs);
	RUN(record_control_bytes);
	RUN(record_nul_in_bare_value);
	RUN(record_invalid_utf8);
	RUN(record_valid_utf8_kept);
	RUN(record_forged_field);
	RUN(record_forged_field_backslash);
	RUN(record_long_value_truncated);
	RUN(record_quoted_value_grows_past_end);
	RUN(record_many_fields_no_half_field);
	RUN(record_fits_exactly_or_not);
	RUN(record_numbers);
	RUN(json_plain_and_quotes);
	RUN(json_control_bytes);
	RUN(json_invalid_utf8);
	RUN(json_valid_utf8_kept);
	RUN(json_decodes_back);
	return test_failed != 0;
}
