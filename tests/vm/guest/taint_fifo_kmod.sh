#!/bin/bash
# taint_fifo.sh with crmguard.ko holding the clipboard: the reader of a
# FIFO opened later is tainted by the module's own probe on fifo_open(),
# and refused, also while crmguardd is stopped.
CRMGUARD_BACKEND=kmod exec bash "$(dirname "$0")/taint_fifo.sh"
