// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "ctl/lib/record.h"
#include "ctl/lib/utf8.h"

/* Room kept back so that `truncated=1` always fits. */
#define RESERVE 16

/* Appends n bytes unless the field being written has already overflowed. */
static void put(struct record *r, const char *s, size_t n)
{
	if (r->overflow || r->len + n > RECORD_MAX - RESERVE) {
		r->overflow = true;
		return;
	}
	memcpy(r->buf + r->len, s, n);
	r->len += n;
}

static bool is_bare(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || (c && strchr("._-/:,+@%~", c))))
			return false;
	}
	return true;
}

static void put_quoted(struct record *r, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len;
	char esc[8];

	put(r, "\"", 1);
	while (i < n) {
		unsigned char c = u[i];

		len = utf8_seq_len(u + i, n - i);
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = c;
			put(r, esc, 2);
		} else if (c == '\n') {
			put(r, "\\n", 2);
		} else if (c == '\t') {
			put(r, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f || !len) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			put(r, esc, 4);
		} else {
			put(r, s + i, len);
			i += len;
			continue;
		}
		i++;
	}
	put(r, "\"", 1);
}

void record_init(struct record *r, const char *event)
{
	r->len = 0;
	r->truncated = false;
	r->overflow = false;
	put(r, "event=", 6);
	put(r, event, strlen(event));
}

void record_bytes(struct record *r, const char *key, const char *val, size_t n)
{
	size_t start = r->len;

	put(r, " ", 1);
	put(r, key, strlen(key));
	put(r, "=", 1);
	if (is_bare(val, n))
		put(r, val, n);
	else
		put_quoted(r, val, n);
	if (r->overflow) {
		/* never leave half a field; the fields after it may still fit */
		r->len = start;
		r->overflow = false;
		r->truncated = true;
	}
}

void record_str(struct record *r, const char *key, const char *val)
{
	record_bytes(r, key, val ? val : "", val ? strlen(val) : 0);
}

void record_u64(struct record *r, const char *key, unsigned long long val)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", val);
	record_str(r, key, num);
}

void record_i64(struct record *r, const char *key, long long val)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", val);
	record_str(r, key, num);
}

const char *record_line(struct record *r)
{
	if (r->truncated) {
		memcpy(r->buf + r->len, " truncated=1", 12);
		r->len += 12;
		r->truncated = false;
	}
	r->buf[r->len] = 0;
	return r->buf;
}
