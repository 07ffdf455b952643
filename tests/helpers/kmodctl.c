// SPDX-License-Identifier: GPL-2.0
/*
 * kmodctl: crmguard.ko driven through kbackend_kmod, the daemon's own
 * client, so that the guest scenarios test both without the daemon.
 *
 *   kmodctl set [-m audit|enforce] [-o] [-w] RULE...
 *	makes RULE... the module's rules (ids 1, 2, ... in order); -o asks
 *	for fail-open; -w then stays, printing each verdict on a line,
 *	until killed (the user-space side that a test kills).
 *   kmodctl watch	prints verdicts (and commands the lock refused) until
 *			killed, changes nothing
 *   kmodctl stats	allow=N audit=N deny=N lost=N rules=N locked=0|1 refused=N
 *   kmodctl clipboard [-w] off|audit|block [tool=PATH]... [allow=PATH]...
 *			makes these the module's clipboard mode, tools and
 *			binaries allowed the display (CRMGUARD_CMD_CLIPBOARD_SET);
 *			-w then says "ready" and holds its socket until killed
 * RULE: protect=PATH protect-audit=PATH dir=PATH exe=PATH user=UID
 *       revoke=UID revoke-audit=UID
 * Exit status: 0 done, 1 usage, 2 the module said no (its reason on stderr).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ctl/daemon/enforce/kbackend.h"
#include "ctl/lib/kident.h"

static const char *const verdicts[] = { "?", "allow", "audit", "deny" };
static const char *const ops[] = { "?", "open", "read", "mmap" };

static int usage(void)
{
	fprintf(stderr, "usage: kmodctl set [-m audit|enforce] [-o] [-w] RULE... | watch | stats |\n"
		"       clipboard [-w] off|audit|block [tool=PATH]... [allow=PATH]...\n");
	return 1;
}

/* The handle crmguardd's watch would keep for path (the fds stay open until exit). */
static int handle_of(const char *path, struct kernel_rule *r)
{
	struct file_handle *fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
	int mount_id;

	char *dir = strdup(path);

	/* any directory on the mount; open_by_handle_at() takes no O_PATH fd */
	r->mount_fd = dir ? open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	free(dir);
	if (!fh || r->mount_fd < 0)
		return -1;
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, fh, &mount_id, 0)) {
		perror(path);
		return -1;
	}
	r->fh = fh;
	return 0;
}

static int parse_rule(const char *arg, uint32_t id, const struct kmounts *mounts,
		      struct kernel_rule *r)
{
	static const struct {
		const char *name;
		uint32_t type, flags, kind;
	} kinds[] = {
		{ "protect", CRMGUARD_RULE_INODE, 0, 0 },
		{ "protect-audit", CRMGUARD_RULE_INODE, CRMGUARD_F_AUDIT, 0 },
		{ "dir", CRMGUARD_RULE_INODE, CRMGUARD_F_DIR, 0 },
		{ "exe", CRMGUARD_RULE_EXE, 0, 0 },
		{ "user", CRMGUARD_RULE_USER, 0, CRMGUARD_USER_ALLOW },
		{ "revoke", CRMGUARD_RULE_USER, 0, CRMGUARD_USER_REVOKE },
		{ "revoke-audit", CRMGUARD_RULE_USER, 0, CRMGUARD_USER_REVOKE_AUDIT },
	};
	const char *eq = strchr(arg, '=');
	const struct kmount *m;
	struct stat st;
	size_t i;

	for (i = 0; eq && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].name) != (size_t)(eq - arg) || strncmp(arg, kinds[i].name, eq - arg))
			continue;
		*r = (struct kernel_rule){ .type = kinds[i].type, .flags = kinds[i].flags,
					   .user_kind = kinds[i].kind, .id = id, .mount_fd = -1 };
		if (r->type == CRMGUARD_RULE_USER) {
			r->uid = strtoul(eq + 1, NULL, 10);
			return 0;
		}
		if (stat(eq + 1, &st)) {
			perror(eq + 1);
			return -1;
		}
		/* named as crmguardd names it to the kernel (ctl/lib/kident.h) */
		m = kmounts_find(mounts, kident_mount_id(AT_FDCWD, eq + 1, 0));
		if (!m) {
			fprintf(stderr, "kmodctl: %s: its mount is not in /proc/self/mountinfo\n", eq + 1);
			return -1;
		}
		r->dev = kident_dev(m, st.st_dev);
		r->st_dev = st.st_dev;
		r->ino = st.st_ino;
		r->path = eq + 1;	/* an EXE rule hands the module an fd of it, as crmguardd does */
		return r->type == CRMGUARD_RULE_INODE ? handle_of(eq + 1, r) : 0;
	}
	fprintf(stderr, "kmodctl: %s: not a rule\n", arg);
	return -1;
}

static void print_verdict(void *ctx, const struct kernel_verdict *v)
{
	if (v->refused_cmd) {
		printf("refused cmd=%u pid=%u uid=%u comm=%s\n", v->refused_cmd, v->pid, v->uid,
		       v->comm);
		fflush(stdout);
		return;
	}
	printf("verdict op=%s verdict=%s rule=%u pid=%u tid=%u uid=%u dev=%llu ino=%llu comm=%s path=%s\n",
	       ops[v->op <= 3 ? v->op : 0], verdicts[v->verdict <= 3 ? v->verdict : 0],
	       v->rule_id, v->pid, v->tid, v->uid, (unsigned long long)v->dev,
	       (unsigned long long)v->ino, v->comm, v->path);
	fflush(stdout);
}

static int watch(struct kbackend *b)
{
	struct pollfd p = { .fd = kbackend_kmod.fd(b), .events = POLLIN };

	for (;;) {
		if (poll(&p, 1, -1) < 0 || kbackend_kmod.read_verdicts(b, print_verdict, NULL) < 0)
			return 2;
	}
}

static int set(struct kbackend *b, int argc, char **argv)
{
	struct kernel_config cfg = { .mode = CRMGUARD_MODE_ENFORCE };
	struct kmounts mounts = { 0 };
	struct kernel_rule *rules;
	bool stay = false;
	char err[1024];
	int c, i, n;

	while ((c = getopt(argc, argv, "m:ow")) != -1) {
		if (c == 'm')
			cfg.mode = !strcmp(optarg, "audit") ? CRMGUARD_MODE_AUDIT : CRMGUARD_MODE_ENFORCE;
		else if (c == 'o')
			cfg.fail_open = true;
		else if (c == 'w')
			stay = true;
		else
			return usage();
	}
	n = argc - optind;
	if (kmounts_load(&mounts, err, sizeof(err))) {
		fprintf(stderr, "kmodctl: %s\n", err);
		return 2;
	}
	rules = calloc(n ? n : 1, sizeof(*rules));
	for (i = 0; i < n; i++)
		if (!rules || parse_rule(argv[optind + i], i + 1, &mounts, &rules[i]))
			return 1;
	kmounts_free(&mounts);
	if (kbackend_kmod.replace(b, &cfg, rules, n, err, sizeof(err))) {
		fprintf(stderr, "kmodctl: %s\n", err);
		return 2;
	}
	free(rules);
	printf("ready\n");
	fflush(stdout);
	return stay ? watch(b) : 0;
}

/* As crmguardd pushes it (ctl/daemon/taint/clipboard.c): each file an O_PATH fd. */
static int clipboard(struct kbackend *b, int argc, char **argv)
{
	static const char *const modes[] = { "off", "audit", "block" };
	int tools[CRMGUARD_CLIP_TOOLS_MAX], allow[CRMGUARD_CLIP_ALLOW_MAX];
	size_t ntools = 0, nallow = 0;
	bool hold = argc > 1 && !strcmp(argv[1], "-w");
	uint32_t mode;
	char err[1024];
	int i, fd, ret = 1;

	if (hold) {
		argc--;
		argv++;
	}
	for (mode = 0; argc > 1 && mode < 3 && strcmp(argv[1], modes[mode]); mode++)
		;
	if (argc < 2 || mode == 3)
		return usage();
	for (i = 2; i < argc; i++) {
		bool tool = !strncmp(argv[i], "tool=", 5);

		if ((!tool && strncmp(argv[i], "allow=", 6)) ||
		    (tool ? ntools == CRMGUARD_CLIP_TOOLS_MAX : nallow == CRMGUARD_CLIP_ALLOW_MAX)) {
			ret = usage();
			goto out;
		}
		fd = open(strchr(argv[i], '=') + 1, O_PATH | O_CLOEXEC);
		if (fd < 0) {
			perror(strchr(argv[i], '=') + 1);
			goto out;
		}
		if (tool)
			tools[ntools++] = fd;
		else
			allow[nallow++] = fd;
	}
	ret = kbackend_kmod.clipboard(b, mode, tools, ntools, allow, nallow, err, sizeof(err));
	if (ret)
		fprintf(stderr, "kmodctl: %s\n", err);
	ret = ret ? 2 : 0;
	if (!ret && hold) {
		printf("ready\n");
		fflush(stdout);
		pause();
	}
out:
	while (ntools)
		close(tools[--ntools]);
	while (nallow)
		close(allow[--nallow]);
	return ret;
}

int main(int argc, char **argv)
{
	struct kernel_stats s;
	struct kbackend *b;
	char err[1024];
	int ret = 1;

	if (argc < 2)
		return usage();
	b = kbackend_kmod.open(err, sizeof(err));
	if (!b) {
		fprintf(stderr, "kmodctl: %s\n", err);
		return 2;
	}
	if (!strcmp(argv[1], "set")) {
		ret = set(b, argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "watch")) {
		/* subscribed by open: a caller may wait for this line */
		printf("ready\n");
		fflush(stdout);
		ret = watch(b);
	} else if (!strcmp(argv[1], "clipboard")) {
		ret = clipboard(b, argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "stats")) {
		ret = kbackend_kmod.stats(b, &s) ? 2 : 0;
		if (!ret)
			printf("allow=%llu audit=%llu deny=%llu lost=%llu rules=%u locked=%d "
			       "refused=%llu\n", (unsigned long long)s.allow,
			       (unsigned long long)s.audit, (unsigned long long)s.deny,
			       (unsigned long long)s.lost, s.rules, s.locked,
			       (unsigned long long)s.refused);
	} else {
		ret = usage();
	}
	kbackend_kmod.close(b);
	return ret;
}
