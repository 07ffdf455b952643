// SPDX-License-Identifier: GPL-2.0
/*
 * lsmd [-o] [-k] [-v] -c POLICY: crmguardd's part for the BPF LSM backend
 * (ctl/kbackend_lsm.c), for the VM scenarios (tests/vm/guest/lsm_*.sh)
 * until crmguardd drives the in-kernel backends itself.
 *
 * Opens the backend (adopting what the kernel holds), makes POLICY the
 * kernel's rules, prints `ready rules=N ...`, then a line a verdict, in
 * the keys and order of crmguardd's records (tests/host/lib.bash reads them):
 *   event=open verdict=deny rule=protect:/crm path=... dev=... pid=...
 * until SIGTERM or SIGINT (then `stats ...`); SIGHUP re-reads POLICY.
 * Rule ids are the policy's rule indices. A protected directory becomes
 * a rule on it and on every file and directory beneath it.
 *   -o  fail-open: once this process is gone, nothing is denied
 *   -k  keep the kernel's rules as they are (POLICY only names them)
 *   -v  libbpf's messages
 * Exit status: 0 stopped, 1 usage, 2 the backend failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/libbpf.h>
#include "ctl/decide.h"
#include "ctl/kbackend.h"
#include "ctl/policy.h"

static volatile sig_atomic_t stop, reload;
static bool verbose;

/* The rules a policy makes; nftw() has no context argument, so a global. */
static struct ruleset {
	struct kernel_rule *rules;
	size_t n, cap;
	uint32_t id, flags;	/* of the protect rule being walked */
} rs;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static int add(struct kernel_rule r)
{
	struct kernel_rule *grown;

	if (rs.n == rs.cap) {
		rs.cap = rs.cap ? 2 * rs.cap : 64;
		grown = realloc(rs.rules, rs.cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		rs.rules = grown;
	}
	rs.rules[rs.n++] = r;
	return 0;
}

static int add_inode(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct kernel_rule r = { .type = CRMGUARD_RULE_INODE, .dev = st->st_dev,
				 .ino = st->st_ino, .flags = rs.flags, .id = rs.id };

	if (type != FTW_F && type != FTW_D)
		return 0;	/* symlinks and what cannot be read */
	if (type == FTW_D)
		r.flags |= CRMGUARD_F_DIR;
	return add(r);
}

static int make_rules(const struct policy *p)
{
	const struct policy_rule *pr;
	struct kernel_rule r;
	size_t i;
	int ret = 0;

	rs.n = 0;
	for (i = 0; i < p->nrules && !ret; i++) {
		pr = &p->rules[i];
		r = (struct kernel_rule){ .id = i };
		switch (pr->kind) {
		case RULE_PROTECT:
			rs.id = i;
			rs.flags = pr->audit ? CRMGUARD_F_AUDIT : 0;
			ret = nftw(pr->arg, add_inode, 16, FTW_PHYS | FTW_MOUNT);
			if (ret)
				fprintf(stderr, "lsmd: %s: %s\n", pr->arg, strerror(errno));
			continue;
		case RULE_ALLOW_EXE:
			r.type = CRMGUARD_RULE_EXE;
			r.dev = pr->dev;
			r.ino = pr->ino;
			break;
		case RULE_ALLOW_USER:
			r.type = CRMGUARD_RULE_USER;
			r.uid = pr->uid;
			r.user_kind = CRMGUARD_USER_ALLOW;
			break;
		case RULE_REVOKE_USER:
			r.type = CRMGUARD_RULE_USER;
			r.uid = pr->uid;
			r.user_kind = pr->audit ? CRMGUARD_USER_REVOKE_AUDIT : CRMGUARD_USER_REVOKE;
			break;
		}
		ret = add(r);
	}
	return ret;
}

static int apply(struct kbackend *b, const char *path, struct policy *p, bool push, bool fail_open)
{
	struct kernel_config cfg = { .fail_open = fail_open };
	char err[POLICY_ERR_MAX];

	policy_free(p);
	if (policy_load(p, path, NULL, 0, err, sizeof(err))) {
		fprintf(stderr, "lsmd: %s\n", err);
		return -1;
	}
	if (!push)
		return 0;
	cfg.mode = p->mode == POLICY_ENFORCE ? CRMGUARD_MODE_ENFORCE : CRMGUARD_MODE_AUDIT;
	if (make_rules(p) || kbackend_lsm.replace(b, &cfg, rs.rules, rs.n, err, sizeof(err))) {
		fprintf(stderr, "lsmd: %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static void print_stats(struct kbackend *b, const char *what)
{
	struct kernel_stats s;

	if (kbackend_lsm.stats(b, &s) == 0)
		printf("%s rules=%u allow=%llu audit=%llu deny=%llu lost=%llu\n", what, s.rules,
		       (unsigned long long)s.allow, (unsigned long long)s.audit,
		       (unsigned long long)s.deny, (unsigned long long)s.lost);
}

static void on_verdict(void *ctx, const struct kernel_verdict *v)
{
	static const char *const ops[] = { "?", "open", "read", "mmap" };
	static const char *const verdicts[] = { "?", "allow", "audit", "deny" };
	const struct policy *p = ctx;
	char label[512] = "?";

	if (v->rule_id < p->nrules)
		rule_label(p, v->rule_id, label, sizeof(label));
	printf("event=%s verdict=%s rule=%s path=%s dev=%u:%u ino=%llu pid=%u tid=%u uid=%u "
	       "exe_dev=%u:%u exe_ino=%llu comm=%s\n",
	       ops[v->op <= CRMGUARD_OP_MMAP ? v->op : 0],
	       verdicts[v->verdict <= CRMGUARD_VERDICT_DENY ? v->verdict : 0], label, v->path,
	       major(v->dev), minor(v->dev), (unsigned long long)v->ino, v->pid, v->tid, v->uid,
	       major(v->exe_dev), minor(v->exe_dev), (unsigned long long)v->exe_ino, v->comm);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct policy policy = { 0 };
	const char *path = NULL;
	bool fail_open = false, push = true;
	char err[1024];
	struct kbackend *b;
	struct pollfd pfd;
	int opt, ret = 0;

	while ((opt = getopt(argc, argv, "c:okv")) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'o': fail_open = true; break;
		case 'k': push = false; break;
		case 'v': verbose = true; break;
		default: path = NULL; optind = argc + 1; break;
		}
	}
	if (!path || optind != argc) {
		fprintf(stderr, "usage: lsmd [-o] [-k] [-v] -c POLICY\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	b = kbackend_lsm.open(err, sizeof(err));
	if (!b) {
		fprintf(stderr, "lsmd: %s\n", err);
		return 2;
	}
	if (apply(b, path, &policy, push, fail_open)) {
		ret = 2;
		goto out;
	}
	print_stats(b, "ready");
	pfd = (struct pollfd){ .fd = kbackend_lsm.fd(b), .events = POLLIN };
	while (!stop) {
		if (reload) {
			reload = 0;
			if (apply(b, path, &policy, push, fail_open) == 0)
				print_stats(b, "reloaded");
		}
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR) {
			perror("lsmd: poll");
			ret = 2;
			break;
		}
		if (kbackend_lsm.read_verdicts(b, on_verdict, &policy) < 0) {
			fprintf(stderr, "lsmd: reading verdicts failed\n");
			ret = 2;
			break;
		}
	}
	print_stats(b, "stats");
out:
	kbackend_lsm.close(b);
	policy_free(&policy);
	free(rs.rules);
	return ret;
}
