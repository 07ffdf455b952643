// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "ctl/cli/usb.h"

/*
 * The shape only: whether VID:PID and the serial are well formed the
 * daemon's policy parser says, with the file and line it would write.
 */
bool cli_usb_args_fit(int n, char *const *w)
{
	if (n == 1)
		return !strcmp(w[0], "list") || !strcmp(w[0], "generate");
	if (n == 2 && !strcmp(w[0], "default"))
		return true;
	return n >= 2 && n <= 5 && (!strcmp(w[0], "allow") || !strcmp(w[0], "block"));
}
