#!/bin/bash
# taint_ptrace.sh with crmguard.ko holding the clipboard: what reads a
# tainted process's memory is tainted by the module's own probe on the
# ptrace access check, and refused, also while crmguardd is stopped or
# killed.
CRMGUARD_BACKEND=kmod exec bash "$(dirname "$0")/taint_ptrace.sh"
