/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers BPF programs to attach to. */
#ifndef CRMGUARD_KSYMS_H
#define CRMGUARD_KSYMS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Which of names[0..n) are functions of the kernel's (/proc/kallsyms):
 * into there[0..n). One pass: the kernel writes that file out symbol by
 * symbol on each read, which is slow under emulation, so callers ask for
 * all the names they need at once.
 */
void ksyms_find(const char *const *names, bool *there, size_t n);

#endif
