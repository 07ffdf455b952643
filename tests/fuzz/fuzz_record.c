// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as one record value (record_bytes),
 * and as a json_str string. Aborts unless:
 *  - the record line has no raw NUL (its length is r.len) and fits
 *    RECORD_MAX;
 *  - read back with tests/unit/recparse.h it has exactly the keys written,
 *    `event verdict path comm`, or, when a field did not fit, the fields
 *    before it and then `truncated=1`: `event verdict path truncated` or
 *    `event verdict truncated`; and path decodes to the input bytes;
 *  - json_str output is one valid JSON string, and decodes back to the
 *    input when the input is valid UTF-8.
 * Build: make fuzz; run: build/fuzz/fuzz_record -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl/lib/ctlproto.h"
#include "ctl/lib/record.h"
#include "ctl/lib/utf8.h"
#include "tests/unit/jsoncheck.h"
#include "tests/unit/recparse.h"

static struct recfield fields[8];

static void check(int ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_record: %s: %.300s\n", what, detail ? detail : "");
		abort();
	}
}

static void fuzz_record(const char *data, size_t size)
{
	static const char *const keys[] = { "event", "verdict", "path", "comm" };
	struct record r;
	const char *line, *why;
	int n, i, cut;

	record_init(&r, "open");
	record_str(&r, "verdict", "audit");
	record_bytes(&r, "path", data, size);
	record_str(&r, "comm", "cat");
	line = record_line(&r);
	check(r.len < RECORD_MAX, "record longer than RECORD_MAX", NULL);
	check(strlen(line) == r.len, "raw NUL in the record", line);
	n = recparse(line, r.len, fields, 8, &why);
	check(n >= 2, n < 0 ? why : "too few fields", line);
	/* the fields written, in order, up to where it was cut */
	cut = !strcmp(fields[n - 1].key, "truncated");
	check(n - cut >= 2 && n - cut <= 4 && (!cut || n - cut < 4), "wrong number of fields", line);
	for (i = 0; i < n - cut; i++)
		check(!strcmp(fields[i].key, keys[i]), "wrong key", line);
	if (cut)
		check(!strcmp(fields[n - 1].val, "1"), "truncated is not 1", line);
	check(!strcmp(fields[1].val, "audit"), "verdict changed", line);
	if (n - cut >= 3)
		check(fields[2].vlen == size && !memcmp(fields[2].val, data, size),
		      "path does not decode to the input", line);
	if (n - cut == 4)
		check(!strcmp(fields[3].val, "cat"), "comm changed", line);
}

static void fuzz_json(const char *data, size_t size)
{
	char *in = malloc(size + 1), *out = NULL, *dec;
	size_t outlen = 0, n, declen;
	const char *bad;
	FILE *f;

	memcpy(in, data, size);
	in[size] = 0;
	n = strlen(in);	/* json_str takes a C string */
	f = open_memstream(&out, &outlen);
	check(f != NULL, "open_memstream", NULL);
	json_str(f, in);
	fclose(f);
	dec = malloc(outlen + 1);
	bad = json_check(out, outlen, dec, &declen);
	check(!bad, bad, out);
	if (utf8_invalid_at(in, n) == n)
		check(declen == n && !memcmp(dec, in, n), "valid UTF-8 does not decode back", out);
	free(dec);
	free(out);
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_record((const char *)data, size);
	fuzz_json((const char *)data, size);
	return 0;
}
