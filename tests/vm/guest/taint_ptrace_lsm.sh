#!/bin/bash
# taint_ptrace.sh with the BPF LSM holding the clipboard: what reads a
# tainted process's memory, or has its memory open to one, is refused by
# the BPF LSM, also while crmguardd is stopped (its own programs on the
# ptrace access check mark it).
CRMGUARD_BACKEND=bpf-lsm exec bash "$(dirname "$0")/taint_ptrace.sh"
