/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One log record: `event=open verdict=audit path="/a b" ...`.
 * Values that are not plain words are quoted and escaped, so that no file
 * name, comm or user name can end a value early or forge a field.
 */
#ifndef CRMGUARD_RECORD_H
#define CRMGUARD_RECORD_H

#include <stdbool.h>
#include <stddef.h>

/* Fits rsyslog's default 8 KiB message with room for the header. */
#define RECORD_MAX 7936

struct record {
	char buf[RECORD_MAX];
	size_t len;
	bool truncated;		/* a field was left out */
	bool overflow;		/* the field being written does not fit */
};

void record_init(struct record *r, const char *event);
void record_str(struct record *r, const char *key, const char *val);
void record_bytes(struct record *r, const char *key, const char *val, size_t n);
void record_u64(struct record *r, const char *key, unsigned long long val);
void record_i64(struct record *r, const char *key, long long val);
/*
 * The finished line, NUL-terminated. A field that did not fit is left out
 * whole, the others are kept, and the line ends in `truncated=1`.
 */
const char *record_line(struct record *r);

#endif
