/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRMGUARD_UTF8_H
#define CRMGUARD_UTF8_H

#include <stddef.h>

/* Length (1-4) of the valid UTF-8 sequence at s, or 0 if s starts an invalid one. */
size_t utf8_seq_len(const unsigned char *s, size_t n);
/* Offset of the first byte that is not valid UTF-8, or n if all of s is. */
size_t utf8_invalid_at(const char *s, size_t n);

#endif
