// SPDX-License-Identifier: GPL-2.0
/*
 * A new policy taking effect: all of it or nothing. The running policy,
 * its watch and the kernel's rules stay as they were if any step fails.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ctl/daemon/files/files.h"
#include "ctl/daemon/heartbeat.h"
#include "ctl/daemon/lock.h"
#include "ctl/daemon/reload.h"
#include "ctl/daemon/taint/derived.h"
#include "ctl/daemon/taint/taint.h"
#include "ctl/lib/ctlproto.h"

void daemon_note(struct daemon *d, enum log_level level, const char *event, const char *msg)
{
	struct record r;

	record_init(&r, event);
	record_str(&r, "policy", d->policy_path);
	record_str(&r, "mode", policy_mode_name(d->policy.mode));
	record_u64(&r, "rules", d->policy.nrules);
	if (msg)
		record_str(&r, "error", msg);
	sink_emit(&d->sink, level, &r);
}

/*
 * One warning: a record, and a line in text (for whoever asked for the
 * change) while it fits there; the records have them all.
 */
static void warn(struct daemon *d, const char *rule, const char *detail, char *text, size_t len)
{
	struct record r;
	size_t used = strlen(text);

	record_init(&r, "warning");
	record_str(&r, "rule", rule);
	record_str(&r, "detail", detail);
	sink_emit(&d->sink, LOG_LVL_WARNING, &r);
	if (used + strlen(detail) + sizeof("warning: \n") + sizeof(" (more in the log)") < len)
		snprintf(text + used, len - used, "warning: %s\n", detail);
	else if (!strstr(text, "(more in the log)"))
		snprintf(text + used, len - used, "warning: ... (more in the log)\n");
}

/*
 * A stick allowed by model alone: every stick of that model is allowed,
 * and identical sticks without a serial cannot be told apart.
 */
static void warn_usb_rules(struct daemon *d, char *text, size_t len)
{
	const struct usb_policy *u = &d->policy.usb;
	char msg[POLICY_ERR_MAX], label[512];
	size_t i;

	for (i = 0; i < u->nrules; i++) {
		int first = policy_usb_shadowed_by(u, i);

		if (first >= 0) {
			snprintf(msg, sizeof(msg), "%s:%d: this usb rule never decides: %s:%d names every "
				 "stick it names and comes first (the first rule that names a stick "
				 "decides); move it above, or remove the other", u->rules[i].file,
				 u->rules[i].line, u->rules[first].file, u->rules[first].line);
			warn(d, policy_usb_label(u, i, label, sizeof(label)), msg, text, len);
		}
		if (u->rules[i].serial || u->rules[i].verdict == USB_BLOCK)
			continue;
		snprintf(msg, sizeof(msg), "%s:%d: usb allow %04x:%04x names no serial: every stick "
			 "of this model is allowed, and identical sticks cannot be told apart; add "
			 "'serial SERIAL' (ctlx usb list shows it)", u->rules[i].file, u->rules[i].line,
			 u->rules[i].vid, u->rules[i].pid);
		warn(d, policy_usb_label(u, i, label, sizeof(label)), msg, text, len);
	}
}

/*
 * What the running policy asks but cannot have: an allowed interpreter
 * allows every script it is given; an allowed binary that is not there
 * allows nothing; a protected path that is not there is waited for.
 */
static void warn_rules(struct daemon *d, char *text, size_t len)
{
	const struct policy_rule *r;
	char msg[POLICY_ERR_MAX], label[256];
	size_t i;
	int why;

	text[0] = 0;
	for (i = 0; i < d->policy.nrules; i++) {
		r = &d->policy.rules[i];
		if (r->interpreter) {
			snprintf(msg, sizeof(msg), "%s:%d: allow exe %s runs any script it is given: "
				 "every script run by it may read protected files; allow the CRM's "
				 "own binary instead", r->file, r->line, r->arg);
			warn(d, rule_label(&d->policy, i, label, sizeof(label)), msg, text, len);
		}
		if (enforcer_exe_ambiguous(&d->enforcer, r)) {
			snprintf(msg, sizeof(msg), "%s:%d: allow exe %s: stat() shows it on another "
				 "device than its filesystem's (an overlay over other filesystems): "
				 "%s names it by the filesystem's device and its inode number, which "
				 "a file of another layer may have too, and would allow that file; "
				 "keep the CRM's binary off such an overlay", r->file, r->line, r->arg,
				 enforcer_name(&d->enforcer));
			warn(d, rule_label(&d->policy, i, label, sizeof(label)), msg, text, len);
		}
		why = r->missing ?: watch_missing(d->watch, i);
		if (why)
			warn(d, rule_label(&d->policy, i, label, sizeof(label)),
			     policy_missing_text(r, why, msg, sizeof(msg)), text, len);
	}
	warn_usb_rules(d, text, len);
}

/*
 * crmguardd answers the kernel for protected files from the same thread
 * that reads these: if one of them were protected, it would wait on itself.
 */
static int check_own_files(const struct daemon *d, const struct policy *p,
			   const struct watch *w, char *err, size_t errlen)
{
	const char *slash = strrchr(d->policy_path, '/');
	char dropins[4096];
	const char *own[] = { d->policy_path, dropins, "/etc/passwd", "/etc/group",
			      "/etc/nsswitch.conf" };
	size_t i;
	int rule;

	snprintf(dropins, sizeof(dropins), "%.*s/policy.d",
		 slash ? (int)(slash - d->policy_path) : 1, slash ? d->policy_path : ".");
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		rule = watch_covers(w, own[i]);
		if (rule < 0)
			continue;
		snprintf(err, errlen, "%s:%d: protect %s covers %.200s, which crmguardd reads "
			 "itself; protect the CRM's files only", p->rules[rule].file,
			 p->rules[rule].line, p->rules[rule].arg, own[i]);
		return -EINVAL;
	}
	return 0;
}

/*
 * Makes (path, text) the running policy, or changes nothing. With text
 * NULL the file is read; else text becomes the file once it has worked.
 * On success err holds the warnings, a line each ("warning: ..."), or "".
 */
int daemon_apply_policy(struct daemon *d, const char *text, size_t len, const char *how,
			char *err, size_t errlen)
{
	char hash[POLICY_HASH_HEX], why[POLICY_ERR_MAX];
	struct policy np;
	struct watch *nw;
	size_t used;
	bool trust;
	int ret;

	ret = policy_load(&np, d->policy_path, text, len, err, errlen);
	if (ret)
		return ret;
	ret = lock_check(d, &np, how ? how : d->watch ? "reload" : "start", hash, err, errlen);
	if (ret)
		goto drop_policy;
	ret = derived_add_rules(&np, d->taint_state, err, errlen);
	if (ret)
		goto drop_policy;
	/*
	 * reads trust (the default) needs the hand-over watch on fanotify:
	 * where it cannot run (older kernels), every read is checked instead,
	 * as `ctlx status` says: slower, and nothing is let through.
	 */
	trust = !np.reads_check;
	if (trust && !enforcer_watch_handovers(&d->enforcer, true, sensor_injected_fd(d->sensor)))
		np.reads_check = true;
	ret = watch_build(&nw, &np, d->watch, d->enforcer.ops != NULL, err, errlen);
	if (ret)
		goto drop_policy;
	ret = check_own_files(d, &np, nw, err, errlen);
	if (ret)
		goto drop_watch;
	ret = enforcer_apply(&d->enforcer, &np, nw, err, errlen);
	if (ret)
		goto restore_kernel;
	if (text) {
		ret = policy_write(d->policy_path, text, len, err, errlen);
		if (ret)
			goto restore_kernel;
	}
	if (d->watch)
		files_read_events(d);	/* answer the old group before it goes */
	watch_free(d->watch);
	policy_free(&d->policy);
	d->watch = nw;
	d->watch_gen++;
	d->policy = np;
	memcpy(d->policy_hash, hash, sizeof(hash));
	if (!trust)
		enforcer_watch_handovers(&d->enforcer, false, -1);
	taint_policy_changed(d);
	if (d->usb)
		usb_apply(d->usb, &d->policy);
	if (mounts_want(d->mounts, d->policy.usb.managed, why, sizeof(why)))
		warn(d, "usb", why, err, errlen);
	warn_rules(d, err, errlen);
	used = strlen(err);
	if (lock_engage(d, why, sizeof(why)) && used < errlen)
		snprintf(err + used, errlen - used, "warning: not locked: %s\n", why);
	if (sensor_watch_rmmod(d->sensor, d->locked))
		warn(d, "mode enforce locked", "rmmod attempts cannot be recorded: the kernel "
		     "refused the delete_module tracepoint", err, errlen);
	held_scan(d);
	return 0;
restore_kernel:
	/* the kernel may have some of the new rules already: give it back the old */
	if (d->watch) {
		char again[POLICY_ERR_MAX];

		enforcer_apply(&d->enforcer, &d->policy, d->watch, again, sizeof(again));
	}
drop_watch:
	watch_free(nw);
drop_policy:
	policy_free(&np);
	return ret;
}

int daemon_reload(struct daemon *d, FILE *err)
{
	char msg[POLICY_ERR_MAX];

	if (daemon_apply_policy(d, NULL, 0, NULL, msg, sizeof(msg))) {
		daemon_note(d, LOG_LVL_WARNING, "reload", msg);
		if (err)
			fprintf(err, "ctlx: %s\nthe running policy is unchanged\n", msg);
		return EXIT_FAIL;
	}
	if (err)
		fputs(msg, err);
	daemon_note(d, LOG_LVL_NOTICE, "reload", NULL);
	return EXIT_OK;
}
