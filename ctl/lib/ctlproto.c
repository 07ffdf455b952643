// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "ctl/lib/ctlproto.h"
#include "ctl/lib/utf8.h"

int ctl_send(int fd, enum ctl_msg type, const char *text, size_t len, int flags)
{
	char msg[CTL_MSG_MAX];
	size_t chunk;

	do {
		chunk = len < CTL_MSG_MAX - 1 ? len : CTL_MSG_MAX - 1;
		msg[0] = type;
		memcpy(msg + 1, text, chunk);
		if (send(fd, msg, chunk + 1, MSG_NOSIGNAL | flags) != (ssize_t)chunk + 1)
			return -1;
		text += chunk;
		len -= chunk;
	} while (len);
	return 0;
}

int ctl_send_exit(int fd, int code)
{
	char msg[2] = { CTL_EXIT, (char)code };

	return send(fd, msg, 2, MSG_NOSIGNAL) == 2 ? 0 : -1;
}

int ctl_split(char *buf, size_t len, char **argv, int max)
{
	size_t pos = 0;
	int argc = 0;

	if (!len || buf[len - 1] != 0)
		return -1;
	while (pos < len) {
		if (argc == max)
			return -1;
		argv[argc++] = buf + pos;
		pos += strlen(buf + pos) + 1;
	}
	return argc;
}

void json_str(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;

	fputc('"', f);
	while (i < n) {
		len = utf8_seq_len(u + i, n - i);
		if (u[i] == '"' || u[i] == '\\')
			fprintf(f, "\\%c", u[i]);
		else if (u[i] < 0x20 || u[i] == 0x7f || !len)
			fprintf(f, "\\u%04x", u[i]);	/* bytes that are not UTF-8 too */
		else
			fwrite(u + i, 1, len, f);
		i += len ? len : 1;
	}
	fputc('"', f);
}
