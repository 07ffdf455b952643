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
	bool truncated;		/* a field was left out: no more are written */
	bool ended;		/* record_line wrote `truncated=1` */
};

void record_init(struct record *r, const char *event);
void record_str(struct record *r, const char *key, const char *val);
void record_bytes(struct record *r, const char *key, const char *val, size_t n);
void record_u64(struct record *r, const char *key, unsigned long long val);
void record_i64(struct record *r, const char *key, long long val);
/*
 * Ends the record's fields with ` seq=N`, in room kept back for it: it is
 * there whatever values were cut or left out. Once, before record_line.
 */
void record_seq(struct record *r, unsigned long long seq);
/*
 * The finished line, NUL-terminated. A value too long to fit whole is cut
 * between two characters and followed by `KEY_cut=N` (N bytes of it left
 * out), so that the fields after it still fit; a field with no room left
 * even for that is left out with every field after it, and the line ends
 * in `truncated=1`.
 */
const char *record_line(struct record *r);

#endif
