/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRMGUARD_COMMANDS_H
#define CRMGUARD_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

/* One ctlx request (a ctl_handler); ctx is the struct daemon. */
int commands_handle(void *ctx, int argc, char **argv, FILE *out, FILE *err, bool *follow);

#endif
