/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers BPF programs to attach to. */
#ifndef CRMGUARD_KSYMS_H
#define CRMGUARD_KSYMS_H

#include <stdbool.h>

/* Is name a function of the kernel's (/proc/kallsyms)? */
bool ksym_there(const char *name);

#endif
