// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes (up to the first NUL) as the text of
 * /proc/self/mountinfo for kmounts_parse. Besides memory errors (ASan)
 * and undefined behaviour (UBSan), it aborts when the result breaks what
 * the parser promises:
 *  - success: no more mounts than lines, ids non-negative and strictly
 *    rising, each a device the kernel can have (12-bit major, 20-bit
 *    minor), each found by kmounts_find;
 *  - failure: -EINVAL with a message that says where ("line N: ...", or
 *    "mount id N is there twice"), and the table it had left as it was.
 * Build: make fuzz; run: build/fuzz/fuzz_kident -max_total_time=60
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "ctl/lib/kident.h"

static void check(int ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_kident: %s: %s\n", what, detail ? detail : "");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256] = "";
	struct kmount before = { 3, 0, false };
	struct kmounts m = { 0 };
	size_t lines = 0, i;
	int ret;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	for (i = 0; text[i]; i++)
		lines += text[i] == '\n' || !text[i + 1];
	check(kmounts_add(&m, &before) == 0, "kmounts_add", NULL);
	ret = kmounts_parse(&m, text, err, sizeof(err));
	if (ret == 0) {
		check(m.n <= lines, "more mounts than lines", NULL);
		for (i = 0; i < m.n; i++) {
			check(m.v[i].id >= 0 && (!i || m.v[i - 1].id < m.v[i].id), "ids not rising", NULL);
			check(major(m.v[i].dev) <= 0xfff && minor(m.v[i].dev) <= 0xfffff,
			      "a device no kernel has", NULL);
			check(kmounts_find(&m, m.v[i].id) == &m.v[i], "kmounts_find misses", NULL);
		}
	} else if (ret != -ENOMEM) {
		check(ret == -EINVAL, "an error that is not EINVAL", err);
		check(!strncmp(err, "line ", 5) || strstr(err, "is there twice"), "error says not where", err);
		check(m.n == 1 && m.v[0].id == before.id, "table changed on error", err);
	}
	kmounts_free(&m);
	free(text);
	return 0;
}
