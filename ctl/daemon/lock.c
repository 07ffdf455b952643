// SPDX-License-Identifier: GPL-2.0
/* The lock until reboot (lock.h): its marker, its refusals and their records. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ctl/daemon/heartbeat.h"
#include "ctl/daemon/lock.h"
#include "ebpf/enforce.h"

/* crmguard.ko and the BPF LSM report a refused write of a binary alike: one record. */
_Static_assert(CRMGUARD_REFUSED_EXE_WRITE == ENFORCE_OP_EXE_WRITE,
	       "kmod/uapi/crmguard.h and ebpf/enforce.h number exe-write apart");

/* A lock record: what was tried or done, by whom where known. */
static void note(struct daemon *d, const char *verdict, const char *action, const char *detail)
{
	struct record r;

	record_init(&r, "lock");
	record_str(&r, "verdict", verdict);
	record_str(&r, "action", action);
	record_str(&r, "backend", enforcer_name(&d->enforcer));
	record_str(&r, "policy_hash", d->policy_hash);
	if (detail)
		record_str(&r, "detail", detail);
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
}

static void write_marker(struct daemon *d)
{
	char dir[sizeof(d->lock_marker)];
	FILE *f;

	/* the control socket's directory, which crmguardd may not have made yet */
	snprintf(dir, sizeof(dir), "%s", d->lock_marker);
	*strrchr(dir, '/') = 0;
	mkdir(dir, 0700);
	f = fopen(d->lock_marker, "we");
	if (!f || fprintf(f, "pid=%d hash=%s\n", (int)getpid(), d->policy_hash) < 0 || fclose(f)) {
		char msg[4200];

		snprintf(msg, sizeof(msg), "%s: cannot write the lock's marker: %s; a crmguardd "
			 "started again will not know of the lock", d->lock_marker, strerror(errno));
		note(d, "audit", "marker-error", msg);
	}
}

void lock_start(struct daemon *d, const char *sock)
{
	const char *slash = strrchr(sock, '/');
	struct kernel_stats ks = { 0 };
	char hash[POLICY_HASH_HEX] = "", msg[4400];
	bool kernel, marker;
	int pid = 0;
	FILE *f;

	snprintf(d->lock_marker, sizeof(d->lock_marker), "%.*s/locked",
		 slash ? (int)(slash - sock) : 1, slash ? sock : ".");
	kernel = enforcer_stats(&d->enforcer, &ks) && ks.locked;
	f = fopen(d->lock_marker, "re");
	marker = f && fscanf(f, "pid=%d hash=%64s", &pid, hash) == 2 && strlen(hash) == 64;
	if (f)
		fclose(f);
	if (!kernel && !marker)
		return;
	d->locked = true;
	d->enforcer.locked = kernel;	/* else lock_engage() locks it, rules in place */
	/* the kernel's hash where it keeps one: the marker is only a file in /run */
	snprintf(d->policy_hash, sizeof(d->policy_hash), "%s",
		 kernel && ks.lock_hash[0] ? ks.lock_hash : marker ? hash : "");
	if (kernel && ks.lock_hash[0] && marker && pid != getpid()) {
		/* the programs gave this crmguardd the lock (ebpf/enforce_lock.bpf.h) */
		d->lock_from = pid;
		snprintf(msg, sizeof(msg), "crmguardd took over the lock of the BPF LSM from "
			 "crmguardd (pid %d): it records the programs' refusals, is protected "
			 "from signals and ptrace, and takes the locked policy only", pid);
		note(d, "audit", "takeover", msg);
	}
	if (marker && pid != getpid()) {
		snprintf(msg, sizeof(msg), "crmguardd (pid %d) that held the lock ended (killed, or "
			 "stopped); %s", pid, kernel ? "the kernel kept enforcing the locked rules" :
			 "nothing enforced while it was gone");
		note(d, "audit", "daemon-ended", msg);
	} else if (!marker) {
		snprintf(msg, sizeof(msg), "the kernel is locked but %s is gone: the policy on "
			 "disk is taken as the locked one", d->lock_marker);
		note(d, "audit", "marker-gone", msg);
	}
}

int lock_check(struct daemon *d, const struct policy *np, const char *how,
	       char hash[POLICY_HASH_HEX], char *err, size_t errlen)
{
	char msg[POLICY_ERR_MAX];

	policy_hash(np, hash);
	if (!d->locked || !d->policy_hash[0] || !strcmp(hash, d->policy_hash))
		return 0;
	snprintf(err, errlen, "the policy is locked until reboot (mode enforce locked): %s refused; "
		 "the locked policy stays in force (put %s back as it was, or reboot)", how,
		 d->policy_path);
	snprintf(msg, sizeof(msg), "%s would change the locked policy (to hash %s); refused",
		 how, hash);
	note(d, "deny", how, msg);
	return -EPERM;
}

int lock_engage(struct daemon *d, char *err, size_t errlen)
{
	bool was = d->locked;
	char msg[512];
	int ret;

	if (!d->policy.locked && !was)
		return 0;
	if (!d->enforcer.locked) {
		ret = enforcer_lock(&d->enforcer, d->policy_hash, err, errlen);
		if (ret) {
			note(d, "deny", "lock", err);
			return ret;
		}
	}
	d->locked = true;
	if (was)
		return 0;
	write_marker(d);
	snprintf(msg, sizeof(msg), "locked until reboot: %s", lock_status(d));
	note(d, "allow", "lock", msg);
	return 0;
}

void lock_running(struct daemon *d)
{
	if (d->locked)
		write_marker(d);
}

/*
 * The binary whose write the lock refused: an allowed one's path, or
 * crmguardd's, else as the kernel names it (crmguard.ko does: the binary
 * of a crmguardd before this one).
 */
static void put_binary(struct daemon *d, struct record *r, const struct kernel_verdict *v)
{
	dev_t dev = enforcer_stat_dev(&d->enforcer, v->dev, v->ino);
	const char *path = NULL;
	struct stat st;
	size_t i;

	for (i = 0; i < d->policy.nrules && !path; i++)
		if (d->policy.rules[i].kind == RULE_ALLOW_EXE && d->policy.rules[i].ino == v->ino &&
		    d->policy.rules[i].dev == dev)
			path = d->policy.rules[i].arg;
	if (!path && !stat("/proc/self/exe", &st) && st.st_ino == v->ino && st.st_dev == dev)
		path = "crmguardd";
	if (!path && v->path[0])
		path = v->path;
	if (path)
		record_str(r, "path", path);
	record_u64(r, "dev", dev);
	record_u64(r, "ino", v->ino);
}

/*
 * What the kernel refused: a command to crmguard.ko, or an ENFORCE_OP_* of
 * the BPF LSM (whose EXE_WRITE crmguard.ko reports too).
 */
static const char *refused_name(uint32_t cmd)
{
	static const char *const kmod[] = {
		[CRMGUARD_CMD_RULE_ADD] = "rule-add", [CRMGUARD_CMD_RULE_DEL] = "rule-del",
		[CRMGUARD_CMD_RULE_FLUSH] = "rule-flush", [CRMGUARD_CMD_CONFIG_SET] = "config-set",
		[CRMGUARD_CMD_CLIPBOARD_SET] = "clipboard-set",
	};
	static const char *const lsm[] = {
		"unpin", "umount", "bpf-link", "map-write", "kill", "ptrace", "exe-write",
	};

	if (cmd < sizeof(kmod) / sizeof(kmod[0]) && kmod[cmd])
		return kmod[cmd];
	if (cmd >= ENFORCE_OP_UNPIN && cmd - ENFORCE_OP_UNPIN < sizeof(lsm) / sizeof(lsm[0]))
		return lsm[cmd - ENFORCE_OP_UNPIN];
	return "command";
}

void lock_kernel_refused(struct daemon *d, const struct kernel_verdict *v)
{
	struct record r;

	record_init(&r, "lock");
	record_str(&r, "verdict", "deny");
	record_str(&r, "action", refused_name(v->refused_cmd));
	if (v->refused_cmd == ENFORCE_OP_KILL)
		record_u64(&r, "signal", v->ino);
	if (v->refused_cmd == ENFORCE_OP_BPF)
		record_u64(&r, "bpf_cmd", v->ino);
	if (v->refused_cmd == ENFORCE_OP_EXE_WRITE)
		put_binary(d, &r, v);
	record_u64(&r, "pid", v->pid);
	record_u64(&r, "uid", v->uid);
	record_str(&r, "comm", v->comm);
	record_str(&r, "backend", enforcer_name(&d->enforcer));
	record_str(&r, "detail", "the kernel refused a change of its locked rules");
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
}

void lock_on_rmmod(struct daemon *d, const struct sensor_event *e)
{
	/* O_TRUNC: forced, which a kernel with CONFIG_MODULE_FORCE_UNLOAD does anyway */
	bool forced = e->exit_code & O_TRUNC;
	struct record r;

	if (!d->locked || strcmp(enforcer_name(&d->enforcer), "kmod") ||
	    strcmp(e->filename, "crmguard"))
		return;
	record_init(&r, "lock");
	record_str(&r, "verdict", forced ? "audit" : "deny");
	record_str(&r, "action", "rmmod");
	record_str(&r, "module", e->filename);
	if (forced)
		record_u64(&r, "forced", 1);
	record_u64(&r, "pid", e->pid);
	record_u64(&r, "uid", e->uid);
	record_str(&r, "comm", e->comm);
	record_str(&r, "backend", enforcer_name(&d->enforcer));
	record_str(&r, "detail", forced ? "a forced unload of the locked crmguard.ko: a kernel "
		   "built with CONFIG_MODULE_FORCE_UNLOAD lets it through" :
		   "crmguard.ko is locked until reboot: the kernel refuses its unload");
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
}

const char *lock_status(const struct daemon *d)
{
	if (!d->locked)
		return "";
	if (!strcmp(enforcer_name(&d->enforcer), "kmod"))
		return "crmguard.ko refuses every rule and mode change, a looser clipboard, its "
		       "unload, and writing allowed binaries and crmguardd's";
	if (!strcmp(enforcer_name(&d->enforcer), "bpf-lsm") && d->lock_from) {
		static char took[400];

		snprintf(took, sizeof(took), "the BPF LSM refuses removing its pins, unmounting "
			 "them, writing its maps, detaching BPF links, writing allowed binaries and "
			 "crmguardd's, and signals and ptrace to crmguardd; taken over from crmguardd "
			 "(pid %d)", d->lock_from);
		return took;
	}
	if (!strcmp(enforcer_name(&d->enforcer), "bpf-lsm"))
		return "the BPF LSM refuses removing its pins, unmounting them, writing its maps, "
		       "detaching BPF links, writing allowed binaries and crmguardd's, and "
		       "signals and ptrace to crmguardd";
	return "crmguardd refuses every change; nothing in the kernel holds the lock: root can "
	       "stop crmguardd, and nothing enforces then";
}
