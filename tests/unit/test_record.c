// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/lib/record.c (record lines, quoting, cutting) and
 * json_str from ctl/lib/ctlproto.c. Lines are checked byte for byte, and also
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

/* ---- cutting and truncation ---------------------------------------------- */

/*
 * A record laid out as access.c writes a file's: path, dev, ino, comm.
 * Returns how many fields read back (fields[]), or fails the test.
 */
static int file_record(struct record *r, const char *path, size_t n)
{
	const char *why;
	int nf;

	record_init(r, "open");
	record_str(r, "verdict", "audit");
	record_bytes(r, "path", path, n);
	record_str(r, "dev", "8:1");
	record_u64(r, "ino", 12345);
	record_str(r, "comm", "cat");
	record_line(r);
	nf = recparse(r->buf, r->len, fields, 64, &why);
	if (nf < 0)
		printf("# line does not read back: %s\n", why);
	return nf;
}

/*
 * The path was cut, the file's identity and who opened it kept: fields
 * event verdict path path_cut dev ino comm, path the first kept bytes.
 */
#define ASSERT_PATH_CUT(r, nf, path, n, kept) do { \
	ASSERT_EQ((nf), 7); \
	ASSERT_STREQ(fields[2].key, "path"); \
	ASSERT_EQ(fields[2].vlen, (kept)); \
	ASSERT_TRUE(memcmp(fields[2].val, (path), (kept)) == 0); \
	ASSERT_STREQ(fields[3].key, "path_cut"); \
	ASSERT_EQ(strtoul(fields[3].val, NULL, 10), (n) - (kept)); \
	ASSERT_STREQ(fields[4].key, "dev"); \
	ASSERT_STREQ(fields[4].val, "8:1"); \
	ASSERT_STREQ(fields[5].key, "ino"); \
	ASSERT_STREQ(fields[5].val, "12345"); \
	ASSERT_STREQ(fields[6].key, "comm"); \
	ASSERT_STREQ(fields[6].val, "cat"); \
	ASSERT_TRUE(strstr((r)->buf, "truncated") == NULL); \
	ASSERT_TRUE((r)->len < RECORD_MAX); \
} while (0)

static void record_long_value_cut(void)
{
	static char big[RECORD_MAX * 2];
	struct record r;
	int nf;

	memset(big, 'a', sizeof(big) - 1);
	nf = file_record(&r, big, sizeof(big) - 1);
	/* a bare value is cut anywhere; the fields after it still fit */
	ASSERT_TRUE(fields[2].vlen > RECORD_MAX / 2);
	ASSERT_PATH_CUT(&r, nf, big, sizeof(big) - 1, fields[2].vlen);
	/* record_line again gives the same line */
	ASSERT_EQ(strlen(record_line(&r)), r.len);
	ASSERT_EQ(recparse(r.buf, r.len, fields, 64, &(const char *){ NULL }), 7);
}

/*
 * The fuzzer's find (tests/fuzz/corpus/fuzz_record/unfit-escaped-path): a
 * name of bytes that are not UTF-8, each written as \xHH, four times as
 * long as written as it is on disk. The record dropped the path and kept
 * neither dev nor ino after it. Now the path is cut between two escapes.
 */
static void record_escaped_path_cut_keeps_identity(void)
{
	static char name[3000];
	struct record r;
	int nf;

	memset(name, 0xff, sizeof(name));
	memcpy(name, "/srv/crm/", 9);
	nf = file_record(&r, name, sizeof(name));
	ASSERT_TRUE(fields[2].vlen > 1000);
	ASSERT_PATH_CUT(&r, nf, name, sizeof(name), fields[2].vlen);
	/* the line ends each escape it began: `\xff"` before the next field */
	ASSERT_TRUE(strstr(r.buf, "\\xff\" path_cut=") != NULL);
}

/* A cut never falls inside a UTF-8 character, whatever its length. */
static void record_cut_between_characters(void)
{
	static const char *const chars[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x92\xbe" };
	static char name[RECORD_MAX + 8];
	struct record r;
	size_t c, len, i, shift;
	int nf;

	for (c = 0; c < 3; c++) {
		len = strlen(chars[c]);
		/* each offset of the characters against the record's end once */
		for (shift = 0; shift < len; shift++) {
			memset(name, '/', shift + 1);
			for (i = shift + 1; i + len <= sizeof(name); i += len)
				memcpy(name + i, chars[c], len);
			nf = file_record(&r, name, i);
			ASSERT_PATH_CUT(&r, nf, name, i, fields[2].vlen);
			ASSERT_EQ((fields[2].vlen - shift - 1) % len, 0);
		}
	}
}

/* Two long values: the second gets a cut of its own, and what follows both still fits. */
static void record_two_long_values(void)
{
	static char big[RECORD_MAX];
	struct record r;
	const char *why;
	int nf;

	memset(big, 'b', sizeof(big) - 1);
	record_init(&r, "open");
	record_str(&r, "path", big);
	record_str(&r, "exe", big);
	record_str(&r, "comm", "cat");
	record_line(&r);
	nf = recparse(r.buf, r.len, fields, 64, &why);
	ASSERT_EQ(nf, 6);
	ASSERT_STREQ(fields[2].key, "path_cut");
	ASSERT_STREQ(fields[3].key, "exe");
	ASSERT_TRUE(fields[3].vlen > 100);
	ASSERT_STREQ(fields[4].key, "exe_cut");
	ASSERT_EQ(strtoul(fields[4].val, NULL, 10), sizeof(big) - 1 - fields[3].vlen);
	ASSERT_STREQ(fields[5].key, "comm");
	ASSERT_TRUE(r.len < RECORD_MAX);
}

/*
 * Many fields: each is whole, or cut and marked, until not even a cut one
 * fits; that one and the rest are left out, and the line ends in
 * `truncated=1`. No field comes after one that is left out.
 */
static void record_many_fields_no_half_field(void)
{
	static struct recfield many[256];
	char val[101], key[16];
	struct record r;
	const char *line, *why;
	int i, n, f, cuts = 0;

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
	n = recparse(r.buf, r.len, many, 256, &why);
	if (n < 0)
		FAILF("line does not read back: %s", why);
	ASSERT_STREQ(many[0].key, "event");
	for (i = 1, f = 0; i < n - 1; i++, f++) {
		snprintf(key, sizeof(key), "f%d", f);
		ASSERT_STREQ(many[i].key, key);
		ASSERT_TRUE(many[i].vlen > 0 && !memcmp(many[i].val, val, many[i].vlen));
		if (many[i].vlen < 100) {
			snprintf(key, sizeof(key), "f%d_cut", f);
			ASSERT_STREQ(many[++i].key, key);
			ASSERT_EQ(strtoul(many[i].val, NULL, 10), 100 - many[i - 1].vlen);
			cuts++;
		}
	}
	ASSERT_TRUE(f > 50 && f < 200 && cuts > 0);
	ASSERT_STREQ(many[n - 1].key, "truncated");
	ASSERT_STREQ(many[n - 1].val, "1");
	/* nothing more is written once a field was left out */
	record_str(&r, "late", "x");
	ASSERT_TRUE(strstr(record_line(&r), "late=") == NULL);
	ASSERT_EQ(recparse(r.buf, r.len, many, 256, &why), n);
}

static void record_fits_exactly_or_not(void)
{
	static char big[RECORD_MAX];
	struct record r;
	size_t fit = 0, lo = 0, hi = sizeof(big) - 1;

	/* find the longest bare value that is still written whole, by bisection */
	memset(big, 'a', sizeof(big) - 1);
	while (lo <= hi) {
		size_t mid = (lo + hi) / 2;

		one(&r, "k", big, mid);
		if (strstr(r.buf, "k_cut=")) {
			hi = mid - 1;
		} else {
			fit = mid;
			lo = mid + 1;
		}
	}
	/* whole while at least 1 KiB is left for the fields after it */
	ASSERT_TRUE(fit > RECORD_MAX - 1200 && fit < RECORD_MAX - 1024);
	one(&r, "k", big, fit);
	ASSERT_EQ(r.len, strlen("event=t k=") + fit);
	ASSERT_ROUNDTRIP(&r, big, fit);
	/* one byte more: cut, marked, and no longer than the whole one */
	one(&r, "k", big, fit + 1);
	ASSERT_TRUE(strstr(r.buf, " k_cut=") != NULL);
	ASSERT_TRUE(r.len <= strlen("event=t k=") + fit);
	ASSERT_TRUE(strstr(r.buf, "truncated") == NULL);
}

/* ---- the record's number ------------------------------------------------ */

/* Reads r back and checks that it ends in `seq=18446744073709551615` (then
 * `truncated=1` if fields were left out); returns how many fields it has. */
static int seq_last(struct record *r, struct recfield *f, int max, bool truncated)
{
	const char *why;
	int n;

	record_seq(r, ULLONG_MAX);
	record_line(r);
	if (r->len >= RECORD_MAX || strlen(r->buf) != r->len)
		return -1;
	n = recparse(r->buf, r->len, f, max, &why);
	if (n < 2 + truncated)
		return -1;
	if (truncated && strcmp(f[--n].key, "truncated"))
		return -1;
	if (strcmp(f[n - 1].key, "seq") || f[n - 1].vlen != 20 ||
	    memcmp(f[n - 1].val, "18446744073709551615", 20))
		return -1;
	return n;
}

/* seq ends the fields whatever came before: whole, cut, or left out. */
static void record_seq_always_there(void)
{
	static struct recfield many[256];
	static char big[RECORD_MAX * 2];
	char val[101], key[16];
	struct record r;
	int i;

	record_init(&r, "open");
	record_str(&r, "path", "/a b");
	record_seq(&r, 7);
	ASSERT_STREQ(record_line(&r), "event=open path=\"/a b\" seq=7");

	/* after a value cut to fit */
	memset(big, 'a', sizeof(big) - 1);
	record_init(&r, "open");
	record_str(&r, "path", big);
	record_str(&r, "comm", "cat");
	ASSERT_EQ(seq_last(&r, fields, 64, false), 5);
	ASSERT_STREQ(fields[2].key, "path_cut");
	ASSERT_STREQ(fields[3].key, "comm");

	/* fields left out, the record as full as it gets: seq, then truncated=1 */
	memset(val, 'v', 100);
	val[100] = 0;
	for (i = 0; i < 100; i++) {
		record_init(&r, "open");
		record_str(&r, "pad", big + sizeof(big) - 1 - (RECORD_MAX - 1100 - i));
		while (!r.truncated) {
			snprintf(key, sizeof(key), "f%zu", r.len);
			record_str(&r, key, val + 99);
		}
		ASSERT_TRUE(seq_last(&r, many, 256, true) > 2);
	}
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
	RUN(record_long_value_cut);
	RUN(record_escaped_path_cut_keeps_identity);
	RUN(record_cut_between_characters);
	RUN(record_two_long_values);
	RUN(record_many_fields_no_half_field);
	RUN(record_fits_exactly_or_not);
	RUN(record_seq_always_there);
	RUN(record_numbers);
	RUN(json_plain_and_quotes);
	RUN(json_control_bytes);
	RUN(json_invalid_utf8);
	RUN(json_valid_utf8_kept);
	RUN(json_decodes_back);
	return test_failed != 0;
}
