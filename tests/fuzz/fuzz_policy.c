// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as a policy file for policy_parse.
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it aborts
 * when the result breaks what the parser promises:
 *  - success: every rule has an absolute, NUL-free, valid UTF-8 path, the
 *    file name given, and line numbers that rise and stay in the text;
 *    and each path written back as `protect "..."` parses to itself;
 *  - failure: a negative return and a message starting "fuzz.conf:LINE: ".
 * Build: make fuzz; run: build/fuzz/fuzz_policy -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl/policy.h"
#include "ctl/utf8.h"

#define NAME "fuzz.conf"

static void check(int ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_policy: %s: %s\n", what, detail ? detail : "");
		abort();
	}
}

/* `protect "path"` with \" and \\ escaped parses back to path. */
static void check_roundtrip(const char *path)
{
	size_t n = strlen(path), i, o = 0;
	char *line = malloc(2 * n + 16), err[POLICY_ERR_MAX];
	struct policy p = { 0 };
	int ret;

	o += sprintf(line, "protect \"");
	for (i = 0; i < n; i++) {
		if (path[i] == '"' || path[i] == '\\')
			line[o++] = '\\';
		line[o++] = path[i];
	}
	o += sprintf(line + o, "\"\n");
	ret = policy_parse(&p, NAME, line, o, err, sizeof(err));
	check(ret == 0, "quoted path does not parse back", err);
	check(p.nrules == 1 && !strcmp(p.rules[0].arg, path), "quoted path parses to another path", path);
	policy_free(&p);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct policy p = { 0 };
	char err[POLICY_ERR_MAX];
	size_t i, lines = 1;
	int ret, prev = 0;

	for (i = 0; i < size; i++)
		lines += text[i] == '\n';
	memset(err, 'Z', sizeof(err));
	ret = policy_parse(&p, NAME, text, size, err, sizeof(err));
	if (ret) {
		int line = 0;
		char colon = 0, space = 0;

		check(ret < 0, "positive error", NULL);
		check(memchr(err, 0, sizeof(err)) != NULL, "message not NUL-terminated", NULL);
		check(sscanf(err, NAME ":%d%c%c", &line, &colon, &space) == 3 && colon == ':' && space == ' ',
		      "message does not start with file:line: ", err);
		check(line >= 1 && (size_t)line <= lines, "message line out of range", err);
	} else {
		check(p.mode == POLICY_AUDIT, "mode", NULL);
		for (i = 0; i < p.nrules; i++) {
			const char *path = p.rules[i].arg;

			check(path && path[0] == '/', "path not absolute", path);
			check(utf8_invalid_at(path, strlen(path)) == strlen(path), "path not UTF-8", path);
			check(!strchr(path, '\n'), "newline in path", path);
			check(!strcmp(p.rules[i].file, NAME), "rule file", p.rules[i].file);
			check(p.rules[i].line > prev && (size_t)p.rules[i].line <= lines, "rule line", path);
			prev = p.rules[i].line;
			check_roundtrip(path);
		}
	}
	policy_free(&p);
	check(p.nrules == 0 && p.rules == NULL, "policy_free left rules", NULL);
	return 0;
}
