/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict check that a text is exactly one JSON string (RFC 8259) in
 * valid UTF-8, and a decoder for it. Independent of ctl/; shared by
 * tests/unit/test_record.c and tests/fuzz/fuzz_record.c.
 */
#ifndef CRMGUARD_TEST_JSONCHECK_H
#define CRMGUARD_TEST_JSONCHECK_H

#include <stddef.h>
#include <string.h>

static int jsoncheck_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends code point cp to out as UTF-8; returns the bytes written. */
static size_t jsoncheck_put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	out[0] = 0xe0 | cp >> 12;
	out[1] = 0x80 | (cp >> 6 & 0x3f);
	out[2] = 0x80 | (cp & 0x3f);
	return 3;
}

/*
 * Checks the n bytes at s; NULL if they are one valid JSON string, else
 * why not. If out is not NULL, the decoded value goes there (room for n
 * bytes is enough) and its length to *outlen. \u escapes of surrogates
 * are refused (json_str has no reason to write them).
 */
static const char *json_check(const char *s, size_t n, char *out, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 1, o = 0;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return "not in quotes";
	while (i < n - 1) {
		unsigned char c = u[i];

		if (c == '"')
			return "raw quote inside";
		if (c < 0x20)
			return "raw control byte";
		if (c == '\\') {
			if (i + 1 >= n - 1)
				return "escape at the end";
			c = u[i + 1];
			if (c == 'u') {
				unsigned cp = 0;
				int k;

				if (i + 6 > n - 1)
					return "short \\u escape";
				for (k = 2; k < 6; k++) {
					int h = jsoncheck_hex(u[i + k]);

					if (h < 0)
						return "bad \\u escape";
					cp = cp << 4 | h;
				}
				if (cp >= 0xd800 && cp <= 0xdfff)
					return "\\u escape of a surrogate";
				if (out)
					o += jsoncheck_put_utf8(out + o, cp);
				i += 6;
				continue;
			}
			if (out) {
				static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
				const char *p = strchr(from, c);

				if (p && c)
					out[o++] = to[p - from];
			}
			if (!c || !strchr("\"\\/bfnrt", c))
				return "bad escape";
			i += 2;
			continue;
		}
		if (c < 0x80) {
			if (out)
				out[o++] = c;
			i++;
			continue;
		}
		{
			size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2, k;
			unsigned cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);

			if (c < 0xc2 || c > 0xf4 || i + len > n - 1)
				return "invalid UTF-8";
			for (k = 1; k < len; k++) {
				if ((u[i + k] & 0xc0) != 0x80)
					return "invalid UTF-8";
				cp = cp << 6 | (u[i + k] & 0x3f);
			}
			if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
			    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
				return "invalid UTF-8";
			if (out)
				memcpy(out + o, s + i, len), o += len;
			i += len;
		}
	}
	if (outlen)
		*outlen = o;
	return NULL;
}

#endif
