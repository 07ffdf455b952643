/* SPDX-License-Identifier: GPL-2.0 */
/* ctlx taint list [-j] */
#ifndef CRMGUARD_CLI_TAINT_H
#define CRMGUARD_CLI_TAINT_H

#include <stdbool.h>

extern const char taint_args[];
extern const char taint_help[];
/* Does `ctlx taint` take these words? */
bool taint_args_fit(int n, char **w);

#endif
