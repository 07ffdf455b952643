/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, strict reader for record lines (`key=value key="v a l"`), written
 * independently of ctl/lib/record.c so that tests can check what a log reader
 * would see: which keys there are and what each value decodes to.
 *
 * Fields are separated by one space. A key is [a-z0-9_]+. A value is either
 * bare (one or more bytes, none of them space, quote, backslash, '=' or
 * a control byte) or "quoted" with the escapes \" \\ \n \t \xHH; inside
 * quotes no raw byte below 0x20 and no 0x7f may appear. Shared by
 * tests/unit/test_record.c and tests/fuzz/fuzz_record.c.
 */
#ifndef CRMGUARD_TEST_RECPARSE_H
#define CRMGUARD_TEST_RECPARSE_H

#include <stddef.h>
#include <string.h>

#define RECPARSE_KEY_MAX 64
#define RECPARSE_VAL_MAX 8192

struct recfield {
	char key[RECPARSE_KEY_MAX];
	char val[RECPARSE_VAL_MAX];	/* decoded, NUL-terminated */
	size_t vlen;			/* decoded length (may hold NUL bytes) */
	int quoted;
};

static int recparse_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Splits the len bytes of line into at most max fields. Returns how many,
 * or -1 (with *why set) if the line is not well formed.
 */
static int recparse(const char *line, size_t len, struct recfield *f, int max, const char **why)
{
	const char *s = line, *end = line + len;
	int n = 0;

	*why = "";
	if (!len) {
		*why = "empty line";
		return -1;
	}
	while (s < end) {
		struct recfield *cur;
		size_t k = 0;

		if (n) {
			if (*s != ' ') {
				*why = "fields not separated by one space";
				return -1;
			}
			s++;
		}
		if (n == max) {
			*why = "too many fields";
			return -1;
		}
		cur = &f[n++];
		while (s < end && ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) {
			if (k + 1 >= RECPARSE_KEY_MAX) {
				*why = "key too long";
				return -1;
			}
			cur->key[k++] = *s++;
		}
		cur->key[k] = 0;
		if (!k || s == end || *s != '=') {
			*why = "field without key=";
			return -1;
		}
		s++;
		cur->vlen = 0;
		cur->quoted = s < end && *s == '"';
		if (!cur->quoted) {
			while (s < end && *s != ' ') {
				unsigned char c = *s;

				if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '=') {
					*why = "bad byte in bare value";
					return -1;
				}
				cur->val[cur->vlen++] = *s++;
			}
			if (!cur->vlen) {
				*why = "empty bare value";
				return -1;
			}
		} else {
			for (s++;; s++) {
				unsigned char c;

				if (s >= end) {
					*why = "unterminated quoted value";
					return -1;
				}
				c = *s;
				if (c == '"')
					break;
				if (c < 0x20 || c == 0x7f) {
					*why = "raw control byte in quoted value";
					return -1;
				}
				if (cur->vlen + 1 >= RECPARSE_VAL_MAX) {
					*why = "value too long";
					return -1;
				}
				if (c != '\\') {
					cur->val[cur->vlen++] = c;
					continue;
				}
				if (++s >= end) {
					*why = "backslash at end of line";
					return -1;
				}
				switch (*s) {
				case '"': case '\\':
					cur->val[cur->vlen++] = *s;
					break;
				case 'n':
					cur->val[cur->vlen++] = '\n';
					break;
				case 't':
					cur->val[cur->vlen++] = '\t';
					break;
				case 'x':
					if (end - s < 3 || recparse_hex(s[1]) < 0 || recparse_hex(s[2]) < 0) {
						*why = "bad \\x escape";
						return -1;
					}
					cur->val[cur->vlen++] = (char)(recparse_hex(s[1]) << 4 | recparse_hex(s[2]));
					s += 2;
					break;
				default:
					*why = "unknown escape";
					return -1;
				}
			}
			s++;	/* the closing quote */
			if (s < end && *s != ' ') {
				*why = "text right after a closing quote";
				return -1;
			}
		}
		cur->val[cur->vlen] = 0;
	}
	if (line[len - 1] == ' ') {
		*why = "trailing space";
		return -1;
	}
	return n;
}

#endif
