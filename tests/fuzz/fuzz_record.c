// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as a file's path and as the binary
 * that opened it (record_bytes), in a record laid out as access.c writes
 * one, and as a json_str string. Aborts unless:
 *  - the record line has no raw NUL (its length is r.len) and fits
 *    RECORD_MAX;
 *  - read back with tests/unit/recparse.h it has exactly the keys
 *    `event verdict path dev ino exe comm`, path and exe each followed by
 *    `path_cut` / `exe_cut` when the value was cut, and no `truncated`: a
 *    long path never costs the file's identity (dev, ino) or the fields
 *    after it;
 *  - path and exe decode to the input, or to a prefix of it that ends
 *    between two characters, N bytes short where `KEY_cut=N` says so;
 *  - json_str output is one valid JSON string, and decodes back to the
 *    input when the input is valid UTF-8.
 * Build: make fuzz; run: build/fuzz/fuzz_record -max_total_time=60
 * tests/fuzz/corpus/fuzz_record (make check does, for a short while).
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

static struct recfield fields[16];

static void check(int ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_record: %s: %.300s\n", what, detail ? detail : "");
		abort();
	}
}

/* Whether the first kept bytes of s end between two characters, as the record cuts. */
static int on_boundary(const char *s, size_t n, size_t kept)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < kept) {
		len = utf8_seq_len(u + i, n - i);
		i += len ? len : 1;
	}
	return i == kept;
}

/* The value at fields[*i] (key), maybe cut: the input or a prefix of it. */
static void check_value(const char *key, const char *data, size_t size, int n, int *i,
			const char *line)
{
	char cutkey[32];
	const struct recfield *f = &fields[*i];
	size_t left = 0;

	check(*i < n && !strcmp(f->key, key), "wrong key", line);
	snprintf(cutkey, sizeof(cutkey), "%s_cut", key);
	if (*i + 1 < n && !strcmp(fields[*i + 1].key, cutkey)) {
		left = strtoul(fields[*i + 1].val, NULL, 10);
		check(left > 0 && left < size, "cut count out of range", line);
		check(on_boundary(data, size, size - left), "cut inside a character", line);
		++*i;
	}
	check(f->vlen == size - left && !memcmp(f->val, data, f->vlen),
	      "value does not decode to the input or its cut", line);
	++*i;
}

static void fuzz_record(const char *data, size_t size)
{
	struct record r;
	const char *line, *why;
	int n, i = 0;

	record_init(&r, "open");
	record_str(&r, "verdict", "audit");
	record_bytes(&r, "path", data, size);
	record_str(&r, "dev", "8:1");
	record_u64(&r, "ino", 12345);
	record_bytes(&r, "exe", data, size);
	record_str(&r, "comm", "cat");
	record_seq(&r, size);
	line = record_line(&r);
	check(r.len < RECORD_MAX, "record longer than RECORD_MAX", NULL);
	check(strlen(line) == r.len, "raw NUL in the record", line);
	n = recparse(line, r.len, fields, 16, &why);
	check(n > 0, n < 0 ? why : "no fields", line);
	check(!strcmp(fields[i].key, "event") && !strcmp(fields[i].val, "open"), "event changed", line);
	i++;
	check(i < n && !strcmp(fields[i].key, "verdict") && !strcmp(fields[i].val, "audit"),
	      "verdict changed", line);
	i++;
	check_value("path", data, size, n, &i, line);
	check(i < n && !strcmp(fields[i].key, "dev") && !strcmp(fields[i].val, "8:1"), "dev lost", line);
	i++;
	check(i < n && !strcmp(fields[i].key, "ino") && !strcmp(fields[i].val, "12345"), "ino lost", line);
	i++;
	check_value("exe", data, size, n, &i, line);
	check(i < n && !strcmp(fields[i].key, "comm") && !strcmp(fields[i].val, "cat"), "comm lost", line);
	i++;
	check(i < n && !strcmp(fields[i].key, "seq") && strtoull(fields[i].val, NULL, 10) == size,
	      "seq lost", line);
	check(i + 1 == n, "fields after seq", line);
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
