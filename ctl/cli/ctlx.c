// SPDX-License-Identifier: GPL-2.0
/*
 * ctlx: controls crmguardd over its socket.
 * Exit status: 0 ok, 1 usage, 2 failure (crmguardd down, request refused).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "ctl/lib/ctlproto.h"
#include "ctl/cli/taint.h"
#include "ctl/cli/usb.h"

struct command {
	const char *name;
	int min_args, max_args;	/* words after the name, -j not counted */
	const char *args;
	const char *help;
};

static const struct command commands[] = {
	{ "status", 0, 0, "", "is crmguardd running, what enforces, what it watches, counters" },
	{ "protect", 1, 2, "add PATH | del PATH | list", "protect a file or directory (and all beneath it)" },
	{ "allow", 1, 3, "add|del exe PATH | add|del user NAME | list", "binaries (by inode) and users that may read protected files" },
	{ "user", 1, 2, "revoke NAME | restore NAME | list", "deny a dismissed employee everything, at once" },
	{ "usb", 1, 5, CLI_USB_ARGS, CLI_USB_HELP },
	{ "mode", 0, 1, "[audit | enforce]", "show the mode, or set it: audit logs, enforce denies" },
	{ "lock", 0, 0, "", "mode enforce locked: no rule or mode change until reboot, also from root" },
	{ "reload", 0, 0, "", "re-read the policy file; a broken one changes nothing" },
	{ "taint", 1, 1, taint_args, taint_help },
	{ "events", 0, 0, "", "follow the records as crmguardd logs them" },
};

/* Does the command take these words? (The daemon checks again.) */
static bool args_fit(const struct command *c, int n, char **w)
{
	if (n < c->min_args || n > c->max_args)
		return false;
	if (!strcmp(c->name, "protect"))
		return n == 1 ? !strcmp(w[0], "list") : !strcmp(w[0], "add") || !strcmp(w[0], "del");
	if (!strcmp(c->name, "allow"))
		return n == 1 ? !strcmp(w[0], "list") :
		       n == 3 && (!strcmp(w[0], "add") || !strcmp(w[0], "del")) &&
		       (!strcmp(w[1], "exe") || !strcmp(w[1], "user"));
	if (!strcmp(c->name, "user"))
		return n == 1 ? !strcmp(w[0], "list") :
		       !strcmp(w[0], "revoke") || !strcmp(w[0], "restore");
	if (!strcmp(c->name, "taint"))
		return taint_args_fit(n, w);
	if (!strcmp(c->name, "usb"))
		return cli_usb_args_fit(n, w);
	if (!strcmp(c->name, "mode"))
		return n == 0 || !strcmp(w[0], "audit") || !strcmp(w[0], "enforce");
	return true;
}

static const char *sock_path = CTL_SOCKET;

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ctlx [-s SOCKET] COMMAND [ARGS] [-j]\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n  %8s %s\n", commands[i].name, commands[i].args, "", commands[i].help);
	fprintf(f, "\n  -j  JSON output (status and the lists)\n"
		   "  -s  control socket (default " CTL_SOCKET ")\n"
		   "  COMMAND -h  help for one command\n"
		   "Exit status: 0 ok, 1 usage, 2 failure.\n");
}

static void command_usage(FILE *f, const struct command *c)
{
	fprintf(f, "usage: ctlx %s %s%s\n  %s\n", c->name, c->args,
		strstr(c->args, "list") || !strcmp(c->name, "status") ? " [-j]" : "", c->help);
}

static int connect_daemon(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (errno == EACCES || errno == EPERM)
			fprintf(stderr, "ctlx: %s: permission denied: run ctlx as root\n", sock_path);
		else
			fprintf(stderr, "ctlx: crmguardd is not running (%s: %s); start it with "
				"'systemctl start crmguardd'\n", sock_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int request(int argc, char **argv)
{
	char buf[CTL_MSG_MAX];
	size_t len = 0, n;
	ssize_t got;
	int fd, i;

	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]) + 1;
		if (len + n > sizeof(buf)) {
			fprintf(stderr, "ctlx: arguments too long\n");
			return 1;
		}
		memcpy(buf + len, argv[i], n);
		len += n;
	}
	fd = connect_daemon();
	if (fd < 0)
		return 2;
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		fprintf(stderr, "ctlx: cannot talk to crmguardd: %s\n", strerror(errno));
		close(fd);
		return 2;
	}
	while ((got = recv(fd, buf, sizeof(buf), 0)) > 0) {
		if (buf[0] == CTL_EXIT && got == 2) {
			close(fd);
			return buf[1];
		}
		if (buf[0] == CTL_OUT) {
			fwrite(buf + 1, 1, got - 1, stdout);
			if (!strcmp(argv[0], "events"))
				fputc('\n', stdout), fflush(stdout);
		} else if (buf[0] == CTL_ERR) {
			fwrite(buf + 1, 1, got - 1, stderr);
		}
	}
	close(fd);
	if (!strcmp(argv[0], "events"))
		return got == 0 ? 0 : 2;	/* crmguardd stopped */
	fprintf(stderr, "ctlx: crmguardd closed the connection without an answer\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct command *c = NULL;
	int i, words;

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[1], "-s") && argc > 2) {
			sock_path = argv[2];
			argc -= 2, argv += 2;
			continue;
		}
		usage(stderr);
		return 1;
	}
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	for (i = 0; i < (int)(sizeof(commands) / sizeof(commands[0])); i++)
		if (!strcmp(argv[1], commands[i].name))
			c = &commands[i];
	if (!c) {
		fprintf(stderr, "ctlx: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			command_usage(stdout, c);
			return 0;
		}
	}
	words = argc - 2 - (argc > 2 && !strcmp(argv[argc - 1], "-j"));
	if (!args_fit(c, words, argv + 2)) {
		command_usage(stderr, c);
		return 1;
	}
	return request(argc - 1, argv + 1);
}
