// SPDX-License-Identifier: GPL-2.0
/*
 * crmguardd's side of ctlx: each request, its answer, and every change
 * written to the policy file before it takes effect.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "ctl/lib/ctlproto.h"
#include "ctl/daemon/commands.h"
#include "ctl/daemon/heartbeat.h"
#include "ctl/daemon/lock.h"
#include "ctl/daemon/reload.h"
#include "ctl/daemon/taint/clipboard.h"
#include "ctl/daemon/taint/taint.h"

/*
 * The kernel the probe ran on, as README's table of kernels names it: its
 * release, and PREEMPT_RT where it is one (uname -v says so).
 */
static void kernel_family(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u)) {
		snprintf(buf, len, "unknown");
		return;
	}
	snprintf(buf, len, "Linux %s%s", u.release, strstr(u.version, "PREEMPT_RT") ? " PREEMPT_RT" : "");
}

static int status(struct daemon *d, bool json, FILE *out)
{
	char progs[1024], usb[512], mounts[256], family[128], clip[512];

	struct kernel_stats ks = { 0 };
	bool kernel = enforcer_stats(&d->enforcer, &ks);

	sensor_programs(d->sensor, progs, sizeof(progs));
	if (d->enforcer.handover)
		handover_programs(d->enforcer.handover, progs + strlen(progs), sizeof(progs) - strlen(progs));
	usb_mechanism(d->usb, usb, sizeof(usb));
	mounts_status(d->mounts, mounts, sizeof(mounts));
	clipboard_mechanism(d, clip, sizeof(clip));
	kernel_family(family, sizeof(family));
	if (json) {
		fprintf(out, "{\"running\":true,\"pid\":%d,\"since\":%lld,\"policy\":",
			(int)getpid(), (long long)d->started);
		json_str(out, d->policy_path);
		fprintf(out, ",\"mode\":\"%s\",\"locked\":%s,\"rules\":%zu,\"enforcer\":\"%s\","
			"\"enforcer_limits\":", policy_mode_name(d->policy.mode),
			d->locked ? "true" : "false", d->policy.nrules, enforcer_name(&d->enforcer));
		json_str(out, enforcer_limits(&d->enforcer));
		fputs(",\"lock\":", out);
		json_str(out, lock_status(d));
		fputs(",\"system\":", out);
		json_str(out, family);
		fputs(",\"backends\":", out);
		json_str(out, d->enforcer.probe);
		fputs(",\"gaps\":", out);
		json_str(out, enforcer_gaps(&d->enforcer, d->watch) ?: "");
		fputs(",\"usb\":", out);
		json_str(out, usb);
		fputs(",\"mounts\":", out);
		json_str(out, mounts);
		fputs(",\"clipboard\":", out);
		json_str(out, clip);
		if (kernel)
			fprintf(out, ",\"kernel\":{\"rules\":%u,\"allow\":%llu,\"audit\":%llu,"
				"\"deny\":%llu,\"lost\":%llu,\"locked\":%s,\"refused\":%llu}", ks.rules,
				(unsigned long long)ks.allow, (unsigned long long)ks.audit,
				(unsigned long long)ks.deny, (unsigned long long)ks.lost,
				ks.locked ? "true" : "false", (unsigned long long)ks.refused);
		fprintf(out, ",\"protected_files\":%zu,\"protected_dirs\":%zu,\"byte_counts\":%s,"
			"\"reads\":\"%s\",\"programs\":", watch_files(d->watch), watch_dirs(d->watch),
			watch_has_ranges(d->watch) ? "true" : "false",
			watch_trusts_reads(d->watch) ? "trust" : "check");
		json_str(out, progs);
		fprintf(out, ",\"processes\":%zu,\"followers\":%zu,\"events\":{\"open\":%llu,"
			"\"close\":%llu,\"deny\":%llu,\"exec\":%llu,\"fork\":%llu,\"exit\":%llu},"
			"\"lost\":{\"ringbuf\":%llu,\"fanotify\":%llu,\"syslog\":%llu},"
			"\"response_errors\":%llu,\"heartbeat\":",
			proctab_count(), ctlserver_followers(d->sink.ctl), d->n.open, d->n.close,
			d->n.deny, d->n.exec, d->n.fork, d->n.exit, d->n.lost_ringbuf,
			d->n.lost_fanotify, d->sink.log.unsent_total, d->n.response_errors);
		heartbeat_json(d, out);
		fputs("}\n", out);
		return EXIT_OK;
	}
	fprintf(out, "crmguardd:  running (pid %d)\n", (int)getpid());
	fprintf(out, "policy:     %s (mode %s, %zu rules)\n", d->policy_path,
		policy_mode_name(d->policy.mode), d->policy.nrules);
	if (d->locked)
		fprintf(out, "locked:     until reboot: %s\n", lock_status(d));
	fprintf(out, "enforcer:   %s: %s\n", enforcer_name(&d->enforcer),
		enforcer_limits(&d->enforcer));
	fprintf(out, "system:     %s\n", family);
	fprintf(out, "backends:   %s\n", d->enforcer.probe);
	if (enforcer_gaps(&d->enforcer, d->watch))
		fprintf(out, "not seen:   %s (this kernel and backend)\n",
			enforcer_gaps(&d->enforcer, d->watch));
	fprintf(out, "usb:        %s\n", usb);
	fprintf(out, "mounts:     %s\n", mounts);
	fprintf(out, "clipboard:  %s\n", clip);
	if (kernel)
		fprintf(out, "kernel:     %u rules; allow %llu, audit %llu, deny %llu, lost %llu%s",
			ks.rules, (unsigned long long)ks.allow, (unsigned long long)ks.audit,
			(unsigned long long)ks.deny, (unsigned long long)ks.lost,
			ks.locked ? "; locked" : "\n");
	if (kernel && ks.locked)
		fprintf(out, ", changes refused %llu\n", (unsigned long long)ks.refused);
	fprintf(out, "protected:  %zu files, %zu directories (fanotify inode marks%s)\n",
		watch_files(d->watch), watch_dirs(d->watch),
		watch_has_ranges(d->watch) ? ", with byte counts" : ", no byte counts");
	fprintf(out, "reads:      %s%s%s\n", watch_trusts_reads(d->watch) ?
		"trust (decided at open; no byte counts)" : "check (every read decided and counted)",
		d->enforcer.handover_err[0] ? "; reads trust cannot be had here: " : "",
		d->enforcer.handover_err);
	fprintf(out, "bpf:        %s\n", progs);
	fprintf(out, "processes:  %zu followed\n", proctab_count());
	fprintf(out, "events:     open %llu, close %llu, deny %llu, exec %llu, fork %llu, exit %llu\n",
		d->n.open, d->n.close, d->n.deny, d->n.exec, d->n.fork, d->n.exit);
	fprintf(out, "lost:       ringbuf %llu, fanotify %llu, syslog %llu; response errors %llu\n",
		d->n.lost_ringbuf, d->n.lost_fanotify, d->sink.log.unsent_total, d->n.response_errors);
	return EXIT_OK;
}

/* The rules of the kinds in mask (bit per enum rule_kind). */
static int list(const struct daemon *d, unsigned int mask, bool json, FILE *out)
{
	const struct policy_rule *r;
	size_t i, shown = 0;

	for (i = 0; i < d->policy.nrules; i++) {
		r = &d->policy.rules[i];
		if (!(mask & (1u << r->kind)))
			continue;
		if (json) {
			fprintf(out, "%s{\"rule\":\"%s\",\"arg\":", shown ? "," : "[",
				policy_kind_name(r->kind));
			json_str(out, r->arg);
			fprintf(out, ",\"audit\":%s,\"file\":", r->audit ? "true" : "false");
			json_str(out, r->file);
			fprintf(out, ",\"line\":%d}", r->line);
		} else {
			fprintf(out, "%s %s%s\t(%s:%d)\n", policy_kind_name(r->kind), r->arg,
				r->audit ? " audit" : "", r->file, r->line);
		}
		shown++;
	}
	if (json)
		fputs(shown ? "]\n" : "[]\n", out);
	return EXIT_OK;
}

/* Writes the rule `words` to the policy file (or removes it) and applies it. */
static int change(struct daemon *d, const char *const *words, int n, bool add, FILE *err)
{
	char msg[POLICY_ERR_MAX], how[512], *text;
	size_t len, used;
	int i;

	/* what asked, for a record of what the lock refuses */
	used = snprintf(how, sizeof(how), "ctlx %s", add ? "add" : "del");
	for (i = 0; i < n && used < sizeof(how); i++)
		used += snprintf(how + used, sizeof(how) - used, " %s", words[i]);
	if (policy_edit(d->policy_path, words, n, add, &text, &len, msg, sizeof(msg)) ||
	    daemon_apply_policy(d, text, len, how, msg, sizeof(msg))) {
		fprintf(err, "ctlx: %s\nnothing was changed\n", msg);
		free(text);
		return EXIT_FAIL;
	}
	free(text);
	fputs(msg, err);	/* the warnings, if any */
	daemon_note(d, LOG_LVL_NOTICE, "reload", NULL);
	return EXIT_OK;
}

static bool is(const char *a, const char *b)
{
	return !strcmp(a, b);
}

/*
 * usb list | usb generate | usb allow|block VID:PID [serial S] [readonly]
 * (a new verdict for a device replaces its line) | usb default VERDICT
 */
static int usb_command(struct daemon *d, int argc, char **argv, bool json, FILE *out, FILE *err)
{
	const char *words[6];
	int i;

	if (argc == 2 && is(argv[1], "list")) {
		usb_list(d->usb, json, out);
		return EXIT_OK;
	}
	if (argc == 2 && is(argv[1], "generate")) {
		usb_generate(d->usb, out);
		return EXIT_OK;
	}
	if (argc >= 3 && argc <= 6 && (is(argv[1], "allow") || is(argv[1], "block") ||
				       (is(argv[1], "default") && argc == 3))) {
		for (i = 0; i < argc; i++)
			words[i] = argv[i];
		return change(d, words, argc, true, err);
	}
	fprintf(err, "crmguardd: usb takes list, generate, allow, block or default; see ctlx usb -h\n");
	return EXIT_USAGE;
}

int commands_handle(void *ctx, int argc, char **argv, FILE *out, FILE *err, bool *follow)
{
	struct daemon *d = ctx;
	bool json = argc > 1 && is(argv[argc - 1], "-j");
	const char *words[3];

	argc -= json;
	if (is(argv[0], "status") && argc == 1)
		return status(d, json, out);
	if (is(argv[0], "reload") && argc == 1)
		return daemon_reload(d, err);
	if (is(argv[0], "events") && argc == 1) {
		*follow = true;
		return EXIT_OK;
	}
	if (argc == 2 && is(argv[1], "list")) {
		if (is(argv[0], "taint"))
			return taint_list(d, json, out);
		if (is(argv[0], "protect"))
			return list(d, 1u << RULE_PROTECT, json, out);
		if (is(argv[0], "allow"))
			return list(d, 1u << RULE_ALLOW_EXE | 1u << RULE_ALLOW_USER, json, out);
		if (is(argv[0], "user"))
			return list(d, 1u << RULE_REVOKE_USER | 1u << RULE_ALLOW_USER, json, out);
	}
	if (is(argv[0], "protect") && argc == 3 && (is(argv[1], "add") || is(argv[1], "del"))) {
		words[0] = "protect", words[1] = argv[2];
		return change(d, words, 2, is(argv[1], "add"), err);
	}
	if (is(argv[0], "allow") && argc == 4 && (is(argv[1], "add") || is(argv[1], "del")) &&
	    (is(argv[2], "exe") || is(argv[2], "user"))) {
		words[0] = "allow", words[1] = argv[2], words[2] = argv[3];
		return change(d, words, 3, is(argv[1], "add"), err);
	}
	if (is(argv[0], "user") && argc == 3 && (is(argv[1], "revoke") || is(argv[1], "restore"))) {
		words[0] = "revoke", words[1] = "user", words[2] = argv[2];
		return change(d, words, 3, is(argv[1], "revoke"), err);
	}
	if (is(argv[0], "usb"))
		return usb_command(d, argc, argv, json, out, err);
	if (is(argv[0], "mode") && argc == 1) {
		fprintf(out, "%s\n", policy_mode_name(d->policy.mode));
		return EXIT_OK;
	}
	if (is(argv[0], "mode") && argc == 2) {
		words[0] = "mode", words[1] = argv[1];
		return change(d, words, 2, true, err);
	}
	if (is(argv[0], "lock") && argc == 1) {
		words[0] = "mode", words[1] = "enforce", words[2] = "locked";
		return change(d, words, 3, true, err);
	}
	fprintf(err, "crmguardd: cannot do '%s' with these arguments; see ctlx -h\n", argv[0]);
	return EXIT_USAGE;
}
