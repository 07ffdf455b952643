/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctlx <-> crmguardd over /run/crmguard/ctl.sock (SOCK_SEQPACKET, root only).
 *
 * Request: one message, the command's words joined by NUL bytes, e.g.
 * "protect\0add\0/var/lib/crm". Reply: messages whose first byte says what
 * the rest is: 'o' text for stdout, 'e' text for stderr, 'x' the exit code
 * as one byte. `events` replies with 'o' messages, one record each, until
 * the client hangs up.
 */
#ifndef CRMGUARD_CTLPROTO_H
#define CRMGUARD_CTLPROTO_H

#include <stddef.h>
#include <stdio.h>

#define CTL_SOCKET "/run/crmguard/ctl.sock"
#define CTL_MSG_MAX 65536
#define CTL_MAX_ARGS 16

enum ctl_msg { CTL_OUT = 'o', CTL_ERR = 'e', CTL_EXIT = 'x' };

/* Exit codes, for ctlx and the replies. */
enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_FAIL = 2 };

/* Sends text as one or more messages of the given type. */
int ctl_send(int fd, enum ctl_msg type, const char *text, size_t len, int flags);
int ctl_send_exit(int fd, int code);
/* Splits a request into argv (pointing into buf); returns argc or -1. */
int ctl_split(char *buf, size_t len, char **argv, int max);

/* Writes s to f as a JSON string, quoted and escaped. */
void json_str(FILE *f, const char *s);

#endif
