#!/bin/bash
# taint_fifo.sh with the BPF LSM holding the clipboard: the reader of a
# FIFO opened later is refused by the BPF LSM, also while crmguardd is
# stopped (the sensor marks it in the BPF LSM's own map).
CRMGUARD_BACKEND=bpf-lsm exec bash "$(dirname "$0")/taint_fifo.sh"
