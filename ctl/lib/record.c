// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ctl/lib/record.h"
#include "ctl/lib/utf8.h"

#define TRUNCATED " truncated=1"
/* Room kept back so that ` seq=N` (N up to 20 digits) and `truncated=1` always fit. */
#define RESERVE 40
/*
 * What a value too long to fit whole leaves to the fields after it: a
 * file's dev and ino, who opened it, come after its path.
 */
#define TAIL 1024

/* Appends n bytes if they end at or before limit (an offset in buf). */
static bool put(struct record *r, const char *s, size_t n, size_t limit)
{
	if (r->len + n > limit)
		return false;
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	return true;
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

/*
 * Writes s quoted and escaped, one character (or escape) at a time, as long
 * as the closing quote still ends at or before limit. Returns how many
 * bytes of s were written: a cut falls between two characters, never
 * inside a UTF-8 sequence or an escape.
 */
static size_t put_quoted(struct record *r, const char *s, size_t n, size_t limit)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len, elen, step;
	const char *e;
	char esc[8];

	put(r, "\"", 1, limit - 1);
	while (i < n) {
		unsigned char c = u[i];

		len = utf8_seq_len(u + i, n - i);
		e = esc;
		step = 1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = c;
			elen = 2;
		} else if (c == '\n') {
			e = "\\n", elen = 2;
		} else if (c == '\t') {
			e = "\\t", elen = 2;
		} else if (c < 0x20 || c == 0x7f || !len) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			elen = 4;
		} else {
			e = s + i, elen = len, step = len;
		}
		if (!put(r, e, elen, limit - 1))
			break;
		i += step;
	}
	put(r, "\"", 1, limit);
	return i;
}

/*
 * Writes " key=value", as much of value as ends at or before limit, and
 * returns how many bytes of value that is; SIZE_MAX, and nothing written,
 * if not even the key and an empty value fit.
 */
static size_t put_field(struct record *r, const char *key, const char *val, size_t n,
			size_t limit)
{
	size_t klen = strlen(key), kept;
	bool bare = is_bare(val, n);

	if (r->len + 1 + klen + 1 + (bare ? 1 : 2) > limit)
		return SIZE_MAX;
	put(r, " ", 1, limit);
	put(r, key, klen, limit);
	put(r, "=", 1, limit);
	if (!bare)
		return put_quoted(r, val, n, limit);
	kept = n < limit - r->len ? n : limit - r->len;
	put(r, val, kept, limit);
	return kept;
}

void record_init(struct record *r, const char *event)
{
	r->len = 0;
	r->truncated = false;
	r->ended = false;
	put(r, "event=", 6, RECORD_MAX - RESERVE);
	put(r, event, strlen(event), RECORD_MAX - RESERVE);
}

/*
 * A value is written whole if it leaves TAIL bytes for what follows (or
 * takes at most half of what is left); a longer one is cut to that,
 * between two characters, and `KEY_cut=N` follows it: N bytes of it are
 * not in the record. Only when not even a cut value fits is the field left
 * out, with every field after it, and the line ends in `truncated=1`.
 */
void record_bytes(struct record *r, const char *key, const char *val, size_t n)
{
	size_t start = r->len, room, budget, kept, mark;
	char cut[32];

	if (r->truncated)
		return;
	room = RECORD_MAX - RESERVE - start;
	budget = room > 2 * TAIL ? room - TAIL : room / 2;
	kept = put_field(r, key, val, n, start + budget);
	if (kept == n)
		return;
	r->len = start;
	mark = snprintf(cut, sizeof(cut), "_cut=%zu", n);
	mark += 1 + strlen(key);
	if (budget > mark) {
		kept = put_field(r, key, val, n, start + budget - mark);
		if (kept && kept != SIZE_MAX) {
			snprintf(cut, sizeof(cut), "_cut=%zu", n - kept);
			put(r, " ", 1, start + budget);
			put(r, key, strlen(key), start + budget);
			put(r, cut, strlen(cut), start + budget);
			return;
		}
	}
	r->len = start;
	r->truncated = true;
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

void record_seq(struct record *r, unsigned long long seq)
{
	char num[32];
	int n = snprintf(num, sizeof(num), " seq=%llu", seq);

	/* in the room kept back: never cut, never left out */
	put(r, num, n, RECORD_MAX - 1 - strlen(TRUNCATED));
}

const char *record_line(struct record *r)
{
	if (r->truncated && !r->ended) {
		put(r, TRUNCATED, strlen(TRUNCATED), RECORD_MAX - 1);
		r->ended = true;
	}
	r->buf[r->len] = 0;
	return r->buf;
}
