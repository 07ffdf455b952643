/* SPDX-License-Identifier: GPL-2.0 */
/* ctlx usb: USB mass-storage devices and the policy's usb lines. */
#ifndef CRMGUARD_CLI_USB_H
#define CRMGUARD_CLI_USB_H

#include <stdbool.h>

#define CLI_USB_ARGS "list | generate | allow VID:PID [serial S] [readonly] | " \
		     "block VID:PID [serial S] | default block|readonly|allow"
#define CLI_USB_HELP "USB sticks present, and which may be used (crmguardd decides them)"

/* Do the n words after `usb` make a request crmguardd takes? (It checks again.) */
bool cli_usb_args_fit(int n, char *const *w);

#endif
